// The operators of both languages on the values the evaluator models: numbers keep Python's or
// JavaScript's rules (floor division and modulo signs differ), sequences concatenate and repeat,
// and anything else is broadcast as float32 tensors under the size guard.
import * as tf from '@tensorflow/tfjs-core';
import { detach } from '../ops/implementations';
import type { OpContext } from '../ops/interpreter';
import { broadcastElements, matmulElements, refuseLarger } from '../ops/sizeGuard';
import { ProbeBudgetExceeded, UnsupportedConstruct, UserCodeError } from '../ir/errors';
import type { Framework } from '../ir/frameworks';
import type { BinaryOp, CompareOp, Expr, Span } from '../ir/ir';
import { describe, keyOf, num, str, type Value } from '../ir/values';
import { toTensor, truthy } from './conversions';

export function unaryOp(ctx: OpContext, op: Extract<Expr, { kind: 'unary' }>['op'], v: Value, span: Span): Value {
  if (op === 'not') return { t: 'bool', v: !truthy(v, span) };
  if (op === '+') return v;
  if (op === '-') {
    if (v.t === 'num') return num(-v.v, v.int);
    if (v.t === 'bool') return num(v.v ? -1 : 0, true);
    return { t: 'tensor', v: ctx.finish(tf.neg(toTensor(v, span))) };
  }
  if (v.t === 'num' && v.int) return num(~v.v, true);
  if (v.t === 'tensor' && v.v.dtype === 'bool') return { t: 'tensor', v: tf.logicalNot(v.v) };
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
  if (op === '+' && (a.t === 'list' || a.t === 'tuple') && b.t === a.t) return { t: a.t, items: [...a.items, ...b.items] };
  if (op === '*' && (a.t === 'list' || a.t === 'tuple') && bn.t === 'num') {
    if (a.items.length * bn.v > 1e6) throw new ProbeBudgetExceeded('a list repeated to more than a million items');
    return { t: a.t, items: Array.from({ length: bn.v }, () => a.items).flat() };
  }
  if (op === '%' && a.t === 'str') return str(a.v);
  const x = toTensor(a, span);
  const y = toTensor(b, span);
  refuseLarger(op === '@' ? matmulElements(x.shape, y.shape) : broadcastElements(x.shape, y.shape), ctx.maxElements, `the operator ${op}`);
  return { t: 'tensor', v: ctx.finish(tensorBinary(op, x, y, span, ctx.framework)) };
}

export function compareOp(ctx: OpContext, op: CompareOp, a: Value, b: Value, span: Span): Value {
  if (op === 'is' || op === 'is not') {
    const same = a === b || (a.t === 'none' && b.t === 'none') || (a.t === 'bool' && b.t === 'bool' && a.v === b.v);
    return { t: 'bool', v: op === 'is' ? same : !same };
  }
  if (op === 'in' || op === 'not in') {
    let found: boolean;
    if (b.t === 'dict') found = b.map.has(keyOf(a));
    else if (b.t === 'list' || b.t === 'tuple') found = b.items.some((i) => keyOf(i) === keyOf(a));
    else if (b.t === 'str' && a.t === 'str') found = b.v.includes(a.v);
    else if (b.t === 'class' && b.enumMembers) found = b.enumMembers.some((m) => m === a || keyOf(m) === keyOf(a));
    else throw new UnsupportedConstruct(`'in' on ${describe(b)}`, span);
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
    const eq = keyOf(a) === keyOf(b) && (a.t === 'str' || a.t === 'none' || a.t === 'tuple' || a === b);
    return { t: 'bool', v: op === '==' ? eq : !eq };
  }
  if (a.t === 'str' && b.t === 'str') {
    const r = { '<': a.v < b.v, '<=': a.v <= b.v, '>': a.v > b.v, '>=': a.v >= b.v }[op as '<'];
    return { t: 'bool', v: r };
  }
  throw new UnsupportedConstruct(`comparison ${op}`, span, `between ${describe(a)} and ${describe(b)}`);
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
      return tf.pow(f(x), f(y));
    }
    case '@': return tf.matMul(f(x), f(y));
    case '&': return tf.logicalAnd(tf.cast(x, 'bool'), tf.cast(y, 'bool'));
    case '|': return tf.logicalOr(tf.cast(x, 'bool'), tf.cast(y, 'bool'));
    case '^': return tf.notEqual(tf.cast(x, 'bool'), tf.cast(y, 'bool'));
    default: throw new UnsupportedConstruct(`operator ${op} on tensors`, span);
  }
}
