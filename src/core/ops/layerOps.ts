// Batch normalisation and the framework layers that hold parameters (PyTorch's BatchNorm and Conv
// modules). A module the probe builds is a freshly constructed one in inference mode, as the
// interpreter runs every nn.Module (`training` is False): batch normalisation then reads its running
// statistics at their initial values (mean 0, variance 1) with weight 1 and bias 0, so each point of
// a sweep is normalised on its own; batch statistics would make every point depend on the whole
// sweep. A convolution's weight and bias are drawn as PyTorch's `reset_parameters` draws them
// (kaiming_uniform with a = √5, i.e. U(−1/√fan_in, 1/√fan_in), and the bias from the same bound),
// from the evaluation's seeded draws, so the summary quotes them and every run draws the same.
import * as tf from '@tensorflow/tfjs-core';
import { UnsupportedConstruct, UserCodeError } from '../ir/errors';
import { NONE, type Value } from '../ir/values';
import type { OpArgs } from './args';
import { f32, type OpImpl } from './implementations';
import type { OpContext } from './interpreter';
import { draw } from './randomOps';
import { spatialOps } from './spatialOps';

const kept = (t: tf.Tensor): Value => ({ t: 'tensor', v: tf.keep(t) });

/** The class name as written in the source's own docs (`torch.nn.BatchNorm2d` → `BatchNorm2d`). */
const shortName = (op: string): string => op.slice(op.lastIndexOf('.') + 1);

/** A parameter reshaped to broadcast along the channels axis 1 of an (N, C, …) input. */
function perChannel(t: tf.Tensor, name: string, channels: number, rank: number, a: OpArgs): tf.Tensor {
  if (t.size !== channels) throw new UserCodeError(`${name} should contain ${channels} elements not ${t.size}`, a.span, 'RuntimeError');
  return tf.reshape(f32(t), [1, channels, ...new Array<number>(rank - 2).fill(1)]);
}

/**
 * PyTorch's batch normalisation over the channels axis 1: with running statistics and not training,
 * (x − mean) / √(var + eps) from them; training (or without running statistics), from the batch's
 * own mean and biased variance over every axis but the channels. Then × weight + bias when given.
 * The running statistics' momentum update is a side effect that never changes this output.
 */
function batchNorm(a: OpArgs): tf.Tensor {
  const x = f32(a.tensor('x'));
  if (x.rank < 2) throw new UserCodeError(`${shortName(a.op)}: expected an (N, C, …) input of at least 2 dimensions, got ${x.rank}-D`, a.span, 'ValueError');
  const channels = x.shape[1] ?? 0;
  const mean = a.optTensor('running_mean');
  const variance = a.optTensor('running_var');
  const training = a.bool('training') || !mean || !variance;
  const eps = a.num('eps', 1e-5);
  let centred: tf.Tensor;
  let scale: tf.Tensor;
  if (training) {
    const perChannelCount = x.size / Math.max(1, channels);
    if (perChannelCount <= 1) throw new UserCodeError(`Expected more than 1 value per channel when training, got input size [${x.shape.join(', ')}]`, a.span, 'ValueError');
    const axes = x.shape.map((_, k) => k).filter((k) => k !== 1);
    const moments = tf.moments(x, axes, true);
    centred = tf.sub(x, moments.mean);
    scale = tf.rsqrt(tf.add(moments.variance, eps));
  } else {
    centred = tf.sub(x, perChannel(mean, 'running_mean', channels, x.rank, a));
    scale = tf.rsqrt(tf.add(perChannel(variance, 'running_var', channels, x.rank, a), eps));
  }
  let y = tf.mul(centred, scale);
  const weight = a.optTensor('weight');
  if (weight) y = tf.mul(y, perChannel(weight, 'weight', channels, x.rank, a));
  const bias = a.optTensor('bias');
  if (bias) y = tf.add(y, perChannel(bias, 'bias', channels, x.rank, a));
  return y;
}

/** The input ranks each BatchNorm module takes (its `_check_input_dim`), by spatial dimensions. */
const batchNormRanks: Record<number, number[]> = { 1: [2, 3], 2: [4], 3: [5] };

const batchNormModule: OpImpl = {
  run: (a) => {
    const x = a.tensor('x');
    const ranks = batchNormRanks[a.num('dims')] ?? [];
    if (!ranks.includes(x.rank)) throw new UserCodeError(`expected ${ranks.map((r) => `${r}D`).join(' or ')} input (got ${x.rank}D input)`, a.span, 'ValueError');
    return batchNorm(a);
  },
};

/** A BatchNorm module's parameters and buffers as constructed: weight 1, bias 0, running mean 0, running variance 1. */
function batchNormState(a: OpArgs, ctx: OpContext): Map<string, Value> {
  const channels = a.num('num_features');
  if (!Number.isInteger(channels) || channels < 1) throw new UserCodeError(`${shortName(a.op)}: num_features must be a positive integer, got ${channels}`, a.span, 'ValueError');
  const affine = a.bool('affine', true);
  const track = a.bool('track_running_stats', true);
  const eps = a.num('eps', 1e-5);
  ctx.assume(track
    ? `${shortName(a.op)}(${channels}) in eval mode: running mean 0, running var 1${affine ? ', weight 1, bias 0' : ''}, eps ${eps}`
    : `${shortName(a.op)}(${channels}, track_running_stats=False): batch statistics`);
  return new Map<string, Value>([
    ['num_features', { t: 'num', v: channels, int: true }],
    ['eps', { t: 'num', v: eps, int: false }],
    ['weight', affine ? kept(tf.ones([channels])) : NONE],
    ['bias', affine ? kept(tf.zeros([channels])) : NONE],
    ['running_mean', track ? kept(tf.zeros([channels])) : NONE],
    ['running_var', track ? kept(tf.ones([channels])) : NONE],
  ]);
}

/** An int or a sequence of ints as `dims` numbers (PyTorch's `_ntuple`). */
function perDim(v: Value | undefined, dims: number, what: string, a: OpArgs): number[] {
  if (v?.t === 'num') return new Array<number>(dims).fill(v.v);
  if ((v?.t === 'tuple' || v?.t === 'list') && v.items.length === dims && v.items.every((i) => i.t === 'num')) return v.items.map((i) => (i.t === 'num' ? i.v : NaN));
  throw new UserCodeError(`${shortName(a.op)}: ${what} must be an int or ${dims} ints`, a.span, 'TypeError');
}

/** A Conv module's weight (out, in / groups, k…) and bias (out), drawn as `reset_parameters` draws them. */
function convState(a: OpArgs, ctx: OpContext): Map<string, Value> {
  const dims = a.num('dims');
  const name = shortName(a.op);
  const cin = a.num('in_channels');
  const cout = a.num('out_channels');
  const groups = a.num('groups', 1);
  const kernel = perDim(a.value('kernel_size'), dims, 'kernel_size', a);
  if (![cin, cout, groups, ...kernel].every((v) => Number.isInteger(v) && v > 0)) throw new UserCodeError(`${name}: channels, groups and kernel_size must be positive integers`, a.span, 'ValueError');
  if (cin % groups !== 0) throw new UserCodeError('in_channels must be divisible by groups', a.span, 'ValueError');
  if (cout % groups !== 0) throw new UserCodeError('out_channels must be divisible by groups', a.span, 'ValueError');
  const mode = a.str('padding_mode', 'zeros');
  if (mode !== 'zeros') throw new UnsupportedConstruct(`${name}(padding_mode='${mode}')`, a.span, "only padding_mode='zeros' is translated");
  const fanIn = (cin / groups) * kernel.reduce((p, k) => p * k, 1);
  const bound = 1 / Math.sqrt(fanIn);
  const signature = `${name}(${cin}, ${cout}, ${kernel.join('×')}${groups > 1 ? `, groups=${groups}` : ''})`;
  const uniform = { kind: 'uniform', low: -bound, high: bound } as const;
  const described = { transform: (t: tf.Tensor) => t, described: `U(−1/√${fanIn}, 1/√${fanIn}), as reset_parameters draws it` };
  const weight = draw(ctx, `${signature}.weight`, [cout, cin / groups, ...kernel], uniform, described);
  const bias = a.bool('use_bias', true) ? draw(ctx, `${signature}.bias`, [cout], uniform, described) : undefined;
  return new Map<string, Value>([
    ['in_channels', { t: 'num', v: cin, int: true }],
    ['out_channels', { t: 'num', v: cout, int: true }],
    ['weight', kept(weight)],
    ['bias', bias ? kept(bias) : NONE],
  ]);
}

const convModule: OpImpl = {
  run: (a, ctx) => {
    const dims = a.num('dims');
    const x = a.tensor('x');
    if (x.rank !== dims + 1 && x.rank !== dims + 2) {
      throw new UserCodeError(`Expected ${dims + 1}D (unbatched) or ${dims + 2}D (batched) input to conv${dims}d, but got input of size: [${x.shape.join(', ')}]`, a.span, 'RuntimeError');
    }
    return spatialOps.conv_torch.run(a, ctx);
  },
};

export const layerOps: Record<string, OpImpl> = {
  batch_norm_torch: { run: (a) => batchNorm(a) },
  batch_norm_module: batchNormModule,
  conv_module: convModule,
};

/** Module states by the name a class row gives (`moduleRow(…, { state })`). */
export const moduleStates: Record<string, (a: OpArgs, ctx: OpContext) => Map<string, Value>> = {
  batch_norm: batchNormState,
  conv: convState,
};
