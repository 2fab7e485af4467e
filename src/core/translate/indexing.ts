// Indexing and slicing: Python's sequence rules, dict lookups (a registry keyed by a runtime value
// cannot be resolved, and says so), and NumPy/PyTorch indexing of tensors as the frameworks run it
// eagerly: integers, slices (any step, negative too), None, Ellipsis, integer arrays and boolean
// masks (the result's shape comes from the data), mixed in one index. Reads are built from
// differentiable ops (slice, gather, transpose, reshape), so the gradient scatters back to the
// elements read; writes (`x[mask] = 0`, `x[idx] += v`) are functional updates whose gradient is 0
// for the overwritten part of the old value.
import * as tf from '@tensorflow/tfjs-core';
import { withGradient } from '../ops/customGradient';
import { detach } from '../ops/implementations';
import { UnsupportedConstruct, UserCodeError } from '../ir/errors';
import type { Framework } from '../ir/frameworks';
import type { Span } from '../ir/ir';
import type { Interpreter } from '../ops/interpreter';
import { describe, keyOf, str, type Value } from '../ir/values';

/** `obj[index]` for sequences, dicts, strings, tensors and opaque objects with known items. */
export function indexValue(obj: Value, index: Value, span: Span, framework: Framework = 'numpy'): Value {
  switch (obj.t) {
    case 'list':
    case 'tuple': {
      const i = intIndex(index);
      if (i !== undefined) {
        const k = i < 0 ? obj.items.length + i : i;
        if (k < 0 || k >= obj.items.length) throw new UserCodeError(`${obj.t} index ${i} out of range`, span, 'IndexError');
        return obj.items[k];
      }
      if (index.t === 'slice') return { t: obj.t, items: sliceArray(obj.items, index, span) };
      throw new UnsupportedConstruct(`indexing a ${obj.t} with ${describe(index)}`, span);
    }
    case 'dict': {
      const v = obj.map.get(keyOf(index));
      if (v === undefined) {
        // A registry looked up by a runtime key (`acts[name]`): we cannot know which entry.
        throw new UnsupportedConstruct('dict lookup with a key that is not in the dict', span, index.t === 'str' ? `'${index.v}'` : describe(index));
      }
      if (v.t === 'opaque' && v.what.startsWith('unsupported dict entry')) throw new UnsupportedConstruct(v.what, span);
      return v;
    }
    case 'str': {
      const i = intIndex(index);
      if (i !== undefined) {
        const k = i < 0 ? obj.v.length + i : i;
        if (k < 0 || k >= obj.v.length) throw new UserCodeError('string index out of range', span, 'IndexError');
        return str(obj.v[k]);
      }
      if (index.t === 'slice') return str(sliceArray([...obj.v], index, span).join(''));
      break;
    }
    case 'tensor': return { t: 'tensor', v: tensorIndex(obj.v, index, span, framework) };
    case 'opaque': {
      const getItem = obj.attrs?.get('__getitem__');
      if (getItem?.t === 'builtin') return getItem.call([index], new Map(), span);
      if (obj.attrs && index.t === 'str' && obj.attrs.has(index.v)) return obj.attrs.get(index.v)!;
      break;
    }
    default: break;
  }
  throw new UnsupportedConstruct(`indexing ${describe(obj)}`, span);
}

/** A Python int used as an index: an int, a bool, or a one-element integer tensor. */
function intIndex(v: Value): number | undefined {
  if (v.t === 'num' && Number.isInteger(v.v)) return v.v;
  if (v.t === 'bool') return v.v ? 1 : 0;
  if (v.t === 'tensor' && v.v.rank === 0 && v.v.dtype !== 'bool') {
    const n = v.v.dataSync()[0];
    if (Number.isInteger(n)) return n;
  }
  return undefined;
}

/** The positions a Python slice selects from a sequence of length n (CPython's PySlice_AdjustIndices). */
export function slicePositions(s: { start?: number; stop?: number; step?: number }, n: number, span: Span): number[] {
  const step = s.step ?? 1;
  if (step === 0) throw new UserCodeError('slice step cannot be zero', span, 'ValueError');
  const adjust = (v: number | undefined, dflt: number): number => {
    if (v === undefined) return dflt;
    if (v < 0) return Math.max(v + n, step < 0 ? -1 : 0);
    return Math.min(v, step < 0 ? n - 1 : n);
  };
  const start = adjust(s.start, step < 0 ? n - 1 : 0);
  const stop = adjust(s.stop, step < 0 ? -1 : n);
  const out: number[] = [];
  if (step > 0) for (let i = start; i < stop; i += step) out.push(i);
  else for (let i = start; i > stop; i += step) out.push(i);
  return out;
}

function sliceArray<T>(items: T[], s: { start?: number; stop?: number; step?: number }, span: Span): T[] {
  return slicePositions(s, items.length, span).map((i) => items[i]);
}

// ------------------------------------------------------------------ tensors

/** One entry of a normalised tensor index. */
type Part =
  | { k: 'int'; i: number }
  | { k: 'slice'; start?: number; stop?: number; step?: number }
  | { k: 'none'; empty?: boolean } // empty: x[False], an axis of 0
  | { k: 'ellipsis' }
  | { k: 'array'; idx: tf.Tensor } // integer positions (int32), any shape
  | { k: 'mask'; mask: tf.Tensor }; // boolean, covers mask.rank dimensions

/** The parts of an index, in order: `x[a, b]` is a tuple index; a list or tensor is one (array) part. */
function partsOf(index: Value, span: Span): Part[] {
  const items = index.t === 'tuple' ? index.items : [index];
  return items.map((p): Part => {
    switch (p.t) {
      case 'num':
        if (!Number.isInteger(p.v)) throw new UserCodeError('only integers, slices, None, Ellipsis and integer or boolean arrays are valid indices', span, 'IndexError');
        return { k: 'int', i: p.v };
      case 'bool': return { k: 'mask', mask: tf.scalar(p.v, 'bool') };
      case 'slice': return { k: 'slice', start: p.start, stop: p.stop, step: p.step };
      case 'none': return { k: 'none' };
      case 'ellipsis': return { k: 'ellipsis' };
      case 'tensor': {
        const t = detach(p.v);
        if (t.dtype === 'bool') return { k: 'mask', mask: t };
        const data = t.dataSync();
        if (!data.every((d) => Number.isInteger(d))) throw new UserCodeError('tensors used as indices must be long, int, byte or bool tensors', span, 'IndexError');
        if (t.rank === 0) return { k: 'int', i: data[0] };
        return { k: 'array', idx: tf.cast(t, 'int32') };
      }
      case 'list':
      case 'tuple': {
        const flat: Value[] = [];
        const shape = nestedShape(p, flat, span);
        if (flat.length > 0 && flat.every((v) => v.t === 'bool')) return { k: 'mask', mask: tf.tensor(flat.map((v) => (v as { v: boolean }).v), shape, 'bool') };
        const nums = flat.map((v) => intIndex(v));
        if (nums.some((n) => n === undefined)) throw new UnsupportedConstruct(`index list holding ${describe(flat.find((v) => intIndex(v) === undefined)!)}`, span);
        return { k: 'array', idx: tf.tensor(nums as number[], shape, 'int32') };
      }
      default: throw new UserCodeError(`index of type ${describe(p)} is not valid`, span, 'IndexError');
    }
  });
}

function nestedShape(v: Value, flat: Value[], span: Span): number[] {
  if (v.t !== 'list' && v.t !== 'tuple') { flat.push(v); return []; }
  const shapes = v.items.map((i) => nestedShape(i, flat, span));
  if (shapes.some((s) => s.join() !== (shapes[0] ?? []).join())) throw new UnsupportedConstruct('ragged index list', span);
  return [v.items.length, ...(shapes[0] ?? [])];
}

/**
 * PyTorch reads a list holding a slice, None or Ellipsis (`x[[slice(None), slice(1, -1)]]`, an index
 * built at run time) as the tuple of its items; NumPy refuses such a list.
 */
function sequenceAsTuple(index: Value, framework: Framework): Value {
  if (framework !== 'pytorch' || index.t !== 'list') return index;
  return index.items.some((i) => i.t === 'slice' || i.t === 'none' || i.t === 'ellipsis') ? { t: 'tuple', items: index.items } : index;
}

/** True when an index selects a view in PyTorch/NumPy (basic indexing only: ints, slices, None, Ellipsis). */
export function isBasicIndex(index: Value): boolean {
  const items = index.t === 'tuple' ? index.items : [index];
  return items.every((p) => p.t === 'num' || p.t === 'slice' || p.t === 'none' || p.t === 'ellipsis' || (p.t === 'tensor' && p.v.rank === 0 && p.v.dtype !== 'bool'));
}

/** `t[index]` as the framework computes it eagerly. */
export function tensorIndex(t: tf.Tensor, index: Value, span: Span, framework: Framework): tf.Tensor {
  let parts = partsOf(sequenceAsTuple(index, framework), span);
  if (framework === 'pytorch' && parts.some((p) => p.k === 'slice' && p.step !== undefined && p.step < 0)) {
    throw new UserCodeError('step must be greater than zero (PyTorch has no negative slice steps; use torch.flip)', span, 'ValueError');
  }
  // Ellipsis stands for as many full slices as the other parts leave.
  const ellipses = parts.filter((p) => p.k === 'ellipsis').length;
  if (ellipses > 1) throw new UserCodeError("an index can only have a single ellipsis ('...')", span, 'IndexError');
  const consumed = parts.reduce((n, p) => n + (p.k === 'int' || p.k === 'slice' || p.k === 'array' ? 1 : p.k === 'mask' ? p.mask.rank : 0), 0);
  if (consumed > t.rank) throw new UserCodeError(`too many indices for tensor of dimension ${t.rank}`, span, 'IndexError');
  const fill = (): Part[] => Array.from({ length: t.rank - consumed }, () => ({ k: 'slice' }) as Part);
  parts = ellipses ? parts.flatMap((p) => (p.k === 'ellipsis' ? fill() : [p])) : [...parts, ...fill()];

  // Boolean masks become the integer positions of their true elements (one array per masked dimension).
  let dim = 0;
  const expanded: Part[] = [];
  for (const p of parts) {
    if (p.k === 'mask') {
      const covered = t.shape.slice(dim, dim + p.mask.rank);
      if (p.mask.rank > 0 && covered.join() !== p.mask.shape.join()) {
        throw new UserCodeError(`the shape of the mask [${p.mask.shape.join(', ')}] at index ${dim} does not match the shape of the indexed tensor [${t.shape.join(', ')}]`, span, 'IndexError');
      }
      if (p.mask.rank === 0) {
        // x[True] adds a dimension of 1, x[False] one of 0 (NumPy and PyTorch agree).
        expanded.push({ k: 'none', empty: !p.mask.dataSync()[0] });
        continue;
      }
      const coords = trueCoordinates(p.mask);
      for (let a = 0; a < p.mask.rank; a++) expanded.push({ k: 'array', idx: tf.tensor1d(coords.map((c) => c[a]), 'int32') });
      dim += p.mask.rank;
      continue;
    }
    expanded.push(p);
    if (p.k !== 'none') dim++;
  }

  // None inserts an axis of 1: reshape once, and index that axis with a full slice.
  let x = t;
  if (expanded.some((p) => p.k === 'none')) {
    const shape: number[] = [];
    let d = 0;
    const withAxes: Part[] = [];
    for (const p of expanded) {
      if (p.k === 'none') {
        shape.push(1);
        withAxes.push(p.empty ? { k: 'slice', start: 0, stop: 0 } : { k: 'slice' });
        continue;
      }
      shape.push(x.shape[d++]);
      withAxes.push(p);
    }
    x = tf.reshape(x, shape);
    expanded.splice(0, expanded.length, ...withAxes);
  }

  // PyTorch applies integer indices first, as basic indexing; NumPy counts them among the advanced
  // indices when there are any (x[0, :, [0, 1]] is 4×2 in PyTorch, 2×4 in NumPy).
  const hasArrays = expanded.some((p) => p.k === 'array');
  const intsAreBasic = !hasArrays || framework === 'pytorch';
  let current: Part[] = expanded.map((p) => (p.k === 'int' && !intsAreBasic ? { k: 'array', idx: tf.scalar(p.i, 'int32') } : p));

  // Basic parts: slices (and basic ints) dimension by dimension, keeping every dimension. Where each
  // one selects a contiguous run, they are one slice op (one node on the tape instead of one per axis).
  const squeeze: number[] = [];
  const runs = current.map((p, axis): number[] | undefined => {
    const n = x.shape[axis];
    if (p.k === 'int') {
      const i = p.i < 0 ? p.i + n : p.i;
      if (i < 0 || i >= n) throw new UserCodeError(`index ${p.i} is out of bounds for dimension ${axis} with size ${n}`, span, 'IndexError');
      return [i];
    }
    if (p.k !== 'slice') return Array.from({ length: n }, (_, i) => i);
    const positions = slicePositions(p, n, span);
    return positions.every((q, i) => q === (positions[0] ?? 0) + i) ? positions : undefined;
  });
  if (runs.every((r) => r !== undefined) && runs.some((r, axis) => r!.length !== x.shape[axis])) {
    x = tf.slice(x, runs.map((r) => r![0] ?? 0), runs.map((r) => r!.length));
    current.forEach((p, axis) => { if (p.k === 'int') squeeze.push(axis); });
    current = current.map((p) => (p.k === 'int' ? p : p.k === 'slice' ? { k: 'slice' } : p));
  }
  current.forEach((p, axis) => {
    if (squeeze.includes(axis)) return;
    const n = x.shape[axis];
    if (p.k === 'int') {
      const i = p.i < 0 ? p.i + n : p.i;
      if (i < 0 || i >= n) throw new UserCodeError(`index ${p.i} is out of bounds for dimension ${axis} with size ${n}`, span, 'IndexError');
      x = takePositions(x, axis, [i]);
      squeeze.push(axis);
    } else if (p.k === 'slice') {
      x = takePositions(x, axis, slicePositions(p, n, span));
    }
  });
  if (squeeze.length) {
    x = tf.reshape(x, x.shape.filter((_, i) => !squeeze.includes(i)));
    current = current.filter((_, i) => !squeeze.includes(i));
  }
  if (!hasArrays) return x;

  // Advanced parts: broadcast the index arrays together, gather the points over those dimensions.
  const advanced = current.map((p, i) => (p.k === 'array' ? i : -1)).filter((i) => i >= 0);
  const arrays = advanced.map((i) => (current[i] as { idx: tf.Tensor }).idx);
  let bshape: number[];
  try {
    bshape = arrays.reduce<number[]>((s, a) => tf.broadcast_util.assertAndGetBroadcastShape(s, a.shape), []);
  } catch {
    throw new UserCodeError(`shape mismatch: indexing arrays could not be broadcast together with shapes ${arrays.map((a) => `[${a.shape.join(', ')}]`).join(' ')}`, span, 'IndexError');
  }
  const sizes = advanced.map((a) => x.shape[a]);
  const linear = new Int32Array(bshape.reduce((p, q) => p * q, 1));
  let stride = 1;
  for (let k = advanced.length - 1; k >= 0; k--) {
    const data = tf.broadcastTo(arrays[k], bshape).dataSync();
    for (let j = 0; j < linear.length; j++) {
      let v = data[j];
      if (v < -sizes[k] || v >= sizes[k]) throw new UserCodeError(`index ${v} is out of bounds for dimension ${advanced[k]} with size ${sizes[k]}`, span, 'IndexError');
      if (v < 0) v += sizes[k];
      linear[j] += v * stride;
    }
    stride *= sizes[k];
  }
  const rest = x.shape.map((_, i) => i).filter((i) => !advanced.includes(i));
  const moved = tf.transpose(x, [...advanced, ...rest]);
  const flat = tf.reshape(moved, [stride, ...rest.map((i) => x.shape[i])]);
  const gathered = tf.reshape(gatherRows(flat, linear), [...bshape, ...rest.map((i) => x.shape[i])]);
  const adjacent = advanced.every((a, i) => i === 0 || a === advanced[i - 1] + 1);
  if (!adjacent || advanced[0] === 0) return gathered;
  // Adjacent advanced indices: their result dimensions take the place of the first one.
  const before = advanced[0];
  const b = bshape.length;
  const perm = [...Array(before).keys()].map((i) => b + i);
  for (let i = 0; i < b; i++) perm.push(i);
  for (let i = b + before; i < gathered.rank; i++) perm.push(i);
  return tf.transpose(gathered, perm);
}

/** The coordinates of a boolean tensor's true elements, in row-major order (torch.nonzero). */
export function trueCoordinates(mask: tf.Tensor): number[][] {
  const data = mask.dataSync();
  const out: number[][] = [];
  const strides = mask.shape.map((_, i) => mask.shape.slice(i + 1).reduce((p, q) => p * q, 1));
  for (let j = 0; j < data.length; j++) {
    if (!data[j]) continue;
    out.push(strides.map((s, a) => Math.floor(j / s) % mask.shape[a]));
  }
  return out;
}

/** The elements at `positions` along `axis`: a slice when they are one ascending run, else a gather. */
export function takePositions(x: tf.Tensor, axis: number, positions: number[]): tf.Tensor {
  const n = x.shape[axis];
  if (positions.length === n && positions.every((p, i) => p === i)) return x;
  const run = positions.length > 0 && positions.every((p, i) => p === positions[0] + i);
  if (run || positions.length === 0) {
    const begin = x.shape.map((_, i) => (i === axis ? (positions[0] ?? 0) : 0));
    const size = x.shape.map((d, i) => (i === axis ? positions.length : d));
    return tf.slice(x, begin, size);
  }
  if (axis === 0) return gatherRows(x, Int32Array.from(positions));
  const perm = [axis, ...x.shape.map((_, i) => i).filter((i) => i !== axis)];
  const back = x.shape.map((_, i) => perm.indexOf(i));
  return tf.transpose(gatherRows(tf.transpose(x, perm), Int32Array.from(positions)), back);
}

/**
 * x[indices] along the first axis. TF.js differentiates gather with unsortedSegmentSum, whose CPU
 * kernel costs one pass over the data per row (quadratic in the row count): the gradient here is the
 * same scatter-add as one linear loop.
 */
export function gatherRows(x: tf.Tensor, indices: Int32Array): tf.Tensor {
  const idx = tf.tensor1d(indices, 'int32');
  if (x.dtype !== 'float32') return tf.gather(x, idx);
  const inner = x.shape.slice(1).reduce((p, q) => p * q, 1);
  return withGradient(([t]) => tf.gather(t, idx), (dy) => {
    const d = dy.dataSync();
    const g = new Float32Array(x.size);
    for (let k = 0; k < indices.length; k++) {
      const src = k * inner;
      const dst = indices[k] * inner;
      for (let j = 0; j < inner; j++) g[dst + j] += d[src + j];
    }
    return [tf.tensor(g, x.shape, 'float32')];
  })(x);
}

/** The sum of `values` (1-D) into `size` slots by `segments` (a linear scatter-add; its gradient gathers). */
function segmentSum(values: tf.Tensor, segments: Int32Array, size: number): tf.Tensor {
  // The backward pass builds its own index tensor: tensors made here are gone by the time it runs.
  return withGradient(([v]) => {
    const data = v.dataSync();
    const out = new Float32Array(size);
    for (let k = 0; k < segments.length; k++) out[segments[k]] += data[k];
    return tf.tensor1d(out, 'float32');
  }, (dy) => [tf.gather(dy, tf.tensor1d(segments, 'int32'))])(values);
}

/**
 * `t[index] = value` as a new tensor: the positions the index selects (found by indexing a tensor of
 * element numbers the same way) take the value, broadcast to the selection's shape; where an index
 * repeats a position, the last write wins, as in the frameworks.
 */
export function tensorSetIndex(t: tf.Tensor, index: Value, value: tf.Tensor, span: Span, framework: Framework): tf.Tensor {
  const { positions, values } = selection(t, index, value, span, framework);
  return writePositions(t, positions.dataSync(), values);
}

/** `t[index] += value` with repeated positions accumulating (PyTorch's index_put_ with accumulate=True, NumPy's add.at). */
export function tensorAddIndex(t: tf.Tensor, index: Value, value: tf.Tensor, span: Span, framework: Framework): tf.Tensor {
  const { positions, values } = selection(t, index, value, span, framework);
  if (positions.size === 0) return t;
  const added = segmentSum(tf.cast(values, 'float32'), Int32Array.from(positions.dataSync()), t.size);
  return tf.reshape(tf.add(tf.reshape(tf.cast(t, 'float32'), [-1]), added), t.shape);
}

/** The flat positions an index selects, and the value broadcast to them (flattened, in `t`'s dtype). */
function selection(t: tf.Tensor, index: Value, value: tf.Tensor, span: Span, framework: Framework): { positions: tf.Tensor; values: tf.Tensor } {
  const ids = tf.reshape(tf.range(0, t.size, 1, 'int32'), t.shape);
  const selected = tensorIndex(ids, index, span, framework);
  let v = value.dtype === t.dtype ? value : tf.cast(value, t.dtype);
  const mismatch = (): UserCodeError => new UserCodeError(`shape mismatch: value tensor of shape [${value.shape.join(', ')}] cannot be broadcast to indexing result of shape [${selected.shape.join(', ')}]`, span, 'RuntimeError');
  // An empty selection (a mask with no true entry) takes nothing: a scalar needs no broadcast to it.
  if (selected.size === 0 && value.size <= 1) return { positions: tf.reshape(selected, [-1]), values: tf.zeros([0], t.dtype) };
  // PyTorch also drops a value's leading dimensions of 1 that the selection does not have.
  while (v.rank > selected.rank && v.shape[0] === 1) v = tf.reshape(v, v.shape.slice(1));
  try {
    v = tf.broadcastTo(v, selected.shape);
  } catch {
    throw mismatch();
  }
  if (!sameDims(v.shape, selected.shape)) throw mismatch();
  return { positions: tf.reshape(selected, [-1]), values: tf.reshape(v, [-1]) };
}

function sameDims(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/**
 * `t` with flat positions[k] replaced by values[k]. Where a position repeats, the last write wins in
 * the value, and (as in PyTorch's index_put_ backward) every write to it receives that position's
 * gradient; the old value gets none where it was overwritten.
 */
export function writePositions(t: tf.Tensor, positions: ArrayLike<number>, values: tf.Tensor): tf.Tensor {
  if (positions.length === 0) return t;
  const source = new Int32Array(t.size);
  const written = new Uint8Array(t.size);
  let repeated = false;
  for (let k = 0; k < positions.length; k++) {
    if (written[positions[k]]) repeated = true;
    source[positions[k]] = k;
    written[positions[k]] = 1;
  }
  const flat = tf.reshape(t, [-1]);
  let replaced = gatherRows(values, source);
  if (repeated && values.dtype === 'float32') {
    const all = segmentSum(values, Int32Array.from(positions), t.size);
    replaced = tf.sub(all, detach(tf.sub(all, replaced)));
  }
  return tf.reshape(tf.where(tf.tensor1d(written, 'bool'), replaced, flat), t.shape);
}

/**
 * JAX's `x.at[idx]`: `.set(v)`, `.add(v)`, `.multiply(v)`, `.divide(v)`, `.power(v)`, `.min(v)`,
 * `.max(v)`, `.apply(f)` and `.get()` return a new array (x itself never changes).
 */
export function jaxAtIndexer(ev: Interpreter, obj: Extract<Value, { t: 'tensor' }>): Value {
  const at = (index: Value, span: Span): Value => {
    const x = obj.v;
    const current = (): tf.Tensor => tensorIndex(x, index, span, 'jax');
    const update = (name: string, combine: (old: tf.Tensor, v: tf.Tensor) => tf.Tensor): [string, Value] => [name, {
      t: 'builtin', name: `at[].${name}`,
      call: (args, _k, s) => {
        const v = ev.tensor(args[0] ?? { t: 'none' }, s);
        // Repeated indices: `add` accumulates (scatter-add), the others keep the last write.
        if (name === 'add') return { t: 'tensor', v: tensorAddIndex(x, index, v, s, 'jax') };
        return { t: 'tensor', v: tensorSetIndex(x, index, combine(current(), v), s, 'jax') };
      },
    }];
    const f32 = (t: tf.Tensor): tf.Tensor => (t.dtype === 'float32' ? t : tf.cast(t, 'float32'));
    return {
      t: 'opaque', what: 'x.at[index]',
      attrs: new Map<string, Value>([
        update('set', (_old, v) => v),
        update('add', (old, v) => tf.add(f32(old), f32(v))),
        update('multiply', (old, v) => tf.mul(f32(old), f32(v))),
        update('mul', (old, v) => tf.mul(f32(old), f32(v))),
        update('divide', (old, v) => tf.div(f32(old), f32(v))),
        update('power', (old, v) => tf.pow(f32(old), f32(v))),
        update('min', (old, v) => tf.minimum(f32(old), f32(v))),
        update('max', (old, v) => tf.maximum(f32(old), f32(v))),
        ['get', { t: 'builtin', name: 'at[].get', call: () => ({ t: 'tensor', v: current() }) }],
        ['apply', { t: 'builtin', name: 'at[].apply', call: (args, _k, s) => {
          const out = ev.callValue(args[0], [{ t: 'tensor', v: current() }], new Map(), s);
          return { t: 'tensor', v: tensorSetIndex(x, index, ev.tensor(out, s), s, 'jax') };
        } }],
      ]),
    };
  };
  return { t: 'opaque', what: 'x.at', attrs: new Map([['__getitem__', { t: 'builtin', name: 'x.at[]', call: (args, _k, span) => at(args[0], span) }]]) };
}
