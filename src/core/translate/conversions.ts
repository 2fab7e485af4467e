// How the evaluator reads a value as a condition, a sequence or a tensor: Python's and JavaScript's
// rules for the values it models. A tensor is a condition as the framework makes it one in eager
// mode: a one-element tensor by its value, anything larger is the framework's "ambiguous" error.
import * as tf from '@tensorflow/tfjs-core';
import { UnsupportedConstruct, UserCodeError } from '../ir/errors';
import type { Framework } from '../ir/frameworks';
import type { Span } from '../ir/ir';
import { describe, str, type Value } from '../ir/values';

/**
 * Python's bool(v). A tensor needs the framework (`tensorTruth`); without it, a tensor condition is
 * refused as data-dependent.
 */
export function truthy(v: Value, span: Span, framework?: Framework): boolean {
  switch (v.t) {
    case 'num': return v.v !== 0;
    case 'bool': return v.v;
    case 'str': return v.v.length > 0;
    case 'none': return false;
    case 'list':
    case 'tuple': return v.items.length > 0;
    case 'dict': return v.map.size > 0;
    case 'tensor':
      if (framework) return tensorTruth(v.v, framework, span);
      throw new UnsupportedConstruct('control flow on a tensor value', span, 'the branch depends on the data; use where()');
    default: return true;
  }
}

/** bool(tensor) in eager mode: the frameworks' own rules and errors. */
export function tensorTruth(t: tf.Tensor, framework: Framework, span: Span): boolean {
  // A TF.js tensor is an object: always truthy in JavaScript.
  if (framework === 'tfjs') return true;
  const torch = framework === 'pytorch';
  if (t.size === 0) {
    if (torch) throw new UserCodeError('Boolean value of Tensor with no values is ambiguous', span, 'RuntimeError');
    if (framework === 'jax') throw new UserCodeError('The truth value of an empty array is ambiguous', span, 'ValueError');
    return false; // NumPy (and TF through it): False, with a DeprecationWarning
  }
  if (t.size > 1) {
    if (torch) throw new UserCodeError('Boolean value of Tensor with more than one value is ambiguous', span, 'RuntimeError');
    throw new UserCodeError('The truth value of an array with more than one element is ambiguous. Use a.any() or a.all()', span, 'ValueError');
  }
  const x = t.dataSync()[0];
  // NaN is true in Python (it is not zero).
  return x !== 0 || Number.isNaN(x);
}

export function iterate(v: Value, span: Span): Value[] {
  switch (v.t) {
    case 'list':
    case 'tuple': return v.items;
    case 'dict': return [...v.keys.values()];
    case 'str': return [...v.v].map(str);
    case 'class': if (v.enumMembers) return v.enumMembers; throw new UnsupportedConstruct(`iteration over ${describe(v)}`, span);
    case 'iterator': {
      // Iterating an iterator consumes it.
      const rest = v.items.slice(v.pos);
      v.pos = v.items.length;
      return rest;
    }
    case 'tensor': {
      if (v.v.rank === 0) throw new UserCodeError('iteration over a 0-d tensor', span, 'TypeError');
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
