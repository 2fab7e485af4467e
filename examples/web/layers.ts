// Custom layers and ops for the delivery-time regressor (TensorFlow.js, TypeScript).
import * as tf from '@tensorflow/tfjs';

/** Inverse square root unit (Carlile et al. 2017): x / sqrt(1 + alpha x^2). */
export class ISRU extends tf.layers.Layer {
  static className = 'ISRU';
  private readonly alpha: number;

  constructor(config: {alpha?: number} = {}) {
    super({});
    this.alpha = config.alpha ?? 1.0;
  }

  computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    return inputShape;
  }

  call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      return tf.mul(x, tf.rsqrt(tf.add(1, tf.mul(this.alpha, tf.square(x)))));
    });
  }

  getConfig(): tf.serialization.ConfigDict {
    return {...super.getConfig(), alpha: this.alpha};
  }
}
tf.serialization.registerClass(ISRU);

// asinh with a hand-written gradient (our pinned tfjs build had no Asinh gradient on WebGL)
export const asinhCG = tf.customGrad((x: tf.Tensor, save: tf.GradSaveFunc) => {
  save([x]);
  return {
    value: tf.asinh(x),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.div(dy, tf.add(1, tf.square(saved[0]))),
  };
});
