// The loss probes (GP2xx): choose the input family from a static read of the function, find a shape
// it accepts, then probe it inside that family's domain only — boundary inputs, the target as a
// minimum, unboundedness, gradient direction and scale against a standard baseline, batch scaling,
// and 1-D slices from the target outwards. Nothing here runs the user's code other than through
// the translated Program.
import * as tf from '@tensorflow/tfjs-core';
import type { GradProbeSettings } from '../config/settings';
import type { Finding, Severity } from '../findings/types';
import { InputsRefused, LocatedError, ProbeBudgetExceeded, UnsupportedConstruct } from '../ir/errors';
import type { Span } from '../ir/ir';
import { lossMapping, type Program } from '../translate/translate';
import {
  baselineAt, baselineFor, candidateLayouts, encodeTarget, hasClassRows, lossCases, lossSlices, otherClassRows, seededRandom, tiledLayout, tileInput,
  type Baseline, type LossCase, type LossInput, type LossLayout, type Names, type SliceSpec,
} from './lossInputs';
import { chooseLossFamily, lossParameterNames, readLossFacts, type LossFacts, type LossFamily, type SourceOp } from './lossStatic';

export type { LossFamily } from './lossStatic';

export interface LossSliceData {
  label: string;
  /** Slice coordinate s; the target is at s = 0. */
  t: number[];
  loss: (number | null)[];
  gradNorm: (number | null)[];
  baselineLoss: (number | null)[];
  baselineGradNorm: (number | null)[];
}

export interface LossProbeData {
  slices: LossSliceData[];
  /** The 2-D landscape for two-output predictions (rows over y, columns over x; null where not finite or outside the domain). */
  grid?: { label: string; x: number[]; y: number[]; loss: (number | null)[][] };
  /** What was probed, for hovers and the panel. */
  layout: string;
  baseline: string;
}

export interface LossProbeResult {
  findings: Finding[];
  summary: string;
  family: string;
  mapping: string;
  data: LossProbeData;
}

const defaultSeverity: Record<string, Severity> = {
  GP201: 'error', GP202: 'error', GP203: 'error', GP204: 'error', GP205: 'error', GP206: 'error',
  GP207: 'warning', GP208: 'warning', GP209: 'warning', GP210: 'info', GP211: 'warning', GP212: 'warning', GP213: 'info',
};

interface Measured {
  value: number;
  grad: Float32Array;
  gradPath: boolean;
}

const finite = (x: number): boolean => Number.isFinite(x);
const fmt = (x: number): string => {
  if (Number.isNaN(x)) return 'NaN';
  if (!finite(x)) return x > 0 ? '+Inf' : '-Inf';
  if (x === 0) return '0';
  const a = Math.abs(x);
  return a >= 1e4 || a < 1e-3 ? x.toExponential(2) : Number(x.toPrecision(3)).toString();
};
/** Two numbers with enough digits to tell them apart. */
function fmtPair(a: number, b: number): [string, string] {
  for (let digits = 3; digits <= 8; digits++) {
    const fa = Number(a.toPrecision(digits)).toString();
    const fb = Number(b.toPrecision(digits)).toString();
    if (fa !== fb || digits === 8) return [fa, fb];
  }
  return [fmt(a), fmt(b)];
}
const norm = (g: Float32Array): number => Math.sqrt(g.reduce((a, x) => a + x * x, 0));
const allFinite = (g: Float32Array): boolean => g.every(finite);
const nonFiniteCount = (g: Float32Array): number => g.reduce((a, x) => a + (finite(x) ? 0 : 1), 0);
const isShapeProblem = (err: unknown): boolean => !(err instanceof UnsupportedConstruct) && !(err instanceof ProbeBudgetExceeded);

/** Runs the translated loss on probe inputs; every tensor is released before returning. */
class LossRunner {
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
    return tf.tidy(() => {
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
    return tf.tidy(() => {
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

function chooseLayout(runner: LossRunner, family: LossFamily, names: Names): { layout: LossLayout; typical: LossCase[]; boundary: LossCase[] } {
  const tried: string[] = [];
  let firstError: unknown;
  for (const layout of candidateLayouts(family)) {
    const cases = lossCases(family, layout, names);
    try {
      runner.value(layout, cases.typical[1]);
      return { layout, ...cases };
    } catch (err) {
      if (!isShapeProblem(err)) throw err;
      tried.push(layout.describe);
      firstError ??= err;
    }
  }
  const first = firstError instanceof Error ? firstError.message : String(firstError ?? 'unknown error');
  const refused = new InputsRefused(`the loss raised an error on every input shape tried for ${family.name} (${tried.join('; ')}); the first: ${first}`, firstError instanceof LocatedError ? firstError.span : undefined);
  if (firstError instanceof LocatedError) Object.assign(refused, { path: firstError.path, origin: firstError.origin });
  throw refused;
}

interface Context {
  program: Program;
  runner: LossRunner;
  settings: GradProbeSettings;
  family: LossFamily;
  facts: LossFacts;
  layout: LossLayout;
  names: Names;
  mapping: string;
  baseline: Baseline;
  findings: Finding[];
}

function report(ctx: Context, code: string, message: string, evidence: Record<string, unknown>, span?: Span): void {
  ctx.findings.push({
    code,
    severity: ctx.settings.severity[code] ?? defaultSeverity[code] ?? 'warning',
    function: ctx.program.target.name,
    message,
    span: span ?? ctx.program.target.nameSpan,
    evidence: { family: ctx.family.name, mapping: ctx.mapping, layout: ctx.layout.describe, ...evidence },
  });
}

const at = (op: SourceOp): string => `${op.what === 'division' ? 'the division' : op.what} on line ${op.span.startLine + 1}`;

// ---------------------------------------------------------------- GP201 / GP202

function nanCause(ctx: Context, c: LossCase): { cause?: string; fix?: string } {
  const { facts, names } = ctx;
  const targetLog = facts.targetLog[0];
  if (targetLog && c.target.some((x) => x <= 0)) return { cause: `${at(targetLog)} takes the log of ${names.target}, which is 0 there` };
  const logOp = facts.predLog[0] ?? facts.predLogComplement[0];
  const div = facts.predDivisions[0];
  switch (c.kind) {
    case 'perfect': case 'exact-wrong': case 'zero-all':
      if (facts.diceRatios.length && div) return { cause: `0/0 in ${at(div)}`, fix: 'add a smoothing term to the numerator and the denominator' };
      if (logOp) return { cause: `log(0) from ${at(logOp)}`, fix: `clip ${names.pred} to [eps, 1 − eps] before the log` };
      if (div) return { cause: `division by zero in ${at(div)}`, fix: 'add an epsilon to the denominator' };
      return {};
    case 'empty-empty': case 'class-absent': case 'empty-some': case 'full-full':
      if (div) return { cause: `0/0 in ${at(div)}`, fix: 'add a smoothing term to the numerator and the denominator, e.g. (2·Σ y·p + 1) / (Σ y + Σ p + 1)' };
      return {};
    case 'confident-right': case 'confident-wrong':
      if (facts.activations.length) return { cause: `${at(facts.activations[0])} saturates to exactly 0 or 1 in float32`, fix: 'compute the loss from the logits (log_sigmoid / log_softmax, or the framework\'s with-logits loss)' };
      return {};
    case 'zero-targets':
      if (div) return { cause: `division by zero in ${at(div)}`, fix: 'add an epsilon to the denominator' };
      return {};
    default:
      return div ? { cause: `a division in ${at(div)}` } : logOp ? { cause: `${at(logOp)}` } : {};
  }
}

function gradNanCause(ctx: Context, c: LossCase): { cause?: string; fix?: string } {
  const { facts } = ctx;
  if (facts.predWhere.length && c.kind !== 'perfect') {
    return { cause: `${at(facts.predWhere[0])} evaluates both branches, and the branch it discards is NaN/Inf there`, fix: 'make the discarded branch safe too, e.g. take the log of where(mask, x, 1) rather than where(mask, log(x), 0)' };
  }
  if (facts.predSqrt.length && (c.kind === 'perfect' || c.kind === 'zero-all')) {
    return { cause: `${at(facts.predSqrt[0])} of a zero distance has an infinite derivative`, fix: 'add a small epsilon inside the sqrt, e.g. sqrt(sum(d²) + 1e-12)' };
  }
  if (facts.predWhere.length) return { cause: `${at(facts.predWhere[0])}: the discarded branch is NaN/Inf`, fix: 'guard the inputs of both branches' };
  if (facts.predSqrt.length) return { cause: `${at(facts.predSqrt[0])} at 0`, fix: 'add an epsilon inside the sqrt' };
  return {};
}

function checkNonFinite(ctx: Context, measured: Map<LossCase, Measured>): { badValue: Set<LossCase>; badGrad: Set<LossCase> } {
  const badValue = new Set<LossCase>();
  const badGrad = new Set<LossCase>();
  for (const [c, m] of measured) {
    if (!finite(m.value)) badValue.add(c);
    else if (!allFinite(m.grad)) badGrad.add(c);
  }
  const { names } = ctx;
  if (badValue.size) {
    const list = [...badValue];
    const first = list[0];
    const { cause, fix } = nanCause(ctx, first);
    const v = measured.get(first)!.value;
    report(ctx, 'GP201', `Loss is ${fmt(v)} ${first.label}${cause ? `: ${cause}` : ''}${fix ? `; ${fix}` : ''}.`, {
      case: first.label,
      value: fmt(v),
      cases: list.map((c) => ({ case: c.label, value: fmt(measured.get(c)!.value) })),
    });
  }
  if (badGrad.size) {
    const list = [...badGrad];
    const first = list[0];
    const m = measured.get(first)!;
    const { cause, fix } = gradNanCause(ctx, first);
    report(ctx, 'GP202', `∂loss/∂${names.pred} has ${nonFiniteCount(m.grad)} NaN/Inf entries of ${m.grad.length} ${first.label}, while the loss itself is finite (${fmt(m.value)})${cause ? `: ${cause}` : ''}${fix ? `; ${fix}` : ''}.`, {
      case: first.label,
      loss: m.value,
      nonFiniteEntries: nonFiniteCount(m.grad),
      entries: m.grad.length,
      cases: list.map((c) => c.label),
    });
  }
  return { badValue, badGrad };
}

// ---------------------------------------------------------------- GP203

/** Clamp a direction so a small step from the target stays in the domain (and on the simplex). */
function feasibleDirection(ctx: Context, target: Float32Array, dir: Float32Array): Float32Array {
  const { family, layout } = ctx;
  const bounded = family.space !== 'regression';
  const v = dir.map((x, i) => bounded && ((target[i] <= 0 && x < 0) || (target[i] >= 1 && x > 0)) ? 0 : x);
  if (family.space === 'probabilities' && hasClassRows(family, layout)) {
    const c = layout.lastAxis;
    for (let r = 0; r < v.length / c; r++) {
      let k = 0;
      for (let j = 1; j < c; j++) if (target[r * c + j] > target[r * c + k]) k = j;
      let others = 0;
      for (let j = 0; j < c; j++) if (j !== k) { v[r * c + j] = Math.max(v[r * c + j], 0); others += v[r * c + j]; }
      v[r * c + k] = -others;
    }
  }
  const m = v.reduce((a, x) => Math.max(a, Math.abs(x)), 0);
  return m > 0 ? v.map((x) => x / m) : v;
}

function stepFrom(ctx: Context, target: Float32Array, dir: Float32Array, step: number): Float32Array {
  const out = target.map((x, i) => x + step * dir[i]);
  if (ctx.family.space !== 'regression') return out.map((x) => Math.min(Math.max(x, 0), 1));
  if (ctx.family.domain === 'nonnegative') return out.map((x) => Math.max(x, 0));
  return out;
}

function checkMinimumAtTarget(ctx: Context, perfect: LossCase, atTarget: Measured, typicalLoss: number): void {
  const { family, layout, runner, names } = ctx;
  if (family.space === 'logits' || !finite(atTarget.value)) return;
  const target = perfect.target;
  // Small steps matter along the gradient (a slightly shifted minimum); elsewhere coarser ones do.
  const dirs: { label: string; dir: Float32Array; steps?: number[] }[] = [];
  if (allFinite(atTarget.grad) && norm(atTarget.grad) > 0) dirs.push({ label: 'a step against the gradient at the target', dir: feasibleDirection(ctx, target, atTarget.grad.map((g) => -g)), steps: [0.1, 0.01, 0.001] });
  const rand = seededRandom(77);
  if (family.space === 'regression') {
    for (let k = 0; k < 2; k++) dirs.push({ label: 'a small random perturbation', dir: target.map(() => (rand() < 0.5 ? -1 : 1) * (0.5 + 0.5 * rand())) });
  } else if (hasClassRows(family, layout)) {
    const other = otherClassRows(target, layout.lastAxis);
    dirs.push({ label: 'moving probability mass from the true class to another', dir: feasibleDirection(ctx, target, other.map((x, i) => x - target[i])) });
    dirs.push({ label: 'moving towards the uniform prediction', dir: feasibleDirection(ctx, target, target.map((x) => 1 / layout.lastAxis - x)) });
  } else {
    dirs.push({ label: `moving every ${names.pred} slightly away from ${names.target}`, dir: feasibleDirection(ctx, target, target.map((x) => 1 - 2 * x)) });
    dirs.push({ label: `moving some ${names.pred} slightly away from ${names.target}`, dir: feasibleDirection(ctx, target, target.map((x) => (1 - 2 * x) * rand())) });
  }
  const tol = Math.max(1e-6 * Math.abs(atTarget.value), 1e-4 * Math.abs(typicalLoss - atTarget.value), 1e-12);
  // The first direction (in the order above) that lowers the loss, at its best step size.
  let best: { label: string; step: number; value: number; dir: Float32Array } | undefined;
  for (const { label, dir, steps } of dirs) {
    if (!dir.some((x) => x !== 0)) continue;
    for (const step of steps ?? [0.1, 0.01]) {
      const v = runner.tryValue(layout, { target, pred: stepFrom(ctx, target, dir, step) }, 'a perturbation of the target');
      if (finite(v) && v < atTarget.value - tol && (!best || v < best.value)) best = { label, step, value: v, dir };
    }
    if (best) break;
  }
  if (!best) return;
  // The opposite step lowers it too: the target sits on a maximum (or saddle) along that line.
  const opposite = feasibleDirection(ctx, target, best.dir.map((x) => -x));
  const back = opposite.some((x) => x !== 0) ? runner.tryValue(layout, { target, pred: stepFrom(ctx, target, opposite, best.step) }, 'a perturbation of the target') : NaN;
  const maximum = finite(back) && back < atTarget.value - tol;
  const [before, after] = fmtPair(atTarget.value, best.value);
  report(ctx, 'GP203', `The loss is not minimal at ${names.pred} == ${names.target}: ${best.label} (size ${best.step}) lowers it from ${before} to ${after}${maximum ? `, and so does the opposite step (${fmt(back)}): the target is a maximum along that line` : ''}. Training settles away from the target.`, {
    perturbation: best.label, step: best.step, lossAtTarget: atTarget.value, lossPerturbed: best.value, lossOppositeStep: finite(back) ? back : undefined,
  });
}

// ---------------------------------------------------------------- GP204

/** Decreasing without levelling off over growing displacements (or reaching −Inf). */
function unboundedBelow(values: number[], start: number): boolean {
  if (values.some((v) => Number.isNaN(v) || v === Infinity)) return false;
  if (values[values.length - 1] === -Infinity) return values[values.length - 1] < start;
  for (let i = 1; i < values.length; i++) if (!(values[i] < values[i - 1])) return false;
  const n = values.length;
  const lastDrop = values[n - 2] - values[n - 1];
  const prevDrop = values[n - 3] - values[n - 2];
  return values[n - 1] < start && lastDrop >= 0.5 * prevDrop && lastDrop > 1e-6 * Math.abs(values[n - 1]);
}

function checkUnbounded(ctx: Context, perfect: LossCase | undefined, atTarget: Measured | undefined, sliceEnds: { label: string; value: number }[], boundary: Map<LossCase, Measured>): void {
  const { family, layout, runner, names } = ctx;
  const scales = [1, 10, 100, 1000];
  if (family.space === 'regression' && perfect && atTarget) {
    const target = perfect.target;
    const rand = seededRandom(91);
    const d = target.map(() => (rand() < 0.5 ? -1 : 1) * (0.5 + rand()));
    const rms = (v: Float32Array): Float32Array => { const r = Math.sqrt(v.reduce((a, x) => a + x * x, 0) / v.length); return r > 0 ? v.map((x) => x / r) : v; };
    const dirs: { label: string; dir: Float32Array }[] = family.domain === 'nonnegative'
      ? [{ label: `increasing ${names.pred}`, dir: rms(d.map(Math.abs)) }]
      : [{ label: 'a fixed random direction', dir: rms(d) }, { label: 'the opposite direction', dir: rms(d.map((x) => -x)) }];
    if (allFinite(atTarget.grad) && norm(atTarget.grad) > 0) dirs.push({ label: 'the descent direction at the target', dir: rms(atTarget.grad.map((g) => -g)) });
    for (const { label, dir } of dirs) {
      const values: number[] = [];
      for (const k of scales) {
        values.push(runner.tryValue(layout, { target, pred: stepFrom(ctx, target, dir, k) }, `a displacement of ${k}`));
        if (values.length >= 2 && !(values[values.length - 1] < values[values.length - 2])) break;
      }
      if (values.length === scales.length && unboundedBelow(values, atTarget.value)) {
        report(ctx, 'GP204', `The loss is unbounded below: moving ${names.pred} away from ${names.target} along ${label} lowers it without limit (${scales.map((k, i) => `RMS distance ${k}: ${fmt(values[i])}`).join(', ')}; ${fmt(atTarget.value)} at the target). The optimiser is rewarded for ever larger errors.`, {
          direction: label, distances: scales, losses: values, lossAtTarget: atTarget.value,
        });
        return;
      }
    }
    return;
  }
  if (family.space === 'logits') {
    const base = ctx.family.arity === 'categorical' && hasClassRows(family, layout);
    const t = perfect?.target ?? [...boundary.keys()][0]?.target;
    if (!t) return;
    const c = layout.lastAxis;
    const toward = base ? t.map((x) => x - 1 / c) : t.map((x) => 2 * x - 1);
    for (const [label, dir] of [['towards the target', toward], ['away from the target', toward.map((x) => -x)]] as const) {
      const values: number[] = [];
      for (const k of scales) {
        values.push(runner.tryValue(layout, { target: t, pred: dir.map((x) => k * x) }, `logits scaled by ${k}`));
        if (values.length >= 2 && !(values[values.length - 1] < values[values.length - 2])) break;
      }
      if (values.length === scales.length && unboundedBelow(values, values[0] + Math.abs(values[0]) + 1)) {
        report(ctx, 'GP204', `The loss is unbounded below: scaling the logits ${label} lowers it without limit (${scales.map((k, i) => `scale ${k}: ${fmt(values[i])}`).join(', ')}), so the logits are pushed to ever larger magnitudes.`, {
          direction: label, scales, losses: values,
        });
        return;
      }
    }
    return;
  }
  // Bounded domains: only a singularity at the boundary can make the loss unbounded below.
  const end = sliceEnds.find((e) => e.value === -Infinity);
  const wrongCase = [...boundary].find(([c, m]) => c.kind === 'exact-wrong' && m.value === -Infinity);
  if (end || wrongCase) {
    report(ctx, 'GP204', `The loss is unbounded below inside the domain: it reaches −Inf ${end ? `at the far end of the slice (${end.label})` : wrongCase![0].label}, i.e. it rewards predictions away from ${names.target}.`, {
      where: end?.label ?? wrongCase![0].label,
    });
  }
}

// ---------------------------------------------------------------- GP206, GP208, GP209

/** Per sample row: does a small descent step move the prediction towards the target? */
function descentVerdicts(ctx: Context, input: LossInput, grad: Float32Array): { toward: number; away: number } {
  const { family, layout } = ctx;
  const rows = layout.predShape[0];
  const per = grad.length / rows;
  let toward = 0;
  let away = 0;
  for (let r = 0; r < rows; r++) {
    let score = 0;
    let scale = 0;
    if (family.space === 'logits' && hasClassRows(family, layout)) {
      const c = layout.lastAxis;
      for (let g = 0; g < per / c; g++) {
        const o = r * per + g * c;
        let m = -Infinity;
        for (let j = 0; j < c; j++) m = Math.max(m, input.pred[o + j]);
        const e = Array.from({ length: c }, (_, j) => Math.exp(input.pred[o + j] - m));
        const sum = e.reduce((a, b) => a + b, 0);
        let k = 0;
        for (let j = 1; j < c; j++) if (input.target[o + j] > input.target[o + k]) k = j;
        let pg = 0;
        for (let j = 0; j < c; j++) pg += (e[j] / sum) * grad[o + j];
        score += -grad[o + k] + pg;
        for (let j = 0; j < c; j++) scale += Math.abs(grad[o + j]);
      }
    } else if (family.space === 'logits') {
      for (let i = r * per; i < (r + 1) * per; i++) { score += -grad[i] * (input.target[i] >= 0.5 ? 1 : -1); scale += Math.abs(grad[i]); }
    } else {
      for (let i = r * per; i < (r + 1) * per; i++) { score += grad[i] * (input.pred[i] - input.target[i]); scale += Math.abs(grad[i]) * Math.abs(input.pred[i] - input.target[i]); }
    }
    if (!finite(score) || scale === 0 || Math.abs(score) <= 1e-6 * scale) continue;
    if (score > 0) toward++;
    else away++;
  }
  return { toward, away };
}

function checkDirection(ctx: Context, typical: { c: LossCase; m: Measured }[]): void {
  let toward = 0;
  let away = 0;
  for (const { c, m } of typical) {
    if (!finite(m.value) || !allFinite(m.grad)) continue;
    const v = descentVerdicts(ctx, c, m.grad);
    toward += v.toward;
    away += v.away;
  }
  const total = toward + away;
  if (total === 0 || away <= total / 2) return;
  const { names, family } = ctx;
  const what = family.space === 'logits' ? `lowers the probability of the true class` : `moves ${names.pred} away from ${names.target}`;
  report(ctx, 'GP206', `A small gradient-descent step on ${names.pred} ${what} for ${away} of ${total} samples on typical errors: the loss points the wrong way (is its sign flipped?).`, {
    samplesAway: away, samplesTowards: toward,
  });
}

function checkGradientScale(ctx: Context, typical: { c: LossCase; m: Measured }[]): number | undefined {
  const ratios: number[] = [];
  const rows: { loss: number; gradNorm: number; baselineLoss: number; baselineGradNorm: number }[] = [];
  for (const { c, m } of typical) {
    if (!finite(m.value) || !allFinite(m.grad)) continue;
    const b = baselineAt(ctx.baseline, c);
    const g = norm(m.grad);
    rows.push({ loss: m.value, gradNorm: g, baselineLoss: b.value, baselineGradNorm: b.gradNorm });
    if (g > 0 && b.gradNorm > 0 && finite(b.gradNorm)) ratios.push(g / b.gradNorm);
  }
  if (!ratios.length) return undefined;
  const ratio = Math.exp(ratios.reduce((a, r) => a + Math.log(r), 0) / ratios.length);
  const { weakGradientRatio, strongGradientRatio } = ctx.settings.thresholds;
  const { names, baseline } = ctx;
  if (ratio < weakGradientRatio) {
    report(ctx, 'GP208', `On typical errors ‖∂loss/∂${names.pred}‖ is ${fmt(ratio)} × the ${baseline.name} baseline's (threshold ${weakGradientRatio}): learning will crawl unless the learning rate is raised by as much.`, {
      ratio, threshold: weakGradientRatio, baseline: baseline.name, cases: rows,
    });
  } else if (ratio > strongGradientRatio) {
    report(ctx, 'GP209', `On typical errors ‖∂loss/∂${names.pred}‖ is ${fmt(ratio)} × the ${baseline.name} baseline's (threshold ${strongGradientRatio}): updates will overshoot at usual learning rates.`, {
      ratio, threshold: strongGradientRatio, baseline: baseline.name, cases: rows,
    });
  }
  return ratio;
}

// ---------------------------------------------------------------- GP205

function checkNoGradient(ctx: Context, measured: Measured[]): boolean {
  const usable = measured.filter((m) => finite(m.value));
  if (!usable.length) return false;
  if (!usable.every((m) => !m.gradPath || m.grad.every((g) => g === 0))) return false;
  const kill = ctx.facts.kills[0];
  const { names } = ctx;
  const noPath = usable.every((m) => !m.gradPath);
  const why = kill ? `${kill.what} on line ${kill.span.startLine + 1} cuts the gradient` : noPath ? `the result does not depend on ${names.pred} through differentiable ops` : `every path from ${names.pred} is piecewise constant`;
  report(ctx, 'GP205', `∂loss/∂${names.pred} is ${noPath ? 'missing' : 'zero'} on every probe input: ${why}. Training gets no signal ("No gradients provided for any variable").`, {
    op: kill?.what, line: kill ? kill.span.startLine + 1 : undefined, gradientPath: !noPath, inputs: usable.length,
  }, kill?.span);
  return true;
}

// ---------------------------------------------------------------- GP210

function checkBatchScaling(ctx: Context, input: LossInput, value: number): void {
  const { runner, layout } = ctx;
  const values: number[] = [value];
  try {
    for (const f of [2, 4]) values.push(runner.value(tiledLayout(layout, f), tileInput(input, f)));
  } catch (err) {
    if (!isShapeProblem(err)) throw err;
    return; // a loss tied to one batch size: nothing to compare
  }
  const [v1, v2, v4] = values;
  if (!values.every(finite) || Math.abs(v1) < 1e-30) return;
  const r2 = v2 / v1;
  const r4 = v4 / v1;
  if (!(r2 > 0 && r4 > 0)) return;
  const l2 = Math.log2(r2);
  const l4 = Math.log2(r4);
  if (Math.abs(l2) < 0.5 || Math.abs(l4 / l2 - 2) > 0.2) return;
  const b = layout.predShape[0];
  report(ctx, 'GP210', `The loss value scales with the batch size (${b} rows: ${fmt(v1)}, ${2 * b}: ${fmt(v2)}, ${4 * b}: ${fmt(v4)} for the same rows repeated): it ${r2 > 1 ? 'sums' : 'divides'} over the batch instead of averaging, so the effective learning rate depends on the batch size. Use a mean.`, {
    batchSizes: [b, 2 * b, 4 * b], losses: values,
  });
}

// ---------------------------------------------------------------- the 2-D landscape

const GRID = 15;

/**
 * For two-output predictions (last axis 2): the loss over both outputs of the first sample, the
 * others held at their targets, inside the family's domain — the panel's heatmap.
 */
function lossGrid(ctx: Context, target: Float32Array): LossProbeData['grid'] {
  if (ctx.layout.lastAxis !== 2) return undefined;
  const space = ctx.family.space;
  const axis = (centre: number): number[] => {
    if (space === 'probabilities' || space === 'masks') return Array.from({ length: GRID }, (_, i) => i / (GRID - 1));
    if (space === 'logits') return Array.from({ length: GRID }, (_, i) => -6 + (12 * i) / (GRID - 1));
    return Array.from({ length: GRID }, (_, i) => centre - 3 + (6 * i) / (GRID - 1));
  };
  const x = axis(target[0]);
  const y = axis(target[1]);
  // Two classes on the simplex are one free number: the 1-D slices already show it.
  if (space === 'probabilities' && ctx.family.arity === 'categorical') return undefined;
  const loss = y.map((b) => x.map((a) => {
    const pred = Float32Array.from(target);
    pred[0] = a;
    pred[1] = b;
    const v = ctx.runner.tryValue(ctx.layout, { target, pred }, 'grid point');
    return finite(v) ? v : null;
  }));
  return { label: `${ctx.names.pred}[0, 0] × ${ctx.names.pred}[0, 1] (other entries at the target)`, x, y, loss };
}

// ---------------------------------------------------------------- slices, GP212, GP213

interface SliceRun { spec: SliceSpec; data: LossSliceData; measured: (Measured | undefined)[] }

function runSlice(ctx: Context, spec: SliceSpec): SliceRun {
  const data: LossSliceData = { label: spec.label, t: spec.s, loss: [], gradNorm: [], baselineLoss: [], baselineGradNorm: [] };
  const measured: (Measured | undefined)[] = [];
  for (const s of spec.s) {
    const input = { target: spec.target, pred: spec.at(s) };
    const m = ctx.runner.tryMeasure(ctx.layout, input, `slice point s = ${fmt(s)}`);
    measured.push(m);
    const b = baselineAt(ctx.baseline, input);
    data.loss.push(m && finite(m.value) ? m.value : null);
    data.gradNorm.push(m && allFinite(m.grad) ? norm(m.grad) : null);
    data.baselineLoss.push(finite(b.value) ? b.value : null);
    data.baselineGradNorm.push(finite(b.gradNorm) ? b.gradNorm : null);
  }
  return { spec, data, measured };
}

/** Index runs from the target (s = 0) outwards. */
function halves(s: number[]): number[][] {
  const zero = s.reduce((best, x, i) => (Math.abs(x) < Math.abs(s[best]) ? i : best), 0);
  const out: number[][] = [];
  if (zero < s.length - 1) out.push(Array.from({ length: s.length - zero }, (_, i) => zero + i));
  if (zero > 0) out.push(Array.from({ length: zero + 1 }, (_, i) => zero - i));
  return out;
}

/**
 * GP212/GP213. The plateau threshold is scaled down with the loss's overall gradient scale (its
 * ratio to the baseline, when below 1): a loss that is uniformly tiny is GP208's, not a plateau.
 */
function checkSlices(ctx: Context, runs: SliceRun[], gradientWorks: boolean, gradientRatio: number | undefined): void {
  const { plateauShare } = ctx.settings.thresholds;
  const plateauGradient = ctx.settings.thresholds.plateauGradient * Math.min(1, gradientRatio ?? 1);
  let plateauReported = false;
  let minimaReported = false;
  for (const run of runs) {
    const { data, spec } = run;
    for (const half of halves(spec.s)) {
      const loss = half.map((i) => data.loss[i]);
      const grads = half.map((i) => data.gradNorm[i]);
      if (loss.some((v) => v === null)) continue;
      const L = loss as number[];
      const lo = Math.min(...L);
      const hi = Math.max(...L);
      const tol = 1e-3 * (hi - lo) + 1e-9 * Math.abs(hi);
      if (hi - lo <= 1e-12 * Math.max(1, Math.abs(hi))) continue;
      if (!plateauReported && gradientWorks) {
        const flat = half.map((_, k) => grads[k] !== null && (grads[k] as number) < plateauGradient && L[k] > lo + tol);
        const share = flat.filter(Boolean).length / half.length;
        if (share > plateauShare) {
          const first = flat.indexOf(true);
          const s0 = spec.s[half[first]];
          report(ctx, 'GP212', `Loss plateau: along the slice "${spec.label}", ‖∂loss/∂${ctx.names.pred}‖ < ${fmt(plateauGradient)} on ${Math.round(share * 100)}% of the points from s = ${fmt(s0)} on, while the loss (${fmt(L[first])}) is still above its minimum (${fmt(lo)}): wrong predictions there get no push back (a saturated or clipped loss).`, {
            slice: spec.label, plateauStartsAt: s0, share, lossThere: L[first], minimum: lo, gradientThreshold: plateauGradient,
          });
          plateauReported = true;
        }
      }
      if (!minimaReported) {
        // An interior local minimum with a hump between it and the target: another basin.
        for (let k = 1; k < L.length - 1; k++) {
          if (!(L[k] < L[k - 1] - tol && L[k] <= L[k + 1])) continue;
          const before = Math.max(...L.slice(0, k));
          const after = Math.max(...L.slice(k + 1));
          if (before > L[0] + tol && before - L[k] > tol && after - L[k] > tol) {
            const s = spec.s[half[k]];
            report(ctx, 'GP213', `Along the slice "${spec.label}" the loss has another local minimum at s = ${fmt(s)} (loss ${fmt(L[k])}, versus ${fmt(L[0])} at the target, with a barrier of ${fmt(before)} in between): the optimiser can settle there.`, {
              slice: spec.label, at: s, lossThere: L[k], lossAtTarget: L[0], barrier: before,
            });
            minimaReported = true;
            break;
          }
        }
      }
    }
  }
}

// ---------------------------------------------------------------- static findings

const frameworkNames: Record<string, string> = { keras: 'Keras', tensorflow: 'TensorFlow', pytorch: 'PyTorch', jax: 'JAX', numpy: 'NumPy', tfjs: 'TF.js' };

function staticFindings(ctx: Context): void {
  const { facts, family, names } = ctx;
  const predLogged = facts.predLog.length || facts.predLogComplement.length || facts.predLogShifted.length || family.space === 'logits';
  if (!predLogged) {
    const op = facts.targetLogTimesPred[0];
    if (op) {
      report(ctx, 'GP207', `${op.what} is applied to ${names.target}, which ${frameworkNames[ctx.mapping.split(':')[0]] ?? ctx.mapping.split(':')[0]} passes as the target (${ctx.mapping}), and the result is weighted by ${names.pred}, which is never logged: the target is treated as the prediction. Swap them (-Σ ${names.target} · log ${names.pred}).`, {
        parameter: names.target, op: op.what, line: op.span.startLine + 1, why: `log/sqrt of ${names.target} multiplied by ${names.pred}`,
      }, op.span);
    }
  }
  const swap = facts.swappedArguments[0];
  if (swap) {
    report(ctx, 'GP207', `${swap.message} (${ctx.mapping}): the arguments are swapped.`, { parameter: names.target, op: swap.what, line: swap.span.startLine + 1 }, swap.span);
  }
  for (const d of facts.doubleActivation.slice(0, 1)) {
    report(ctx, 'GP211', `Inconsistent activation: ${d.message}. The loss sees squashed values and its gradient shrinks.`, {
      op: d.what, line: d.span.startLine + 1,
    }, d.span);
  }
}

// ---------------------------------------------------------------- entry point

/** Probes a translated loss inside its family's domain and reports GP201–GP213. */
export function probeLoss(program: Program, settings: GradProbeSettings): LossProbeResult {
  const mapping = program.mapping ?? lossMapping(program.target);
  const names = lossParameterNames(program.target, mapping.predIndex);
  const facts = readLossFacts(program.target, mapping.predIndex);
  const family = chooseLossFamily(facts);
  const runner = new LossRunner(program);
  const { layout, typical, boundary } = chooseLayout(runner, family, names);
  const ctx: Context = { program, runner, settings, family, facts, layout, names, mapping: mapping.label, baseline: baselineFor(family, layout), findings: [] };

  staticFindings(ctx);

  const typicalMeasured = typical.map((c) => ({ c, m: runner.measure(layout, c) }));
  const boundaryMeasured = new Map<LossCase, Measured>();
  for (const c of boundary) {
    const m = runner.tryMeasure(layout, c, c.label);
    if (m) boundaryMeasured.set(c, m);
  }
  const all = new Map<LossCase, Measured>([...typicalMeasured.map(({ c, m }) => [c, m] as const), ...boundaryMeasured]);
  const { badValue } = checkNonFinite(ctx, all);

  const slices = lossSlices(family, layout, names).map((spec) => runSlice(ctx, spec));
  const sliceMeasured = slices.flatMap((r) => r.measured.filter((m): m is Measured => !!m));

  const noGradient = checkNoGradient(ctx, [...typicalMeasured.map((x) => x.m), ...sliceMeasured]);

  const perfect = boundary.find((c) => c.kind === 'perfect');
  const atTarget = perfect ? boundaryMeasured.get(perfect) : undefined;
  const typicalLoss = typicalMeasured[1].m.value;
  if (perfect && atTarget && !badValue.has(perfect)) checkMinimumAtTarget(ctx, perfect, atTarget, typicalLoss);
  const sliceEnds = slices.map((r) => ({ label: r.spec.label, value: r.measured[r.measured.length - 1]?.value ?? NaN }));
  checkUnbounded(ctx, perfect, atTarget, sliceEnds, boundaryMeasured);

  let ratio: number | undefined;
  if (!noGradient) {
    checkDirection(ctx, typicalMeasured);
    ratio = checkGradientScale(ctx, typicalMeasured);
  }
  checkBatchScaling(ctx, typical[1], typicalLoss);
  checkSlices(ctx, slices, !noGradient, ratio);

  const order = (f: Finding): number => Number(f.code.slice(2));
  ctx.findings.sort((a, b) => order(a) - order(b));
  const baseTypical = baselineAt(ctx.baseline, typical[1]);
  const parts = [
    `probed as ${family.name} (${family.reasons.join('; ')})`,
    `mapping ${mapping.label}`,
    `inputs ${layout.describe}`,
    `typical loss ${fmt(typicalLoss)} vs ${ctx.baseline.name} ${fmt(baseTypical.value)}`,
  ];
  if (ratio !== undefined) parts.push(`gradient ${fmt(ratio)}× the baseline's`);
  if (runner.failures.length) parts.push(`the loss raised an error on ${runner.failures.length} probe input(s), skipped (first: ${runner.failures[0]})`);
  parts.push(ctx.findings.length ? `findings: ${[...new Set(ctx.findings.map((f) => f.code))].join(', ')}` : 'no loss findings');
  return {
    findings: ctx.findings,
    summary: `${parts[0].charAt(0).toUpperCase()}${parts[0].slice(1)}; ${parts.slice(1).join('; ')}.`,
    family: family.name,
    mapping: mapping.label,
    data: { slices: slices.map((r) => r.data), grid: lossGrid(ctx, typical[1].target), layout: layout.describe, baseline: ctx.baseline.name },
  };
}
