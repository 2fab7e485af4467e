// A user's function as a value: its decorators applied (custom-gradient ones recorded, those that
// leave the math unchanged skipped, the workspace's own interpreted, any other refused when called)
// and the scope a call of it runs in.
import { LocatedError, MissingArgument, ProbeBudgetExceeded, UnsupportedConstruct } from '../ir/errors';
import type { Expr, FunctionDef, Span } from '../ir/ir';
import { dottedName } from '../ir/ir';
import { isKnownModulePath } from '../ops/registry';
import { NONE, describe, str, tuple, type FunctionValue, type Value } from '../ir/values';
import type { Evaluator } from './evaluator';
import { Scope } from './scope';

/**
 * Decorators that leave the math as it is, by their last name: compilation (`jax.jit`,
 * `torch.jit.script`, `tf.function`), AMP casts and autocast (the probe runs in float32 anyway),
 * TorchScript's ignore/unused, `functools.wraps`, trace and type checks (chex, typeguard,
 * beartype, jaxtyping), caches, Keras registration, the frameworks' own export, rematerialisation.
 */
const transparentDecorators = new Set([
  'jit', 'pjit', 'filter_jit', 'compile', 'script', 'script_if_tracing', 'ignore', 'unused', 'export', 'custom_fwd', 'custom_bwd', 'autocast',
  'wraps', 'register_keras_serializable', 'function', 'tf_function', 'typechecked', 'beartype', 'jaxtyped', 'assert_max_traces',
  'no_type_check', 'lru_cache', 'cache', 'overload', 'override', 'final', 'abstractmethod', 'vmap', 'checkpoint', 'remat', 'named_call',
  'compact', 'nowrap', 'deprecated_args', 'do_not_generate_docs', 'keras_export', 'tf_export',
  'RegisterGradient', 'contextmanager', 'total_ordering', 'runtime_checkable',
]);

/** The last segment of a decorator's dotted name (`torch.cuda.amp.custom_fwd` → `custom_fwd`). */
function lastName(name: string): string {
  return name.slice(name.lastIndexOf('.') + 1);
}

/** The decorator expression's callee: `@d` is `d`, `@d(args)` is `d`. */
function calleeOf(dec: Expr): Expr {
  return dec.kind === 'call' ? dec.callee : dec;
}

/** A function value that refuses to be called, for a decorator the translation does not follow. */
function refused(def: FunctionDef, err: Error): Value {
  return { t: 'builtin', name: `${def.name} (decorated)`, call: () => { throw err; } };
}

/** A constant tuple of ints in a decorator's arguments (`nondiff_argnums=(1,)`). */
function intTuple(ev: Evaluator, expr: Expr | undefined, scope: Scope): number[] | undefined {
  if (!expr) return undefined;
  const v = ev.expr(expr, scope);
  if (v.t === 'num') return [v.v];
  if (v.t === 'tuple' || v.t === 'list') return v.items.filter((i): i is Extract<Value, { t: 'num' }> => i.t === 'num').map((i) => i.v);
  return undefined;
}

/** Where an evaluated decorator comes from: the workspace (interpreted), a framework, or neither. */
export type DecoratorOrigin = { kind: 'workspace'; value: Value } | { kind: 'framework'; path: string } | { kind: 'foreign'; path: string } | { kind: 'unknown'; error: Error };

/** Evaluates a decorator's callee (never calls it): what it is decides how it applies. */
export function decoratorOrigin(ev: Evaluator, dec: Expr, scope: Scope): DecoratorOrigin {
  let callee: Value;
  try {
    callee = ev.expr(calleeOf(dec), scope);
  } catch (err) {
    if (err instanceof ProbeBudgetExceeded) throw err;
    return { kind: 'unknown', error: err as Error };
  }
  if (callee.t === 'ns') return isKnownModulePath(callee.path) || /^(functools|typing|dataclasses|abc|enum|contextlib)\b/.test(callee.path) ? { kind: 'framework', path: callee.path } : { kind: 'foreign', path: callee.path };
  return { kind: 'workspace', value: callee };
}

/** The module a foreign decorator was imported from, for the message (`mystery.deco` → `mystery`). */
export function foreignModule(path: string): string {
  const parts = path.split('.');
  return parts.length > 1 ? parts.slice(0, -1).join('.') : path;
}

/** A function definition as a value, its decorators applied (innermost first, as Python does). */
export function makeFunction(def: FunctionDef, scope: Scope): Value {
  const ev = scope.module.ev;
  let value: Value = { t: 'func', def, closure: scope, binding: def.isStatic ? 'staticmethod' : undefined };
  for (const dec of [...def.decorators].reverse()) {
    const name = dottedName(calleeOf(dec)) ?? '';
    const last = lastName(name);
    const fn: FunctionValue | undefined = value.t === 'func' ? value : undefined;
    if (fn && /^custom_(vjp|jvp)$/.test(last)) { value = { ...fn, custom: last === 'custom_vjp' ? { kind: 'custom_vjp', nondiff: dec.kind === 'call' ? intTuple(ev, dec.args.find((a) => a.name === 'nondiff_argnums')?.value, scope) : undefined } : { kind: 'custom_jvp' } }; continue; }
    if (fn && last === 'custom_gradient') { value = { ...fn, custom: { kind: 'tf_custom_gradient' } }; continue; }
    if (fn && (last === 'staticmethod' || last === 'classmethod' || last === 'property' || last === 'cached_property')) {
      value = { ...fn, binding: last === 'cached_property' ? 'property' : last as FunctionValue['binding'] };
      continue;
    }
    if (fn && /^(no_grad|inference_mode)$/.test(last) && /^(torch\.)?(no_grad|inference_mode)$/.test(name)) { value = { ...fn, noGrad: true }; continue; }
    // `functools.partial(jax.custom_vjp, nondiff_argnums=…)` / `functools.partial(jax.jit, static_argnames=…)`
    if (dec.kind === 'call' && last === 'partial' && dec.args[0] && !dec.args[0].name) {
      const inner = lastName(dottedName(dec.args[0].value) ?? '');
      if (fn && inner === 'custom_vjp') { value = { ...fn, custom: { kind: 'custom_vjp', nondiff: intTuple(ev, dec.args.find((a) => a.name === 'nondiff_argnums')?.value, scope) } }; continue; }
      if (fn && inner === 'custom_jvp') { value = { ...fn, custom: { kind: 'custom_jvp' } }; continue; }
      if (transparentDecorators.has(inner)) continue;
      const innerOrigin = decoratorOrigin(ev, dec.args[0].value, scope);
      // A framework's own deprecation wrapper warns and calls through: the math is the function's.
      if (innerOrigin.kind === 'framework' && /deprecat/i.test(inner)) continue;
    }
    const origin = decoratorOrigin(ev, dec, scope);
    if (origin.kind === 'workspace') {
      value = applyDecorator(ev, dec, value, scope, def);
      continue;
    }
    if (transparentDecorators.has(last)) continue;
    if (origin.kind === 'framework' && /deprecat/i.test(last)) continue;
    const label = `decorator @${name || 'expression'}`;
    if (origin.kind === 'foreign') return refused(def, new UnsupportedConstruct(label, dec.span, `from ${foreignModule(origin.path)}, a module that is neither a supported framework nor in the workspace: what it does to the function is unknown`));
    if (origin.kind === 'unknown') return refused(def, origin.error instanceof UnsupportedConstruct ? new UnsupportedConstruct(label, dec.span, origin.error.message) : origin.error);
    return refused(def, new UnsupportedConstruct(label, dec.span, 'it changes the function in a way the translation does not follow'));
  }
  return value;
}

/** A workspace decorator applied as Python does: `d(f)`, or `d(args)(f)`. */
function applyDecorator(ev: Evaluator, dec: Expr, value: Value, scope: Scope, def: FunctionDef): Value {
  try {
    const decorator = ev.expr(dec, scope);
    const out = ev.callValue(decorator, [value], new Map(), dec.span);
    if (out.t === 'none') return refused(def, new UnsupportedConstruct(`decorator @${dottedName(calleeOf(dec)) ?? 'expression'}`, dec.span, 'it returns None'));
    return out;
  } catch (err) {
    if (err instanceof ProbeBudgetExceeded) throw err;
    return refused(def, err as Error);
  }
}

/** Binds a JavaScript destructuring parameter (`[a, b]`) to the elements of its argument. */
function destructure(pattern: Expr, value: Value, scope: Scope, span: Span): void {
  if (pattern.kind === 'name') { scope.vars.set(pattern.id, value); return; }
  if (pattern.kind === 'tuple' || pattern.kind === 'list') {
    const items = value.t === 'list' || value.t === 'tuple' ? value.items : [];
    pattern.items.forEach((p, i) => destructure(p, items[i] ?? NONE, scope, span));
    return;
  }
  throw new UnsupportedConstruct('destructuring parameter', span, `of ${describe(value)}`);
}

/** The scope a call runs in: its parameters bound from the arguments (defaults evaluated in the closure), and JavaScript's `this`. */
export function callScope(ev: Evaluator, fn: FunctionValue, args: Value[], kwargs: Map<string, Value>, span: Span): Scope {
  const def = fn.def;
  if (def.syntaxError) throw new UnsupportedConstruct('syntax error', def.syntaxError);
  const closure = fn.closure as Scope;
  const scope = new Scope(closure, closure.module);
  const params = [...def.params];
  const positional = fn.self ? [fn.self, ...args] : args;
  if (fn.self && closure.module.ir.language === 'javascript') {
    scope.vars.set('this', fn.self);
    positional.shift();
  }
  let pi = 0;
  for (const p of params) {
    if (p.kind === 'varargs') { scope.vars.set(p.name, tuple(positional.slice(pi))); pi = positional.length; continue; }
    if (p.kind === 'kwargs') {
      const map = new Map<string, Value>();
      const keys = new Map<string, Value>();
      for (const [k, v] of kwargs) if (!params.some((q) => q.name === k)) { map.set(`s:${k}`, v); keys.set(`s:${k}`, str(k)); }
      scope.vars.set(p.name, { t: 'dict', map, keys });
      continue;
    }
    let v: Value;
    if (pi < positional.length) v = positional[pi++];
    else if (kwargs.has(p.name)) v = kwargs.get(p.name)!;
    else if (p.default) v = ev.expr(p.default, closure);
    else if (closure.module.ir.language === 'javascript') v = NONE;
    else throw new MissingArgument(def.name, p.name, span);
    if (p.pattern) destructure(p.pattern, v, scope, span);
    else scope.vars.set(p.name, v);
  }
  return scope;
}

/** Tags an error with the file it was raised in, the first time it leaves a function of that file. */
export function tagPath(err: unknown, path: string): void {
  if (err instanceof LocatedError) err.path ??= path;
}
