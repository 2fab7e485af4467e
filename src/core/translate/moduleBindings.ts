// How a module's top-level statements become names: imports, functions, classes and constants,
// each bound lazily (computed at its first lookup, so a broken statement matters only to the
// functions that use it), including those inside module-level `if`/`else` and `try`/`except`;
// star imports; workspace modules imported as modules, and their attributes (submodules too).
import { ProbeBudgetExceeded, UnsupportedConstruct } from '../ir/errors';
import { canonicalModule, canonicalPath } from '../ir/frameworks';
import type { Expr, Span, Stmt } from '../ir/ir';
import { allOpRows, constantAt, isKnownModulePath, opAt } from '../ops/registry';
import { num, type ModuleValue, type Value } from '../ir/values';
import { attribute } from './attributes';
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
      case 'import': {
        for (const [name, thunk] of importBindings(ev, s, scope)) out.set(name, thunk);
        if (s.names.some((n) => n.name === '*')) scope.addStar(starSource(ev, s.module, scope.module.path));
        break;
      }
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
    if (canon) return [[s.alias, () => ({ t: 'ns', path: canon, from: fromPath })]];
    // Another module (os, subprocess, a missing package): its functions are named, never run.
    return [[s.alias, () => ev.resolveImport?.(boundModule, undefined, fromPath) ?? { t: 'ns', path: boundModule }]];
  }
  const out: [string, () => Value][] = [];
  if (s.alias) {
    // JS: import * as tf from '...'
    const alias = s.alias;
    if (canonical) out.push([alias, () => ({ t: 'ns', path: canonical, from: fromPath })]);
    else out.push([alias, () => ev.resolveImport?.(s.module, undefined, fromPath) ?? { t: 'ns', path: s.module }]);
  }
  for (const { name, alias } of s.names) {
    if (name === '*') continue;
    if (canonical) {
      const sub = canonicalModule(`${s.module}.${name}`);
      const path = canonicalPath(sub ?? `${canonical}.${name}`);
      // A name of a framework package the op tables do not know (`from optax import projections`)
      // is read from the package's own source where the workspace holds it.
      const fromSource = (): Value | undefined => (opAt(path) || leadsToOp(path) || constantAt(path) ? undefined
        : ev.resolveImport?.(s.module, name, fromPath) ?? ev.resolveImport?.(joinModule(s.module, name), undefined, fromPath));
      out.push([alias, () => fromSource() ?? { t: 'ns', path, from: fromPath }]);
    } else {
      // `from pkg import name`: a name the package defines, else its submodule `pkg.name`.
      out.push([alias, () => ev.resolveImport?.(s.module, name, fromPath) ?? ev.resolveImport?.(joinModule(s.module, name), undefined, fromPath) ?? { t: 'ns', path: `${s.module}.${name}` }]);
    }
  }
  return out;
}

/** `pkg` + `name` → `pkg.name`; relative bases stay relative (`.` + `functional` → `.functional`). */
export function joinModule(base: string, name: string): string {
  return /^\.+$/.test(base) ? `${base}${name}` : `${base}.${name}`;
}

/** `mod.name` on a workspace module: a name it defines (its star imports included), else its submodule. */
export function moduleAttribute(ev: Evaluator, mod: ModuleValue, name: string, span: Span): Value {
  const own = (mod.scope as Scope).own(name);
  if (own !== undefined) return own;
  const sub = ev.resolveImport?.(joinModule(mod.name, name), undefined, mod.fromPath);
  if (sub) return sub;
  throw new UnsupportedConstruct(`${mod.name}.${name}`, span, `not defined in the workspace module ${mod.name}`);
}

/**
 * A framework path the op tables do not hold, found in the workspace: a package analysed from its own
 * source reaches its modules by their package-qualified names (`optax.losses._regression.cosine_similarity`
 * after `from optax.losses import _regression`, `projections.projection_simplex` after `from optax import
 * projections`). The longest module prefix the workspace holds defines the first remaining name; the
 * rest are attributes of it. Undefined when no prefix is a workspace module.
 */
export function workspaceDefinition(ev: Evaluator, path: string, fromPath: string, span: Span): Value | undefined {
  if (!ev.resolveImport) return undefined;
  const parts = path.split('.');
  for (let i = parts.length - 1; i >= 1; i--) {
    const module = parts.slice(0, i).join('.');
    const found = ev.resolveImport(module, parts[i], fromPath) ?? ev.resolveImport(joinModule(module, parts[i]), undefined, fromPath);
    if (found === undefined) continue;
    return parts.slice(i + 1).reduce<Value>((v, name) => attribute(ev, v, name, span), found);
  }
  return undefined;
}

let opPrefixes: Set<string> | undefined;
/** Framework paths that lead to an op (`keras.losses` leads to `keras.losses.mean_squared_error`). */
function leadsToOp(path: string): boolean {
  if (!opPrefixes) {
    opPrefixes = new Set();
    for (const { name } of allOpRows()) {
      const parts = name.split('.');
      for (let i = 1; i < parts.length; i++) opPrefixes.add(parts.slice(0, i).join('.'));
    }
  }
  return opPrefixes.has(path);
}

/**
 * The names `from module import *` brings: a framework module's ops and submodules, or a workspace
 * module's public names (and its own star imports). A name it does not define is left to the
 * module's other sources; a cycle of star imports ends.
 */
function starSource(ev: Evaluator, module: string, fromPath: string): (name: string) => Value | undefined {
  const canonical = canonicalModule(module);
  if (canonical) {
    return (name) => {
      const path = canonicalPath(`${canonical}.${name}`);
      const constant = constantAt(path);
      if (constant) return constant;
      return opAt(path) || leadsToOp(path) ? { t: 'ns', path } : undefined;
    };
  }
  let resolved: ModuleValue | null | undefined;
  let busy = false;
  return (name) => {
    if (name.startsWith('_') || busy) return undefined;
    busy = true;
    try {
      if (resolved === undefined) {
        const found = ev.resolveImport?.(module, undefined, fromPath);
        resolved = found?.t === 'module' ? found : null;
      }
      return resolved ? (resolved.scope as Scope).own(name) : undefined;
    } finally {
      busy = false;
    }
  };
}

/** Compiled extensions by their usual names (`swish_cpp`, `_C`, `fused_ops_cuda`, `my_ext`). */
const extensionName = /(^|[._])(_C|C|_ext|ext|cpp|cuda|native|cext)$|_(cpp|cuda|ext|kernels?|native|cext)$/;

/**
 * A call into a module that is neither a supported framework nor in the workspace (an import the
 * workspace does not hold): a compiled extension by its name, else a package GradProbe cannot see into.
 */
export function foreignCallError(path: string, span: Span): UnsupportedConstruct | undefined {
  if (isKnownModulePath(path) || opAt(path)) return undefined;
  const module = path.includes('.') ? path.slice(0, path.lastIndexOf('.')) : path;
  if (path.startsWith('.')) return new UnsupportedConstruct(path, span, `from ${module}, a relative import whose file was not found`);
  if (/^(builtins|operator|Math|Number|Array|Object|console|functools|typing|dataclasses|enum|abc|warnings|logging|collections|itertools)\b/.test(path)) return undefined;
  const segments = module.split('.');
  const ext = segments.find((seg) => extensionName.test(seg));
  if (ext) return new UnsupportedConstruct(`calls the compiled extension ${module}`, span, `${path}() runs compiled code the translation cannot read`);
  return new UnsupportedConstruct(`${path}`, span, `from ${module}, a module that is neither a supported framework nor in the workspace`);
}
