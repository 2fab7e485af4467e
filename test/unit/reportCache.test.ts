// The core's report cache over a long editing session: each function keeps its newest versions, a
// function gone from its file goes, the total stays under its bound, and the bookkeeping with it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeSources, cachedReportCount } from '../../src/core/analyze';
import { defaultSettings, mergeSettings } from '../../src/core/config/settings';
import type { FunctionReport } from '../../src/core/findings/types';
import { ReportCache } from '../../src/core/reportCache';

const report = (name: string): FunctionReport => ({
  name, kind: 'activation', framework: 'tensorflow', span: { startLine: 0, startCol: 0, endLine: 1, endCol: 0 }, nameSpan: { startLine: 0, startCol: 4, endLine: 0, endCol: 5 },
  detectedBy: [], probe: { status: 'ok', ms: 1 }, summary: name, findings: [],
});

test('versions: the newest two of each function are kept; a hit keeps its version', () => {
  const cache = new ReportCache(100, 2);
  for (let v = 1; v <= 5; v++) cache.set(`act@${v}`, { path: 'a.py', name: 'act' }, report('act'));
  assert.equal(cache.size, 2);
  assert.equal(cache.get('act@3'), undefined);
  assert.ok(cache.get('act@4'));
  // act@4 was just used: a new version drops act@5, the older unused one.
  cache.set('act@6', { path: 'a.py', name: 'act' }, report('act'));
  assert.ok(cache.get('act@4'));
  assert.equal(cache.get('act@5'), undefined);
  // The same name in another file is another function.
  cache.set('act@b', { path: 'b.py', name: 'act' }, report('act'));
  assert.equal(cache.size, 3);
});

test('a function no longer in its file goes; names defined twice keep two versions each', () => {
  const cache = new ReportCache(100, 2);
  cache.set('a1', { path: 'm.py', name: 'a' }, report('a'));
  cache.set('b1', { path: 'm.py', name: 'b' }, report('b'));
  cache.set('c1', { path: 'n.py', name: 'c' }, report('c'));
  cache.fileHas('m.py', new Map([['a', 1]]));
  assert.ok(cache.get('a1'));
  assert.equal(cache.get('b1'), undefined);
  assert.ok(cache.get('c1'), 'other files untouched');
  cache.fileHas('m.py', new Map([['a', 2]]));
  for (const k of ['a2', 'a3', 'a4']) cache.set(k, { path: 'm.py', name: 'a' }, report('a'));
  assert.equal(cache.size, 5, 'a1…a4 (two functions named a, two versions each) and c1');
});

test('the bound: least recently used out first, with the bookkeeping', () => {
  const cache = new ReportCache(10, 2);
  for (let i = 0; i < 1000; i++) cache.set(`k${i}`, { path: `fuzz/${i}.py`, name: 'f' }, report('f'));
  assert.equal(cache.size, 10);
  assert.ok(cache.get('k999'));
  assert.equal(cache.get('k989'), undefined);
  // The per-file bookkeeping went with the evicted reports.
  const books = cache as unknown as { versions: Map<string, unknown>; owners: Map<string, unknown> };
  assert.equal(books.versions.size, 10);
  assert.equal(books.owners.size, 10);
});

test('analysis: typing in one function for a long time keeps its newest version; deleting a function drops its reports', async () => {
  const settings = mergeSettings(defaultSettings, { backend: 'cpu' });
  const file = (k: number, withLoss = true): string => `import tensorflow as tf

def act(x):
    return x * tf.sigmoid(${(1 + k / 100).toFixed(2)} * x)

def steady(x):
    return tf.tanh(x) * 1.5
${withLoss ? '\ndef mse(y_true, y_pred):\n    return tf.reduce_mean(tf.square(y_pred - y_true))\n' : ''}
LAYERS = [tf.keras.layers.Dense(4, activation=act), tf.keras.layers.Dense(4, activation=steady)]
`;
  const start = cachedReportCount();
  for (let k = 0; k < 12; k++) {
    const [r] = await analyzeSources([{ path: 'session/typing.py', text: file(k) }], { settings });
    assert.deepEqual(r.functions.map((f) => f.name), ['act', 'steady', 'mse']);
  }
  assert.equal(cachedReportCount() - start, 3, 'act, steady and mse: one version each');
  await analyzeSources([{ path: 'session/typing.py', text: file(11, false) }], { settings });
  assert.equal(cachedReportCount() - start, 2, 'mse deleted: its report goes');
});
