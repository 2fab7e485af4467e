// `torch.distributions` objects that code builds to initialise a parameter (`Exponential(rate).sample(shape)`):
// the distribution as a value with the attributes PyTorch gives it. `sample`/`rsample` are seeded draws
// (src/core/ops/randomOps.ts), so the probe is reproducible and the summary says what was drawn.
import * as tf from '@tensorflow/tfjs-core';
import { UnsupportedConstruct, UserCodeError } from '../ir/errors';
import type { Span } from '../ir/ir';
import { describe, type Value } from '../ir/values';
import { draw, type Distribution } from '../ops/randomOps';
import type { Evaluator } from './evaluator';

type Family = 'Exponential' | 'Normal' | 'Uniform';

/** The distribution a `torch.distributions` path builds; undefined for any other path. */
function familyOf(path: string): Family | undefined {
  const m = /^torch\.distributions\.(?:(?:exponential|normal|uniform)\.)?(Exponential|Normal|Uniform)$/.exec(path);
  return m ? (m[1] as Family) : undefined;
}

/** One parameter: a number or a tensor, as the constructor takes it; its `batch_shape` is the tensor's. */
function parameter(ev: Evaluator, v: Value | undefined, name: string, family: Family, span: Span): tf.Tensor {
  if (!v || v.t === 'none') throw new UserCodeError(`${family}.__init__() missing required argument '${name}'`, span, 'TypeError');
  if (v.t !== 'num' && v.t !== 'tensor' && v.t !== 'bool') throw new UnsupportedConstruct(`${family} with ${name} given as ${describe(v)}`, span);
  return ev.tensor(v, span);
}

/**
 * `sample_shape` as PyTorch reads it: `torch.Size(sample_shape)`, so a tuple or list of ints; an int
 * alone is Python's TypeError ("'int' object is not iterable"), as it is in PyTorch.
 */
function sampleShape(v: Value | undefined, span: Span): number[] {
  if (!v || v.t === 'none') return [];
  if (v.t === 'num') throw new UserCodeError("'int' object is not iterable (sample_shape is a torch.Size, a tuple of sizes)", span, 'TypeError');
  if ((v.t === 'tuple' || v.t === 'list') && v.items.every((i) => i.t === 'num' && Number.isInteger(i.v) && i.v >= 0)) return v.items.map((i) => (i.t === 'num' ? i.v : 0));
  throw new UserCodeError(`sample_shape must be a tuple of sizes, got ${describe(v)}`, span, 'TypeError');
}

export function distribution(ev: Evaluator, path: string, args: Value[], kwargs: Map<string, Value>, span: Span): Value | undefined {
  const family = familyOf(path);
  if (!family) return undefined;
  const arg = (i: number, name: string): Value | undefined => args[i] ?? kwargs.get(name);
  let params: Record<string, tf.Tensor>;
  let mean: tf.Tensor;
  let variance: tf.Tensor;
  let unit: (shape: number[]) => Distribution;
  let transform: (u: tf.Tensor, p: Record<string, tf.Tensor>) => tf.Tensor;
  switch (family) {
    case 'Exponential': {
      const rate = parameter(ev, arg(0, 'rate'), 'rate', family, span);
      params = { rate };
      mean = tf.reciprocal(rate);
      variance = tf.square(mean);
      // A unit-rate draw divided by the rate: the rate's gradient flows as in `rsample`.
      unit = () => ({ kind: 'exponential', rate: 1 });
      transform = (u, p) => tf.div(u, p.rate);
      break;
    }
    case 'Normal': {
      const loc = parameter(ev, arg(0, 'loc'), 'loc', family, span);
      const scale = parameter(ev, arg(1, 'scale'), 'scale', family, span);
      params = { loc, scale };
      mean = tf.add(loc, tf.zerosLike(scale));
      variance = tf.add(tf.square(scale), tf.zerosLike(loc));
      unit = () => ({ kind: 'normal', mean: 0, std: 1 });
      transform = (u, p) => tf.add(p.loc, tf.mul(u, p.scale));
      break;
    }
    case 'Uniform': {
      const low = parameter(ev, arg(0, 'low'), 'low', family, span);
      const high = parameter(ev, arg(1, 'high'), 'high', family, span);
      params = { low, high };
      mean = tf.div(tf.add(low, high), 2);
      variance = tf.div(tf.square(tf.sub(high, low)), 12);
      unit = () => ({ kind: 'uniform', low: 0, high: 1 });
      transform = (u, p) => tf.add(p.low, tf.mul(u, tf.sub(p.high, p.low)));
      break;
    }
  }
  const batchShape = mean.shape;
  const sampler = (name: 'sample' | 'rsample'): Value => ({
    t: 'builtin', name,
    call: (a, k, s) => {
      const shape = [...sampleShape(a[0] ?? k.get('sample_shape'), s), ...batchShape];
      const described = `${family}(${Object.entries(params).map(([k, v]) => `${k} ${v.size === 1 ? Number(v.dataSync()[0].toPrecision(4)) : `[${v.shape.join(', ')}] tensor`}`).join(', ')})`;
      const out = draw(ev.ctx, `${family}.${name}(sample_shape ${JSON.stringify(shape.slice(0, shape.length - batchShape.length))})`, shape, unit(shape), { transform: (u) => transform(u, params), described });
      // `sample` runs under no_grad in PyTorch: only `rsample` carries the parameters' gradient.
      return { t: 'tensor', v: name === 'sample' ? tf.tensor(out.dataSync(), out.shape) : out };
    },
  });
  const attrs = new Map<string, Value>([
    ['sample', sampler('sample')],
    ['rsample', sampler('rsample')],
    ['mean', { t: 'tensor', v: mean }],
    ['variance', { t: 'tensor', v: variance }],
    ['stddev', { t: 'tensor', v: tf.sqrt(variance) }],
    ...Object.entries(params).map(([k, v]): [string, Value] => [k, { t: 'tensor', v }]),
  ]);
  return { t: 'opaque', what: `torch.distributions.${family}`, attrs };
}
