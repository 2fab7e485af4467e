// The activation sweep: f and f′ of the translated function at one set of points, evaluated in one
// call. Its layout is named here and nowhere else: the dense grid on [-R, R], the special points
// (either side of 0, and the large inputs where float32 exp overflows), and the two log-spaced tails
// out to ±1e6 that the depth probe's mean-field sums read.
import * as tf from '@tensorflow/tfjs-core';
import { tidyData } from './tensorScope';
import type { Program } from '../translate/translate';
import { activationValueAndGradient } from './gradients';

/** Intervals of the dense grid on [-R, R]: GRID_STEPS + 1 evenly spaced points, 0 among them. */
const GRID_STEPS = 2000;
/** Inputs the grid misses: either side of 0, and where float32 exp overflows (|x| ≥ 50). */
const SPECIAL_POINTS = [-1e-7, 1e-7, -50, 50, -100, 100, -1e4, 1e4] as const;
/** Points of each tail, log-spaced from R (excluded) out to 1e6 (included). */
const TAIL = 400;
const TAIL_END = 1e6;

/** A half-open index range [start, end) into a sweep's arrays. */
export interface IndexRange { start: number; end: number }

const grid: IndexRange = { start: 0, end: GRID_STEPS + 1 };
const special: IndexRange = { start: grid.end, end: grid.end + SPECIAL_POINTS.length };
const negativeTail: IndexRange = { start: special.end, end: special.end + TAIL };
const positiveTail: IndexRange = { start: negativeTail.end, end: negativeTail.end + TAIL };

/** Where each part of the sweep sits in its arrays (the same for every range R). */
export const sweepLayout = { grid, special, negativeTail, positiveTail } as const;

export interface Sweep {
  /** The half-width R of the grid. */
  range: number;
  x: number[];
  f: number[];
  df: number[];
  /** False when f does not depend on x through differentiable ops (f′ is then all zeros). */
  gradientPath: boolean;
}

export const indicesOf = (r: IndexRange): number[] => Array.from({ length: r.end - r.start }, (_, k) => r.start + k);

/** The points of a sweep of half-width R, in the layout above. */
function sweepPoints(range: number): number[] {
  const x: number[] = [];
  const half = GRID_STEPS / 2;
  for (let i = -half; i <= half; i++) x.push((i * range) / half);
  const tail: number[] = [];
  for (let i = 1; i <= TAIL; i++) tail.push(range * Math.pow(TAIL_END / range, i / TAIL));
  return [...x, ...SPECIAL_POINTS, ...tail.map((v) => -v), ...tail];
}

/** f and f′ at every point of the sweep, in one value-and-gradient call of the translated function. */
export function runSweep(program: Program, range: number): Sweep {
  const x = sweepPoints(range);
  return tidyData(() => {
    const input = tf.tensor1d(x, 'float32');
    const { value, grad, gradientPath } = activationValueAndGradient(program, input);
    if (value.size !== input.size) throw new Error(`the function is not elementwise: ${x.length} inputs gave ${value.size} outputs`);
    return { range, x, f: Array.from(value.dataSync()), df: Array.from(grad.dataSync()), gradientPath };
  });
}

/** The dense grid alone: evenly spaced on [-R, R], for plots and the report's data. */
export function gridOf(sweep: Sweep): { x: number[]; f: number[]; df: number[] } {
  return { x: sweep.x.slice(grid.start, grid.end), f: sweep.f.slice(grid.start, grid.end), df: sweep.df.slice(grid.start, grid.end) };
}

/** The grid and the tails in increasing x (not the special points), for interpolation. */
export function sortedTable(sweep: Sweep): { x: number[]; f: number[]; df: number[] } {
  const idx = [...indicesOf(grid), ...indicesOf(negativeTail), ...indicesOf(positiveTail)].sort((a, b) => sweep.x[a] - sweep.x[b]);
  return { x: idx.map((i) => sweep.x[i]), f: idx.map((i) => sweep.f[i]), df: idx.map((i) => sweep.df[i]) };
}

/** f and f′ of the function itself at some points (one call into it), for where the table cannot say. */
export type ExactValues = (xs: number[]) => { f: ArrayLike<number>; df: ArrayLike<number> };

/** The function's own f and f′ at points, in one value-and-gradient call of the translated function. */
export function exactValuesOf(program: Program): ExactValues {
  return (xs) => tidyData(() => {
    const { value, grad } = activationValueAndGradient(program, tf.tensor1d(xs, 'float32'));
    return { f: value.dataSync().slice(), df: grad.dataSync().slice() };
  });
}

/**
 * f and f′ at many points by linear interpolation in a sweep's table, O(1) a point: the grid is
 * uniform on [-R, R] and the tails are uniform in log|x| out to ±1e6 (beyond, the end values).
 * In a cell with one non-finite end (sqrt's slope at 0, log|x| at 0) the table cannot tell whether
 * the function is finite at a point between: with `exact`, such points are evaluated on the function
 * itself (one call for all of them), so a NaN in the stack is the function's own. A cell with both
 * ends non-finite lies inside a non-finite stretch and keeps the table's value.
 */
export function sweepInterpolator(sweep: Sweep, exact?: ExactValues): (h: Float64Array, f: Float64Array, df: Float64Array) => void {
  const { x: X, f: F, df: D, range } = sweep;
  const step = (2 * range) / GRID_STEPS;
  const logSpan = Math.log(TAIL_END / range);
  const edge = (i: number, j: number): boolean => {
    const a = Number.isFinite(F[i]) && Number.isFinite(D[i]);
    const b = Number.isFinite(F[j]) && Number.isFinite(D[j]);
    return a !== b;
  };
  return (h, outF, outD) => {
    const deferred: number[] = [];
    for (let n = 0; n < h.length; n++) {
      const v = h[n];
      let i: number;
      let j: number;
      let t: number;
      const a = Math.abs(v);
      if (Number.isNaN(v)) { outF[n] = NaN; outD[n] = NaN; continue; }
      if (a <= range) {
        i = Math.min(grid.end - 2, Math.max(grid.start, Math.floor((v + range) / step)));
        j = i + 1;
        // From the grid point itself, not from -R: (v + R) / step loses a v below 1e-16·R, and the
        // depth stack feeds such inputs when its signal fades.
        t = Math.min(1, Math.max(0, (v - X[i]) / (X[j] - X[i])));
      } else {
        const u = (Math.log(a / range) / logSpan) * TAIL; // 0 at |v| = R, TAIL at 1e6
        const base = v > 0 ? positiveTail.start : negativeTail.start;
        if (u >= TAIL) { outF[n] = F[base + TAIL - 1]; outD[n] = D[base + TAIL - 1]; continue; }
        const k = Math.floor(u); // between tail point k (the grid's end when k = 0) and k + 1
        i = k === 0 ? (v > 0 ? grid.end - 1 : grid.start) : base + k - 1;
        j = base + k;
        t = u - k;
      }
      if (exact && edge(i, j)) { deferred.push(n); continue; }
      outF[n] = lerp(F[i], F[j], t);
      outD[n] = lerp(D[i], D[j], t);
    }
    if (!deferred.length || !exact) return;
    let got: ReturnType<ExactValues> | undefined;
    try {
      got = exact(deferred.map((n) => h[n]));
    } catch {
      got = undefined; // the table's nearer end, as without `exact`
    }
    deferred.forEach((n, k) => {
      if (got) { outF[n] = got.f[k]; outD[n] = got.df[k]; return; }
      const v = h[n];
      const i = Math.min(grid.end - 1, Math.max(grid.start, Math.round((v + range) / step)));
      outF[n] = Math.abs(v) <= range ? F[i] : F[v > 0 ? grid.end - 1 : grid.start];
      outD[n] = Math.abs(v) <= range ? D[i] : D[v > 0 ? grid.end - 1 : grid.start];
    });
  };
}

/** Linear interpolation that makes no NaN of its own: next to a non-finite end it takes the nearer end. */
function lerp(a: number, b: number, t: number): number {
  return Number.isFinite(a) && Number.isFinite(b) ? a + t * (b - a) : t < 0.5 ? a : b;
}

/**
 * Does an output depend on the other inputs (a softmax-like normaliser over the axis, a batch
 * statistic)? The sweep runs as one tensor, so such a map's per-point f and f′ describe the whole
 * sweep, not a unit of a layer: a stack of it is no deep network of that activation. f is run on two
 * inputs that differ in their last element only; an elementwise function gives the same values at
 * every other position (a stochastic one is first run twice on the same input, and is not called coupled).
 */
export function couplesElements(program: Program): boolean {
  try {
    return tidyData(() => {
      const run = (xs: number[]): Float32Array | Int32Array | Uint8Array => program.run([tf.tensor1d(xs, 'float32')]).dataSync();
      const base = [0.3, -0.7, 1.1, 2.5];
      const a = run(base);
      const again = run(base);
      const b = run([0.3, -0.7, 1.1, -1.9]);
      if (a.length !== base.length || b.length !== base.length) return false;
      const differs = (u: number, v: number): boolean => Number.isFinite(u) && Number.isFinite(v) && Math.abs(u - v) > 1e-6 * Math.max(1, Math.abs(u));
      if (a.some((v, i) => differs(v, again[i]))) return false;
      return [0, 1, 2].some((i) => differs(a[i], b[i]));
    });
  } catch {
    // The sweep ran; a failure on this small input says nothing about coupling.
    return false;
  }
}
