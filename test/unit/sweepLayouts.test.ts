// An activation that refuses the sweep's 1-D points (an assert on its rank, a BatchNorm or Conv module
// that wants a batch or an image) gets the same points again as (N, 1) features, a (1, 1, H, W) image
// or a (1, 1, N) sequence (src/core/probe/layout.ts), and the summary says which. Batch normalisation
// runs as a fresh module in eval mode (running mean 0, var 1, weight 1, bias 0); a convolution's
// weights are drawn as PyTorch's reset_parameters draws them. Fixture: test/fixtures/layouts.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { analyzeSources } from '../../src/core/analyze';
import { defaultSettings, mergeSettings } from '../../src/core/config/settings';
import type { FileReport, FunctionReport } from '../../src/core/findings/types';
import { OpArgs, parseParam } from '../../src/core/ops/args';
import type { OpContext } from '../../src/core/ops/interpreter';
import { moduleStates } from '../../src/core/ops/layerOps';
import type { Value } from '../../src/core/ir/values';

const file = 'layered_activations.py';
let report: FileReport;

before(async () => {
  const text = readFileSync(join(__dirname, '..', '..', 'test', 'fixtures', 'layouts', file), 'utf8');
  [report] = await analyzeSources([{ path: file, text }], { settings: mergeSettings(defaultSettings, { backend: 'cpu', timeBudgetMs: 20_000 }) });
});

function probed(name: string): FunctionReport {
  const fn = report.functions.find((f) => f.name === name);
  assert.ok(fn, `${name} is not listed`);
  assert.equal(fn.probe.status, 'ok', fn.summary);
  return fn;
}

const codes = (name: string): string[] => report.findings.filter((f) => f.function === name).map((f) => f.code);

test('a function asserting a 2-D batch is probed on (N, 1) features, with BatchNorm1d in eval mode', () => {
  const fn = probed('GatedBatchNorm');
  assert.match(fn.summary, /input laid out as \(2809, 1\) \(a batch of one-feature samples\): the 1-D sweep was refused \(assertion failed\)/);
  assert.match(fn.summary, /BatchNorm1d\(1\) in eval mode: running mean 0, running var 1, weight 1, bias 0, eps 0\.001/);
  // Elementwise on that layout: the depth probe runs, and f is x · σ(x / √(1 + eps)) point by point.
  assert.doesNotMatch(fn.summary, /depth not probed|depth and monotonicity not probed/);
  const data = fn.data;
  assert.ok(data?.kind === 'activation');
  const { x, f } = data.sweep;
  for (const i of [0, 700, 1000, 1300, 2000]) {
    const want = x[i] / (1 + Math.exp(-x[i] / Math.sqrt(1 + 1e-3)));
    assert.ok(Math.abs(f[i] - want) <= 1e-4 * Math.max(1, Math.abs(want)), `f(${x[i]}) = ${f[i]}, expected ${want}`);
  }
});

test('a convolution over an image is probed on a (1, 1, H, W) image; its coupled outputs get no depth or monotonicity verdict', () => {
  const fn = probed('SpatialMax');
  assert.match(fn.summary, /input laid out as \(1, 1, 53, 53\) \(one single-channel image, row by row\): the 1-D sweep was refused \(Expected 3D \(unbatched\) or 4D \(batched\) input to conv2d/);
  assert.match(fn.summary, /depth and monotonicity not probed: each output depends on its neighbours in the \(1, 1, 53, 53\) layout/);
  assert.match(fn.summary, /Conv2d\(1, 1, 3×3\)\.weight = a \[1, 1, 3, 3\] tensor starting .*U\(−1\/√9, 1\/√9\), as reset_parameters draws it, fixed seed 1/);
  assert.match(fn.summary, /BatchNorm2d\(1\) in eval mode/);
  assert.deepEqual(codes('SpatialMax').filter((c) => ['GP108', 'GP109', 'GP110', 'GP111'].includes(c)), []);
});

test('a 1-D convolution is probed on a (1, 1, N) sequence', () => {
  const fn = probed('SequenceGate');
  assert.match(fn.summary, /input laid out as \(1, 1, 2809\) \(one single-channel sequence\)/);
  assert.match(fn.summary, /Conv1d\(1, 1, 5\)\.weight = /);
});

test('a function that refuses every layout reports the 1-D error, as before', () => {
  const fn = report.functions.find((f) => f.name === 'VolumeOnly');
  assert.ok(fn, 'VolumeOnly is not listed');
  assert.equal(fn.probe.status, 'unsupported');
  assert.match(fn.probe.reason ?? '', /a volume \(N, C, D, H, W\) is expected/);
});

test('a function that takes the 1-D points is probed on them, as before', () => {
  const fn = probed('swish');
  assert.doesNotMatch(fn.summary, /laid out/);
  assert.doesNotMatch(fn.summary, /depth not probed/);
});

function context(): OpContext & { notes: string[] } {
  let seed = 0;
  const notes: string[] = [];
  return { framework: 'pytorch', maxElements: 1e7, finish: (t) => t, nextSeed: () => ++seed, assume: (t) => notes.push(t), notes };
}

const span = { startLine: 0, startCol: 0, endLine: 0, endCol: 0 };
const num = (v: number): Value => ({ t: 'num', v, int: Number.isInteger(v) });
const convParams = ['in_channels', 'out_channels', 'kernel_size', 'stride=1', 'padding=0', 'dilation=1', 'groups=1', 'bias:use_bias=True', "padding_mode='zeros'"].map(parseParam);

test('a grouped Conv2d module holds (out, in / groups, k, k) weights and a bias, inside ±1/√fan_in', () => {
  const ctx = context();
  const args = OpArgs.bind('torch.nn.Conv2d', convParams, [num(4), num(8), num(3)], new Map([['groups', num(2)]]), span, () => { throw new Error('no tensors here'); }, { dims: num(2) });
  const state = moduleStates.conv(args, ctx);
  const weight = state.get('weight');
  const bias = state.get('bias');
  assert.ok(weight?.t === 'tensor' && bias?.t === 'tensor');
  assert.deepEqual(weight.v.shape, [8, 2, 3, 3]);
  assert.deepEqual(bias.v.shape, [8]);
  const bound = 1 / Math.sqrt(2 * 3 * 3);
  const values = [...weight.v.dataSync(), ...bias.v.dataSync()];
  assert.ok(values.every((v) => Math.abs(v) <= bound), `a value outside ±${bound}`);
  // Spread over the interval, not a constant: the largest magnitude is near the bound.
  assert.ok(Math.max(...values.map(Math.abs)) > 0.8 * bound);
  assert.equal(ctx.notes.length, 2);
});

test('a Conv module refuses channels that groups do not divide, and padding modes other than zeros', () => {
  const bind = (kwargs: [string, Value][]): OpArgs => OpArgs.bind('torch.nn.Conv2d', convParams, [num(3), num(4), num(3)], new Map(kwargs), span, () => { throw new Error('no tensors here'); }, { dims: num(2) });
  assert.throws(() => moduleStates.conv(bind([['groups', num(2)]]), context()), /in_channels must be divisible by groups/);
  assert.throws(() => moduleStates.conv(bind([['padding_mode', { t: 'str', v: 'reflect' }]]), context()), /padding_mode='reflect'/);
});
