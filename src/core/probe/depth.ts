// Depth probe GP109–GP111: how the signal and the gradient travel through a 16-layer dense stack
// at the framework's default initialisation, judged against the standard activations in the same
// stack. Predicted by mean-field theory (quadrature over the pre-activation distribution of each
// layer); the empirical stack (fixed seeds) decides where the prediction is near a verdict, measures
// the signal GP111 judges, and is where a suggested weight gain is found and checked.
import type { GradProbeSettings } from '../config/settings';
import { finding } from '../findings/finding';
import { formatNumber as fmt } from '../findings/formatNumber';
import type { Finding } from '../findings/types';
import { frameworks, type Framework } from '../ir/frameworks';
import type { Program } from '../translate/translate';
import * as tf from '@tensorflow/tfjs-core';
import { tidyData } from './tensorScope';
import { seededRandom } from './lossInputs';
import { matmul } from './matmul';
import { baselineActivation, type BaselineName } from './standardActivations';
import standardStackTable from './standardStacks.json';
import { exactValuesOf, runSweep, sortedTable, sweepInterpolator, type Sweep } from './sweep';

export const DEPTH = 16;
export const WIDTH = 64;
export const BATCH = 128;

export interface InitScheme {
  name: string;
  /** How a message names it. */
  short: string;
  weightVar: number; // σ_w² (variance × fan_in)
  biasVar: number; // σ_b²
}

export function initFor(framework: Framework): InitScheme {
  switch (framework) {
    case 'pytorch': return { name: 'PyTorch nn.Linear default (Kaiming uniform, a = √5, uniform bias)', short: "PyTorch's default init", weightVar: 1 / 3, biasVar: 1 / (3 * WIDTH) };
    case 'jax': return { name: 'Flax default (LeCun normal, zero bias)', short: "Flax's default init (LeCun normal)", weightVar: 1, biasVar: 0 };
    default: return { name: 'Glorot uniform, zero bias (Keras / TF.js default)', short: "Keras' default init (Glorot uniform)", weightVar: 1, biasVar: 0 };
  }
}

/** The init with every weight multiplied by `gain`. */
export const scaledInit = (init: InitScheme, gain: number): InitScheme => ({ ...init, weightVar: init.weightVar * gain * gain });

/**
 * Nodes and weights for E[g(z)], z ~ N(0, 1): a dense trapezoid grid on [-10, 10]. Gauss–Hermite
 * with 64 nodes was tried first and missed sharp features (x / (0.05 + |x|) has its slope of 20 in
 * a band 0.05 wide around 0, between two nodes), predicting vanishing where the stack explodes.
 */
export function normalQuadrature(n: number): { z: number[]; w: number[] } {
  const z: number[] = [];
  const w: number[] = [];
  const h = 20 / (n - 1);
  let total = 0;
  for (let i = 0; i < n; i++) {
    const v = -10 + i * h;
    const weight = Math.exp(-0.5 * v * v) * (i === 0 || i === n - 1 ? 0.5 : 1);
    z.push(v);
    w.push(weight);
    total += weight;
  }
  return { z, w: w.map((v) => v / total) };
}

const quadrature = ((q) => ({ z: Float64Array.from(q.z), w: Float64Array.from(q.w) }))(normalQuadrature(2001));

export interface DepthPrediction {
  init: InitScheme;
  variances: number[]; // q_l, pre-activation variance per layer
  /** Var f(h_l): the activations' variance per layer. */
  activationVariances: number[];
  chi: number[]; // χ_l
  gradientRatio: number; // ‖∂L/∂h₁‖ / ‖∂L/∂h₁₆‖
  reluRatio: number;
}

/**
 * f and f′ of the function for the mean-field sums: its sweep's table in increasing x (the
 * activation sweep with its tails out to ±1e6), read by linear interpolation, so sixteen layers cost
 * no further call into the translated function. Typed arrays, with whether each cell's two ends are
 * finite worked out once: the gain search runs the sixteen-layer sums some fifty times per function.
 */
export interface Phi {
  x: Float64Array;
  f: Float64Array;
  df: Float64Array;
  /** Cell k (between x[k] and x[k + 1]) has both ends of f finite: 1, else 0. */
  fFinite: Uint8Array;
  /** The same for f′. */
  dfFinite: Uint8Array;
}

export function phiFromTable(table: { x: number[]; f: number[]; df: number[] }): Phi {
  const f = Float64Array.from(table.f);
  const df = Float64Array.from(table.df);
  const cells = Math.max(0, f.length - 1);
  const fFinite = new Uint8Array(cells);
  const dfFinite = new Uint8Array(cells);
  for (let k = 0; k < cells; k++) {
    fFinite[k] = Number.isFinite(f[k]) && Number.isFinite(f[k + 1]) ? 1 : 0;
    dfFinite[k] = Number.isFinite(df[k]) && Number.isFinite(df[k + 1]) ? 1 : 0;
  }
  return { x: Float64Array.from(table.x), f, df, fFinite, dfFinite };
}

export function predictDepth(phi: Phi, init: InitScheme): DepthPrediction {
  const { z, w } = quadrature;
  const n = z.length;
  const { x: xs, f: F, df: D, fFinite, dfFinite } = phi;
  const last = xs.length - 1;
  const variances: number[] = [];
  const activationVariances: number[] = [];
  const chi: number[] = [];
  let q = init.weightVar + init.biasVar; // first pre-activation: N(0, 1) inputs
  for (let l = 0; l < DEPTH; l++) {
    variances.push(q);
    if (!Number.isFinite(q) || q <= 0) {
      chi.push(q === 0 ? 0 : NaN);
      activationVariances.push(q === 0 ? 0 : NaN);
      q = Number.isFinite(q) ? 0 : NaN;
      continue;
    }
    const s = Math.sqrt(q);
    let ef2 = 0;
    let edf2 = 0;
    let mean = 0;
    // E over z of f(√q·z)², f′(√q·z)² and f(√q·z), with f and f′ interpolated in the table. The
    // points increase with z, so the cell is found by walking on from the previous point's. Next
    // to a non-finite end, the nearer end's value (interpolation makes no NaN of its own).
    let j = 0;
    for (let i = 0; i < n; i++) {
      const v = s * z[i];
      let fv: number;
      let dv: number;
      if (Number.isNaN(v)) { fv = NaN; dv = NaN; }
      else if (v <= xs[0]) { fv = F[0]; dv = D[0]; }
      else if (v >= xs[last]) { fv = F[last]; dv = D[last]; }
      else {
        while (j > 0 && xs[j] > v) j--;
        while (xs[j + 1] < v) j++;
        const t = (v - xs[j]) / (xs[j + 1] - xs[j]);
        fv = fFinite[j] ? F[j] + t * (F[j + 1] - F[j]) : t < 0.5 ? F[j] : F[j + 1];
        dv = dfFinite[j] ? D[j] + t * (D[j + 1] - D[j]) : t < 0.5 ? D[j] : D[j + 1];
      }
      ef2 += w[i] * fv * fv;
      edf2 += w[i] * dv * dv;
      mean += w[i] * fv;
    }
    activationVariances.push(Math.max(0, ef2 - mean * mean));
    chi.push(init.weightVar * edf2);
    q = init.weightVar * ef2 + init.biasVar;
  }
  const gradientRatio = chi.slice(0, DEPTH - 1).reduce((acc, c) => acc * Math.sqrt(c), 1);
  // ReLU: E[relu′(√q z)²] = 1/2 whatever q, so its ratio is closed-form.
  const reluRatio = Math.pow(Math.sqrt(init.weightVar / 2), DEPTH - 1);
  return { init, variances, activationVariances, chi, gradientRatio, reluRatio };
}

/**
 * The weight gain at which the mean-field gradient ratio through the whole stack is 1 — with the
 * pre-activations' variance evolving at that gain, not read off the default init's χ. NaN when no
 * gain in [1e-3, 1e3] gets there. A first guess for the stack, which checks it.
 *
 * The log ratio is read on a grid of log10 gains a quarter apart, walking from the default init
 * (gain 1) towards the crossing: the ratio grows with the gain, so the crossing nearest gain 1 is a
 * few points away. Where the walk meets a NaN or leaves the grid, every point is read and the first
 * crossing from below is taken. The bracket found is then narrowed to GAIN_TOLERANCE.
 */
export function meanFieldGain(phi: Phi, init: InitScheme): number {
  const logRatio = (lg: number): number => Math.log(predictDepth(phi, scaledInit(init, Math.pow(10, lg))).gradientRatio);
  const lgOf = (k: number): number => -3 + k / 4;
  const read = new Map<number, number>();
  const r = (k: number): number => {
    let v = read.get(k);
    if (v === undefined) { v = logRatio(lgOf(k)); read.set(k, v); }
    return v;
  };
  /** The gain where the ratio crosses 1 between grid points a < b (r(a) < 0 ≤ r(b)). */
  const crossing = (a: number, b: number): number => Math.pow(10, refineCrossing(logRatio, lgOf(a), r(a), lgOf(b), r(b)));
  const one = 12; // log10 gain 0
  const atOne = r(one);
  if (atOne < 0) {
    for (let k = one + 1; k <= 24 && !Number.isNaN(r(k)); k++) if (r(k) >= 0) return crossing(k - 1, k);
  } else if (atOne >= 0) {
    for (let k = one - 1; k >= 0 && !Number.isNaN(r(k)); k--) if (r(k) < 0) return crossing(k, k + 1);
  }
  let prev: number | undefined;
  for (let k = 0; k <= 24; k++) {
    if (Number.isNaN(r(k))) continue;
    if (prev !== undefined && r(prev) < 0 && r(k) >= 0) return crossing(prev, k);
    prev = k;
  }
  return NaN;
}

/** The width in log10 gain the crossing is found to: 0.25 / 2¹⁶, the gain to about 1e-5 of itself (3 digits are shown). */
const GAIN_TOLERANCE = 0.25 / 65536;

/**
 * The crossing of r = 0 in [lo, hi] (r(lo) = rLo < 0, r(hi) = rHi ≥ 0, r growing with its
 * argument), as the midpoint of a bracket at most GAIN_TOLERANCE wide. Regula falsi with the
 * Illinois step (the end that stays has its value halved), which on the smooth log ratio takes a
 * handful of evaluations where bisection takes sixteen; once an estimate has a small value, a point
 * half a tolerance beyond it on the far side usually closes the bracket at once. Bisection where r
 * is not finite at an end, or the secant falls outside the bracket.
 */
function refineCrossing(r: (x: number) => number, lo: number, rLo: number, hi: number, rHi: number): number {
  let kept: 'lo' | 'hi' | undefined;
  for (let i = 0; i < 64 && hi - lo > GAIN_TOLERANCE; i++) {
    let x = (lo + hi) / 2;
    if (Number.isFinite(rLo) && Number.isFinite(rHi) && rHi > rLo) {
      const secant = lo - (rLo * (hi - lo)) / (rHi - rLo);
      if (secant > lo && secant < hi) x = secant;
    }
    let v = r(x);
    const high = Number.isNaN(v) || v >= 0;
    // A point this close to the crossing: try to close the bracket on its far side in one step.
    const squeeze = high ? x - GAIN_TOLERANCE / 2 : x + GAIN_TOLERANCE / 2;
    if (squeeze > lo && squeeze < hi && Math.abs(x - squeeze) * 2 < hi - lo && Number.isFinite(v) && Math.abs(v) < 1e-4) {
      const w = r(squeeze);
      if ((Number.isNaN(w) || w >= 0) !== high) {
        if (high) { lo = squeeze; rLo = w; hi = x; rHi = v; } else { lo = x; rLo = v; hi = squeeze; rHi = w; }
        break;
      }
      x = squeeze;
      v = w;
    }
    if (Number.isNaN(v) || v >= 0) {
      hi = x;
      rHi = v;
      if (kept === 'lo') rLo /= 2;
      kept = 'lo';
    } else {
      lo = x;
      rLo = v;
      if (kept === 'hi') rHi /= 2;
      kept = 'hi';
    }
  }
  return (lo + hi) / 2;
}

// ------------------------------------------------------------------ the empirical stack

/** f and f′ at a layer's pre-activations, written into `a` and `d`. */
export type StackActivation = (h: Float64Array, a: Float64Array, d: Float64Array) => void;

export interface DepthMeasurement {
  /** The factor every weight was multiplied by. */
  gain: number;
  /** ‖∂L/∂h_l‖ per layer (accumulated in log scale, so a large ratio is ±Inf, never 0·Inf). */
  gradNorms: number[];
  /** Var h_l per layer. */
  preVariances: number[];
  /** Var f(h_l) per layer: the activations' variance, the signal GP111 judges. */
  variances: number[];
  gradientRatio: number;
  /** The first layer (1-based) whose units all output one value, the value, and its inputs' range. */
  constantLayer?: { layer: number; value: number; inputs: [number, number] };
  /**
   * The first layer (1-based) whose activations overflow to ±Inf (with no NaN among them). The stack
   * stops there: the signal from it on is +Inf, and so is the gradient (the loss is infinite); the
   * NaN that Inf − Inf would make in the next layer's sums is not the function's.
   */
  overflowLayer?: number;
}

function gaussian(rand: () => number): number {
  const u = Math.max(rand(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
}

const norm2 = (v: Float64Array): number => Math.sqrt(v.reduce((acc, x) => acc + x * x, 0));

/** The variance; +Inf when some values are ±Inf and none is NaN (Inf − Inf would make a NaN that is not the function's). */
function variance(v: Float64Array): number {
  let infinite = false;
  for (let i = 0; i < v.length; i++) {
    if (Number.isNaN(v[i])) return NaN;
    if (!Number.isFinite(v[i])) infinite = true;
  }
  if (infinite) return Infinity;
  let mean = 0;
  for (let i = 0; i < v.length; i++) mean += v[i];
  mean /= v.length;
  let s = 0;
  for (let i = 0; i < v.length; i++) s += (v[i] - mean) ** 2;
  return s / v.length;
}

interface StackParameters { x: Float64Array; weights: Float64Array[]; weightsT: Float64Array[]; biases: Float64Array[]; readout: Float64Array }
const stackCache = new Map<string, StackParameters>();

/** Input, weights, biases and readout of the stack at gain 1: the same for every function at one init and seed. */
function stackParameters(init: InitScheme, seed: number): StackParameters {
  const key = `${init.name}|${init.weightVar}|${init.biasVar}|${seed}`;
  const cached = stackCache.get(key);
  if (cached) return cached;
  const rand = seededRandom(seed);
  const x = Float64Array.from({ length: BATCH * WIDTH }, () => gaussian(rand));
  const weights: Float64Array[] = [];
  const biases: Float64Array[] = [];
  const flax = init.name.startsWith('Flax');
  for (let l = 0; l < DEPTH; l++) {
    const bound = Math.sqrt((3 * init.weightVar) / WIDTH);
    weights.push(Float64Array.from({ length: WIDTH * WIDTH }, () => (flax ? gaussian(rand) * Math.sqrt(init.weightVar / WIDTH) : (2 * rand() - 1) * bound)));
    const bb = Math.sqrt(3 * init.biasVar);
    biases.push(Float64Array.from({ length: WIDTH }, () => (bb > 0 ? (2 * rand() - 1) * bb : 0)));
  }
  const weightsT = weights.map((w) => {
    const t = new Float64Array(WIDTH * WIDTH);
    for (let r = 0; r < WIDTH; r++) for (let c = 0; c < WIDTH; c++) t[c * WIDTH + r] = w[r * WIDTH + c];
    return t;
  });
  const params = { x, weights, weightsT, biases, readout: Float64Array.from({ length: WIDTH }, () => gaussian(rand)) };
  if (stackCache.size > 16) stackCache.clear();
  stackCache.set(key, params);
  return params;
}

/**
 * The empirical stack: 16 dense layers, width 64, batch 128, N(0,1) input, fixed seeds, every weight
 * times `gain` (the biases as drawn). The backward pass is written out
 * (g_l = (g_{l+1} (gain·W_{l+1})ᵀ) ⊙ f′(h_l)), renormalised each layer so that float64 never
 * overflows: a NaN in it is the function's own.
 */
export function measureStack(act: StackActivation, init: InitScheme, gain = 1, seed = 7): DepthMeasurement {
  const n = BATCH * WIDTH;
  const { x, weights, weightsT, biases, readout } = stackParameters(init, seed);
  const preVariances: number[] = [];
  const variances: number[] = [];
  const slopes: Float64Array[] = [];
  let constantLayer: DepthMeasurement['constantLayer'];
  let a: Float64Array = x;
  for (let l = 0; l < DEPTH; l++) {
    const h = matmul(a, weights[l], BATCH, WIDTH, WIDTH);
    const bias = biases[l];
    for (let r = 0; r < BATCH; r++) for (let c = 0; c < WIDTH; c++) h[r * WIDTH + c] = gain * h[r * WIDTH + c] + bias[c];
    preVariances.push(variance(h));
    const out = new Float64Array(n);
    const d = new Float64Array(n);
    act(h, out, d);
    variances.push(variance(out));
    if (variances[l] === Infinity) {
      for (let k = l + 1; k < DEPTH; k++) { preVariances.push(Infinity); variances.push(Infinity); }
      return { gain, gradNorms: new Array<number>(DEPTH).fill(Infinity), preVariances, variances, gradientRatio: NaN, constantLayer, overflowLayer: l + 1 };
    }
    if (!constantLayer && out.every((v) => v === out[0]) && Number.isFinite(out[0])) {
      let lo = Infinity;
      let hi = -Infinity;
      for (const v of h) { if (v < lo) lo = v; if (v > hi) hi = v; }
      constantLayer = { layer: l + 1, value: out[0], inputs: [lo, hi] };
    }
    a = out;
    slopes.push(d);
  }
  // L = Σ (a₁₆ · readout) / B
  let g: Float64Array = new Float64Array(n);
  for (let i = 0; i < n; i++) g[i] = (readout[i % WIDTH] / BATCH) * slopes[DEPTH - 1][i];
  const logNorms = new Array<number>(DEPTH);
  const rescale = (v: Float64Array, l: number, below: number): void => {
    const m = norm2(v);
    logNorms[l] = below + Math.log(m);
    if (m > 0 && Number.isFinite(m)) for (let i = 0; i < n; i++) v[i] /= m;
  };
  rescale(g, DEPTH - 1, 0);
  for (let l = DEPTH - 2; l >= 0; l--) {
    const back = matmul(g, weightsT[l + 1], BATCH, WIDTH, WIDTH);
    for (let i = 0; i < n; i++) back[i] *= gain * slopes[l][i];
    rescale(back, l, logNorms[l + 1]);
    g = back;
  }
  const gradNorms = logNorms.map((v) => Math.exp(v));
  const logRatio = logNorms[0] - logNorms[DEPTH - 1];
  return { gain, gradNorms, preVariances, variances, gradientRatio: Number.isNaN(logRatio) && logNorms[0] === -Infinity ? 0 : Math.exp(logRatio), constantLayer };
}

/** A standard activation for the stack, in closed form. */
export function standardStackActivation(name: BaselineName): StackActivation {
  if (name === 'ReLU') return (h, a, d) => { for (let i = 0; i < h.length; i++) { a[i] = h[i] > 0 ? h[i] : 0; d[i] = h[i] > 0 ? 1 : 0; } };
  return (h, a, d) => {
    for (let i = 0; i < h.length; i++) {
      const v = baselineActivation(name, h[i]);
      a[i] = v.f;
      d[i] = v.df;
    }
  };
}

/** The standard activations GP111 measures a function's signal against. */
export const standardForCollapse: BaselineName[] = ['ReLU', 'tanh', 'GELU', 'SiLU'];

const standardStacks = new Map<string, DepthMeasurement>();
const standardStackKey = (name: BaselineName, init: InitScheme, seed: number): string => `${name}|${init.name}|${init.weightVar}|${init.biasVar}|${seed}`;

/**
 * A standard activation's stack at gain 1: the same for every function at one init. The ones the
 * probes use (GP111's standard activations at each framework's init, seed 7) are read from
 * standardStacks.json, written by `npm run gen:standard-stacks` from computeStandardStacks() (a
 * test checks the table against a fresh computation): each costs some 50 ms to measure, paid
 * otherwise by every process and every probe worker before its first depth probe.
 */
export function standardStack(name: BaselineName, init: InitScheme, seed = 7): DepthMeasurement {
  const key = standardStackKey(name, init, seed);
  let m = standardStacks.get(key);
  if (!m) {
    m = (standardStackTable.stacks as Record<string, DepthMeasurement | undefined>)[key] ?? measureStack(standardStackActivation(name), init, 1, seed);
    standardStacks.set(key, m);
  }
  return m;
}

/** The table standardStacks.json holds, measured afresh: GP111's standard activations at every framework's init, seed 7. */
export function computeStandardStacks(): Record<string, DepthMeasurement> {
  const table: Record<string, DepthMeasurement> = {};
  for (const framework of frameworks) {
    const init = initFor(framework);
    for (const name of standardForCollapse) {
      const key = standardStackKey(name, init, 7);
      table[key] ??= measureStack(standardStackActivation(name), init, 1, 7);
    }
  }
  return table;
}

/**
 * standardStacks.json's text for a table: one stack a line, every number finite (JSON has no NaN or
 * Infinity, and a standard activation's stack has neither).
 */
export function formatStandardStacks(table: Record<string, DepthMeasurement>): string {
  const lines = Object.entries(table).map(([key, m]) => {
    const numbers = [m.gain, m.gradientRatio, ...m.gradNorms, ...m.preVariances, ...m.variances];
    if (!numbers.every(Number.isFinite) || m.constantLayer || m.overflowLayer) throw new Error(`the standard stack ${key} is not finite throughout`);
    return `    ${JSON.stringify(key)}: ${JSON.stringify({ gain: m.gain, gradNorms: m.gradNorms, preVariances: m.preVariances, variances: m.variances, gradientRatio: m.gradientRatio })}`;
  });
  return `{
  "stacks": {
${lines.join(',\n')}
  }
}
`;
}

/**
 * The function's f and f′ on the stack, read from its sweep table; with the program, points next to a
 * non-finite value of the table are evaluated on the function itself (so the stack's NaN is the
 * function's own, not the interpolation's).
 */
export const sweepStackActivation = (sweep: Sweep, program?: Program): StackActivation => sweepInterpolator(sweep, program && exactValuesOf(program));

// ------------------------------------------------------------------ the suggested weight gain

/** Where the suggested gain must put the stack: the gradient within 2× end to end, the signal at layer 16 within 100× of 1. */
export const GAIN_RATIO_BAND: [number, number] = [0.5, 2];
export const GAIN_VARIANCE_BAND: [number, number] = [1e-2, 1e2];

export interface GainSearch {
  /** The best gain found (NaN when none was tried). */
  gain: number;
  /** At `gain`, the stack's gradient ratio and its signal are within the bands above. */
  verified: boolean;
  /** The stack at `gain`. */
  measured?: DepthMeasurement;
  /** Stacks run to find it. */
  stacks: number;
}

const inBand = (v: number, [lo, hi]: [number, number]): boolean => v >= lo && v <= hi;

/**
 * The signal at layer 16 is sane: the pre-activations' variance or the activations' is within the
 * band. Either will do: a scaled-down function such as 0.1·tanh has small activations at the gain
 * that keeps its pre-activations near 1, and tanh(0.05x) has large pre-activations where it works.
 */
export function signalInBand(m: DepthMeasurement): boolean {
  return inBand(m.preVariances[DEPTH - 1], GAIN_VARIANCE_BAND) || inBand(m.variances[DEPTH - 1], GAIN_VARIANCE_BAND);
}

export const gainWorks = (m: DepthMeasurement): boolean => inBand(m.gradientRatio, GAIN_RATIO_BAND) && signalInBand(m);

/**
 * The weight gain that keeps the gradient flat through the stack, found on the stack itself: the
 * mean-field gain as the first guess, then bisection in log gain on the measured ratio (which grows
 * with the gain) until it is within [0.5, 2]; verified there, signal included.
 */
export function findGain(act: StackActivation, phi: Phi, init: InitScheme, seed = 7): GainSearch {
  let stacks = 0;
  const at = (g: number): DepthMeasurement => { stacks++; return measureStack(act, init, g, seed); };
  const guess = meanFieldGain(phi, init);
  let g = Number.isFinite(guess) ? guess : 1;
  let m = at(g);
  const high = (r: number): boolean => Number.isNaN(r) || r > 1;
  if (!inBand(m.gradientRatio, GAIN_RATIO_BAND)) {
    // Bracket the crossing of ratio = 1 by factors of 4, within [1e-3, 1e3].
    let lo = g;
    let hi = g;
    let mLo = m;
    let mHi = m;
    if (high(m.gradientRatio)) {
      while (high(mLo.gradientRatio) && lo > 1e-3) { lo /= 4; mLo = at(lo); }
    } else {
      while (!high(mHi.gradientRatio) && hi < 1e3) { hi *= 4; mHi = at(hi); }
    }
    const bracketed = !high(mLo.gradientRatio) && high(mHi.gradientRatio);
    const edge = high(m.gradientRatio) ? { g: lo, m: mLo } : { g: hi, m: mHi };
    g = edge.g;
    m = edge.m;
    if (bracketed) {
      for (let i = 0; i < 12 && !inBand(m.gradientRatio, GAIN_RATIO_BAND); i++) {
        g = Math.sqrt(lo * hi);
        m = at(g);
        if (high(m.gradientRatio)) hi = g;
        else lo = g;
      }
    }
  }
  return { gain: g, verified: gainWorks(m), measured: m, stacks };
}

// ------------------------------------------------------------------ the probe

export interface DepthProbeResult {
  findings: Finding[];
  /** The ratio judged: measured where the stack ran, else predicted. */
  gradientRatio: number;
  reluRatio: number;
  prediction: DepthPrediction;
  measured?: DepthMeasurement;
  reluMeasured?: DepthMeasurement;
  /** Searched on the stack when GP109/GP110 fires. */
  gain?: GainSearch;
  /** The suggested weight gain: verified on the stack, else the mean-field guess (NaN if none, or not asked for: `suggestGain: false`). */
  suggestedGain: number;
}

/** How much further from 1 than every standard activation a signal must be to count as collapsed or blown up. */
export const COLLAPSE_BEYOND_STANDARD = 1e3;

/** How far a variance is from 1, as a factor (∞ for 0 and NaN). */
export const factorFromOne = (v: number): number => (Number.isFinite(v) && v > 0 ? Math.max(v, 1 / v) : Infinity);

/** The standard activations' activation variance at layer 16 in the same stack, and the furthest from 1. */
export function standardBand(init: InitScheme, seed = 7): { variances: Record<string, number>; band: [number, number]; furthest: number } {
  const variances: Record<string, number> = {};
  for (const name of standardForCollapse) variances[name] = standardStack(name, init, seed).variances[DEPTH - 1];
  const vs = Object.values(variances);
  return { variances, band: [Math.min(...vs), Math.max(...vs)], furthest: Math.max(...vs.map(factorFromOne)) };
}

/** `empirical`: 'auto' runs the stack only where the prediction is within 10× of a threshold. */
export function probeDepth(program: Program, settings: GradProbeSettings, options: { empirical?: 'auto' | 'always' | 'never'; sweep?: Sweep; suggestGain?: boolean } = {}): DepthProbeResult {
  const th = settings.thresholds;
  const init = initFor(program.target.framework);
  const sweep = options.sweep ?? runSweep(program, settings.range);
  const phi = phiFromTable(sortedTable(sweep));
  const act = sweepStackActivation(sweep, program);
  const prediction = predictDepth(phi, init);
  const near = (v: number, t: number) => Number.isFinite(v) && Math.abs(Math.log10(Math.max(v, 1e-300)) - Math.log10(t)) <= 1;
  const p = prediction;
  const rel = p.gradientRatio / p.reluRatio;
  // Borderline: the verdict could flip — one condition of a rule is within 10× of its threshold
  // while the other holds or is itself near.
  const vanishAbs = p.gradientRatio < 1 / th.depthRatio;
  const vanishRel = rel < 1 / th.depthRelative;
  const explodeAbs = p.gradientRatio > th.depthRatio;
  const explodeRel = rel > th.depthRelative;
  const nearVanishAbs = near(p.gradientRatio, 1 / th.depthRatio);
  const nearVanishRel = near(rel, 1 / th.depthRelative);
  const nearExplodeAbs = near(p.gradientRatio, th.depthRatio);
  const nearExplodeRel = near(rel, th.depthRelative);
  const borderline = (nearVanishAbs && (vanishRel || nearVanishRel)) || (nearVanishRel && (vanishAbs || nearVanishAbs))
    || (nearExplodeAbs && (explodeRel || nearExplodeRel)) || (nearExplodeRel && (explodeAbs || nearExplodeAbs));
  const empirical = options.empirical ?? 'auto';
  // GP111 is judged on the stack; the prediction only spares the stack where it is far from a verdict.
  const standard = empirical === 'never' ? undefined : standardBand(init);
  const predictedSignal = p.activationVariances[DEPTH - 1];
  const collapseCandidate = !!standard && (!(predictedSignal >= 10 * th.collapseVariance && predictedSignal <= 1 / (10 * th.collapseVariance))
    && factorFromOne(predictedSignal) > (COLLAPSE_BEYOND_STANDARD / 10) * standard.furthest);
  let ratio = p.gradientRatio;
  let relu = p.reluRatio;
  let source = 'mean-field prediction';
  let measured: DepthMeasurement | undefined;
  let reluMeasured: DepthMeasurement | undefined;
  if (empirical === 'always' || (empirical === 'auto' && (borderline || collapseCandidate))) {
    measured = measureStack(act, init);
    reluMeasured = standardStack('ReLU', init);
    if (borderline || empirical === 'always') {
      if (Number.isFinite(measured.gradientRatio) && Number.isFinite(reluMeasured.gradientRatio)) {
        ratio = measured.gradientRatio;
        relu = reluMeasured.gradientRatio;
        source = `measured on the ${DEPTH}-layer stack`;
      }
    }
  }
  const findings: Finding[] = [];
  const evidence = {
    init: init.name, depth: DEPTH, width: WIDTH, batch: BATCH, gradientRatio: ratio, reluRatio: relu, source,
    chi1: p.chi[0], perLayerGradNorm: measured?.gradNorms, perLayerVariance: measured?.variances ?? p.activationVariances,
  };
  const base = { function: program.target.name, span: program.target.nameSpan };
  const vanishing = ratio < 1 / th.depthRatio && ratio < relu / th.depthRelative;
  const exploding = !vanishing && ratio > th.depthRatio && ratio > relu * th.depthRelative;
  let gain: GainSearch | undefined;
  if (vanishing || exploding) {
    gain = findGain(act, phi, init);
    const g = gain.measured;
    const gainEvidence = {
      suggestedGain: gain.verified ? gain.gain : 'none: no weight scale passes the check below',
      gainTried: gain.gain,
      gradientRatioAtGain: g?.gradientRatio,
      preActivationVarianceAtGain: g?.preVariances[DEPTH - 1],
      activationVarianceAtGain: g?.variances[DEPTH - 1],
      gainCheck: `on the same stack: the gradient ratio within [${GAIN_RATIO_BAND.join(', ')}] and the variance at layer ${DEPTH} (pre-activations or activations) within [${GAIN_VARIANCE_BAND.map(fmt).join(', ')}]`,
    };
    const advice = gain.verified
      ? `initialising the weights ${fmt(gain.gain)}× ${gain.gain >= 1 ? 'larger' : 'smaller'} keeps it within 2× in that stack (checked there); normalisation layers also help`
      : `no weight scale fixes it in that stack${g && Number.isFinite(g.gradientRatio) && inBand(g.gradientRatio, GAIN_RATIO_BAND) ? ` (where the gradient is flat, at ${fmt(gain.gain)}×, the signal's variance leaves [${GAIN_VARIANCE_BAND.map(fmt).join(', ')}])` : ''}: rescale the activation or add normalisation layers`;
    if (vanishing) {
      const how = ratio === 0 ? 'the gradient reaching the first layer underflows to 0' : `the gradient reaching the first layer is ${fmt(ratio)} of the last layer's (ReLU's: ${fmt(relu)})`;
      findings.push(finding('GP109', { ...base, message: `in a ${DEPTH}-layer stack at ${init.short}, ${how}: early layers barely learn; ${advice}`, evidence: { ...evidence, ...gainEvidence } }));
    } else {
      findings.push(finding('GP110', { ...base, message: `in a ${DEPTH}-layer stack at ${init.short}, the gradient reaching the first layer is ${fmt(ratio)}× the last layer's (ReLU's: ${fmt(relu)}×): gradients explode with depth; ${advice}`, evidence: { ...evidence, ...gainEvidence } }));
    }
  }
  const collapse = measured && standard ? judgeCollapse(program, measured, standard, th.collapseVariance) : undefined;
  if (collapse && standard && measured) {
    findings.push(finding('GP111', {
      ...base,
      message: collapse.message(init),
      evidence: {
        ...evidence, perLayerVariance: measured.variances, perLayerPreActivationVariance: measured.preVariances,
        varianceAtDepth: measured.variances[DEPTH - 1], standardVariancesAtDepth: standard.variances, standardBand: standard.band,
        ...(measured.overflowLayer ? { overflowLayer: measured.overflowLayer } : {}),
        ...(collapse.constant ? { constantLayer: collapse.constant.layer, constantValue: collapse.constant.value, constantOnInputs: collapse.constant.inputs } : {}),
      },
    }));
  }
  // Without a finding, the suggestion is the mean-field gain, for the report's data; `suggestGain:
  // false` (a caller that drops the data) leaves it NaN rather than search for it.
  const suggestedGain = gain ? (gain.verified ? gain.gain : NaN) : options.suggestGain === false ? NaN : meanFieldGain(phi, init);
  return { findings, gradientRatio: ratio, reluRatio: relu, prediction, measured, reluMeasured, gain, suggestedGain };
}

interface Collapse { message: (init: InitScheme) => string; constant?: NonNullable<DepthMeasurement['constantLayer']> }

/**
 * GP111 on the measured stack: the activations' variance at layer 16 leaves [t, 1/t] (or is NaN) and
 * is more than 1e3× further from 1 than every standard activation's in the same stack; or a layer's
 * units all output one value where f is constant on that layer's inputs (checked on the function
 * itself, so a function that merely varies little there is judged by its variance instead).
 */
function judgeCollapse(program: Program, m: DepthMeasurement, standard: ReturnType<typeof standardBand>, t: number): Collapse | undefined {
  const v = m.variances[DEPTH - 1];
  const band = `${fmt(standard.band[0])} to ${fmt(standard.band[1])}`;
  const c = m.constantLayer;
  if (c && c.inputs[1] > c.inputs[0] && constantOn(program, c.inputs)) {
    return {
      constant: c,
      message: (init) => `from layer ${c.layer} of a ${DEPTH}-layer stack at ${init.short}, every unit outputs ${fmt(c.value)}: the function is constant on the inputs that layer gets (${fmt(c.inputs[0])} to ${fmt(c.inputs[1])}), so the signal carries no information; shift or rescale it so it varies where its inputs are`,
    };
  }
  const outside = Number.isNaN(v) || v < t || v > 1 / t;
  if (!outside || !(factorFromOne(v) > COLLAPSE_BEYOND_STANDARD * standard.furthest)) return undefined;
  const far = Number.isFinite(factorFromOne(v)) ? `, ${fmt(factorFromOne(v) / standard.furthest)}× further from 1 than ReLU, tanh, GELU or SiLU get in the same stack (${band})` : ` (ReLU, tanh, GELU and SiLU in the same stack: ${band})`;
  if (m.overflowLayer) {
    const layer = m.overflowLayer;
    return { message: (init) => `the signal overflows with depth: at ${init.short}, the activations reach ±Inf (float32) at layer ${layer} of a ${DEPTH}-layer stack (ReLU, tanh, GELU and SiLU in the same stack: ${band} at layer ${DEPTH}). Bound the activation's growth, scale it down, or add normalisation layers` };
  }
  if (Number.isNaN(v)) {
    const layer = m.variances.findIndex((x) => Number.isNaN(x)) + 1;
    return { message: (init) => `the signal becomes NaN from layer ${layer} of a ${DEPTH}-layer stack at ${init.short} (ReLU, tanh, GELU and SiLU in the same stack: ${band}): the function is not finite on inputs the stack reaches; keep it finite there` };
  }
  if (v < 1) {
    return { message: (init) => `the signal fades with depth: at ${init.short}, the activations' variance at layer ${DEPTH} is ${fmt(v)}${far}; deep layers see nearly the same input for every example. Scale the activation (or the initial weights) up, or add normalisation layers` };
  }
  return { message: (init) => `the signal blows up with depth: at ${init.short}, the activations' variance at layer ${DEPTH} is ${fmt(v)}${far}. Bound the activation's growth, scale it down, or add normalisation layers` };
}

/** Whether the translated function gives one value at 33 points spread over [lo, hi]. */
function constantOn(program: Program, [lo, hi]: [number, number]): boolean {
  const xs = Array.from({ length: 33 }, (_, i) => lo + ((hi - lo) * i) / 32);
  try {
    const ys = tidyData(() => Array.from(program.run([tf.tensor1d(xs, 'float32')]).dataSync()));
    return ys.length === xs.length && ys.every((y) => y === ys[0]);
  } catch {
    return false;
  }
}
