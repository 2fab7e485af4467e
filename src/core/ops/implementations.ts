// What each op computes, in TensorFlow.js, with the numerics of the framework it comes from.
// The per-framework tables (tables/*.ts) map source names and parameters onto these.
import * as tf from '@tensorflow/tfjs-core';
import { ProbeBudgetExceeded, UnsupportedConstruct, UserCodeError } from '../ir/errors';
import type { Value } from '../ir/values';
import type { OpArgs } from './args';
import type { OpContext } from './interpreter';
import { broadcastElements, refuseLarger } from './sizeGuard';
import { withGradient } from './customGradient';

/**
 * What an op means to the static readers (the source rules and the loss probe's read of a loss),
 * so that neither keeps its own list of op names. A row may add tags of its own (table.ts).
 */
export type OpTag =
  // domain: values an op cannot take, or needs its input away from
  | 'log' | 'log1p' | 'logit' | 'weighted-log' | 'sqrt' | 'reciprocal' | 'fractional-pow' | 'divide' | 'exp'
  | 'positive' | 'nonnegative' | 'nonpositive'
  // gradient: ops that cut it or have none
  | 'nondiff' | 'predicate' | 'graph-break' | 'cast'
  // structure the readers follow
  | 'epsilon' | 'guard' | 'where' | 'transparent' | 'add' | 'subtract' | 'multiply' | 'quotient' | 'negate' | 'squared-difference'
  | 'sum-reduce' | 'mean-reduce' | 'max-like' | 'norm' | 'argmax' | 'one-hot' | 'distance' | 'similarity'
  // structure the loss probe reads a family from: matrix products, joining tensors, L2 normalisation
  | 'matmul' | 'concat' | 'normalize' | 'equality'
  // probabilities and logits
  | 'sigmoid' | 'softmax' | 'log-sigmoid' | 'log-softmax' | 'softplus-form' | 'logsumexp'
  // framework losses: what the prediction is, binary or categorical, integer labels
  | 'prob-loss' | 'logits-loss' | 'logprob-loss' | 'regression-loss' | 'binary' | 'categorical' | 'sparse-labels'
  // ranges, for the source rules' sign and range reading: the output lies in [0, 1] or [-1, 1], is the
  // larger or smaller of its arguments, takes its values from its arguments' values (concatenation,
  // a reshape, a copy), or says something of the input's shape only (its size, rank)
  | 'unit-interval' | 'symmetric-unit' | 'pointwise-max' | 'pointwise-min' | 'range-preserving' | 'metadata';

export interface OpImpl {
  /** `ctx` is the evaluation's: random ops draw their seeds from it and record what they drew. */
  run: (a: OpArgs, ctx: OpContext) => tf.Tensor | Value;
  tags?: OpTag[];
  /** A framework loss: the implementation parameters that take the prediction and the target. */
  roles?: { prediction: string; target: string };
}

/**
 * Whether x ** 0 has gradient 0 at x = 0 in this framework (the product rule's 0 · 0⁻¹ is NaN):
 * PyTorch's pow backward masks a zero exponent, JAX's does for an integer one. TF's and TF.js's do not.
 */
export function zeroPowerHasZeroGradient(framework: string, exponent: tf.Tensor): boolean {
  return framework === 'pytorch' || (framework === 'jax' && exponent.dtype === 'int32');
}

/** x ** y where x = y = 0 gives 1 with zero gradients to both (PyTorch's masks), elsewhere tf.pow. */
export function powZeroExponentSafe(x: tf.Tensor, y: tf.Tensor): tf.Tensor {
  const both = tf.logicalAnd(tf.equal(detach(x), 0), tf.equal(detach(y), 0));
  if (!tf.any(both).dataSync()[0]) return tf.pow(x, y);
  return tf.pow(tf.where(both, tf.onesLike(x), x), y);
}

export const f32 = (t: tf.Tensor): tf.Tensor => (t.dtype === 'float32' ? t : tf.cast(t, 'float32'));

/** Cuts a tensor from the graph: a fresh tensor with the same data, no tape link. */
export function detach(t: tf.Tensor): tf.Tensor {
  return tf.tensor(t.dataSync(), t.shape, t.dtype === 'string' ? 'float32' : t.dtype);
}

/** PyTorch, TensorFlow and JAX differentiate |x| as sign(x) (0 at 0); TF.js uses -1 at 0. */
export const absSign = ((f) => (x: tf.Tensor) => f(x))(withGradient(([x]) => tf.abs(x), (dy, [x]) => [tf.mul(dy, tf.sign(x))]));

function normAxis(axis: number | number[] | undefined, rank: number): number | number[] | undefined {
  if (axis === undefined) return undefined;
  return Array.isArray(axis) ? axis.map((a) => (a < 0 ? rank + a : a)) : axis < 0 ? rank + axis : axis;
}

export function reduce(kind: 'sum' | 'mean' | 'max' | 'min' | 'prod' | 'logsumexp', x: tf.Tensor, axis: number | number[] | undefined, keepdims: boolean): tf.Tensor {
  const t = f32(x);
  const ax = normAxis(axis, t.rank);
  if (t.size === 0) return reduceEmpty(kind, t, ax, keepdims);
  switch (kind) {
    case 'sum': return tf.sum(t, ax, keepdims);
    case 'mean': return tf.mean(t, ax, keepdims);
    case 'max': return tf.max(t, ax, keepdims);
    case 'min': return tf.min(t, ax, keepdims);
    case 'prod': return tf.prod(t, ax, keepdims);
    case 'logsumexp': return tf.logSumExp(t, ax, keepdims);
  }
}

/**
 * A reduction of an empty tensor, which TensorFlow.js cannot do: the frameworks' identities (a sum
 * is 0, a product 1, a log-sum-exp −∞), a mean NaN, and a max or min their error.
 */
function reduceEmpty(kind: 'sum' | 'mean' | 'max' | 'min' | 'prod' | 'logsumexp', t: tf.Tensor, ax: number | number[] | undefined, keepdims: boolean): tf.Tensor {
  if (kind === 'max' || kind === 'min') throw new UserCodeError(`zero-size array to reduction operation ${kind === 'max' ? 'maximum' : 'minimum'} which has no identity`, undefined, 'ValueError');
  const axes = new Set(ax === undefined ? t.shape.map((_, i) => i) : Array.isArray(ax) ? ax : [ax]);
  const shape = t.shape.flatMap((d, i) => (axes.has(i) ? (keepdims ? [1] : []) : [d]));
  const value = kind === 'sum' ? 0 : kind === 'prod' ? 1 : kind === 'mean' ? NaN : -Infinity;
  return tf.fill(shape, value);
}

function variance(x: tf.Tensor, axis: number | number[] | undefined, keepdims: boolean, ddof: number): tf.Tensor {
  const t = f32(x);
  const mean = tf.mean(t, axis, true);
  const sq = tf.square(tf.sub(t, mean));
  const n = axis === undefined ? t.size : (Array.isArray(axis) ? axis : [axis]).reduce((acc, a) => acc * t.shape[a < 0 ? t.rank + a : a], 1);
  return tf.div(tf.sum(sq, axis, keepdims), Math.max(n - ddof, 0));
}

/**
 * sqrt of a variance. `zeroGrad`: PyTorch's std backward masks the gradient to 0 where the result is 0
 * (a constant slice); TF, Keras and JAX take sqrt's infinite derivative there, which gives NaN.
 */
function stdOf(v: tf.Tensor, zeroGrad: boolean): tf.Tensor {
  if (!zeroGrad) return tf.sqrt(v);
  const zero = tf.equal(detach(v), 0);
  return tf.where(zero, tf.zerosLike(v), tf.sqrt(tf.where(zero, tf.onesLike(v), v)));
}

function ddofOf(a: OpArgs): number {
  if (a.has('correction')) return a.num('correction');
  if (a.has('unbiased')) return a.bool('unbiased') ? 1 : 0;
  return a.num('ddof', 0);
}

function pnorm(x: tf.Tensor, ord: number | string | undefined, axis: number | number[] | undefined, keepdims: boolean): tf.Tensor {
  const t = f32(x);
  if (ord === undefined || ord === 2 || ord === 'fro' || ord === 'euclidean') return tf.sqrt(tf.sum(tf.square(t), axis, keepdims));
  if (ord === 1) return tf.sum(absSign(t), axis, keepdims);
  if (ord === Infinity || ord === 'inf') return tf.max(absSign(t), axis, keepdims);
  if (typeof ord === 'number') return tf.pow(tf.sum(tf.pow(absSign(t), ord), axis, keepdims), 1 / ord);
  throw new Error(`norm order ${ord}`);
}

function ordOf(a: OpArgs, name: string): number | string | undefined {
  const v = a.value(name);
  if (!v) return undefined;
  if (v.t === 'num') return v.v;
  if (v.t === 'str') return v.v;
  return undefined;
}

export function checkSize(shape: number[], a: OpArgs): void {
  const n = shape.reduce((x, y) => x * y, 1);
  if (!Number.isFinite(n) || n > 1e7) throw new ProbeBudgetExceeded(`${a.op} asks for a tensor of ${n} elements`);
  if (shape.some((d) => !Number.isInteger(d) || d < 0)) throw new UserCodeError(`${a.op}: invalid shape [${shape.join(', ')}]`, a.span);
}

export function reduced(t: tf.Tensor, reduction: string | undefined, batchSize?: number): tf.Tensor {
  switch (reduction ?? 'mean') {
    case 'none': return t;
    case 'sum': return tf.sum(t);
    case 'batchmean': return tf.div(tf.sum(t), batchSize ?? 1);
    default: return tf.mean(t);
  }
}

function gelu(x: tf.Tensor, approximate: boolean): tf.Tensor {
  if (approximate) {
    const inner = tf.mul(Math.sqrt(2 / Math.PI), tf.add(x, tf.mul(0.044715, tf.pow(x, 3))));
    return tf.mul(tf.mul(0.5, x), tf.add(1, tf.tanh(inner)));
  }
  return tf.mul(tf.mul(0.5, x), tf.add(1, tf.erf(tf.div(x, Math.SQRT2))));
}

function approximateOf(a: OpArgs, fallback: boolean): boolean {
  const v = a.value('approximate');
  if (!v) return fallback;
  if (v.t === 'str') return v.v === 'tanh';
  if (v.t === 'bool') return v.v;
  return fallback;
}

function softplusTorch(x: tf.Tensor, beta: number, threshold: number): tf.Tensor {
  const bx = tf.mul(x, beta);
  return tf.where(tf.greater(detach(bx), threshold), x, tf.div(tf.softplus(bx), beta));
}

/** PyTorch's binary_cross_entropy: logs clamped at -100, and its own backward (p - t) / max(p(1-p), 1e-12). */
const torchBce = withGradient(
  ([p, t]) => tf.neg(tf.add(tf.mul(t, tf.maximum(tf.log(p), -100)), tf.mul(tf.sub(1, t), tf.maximum(tf.log(tf.sub(1, p)), -100)))),
  (dy, [p, t]) => [
    tf.mul(dy, tf.div(tf.sub(p, t), tf.maximum(tf.mul(tf.sub(1, p), p), 1e-12))),
    tf.mul(dy, tf.sub(tf.maximum(tf.log(tf.sub(1, p)), -100), tf.maximum(tf.log(p), -100))),
  ],
);

/** xlogy(x, y) = x * log(y), and 0 where x == 0 (PyTorch/SciPy). */
function xlogy(x: tf.Tensor, y: tf.Tensor): tf.Tensor {
  const zero = tf.equal(detach(x), 0);
  const safeY = tf.where(zero, tf.onesLike(y), y);
  return tf.where(zero, tf.zerosLike(tf.mul(x, y)), tf.mul(x, tf.log(safeY)));
}

function classIndices(target: tf.Tensor): tf.Tensor {
  return tf.cast(detach(target), 'int32');
}

export function oneHotLike(target: tf.Tensor, depth: number): tf.Tensor {
  return tf.cast(tf.reshape(tf.oneHot(tf.reshape(classIndices(target), [-1]), depth), [...target.shape, depth]), 'float32');
}

/** torch: class dimension is 1 for N×C×…; for 2-D inputs it is the last. */
function crossEntropyTorch(input: tf.Tensor, target: tf.Tensor, labelSmoothing: number, reduction: string | undefined, weight?: tf.Tensor, ignoreIndex = -100): tf.Tensor {
  const classDim = input.rank === 1 ? 0 : 1;
  const c = input.shape[classDim] ?? 1;
  const logp = tf.logSoftmax(classDim === input.rank - 1 ? input : moveAxisLast(input, classDim));
  let probs: tf.Tensor;
  const indices = target.shape.length !== input.shape.length;
  const keep = indices ? tf.cast(tf.notEqual(detach(target), ignoreIndex), 'float32') : undefined;
  if (!indices) probs = classDim === input.rank - 1 ? target : moveAxisLast(target, classDim);
  else probs = oneHotLike(tf.where(tf.equal(detach(target), ignoreIndex), tf.zerosLike(target), target), c);
  if (labelSmoothing > 0) probs = tf.add(tf.mul(probs, 1 - labelSmoothing), labelSmoothing / c);
  const w = weight ? tf.reshape(weight, [c]) : undefined;
  let per = tf.neg(tf.sum(tf.mul(w ? tf.mul(probs, w) : probs, logp), -1));
  if (keep) per = tf.mul(per, keep);
  if ((reduction ?? 'mean') === 'mean' && indices) {
    // torch: the mean is weighted by the target classes' weights, over targets not ignored.
    const denom = w ? tf.sum(tf.mul(tf.sum(tf.mul(oneHotLike(tf.where(tf.equal(detach(target), ignoreIndex), tf.zerosLike(target), target), c), w), -1), keep!)) : tf.sum(keep!);
    return tf.div(tf.sum(per), denom);
  }
  return reduced(per, reduction);
}

export function moveAxisLast(t: tf.Tensor, axis: number): tf.Tensor {
  const perm = [...Array(t.rank).keys()].filter((i) => i !== axis).concat([axis]);
  return tf.transpose(t, perm);
}

function kerasBce(t0: tf.Tensor, p: tf.Tensor, fromLogits: boolean, axis: number, smoothing = 0): tf.Tensor {
  const t = smoothing > 0 ? tf.add(tf.mul(t0, 1 - smoothing), 0.5 * smoothing) : t0;
  return tf.mean(kerasBceElementwise(t, p, fromLogits), axis);
}

/** keras.backend.binary_crossentropy (Keras 2) / keras.ops.binary_crossentropy: elementwise, no reduction. */
function kerasBceElementwise(t: tf.Tensor, p: tf.Tensor, fromLogits: boolean): tf.Tensor {
  if (fromLogits) return sigmoidCeWithLogits(t, p);
  const eps = 1e-7;
  const o = tf.clipByValue(p, eps, 1 - eps);
  return tf.neg(tf.add(tf.mul(t, tf.log(tf.add(o, eps))), tf.mul(tf.sub(1, t), tf.log(tf.add(tf.sub(1, o), eps)))));
}

function kerasCce(t: tf.Tensor, p: tf.Tensor, fromLogits: boolean, axis: number, smoothing: number): tf.Tensor {
  let target = t;
  if (smoothing > 0) target = tf.add(tf.mul(t, 1 - smoothing), smoothing / t.shape[t.rank - 1]);
  if (fromLogits) return tf.neg(tf.sum(tf.mul(target, tf.logSoftmax(p, axis)), axis));
  const o = tf.clipByValue(tf.div(p, tf.sum(p, axis, true)), 1e-7, 1 - 1e-7);
  return tf.neg(tf.sum(tf.mul(target, tf.log(o)), axis));
}

export function sigmoidCeWithLogits(labels: tf.Tensor, logits: tf.Tensor): tf.Tensor {
  return tf.add(tf.sub(tf.relu(logits), tf.mul(logits, labels)), tf.log1p(tf.exp(tf.neg(absSign(logits)))));
}

function huber(d: tf.Tensor, delta: number): tf.Tensor {
  const ad = absSign(d);
  return tf.where(tf.lessEqual(detach(ad), delta), tf.mul(0.5, tf.square(d)), tf.mul(delta, tf.sub(ad, 0.5 * delta)));
}

export function cast(x: tf.Tensor, dtype: string | undefined): tf.Tensor {
  if (!dtype) return f32(x);
  if (/int|long|short|uint/.test(dtype)) return tf.cast(tf.cast(detach(f32(x)), 'int32'), 'float32');
  if (dtype === 'bool') return tf.cast(detach(x), 'bool');
  return f32(x);
}

/** TF.js's gradients of maximum, minimum and squaredDifference do not reduce over broadcast axes. */
function broadcastPair(f: (x: tf.Tensor, y: tf.Tensor) => tf.Tensor): (x: tf.Tensor, y: tf.Tensor) => tf.Tensor {
  return (x, y) => {
    if (x.shape.length === y.shape.length && x.shape.every((d, i) => d === y.shape[i])) return f(x, y);
    const shape = tf.broadcast_util.assertAndGetBroadcastShape(x.shape, y.shape);
    return f(tf.broadcastTo(x, shape), tf.broadcastTo(y, shape));
  };
}

export const t1 = (f: (x: tf.Tensor) => tf.Tensor, tags?: OpTag[]): OpImpl => ({ run: (a) => f(f32(a.tensor('x'))), tags });
/** Elementwise over two broadcast tensors (size-checked first); products and contractions pass `elementwise = false`. */
export const t2 = (f: (x: tf.Tensor, y: tf.Tensor) => tf.Tensor, tags?: OpTag[], elementwise = true): OpImpl => ({
  run: (a) => {
    const x = f32(a.tensor('x'));
    const y = f32(a.tensor('y'));
    if (elementwise) refuseLarger(broadcastElements(x.shape, y.shape), 1e7, a.op);
    return f(x, y);
  },
  tags,
});

/** A reduction with NumPy's where= (elements left out) and initial= (an extra element); plain otherwise. */
function reduceWhere(kind: 'sum' | 'mean' | 'max' | 'min' | 'prod', a: OpArgs): tf.Tensor {
  const whereT = a.optTensor('where');
  const initial = a.has('initial') ? a.num('initial') : undefined;
  if (!whereT && initial === undefined) return reduce(kind, a.tensor('x'), a.axis('axis'), a.bool('keepdims'));
  const x = f32(a.tensor('x'));
  const axis = normAxis(a.axis('axis'), x.rank);
  const keep = a.bool('keepdims');
  const mask = whereT ? tf.broadcastTo(tf.cast(detach(whereT), 'bool'), x.shape) : undefined;
  const fill = (v: number): tf.Tensor => (mask ? tf.where(mask, x, tf.fill(x.shape, v)) : x);
  switch (kind) {
    case 'sum': { const r = tf.sum(fill(0), axis, keep); return initial === undefined ? r : tf.add(r, initial); }
    case 'prod': { const r = tf.prod(fill(1), axis, keep); return initial === undefined ? r : tf.mul(r, initial); }
    case 'max': { const r = tf.max(fill(initial ?? -Infinity), axis, keep); return initial === undefined ? r : tf.maximum(r, initial); }
    case 'min': { const r = tf.min(fill(initial ?? Infinity), axis, keep); return initial === undefined ? r : tf.minimum(r, initial); }
    case 'mean':
      if (!mask) return reduce('mean', x, axis, keep);
      return tf.div(tf.sum(fill(0), axis, keep), tf.sum(tf.cast(mask, 'float32'), axis, keep));
  }
}

/** A (matrix or vector) norm with each framework's conventions; see the rows' `norm_kind`. */
function normOf(a: OpArgs): tf.Tensor {
  const x = f32(a.tensor('x'));
  const ord = ordOf(a, 'ord');
  const kind = a.str('norm_kind') ?? 'vector';
  const raw = a.axis('axis');
  const axes = raw === undefined ? undefined : (Array.isArray(raw) ? raw : [raw]).map((v) => norm(v, x.rank));
  const keep = a.bool('keepdims');
  if (ord === 'nuc' || (typeof ord === 'string' && !['fro', 'euclidean', 'inf'].includes(ord))) throw new UnsupportedConstruct(`${a.op}(ord='${ord}')`, a.span);
  // NumPy (and torch.linalg.norm, keras.ops.norm): a 2-tuple axis, or a matrix with an order and no axis, is a matrix norm;
  // tf.norm only for a 2-tuple axis; torch.linalg.matrix_norm always.
  const matrixAxes = axes?.length === 2 ? axes : kind === 'matrix' && axes === undefined && x.rank >= 2 ? [x.rank - 2, x.rank - 1] : axes === undefined && x.rank === 2 && kind === 'numpy' && ord !== undefined ? [0, 1] : undefined;
  if ((kind === 'numpy' || kind === 'tf' || kind === 'matrix') && matrixAxes && ord !== undefined && ord !== 'fro' && ord !== 'euclidean') {
    return matrixNorm(x, ord, matrixAxes, keep, a);
  }
  if (kind === 'matrix' && !matrixAxes) throw new UserCodeError(`${a.op} needs two axes`, a.span);
  const p = ord === undefined || ord === 'fro' || ord === 'euclidean' ? 2 : ord === 'inf' ? Infinity : ord;
  if (typeof p !== 'number') throw new UnsupportedConstruct(`${a.op}(ord='${ord}')`, a.span);
  return vectorNorm(x, p, axes, keep, a.bool('zero_grad'));
}

/** Vector p-norm over axes (all when undefined). `zeroGrad`: PyTorch's zero gradient where the norm is 0. */
function vectorNorm(x: tf.Tensor, p: number, axes: number[] | undefined, keep: boolean, zeroGrad: boolean): tf.Tensor {
  if (p === Infinity) return tf.max(absSign(x), axes, keep);
  if (p === -Infinity) return tf.min(absSign(x), axes, keep);
  if (p === 0) return tf.sum(tf.cast(tf.notEqual(detach(x), 0), 'float32'), axes, keep);
  if (p === 1) return tf.sum(absSign(x), axes, keep);
  const s = p === 2 ? tf.sum(tf.square(x), axes, keep) : tf.sum(tf.pow(absSign(x), p), axes, keep);
  const root = (t: tf.Tensor): tf.Tensor => (p === 2 ? tf.sqrt(t) : tf.pow(t, 1 / p));
  if (!zeroGrad) return root(s);
  const zero = tf.equal(detach(s), 0);
  return tf.where(zero, tf.zerosLike(s), root(tf.where(zero, tf.onesLike(s), s)));
}

/** Induced matrix norms over (row axis, column axis): 1 = max column sum, inf = max row sum (and their minima). */
function matrixNorm(x: tf.Tensor, ord: number | string, [r, c]: number[], keep: boolean, a: OpArgs): tf.Tensor {
  const o = ord === 'inf' ? Infinity : ord;
  if (o !== 1 && o !== -1 && o !== Infinity && o !== -Infinity) throw new UnsupportedConstruct(`${a.op}: the matrix ${ord}-norm`, a.span, 'it needs singular values');
  const [sumAxis, pickAxis] = o === 1 || o === -1 ? [r, c] : [c, r];
  const sums = tf.sum(absSign(x), sumAxis, true);
  const picked = o > 0 ? tf.max(sums, pickAxis, true) : tf.min(sums, pickAxis, true);
  return keep ? picked : tf.squeeze(picked, [r, c]);
}

/** log(sum(b · exp(x))) with the max shifted out; `where` excludes elements; `return_sign` gives (log|s|, sign s). */
function logSumExp(a: OpArgs): tf.Tensor | Value {
  const x = f32(a.tensor('x'));
  const raw = a.axis('axis');
  const axes = raw === undefined ? undefined : (Array.isArray(raw) ? raw : [raw]).map((v) => norm(v, x.rank));
  const b = a.optTensor('b');
  const whereT = a.optTensor('where');
  const mask = whereT ? tf.broadcastTo(tf.cast(detach(whereT), 'bool'), x.shape) : undefined;
  const dx = detach(x);
  const m0 = tf.max(mask ? tf.where(mask, dx, tf.fill(x.shape, -Infinity)) : dx, axes, true);
  const m = tf.where(tf.isFinite(m0), m0, tf.zerosLike(m0));
  let e = tf.exp(tf.sub(mask ? tf.where(mask, x, tf.broadcastTo(m, x.shape)) : x, m));
  if (b) e = tf.mul(e, f32(b));
  if (mask) e = tf.where(mask, e, tf.zerosLike(e));
  let s = tf.sum(e, axes, true);
  const sign = a.bool('return_sign') ? tf.sign(detach(s)) : undefined;
  if (sign) s = absSign(s);
  // An all-excluded (or all -inf) reduction is -inf; its log is taken of 1 so no inf·0 reaches the gradient.
  const empty = tf.equal(detach(s), 0);
  let out = tf.where(empty, tf.fill(s.shape, -Infinity), tf.add(tf.log(tf.where(empty, tf.onesLike(s), s)), m));
  const keep = a.bool('keepdims');
  const squeeze = (t: tf.Tensor): tf.Tensor => (keep ? t : tf.squeeze(t, axes ?? [...Array(x.rank).keys()]));
  out = squeeze(out);
  if (!sign) return out;
  return { t: 'tuple', items: [{ t: 'tensor', v: out }, { t: 'tensor', v: squeeze(sign) }] };
}

/** softmax / log_softmax over one or several axes; JAX's `where` masks elements out (0, or -inf for the log). */
function softmaxOf(a: OpArgs, log: boolean): tf.Tensor {
  const x = f32(a.tensor('x'));
  const raw = a.axis('axis');
  const axes = (raw === undefined ? [legacySoftmaxDim(a, x)] : Array.isArray(raw) ? raw : [raw]).map((v) => norm(v, Math.max(x.rank, 1)));
  const whereT = a.optTensor('where');
  if (x.rank === 0) return log ? tf.zerosLike(x) : tf.onesLike(x);
  if (axes.length === 1 && !whereT) {
    const ax = axes[0];
    const f = log ? tf.logSoftmax : tf.softmax;
    return ax === x.rank - 1 ? f(x) : moveAxisBack(f(moveAxisLast(x, ax)), ax);
  }
  const mask = whereT ? tf.broadcastTo(tf.cast(detach(whereT), 'bool'), x.shape) : undefined;
  const dx = detach(x);
  const m0 = tf.max(mask ? tf.where(mask, dx, tf.fill(x.shape, -Infinity)) : dx, axes, true);
  const m = tf.where(tf.isFinite(m0), m0, tf.zerosLike(m0));
  const shifted = tf.sub(mask ? tf.where(mask, x, tf.broadcastTo(m, x.shape)) : x, m);
  const e = mask ? tf.where(mask, tf.exp(shifted), tf.zerosLike(x)) : tf.exp(shifted);
  const s = tf.sum(e, axes, true);
  if (log) {
    const r = tf.sub(shifted, tf.log(s));
    return mask ? tf.where(mask, r, tf.fill(x.shape, -Infinity)) : r;
  }
  const r = tf.div(e, s);
  return mask ? tf.where(mask, r, tf.zerosLike(r)) : r;
}

/** One-hot vectors (out-of-range indices give all zeros); on/off values and the new axis's position. */
function oneHot(a: OpArgs): tf.Tensor {
  const x = a.tensor('x');
  const depth = a.num('depth', -1);
  const d = depth > 0 ? depth : Math.max(...Array.from(x.dataSync())) + 1;
  let oh = oneHotLike(x, d);
  if (a.has('on_value') || a.has('off_value')) {
    const on = a.num('on_value', 1);
    const off = a.num('off_value', 0);
    oh = tf.add(tf.mul(oh, on - off), off);
  }
  const axis = a.num('axis', -1);
  if (axis !== -1 && axis !== oh.rank - 1) oh = moveAxisBack(oh, norm(axis, oh.rank));
  return oh;
}

/** eye(n, m, k): ones on the k-th diagonal, optionally tiled over a batch shape. */
function eye(a: OpArgs): tf.Tensor {
  const n = a.num('n');
  const m = a.num('m', n);
  const k = a.num('k', 0);
  const batch = a.value('batch_shape') ? a.shape('batch_shape') : [];
  checkSize([...batch, n, m], a);
  const data = new Float32Array(n * m);
  for (let i = 0; i < n; i++) if (i + k >= 0 && i + k < m) data[i * m + i + k] = 1;
  const e = tf.tensor2d(data, [n, m]);
  return batch.length ? tf.broadcastTo(e, [...batch, n, m]) : e;
}

/**
 * torch.nn.functional.cosine_similarity (PyTorch ≥ 1.12, aten Distance.cpp): each input divided by its
 * norm, the squared norm clamped at eps² without a gradient, then the dot product. A zero vector's
 * gradient is the other vector's direction over eps.
 */
function cosineSimilarityTorch(a: OpArgs): tf.Tensor {
  let x = f32(a.tensor('x'));
  let y = f32(a.tensor('y'));
  const shape = tf.broadcast_util.assertAndGetBroadcastShape(x.shape, y.shape);
  if (x.shape.length !== shape.length || x.shape.some((d, i) => d !== shape[i])) x = tf.broadcastTo(x, shape);
  if (y.shape.length !== shape.length || y.shape.some((d, i) => d !== shape[i])) y = tf.broadcastTo(y, shape);
  const dim = norm((a.axis('axis') as number | undefined) ?? 1, shape.length);
  const eps = a.num('eps', 1e-8);
  const normOfT = (t: tf.Tensor): tf.Tensor => {
    const sq = tf.sum(tf.square(t), dim, true);
    return tf.sqrt(tf.add(sq, detach(tf.sub(tf.maximum(sq, eps * eps), sq))));
  };
  return tf.sum(tf.mul(tf.div(x, normOfT(x)), tf.div(y, normOfT(y))), dim);
}

export const implementations: Record<string, OpImpl> = {
  // ---- elementwise
  exp: t1(tf.exp, ['exp', 'positive']),
  exp2: t1((x) => tf.exp(tf.mul(x, Math.LN2)), ['exp', 'positive']),
  expm1: t1(tf.expm1, ['exp']),
  log: t1(tf.log, ['log']),
  log2: t1((x) => tf.div(tf.log(x), Math.LN2), ['log']),
  log10: t1((x) => tf.div(tf.log(x), Math.LN10), ['log']),
  log1p: t1(tf.log1p, ['log', 'log1p']),
  sqrt: t1(tf.sqrt, ['sqrt', 'nonnegative']),
  rsqrt: t1(tf.rsqrt, ['sqrt', 'reciprocal']),
  square: t1(tf.square, ['nonnegative']),
  reciprocal: t1(tf.reciprocal, ['reciprocal']),
  neg: t1(tf.neg, ['negate']),
  abs: t1(absSign, ['nonnegative']),
  abs_tfjs: t1(tf.abs, ['nonnegative']),
  sign: t1((x) => tf.sign(detach(x)), ['nondiff', 'symmetric-unit']),
  round: t1((x) => tf.round(detach(x)), ['nondiff']),
  floor: t1((x) => tf.floor(detach(x)), ['nondiff']),
  ceil: t1((x) => tf.ceil(detach(x)), ['nondiff']),
  trunc: t1((x) => tf.mul(tf.sign(detach(x)), tf.floor(tf.abs(detach(x)))), ['nondiff']),
  sin: t1(tf.sin, ['symmetric-unit']),
  cos: t1(tf.cos, ['symmetric-unit']),
  tan: t1(tf.tan),
  asin: t1(tf.asin),
  acos: t1(tf.acos),
  atan: t1(tf.atan),
  sinh: t1(tf.sinh),
  cosh: t1(tf.cosh, ['positive']),
  asinh: t1(tf.asinh),
  acosh: t1(tf.acosh),
  atanh: t1(tf.atanh),
  tanh: t1(tf.tanh, ['symmetric-unit']),
  sigmoid: t1(tf.sigmoid, ['sigmoid', 'positive', 'unit-interval']),
  log_sigmoid: t1((x) => tf.neg(tf.softplus(tf.neg(x))), ['log-sigmoid', 'nonpositive']),
  logit: { run: (a) => { let x = f32(a.tensor('x')); if (a.has('eps')) x = tf.clipByValue(x, a.num('eps'), 1 - a.num('eps')); return tf.log(tf.div(x, tf.sub(1, x))); }, tags: ['log', 'logit'] },
  softplus: t1(tf.softplus, ['softplus-form', 'positive']),
  softplus_torch: { run: (a) => softplusTorch(f32(a.tensor('x')), a.num('beta', 1), a.num('threshold', 20)), tags: ['softplus-form', 'positive'] },
  softsign: t1((x) => tf.div(x, tf.add(1, absSign(x))), ['symmetric-unit']),
  relu: t1(tf.relu, ['nonnegative']),
  relu6: t1(tf.relu6, ['nonnegative']),
  relu_keras: { run: (a) => {
    const x = f32(a.tensor('x'));
    const alpha = a.num('alpha', 0);
    const threshold = a.num('threshold', 0);
    let y = threshold !== 0 ? tf.where(tf.greater(detach(x), threshold), x, tf.zerosLike(x)) : tf.relu(x);
    if (a.has('max_value')) y = tf.minimum(y, a.num('max_value'));
    if (alpha !== 0) y = tf.add(y, tf.mul(alpha, tf.minimum(tf.sub(x, threshold), 0)));
    return y;
  }, tags: ['nonnegative'] },
  // The exponential branch sees min(x, 0): on the elements the where discards, exp(x) would overflow
  // and its zero gradient times Inf be NaN, where PyTorch's kernel gives 1 (f'(100) = 1, not NaN).
  elu: { run: (a) => { const x = f32(a.tensor('x')); const alpha = a.num('alpha', 1); return alpha === 1 ? tf.elu(x) : tf.where(tf.greater(detach(x), 0), x, tf.mul(alpha, tf.expm1(tf.minimum(x, 0)))); } },
  celu: { run: (a) => { const x = f32(a.tensor('x')); const alpha = a.num('alpha', 1); return tf.where(tf.greater(detach(x), 0), x, tf.mul(alpha, tf.expm1(tf.div(tf.minimum(x, 0), alpha)))); } },
  selu: t1(tf.selu),
  gelu: { run: (a) => gelu(f32(a.tensor('x')), approximateOf(a, false)) },
  gelu_jax: { run: (a) => gelu(f32(a.tensor('x')), approximateOf(a, true)) },
  silu: t1((x) => tf.mul(x, tf.sigmoid(x))),
  swish_beta: { run: (a) => { const x = f32(a.tensor('x')); return tf.mul(x, tf.sigmoid(tf.mul(a.num('beta', 1), x))); } },
  mish: t1((x) => tf.mul(x, tf.tanh(tf.softplus(x)))),
  leaky_relu: { run: (a) => tf.leakyRelu(f32(a.tensor('x')), a.num('alpha', 0.01)) },
  hard_sigmoid_torch: t1((x) => tf.div(tf.relu6(tf.add(x, 3)), 6), ['nonnegative', 'unit-interval']),
  hard_sigmoid_keras: t1((x) => tf.clipByValue(tf.add(tf.mul(x, 0.2), 0.5), 0, 1), ['nonnegative', 'unit-interval']),
  hard_swish: t1((x) => tf.mul(x, tf.div(tf.relu6(tf.add(x, 3)), 6))),
  hard_tanh: { run: (a) => tf.clipByValue(f32(a.tensor('x')), a.num('min', -1), a.num('max', 1)) },
  tanhshrink: t1((x) => tf.sub(x, tf.tanh(x))),
  softshrink: { run: (a) => { const x = f32(a.tensor('x')); const l = a.num('lambd', 0.5); return tf.where(tf.greater(detach(x), l), tf.sub(x, l), tf.where(tf.less(detach(x), -l), tf.add(x, l), tf.zerosLike(x))); } },
  hardshrink: { run: (a) => { const x = f32(a.tensor('x')); const l = a.num('lambd', 0.5); return tf.where(tf.greater(detach(absSign(x)), l), x, tf.zerosLike(x)); } },
  erf: t1(tf.erf, ['symmetric-unit']),
  erfc: t1((x) => tf.sub(1, tf.erf(x))),
  // Booleans, as the frameworks return them: as an index they are a mask, not the positions 0 and 1.
  isnan: t1((x) => tf.isNaN(detach(f32(x))), ['nondiff', 'predicate', 'unit-interval']),
  isinf: t1((x) => tf.isInf(detach(f32(x))), ['nondiff', 'predicate', 'unit-interval']),
  isfinite: t1((x) => tf.isFinite(detach(f32(x))), ['nondiff', 'predicate', 'unit-interval']),
  nan_to_num: { run: (a) => { const x = f32(a.tensor('x')); const d = detach(x); const nanV = a.num('nan', 0); return tf.where(tf.isNaN(d), tf.fill(x.shape, nanV), tf.where(tf.isInf(d), tf.where(tf.greater(d, 0), tf.fill(x.shape, a.num('posinf', 3.4028234663852886e38)), tf.fill(x.shape, a.num('neginf', -3.4028234663852886e38))), x)); }, tags: ['guard'] },

  // ---- binary
  add: { run: (a) => { const y = f32(a.tensor('y')); const x = f32(a.tensor('x')); refuseLarger(broadcastElements(x.shape, y.shape), 1e7, a.op); const alpha = a.num('alpha', 1); return tf.add(x, alpha === 1 ? y : tf.mul(y, alpha)); }, tags: ['add'] },
  sub: t2(tf.sub, ['subtract']),
  mul: t2(tf.mul, ['multiply']),
  div: { run: (a) => {
    refuseLarger(broadcastElements(a.tensor('x').shape, a.tensor('y').shape), 1e7, a.op);
    const q = tf.div(f32(a.tensor('x')), f32(a.tensor('y')));
    const mode = a.str('rounding_mode');
    if (mode === 'floor') return tf.floor(detach(q));
    if (mode === 'trunc') return tf.mul(tf.sign(detach(q)), tf.floor(tf.abs(detach(q))));
    return q;
  }, tags: ['divide', 'quotient'] },
  fmod: t2((x, y) => { const q = detach(tf.div(x, y)); return tf.sub(x, tf.mul(y, tf.mul(tf.sign(q), tf.floor(tf.abs(q))))); }),
  div_no_nan: t2((x, y) => { const z = tf.equal(detach(y), 0); return tf.where(z, tf.zerosLike(tf.mul(x, y)), tf.div(x, tf.where(z, tf.onesLike(y), y))); }, ['guard', 'quotient']),
  floordiv: t2((x, y) => tf.floorDiv(detach(x), detach(y)), ['nondiff']),
  mod: t2((x, y) => tf.sub(x, tf.mul(y, tf.floor(detach(tf.div(x, y)))))),
  pow: { run: (a, ctx) => {
    const x = f32(a.tensor('x'));
    const yv = a.value('y');
    if (yv?.t === 'num' && yv.v === 2) return tf.square(x);
    const y = a.tensor('y');
    return zeroPowerHasZeroGradient(ctx.framework, y) ? powZeroExponentSafe(x, f32(y)) : tf.pow(x, f32(y));
  }, tags: ['fractional-pow'] },
  maximum: t2(broadcastPair(tf.maximum), ['guard', 'transparent', 'pointwise-max']),
  minimum: t2(broadcastPair(tf.minimum), ['guard', 'transparent', 'pointwise-min']),
  atan2: t2(tf.atan2),
  squared_difference: t2(broadcastPair(tf.squaredDifference), ['squared-difference']),
  xlogy: t2(xlogy, ['weighted-log']),
  /** torch.xlogy and scipy's: d/dx is log(y) even where x = 0 (TF's rule gives 0 there). */
  xlogy_torch: t2((x, y) => { const zero = tf.equal(detach(x), 0); const safeY = tf.where(zero, tf.onesLike(y), y); return tf.add(tf.mul(x, tf.log(safeY)), tf.mul(tf.sub(x, detach(x)), tf.where(zero, tf.log(y), tf.zerosLike(y)))); }),
  logaddexp: t2((x, y) => { const m = broadcastPair(tf.maximum)(x, y); return tf.add(m, tf.log1p(tf.exp(tf.neg(absSign(tf.sub(x, y)))))); }, ['softplus-form']),
  clip: { run: (a) => {
    let x = f32(a.tensor('x'));
    const lo = a.numOrTensor('min');
    const hi = a.numOrTensor('max');
    if (typeof lo === 'number' && typeof hi === 'number') return tf.clipByValue(x, lo, hi);
    if (lo !== undefined) x = tf.maximum(x, lo);
    if (hi !== undefined) x = tf.minimum(x, hi);
    return x;
  }, tags: ['guard', 'transparent'] },
  where: { run: (a) => {
    if (!a.has('x') && !a.has('y')) throw new UnsupportedConstruct(`${a.op} with one argument`, a.span, 'the result shape depends on the data');
    const cond = a.tensor('cond');
    refuseLarger(broadcastElements(cond.shape, a.tensor('x').shape, a.tensor('y').shape), 1e7, a.op);
    return tf.where(cond.dtype === 'bool' ? cond : tf.cast(detach(cond), 'bool'), f32(a.tensor('x')), f32(a.tensor('y')));
  }, tags: ['where'] },
  logical_and: { run: (a) => tf.logicalAnd(tf.cast(detach(a.tensor('x')), 'bool'), tf.cast(detach(a.tensor('y')), 'bool')), tags: ['nondiff', 'predicate', 'unit-interval'] },
  logical_or: { run: (a) => tf.logicalOr(tf.cast(detach(a.tensor('x')), 'bool'), tf.cast(detach(a.tensor('y')), 'bool')), tags: ['nondiff', 'predicate', 'unit-interval'] },
  logical_not: { run: (a) => tf.logicalNot(tf.cast(detach(a.tensor('x')), 'bool')), tags: ['nondiff', 'predicate', 'unit-interval'] },
  greater: { run: (a) => tf.greater(detach(f32(a.tensor('x'))), detach(f32(a.tensor('y')))), tags: ['nondiff', 'unit-interval'] },
  greater_equal: { run: (a) => tf.greaterEqual(detach(f32(a.tensor('x'))), detach(f32(a.tensor('y')))), tags: ['nondiff', 'unit-interval'] },
  less: { run: (a) => tf.less(detach(f32(a.tensor('x'))), detach(f32(a.tensor('y')))), tags: ['nondiff', 'unit-interval'] },
  less_equal: { run: (a) => tf.lessEqual(detach(f32(a.tensor('x'))), detach(f32(a.tensor('y')))), tags: ['nondiff', 'unit-interval'] },
  equal: { run: (a) => tf.equal(detach(f32(a.tensor('x'))), detach(f32(a.tensor('y')))), tags: ['nondiff', 'unit-interval', 'equality'] },
  not_equal: { run: (a) => tf.notEqual(detach(f32(a.tensor('x'))), detach(f32(a.tensor('y')))), tags: ['nondiff', 'unit-interval', 'equality'] },
  step: { run: (a) => tf.step(detach(f32(a.tensor('x'))), a.num('alpha', 0)), tags: ['nondiff', 'unit-interval'] },

  // ---- reductions
  sum: { run: (a) => reduceWhere('sum', a), tags: ['sum-reduce'] },
  mean: { run: (a) => reduceWhere('mean', a), tags: ['mean-reduce'] },
  max: { run: (a) => reduceWhere('max', a), tags: ['max-like'] },
  min: { run: (a) => reduceWhere('min', a), tags: ['range-preserving'] },
  prod: { run: (a) => reduceWhere('prod', a) },
  logsumexp: { run: (a) => logSumExp(a), tags: ['softplus-form', 'logsumexp', 'max-like'] },
  var: { run: (a) => variance(a.tensor('x'), a.axis('axis'), a.bool('keepdims'), ddofOf(a)), tags: ['nonnegative'] },
  std: { run: (a) => stdOf(variance(a.tensor('x'), a.axis('axis'), a.bool('keepdims'), ddofOf(a)), a.bool('zero_grad')), tags: ['sqrt', 'norm', 'nonnegative'] },
  norm: { run: (a) => normOf(a), tags: ['sqrt', 'norm', 'nonnegative'] },
  argmax: { run: (a) => { const x = detach(f32(a.tensor('x'))); const ax = a.axis('axis'); const r = ax === undefined ? tf.argMax(tf.reshape(x, [-1])) : tf.argMax(x, ax as number); return tf.cast(a.bool('keepdims') && ax !== undefined ? tf.expandDims(r, ax as number) : r, 'float32'); }, tags: ['nondiff', 'argmax'] },
  argmin: { run: (a) => { const x = detach(f32(a.tensor('x'))); const ax = a.axis('axis'); const r = ax === undefined ? tf.argMin(tf.reshape(x, [-1])) : tf.argMin(x, ax as number); return tf.cast(r, 'float32'); }, tags: ['nondiff'] },
  cumsum: { run: (a) => {
    let x = f32(a.tensor('x'));
    const ax = a.axis('axis') as number | undefined;
    if (ax === undefined && a.bool('flatten_default')) x = tf.reshape(x, [-1]);
    const axis = norm(ax ?? 0, x.rank);
    // TF.js's cumsum gradient fails off the last axis and for negative axes: work on the last axis, by its positive index.
    if (axis === x.rank - 1) return tf.cumsum(x, x.rank - 1);
    return moveAxisBack(tf.cumsum(moveAxisLast(x, axis), x.rank - 1), axis);
  } },
  all: { run: (a) => tf.all(tf.cast(detach(a.tensor('x')), 'bool'), a.axis('axis'), a.bool('keepdims')), tags: ['nondiff', 'predicate', 'unit-interval'] },
  any: { run: (a) => tf.any(tf.cast(detach(a.tensor('x')), 'bool'), a.axis('axis'), a.bool('keepdims')), tags: ['nondiff', 'predicate', 'unit-interval'] },
  count_nonzero: { run: (a) => tf.sum(tf.cast(tf.notEqual(detach(a.tensor('x')), 0), 'float32'), a.axis('axis'), a.bool('keepdims')), tags: ['nondiff', 'predicate', 'nonnegative'] },

  // ---- normalisers
  softmax: { run: (a) => softmaxOf(a, false), tags: ['softmax', 'positive', 'unit-interval'] },
  log_softmax: { run: (a) => softmaxOf(a, true), tags: ['log-softmax', 'nonpositive'] },
  l2_normalize: { run: (a) => { const x = f32(a.tensor('x')); const ax = a.axis('axis'); const eps = a.num('eps', 1e-12); return tf.mul(x, tf.rsqrt(tf.maximum(tf.sum(tf.square(x), ax, true), eps))); }, tags: ['normalize'] },
  // The norm is PyTorch's: zero value and zero gradient at a zero vector, so x / eps is what flows there.
  normalize_torch: { run: (a) => { const x = f32(a.tensor('x')); const ax = (a.axis('axis') as number | undefined) ?? 1; const n = vectorNorm(x, a.num('p', 2), [norm(ax, x.rank)], true, true); return tf.div(x, tf.maximum(n, a.num('eps', 1e-12))); }, tags: ['normalize'] },

  // ---- shapes and construction
  reshape: { run: (a) => tf.reshape(a.tensor('x'), a.shape('shape')), tags: ['transparent'] },
  flatten: { run: (a) => {
    const x = a.tensor('x');
    if (x.rank === 0) return tf.reshape(x, [1]);
    const s = norm(a.num('start', 0), x.rank);
    const e = norm(a.num('end_dim', -1), x.rank);
    return tf.reshape(x, [...x.shape.slice(0, s), x.shape.slice(s, e + 1).reduce((p, q) => p * q, 1), ...x.shape.slice(e + 1)]);
  }, tags: ['transparent', 'range-preserving'] },
  transpose: { run: (a) => { const x = a.tensor('x'); const perm = a.value('perm') ? a.shape('perm') : undefined; return tf.transpose(x, perm); }, tags: ['transparent'] },
  swapaxes: { run: (a) => { const x = a.tensor('x'); const p = [...Array(x.rank).keys()]; const i = norm(a.num('a'), x.rank); const j = norm(a.num('b'), x.rank); [p[i], p[j]] = [p[j], p[i]]; return tf.transpose(x, p); }, tags: ['range-preserving'] },
  squeeze: { run: (a) => { const ax = a.axis('axis'); return tf.squeeze(a.tensor('x'), ax === undefined ? undefined : Array.isArray(ax) ? ax : [ax]); }, tags: ['transparent'] },
  expand_dims: { run: (a) => tf.expandDims(a.tensor('x'), a.num('axis')), tags: ['transparent'] },
  concat: { run: (a) => tf.concat(a.list('xs').map((v) => f32(a.asTensor(v))), (a.axis('axis') as number | undefined) ?? 0), tags: ['range-preserving', 'concat'] },
  stack: { run: (a) => tf.stack(a.list('xs').map((v) => f32(a.asTensor(v))), (a.axis('axis') as number | undefined) ?? 0), tags: ['range-preserving', 'concat'] },
  tile: { run: (a) => { const x = a.tensor('x'); const reps = a.shape('reps'); checkSize([x.size, ...reps], a); return tf.tile(x, reps); }, tags: ['transparent'] },
  broadcast_to: { run: (a) => { const s = a.shape('shape'); checkSize(s, a); return tf.broadcastTo(a.tensor('x'), s); }, tags: ['transparent'] },
  matmul: t2(tf.matMul, ['matmul'], false),
  dot: t2((x, y) => (x.rank === 1 && y.rank === 1 ? tf.sum(tf.mul(x, y)) : tf.matMul(x, y)), ['matmul'], false),
  inner: t2((x, y) => (x.rank <= 1 && y.rank <= 1 ? tf.sum(tf.mul(x, y)) : tf.sum(tf.mul(tf.expandDims(x, -2), tf.reshape(y, [...Array(x.rank - 1).fill(1), ...y.shape])), -1)), undefined, false),
  vdot: t2((x, y) => tf.sum(tf.mul(tf.reshape(x, [-1]), tf.reshape(y, [-1]))), undefined, false),
  identity: t1((x) => x, ['transparent']),
  stop_gradient: { run: (a) => detach(a.tensor('x')), tags: ['graph-break'] },
  cast: { run: (a) => cast(a.tensor('x'), a.str('dtype')), tags: ['cast'] },
  one_hot: { run: (a) => oneHot(a), tags: ['one-hot', 'unit-interval'] },
  zeros_like: t1((x) => tf.zerosLike(detach(x))),
  ones_like: t1((x) => tf.onesLike(detach(x))),
  full_like: { run: (a) => tf.fill(a.tensor('x').shape, a.num('value')) },
  zeros: { run: (a) => { const s = a.shape('shape'); checkSize(s, a); return tf.zeros(s); } },
  ones: { run: (a) => { const s = a.shape('shape'); checkSize(s, a); return tf.ones(s); } },
  full: { run: (a) => { const s = a.shape('shape'); checkSize(s, a); return tf.fill(s, a.num('value')); } },
  constant: { run: (a) => { const t = f32(a.tensor('x')); if (a.has('shape')) { const s = a.shape('shape'); checkSize(s, a); return a.bool('reshape') ? tf.reshape(t, s) : tf.broadcastTo(t, s); } return t; }, tags: ['range-preserving'] },
  linspace: { run: (a) => { const n = a.num('num', 50); checkSize([n], a); return tf.linspace(a.num('start'), a.num('stop'), n); } },
  arange: { run: (a) => { const start = a.has('stop') ? a.num('start') : 0; const stop = a.has('stop') ? a.num('stop') : a.num('start'); const step = a.num('step', 1); checkSize([Math.ceil((stop - start) / step)], a); return tf.range(start, stop, step); } },
  eye: { run: (a) => eye(a) },
  shape_of: { run: (a) => ({ t: 'tuple', items: a.tensor('x').shape.map((d) => ({ t: 'num', v: d, int: true }) as Value) }), tags: ['metadata'] },
  size_of: { run: (a) => ({ t: 'num', v: a.tensor('x').size, int: true }), tags: ['metadata'] },
  ndim_of: { run: (a) => ({ t: 'num', v: a.tensor('x').rank, int: true }), tags: ['metadata'] },
  epsilon_keras: { run: () => ({ t: 'num', v: 1e-7, int: false }), tags: ['epsilon'] },

  // ---- losses and their helpers
  mse_loss: { run: (a) => reduced(tf.squaredDifference(f32(a.tensor('x')), f32(a.tensor('y'))), a.str('reduction')), tags: ['regression-loss', 'nonnegative'], roles: { prediction: 'x', target: 'y' } },
  l1_loss: { run: (a) => reduced(absSign(tf.sub(f32(a.tensor('x')), f32(a.tensor('y')))), a.str('reduction')), tags: ['regression-loss', 'nonnegative'], roles: { prediction: 'x', target: 'y' } },
  smooth_l1_loss: { run: (a) => { const beta = a.num('beta', 1); const d = tf.sub(f32(a.tensor('x')), f32(a.tensor('y'))); const ad = absSign(d); const per = beta === 0 ? ad : tf.where(tf.less(detach(ad), beta), tf.div(tf.mul(0.5, tf.square(d)), beta), tf.sub(ad, 0.5 * beta)); return reduced(per, a.str('reduction')); }, tags: ['regression-loss', 'nonnegative'], roles: { prediction: 'x', target: 'y' } },
  huber_loss_torch: { run: (a) => reduced(huber(tf.sub(f32(a.tensor('x')), f32(a.tensor('y'))), a.num('delta', 1)), a.str('reduction')), tags: ['regression-loss', 'nonnegative'], roles: { prediction: 'x', target: 'y' } },
  bce_torch: { run: (a) => { const p = f32(a.tensor('x')); const t = f32(a.tensor('y')); let per = torchBce(p, tf.broadcastTo(t, p.shape)) as tf.Tensor; if (a.has('weight')) per = tf.mul(per, a.tensor('weight')); return reduced(per, a.str('reduction')); }, tags: ['log', 'prob-loss', 'binary', 'nonnegative'], roles: { prediction: 'x', target: 'y' } },
  bce_logits_torch: { run: (a) => {
    const x = f32(a.tensor('x'));
    const t = f32(a.tensor('y'));
    let per: tf.Tensor;
    if (a.has('pos_weight')) {
      const lw = tf.add(1, tf.mul(tf.sub(a.tensor('pos_weight'), 1), t));
      per = tf.add(tf.mul(tf.sub(1, t), x), tf.mul(lw, tf.add(tf.log1p(tf.exp(tf.neg(absSign(x)))), tf.relu(tf.neg(x)))));
    } else per = sigmoidCeWithLogits(t, x);
    if (a.has('weight')) per = tf.mul(per, a.tensor('weight'));
    return reduced(per, a.str('reduction'));
  }, tags: ['logits-loss', 'binary', 'nonnegative'], roles: { prediction: 'x', target: 'y' } },
  cross_entropy_torch: { run: (a) => crossEntropyTorch(f32(a.tensor('x')), f32(a.tensor('y')), a.num('label_smoothing', 0), a.str('reduction'), a.optTensor('weight'), a.num('ignore_index', -100)), tags: ['logits-loss', 'categorical', 'nonnegative'], roles: { prediction: 'x', target: 'y' } },
  nll_loss_torch: { run: (a) => {
    const x = f32(a.tensor('x'));
    const c = x.shape[x.rank === 1 ? 0 : 1] ?? 1;
    const t = a.tensor('y');
    const ignore = a.num('ignore_index', -100);
    const keep = tf.cast(tf.notEqual(detach(t), ignore), 'float32');
    const oh = oneHotLike(tf.where(tf.equal(detach(t), ignore), tf.zerosLike(t), t), c);
    const w = a.optTensor('weight');
    const ohw = w ? tf.mul(oh, tf.reshape(w, [c])) : oh;
    const xl = x.rank > 1 ? moveAxisLast(x, 1) : x;
    const per = tf.mul(tf.neg(tf.sum(tf.mul(ohw, xl), -1)), keep);
    if ((a.str('reduction') ?? 'mean') === 'mean') return tf.div(tf.sum(per), tf.sum(tf.mul(tf.sum(ohw, -1), keep)));
    return reduced(per, a.str('reduction'));
  }, tags: ['logprob-loss', 'categorical', 'sparse-labels'], roles: { prediction: 'x', target: 'y' } },
  kl_div_torch: { run: (a) => {
    const input = f32(a.tensor('x'));
    const target = f32(a.tensor('y'));
    const per = a.bool('log_target') ? tf.mul(tf.exp(target), tf.sub(target, input)) : tf.sub(xlogy(target, target), tf.mul(target, input));
    return reduced(per, a.str('reduction'), input.shape[0]);
  }, tags: ['logprob-loss'], roles: { prediction: 'x', target: 'y' } },
  cosine_similarity_torch: { run: (a) => cosineSimilarityTorch(a), tags: ['similarity', 'symmetric-unit'] },
  pairwise_distance_torch: { run: (a) => {
    const d = tf.add(tf.sub(f32(a.tensor('x')), f32(a.tensor('y'))), a.num('eps', 1e-6));
    return pnorm(d, a.num('p', 2), -1, a.bool('keepdims'));
  }, tags: ['sqrt', 'distance', 'nonnegative'] },
  bce_keras: { run: (a) => kerasBce(f32(a.tensor('y_true')), f32(a.tensor('y_pred')), a.bool('from_logits'), (a.axis('axis') as number | undefined) ?? -1, a.num('label_smoothing', 0)), tags: ['prob-loss', 'binary', 'nonnegative'], roles: { prediction: 'y_pred', target: 'y_true' } },
  bce_keras_backend: { run: (a) => kerasBceElementwise(f32(a.tensor('y_true')), f32(a.tensor('y_pred')), a.bool('from_logits')), tags: ['prob-loss', 'binary', 'nonnegative'], roles: { prediction: 'y_pred', target: 'y_true' } },
  cce_keras: { run: (a) => kerasCce(f32(a.tensor('y_true')), f32(a.tensor('y_pred')), a.bool('from_logits'), (a.axis('axis') as number | undefined) ?? -1, a.num('label_smoothing', 0)), tags: ['prob-loss', 'categorical', 'nonnegative'], roles: { prediction: 'y_pred', target: 'y_true' } },
  scce_keras: { run: (a) => { const p = f32(a.tensor('y_pred')); const oh = oneHotLike(tf.reshape(a.tensor('y_true'), p.shape.slice(0, -1)), p.shape[p.rank - 1]); return kerasCce(oh, p, a.bool('from_logits'), -1, 0); }, tags: ['prob-loss', 'categorical', 'sparse-labels', 'nonnegative'], roles: { prediction: 'y_pred', target: 'y_true' } },
  mse_keras: { run: (a) => tf.mean(tf.squaredDifference(f32(a.tensor('y_true')), f32(a.tensor('y_pred'))), -1), tags: ['regression-loss', 'nonnegative'], roles: { prediction: 'y_pred', target: 'y_true' } },
  mae_keras: { run: (a) => tf.mean(absSign(tf.sub(f32(a.tensor('y_true')), f32(a.tensor('y_pred')))), -1), tags: ['regression-loss', 'nonnegative'], roles: { prediction: 'y_pred', target: 'y_true' } },
  huber_keras: { run: (a) => tf.mean(huber(tf.sub(f32(a.tensor('y_pred')), f32(a.tensor('y_true'))), a.num('delta', 1)), -1), tags: ['regression-loss', 'nonnegative'], roles: { prediction: 'y_pred', target: 'y_true' } },
  log_cosh_keras: { run: (a) => { const d = tf.sub(f32(a.tensor('y_pred')), f32(a.tensor('y_true'))); return tf.mean(tf.sub(tf.add(d, tf.softplus(tf.mul(-2, d))), Math.LN2), -1); }, tags: ['regression-loss', 'nonnegative'], roles: { prediction: 'y_pred', target: 'y_true' } },
  kld_keras: { run: (a) => { const t = tf.clipByValue(f32(a.tensor('y_true')), 1e-7, 1); const p = tf.clipByValue(f32(a.tensor('y_pred')), 1e-7, 1); return tf.sum(tf.mul(t, tf.log(tf.div(t, p))), -1); }, tags: ['prob-loss', 'categorical'], roles: { prediction: 'y_pred', target: 'y_true' } },
  sigmoid_ce_logits_tf: { run: (a) => sigmoidCeWithLogits(f32(a.tensor('labels')), f32(a.tensor('logits'))), tags: ['logits-loss', 'binary', 'nonnegative'], roles: { prediction: 'logits', target: 'labels' } },
  softmax_ce_logits_tf: { run: (a) => tf.neg(tf.sum(tf.mul(f32(a.tensor('labels')), tf.logSoftmax(f32(a.tensor('logits')))), (a.axis('axis') as number | undefined) ?? -1)), tags: ['logits-loss', 'categorical', 'nonnegative'], roles: { prediction: 'logits', target: 'labels' } },
  sparse_softmax_ce_logits_tf: { run: (a) => { const z = f32(a.tensor('logits')); const oh = oneHotLike(a.tensor('labels'), z.shape[z.rank - 1] ?? 1); return tf.neg(tf.sum(tf.mul(oh, tf.logSoftmax(z)), -1)); }, tags: ['logits-loss', 'categorical', 'sparse-labels', 'nonnegative'], roles: { prediction: 'logits', target: 'labels' } },
  optax_softmax_ce: { run: (a) => tf.neg(tf.sum(tf.mul(f32(a.tensor('labels')), tf.logSoftmax(f32(a.tensor('logits')))), -1)), tags: ['logits-loss', 'categorical', 'nonnegative'], roles: { prediction: 'logits', target: 'labels' } },
  optax_sigmoid_bce: { run: (a) => sigmoidCeWithLogits(f32(a.tensor('labels')), f32(a.tensor('logits'))), tags: ['logits-loss', 'binary', 'nonnegative'], roles: { prediction: 'logits', target: 'labels' } },
  tfjs_loss: { run: (a) => tfjsLoss(a), roles: { prediction: 'predictions', target: 'labels' } },
  l2_loss_optax: { run: (a) => { const p = f32(a.tensor('x')); const t = a.optTensor('y'); return tf.mul(0.5, tf.square(t ? tf.sub(p, f32(t)) : p)); }, tags: ['nonnegative'] },
};

/** torch.nn.functional.softmax with dim=None picks dim 0 for 0-, 1- and 3-D input, else 1 (deprecated, still the behaviour). */
function legacySoftmaxDim(a: OpArgs, x: tf.Tensor): number {
  if (!a.bool('legacy_dim')) return -1;
  return x.rank === 0 || x.rank === 1 || x.rank === 3 ? 0 : 1;
}

export function norm(axis: number, rank: number): number {
  return axis < 0 ? rank + axis : axis;
}

export function moveAxisBack(t: tf.Tensor, axis: number): tf.Tensor {
  const rank = t.rank;
  const ax = norm(axis, rank);
  const perm: number[] = [];
  for (let i = 0, k = 0; i < rank; i++) perm.push(i === ax ? rank - 1 : k++);
  return tf.transpose(t, perm);
}

/** tf.losses.* of TF.js: the library's own numerics, weights and reduction (default: mean of non-zero weights = mean). */
function tfjsLoss(a: OpArgs): tf.Tensor {
  const kind = a.str('kind');
  const labels = f32(a.tensor('labels'));
  const predictions = f32(a.tensor('predictions'));
  let per: tf.Tensor;
  switch (kind) {
    case 'mse': per = tf.squaredDifference(labels, predictions); break;
    case 'mae': per = absSign(tf.sub(labels, predictions)); break;
    case 'huber': per = huber(tf.sub(predictions, labels), a.num('delta', 1)); break;
    case 'log': { const eps = a.num('epsilon', 1e-7); per = tf.neg(tf.add(tf.mul(labels, tf.log(tf.add(predictions, eps))), tf.mul(tf.sub(1, labels), tf.log(tf.add(tf.sub(1, predictions), eps))))); break; }
    case 'sigmoid_ce': { const ls = a.num('labelSmoothing', 0); per = sigmoidCeWithLogits(ls > 0 ? tf.add(tf.mul(labels, 1 - ls), 0.5 * ls) : labels, predictions); break; }
    case 'softmax_ce': { const ls = a.num('labelSmoothing', 0); const k = labels.shape[labels.rank - 1] ?? 1; per = tf.neg(tf.sum(tf.mul(ls > 0 ? tf.add(tf.mul(labels, 1 - ls), ls / k) : labels, tf.logSoftmax(predictions)), -1)); break; }
    case 'cosine': per = tf.sub(1, tf.sum(tf.mul(labels, predictions), (a.axis('axis') as number | undefined) ?? -1, true)); break;
    case 'hinge': { const l = tf.sub(tf.mul(2, labels), 1); per = tf.relu(tf.sub(1, tf.mul(l, predictions))); break; }
    default: throw new UnsupportedConstruct(`tf.losses.${kind}`, a.span);
  }
  // tfjs-core computeWeightedLoss: Reduction NONE = 0, MEAN = 1, SUM = 2, SUM_BY_NONZERO_WEIGHTS = 3 (the default).
  const reduction = a.num('reduction', 3);
  const weights = a.has('weights') ? f32(a.tensor('weights')) : undefined;
  const weighted = weights ? tf.mul(per, weights) : per;
  switch (reduction) {
    case 0: return weighted;
    case 2: return tf.sum(weighted);
    case 1: {
      if (!weights) return tf.mean(weighted);
      const factor = per.size / weights.size;
      const r = tf.div(tf.sum(weighted), tf.sum(weights));
      return factor > 1 ? tf.div(r, factor) : r;
    }
    case 3: {
      if (!weights) return tf.div(tf.sum(weighted), per.size);
      const nonZero = tf.sum(tf.cast(tf.notEqual(tf.mul(detach(weights), tf.ones(per.shape)), 0), 'float32'));
      return tf.div(tf.sum(weighted), nonZero);
    }
    default: throw new UserCodeError(`${a.op}: unknown reduction ${reduction}`, a.span);
  }
}
