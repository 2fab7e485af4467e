// How a module's top-level statements become names: imports, functions, classes and constants,
// each bound lazily (computed at its first lookup, so a broken statement matters only to the
// functions that use it), including those inside module-level `if`/`else` and `try`/`except`.
import { ProbeBudgetExceeded } from '../ir/errors';
import { canonicalModule, canonicalPath } from '../ir/frameworks';
import type { Expr, Stmt } from '../ir/ir';
import { num, type Value } from '../ir/values';
import { makeClass } from './classes';
import { truthy } from './conversions';
import { applyDefVjp } from './customGradients';
import type { Evaluator } from './evaluator';
import { makeFunction } from './functions';
import { indexValue } from './indexing';
import type { Scope } from './scope';

/** A block's definitions by name: how to compute each, at its first lookup. */
type Bindings = Map<string, () => Value>;

/**
 * A module block's definitions, by name, each a thunk run at the name's first lookup, so a broken
 * statement matters only to the functions that use it. A later definition replaces an earlier one.
 */
export function blockBindings(ev: Evaluator, body: Stmt[], scope: Scope): Bindings {
  const out: Bindings = new Map();
  const vjpCalls = new Map<string, Expr[]>();
  for (const s of body) {
    if (s.kind === 'expr' && s.expr.kind === 'call' && s.expr.callee.kind === 'attribute' && /^def(vjp|jvp)$/.test(s.expr.callee.name) && s.expr.callee.object.kind === 'name') {
      const target = s.expr.callee.object.id;
      vjpCalls.set(target, [...(vjpCalls.get(target) ?? []), s.expr]);
    }
  }
  for (const s of body) {
    switch (s.kind) {
      case 'import': for (const [name, thunk] of importBindings(ev, s, scope)) out.set(name, thunk); break;
      case 'function': {
        const fnDef = s.fn;
        out.set(fnDef.name, () => {
          const value = makeFunction(fnDef, scope);
          for (const call of vjpCalls.get(fnDef.name) ?? []) applyDefVjp(ev, value, call, scope);
          return value;
        });
        break;
      }
      case 'class': {
        const cls = s.cls;
        out.set(cls.name, () => makeClass(ev, cls, scope));
        break;
      }
      case 'assign': {
        for (const target of s.targets) {
          if (target.kind === 'name') {
            const value = s.value;
            out.set(target.id, () => ev.expr(value, scope));
          } else if (target.kind === 'tuple' || target.kind === 'list') {
            const names = target.items;
            let cache: Value | undefined;
            names.forEach((t, i) => {
              if (t.kind === 'name') out.set(t.id, () => {
                cache ??= ev.expr(s.value, scope);
                return indexValue(cache, num(i, true), s.span);
              });
            });
          }
        }
        break;
      }
      case 'if':
      case 'try': {
        // `try: import x except ImportError: def fallback(...)`, `if HAS_X: ... else: ...` and
        // `if TYPE_CHECKING:` blocks hold imports and definitions: every branch is bound.
        const branches = s.kind === 'if' ? [s.body, s.orelse] : [s.body, ...s.handlers];
        const bound = branches.map((b) => blockBindings(ev, b, scope));
        let order: Bindings[] | undefined;
        const preferred = (): Bindings[] => (order ??= branchOrder(ev, s, branches, bound, scope));
        for (const name of new Set(bound.flatMap((b) => [...b.keys()]))) {
          const defining = bound.filter((b) => b.has(name));
          // A name only one branch defines needs no choice (nor the condition evaluated).
          out.set(name, defining.length === 1 ? defining[0].get(name)! : () => preferred().find((b) => b.has(name))!.get(name)!());
        }
        if (s.kind === 'try') for (const [name, thunk] of blockBindings(ev, s.finalbody, scope)) out.set(name, thunk);
        break;
      }
      default: break;
    }
  }
  return out;
}

/**
 * The branches of a module-level `if`/`try` in the order a shared name is taken from them: the
 * branch a plain condition selects, as Python would run it; otherwise (a `try`, or a condition on
 * something the evaluator cannot know) the branches whose imports all resolve, in source order,
 * before those that import a module that is neither a supported framework nor a workspace file.
 */
function branchOrder(ev: Evaluator, s: Extract<Stmt, { kind: 'if' | 'try' }>, branches: Stmt[][], bound: Bindings[], scope: Scope): Bindings[] {
  if (s.kind === 'if') {
    let taken: boolean | undefined;
    try {
      taken = truthy(ev.expr(s.test, scope), s.test.span);
    } catch (err) {
      if (err instanceof ProbeBudgetExceeded) throw err;
    }
    if (taken !== undefined) return taken ? bound : [bound[1], bound[0]];
  }
  const resolves = branches.map((b) => importsResolve(ev, b, scope));
  return [...bound.filter((_, i) => resolves[i]), ...bound.filter((_, i) => !resolves[i])];
}

function importsResolve(ev: Evaluator, body: Stmt[], scope: Scope): boolean {
  return body.every((s) => {
    if (s.kind === 'import') return canonicalModule(s.module) !== undefined || ev.resolveImport?.(s.module, undefined, scope.module.path) !== undefined;
    if (s.kind === 'if') return importsResolve(ev, s.body, scope) && importsResolve(ev, s.orelse, scope);
    if (s.kind === 'try') return importsResolve(ev, s.body, scope);
    return true;
  });
}

/** The names an import statement binds, each with how to resolve it. */
export function importBindings(ev: Evaluator, s: Extract<Stmt, { kind: 'import' }>, scope: Scope): [string, () => Value][] {
  const canonical = canonicalModule(s.module);
  const fromPath = scope.module.path;
  if (s.alias && s.names.length === 0) {
    // import a.b.c as x / import a.b.c (binds a)
    const boundModule = s.alias === s.module.split('.')[0] ? s.module.split('.')[0] : s.module;
    const canon = canonicalModule(boundModule);
    if (canon) return [[s.alias, () => ({ t: 'ns', path: canon })]];
    // Another module (os, subprocess, a missing package): its functions are named, never run.
    return [[s.alias, () => ev.resolveImport?.(boundModule, undefined, fromPath) ?? { t: 'ns', path: boundModule }]];
  }
  const out: [string, () => Value][] = [];
  if (s.alias) {
    // JS: import * as tf from '...'
    const alias = s.alias;
    if (canonical) out.push([alias, () => ({ t: 'ns', path: canonical })]);
    else out.push([alias, () => ev.resolveImport?.(s.module, undefined, fromPath) ?? { t: 'ns', path: s.module }]);
  }
  for (const { name, alias } of s.names) {
    if (name === '*') continue;
    if (canonical) {
      const sub = canonicalModule(`${s.module}.${name}`);
      const path = canonicalPath(sub ?? `${canonical}.${name}`);
      out.push([alias, () => ({ t: 'ns', path })]);
    } else {
      out.push([alias, () => ev.resolveImport?.(s.module, name, fromPath) ?? { t: 'ns', path: `${s.module}.${name}` }]);
    }
  }
  return out;
}
