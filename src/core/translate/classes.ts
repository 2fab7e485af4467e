// Classes: building one from its definition (decorators, Enum members, dataclass fields), the
// method resolution order, attribute lookup on classes and instances, instantiation, `super()`
// resolved against the class that defines the method, and what framework base classes give every
// subclass (nn.Module buffers, _Loss's reduction, nn.PReLU's weight, Keras add_weight/build,
// keras.losses.Loss, LossFunctionWrapper).
import * as tf from '@tensorflow/tfjs-core';
import { MissingArgument, ProbeBudgetExceeded, UnsupportedConstruct, UserCodeError } from '../ir/errors';
import type { ClassDef, Expr, Span } from '../ir/ir';
import { dottedName } from '../ir/ir';
import { NONE, describe, keyOf, list, num, str, tuple, type ClassValue, type FunctionValue, type InstanceValue, type Value } from '../ir/values';
import { refuseLarger } from '../ops/sizeGuard';
import { autogradApply } from './customGradients';
import { distribution } from './distributions';
import type { Evaluator } from './evaluator';
import { decoratorOrigin, foreignModule, makeFunction } from './functions';
import { Scope } from './scope';

// ------------------------------------------------------------------ building

/** Class decorators that leave the class as it is (registration, export, typing helpers). */
const transparentClassDecorators = /(^|\.)(register_keras_serializable|keras_export|tf_export|total_ordering|final|runtime_checkable|unique|jaxtyped|typechecked|beartype)$/;
/** Class decorators that make a dataclass: fields become the constructor's parameters. */
const dataclassDecorators = /(^|\.)(dataclass|define|frozen|mutable|attrs|s)$/;

export function makeClass(ev: Evaluator, def: ClassDef, scope: Scope): Value {
  const bases = def.bases.map((b) => {
    try { return ev.expr(b, scope); } catch (err) { if (err instanceof ProbeBudgetExceeded) throw err; return { t: 'opaque', what: 'base class' } as Value; }
  });
  const cls: ClassValue = { t: 'class', def, closure: scope, attrs: new Map(), bases };
  const classScope = new Scope(scope, scope.module);
  const enumKind = enumKindOf(cls);
  const fields: string[] = [];
  let autoNumber = 0;
  for (const s of def.body) {
    if (s.kind === 'function') {
      // A property's setter/deleter keeps the getter: the probe never assigns through it.
      if (s.fn.decorators.some((d) => /\.(setter|deleter)$/.test(dottedName(d) ?? ''))) continue;
      const made = makeFunction(s.fn, scope);
      cls.attrs.set(s.fn.name, made.t === 'func' && made.def === s.fn ? { ...made, owner: cls } : made);
    } else if (s.kind === 'pass' && s.declares) {
      fields.push(s.declares);
    } else if (s.kind === 'assign') {
      for (const target of s.targets) {
        if (target.kind !== 'name') continue;
        fields.push(target.id);
        let v: Value;
        try {
          if (enumKind && isCallTo(s.value, 'auto')) v = enumKind === 'str' ? str(target.id.toLowerCase()) : num(++autoNumber, true);
          else if (isCallTo(s.value, 'field')) v = dataclassField(ev, s.value, classScope);
          else v = ev.expr(s.value, classScope);
        } catch (err) {
          if (err instanceof ProbeBudgetExceeded) throw err;
          v = { t: 'opaque', what: `class attribute ${target.id}` };
        }
        if (v.t === 'num' && v.int) autoNumber = Math.max(autoNumber, v.v);
        cls.attrs.set(target.id, v);
        classScope.vars.set(target.id, v);
      }
    }
  }
  if (enumKind) makeEnumMembers(cls, enumKind);
  if (frameworkBases(cls).some((b) => /^flax\.(linen|nnx)\.Module$/.test(b))) cls.dataclassFields = fields;
  return decorateClass(ev, cls, scope, fields);
}

function isCallTo(e: Expr, name: string): boolean {
  if (e.kind !== 'call') return false;
  const callee = dottedName(e.callee) ?? '';
  return callee === name || callee.endsWith(`.${name}`);
}

/** A class decorator: dataclasses get their fields, the workspace's own are interpreted, the rest register. */
function decorateClass(ev: Evaluator, cls: ClassValue, scope: Scope, fields: string[]): Value {
  let value: Value = cls;
  for (const dec of [...cls.def.decorators].reverse()) {
    const name = dottedName(dec.kind === 'call' ? dec.callee : dec) ?? 'expression';
    if (dataclassDecorators.test(name) && value.t === 'class') { value.dataclassFields = fields; continue; }
    if (transparentClassDecorators.test(name)) continue;
    const origin = decoratorOrigin(ev, dec, scope);
    if (origin.kind === 'workspace') {
      try {
        const out = ev.callValue(ev.expr(dec, scope), [value], new Map(), dec.span);
        if (out.t === 'class') { value = out; continue; }
      } catch (err) {
        if (err instanceof ProbeBudgetExceeded) throw err;
      }
    }
    // A class decorator that cannot be followed is taken to register the class and return it.
    const from = origin.kind === 'foreign' ? ` (from ${foreignModule(origin.path)})` : '';
    ev.assume(`class decorator @${name}${from} taken to return the class unchanged`);
  }
  return value;
}

/** `field(default=…)` / `field(default_factory=…)` in a dataclass body: its default, or a marker to call the factory. */
function dataclassField(ev: Evaluator, e: Expr, scope: Scope): Value {
  if (e.kind !== 'call') return NONE;
  const arg = (n: string): Expr | undefined => e.args.find((a) => a.name === n)?.value;
  const dflt = arg('default');
  if (dflt) return ev.expr(dflt, scope);
  const factory = arg('default_factory');
  if (factory) {
    const f = ev.expr(factory, scope);
    const made: Value = { t: 'builtin', name: 'default_factory', call: (_a, _k, span) => ev.callValue(f, [], new Map(), span) };
    dataclassFactories.add(made);
    return made;
  }
  return { t: 'opaque', what: 'dataclass field without a default' };
}
const dataclassFactories = new WeakSet<Value>();

// ------------------------------------------------------------------ Enum

type EnumKind = 'str' | 'int' | 'plain';

function enumKindOf(cls: ClassValue): EnumKind | undefined {
  const paths = frameworkBases(cls);
  if (!paths.some((p) => /^enum\.(Enum|IntEnum|StrEnum|Flag|IntFlag|ReprEnum)$/.test(p))) return undefined;
  if (paths.some((p) => p === 'enum.StrEnum') || hasBuiltinBase(cls, 'str')) return 'str';
  if (paths.some((p) => p === 'enum.IntEnum' || p === 'enum.IntFlag') || hasBuiltinBase(cls, 'int')) return 'int';
  return 'plain';
}

function hasBuiltinBase(cls: ClassValue, name: string): boolean {
  return cls.bases.some((b) => (b.t === 'builtin' && b.name === name) || (b.t === 'class' && hasBuiltinBase(b, name)));
}

/** Members in definition order; a repeated value is an alias of the first member with it. */
function makeEnumMembers(cls: ClassValue, kind: EnumKind): void {
  const members: Value[] = [];
  const byValue = new Map<string, Value>();
  for (const [name, v] of [...cls.attrs]) {
    if (v.t === 'func' || v.t === 'builtin' || name.startsWith('_')) continue;
    const existing = byValue.get(keyOf(v));
    if (existing) { cls.attrs.set(name, existing); continue; }
    let member: Value;
    if (kind === 'str' && v.t === 'str') member = { t: 'str', v: v.v, member: { cls, name } };
    else if (kind === 'int' && v.t === 'num') member = { t: 'num', v: v.v, int: true, member: { cls, name } };
    else member = { t: 'instance', cls, attrs: new Map([['value', v], ['name', str(name)], ['_value_', v], ['_name_', str(name)]]) };
    byValue.set(keyOf(v), member);
    cls.attrs.set(name, member);
    members.push(member);
  }
  cls.enumMembers = members;
}

function enumValue(v: Value): Value {
  if ((v.t === 'str' || v.t === 'num') && v.member) return v.t === 'str' ? str(v.v) : num(v.v, true);
  if (v.t === 'instance' && v.cls.enumMembers) return v.attrs.get('value') ?? v;
  return v;
}

/** `Reduction("mean")`: the member with that value (or the member itself), as Enum's constructor does. */
function enumLookup(cls: ClassValue, arg: Value | undefined, span: Span): Value {
  const members = cls.enumMembers ?? [];
  if (arg && members.includes(arg)) return arg;
  const wanted = arg ? keyOf(enumValue(arg)) : 'none';
  const found = members.find((m) => keyOf(enumValue(m)) === wanted);
  if (found) return found;
  throw new UserCodeError(`${arg ? describeValue(arg) : 'None'} is not a valid ${cls.def.name}`, span);
}

function describeValue(v: Value): string {
  if (v.t === 'str') return `'${v.v}'`;
  if (v.t === 'num') return String(v.v);
  return describe(v);
}

/** `.value`, `.name` and the Enum class's methods on a str/int mixin member. */
export function memberAttribute(ev: Evaluator, v: Extract<Value, { t: 'str' | 'num' }>, name: string, span: Span): Value | undefined {
  const member = v.member;
  if (!member) return undefined;
  if (name === 'value' || name === '_value_') return enumValue(v);
  if (name === 'name' || name === '_name_') return str(member.name);
  const found = classAttribute(member.cls, name);
  if (found) return bindFound(ev, found, v, span);
  return undefined;
}

// ------------------------------------------------------------------ lookup

/** The framework base class paths (`torch.nn.Module`, `keras.losses.Loss`) of a class, nearest first. */
export function frameworkBases(cls: ClassValue): string[] {
  const cached = basesCache.get(cls);
  if (cached) return cached;
  const out: string[] = [];
  for (const c of mro(cls)) for (const b of c.bases) if (b.t === 'ns' && !out.includes(b.path)) out.push(b.path);
  basesCache.set(cls, out);
  return out;
}
// A class's bases never change once built: its MRO and framework bases are computed once.
const basesCache = new WeakMap<ClassValue, string[]>();
const mroCache = new WeakMap<ClassValue, ClassValue[]>();

/** Python's method resolution order (C3) over the workspace classes; depth-first if C3 has no answer. */
export function mro(cls: ClassValue, depth = 0): ClassValue[] {
  const cached = mroCache.get(cls);
  if (cached) return cached;
  const out = linearize(cls, depth);
  mroCache.set(cls, out);
  return out;
}

function linearize(cls: ClassValue, depth: number): ClassValue[] {
  if (depth > 50) throw new ProbeBudgetExceeded('a class hierarchy more than 50 classes deep');
  const parents = cls.bases.filter((b): b is ClassValue => b.t === 'class');
  const seqs = [...parents.map((p) => mro(p, depth + 1)), parents].map((s) => [...s]);
  const out: ClassValue[] = [cls];
  while (seqs.some((s) => s.length)) {
    const head = seqs.map((s) => s[0]).find((h) => h && !seqs.some((s) => s.indexOf(h) > 0));
    if (!head) {
      // Inconsistent hierarchy (Python would refuse it): fall back to depth-first, first seen wins.
      for (const s of seqs) for (const c of s) if (!out.includes(c)) out.push(c);
      return out;
    }
    out.push(head);
    for (const s of seqs) if (s[0] === head) s.shift();
  }
  return out;
}

/** An attribute found on a class or its bases (in MRO order), as stored (methods unbound). */
export function classAttribute(cls: ClassValue, name: string): Value | undefined {
  for (const c of mro(cls)) {
    const own = c.attrs.get(name);
    if (own !== undefined) return own;
  }
  return undefined;
}

/** A method as seen through an object: bound to it, to its class (classmethod), or not at all (staticmethod); a property is read. */
function bindFound(ev: Evaluator, found: Value, self: Value, span: Span): Value {
  if (found.t !== 'func') return found;
  if (found.binding === 'staticmethod') return found;
  if (found.binding === 'classmethod') return { ...found, self: self.t === 'instance' ? self.cls : (self.t === 'str' || self.t === 'num') && self.member ? self.member.cls : self };
  if (found.binding === 'property') return ev.callFunction({ ...found, self }, [], new Map(), span);
  return { ...found, self };
}

/** `obj.name` on an instance: its own attributes, then its classes', then what its framework bases give it. */
export function instanceAttribute(ev: Evaluator, obj: InstanceValue, name: string, span: Span): Value {
  const own = obj.attrs.get(name);
  if (own !== undefined) return own;
  const found = classAttribute(obj.cls, name);
  if (found) return bindFound(ev, found, obj, span);
  const fromBase = frameworkInstanceAttribute(ev, obj, name, span);
  if (fromBase) return fromBase;
  // Every object has a `__doc__`: its class's own docstring (not inherited: a class without one has None),
  // read by registries that extend their own documentation as entries are added.
  if (name === '__doc__') return obj.cls.def.docstring !== undefined ? str(obj.cls.def.docstring) : NONE;
  const bases = frameworkBases(obj.cls);
  const where = mro(obj.cls).length > 1 || bases.length ? `${obj.cls.def.name}'s constructor or its base classes` : `${obj.cls.def.name}'s constructor`;
  throw new UnsupportedConstruct(`attribute self.${name}`, span, `not set in ${where}`);
}

/** `Cls.name`: class attributes (Enum members included), classmethods bound to the class, `Function.apply`. */
export function classAttributeAccess(ev: Evaluator, cls: ClassValue, name: string, span: Span): Value {
  const found = classAttribute(cls, name);
  if (found) {
    if (found.t === 'func' && found.binding === 'classmethod') return { ...found, self: cls };
    return found;
  }
  if (name === 'apply' && frameworkBases(cls).some((b) => /autograd\.Function$/.test(b))) return autogradApply(ev, cls, span);
  if (name === '__name__') return str(cls.def.name);
  if (name === 'apply') return autogradApply(ev, cls, span);
  throw new UnsupportedConstruct(`attribute ${cls.def.name}.${name}`, span);
}

// ------------------------------------------------------------------ framework bases

type BaseKind = 'torch-module' | 'torch-loss' | 'torch-weighted-loss' | 'torch-prelu' | 'keras-layer' | 'keras-loss' | 'loss-wrapper' | 'autograd' | 'other';

function baseKind(path: string): BaseKind {
  if (/(^|\.)LossFunctionWrapper$/.test(path)) return 'loss-wrapper';
  if (/^torch\.nn\.(modules\.loss\.)?_WeightedLoss$/.test(path)) return 'torch-weighted-loss';
  if (/^torch\.nn\.(modules\.loss\.)?_Loss$/.test(path)) return 'torch-loss';
  if (/^torch\.nn\.(modules\.activation\.)?PReLU$/.test(path)) return 'torch-prelu';
  if (/^torch\.autograd\.Function$/.test(path)) return 'autograd';
  if (/^torch\.nn\./.test(path)) return 'torch-module';
  if (/^keras\.(src\.)?losses\.(losses\.)?Loss$/.test(path) || /^keras\.losses\.\w+$/.test(path)) return 'keras-loss';
  if (/^keras\.(src\.)?(layers|engine)\.([\w.]+\.)?Layer$/.test(path) || /^keras\.(layers|Model|models)\b/.test(path) || /^tfjs\.layers\.Layer$/.test(path)) return 'keras-layer';
  return 'other';
}

function kindsOf(cls: ClassValue): BaseKind[] {
  return frameworkBases(cls).map(baseKind);
}

/** PyTorch's legacy size_average/reduce pair, as `torch.nn._reduction.legacy_get_string` reads it. */
function legacyReduction(sizeAverage: Value | undefined, reduce: Value | undefined, reduction: Value | undefined): Value {
  const given = (v: Value | undefined): boolean => v !== undefined && v.t !== 'none';
  if (!given(sizeAverage) && !given(reduce)) return reduction ?? str('mean');
  const truth = (v: Value | undefined): boolean => !given(v) || (v!.t === 'bool' ? v!.v : v!.t === 'num' ? v!.v !== 0 : true);
  if (!truth(reduce)) return str('none');
  return str(truth(sizeAverage) ? 'mean' : 'sum');
}

/** Binds a framework constructor's parameters (positional, then keyword, then default). */
function bindParams(names: [string, Value | undefined][], args: Value[], kwargs: Map<string, Value>): Map<string, Value | undefined> {
  const out = new Map<string, Value | undefined>();
  names.forEach(([n, d], i) => out.set(n, i < args.length ? args[i] : kwargs.has(n) ? kwargs.get(n) : d));
  return out;
}

/** What a framework base class's `__init__` sets on the instance. */
function frameworkInit(ev: Evaluator, inst: InstanceValue, args: Value[], kwargs: Map<string, Value>, span: Span): void {
  const kinds = kindsOf(inst.cls);
  for (const kind of kinds) {
    switch (kind) {
      case 'torch-weighted-loss':
      case 'torch-loss': {
        const p = bindParams(kind === 'torch-loss'
          ? [['size_average', NONE], ['reduce', NONE], ['reduction', str('mean')]]
          : [['weight', NONE], ['size_average', NONE], ['reduce', NONE], ['reduction', str('mean')]], args, kwargs);
        inst.attrs.set('reduction', legacyReduction(p.get('size_average'), p.get('reduce'), p.get('reduction')));
        if (kind === 'torch-weighted-loss') inst.attrs.set('weight', p.get('weight') ?? NONE);
        return;
      }
      case 'torch-prelu': {
        const p = bindParams([['num_parameters', num(1, true)], ['init', num(0.25)]], args, kwargs);
        const n = p.get('num_parameters');
        const init = p.get('init');
        inst.attrs.set('num_parameters', n ?? num(1, true));
        inst.attrs.set('weight', { t: 'tensor', v: weightFill(ev, [n?.t === 'num' ? n.v : 1], init?.t === 'num' ? init.v : 0.25, 'nn.PReLU(num_parameters)') });
        return;
      }
      case 'loss-wrapper': {
        const fn = args[0] ?? kwargs.get('fn');
        if (!fn) throw new MissingArgument('LossFunctionWrapper.__init__', 'fn', span);
        const extra = new Map([...kwargs].filter(([k]) => !['fn', 'reduction', 'name', 'dtype'].includes(k)));
        inst.attrs.set('fn', fn);
        inst.attrs.set('_fn_kwargs', dictOf(extra));
        inst.attrs.set('reduction', kwargs.get('reduction') ?? args[1] ?? str('sum_over_batch_size'));
        inst.attrs.set('name', kwargs.get('name') ?? args[2] ?? NONE);
        return;
      }
      case 'keras-loss': {
        inst.attrs.set('reduction', kwargs.get('reduction') ?? args[0] ?? str('sum_over_batch_size'));
        inst.attrs.set('name', kwargs.get('name') ?? args[1] ?? NONE);
        return;
      }
      case 'keras-layer': {
        for (const k of ['name', 'trainable', 'dtype']) if (kwargs.has(k)) inst.attrs.set(k, kwargs.get(k)!);
        return;
      }
      default: break;
    }
  }
}

function dictOf(entries: Map<string, Value>): Value {
  const map = new Map<string, Value>();
  const keys = new Map<string, Value>();
  for (const [k, v] of entries) { map.set(`s:${k}`, v); keys.set(`s:${k}`, str(k)); }
  return { t: 'dict', map, keys };
}

function selfReturning(inst: Value, name: string): Value {
  return { t: 'builtin', name, call: () => inst };
}

/** Attributes and methods that framework base classes give every subclass; undefined when none does. */
function frameworkInstanceAttribute(ev: Evaluator, obj: InstanceValue, name: string, span: Span): Value | undefined {
  const kinds = kindsOf(obj.cls);
  const torch = kinds.some((k) => k.startsWith('torch'));
  const keras = kinds.some((k) => k.startsWith('keras') || k === 'loss-wrapper');
  if (torch) {
    switch (name) {
      case 'training': return { t: 'bool', v: false };
      case 'register_buffer':
      case 'register_parameter':
      case 'add_module':
        return { t: 'builtin', name, call: (args, kwargs) => { const n = args[0] ?? kwargs.get('name'); if (n?.t === 'str') obj.attrs.set(n.v, args[1] ?? kwargs.get('tensor') ?? kwargs.get('param') ?? kwargs.get('module') ?? NONE); return NONE; } };
      case 'eval': case 'train': case 'to': case 'float': case 'double': case 'half': case 'cuda': case 'cpu': case 'requires_grad_': case 'type': case 'apply':
        return selfReturning(obj, name);
      case 'parameters': case 'buffers': case 'children': case 'modules': case 'named_parameters': case 'named_buffers':
        return { t: 'builtin', name, call: () => list([]) };
      case 'reduction': return kinds.some((k) => k === 'torch-loss' || k === 'torch-weighted-loss') ? str('mean') : undefined;
      case 'weight': return kinds.includes('torch-weighted-loss') ? NONE : undefined;
      default: break;
    }
  }
  if (keras) {
    switch (name) {
      case 'add_weight':
      case 'add_variable':
        return { t: 'builtin', name, call: (args, kwargs) => addWeight(ev, obj, args, kwargs, span) };
      case 'build': return { t: 'builtin', name: 'build', call: () => { obj.attrs.set('built', { t: 'bool', v: true }); return NONE; } };
      case 'built': return { t: 'bool', v: false };
      case 'trainable': return { t: 'bool', v: true };
      case 'dtype': case 'compute_dtype': case 'variable_dtype': return str('float32');
      case 'supports_masking': return { t: 'bool', v: false };
      case 'name': return str(obj.cls.def.name);
      case 'reduction': return str('sum_over_batch_size');
      case 'get_config': return { t: 'builtin', name, call: () => dictOf(new Map()) };
      default: break;
    }
  }
  return undefined;
}

/** The concrete value an initializer stands for when the probe has no trained weights. */
const initializerMeans = new WeakMap<Value, { mean: number; what: string }>();

function initializerValue(path: string, args: Value[], kwargs: Map<string, Value>): Value | undefined {
  const last = path.slice(path.lastIndexOf('.') + 1).replace(/_initializer$/, '').toLowerCase().replace(/_/g, '');
  const arg = (i: number, name: string, d: number): number => {
    const v = args[i] ?? kwargs.get(name);
    return v?.t === 'num' ? v.v : v?.t === 'tensor' && v.v.size === 1 ? v.v.dataSync()[0] : d;
  };
  let mean: number | undefined;
  let what = '';
  switch (last) {
    case 'zeros': case 'zero': mean = 0; what = 'zeros'; break;
    case 'ones': case 'one': mean = 1; what = 'ones'; break;
    case 'constant': mean = arg(0, 'value', 0); what = `constant ${mean}`; break;
    case 'randomuniform': case 'uniform': {
      const lo = arg(0, 'minval', -0.05);
      const hi = arg(1, 'maxval', 0.05);
      mean = (lo + hi) / 2;
      what = `uniform on [${lo}, ${hi}], its mean ${mean}`;
      break;
    }
    case 'randomnormal': case 'normal': case 'truncatednormal':
      mean = arg(0, 'mean', 0);
      what = `${last.includes('truncated') ? 'truncated normal' : 'normal'}, its mean ${mean}`;
      break;
    case 'glorotuniform': case 'glorotnormal': case 'heuniform': case 'henormal': case 'lecununiform': case 'lecunnormal': case 'variancescaling': case 'orthogonal':
      mean = 0; what = `${last} (zero-mean), its mean 0`; break;
    default: return undefined;
  }
  const v: Value = { t: 'opaque', what: `initializer ${what}` };
  initializerMeans.set(v, { mean, what });
  return v;
}

/** Keras `add_weight`: a tensor of the shape asked, filled with the initializer's value (or its mean). */
function addWeight(ev: Evaluator, obj: InstanceValue, args: Value[], kwargs: Map<string, Value>, span: Span): Value {
  const name = kwargs.get('name') ?? (args[0]?.t === 'str' ? args[0] : undefined);
  const shapeV = kwargs.get('shape') ?? args.find((a) => a.t === 'tuple' || a.t === 'list');
  const shape = shapeV && (shapeV.t === 'tuple' || shapeV.t === 'list') ? shapeV.items.map((i) => (i.t === 'num' ? i.v : 1)) : [];
  const init = kwargs.get('initializer') ?? args[2];
  let value: number;
  let what: string;
  if (!init || init.t === 'none') { value = 0; what = 'the default glorot_uniform, its mean 0'; }
  else if (init.t === 'str') {
    const made = initializerValue(init.v, [], new Map());
    if (!made) throw new UnsupportedConstruct(`add_weight initializer '${init.v}'`, span, 'only constant, zeros, ones and zero-mean or uniform/normal initializers are given a value');
    ({ mean: value, what } = initializerMeans.get(made)!);
  } else if (initializerMeans.has(init)) ({ mean: value, what } = initializerMeans.get(init)!);
  else if (init.t === 'num') { value = init.v; what = `constant ${init.v}`; }
  else if (init.t === 'tensor' && init.v.size === 1) { value = init.v.dataSync()[0]; what = `constant ${value}`; }
  else throw new UnsupportedConstruct('add_weight initializer', span, `${describe(init)} is not an initializer the probe gives a value`);
  ev.assume(`${obj.cls.def.name}.add_weight(${name?.t === 'str' ? `'${name.v}'` : ''}) = ${value} (initializer ${what})`);
  return { t: 'tensor', v: weightFill(ev, shape, value, 'add_weight') };
}

/**
 * A weight a class asks for, filled with `value`. Its shape comes from the user's code, so it is
 * held to the probe's tensor size before it is made: `shape=(10**9,)` would take 4 GB at once,
 * before any step budget could see it.
 */
function weightFill(ev: Evaluator, shape: number[], value: number, what: string): tf.Tensor {
  refuseLarger(shape.reduce((p, q) => p * q, 1), ev.ctx.maxElements, what);
  return tf.fill(shape, value);
}

/**
 * Framework classes called as constructors whose result the interpreter models itself (module
 * containers, a PReLU layer with its weight, initializers) and `inspect`'s questions about what a
 * value is. Undefined for any other path.
 */
export function frameworkConstruct(ev: Evaluator, path: string, args: Value[], kwargs: Map<string, Value>, span: Span): Value | undefined {
  if (path === 'inspect.isclass') return { t: 'bool', v: args[0]?.t === 'class' };
  if (path === 'inspect.isfunction' || path === 'inspect.ismethod') return { t: 'bool', v: args[0]?.t === 'func' && (path === 'inspect.isfunction') === !args[0].self };
  const keras = kerasHelper(ev, path, args, kwargs, span);
  if (keras) return keras;
  if (/^(keras\.initializers|tf\.initializers|tf\.keras\.initializers)\.\w+$/.test(path) || /^tf\.(zeros|ones|constant|random_uniform|random_normal|truncated_normal|glorot_uniform)_initializer$/.test(path)) {
    return initializerValue(path, args, kwargs);
  }
  const dist = distribution(ev, path, args, kwargs, span);
  if (dist) return dist;
  switch (path) {
    // A ParameterList/ParameterDict holds its parameters as a ModuleList/ModuleDict holds modules.
    case 'torch.nn.ModuleList': case 'torch.nn.ParameterList': return list(args[0] ? [...iterItems(args[0], span)] : []);
    case 'torch.nn.ModuleDict': case 'torch.nn.ParameterDict': return args[0]?.t === 'dict' ? args[0] : dictOf(new Map());
    case 'torch.nn.Sequential': {
      const layers = args.length === 1 && args[0].t === 'dict' ? [...args[0].map.values()] : args;
      const seq: Value = {
        t: 'builtin', name: 'torch.nn.Sequential', call: (a, _k, s) => layers.reduce<Value>((x, layer) => ev.callValue(layer, [x], new Map(), s), a[0] ?? NONE),
        attrs: new Map(layers.map((l, i) => [String(i), l])),
      };
      return seq;
    }
    case 'torch.nn.PReLU': {
      const p = bindParams([['num_parameters', num(1, true)], ['init', num(0.25)]], args, kwargs);
      const n = p.get('num_parameters');
      const init = p.get('init');
      const weight: Value = { t: 'tensor', v: tf.keep(weightFill(ev, [n?.t === 'num' ? n.v : 1], init?.t === 'num' ? init.v : 0.25, 'nn.PReLU(num_parameters)')) };
      return { t: 'builtin', name: 'torch.nn.PReLU', call: (a, _k, s) => prelu(ev, a[0], weight, s), attrs: new Map([['weight', weight]]) };
    }
    default: return undefined;
  }
}

/**
 * Keras helpers a layer calls in its constructor or call: `Lambda(f)` (a layer calling `f`, with its
 * `arguments=` as keywords), `initializers.get` (a name or an initializer to the initializer, valued as
 * `add_weight` values it), `regularizers.get` / `constraints.get` (training-time only: kept as opaque
 * values, they never change the forward pass) and `InputSpec` (a shape declaration). Undefined for any other path.
 */
function kerasHelper(ev: Evaluator, path: string, args: Value[], kwargs: Map<string, Value>, span: Span): Value | undefined {
  const p = path.replace(/^tf\.keras\./, 'keras.');
  const first = args[0] ?? kwargs.get('identifier') ?? kwargs.get('function');
  switch (p) {
    case 'keras.layers.Lambda': case 'keras.layers.core.Lambda': {
      if (!first || first.t === 'none') throw new UserCodeError("Lambda.__init__() missing required argument 'function'", span, 'TypeError');
      const extra = kwargs.get('arguments');
      const fixed = new Map<string, Value>();
      if (extra?.t === 'dict') for (const [k, v] of extra.map) if (k.startsWith('s:')) fixed.set(k.slice(2), v);
      return { t: 'builtin', name: 'keras.layers.Lambda', call: (a, k, s) => ev.callValue(first, a.slice(0, 1), new Map([...fixed, ...k]), s) };
    }
    case 'keras.initializers.get': {
      if (!first || first.t === 'none') return NONE;
      if (first.t === 'str') {
        const made = initializerValue(first.v, [], new Map());
        if (!made) throw new UnsupportedConstruct(`initializer '${first.v}'`, span, 'only constant, zeros, ones and zero-mean or uniform/normal initializers are given a value');
        return made;
      }
      return first;
    }
    case 'keras.regularizers.get': case 'keras.constraints.get':
      return !first || first.t === 'none' ? NONE : { t: 'opaque', what: `${p.split('.')[1].replace(/s$/, '')} (training only)` };
    case 'keras.initializers.serialize': case 'keras.regularizers.serialize': case 'keras.constraints.serialize':
      return first ?? NONE;
    case 'keras.layers.InputSpec': case 'keras.engine.input_spec.InputSpec':
      return { t: 'opaque', what: 'InputSpec' };
    default: return undefined;
  }
}

function iterItems(v: Value, span: Span): Value[] {
  if (v.t === 'list' || v.t === 'tuple') return v.items;
  throw new UnsupportedConstruct(`a module list of ${describe(v)}`, span);
}

function prelu(ev: Evaluator, input: Value | undefined, weight: Value, span: Span): Value {
  const x = ev.tensor(input ?? NONE, span);
  let w = ev.tensor(weight, span);
  // PyTorch applies one weight per channel (dimension 1).
  if (w.size > 1 && x.rank >= 2) w = tf.reshape(w, [1, w.size, ...Array(x.rank - 2).fill(1)]);
  return { t: 'tensor', v: ev.ctx.finish(tf.add(tf.relu(x), tf.mul(w, tf.minimum(x, 0)))) };
}

// ------------------------------------------------------------------ instances

/** The method that runs when an instance is called: `__call__`, `forward` (torch), `call` (Keras/TF.js), or its framework base's. */
/** The user-written method an instance is called through (`__call__`, `forward`, `call`), bound to it: for static readers. */
export function userCallMethod(inst: InstanceValue): FunctionValue | undefined {
  for (const name of ['__call__', 'forward', 'call']) {
    const m = classAttribute(inst.cls, name);
    if (m && m.t === 'func') return { ...m, self: inst };
  }
  return undefined;
}

export function instanceCallable(ev: Evaluator, inst: InstanceValue): Value | undefined {
  for (const name of ['__call__', 'forward', 'call']) {
    const m = classAttribute(inst.cls, name);
    if (m && m.t === 'func') return withBuild(ev, inst, { ...m, self: inst });
  }
  const kinds = kindsOf(inst.cls);
  if (kinds.includes('loss-wrapper')) return lossWrapperCall(ev, inst);
  if (kinds.includes('torch-prelu')) return { t: 'builtin', name: 'PReLU.forward', call: (a, _k, s) => prelu(ev, a[0], instanceAttribute(ev, inst, 'weight', s), s) };
  return undefined;
}

/** Keras builds a layer on its first call: `build(input_shape)` runs before `call`, as `Layer.__call__` does. */
function withBuild(ev: Evaluator, inst: InstanceValue, call: FunctionValue): Value {
  const build = classAttribute(inst.cls, 'build');
  if (!build || build.t !== 'func' || !kindsOf(inst.cls).includes('keras-layer')) return call;
  return {
    t: 'builtin',
    name: `${inst.cls.def.name}.__call__`,
    call: (args, kwargs, span) => {
      const built = inst.attrs.get('built');
      if (!(built?.t === 'bool' && built.v)) {
        const x = args[0];
        const shape = x?.t === 'tensor' ? tuple(x.v.shape.map((d) => num(d, true))) : NONE;
        ev.callFunction({ ...build, self: inst }, [shape], new Map(), span);
        inst.attrs.set('built', { t: 'bool', v: true });
      }
      return ev.callFunction(call, args, kwargs, span);
    },
  };
}

/** `LossFunctionWrapper.call`: the wrapped function with the wrapper's keyword arguments. */
function lossWrapperCall(ev: Evaluator, inst: InstanceValue): Value {
  return {
    t: 'builtin',
    name: `${inst.cls.def.name}.call`,
    call: (args, kwargs, span) => {
      const fn = instanceAttribute(ev, inst, 'fn', span);
      const extra = inst.attrs.get('_fn_kwargs');
      const merged = new Map(kwargs);
      if (extra?.t === 'dict') for (const [k, v] of extra.map) if (k.startsWith('s:')) merged.set(k.slice(2), v);
      return ev.callValue(fn, args.slice(0, 2), merged, span);
    },
  };
}

export function instantiate(ev: Evaluator, cls: ClassValue, args: Value[], kwargs: Map<string, Value>, span: Span): Value {
  if (cls.enumMembers) return enumLookup(cls, args[0] ?? kwargs.get('value'), span);
  const inst: InstanceValue = { t: 'instance', cls, attrs: new Map() };
  const init = classAttribute(cls, '__init__') ?? classAttribute(cls, 'constructor');
  if (init && init.t === 'func') {
    ev.callFunction({ ...init, self: inst }, args, kwargs, span);
    return inst;
  }
  const fields = dataclassFieldsOf(cls);
  if (fields) {
    initDataclass(ev, inst, fields, args, kwargs, span);
    return inst;
  }
  if (frameworkBases(cls).length) frameworkInit(ev, inst, args, kwargs, span);
  // Without a constructor, keyword arguments become attributes (Flax-style modules).
  for (const [k, v] of kwargs) if (!inst.attrs.has(k)) inst.attrs.set(k, v);
  return inst;
}

/** A dataclass's fields, its bases' first (as `dataclasses` orders them). */
function dataclassFieldsOf(cls: ClassValue): string[] | undefined {
  const chain = mro(cls).filter((c) => c.dataclassFields);
  if (!chain.length) return undefined;
  const out: string[] = [];
  for (const c of chain.reverse()) for (const f of c.dataclassFields!) if (!out.includes(f)) out.push(f);
  return out;
}

/** The `__init__` a dataclass generates: fields from positional and keyword arguments, else their defaults; then `__post_init__`. */
function initDataclass(ev: Evaluator, inst: InstanceValue, fields: string[], args: Value[], kwargs: Map<string, Value>, span: Span): void {
  fields.forEach((f, i) => {
    let v = i < args.length ? args[i] : kwargs.get(f);
    if (v === undefined) {
      const d = classAttribute(inst.cls, f);
      if (d === undefined || (d.t === 'opaque' && d.what === 'dataclass field without a default')) throw new MissingArgument(inst.cls.def.name, f, span);
      v = dataclassFactories.has(d) ? ev.callValue(d, [], new Map(), span) : d;
    }
    inst.attrs.set(f, v);
  });
  const post = classAttribute(inst.cls, '__post_init__');
  if (post?.t === 'func') ev.callFunction({ ...post, self: inst }, [], new Map(), span);
}

// ------------------------------------------------------------------ super()

/**
 * `super()` inside a method (the class that defines it and its `self`), or `super(Cls, obj)`: the
 * attributes of the classes after that class in the MRO of obj's class, bound to obj; where no
 * workspace class defines one, what the framework base gives (its `__init__`, `build`, `call`).
 */
export function superProxy(ev: Evaluator, fn: FunctionValue, args: Value[], span: Span): Value {
  let owner = fn.owner;
  let self = fn.self;
  if (args.length >= 1) {
    if (args[0].t !== 'class') throw new UnsupportedConstruct('super() with a first argument that is not a class', span);
    owner = args[0];
    self = args[1];
  }
  if (!owner || !self) throw new UnsupportedConstruct('super() outside a method', span);
  const selfCls = self.t === 'instance' ? self.cls : self.t === 'class' ? self : undefined;
  if (!selfCls) throw new UnsupportedConstruct('super()', span, `of ${describe(self)}`);
  const order = mro(selfCls);
  const later = order.indexOf(owner) >= 0 ? order.slice(order.indexOf(owner) + 1) : order.slice(1);
  const inst = self.t === 'instance' ? self : undefined;
  const bound = self;
  const proxy: Value = { t: 'opaque', what: `super() of ${owner.def.name}` };
  lazyAttributes.set(proxy, (name, at) => {
    for (const c of later) {
      const v = c.attrs.get(name);
      if (v !== undefined) return bindFound(ev, v, bound, at);
    }
    if (name === '__init__') return { t: 'builtin', name: 'super().__init__', call: (a, k, s) => { if (inst) frameworkInit(ev, inst, a, k, s); return NONE; } };
    if (!inst) return undefined;
    if (name === 'forward' || name === 'call' || name === '__call__') return instanceCallableOfBase(ev, inst) ?? { t: 'builtin', name: `super().${name}`, call: () => NONE };
    return frameworkInstanceAttribute(ev, inst, name, at) ?? (['build', 'get_config', 'reset_parameters', 'extra_repr'].includes(name) ? { t: 'builtin', name: `super().${name}`, call: () => NONE } : undefined);
  });
  return proxy;
}

/** Attributes computed when asked (a `super()` proxy's): consulted by attribute access on opaque values. */
export const lazyAttributes = new WeakMap<Value, (name: string, span: Span) => Value | undefined>();

/** The framework base's own call, for `super().call(...)` / `super().forward(...)`. */
function instanceCallableOfBase(ev: Evaluator, inst: InstanceValue): Value | undefined {
  const kinds = kindsOf(inst.cls);
  if (kinds.includes('loss-wrapper')) return lossWrapperCall(ev, inst);
  if (kinds.includes('torch-prelu')) return { t: 'builtin', name: 'PReLU.forward', call: (a, _k, s) => prelu(ev, a[0], instanceAttribute(ev, inst, 'weight', s), s) };
  return undefined;
}

/** Iterating an Enum class yields its members. */
export function enumMembersOf(v: Value): Value[] | undefined {
  return v.t === 'class' ? v.enumMembers : undefined;
}

// ------------------------------------------------------------------ isinstance

function classOf(v: Value): ClassValue | undefined {
  if (v.t === 'instance') return v.cls;
  if ((v.t === 'str' || v.t === 'num') && v.member) return v.member.cls;
  return undefined;
}

function instanceOfOne(v: Value, type: Value): boolean | undefined {
  if (type.t === 'class') {
    const cls = classOf(v);
    return cls ? mro(cls).includes(type) : false;
  }
  if (type.t !== 'ns') return undefined;
  const path = type.path;
  if (/^enum\.(Enum|IntEnum|StrEnum|Flag|IntFlag)$/.test(path)) return !!classOf(v)?.enumMembers;
  if (/^enum\.(EnumMeta|EnumType)$/.test(path)) return v.t === 'class' && !!v.enumMembers;
  // A framework base class: instances of workspace classes deriving from it.
  if (v.t === 'instance' && frameworkBases(v.cls).length) {
    const bases = frameworkBases(v.cls);
    if (bases.includes(path)) return true;
    if (path === 'torch.nn.Module') return bases.some((b) => b.startsWith('torch.nn.'));
    if (path === 'keras.layers.Layer') return kindsOf(v.cls).includes('keras-layer');
    return false;
  }
  return undefined;
}

/**
 * `isinstance(v, T)` where T is a workspace class, an Enum type or a framework base class of a
 * workspace instance; undefined when T is none of these (the builtin decides).
 */
export function isInstanceOf(v: Value | undefined, type: Value | undefined): boolean | undefined {
  if (!v || !type) return undefined;
  const types = type.t === 'tuple' ? type.items : [type];
  let unknown = false;
  for (const t of types) {
    const r = instanceOfOne(v, t);
    if (r === true) return true;
    if (r === undefined) unknown = true;
  }
  return unknown ? undefined : false;
}

