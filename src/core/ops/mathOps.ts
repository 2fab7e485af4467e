// Arithmetic the first tables did not cover: einsum, pairwise distances, cumulative products,
// interpolation, the step function, x·log1p(y), entropy, JAX's sparse activations, and the cosine
// embedding loss. Each follows its framework's documented numerics and gradient conventions.
import * as tf from '@tensorflow/tfjs-core';
import { UserCodeError } from '../ir/errors';
import type { OpArgs } from './args';
import { diagonal } from './indexingOps';
import { absSign, detach, f32, moveAxisBack, moveAxisLast, reduced, t2, type OpImpl } from './implementations';
import { refuseLarger } from './sizeGuard';
import { withGradient } from './customGradient';

const MAX_ELEMENTS = 1e7;

/**
 * einsum by broadcasting: every operand is laid out over one shared list of subscripts (output ones
 * first), multiplied, and summed over the contracted subscripts. A subscript repeated within one
 * operand takes that operand's diagonal first. `...` stands for the leading broadcast dimensions.
 */
export function einsum(equation: string, operands: tf.Tensor[], op: string, span: OpArgs['span']): tf.Tensor {
  const eq = equation.replace(/\s+/g, '');
  const arrow = eq.indexOf('->');
  const lhs = arrow >= 0 ? eq.slice(0, arrow) : eq;
  const inputs = lhs.split(',');
  if (inputs.length !== operands.length) throw new UserCodeError(`${op}: '${equation}' names ${inputs.length} operands, got ${operands.length}`, span);
  const bad = (why: string): never => { throw new UserCodeError(`${op}: '${equation}': ${why}`, span); };
  const ellipsisDims = inputs.map((s, i) => (s.includes('...') ? operands[i].rank - (s.length - 3) : 0));
  if (ellipsisDims.some((d) => d < 0)) bad('more subscripts than dimensions');
  const nEll = Math.max(0, ...ellipsisDims);
  // Private characters for the ellipsis dimensions (never valid einsum letters).
  const ell = Array.from({ length: nEll }, (_, k) => String.fromCharCode(0x2460 + k));
  const terms = inputs.map((s, i) => s.replace('...', ell.slice(nEll - ellipsisDims[i]).join('')));
  terms.forEach((t, i) => {
    if (!/^[A-Za-z\u2460-\u24ff]*$/.test(t)) bad(`invalid subscripts '${inputs[i]}'`);
    if (t.length !== operands[i].rank) bad(`operand ${i} has ${operands[i].rank} dimensions, the subscripts ${inputs[i]} name ${t.length}`);
  });
  let out: string;
  if (arrow >= 0) out = eq.slice(arrow + 2).replace('...', ell.join(''));
  else {
    const counts = new Map<string, number>();
    for (const t of terms) for (const c of t) if (!ell.includes(c)) counts.set(c, (counts.get(c) ?? 0) + 1);
    out = ell.join('') + [...counts.entries()].filter(([, k]) => k === 1).map(([c]) => c).sort().join('');
  }
  if (new Set(out).size !== out.length) bad('a subscript repeats in the output');
  // Diagonals for subscripts repeated inside one operand.
  const xs = operands.map((o) => f32(o));
  for (let i = 0; i < terms.length; i++) {
    for (;;) {
      const t = terms[i];
      const q = [...t].findIndex((c, k) => t.indexOf(c) !== k);
      if (q < 0) break;
      const p = t.indexOf(t[q]);
      if (xs[i].shape[p] !== xs[i].shape[q]) bad(`subscript ${t[q]} has sizes ${xs[i].shape[p]} and ${xs[i].shape[q]}`);
      xs[i] = diagonal(xs[i], 0, p, q);
      terms[i] = [...t].filter((_, k) => k !== p && k !== q).join('') + t[q];
    }
  }
  const sizes = new Map<string, number>();
  terms.forEach((t, i) => [...t].forEach((c, k) => {
    const d = xs[i].shape[k];
    const prev = sizes.get(c);
    if (prev === undefined || prev === 1) sizes.set(c, d);
    else if (d !== prev && d !== 1) bad(`subscript ${c} has sizes ${prev} and ${d}`);
  }));
  for (const c of out) if (!sizes.has(c)) bad(`output subscript ${c} is not in any input`);
  const all = [...out, ...[...sizes.keys()].filter((c) => !out.includes(c))];
  refuseLarger(all.reduce((p, c) => p * (sizes.get(c) ?? 1), 1), MAX_ELEMENTS, op);
  let product: tf.Tensor | undefined;
  xs.forEach((x, i) => {
    const t = terms[i];
    const present = all.filter((c) => t.includes(c));
    const moved = present.length > 1 ? tf.transpose(x, present.map((c) => t.indexOf(c))) : x;
    const laid = tf.reshape(moved, all.map((c) => (t.includes(c) ? x.shape[t.indexOf(c)] : 1)));
    product = product ? tf.mul(product, laid) : laid;
  });
  const contracted = all.map((_, k) => k).slice(out.length);
  let result = contracted.length ? tf.sum(product!, contracted) : product!;
  // Broadcast size-1 output dimensions to their full size (an operand may have had 1 there).
  const full = [...out].map((c) => sizes.get(c)!);
  if (result.shape.some((d, k) => d !== full[k])) result = tf.broadcastTo(result, full);
  return result;
}

/** Zero-safe p-norm of the last axis: the value and gradient are 0 where every element is 0 (torch). */
function safeNormLast(d: tf.Tensor, p: number): tf.Tensor {
  if (p === Infinity) return tf.max(absSign(d), -1);
  if (p === 1) return tf.sum(absSign(d), -1);
  if (p === 0) return tf.sum(tf.cast(tf.notEqual(detach(d), 0), 'float32'), -1);
  const s = p === 2 ? tf.sum(tf.square(d), -1) : tf.sum(tf.pow(absSign(d), p), -1);
  const zero = tf.equal(detach(s), 0);
  const safe = tf.where(zero, tf.onesLike(s), s);
  return tf.where(zero, tf.zerosLike(s), p === 2 ? tf.sqrt(safe) : tf.pow(safe, 1 / p));
}

/** torch.cdist(x1 (…, P, M), x2 (…, R, M), p): (…, P, R) distances; zero distance has zero gradient. */
function cdist(a: OpArgs): tf.Tensor {
  const x1 = f32(a.tensor('x'));
  const x2 = f32(a.tensor('y'));
  if (x1.rank < 2 || x2.rank < 2) throw new UserCodeError(`${a.op} needs at least 2-D inputs`, a.span);
  if (x1.shape[x1.rank - 1] !== x2.shape[x2.rank - 1]) throw new UserCodeError(`${a.op}: inputs differ in their last dimension`, a.span);
  const p = a.num('p', 2);
  if (p < 0) throw new UserCodeError(`${a.op}: p must be non-negative`, a.span);
  const m = x1.shape[x1.rank - 1];
  refuseLarger(x1.size / m * x2.shape[x2.rank - 2] * m, MAX_ELEMENTS, a.op);
  const diff = tf.sub(tf.expandDims(x1, -2), tf.expandDims(x2, -3));
  return safeNormLast(diff, p);
}

/** Cumulative product by doubling (Hillis–Steele): log2(n) exact multiplications, differentiable, zeros included. */
function cumprodLast(x: tf.Tensor): tf.Tensor {
  const n = x.shape[x.rank - 1];
  let y = x;
  for (let d = 1; d < n; d *= 2) {
    const lead = x.shape.slice(0, -1);
    const shifted = tf.concat([tf.ones([...lead, d]), tf.slice(y, x.shape.map(() => 0), [...lead, n - d])], x.rank - 1);
    y = tf.mul(y, shifted);
  }
  return y;
}

function cumprod(a: OpArgs): tf.Tensor {
  let x = f32(a.tensor('x'));
  const ax = a.axis('axis');
  if (ax === undefined && a.bool('flatten_default')) x = tf.reshape(x, [-1]);
  if (x.rank === 0) return x;
  const axis = (Array.isArray(ax) ? ax[0] : ax) ?? 0;
  const k = axis < 0 ? x.rank + axis : axis;
  if (k < 0 || k >= x.rank) throw new UserCodeError(`${a.op}: axis ${axis} is out of range`, a.span);
  let t = k === x.rank - 1 ? x : moveAxisLast(x, k);
  if (a.bool('reverse')) t = tf.reverse(t, -1);
  let y = cumprodLast(t);
  if (a.bool('exclusive')) {
    const lead = t.shape.slice(0, -1);
    const n = t.shape[t.rank - 1];
    y = tf.concat([tf.ones([...lead, 1]), tf.slice(y, t.shape.map(() => 0), [...lead, n - 1])], t.rank - 1);
  }
  if (a.bool('reverse')) y = tf.reverse(y, -1);
  return k === x.rank - 1 ? y : moveAxisBack(y, k);
}

/** xlog1py(x, y) = x·log1p(y), 0 where x = 0; d/dx = log1p(y) everywhere (torch and JAX), d/dy = x/(1+y). */
function xlog1py(x: tf.Tensor, y: tf.Tensor): tf.Tensor {
  const zero = tf.equal(detach(x), 0);
  const safeY = tf.where(zero, tf.zerosLike(y), y);
  const value = tf.mul(x, tf.log1p(safeY));
  // Adds log1p(y)·(x − x) = 0 in value, log1p(y) in d/dx where x = 0 (the masked branch would give 0).
  return tf.add(value, tf.mul(tf.sub(x, detach(x)), tf.where(zero, tf.log1p(y), tf.zerosLike(y))));
}

/** torch.nn.functional.cosine_embedding_loss (ATen Loss.cpp): cos over the feature dim with 1e-12 added to each squared norm. */
function cosineEmbeddingLoss(a: OpArgs): tf.Tensor {
  const x1 = f32(a.tensor('x'));
  const x2 = f32(a.tensor('y'));
  const target = detach(f32(a.tensor('target')));
  const margin = a.num('margin', 0);
  const dim = x1.rank === 1 ? 0 : 1;
  const eps = 1e-12;
  const prod = tf.sum(tf.mul(x1, x2), dim);
  const m1 = tf.add(tf.sum(tf.mul(x1, x1), dim), eps);
  const m2 = tf.add(tf.sum(tf.mul(x2, x2), dim), eps);
  const cos = tf.div(prod, tf.sqrt(tf.mul(m1, m2)));
  const zeros = tf.zerosLike(cos);
  const pos = tf.where(tf.equal(target, 1), tf.sub(1, cos), zeros);
  const neg = tf.where(tf.equal(target, -1), tf.relu(tf.sub(cos, margin)), zeros);
  return reduced(tf.add(pos, neg), a.str('reduction'));
}

function entropy(x: tf.Tensor, nanBelowZero: boolean): () => tf.Tensor {
  const f = withGradient(
    ([t]) => tf.where(tf.greater(t, 0), tf.neg(tf.mul(t, tf.log(tf.where(tf.greater(t, 0), t, tf.onesLike(t))))), tf.where(tf.equal(t, 0), tf.zerosLike(t), tf.fill(t.shape, -Infinity))),
    (dy, [t]) => [tf.mul(dy, tf.where(tf.less(t, 0), tf.fill(t.shape, nanBelowZero ? NaN : 0), tf.neg(tf.add(1, tf.log(t)))))],
  );
  return () => f(x);
}

export const mathOps: Record<string, OpImpl> = {
  einsum: { run: (a) => {
    const eq = a.str('equation');
    if (eq === undefined) throw new UserCodeError(`${a.op}: the equation is required`, a.span);
    let items = a.list('operands');
    if (items.length === 1 && (items[0].t === 'list' || items[0].t === 'tuple')) items = items[0].items;
    return einsum(eq, items.map((v) => a.asTensor(v)), a.op, a.span);
  } },
  cdist: { run: (a) => cdist(a), tags: ['sqrt', 'distance'] },
  cumprod: { run: (a) => cumprod(a) },
  lerp: { run: (a) => {
    const x = f32(a.tensor('x'));
    const end = f32(a.tensor('y'));
    const w = a.numOrTensor('weight');
    if (w === undefined) throw new UserCodeError(`${a.op}: weight is required`, a.span);
    return tf.add(x, tf.mul(typeof w === 'number' ? w : f32(w), tf.sub(end, x)));
  } },
  // torch.heaviside / numpy.heaviside: 0 below zero, `values` at zero, 1 above; no derivative.
  heaviside: { run: (a) => {
    const x = detach(f32(a.tensor('x')));
    const v = detach(f32(a.tensor('y')));
    return tf.where(tf.greater(x, 0), tf.onesLike(x), tf.where(tf.equal(x, 0), tf.broadcastTo(v, x.shape), tf.zerosLike(x)));
  }, tags: ['nondiff'] },
  // x · log1p(y): the log is of the second argument, shifted by 1 (as xlogy's, with log1p).
  xlog1py: t2(xlog1py, ['weighted-log', 'log1p']),
  // entr(x) = -x log x for x > 0, 0 at 0, -inf below (SciPy, JAX, torch.special.entr). The derivative
  // -(1 + log x) is +inf at 0; below 0 torch's is NaN (its formula), JAX's 0 (a constant branch).
  entr: { run: (a) => entropy(f32(a.tensor('x')), a.bool('nan_below_zero'))(), tags: ['log'] },
  // jax.nn.sparse_plus: 0 for x <= -1, (x + 1)²/4 inside, x for x >= 1.
  sparse_plus: { run: (a) => {
    const x = f32(a.tensor('x'));
    const d = detach(x);
    return tf.where(tf.lessEqual(d, -1), tf.zerosLike(x), tf.where(tf.greaterEqual(d, 1), x, tf.div(tf.square(tf.add(x, 1)), 4)));
  } },
  // jax.nn.sparse_sigmoid: 0.5 · clip(x + 1, 0, 2).
  sparse_sigmoid: { run: (a) => tf.mul(0.5, tf.clipByValue(tf.add(f32(a.tensor('x')), 1), 0, 2)) },
  cosine_embedding_loss: { run: (a) => cosineEmbeddingLoss(a) },
  /** tf.matmul(a, b, transpose_a, transpose_b, adjoint_a, adjoint_b): adjoints are transposes for real tensors. */
  matmul_tf: { run: (a) => {
    const x = f32(a.tensor('x'));
    const y = f32(a.tensor('y'));
    return tf.matMul(x, y, a.bool('transpose_a') || a.bool('adjoint_a'), a.bool('transpose_b') || a.bool('adjoint_b'));
  }, tags: ['matmul'] },
  // keras.backend.floatx() / keras.config.floatx(): the default float type's name.
  floatx: { run: () => ({ t: 'str', v: 'float32' }) },
  // torch.nn.functional.threshold: x where x > threshold, else value.
  threshold: { run: (a) => { const x = f32(a.tensor('x')); return tf.where(tf.greater(detach(x), a.num('threshold')), x, tf.fill(x.shape, a.num('value'))); } },
  /** numpy.average: the weighted mean sum(a·w) / sum(w) over an axis (the plain mean without weights). */
  average: { run: (a) => {
    const x = f32(a.tensor('x'));
    const raw = a.axis('axis');
    const axes = raw === undefined ? undefined : Array.isArray(raw) ? raw : [raw];
    const keep = a.bool('keepdims');
    const w = a.optTensor('weights');
    if (a.bool('returned')) throw new UserCodeError(`${a.op}(returned=True) is not supported`, a.span);
    if (!w) return tf.mean(x, axes, keep);
    // A 1-D weight for one axis lines up with that axis (NumPy).
    let wt = f32(w);
    if (wt.rank === 1 && x.rank > 1 && axes?.length === 1) {
      const ax = axes[0] < 0 ? x.rank + axes[0] : axes[0];
      wt = tf.reshape(wt, x.shape.map((d, k) => (k === ax ? d : 1)));
    }
    const wb = tf.broadcastTo(wt, x.shape);
    return tf.div(tf.sum(tf.mul(x, wb), axes, keep), tf.sum(wb, axes, keep));
  } },
};
