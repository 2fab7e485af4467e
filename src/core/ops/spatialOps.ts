// Padding, pooling and convolution over 1, 2 or 3 spatial dimensions. Losses such as SSIM and local
// cross-correlation convolve with a fixed kernel; feature losses pool. Everything is computed
// channels-last with explicit padding (TF.js's layout), whatever the source's layout: PyTorch's
// channels-first tensors and (out, in, k…) weights are transposed on the way in and out.
import * as tf from '@tensorflow/tfjs-core';
import { UnsupportedConstruct, UserCodeError } from '../ir/errors';
import type { Value } from '../ir/values';
import type { OpArgs } from './args';
import { f32, type OpImpl } from './implementations';
import { refuseLarger } from './sizeGuard';

const MAX_ELEMENTS = 1e7;

type Pairs = [number, number][];
type PadMode = 'constant' | 'reflect' | 'symmetric' | 'replicate' | 'circular';

function numbers(v: Value | undefined): number[] {
  if (!v || v.t === 'none') return [];
  if (v.t === 'num') return [v.v];
  if (v.t === 'bool') return [v.v ? 1 : 0];
  if (v.t === 'list' || v.t === 'tuple') return v.items.flatMap(numbers);
  if (v.t === 'tensor') return Array.from(v.v.dataSync());
  return [NaN];
}

/** A nested padding spec as rows of numbers ([[b, a], …] → rows; 3 → [[3]]; (1, 2) → [[1, 2]]). */
function rows(v: Value | undefined): number[][] {
  if (!v || v.t === 'none') return [];
  if (v.t === 'num') return [[v.v]];
  if (v.t === 'tensor') {
    const t = v.v;
    const d = Array.from(t.dataSync());
    if (t.rank === 2) {
      const cols = t.shape[1] ?? 0;
      return Array.from({ length: t.shape[0] ?? 0 }, (_, i) => d.slice(i * cols, (i + 1) * cols));
    }
    return [d];
  }
  if (v.t === 'list' || v.t === 'tuple') {
    if (v.items.every((i) => i.t === 'num')) return [numbers(v)];
    return v.items.map((i) => numbers(i));
  }
  return [[NaN]];
}

function sliceAxis(x: tf.Tensor, axis: number, start: number, length: number): tf.Tensor {
  return tf.slice(x, x.shape.map((_, k) => (k === axis ? start : 0)), x.shape.map((d, k) => (k === axis ? length : d)));
}

/** Pads (or, for negative amounts, crops) every axis by its [before, after] pair. */
export function padTensor(x: tf.Tensor, pairs: Pairs, mode: PadMode, value: number, a: OpArgs): tf.Tensor {
  if (pairs.length !== x.rank) throw new UserCodeError(`${a.op}: padding for ${pairs.length} dimensions, the input has ${x.rank}`, a.span);
  if (pairs.some(([p, q]) => !Number.isInteger(p) || !Number.isInteger(q))) throw new UserCodeError(`${a.op}: padding amounts must be integers`, a.span);
  // Crops first (negative padding), then the positive amounts.
  let t = x;
  pairs.forEach(([b, e], k) => {
    if (b >= 0 && e >= 0) return;
    const cb = Math.max(0, -b);
    const ce = Math.max(0, -e);
    if (cb + ce > t.shape[k]) throw new UserCodeError(`${a.op}: negative padding larger than the dimension`, a.span);
    t = sliceAxis(t, k, cb, t.shape[k] - cb - ce);
  });
  const pos: Pairs = pairs.map(([b, e]) => [Math.max(0, b), Math.max(0, e)]);
  if (pos.every(([b, e]) => b === 0 && e === 0)) return t;
  refuseLarger(t.shape.reduce((p, d, k) => p * (d + pos[k][0] + pos[k][1]), 1), MAX_ELEMENTS, a.op);
  switch (mode) {
    case 'constant': return tf.pad(t, pos, value);
    case 'reflect':
    case 'symmetric': {
      const limit = (d: number): number => (mode === 'reflect' ? d - 1 : d);
      if (pos.some(([b, e], k) => b > limit(t.shape[k]) || e > limit(t.shape[k]))) throw new UserCodeError(`${a.op}: ${mode} padding must be smaller than the dimension`, a.span);
      // Built from reversed slices rather than tf.mirrorPad, whose registered gradient drops the
      // mirrored elements' contributions (it only slices the centre out of dy).
      const skip = mode === 'reflect' ? 1 : 0;
      return pos.reduce((acc, [b, e], k) => {
        if (b === 0 && e === 0) return acc;
        const n = acc.shape[k];
        const parts = [
          ...(b ? [tf.reverse(sliceAxis(acc, k, skip, b), k)] : []),
          acc,
          ...(e ? [tf.reverse(sliceAxis(acc, k, n - skip - e, e), k)] : []),
        ];
        return tf.concat(parts, k);
      }, t);
    }
    case 'replicate':
      return pos.reduce((acc, [b, e], k) => {
        if (b === 0 && e === 0) return acc;
        const n = acc.shape[k];
        const reps = (m: number): number[] => acc.shape.map((_, j) => (j === k ? m : 1));
        const parts = [...(b ? [tf.tile(sliceAxis(acc, k, 0, 1), reps(b))] : []), acc, ...(e ? [tf.tile(sliceAxis(acc, k, n - 1, 1), reps(e))] : [])];
        return tf.concat(parts, k);
      }, t);
    case 'circular':
      return pos.reduce((acc, [b, e], k) => {
        if (b === 0 && e === 0) return acc;
        const n = acc.shape[k];
        if (n === 0) throw new UserCodeError(`${a.op}: circular padding of an empty dimension`, a.span);
        // Whole copies first when the padding exceeds the size (numpy's wrap allows it).
        const wrap = (count: number, fromEnd: boolean): tf.Tensor[] => {
          const out: tf.Tensor[] = [];
          let left = count;
          while (left > 0) {
            const m = Math.min(left, n);
            out.push(fromEnd ? sliceAxis(acc, k, n - m, m) : sliceAxis(acc, k, 0, m));
            left -= m;
          }
          return fromEnd ? out.reverse() : out;
        };
        return tf.concat([...wrap(b, true), acc, ...wrap(e, false)], k);
      }, t);
  }
}

function padModeOf(a: OpArgs, fallback: PadMode): PadMode {
  const m = (a.str('mode') ?? fallback).toLowerCase();
  switch (m) {
    case 'constant': return 'constant';
    case 'reflect': return 'reflect';
    case 'symmetric': return 'symmetric';
    case 'replicate': case 'edge': return 'replicate';
    case 'circular': case 'wrap': return 'circular';
    default: throw new UnsupportedConstruct(`${a.op}(mode='${m}')`, a.span);
  }
}

/** torch.nn.functional.pad: a flat (left, right) list from the last dimension backwards. */
function padTorch(a: OpArgs): tf.Tensor {
  const x = f32(a.tensor('x'));
  const flat = numbers(a.value('pad'));
  if (flat.length % 2 !== 0 || flat.length / 2 > x.rank) throw new UserCodeError(`${a.op}: pad needs an even number of values, at most two per dimension`, a.span);
  const pairs: Pairs = x.shape.map(() => [0, 0]);
  for (let i = 0; i < flat.length / 2; i++) pairs[x.rank - 1 - i] = [flat[2 * i], flat[2 * i + 1]];
  const mode = padModeOf(a, 'constant');
  if (mode === 'symmetric') throw new UnsupportedConstruct(`${a.op}(mode='symmetric')`, a.span);
  return padTensor(x, pairs, mode, a.num('value', 0), a);
}

/** numpy.pad / keras.ops.pad / tf.pad: pad_width as n, (before, after), or one pair per dimension. */
function padPairs(a: OpArgs): tf.Tensor {
  const x = f32(a.tensor('x'));
  const r = rows(a.value('pad'));
  let pairs: Pairs;
  if (r.length === 1 && r[0].length === 1) pairs = x.shape.map(() => [r[0][0], r[0][0]]);
  else if (r.length === 1 && r[0].length === 2 && x.rank !== 1) pairs = x.shape.map(() => [r[0][0], r[0][1]]);
  else pairs = r.map((p) => (p.length === 1 ? [p[0], p[0]] : [p[0], p[1]]));
  const cv = a.value('value');
  if (cv && (cv.t === 'list' || cv.t === 'tuple')) throw new UnsupportedConstruct(`${a.op}: per-axis constant values`, a.span);
  return padTensor(x, pairs, padModeOf(a, 'constant'), a.num('value', 0), a);
}

// ------------------------------------------------------------------ geometry

/** An int or a per-dimension list as n numbers (TF's N+2 lists drop their batch and channel entries). */
function perDim(v: Value | undefined, n: number, fallback: number[], a: OpArgs, what: string): number[] {
  const xs = numbers(v);
  if (xs.length === 0) return fallback;
  if (xs.length === 1) return new Array<number>(n).fill(xs[0]);
  if (xs.length === n) return xs;
  if (xs.length === n + 2) return xs.slice(1, n + 1);
  throw new UserCodeError(`${a.op}: ${what} has ${xs.length} values for ${n} spatial dimensions`, a.span);
}

/** TF's 'SAME' padding: output ceil(in / stride), the extra element after. */
function samePads(sizes: number[], kernel: number[], strides: number[], dilations: number[]): Pairs {
  return sizes.map((n, i) => {
    const out = Math.ceil(n / strides[i]);
    const total = Math.max((out - 1) * strides[i] + (kernel[i] - 1) * dilations[i] + 1 - n, 0);
    return [Math.floor(total / 2), total - Math.floor(total / 2)];
  });
}

/** A padding argument: 'valid' / 'same' (TF rule), a number or per-dimension numbers (symmetric), or explicit pairs. */
function padsOf(v: Value | undefined, sizes: number[], kernel: number[], strides: number[], dilations: number[], a: OpArgs, torchSame: boolean): Pairs {
  const n = sizes.length;
  if (!v || v.t === 'none') return sizes.map(() => [0, 0]);
  if (v.t === 'str') {
    const p = v.v.toLowerCase();
    if (p === 'valid') return sizes.map(() => [0, 0]);
    if (p === 'same') {
      if (!torchSame) return samePads(sizes, kernel, strides, dilations);
      // torch: padding='same' needs stride 1; the total d·(k − 1) is split with the extra one after.
      if (strides.some((s) => s !== 1)) throw new UserCodeError(`${a.op}: padding='same' needs stride 1`, a.span);
      return kernel.map((k, i) => { const total = dilations[i] * (k - 1); return [Math.floor(total / 2), total - Math.floor(total / 2)]; });
    }
    throw new UnsupportedConstruct(`${a.op}: padding '${v.v}'`, a.span);
  }
  const r = rows(v);
  if (r.length === 1) {
    const p = perDim(v, n, [], a, 'padding');
    return p.map((q) => [q, q]);
  }
  // Explicit pairs: TF's list covers batch and channels too (N+2 entries).
  const pairs = r.length === n + 2 ? r.slice(1, n + 1) : r;
  if (pairs.length !== n) throw new UserCodeError(`${a.op}: explicit padding for ${pairs.length} dimensions, expected ${n}`, a.span);
  return pairs.map((p) => [p[0], p[1] ?? p[0]]);
}

/** Layout: the input's channels axis; TF.js and TF default to channels-last, PyTorch channels-first. */
function channelsFirst(a: OpArgs, n: number, torch: boolean): boolean {
  if (torch) return true;
  const f = a.str('data_format');
  if (!f) return false;
  const u = f.toLowerCase();
  if (u === 'channels_first' || u === ['ncw', 'nchw', 'ncdhw'][n - 1]) return true;
  if (u === 'channels_last' || u === ['nwc', 'nhwc', 'ndhwc'][n - 1]) return false;
  throw new UnsupportedConstruct(`${a.op}: data_format '${f}'`, a.span);
}

/** The input as a batched channels-last tensor, and how to turn a result back. */
function toChannelsLast(x: tf.Tensor, n: number, first: boolean, a: OpArgs): { x: tf.Tensor; back: (y: tf.Tensor) => tf.Tensor } {
  let t = x;
  const unbatched = t.rank === n + 1;
  if (unbatched) t = tf.expandDims(t, 0);
  if (t.rank !== n + 2) throw new UserCodeError(`${a.op} expects a ${n + 2}-D (or unbatched ${n + 1}-D) input, got ${x.rank}-D`, a.span);
  const toLast = [0, ...Array.from({ length: n }, (_, i) => i + 2), 1];
  const toFirst = [0, n + 1, ...Array.from({ length: n }, (_, i) => i + 1)];
  if (first) t = tf.transpose(t, toLast);
  return {
    x: t,
    back: (y) => {
      let r = first ? tf.transpose(y, toFirst) : y;
      if (unbatched) r = tf.squeeze(r, [0]);
      return r;
    },
  };
}

// ------------------------------------------------------------------ pooling

interface PoolSpec { kernel: number[]; strides: number[]; pads: Pairs; extra: number[]; countPad: boolean; divisor?: number }

/** Max or average pooling of a channels-last batch with explicit padding (-inf for max). */
function pool(x: tf.Tensor, kind: 'max' | 'avg', s: PoolSpec, a: OpArgs): tf.Tensor {
  const n = s.kernel.length;
  const full: Pairs = [[0, 0], ...s.pads.map(([b, e], i): [number, number] => [b, e + s.extra[i]]), [0, 0]];
  s.pads.forEach(([b, e], i) => {
    if (b > s.kernel[i] / 2 + 1e-9 && kind === 'max') throw new UserCodeError(`${a.op}: padding ${b} is more than half the kernel ${s.kernel[i]}`, a.span);
    if (e < 0 || b < 0) throw new UserCodeError(`${a.op}: negative padding`, a.span);
  });
  s.kernel.forEach((k, i) => {
    const size = x.shape[i + 1] + full[i + 1][0] + full[i + 1][1];
    if (k > size) throw new UserCodeError(`${a.op}: kernel ${k} is larger than the padded input ${size}`, a.span);
  });
  const padded = full.some(([b, e]) => b || e) ? tf.pad(x, full, kind === 'max' ? -Infinity : 0) : x;
  const run = (t: tf.Tensor, k: 'max' | 'avg'): tf.Tensor => {
    if (n === 1) {
      const t4 = tf.expandDims(t, 1);
      const r = k === 'max' ? tf.maxPool(t4 as tf.Tensor4D, [1, s.kernel[0]], [1, s.strides[0]], 'valid') : tf.avgPool(t4 as tf.Tensor4D, [1, s.kernel[0]], [1, s.strides[0]], 'valid');
      return tf.squeeze(r, [1]);
    }
    if (n === 2) return k === 'max' ? tf.maxPool(t as tf.Tensor4D, s.kernel as [number, number], s.strides as [number, number], 'valid') : tf.avgPool(t as tf.Tensor4D, s.kernel as [number, number], s.strides as [number, number], 'valid');
    return k === 'max' ? tf.maxPool3d(t as tf.Tensor5D, s.kernel as [number, number, number], s.strides as [number, number, number], 'valid') : tf.avgPool3d(t as tf.Tensor5D, s.kernel as [number, number, number], s.strides as [number, number, number], 'valid');
  };
  if (kind === 'max') return run(padded, 'max');
  const mean = run(padded, 'avg');
  const window = s.kernel.reduce((p, q) => p * q, 1);
  if (s.divisor !== undefined) return tf.div(tf.mul(mean, window), s.divisor);
  const needsMask = s.extra.some((e) => e > 0) || (!s.countPad && s.pads.some(([b, e]) => b || e));
  if (!needsMask) return mean;
  // Divisor per window: explicit padding counts when countPad, the ceil-mode overhang never does.
  const ones = tf.ones([1, ...x.shape.slice(1, -1), 1]);
  const inner = tf.pad(ones, [[0, 0], ...s.pads, [0, 0]], s.countPad ? 1 : 0);
  const mask = tf.pad(inner, [[0, 0], ...s.extra.map((e): [number, number] => [0, e]), [0, 0]], 0);
  return tf.div(mean, run(mask, 'avg'));
}

/** torch's pooled size: floor (or ceil) of (in + 2p − k) / s + 1, the last window starting inside. */
function torchExtra(sizes: number[], kernel: number[], strides: number[], pads: Pairs, ceil: boolean): number[] {
  return sizes.map((n, i) => {
    if (!ceil) return 0;
    const span = n + pads[i][0] + pads[i][1] - kernel[i];
    let out = Math.ceil(span / strides[i]) + 1;
    if ((out - 1) * strides[i] >= n + pads[i][0]) out--;
    return Math.max(0, (out - 1) * strides[i] + kernel[i] - (n + pads[i][0] + pads[i][1]));
  });
}

function torchPool(a: OpArgs, n: number, kind: 'max' | 'avg'): tf.Tensor {
  const input = f32(a.tensor('x'));
  if (a.bool('return_indices')) throw new UnsupportedConstruct(`${a.op}(return_indices=True)`, a.span);
  const { x, back } = toChannelsLast(input, n, true, a);
  const sizes = x.shape.slice(1, -1);
  const kernel = perDim(a.value('kernel'), n, [], a, 'kernel_size');
  const strides = perDim(a.value('stride'), n, kernel, a, 'stride');
  if (perDim(a.value('dilation'), n, [1], a, 'dilation').some((d) => d !== 1)) throw new UnsupportedConstruct(`${a.op} with dilation`, a.span);
  const pads = perDim(a.value('padding'), n, new Array<number>(n).fill(0), a, 'padding').map((p): [number, number] => [p, p]);
  const extra = torchExtra(sizes, kernel, strides, pads, a.bool('ceil_mode'));
  const divisor = a.has('divisor_override') ? a.num('divisor_override') : undefined;
  return back(pool(x, kind, { kernel, strides, pads, extra, countPad: a.bool('count_include_pad', true), divisor }, a));
}

/** TF / Keras / TF.js pooling: ksize and strides per dimension, 'valid' or 'same' (padding not counted in averages). */
function tfPool(a: OpArgs, kind: 'max' | 'avg', dims?: number): tf.Tensor {
  const input = f32(a.tensor('x'));
  const n = dims ?? input.rank - 2;
  if (n < 1 || n > 3) throw new UserCodeError(`${a.op} expects 3-D to 5-D input, got ${input.rank}-D`, a.span);
  const { x, back } = toChannelsLast(input, n, channelsFirst(a, n, false), a);
  const sizes = x.shape.slice(1, -1);
  const kernel = perDim(a.value('kernel'), n, [], a, 'pool size');
  const strides = perDim(a.value('stride'), n, kernel, a, 'strides');
  const pads = padsOf(a.value('padding') ?? { t: 'str', v: 'valid' }, sizes, kernel, strides, kernel.map(() => 1), a, false);
  return back(pool(x, kind, { kernel, strides, pads, extra: kernel.map(() => 0), countPad: false }, a));
}

// ------------------------------------------------------------------ convolution

/** Convolution of a channels-last batch with a [k…, in/groups, out] filter, explicit zero padding. */
/** A filter [k…, in, out] with d − 1 zeros between taps along each spatial axis. */
function dilateFilter(filter: tf.Tensor, dilations: number[]): tf.Tensor {
  return dilations.reduce((f, d, axis) => {
    if (d === 1) return f;
    const k = f.shape[axis];
    const spread = tf.pad(tf.expandDims(f, axis + 1), f.shape.map((_, j): [number, number] => [0, 0]).concat([[0, 0]]).map((p, j) => (j === axis + 1 ? [0, d - 1] : p)));
    const flat = tf.reshape(spread, [...f.shape.slice(0, axis), k * d, ...f.shape.slice(axis + 1)]);
    return tf.slice(flat, f.shape.map(() => 0), [...f.shape.slice(0, axis), (k - 1) * d + 1, ...f.shape.slice(axis + 1)]);
  }, filter);
}

function conv(x: tf.Tensor, filter: tf.Tensor, strides: number[], dilations: number[], pads: Pairs, groups: number, a: OpArgs): tf.Tensor {
  const n = strides.length;
  if (filter.rank !== n + 2) throw new UserCodeError(`${a.op}: the filter has ${filter.rank} dimensions, expected ${n + 2}`, a.span);
  const cin = x.shape[n + 1];
  const fin = filter.shape[n];
  const cout = filter.shape[n + 1];
  if (fin * groups !== cin) throw new UserCodeError(`${a.op}: the input has ${cin} channels, the filter expects ${fin} × ${groups} groups`, a.span);
  if (cout % groups !== 0) throw new UserCodeError(`${a.op}: ${cout} output channels do not divide into ${groups} groups`, a.span);
  // TF.js's conv gradients reject dilations above 1 (and strides with dilations): dilate the filter
  // itself (zeros between its taps), which is the same convolution.
  if (dilations.some((d) => d > 1)) {
    filter = dilateFilter(filter, dilations);
    dilations = dilations.map(() => 1);
  }
  const padded = pads.some(([b, e]) => b || e) ? tf.pad(x, [[0, 0], ...pads, [0, 0]], 0) : x;
  padded.shape.slice(1, -1).forEach((d, i) => {
    if ((filter.shape[i] - 1) * dilations[i] + 1 > d) throw new UserCodeError(`${a.op}: the kernel is larger than the padded input`, a.span);
  });
  const out = padded.shape.slice(1, -1).map((d, i) => Math.floor((d - (filter.shape[i] - 1) * dilations[i] - 1) / strides[i]) + 1);
  refuseLarger(x.shape[0] * out.reduce((p, q) => p * q, 1) * cout, MAX_ELEMENTS, a.op);
  const one = (t: tf.Tensor, f: tf.Tensor): tf.Tensor => {
    if (n === 1) return tf.conv1d(t as tf.Tensor3D, f as tf.Tensor3D, strides[0], 'valid', 'NWC', dilations[0]);
    if (n === 2) return tf.conv2d(t as tf.Tensor4D, f as tf.Tensor4D, strides as [number, number], 'valid', 'NHWC', dilations as [number, number]);
    return tf.conv3d(t as tf.Tensor5D, f as tf.Tensor5D, strides as [number, number, number], 'valid', 'NDHWC', dilations as [number, number, number]);
  };
  if (groups === 1) return one(padded, filter);
  const xs = tf.split(padded, groups, n + 1);
  const fs = tf.split(filter, groups, n + 1);
  return tf.concat(xs.map((t, g) => one(t, fs[g])), n + 1);
}

/** torch.nn.functional.conv{1,2,3}d: NC… input, (out, in/groups, k…) weight, optional bias. */
function torchConv(a: OpArgs, n: number): tf.Tensor {
  const { x, back } = toChannelsLast(f32(a.tensor('x')), n, true, a);
  const w = f32(a.tensor('weight'));
  if (w.rank !== n + 2) throw new UserCodeError(`${a.op}: the weight has ${w.rank} dimensions, expected ${n + 2}`, a.span);
  const filter = tf.transpose(w, [...Array.from({ length: n }, (_, i) => i + 2), 1, 0]);
  const strides = perDim(a.value('stride'), n, new Array<number>(n).fill(1), a, 'stride');
  const dilations = perDim(a.value('dilation'), n, new Array<number>(n).fill(1), a, 'dilation');
  const kernel = w.shape.slice(2);
  const pads = padsOf(a.value('padding'), x.shape.slice(1, -1), kernel, strides, dilations, a, true);
  let y = conv(x, filter, strides, dilations, pads, a.num('groups', 1), a);
  const bias = a.optTensor('bias');
  if (bias) y = tf.add(y, f32(bias));
  return back(y);
}

/** tf.nn.conv*, keras.ops.conv, tf.conv* (TF.js): channels-last by default, [k…, in, out] filters. */
function tfConv(a: OpArgs, dims?: number): tf.Tensor {
  const input = f32(a.tensor('x'));
  const filter = f32(a.tensor('weight'));
  const n = dims ?? filter.rank - 2;
  if (n < 1 || n > 3) throw new UserCodeError(`${a.op}: ${filter.rank}-D filters are not 3-D to 5-D`, a.span);
  const { x, back } = toChannelsLast(input, n, channelsFirst(a, n, false), a);
  const strides = perDim(a.value('stride'), n, new Array<number>(n).fill(1), a, 'strides');
  const dilations = perDim(a.value('dilation'), n, new Array<number>(n).fill(1), a, 'dilations');
  const pads = padsOf(a.value('padding') ?? { t: 'str', v: 'valid' }, x.shape.slice(1, -1), filter.shape.slice(0, n), strides, dilations, a, false);
  const groups = x.shape[n + 1] / filter.shape[n];
  if (!Number.isInteger(groups) || groups < 1) throw new UserCodeError(`${a.op}: the input has ${x.shape[n + 1]} channels, the filter ${filter.shape[n]}`, a.span);
  return back(conv(x, filter, strides, dilations, pads, groups, a));
}

const dimsOf = (a: OpArgs): number | undefined => (a.has('dims') ? a.num('dims') : undefined);

export const spatialOps: Record<string, OpImpl> = {
  pad_torch: { run: (a) => padTorch(a) },
  pad: { run: (a) => padPairs(a) },
  max_pool_torch: { run: (a) => torchPool(a, a.num('dims'), 'max') },
  avg_pool_torch: { run: (a) => torchPool(a, a.num('dims'), 'avg') },
  max_pool_tf: { run: (a) => tfPool(a, 'max', dimsOf(a)) },
  avg_pool_tf: { run: (a) => tfPool(a, 'avg', dimsOf(a)) },
  conv_torch: { run: (a) => torchConv(a, a.num('dims')) },
  conv_tf: { run: (a) => tfConv(a, dimsOf(a)) },
};
