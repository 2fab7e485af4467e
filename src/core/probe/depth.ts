// Depth probe GP109–GP111: how the signal and the gradient travel through a 16-layer dense stack
// at the framework's default initialisation, judged against ReLU in the same stack. Predicted by
// mean-field theory (Gauss–Hermite quadrature over the pre-activation distribution of each layer);
// the empirical stack confirms borderline predictions and feeds the panel's plot.
import * as tf from '@tensorflow/tfjs-core';
import type { GradProbeSettings } from '../config/settings';
import type { Finding } from '../findings/types';
import type { Framework } from '../translate/frameworks';
import type { Program } from '../translate/translate';
import { formatNumber as fmt, runSweep, sortedTable, type ActivationSweep } from './activation';

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

/** The same table for a program on its own (the panel, tests): one evaluation of sweep and tails. */
export function phiOf(program: Program, range = 6): Phi {
  return phiFromTable(sortedTable(runSweep(program, range)));
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

/** The empirical stack: 16 dense layers, width 64, batch 128, N(0,1) input, fixed seeds. */
export function measureDepth(program: Program | 'relu', init: InitScheme, seed = 7): DepthMeasurement {
  return tf.tidy(() => {
    const act = (h: tf.Tensor): tf.Tensor => (program === 'relu' ? tf.relu(h) : program.run([h]));
    const x = tf.randomNormal([BATCH, WIDTH], 0, 1, 'float32', seed);
    const weights: tf.Tensor[] = [];
    const biases: tf.Tensor[] = [];
    for (let l = 0; l < DEPTH; l++) {
      const bound = Math.sqrt(3 * init.weightVar / WIDTH);
      weights.push(init.name.startsWith('Flax') ? tf.randomNormal([WIDTH, WIDTH], 0, Math.sqrt(init.weightVar / WIDTH), 'float32', seed + 1 + l) : tf.randomUniform([WIDTH, WIDTH], -bound, bound, 'float32', seed + 1 + l));
      const bb = Math.sqrt(3 * init.biasVar);
      biases.push(bb > 0 ? tf.randomUniform([WIDTH], -bb, bb, 'float32', seed + 101 + l) : tf.zeros([WIDTH]));
    }
    const readout = tf.randomNormal([WIDTH], 0, 1, 'float32', seed + 999);
    const variances: number[] = [];
    const loss = (...eps: tf.Tensor[]): tf.Tensor => {
      let a = x;
      for (let l = 0; l < DEPTH; l++) {
        const h = tf.add(tf.add(tf.matMul(a, weights[l]), biases[l]), eps[l]);
        a = act(h);
      }
      return tf.div(tf.sum(tf.mul(a, readout)), BATCH);
    };
    // Forward once for the variances of the pre-activations.
    let a = x;
    for (let l = 0; l < DEPTH; l++) {
      const h = tf.add(tf.matMul(a, weights[l]), biases[l]);
      variances.push(tf.moments(h).variance.dataSync()[0]);
      a = act(h);
    }
    const zeros = Array.from({ length: DEPTH }, () => tf.zeros([BATCH, WIDTH]));
    let gradNorms: number[];
    try {
      gradNorms = tf.grads(loss)(zeros).map((g) => tf.norm(g).dataSync()[0]);
    } catch {
      gradNorms = zeros.map(() => 0);
    }
    return { gradNorms, variances, gradientRatio: gradNorms[0] / gradNorms[DEPTH - 1] };
  });
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

export function probeDepth(program: Program, settings: GradProbeSettings, options: { empirical?: boolean; sweep?: ActivationSweep } = {}): DepthProbeResult {
  const th = settings.thresholds;
  const init = initFor(program.target.framework);
  const prediction = predictDepth(options.sweep ? phiFromTable(sortedTable(options.sweep)) : phiOf(program, settings.range), init);
  const near = (v: number, t: number) => Number.isFinite(v) && Math.abs(Math.log10(Math.max(v, 1e-300)) - Math.log10(t)) <= 1;
  const p = prediction;
  const borderline = near(p.gradientRatio, 1 / th.depthRatio) || near(p.gradientRatio, th.depthRatio)
    || near(p.gradientRatio / p.reluRatio, 1 / th.depthRelative) || near(p.gradientRatio / p.reluRatio, th.depthRelative);
  let ratio = p.gradientRatio;
  let relu = p.reluRatio;
  let source = 'mean-field prediction';
  let measured: DepthMeasurement | undefined;
  let reluMeasured: DepthMeasurement | undefined;
  if (options.empirical || borderline) {
    measured = measureDepth(program, init);
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
    findings.push({ ...base, code: 'GP109', severity: 'warning', message: `in a ${DEPTH}-layer stack (${init.name}) ${how}: early layers barely learn${gainAdvice}`, evidence });
  } else if (ratio > th.depthRatio && ratio > relu * th.depthRelative) {
    findings.push({ ...base, code: 'GP110', severity: 'warning', message: `in a ${DEPTH}-layer stack (${init.name}) ‖∂L/∂h₁‖ / ‖∂L/∂h₁₆‖ = ${fmt(ratio)}, ${fmt(ratio / relu)}× larger than ReLU's ${fmt(relu)}: gradients explode with depth${gainAdvice}`, evidence });
  }
  const lastVar = measured?.variances[DEPTH - 1] ?? p.variances[DEPTH - 1];
  const predictedLast = p.variances[DEPTH - 1];
  const collapsed = (v: number) => !Number.isFinite(v) || v < th.collapseVariance || v > 1 / th.collapseVariance;
  if (collapsed(predictedLast) || (measured && collapsed(lastVar)) || p.constantOutput) {
    const v = collapsed(predictedLast) ? predictedLast : lastVar;
    findings.push({ ...base, code: 'GP111', severity: 'warning', message: p.constantOutput ? `by layer ${DEPTH} every unit outputs the same value: the signal carries no information` : `the activations' variance ${Number.isFinite(v) && v < 1 ? 'collapses' : 'blows up'} to ${fmt(v)} by layer ${DEPTH} (${init.name})`, evidence: { ...evidence, varianceAtDepth: v } });
  }
  return { findings, gradientRatio: ratio, reluRatio: relu, prediction, measured, reluMeasured };
}
