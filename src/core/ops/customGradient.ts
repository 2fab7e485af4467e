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

/** The part of TensorFlow.js's engine state a nested gradient computation disturbs. */
interface TapeState { state: { activeTape: unknown } }

/**
 * tf.grads called inside a backward pass (a rule whose gradient is itself a gradient, such as the
 * transpose of a JVP). The nested call ends its own tape by clearing the engine's active tape, which
 * the outer backward pass still reads when it finishes, so the outer tape is put back afterwards.
 */
export function gradsInBackward(f: (...xs: tf.Tensor[]) => tf.Tensor, xs: tf.Tensor[]): tf.Tensor[] {
  const engine = tf.engine() as unknown as TapeState;
  const outer = engine.state.activeTape;
  try {
    return tf.grads(f)(xs);
  } finally {
    engine.state.activeTape = outer;
  }
}
