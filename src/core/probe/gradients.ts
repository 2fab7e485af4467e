// Values and gradients of a translated program, with the conventions `eval` and the probes share:
// where no gradient path exists (round, argmax, a graph break), the gradient is zeros.
import * as tf from '@tensorflow/tfjs-core';
import type { Program } from '../translate/translate';

export interface ValueAndGradient {
  value: tf.Tensor;
  grad: tf.Tensor;
  /** False when the output does not depend on the input at all (no gradient path). */
  gradientPath: boolean;
}


/**
 * Value and gradient of `f` at `x`, with "no gradient path" reported rather than thrown (TF.js
 * throws there and leaks the tensors it saved; allowNoGradients avoids both).
 */
function valueAndGradient(f: (x: tf.Tensor) => tf.Tensor, x: tf.Tensor): ValueAndGradient {
  const { value, grads } = tf.engine().gradients(() => f(x), [x], undefined, true);
  const grad = grads[0];
  if (!grad) return { value, grad: tf.zerosLike(x), gradientPath: false };
  return { value, grad, gradientPath: true };
}

/** f(x) and d(sum f)/dx for an activation. */
export function activationValueAndGradient(program: Program, x: tf.Tensor): ValueAndGradient {
  let y: tf.Tensor | undefined;
  // f(x) is kept from the differentiated call, so the function runs once.
  const { grad, gradientPath } = valueAndGradient((input) => {
    y = tf.keep(program.run([input]));
    return tf.sum(y);
  }, x);
  return { value: y!, grad, gradientPath };
}

/** The loss reduced to a scalar (mean of whatever the function returns) and its gradient w.r.t. the prediction. */
export function lossValueAndGradient(program: Program, yTrue: tf.Tensor, yPred: tf.Tensor): ValueAndGradient {
  return valueAndGradient((p) => {
    const out = program.run([yTrue, p]);
    return out.rank === 0 ? out : tf.mean(out);
  }, yPred);
}
