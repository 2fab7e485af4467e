// Indexing and slicing: Python's sequence rules, dict lookups (a registry keyed by a runtime value
// cannot be resolved, and says so), and NumPy-style basic and integer-array indexing of tensors.
import * as tf from '@tensorflow/tfjs-core';
import { detach } from '../ops/implementations';
import { UnsupportedConstruct, UserCodeError } from '../ir/errors';
import type { Span } from '../ir/ir';
import { describe, keyOf, str, type Value } from '../ir/values';

/** `obj[index]` for sequences, dicts, strings, tensors and opaque objects with known items. */
export function indexValue(obj: Value, index: Value, span: Span): Value {
  switch (obj.t) {
    case 'list':
    case 'tuple': {
      if (index.t === 'num') {
        const i = index.v < 0 ? obj.items.length + index.v : index.v;
        if (i < 0 || i >= obj.items.length) throw new UserCodeError(`index ${index.v} out of range`, span);
        return obj.items[i];
      }
      if (index.t === 'slice') return { t: obj.t, items: sliceArray(obj.items, index) };
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
      if (index.t === 'num') return str(obj.v.at(index.v) ?? '');
      break;
    }
    case 'tensor': return { t: 'tensor', v: tensorIndex(obj.v, index, span) };
    case 'opaque':
      if (obj.attrs && index.t === 'str' && obj.attrs.has(index.v)) return obj.attrs.get(index.v)!;
      break;
    default: break;
  }
  throw new UnsupportedConstruct(`indexing ${describe(obj)}`, span);
}

function sliceArray<T>(items: T[], s: { start?: number; stop?: number; step?: number }): T[] {
  const step = s.step ?? 1;
  const n = items.length;
  const norm = (i: number | undefined, d: number) => (i === undefined ? d : i < 0 ? Math.max(n + i, step < 0 ? -1 : 0) : Math.min(i, n));
  const out: T[] = [];
  if (step > 0) for (let i = norm(s.start, 0); i < norm(s.stop, n); i += step) out.push(items[i]);
  else for (let i = norm(s.start, n - 1); i > norm(s.stop, -1); i += step) out.push(items[i]);
  return out;
}

/** NumPy-style basic indexing: integers, slices, None/newaxis and one Ellipsis. */
function tensorIndex(t: tf.Tensor, index: Value, span: Span): tf.Tensor {
  const parts = index.t === 'tuple' ? index.items : [index];
  if (parts.some((p) => p.t === 'tensor' || p.t === 'list')) {
    const asIndex = (p: Value): tf.Tensor => {
      const idx = p.t === 'tensor' ? p.v : p.t === 'list' || p.t === 'tuple' ? tf.tensor1d(p.items.map((i) => (i.t === 'num' ? i.v : 0)), 'int32') : undefined;
      if (!idx) throw new UnsupportedConstruct('advanced indexing mixed with slices', span);
      if (idx.dtype === 'bool') throw new UnsupportedConstruct('boolean mask indexing', span, 'the result shape depends on the data');
      return tf.cast(detach(idx), 'int32');
    };
    if (parts.length === 1) return tf.gather(t, asIndex(parts[0]));
    // x[rows, cols] with index arrays of one shape: NumPy's gather of points (logp[arange(n), target]).
    if (parts.length <= t.rank && parts.every((p) => p.t === 'tensor' || p.t === 'list' || p.t === 'tuple')) {
      const idx = parts.map(asIndex);
      const shape = idx[0].shape;
      if (idx.every((i) => i.shape.length === shape.length && i.shape.every((d, k) => d === shape[k]))) {
        // As one gather over the flattened leading axes (TF.js has no gradient for gatherND).
        const lead = t.shape.slice(0, idx.length);
        const rest = t.shape.slice(idx.length);
        let linear = tf.zeros(shape, 'int32');
        let stride = 1;
        for (let k = idx.length - 1; k >= 0; k--) {
          const wrapped = tf.where(tf.less(idx[k], tf.scalar(0, 'int32')), tf.add(idx[k], tf.scalar(lead[k], 'int32')), idx[k]);
          linear = tf.add(linear, tf.mul(wrapped, tf.scalar(stride, 'int32')));
          stride *= lead[k];
        }
        const flat = tf.reshape(t, [stride, ...rest]);
        return tf.reshape(tf.gather(flat, tf.reshape(linear, [-1])), [...shape, ...rest]);
      }
    }
    throw new UnsupportedConstruct('advanced (array) indexing', span);
  }
  const ellipsisAt = parts.findIndex((p) => p.t === 'ellipsis');
  const consuming = parts.filter((p) => p.t === 'num' || p.t === 'slice').length;
  const expanded: Value[] = [];
  parts.forEach((p, i) => {
    if (i === ellipsisAt) for (let k = 0; k < t.rank - consuming; k++) expanded.push({ t: 'slice' });
    else expanded.push(p);
  });
  const begin: number[] = [];
  const size: number[] = [];
  const finalShape: number[] = [];
  let dim = 0;
  const newAxes: number[] = [];
  let strided = false;
  const strides: number[] = [];
  const ends: number[] = [];
  for (const p of expanded) {
    if (p.t === 'none') { newAxes.push(finalShape.length); finalShape.push(1); continue; }
    if (dim >= t.rank) throw new UserCodeError(`too many indices for a tensor of rank ${t.rank}`, span);
    const n = t.shape[dim];
    if (p.t === 'num') {
      const i = p.v < 0 ? n + p.v : p.v;
      if (i < 0 || i >= n) throw new UserCodeError(`index ${p.v} is out of bounds for size ${n}`, span);
      begin.push(i); size.push(1); ends.push(i + 1); strides.push(1);
    } else if (p.t === 'slice') {
      const step = p.step ?? 1;
      if (step !== 1) strided = true;
      const clamp = (v: number | undefined, d: number) => (v === undefined ? d : v < 0 ? Math.max(0, n + v) : Math.min(v, n));
      const b = clamp(p.start, step > 0 ? 0 : n - 1);
      const e = clamp(p.stop, step > 0 ? n : -1);
      begin.push(b); ends.push(e); strides.push(step);
      const count = step > 0 ? Math.max(0, Math.ceil((e - b) / step)) : Math.max(0, Math.ceil((b - e) / -step));
      size.push(step > 0 ? Math.max(0, e - b) : count);
      finalShape.push(count);
    } else throw new UnsupportedConstruct(`index of type ${describe(p)}`, span);
    dim++;
  }
  for (; dim < t.rank; dim++) { begin.push(0); size.push(t.shape[dim]); ends.push(t.shape[dim]); strides.push(1); finalShape.push(t.shape[dim]); }
  const sliced = strided ? tf.stridedSlice(t, begin, ends, strides) : tf.slice(t, begin, size);
  return tf.reshape(sliced, finalShape);
}
