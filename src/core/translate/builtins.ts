// The builtins a name falls back to when neither the function, its module nor the frameworks
// define it: Python's (len, range, zip, min/max, sorted, iter/next, isinstance, getattr …) and
// JavaScript's globals (Math, Number, Infinity …). Anything else is an unknown name. Also Python's
// str() and format() of the values the evaluator models, for f-strings and str.format.
import * as tf from '@tensorflow/tfjs-core';
import { detach } from '../ops/implementations';
import { callOp } from '../ops/registry';
import { DynamicImportRefused, ProbeBudgetExceeded, UnsupportedConstruct, UserCodeError } from '../ir/errors';
import { canonicalModule, type Framework } from '../ir/frameworks';
import type { ModuleIR, Span } from '../ir/ir';
import { NONE, describe, keyOf, num, str, tuple, type BuiltinValue, type ClassValue, type Value } from '../ir/values';
import { attribute } from './attributes';
import { isInstanceOf } from './classes';
import { iterate, truthy } from './conversions';
import type { Evaluator } from './evaluator';
import { binaryOp, compareOp } from './operators';

export function builtinNamed(ev: Evaluator, name: string, language: ModuleIR['language']): Value | undefined {
  const table = language === 'python' ? pythonBuiltins : jsBuiltins;
  // Own entries only: `constructor`, `toString`, `__proto__` … are the table object's machinery.
  return Object.hasOwn(table, name) ? table[name](ev) : undefined;
}

type BuiltinTable = Record<string, (ev: Evaluator) => Value>;

function fn(name: string, call: BuiltinValue['call']): Value {
  return { t: 'builtin', name, call };
}

/** A Python number from a value: int(), float(), range() bounds. A tensor must hold one element. */
function numberOf(v: Value | undefined, span: Span, who: string): number {
  if (!v) throw new UserCodeError(`${who}() takes an argument`, span, 'TypeError');
  if (v.t === 'num') return v.v;
  if (v.t === 'bool') return v.v ? 1 : 0;
  if (v.t === 'str') {
    const text = v.v.trim();
    const n = /^[+-]?inf(inity)?$/i.test(text) ? (text.startsWith('-') ? -Infinity : Infinity) : /^[+-]?nan$/i.test(text) ? NaN : Number(text);
    if (Number.isNaN(n) && !/nan/i.test(text)) throw new UserCodeError(`could not convert string to a number: '${v.v}'`, span, 'ValueError');
    return n;
  }
  if (v.t === 'tensor') {
    if (v.v.size !== 1) throw new UserCodeError('only one element tensors can be converted to Python scalars', span, 'ValueError');
    return detach(v.v).dataSync()[0];
  }
  throw new UnsupportedConstruct(`${who}() of ${describe(v)}`, span);
}

/** The framework types `isinstance` can tell: tensors of every framework. */
const tensorTypes = /^(torch\.(Tensor|FloatTensor|LongTensor|BoolTensor|nn\.Parameter|nn\.parameter\.Parameter)|numpy\.ndarray|jax\.Array|jax\.numpy\.ndarray|jax\.numpy\.DeviceArray|tf\.(Tensor|Variable)|keras\.KerasTensor|tfjs\.Tensor)$/;

/** The tensor type of each framework, as `type(x)` of a tensor names it. */
const tensorTypeOf: Record<Framework, string> = { pytorch: 'torch.Tensor', numpy: 'numpy.ndarray', jax: 'jax.Array', tensorflow: 'tf.Tensor', tfjs: 'tfjs.Tensor' };

function classChain(cls: ClassValue): ClassValue[] {
  const out: ClassValue[] = [cls];
  for (const b of cls.bases) if (b.t === 'class') out.push(...classChain(b));
  return out;
}

/** isinstance(v, one type): Python's types, framework tensors and the user's classes. */
function isInstance(v: Value, type: Value): boolean {
  if (type.t === 'tuple' || type.t === 'list') return type.items.some((t) => isInstance(v, t));
  if (type.t === 'class') return v.t === 'instance' && classChain(v.cls).some((c) => c.def === type.def);
  if (type.t === 'ns') {
    if (tensorTypes.test(type.path)) return v.t === 'tensor';
    if (/^(numbers\.(Number|Real)|numpy\.(number|floating|float32|float64))$/.test(type.path)) return v.t === 'num' || (v.t === 'tensor' && v.v.rank === 0);
    if (/^(numbers\.Integral|numpy\.integer)$/.test(type.path)) return (v.t === 'num' && v.int) || v.t === 'bool';
    const abc = /^(collections\.abc|collections|typing)\.(\w+)$/.exec(type.path)?.[2];
    if (abc === 'Sequence') return v.t === 'list' || v.t === 'tuple' || v.t === 'str';
    if (abc === 'Iterable' || abc === 'Collection' || abc === 'Sized' || abc === 'Container') return v.t === 'list' || v.t === 'tuple' || v.t === 'str' || v.t === 'dict' || v.t === 'tensor' || (abc === 'Iterable' && v.t === 'iterator');
    if (abc === 'Iterator') return v.t === 'iterator';
    if (abc === 'Mapping' || abc === 'MutableMapping') return v.t === 'dict';
    if (abc === 'Callable') return isCallable(v);
    // Everything but lists, dicts (and sets, which the evaluator holds as lists) hashes.
    if (abc === 'Hashable') return v.t !== 'list' && v.t !== 'dict';
    // A user's class derived from a framework class (nn.Module, keras Loss, enum.Enum).
    if (v.t === 'instance') return classChain(v.cls).some((c) => c.bases.some((b) => b.t === 'ns' && b.path === type.path));
    return false;
  }
  if (type.t !== 'builtin') return false;
  switch (type.name) {
    case 'int': return (v.t === 'num' && v.int) || v.t === 'bool';
    case 'float': return v.t === 'num' && !v.int;
    case 'bool': return v.t === 'bool';
    case 'str': return v.t === 'str';
    case 'list': return v.t === 'list';
    case 'tuple': return v.t === 'tuple';
    case 'dict': return v.t === 'dict';
    case 'object': return true;
    default: return false;
  }
}

function isCallable(v: Value): boolean {
  return v.t === 'func' || v.t === 'builtin' || v.t === 'class' || v.t === 'ns' || (v.t === 'instance' && ['__call__', 'forward', 'call'].some((m) => v.cls.attrs.has(m) || classChain(v.cls).some((c) => c.attrs.has(m))));
}

function toIterator(items: Value[]): Value {
  return { t: 'iterator', items, pos: 0 };
}

/** Python's ordering of two values for sorted/min/max: numbers, strings, tuples, one-element tensors. */
function pyLess(ev: Evaluator, a: Value, b: Value, span: Span): boolean {
  return ev.condition(compareOp(ev.ctx, '<', a, b, span), span, 'comparison');
}

const exceptionClasses = ['Exception', 'BaseException', 'ValueError', 'TypeError', 'RuntimeError', 'NotImplementedError', 'KeyError', 'IndexError', 'AssertionError', 'AttributeError', 'StopIteration', 'ZeroDivisionError', 'ArithmeticError', 'LookupError', 'ImportError', 'OverflowError',
  // Warning categories: passed to warnings.warn/simplefilter, which change no value.
  'Warning', 'UserWarning', 'DeprecationWarning', 'FutureWarning', 'RuntimeWarning', 'PendingDeprecationWarning'];

const pythonBuiltins: BuiltinTable = {
  float: () => fn('float', (a, _k, s) => (a.length ? num(numberOf(a[0], s, 'float')) : num(0))),
  int: () => fn('int', (a, _k, s) => {
    if (!a.length) return num(0, true);
    if (a[0].t === 'str' && a[1]) return num(parseInt(a[0].v, numberOf(a[1], s, 'int')), true);
    const n = numberOf(a[0], s, 'int');
    if (!Number.isFinite(n)) throw new UserCodeError(`cannot convert float ${n} to integer`, s, Number.isNaN(n) ? 'ValueError' : 'OverflowError');
    return num(Math.trunc(n), true);
  }),
  bool: (ev) => fn('bool', (a, _k, s) => ({ t: 'bool', v: a.length ? truthy(a[0], s, ev.ctx.framework) : false })),
  str: () => fn('str', (a) => str(a.length ? pyStr(a[0]) : '')),
  repr: () => fn('repr', (a) => str(pyRepr(a[0] ?? NONE))),
  format: () => fn('format', (a, _k, s) => str(formatValue(a[0] ?? NONE, a[1]?.t === 'str' ? a[1].v : undefined, undefined, s))),
  len: () => fn('len', (a, _k, s) => {
    const v = a[0];
    if (v.t === 'list' || v.t === 'tuple') return num(v.items.length, true);
    if (v.t === 'dict') return num(v.map.size, true);
    if (v.t === 'str') return num(v.v.length, true);
    if (v.t === 'tensor') {
      if (v.v.rank === 0) throw new UserCodeError('len() of a 0-d tensor', s, 'TypeError');
      return num(v.v.shape[0], true);
    }
    if (v.t === 'iterator') throw new UserCodeError("object of type 'iterator' has no len()", s, 'TypeError');
    throw new UnsupportedConstruct(`len() of ${describe(v)}`, s);
  }),
  // slice(stop) / slice(start, stop[, step]): the object `a:b:c` makes, for an index built at run time.
  slice: () => fn('slice', (a, _k, s) => {
    const bound = (v: Value | undefined): number | undefined => {
      if (!v || v.t === 'none') return undefined;
      const n = numberOf(v, s, 'slice');
      if (!Number.isInteger(n)) throw new UserCodeError('slice indices must be integers or None', s, 'TypeError');
      return n;
    };
    if (!a.length) throw new UserCodeError('slice expected at least 1 argument, got 0', s, 'TypeError');
    if (a.length === 1) return { t: 'slice', stop: bound(a[0]) };
    return { t: 'slice', start: bound(a[0]), stop: bound(a[1]), step: bound(a[2]) };
  }),
  range: () => fn('range', (a, _k, s) => {
    const n = a.map((x) => numberOf(x, s, 'range'));
    if (n.some((x) => !Number.isInteger(x))) throw new UserCodeError("'float' object cannot be interpreted as an integer", s, 'TypeError');
    const [start, stop, step] = n.length === 1 ? [0, n[0], 1] : [n[0], n[1], n[2] ?? 1];
    if (step === 0) throw new UserCodeError('range() arg 3 must not be zero', s, 'ValueError');
    const items: Value[] = [];
    if (Math.abs((stop - start) / step) > 1e6) throw new ProbeBudgetExceeded('range() with more than a million items');
    for (let i = start; step > 0 ? i < stop : i > stop; i += step) items.push(num(i, true));
    return { t: 'list', items };
  }),
  enumerate: () => fn('enumerate', (a, k, s) => {
    const start = a[1] ?? k.get('start');
    const offset = start ? numberOf(start, s, 'enumerate') : 0;
    return toIterator(iterate(a[0], s).map((v, i) => tuple([num(i + offset, true), v])));
  }),
  zip: () => fn('zip', (a, k, s) => {
    const lists = a.map((x) => iterate(x, s));
    const n = lists.length ? Math.min(...lists.map((l) => l.length)) : 0;
    const strict = k.get('strict');
    if (strict?.t === 'bool' && strict.v && lists.some((l) => l.length !== n)) throw new UserCodeError('zip() arguments have different lengths', s, 'ValueError');
    return toIterator(Array.from({ length: n }, (_, i) => tuple(lists.map((l) => l[i]))));
  }),
  iter: () => fn('iter', (a, _k, s) => (a[0]?.t === 'iterator' ? a[0] : toIterator([...iterate(a[0], s)]))),
  next: () => fn('next', (a, _k, s) => {
    const it = a[0];
    if (it?.t !== 'iterator') throw new UserCodeError(`'${it ? describe(it) : 'None'}' object is not an iterator`, s, 'TypeError');
    if (it.pos < it.items.length) return it.items[it.pos++];
    if (a.length > 1) return a[1];
    throw new UserCodeError('next() reached the end of the iterator', s, 'StopIteration');
  }),
  reversed: () => fn('reversed', (a, _k, s) => {
    if (a[0]?.t === 'dict' || a[0]?.t === 'iterator') throw new UserCodeError(`'${describe(a[0])}' object is not reversible`, s, 'TypeError');
    return toIterator([...iterate(a[0], s)].reverse());
  }),
  sorted: (ev) => fn('sorted', (a, k, s) => {
    const key = k.get('key');
    const reverse = k.get('reverse');
    const items = [...iterate(a[0], s)];
    const keys = items.map((v) => (key && key.t !== 'none' ? ev.callValue(key, [v], new Map(), s) : v));
    const order = items.map((_, i) => i);
    // A stable merge sort on Python's `<`, as list.sort (reverse keeps equal items in order too).
    const less = (i: number, j: number): boolean => (reverse && truthy(reverse, s) ? pyLess(ev, keys[j], keys[i], s) : pyLess(ev, keys[i], keys[j], s));
    const sortedOrder = mergeSort(order, less);
    return { t: 'list', items: sortedOrder.map((i) => items[i]) };
  }),
  map: (ev) => fn('map', (a, _k, s) => {
    const [f, ...iterables] = a;
    const lists = iterables.map((x) => iterate(x, s));
    const n = lists.length ? Math.min(...lists.map((l) => l.length)) : 0;
    return toIterator(Array.from({ length: n }, (_, i) => ev.callValue(f, lists.map((l) => l[i]), new Map(), s)));
  }),
  filter: (ev) => fn('filter', (a, _k, s) => {
    const [f, iterable] = a;
    const items = iterate(iterable, s);
    return toIterator(items.filter((v) => ev.condition(f.t === 'none' ? v : ev.callValue(f, [v], new Map(), s), s, 'filter')));
  }),
  all: (ev) => fn('all', (a, _k, s) => ({ t: 'bool', v: iterate(a[0], s).every((v) => ev.condition(v, s, 'all()')) })),
  any: (ev) => fn('any', (a, _k, s) => ({ t: 'bool', v: iterate(a[0], s).some((v) => ev.condition(v, s, 'any()')) })),
  list: () => fn('list', (a, _k, s) => ({ t: 'list', items: a.length ? [...iterate(a[0], s)] : [] })),
  tuple: () => fn('tuple', (a, _k, s) => ({ t: 'tuple', items: a.length ? [...iterate(a[0], s)] : [] })),
  set: () => fn('set', (a, _k, s) => ({ t: 'list', items: a.length ? unique(iterate(a[0], s)) : [] })),
  frozenset: () => fn('frozenset', (a, _k, s) => ({ t: 'tuple', items: a.length ? unique(iterate(a[0], s)) : [] })),
  dict: () => fn('dict', (a, k, s) => {
    const map = new Map<string, Value>();
    const keys = new Map<string, Value>();
    if (a[0]?.t === 'dict') for (const [key, v] of a[0].map) { map.set(key, v); keys.set(key, a[0].keys.get(key)!); }
    else if (a[0]) {
      for (const pair of iterate(a[0], s)) {
        const [key, v] = iterate(pair, s);
        map.set(keyOf(key), v);
        keys.set(keyOf(key), key);
      }
    }
    for (const [key, v] of k) { map.set(`s:${key}`, v); keys.set(`s:${key}`, str(key)); }
    return { t: 'dict', map, keys };
  }),
  isinstance: () => fn('isinstance', (a) => {
    const known = isInstanceOf(a[0], a[1]);
    return { t: 'bool', v: known ?? isInstance(a[0] ?? NONE, a[1] ?? NONE) };
  }),
  issubclass: () => fn('issubclass', (a) => {
    const [cls, base] = a;
    const bases = base?.t === 'tuple' ? base.items : [base];
    // A framework type (`torch.Tensor`, `np.ndarray`) is a subclass of itself.
    if (cls?.t === 'ns') return { t: 'bool', v: bases.some((b) => b?.t === 'ns' && b.path === cls.path) };
    if (cls?.t !== 'class') return { t: 'bool', v: false };
    return { t: 'bool', v: bases.some((b) => b?.t === 'class' && classChain(cls).some((c) => c.def === b.def)) };
  }),
  callable: () => fn('callable', (a) => ({ t: 'bool', v: isCallable(a[0] ?? NONE) })),
  // type(x) of one argument: the builtin type a value of the evaluator is (a bytes literal is read as a
  // str, so `type(b"")` is str), a user instance's class. Used to build type tuples for isinstance.
  type: (ev) => fn('type', (a, _k, s) => {
    const v = a[0];
    if (a.length !== 1 || !v) throw new UnsupportedConstruct('type() with other than one argument', s);
    if (v.t === 'instance') return v.cls;
    if (v.t === 'tensor') return { t: 'ns', path: tensorTypeOf[ev.ctx.framework] };
    const name = v.t === 'num' ? (v.int ? 'int' : 'float') : v.t === 'str' || v.t === 'bool' || v.t === 'list' || v.t === 'tuple' || v.t === 'dict' ? v.t : undefined;
    if (!name) throw new UnsupportedConstruct(`type() of ${describe(v)}`, s);
    return pythonBuiltins[name](ev);
  }),
  abs: (ev) => fn('abs', (a, k, s) => (a[0].t === 'num' ? num(Math.abs(a[0].v), a[0].int) : callOp('builtins.abs', a, k, s, ev))),
  min: (ev) => fn('min', (a, k, s) => minMax(ev, a, k, s, 'min')),
  max: (ev) => fn('max', (a, k, s) => minMax(ev, a, k, s, 'max')),
  sum: (ev) => fn('sum', (a, k, s) => {
    let acc: Value = a[1] ?? k.get('start') ?? num(0, true);
    for (const v of iterate(a[0], s)) acc = binaryOp(ev.ctx, '+', acc, v, s);
    return acc;
  }),
  round: () => fn('round', (a, _k, s) => {
    const x = a[0];
    const digits = a[1] && a[1].t !== 'none' ? numberOf(a[1], s, 'round') : undefined;
    if (x.t !== 'num' && x.t !== 'bool') throw new UnsupportedConstruct(`round() of ${describe(x)}`, s);
    const v = x.t === 'bool' ? Number(x.v) : x.v;
    if (digits === undefined) return num(roundHalfEven(v), true);
    const f = 10 ** digits;
    return num(roundHalfEven(v * f) / f, x.t === 'num' && x.int);
  }),
  divmod: () => fn('divmod', (a, _k, s) => {
    const x = numberOf(a[0], s, 'divmod');
    const y = numberOf(a[1], s, 'divmod');
    if (y === 0) throw new UserCodeError('integer division or modulo by zero', s, 'ZeroDivisionError');
    const int = a[0].t === 'num' && a[0].int && a[1].t === 'num' && a[1].int;
    return tuple([num(Math.floor(x / y), int), num(x - y * Math.floor(x / y), int)]);
  }),
  pow: (ev) => fn('pow', (a, _k, s) => binaryOp(ev.ctx, '**', a[0], a[1], s)),
  print: () => fn('print', () => NONE),
  super: () => fn('super', () => NONE),
  hasattr: (ev) => fn('hasattr', (a, _k, s) => {
    if (a[1]?.t !== 'str') throw new UserCodeError('hasattr(): attribute name must be string', s, 'TypeError');
    try {
      attribute(ev, a[0], a[1].v, s);
      return { t: 'bool', v: true };
    } catch (err) {
      if (err instanceof UnsupportedConstruct || err instanceof UserCodeError) return { t: 'bool', v: false };
      throw err;
    }
  }),
  getattr: (ev) => fn('getattr', (a, _k, s) => {
    if (a[1]?.t !== 'str') throw new UnsupportedConstruct('getattr with a computed name', s);
    try {
      return attribute(ev, a[0], a[1].v, s);
    } catch (err) {
      if (a.length > 2 && (err instanceof UnsupportedConstruct || err instanceof UserCodeError)) return a[2];
      throw err;
    }
  }),
  setattr: () => fn('setattr', (a, _k, s) => {
    const [obj, name, v] = a;
    if (name?.t !== 'str') throw new UnsupportedConstruct('setattr with a computed name', s);
    if (obj?.t === 'instance') obj.attrs.set(name.v, v ?? NONE);
    else if (obj?.t === 'opaque') (obj.attrs ??= new Map()).set(name.v, v ?? NONE);
    else throw new UnsupportedConstruct(`setattr on ${obj ? describe(obj) : 'None'}`, s);
    return NONE;
  }),
  /**
   * `__import__(name)` as the probe's environment answers it (never an import of anything): a
   * supported framework or a workspace module is there (the top-level package, as Python returns
   * it); any other is refused (`DynamicImportRefused`): inside a `try` that takes ImportError it is
   * that error — an optional import (`try: __import__("cupy") except ImportError: …`) falls back, as
   * a module-level `try: import cupy` takes its fallback branch — elsewhere GP001 names it.
   */
  __import__: (ev) => fn('__import__', (a, k, s) => {
    const name = a[0] ?? k.get('name');
    if (name?.t !== 'str') throw new UnsupportedConstruct('__import__ with a computed module name', s);
    const top = name.v.split('.')[0];
    const canonical = canonicalModule(top);
    if (canonical) return { t: 'ns', path: canonical };
    const found = ev.resolveImport?.(top, undefined, '');
    if (found) return found;
    throw new DynamicImportRefused(name.v, s);
  }),
  staticmethod: () => fn('staticmethod', (a) => a[0]),
  ...Object.fromEntries(exceptionClasses.map((name) => [name, () => fn(name, () => NONE)])),
  object: () => ({ t: 'ns', path: 'builtins.object' }),
  self: () => NONE as Value,
};

function unique(items: Value[]): Value[] {
  const seen = new Set<string>();
  return items.filter((v) => {
    const k = keyOf(v);
    if (k.startsWith('?:')) return true;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

function mergeSort(order: number[], less: (i: number, j: number) => boolean): number[] {
  if (order.length <= 1) return order;
  const mid = order.length >> 1;
  const a = mergeSort(order.slice(0, mid), less);
  const b = mergeSort(order.slice(mid), less);
  const out: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) out.push(less(b[j], a[i]) ? b[j++] : a[i++]);
  return [...out, ...a.slice(i), ...b.slice(j)];
}

function roundHalfEven(v: number): number {
  const r = Math.round(v);
  return Math.abs(v % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * min/max. Numbers and strings compare by Python's rules (key= and default= too); two or more tensors
 * keep the elementwise reading the translator has always given `max(x, 0)`.
 */
function minMax(ev: Evaluator, a: Value[], k: Map<string, Value>, s: Span, which: 'min' | 'max'): Value {
  const items = a.length === 1 ? iterate(a[0], s) : a;
  const key = k.get('key');
  if (items.length === 0) {
    const dflt = k.get('default');
    if (dflt) return dflt;
    throw new UserCodeError(`${which}() arg is an empty sequence`, s, 'ValueError');
  }
  if (!key && items.some((i) => i.t === 'tensor' && i.v.size !== 1)) {
    let acc = items[0];
    for (const v of items.slice(1)) acc = ev.callValue({ t: 'ns', path: `operator.${which === 'max' ? 'maximum' : 'minimum'}` }, [acc, v], new Map(), s);
    return acc;
  }
  const keys = items.map((v) => (key && key.t !== 'none' ? ev.callValue(key, [v], new Map(), s) : v));
  let best = 0;
  for (let i = 1; i < items.length; i++) {
    const better = which === 'max' ? pyLess(ev, keys[best], keys[i], s) : pyLess(ev, keys[i], keys[best], s);
    if (better) best = i;
  }
  return items[best];
}

const jsBuiltins: BuiltinTable = {
  Math: () => ({ t: 'ns', path: 'Math' }),
  Number: () => ({ t: 'ns', path: 'Number' }),
  Infinity: () => num(Infinity),
  NaN: () => num(NaN),
  Array: () => ({ t: 'ns', path: 'Array' }),
  instanceof: () => fn('instanceof', (a) => ({ t: 'bool', v: a[1]?.t === 'ns' && a[1].path === 'Array' && (a[0].t === 'list' || a[0].t === 'tuple') })),
  console: () => ({ t: 'ns', path: 'console' }),
  Object: () => ({ t: 'ns', path: 'Object' }),
};

// ------------------------------------------------------------------ str(), repr(), format()

/** Python's repr of a float: shortest round-trip digits, exponent form outside [1e-4, 1e16). */
function floatRepr(v: number): string {
  if (Number.isNaN(v)) return 'nan';
  if (!Number.isFinite(v)) return v > 0 ? 'inf' : '-inf';
  if (v === 0) return Object.is(v, -0) ? '-0.0' : '0.0';
  const a = Math.abs(v);
  if (a >= 1e16 || a < 1e-4) {
    const [m, e] = v.toExponential().split('e');
    const exp = Number(e);
    return `${m}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  const s = String(v);
  return s.includes('.') ? s : `${s}.0`;
}

function tensorStr(t: tf.Tensor): string {
  const data = Array.from(detach(t).dataSync());
  const body = t.size <= 8 ? data.map((x) => (t.dtype === 'bool' ? (x ? 'True' : 'False') : floatRepr(x))).join(', ') : `${t.shape.join('×')} values`;
  return t.rank === 0 ? `tensor(${body})` : `tensor([${body}])`;
}

export function pyRepr(v: Value): string {
  return v.t === 'str' ? `'${v.v.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'` : pyStr(v);
}

/** Python's str() of a value the evaluator models. */
export function pyStr(v: Value): string {
  switch (v.t) {
    case 'num': return v.int ? String(v.v) : floatRepr(v.v);
    case 'str': return v.v;
    case 'bool': return v.v ? 'True' : 'False';
    case 'none': return 'None';
    case 'list': return `[${v.items.map(pyRepr).join(', ')}]`;
    case 'tuple': return v.items.length === 1 ? `(${pyRepr(v.items[0])},)` : `(${v.items.map(pyRepr).join(', ')})`;
    case 'dict': return `{${[...v.map.entries()].map(([k, x]) => `${pyRepr(v.keys.get(k)!)}: ${pyRepr(x)}`).join(', ')}}`;
    case 'tensor': return tensorStr(v.v);
    case 'dtype': return `torch.${v.v}`;
    case 'ns': return `<module '${v.path}'>`;
    default: return `<${describe(v)}>`;
  }
}

/** format(value, spec) for Python's format mini-language: [[fill]align][sign][0][width][,][.precision][type]. */
export function formatValue(v: Value, spec: string | undefined, conversion: string | undefined, span: Span): string {
  if (conversion === 'r' || conversion === 'a') return applySpec(pyRepr(v), spec);
  if (!spec || conversion === 's') return applySpec(pyStr(v), spec);
  const m = /^(?:(.)?([<>=^]))?([+\- ])?(0)?(\d+)?([,_])?(?:\.(\d+))?([bcdeEfFgGnosxX%])?$/.exec(spec);
  if (!m) throw new UserCodeError(`invalid format specifier '${spec}'`, span, 'ValueError');
  const [, fill, align, sign, zero, width, group, precision, type] = m;
  let n: number | undefined;
  if (v.t === 'num') n = v.v;
  else if (v.t === 'bool') n = Number(v.v);
  else if (v.t === 'tensor' && v.v.size === 1) n = detach(v.v).dataSync()[0];
  let body: string;
  if (n === undefined) body = pyStr(v);
  else {
    const p = precision === undefined ? undefined : Number(precision);
    switch (type) {
      case 'f': case 'F': body = Number.isFinite(n) ? Math.abs(n).toFixed(p ?? 6) : floatRepr(Math.abs(n)); break;
      case 'e': case 'E': body = Number.isFinite(n) ? expForm(Math.abs(n), p ?? 6) : floatRepr(Math.abs(n)); break;
      case '%': body = `${(Math.abs(n) * 100).toFixed(p ?? 6)}%`; break;
      case 'd': case 'n': body = String(Math.abs(Math.trunc(n))); break;
      case 'g': case 'G': case undefined: {
        if (type === undefined && p === undefined) body = v.t === 'num' && v.int ? String(Math.abs(n)) : floatRepr(Math.abs(n));
        else {
          const g = Math.abs(n).toPrecision(Math.max(1, p ?? 6));
          body = String(Number(g)).includes('e') ? expForm(Math.abs(n), Math.max(0, (p ?? 6) - 1)) : String(Number(g));
        }
        break;
      }
      default: body = String(Math.abs(n));
    }
    if (type === 'E' || type === 'G' || type === 'F') body = body.toUpperCase();
    if (group === ',') body = body.replace(/^(\d+)/, (d) => d.replace(/\B(?=(\d{3})+(?!\d))/g, ','));
    const neg = n < 0 || Object.is(n, -0);
    const signText = neg ? '-' : sign === '+' ? '+' : sign === ' ' ? ' ' : '';
    if (zero && width && !align) body = signText + body.padStart(Number(width) - signText.length, '0');
    else body = signText + body;
  }
  return pad(body, fill ?? ' ', align ?? (n === undefined ? '<' : '>'), width ? Number(width) : 0);
}

function expForm(x: number, digits: number): string {
  const [m, e] = x.toExponential(digits).split('e');
  const exp = Number(e);
  return `${m}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
}

function applySpec(text: string, spec: string | undefined): string {
  if (!spec) return text;
  const m = /^(?:(.)?([<>=^]))?(\d+)?(?:\.(\d+))?s?$/.exec(spec);
  if (!m) return text;
  const [, fill, align, width, precision] = m;
  return pad(precision ? text.slice(0, Number(precision)) : text, fill ?? ' ', align ?? '<', width ? Number(width) : 0);
}

function pad(text: string, fill: string, align: string, width: number): string {
  if (text.length >= width) return text;
  const gap = width - text.length;
  if (align === '<') return text + fill.repeat(gap);
  if (align === '^') return fill.repeat(Math.floor(gap / 2)) + text + fill.repeat(Math.ceil(gap / 2));
  return fill.repeat(gap) + text;
}

/** str.format(*args, **kwargs): `{}`, `{0}`, `{name}`, with `!r`/`!s` and a format spec. */
export function strFormat(template: string, args: Value[], kwargs: Map<string, Value>, span: Span): string {
  let auto = 0;
  return template.replace(/\{\{|\}\}|\{([^{}!:]*)(?:!([rsa]))?(?::([^{}]*))?\}/g, (whole, field: string | undefined, conversion: string | undefined, spec: string | undefined) => {
    if (whole === '{{') return '{';
    if (whole === '}}') return '}';
    const name = field ?? '';
    let v: Value | undefined;
    if (name === '') v = args[auto++];
    else if (/^\d+$/.test(name)) v = args[Number(name)];
    else v = kwargs.get(name);
    if (v === undefined) throw new UserCodeError(`str.format has no value for '{${name}}'`, span, /^\d*$/.test(name) ? 'IndexError' : 'KeyError');
    return formatValue(v, spec, conversion, span);
  });
}

/** printf-style `template % values` (`%s`, `%r`, `%d`, `%i`, `%f`, `%e`, `%g` with width and precision). */
export function percentFormat(template: string, values: Value, span: Span): string {
  const items = values.t === 'tuple' ? values.items : [values];
  let i = 0;
  return template.replace(/%(%|([-+ 0]*)(\d+)?(?:\.(\d+))?([sdirfeEgGx]))/g, (whole, pct: string, flags: string, width: string | undefined, precision: string | undefined, type: string) => {
    if (pct === '%') return '%';
    const v = items[i++];
    if (v === undefined) throw new UserCodeError('not enough arguments for format string', span, 'TypeError');
    const align = flags?.includes('-') ? '<' : '>';
    const spec = type === 's' || type === 'r' ? undefined : `${flags?.includes('+') ? '+' : ''}${width ?? ''}${precision !== undefined ? `.${precision}` : ''}${type === 'i' ? 'd' : type}`;
    const text = type === 'r' ? pyRepr(v) : type === 's' ? pyStr(v) : formatValue(v, spec, undefined, span);
    return width && (type === 's' || type === 'r') ? pad(text, ' ', align, Number(width)) : text;
  });
}
