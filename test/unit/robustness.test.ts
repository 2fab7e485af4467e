// Bad input never crashes the analysis: the rest of the file is still analysed.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyze, codes, fn } from '../helpers';

test('a syntax error inside one function makes it GP001; the others are still probed', async () => {
  const src = `import torch\n\ndef good_act(x):\n    return x * torch.sigmoid(x)\n\ndef broken_act(x):\n    y = (x +\n    return y\n\ndef good_loss(input, target):\n    return ((input - target) ** 2).mean()\n\nACTS = {"a": good_act, "b": broken_act}\n`;
  const reports = await analyze({ 'mixed.py': src });
  assert.equal(fn(reports, 'good_act').probe.status, 'ok');
  assert.equal(fn(reports, 'good_loss').probe.status, 'ok');
});

test('binary files, invalid notebooks and empty files are GP002 or nothing, never a crash', async () => {
  const reports = await analyze({
    'bad.py': 'import torch\u0000\u0001\u0002',
    'nb.ipynb': '{"cells": [',
    'empty.py': '',
    'comments.py': '# nothing here\n',
  });
  assert.deepEqual(reports.find((r) => r.path === 'bad.py')?.findings.map((f) => f.code), ['GP002']);
  assert.deepEqual(reports.find((r) => r.path === 'nb.ipynb')?.findings.map((f) => f.code), ['GP002']);
  assert.deepEqual(reports.find((r) => r.path === 'empty.py')?.functions, []);
});

test('notebook findings carry their cell and positions within it', async () => {
  const nb = JSON.stringify({
    nbformat: 4, nbformat_minor: 5, metadata: {},
    cells: [
      { cell_type: 'markdown', metadata: {}, source: ['# Experiments'] },
      { cell_type: 'code', metadata: {}, execution_count: 1, outputs: [], source: ['%matplotlib inline\n', 'import torch\n'] },
      { cell_type: 'code', metadata: {}, execution_count: 2, outputs: [], source: ['def symlog(x):\n', '    return torch.sign(x) * torch.log(torch.abs(x))\n', '\n', 'ACTS = {"act": symlog}\n'] },
    ],
  });
  const reports = await analyze({ 'exp.ipynb': nb });
  const r = fn(reports, 'symlog');
  assert.equal(r.cell, 2);
  assert.equal(r.nameSpan.startLine, 0);
  const gp303 = r.findings.find((f) => f.code === 'GP303');
  assert.equal(gp303?.cell, 2);
  assert.equal(gp303?.span.startLine, 1);
  assert.ok(codes(r).includes('GP101'));
});

test('an unbounded loop is stopped by the budget and reported as GP002', async () => {
  const src = `import torch\n\ndef spin(x):\n    while True:\n        x = x + 1\n    return x\n\nACTS = {"a": spin}\n`;
  const r = fn(await analyze({ 'loop.py': src }, { timeBudgetMs: 300 }), 'spin');
  assert.equal(r.probe.status, 'failed');
  assert.ok(codes(r).includes('GP002'));
});

test('a constant asking for a billion elements is refused', async () => {
  const src = `import torch\n\ndef huge(x):\n    return x + torch.zeros(1000, 1000, 1000).sum()\n\nACTS = {"a": huge}\n`;
  const r = fn(await analyze({ 'huge.py': src }), 'huge');
  assert.notEqual(r.probe.status, 'ok');
});
