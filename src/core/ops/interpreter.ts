// What an op needs from the interpreter that calls it: the probe's context, turning a value into a
// tensor, and calling a user's function back (partial, tidy, customGrad). Ops see only this, so the
// op tables sit below the interpreter and never import it.
import type * as tf from '@tensorflow/tfjs-core';
import type { Framework } from '../ir/frameworks';
import type { Span } from '../ir/ir';
import type { Value } from '../ir/values';

export interface OpContext {
  framework: Framework;
  maxElements: number;
  /** Applied to every op's output: identity at float32, rounding when float16/bfloat16 is emulated. */
  finish: (t: tf.Tensor) => tf.Tensor;
  /** The seed of the next random draw: counted per evaluation, so a probe is reproducible and two draws differ. */
  nextSeed: () => number;
  /** Records a value the translation chose (a random draw), for the report's summary. */
  assume: (text: string) => void;
}

export interface Interpreter {
  readonly ctx: OpContext;
  tensor(v: Value, span: Span): tf.Tensor;
  callValue(callee: Value, args: Value[], kwargs: Map<string, Value>, span: Span): Value;
}
