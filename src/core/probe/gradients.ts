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

function isNoPathError(err: unknown): boolean {
  const msg = err instanceof Error ? err.message : String(err);
  return /Cannot compute gradient of y=f\(x\) with respect to x|Cannot find a connection between any variable and the result/i.test(msg);
}

/** f(x) and d(sum f)/dx for an activation. */
export function activationValueAndGradient(program: Program, x: tf.Tensor): ValueAndGradient {
  let y: tf.Tensor | undefined;
  try {
    // f(x) is kept from the differentiated call, so the function runs once.
    const grad = tf.grad((input: tf.Tensor) => {
      y = tf.keep(program.run([input]));
      return tf.sum(y);
    })(x);
    return { value: y!, grad, gradientPath: true };
  } catch (err) {
    y?.dispose();
    if (!isNoPathError(err)) throw err;
    return { value: program.run([x]), grad: tf.zerosLike(x), gradientPath: false };
  }
}

/** The loss reduced to a scalar (mean of whatever the function returns) and its gradient w.r.t. the prediction. */
export function lossValueAndGradient(program: Program, yTrue: tf.Tensor, yPred: tf.Tensor): ValueAndGradient {
  const lossOf = (p: tf.Tensor): tf.Tensor => {
    const out = program.run([yTrue, p]);
    return out.rank === 0 ? out : tf.mean(out);
  };
  try {
    const { value, grad } = tf.valueAndGrad(lossOf)(yPred);
    return { value, grad, gradientPath: true };
  } catch (err) {
    if (!isNoPathError(err)) throw err;
    return { value: lossOf(yPred), grad: tf.zerosLike(yPred), gradientPath: false };
  }
}
