// The builtins a name falls back to when neither the function, its module nor the frameworks
// define it: Python's (len, range, zip, min/max, getattr …) and JavaScript's globals (Math,
// Number, Infinity …). Anything else is an unknown name.
import { callOp } from '../ops/registry';
import { ProbeBudgetExceeded, UnsupportedConstruct } from '../ir/errors';
import type { ModuleIR, Span } from '../ir/ir';
import { NONE, describe, num, str, tuple, type BuiltinValue, type Value } from '../ir/values';
import { attribute } from './attributes';
import { isInstanceOf } from './classes';
import { iterate, truthy } from './conversions';
import type { Evaluator } from './evaluator';

export function builtinNamed(ev: Evaluator, name: string, language: ModuleIR['language']): Value | undefined {
  const table = language === 'python' ? pythonBuiltins : jsBuiltins;
  // Own entries only: `constructor`, `toString`, `__proto__` … are the table object's machinery.
  return Object.hasOwn(table, name) ? table[name](ev) : undefined;
}

type BuiltinTable = Record<string, (ev: Evaluator) => Value>;

function fn(name: string, call: BuiltinValue['call']): Value {
  return { t: 'builtin', name, call };
}

function numberOf(v: Value, span: Span): number {
  if (v.t === 'num') return v.v;
  if (v.t === 'bool') return v.v ? 1 : 0;
  if (v.t === 'str') return Number(v.v.replace(/^inf$/i, 'Infinity').replace(/^-inf$/i, '-Infinity'));
  if (v.t === 'tensor' && v.v.size === 1) return v.v.dataSync()[0];
  throw new UnsupportedConstruct(`number from ${describe(v)}`, span);
}

const pythonBuiltins: BuiltinTable = {
  float: () => fn('float', (a, _k, s) => (a.length ? (a[0].t === 'tensor' ? a[0] : num(numberOf(a[0], s))) : num(0))),
  int: () => fn('int', (a, _k, s) => num(Math.trunc(numberOf(a[0], s)), true)),
  bool: () => fn('bool', (a, _k, s) => ({ t: 'bool', v: truthy(a[0], s) })),
  str: () => fn('str', (a) => str(a[0]?.t === 'str' ? a[0].v : describe(a[0] ?? NONE))),
  len: () => fn('len', (a, _k, s) => {
    const v = a[0];
    if (v.t === 'list' || v.t === 'tuple') return num(v.items.length, true);
    if (v.t === 'dict') return num(v.map.size, true);
    if (v.t === 'str') return num(v.v.length, true);
    if (v.t === 'tensor') return num(v.v.shape[0] ?? 0, true);
    throw new UnsupportedConstruct(`len() of ${describe(v)}`, s);
  }),
  range: () => fn('range', (a, _k, s) => {
    const n = a.map((x) => numberOf(x, s));
    const [start, stop, step] = n.length === 1 ? [0, n[0], 1] : [n[0], n[1], n[2] ?? 1];
    const items: Value[] = [];
    if (Math.abs((stop - start) / step) > 1e6) throw new ProbeBudgetExceeded('range() with more than a million items');
    for (let i = start; step > 0 ? i < stop : i > stop; i += step) items.push(num(i, true));
    return { t: 'list', items };
  }),
  enumerate: () => fn('enumerate', (a, _k, s) => ({ t: 'list', items: iterate(a[0], s).map((v, i) => tuple([num(i, true), v])) })),
  zip: () => fn('zip', (a, _k, s) => {
    const lists = a.map((x) => iterate(x, s));
    const n = Math.min(...lists.map((l) => l.length));
    return { t: 'list', items: Array.from({ length: n }, (_, i) => tuple(lists.map((l) => l[i]))) };
  }),
  list: () => fn('list', (a, _k, s) => ({ t: 'list', items: a.length ? [...iterate(a[0], s)] : [] })),
  tuple: () => fn('tuple', (a, _k, s) => ({ t: 'tuple', items: a.length ? [...iterate(a[0], s)] : [] })),
  dict: () => fn('dict', (_a, k) => {
    const map = new Map<string, Value>();
    const keys = new Map<string, Value>();
    for (const [key, v] of k) { map.set(`s:${key}`, v); keys.set(`s:${key}`, str(key)); }
    return { t: 'dict', map, keys };
  }),
  isinstance: () => fn('isinstance', (a) => {
    const known = isInstanceOf(a[0], a[1]);
    if (known !== undefined) return { t: 'bool', v: known };
    const v = a[0];
    const cls = a[1];
    const names = cls?.t === 'tuple' ? cls.items : [cls];
    const matches = names.some((c) => c?.t === 'builtin' && ((c.name === 'float' && v.t === 'num') || (c.name === 'int' && v.t === 'num' && v.int) || ((c.name === 'tuple' || c.name === 'list') && (v.t === 'list' || v.t === 'tuple'))));
    return { t: 'bool', v: matches };
  }),
  abs: (ev) => fn('abs', (a, k, s) => (a[0].t === 'num' ? num(Math.abs(a[0].v), a[0].int) : callOp('builtins.abs', a, k, s, ev))),
  min: (ev) => fn('min', (a, _k, s) => minMax(ev, a, s, Math.min, 'minimum')),
  max: (ev) => fn('max', (a, _k, s) => minMax(ev, a, s, Math.max, 'maximum')),
  sum: (ev) => fn('sum', (a, _k, s) => {
    let acc: Value = a[1] ?? num(0, true);
    for (const v of iterate(a[0], s)) acc = ev.callValue({ t: 'ns', path: 'operator.add' }, [acc, v], new Map(), s);
    return acc;
  }),
  round: () => fn('round', (a, _k, s) => {
    if (a[0].t === 'num') return num(Math.round(a[0].v), true);
    throw new UnsupportedConstruct('round() of a tensor', s);
  }),
  pow: (ev) => fn('pow', (a, k, s) => ev.callValue({ t: 'ns', path: 'operator.pow' }, a, k, s)),
  print: () => fn('print', () => NONE),
  super: () => fn('super', () => NONE),
  hasattr: () => fn('hasattr', (a) => ({ t: 'bool', v: a[0].t === 'instance' && a[1].t === 'str' && a[0].attrs.has(a[1].v) })),
  getattr: (ev) => fn('getattr', (a, _k, s) => {
    if (a[1]?.t !== 'str') throw new UnsupportedConstruct('getattr with a computed name', s);
    try { return attribute(ev, a[0], a[1].v, s); } catch (err) { if (a.length > 2) return a[2]; throw err; }
  }),
  staticmethod: () => fn('staticmethod', (a) => a[0]),
  NotImplementedError: () => fn('NotImplementedError', () => NONE),
  ValueError: () => fn('ValueError', () => NONE),
  TypeError: () => fn('TypeError', () => NONE),
  Exception: () => fn('Exception', () => NONE),
  object: () => ({ t: 'ns', path: 'builtins.object' }),
  self: () => NONE as Value,
};

function minMax(ev: Evaluator, a: Value[], s: Span, f: (...n: number[]) => number, op: string): Value {
  const items = a.length === 1 ? iterate(a[0], s) : a;
  if (items.every((i) => i.t === 'num')) return num(f(...items.map((i) => (i as { v: number }).v)), items.every((i) => (i as { int: boolean }).int));
  let acc = items[0];
  for (const v of items.slice(1)) acc = ev.callValue({ t: 'ns', path: `operator.${op}` }, [acc, v], new Map(), s);
  return acc;
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
