// A probe's live tensors have a budget of their own (GP002): a loop that keeps a tensor each time
// round stops at the budget, whatever the machine's speed, instead of growing the process until the
// time budget ends it (gigabytes on a quick machine: the fuzz run's `pathological spin` inputs).
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
