// How the evaluator reads a value as a condition, a sequence or a tensor: Python's and JavaScript's
// rules for the values it models. A tensor is never a condition (the branch would depend on data).
import * as tf from '@tensorflow/tfjs-core';
import { UnsupportedConstruct, UserCodeError } from '../ir/errors';
import type { Span } from '../ir/ir';
import { describe, str, type Value } from '../ir/values';

export function truthy(v: Value, span: Span): boolean {
  switch (v.t) {
    case 'num': return v.v !== 0;
    case 'bool': return v.v;
    case 'str': return v.v.length > 0;
    case 'none': return false;
    case 'list':
    case 'tuple': return v.items.length > 0;
    case 'dict': return v.map.size > 0;
    case 'tensor':
      throw new UnsupportedConstruct('control flow on a tensor value', span, 'the branch depends on the data; use where()');
    default: return true;
  }
}

export function iterate(v: Value, span: Span): Value[] {
  switch (v.t) {
    case 'list':
    case 'tuple': return v.items;
    case 'dict': return [...v.keys.values()];
    case 'str': return [...v.v].map(str);
    case 'class': if (v.enumMembers) return v.enumMembers; throw new UnsupportedConstruct(`iteration over ${describe(v)}`, span);
    case 'tensor': {
      if (v.v.rank === 0) throw new UserCodeError('iteration over a 0-d tensor', span);
      return tf.unstack(v.v).map((t) => ({ t: 'tensor', v: t }) as Value);
    }
    default: throw new UnsupportedConstruct(`iteration over ${describe(v)}`, span);
  }
}

/** Numbers, booleans and (nested) lists become float32 tensors. */
export function toTensor(v: Value, span: Span): tf.Tensor {
  switch (v.t) {
    case 'tensor': return v.v;
    case 'num': return tf.scalar(v.v, 'float32');
    case 'bool': return tf.scalar(v.v ? 1 : 0, 'float32');
    case 'list':
    case 'tuple': {
      const items = v.items.map((i) => toTensor(i, span));
      if (items.length === 0) return tf.tensor1d([], 'float32');
      return tf.stack(items.map((t) => (t.dtype === 'float32' ? t : tf.cast(t, 'float32'))));
    }
    default: throw new UnsupportedConstruct(`${describe(v)} used as a tensor`, span);
  }
}
