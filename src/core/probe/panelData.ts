// What the probe panel plots beyond a function's report: f, f′ and f″ over a sweep of any range, the
// standard activations' curves on the same grid, the 16-layer stack measured for the function and for
// ReLU at the default init and at the critical gain, a loss's boundary cases one by one, and the
// quick training probe when the report has none. Computed here (the server runs it in its probe
// worker); the panel only draws.
import * as tf from '@tensorflow/tfjs-core';
import type { DetectedFunction } from '../detect/detect';
import { formatNumber } from '../findings/formatNumber';
import type { Program } from '../translate/translate';
import { gridOf, runSweep, sortedTable } from './sweep';
import {
  BATCH, DEPTH, findGain, initFor, measureStack, phiFromTable, predictDepth, scaledInit, standardStack, standardStackActivation, sweepStackActivation, WIDTH,
} from './depth';
import { encodeTarget, layoutSearch, lossCases, type LossLayout } from './lossInputs';
import { lossParameterNames } from './lossFacts';
import { chooseLossFamily, imageRankHint, lossFamilies, trainingTaskOf, type LossFamily } from './lossFamily';
import { readLossFacts } from './lossRead';
import { baselineActivation, baselineNames, type BaselineName } from './standardActivations';
import { trainingProbe, type TrainingResult, type TrainingTask } from './training';

export interface ActivationCurves {
  range: number;
  x: number[];
  f: number[];
  df: number[];
  d2f: number[];
  gradientPath: boolean;
}

/**
 * f″ by central differences of f′ on an evenly spaced grid (one-sided at the ends). Non-finite where
 * a neighbour is; at a kink of f it is the jump of f′ over 2h, which is what a plot should show.
 */
export function secondDerivative(x: readonly number[], df: readonly number[]): number[] {
  const n = x.length;
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const lo = Math.max(0, i - 1);
    const hi = Math.min(n - 1, i + 1);
    out[i] = hi === lo ? NaN : (df[hi] - df[lo]) / (x[hi] - x[lo]);
  }
  return out;
}

/** f, f′ (autodiff through the translation) and f″ over [-range, range]. */
export function activationCurves(program: Program, range: number): ActivationCurves {
  const sweep = runSweep(program, range);
  const { x, f, df } = gridOf(sweep);
  return { range, x, f, df, d2f: secondDerivative(x, df), gradientPath: sweep.gradientPath };
}

// ------------------------------------------------------------------ the standard activations

export interface BaselineCurves { name: BaselineName; f: number[]; df: number[]; d2f: number[] }

export function baselineCurves(x: readonly number[]): BaselineCurves[] {
  return baselineNames.map((name) => {
    const values = x.map((v) => baselineActivation(name, v));
    return { name, f: values.map((v) => v.f), df: values.map((v) => v.df), d2f: values.map((v) => v.d2f) };
  });
}

// ------------------------------------------------------------------ depth

export interface DepthRunData {
  label: string;
  fn: 'custom' | 'baseline';
  gain: number;
  gradNorms: number[];
  variances: number[];
}

export interface DepthPanelData {
  layers: number;
  width: number;
  batch: number;
  init: string;
  chi1: number;
  chi1AtGain: number;
  gain: number;
  gradientRatio: number;
  reluRatio: number;
  baseline: 'ReLU';
  baselineGain: number;
  runs: DepthRunData[];
}

/**
 * The empirical stack (16 dense layers at the framework's default init) for the function and for
 * ReLU, each at the default init and at its critical gain: the function's suggested gain, found and
 * checked on this same stack (findGain: the gradient within 2× end to end, the signal in range;
 * absent when no gain passes), ReLU's √(2 / σ_w²) (He). Same seeds for all, so the curves differ
 * only by f and the gain.
 */
export function depthPanelData(program: Program, range: number): DepthPanelData {
  const init = initFor(program.target.framework);
  const sweep = runSweep(program, range);
  const phi = phiFromTable(sortedTable(sweep));
  const act = sweepStackActivation(sweep, program);
  const prediction = predictDepth(phi, init);
  const search = findGain(act, phi, init);
  const gain = search.verified ? search.gain : NaN;
  const reluGain = Math.sqrt(2 / init.weightVar);
  const runs: DepthRunData[] = [];
  const custom = measureStack(act, init);
  runs.push({ label: `${program.target.name} · default init`, fn: 'custom', gain: 1, gradNorms: custom.gradNorms, variances: custom.variances });
  if (search.verified && search.measured) {
    runs.push({ label: `${program.target.name} · gain ${formatNumber(gain)}`, fn: 'custom', gain, gradNorms: search.measured.gradNorms, variances: search.measured.variances });
  }
  const relu = standardStack('ReLU', init);
  runs.push({ label: 'ReLU · default init', fn: 'baseline', gain: 1, gradNorms: relu.gradNorms, variances: relu.variances });
  const reluAtGain = measureStack(standardStackActivation('ReLU'), init, reluGain);
  runs.push({ label: `ReLU · gain ${formatNumber(reluGain)} (He)`, fn: 'baseline', gain: reluGain, gradNorms: reluAtGain.gradNorms, variances: reluAtGain.variances });
  return {
    layers: DEPTH, width: WIDTH, batch: BATCH, init: init.name,
    chi1: prediction.chi[0],
    chi1AtGain: search.verified ? predictDepth(phi, scaledInit(init, gain)).chi[0] : NaN,
    gain,
    gradientRatio: custom.gradientRatio,
    reluRatio: relu.gradientRatio,
    baseline: 'ReLU',
    baselineGain: reluGain,
    runs,
  };
}

// ------------------------------------------------------------------ loss boundary cases

export interface LossBoundaryData { layout: string; cases: { label: string; loss: number; gradNorm: number }[] }

/** The loss and ‖∂loss/∂y_pred‖ at one input; a loss that raises there reads as NaN. */
function measureLoss(program: Program, layout: LossLayout, target: Float32Array, pred: Float32Array): { loss: number; gradNorm: number } {
  try {
    return tf.tidy(() => {
      const t = tf.tensor(encodeTarget(layout, target), layout.targetShape, 'float32');
      const p = tf.tensor(pred, layout.predShape, 'float32');
      // allowNoGradients: a loss without a gradient path gives zeros rather than a throw that leaks.
      const { value, grads } = tf.engine().gradients(() => {
        const out = program.run([t, p]);
        return (out.rank === 0 ? out : tf.mean(tf.cast(out, 'float32'))) as tf.Scalar;
      }, [p], undefined, true);
      const g = grads[0] as tf.Tensor | undefined;
      const gradNorm = g ? Math.sqrt(Array.from(g.dataSync()).reduce((a, v) => a + v * v, 0)) : 0;
      return { loss: value.dataSync()[0], gradNorm };
    });
  } catch {
    return { loss: NaN, gradNorm: NaN };
  }
}

/** The loss probe's boundary cases for the function's family, measured one by one for the panel's table. */
export function lossBoundaryData(program: Program, family?: LossFamily): LossBoundaryData | undefined {
  const predIndex = program.mapping?.predIndex ?? 1;
  const facts = readLossFacts(program.target, predIndex, program);
  const families = family ? [family] : lossFamilies(facts);
  const names = lossParameterNames(program.target, predIndex);
  for (const { family: fam, layouts } of layoutSearch(families, imageRankHint(facts))) {
    for (const layout of layouts) {
      const cases = lossCases(fam, layout, names);
      const typical = measureLoss(program, layout, cases.typical[1].target, cases.typical[1].pred);
      if (Number.isNaN(typical.loss)) continue; // the layout the loss probe would not choose either
      return { layout: layout.describe, cases: cases.boundary.map((c) => ({ label: c.label, ...measureLoss(program, layout, c.target, c.pred) })) };
    }
  }
  return undefined;
}

// ------------------------------------------------------------------ training

/** The training task that fits the function (as the analysis chooses it): regression for activations; a loss's family. */
export function trainingTaskFor(target: DetectedFunction, program: Program): TrainingTask {
  if (target.kind === 'activation') return { task: 'regression', prediction: 'raw', labels: 'dense' };
  return trainingTaskOf(chooseLossFamily(readLossFacts(target, program.mapping?.predIndex ?? 1, program)));
}

export function trainingPanelData(program: Program): TrainingResult {
  return trainingProbe(program, trainingTaskFor(program.target, program));
}
