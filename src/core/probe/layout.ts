// The layout an activation takes its input in. The sweep is one 1-D tensor of points, and most
// activations take it as it is. A layer-like activation built from modules that want a batch
// (BatchNorm1d wants (N, C); a Conv2d or BatchNorm2d a channels-first image (N, C, H, W)) raises on
// it, or returns another number of elements: such a function gets the same points again, laid out
// in the first of these that it takes, and the outputs are read back in the points' order:
//   1. features  (N, 1): one point per sample, one feature;
//   2. image     (1, 1, H, W): one single-channel image, row by row, H = ⌈√N⌉, W = ⌈N / H⌉, the last
//      row padded with zeros (dropped again from the output);
//   3. sequence  (1, 1, N): one single-channel sequence (Conv1d, BatchNorm1d over a length).
// An image comes before a sequence because PyTorch's 2-D layers also take a 3-D input as one
// unbatched image, which would make the points one row of height 1. The choice is made on the first
// call (the sweep) and kept for every later one, so every probe sees the same function; a function
// the 1-D input suits is called exactly as before.
import * as tf from '@tensorflow/tfjs-core';
import { ProbeBudgetExceeded, UserCodeError } from '../ir/errors';
import type { Program } from '../translate/translate';

export type LayoutName = 'features' | 'image' | 'sequence';

export interface InputLayout {
  name: LayoutName;
  /** The shape the first call's points were laid out in, e.g. [1, 1, 53, 53]. */
  shape: number[];
  /** Why the 1-D points were not taken: the error they raised, or the output's size. */
  refusal: string;
}

const order: LayoutName[] = ['features', 'image', 'sequence'];

function shapeOf(name: LayoutName, n: number): number[] {
  switch (name) {
    case 'features': return [n, 1];
    case 'sequence': return [1, 1, n];
    case 'image': {
      const h = Math.max(1, Math.ceil(Math.sqrt(n)));
      return [1, 1, h, Math.max(1, Math.ceil(n / h))];
    }
  }
}

/** Errors that say the function refused this input (its own raise, an assert, a shape TF.js cannot take). */
function refuses(err: unknown): boolean {
  return err instanceof UserCodeError || (err instanceof Error && err.constructor === Error);
}

const messageOf = (err: unknown): string => (err instanceof Error ? err.message : String(err)).split('\n')[0];

/** Runs `program` on 1-D points laid out as `name`, and the output back as 1-D points; undefined when its size does not match. */
function runLaidOut(program: Program, x: tf.Tensor, name: LayoutName): tf.Tensor | undefined {
  const n = x.size;
  const shape = shapeOf(name, n);
  const total = shape.reduce((p, d) => p * d, 1);
  const padded = total > n ? tf.concat([x, tf.zeros([total - n], x.dtype)]) : x;
  const y = program.run([tf.reshape(padded, shape)]);
  if (y.size !== total) return undefined;
  const flat = tf.reshape(y, [total]);
  return total > n ? tf.slice(flat, [0], [n]) : flat;
}

/**
 * The program as the activation probes call it (1-D points in, 1-D values out), with the layout it
 * took its input in: undefined while it has not run, or when the points are taken as they are.
 */
export function withInputLayout(program: Program): { program: Program; layout: () => InputLayout | undefined } {
  let chosen: InputLayout | 'points' | undefined;
  const run = (inputs: tf.Tensor[]): tf.Tensor => {
    const [x] = inputs;
    if (chosen === 'points' || inputs.length !== 1 || x.rank !== 1) return program.run(inputs);
    if (chosen) {
      const y = runLaidOut(program, x, chosen.name);
      if (!y) throw new Error(`the function is not elementwise: ${x.size} inputs laid out as (${shapeOf(chosen.name, x.size).join(', ')}) gave another number of outputs`);
      return y;
    }
    let direct: tf.Tensor | undefined;
    let refusal: string;
    let firstError: unknown;
    try {
      direct = program.run(inputs);
      if (direct.size === x.size) {
        chosen = 'points';
        return direct;
      }
      refusal = `${x.size} points gave ${direct.size} outputs`;
    } catch (err) {
      if (!refuses(err)) throw err;
      firstError = err;
      refusal = messageOf(err);
    }
    for (const name of order) {
      try {
        const y = runLaidOut(program, x, name);
        if (y) {
          chosen = { name, shape: shapeOf(name, x.size), refusal };
          return y;
        }
      } catch (err) {
        // The budget is the whole probe's: a layout that exhausts it ends the probe.
        if (err instanceof ProbeBudgetExceeded) throw err;
      }
    }
    // No layout suits it: the 1-D call's own outcome, as without layouts.
    chosen = 'points';
    if (direct) return direct;
    throw firstError;
  };
  return { program: { ...program, run }, layout: () => (chosen === 'points' ? undefined : chosen) };
}

const describeLayout: Record<LayoutName, string> = {
  features: 'a batch of one-feature samples',
  image: 'one single-channel image, row by row',
  sequence: 'one single-channel sequence',
};

/** The summary's clause for a laid-out input: which layout, and why the 1-D points were not taken. */
export function layoutClause(layout: InputLayout): string {
  return `input laid out as (${layout.shape.join(', ')}) (${describeLayout[layout.name]}): the 1-D sweep was refused (${layout.refusal})`;
}
