import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { parseInputs, prepareEngine } from '../../src/core/analyze';
import { detectFunctions } from '../../src/core/detect/detect';
import { analyze } from '../helpers';

const keras = `
import tensorflow as tf
from tensorflow import keras

def gated(x):
    return x * tf.sigmoid(1.702 * x)

def focal(gamma=2.0):
    def loss(y_true, y_pred):
        p = tf.clip_by_value(y_pred, 1e-7, 1.0 - 1e-7)
        return -tf.reduce_mean(y_true * (1 - p) ** gamma * tf.math.log(p))
    return loss

def dice_coef(y_true, y_pred):
    inter = tf.reduce_sum(y_true * y_pred)
    return 2 * inter / (tf.reduce_sum(y_true) + tf.reduce_sum(y_pred) + 1e-6)

def normalize(x):
    return (x - tf.reduce_mean(x)) / tf.math.reduce_std(x)

def lr_schedule(step):
    return 1e-3 * 0.5 ** (step // 1000)

def build():
    model = keras.Sequential([keras.layers.Dense(8, activation=gated)])
    model.compile(loss=focal(3.0), metrics=[dice_coef])
    return model
`;

const torch = `
import torch
import torch.nn as nn

class Wobble(nn.Module):
    def forward(self, x):
        return x + 0.1 * torch.sin(x)

class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 4)
    def forward(self, x):
        return self.fc(x)

class PinballLoss(nn.Module):
    def __init__(self, q=0.9):
        super().__init__()
        self.q = q
    def forward(self, input, target):
        d = target - input
        return torch.maximum(self.q * d, (self.q - 1) * d).mean()

ACTIVATIONS = {"wobble": Wobble}
`;

const tfjs = `
import * as tf from '@tensorflow/tfjs';
export const swishLike = (x) => tf.mul(x, tf.sigmoid(x));
export function huberish(yTrue, yPred) {
  return tf.mean(tf.sqrt(tf.add(tf.square(tf.sub(yPred, yTrue)), 1)));
}
export function accuracyMetric(yTrue, yPred) {
  return tf.mean(tf.equal(tf.argMax(yTrue, -1), tf.argMax(yPred, -1)));
}
const model = tf.sequential();
model.compile({ optimizer: 'adam', loss: huberish, metrics: [accuracyMetric] });
`;

test('uses, signatures and names combine; metrics, helpers, schedules and models are not listed', async () => {
  const reports = await analyze({ 'keras_model.py': keras, 'torch_mods.py': torch, 'web/model.js': tfjs });
  const listed = Object.fromEntries(reports.flatMap((r) => r.functions.map((f) => [f.name, f.kind])));
  assert.deepEqual(listed, { gated: 'activation', focal: 'loss', Wobble: 'activation', PinballLoss: 'loss', swishLike: 'activation', huberish: 'loss' });
});

test('a factory is listed under its own name and detected through compile(loss=factory(...))', async () => {
  const reports = await analyze({ 'keras_model.py': keras });
  const focal = reports[0].functions.find((f) => f.name === 'focal');
  assert.ok(focal);
  assert.ok(focal.detectedBy.some((d) => d.includes('compile')), focal.detectedBy.join(','));
});

test('a comment on the definition line overrides detection', async () => {
  const src = `import numpy as np\n\ndef ramp(x):  # gradprobe: activation\n    return np.minimum(np.maximum(x, 0), 1)\n\ndef softplus(x):  # gradprobe: skip\n    return np.log1p(np.exp(x))\n`;
  const reports = await analyze({ 'a.py': src });
  assert.deepEqual(reports[0].functions.map((f) => f.name), ['ramp']);
});

test('uses in another file of the workspace count when that file imports the name', async () => {
  const lib = `import torch\n\ndef edge_loss(pred, gt_edges):\n    return (pred - gt_edges).abs().mean()\n\ndef blur(img):\n    return img\n`;
  const train = `from .lib import edge_loss, blur\n\ncriterion = edge_loss\n`;
  const reports = await analyze({ 'pkg/lib.py': lib, 'pkg/train.py': train });
  const names = reports.flatMap((r) => r.functions.map((f) => f.name));
  assert.deepEqual(names, ['edge_loss']);
  assert.ok(reports[0].functions[0].detectedBy.some((d) => d.includes('criterion')));
});

test('lambdas: a named one by its name, an anonymous one used as an activation as <lambda>@LINE', async () => {
  const src = `import tensorflow as tf
from tensorflow import keras

gelu_fast = lambda x: 0.5 * x * (1 + tf.tanh(0.79788456 * (x + 0.044715 * x ** 3)))

def build():
    return keras.Sequential([
        keras.layers.Dense(8, activation=lambda x: tf.math.log(tf.abs(x))),
        keras.layers.Dense(8, activation=gelu_fast),
    ])
`;
  const reports = await analyze({ 'lam.py': src });
  const names = reports[0].functions.map((f) => `${f.name}:${f.kind}`).sort();
  assert.deepEqual(names, ['<lambda>@8:activation', 'gelu_fast:activation']);
  const anon = reports[0].functions.find((f) => f.name === '<lambda>@8');
  assert.ok(anon?.findings.some((f) => f.code === 'GP101'), 'log|x| is -inf at 0');
});

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? sourceFiles(p) : /\.ts$/.test(f) ? [p] : [];
  });
}

test("the product's own TypeScript lists no activation or loss: names and uses are not tensor code", async () => {
  await prepareEngine('cpu');
  const root = join(__dirname, '..', '..', 'src');
  const files = sourceFiles(root);
  assert.ok(files.length > 50, `src/ was found (${files.length} files)`);
  const modules = parseInputs(files.map((f) => ({ path: relative(root, f), text: readFileSync(f, 'utf8') }))).modules;
  // The op implementations are the frameworks' own losses and activations written in TF.js: real
  // tensor code, rightly listed. Nothing elsewhere in the product is.
  const listed = detectFunctions(modules)
    .filter((d) => !d.module.doc.path.replace(/\\/g, '/').startsWith('core/ops/'))
    .map((d) => `${d.module.doc.path}:${d.name} (${d.kind}: ${d.detectedBy.join(', ')})`);
  assert.deepEqual(listed, []);
});

test('a use decides even when detection cannot see the computation; a reduction bound to `loss` is not a loss', async () => {
  const src = `import torch

def by_name(x):
    return getattr(torch, "tanh")(x)

def nanmean(values):
    total = 0.0
    for v in values:
        total += v
    return total / len(values)

def pairwise(pred, target):
    loss = nanmean([(p - t) ** 2 for p, t in zip(pred, target)])
    return loss

ACTIVATIONS = {"by_name": by_name}
`;
  const reports = await analyze({ 'mod.py': src });
  assert.deepEqual(reports[0].functions.map((f) => `${f.name}:${f.kind}`).sort(), ['by_name:activation', 'pairwise:loss']);
});

test("Python's numeric builtins are computation: a scalar activation written with max() is listed", async () => {
  const reports = await analyze({ 'scalar.py': 'def relu(x):\n    return max(0.0, x)\n\n\ndef name_of(x):\n    return x\n' });
  assert.deepEqual(reports[0].functions.map((f) => f.name), ['relu']);
});

test('a module parsed once is detected anew when the rest of the workspace gives its calls other roles', async () => {
  await prepareEngine('cpu');
  // `apply_block(h, swishy)` makes swishy an activation only where a workspace function takes an
  // activation in that position. Detection keeps what it read of each parsed module; the role it
  // looked up must be looked up again when the workspace around the same module changes.
  const [model, blocks, plain] = parseInputs([
    { path: 'model.py', text: 'import torch\n\ndef swishy(x):\n    return x * torch.sigmoid(x)\n\ndef forward(h):\n    return apply_block(h, swishy)\n' },
    { path: 'blocks.py', text: 'def apply_block(x, act):\n    return act(x)\n' },
    { path: 'plain.py', text: 'def apply_block(x, scale):\n    return x * scale\n' },
  ]).modules;
  const swishy = (context: typeof model[]): string | undefined => detectFunctions([model], { context }).find((d) => d.name === 'swishy')?.kind;
  assert.equal(swishy([]), undefined, 'no use, no activation name: not listed');
  assert.equal(swishy([blocks]), 'activation', 'passed where apply_block calls its act');
  assert.equal(swishy([plain]), undefined, 'apply_block of another workspace multiplies by it');
  assert.equal(swishy([blocks]), 'activation', 'and back');
});
