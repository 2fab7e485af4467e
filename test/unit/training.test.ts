// The quick training probe: custom against baseline, deterministic, NaN runs called out.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyze, fn } from '../helpers';

test('a healthy activation trains about as well as ReLU, twice the same', async () => {
  const src = 'import torch\n\ndef swish(x):\n    return x * torch.sigmoid(x)\n\nA = {"act": swish}\n';
  const a = fn(await analyze({ 'a.py': src }, { train: true }), 'swish').training as { verdict: string; custom: { final: { validation: number } }; baseline: { curve: { step: number[] } } };
  assert.equal(a.verdict, 'ok');
  assert.ok(a.baseline.curve.step.length > 5);
  const b = fn(await analyze({ 'b.py': src }, { train: true }), 'swish').training as typeof a;
  assert.equal(a.custom.final.validation, b.custom.final.validation, 'deterministic');
});

test('a loss that goes NaN in training is called out in the summary', async () => {
  const src = `import tensorflow as tf

def kl_masked(y_true, y_pred):
    return tf.reduce_sum(tf.where(y_true > 0, y_true * tf.math.log(y_true / y_pred), tf.zeros_like(y_pred)), axis=-1)

def build(m):
    m.compile(loss=kl_masked)
`;
  const r = fn(await analyze({ 'k.py': src }, { train: true }), 'kl_masked');
  assert.equal((r.training as { verdict: string }).verdict, 'diverged');
  assert.match(r.summary, /training: diverged/);
});

test('a categorical loss that needs four classes still trains (class counts are tried)', async () => {
  const src = `import tensorflow.keras.backend as K

def weighted_cce(y_true, y_pred):
    w = K.constant([1.0, 2.0, 2.0, 5.0])
    y_pred = K.clip(y_pred / K.sum(y_pred, axis=-1, keepdims=True), 1e-7, 1 - 1e-7)
    return -K.sum(y_true * K.log(y_pred) * w, axis=-1)

def build(m):
    m.compile(loss=weighted_cce)
`;
  const r = fn(await analyze({ 'w.py': src }, { train: true }), 'weighted_cce');
  assert.equal(r.probe.status, 'ok');
  const t = r.training as { task: string; verdict: string };
  assert.equal(t.task, 'categorical');
  assert.notEqual(t.verdict, 'diverged');
});
