// The operators of both languages on the values the evaluator models: numbers keep Python's or
// JavaScript's rules (floor division and modulo signs differ), sequences concatenate and repeat,
// and anything else is broadcast as float32 tensors under the size guard.
import * as tf from '@tensorflow/tfjs-core';
import { detach, powZeroExponentSafe, zeroPowerHasZeroGradient } from '../ops/implementations';
import type { OpContext } from '../ops/interpreter';
import { broadcastElements, matmulElements, refuseLarger } from '../ops/sizeGuard';
import { ProbeBudgetExceeded, UnsupportedConstruct, UserCodeError } from '../ir/errors';
import type { Framework } from '../ir/frameworks';
import type { BinaryOp, CompareOp, Expr, Span } from '../ir/ir';
import { describe, keyOf, num, str, type Value } from '../ir/values';
import { percentFormat, pyStr } from './builtins';
import { toTensor, truthy } from './conversions';

export function unaryOp(ctx: OpContext, op: Extract<Expr, { kind: 'unary' }>['op'], v: Value, span: Span): Value {
  if (op === 'not') return { t: 'bool', v: !truthy(v, span, ctx.framework) };
  if (op === '+') return v;
  if (op === '-') {
    if (v.t === 'num') return num(-v.v, v.int);
    if (v.t === 'bool') return num(v.v ? -1 : 0, true);
    return { t: 'tensor', v: ctx.finish(tf.neg(toTensor(v, span))) };
  }
  if (v.t === 'num' && v.int) return num(~v.v, true);
  if (v.t === 'bool') return num(v.v ? -2 : -1, true);
  if (v.t === 'tensor' && v.v.dtype === 'bool') return { t: 'tensor', v: tf.logicalNot(v.v) };
  if (v.t === 'tensor') {
    // Ops compute in float32, so a boolean mask (torch.eye(n, dtype=torch.bool)) or an integer tensor
    // may arrive as float32: 0/1 values are read as a mask, other integers bitwise, anything else is
    // the framework's error.
    const data = detach(v.v).dataSync();
    if (data.every((d) => d === 0 || d === 1)) return { t: 'tensor', v: tf.logicalNot(tf.cast(detach(v.v), 'bool')) };
    if (data.every((d) => Number.isInteger(d))) return { t: 'tensor', v: tf.sub(tf.neg(detach(v.v)), 1) };
    throw new UserCodeError('~ (bitwise not) is only defined for integer and boolean tensors', span, 'TypeError');
  }
  throw new UnsupportedConstruct('operator ~', span, `on ${describe(v)}`);
}

export function binaryOp(ctx: OpContext, op: BinaryOp, a: Value, b: Value, span: Span): Value {
  const an = a.t === 'bool' ? num(a.v ? 1 : 0, true) : a;
  const bn = b.t === 'bool' ? num(b.v ? 1 : 0, true) : b;
  if (an.t === 'num' && bn.t === 'num') {
    const int = an.int && bn.int;
    switch (op) {
      case '+': return num(an.v + bn.v, int);
      case '-': return num(an.v - bn.v, int);
      case '*': return num(an.v * bn.v, int);
      case '/':
        if (bn.v === 0 && ctx.framework !== 'tfjs') throw new UserCodeError('division by zero', span);
        return num(an.v / bn.v, false);
      case '//': return num(Math.floor(an.v / bn.v), int);
      case '%': return num(ctx.framework === 'tfjs' ? an.v % bn.v : an.v - bn.v * Math.floor(an.v / bn.v), int);
      case '**': return num(an.v ** bn.v, int && bn.v >= 0);
      default: return num(opInt(op, an.v, bn.v), true);
    }
  }
  if (op === '+' && a.t === 'str' && b.t === 'str') return str(a.v + b.v);
  // JavaScript's + joins a string with anything.
  if (op === '+' && ctx.framework === 'tfjs' && (a.t === 'str' || b.t === 'str')) return str(pyStr(a) + pyStr(b));
  if (op === '+' && (a.t === 'list' || a.t === 'tuple') && b.t === a.t) return { t: a.t, items: [...a.items, ...b.items] };
  if (op === '+' && (a.t === 'list' || a.t === 'tuple') && (b.t === 'list' || b.t === 'tuple')) {
    throw new UserCodeError(`can only concatenate ${a.t} (not "${b.t}") to ${a.t}`, span, 'TypeError');
  }
  // Repetition: [0] * n, n * [0], 'ab' * 2.
  const seq = a.t === 'list' || a.t === 'tuple' || a.t === 'str' ? a : b.t === 'list' || b.t === 'tuple' || b.t === 'str' ? b : undefined;
  const times = seq === a ? bn : an;
  if (op === '*' && seq && times.t === 'num' && Number.isInteger(times.v) && !(seq === b && (a.t === 'list' || a.t === 'tuple' || a.t === 'str'))) {
    const n = Math.max(0, times.v);
    if (seq.t === 'str') return str(seq.v.repeat(n));
    if (seq.t !== 'list' && seq.t !== 'tuple') throw new UnsupportedConstruct('operator *', span);
    if (seq.items.length * n > 1e6) throw new ProbeBudgetExceeded('a list repeated to more than a million items');
    return { t: seq.t, items: Array.from({ length: n }, () => seq.items).flat() };
  }
  if (op === '%' && a.t === 'str') return str(percentFormat(a.v, b, span));
  const x = toTensor(a, span);
  const y = toTensor(b, span);
  refuseLarger(op === '@' ? matmulElements(x.shape, y.shape) : broadcastElements(x.shape, y.shape), ctx.maxElements, `the operator ${op}`);
  return { t: 'tensor', v: ctx.finish(tensorBinary(op, x, y, span, ctx.framework)) };
}

export function compareOp(ctx: OpContext, op: CompareOp, a: Value, b: Value, span: Span): Value {
  if (op === 'is' || op === 'is not') {
    // None, booleans, dtypes and modules are singletons in Python.
    const same = a === b || (a.t === 'none' && b.t === 'none') || (a.t === 'bool' && b.t === 'bool' && a.v === b.v)
      || (a.t === 'dtype' && b.t === 'dtype' && a.v === b.v) || (a.t === 'ns' && b.t === 'ns' && a.path === b.path);
    return { t: 'bool', v: op === 'is' ? same : !same };
  }
  if (op === 'in' || op === 'not in') {
    let found: boolean;
    if (b.t === 'dict') found = b.map.has(keyOf(a));
    else if (b.t === 'list' || b.t === 'tuple') found = b.items.some((i) => i === a || pyEqual(i, a));
    else if (b.t === 'iterator') found = b.items.slice(b.pos).some((i) => i === a || pyEqual(i, a));
    else if (b.t === 'str' && a.t === 'str') found = b.v.includes(a.v);
    else if (b.t === 'class' && b.enumMembers) found = b.enumMembers.some((m) => m === a || keyOf(m) === keyOf(a));
    else if (b.t === 'tensor' && (a.t === 'num' || a.t === 'bool' || a.t === 'tensor')) {
      // `v in tensor` is (tensor == v).any()
      found = tf.any(tf.equal(detach(b.v), detach(toTensor(a, span)))).dataSync()[0] !== 0;
    } else throw new UnsupportedConstruct(`'in' on ${describe(b)}`, span);
    return { t: 'bool', v: op === 'in' ? found : !found };
  }
  if (a.t === 'tensor' || b.t === 'tensor') {
    const x = toTensor(a, span);
    const y = toTensor(b, span);
    refuseLarger(broadcastElements(x.shape, y.shape), ctx.maxElements, `the comparison ${op}`);
    const fn = { '<': tf.less, '<=': tf.lessEqual, '>': tf.greater, '>=': tf.greaterEqual, '==': tf.equal, '!=': tf.notEqual }[op];
    // A comparison is piecewise constant: no gradient flows through it.
    return { t: 'tensor', v: fn(detach(x), detach(y)) };
  }
  if ((a.t === 'num' || a.t === 'bool') && (b.t === 'num' || b.t === 'bool')) {
    const x = a.t === 'bool' ? (a.v ? 1 : 0) : a.v;
    const y = b.t === 'bool' ? (b.v ? 1 : 0) : b.v;
    const r = { '<': x < y, '<=': x <= y, '>': x > y, '>=': x >= y, '==': x === y, '!=': x !== y }[op];
    return { t: 'bool', v: r };
  }
  if (op === '==' || op === '!=') {
    const eq = pyEqual(a, b);
    return { t: 'bool', v: op === '==' ? eq : !eq };
  }
  const order = pyOrder(a, b);
  if (order !== undefined) {
    const r = { '<': order < 0, '<=': order <= 0, '>': order > 0, '>=': order >= 0 }[op as '<'];
    return { t: 'bool', v: r };
  }
  throw new UnsupportedConstruct(`comparison ${op}`, span, `between ${describe(a)} and ${describe(b)}`);
}

/** Python's == on values other than tensors: by value for numbers, strings, sequences, dicts, dtypes; else identity. */
export function pyEqual(a: Value, b: Value): boolean {
  if (a === b) return true;
  const n = (v: Value): number | undefined => (v.t === 'num' ? v.v : v.t === 'bool' ? Number(v.v) : undefined);
  if (n(a) !== undefined && n(b) !== undefined) return n(a) === n(b);
  if (a.t !== b.t) {
    // NumPy compares a dtype with its name: x.dtype == 'float32'.
    if (a.t === 'dtype' && b.t === 'str') return a.v === b.v;
    if (a.t === 'str' && b.t === 'dtype') return a.v === b.v;
    return false;
  }
  switch (a.t) {
    case 'str': return a.v === (b as typeof a).v;
    case 'none': return true;
    case 'dtype': return a.v === (b as typeof a).v;
    case 'ns': return a.path === (b as typeof a).path;
    case 'list':
    case 'tuple': {
      const other = b as typeof a;
      return a.items.length === other.items.length && a.items.every((v, i) => pyEqual(v, other.items[i]));
    }
    case 'dict': {
      const other = b as typeof a;
      return a.map.size === other.map.size && [...a.map].every(([k, v]) => other.map.has(k) && pyEqual(v, other.map.get(k)!));
    }
    default: return keyOf(a) === keyOf(b) && !keyOf(a).startsWith('?:');
  }
}

/** Python's ordering of numbers, strings and sequences (lexicographic); undefined when they do not order. */
function pyOrder(a: Value, b: Value): number | undefined {
  const n = (v: Value): number | undefined => (v.t === 'num' ? v.v : v.t === 'bool' ? Number(v.v) : undefined);
  const x = n(a);
  const y = n(b);
  if (x !== undefined && y !== undefined) return x < y ? -1 : x > y ? 1 : 0;
  if (a.t === 'str' && b.t === 'str') return a.v < b.v ? -1 : a.v > b.v ? 1 : 0;
  if ((a.t === 'list' || a.t === 'tuple') && b.t === a.t) {
    for (let i = 0; i < Math.min(a.items.length, b.items.length); i++) {
      if (pyEqual(a.items[i], b.items[i])) continue;
      return pyOrder(a.items[i], b.items[i]);
    }
    return a.items.length - b.items.length;
  }
  return undefined;
}

function opInt(op: BinaryOp, a: number, b: number): number {
  switch (op) {
    case '&': return a & b;
    case '|': return a | b;
    case '^': return a ^ b;
    case '<<': return a << b;
    case '>>': return a >> b;
    default: return NaN;
  }
}

function tensorBinary(op: BinaryOp, x: tf.Tensor, y: tf.Tensor, span: Span, framework: Framework): tf.Tensor {
  const f = (t: tf.Tensor): tf.Tensor => (t.dtype === 'float32' ? t : tf.cast(t, 'float32'));
  switch (op) {
    case '+': return tf.add(f(x), f(y));
    case '-': return tf.sub(f(x), f(y));
    case '*': return tf.mul(f(x), f(y));
    case '/': return tf.div(f(x), f(y));
    case '//': return tf.floorDiv(f(x), f(y));
    case '%': return framework === 'tfjs' ? tf.mod(f(x), f(y)) : tf.sub(f(x), tf.mul(f(y), tf.floor(tf.div(f(x), f(y)))));
    case '**': {
      if (y.rank === 0 && !y.dtype.startsWith('bool')) {
        const e = y.dataSync()[0];
        if (e === 2) return tf.square(f(x));
        if (e === 1) return f(x);
      }
      return zeroPowerHasZeroGradient(framework, y) ? powZeroExponentSafe(f(x), f(y)) : tf.pow(f(x), f(y));
    }
    case '@': return tf.matMul(f(x), f(y));
    case '&': return tf.logicalAnd(tf.cast(x, 'bool'), tf.cast(y, 'bool'));
    case '|': return tf.logicalOr(tf.cast(x, 'bool'), tf.cast(y, 'bool'));
    case '^': return tf.notEqual(tf.cast(x, 'bool'), tf.cast(y, 'bool'));
    default: throw new UnsupportedConstruct(`operator ${op} on tensors`, span);
  }
}
