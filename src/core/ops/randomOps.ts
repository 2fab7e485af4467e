// Random draws (`torch.randn`, `torch.rand`, their `_like` forms, the legacy `torch.Tensor(2, 3)`
// constructor's uninitialised memory). The probe must be reproducible, so every draw is seeded from
// the evaluation's own counter (`OpContext.nextSeed`): the same function probed twice draws the same
// numbers, while two draws within one evaluation differ, as they do in the framework. Each draw is
// recorded through `OpContext.assume`, so the summary says which values the probe ran with.
import * as tf from '@tensorflow/tfjs-core';
import { UserCodeError } from '../ir/errors';
import type { Value } from '../ir/values';
import type { OpArgs } from './args';
import { checkSize, f32, type OpImpl } from './implementations';
import type { OpContext } from './interpreter';

/**
 * Tuples that are a PyTorch `torch.Size` (what `x.size()` and `x.shape` give): the legacy constructor
 * `torch.Tensor(x.size())` reads one as a shape, while a plain tuple or list is data.
 */
const torchSizes = new WeakSet<Value>();

export function markTorchSize(v: Value): Value {
  torchSizes.add(v);
  return v;
}

export function isTorchSize(v: Value): boolean {
  return torchSizes.has(v);
}

/** At most this many drawn values are quoted in the summary; a larger draw is described by its shape. */
const QUOTED = 6;

export type Distribution = { kind: 'normal'; mean: number; std: number } | { kind: 'uniform'; low: number; high: number } | { kind: 'exponential'; rate: number };

export function describeDistribution(d: Distribution): string {
  switch (d.kind) {
    case 'normal': return `N(${d.mean}, ${d.std}²)`;
    case 'uniform': return `U[${d.low}, ${d.high})`;
    case 'exponential': return `Exponential(rate ${d.rate})`;
  }
}

/**
 * A seeded draw of `shape` from `d`, recorded for the summary under `what` (the call as written).
 * The exponential is the inverse CDF of a seeded uniform, −log(1 − U) / rate.
 */
export function draw(ctx: OpContext, what: string, shape: number[], d: Distribution, then?: { transform: (t: tf.Tensor) => tf.Tensor; described: string }): tf.Tensor {
  const seed = ctx.nextSeed();
  const drawn = tf.tidy(() => {
    switch (d.kind) {
      case 'normal': return tf.randomNormal(shape, d.mean, d.std, 'float32', seed);
      case 'uniform': return tf.randomUniform(shape, d.low, d.high, 'float32', seed);
      case 'exponential': return tf.div(tf.neg(tf.log1p(tf.neg(tf.randomUniform(shape, 0, 1, 'float32', seed)))), d.rate);
    }
  });
  // A distribution with tensor parameters is a standard draw moved and scaled by them (their gradient flows).
  const t = then ? then.transform(drawn) : drawn;
  const values = Array.from(t.dataSync().slice(0, QUOTED), (v) => Number(v.toPrecision(4)));
  const quoted = t.size <= QUOTED ? `[${values.join(', ')}]` : `a [${t.shape.join(', ')}] tensor starting [${values.join(', ')}, …]`;
  ctx.assume(`${what} = ${quoted} (${then?.described ?? describeDistribution(d)}, fixed seed ${seed})`);
  return t;
}

function distributionOf(a: OpArgs, kind: 'normal' | 'uniform'): Distribution {
  if (kind === 'normal') {
    const std = a.num('std', 1);
    if (std < 0) throw new UserCodeError(`${a.op}: std must be non-negative, got ${std}`, a.span, 'RuntimeError');
    return { kind, mean: a.num('mean', 0), std };
  }
  const low = a.num('low', 0);
  const high = a.num('high', 1);
  if (!(low <= high)) throw new UserCodeError(`${a.op}: expects low <= high, got ${low} and ${high}`, a.span, 'RuntimeError');
  return { kind, low, high };
}

function sized(kind: 'normal' | 'uniform'): OpImpl {
  return {
    run: (a, ctx) => {
      const s = a.shape('shape');
      checkSize(s, a);
      return draw(ctx, `${a.op}(${s.join(', ')})`, s, distributionOf(a, kind));
    },
  };
}

function like(kind: 'normal' | 'uniform'): OpImpl {
  return { run: (a, ctx) => draw(ctx, `${a.op}(<[${a.tensor('x').shape.join(', ')}] tensor>)`, a.tensor('x').shape, distributionOf(a, kind)) };
}

/**
 * The legacy constructor `torch.Tensor(…)` / `torch.FloatTensor(…)`: integers or one `torch.Size` are a
 * shape (uninitialised memory in PyTorch, zeros here: code that reads it before writing is wrong on
 * any value), anything else is data, as `torch.tensor` reads it, but always float.
 */
const legacyTensor: OpImpl = {
  run: (a) => {
    const items = a.list('x');
    const first = items[0];
    const asShape = items.length === 1 && isTorchSize(first) && first.t === 'tuple' ? first.items : items.length >= 1 && items.every((v) => v.t === 'num' && v.int) ? items : undefined;
    if (asShape) {
      const s = asShape.map((v) => (v.t === 'num' ? v.v : NaN));
      if (s.some((d) => !Number.isInteger(d) || d < 0)) throw new UserCodeError(`${a.op}: a shape of non-negative integers was expected`, a.span, 'TypeError');
      checkSize(s, a);
      return tf.zeros(s);
    }
    if (items.length === 0) return tf.zeros([0]);
    if (items.length > 1) throw new UserCodeError(`${a.op}: new() received an invalid combination of arguments`, a.span, 'TypeError');
    return f32(a.asTensor(items[0]));
  },
  tags: ['range-preserving'],
};

export const randomOps: Record<string, OpImpl> = {
  random_normal: sized('normal'),
  random_uniform: sized('uniform'),
  random_normal_like: like('normal'),
  random_uniform_like: like('uniform'),
  legacy_tensor: legacyTensor,
};
