// In-browser delivery-time regressor (TensorFlow.js).
import * as tf from '@tensorflow/tfjs';
import {ISRU, asinhCG} from './layers';

// Squareplus (Barron 2021): a smooth ReLU without exp, cheap on mobile WebGL drivers
export const squareplus = (x, b = 4) => tf.mul(0.5, tf.add(x, tf.sqrt(tf.add(tf.square(x), b))));

const DELTA = 1.0;

/** Huber loss written with minimum() so there is no branch. */
export function huberLoss(yTrue, yPred) {
  return tf.tidy(() => {
    const err = tf.abs(tf.sub(yPred, yTrue));
    const quad = tf.minimum(err, DELTA);
    const lin = tf.sub(err, quad);
    return tf.mean(tf.add(tf.mul(0.5, tf.square(quad)), tf.mul(DELTA, lin)), -1);
  });
}

/** Share of predictions within 10% of the true delivery time. */
export function within10pct(yTrue, yPred) {
  return tf.tidy(() => {
    const ok = tf.lessEqual(tf.abs(tf.sub(yPred, yTrue)), tf.mul(0.1, tf.abs(yTrue)));
    return tf.mean(tf.cast(ok, 'float32'));
  });
}

export function buildModel(nFeatures) {
  const model = tf.sequential();
  model.add(tf.layers.dense({inputShape: [nFeatures], units: 64}));
  model.add(new ISRU({alpha: 1.0}));
  model.add(tf.layers.dense({units: 1}));
  model.compile({optimizer: tf.train.adam(1e-3), loss: huberLoss, metrics: [within10pct]});
  return model;
}

// Tiny hand-rolled encoder for the on-device embedding (weights loaded from JSON).
export function embed(params, x) {
  return tf.tidy(() => {
    const h = squareplus(tf.add(tf.matMul(x, params.w1), params.b1));
    return asinhCG(tf.add(tf.matMul(h, params.w2), params.b2));
  });
}
