// A probe's live tensors have a budget of their own (GP002): a loop that keeps a tensor each time
// round stops at the budget, whatever the machine's speed, instead of growing the process until the
// time budget ends it (gigabytes on a quick machine: the fuzz run's `pathological spin` inputs). And
// a weight whose shape the user's code gives (Keras add_weight, nn.PReLU) is held to the probe's
// tensor size before it is made (a mutated fixture asking for shape=(10**9,) took the fuzz run's
// process to 4.2 GB).
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { analyzeSources, prepareEngine } from '../../src/core/analyze';
import { defaultSettings, mergeSettings } from '../../src/core/config/settings';
import { probeTensorBudget } from '../../src/core/translate/evaluator';

// A time budget no probe here reaches: only the tensor budget can end the loop.
const settings = mergeSettings(defaultSettings, { backend: 'cpu', timeBudgetMs: 300_000 });

before(async () => {
  await prepareEngine('cpu');
});

/** The fuzz run's pathological inputs, with a 400 kB tensor made (and kept) at every turn of the loop. */
const spin = (body: string): string => `import torch\n\n\ndef spin(x):\n    while True:\n        ${body}\n    return x\n\n\nACTIVATIONS = {"a": spin}\n`;

test('a loop that keeps a tensor each time round ends at the probe\'s tensor budget with a GP002 saying so; its tensors are freed', { timeout: 300_000 }, async () => {
  const held = tf.memory().numBytes;
  const [report] = await analyzeSources([{ path: 'spin.py', text: spin('x = x + 0.0 * torch.ones(100000).sum()') }], { settings });
  const fn = report.functions.find((f) => f.name === 'spin');
  assert.ok(fn, `spin is listed: ${report.functions.map((f) => f.name).join(', ')}`);
  assert.equal(fn.probe.status, 'failed');
  const gp002 = fn.findings.find((f) => f.code === 'GP002');
  assert.ok(gp002, `a GP002: ${fn.findings.map((f) => `${f.code} ${f.message}`).join('; ')}`);
  assert.match(gp002.message, new RegExp(`held more than ${probeTensorBudget.bytes / 1048576} MB of tensors at once`));
  assert.equal(tf.memory().numBytes, held, 'the probe\'s tensors are disposed with its scope');
});

test('the budget counts tensors too: a loop of scalars stops at the tensor count', { timeout: 300_000 }, async () => {
  const [report] = await analyzeSources([{ path: 'spin.py', text: spin('y = torch.tensor(0.0) * 0.0') }], { settings });
  const gp002 = report.functions.find((f) => f.name === 'spin')?.findings.find((f) => f.code === 'GP002');
  assert.ok(gp002, JSON.stringify(report.findings.map((f) => f.message)));
  assert.match(gp002.message, new RegExp(`held more than ${probeTensorBudget.tensors.toLocaleString('en')} tensors at once`));
});

test('a weight past the probe\'s tensor size is refused before it is made: Keras add_weight and nn.PReLU give a GP002 naming the size', { timeout: 120_000 }, async () => {
  const held = tf.memory().numBytes;
  const keras = 'import tensorflow as tf\nfrom tensorflow import keras\n\n\nclass UniformBeta(keras.layers.Layer):  # gradprobe: activation\n    def build(self, input_shape):\n        self._beta = self.add_weight(name="beta", shape=(10**9,), initializer="uniform", trainable=True)\n\n    def call(self, inputs):\n        return inputs * tf.math.sigmoid(self._beta * inputs + 1.0)\n';
  const torch = 'import torch\nimport torch.nn as nn\n\n\nclass Act(nn.Module):\n    def __init__(self):\n        super().__init__()\n        self.prelu = nn.PReLU(num_parameters=10**9)\n\n    def forward(self, x):\n        return self.prelu(x) * torch.sigmoid(x)\n\n\nACTIVATIONS = {"a": Act}\n';
  for (const [path, text, name] of [['keras_layer.py', keras, 'UniformBeta'], ['prelu.py', torch, 'Act']] as const) {
    const [report] = await analyzeSources([{ path, text }], { settings });
    const fn = report.functions.find((f) => f.name === name);
    assert.ok(fn, `${path}: ${name} is listed (${report.functions.map((f) => f.name).join(', ')})`);
    const gp002 = fn.findings.find((f) => f.code === 'GP002');
    assert.ok(gp002, `${path}: a GP002: ${fn.findings.map((f) => `${f.code} ${f.message}`).join('; ')}`);
    assert.match(gp002.message, /would make a tensor of 1000000000 elements/);
  }
  assert.ok(process.resourceUsage().maxRSS < 2 * 1048576, `the process stayed under 2 GB (peak ${Math.round(process.resourceUsage().maxRSS / 1024)} MB)`);
  assert.equal(tf.memory().numBytes, held);
});
