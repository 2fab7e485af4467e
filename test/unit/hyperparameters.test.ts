// Arguments beyond a function's inputs (comment, settings, call site, typical value, GP001 when none)
// and which input of a loss is the prediction (framework caller, call site, names), through the
// real pipeline on test/fixtures/arguments; JSON values as a function uses them; the `args` setting.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { analyzeSources } from '../../src/core/analyze';
import { defaultBudget, evaluateFunction, type ActivationEval, type LossEval } from '../../src/core/api';
import { defaultSettings, mergeSettings } from '../../src/core/config/settings';
import { initEngine } from '../../src/core/engine';
import type { FileReport } from '../../src/core/findings/types';
import { documentFromText, parseDocument } from '../../src/core/parse/document';
import { loadGrammars } from '../../src/core/parse/treeSitter';
import { createEvaluator } from '../../src/core/translate/translate';
import { fromJson, parameterUse } from '../../src/core/translate/hyperparameters';
import { parseConfigTable } from '../../src/core/workspace/config';
import { editorPatch } from '../../src/server/settingsStore';
import { sanitizeEditorSettings } from '../../src/shared/settings';

const dir = join(__dirname, '..', '..', 'test', 'fixtures', 'arguments');
const files = ['criteria.py', 'train.py', 'layers.js', 'keras_order.py', 'torch_order.py', 'typical_inputs.py', 'typical_inputs_torch.py'];

interface Expectation {
  file: string;
  name: string;
  args?: Record<string, { value: unknown; source: string }>;
  gp001?: string;
  mapping?: string;
  gp207?: boolean;
}

let reports: FileReport[];

before(async () => {
  await Promise.all([loadGrammars(), initEngine('cpu')]);
  const settings = mergeSettings(defaultSettings, {
    backend: 'cpu',
    args: { SettingsLoss: { scale: 3 }, CommentOverSettingsLoss: { margin: 0.2 }, SettingsOverSiteLoss: { margin: 0.2 } },
  });
  reports = await analyzeSources(files.map((f) => ({ path: f, text: readFileSync(join(dir, f), 'utf8') })), { settings });
});

const expectations = (): Expectation[] => JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as Expectation[];

function report(e: Expectation) {
  const fn = reports.find((r) => r.path === e.file)?.functions.find((f) => f.name === e.name);
  assert.ok(fn, `${e.file}:${e.name} is not listed`);
  return fn;
}

test('each argument takes its value from the first source that has one, and the report says which', () => {
  const problems: string[] = [];
  for (const e of expectations().filter((x) => x.args)) {
    const fn = report(e);
    if (fn.probe.status !== 'ok') { problems.push(`${e.name}: not probed (${fn.probe.reason})`); continue; }
    for (const [name, want] of Object.entries(e.args!)) {
      const got = fn.probe.args?.[name];
      if (!got || JSON.stringify(got) !== JSON.stringify(want)) problems.push(`${e.name}.${name}: ${JSON.stringify(got)}, expected ${JSON.stringify(want)}`);
      if (!fn.summary.includes(`${name}=`)) problems.push(`${e.name}: the summary does not name ${name}: ${fn.summary}`);
    }
  }
  assert.deepEqual(problems, []);
});

test('an argument nothing gives a value is GP001 naming it, never GP002', () => {
  for (const e of expectations().filter((x) => x.gp001)) {
    const fn = report(e);
    assert.equal(fn.probe.status, 'unsupported');
    const gp001 = fn.findings.find((f) => f.code === 'GP001');
    assert.ok(gp001 && gp001.message.includes(e.gp001!), JSON.stringify(fn.findings.map((f) => f.message)));
    assert.ok(!fn.findings.some((f) => f.code === 'GP002'));
  }
});

test('the prediction is the argument the calling framework or a call site passes it as; names that disagree are GP207', () => {
  const problems: string[] = [];
  for (const e of expectations().filter((x) => x.mapping)) {
    const fn = report(e);
    const mapping = (fn.data as { mapping?: string } | undefined)?.mapping;
    if (mapping !== e.mapping) problems.push(`${e.name}: mapping ${mapping}, expected ${e.mapping} (${fn.probe.reason ?? fn.summary})`);
    const gp207 = fn.findings.some((f) => f.code === 'GP207');
    if (gp207 !== e.gp207) problems.push(`${e.name}: GP207 ${gp207 ? 'reported' : 'missing'}: ${fn.findings.map((f) => f.message).join(' | ')}`);
  }
  assert.deepEqual(problems, []);
});

test('eval: typical values for a loss\'s further input, a max function and a cost matrix give the framework\'s numbers', async () => {
  const path = join(dir, 'typical_inputs.py');
  const text = readFileSync(path, 'utf8');
  const close = (a: number, b: number): boolean => Math.abs(a - b) <= 1e-5 * Math.max(1, Math.abs(b));
  // negatives = the positives shifted by one row: numpy's triplet on the same three rows gives 0.888170.
  const triplet = (await evaluateFunction({ path, text, name: 'triplet_gap', yPred: [[0.2, 0.8], [0, 0], [1, 1]], yTrue: [[0, 1], [1, 0.5], [2, -1]], backend: 'cpu' })) as LossEval;
  assert.ok(close(Number(triplet.loss), 0.8881704), `triplet loss ${triplet.loss}`);
  // logsumexp(scores) - <targets, scores>, its gradient softmax - targets (over the batch mean).
  const fy = (await evaluateFunction({ path, text, name: 'make_max_loss', yPred: [[0.2, 0.8, -1], [0.5, 0.1, 0.3]], yTrue: [[0, 1, 0], [1, 0, 0]], backend: 'cpu' })) as LossEval;
  assert.ok(close(Number(fy.loss), 0.7253979), `max loss ${fy.loss}`);
  assert.ok(close(Number((fy.grad as number[][])[0][1]), -0.2083035), JSON.stringify(fy.grad));
  // PyTorch 1.13 on the same rows with dist_matrix = 1 - I (3 classes).
  const torchPath = join(dir, 'typical_inputs_torch.py');
  const cost = (await evaluateFunction({ path: torchPath, text: readFileSync(torchPath, 'utf8'), name: 'CostDiceLoss', yPred: [[2, 0.1, -1], [0.3, 1.5, 0.2]], yTrue: [0, 2], backend: 'cpu' })) as LossEval;
  assert.ok(close(Number(cost.loss), 0.4965214), `cost loss ${cost.loss}`);
  assert.ok(close(Number((cost.grad as number[][])[1][2]), -0.0715931), JSON.stringify(cost.grad));
});

test('eval: a JavaScript activation gets its comment argument positionally; --args wins over it', async () => {
  const text = readFileSync(join(dir, 'layers.js'), 'utf8');
  const fromComment = (await evaluateFunction({ path: 'layers.js', text, name: 'scaledTanh', x: [[-1, 0, 2]], backend: 'cpu' })) as ActivationEval;
  assert.deepEqual(fromComment.y[0], [-1, 0, 2].map((v) => Math.fround(0.5 * Math.tanh(v))));
  assert.deepEqual(fromComment.args, { alpha: { value: 0.5, source: 'comment' } });
  const given = (await evaluateFunction({ path: 'layers.js', text, name: 'scaledTanh', x: [1], args: { alpha: 2 }, backend: 'cpu' })) as ActivationEval;
  assert.ok(Math.abs(Number(given.y[0]) - 2 * Math.tanh(1)) < 1e-6);
  assert.equal(given.args?.alpha.source, '--args');
});

test('eval: a loss with an optional target takes the prediction alone; --per-element gives the unreduced output', async () => {
  const text = 'import jax.numpy as jnp\n\ndef half_sq(predictions, targets=None):\n    d = predictions if targets is None else predictions - targets\n    return 0.5 * d ** 2\n';
  const alone = (await evaluateFunction({ path: 'reg.py', text, name: 'half_sq', yPred: [1, 2], perElement: true, backend: 'cpu' })) as LossEval;
  assert.deepEqual(alone.value, [0.5, 2]);
  assert.equal(alone.loss, 1.25);
  const scalar = (await evaluateFunction({ path: 'reg.py', text, name: 'half_sq', yPred: -2, yTrue: -1.5, perElement: true, backend: 'cpu' })) as LossEval;
  assert.equal(scalar.value, 0.125);
  const required = 'def sq_gap(predictions, targets):\n    return (predictions - targets) ** 2\n';
  await assert.rejects(evaluateFunction({ path: 'reg.py', text: required, name: 'sq_gap', yPred: [1], backend: 'cpu' }), /needs --y-true: its parameter 'targets' has no default/);
});

test('eval --args: keyword arguments of a plain function, a framework function named by a string, a boolean mask', async () => {
  const text = [
    'import jax.numpy as jnp', '',
    'def masked_gap(predictions, targets, where=None, reduce_fn=jnp.mean, scale=1.0):',
    '    d = scale * (predictions - targets) ** 2',
    '    if where is not None:',
    '        d = jnp.where(where, d, 0.0)',
    '    return reduce_fn(d)', '',
  ].join('\n');
  const r = (await evaluateFunction({ path: 'm.py', text, name: 'masked_gap', yPred: [1, 2, 3], yTrue: [0, 0, 0], args: { where: [true, false, true], reduce_fn: 'jnp.sum', scale: 2 }, perElement: true, backend: 'cpu' })) as LossEval;
  assert.equal(r.value, 2 * (1 + 9));
  assert.deepEqual(r.args?.reduce_fn, { value: 'jax.numpy.sum', source: '--args' });
});

test('JSON values as the function uses them: tuples for axes and iterated lists, int32 for indices, bool for masks', () => {
  const module = parseDocument(documentFromText('u.py', [
    'import jax', 'import jax.numpy as jnp', '',
    'def f(logits, labels, weights, axis, mask):',
    '    total = 0.0',
    '    for w in weights:',
    '        total = total + w',
    '    onehot = jax.nn.one_hot(labels, 3)',
    '    return jnp.sum(jnp.where(mask, onehot * logits, 0.0), axis=axis) * total', '',
  ].join('\n')));
  const ev = createEvaluator({ modules: [module] }, defaultBudget());
  const scope = ev.moduleContext('u.py', module.ir).scope;
  const fn = module.ir.body.find((s) => s.kind === 'function');
  assert.ok(fn && fn.kind === 'function');
  const src = { ev, scope, users: [fn.fn] };
  assert.deepEqual(parameterUse([fn.fn], 'labels'), { sequence: false, index: true });
  assert.deepEqual(parameterUse([fn.fn], 'weights'), { sequence: true, index: false });
  tf.tidy(() => {
    const labels = fromJson(src, 'labels', [0, 2]);
    assert.ok(labels.t === 'tensor' && labels.v.dtype === 'int32');
    const logits = fromJson(src, 'logits', [[1, 2, 3]]);
    assert.ok(logits.t === 'tensor' && logits.v.dtype === 'float32');
    const mask = fromJson(src, 'mask', [true, false]);
    assert.ok(mask.t === 'tensor' && mask.v.dtype === 'bool');
    assert.equal(fromJson(src, 'axis', [0, 1]).t, 'tuple');
    assert.equal(fromJson(src, 'weights', [0.5, 1.5]).t, 'tuple');
    assert.equal(fromJson(src, 'x', { tuple: [1, 2] }).t, 'tuple');
    assert.equal(fromJson(src, 'reduction', 'none').t, 'str');
  });
});

test('the args setting: read from config files (names as written), merged per function, from the editor too', () => {
  const where = { file: 'pyproject.toml', prefix: 'tool.gradprobe', tableWord: 'a table', keyStyle: 'kebab' } as const;
  const ok = parseConfigTable({ args: { FocalLoss: { gamma: 2, ignore_index: -100, mode: 'binary', scales: [1, 0.5] } } }, where);
  assert.deepEqual(ok.errors, []);
  assert.deepEqual(ok.patch.args, { FocalLoss: { gamma: 2, ignore_index: -100, mode: 'binary', scales: [1, 0.5] } });
  assert.equal(ok.origins['args.FocalLoss.gamma'], 'pyproject.toml: tool.gradprobe.args.FocalLoss.gamma');
  const bad = parseConfigTable({ args: { FocalLoss: { gamma: { nested: 1 } }, Other: 3 } }, where);
  assert.equal(bad.errors.length, 2, bad.errors.join('\n'));
  assert.match(bad.errors[0], /tool\.gradprobe\.args\.FocalLoss\.gamma: expected a number, a string, true\/false, or a list of them/);
  const merged = mergeSettings(defaultSettings, { args: { FocalLoss: { gamma: 2, alpha: 0.5 } } }, { args: { FocalLoss: { gamma: 3 }, DiceLoss: { mode: 'binary' } } });
  assert.deepEqual(merged.args, { FocalLoss: { gamma: 3, alpha: 0.5 }, DiceLoss: { mode: 'binary' } });
  const problems: string[] = [];
  const editor = sanitizeEditorSettings({ args: { FocalLoss: { gamma: 2, bad: () => 1 }, Broken: 1 } }, problems);
  assert.deepEqual(editor.args, { FocalLoss: { gamma: 2 } });
  assert.equal(problems.length, 2, problems.join('\n'));
  assert.deepEqual(editorPatch(editor).args, { FocalLoss: { gamma: 2 } });
});
