// A user's function as a value: its decorators (custom-gradient ones recorded, inert ones skipped,
// any other refused when called) and the scope a call of it runs in.
import { UnsupportedConstruct, UserCodeError } from '../ir/errors';
import type { FunctionDef, Span } from '../ir/ir';
import { dottedName } from '../ir/ir';
import { NONE, str, tuple, type FunctionValue, type Value } from '../ir/values';
import type { Evaluator } from './evaluator';
import { Scope } from './scope';

const inertDecorators = /(^|\.)(jit|compact|wraps|register_keras_serializable|register|staticmethod|classmethod|property|no_type_check|lru_cache|cache|tf_function|function|script|export|vmap|checkpoint|remat|named_call)$/;

/** A function definition as a value, its decorators applied. */
export function makeFunction(def: FunctionDef, scope: Scope): Value {
  let value: FunctionValue = { t: 'func', def, closure: scope };
  for (const dec of [...def.decorators].reverse()) {
    const name = dottedName(dec.kind === 'call' ? dec.callee : dec) ?? '';
    if (/(^|\.)custom_vjp$/.test(name)) value = { ...value, custom: { kind: 'custom_vjp' } };
    else if (/(^|\.)custom_jvp$/.test(name)) value = { ...value, custom: { kind: 'custom_jvp' } };
    else if (/(^|\.)custom_gradient$/.test(name)) value = { ...value, custom: { kind: 'tf_custom_gradient' } };
    else if (inertDecorators.test(name)) continue;
    else if (name === 'RegisterGradient' || name.endsWith('.RegisterGradient')) continue;
    else {
      const decSpan = dec.span;
      return { t: 'builtin', name: `${def.name} (decorated)`, call: () => { throw new UnsupportedConstruct(`decorator @${name || 'expression'}`, decSpan); } };
    }
  }
  return value;
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
    if (pi < positional.length) scope.vars.set(p.name, positional[pi++]);
    else if (kwargs.has(p.name)) scope.vars.set(p.name, kwargs.get(p.name)!);
    else if (p.default) scope.vars.set(p.name, ev.expr(p.default, closure));
    else if (closure.module.ir.language === 'javascript') scope.vars.set(p.name, NONE);
    else throw new UserCodeError(`${def.name}() missing argument '${p.name}'`, span);
  }
  return scope;
}
