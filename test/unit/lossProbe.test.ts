// Loss probes (GP201–GP213): one realistic small loss per code, and correct twins that must stay clean.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { defaultBudget, findTarget } from '../../src/core/api';
import { defaultSettings } from '../../src/core/config/settings';
import { initEngine } from '../../src/core/engine';
import { documentFromText, parseDocument } from '../../src/core/parse/document';
import { loadGrammars } from '../../src/core/parse/treeSitter';
import { probeLoss, type LossProbeResult } from '../../src/core/probe/loss';
import { buildProgram, createEvaluator } from '../../src/core/translate/translate';


before(async () => {
  await Promise.all([loadGrammars(), initEngine('cpu')]);
});

function probe(path: string, text: string, name: string): LossProbeResult {
  const module = parseDocument(documentFromText(path, text));
  const target = findTarget(module, name, 'loss');
  assert.ok(target, `${name} not found`);
  const program = buildProgram(target, createEvaluator({ modules: [module] }, defaultBudget()));
  return probeLoss(program, defaultSettings);
}

/** 0-based line of the first occurrence of a snippet. */
const lineOf = (text: string, snippet: string): number => text.slice(0, text.indexOf(snippet)).split('\n').length - 1;

const codes = (r: LossProbeResult): string[] => [...new Set(r.findings.map((f) => f.code))].sort();

function expectCodes(r: LossProbeResult, expected: string[], forbidden: string[] = []): void {
  const got = codes(r);
  for (const c of expected) assert.ok(got.includes(c), `expected ${c}, got [${got.join(', ')}]\n${r.summary}`);
  for (const c of forbidden) assert.ok(!got.includes(c), `did not expect ${c}: ${r.findings.find((f) => f.code === c)?.message}`);
}

function expectClean(r: LossProbeResult): void {
  assert.deepEqual(r.findings.map((f) => `${f.code}: ${f.message}`), [], r.summary);
}

const ERRORS = ['GP201', 'GP202', 'GP203', 'GP204', 'GP205', 'GP206'];

const KERAS = `
import tensorflow as tf
import tensorflow.keras.backend as K


def mse(y_true, y_pred):
    return K.mean(K.square(y_pred - y_true), axis=-1)


def bce_clipped(y_true, y_pred):
    p = K.clip(y_pred, K.epsilon(), 1.0 - K.epsilon())
    return -K.mean(y_true * K.log(p) + (1.0 - y_true) * K.log(1.0 - p), axis=-1)


def bce_unclipped(y_true, y_pred):
    return -K.mean(y_true * K.log(y_pred) + (1.0 - y_true) * K.log(1.0 - y_pred), axis=-1)


def dice_smooth(y_true, y_pred, smooth=1.0):
    inter = K.sum(y_true * y_pred, axis=[1, 2, 3])
    union = K.sum(y_true, axis=[1, 2, 3]) + K.sum(y_pred, axis=[1, 2, 3])
    return 1.0 - (2.0 * inter + smooth) / (union + smooth)


def iou_loss(y_true, y_pred):
    inter = tf.reduce_sum(y_true * y_pred)
    union = tf.reduce_sum(y_true) + tf.reduce_sum(y_pred) - inter
    return 1.0 - inter / union


def signed_error(y_true, y_pred):
    return K.mean(y_pred - y_true, axis=-1)


def neg_mse(y_true, y_pred):
    return -K.mean(K.square(y_pred - y_true), axis=-1)


def tiny_mse(y_true, y_pred):
    return 1e-6 * K.mean(K.square(y_pred - y_true), axis=-1)


def logits_bce_on_sigmoid(y_true, y_pred):
    return K.binary_crossentropy(y_true, K.sigmoid(y_pred), from_logits=True)


def categorical_ce(y_true, y_pred):
    y_pred = y_pred / K.sum(y_pred, axis=-1, keepdims=True)
    y_pred = K.clip(y_pred, K.epsilon(), 1.0)
    return -K.sum(y_true * K.log(y_pred), axis=-1)
`;

const TORCH = `
import torch
import torch.nn as nn
import torch.nn.functional as F


class RMSELoss(nn.Module):
    def forward(self, input, target):
        return torch.sqrt(F.mse_loss(input, target))


class SumSquaredError(nn.Module):
    def forward(self, input, target):
        return ((input - target) ** 2).sum()


class ShrinkMSE(nn.Module):
    """MSE with an L1 penalty on the outputs: pulls predictions towards 0."""

    def forward(self, input, target):
        return F.mse_loss(input, target) + 0.1 * input.abs().mean()


class ScaledMSE(nn.Module):
    def forward(self, input, target):
        return F.mse_loss(input, target) * 1e5


class ClippedMSE(nn.Module):
    def forward(self, input, target):
        return torch.clamp((input - target) ** 2, max=1.0).mean()


class CrossEntropy(nn.Module):
    def forward(self, logits, target):
        return F.cross_entropy(logits, target)


class FlippedCrossEntropy(nn.Module):
    def forward(self, logits, target):
        return F.cross_entropy(-logits, target)


class IndexedNLL(nn.Module):
    def forward(self, logits, target):
        logp = F.log_softmax(logits, dim=1)
        return F.nll_loss(logp, target.long())


def detached_mse(pred, target):
    return F.mse_loss(pred.detach(), target)


def swapped_bce(pred, target):
    return F.binary_cross_entropy(target, pred)
`;

const TFJS = `
import * as tf from '@tensorflow/tfjs';

export function roundedMse(yTrue, yPred) {
  return tf.losses.meanSquaredError(yTrue, tf.round(yPred));
}

export function swappedCrossEntropy(yTrue, yPred) {
  return tf.neg(tf.sum(tf.mul(yPred, tf.log(yTrue)), -1));
}

export function huber(yTrue, yPred) {
  return tf.losses.huberLoss(yTrue, yPred);
}
`;

const JAX = `
import jax.numpy as jnp


def periodic_phase_loss(pred, target):
    return jnp.mean(1.0 - jnp.cos(4.0 * (pred - target)))


def bce_with_logits(logits, labels):
    return jnp.mean(jnp.maximum(logits, 0) - logits * labels + jnp.log1p(jnp.exp(-jnp.abs(logits))))
`;

describe('correct losses stay clean', () => {
  test('MSE (Keras)', () => {
    const r = probe('losses.py', KERAS, 'mse');
    assert.equal(r.data.family, 'regression');
    assert.equal(r.data.mapping, 'keras: (y_true, y_pred)');
    expectClean(r);
  });
  test('binary cross-entropy with clipping (Keras)', () => {
    const r = probe('losses.py', KERAS, 'bce_clipped');
    assert.equal(r.data.family, 'binary probabilities');
    expectClean(r);
  });
  test('categorical cross-entropy, renormalised and clipped (Keras)', () => {
    const r = probe('losses.py', KERAS, 'categorical_ce');
    assert.equal(r.data.family, 'categorical probabilities');
    expectClean(r);
  });
  test('cross-entropy on logits (PyTorch)', () => {
    const r = probe('criteria.py', TORCH, 'CrossEntropy');
    assert.equal(r.data.family, 'categorical logits');
    assert.equal(r.data.mapping, 'pytorch: (logits, target)');
    expectClean(r);
  });
  test('NLL on log_softmax with integer labels (PyTorch)', () => {
    const r = probe('criteria.py', TORCH, 'IndexedNLL');
    assert.equal(r.data.family, 'categorical logits with integer class labels');
    expectClean(r);
  });
  test('Dice with smoothing (Keras)', () => {
    const r = probe('losses.py', KERAS, 'dice_smooth');
    assert.equal(r.data.family, 'masks');
    expectClean(r);
  });
  test('stable BCE on logits (JAX)', () => {
    const r = probe('model.py', JAX, 'bce_with_logits');
    assert.equal(r.data.family, 'binary logits');
    expectClean(r);
  });
  test('Huber (TF.js)', () => {
    const r = probe('model.js', TFJS, 'huber');
    expectClean(r);
  });
});

describe('defects are found', () => {
  test('GP201: BCE without clipping is NaN at a perfect prediction', () => {
    const r = probe('losses.py', KERAS, 'bce_unclipped');
    expectCodes(r, ['GP201'], ['GP205', 'GP207']);
    const f = r.findings.find((x) => x.code === 'GP201')!;
    assert.match(f.message, /log\(0\)/);
    assert.match(f.message, /clip y_pred/);
  });
  test('GP201: IoU without smoothing is 0/0 on an empty mask predicted empty', () => {
    const r = probe('losses.py', KERAS, 'iou_loss');
    assert.equal(r.data.family, 'masks');
    expectCodes(r, ['GP201'], ['GP204', 'GP205']);
    assert.match(r.findings.find((x) => x.code === 'GP201')!.message, /empty mask predicted empty/);
  });
  test('GP202: sqrt of the MSE has a NaN gradient at a perfect prediction', () => {
    const r = probe('criteria.py', TORCH, 'RMSELoss');
    expectCodes(r, ['GP202'], ['GP201', 'GP203', 'GP204', 'GP205']);
    assert.match(r.findings.find((x) => x.code === 'GP202')!.message, /perfect prediction/);
  });
  test('GP203: an L1 penalty on the outputs moves the minimum off the target', () => {
    const r = probe('criteria.py', TORCH, 'ShrinkMSE');
    expectCodes(r, ['GP203'], ['GP201', 'GP202', 'GP204', 'GP205']);
    const f = r.findings.find((x) => x.code === 'GP203')!;
    assert.ok((f.evidence.lossPerturbed as number) < (f.evidence.lossAtTarget as number));
  });
  test('GP204: the signed error is unbounded below', () => {
    expectCodes(probe('losses.py', KERAS, 'signed_error'), ['GP204'], ['GP201', 'GP202', 'GP205']);
  });
  test('GP205: tf.round kills the gradient, and the message names it', () => {
    const r = probe('model.js', TFJS, 'roundedMse');
    expectCodes(r, ['GP205'], ['GP201', 'GP202', 'GP206', 'GP208', 'GP212']);
    assert.match(r.findings.find((x) => x.code === 'GP205')!.message, /tf\.round/);
  });
  test('GP205: .detach() on the prediction', () => {
    const r = probe('criteria.py', TORCH, 'detached_mse');
    expectCodes(r, ['GP205']);
    assert.match(r.findings.find((x) => x.code === 'GP205')!.message, /\.detach\(\)/);
  });
  test('GP206: a negated MSE pushes predictions away', () => {
    expectCodes(probe('losses.py', KERAS, 'neg_mse'), ['GP206', 'GP203', 'GP204'], ['GP201', 'GP202', 'GP205']);
  });
  test('GP206: cross-entropy on negated logits lowers the true class probability', () => {
    const r = probe('criteria.py', TORCH, 'FlippedCrossEntropy');
    expectCodes(r, ['GP206'], ['GP203', 'GP201', 'GP202', 'GP205']);
    assert.match(r.findings.find((x) => x.code === 'GP206')!.message, /probability of the true class/);
  });
  test('GP207: log of the target weighted by the prediction (TF.js)', () => {
    const r = probe('model.js', TFJS, 'swappedCrossEntropy');
    expectCodes(r, ['GP207'], ['GP205']);
    const f = r.findings.find((x) => x.code === 'GP207')!;
    assert.equal(f.evidence.parameter, 'yTrue');
    assert.equal(f.span.startLine, lineOf(TFJS, 'tf.log(yTrue)')); // the log call, not the function name
  });
  test('GP207: arguments swapped into binary_cross_entropy', () => {
    const r = probe('criteria.py', TORCH, 'swapped_bce');
    expectCodes(r, ['GP207']);
  });
  test('GP207 from the signature: Keras calls positionally whatever the names say; PyTorch code is read by its names', () => {
    // Nothing in PyTorch calls a loss function for the user: the names decide which input is the
    // prediction, and a symmetric (y_true, y_pred) loss has nothing wrong with it.
    const torch = probe('criteria.py', 'import torch\n\ndef my_mse(y_true, y_pred):\n    return ((y_pred - y_true) ** 2).mean()\n', 'my_mse');
    expectCodes(torch, [], ['GP207']);
    // Keras passes the target first: in (y_pred, y_true) it is y_pred that receives the target (a
    // target-weighted error, so the order matters).
    const keras = probe('losses.py', 'import tensorflow as tf\n\ndef my_mse(y_pred, y_true):\n    return tf.reduce_mean((y_pred - y_true) ** 2 * (1.0 + y_true))\n', 'my_mse');
    const k = keras.findings.filter((x) => x.code === 'GP207');
    assert.equal(k.length, 1);
    assert.match(k[0].message, /'y_pred' receives the target and 'y_true' the prediction/);
    // Its symmetric twin (plain MSE, the same value with the inputs exchanged): no order is wrong.
    const symmetric = probe('losses.py', 'import tensorflow as tf\n\ndef my_mse(y_pred, y_true):\n    return tf.reduce_mean((y_pred - y_true) ** 2)\n', 'my_mse');
    expectCodes(symmetric, [], ['GP207']);
    // Named in the convention's order: nothing to say.
    const fine = probe('criteria.py', 'import torch\n\ndef my_mse(input, target):\n    return ((input - target) ** 2).mean()\n', 'my_mse');
    expectCodes(fine, [], ['GP207']);
  });
  test('GP207: one finding even when the body and the signature both show it', () => {
    const text = 'import torch\nimport torch.nn.functional as F\n\ndef both(y_true, y_pred):\n    return F.binary_cross_entropy(y_true, y_pred)\n';
    const r = probe('criteria.py', text, 'both');
    const order = r.findings.filter((x) => x.code === 'GP207');
    assert.equal(order.length, 1);
    assert.equal(order[0].evidence.from, 'a framework loss call');
  });
  test('GP208: a 1e-6 factor makes the gradient negligible', () => {
    const r = probe('losses.py', KERAS, 'tiny_mse');
    expectCodes(r, ['GP208'], ERRORS);
    assert.ok((r.findings.find((x) => x.code === 'GP208')!.evidence.ratio as number) < 1e-5);
  });
  test('GP209: a 1e5 factor makes the gradient huge', () => {
    expectCodes(probe('criteria.py', TORCH, 'ScaledMSE'), ['GP209'], ERRORS);
  });
  test('GP210: a sum over the batch scales with the batch size', () => {
    const r = probe('criteria.py', TORCH, 'SumSquaredError');
    expectCodes(r, ['GP210'], ERRORS);
    const losses = r.findings.find((x) => x.code === 'GP210')!.evidence.losses as number[];
    assert.ok(Math.abs(losses[1] / losses[0] - 2) < 1e-3);
  });
  test('GP211: sigmoid applied before a from_logits loss', () => {
    const r = probe('losses.py', KERAS, 'logits_bce_on_sigmoid');
    assert.equal(r.data.family, 'binary logits');
    expectCodes(r, ['GP211'], ['GP201', 'GP202', 'GP205']);
    assert.equal(r.findings.find((x) => x.code === 'GP211')!.span.startLine, lineOf(KERAS, 'K.sigmoid(y_pred)'));
  });
  test('GP212: a clipped squared error plateaus away from the target', () => {
    expectCodes(probe('criteria.py', TORCH, 'ClippedMSE'), ['GP212'], ERRORS);
  });
  test('GP213: a periodic loss has other minima along the slices', () => {
    expectCodes(probe('model.py', JAX, 'periodic_phase_loss'), ['GP213'], ['GP201', 'GP202', 'GP205']);
  });
});

describe('probe mechanics', () => {
  test('slices are plain arrays with the target at s = 0, and the probe is deterministic', () => {
    const a = probe('losses.py', KERAS, 'mse');
    const b = probe('losses.py', KERAS, 'mse');
    assert.deepEqual(a.data, b.data);
    const s = a.data.slices[0];
    assert.ok(s.t.includes(0));
    assert.equal(s.loss[s.t.indexOf(0)], 0);
    assert.equal(s.loss.length, s.t.length);
    assert.equal(s.baselineGradNorm.length, s.t.length);
  });
  test('the probe releases every tensor it makes', () => {
    probe('criteria.py', TORCH, 'ShrinkMSE');
    const before = tf.memory().numTensors;
    probe('criteria.py', TORCH, 'ShrinkMSE');
    probe('criteria.py', TORCH, 'detached_mse');
    assert.equal(tf.memory().numTensors - before, 0);
  });
  test('a shape the loss cannot take on any candidate is an error with a clear message', () => {
    const text = 'import torch\n\ndef fixed_loss(pred, target):\n    return ((pred - target) * torch.ones(7, 13)).pow(2).mean()\n';
    assert.throws(() => probe('fixed.py', text, 'fixed_loss'), /every input shape tried for regression/);
  });
});

test('a two-output loss gets a 2-D landscape for the panel, finite around the target', () => {
  const src = `import tensorflow as tf

def xy_loss(y_true, y_pred):
    w = tf.constant([1.0, 2.0])
    return tf.reduce_sum(w * (y_pred - y_true) ** 2, axis=-1)
`;
  const r = probe('xy.py', src, 'xy_loss');
  const grid = r.data.grid;
  assert.ok(grid, 'grid computed');
  assert.equal(grid.x.length, 15);
  assert.equal(grid.loss.length, 15);
  const values = grid.loss.flat().filter((v): v is number => v !== null);
  assert.equal(values.length, 225);
  assert.ok(Math.min(...values) >= 0);
});
