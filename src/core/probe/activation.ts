// Activation probes GP101–GP108 and GP112: one check a rule, each reading the sweep of f and f′
// (sweep.ts) through the same view of it, with its threshold from the settings.
import * as tf from '@tensorflow/tfjs-core';
import { tidyData } from './tensorScope';
import type { GradProbeSettings } from '../config/settings';
import { finding } from '../findings/finding';
import { formatNumber as fmt } from '../findings/formatNumber';
import type { Finding } from '../findings/types';
import type { Program } from '../translate/translate';
import { explainActivation, type NonFiniteCause } from './nonFinite';
import { indicesOf, runSweep, sweepLayout, type Sweep } from './sweep';

type Thresholds = GradProbeSettings['thresholds'];

/** What a check found: its code, message and evidence (the probe adds the function and its span). */
export interface ActivationVerdict {
  code: 'GP101' | 'GP102' | 'GP103' | 'GP104' | 'GP105' | 'GP106' | 'GP107' | 'GP108' | 'GP112';
  message: string;
  evidence: Record<string, unknown>;
  /** GP108's catalog variant for a shallow dip. */
  shallowDip?: boolean;
  /** GP108: f is even, or f′ changes sign at regular intervals (periodic): non-monotonic by design. */
  byDesign?: 'even' | 'periodic';
}

export interface ActivationProbeResult {
  findings: Finding[];
  sweep: Sweep;
  stats: { fMin: number; fMax: number; dfMin: number; dfMax: number; monotonic: boolean; straightThrough: boolean };
}

/** Where the checks look: index sets of the sweep and the figures several checks share. */
export interface SweepView {
  sweep: Sweep;
  R: number;
  /** Grid points and special points within [-R, R]: where f and f′ must be finite. */
  inRange: number[];
  /** Special points with |x| ≥ 50: where only overflow is expected. */
  extremes: number[];
  /** Grid points with |x| ≤ 3: where slopes are judged. */
  inner: number[];
  /** Grid points where f and f′ are finite. */
  finiteGrid: number[];
  /** |f′| on `inner` where finite. */
  innerSlopes: number[];
  fMin: number;
  fMax: number;
  fRange: number;
  /** f varies by no more than 1e-6 over the grid. */
  constantF: boolean;
}

const bad = (v: number): boolean => !Number.isFinite(v);

/** GP103's window of large inputs: |x| in [EXTREME_FROM, EXTREME_TO]. */
const EXTREME_FROM = 50;
const EXTREME_TO = 100;

export function sweepView(sweep: Sweep): SweepView {
  const { x, f, df, range: R } = sweep;
  const grid = indicesOf(sweepLayout.grid);
  const special = indicesOf(sweepLayout.special);
  const inRange = [...grid, ...special].filter((i) => Math.abs(x[i]) <= R);
  // Large but reachable pre-activations: exp overflows float32 past 88.7, inside this window; a failure
  // only further out (|x| of a few hundred) is outside what a working network produces.
  const extremes = special.filter((i) => Math.abs(x[i]) >= EXTREME_FROM && Math.abs(x[i]) <= EXTREME_TO);
  const inner = grid.filter((i) => Math.abs(x[i]) <= 3);
  const finiteGrid = grid.filter((i) => Math.abs(x[i]) <= R && !bad(df[i]) && !bad(f[i]));
  const fs = finiteGrid.map((i) => f[i]);
  const fMin = Math.min(...fs);
  const fMax = Math.max(...fs);
  const fRange = fMax - fMin;
  return {
    sweep, R, inRange, extremes, inner, finiteGrid, fMin, fMax, fRange,
    innerSlopes: inner.filter((i) => !bad(df[i])).map((i) => Math.abs(df[i])),
    constantF: !(fRange > 1e-6),
  };
}

/**
 * Up to `n` of the points at indices `is`, distinct as a message prints them (three significant
 * digits: 5.994 and 5.988 both read 5.99) and spread over them in increasing x: the first, the last,
 * then the ones between, so the quoted points show how far the trouble reaches.
 */
export function distinctPoints(xs: readonly number[], n = 3): number[] {
  const byText = new Map<string, number>();
  for (const x of [...xs].sort((a, b) => a - b)) if (!byText.has(fmt(x))) byText.set(fmt(x), x);
  const distinct = [...byText.values()];
  if (distinct.length <= n) return distinct;
  const picks = new Set<number>();
  for (let k = 0; k < n; k++) picks.add(Math.round((k * (distinct.length - 1)) / (n - 1)));
  return [...picks].sort((a, b) => a - b).map((k) => distinct[k]);
}

/** Indices of `is` at the points distinctPoints quotes. */
function quotedIndices(v: SweepView, is: number[]): number[] {
  const xs = distinctPoints(is.map((i) => v.sweep.x[i]));
  return xs.map((x) => is.find((i) => v.sweep.x[i] === x)!);
}

/** Finds why f or f′ is not finite at some points (nonFinite.ts), for the message and the evidence. */
export type ExplainNonFinite = (xs: number[]) => NonFiniteCause | undefined;

/** `x = 4.01, 5, 6` when the values agree, else `x = 4 (-Inf), 5 (NaN)`. */
function pointsWithValues(xs: number[], values: number[]): { text: string; same: boolean } {
  const same = values.every((y) => fmt(y) === fmt(values[0]));
  return { text: same ? xs.map(fmt).join(', ') : xs.map((x, k) => `${fmt(x)} (${fmt(values[k])})`).join(', '), same };
}

/** The cause as the message ends with it (what happened, where, what to do) and as evidence. */
function withCause(message: string, evidence: Record<string, unknown>, cause: NonFiniteCause | undefined): { message: string; evidence: Record<string, unknown> } {
  if (!cause) return { message, evidence };
  return {
    message: `${message}. Why: ${cause.cause}; ${cause.detail}. Fix: ${cause.fix}`,
    evidence: { ...evidence, cause: { what: cause.cause, op: cause.op, ...(cause.line ? { line: cause.line } : {}), stage: cause.stage, inputs: cause.inputs, detail: cause.detail } },
  };
}

const shareOf = (v: SweepView, count: number): string => `${count} of the ${v.inRange.length} points of [-${fmt(v.R)}, ${fmt(v.R)}]`;

export function checkNanOutput(v: SweepView, explain?: ExplainNonFinite): ActivationVerdict | undefined {
  const { x, f } = v.sweep;
  const at = v.inRange.filter((i) => bad(f[i]));
  if (!at.length) return undefined;
  const idx = quotedIndices(v, at);
  const xs = idx.map((i) => x[i]);
  const pts = pointsWithValues(xs, idx.map((i) => f[i]));
  const head = pts.same ? `f(x) is ${fmt(f[idx[0]])} at x = ${pts.text}` : `f(x) is not finite at x = ${pts.text}`;
  const { message, evidence } = withCause(`${head} (${shareOf(v, at.length)}): the output itself is not finite`, { x: xs, count: at.length, value: idx.map((i) => String(f[i])) }, explain?.(xs));
  return { code: 'GP101', message, evidence };
}

export function checkNanGradient(v: SweepView, explain?: ExplainNonFinite): ActivationVerdict | undefined {
  const { x, f, df } = v.sweep;
  const at = v.inRange.filter((i) => !bad(f[i]) && bad(df[i]));
  if (!at.length) return undefined;
  const idx = quotedIndices(v, at);
  const xs = idx.map((i) => x[i]);
  const pts = pointsWithValues(xs, idx.map((i) => df[i]));
  const head = pts.same ? `f′(x) is ${fmt(df[idx[0]])} at x = ${pts.text}` : `f′(x) is not finite at x = ${pts.text}`;
  const { message, evidence } = withCause(`${head} (${shareOf(v, at.length)}) while f(x) is finite there: training gets NaN gradients`, { x: xs, count: at.length, gradient: idx.map((i) => String(df[i])) }, explain?.(xs));
  return { code: 'GP102', message, evidence };
}

/** Only meaningful where f and f′ are finite on [-R, R] (else GP101/GP102 say more). */
export function checkOverflowAtExtremes(v: SweepView, explain?: ExplainNonFinite): ActivationVerdict | undefined {
  const { x, f, df } = v.sweep;
  const at = v.extremes.filter((i) => bad(f[i]) || bad(df[i]));
  if (!at.length) return undefined;
  const idx = quotedIndices(v, at);
  const i = idx.find((k) => Math.abs(x[k]) === Math.min(...idx.map((j) => Math.abs(x[j]))))!;
  const what = bad(f[i]) ? `f(${fmt(x[i])}) = ${fmt(f[i])}` : `f′(${fmt(x[i])}) = ${fmt(df[i])}`;
  const cause = explain?.([x[i]]);
  const message = `${what}: finite on [-${fmt(v.R)}, ${fmt(v.R)}] but not at large inputs (|x| ≤ ${EXTREME_TO}), which pre-activations do reach${cause ? '' : ' (float32 exp overflows past 88)'}`;
  return { code: 'GP103', ...withCause(message, { x: idx.map((k) => x[k]), count: at.length, window: [EXTREME_FROM, EXTREME_TO] }, cause) };
}

export function checkNoGradient(v: SweepView, th: Thresholds): ActivationVerdict | undefined {
  const { df, gradientPath } = v.sweep;
  if (v.constantF || !v.finiteGrid.length) return undefined;
  const zeros = v.finiteGrid.filter((i) => df[i] === 0).length;
  const share = zeros / v.finiteGrid.length;
  if (!(share > th.noGradientShare)) return undefined;
  return { code: 'GP106', message: `f′ is 0 on ${fmt(100 * share)}% of [-${v.R}, ${v.R}]${gradientPath ? '' : ' (no gradient path from x to f)'} although f varies by ${fmt(v.fRange)}: nothing learns through it`, evidence: { zeroShare: share, fRange: v.fRange, gradientPath } };
}

export function checkVanishingGradient(v: SweepView, th: Thresholds): ActivationVerdict | undefined {
  const slopes = v.innerSlopes;
  const max = Math.max(...slopes);
  if (max < th.vanishingMaxSlope) {
    return { code: 'GP104', message: `max |f′| on [-3, 3] = ${fmt(max)} (< ${th.vanishingMaxSlope}): gradients shrink at every layer`, evidence: { maxAbsGradient: max, interval: [-3, 3] } };
  }
  const saturated = slopes.filter((a) => a > 0 && a < th.saturatedSlope).length;
  if (saturated > slopes.length / 2) {
    return { code: 'GP104', message: `f′ is saturated (0 < |f′| < ${th.saturatedSlope}) on ${fmt((100 * saturated) / slopes.length)}% of [-3, 3]`, evidence: { saturatedShare: saturated / slopes.length, interval: [-3, 3] } };
  }
  return undefined;
}

export function checkExplodingGradient(v: SweepView, th: Thresholds): ActivationVerdict | undefined {
  const { x, df } = v.sweep;
  const max = Math.max(...v.innerSlopes);
  if (!(max > th.explodingMaxSlope)) return undefined;
  const at = v.inner.find((i) => Math.abs(df[i]) === max) ?? v.inner[0];
  return { code: 'GP105', message: `max |f′| on [-3, 3] = ${fmt(max)} at x = ${fmt(x[at])} (> ${th.explodingMaxSlope}): gradients grow at every layer`, evidence: { maxAbsGradient: max, x: x[at] } };
}

/** The longest run of exact zeros of f′ on the grid. */
export function checkDeadRegion(v: SweepView, th: Thresholds): ActivationVerdict | undefined {
  const { x, df } = v.sweep;
  let best = 0;
  let run = 0;
  let bestStart = 0;
  let start = 0;
  for (const i of v.finiteGrid) {
    if (df[i] === 0) {
      if (run === 0) start = i;
      run++;
      if (run > best) { best = run; bestStart = start; }
    } else run = 0;
  }
  const share = best / v.finiteGrid.length;
  if (!(share >= th.deadRegionShare)) return undefined;
  const interval = [x[bestStart], x[bestStart + best - 1]];
  return { code: 'GP107', message: `f′ is exactly 0 on [${fmt(interval[0])}, ${fmt(interval[1])}] (${fmt(100 * share)}% of the sweep): units whose inputs stay there stop learning`, evidence: { interval, share } };
}

/** Sign changes of f′ and the deepest descending stretch; a shallow Swish-like dip is the catalog's info variant. */
export function checkNonMonotonic(v: SweepView, th: Thresholds): ActivationVerdict | undefined {
  const { x, f, df } = v.sweep;
  const grid = v.finiteGrid;
  const tol = 1e-6 * Math.max(...grid.map((i) => Math.abs(df[i])));
  const signs = grid.map((i) => (df[i] > tol ? 1 : df[i] < -tol ? -1 : 0));
  const crossings: number[] = [];
  let last = 0;
  signs.forEach((sg, k) => {
    if (sg === 0) return;
    if (last !== 0 && sg !== last) crossings.push(x[grid[k]]);
    last = sg;
  });
  if (!crossings.length) return undefined;
  let maxDrop = 0;
  for (let k = 0; k < signs.length;) {
    if (signs[k] < 0) {
      const s0 = k;
      while (k < signs.length && signs[k] <= 0) k++;
      maxDrop = Math.max(maxDrop, f[grid[s0]] - f[grid[k - 1]]);
    } else k++;
  }
  const dipShare = v.fRange > 0 ? maxDrop / v.fRange : 0;
  const oscillating = crossings.length > 2;
  const what = oscillating ? `f′ changes sign ${crossings.length} times on [-${v.R}, ${v.R}] (oscillating)` : `f′ changes sign at x ≈ ${crossings.map(fmt).join(', ')}`;
  const byDesign = isEven(v) ? 'even' : isPeriodic(crossings, v) ? 'periodic' : undefined;
  const design = byDesign === 'even' ? '; f is even (f(-x) = f(x) on the sweep), so it turns at 0 by design'
    : byDesign === 'periodic' ? '; f′ changes sign at regular intervals (periodic), so it oscillates by design' : '';
  return {
    code: 'GP108',
    message: `${what}; the largest descending stretch drops f by ${fmt(maxDrop)} (${fmt(100 * dipShare)}% of its range)${design}`,
    evidence: { crossings: crossings.slice(0, 10), signChanges: crossings.length, dip: maxDrop, dipShare, ...(byDesign ? { design: byDesign } : {}) },
    shallowDip: !oscillating && !(dipShare > th.dipShare),
    ...(byDesign ? { byDesign } : {}),
  };
}

/** f(-x) = f(x) at every finite pair of the (symmetric) grid, to float32 rounding relative to f's range. */
function isEven(v: SweepView): boolean {
  const { f } = v.sweep;
  const { start, end } = sweepLayout.grid;
  const tol = 1e-5 * Math.max(v.fRange, Math.abs(v.fMin), Math.abs(v.fMax));
  let pairs = 0;
  for (let i = start, j = end - 1; i < j; i++, j--) {
    if (bad(f[i]) || bad(f[j])) continue;
    if (Math.abs(f[i] - f[j]) > tol) return false;
    pairs++;
  }
  return pairs > 0;
}

/** At least three sign changes of f′, evenly spaced to within two grid steps (or 2% of the spacing). */
function isPeriodic(crossings: number[], v: SweepView): boolean {
  if (crossings.length < 3) return false;
  const gaps = crossings.slice(1).map((c, k) => c - crossings[k]);
  const mean = gaps.reduce((a, b) => a + b, 0) / gaps.length;
  const step = (2 * v.R) / (sweepLayout.grid.end - sweepLayout.grid.start - 1);
  return gaps.every((g) => Math.abs(g - mean) <= Math.max(2 * step, 0.02 * mean));
}

/**
 * A custom gradient against central finite differences of the forward. A forward whose finite
 * differences are 0 almost everywhere is piecewise constant: its custom gradient is a
 * straight-through estimator on purpose, not a mismatch.
 */
export function checkCustomGradient(program: Program, v: SweepView, th: Thresholds): { verdict?: ActivationVerdict; straightThrough: boolean } {
  const { x, df } = v.sweep;
  const h = 1e-3 * Math.max(1, v.R / 6);
  const xs = v.finiteGrid.map((i) => x[i]);
  const [fp, fm, fpp, fmm] = tidyData(() => [h, -h, 2 * h, -2 * h].map((d) => Array.from(program.run([tf.tensor1d(xs.map((xv) => xv + d), 'float32')]).dataSync())));
  const numeric = xs.map((_, k) => (fp[k] - fm[k]) / (2 * h));
  const numeric2 = xs.map((_, k) => (fpp[k] - fmm[k]) / (4 * h));
  const zeroFd = numeric.filter((n) => Math.abs(n) < 1e-6).length;
  if (zeroFd / xs.length > 0.9 && !v.constantF) return { straightThrough: true };
  const mismatches: { x: number; analytic: number; numeric: number; relError: number }[] = [];
  let compared = 0;
  xs.forEach((xv, k) => {
    const i = v.finiteGrid[k];
    // Kinks: the two step sizes disagree, so the derivative is not well defined there.
    if (!Number.isFinite(numeric[k]) || Math.abs(numeric[k] - numeric2[k]) > 1e-2 * Math.max(1, Math.abs(numeric[k]))) return;
    compared++;
    // Relative to the forward's slope, with a floor of 1e-2 so that a flat stretch does not turn noise into a large ratio.
    const relError = Math.abs(df[i] - numeric[k]) / Math.max(Math.abs(numeric[k]), 1e-2);
    if (relError > th.customGradientRelError) mismatches.push({ x: xv, analytic: df[i], numeric: numeric[k], relError });
  });
  if (!(compared > 0 && mismatches.length / compared > th.customGradientShare)) return { straightThrough: false };
  // Shown where it is most wrong: the largest error relative to the slope (the first such point on a tie).
  const ranked = [...mismatches].sort((a, b) => b.relError - a.relError || a.x - b.x);
  const m = ranked[0];
  const examples: typeof mismatches = [];
  for (const c of ranked) {
    if (examples.length === 3) break;
    if (!examples.some((e) => fmt(e.x) === fmt(c.x))) examples.push(c);
  }
  const off = Math.abs(m.numeric) > 1e-6 && Math.sign(m.analytic) === Math.sign(m.numeric) ? ` (${fmt(m.analytic / m.numeric)}× the true slope)` : '';
  return {
    straightThrough: false,
    verdict: {
      code: 'GP112',
      message: `the custom gradient disagrees with the forward's own slope on ${fmt((100 * mismatches.length) / compared)}% of [-${fmt(v.R)}, ${fmt(v.R)}]; it is most wrong at x = ${fmt(m.x)}, where it gives ${fmt(m.analytic)} and the slope is ${fmt(m.numeric)}${off}: check the backward against the forward`,
      evidence: {
        worst: m,
        examples,
        share: mismatches.length / compared,
        slopeBy: `central differences of the forward, step ${fmt(h)}; relative error |custom − slope| / max(|slope|, 0.01) over ${th.customGradientRelError}`,
      },
    },
  };
}

/** Runs the sweep and every activation check, in the order (and with the precedence) of the rules. */
export function probeActivation(program: Program, settings: GradProbeSettings): ActivationProbeResult {
  const th = settings.thresholds;
  const sweep = runSweep(program, settings.range);
  const v = sweepView(sweep);
  const verdicts: (ActivationVerdict | undefined)[] = [];
  // Why a value is NaN or Inf: the function is run again on the quoted points only, so a clean one costs nothing.
  const explain: ExplainNonFinite = (xs) => explainActivation(program, xs);
  const nanOutput = checkNanOutput(v, explain);
  const nanGradient = checkNanGradient(v, explain);
  verdicts.push(nanOutput, nanGradient);
  // Overflow at the extremes only adds something when the range itself is finite.
  if (!nanOutput && !nanGradient) verdicts.push(checkOverflowAtExtremes(v, explain));
  const noGradient = checkNoGradient(v, th);
  if (noGradient) verdicts.push(noGradient);
  else if (v.innerSlopes.length && !v.constantF) verdicts.push(checkVanishingGradient(v, th), checkExplodingGradient(v, th), checkDeadRegion(v, th));
  const nonMonotonic = noGradient || v.constantF ? undefined : checkNonMonotonic(v, th);
  verdicts.push(nonMonotonic);
  const custom = program.target.customGradient ? checkCustomGradient(program, v, th) : { straightThrough: false };
  verdicts.push(custom.verdict);

  const findings = verdicts.filter((x): x is ActivationVerdict => !!x).map((x) => {
    const init = { function: program.target.name, span: program.target.nameSpan, message: x.message, evidence: x.evidence };
    if (x.code === 'GP108' && x.byDesign) return finding('GP108', { ...init, variant: 'by-design' });
    return x.code === 'GP108' && x.shallowDip ? finding('GP108', { ...init, variant: 'shallow-dip' }) : finding(x.code, init);
  });
  const dfs = v.finiteGrid.map((i) => sweep.df[i]);
  return {
    findings,
    sweep,
    stats: {
      fMin: v.fMin, fMax: v.fMax, dfMin: dfs.length ? Math.min(...dfs) : NaN, dfMax: dfs.length ? Math.max(...dfs) : NaN,
      monotonic: !nonMonotonic, straightThrough: custom.straightThrough,
    },
  };
}
