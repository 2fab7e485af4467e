// Ops that pick, move and rearrange elements: gather/scatter along an axis, sorting and top-k,
// diagonals and triangles, flips, rolls, differences, splits and windows. Indices never carry a
// gradient (the frameworks' index arguments are integers); the values they select do, through
// TF.js's gather and unsorted-segment-sum, whose gradients are registered.
import * as tf from '@tensorflow/tfjs-core';
import { UnsupportedConstruct, UserCodeError } from '../ir/errors';
import type { Value } from '../ir/values';
import type { OpArgs } from './args';
import { detach, f32, moveAxisLast, norm, type OpImpl } from './implementations';
import { refuseLarger } from './sizeGuard';
import { withGradient } from './customGradient';

const MAX_ELEMENTS = 1e7;

const tensorValue = (v: tf.Tensor): Value => ({ t: 'tensor', v });

/** An axis argument as one non-negative axis. */
export function oneAxis(a: OpArgs, name: string, rank: number, fallback?: number): number {
  const ax = a.axis(name);
  const v = ax === undefined ? fallback : Array.isArray(ax) ? (ax.length === 1 ? ax[0] : NaN) : ax;
  if (v === undefined) throw new UserCodeError(`${a.op}: argument '${name}' is required`, a.span);
  const r = Math.max(rank, 1);
  if (!Number.isInteger(v) || v < -r || v >= r) throw new UserCodeError(`${a.op}: axis ${v} is out of range for a tensor of rank ${rank}`, a.span);
  return norm(v, r);
}

/** Several axes (an int or a tuple), non-negative; undefined → fallback. */
export function axesOf(a: OpArgs, name: string, rank: number, fallback: number[]): number[] {
  const ax = a.axis(name);
  if (ax === undefined) return fallback;
  const list = Array.isArray(ax) ? ax : [ax];
  for (const v of list) if (!Number.isInteger(v) || v < -rank || v >= Math.max(rank, 1)) throw new UserCodeError(`${a.op}: axis ${v} is out of range for a tensor of rank ${rank}`, a.span);
  return list.map((v) => norm(v, rank));
}

/** Integer index values (detached), wrapped for negative indices when `size` is given. */
function indexData(t: tf.Tensor, size?: number): Int32Array {
  const raw = detach(t).dataSync();
  const out = new Int32Array(raw.length);
  for (let i = 0; i < raw.length; i++) {
    const v = Math.trunc(raw[i]);
    out[i] = size !== undefined && v < 0 ? v + size : v;
  }
  return out;
}

function stridesOf(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length).fill(1);
  for (let d = shape.length - 2; d >= 0; d--) s[d] = s[d + 1] * shape[d + 1];
  return s;
}

/** Row-major coordinates of a flat position. */
function coords(p: number, strides: readonly number[]): number[] {
  return strides.map((st) => {
    const c = Math.floor(p / st);
    p -= c * st;
    return c;
  });
}

/**
 * Flat positions in `x` of an along-axis gather (torch.gather, numpy take_along_axis): out[p] =
 * x[p with coordinate `axis` replaced by index[p]]. Dimensions other than `axis` broadcast (NumPy);
 * torch's index is never larger than the input there, which is the same rule.
 */
function alongAxisPositions(xShape: readonly number[], idxShape: readonly number[], index: Int32Array, axis: number, op: string, span: OpArgs['span']): { positions: Int32Array; shape: number[] } {
  if (idxShape.length !== xShape.length) throw new UserCodeError(`${op}: the index has ${idxShape.length} dimensions, the input ${xShape.length}`, span);
  const shape = xShape.map((d, k) => {
    if (k === axis) return idxShape[k];
    if (idxShape[k] === d || idxShape[k] === 1) return d;
    if (d === 1) return idxShape[k];
    if (idxShape[k] < d) return idxShape[k];
    throw new UserCodeError(`${op}: index size ${idxShape[k]} does not fit input size ${d} in dimension ${k}`, span);
  });
  const n = shape.reduce((p, q) => p * q, 1);
  refuseLarger(n, MAX_ELEMENTS, op);
  const outStrides = stridesOf(shape);
  const idxStrides = stridesOf(idxShape);
  const xStrides = stridesOf(xShape);
  const positions = new Int32Array(n);
  const size = xShape[axis];
  for (let p = 0; p < n; p++) {
    const c = coords(p, outStrides);
    let ip = 0;
    for (let k = 0; k < c.length; k++) ip += (idxShape[k] === 1 ? 0 : c[k]) * idxStrides[k];
    let j = index[ip];
    if (j < 0) j += size;
    if (j < 0 || j >= size) throw new UserCodeError(`${op}: index ${index[ip]} is out of bounds for size ${size}`, span);
    let xp = 0;
    for (let k = 0; k < c.length; k++) xp += (k === axis ? j : xShape[k] === 1 ? 0 : c[k]) * xStrides[k];
    positions[p] = xp;
  }
  return { positions, shape };
}

export function gatherAlong(x: tf.Tensor, index: tf.Tensor, axis: number, op: string, span: OpArgs['span']): tf.Tensor {
  const { positions, shape } = alongAxisPositions(x.shape, index.shape, indexData(index), axis, op, span);
  return tf.reshape(tf.gather(tf.reshape(x, [-1]), tf.tensor1d(positions, 'int32')), shape);
}

/** torch.scatter / scatter_add (out of place): src (or a scalar value) written at index along dim. */
function scatter(a: OpArgs, add: boolean): tf.Tensor {
  const x = f32(a.tensor('x'));
  const axis = oneAxis(a, 'axis', x.rank);
  const index = a.tensor('index');
  if (index.rank !== x.rank) throw new UserCodeError(`${a.op}: the index has ${index.rank} dimensions, the input ${x.rank}`, a.span);
  const reduceMode = a.str('reduce');
  if (reduceMode !== undefined && reduceMode !== 'add' && reduceMode !== 'sum') throw new UnsupportedConstruct(`${a.op}(reduce='${reduceMode}')`, a.span);
  const accumulate = add || reduceMode !== undefined;
  const idx = indexData(index);
  const n = index.size;
  const idxStrides = stridesOf(index.shape);
  const xStrides = stridesOf(x.shape);
  const targets = new Int32Array(n);
  for (let p = 0; p < n; p++) {
    const c = coords(p, idxStrides);
    let j = idx[p];
    if (j < 0) j += x.shape[axis];
    if (j < 0 || j >= x.shape[axis]) throw new UserCodeError(`${a.op}: index ${idx[p]} is out of bounds for size ${x.shape[axis]}`, a.span);
    let t = 0;
    for (let k = 0; k < c.length; k++) {
      if (k !== axis && c[k] >= x.shape[k]) throw new UserCodeError(`${a.op}: index is larger than the input in dimension ${k}`, a.span);
      t += (k === axis ? j : c[k]) * xStrides[k];
    }
    targets[p] = t;
  }
  const srcValue = a.value('src') ?? a.value('value');
  if (!srcValue) throw new UserCodeError(`${a.op}: needs src or value`, a.span);
  let src: tf.Tensor;
  if (srcValue.t === 'num' || srcValue.t === 'bool') src = tf.fill(index.shape, srcValue.t === 'num' ? srcValue.v : Number(srcValue.v));
  else {
    const s = f32(a.asTensor(srcValue));
    if (s.rank === 0) src = tf.broadcastTo(s, index.shape);
    else {
      if (s.rank !== index.rank || s.shape.some((d, k) => d < index.shape[k])) throw new UserCodeError(`${a.op}: src is smaller than the index`, a.span);
      // torch reads src at the index's own coordinates (src may be larger).
      src = tf.slice(s, s.shape.map(() => 0), index.shape);
    }
  }
  const ids = tf.tensor1d(targets, 'int32');
  const summed = tf.reshape(tf.unsortedSegmentSum(tf.reshape(src, [-1]), ids, x.size), x.shape);
  if (accumulate) return tf.add(x, summed);
  // Plain scatter: where an index repeats, torch keeps one of the writes (unspecified which); here
  // their mean, which is each of them when they agree.
  const counts = tf.reshape(tf.unsortedSegmentSum(tf.ones([n]), ids, x.size), x.shape);
  const hit = tf.greater(counts, 0);
  return tf.where(hit, tf.div(summed, tf.maximum(counts, 1)), x);
}

/** Indices that sort `x` along `axis` (detached), as int32 with the same shape. */
function sortIndices(x: tf.Tensor, axis: number, descending: boolean): tf.Tensor {
  const last = moveAxisLast(detach(f32(x)), axis);
  const n = last.shape[last.rank - 1];
  // tf.topk is stable for equal values (lower index first); ascending order sorts the negation.
  const { indices } = tf.topk(descending ? last : tf.neg(last), n, true);
  return moveAxisBackTo(indices, axis);
}

function moveAxisBackTo(t: tf.Tensor, axis: number): tf.Tensor {
  const rank = t.rank;
  const perm: number[] = [];
  for (let i = 0, k = 0; i < rank; i++) perm.push(i === axis ? rank - 1 : k++);
  return tf.transpose(t, perm);
}

function topkIndices(x: tf.Tensor, k: number, axis: number, largest: boolean, a: OpArgs): tf.Tensor {
  const last = moveAxisLast(detach(f32(x)), axis);
  const n = last.shape[last.rank - 1] ?? 1;
  if (!Number.isInteger(k) || k < 0 || k > n) throw new UserCodeError(`${a.op}: k=${k} is out of range for a dimension of size ${n}`, a.span);
  const { indices } = tf.topk(largest ? last : tf.neg(last), k, true);
  return moveAxisBackTo(indices, axis);
}

function sortLike(a: OpArgs, what: 'values' | 'both' | 'indices'): Value {
  const x = f32(a.tensor('x'));
  if (x.rank === 0) return what === 'indices' ? tensorValue(tf.zeros([])) : what === 'values' ? tensorValue(x) : { t: 'tuple', items: [tensorValue(x), tensorValue(tf.zeros([]))] };
  const flat = a.bool('flatten_none') && a.value('axis') === undefined && a.values.has('axis');
  const src = flat ? tf.reshape(x, [-1]) : x;
  const axis = flat ? 0 : oneAxis(a, 'axis', src.rank, -1);
  const descending = a.bool('descending') || (a.str('direction') ?? '').toUpperCase() === 'DESCENDING';
  const idx = sortIndices(src, axis, descending);
  if (what === 'indices') return tensorValue(tf.cast(idx, 'float32'));
  const values = gatherAlong(src, idx, axis, a.op, a.span);
  if (what === 'values') return tensorValue(values);
  return { t: 'tuple', items: [tensorValue(values), tensorValue(tf.cast(idx, 'float32'))] };
}

function topk(a: OpArgs): Value {
  const x = f32(a.tensor('x'));
  const axis = oneAxis(a, 'axis', x.rank, -1);
  const idx = topkIndices(x, a.num('k', 1), axis, a.bool('largest', true), a);
  const values = gatherAlong(x, idx, axis, a.op, a.span);
  const indices = tf.cast(idx, 'float32');
  if (a.bool('as_object')) {
    // TF.js returns {values, indices}.
    return { t: 'dict', map: new Map([['s:values', tensorValue(values)], ['s:indices', tensorValue(indices)]]), keys: new Map([['s:values', { t: 'str', v: 'values' }], ['s:indices', { t: 'str', v: 'indices' }]]) };
  }
  return { t: 'tuple', items: [tensorValue(values), tensorValue(indices)] };
}

/** Flat positions of the diagonal of the last two axes (offset k), for an n×m matrix. */
function diagonalPositions(n: number, m: number, k: number): number[] {
  const out: number[] = [];
  for (let i = Math.max(0, -k); i < n && i + k < m; i++) out.push(i * m + i + k);
  return out;
}

/** The diagonal of axes (d1, d2), moved to the last axis (torch.diagonal, numpy.diagonal). */
export function diagonal(x: tf.Tensor, offset: number, d1: number, d2: number): tf.Tensor {
  if (d1 === d2) throw new Error('diagonal axes must differ');
  const rest = [...Array(x.rank).keys()].filter((k) => k !== d1 && k !== d2);
  const moved = tf.transpose(x, [...rest, d1, d2]);
  const n = x.shape[d1];
  const m = x.shape[d2];
  const lead = rest.map((k) => x.shape[k]);
  const pos = diagonalPositions(n, m, offset);
  const flat = tf.reshape(moved, [...lead, n * m]);
  if (pos.length === 0) return tf.zeros([...lead, 0]);
  return tf.gather(flat, tf.tensor1d(pos, 'int32'), lead.length);
}

/** A (batch of) vector(s) placed on the k-th diagonal of square matrices over the last axis. */
function diagMatrix(v: tf.Tensor, k: number): tf.Tensor {
  const len = v.shape[v.rank - 1];
  const size = len + Math.abs(k);
  checkElements(v.size / Math.max(len, 1) * size * size);
  // Gather from [v, 0]: every off-diagonal position reads the appended zero.
  const padded = tf.concat([v, tf.zeros([...v.shape.slice(0, -1), 1])], v.rank - 1);
  const idx = new Int32Array(size * size).fill(len);
  for (let i = 0; i < len; i++) {
    const r = k >= 0 ? i : i - k;
    const c = k >= 0 ? i + k : i;
    idx[r * size + c] = i;
  }
  const g = tf.gather(padded, tf.tensor1d(idx, 'int32'), v.rank - 1);
  return tf.reshape(g, [...v.shape.slice(0, -1), size, size]);
}

function checkElements(n: number): void {
  refuseLarger(n, MAX_ELEMENTS, 'a diagonal matrix');
}

/** Lower (upper) triangle of the last two axes: element (i, j) kept where j - i <= k (>= k). */
function triangle(x: tf.Tensor, k: number, lower: boolean): tf.Tensor {
  if (x.rank < 2) throw new UserCodeError('tril/triu need at least two dimensions', undefined);
  const n = x.shape[x.rank - 2];
  const m = x.shape[x.rank - 1];
  const mask = new Uint8Array(n * m);
  for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) mask[i * m + j] = lower ? (j - i <= k ? 1 : 0) : (j - i >= k ? 1 : 0);
  const keep = tf.tensor2d(mask, [n, m], 'bool');
  return tf.where(tf.broadcastTo(keep, x.shape), x, tf.zerosLike(x));
}

/** tf.linalg.band_part: keep (i, j) where (lower < 0 or i - j <= lower) and (upper < 0 or j - i <= upper). */
function bandPart(x: tf.Tensor, lower: number, upper: number): tf.Tensor {
  const n = x.shape[x.rank - 2];
  const m = x.shape[x.rank - 1];
  const mask = new Uint8Array(n * m);
  for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) mask[i * m + j] = (lower < 0 || i - j <= lower) && (upper < 0 || j - i <= upper) ? 1 : 0;
  return tf.where(tf.broadcastTo(tf.tensor2d(mask, [n, m], 'bool'), x.shape), x, tf.zerosLike(x));
}

/** Roll along one axis by `shift` (positive: towards higher indices). */
function rollAxis(x: tf.Tensor, shift: number, axis: number): tf.Tensor {
  const n = x.shape[axis];
  if (n === 0) return x;
  const s = ((shift % n) + n) % n;
  if (s === 0) return x;
  const begin = x.shape.map(() => 0);
  const size = [...x.shape];
  const head = tf.slice(x, Object.assign([...begin], { [axis]: n - s }), Object.assign([...size], { [axis]: s }));
  const tail = tf.slice(x, begin, Object.assign([...size], { [axis]: n - s }));
  return tf.concat([head, tail], axis);
}

function sliceAxis(x: tf.Tensor, axis: number, start: number, length: number): tf.Tensor {
  const begin = x.shape.map((_, k) => (k === axis ? start : 0));
  const size = x.shape.map((d, k) => (k === axis ? length : d));
  return tf.slice(x, begin, size);
}

/** numpy.moveaxis / torch.movedim: the permutation that puts each source axis at its destination. */
function moveAxes(x: tf.Tensor, source: number[], destination: number[], a: OpArgs): tf.Tensor {
  if (source.length !== destination.length) throw new UserCodeError(`${a.op}: source and destination need the same number of axes`, a.span);
  const order = [...Array(x.rank).keys()].filter((k) => !source.includes(k));
  const pairs = destination.map((d, i) => [d, source[i]] as const).sort((p, q) => p[0] - q[0]);
  for (const [d, s] of pairs) order.splice(d, 0, s);
  return tf.transpose(x, order);
}

/** Sizes of the pieces of a split, by each framework's convention. */
function splitSizes(a: OpArgs, n: number): number[] {
  const mode = a.str('mode');
  const v = a.value('sections');
  if (!v) throw new UserCodeError(`${a.op}: how to split is required`, a.span);
  const ints = (items: Value[]): number[] => items.map((i) => (i.t === 'num' ? i.v : NaN));
  const list = v.t === 'list' || v.t === 'tuple' ? ints(v.items) : v.t === 'tensor' && v.v.rank === 1 ? Array.from(v.v.dataSync()) : undefined;
  const count = list ? undefined : a.num('sections');
  if (mode === 'torch_split') {
    // torch.split: an int is the size of each chunk (the last may be smaller); a list is the sizes.
    if (list) return list;
    const size = count!;
    if (!(size > 0)) throw new UserCodeError(`${a.op}: split size must be positive`, a.span);
    const out: number[] = [];
    for (let s = 0; s < n; s += size) out.push(Math.min(size, n - s));
    return out.length ? out : [0];
  }
  if (mode === 'torch_chunk') {
    const chunks = count ?? NaN;
    if (!(chunks > 0)) throw new UserCodeError(`${a.op}: chunks must be positive`, a.span);
    const size = Math.ceil(n / chunks);
    const out: number[] = [];
    for (let s = 0; s < n; s += size) out.push(Math.min(size, n - s));
    return out.length ? out : [0];
  }
  if (mode === 'numpy') {
    // numpy.split: an int is a number of equal sections; a list is the split indices.
    if (list) {
      const bounds = [0, ...list.map((i) => Math.min(Math.max(i < 0 ? i + n : i, 0), n)), n];
      return bounds.slice(1).map((b, i) => Math.max(0, b - bounds[i]));
    }
    if (n % count! !== 0) throw new UserCodeError(`${a.op}: an axis of size ${n} does not split into ${count} equal sections`, a.span);
    return new Array<number>(count!).fill(n / count!);
  }
  // tf.split (TF, TF.js): an int is a number of equal sections; a list is the sizes (one may be -1).
  if (list) {
    const known = list.filter((s) => s >= 0).reduce((p, q) => p + q, 0);
    return list.map((s) => (s < 0 ? n - known : s));
  }
  if (n % count! !== 0) throw new UserCodeError(`${a.op}: an axis of size ${n} does not split into ${count} equal sections`, a.span);
  return new Array<number>(count!).fill(n / count!);
}

function split(a: OpArgs): Value {
  const x = f32(a.tensor('x'));
  const axis = oneAxis(a, 'axis', x.rank, 0);
  const sizes = splitSizes(a, x.shape[axis]);
  if (sizes.reduce((p, q) => p + q, 0) !== x.shape[axis] || sizes.some((s) => !Number.isInteger(s) || s < 0)) {
    throw new UserCodeError(`${a.op}: sizes [${sizes.join(', ')}] do not add up to the axis size ${x.shape[axis]}`, a.span);
  }
  let start = 0;
  const parts = sizes.map((s) => {
    const p = sliceAxis(x, axis, start, s);
    start += s;
    return tensorValue(p);
  });
  return { t: a.str('mode')?.startsWith('torch') ? 'tuple' : 'list', items: parts };
}

/** numpy.repeat / torch.repeat_interleave / tf.repeat: each element repeated along an axis. */
function repeatElements(a: OpArgs): tf.Tensor {
  let x = f32(a.tensor('x'));
  let axis: number;
  if (a.value('axis') === undefined) {
    x = tf.reshape(x, [-1]);
    axis = 0;
  } else axis = oneAxis(a, 'axis', x.rank);
  const n = x.shape[axis];
  const r = a.value('repeats');
  const reps = r?.t === 'list' || r?.t === 'tuple' ? r.items.map((i) => (i.t === 'num' ? i.v : NaN)) : r?.t === 'tensor' && r.v.size > 1 ? Array.from(r.v.dataSync()) : new Array<number>(n).fill(a.num('repeats'));
  if (reps.length !== n || reps.some((k) => !Number.isInteger(k) || k < 0)) throw new UserCodeError(`${a.op}: repeats must be ${n} non-negative integers`, a.span);
  const idx: number[] = [];
  reps.forEach((k, i) => { for (let j = 0; j < k; j++) idx.push(i); });
  refuseLarger(x.size / Math.max(n, 1) * idx.length, MAX_ELEMENTS, a.op);
  return tf.gather(x, tf.tensor1d(idx, 'int32'), axis);
}

/** Tensor.unfold(dimension, size, step): sliding windows along a dimension, as a new last axis. */
function unfold(a: OpArgs): tf.Tensor {
  const x = f32(a.tensor('x'));
  const axis = oneAxis(a, 'axis', x.rank);
  const size = a.num('size');
  const step = a.num('step');
  const n = x.rank === 0 ? 1 : x.shape[axis];
  if (!(size > 0 && size <= n && step > 0)) throw new UserCodeError(`${a.op}: size ${size} and step ${step} do not fit a dimension of ${n}`, a.span);
  const windows = Math.floor((n - size) / step) + 1;
  const idx: number[][] = [];
  for (let w = 0; w < windows; w++) idx.push(Array.from({ length: size }, (_, j) => w * step + j));
  refuseLarger(x.size / n * windows * size, MAX_ELEMENTS, a.op);
  if (x.rank === 0) return tf.reshape(x, [1]);
  const g = tf.gather(x, tf.tensor2d(idx, [windows, size], 'int32'), axis);
  // gather put (windows, size) at `axis`; torch keeps windows there and appends the window axis.
  const perm = [...Array(g.rank).keys()].filter((k) => k !== axis + 1).concat([axis + 1]);
  return tf.transpose(g, perm);
}

function gatherNd(a: OpArgs): tf.Tensor {
  const x = f32(a.tensor('x'));
  const idx = a.tensor('indices');
  if (a.num('batch_dims', 0) !== 0) throw new UnsupportedConstruct(`${a.op}(batch_dims=...)`, a.span);
  const depth = idx.shape[idx.rank - 1];
  if (depth > x.rank) throw new UserCodeError(`${a.op}: index depth ${depth} exceeds the rank ${x.rank}`, a.span);
  const lead = x.shape.slice(0, depth);
  const rest = x.shape.slice(depth);
  const data = indexData(idx);
  const count = data.length / Math.max(depth, 1);
  const linear = new Int32Array(count);
  const st = stridesOf(lead);
  for (let p = 0; p < count; p++) {
    let l = 0;
    for (let k = 0; k < depth; k++) {
      const v = data[p * depth + k];
      if (v < 0 || v >= lead[k]) throw new UserCodeError(`${a.op}: index ${v} is out of bounds for size ${lead[k]}`, a.span);
      l += v * st[k];
    }
    linear[p] = l;
  }
  const flat = tf.reshape(x, [lead.reduce((p, q) => p * q, 1), ...rest]);
  return tf.reshape(tf.gather(flat, tf.tensor1d(linear, 'int32')), [...idx.shape.slice(0, -1), ...rest]);
}

/** Gather whole slices at integer indices along an axis (torch.index_select, numpy.take, tf.gather). */
function take(a: OpArgs): tf.Tensor {
  let x = f32(a.tensor('x'));
  let axis: number;
  if (a.value('axis') === undefined && a.bool('flatten_none')) {
    x = tf.reshape(x, [-1]);
    axis = 0;
  } else axis = oneAxis(a, 'axis', x.rank, 0);
  const iv = a.value('indices');
  const idx = iv?.t === 'num' ? tf.scalar(iv.v, 'int32') : a.tensor('indices');
  const data = indexData(idx, x.shape[axis]);
  for (const v of data) if (v < 0 || v >= x.shape[axis]) throw new UserCodeError(`${a.op}: index out of bounds for size ${x.shape[axis]}`, a.span);
  const batchDims = a.num('batch_dims', 0);
  refuseLarger(x.size / Math.max(x.shape[axis], 1) * Math.max(idx.size, 1), MAX_ELEMENTS, a.op);
  return tf.gather(x, tf.tensor(data, idx.shape, 'int32'), axis, batchDims);
}

/**
 * where(mask, fill, x) with a selecting backward, as torch's masked_fill (grad.masked_fill(mask, 0)):
 * a NaN arriving at a filled position stays there. TF.js's where gradient multiplies by the mask and
 * would let it through as NaN. The mask (0/1) is an input so it outlives the forward pass's scope.
 */
const maskedSelect = withGradient(
  ([x, fill, m]) => tf.where(tf.greater(m, 0.5), fill, x),
  (dy, [x, fill, m]) => {
    const on = tf.greater(m, 0.5);
    return [tf.where(on, tf.zerosLike(x), dy), tf.where(on, dy, tf.zerosLike(fill)), tf.zerosLike(m)];
  },
);

export const indexingOps: Record<string, OpImpl> = {
  gather_along: { run: (a) => { const x = f32(a.tensor('x')); return gatherAlong(x, a.tensor('index'), oneAxis(a, 'axis', x.rank), a.op, a.span); }, tags: ['transparent'] },
  take_along_axis: { run: (a) => {
    let x = f32(a.tensor('x'));
    let index = a.tensor('index');
    // numpy.take_along_axis(axis=None) works on the flattened array; keras.ops.take_along_axis too.
    if (a.value('axis') === undefined) {
      x = tf.reshape(x, [-1]);
      index = tf.reshape(index, [-1]);
      return gatherAlong(x, index, 0, a.op, a.span);
    }
    return gatherAlong(x, index, oneAxis(a, 'axis', x.rank), a.op, a.span);
  }, tags: ['transparent'] },
  take: { run: (a) => take(a), tags: ['transparent'] },
  gather_nd: { run: (a) => gatherNd(a), tags: ['transparent'] },
  scatter: { run: (a) => scatter(a, false) },
  scatter_add: { run: (a) => scatter(a, true) },
  // Out of place, input and mask broadcast together (a (N, 1) input and an (N, C) mask give (N, C)).
  masked_fill: { run: (a) => {
    let x = f32(a.tensor('x'));
    const mask = tf.cast(detach(a.tensor('mask')), 'bool');
    const v = a.numOrTensor('value');
    if (v === undefined) throw new UserCodeError(`${a.op}: value is required`, a.span);
    let shape: number[];
    try {
      shape = tf.broadcast_util.assertAndGetBroadcastShape(x.shape, mask.shape);
    } catch {
      throw new UserCodeError(`${a.op}: a mask of shape [${mask.shape.join(', ')}] does not broadcast with an input of shape [${x.shape.join(', ')}]`, a.span);
    }
    refuseLarger(shape.reduce((p, q) => p * q, 1), MAX_ELEMENTS, a.op);
    if (shape.length !== x.rank || shape.some((d, k) => d !== x.shape[k])) x = tf.broadcastTo(x, shape);
    const m = tf.cast(tf.broadcastTo(mask, shape), 'float32');
    const fill = typeof v === 'number' ? tf.fill(shape, v) : tf.broadcastTo(f32(v), shape);
    return maskedSelect(x, fill, m);
  }, tags: ['where'] },
  sort: { run: (a) => sortLike(a, a.bool('values_only') ? 'values' : 'both') },
  argsort: { run: (a) => sortLike(a, 'indices'), tags: ['nondiff'] },
  topk: { run: (a) => topk(a) },
  diagonal: { run: (a) => {
    const x = f32(a.tensor('x'));
    if (a.bool('last_two')) {
      if (x.rank < 2) throw new UserCodeError(`${a.op} needs a matrix`, a.span);
      return diagonal(x, a.num('offset', 0), x.rank - 2, x.rank - 1);
    }
    if (x.rank < 2) throw new UserCodeError(`${a.op} needs at least two dimensions`, a.span);
    const d1 = oneAxis(a, 'dim1', x.rank, 0);
    const d2 = oneAxis(a, 'dim2', x.rank, 1);
    if (d1 === d2) throw new UserCodeError(`${a.op}: the two axes must differ`, a.span);
    return diagonal(x, a.num('offset', 0), d1, d2);
  }, tags: ['transparent'] },
  /** torch.diag / numpy.diag: a vector becomes a diagonal matrix; a matrix gives its diagonal. */
  diag: { run: (a) => {
    const x = f32(a.tensor('x'));
    const k = a.num('offset', 0);
    if (x.rank === 1) return diagMatrix(x, k);
    if (x.rank === 2) return diagonal(x, k, 0, 1);
    throw new UserCodeError(`${a.op} takes a vector or a matrix, got rank ${x.rank}`, a.span);
  }, tags: ['transparent'] },
  /** tf.linalg.diag: the last axis becomes the diagonal of (batched) square matrices. */
  diag_matrix: { run: (a) => { const x = f32(a.tensor('x')); if (x.rank < 1) throw new UserCodeError(`${a.op} needs a vector`, a.span); return diagMatrix(x, a.num('offset', 0)); } },
  trace: { run: (a) => {
    const x = f32(a.tensor('x'));
    if (x.rank < 2) throw new UserCodeError(`${a.op} needs a matrix`, a.span);
    if (a.bool('last_two')) return tf.sum(diagonal(x, a.num('offset', 0), x.rank - 2, x.rank - 1), -1);
    const d1 = oneAxis(a, 'dim1', x.rank, 0);
    const d2 = oneAxis(a, 'dim2', x.rank, 1);
    return tf.sum(diagonal(x, a.num('offset', 0), d1, d2), -1);
  } },
  tril: { run: (a) => triangle(f32(a.tensor('x')), a.num('k', 0), true) },
  triu: { run: (a) => triangle(f32(a.tensor('x')), a.num('k', 0), false) },
  band_part: { run: (a) => { const x = f32(a.tensor('x')); if (x.rank < 2) throw new UserCodeError(`${a.op} needs a matrix`, a.span); return bandPart(x, a.num('lower'), a.num('upper')); } },
  flip: { run: (a) => {
    const x = f32(a.tensor('x'));
    if (x.rank === 0) return x;
    const fixed = a.value('fixed_axis');
    const axes = fixed?.t === 'num' ? [fixed.v] : axesOf(a, 'axis', x.rank, [...Array(x.rank).keys()]);
    if (fixed?.t === 'num' && x.rank <= fixed.v) throw new UserCodeError(`${a.op} needs at least ${fixed.v + 1} dimensions`, a.span);
    return tf.reverse(x, axes);
  }, tags: ['transparent'] },
  roll: { run: (a) => {
    const x = f32(a.tensor('x'));
    const sv = a.value('shift');
    const shifts = sv?.t === 'list' || sv?.t === 'tuple' ? sv.items.map((i) => (i.t === 'num' ? i.v : NaN)) : [a.num('shift')];
    if (a.value('axis') === undefined) {
      if (shifts.length !== 1) throw new UserCodeError(`${a.op}: several shifts need as many axes`, a.span);
      return tf.reshape(rollAxis(tf.reshape(x, [-1]), shifts[0], 0), x.shape);
    }
    const axes = axesOf(a, 'axis', x.rank, []);
    const pairs = shifts.length === axes.length ? axes.map((ax, i) => [ax, shifts[i]]) : shifts.length === 1 ? axes.map((ax) => [ax, shifts[0]]) : axes.length === 1 ? shifts.map((s) => [axes[0], s]) : undefined;
    if (!pairs) throw new UserCodeError(`${a.op}: shifts and axes differ in length`, a.span);
    return pairs.reduce((t, [ax, s]) => rollAxis(t, s, ax), x);
  }, tags: ['transparent'] },
  diff: { run: (a) => {
    let x = f32(a.tensor('x'));
    const axis = oneAxis(a, 'axis', x.rank, -1);
    const n = a.num('n', 1);
    const pre = a.optTensor('prepend');
    const app = a.optTensor('append');
    const along = (t: tf.Tensor): tf.Tensor => {
      // A scalar prepend/append is broadcast to a one-element slice along the axis (numpy, torch).
      if (t.rank === x.rank) return f32(t);
      return tf.broadcastTo(f32(t), x.shape.map((d, k) => (k === axis ? 1 : d)));
    };
    if (pre || app) x = tf.concat([...(pre ? [along(pre)] : []), x, ...(app ? [along(app)] : [])], axis);
    for (let i = 0; i < n; i++) {
      const len = x.shape[axis];
      if (len === 0) break;
      x = tf.sub(sliceAxis(x, axis, 1, len - 1), sliceAxis(x, axis, 0, len - 1));
    }
    return x;
  } },
  moveaxis: { run: (a) => {
    const x = f32(a.tensor('x'));
    return moveAxes(x, axesOf(a, 'source', x.rank, []), axesOf(a, 'destination', x.rank, []), a);
  }, tags: ['transparent'] },
  /** torch.t / Tensor.t(): transposes a matrix; vectors and scalars are returned as they are. */
  t: { run: (a) => { const x = a.tensor('x'); if (x.rank > 2) throw new UserCodeError(`${a.op} expects a tensor of at most 2 dimensions, got ${x.rank}`, a.span); return x.rank < 2 ? x : tf.transpose(x); }, tags: ['transparent'] },
  unstack: { run: (a) => {
    const x = f32(a.tensor('x'));
    const axis = oneAxis(a, 'axis', x.rank, 0);
    const parts = tf.unstack(x, axis).map(tensorValue);
    return { t: a.bool('as_tuple') ? 'tuple' : 'list', items: parts };
  }, tags: ['transparent'] },
  split: { run: (a) => split(a), tags: ['transparent'] },
  repeat_elements: { run: (a) => repeatElements(a), tags: ['transparent'] },
  /** Tensor.repeat(*sizes): tiles, with more repeat counts than dimensions adding leading axes. */
  repeat_tile: { run: (a) => {
    let x = f32(a.tensor('x'));
    const reps = a.shape('reps');
    if (reps.length < x.rank) throw new UserCodeError(`${a.op}: fewer repeat counts than dimensions`, a.span);
    if (reps.length > x.rank) x = tf.reshape(x, [...new Array<number>(reps.length - x.rank).fill(1), ...x.shape]);
    refuseLarger(x.size * reps.reduce((p, q) => p * q, 1), MAX_ELEMENTS, a.op);
    return tf.tile(x, reps);
  }, tags: ['transparent'] },
  unfold: { run: (a) => unfold(a), tags: ['transparent'] },
  /** tf.strided_slice / tf.stridedSlice (TF.js): begin, end and strides per axis with TF's bit masks. */
  strided_slice: { run: (a) => {
    const x = f32(a.tensor('x'));
    const strides = a.has('strides') ? a.shape('strides') : undefined;
    if (strides?.some((st) => st === 0)) throw new UserCodeError(`${a.op}: a stride of 0`, a.span);
    let begin = a.shape('begin');
    let end = a.shape('end');
    let beginMask = a.num('begin_mask', 0);
    let endMask = a.num('end_mask', 0);
    const ellipsisMask = a.num('ellipsis_mask', 0);
    const newAxisMask = a.num('new_axis_mask', 0);
    const shrink = a.num('shrink_axis_mask', 0);
    if (shrink === 0 || ellipsisMask !== 0 || newAxisMask !== 0) return tf.stridedSlice(x, begin, end, strides, beginMask, endMask, ellipsisMask, newAxisMask, shrink);
    // TF.js fails on a shrunk axis next to a non-unit stride: take each shrunk axis as a
    // one-element range and squeeze it afterwards (the same result).
    const st = strides ? [...strides] : begin.map(() => 1);
    begin = [...begin];
    end = [...end];
    const squeezed: number[] = [];
    for (let i = 0; i < begin.length; i++) {
      if (!(shrink & (1 << i))) continue;
      const n = x.shape[i] ?? 1;
      const b = begin[i] < 0 ? begin[i] + n : begin[i];
      if (b < 0 || b >= n) throw new UserCodeError(`${a.op}: index ${begin[i]} is out of bounds for size ${n}`, a.span);
      begin[i] = b;
      end[i] = b + 1;
      st[i] = 1;
      beginMask &= ~(1 << i);
      endMask &= ~(1 << i);
      squeezed.push(i);
    }
    return tf.squeeze(tf.stridedSlice(x, begin, end, st, beginMask, endMask, 0, 0, 0), squeezed);
  }, tags: ['transparent'] },
  reshape_as: { run: (a) => tf.reshape(a.tensor('x'), a.tensor('other').shape), tags: ['transparent'] },
  expand_as: { run: (a) => { const shape = a.tensor('other').shape; refuseLarger(shape.reduce((p, q) => p * q, 1), MAX_ELEMENTS, a.op); return tf.broadcastTo(a.tensor('x'), shape); }, tags: ['transparent'] },
};
