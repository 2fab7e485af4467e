// Random draws in translated code (torch.randn in a constructor, Exponential(...).sample, .normal_()):
// seeded per evaluation, so the same function probes the same way every time, two draws in one
// evaluation differ, the samples follow their distribution, and the summary says the values used.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { analyzeSources } from '../../src/core/analyze';
import { evaluateFunction, type ActivationEval } from '../../src/core/api';
import { defaultSettings, mergeSettings } from '../../src/core/config/settings';
import type { OpContext } from '../../src/core/ops/interpreter';
import { draw } from '../../src/core/ops/randomOps';

const fixture = join(__dirname, '..', '..', 'test', 'fixtures', 'interpreter', 'random_init_torch.py');
const settings = mergeSettings(defaultSettings, { backend: 'cpu' });

function context(): OpContext & { notes: string[] } {
  let seed = 0;
  // As the evaluator counts: from 1, since TF.js takes a seed of 0 as none.
  const notes: string[] = [];
  return { framework: 'pytorch', maxElements: 1e7, finish: (t) => t, nextSeed: () => ++seed, assume: (t) => notes.push(t), notes };
}

test('a draw is reproducible from the evaluation start, and successive draws differ', () => {
  const first = context();
  const second = context();
  const a1 = Array.from(draw(first, 'a', [5], { kind: 'normal', mean: 0, std: 1 }).dataSync());
  const a2 = Array.from(draw(first, 'b', [5], { kind: 'normal', mean: 0, std: 1 }).dataSync());
  const b1 = Array.from(draw(second, 'a', [5], { kind: 'normal', mean: 0, std: 1 }).dataSync());
  assert.deepEqual(a1, b1);
  assert.notDeepEqual(a1, a2);
  assert.match(first.notes[0], /^a = \[[-\d.e, ]+\] \(N\(0, 1²\), fixed seed 1\)$/);
});

test('samples follow their distribution (moments of 20000 draws)', () => {
  const ctx = context();
  const moments = (t: tf.Tensor): [number, number] => {
    const m = tf.moments(t);
    return [m.mean.dataSync()[0], Math.sqrt(m.variance.dataSync()[0])];
  };
  const [nm, ns] = moments(draw(ctx, 'n', [20000], { kind: 'normal', mean: 1.5, std: 2 }));
  assert.ok(Math.abs(nm - 1.5) < 0.1 && Math.abs(ns - 2) < 0.1, `normal: mean ${nm}, std ${ns}`);
  const u = draw(ctx, 'u', [20000], { kind: 'uniform', low: -3, high: 1 });
  const [um] = moments(u);
  assert.ok(Math.abs(um + 1) < 0.1, `uniform mean ${um}`);
  assert.ok(tf.min(u).dataSync()[0] >= -3 && tf.max(u).dataSync()[0] < 1, 'uniform outside [low, high)');
  const e = draw(ctx, 'e', [20000], { kind: 'exponential', rate: 0.1 });
  const [em] = moments(e);
  assert.ok(Math.abs(em - 10) < 0.5 && tf.min(e).dataSync()[0] >= 0, `exponential mean ${em}`);
  assert.match(ctx.notes[0], /a \[20000\] tensor starting \[/);
});

test('a parameter drawn by torch.randn in the constructor is the value the summary quotes, the same on every probe', async () => {
  const text = readFileSync(fixture, 'utf8');
  const run = async (): Promise<string> => {
    const [report] = await analyzeSources([{ path: 'random_init_torch.py', text }], { settings });
    const fn = report.functions.find((f) => f.name === 'ShiftedRelu');
    assert.ok(fn, 'ShiftedRelu is not listed');
    assert.equal(fn.probe.status, 'ok', fn.summary);
    return fn.summary;
  };
  const summary = await run();
  assert.equal(await run(), summary);
  const quoted = /torch\.randn\(1\) = \[(-?[\d.e-]+)\] \(N\(0, 1²\), fixed seed 1\)/.exec(summary);
  assert.ok(quoted, `the summary does not say the drawn value: ${summary}`);
  const out = (await evaluateFunction({ path: fixture, text, name: 'ShiftedRelu', x: [-1, 2], backend: 'cpu' })) as ActivationEval;
  const bias = Number(quoted[1]);
  assert.ok(Math.abs((out.y[0] as number) - bias) < 1e-3 && Math.abs((out.y[1] as number) - (2 + bias)) < 1e-3, `y = ${JSON.stringify(out.y)}, bias ${bias}`);
});

test('Exponential(rate).sample((n,)) initialises a parameter; the summary names the distribution', async () => {
  const text = readFileSync(fixture, 'utf8');
  const [report] = await analyzeSources([{ path: 'random_init_torch.py', text }], { settings });
  const fn = report.functions.find((f) => f.name === 'PeriodicUnit');
  assert.ok(fn, 'PeriodicUnit is not listed');
  assert.equal(fn.probe.status, 'ok', fn.summary);
  assert.match(fn.summary, /Exponential\.sample\(sample_shape \[1\]\) = \[[\d.e-]+\] \(Exponential\(rate 0\.1\), fixed seed 1\)/);
});
