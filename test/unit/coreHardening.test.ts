// Bugs the fuzz run found in the core, each pinned by a reproducer: a cached report that kept the
// old positions after lines were added above its function; nesting deep enough to overflow the
// stack in detection (an exception escaping analyzeSources).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, fn } from '../helpers';

const logUnit = 'import tensorflow as tf\n\ndef log_unit(x):\n    return tf.math.log(x * x)\n\nACTS = {"a": log_unit}\n';

test('a function moved by an edit above it is reported at its new lines (the cached report follows it)', async () => {
  const before = fn(await analyze({ 'moved.py': logUnit }), 'log_unit');
  assert.equal(before.span.startLine, 2);
  const moved = logUnit.replace('import tensorflow as tf\n', 'import tensorflow as tf\n\n\n# three lines added above\n');
  const after = fn(await analyze({ 'moved.py': moved }), 'log_unit');
  assert.equal(after.span.startLine, 5);
  assert.equal(after.nameSpan.startLine, 5);
  const gp303 = after.findings.find((f) => f.code === 'GP303');
  assert.equal(gp303?.span.startLine, 6, 'the finding points at the log call, not where it used to be');
  assert.equal(moved.split('\n')[6].slice(gp303!.span.startCol, gp303!.span.endCol), 'tf.math.log(x * x)');
  // And back up again, from the cache.
  const back = fn(await analyze({ 'moved.py': logUnit }), 'log_unit');
  assert.deepEqual(back.findings.map((f) => f.span.startLine), before.findings.map((f) => f.span.startLine));
});

test('nesting deep enough to overflow the stack is a file-level GP002, not an exception', async () => {
  const depth = 10_000;
  const files = {
    'lists.py': `import torch\n\ndef deep(x):\n    return x + ${'['.repeat(depth)}0${']'.repeat(depth)}\n\nACTS = {"a": deep}\n`,
    'lambdas.py': `import torch\n\ndef deep(x):\n    return ${'(lambda z: '.repeat(depth)}z${')'.repeat(depth)}(x)\n\nACTS = {"a": deep}\n`,
    'calls.js': `import * as tf from '@tensorflow/tfjs';\nexport const deep = (x) => ${'tf.sigmoid('.repeat(depth)}x${')'.repeat(depth)};\nconst l = tf.layers.activation({activation: deep});\n`,
    'fine.py': logUnit,
  };
  const reports = await analyze(files);
  for (const path of ['lists.py', 'lambdas.py', 'calls.js']) {
    const r = reports.find((x) => x.path === path)!;
    assert.deepEqual(r.functions, [], path);
    assert.deepEqual(r.findings.map((f) => f.code), ['GP002'], path);
  }
  assert.equal(fn(reports, 'log_unit').probe.status, 'ok', 'the other file is still analysed');
});

test('ordinary nesting (a few hundred levels) is still analysed', async () => {
  const r = fn(await analyze({ 'ok.py': `import torch\n\ndef nested(x):\n    return ${'('.repeat(150)}x * torch.sigmoid(x)${')'.repeat(150)}\n\nACTS = {"a": nested}\n` }), 'nested');
  assert.equal(r.probe.status, 'ok');
});
