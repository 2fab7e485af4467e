// The depth rules (GP109–GP111) model a stack of an elementwise activation. A softmax-like map whose
// every output depends on every input (test/fixtures/depth/normaliser.py) is an output normaliser:
// its sweep, run as one tensor, is one distribution, and a 16-layer stack of it models nothing, so
// no depth finding is reported for it; an elementwise unit beside it still gets them.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { analyzeSources } from '../../src/core/analyze';
import { defaultSettings, mergeSettings } from '../../src/core/config/settings';
import type { FileReport } from '../../src/core/findings/types';

const file = 'normaliser.py';
let report: FileReport;

before(async () => {
  const text = readFileSync(join(__dirname, '..', '..', 'test', 'fixtures', 'depth', file), 'utf8');
  [report] = await analyzeSources([{ path: file, text }], { settings: mergeSettings(defaultSettings, { backend: 'cpu', timeBudgetMs: 20_000 }) });
});

const depthCodes = (name: string): string[] => {
  const fn = report.functions.find((f) => f.name === name);
  assert.ok(fn, `${name} is not listed`);
  assert.equal(fn.probe.status, 'ok', fn.summary);
  return report.findings.filter((f) => f.function === name && ['GP109', 'GP110', 'GP111'].includes(f.code)).map((f) => f.code);
};

test('a normaliser over the axis gets no depth finding, and the summary says why', () => {
  assert.deepEqual(depthCodes('temperature_softmax'), []);
  assert.match(report.functions.find((f) => f.name === 'temperature_softmax')!.summary, /depth not probed: each output depends on the other inputs/);
});

test('an elementwise squashing unit still gets its depth finding', () => {
  assert.ok(depthCodes('small_tanh').includes('GP109'));
});
