// Functions that bring their own gradient (`jax.custom_vjp`/`custom_jvp` with `defvjp`/`defjvp`,
// `tf.custom_gradient`, `torch.autograd.Function`) run under tf.customGrad, so autodiff uses the
// user's gradient rather than differentiating the forward pass. Hyper-parameters (numbers, flags)
// pass through untouched and get no gradient; tensors the forward pass leaves for the backward
// (on `ctx`, in residuals, in the gradient function's closure) are kept alive until it runs.
import * as tf from '@tensorflow/tfjs-core';
import { gradsInBackward, withGradient } from '../ops/customGradient';
import { UnsupportedConstruct } from '../ir/errors';
import type { Expr, Span } from '../ir/ir';
import { NONE, num, tuple, type ClassValue, type FunctionValue, type Value } from '../ir/values';
import { classAttribute } from './classes';
import { toTensor } from './conversions';
import type { Evaluator } from './evaluator';
import type { Scope } from './scope';

/** `f.defvjp(fwd, bwd)` / `f.defjvp(jvp)` after a `jax.custom_vjp`/`custom_jvp` definition: the rule it attaches. */
export function applyDefVjp(ev: Evaluator, fnValue: Value, call: Expr, scope: Scope): void {
  if (fnValue.t !== 'func' || call.kind !== 'call' || call.callee.kind !== 'attribute') return;
  const args = call.args.map((a) => ev.expr(a.value, scope));
  const nondiff = fnValue.custom?.kind === 'custom_vjp' ? fnValue.custom.nondiff : undefined;
  if (call.callee.name === 'defvjp') fnValue.custom = { kind: 'custom_vjp', fwd: args[0], bwd: args[1], nondiff };
  else fnValue.custom = { kind: 'custom_jvp', jvp: args[0] };
}

/**
 * Keeps the tensors a value holds (through lists, dicts, objects and a function's closure) so they
 * outlive the forward pass's tidy scope and reach the backward pass; the probe's outermost tensor
 * scope releases them.
 */
function keepReachable(v: Value, seen = new Set<unknown>(), depth = 0): void {
  if (depth > 12 || seen.has(v)) return;
  seen.add(v);
  switch (v.t) {
    case 'tensor': if (!v.v.isDisposed) tf.keep(v.v); return;
    case 'list': case 'tuple': for (const i of v.items) keepReachable(i, seen, depth + 1); return;
    case 'dict': for (const i of v.map.values()) keepReachable(i, seen, depth + 1); return;
    case 'instance': for (const i of v.attrs.values()) keepReachable(i, seen, depth + 1); return;
    case 'opaque': case 'builtin': for (const i of v.attrs?.values() ?? []) keepReachable(i, seen, depth + 1); return;
    case 'func': {
      // The gradient function's closure: the calls it is nested in (not the module's constants).
      for (let s = v.closure as Scope | undefined; s?.parent; s = s.parent) {
        if (seen.has(s)) break;
        seen.add(s);
        for (const i of s.vars.values()) keepReachable(i, seen, depth + 1);
      }
      return;
    }
    default: return;
  }
}

/** A float tensor: what autodiff differentiates (integer labels and masks are not). */
function differentiable(v: Value): boolean {
  return v.t === 'tensor' && v.v.dtype === 'float32';
}

function items(v: Value): Value[] {
  return v.t === 'tuple' || v.t === 'list' ? v.items : [v];
}

/** A gradient for each input tensor: the rule's value broadcast to the input's shape, zeros for None. */
function gradientsFor(grads: Value[], xs: tf.Tensor[], span: Span): tf.Tensor[] {
  return xs.map((x, k) => {
    const g = grads[k];
    if (!g || g.t === 'none') return tf.zerosLike(x);
    const t = toTensor(g, span);
    return t.shape.length === x.shape.length && t.shape.every((d, i) => d === x.shape[i]) ? t : tf.broadcastTo(t, x.shape);
  });
}

/**
 * `Function.apply` of a `torch.autograd.Function`: forward under its own backward, with a `ctx`
 * that stashes anything (`ctx.alpha = …`, `ctx.save_for_backward(…)`, `ctx.needs_input_grad`,
 * `ctx.mark_non_differentiable`). Tensor arguments get the backward's gradients; the others (hyper-
 * parameters) are passed as they are. With several outputs, the first differentiable one carries the
 * gradient; the backward receives zeros for the others.
 */
export function autogradApply(ev: Evaluator, cls: ClassValue, span: Span): Value {
  const forward = classAttribute(cls, 'forward');
  const backward = classAttribute(cls, 'backward');
  if (!forward || (forward.t !== 'func' && forward.t !== 'builtin')) throw new UnsupportedConstruct(`${cls.def.name}.apply`, span, 'it has no forward');
  return {
    t: 'builtin',
    name: `${cls.def.name}.apply`,
    call: (args, _kwargs, callSpan) => {
      const ctxAttrs = new Map<string, Value>();
      const ctxObj: Value = { t: 'opaque', what: 'autograd context', attrs: ctxAttrs };
      const saved: Value[] = [];
      const nonDifferentiable = new Set<Value>();
      ctxAttrs.set('save_for_backward', { t: 'builtin', name: 'save_for_backward', call: (ts) => { saved.push(...ts); return NONE; } });
      ctxAttrs.set('mark_non_differentiable', { t: 'builtin', name: 'mark_non_differentiable', call: (ts) => { ts.forEach((t) => nonDifferentiable.add(t)); return NONE; } });
      for (const name of ['set_materialize_grads', 'mark_dirty', 'mark_shared_storage']) ctxAttrs.set(name, { t: 'builtin', name, call: () => NONE });
      ctxAttrs.set('needs_input_grad', tuple(args.map((a) => ({ t: 'bool', v: differentiable(a) }) as Value)));
      const tensorIdx = args.map((a, i) => (differentiable(a) ? i : -1)).filter((i) => i >= 0);
      if (!backward || (backward.t !== 'func' && backward.t !== 'builtin') || tensorIdx.length === 0) {
        return ev.callValue(forward, [ctxObj, ...args], new Map(), callSpan);
      }
      let outputs: Value[] = [];
      let carrier = 0;
      let single = true;
      const run = withGradient(
        (xs) => {
          const withInputs = [...args];
          tensorIdx.forEach((i, k) => { withInputs[i] = { t: 'tensor', v: xs[k] }; });
          const out = ev.callValue(forward, [ctxObj, ...withInputs], new Map(), callSpan);
          single = out.t !== 'tuple' && out.t !== 'list';
          outputs = items(out);
          carrier = outputs.findIndex((o) => o.t === 'tensor' && !nonDifferentiable.has(o));
          if (carrier < 0) throw new UnsupportedConstruct(`${cls.def.name}.forward`, span, 'it returns no differentiable tensor');
          ctxAttrs.set('saved_tensors', tuple([...saved]));
          ctxAttrs.set('saved_variables', tuple([...saved]));
          keepReachable(ctxObj);
          outputs.forEach((o, i) => { if (i !== carrier) keepReachable(o); });
          return toTensor(outputs[carrier], span);
        },
        (dy, xs) => {
          const gradOutputs = outputs.map((o, i) => (i === carrier ? ({ t: 'tensor', v: dy } as Value) : o.t === 'tensor' ? ({ t: 'tensor', v: tf.zerosLike(o.v) } as Value) : NONE));
          const g = items(ev.callValue(backward, [ctxObj, ...gradOutputs], new Map(), callSpan));
          // The backward returns one gradient per argument of forward, hyper-parameters included (None).
          return gradientsFor(tensorIdx.map((i) => g[i]), xs, span);
        },
      );
      const result: Value = { t: 'tensor', v: run(...tensorIdx.map((i) => (args[i] as { v: tf.Tensor }).v)) };
      if (single) return result;
      return tuple(outputs.map((o, i) => (i === carrier ? result : o)));
    },
  };
}

/** Functions with their own gradient run under tf.customGrad so autodiff uses that gradient. */
export function callCustom(ev: Evaluator, fn: FunctionValue, args: Value[], kwargs: Map<string, Value>, span: Span): Value {
  // The same function without its rule: what the rule's own forward pass calls.
  const plain: FunctionValue = { ...fn, custom: undefined };
  const custom = fn.custom!;
  const nondiff = custom.kind === 'custom_vjp' ? custom.nondiff ?? [] : [];
  const tensorIdx = args.map((a, i) => (differentiable(a) && !nondiff.includes(i) ? i : -1)).filter((i) => i >= 0);
  if (tensorIdx.length === 0) return ev.callFunction(plain, args, kwargs, span);
  const inputs = tensorIdx.map((i) => (args[i] as { v: tf.Tensor }).v);
  const withInputs = (xs: tf.Tensor[]): Value[] => {
    const out = [...args];
    tensorIdx.forEach((i, k) => { out[i] = { t: 'tensor', v: xs[k] }; });
    return out;
  };
  /** The rule's gradients are per differentiable argument (hyper-parameters included): pick the tensors'. */
  const diffPositions = args.map((_, i) => i).filter((i) => !nondiff.includes(i));
  const asGrads = (g: Value, xs: tf.Tensor[]): tf.Tensor[] => {
    const gs = items(g);
    const picked = tensorIdx.map((i, k) => (gs.length === tensorIdx.length ? gs[k] : gs[diffPositions.indexOf(i)]));
    return gradientsFor(picked, xs, span);
  };
  if (custom.kind === 'custom_vjp') {
    if (!custom.fwd || !custom.bwd) return ev.callFunction(plain, args, kwargs, span);
    const fwd = custom.fwd;
    const bwd = custom.bwd;
    let residuals: Value = NONE;
    const run = withGradient(
      (xs) => {
        const out = items(ev.callValue(fwd, withInputs(xs), kwargs, span));
        residuals = out[1] ?? NONE;
        keepReachable(residuals);
        return toTensor(out[0], span);
      },
      // JAX passes the non-differentiable arguments first: bwd(*nondiff, residuals, g).
      (dy, xs) => asGrads(ev.callValue(bwd, [...nondiff.map((i) => args[i] ?? NONE), residuals, { t: 'tensor', v: dy }], new Map(), span), xs),
    );
    return { t: 'tensor', v: run(...inputs) };
  }
  if (custom.kind === 'custom_jvp') {
    if (!custom.jvp) return ev.callFunction(plain, args, kwargs, span);
    const jvp = custom.jvp;
    // The JVP rule is linear in the tangents: out_tangent = J·t. The VJP is Jᵀ·dy, the gradient of
    // <dy, J·t> with respect to t, so reverse mode differentiates the rule itself with respect to
    // its tangents (at t = 0). This holds for any rule, elementwise or not, one input or several.
    const callRule = (xs: tf.Tensor[], ts: tf.Tensor[]): Value[] => {
      const tangents: Value[] = args.map(() => num(0));
      tensorIdx.forEach((i, k) => { tangents[i] = { t: 'tensor', v: ts[k] }; });
      return items(ev.callValue(jvp, [tuple(withInputs(xs)), tuple(tangents)], new Map(), span));
    };
    const run = withGradient(
      (xs) => toTensor(callRule(xs, xs.map((x) => tf.zerosLike(x)))[0], span),
      (dy, xs) => gradsInBackward((...ts: tf.Tensor[]) => {
        const out = toTensor(callRule(xs, ts)[1], span);
        // A tangent the rule ignores still needs a path to the result (its gradient is then zero).
        return ts.reduce((acc, t) => tf.add(acc, tf.mul(tf.sum(t), 0)), tf.sum(tf.mul(dy, out)));
      }, xs.map((x) => tf.zerosLike(x))),
    );
    return { t: 'tensor', v: run(...inputs) };
  }
  // tf.custom_gradient: the function returns (value, grad_fn); grad_fn returns a gradient per input (a tuple for several).
  let gradFn: Value = NONE;
  const run = withGradient(
    (xs) => {
      const out = items(ev.callFunction(plain, withInputs(xs), kwargs, span));
      if (out.length < 2) throw new UnsupportedConstruct('tf.custom_gradient function that does not return (value, grad)', fn.def.span);
      gradFn = out[1];
      keepReachable(gradFn);
      return toTensor(out[0], span);
    },
    (dy, xs) => asGrads(ev.callValue(gradFn, [{ t: 'tensor', v: dy }], new Map(), span), xs),
  );
  return { t: 'tensor', v: run(...inputs) };
}
