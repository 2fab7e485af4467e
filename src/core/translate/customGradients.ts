// Functions that bring their own gradient (`jax.custom_vjp`/`custom_jvp` with `defvjp`/`defjvp`,
// `tf.custom_gradient`, `torch.autograd.Function`) run under tf.customGrad, so autodiff uses the
// user's gradient rather than differentiating the forward pass.
import * as tf from '@tensorflow/tfjs-core';
import { withGradient } from '../ops/customGradient';
import { UnsupportedConstruct } from '../ir/errors';
import type { Expr, Span } from '../ir/ir';
import { NONE, tuple, type ClassValue, type FunctionValue, type Value } from '../ir/values';
import { classAttribute } from './classes';
import { toTensor } from './conversions';
import type { Evaluator } from './evaluator';
import type { Scope } from './scope';

/** `f.defvjp(fwd, bwd)` / `f.defjvp(jvp)` after a `jax.custom_vjp`/`custom_jvp` definition: the rule it attaches. */
export function applyDefVjp(ev: Evaluator, fnValue: Value, call: Expr, scope: Scope): void {
  if (fnValue.t !== 'func' || call.kind !== 'call' || call.callee.kind !== 'attribute') return;
  const args = call.args.map((a) => ev.expr(a.value, scope));
  if (call.callee.name === 'defvjp') fnValue.custom = { kind: 'custom_vjp', fwd: args[0], bwd: args[1] };
  else fnValue.custom = { kind: 'custom_jvp', jvp: args[0] };
}

/** `Function.apply` of a `torch.autograd.Function`: forward under its own backward, with a `ctx` for saved tensors. */
export function autogradApply(ev: Evaluator, cls: ClassValue, span: Span): Value {
  const forward = classAttribute(cls, 'forward');
  const backward = classAttribute(cls, 'backward');
  if (!forward || forward.t !== 'func') throw new UnsupportedConstruct(`${cls.def.name}.apply`, span, 'no forward');
  return {
    t: 'builtin',
    name: `${cls.def.name}.apply`,
    call: (args) => {
      const ctxObj: Value = { t: 'opaque', what: 'autograd context', attrs: new Map() };
      const saved: Value[] = [];
      ctxObj.attrs!.set('save_for_backward', { t: 'builtin', name: 'save_for_backward', call: (ts) => { saved.push(...ts); return NONE; } });
      ctxObj.attrs!.set('mark_non_differentiable', { t: 'builtin', name: 'mark_non_differentiable', call: () => NONE });
      ctxObj.attrs!.set('set_materialize_grads', { t: 'builtin', name: 'set_materialize_grads', call: () => NONE });
      const tensorArgs = args.map((a) => (a.t === 'tensor' ? a.v : undefined));
      if (!backward || backward.t !== 'func' || tensorArgs.some((t) => t === undefined) || args.length === 0) {
        return ev.callFunction(forward, [ctxObj, ...args], new Map(), span);
      }
      const inputs = tensorArgs as tf.Tensor[];
      const run = withGradient(
        (xs) => {
          const value = ev.callFunction(forward, [ctxObj, ...xs.map((x) => ({ t: 'tensor', v: x }) as Value)], new Map(), span);
          ctxObj.attrs!.set('saved_tensors', tuple(saved));
          ctxObj.attrs!.set('needs_input_grad', tuple(inputs.map(() => ({ t: 'bool', v: true }) as Value)));
          return toTensor(value, span);
        },
        (dy, xs) => {
          const g = ev.callFunction(backward, [ctxObj, { t: 'tensor', v: dy }], new Map(), span);
          const grads = g.t === 'tuple' || g.t === 'list' ? g.items : [g];
          return xs.map((x, i) => (grads[i] && grads[i].t !== 'none' ? tf.broadcastTo(toTensor(grads[i], span), x.shape) : tf.zerosLike(x)));
        },
      );
      return { t: 'tensor', v: run(...inputs) };
    },
  };
}

/** Functions with their own gradient run under tf.customGrad so autodiff uses that gradient. */
export function callCustom(ev: Evaluator, fn: FunctionValue, args: Value[], kwargs: Map<string, Value>, span: Span): Value {
  // The same function without its rule: what the rule's own forward pass calls.
  const plain: FunctionValue = { ...fn, custom: undefined };
  const custom = fn.custom!;
  const tensorIdx = args.map((a, i) => (a.t === 'tensor' ? i : -1)).filter((i) => i >= 0);
  if (tensorIdx.length === 0) return ev.callFunction(plain, args, kwargs, span);
  const inputs = tensorIdx.map((i) => (args[i] as { v: tf.Tensor }).v);
  const withInputs = (xs: tf.Tensor[]): Value[] => {
    const out = [...args];
    tensorIdx.forEach((i, k) => { out[i] = { t: 'tensor', v: xs[k] }; });
    return out;
  };
  const asGrads = (g: Value, xs: tf.Tensor[]): tf.Tensor[] => {
    const items = g.t === 'tuple' || g.t === 'list' ? g.items : [g];
    return xs.map((x, k) => {
      const gi = items[tensorIdx.length === items.length ? k : tensorIdx[k]] ?? items[k];
      return gi && gi.t !== 'none' ? tf.broadcastTo(toTensor(gi, span), x.shape) : tf.zerosLike(x);
    });
  };
  if (custom.kind === 'custom_vjp') {
    if (!custom.fwd || !custom.bwd) return ev.callFunction(plain, args, kwargs, span);
    const fwd = custom.fwd;
    const bwd = custom.bwd;
    let residuals: Value = NONE;
    const run = withGradient(
      (xs) => {
        const out = ev.callValue(fwd, withInputs(xs), kwargs, span);
        const parts = out.t === 'tuple' || out.t === 'list' ? out.items : [out];
        residuals = parts[1] ?? NONE;
        return toTensor(parts[0], span);
      },
      (dy, xs) => asGrads(ev.callValue(bwd, [residuals, { t: 'tensor', v: dy }], new Map(), span), xs),
    );
    return { t: 'tensor', v: run(...inputs) };
  }
  if (custom.kind === 'custom_jvp') {
    if (!custom.jvp) return ev.callFunction(plain, args, kwargs, span);
    const jvp = custom.jvp;
    // Elementwise functions: the JVP with unit tangents is the derivative, so the VJP is dy * that.
    let tangent: tf.Tensor | undefined;
    const run = withGradient(
      (xs) => {
        const out = ev.callValue(jvp, [tuple(xs.map((x) => ({ t: 'tensor', v: x }) as Value)), tuple(xs.map((x) => ({ t: 'tensor', v: tf.onesLike(x) }) as Value))], new Map(), span);
        const parts = out.t === 'tuple' || out.t === 'list' ? out.items : [out];
        tangent = toTensor(parts[1], span);
        return toTensor(parts[0], span);
      },
      (dy, xs) => xs.map(() => tf.mul(dy, tangent!)),
    );
    return { t: 'tensor', v: run(...inputs) };
  }
  // tf.custom_gradient: the function returns (value, grad_fn)
  let gradFn: Value = NONE;
  const run = withGradient(
    (xs) => {
      const out = ev.callFunction(plain, withInputs(xs), kwargs, span);
      const parts = out.t === 'tuple' || out.t === 'list' ? out.items : [out];
      if (parts.length < 2) throw new UnsupportedConstruct('tf.custom_gradient function that does not return (value, grad)', fn.def.span);
      gradFn = parts[1];
      return toTensor(parts[0], span);
    },
    (dy, xs) => asGrads(ev.callValue(gradFn, [{ t: 'tensor', v: dy }], new Map(), span), xs),
  );
  return { t: 'tensor', v: run(...inputs) };
}
