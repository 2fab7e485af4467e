// The loss probe's shared parts: running the translated loss on probe inputs (every tensor released
// before returning), choosing an input layout it accepts, and the context every check reports through.
import * as tf from '@tensorflow/tfjs-core';
import { tidyData } from './tensorScope';
import type { GradProbeSettings } from '../config/settings';
import { finding } from '../findings/finding';
import type { RuleCode } from '../findings/rules';
import type { Finding } from '../findings/types';
import { InputsRefused, LocatedError, ProbeBudgetExceeded, UnsupportedConstruct } from '../ir/errors';
import type { Span } from '../ir/ir';
import type { LossMapping, Program } from '../translate/translate';
import type { LossFacts, SourceOp } from './lossFacts';
import type { LossFamily } from './lossFamily';
import { encodeTarget, layoutSearch, lossCases, type Baseline, type LossCase, type LossInput, type LossLayout, type Names } from './lossInputs';

export interface Measured {
  value: number;
  grad: Float32Array;
  gradPath: boolean;
}

export const finite = (x: number): boolean => Number.isFinite(x);
export const norm = (g: Float32Array): number => Math.sqrt(g.reduce((a, x) => a + x * x, 0));
export const allFinite = (g: Float32Array): boolean => g.every(finite);
export const nonFiniteCount = (g: Float32Array): number => g.reduce((a, x) => a + (finite(x) ? 0 : 1), 0);
/** An error of the user's code on one input (a shape it does not take), not a limit of the probe. */
export const isShapeProblem = (err: unknown): boolean => !(err instanceof UnsupportedConstruct) && !(err instanceof ProbeBudgetExceeded);

/** Runs the translated loss on probe inputs; every tensor is released before returning. */
export class LossRunner {
  /** Probe inputs the loss raised an error on (data-dependent failures), for the summary. */
  readonly failures: string[] = [];

  constructor(readonly program: Program) {}

  /** value(), with a failure of the user's code on this one input recorded and read as NaN. */
  tryValue(layout: LossLayout, input: LossInput, what: string): number {
    try {
      return this.value(layout, input);
    } catch (err) {
      if (!isShapeProblem(err)) throw err;
      this.failures.push(`${what}: ${err instanceof Error ? err.message : String(err)}`);
      return NaN;
    }
  }

  /** measure(), with a failure on this one input recorded; undefined then. */
  tryMeasure(layout: LossLayout, input: LossInput, what: string): Measured | undefined {
    try {
      return this.measure(layout, input);
    } catch (err) {
      if (!isShapeProblem(err)) throw err;
      this.failures.push(`${what}: ${err instanceof Error ? err.message : String(err)}`);
      return undefined;
    }
  }

  value(layout: LossLayout, input: LossInput): number {
    return tidyData(() => {
      const t = tf.tensor(encodeTarget(layout, input.target), layout.targetShape, 'float32');
      const p = tf.tensor(input.pred, layout.predShape, 'float32');
      const out = this.program.run([t, p]);
      const v = out.rank === 0 ? out : tf.mean(tf.cast(out, 'float32'));
      return v.dataSync()[0];
    });
  }

  /**
   * The conventions of lossValueAndGradient (mean of what the loss returns; zeros where no gradient
   * path exists), but without letting TF.js throw "Cannot compute gradient": when it throws, the
   * tensors its tape saved stay kept and leak. allowNoGradients returns no gradient instead.
   */
  measure(layout: LossLayout, input: LossInput): Measured {
    return tidyData(() => {
      const t = tf.tensor(encodeTarget(layout, input.target), layout.targetShape, 'float32');
      const p = tf.tensor(input.pred, layout.predShape, 'float32');
      const { value, grads } = tf.engine().gradients(() => {
        const out = this.program.run([t, p]);
        return (out.rank === 0 ? out : tf.mean(tf.cast(out, 'float32'))) as tf.Scalar;
      }, [p], undefined, true);
      const g = grads[0] as tf.Tensor | undefined;
      return { value: value.dataSync()[0], grad: g ? Float32Array.from(g.dataSync() as Float32Array) : new Float32Array(p.size), gradPath: !!g };
    });
  }
}

/**
 * The first family (in the order the read ranks them) and layout whose typical input the loss
 * accepts: the family used is the one reported.
 */
export function chooseLayout(runner: LossRunner, families: LossFamily[], names: Names, rank?: 4 | 5): { family: LossFamily; layout: LossLayout; typical: LossCase[]; boundary: LossCase[]; skipped: string[] } {
  const tried: string[] = [];
  const skipped: string[] = [];
  let firstError: unknown;
  const groups = layoutSearch(families, rank);
  for (const { family, layouts } of groups) {
    for (const layout of layouts) {
      const cases = lossCases(family, layout, names);
      try {
        runner.value(layout, cases.typical[1]);
        return { family, layout, ...cases, skipped };
      } catch (err) {
        if (!isShapeProblem(err)) throw err;
        tried.push(layout.describe);
        firstError ??= err;
      }
    }
    skipped.push(family.name);
  }
  const what = groups.map((g) => g.family.name).join(', then ');
  const first = firstError instanceof Error ? firstError.message : String(firstError ?? 'unknown error');
  const refused = new InputsRefused(`the loss raised an error on every input shape tried for ${what} (${tried.join('; ')}); the first: ${first}`, firstError instanceof LocatedError ? firstError.span : undefined);
  if (firstError instanceof LocatedError) Object.assign(refused, { path: firstError.path, origin: firstError.origin });
  throw refused;
}

export interface LossContext {
  program: Program;
  runner: LossRunner;
  settings: GradProbeSettings;
  family: LossFamily;
  facts: LossFacts;
  layout: LossLayout;
  names: Names;
  /** Which parameter the probe takes as the prediction. */
  mapping: LossMapping;
  /** The family's standard loss; none for embeddings (no scale to compare with). */
  baseline: Baseline | undefined;
  findings: Finding[];
}

export type LossCode = Extract<RuleCode, `GP2${string}`>;

export function report(ctx: LossContext, code: LossCode, message: string, evidence: Record<string, unknown>, span?: Span): void {
  ctx.findings.push(finding(code, {
    function: ctx.program.target.name,
    message,
    span: span ?? ctx.program.target.nameSpan,
    evidence: { family: ctx.family.name, mapping: ctx.mapping.label, layout: ctx.layout.describe, ...evidence },
  }));
}

export const at = (op: SourceOp): string => `${op.what === 'division' ? 'the division' : op.what} on line ${op.span.startLine + 1}`;
