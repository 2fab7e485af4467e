// Classes: building one from its definition, attribute lookup through its bases, instances and
// what calling one runs, `super()`, and what framework base classes give every subclass.
import * as tf from '@tensorflow/tfjs-core';
import { ProbeBudgetExceeded, UnsupportedConstruct } from '../ir/errors';
import type { ClassDef, Span } from '../ir/ir';
import { NONE, str, type ClassValue, type FunctionValue, type InstanceValue, type Value } from '../ir/values';
import type { Evaluator } from './evaluator';
import { makeFunction } from './functions';
import { Scope } from './scope';

export function makeClass(ev: Evaluator, def: ClassDef, scope: Scope): ClassValue {
  const bases = def.bases.map((b) => {
    try { return ev.expr(b, scope); } catch { return { t: 'opaque', what: 'base class' } as Value; }
  });
  const cls: ClassValue = { t: 'class', def, closure: scope, attrs: new Map(), bases };
  const classScope = new Scope(scope, scope.module);
  for (const s of def.body) {
    if (s.kind === 'function') cls.attrs.set(s.fn.name, makeFunction(s.fn, scope));
    else if (s.kind === 'assign') {
      for (const target of s.targets) {
        if (target.kind !== 'name') continue;
        try {
          const v = ev.expr(s.value, classScope);
          cls.attrs.set(target.id, v);
          classScope.vars.set(target.id, v);
        } catch (err) {
          if (err instanceof ProbeBudgetExceeded) throw err;
          cls.attrs.set(target.id, { t: 'opaque', what: `class attribute ${target.id}` });
        }
      }
    }
  }
  return cls;
}

/** The framework base class path (`torch.nn.Module`, `keras.losses.Loss`) of a class, if any. */
export function frameworkBases(cls: ClassValue): string[] {
  const out: string[] = [];
  for (const b of cls.bases) {
    if (b.t === 'ns') out.push(b.path);
    else if (b.t === 'class') out.push(...frameworkBases(b));
  }
  return out;
}

export function classAttribute(cls: ClassValue, name: string): Value | undefined {
  const own = cls.attrs.get(name);
  if (own !== undefined) return own;
  for (const base of cls.bases) if (base.t === 'class') {
    const found = classAttribute(base, name);
    if (found) return found;
  }
  return undefined;
}

export function frameworkInstanceAttribute(obj: InstanceValue, name: string, span: Span): Value {
  // Attributes and methods that framework base classes give every subclass.
  switch (name) {
    case 'training': return { t: 'bool', v: false };
    case 'register_buffer':
      return { t: 'builtin', name: 'register_buffer', call: (args) => { if (args[0]?.t === 'str') obj.attrs.set(args[0].v, args[1] ?? NONE); return NONE; } };
    case 'reduction': return str('mean');
    case 'add_weight':
      return { t: 'builtin', name: 'add_weight', call: (args, kwargs) => addWeight(args, kwargs, span) };
    case 'build':
      return { t: 'builtin', name: 'build', call: () => NONE };
    default: break;
  }
  throw new UnsupportedConstruct(`attribute self.${name}`, span, `not set in ${obj.cls.def.name}'s constructor`);
}

function addWeight(args: Value[], kwargs: Map<string, Value>, span: Span): Value {
  const init = kwargs.get('initializer');
  const shapeV = kwargs.get('shape') ?? args.find((a) => a.t === 'tuple' || a.t === 'list');
  const shape = shapeV && (shapeV.t === 'tuple' || shapeV.t === 'list') ? shapeV.items.map((i) => (i.t === 'num' ? i.v : 1)) : [];
  let value = 0;
  if (!init || (init.t === 'str' && init.v === 'zeros')) value = 0;
  else if (init.t === 'str' && init.v === 'ones') value = 1;
  else if (init.t === 'tensor' && init.v.size === 1) value = init.v.dataSync()[0];
  else if (init.t === 'num') value = init.v;
  else throw new UnsupportedConstruct('add_weight initializer', span, 'only zeros, ones and constant initializers are probed');
  return { t: 'tensor', v: tf.fill(shape, value) };
}

/** The method that runs when an instance is called: `forward` for torch, `call` for Keras/TF.js, else `__call__`. */
export function instanceCallable(inst: InstanceValue): FunctionValue | undefined {
  for (const name of ['__call__', 'forward', 'call']) {
    const m = classAttribute(inst.cls, name);
    if (m && m.t === 'func') return { ...m, self: inst };
  }
  return undefined;
}

export function instantiate(ev: Evaluator, cls: ClassValue, args: Value[], kwargs: Map<string, Value>, span: Span): Value {
  const inst: InstanceValue = { t: 'instance', cls, attrs: new Map() };
  const init = classAttribute(cls, '__init__') ?? classAttribute(cls, 'constructor');
  // Flax / dataclass modules take their fields as keyword arguments.
  for (const [k, v] of cls.attrs) if (v.t !== 'func') inst.attrs.set(k, v);
  if (init && init.t === 'func') ev.callFunction({ ...init, self: inst }, args, kwargs, span);
  else for (const [k, v] of kwargs) inst.attrs.set(k, v);
  return inst;
}

export function superProxy(fn: FunctionValue): Value {
  const self = fn.self;
  const attrs = new Map<string, Value>();
  const noop: Value = { t: 'builtin', name: 'super method', call: () => NONE };
  if (self && self.t === 'instance') {
    for (const base of self.cls.bases) if (base.t === 'class') {
      for (const [k, v] of base.attrs) attrs.set(k, v.t === 'func' ? { ...v, self } : v);
    }
  }
  return { t: 'opaque', what: 'super()', attrs: new Map([['__init__', attrs.get('__init__') ?? noop], ['forward', attrs.get('forward') ?? noop], ['call', attrs.get('call') ?? noop], ['build', noop], ...attrs]) };
}
