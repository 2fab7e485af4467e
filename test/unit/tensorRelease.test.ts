// Every probe gives back the tensors it made: after analysing a file, building a panel's data or
// evaluating a function through the core API, TensorFlow.js holds as many live tensors as before.
// A language server probes for hours; one tensor left behind per probe is a leak without end.
import * as tf from '@tensorflow/tfjs-core';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { analyzeSources } from '../../src/core/analyze';
import { evaluateFunction } from '../../src/core/api';
import { defaultSettings, mergeSettings, type SettingsPatch } from '../../src/core/config/settings';
import { functionPanelData } from '../../src/core/panel';

const root = process.cwd();

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).sort().flatMap((f) => {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) return sourceFiles(p);
    return /\.(py|ipynb|js|ts)$/.test(f) ? [p] : [];
  });
}

const read = (p: string): string => (readFileSync(p, 'latin1').includes('\u0000') ? readFileSync(p, 'latin1') : readFileSync(p, 'utf8'));

/**
 * Functions that take the probe's unhappy paths: a budget hit inside a differentiated call, a module
 * tensor constant, a custom gradient whose backward pass fails, a shape error after some ops ran.
 */
const unhappy = `import tensorflow as tf
import torch

EPS = tf.constant(1e-6)
TABLE = [tf.constant(0.5), tf.constant(2.0)]

def spin_act(x):
    y = x
    while True:
        y = y * 1.0001
    return y

def eps_act(x):
    return x * tf.sigmoid(x) + EPS * TABLE[1]

@tf.custom_gradient
def broken_grad_act(x):
    def grad(dy):
        return tf.reshape(dy, [7, 3, 5])
    return tf.nn.relu(x), grad

def shape_act(x):
    y = tf.exp(x) * 2.0
    return tf.matmul(y, tf.ones([3, 3]))

def shape_loss(y_true, y_pred):
    d = tf.square(y_pred - y_true)
    return tf.reduce_mean(tf.matmul(d, tf.ones([7, 7])))

def eps_loss(y_true, y_pred):
    return tf.reduce_mean(tf.square(y_pred - y_true) + EPS)

class Spin(torch.nn.Module):
    def forward(self, x):
        y = x
        for i in range(10**9):
            y = y + torch.tanh(y) * 0.0
        return y

model = tf.keras.Sequential([tf.keras.layers.Dense(4, activation=spin_act), tf.keras.layers.Dense(4, activation=eps_act),
    tf.keras.layers.Dense(4, activation=broken_grad_act), tf.keras.layers.Dense(4, activation=shape_act)])
model.compile(loss=shape_loss)
model.compile(loss=eps_loss)
layer = Spin()
`;

function inputs(): { path: string; text: string }[] {
  const files = [...sourceFiles(join(root, 'test/fixtures')), ...sourceFiles(join(root, 'examples'))];
  return [{ path: 'unhappy/paths.py', text: unhappy }, ...files.map((p) => ({ path: relative(root, p), text: read(p) }))];
}

const live = (): number => tf.memory().numTensors;

async function assertReleased(what: string, run: () => Promise<unknown>, leaks: string[]): Promise<void> {
  const before = live();
  await run();
  const after = live();
  if (after !== before) leaks.push(`${what}: ${before} → ${after} live tensors`);
}

// Each variant probes every file once with settings no other variant uses, so no report comes from the cache.
const variants: { name: string; patch: SettingsPatch }[] = [
  { name: 'float32', patch: { range: 6 } },
  { name: 'float16', patch: { range: 5, dtype: 'float16' } },
];

for (const v of variants) {
  test(`analysis at ${v.name}: live tensors back to their start after each file`, async () => {
    const settings = mergeSettings(defaultSettings, { backend: 'cpu', timeBudgetMs: 400 }, v.patch);
    const leaks: string[] = [];
    let functions = 0;
    for (const input of inputs()) {
      await assertReleased(input.path, async () => {
        const [report] = await analyzeSources([input], { settings });
        functions += report?.functions.length ?? 0;
      }, leaks);
    }
    assert.ok(functions > 50, `only ${functions} functions probed: the fixtures did not load`);
    assert.deepEqual(leaks, []);
  });
}

test('training probe (--train): live tensors back to their start after each file', async () => {
  const settings = mergeSettings(defaultSettings, { backend: 'cpu', timeBudgetMs: 400, train: true, range: 4 });
  const leaks: string[] = [];
  const picked = inputs().filter((i) => /unhappy|examples\/vae_jax|rules\/gp10[13]_|detection\/torch_criteria/.test(i.path));
  assert.ok(picked.length >= 4);
  for (const input of picked) await assertReleased(input.path, () => analyzeSources([input], { settings }), leaks);
  assert.deepEqual(leaks, []);
});

test('panel data (curves, depth stacks, boundary cases, training): live tensors back to their start after each function', async () => {
  const settings = mergeSettings(defaultSettings, { backend: 'cpu', timeBudgetMs: 400, range: 3 });
  const leaks: string[] = [];
  let built = 0;
  for (const input of inputs().filter((i) => /unhappy|examples\/(vae_jax|forecast_keras3)|rules\/gp10[1-3]_/.test(i.path))) {
    const [report] = await analyzeSources([input], { settings });
    for (const fn of report?.functions ?? []) {
      await assertReleased(`${input.path}:${fn.name}`, async () => {
        const data = await functionPanelData([input], { path: input.path, name: fn.name, line: fn.span.startLine, parts: ['curves', 'boundary', 'depth', 'training'] }, { settings });
        if (data) built++;
      }, leaks);
    }
  }
  assert.ok(built >= 8, `only ${built} panels built`);
  assert.deepEqual(leaks, []);
});

test('eval (the CLI\'s single-function evaluation): live tensors back to their start after each call', async () => {
  const leaks: string[] = [];
  const path = 'unhappy/paths.py';
  for (const [name, x] of [['eps_act', [-1, 0, 2]], ['broken_grad_act', [1, 2]], ['shape_act', [1, 2, 3]]] as const) {
    await assertReleased(name, () => evaluateFunction({ path, text: unhappy, name, x: [...x], backend: 'cpu' }).catch(() => undefined), leaks);
  }
  for (const name of ['eps_loss', 'shape_loss']) {
    await assertReleased(name, () => evaluateFunction({ path, text: unhappy, name, yTrue: [[0, 1]], yPred: [[0.2, 0.8]], backend: 'cpu' }).catch(() => undefined), leaks);
  }
  assert.deepEqual(leaks, []);
});
