// Activation probes GP101–GP108 and GP112: a sweep of f and f′ over [-R, R] plus extreme points.
import * as tf from '@tensorflow/tfjs-core';
import type { GradProbeSettings } from '../config/settings';
import { finding } from '../findings/finding';
import type { RuleCode } from '../findings/rules';
import type { Finding } from '../findings/types';
import type { Program } from '../translate/translate';
import { activationValueAndGradient } from './gradients';

type ActivationCode = Extract<RuleCode, `GP1${string}`>;

export interface ActivationSweep {
  x: number[];
  f: number[];
  df: number[];
  gradientPath: boolean;
}

export interface ActivationProbeResult {
  findings: Finding[];
  summary: string;
  sweep: ActivationSweep;
  stats: { fMin: number; fMax: number; dfMin: number; dfMax: number; monotonic: boolean; straightThrough: boolean };
}

const fmt = (v: number): string => {
  if (!Number.isFinite(v)) return String(v);
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e4 || a < 1e-3) return v.toExponential(2);
  return Number(v.toPrecision(3)).toString();
};
export { fmt as formatNumber };

/** Beyond the sweep, out to ±1e6 on a log scale: the depth probe's mean-field sums read f and f′ there. */
const TAIL = 400;

export function sweepPoints(range: number): { x: number[]; sweepCount: number } {
  const x: number[] = [];
  for (let i = -1000; i <= 1000; i++) x.push((i * range) / 1000);
  const extra = [-1e-7, 1e-7, -50, 50, -100, 100, -1e4, 1e4];
  const tail: number[] = [];
  for (let i = 1; i <= TAIL; i++) tail.push(range * Math.pow(1e6 / range, i / TAIL));
  return { x: [...x, ...extra, ...tail.map((v) => -v), ...tail], sweepCount: x.length };
}

/**
 * f and f′ at many points by linear interpolation in a sweep's table, O(1) a point: the sweep is
 * uniform on [-R, R] and the tails are uniform in log|x| out to ±1e6 (beyond, the end values).
 */
export function sweepInterpolator(sweep: ActivationSweep, range: number): (h: Float64Array, f: Float64Array, df: Float64Array) => void {
  const F = sweep.f;
  const D = sweep.df;
  const step = range / 1000;
  const negTail = 2009; // indices of the negative tail (−R·(1e6/R)^(i/TAIL), i = 1..TAIL)
  const posTail = 2009 + TAIL;
  const logSpan = Math.log(1e6 / range);
  return (h, outF, outD) => {
    for (let n = 0; n < h.length; n++) {
      const v = h[n];
      let i: number;
      let j: number;
      let t: number;
      const a = Math.abs(v);
      if (Number.isNaN(v)) { outF[n] = NaN; outD[n] = NaN; continue; }
      if (a <= range) {
        const u = (v + range) / step;
        i = Math.min(1999, Math.max(0, Math.floor(u)));
        j = i + 1;
        t = u - i;
      } else {
        const u = (Math.log(a / range) / logSpan) * TAIL; // 0 at |v| = R, TAIL at 1e6
        const base = v > 0 ? posTail : negTail;
        if (u >= TAIL) { outF[n] = F[base + TAIL - 1]; outD[n] = D[base + TAIL - 1]; continue; }
        const k = Math.floor(u); // between tail point k (the sweep's end when k = 0) and k + 1
        i = k === 0 ? (v > 0 ? 2000 : 0) : base + k - 1;
        j = base + k;
        t = u - k;
      }
      outF[n] = F[i] + t * (F[j] - F[i]);
      outD[n] = D[i] + t * (D[j] - D[i]);
    }
  };
}

/** The evaluated points in increasing order (sweep and tails, not the special points), for interpolation. */
export function sortedTable(sweep: ActivationSweep): { x: number[]; f: number[]; df: number[] } {
  const idx = sweep.x.map((_, i) => i).filter((i) => i < 2001 || i >= 2009).sort((a, b) => sweep.x[a] - sweep.x[b]);
  return { x: idx.map((i) => sweep.x[i]), f: idx.map((i) => sweep.f[i]), df: idx.map((i) => sweep.df[i]) };
}

/** A finding about the probed function, at its name. */
function report(program: Program, code: ActivationCode, message: string, evidence: Record<string, unknown>): Finding {
  return finding(code, { function: program.target.name, message, span: program.target.nameSpan, evidence });
}

export function runSweep(program: Program, range: number): ActivationSweep {
  const { x } = sweepPoints(range);
  return tf.tidy(() => {
    const input = tf.tensor1d(x, 'float32');
    const { value, grad, gradientPath } = activationValueAndGradient(program, input);
    if (value.size !== input.size) throw new Error(`the function is not elementwise: ${x.length} inputs gave ${value.size} outputs`);
    return { x, f: Array.from(value.dataSync()), df: Array.from(grad.dataSync()), gradientPath };
  });
}

export function probeActivation(program: Program, settings: GradProbeSettings): ActivationProbeResult {
  const R = settings.range;
  const th = settings.thresholds;
  const sweep = runSweep(program, R);
  const { x, f, df } = sweep;
  const findings: Finding[] = [];
  const idx = x.map((_, i) => i);
  const inSweep = idx.filter((i) => i < 2009 && Math.abs(x[i]) <= R);
  const extremes = idx.filter((i) => i >= 2001 && i < 2009 && Math.abs(x[i]) >= 50);
  const inner = idx.filter((i) => i < 2001 && Math.abs(x[i]) <= 3);
  const bad = (v: number) => !Number.isFinite(v);
  const list = (is: number[]) => is.slice(0, 3).map((i) => x[i]);

  const nanF = inSweep.filter((i) => bad(f[i]));
  const nanDf = inSweep.filter((i) => !bad(f[i]) && bad(df[i]));
  if (nanF.length) {
    findings.push(report(program, 'GP101', `f(x) is ${fmt(f[nanF[0]])} at x = ${list(nanF).map(fmt).join(', ')}: the output itself is not finite`, { x: list(nanF), count: nanF.length, value: String(f[nanF[0]]) }));
  }
  if (nanDf.length) {
    findings.push(report(program, 'GP102', `f′(x) is ${fmt(df[nanDf[0]])} at x = ${list(nanDf).map(fmt).join(', ')} while f(x) = ${fmt(f[nanDf[0]])} is finite: training gets NaN gradients there`, { x: list(nanDf), count: nanDf.length, gradient: String(df[nanDf[0]]) }));
  }
  if (!nanF.length && !nanDf.length) {
    const ext = extremes.filter((i) => bad(f[i]) || bad(df[i]));
    if (ext.length) {
      const i = ext[0];
      findings.push(report(program, 'GP103', `${bad(f[i]) ? `f(${fmt(x[i])}) = ${fmt(f[i])}` : `f′(${fmt(x[i])}) = ${fmt(df[i])}`}: finite on [-${R}, ${R}] but overflows at large inputs, which pre-activations do reach (float32 exp overflows past 88)`, { x: list(ext), count: ext.length }));
    }
  }

  const finiteSweep = inSweep.filter((i) => !bad(df[i]) && !bad(f[i]) && i < 2001);
  const absInner = inner.filter((i) => !bad(df[i])).map((i) => Math.abs(df[i]));
  const maxInner = absInner.length ? Math.max(...absInner) : NaN;
  const saturated = absInner.filter((a) => a > 0 && a < th.saturatedSlope).length;
  const fs = finiteSweep.map((i) => f[i]);
  const fMin = Math.min(...fs);
  const fMax = Math.max(...fs);
  const fRange = fMax - fMin;
  const zeros = finiteSweep.filter((i) => df[i] === 0).length;
  const constantF = !(fRange > 1e-6);

  const noGradient = !constantF && finiteSweep.length > 0 && zeros / finiteSweep.length > th.noGradientShare;
  if (noGradient) {
    findings.push(report(program, 'GP106', `f′ is 0 on ${fmt((100 * zeros) / finiteSweep.length)}% of [-${R}, ${R}]${sweep.gradientPath ? '' : ' (no gradient path from x to f)'} although f varies by ${fmt(fRange)}: nothing learns through it`, { zeroShare: zeros / finiteSweep.length, fRange, gradientPath: sweep.gradientPath }));
  } else if (absInner.length && !constantF) {
    if (maxInner < th.vanishingMaxSlope) {
      findings.push(report(program, 'GP104', `max |f′| on [-3, 3] = ${fmt(maxInner)} (< ${th.vanishingMaxSlope}): gradients shrink at every layer`, { maxAbsGradient: maxInner, interval: [-3, 3] }));
    } else if (saturated > absInner.length / 2) {
      findings.push(report(program, 'GP104', `f′ is saturated (0 < |f′| < ${th.saturatedSlope}) on ${fmt((100 * saturated) / absInner.length)}% of [-3, 3]`, { saturatedShare: saturated / absInner.length, interval: [-3, 3] }));
    }
    if (maxInner > th.explodingMaxSlope) {
      const at = inner.find((i) => Math.abs(df[i]) === maxInner) ?? inner[0];
      findings.push(report(program, 'GP105', `max |f′| on [-3, 3] = ${fmt(maxInner)} at x = ${fmt(x[at])} (> ${th.explodingMaxSlope}): gradients grow at every layer`, { maxAbsGradient: maxInner, x: x[at] }));
    }
    // GP107: the longest run of exact zeros
    let best = 0;
    let run = 0;
    let bestStart = 0;
    let start = 0;
    for (const i of finiteSweep) {
      if (df[i] === 0) {
        if (run === 0) start = i;
        run++;
        if (run > best) { best = run; bestStart = start; }
      } else run = 0;
    }
    if (best / finiteSweep.length >= th.deadRegionShare) {
      findings.push(report(program, 'GP107', `f′ is exactly 0 on [${fmt(x[bestStart])}, ${fmt(x[bestStart + best - 1])}] (${fmt((100 * best) / finiteSweep.length)}% of the sweep): units whose inputs stay there stop learning`, { interval: [x[bestStart], x[bestStart + best - 1]], share: best / finiteSweep.length }));
    }
  }

  // GP108: sign changes of f′ and the size of descending stretches
  let monotonic = true;
  if (!noGradient && !constantF) {
    const maxAbs = Math.max(...finiteSweep.map((i) => Math.abs(df[i])));
    const tol = 1e-6 * maxAbs;
    const signs = finiteSweep.map((i) => (df[i] > tol ? 1 : df[i] < -tol ? -1 : 0));
    const crossings: number[] = [];
    let last = 0;
    signs.forEach((sg, k) => {
      if (sg === 0) return;
      if (last !== 0 && sg !== last) crossings.push(x[finiteSweep[k]]);
      last = sg;
    });
    let maxDrop = 0;
    let k = 0;
    while (k < signs.length) {
      if (signs[k] < 0) {
        const s0 = k;
        while (k < signs.length && signs[k] <= 0) k++;
        maxDrop = Math.max(maxDrop, f[finiteSweep[s0]] - f[finiteSweep[k - 1]]);
      } else k++;
    }
    if (crossings.length > 0) {
      monotonic = false;
      const dipShare = fRange > 0 ? maxDrop / fRange : 0;
      const oscillating = crossings.length > 2;
      // A shallow Swish-like dip is the catalog's `shallow-dip` variant of GP108.
      const shallow = !oscillating && !(dipShare > th.dipShare);
      const what = oscillating ? `f′ changes sign ${crossings.length} times on [-${R}, ${R}] (oscillating)` : `f′ changes sign at x ≈ ${crossings.map(fmt).join(', ')}`;
      findings.push(finding('GP108', {
        function: program.target.name, span: program.target.nameSpan, ...(shallow ? { variant: 'shallow-dip' as const } : {}),
        message: `${what}; the largest descending stretch drops f by ${fmt(maxDrop)} (${fmt(100 * dipShare)}% of its range)`,
        evidence: { crossings: crossings.slice(0, 10), signChanges: crossings.length, dip: maxDrop, dipShare },
      }));
    }
  }

  // GP112: a custom gradient against central finite differences of the forward
  let straightThrough = false;
  if (program.target.customGradient) {
    const h = 1e-3 * Math.max(1, R / 6);
    const xs = finiteSweep.map((i) => x[i]);
    const [fp, fm, fpp, fmm] = tf.tidy(() => [h, -h, 2 * h, -2 * h].map((d) => Array.from(program.run([tf.tensor1d(xs.map((v) => v + d), 'float32')]).dataSync())));
    const numeric = xs.map((_, k) => (fp[k] - fm[k]) / (2 * h));
    const numeric2 = xs.map((_, k) => (fpp[k] - fmm[k]) / (4 * h));
    const zeroFd = numeric.filter((v) => Math.abs(v) < 1e-6).length;
    if (zeroFd / xs.length > 0.9 && !constantF) straightThrough = true;
    else {
      const mismatches: { x: number; analytic: number; numeric: number }[] = [];
      let compared = 0;
      xs.forEach((xv, k) => {
        const i = finiteSweep[k];
        // Kinks: the two step sizes disagree, so the derivative is not well defined there.
        if (!Number.isFinite(numeric[k]) || Math.abs(numeric[k] - numeric2[k]) > 1e-2 * Math.max(1, Math.abs(numeric[k]))) return;
        compared++;
        const rel = Math.abs(df[i] - numeric[k]) / Math.max(Math.abs(numeric[k]), 1e-2);
        if (rel > th.customGradientRelError) mismatches.push({ x: xv, analytic: df[i], numeric: numeric[k] });
      });
      if (compared > 0 && mismatches.length / compared > th.customGradientShare) {
        const m = mismatches[Math.floor(mismatches.length / 2)];
        findings.push(report(program, 'GP112', `the custom gradient disagrees with finite differences on ${fmt((100 * mismatches.length) / compared)}% of the sweep: at x = ${fmt(m.x)} it gives ${fmt(m.analytic)}, the forward's slope is ${fmt(m.numeric)}`, { examples: mismatches.slice(0, 3), share: mismatches.length / compared }));
      }
    }
  }

  const dfs = finiteSweep.map((i) => df[i]);
  const dfMin = dfs.length ? Math.min(...dfs) : NaN;
  const dfMax = dfs.length ? Math.max(...dfs) : NaN;
  return {
    findings,
    summary: '',
    sweep,
    stats: { fMin, fMax, dfMin, dfMax, monotonic, straightThrough },
  };
}
