import * as tf from '@tensorflow/tfjs-core';

type Engine = ReturnType<typeof tf.engine>;

let depth = 0;
/** Tensors kept while the outermost scope runs; undefined outside any scope. */
let kept: tf.Tensor[] | undefined;
let recording: Engine | undefined;

/**
 * Disposes every tensor made inside `run`, whatever it returns (tf.tidy only returns tensors), kept
 * ones included. A scope's end disposes only unkept tensors, but kept ones are made on every probe:
 * the evaluator keeps module constants so they outlive the tidies of each differentiated call, the
 * probes keep f(x) out of a gradient call, and TF.js keeps the tensors each op saves for its
 * backward pass, which it disposes only when that pass completes — a function that throws or runs
 * past its budget inside tf.grad leaves them behind. So the outermost scope records every tensor
 * kept while it runs (engine.keep, through which tf.keep and the tape's saves go) and disposes them
 * at its end; inner scopes leave them to it, since a module constant made in one may be read in the
 * next.
 */
export function withTensorScope<T>(run: () => T): T {
  const engine = tf.engine();
  recordKeeps(engine);
  const outermost = depth === 0;
  if (outermost) kept = [];
  depth++;
  engine.startScope();
  try {
    return run();
  } finally {
    engine.endScope();
    depth--;
    if (outermost) {
      for (const t of kept ?? []) if (!t.isDisposed) t.dispose();
      kept = undefined;
    }
  }
}

/**
 * Wraps the engine's keep once, with an own property that shadows the prototype's method: outside
 * a scope it only forwards. Installed once, so the engine object's shape does not change per probe.
 */
function recordKeeps(engine: Engine): void {
  if (recording === engine) return;
  const keep = Object.getPrototypeOf(engine).keep as Engine['keep'];
  Object.defineProperty(engine, 'keep', {
    configurable: true,
    writable: true,
    value: <R extends tf.Tensor>(result: R): R => {
      kept?.push(result);
      return keep.call(engine, result) as R;
    },
  });
  recording = engine;
}

/**
 * tf.tidy for a computation whose result is plain data (numbers, arrays, typed arrays): every tensor
 * made inside is disposed. tf.tidy would walk its result for tensors to keep, every element of an
 * array or typed array one by one (a sweep's three arrays of 2,809 values each, for one probe);
 * here the result never reaches it. A tensor in the result would be disposed with the rest.
 */
export function tidyData<T>(run: () => T): T {
  let out: T | undefined;
  tf.tidy(() => { out = run(); });
  return out as T;
}
