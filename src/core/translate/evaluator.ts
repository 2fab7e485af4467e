// Runs the IR of a user's function on TensorFlow.js tensors. It interprets only the IR; names
// resolve through the op tables and the user's own definitions, never through the host, so no
// workspace code is ever executed, imported or evaluated.
import * as tf from '@tensorflow/tfjs-core';
import { detach } from '../ops/implementations';
import { callOp } from '../ops/registry';
import type { Interpreter, OpContext } from '../ops/interpreter';
import { LocatedError, ProbeBudgetExceeded, UnsupportedConstruct, UserCodeError } from '../ir/errors';
import type { Arg, Expr, ModuleIR, Span, Stmt } from '../ir/ir';
import { dottedName } from '../ir/ir';
import { canonicalModule } from '../ir/frameworks';
import { attribute } from './attributes';
import { builtinNamed } from './builtins';
import { frameworkConstruct, instanceCallable, instantiate, makeClass, superProxy } from './classes';
import { iterate, toTensor, truthy } from './conversions';
import { callCustom } from './customGradients';
import { callScope, makeFunction, tagPath } from './functions';
import { indexValue } from './indexing';
import { blockBindings, foreignCallError, importBindings } from './moduleBindings';
import { binaryOp, compareOp, unaryOp } from './operators';
import { Scope, type ModuleContext } from './scope';
import { NONE, describe, keyOf, num, str, type FunctionValue, type Value } from '../ir/values';

/** Resolves `from X import name` against the workspace's own (translated) modules. */
export type ImportResolver = (module: string, name: string | undefined, fromPath: string) => Value | undefined;

export interface Budget {
  maxSteps: number;
  deadline: number;
  maxElements: number;
}

class ReturnSignal {
  constructor(readonly value: Value) {}
}
class BreakSignal {}
class ContinueSignal {}

export class Evaluator implements Interpreter {
  private steps = 0;
  private callDepth = 0;
  private customDepth = 0;
  readonly ctx: OpContext;
  private readonly modules = new Map<string, ModuleContext>();
  /** What the translation assumed where the source leaves a choice (a weight's initializer, a class decorator): said in the summary. */
  readonly assumptions = new Set<string>();

  constructor(readonly budget: Budget, readonly resolveImport: ImportResolver | undefined, ctx?: Partial<OpContext>) {
    this.ctx = { framework: 'numpy', maxElements: budget.maxElements, finish: (t) => t, ...ctx };
  }

  assume(text: string): void {
    if (this.assumptions.size < 20) this.assumptions.add(text);
  }

  /**
   * An error raised in another file (a helper, a base class, a module constant) is reported at the
   * line of this file that led there, naming where it stood.
   */
  relocate(err: unknown, herePath: string, span: Span): void {
    if (!(err instanceof LocatedError) || err.path === undefined || err.path === herePath) return;
    if (!err.origin && err.span) err.origin = { path: err.path, line: err.span.startLine + 1 };
    err.span = span;
    err.path = herePath;
  }

  tick(): void {
    this.steps++;
    if (this.steps > this.budget.maxSteps) throw new ProbeBudgetExceeded(`the function took more than ${this.budget.maxSteps} interpreter steps (an unbounded loop or recursion?)`);
    if ((this.steps & 1023) === 0 && Date.now() > this.budget.deadline) throw new ProbeBudgetExceeded('the probe ran past its time budget');
  }

  // ------------------------------------------------------------------ modules

  moduleContext(path: string, ir: ModuleIR): ModuleContext {
    const existing = this.modules.get(path);
    if (existing) return existing;
    const mod: ModuleContext = { path, ir, scope: undefined as unknown as Scope, ev: this };
    mod.scope = new Scope(undefined, mod);
    this.modules.set(path, mod);
    for (const [name, thunk] of blockBindings(this, ir.body, mod.scope)) mod.scope.setLazy(name, thunk);
    return mod;
  }

  // ------------------------------------------------------------------ statements

  execBlock(body: Stmt[], scope: Scope): void {
    for (const s of body) this.exec(s, scope);
  }

  exec(s: Stmt, scope: Scope): void {
    this.tick();
    switch (s.kind) {
      case 'expr': this.expr(s.expr, scope, true); return;
      case 'assign': {
        const value = this.expr(s.value, scope);
        for (const target of s.targets) this.assign(target, value, scope);
        return;
      }
      case 'augassign': {
        const current = this.expr(s.target, scope);
        const value = binaryOp(this.ctx, s.op, current, this.expr(s.value, scope), s.span);
        this.assign(s.target, value, scope);
        return;
      }
      case 'return': throw new ReturnSignal(s.value ? this.expr(s.value, scope) : NONE);
      case 'if': {
        if (truthy(this.expr(s.test, scope), s.test.span)) this.execBlock(s.body, scope);
        else this.execBlock(s.orelse, scope);
        return;
      }
      case 'for': {
        const items = iterate(this.expr(s.iter, scope), s.iter.span);
        for (const item of items) {
          this.tick();
          this.assign(s.target, item, scope);
          if (this.loopBody(s.body, scope) === 'break') break;
        }
        return;
      }
      case 'while': {
        while (truthy(this.expr(s.test, scope), s.test.span)) {
          this.tick();
          if (this.loopBody(s.body, scope) === 'break') break;
        }
        return;
      }
      case 'with': {
        for (const item of s.items) {
          const ctxValue = this.expr(item.context, scope);
          if (ctxValue.t === 'builtin' && ctxValue.name === 'no_grad_context') {
            // Everything computed inside `torch.no_grad()` is cut from the graph.
            this.execBlock(s.body, scope);
            this.detachAssigned(s.body, scope);
            return;
          }
          if (item.target) this.assign(item.target, ctxValue, scope);
        }
        this.execBlock(s.body, scope);
        return;
      }
      case 'try': {
        try {
          this.execBlock(s.body, scope);
        } finally {
          this.execBlock(s.finalbody, scope);
        }
        return;
      }
      case 'function': scope.vars.set(s.fn.name, makeFunction(s.fn, scope)); return;
      case 'class': scope.vars.set(s.cls.name, makeClass(this, s.cls, scope)); return;
      case 'import': for (const [name, thunk] of importBindings(this, s, scope)) scope.setLazy(name, thunk); return;
      case 'pass': return;
      case 'break': throw new BreakSignal();
      case 'continue': throw new ContinueSignal();
      case 'raise': throw new UserCodeError('the function raises an exception on this input', s.span);
      case 'unsupported': throw new UnsupportedConstruct(s.construct, s.span);
    }
  }

  /** One pass of a loop body; `break` and `continue` arrive as signals. */
  private loopBody(body: Stmt[], scope: Scope): 'break' | 'continue' | undefined {
    try {
      this.execBlock(body, scope);
      return undefined;
    } catch (sig) {
      if (sig instanceof BreakSignal) return 'break';
      if (sig instanceof ContinueSignal) return 'continue';
      throw sig;
    }
  }

  private detachAssigned(body: Stmt[], scope: Scope): void {
    for (const s of body) {
      if (s.kind !== 'assign') continue;
      for (const t of s.targets) {
        if (t.kind !== 'name') continue;
        const v = scope.lookup(t.id);
        if (v?.t === 'tensor') scope.vars.set(t.id, { t: 'tensor', v: detach(v.v) });
      }
    }
  }

  private assign(target: Expr, value: Value, scope: Scope): void {
    switch (target.kind) {
      case 'name': scope.vars.set(target.id, value); return;
      case 'tuple':
      case 'list': {
        const items = iterate(value, target.span);
        const starIndex = target.items.findIndex((t) => t.kind === 'starred');
        if (starIndex < 0) {
          if (items.length !== target.items.length) throw new UserCodeError(`cannot unpack ${items.length} values into ${target.items.length} names`, target.span);
          target.items.forEach((t, i) => this.assign(t, items[i], scope));
          return;
        }
        const after = target.items.length - starIndex - 1;
        target.items.forEach((t, i) => {
          if (i < starIndex) this.assign(t, items[i], scope);
          else if (i === starIndex && t.kind === 'starred') this.assign(t.value, { t: 'list', items: items.slice(starIndex, items.length - after) }, scope);
          else this.assign(t, items[items.length - (target.items.length - i)], scope);
        });
        return;
      }
      case 'attribute': {
        const obj = this.expr(target.object, scope);
        if (obj.t === 'instance') { obj.attrs.set(target.name, value); return; }
        if (obj.t === 'opaque') { (obj.attrs ??= new Map()).set(target.name, value); return; }
        if (obj.t === 'dict') { obj.map.set(`s:${target.name}`, value); obj.keys.set(`s:${target.name}`, str(target.name)); return; }
        throw new UnsupportedConstruct('assignment to an attribute', target.span, `of ${describe(obj)}`);
      }
      case 'subscript': {
        const obj = this.expr(target.object, scope);
        const index = this.expr(target.index, scope);
        if (obj.t === 'dict') { obj.map.set(keyOf(index), value); obj.keys.set(keyOf(index), index); return; }
        if (obj.t === 'list' && index.t === 'num') { obj.items[index.v < 0 ? obj.items.length + index.v : index.v] = value; return; }
        throw new UnsupportedConstruct('item assignment into a tensor', target.span);
      }
      case 'starred': this.assign(target.value, value, scope); return;
      default: throw new UnsupportedConstruct('assignment target', target.span);
    }
  }

  // ------------------------------------------------------------------ expressions

  expr(e: Expr, scope: Scope, statement = false): Value {
    this.tick();
    switch (e.kind) {
      case 'number': return num(e.value, e.isInt);
      case 'string': return e.value === '...' ? { t: 'ellipsis' } : str(e.value);
      case 'bool': return { t: 'bool', v: e.value };
      case 'none': return NONE;
      case 'name': {
        let found: Value | undefined;
        try {
          found = scope.lookup(e.id);
        } catch (err) {
          this.relocate(err, scope.module.path, e.span);
          throw err;
        }
        const v = found ?? builtinNamed(this, e.id, scope.module.ir.language);
        if (!v) throw undefinedName(this, e.id, scope, e.span);
        if (v.t === 'opaque' && v.what.startsWith('module ')) throw new UnsupportedConstruct(v.what, e.span, 'not a supported framework module or a workspace file');
        if (v.t === 'opaque' && / from /.test(v.what)) throw new UnsupportedConstruct(`import of ${v.what}`, e.span, 'not found in the workspace');
        return v;
      }
      case 'attribute': {
        const obj = this.expr(e.object, scope);
        try {
          return attribute(this, obj, e.name, e.span);
        } catch (err) {
          this.relocate(err, scope.module.path, e.span);
          throw err;
        }
      }
      case 'call': return this.call(e, scope, statement);
      case 'binary': return binaryOp(this.ctx, e.op, this.expr(e.left, scope), this.expr(e.right, scope), e.span);
      case 'unary': return unaryOp(this.ctx, e.op, this.expr(e.operand, scope), e.span);
      case 'compare': {
        let left = this.expr(e.operands[0], scope);
        let result: Value | undefined;
        for (let i = 0; i < e.ops.length; i++) {
          const right = this.expr(e.operands[i + 1], scope);
          const r = compareOp(this.ctx, e.ops[i], left, right, e.span);
          if (result === undefined) result = r;
          else if (result.t === 'tensor' || r.t === 'tensor') result = { t: 'tensor', v: tf.logicalAnd(toTensor(result, e.span), toTensor(r, e.span)) };
          else result = { t: 'bool', v: truthy(result, e.span) && truthy(r, e.span) };
          if (result.t === 'bool' && !result.v) return result;
          left = right;
        }
        return result ?? { t: 'bool', v: true };
      }
      case 'logical': {
        const left = this.expr(e.left, scope);
        if (e.op === '??') return left.t === 'none' ? this.expr(e.right, scope) : left;
        const lt = truthy(left, e.left.span);
        if (e.op === 'and') return lt ? this.expr(e.right, scope) : left;
        return lt ? left : this.expr(e.right, scope);
      }
      case 'conditional': return truthy(this.expr(e.test, scope), e.test.span) ? this.expr(e.then, scope) : this.expr(e.otherwise, scope);
      case 'tuple':
      case 'list': {
        const items: Value[] = [];
        for (const item of e.items) {
          if (item.kind === 'starred') items.push(...iterate(this.expr(item.value, scope), item.span));
          else items.push(this.expr(item, scope));
        }
        return { t: e.kind, items };
      }
      case 'dict': {
        const map = new Map<string, Value>();
        const keys = new Map<string, Value>();
        for (const entry of e.entries) {
          if (!entry.key) {
            const spread = this.expr(entry.value, scope);
            if (spread.t !== 'dict') throw new UnsupportedConstruct('spread of a non-dict', entry.value.span);
            for (const [k, v] of spread.map) { map.set(k, v); keys.set(k, spread.keys.get(k)!); }
            continue;
          }
          const key = this.expr(entry.key, scope);
          // Values are evaluated lazily in spirit: a registry dict may hold entries we cannot translate.
          let value: Value;
          try {
            value = this.expr(entry.value, scope);
          } catch (err) {
            if (!(err instanceof UnsupportedConstruct)) throw err;
            value = { t: 'opaque', what: `unsupported dict entry (${err.message})` };
          }
          map.set(keyOf(key), value);
          keys.set(keyOf(key), key);
        }
        return { t: 'dict', map, keys };
      }
      case 'subscript': return indexValue(this.expr(e.object, scope), this.expr(e.index, scope), e.span);
      case 'slice': {
        const part = (x?: Expr): number | undefined => {
          if (!x) return undefined;
          const v = this.expr(x, scope);
          if (v.t === 'none') return undefined;
          if (v.t !== 'num') throw new UnsupportedConstruct('slice bound that is not a number', x.span);
          return v.v;
        };
        return { t: 'slice', start: part(e.start), stop: part(e.stop), step: part(e.step) };
      }
      case 'lambda': return { t: 'func', def: e.fn, closure: scope };
      case 'comprehension': {
        const out: Value[] = [];
        const inner = new Scope(scope, scope.module);
        const run = (level: number): void => {
          if (level === e.clauses.length) { out.push(this.expr(e.element, inner)); return; }
          const clause = e.clauses[level];
          for (const item of iterate(this.expr(clause.iter, inner), clause.iter.span)) {
            this.tick();
            this.assign(clause.target, item, inner);
            if (clause.conditions.every((c) => truthy(this.expr(c, inner), c.span))) run(level + 1);
          }
        };
        run(0);
        return { t: e.output === 'tuple' ? 'tuple' : 'list', items: out };
      }
      case 'starred': throw new UnsupportedConstruct('starred expression here', e.span);
      case 'unsupported': throw new UnsupportedConstruct(e.construct, e.span);
    }
  }

  tensor(v: Value, span: Span): tf.Tensor {
    return toTensor(v, span);
  }

  // ------------------------------------------------------------------ calls

  private call(e: Extract<Expr, { kind: 'call' }>, scope: Scope, statement: boolean): Value {
    // Logging and printing never affect the value: they are skipped, never GP001.
    const calleeName = dottedName(e.callee);
    if (statement && calleeName && /^(print|console\.(log|warn|error|info|debug)|logging\.\w+|logger\.\w+|log\.\w+|warnings\.warn|tf\.print|jax\.debug\.print|assert\w*|tf\.debugging\.\w+|self\.log|ctx\.mark_\w+)$/.test(calleeName)) return NONE;
    try {
      const callee = this.expr(e.callee, scope);
      const { args, kwargs } = this.evalArgs(e.args, scope);
      return this.callValue(callee, args, kwargs, e.span);
    } catch (err) {
      this.relocate(err, scope.module.path, e.span);
      throw err;
    }
  }

  evalArgs(argExprs: Arg[], scope: Scope): { args: Value[]; kwargs: Map<string, Value> } {
    const args: Value[] = [];
    const kwargs = new Map<string, Value>();
    for (const a of argExprs) {
      const v = this.expr(a.value, scope);
      if (a.spread === 'args') args.push(...iterate(v, a.value.span));
      else if (a.spread === 'kwargs') {
        if (v.t !== 'dict') throw new UnsupportedConstruct('** of a non-dict', a.value.span);
        for (const [k, val] of v.map) if (k.startsWith('s:')) kwargs.set(k.slice(2), val);
      } else if (a.name) kwargs.set(a.name, v);
      else args.push(v);
    }
    return { args, kwargs };
  }

  callValue(callee: Value, args: Value[], kwargs: Map<string, Value>, span: Span): Value {
    this.tick();
    switch (callee.t) {
      case 'builtin': return callee.call(args, kwargs, span);
      case 'func': return this.callFunction(callee, args, kwargs, span);
      case 'class': return instantiate(this, callee, args, kwargs, span);
      case 'ns': {
        const built = frameworkConstruct(this, callee.path, args, kwargs, span);
        if (built) return built;
        const foreign = foreignCallError(callee.path, span);
        if (foreign) throw foreign;
        return callOp(callee.path, args, kwargs, span, this);
      }
      case 'instance': {
        const call = instanceCallable(this, callee);
        if (!call) throw new UnsupportedConstruct(`calling a ${callee.cls.def.name} object`, span, 'it defines no forward/call/__call__');
        return this.callValue(call, args, kwargs, span);
      }
      default: throw new UnsupportedConstruct(`calling ${describe(callee)}`, span);
    }
  }

  callFunction(fn: FunctionValue, args: Value[], kwargs: Map<string, Value>, span: Span): Value {
    // Inside a custom forward pass the primal is just evaluated (JAX calls it that way too).
    if (fn.custom && this.customDepth === 0) {
      this.customDepth++;
      try {
        return callCustom(this, fn, args, kwargs, span);
      } finally {
        this.customDepth--;
      }
    }
    if (++this.callDepth > 150) {
      this.callDepth = 0;
      throw new ProbeBudgetExceeded('the function recurses more than 150 calls deep');
    }
    try {
      return this.callPlain(fn, args, kwargs, span);
    } finally {
      this.callDepth = Math.max(0, this.callDepth - 1);
    }
  }

  private callPlain(fn: FunctionValue, args: Value[], kwargs: Map<string, Value>, span: Span): Value {
    const path = (fn.closure as Scope).module.path;
    let out: Value = NONE;
    try {
      const scope = callScope(this, fn, args, kwargs, span);
      if (scope.module.ir.language === 'python') {
        // `super()` in a method: the class that defines it and its `self`; `super(Cls, obj)` names them.
        scope.vars.set('super', { t: 'builtin', name: 'super', call: (a, _k, s) => superProxy(this, fn, a, s) });
      } else {
        scope.vars.set('super', { t: 'builtin', name: 'super', call: () => NONE });
      }
      this.execBlock(fn.def.body, scope);
    } catch (sig) {
      if (sig instanceof ReturnSignal) out = sig.value;
      else {
        // Raised in this function's file unless it already says another.
        tagPath(sig, path);
        throw sig;
      }
    }
    // `@torch.no_grad()`: what the helper returns carries no gradient.
    return fn.noGrad ? detachValue(out) : out;
  }
}

function detachValue(v: Value): Value {
  if (v.t === 'tensor') return { t: 'tensor', v: detach(v.v) };
  if (v.t === 'tuple' || v.t === 'list') return { t: v.t, items: v.items.map(detachValue) };
  return v;
}

/**
 * A name nothing defines: Python raises NameError (JavaScript ReferenceError) when it runs, unless
 * a star import from a module the workspace does not hold brings it.
 */
function undefinedName(ev: Evaluator, id: string, scope: Scope, span: Span): UnsupportedConstruct {
  const python = scope.module.ir.language === 'python';
  const stars = scope.module.ir.body
    .filter((st): st is Extract<Stmt, { kind: 'import' }> => st.kind === 'import' && st.names.some((n) => n.name === '*'))
    .map((st) => st.module)
    .filter((m) => canonicalModule(m) === undefined && ev.resolveImport?.(m, undefined, scope.module.path) === undefined);
  if (stars.length) return new UnsupportedConstruct(`name \`${id}\``, span, `not defined in the module; it may come from \`from ${stars[0]} import *\`, which the translation cannot read`);
  return new UnsupportedConstruct(`name \`${id}\` is not defined (a ${python ? 'NameError' : 'ReferenceError'} when it runs)`, span);
}

