// A report's data is typed (activation | loss) and its consumers read what the producer writes: the
// hover of a clean loss (no findings to carry evidence) still shows its family and mapping. Numbers
// are formatted by one formatter on each side of the webview boundary, and the two agree.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyzeSources } from '../../src/core/analyze';
import { defaultSettings, mergeSettings } from '../../src/core/config/settings';
import { formatEvidence, formatNumber } from '../../src/core/findings/formatNumber';
import type { FunctionReport } from '../../src/core/findings/types';
import { hoverMarkdown, keyNumbers, reportMarkdown } from '../../src/server/reportMarkdown';
import { formatEvidence as panelEvidence, formatNumber as panelNumber } from '../../webview-ui/src/shapeCommon';

const settings = mergeSettings(defaultSettings, { backend: 'cpu' });

async function report(path: string, text: string, name: string): Promise<FunctionReport> {
  const [file] = await analyzeSources([{ path, text }], { settings });
  const fn = file.functions.find((f) => f.name === name);
  assert.ok(fn, `${name} listed`);
  return fn;
}

test('a clean loss: the data says loss, with family and mapping, and the hover shows them', async () => {
  const fn = await report('losses.py', 'import tensorflow as tf\n\n\ndef mse(y_true, y_pred):\n    return tf.reduce_mean(tf.square(y_pred - y_true))\n\n\nmodel.compile(loss=mse)\n', 'mse');
  assert.deepEqual(fn.findings, [], 'clean: no finding carries the family in its evidence');
  assert.equal(fn.data?.kind, 'loss');
  if (fn.data?.kind !== 'loss') return;
  assert.equal(fn.data.family, 'regression');
  assert.equal(fn.data.mapping, 'keras: (y_true, y_pred)');
  assert.ok(fn.data.slices.length > 0 && fn.data.slices.every((s) => s.t.length === s.loss.length));
  const rows = new Map(keyNumbers(fn));
  assert.equal(rows.get('loss family'), 'regression');
  assert.equal(rows.get('mapping'), 'keras: (y_true, y_pred)');
  const md = hoverMarkdown(fn);
  assert.match(md, /\| loss family \| regression \|/);
  assert.match(md, /\| mapping \| keras: \(y\\_true, y\\_pred\) \|/);
});

test('an activation: the data says activation, with the sweep\'s grid and the depth figures the hover shows', async () => {
  const fn = await report('acts.py', 'import torch\n\n\ndef mish(x):\n    return x * torch.tanh(torch.nn.functional.softplus(x))\n\n\nACTIVATIONS = {"mish": mish}\n', 'mish');
  assert.equal(fn.data?.kind, 'activation');
  if (fn.data?.kind !== 'activation') return;
  assert.equal(fn.data.sweep.x.length, 2001);
  assert.deepEqual([fn.data.sweep.x[0], fn.data.sweep.x[2000]], [-6, 6]);
  assert.ok(fn.data.depth, 'depth figures');
  const rows = new Map(keyNumbers(fn));
  assert.equal(rows.get('depth gain ‖∂L/∂h₁‖/‖∂L/∂h₁₆‖'), `${formatNumber(fn.data.depth.gradientRatio)} (ReLU: ${formatNumber(fn.data.depth.reluRatio)})`);
  assert.ok(!rows.has('loss family'));
});

const samples = [0, 1, -1, 1 / 3, 2 / 3, 12.345, 999.95, 1234.5, 9999.4, 12345, 0.001, 0.00099999, -0.000123456, 1e-12, 6.02e23, NaN, Infinity, -Infinity];

test('one number formatter a side: the core\'s and the panel\'s agree, three significant digits', () => {
  assert.deepEqual(samples.map(formatNumber), samples.map((v) => panelNumber(v)));
  assert.deepEqual([1 / 3, 12.345, 12345, -0.000123456, NaN, Infinity, -Infinity].map(formatNumber), ['0.333', '12.3', '1.23e+4', '-1.23e-4', 'NaN', '+Inf', '-Inf']);
});

test('evidence is shown at three significant digits, nested numbers too, the same on both sides', () => {
  const evidence = { ratio: 0.000123456, cases: [{ loss: 1.23456, gradNorm: 2 / 3 }], x: [1 / 3, -2.5], case: 'at a perfect prediction', gradientPath: false };
  assert.equal(formatEvidence(evidence.cases), '[{loss: 1.23, gradNorm: 0.667}]');
  for (const v of Object.values(evidence)) assert.equal(formatEvidence(v), panelEvidence(v));
  const fn: FunctionReport = {
    name: 'f', kind: 'loss', framework: 'pytorch', span: { startLine: 0, startCol: 0, endLine: 1, endCol: 0 }, nameSpan: { startLine: 0, startCol: 4, endLine: 0, endCol: 5 },
    detectedBy: [], probe: { status: 'ok', ms: 1 }, summary: '', findings: [{ code: 'GP208', severity: 'warning', function: 'f', message: 'weak', span: { startLine: 0, startCol: 4, endLine: 0, endCol: 5 }, evidence }],
  };
  const md = reportMarkdown(fn, 'f.py', 'https://x/rules');
  assert.match(md, /\| ratio \| 1\.23e-4 \|/);
  assert.match(md, /\| cases \| \\\[\\\{loss: 1\.23, gradNorm: 0\.667\\\}\\\] \|/);
  assert.match(md, /\| x \| \\\[0\.333, -2\.5\\\] \|/);
});
