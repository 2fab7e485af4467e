// The loss probes (GP2xx): choose the input family from a static read of the function, find a shape
// it accepts, then probe it inside that family's domain only — boundary inputs, the target as a
// minimum, unboundedness, gradient direction and scale against a standard baseline, batch scaling,
// and 1-D slices from the target outwards (lossSlices.ts). Nothing here runs the user's code other
// than through the translated Program.
import * as tf from '@tensorflow/tfjs-core';
import type { GradProbeSettings } from '../config/settings';
import { formatNumber as fmt, formatPair as fmtPair } from '../findings/formatNumber';
import type { Finding, LossReportData } from '../findings/types';
import { lossMapping, type Program } from '../translate/translate';
import { notSimilarityName, similarityName } from '../detect/parameterRoles';
import { argumentOrder } from './argumentOrder';
import {
  allFinite, at, chooseLayout, finite, isShapeProblem, LossRunner, nonFiniteCount, norm, report, type LossContext, type Measured,
} from './lossContext';
import { intoDomain, translateBoxes } from './lossDomains';
import { lossParameterNames } from './lossFacts';
import { imageRankHint, lossFamilies, sameSpace, type LossFamily } from './lossFamily';
import {
  baselineAt, baselineFor, hasClassRows, lossSlices, otherClassRows, seededRandom, tiledLayout, tileInput, type LossCase, type LossInput,
} from './lossInputs';
import { readLossFacts } from './lossRead';
import { explainLoss } from './nonFinite';
import { checkSlices, lossGrid, runSlice } from './lossSlices';

export type { LossFamily } from './lossFamily';

export interface LossProbeResult {
  findings: Finding[];
  summary: string;
  /** The family the probe used (the first the loss accepted inputs of). */
  family: LossFamily;
  /** What the report carries: family, mapping, layout, baseline, slices and landscape. */
  data: LossReportData;
}

// ---------------------------------------------------------------- GP201 / GP202

function nanCause(ctx: LossContext, c: LossCase): { cause?: string; fix?: string } {
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

function gradNanCause(ctx: LossContext, c: LossCase): { cause?: string; fix?: string } {
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

function checkNonFinite(ctx: LossContext, measured: Map<LossCase, Measured>): { badValue: Set<LossCase>; badGrad: Set<LossCase> } {
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
    const { cause, fix } = explainLoss(ctx.program, ctx.layout, first, nanCause(ctx, first));
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
    const { cause, fix } = explainLoss(ctx.program, ctx.layout, first, gradNanCause(ctx, first));
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
/** Values in [0, 1]: probabilities, masks, image intensities. */
const unitInterval = (family: LossFamily): boolean => family.space === 'probabilities' || family.space === 'masks' || family.space === 'images';

function feasibleDirection(ctx: LossContext, target: Float32Array, dir: Float32Array): Float32Array {
  const { family, layout } = ctx;
  const bounded = unitInterval(family);
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

function stepFrom(ctx: LossContext, target: Float32Array, dir: Float32Array, step: number): Float32Array {
  const out = target.map((x, i) => x + step * dir[i]);
  if (ctx.family.space === 'regression' && ctx.family.domain === 'nonnegative') return out.map((x) => Math.max(x, 0));
  return intoDomain(ctx.family, out);
}

function checkMinimumAtTarget(ctx: LossContext, perfect: LossCase, atTarget: Measured, typicalLoss: number): void {
  const { family, layout, runner, names } = ctx;
  // Only where prediction and target live in the same space (not logits, ±1 labels, pairs, embeddings).
  if (!sameSpace(family) || !finite(atTarget.value)) return;
  const target = perfect.target;
  // Small steps matter along the gradient (a slightly shifted minimum); elsewhere coarser ones do.
  const dirs: { label: string; dir: Float32Array; steps?: number[] }[] = [];
  if (allFinite(atTarget.grad) && norm(atTarget.grad) > 0) dirs.push({ label: 'a step against the gradient at the target', dir: feasibleDirection(ctx, target, atTarget.grad.map((g) => -g)), steps: [0.1, 0.01, 0.001] });
  const rand = seededRandom(77);
  if (family.space === 'regression' || family.space === 'boxes' || family.space === 'images') {
    for (let k = 0; k < 2; k++) {
      const dir = target.map(() => (rand() < 0.5 ? -1 : 1) * (0.5 + 0.5 * rand()));
      dirs.push({ label: 'a small random perturbation', dir: unitInterval(family) ? feasibleDirection(ctx, target, dir) : dir });
    }
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

function checkUnbounded(ctx: LossContext, perfect: LossCase | undefined, atTarget: Measured | undefined, sliceEnds: { label: string; value: number }[], boundary: Map<LossCase, Measured>): void {
  const { family, layout, runner, names } = ctx;
  const scales = [1, 10, 100, 1000];
  // "Away from the target" means nothing for pair distances and embeddings.
  if (family.space === 'pairs' || family.space === 'embeddings') return;
  if (family.space === 'boxes' && perfect && atTarget) {
    const rand = seededRandom(91);
    const boxes = perfect.target.length / 4;
    const shift = Float32Array.from({ length: 2 * boxes }, () => rand() - 0.5);
    const r = Math.sqrt(shift.reduce((a, x) => a + x * x, 0) / shift.length);
    const unit = shift.map((x) => x / r);
    const values = scales.map((k) => runner.tryValue(layout, { target: perfect.target, pred: translateBoxes(family, perfect.target, unit.map((x) => k * x)) }, `boxes moved by ${k}`));
    if (unboundedBelow(values, atTarget.value)) {
      report(ctx, 'GP204', `The loss is unbounded below: moving the boxes in ${names.pred} away from ${names.target} lowers it without limit (${scales.map((k, i) => `moved by ${k} pixels: ${fmt(values[i])}`).join(', ')}; ${fmt(atTarget.value)} at the target). The optimiser is rewarded for boxes ever further off.`, {
        direction: 'every box translated', distances: scales, losses: values, lossAtTarget: atTarget.value,
      });
    }
    return;
  }
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
function descentVerdicts(ctx: LossContext, input: LossInput, grad: Float32Array): { toward: number; away: number } {
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
    } else if (family.space === 'pairs') {
      // Similar pairs should get closer; dissimilar pairs inside the margin further apart.
      for (let i = r * per; i < (r + 1) * per; i++) {
        const towards = input.target[i] === family.similarLabel ? grad[i] : input.pred[i] < family.margin ? -grad[i] : 0;
        score += towards;
        scale += Math.abs(grad[i]);
      }
    } else {
      for (let i = r * per; i < (r + 1) * per; i++) { score += grad[i] * (input.pred[i] - input.target[i]); scale += Math.abs(grad[i]) * Math.abs(input.pred[i] - input.target[i]); }
    }
    if (!finite(score) || scale === 0 || Math.abs(score) <= 1e-6 * scale) continue;
    if (score > 0) toward++;
    else away++;
  }
  return { toward, away };
}

function checkDirection(ctx: LossContext, typical: { c: LossCase; m: Measured }[]): void {
  // Embeddings have no target point to move towards.
  if (ctx.family.space === 'embeddings') return;
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
  const what = family.space === 'logits' ? `lowers the probability of the true class` : family.space === 'pairs' ? 'moves similar pairs apart or dissimilar pairs together' : `moves ${names.pred} away from ${names.target}`;
  report(ctx, 'GP206', `A small gradient-descent step on ${names.pred} ${what} for ${away} of ${total} samples on typical errors: the loss points the wrong way (is its sign flipped?).`, {
    samplesAway: away, samplesTowards: toward,
  });
}

function checkGradientScale(ctx: LossContext, typical: { c: LossCase; m: Measured }[]): number | undefined {
  const baseline = ctx.baseline;
  if (!baseline) return undefined;
  const ratios: number[] = [];
  const rows: { loss: number; gradNorm: number; baselineLoss: number; baselineGradNorm: number }[] = [];
  for (const { c, m } of typical) {
    if (!finite(m.value) || !allFinite(m.grad)) continue;
    const b = baselineAt(baseline, c);
    const g = norm(m.grad);
    rows.push({ loss: m.value, gradNorm: g, baselineLoss: b.value, baselineGradNorm: b.gradNorm });
    if (g > 0 && b.gradNorm > 0 && finite(b.gradNorm)) ratios.push(g / b.gradNorm);
  }
  if (!ratios.length) return undefined;
  const ratio = Math.exp(ratios.reduce((a, r) => a + Math.log(r), 0) / ratios.length);
  const { weakGradientRatio, strongGradientRatio } = ctx.settings.thresholds;
  const { names } = ctx;
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

function checkNoGradient(ctx: LossContext, measured: Measured[]): boolean {
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

function checkBatchScaling(ctx: LossContext, input: LossInput, value: number): void {
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

// ---------------------------------------------------------------- static findings

/**
 * Whether the loss keeps its value with prediction and target exchanged on the typical inputs (which
 * differ from each other): then no order of its arguments is wrong. Only for dense targets of the
 * prediction's shape; a failure on the exchanged inputs reads as not symmetric.
 */
function symmetricOn(ctx: LossContext, typical: LossCase[]): boolean {
  const { layout, runner, family } = ctx;
  if (layout.predShape.join() !== layout.targetShape.join()) return false;
  // Exchanged inputs must stay inside the family's domain: a prediction and a target of the same
  // kind (reals, probabilities, masks, boxes, images), never distances fed as pair labels.
  if (!['regression', 'probabilities', 'masks', 'boxes', 'images'].includes(family.space)) return false;
  let compared = 0;
  for (const c of typical) {
    if (c.pred.length !== c.target.length || c.pred.every((p, i) => p === c.target[i])) continue;
    let v: number;
    let w: number;
    try {
      v = runner.value(layout, c);
      w = runner.value(layout, { pred: c.target, target: c.pred });
    } catch (err) {
      if (!isShapeProblem(err)) throw err;
      return false;
    }
    if (!finite(v) || !finite(w)) return false;
    if (Math.abs(v - w) > 1e-5 * Math.max(1, Math.abs(v), Math.abs(w))) return false;
    compared++;
  }
  return compared > 0;
}

function staticFindings(ctx: LossContext, typical: LossCase[]): void {
  const { facts, family, names } = ctx;
  const order = argumentOrder({ target: ctx.program.target, mapping: ctx.mapping, facts, family, names, symmetric: symmetricOn(ctx, typical) });
  if (order) report(ctx, 'GP207', order.message, order.evidence, order.span);
  for (const d of facts.doubleActivation.slice(0, 1)) {
    report(ctx, 'GP211', `Inconsistent activation: ${d.message}. The loss sees squashed values and its gradient shrinks.`, {
      op: d.what, line: d.span.startLine + 1,
    }, d.span);
  }
}

// ---------------------------------------------------------------- entry point

/** The negative of what the function returns: the loss a similarity stands for. */
function negated(program: Program): Program {
  return { ...program, run: (inputs) => tf.neg(program.run(inputs)) };
}

/**
 * A loss on log-probabilities as a model feeds it: the prediction through log_softmax (the probe's
 * logits are what training moves), the target as the log of its probabilities (kept off log 0).
 */
function throughLogSoftmax(program: Program, logInputs: { pred: boolean; target: boolean }): Program {
  const logTarget = (t: tf.Tensor): tf.Tensor => {
    const smoothed = tf.add(t, 1e-3);
    return tf.log(tf.div(smoothed, tf.sum(smoothed, -1, true)));
  };
  return {
    ...program,
    run: (inputs) => {
      const n = inputs.length;
      const pred = logInputs.pred ? tf.logSoftmax(inputs[n - 1]) : inputs[n - 1];
      const target = logInputs.target && n === 2 && inputs[0].rank === inputs[1].rank ? logTarget(inputs[0]) : inputs[0];
      return program.run(n === 2 ? [target, pred] : [pred]);
    },
  };
}

/** Probes a translated loss inside its family's domain and reports GP201–GP213. */
export function probeLoss(program: Program, settings: GradProbeSettings): LossProbeResult {
  const mapping = program.mapping ?? lossMapping(program.target);
  const names = lossParameterNames(program.target, mapping.predIndex);
  const facts = readLossFacts(program.target, mapping.predIndex, program);
  const families = lossFamilies(facts);
  const name = program.target.name;
  // A similarity is maximised: its loss is its negative, which is what the checks' "lower is better" reads.
  const maximised = similarityName.test(name) && !notSimilarityName.test(name);
  const probed = maximised ? negated(program) : program;
  const runner = new LossRunner(families[0].logInputs ? throughLogSoftmax(probed, families[0].logInputs) : probed);
  const { family, layout, typical, boundary, skipped } = chooseLayout(runner, families, names, imageRankHint(facts));
  const ctx: LossContext = { program, runner, settings, family, facts, layout, names, mapping, baseline: baselineFor(family, layout), findings: [] };

  staticFindings(ctx, typical);

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
  // A loss of the prediction alone (a regulariser such as a smoothness penalty) has no target to be minimal at.
  const hasTarget = program.target.inputs.length >= 2;
  // A further tensor input (a triplet's negatives, given a typical value made from the target) pulls
  // the minimum away from prediction == target by design: the loss also pushes away from it.
  const further = program.derivedInputs;
  if (perfect && atTarget && hasTarget && !badValue.has(perfect) && !further.length) checkMinimumAtTarget(ctx, perfect, atTarget, typicalLoss);
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
  const parts = [
    `probed ${maximised ? `as a similarity (maximised: its negative is the loss), ` : ''}as ${family.name} (${family.reasons.join('; ')}${skipped.length ? `; ${skipped.join(', ')} tried first, not accepted` : ''})`,
    `mapping ${mapping.label}`,
    `inputs ${layout.describe}`,
    ctx.baseline ? `typical loss ${fmt(typicalLoss)} vs ${ctx.baseline.name} ${fmt(baselineAt(ctx.baseline, typical[1]).value)}` : `typical loss ${fmt(typicalLoss)}`,
  ];
  if (ratio !== undefined) parts.push(`gradient ${fmt(ratio)}× the baseline's`);
  if (further.length && hasTarget) parts.push(`minimum at the target (GP203) not checked: the loss also takes ${further.map((n) => `\`${n}\``).join(', ')}, a typical value made from the inputs, which moves its minimum away from ${names.pred} == ${names.target}`);
  if (runner.failures.length) parts.push(`the loss raised an error on ${runner.failures.length} probe input(s), skipped (first: ${runner.failures[0]})`);
  parts.push(ctx.findings.length ? `findings: ${[...new Set(ctx.findings.map((f) => f.code))].join(', ')}` : 'no loss findings');
  return {
    findings: ctx.findings,
    family,
    summary: `${parts[0].charAt(0).toUpperCase()}${parts[0].slice(1)}; ${parts.slice(1).join('; ')}.`,
    data: {
      kind: 'loss', family: family.name, mapping: mapping.label, layout: layout.describe, baseline: ctx.baseline?.name ?? 'none',
      slices: slices.map((r) => r.data), grid: lossGrid(ctx, typical[1].target),
    },
  };
}
