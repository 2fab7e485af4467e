// The engine's first probe in a fresh thread costs about twice a later one: V8 compiles the
// evaluator's, the probes' and TensorFlow.js's functions as they are first called, and warms them up
// only after. The browser server has one thread, which waits at start for the client (settings, the
// grammars' bytes, the folder's listing): this runs a small activation and loss through the real
// pipeline in those waits, so the first file opened finds the code compiled. It needs no grammar:
// the module comes already lowered (warmUpModule.json, checked against a fresh parse by the tests).
// Nothing of it is shown; each step yields to the event loop first, and `stop` ends it before the
// next step (a job about to parse).
import { analyzeFunction } from '../core/analyze';
import { defaultSettings } from '../core/config/settings';
import { detectFunctions } from '../core/detect/detect';
import { initEngine } from '../core/engine';
import type { ParsedModule } from '../core/parse/document';
import { mark } from '../shared/timeline';
import stored from './warmUpModule.json';

export const warmUpPath = '/gradprobe-warm-up/warm_up.py';
export const warmUpSource = `import tensorflow as tf


def warm_up_activation(x):
    return x * tf.sigmoid(x) + tf.math.log(1.0 + tf.exp(x))


def warm_up_loss(y_true, y_pred):
    return -tf.reduce_mean(y_true * tf.math.log(y_pred) + (1.0 - y_true) * tf.math.log(1.0 - y_pred))
`;

type StoredModule = Omit<ParsedModule, 'ir'> & { ir: Omit<ParsedModule['ir'], 'comments'> & { comments: [number, string][] } };

/** A parsed module as JSON holds it (its comments' Map as entries). */
export function storedModule(m: ParsedModule): StoredModule {
  return { ...m, ir: { ...m.ir, comments: [...m.ir.comments] } };
}

/** The warm-up module, lowered as `parseDocument` lowers `warmUpSource`. */
export function warmUpModule(): ParsedModule {
  const s = stored as unknown as StoredModule;
  return { ...s, ir: { ...s.ir, comments: new Map(s.ir.comments) } };
}

const nextTask = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

/**
 * Runs the warm-up, one step per task, until done or `stop()`: the engine, detection, then each
 * function's probe. Resolves with the steps run; never throws (a warm-up that fails leaves the first
 * probe as cold as it was, nothing else).
 */
export async function warmUpEngine(stop: () => boolean): Promise<number> {
  let steps = 0;
  try {
    await initEngine('cpu');
    steps++;
    mark('warm-up: engine');
    await nextTask();
    if (stop()) return steps;
    const module = warmUpModule();
    const detected = detectFunctions([module]);
    steps++;
    mark('warm-up: detection');
    const settings = { ...defaultSettings, backend: 'cpu' as const };
    for (const target of detected) {
      await nextTask();
      if (stop()) return steps;
      analyzeFunction(target, { modules: [module] }, settings, 1, false);
      steps++;
      mark(`warm-up: ${target.name} probed`);
    }
  } catch {
    // the first job will meet the same failure and report it
  }
  return steps;
}
