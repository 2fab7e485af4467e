// Depth probe GP109–GP111: how the signal and the gradient travel through a 16-layer dense stack
// at the framework's default initialisation, judged against ReLU in the same stack. Predicted by
// mean-field theory (Gauss–Hermite quadrature over the pre-activation distribution of each layer);
// the empirical stack confirms borderline predictions and feeds the panel's plot.
import * as tf from '@tensorflow/tfjs-core';
import type { GradProbeSettings } from '../config/settings';
import { finding } from '../findings/finding';
import type { Finding } from '../findings/types';
import type { Framework } from '../ir/frameworks';
import type { Program } from '../translate/translate';
import { seededRandom } from './lossInputs';
import { withTensorScope } from './tensorScope';
import { formatNumber as fmt } from '../findings/formatNumber';
import { runSweep, sortedTable, sweepInterpolator, type Sweep } from './sweep';

export const DEPTH = 16;
export const WIDTH = 64;
export const BATCH = 128;

export interface InitScheme {
  name: string;
  weightVar: number; // σ_w² (variance × fan_in)
  biasVar: number; // σ_b²
}

export function initFor(framework: Framework): InitScheme {
  switch (framework) {
    case 'pytorch': return { name: "PyTorch nn.Linear default (Kaiming uniform, a = √5, uniform bias)", weightVar: 1 / 3, biasVar: 1 / (3 * WIDTH) };
    case 'jax': return { name: 'Flax default (LeCun normal, zero bias)', weightVar: 1, biasVar: 0 };
    default: return { name: 'Glorot uniform, zero bias (Keras / TF.js default)', weightVar: 1, biasVar: 0 };
  }
}

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

const quadrature = normalQuadrature(2001);

export interface DepthPrediction {
  init: InitScheme;
  variances: number[]; // q_l, pre-activation variance per layer
  chi: number[]; // χ_l
  gradientRatio: number; // ‖∂L/∂h₁‖ / ‖∂L/∂h₁₆‖
  reluRatio: number;
  gain: number; // weight gain making χ = 1
  constantOutput: boolean;
}

/** f and f′ at points, for the mean-field sums. */
type Phi = (x: number[]) => { f: number[]; df: number[] };

/**
 * f and f′ for the mean-field sums by linear interpolation in a table evaluated once (the
 * activation sweep with its tails out to ±1e6): sixteen layers cost no further call into the
 * translated function. Points must come in increasing order (they are √q·z for sorted z).
 */
export function phiFromTable(table: { x: number[]; f: number[]; df: number[] }): Phi {
  const { x: xs, f, df } = table;
  return (points) => {
    const outF = new Array<number>(points.length);
    const outD = new Array<number>(points.length);
    let j = 0;
    for (let k = 0; k < points.length; k++) {
      const v = points[k];
      if (Number.isNaN(v)) { outF[k] = NaN; outD[k] = NaN; continue; }
      if (v <= xs[0]) { outF[k] = f[0]; outD[k] = df[0]; continue; }
      if (v >= xs[xs.length - 1]) { outF[k] = f[xs.length - 1]; outD[k] = df[xs.length - 1]; continue; }
      while (j > 0 && xs[j] > v) j--;
      while (xs[j + 1] < v) j++;
      const t = (v - xs[j]) / (xs[j + 1] - xs[j]);
      outF[k] = f[j] + t * (f[j + 1] - f[j]);
      outD[k] = df[j] + t * (df[j + 1] - df[j]);
    }
    return { f: outF, df: outD };
  };
}

export function predictDepth(phi: Phi, init: InitScheme): DepthPrediction {
  const { z, w } = quadrature;
  const variances: number[] = [];
  const chi: number[] = [];
  let q = init.weightVar + init.biasVar; // first pre-activation: N(0, 1) inputs
  let constantOutput = false;
  for (let l = 0; l < DEPTH; l++) {
    variances.push(q);
    if (!Number.isFinite(q) || q <= 0) { chi.push(q === 0 ? 0 : NaN); q = Number.isFinite(q) ? 0 : NaN; continue; }
    const s = Math.sqrt(q);
    const { f, df } = phi(z.map((v) => s * v));
    let ef2 = 0;
    let edf2 = 0;
    let mean = 0;
    for (let i = 0; i < z.length; i++) { ef2 += w[i] * f[i] * f[i]; edf2 += w[i] * df[i] * df[i]; mean += w[i] * f[i]; }
    const varF = ef2 - mean * mean;
    if (l === DEPTH - 1 && varF < 1e-12 * Math.max(1, ef2)) constantOutput = true;
    chi.push(init.weightVar * edf2);
    q = init.weightVar * ef2 + init.biasVar;
  }
  const gradientRatio = chi.slice(0, DEPTH - 1).reduce((acc, c) => acc * Math.sqrt(c), 1);
  // ReLU: E[relu′(√q z)²] = 1/2 whatever q, so its ratio is closed-form.
  const reluRatio = Math.pow(Math.sqrt(init.weightVar / 2), DEPTH - 1);
  const logMean = chi.slice(0, DEPTH - 1).reduce((a, c) => a + Math.log(Math.max(c, 1e-300)), 0) / (DEPTH - 1);
  return { init, variances, chi, gradientRatio, reluRatio, gain: Math.exp(-logMean / 2), constantOutput };
}

export interface DepthMeasurement {
  gradNorms: number[];
  variances: number[];
  gradientRatio: number;
}

/** C = A (n×k) · B (k×m) in plain typed arrays: TF.js's CPU matmul is several times slower at this size. */
function matmul(a: Float64Array, bb: Float64Array, n: number, k: number, m: number): Float64Array {
  // float64 throughout, four columns a step (m is a multiple of 4): about twice as fast in V8 as float32.
  const c = new Float64Array(n * m);
  for (let i = 0; i < n; i++) {
    const row = i * m;
    for (let p = 0; p < k; p++) {
      const av = a[i * k + p];
      if (av === 0) continue;
      const off = p * m;
      for (let j = 0; j < m; j += 4) {
        c[row + j] += av * bb[off + j];
        c[row + j + 1] += av * bb[off + j + 1];
        c[row + j + 2] += av * bb[off + j + 2];
        c[row + j + 3] += av * bb[off + j + 3];
      }
    }
  }
  return c;
}

function gaussian(rand: () => number): number {
  const u = Math.max(rand(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
}

const norm2 = (v: Float64Array): number => Math.sqrt(v.reduce((acc, x) => acc + x * x, 0));

interface StackParameters { x: Float64Array; weights: Float64Array[]; biases: Float64Array[]; readout: Float64Array }
const stackCache = new Map<string, StackParameters>();

/** Input, weights, biases and readout of the stack: the same for every function at one init and seed. */
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
  const params = { x, weights, biases, readout: Float64Array.from({ length: WIDTH }, () => gaussian(rand)) };
  if (stackCache.size > 16) stackCache.clear();
  stackCache.set(key, params);
  return params;
}

/**
 * The empirical stack: 16 dense layers, width 64, batch 128, N(0,1) input, fixed seeds. The
 * backward pass is written out (g_l = (g_{l+1} W_{l+1}ᵀ) ⊙ f′(h_l)); f and f′ come from one
 * value-and-gradient call of the translated function per layer.
 */
export function measureDepth(program: Program | 'relu', init: InitScheme, seed = 7, lookup?: (h: Float64Array, f: Float64Array, df: Float64Array) => void): DepthMeasurement {
  const n = BATCH * WIDTH;
  const { x, weights, biases, readout } = stackParameters(init, seed);
  const act = (h: Float64Array): { a: Float64Array; d: Float64Array } => {
    if (program === 'relu') return { a: h.map((v) => (v > 0 ? v : 0)), d: h.map((v) => (v > 0 ? 1 : 0)) };
    if (lookup) {
      // f and f′ read from the translated function's sweep table, interpolated.
      const a = new Float64Array(h.length);
      const d = new Float64Array(h.length);
      lookup(h, a, d);
      return { a, d };
    }
    return withTensorScope(() => {
      const input = tf.tensor2d(Float32Array.from(h), [BATCH, WIDTH]);
      let a: tf.Tensor | undefined;
      try {
        const d = tf.grad((v: tf.Tensor) => { a = tf.keep(program.run([v])); return tf.sum(a); })(input);
        const out = { a: Float64Array.from(a!.dataSync()), d: Float64Array.from(d.dataSync()) };
        a!.dispose();
        return out;
      } catch {
        a?.dispose();
        return { a: Float64Array.from(program.run([input]).dataSync()), d: new Float64Array(n) };
      }
    });
  };
  const variances: number[] = [];
  const slopes: Float64Array[] = [];
  let a: Float64Array = x;
  for (let l = 0; l < DEPTH; l++) {
    const h = matmul(a, weights[l], BATCH, WIDTH, WIDTH);
    const bias = biases[l];
    for (let r = 0; r < BATCH; r++) for (let c = 0; c < WIDTH; c++) h[r * WIDTH + c] += bias[c];
    let mean = 0;
    for (let i = 0; i < n; i++) mean += h[i];
    mean /= n;
    let v = 0;
    for (let i = 0; i < n; i++) v += (h[i] - mean) ** 2;
    variances.push(v / n);
    const out = act(h);
    a = out.a;
    slopes.push(out.d);
  }
  // L = Σ (a₁₆ · readout) / B
  let g: Float64Array = new Float64Array(n);
  for (let i = 0; i < n; i++) g[i] = (readout[i % WIDTH] / BATCH) * slopes[DEPTH - 1][i];
  const gradNorms = new Array<number>(DEPTH);
  gradNorms[DEPTH - 1] = norm2(g);
  for (let l = DEPTH - 2; l >= 0; l--) {
    const w = weights[l + 1];
    const wT = new Float64Array(WIDTH * WIDTH);
    for (let r = 0; r < WIDTH; r++) for (let c = 0; c < WIDTH; c++) wT[c * WIDTH + r] = w[r * WIDTH + c];
    const back = matmul(g, wT, BATCH, WIDTH, WIDTH);
    for (let i = 0; i < n; i++) back[i] *= slopes[l][i];
    g = back;
    gradNorms[l] = norm2(g);
  }
  return { gradNorms, variances, gradientRatio: gradNorms[0] / gradNorms[DEPTH - 1] };
}

export interface DepthProbeResult {
  findings: Finding[];
  /** The ratio judged: measured where the stack ran, else predicted. */
  gradientRatio: number;
  reluRatio: number;
  prediction: DepthPrediction;
  measured?: DepthMeasurement;
  reluMeasured?: DepthMeasurement;
}

const reluStacks = new Map<string, DepthMeasurement>();

/** `empirical`: 'auto' runs the stack only where the prediction is within 10× of a threshold. */
export function probeDepth(program: Program, settings: GradProbeSettings, options: { empirical?: 'auto' | 'always' | 'never'; sweep?: Sweep } = {}): DepthProbeResult {
  const th = settings.thresholds;
  const init = initFor(program.target.framework);
  const sweep = options.sweep ?? runSweep(program, settings.range);
  const table = sortedTable(sweep);
  const prediction = predictDepth(phiFromTable(table), init);
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
  let ratio = p.gradientRatio;
  let relu = p.reluRatio;
  let source = 'mean-field prediction';
  let measured: DepthMeasurement | undefined;
  let reluMeasured: DepthMeasurement | undefined;
  const empirical = options.empirical ?? 'auto';
  if (empirical === 'always' || (empirical === 'auto' && borderline)) {
    measured = measureDepth(program, init, 7, sweepInterpolator(sweep));
    reluMeasured = reluStacks.get(init.name) ?? measureDepth('relu', init);
    reluStacks.set(init.name, reluMeasured);
    if (Number.isFinite(measured.gradientRatio) && Number.isFinite(reluMeasured.gradientRatio)) {
      ratio = measured.gradientRatio;
      relu = reluMeasured.gradientRatio;
      source = `measured on the ${DEPTH}-layer stack`;
    }
  }
  const findings: Finding[] = [];
  const evidence = {
    init: init.name, depth: DEPTH, width: WIDTH, batch: BATCH, gradientRatio: ratio, reluRatio: relu, source,
    chi1: p.chi[0], suggestedGain: p.gain, perLayerGradNorm: measured?.gradNorms, perLayerVariance: measured?.variances ?? p.variances,
  };
  const base = { function: program.target.name, span: program.target.nameSpan };
  const gainAdvice = Number.isFinite(p.gain) && p.gain > 1e-3 && p.gain < 1e3 ? `; a weight gain of ${fmt(p.gain)} makes χ₁ = 1` : '; no weight gain fixes it (the slope is 0 where the signal settles)';
  if (ratio < 1 / th.depthRatio && ratio < relu / th.depthRelative) {
    const how = ratio === 0 ? 'the gradient reaching layer 1 underflows to 0' : `‖∂L/∂h₁‖ / ‖∂L/∂h₁₆‖ = ${fmt(ratio)}, ${fmt(relu / ratio)}× smaller than ReLU's ${fmt(relu)}`;
    findings.push(finding('GP109', { ...base, message: `in a ${DEPTH}-layer stack (${init.name}) ${how}: early layers barely learn${gainAdvice}`, evidence }));
  } else if (ratio > th.depthRatio && ratio > relu * th.depthRelative) {
    findings.push(finding('GP110', { ...base, message: `in a ${DEPTH}-layer stack (${init.name}) ‖∂L/∂h₁‖ / ‖∂L/∂h₁₆‖ = ${fmt(ratio)}, ${fmt(ratio / relu)}× larger than ReLU's ${fmt(relu)}: gradients explode with depth${gainAdvice}`, evidence }));
  }
  const lastVar = measured?.variances[DEPTH - 1] ?? p.variances[DEPTH - 1];
  const predictedLast = p.variances[DEPTH - 1];
  const collapsed = (v: number) => !Number.isFinite(v) || v < th.collapseVariance || v > 1 / th.collapseVariance;
  if (collapsed(predictedLast) || (measured && collapsed(lastVar)) || p.constantOutput) {
    const v = collapsed(predictedLast) ? predictedLast : lastVar;
    // ReLU in the same stack, for scale: q ← σ_w² q / 2 + σ_b².
    let reluVariance = init.weightVar + init.biasVar;
    for (let l = 1; l < DEPTH; l++) reluVariance = (init.weightVar * reluVariance) / 2 + init.biasVar;
    findings.push(finding('GP111', { ...base, message: p.constantOutput ? `by layer ${DEPTH} every unit outputs the same value: the signal carries no information` : `the pre-activations' variance ${Number.isFinite(v) && v < 1 ? 'collapses' : 'blows up'} to ${fmt(v)} by layer ${DEPTH} (${init.name}; ReLU in the same stack keeps ${fmt(reluVariance)})`, evidence: { ...evidence, varianceAtDepth: v, reluVarianceAtDepth: reluVariance } }));
  }
  return { findings, gradientRatio: ratio, reluRatio: relu, prediction, measured, reluMeasured };
}
