// TF.js registers no gradient for StridedSlice, the kernel behind `x[::2]`, `x[::-1]` and every slice
// with a step. This registers one, once, when the engine module loads: the same strided slice applied
// to the flat positions 0…n-1 (shaped like x) names which input element each output element came
// from, and the upstream gradient is summed back into those positions.
import * as tf from '@tensorflow/tfjs-core';

interface StridedSliceAttrs {
  begin: number[];
  end: number[];
  strides: number[];
  beginMask: number;
  endMask: number;
  ellipsisMask: number;
  newAxisMask: number;
  shrinkAxisMask: number;
}

export function stridedSliceGradient(dy: tf.Tensor, x: tf.Tensor, attrs: StridedSliceAttrs): tf.Tensor {
  const positions = tf.reshape(tf.range(0, x.size, 1, 'int32'), x.shape);
  const picked = tf.stridedSlice(positions, attrs.begin, attrs.end, attrs.strides, attrs.beginMask, attrs.endMask, attrs.ellipsisMask, attrs.newAxisMask, attrs.shrinkAxisMask);
  const summed = tf.unsortedSegmentSum(tf.reshape(tf.cast(dy, 'float32'), [-1]), tf.reshape(picked, [-1]), x.size);
  return tf.reshape(summed, x.shape);
}

if (!tf.getGradient(tf.StridedSlice)) {
  tf.registerGradient({
    kernelName: tf.StridedSlice,
    inputsToSave: ['x'],
    gradFunc: (dy, saved, attrs) => {
      const [x] = saved;
      const g = Array.isArray(dy) ? dy[0] : dy;
      return { x: () => stridedSliceGradient(g, x, attrs as unknown as StridedSliceAttrs) };
    },
  });
}
