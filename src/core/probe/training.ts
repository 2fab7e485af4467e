// The quick training probe: what practitioners do by hand when a model will not learn — train the
// same small network with the custom function and with a standard one, on the same synthetic data,
// and compare learning curves on a training split and a held-back validation split. Deterministic
// (fixed seeds); a few hundred milliseconds on the CPU backend.
import * as tf from '@tensorflow/tfjs-core';
import { formatNumber } from '../findings/formatNumber';
import type { Program } from '../translate/translate';
import { withTensorScope } from './tensorScope';

export type TrainingTaskKind = 'regression' | 'binary' | 'categorical';

export interface TrainingTask {
  task: TrainingTaskKind;
  /** What the custom loss expects as its prediction: the head's raw output, probabilities, or logits. */
  prediction: 'raw' | 'probabilities' | 'logits';
  /** How class targets are written: one-hot / 0-1 rows, or integer class ids. */
  labels: 'dense' | 'index';
}

export interface Curve { step: number[]; train: number[]; validation: number[] }

export interface TrainingRun {
  label: string;
  curve: Curve;
  final: { train: number; validation: number };
  /** validation − train for losses-like metrics (MSE); train − validation for accuracy. */
  generalisationGap: number;
  diverged: boolean;
}

export interface TrainingResult {
  task: TrainingTaskKind;
  metric: 'mse' | 'accuracy';
  steps: number;
  custom: TrainingRun;
  baseline: TrainingRun;
  verdict: 'ok' | 'worse' | 'diverged';
  /** One line for summaries and hovers. */
  note: string;
  ms: number;
}

const STEPS = 120;
const EVERY = 10;
const HIDDEN = 32;
const FEATURES = 8;
const N_TRAIN = 256;
const N_VAL = 128;
const CLASSES = 3;
/** Class counts tried in turn when a loss only accepts some (a weight vector of length 4, say). */
const CLASS_COUNTS = [3, 4, 2, 5, 10];
/** "Clearly worse": 10 accuracy points below the baseline, or twice its validation MSE (and above a floor). */
export const WORSE_ACCURACY_MARGIN = 0.1;
export const WORSE_MSE_FACTOR = 2;

function dataset(task: TrainingTaskKind, seed: number, classes: number): { xTrain: tf.Tensor2D; yTrain: tf.Tensor; xVal: tf.Tensor2D; yVal: tf.Tensor } {
  const n = N_TRAIN + N_VAL;
  const x = tf.randomNormal([n, FEATURES], 0, 1, 'float32', seed) as tf.Tensor2D;
  const w = tf.randomNormal([FEATURES, task === 'categorical' ? classes : 1], 0, 1, 'float32', seed + 1);
  // A smooth nonlinear teacher, so the hidden layer has something to learn.
  const z = tf.add(tf.matMul(tf.tanh(x), w), tf.mul(0.5, tf.matMul(tf.square(x), tf.mul(w, 0.3))));
  let y: tf.Tensor;
  if (task === 'regression') y = z;
  else if (task === 'binary') y = tf.cast(tf.greater(z, tf.mean(z)), 'float32');
  else y = tf.cast(tf.oneHot(tf.argMax(z, -1), classes), 'float32');
  const split = (t: tf.Tensor) => [tf.slice(t, [0, 0], [N_TRAIN, -1]), tf.slice(t, [N_TRAIN, 0], [N_VAL, -1])];
  const [xTrain, xVal] = split(x) as tf.Tensor2D[];
  const [yTrain, yVal] = split(y);
  return { xTrain, yTrain, xVal, yVal };
}

type Activation = (h: tf.Tensor) => tf.Tensor;
type LossFn = (yTrue: tf.Tensor, head: tf.Tensor) => tf.Tensor;

function metricOf(task: TrainingTaskKind, y: tf.Tensor, head: tf.Tensor): number {
  return tf.tidy(() => {
    if (task === 'regression') return tf.mean(tf.squaredDifference(y, head)).dataSync()[0];
    if (task === 'binary') return tf.mean(tf.cast(tf.equal(tf.greater(head, 0), tf.greater(y, 0.5)), 'float32')).dataSync()[0];
    return tf.mean(tf.cast(tf.equal(tf.argMax(head, -1), tf.argMax(y, -1)), 'float32')).dataSync()[0];
  });
}

function train(task: TrainingTaskKind, activation: Activation, loss: LossFn, label: string, seed: number, classes = CLASSES): TrainingRun {
  const data = dataset(task, seed, classes);
  const outputs = task === 'categorical' ? classes : 1;
  const w1 = tf.variable(tf.mul(tf.randomUniform([FEATURES, HIDDEN], -1, 1, 'float32', seed + 10), Math.sqrt(6 / (FEATURES + HIDDEN))));
  const b1 = tf.variable(tf.zeros([HIDDEN]));
  const w2 = tf.variable(tf.mul(tf.randomUniform([HIDDEN, outputs], -1, 1, 'float32', seed + 11), Math.sqrt(6 / (HIDDEN + outputs))));
  const b2 = tf.variable(tf.zeros([outputs]));
  const head = (x: tf.Tensor): tf.Tensor => tf.add(tf.matMul(activation(tf.add(tf.matMul(x, w1), b1)), w2), b2);
  const optimizer = tf.train.adam(0.01);
  const curve: Curve = { step: [], train: [], validation: [] };
  let diverged = false;
  try {
    for (let step = 0; step <= STEPS; step++) {
      if (step % EVERY === 0 || step === STEPS) {
        const tr = tf.tidy(() => metricOf(task, data.yTrain, head(data.xTrain)));
        const va = tf.tidy(() => metricOf(task, data.yVal, head(data.xVal)));
        curve.step.push(step);
        curve.train.push(tr);
        curve.validation.push(va);
        if (!Number.isFinite(tr) || !Number.isFinite(va)) { diverged = true; break; }
      }
      if (step === STEPS) break;
      const cost = optimizer.minimize(() => tf.mean(loss(data.yTrain, head(data.xTrain))) as tf.Scalar, true, [w1, b1, w2, b2]);
      const v = cost?.dataSync()[0];
      cost?.dispose();
      if (v === undefined || !Number.isFinite(v)) { diverged = true; }
      if (diverged) break;
    }
  } finally {
    optimizer.dispose();
    [w1, b1, w2, b2].forEach((v) => v.dispose());
    Object.values(data).forEach((t) => t.dispose());
  }
  const last = curve.train.length - 1;
  const final = { train: diverged ? NaN : curve.train[last], validation: diverged ? NaN : curve.validation[last] };
  const gap = task === 'regression' ? final.validation - final.train : final.train - final.validation;
  return { label, curve, final, generalisationGap: gap, diverged };
}

const baselineLoss: Record<TrainingTaskKind, LossFn> = {
  regression: (y, h) => tf.squaredDifference(y, h),
  binary: (y, h) => tf.add(tf.sub(tf.relu(h), tf.mul(h, y)), tf.log1p(tf.exp(tf.neg(tf.abs(h))))),
  categorical: (y, h) => tf.neg(tf.sum(tf.mul(y, tf.logSoftmax(h)), -1)),
};

function lossFromProgram(program: Program, t: TrainingTask): LossFn {
  return (y, h) => {
    let pred = h;
    if (t.prediction === 'probabilities') pred = t.task === 'categorical' ? tf.softmax(h) : tf.sigmoid(h);
    let target = y;
    if (t.labels === 'index' && t.task === 'categorical') target = tf.cast(tf.argMax(y, -1), 'float32');
    const out = program.run([target, pred]);
    return out.rank === 0 ? out : tf.mean(out);
  };
}

export function trainingProbe(program: Program, t: TrainingTask): TrainingResult {
  const start = performance.now();
  const seed = 1234;
  const isActivation = program.target.kind === 'activation';
  const runCustom = (classes: number): TrainingRun => withTensorScope(() => (isActivation
    ? train(t.task, (h) => program.run([h]), baselineLoss[t.task], `${program.target.name} (custom activation)`, seed, classes)
    : train(t.task, tf.relu, lossFromProgram(program, t), `${program.target.name} (custom loss)`, seed, classes)));
  // A categorical loss may accept only some class counts: try a few, keep the first that runs.
  let custom: TrainingRun | undefined;
  let classes = CLASSES;
  let lastError: unknown;
  for (const c of t.task === 'categorical' && !isActivation ? CLASS_COUNTS : [CLASSES]) {
    try {
      custom = runCustom(c);
      classes = c;
      break;
    } catch (err) {
      lastError = err;
    }
  }
  if (!custom) throw lastError;
  const baseline = withTensorScope(() => train(t.task, tf.relu, baselineLoss[t.task], isActivation ? 'ReLU (baseline)' : `${t.task === 'regression' ? 'MSE' : t.task === 'binary' ? 'binary cross-entropy' : 'categorical cross-entropy'} (baseline)`, seed, classes));
  const metric = t.task === 'regression' ? 'mse' : 'accuracy';
  let verdict: TrainingResult['verdict'] = 'ok';
  if (custom.diverged) verdict = 'diverged';
  else if (metric === 'accuracy' ? custom.final.validation < baseline.final.validation - WORSE_ACCURACY_MARGIN : custom.final.validation > WORSE_MSE_FACTOR * baseline.final.validation && custom.final.validation > 1e-3) verdict = 'worse';
  const show = (v: number) => (metric === 'accuracy' ? `${(100 * v).toFixed(1)}%` : formatNumber(v));
  const note = verdict === 'diverged'
    ? `training with ${program.target.name} went NaN; the baseline reached validation ${metric} ${show(baseline.final.validation)}`
    : `after ${STEPS} steps, validation ${metric} ${show(custom.final.validation)} vs ${show(baseline.final.validation)} for the baseline${verdict === 'worse' ? ' (clearly worse)' : ''}`;
  return { task: t.task, metric, steps: STEPS, custom, baseline, verdict, note, ms: Math.round(performance.now() - start) };
}
