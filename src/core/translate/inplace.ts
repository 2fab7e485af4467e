// In-place tensor methods (`x.mul_(2)`, `loss.masked_fill_(m, 0)`, `x.zero_()`, `x.index_put_(…)`)
// as functional updates: the method's out-of-place result becomes the tensor's new value, which the
// evaluator stores into the receiver so every alias sees it. The gradient is the out-of-place op's:
// an overwritten part of the old value gets none.
import * as tf from '@tensorflow/tfjs-core';
import { detach } from '../ops/implementations';
import { draw } from '../ops/randomOps';
import { UnsupportedConstruct, UserCodeError } from '../ir/errors';
import type { Framework } from '../ir/frameworks';
import type { Span } from '../ir/ir';
import { describe, type Value } from '../ir/values';
import { attribute } from './attributes';
import type { Evaluator } from './evaluator';
import { tensorAddIndex, tensorSetIndex } from './indexing';

/** Tensors that can change in place: PyTorch's and NumPy's (JAX, TensorFlow and TF.js tensors are immutable). */
export function mutableTensors(framework: Framework): boolean {
  return framework === 'pytorch' || framework === 'numpy';
}

export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** `mul_` → `mul`; not dunder names (`__init__`) nor names that only end in an underscore by convention. */
export function inplaceBaseName(name: string): string | undefined {
  if (!/^[a-z]([a-z0-9_]*[a-z0-9])?_$/.test(name) || name.endsWith('__')) return undefined;
  return name.slice(0, -1);
}

/** In-place methods that may change the tensor's shape (all others keep it, as PyTorch requires). */
const reshaping = new Set(['unsqueeze', 'squeeze', 't', 'transpose', 'swapaxes', 'swapdims', 'resize', 'resize_as', 'as_strided', 'set']);

/** Methods whose in-place form keeps the tensor as it is for the probe (autograd and memory bookkeeping). */
const bookkeeping = new Set(['requires_grad', 'retain_grad', 'share_memory', 'record_stream']);

type TensorValue = Extract<Value, { t: 'tensor' }>;

/** The value `self` holds after `self.<base>_(args)`. */
export function inplaceResult(ev: Evaluator, self: TensorValue, base: string, args: Value[], kwargs: Map<string, Value>, span: Span): tf.Tensor {
  const x = self.v;
  const arg = (i: number, name: string): Value | undefined => args[i] ?? kwargs.get(name);
  const tensorArg = (i: number, name: string): tf.Tensor => {
    const v = arg(i, name);
    if (!v) throw new UserCodeError(`${base}_() is missing its argument '${name}'`, span, 'TypeError');
    return ev.tensor(v, span);
  };
  if (bookkeeping.has(base)) return x;
  let next: tf.Tensor;
  switch (base) {
    case 'zero': next = tf.zerosLike(x); break;
    case 'fill': next = broadcastInto(tensorArg(0, 'value'), x, base, span); break;
    case 'copy': next = broadcastInto(tensorArg(0, 'src'), x, base, span); break;
    case 'detach': next = detach(x); break;
    // Refills with a seeded draw (`torch.empty(n).normal_(0, 1)`, `w.uniform_(-b, b)`): the values are in the summary.
    case 'normal': next = draw(ev.ctx, `normal_() of a [${x.shape.join(', ')}] tensor`, x.shape, { kind: 'normal', mean: numArg(arg(0, 'mean'), 0), std: numArg(arg(1, 'std'), 1) }); break;
    case 'uniform': next = draw(ev.ctx, `uniform_() of a [${x.shape.join(', ')}] tensor`, x.shape, { kind: 'uniform', low: numArg(arg(0, 'from'), 0), high: numArg(arg(1, 'to'), 1) }); break;
    case 'exponential': next = draw(ev.ctx, `exponential_() of a [${x.shape.join(', ')}] tensor`, x.shape, { kind: 'exponential', rate: numArg(arg(0, 'lambd'), 1) }); break;
    case 'index_put': {
      const indices = arg(0, 'indices');
      if (!indices || (indices.t !== 'tuple' && indices.t !== 'list')) throw new UnsupportedConstruct(`index_put_ with indices as ${indices ? describe(indices) : 'nothing'}`, span);
      const accumulate = arg(2, 'accumulate');
      const values = tensorArg(1, 'values');
      const index: Value = { t: 'tuple', items: indices.items };
      next = accumulate?.t === 'bool' && accumulate.v ? tensorAddIndex(x, index, values, span, ev.ctx.framework) : tensorSetIndex(x, index, values, span, ev.ctx.framework);
      break;
    }
    case 'masked_fill': {
      const mask = tf.cast(detach(tensorArg(0, 'mask')), 'bool');
      const value = tensorArg(1, 'value');
      next = tf.where(tf.broadcastTo(mask, x.shape), tf.broadcastTo(value.dtype === x.dtype ? value : tf.cast(value, x.dtype), x.shape), x);
      break;
    }
    default: {
      // Any other method: its out-of-place form (`clamp_` is `clamp`, `scatter_` is `scatter`).
      let method: Value;
      try {
        method = attribute(ev, self, base, span);
      } catch (err) {
        if (err instanceof UnsupportedConstruct) throw new UnsupportedConstruct(`in-place method .${base}_()`, span, `.${base}() is not supported`);
        throw err;
      }
      const out = ev.callValue(method, args, kwargs, span);
      if (out.t !== 'tensor') throw new UnsupportedConstruct(`in-place method .${base}_()`, span, `.${base}() returns ${describe(out)}`);
      next = out.v;
    }
  }
  if (!reshaping.has(base) && !sameShape(next.shape, x.shape)) {
    throw new UserCodeError(`output with shape [${x.shape.join(', ')}] doesn't match the broadcast shape [${next.shape.join(', ')}] (in ${base}_())`, span, 'RuntimeError');
  }
  return next;
}

/** A distribution's parameter: a number or a one-element tensor (`normal_(mean=0, std=1)`). */
function numArg(v: Value | undefined, fallback: number): number {
  if (!v || v.t === 'none') return fallback;
  if (v.t === 'num') return v.v;
  if (v.t === 'tensor' && v.v.size === 1) return v.v.dataSync()[0];
  throw new UnsupportedConstruct(`a distribution parameter given as ${describe(v)}`, undefined, 'a number is expected');
}

function broadcastInto(v: tf.Tensor, x: tf.Tensor, op: string, span: Span): tf.Tensor {
  try {
    return tf.broadcastTo(v.dtype === x.dtype ? v : tf.cast(v, x.dtype), x.shape);
  } catch {
    throw new UserCodeError(`${op}_(): a value of shape [${v.shape.join(', ')}] cannot be broadcast to [${x.shape.join(', ')}]`, span, 'RuntimeError');
  }
}
