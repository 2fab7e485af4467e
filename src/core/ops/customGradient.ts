import * as tf from '@tensorflow/tfjs-core';

/** A differentiable function of n tensors whose gradient is `backward` (tf.customGrad with plain types). */
export function withGradient(
  forward: (xs: tf.Tensor[]) => tf.Tensor,
  backward: (dy: tf.Tensor, xs: tf.Tensor[]) => tf.Tensor[],
): (...xs: tf.Tensor[]) => tf.Tensor {
  const f = tf.customGrad(((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const save = args[args.length - 1] as tf.GradSaveFunc;
    const xs = args.slice(0, -1) as tf.Tensor[];
    save(xs);
    const value = forward(xs);
    return {
      // An identity forward returns its input itself: the tape would then send the gradient along
      // both the custom rule and the input's own path. A copy keeps the rule the only path.
      value: xs.includes(value) ? tf.clone(value) : value,
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => backward(Array.isArray(dy) ? dy[0] : dy, saved),
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return (...xs: tf.Tensor[]) => f(...xs) as tf.Tensor;
}
