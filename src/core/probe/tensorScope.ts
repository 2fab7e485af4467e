import * as tf from '@tensorflow/tfjs-core';

type Engine = ReturnType<typeof tf.engine>;

let depth = 0;
let kept: tf.Tensor[] = [];

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
  const outermost = depth === 0;
  if (outermost) recordKeeps(engine);
  depth++;
  engine.startScope();
  try {
    return run();
  } finally {
    engine.endScope();
    depth--;
    if (outermost) releaseKeeps(engine);
  }
}

function recordKeeps(engine: Engine): void {
  kept = [];
  const keep = Object.getPrototypeOf(engine).keep as Engine['keep'];
  // An own property shadows the prototype's method for this engine only, and only while the scope runs.
  Object.defineProperty(engine, 'keep', {
    configurable: true,
    writable: true,
    value: <R extends tf.Tensor>(result: R): R => {
      kept.push(result);
      return keep.call(engine, result) as R;
    },
  });
}

function releaseKeeps(engine: Engine): void {
  delete (engine as Partial<Engine>).keep;
  for (const t of kept) if (!t.isDisposed) t.dispose();
  kept = [];
}
