// The TensorFlow.js engine: the CPU backend always; @tensorflow/tfjs-node when it is installed and
// asked for (auto or node). The gradient registrations are side-effect imports.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
// Some gradients (prod) call chained tensor methods.
import '@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops';
import './stridedSliceGradient';

export type BackendChoice = 'auto' | 'cpu' | 'node';

let ready: Promise<string> | undefined;

export class BackendError extends Error {}

function loadNodeBackend(): boolean {
  try {
    // Optional dependency: not bundled, loaded only if present next to the installation.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require('@tensorflow/tfjs-node');
    return tf.findBackend('tensorflow') !== null || tf.engine().registryFactory['tensorflow'] !== undefined;
  } catch {
    return false;
  }
}

export function initEngine(choice: BackendChoice = 'auto'): Promise<string> {
  ready ??= (async () => {
    let name = 'cpu';
    if (choice !== 'cpu' && loadNodeBackend()) name = 'tensorflow';
    else if (choice === 'node') throw new BackendError('--backend node needs @tensorflow/tfjs-node, which is not installed (it cannot install on machines without access to its libtensorflow download)');
    tf.env().set('PROD', true); // no banner suggesting tfjs-node on stderr
    await tf.setBackend(name);
    await tf.ready();
    tf.env().set('DEBUG', false);
    return tf.getBackend();
  })();
  return ready;
}
