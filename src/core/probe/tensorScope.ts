import * as tf from '@tensorflow/tfjs-core';

/** Disposes every tensor made inside `run`, whatever it returns (tf.tidy only returns tensors). */
export function withTensorScope<T>(run: () => T): T {
  tf.engine().startScope();
  try {
    return run();
  } finally {
    tf.engine().endScope();
  }
}
