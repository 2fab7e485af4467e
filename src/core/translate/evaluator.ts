// Runs the IR of a user's function on TensorFlow.js tensors. It interprets only the IR; names
// resolve through the op tables and the user's own definitions, never through the host, so no
// workspace code is ever executed, imported or evaluated.
import * as tf from '@tensorflow/tfjs-core';
import { cast, detach } from '../ops/implementations';
import { callOp, opAt } from '../ops/registry';
import type { Interpreter, OpContext } from '../ops/interpreter';
import { DynamicImportRefused, LocatedError, ProbeBudgetExceeded, UnsupportedConstruct, UserCodeError } from '../ir/errors';
import type { Arg, Expr, ModuleIR, Span, Stmt } from '../ir/ir';
import { dottedName } from '../ir/ir';
import { canonicalModule } from '../ir/frameworks';
import { attribute } from './attributes';
import { builtinNamed, formatValue, pyStr } from './builtins';
import { classAttribute, frameworkConstruct, instanceCallable, instantiate, makeClass, superProxy } from './classes';
import { iterate, toTensor, truthy } from './conversions';
import { callCustom } from './customGradients';
import { callScope, makeFunction, tagPath } from './functions';
import { indexValue, isBasicIndex, slicePositions, tensorSetIndex } from './indexing';
import { inplaceBaseName, inplaceResult, mutableTensors, sameShape } from './inplace';
import { metadataCall } from './metadataCalls';
import { blockBindings, foreignCallError, importBindings, workspaceDefinition } from './moduleBindings';
import { EvaluationNotes } from './notes';
import { binaryOp, compareOp, unaryOp } from './operators';
import { Scope, type ModuleContext } from './scope';
import { budgetSpent, type CpuBudget } from './timeBudget';
import { NONE, describe, keyOf, num, str, type FunctionValue, type Value } from '../ir/values';

/** Resolves `from X import name` against the workspace's own (translated) modules. */
export type ImportResolver = (module: string, name: string | undefined, fromPath: string) => Value | undefined;

export interface Budget {
  maxSteps: number;
  /** Wall-clock deadline (Date.now()); with `cpu`, passing it only starts checking the CPU time. */
  deadline: number;
  maxElements: number;
  /** The budget in CPU time (timeBudget.ts): without it, the wall deadline alone decides. */
  cpu?: CpuBudget;
  /** Live tensor bytes the evaluation may add (default `probeTensorBudget.bytes`). */
  maxTensorBytes?: number;
  /** Live tensors the evaluation may add (default `probeTensorBudget.tensors`). */
  maxTensors?: number;
}

/**
 * What one evaluation may hold in live tensors beyond what the engine held when it began. A loop
 * the step budget lets run keeps every iteration's tensor until the probe's scope ends: an unbounded
 * `x = x + 1` held 490 MB in 87,000 tensors after 130,000 of its 2,000,000 steps, and how far it
 * gets before the CPU-time budget depends on the machine, so the process's memory did too (GBs on
 * a quick one). No probe of a working function comes near: its inputs are a few thousand points.
 * Kept low because what a probe held stays in the process: freed small tensors leave the thread's
 * malloc arena at its high-water mark (glibc returns only the arena's top).
 */
export const probeTensorBudget = { bytes: 256 * 1048576, tensors: 200_000 };

class ReturnSignal {
  constructor(readonly value: Value) {}
}
class BreakSignal {}
class ContinueSignal {}

type TensorValue = Extract<Value, { t: 'tensor' }>;

/**
 * A value reached by an assignment target or an in-place method's receiver, and how to store a new
 * tensor into it: into the value itself (every alias sees it, as in Python), and through a view
 * (`x[:, 0]`, `x.data`) into the tensor it views.
 */
interface Ref {
  value: Value;
  store(t: tf.Tensor): void;
}

const plainRef = (value: Value): Ref => ({ value, store: (t) => { if (value.t === 'tensor') value.v = t; } });

/** Statement-level calls that never affect a value: logging and printing, skipped silently. */
const silentCalls = /^(print|console\.(log|warn|error|info|debug)|logging\.\w+|logger\.\w+|log\.\w+|warnings\.(warn|simplefilter|filterwarnings|resetwarnings)|tf\.print|jax\.debug\.print|self\.log|ctx\.mark_\w+)$/;
/** Statement-level calls that only validate (shapes, dtypes, ranks): run when translatable, else skipped and said. */
const validationCall = /(^|\.)(_*(check|assert|validate|verify|ensure)\w*)$|^chex\.|^tf\.debugging\.|^(np|numpy)\.testing\./;

/** Python's exception classes and their parents, for `except` clauses. */
const exceptionParents: Record<string, string> = {
  Exception: 'BaseException', ArithmeticError: 'Exception', ZeroDivisionError: 'ArithmeticError', OverflowError: 'ArithmeticError',
  FloatingPointError: 'ArithmeticError', LookupError: 'Exception', IndexError: 'LookupError', KeyError: 'LookupError',
  ValueError: 'Exception', TypeError: 'Exception', RuntimeError: 'Exception', NotImplementedError: 'RuntimeError',
  RecursionError: 'RuntimeError', AssertionError: 'Exception', AttributeError: 'Exception', StopIteration: 'Exception',
  ImportError: 'Exception', ModuleNotFoundError: 'ImportError', NameError: 'Exception', UnboundLocalError: 'NameError',
};

function exceptionMatches(raised: string, handler: string): boolean {
  for (let t: string | undefined = raised; t; t = exceptionParents[t]) if (t === handler) return true;
  // A class the evaluator does not know (a user's or a framework's own) matches by name only;
  // an unknown raised class is an Exception.
  return !(raised in exceptionParents) && (handler === 'Exception' || handler === 'BaseException');
}

/** Where `lst[slice] = items` writes: a run to replace (step 1) or the positions of an extended slice. */
function sliceAssignPositions(sl: { start?: number; stop?: number; step?: number }, n: number, span: Span): { start: number; count: number; list: number[] } {
  const clamp = (v: number | undefined, d: number): number => (v === undefined ? d : v < 0 ? Math.max(n + v, 0) : Math.min(v, n));
  const start = clamp(sl.start, 0);
  const stop = clamp(sl.stop, n);
  return { start, count: Math.max(0, stop - start), list: slicePositions(sl, n, span) };
}

/**
 * A dtype called as a function (`jnp.bool_(m)`, `np.float32(x)`, `torch.float32` is not callable but
 * NumPy's and JAX's scalar types are): the value converted, as `.astype(dtype)`; a plain number stays one.
 */
function castByDtype(ev: Evaluator, dtype: Extract<Value, { t: 'dtype' }>['v'], v: Value | undefined, span: Span): Value {
  if (ev.ctx.framework === 'pytorch' || ev.ctx.framework === 'tfjs') throw new UserCodeError(`a dtype (${dtype}) is not callable`, span, 'TypeError');
  if (!v) return dtype === 'bool' ? { t: 'bool', v: false } : num(0, dtype.startsWith('int'));
  if (v.t === 'num' || v.t === 'bool') {
    const x = v.t === 'bool' ? Number(v.v) : v.v;
    if (dtype === 'bool') return { t: 'bool', v: x !== 0 };
    return dtype.startsWith('int') ? num(Math.trunc(x), true) : num(x);
  }
  const t = cast(ev.tensor(v, span), dtype);
  return { t: 'tensor', v: t.dtype === 'float32' ? ev.ctx.finish(t) : t };
}

export class Evaluator implements Interpreter {
  private steps = 0;
  private callDepth = 0;
  private customDepth = 0;
  /** Inside `torch.no_grad()`: in-place updates are invisible to autograd. */
  private noGrad = 0;
  /** Random draws made so far: the next one's seed (from 1: TF.js takes a seed of 0 as none), so an evaluation draws the same numbers every time it runs. */
  private seeds = 0;
  /** The exceptions being handled (`raise` alone re-raises the innermost). */
  private readonly handling: UserCodeError[] = [];
  readonly ctx: OpContext;
  /** Data-dependent branches and skipped validation calls, for the report. */
  readonly notes = new EvaluationNotes();
  private readonly modules = new Map<string, ModuleContext>();
  /** What the translation assumed where the source leaves a choice (a weight's initializer, a class decorator): said in the summary. */
  readonly assumptions = new Set<string>();

  /** The engine's live tensor counts, read at every step for the tensor budget. */
  private readonly engine = tf.engine().state;
  private readonly startTensors = { bytes: this.engine.numBytes, count: this.engine.numTensors };

  constructor(readonly budget: Budget, readonly resolveImport: ImportResolver | undefined, ctx?: Partial<OpContext>) {
    this.ctx = { framework: 'numpy', maxElements: budget.maxElements, finish: (t) => t, nextSeed: () => ++this.seeds, assume: (text) => this.assume(text), ...ctx };
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
    // Every step: one step can make a tensor of `maxElements`, and reading the engine's counts is cheap.
    const bytes = this.engine.numBytes - this.startTensors.bytes;
    const tensors = this.engine.numTensors - this.startTensors.count;
    const maxBytes = this.budget.maxTensorBytes ?? probeTensorBudget.bytes;
    const maxTensors = this.budget.maxTensors ?? probeTensorBudget.tensors;
    if (bytes > maxBytes || tensors > maxTensors) {
      const what = tensors > maxTensors ? `${maxTensors.toLocaleString('en')} tensors` : `${Math.round(maxBytes / 1048576)} MB of tensors`;
      throw new ProbeBudgetExceeded(`the function held more than ${what} at once, after ${this.steps.toLocaleString('en')} interpreter steps (a loop that keeps a tensor each time round?)`);
    }
    if ((this.steps & 1023) === 0 && Date.now() > this.budget.deadline && budgetSpent(this.budget.cpu)) throw new ProbeBudgetExceeded('the probe ran past its time budget');
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
      case 'augassign': this.augAssign(s, scope); return;
      case 'return': throw new ReturnSignal(s.value ? this.expr(s.value, scope) : NONE);
      case 'if': {
        if (this.condition(this.expr(s.test, scope), s.test.span, 'if')) this.execBlock(s.body, scope);
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
        while (this.condition(this.expr(s.test, scope), s.test.span, 'while')) {
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
            this.noGrad++;
            try {
              this.execBlock(s.body, scope);
            } finally {
              this.noGrad--;
            }
            this.detachAssigned(s.body, scope);
            return;
          }
          if (item.target) this.assign(item.target, ctxValue, scope);
        }
        this.execBlock(s.body, scope);
        return;
      }
      case 'try': this.tryStatement(s, scope); return;
      case 'function': scope.vars.set(s.fn.name, makeFunction(s.fn, scope)); return;
      case 'class': scope.vars.set(s.cls.name, makeClass(this, s.cls, scope)); return;
      case 'import': for (const [name, thunk] of importBindings(this, s, scope)) scope.setLazy(name, thunk); return;
      case 'pass': return;
      case 'break': throw new BreakSignal();
      case 'continue': throw new ContinueSignal();
      case 'raise': throw this.raised(s, scope);
      case 'assert': this.assertStatement(s, scope); return;
      case 'unsupported': throw new UnsupportedConstruct(s.construct, s.span);
    }
  }

  /**
   * A value as the condition of `if`, `while`, `and`/`or`, a conditional expression or `assert`:
   * Python's truth, and for a tensor the framework's (one element: its value, more: the framework's
   * "ambiguous" error). A branch decided by a tensor is noted for the report.
   */
  condition(v: Value, span: Span, construct: string): boolean {
    if (v.t !== 'tensor') return truthy(v, span);
    const taken = truthy(v, span, this.ctx.framework);
    if (this.ctx.framework !== 'tfjs') this.notes.branch(construct, span, taken);
    return taken;
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

  // ------------------------------------------------------------------ exceptions

  /**
   * `try`/`except`: an error the user's code raises (its own `raise`, a failed `assert`, a framework
   * error, `next()` past the end) is caught by the first handler whose class matches. What the
   * evaluator cannot translate, and the probe's budgets, are never caught: they are not the program's.
   */
  private tryStatement(s: Extract<Stmt, { kind: 'try' }>, scope: Scope): void {
    try {
      try {
        this.execBlock(s.body, scope);
      } catch (thrown) {
        // A refused dynamic import is an ImportError to a handler that takes one, else what it was.
        const err = thrown instanceof DynamicImportRefused ? new UserCodeError(`No module named '${thrown.module}'`, thrown.span, 'ModuleNotFoundError') : thrown;
        if (!(err instanceof UserCodeError)) throw err;
        const i = this.handlerFor(s, err, scope);
        if (i < 0) throw thrown;
        const name = s.handlerNames?.[i];
        // The exception object: its args; no traceback is modelled (None, as after `raise … from None`).
        if (name) scope.vars.set(name, { t: 'opaque', what: `${err.exceptionType} exception`, attrs: new Map<string, Value>([['args', { t: 'tuple', items: [str(err.message)] }], ['__traceback__', NONE]]) });
        this.handling.push(err);
        try {
          this.execBlock(s.handlers[i], scope);
        } finally {
          this.handling.pop();
        }
      }
    } finally {
      this.execBlock(s.finalbody, scope);
    }
  }

  private handlerFor(s: Extract<Stmt, { kind: 'try' }>, err: UserCodeError, scope: Scope): number {
    for (let i = 0; i < s.handlers.length; i++) {
      const type = s.handlerTypes?.[i];
      if (!type) return i; // a bare `except:` (or JavaScript's `catch`) catches everything
      const names = (type.kind === 'tuple' || type.kind === 'list' ? type.items : [type]).map((t) => dottedName(t)?.split('.').pop() ?? '');
      if (names.some((n) => exceptionMatches(err.exceptionType, n))) return i;
    }
    void scope;
    return -1;
  }

  private raised(s: Extract<Stmt, { kind: 'raise' }>, scope: Scope): UserCodeError {
    if (!s.exc) return this.handling[this.handling.length - 1] ?? new UserCodeError('the function raises an exception on this input', s.span);
    const callee = s.exc.kind === 'call' ? s.exc.callee : s.exc;
    const type = dottedName(callee)?.split('.').pop() ?? 'Exception';
    let message = '';
    if (s.exc.kind === 'call' && s.exc.args[0]) {
      // The message is only for the report: if it cannot be computed, the type alone says enough.
      try {
        message = pyStr(this.expr(s.exc.args[0].value, scope));
      } catch (err) {
        if (err instanceof ProbeBudgetExceeded) throw err;
      }
    }
    return new UserCodeError(`the function raises ${type}${message ? `(${message})` : ''} on this input`, s.span, type);
  }

  /** `assert test, msg`: False is the user's AssertionError; a test that cannot be translated is skipped and said. */
  private assertStatement(s: Extract<Stmt, { kind: 'assert' }>, scope: Scope): void {
    let ok: boolean;
    try {
      ok = this.condition(this.expr(s.test, scope), s.test.span, 'assert');
    } catch (err) {
      if (err instanceof UnsupportedConstruct) { this.notes.skip('assert', s.span, err.message); return; }
      throw err;
    }
    if (ok) return;
    let message = '';
    if (s.msg) {
      try {
        message = pyStr(this.expr(s.msg, scope));
      } catch (err) {
        if (err instanceof ProbeBudgetExceeded) throw err;
      }
    }
    throw new UserCodeError(`assertion failed${message ? `: ${message}` : ''}`, s.span, 'AssertionError');
  }

  // ------------------------------------------------------------------ assignment

  private assign(target: Expr, value: Value, scope: Scope): void {
    switch (target.kind) {
      case 'name': scope.vars.set(target.id, value); return;
      case 'tuple':
      case 'list': {
        const items = iterate(value, target.span);
        const starIndex = target.items.findIndex((t) => t.kind === 'starred');
        if (starIndex < 0) {
          if (items.length !== target.items.length) throw new UserCodeError(`cannot unpack ${items.length} values into ${target.items.length} names`, target.span, 'ValueError');
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
        // requires_grad and any other attribute a user pins on a tensor (`k.require_grads = False`)
        // change no value: every probe input is differentiated anyway.
        if (obj.t === 'tensor' && target.name !== 'data') return;
        if (obj.t === 'tensor' && target.name === 'data' && this.ctx.framework === 'pytorch') {
          // x.data = v replaces the values autograd does not see: the gradient still flows to x.
          const next = this.tensor(value, target.span);
          this.store(plainRef(obj), tf.add(obj.v, detach(tf.sub(tf.broadcastTo(next, obj.v.shape), obj.v))), target.span);
          return;
        }
        throw new UnsupportedConstruct('assignment to an attribute', target.span, `of ${describe(obj)}`);
      }
      case 'subscript': {
        const ref = this.ref(target.object, scope);
        const index = this.expr(target.index, scope);
        this.assignItem(ref, index, value, target.span);
        return;
      }
      case 'starred': this.assign(target.value, value, scope); return;
      default: throw new UnsupportedConstruct('assignment target', target.span);
    }
  }

  /** `obj[index] = value`: dicts and lists in place; a tensor as a functional update stored back into it. */
  private assignItem(ref: Ref, index: Value, value: Value, span: Span): void {
    const obj = ref.value;
    if (obj.t === 'dict') { obj.map.set(keyOf(index), value); obj.keys.set(keyOf(index), index); return; }
    if (obj.t === 'list') {
      if (index.t === 'slice') {
        const positions = sliceAssignPositions(index, obj.items.length, span);
        const items = iterate(value, span);
        if (index.step === undefined || index.step === 1) {
          obj.items.splice(positions.start, positions.count, ...items);
          return;
        }
        if (items.length !== positions.list.length) throw new UserCodeError(`attempt to assign sequence of size ${items.length} to extended slice of size ${positions.list.length}`, span, 'ValueError');
        positions.list.forEach((p, k) => { obj.items[p] = items[k]; });
        return;
      }
      const i = index.t === 'num' ? index.v : index.t === 'bool' ? Number(index.v) : NaN;
      const k = i < 0 ? obj.items.length + i : i;
      if (!Number.isInteger(k) || k < 0 || k >= obj.items.length) throw new UserCodeError('list assignment index out of range', span, 'IndexError');
      obj.items[k] = value;
      return;
    }
    if (obj.t === 'tensor') {
      const fw = this.ctx.framework;
      if (!mutableTensors(fw)) {
        throw new UserCodeError(fw === 'jax' ? 'JAX arrays are immutable and do not support in-place item assignment; use x = x.at[idx].set(y)' : `a ${fw === 'tfjs' ? 'TF.js' : 'TensorFlow'} tensor does not support item assignment`, span, 'TypeError');
      }
      this.store(ref, tensorSetIndex(obj.v, index, this.tensor(value, span), span, fw), span);
      return;
    }
    if (obj.t === 'tuple' || obj.t === 'str') throw new UserCodeError(`'${obj.t}' object does not support item assignment`, span, 'TypeError');
    throw new UnsupportedConstruct(`item assignment into ${describe(obj)}`, span);
  }

  /**
   * `target op= value`. On PyTorch and NumPy tensors it is in place: every name and attribute
   * holding the tensor sees the new value (`x += 1` through an alias changes both). Elsewhere, and for
   * numbers, it rebinds the target; a list extends in place.
   */
  private augAssign(s: Extract<Stmt, { kind: 'augassign' }>, scope: Scope): void {
    const rhs = (): Value => this.expr(s.value, scope);
    if (s.target.kind === 'subscript') {
      const ref = this.ref(s.target.object, scope);
      const index = this.expr(s.target.index, scope);
      const current = indexValue(ref.value, index, s.target.span, this.ctx.framework);
      this.assignItem(ref, index, binaryOp(this.ctx, s.op, current, rhs(), s.span), s.target.span);
      return;
    }
    const ref = s.target.kind === 'attribute' ? this.ref(s.target, scope) : plainRef(this.expr(s.target, scope));
    const current = ref.value;
    if (current.t === 'list' && s.op === '+') { current.items.push(...iterate(rhs(), s.value.span)); return; }
    const value = binaryOp(this.ctx, s.op, current, rhs(), s.span);
    if (current.t === 'tensor' && value.t === 'tensor' && mutableTensors(this.ctx.framework)) {
      if (!sameShape(current.v.shape, value.v.shape)) {
        throw new UserCodeError(`output with shape [${current.v.shape.join(', ')}] doesn't match the broadcast shape [${value.v.shape.join(', ')}]`, s.span, this.ctx.framework === 'numpy' ? 'ValueError' : 'RuntimeError');
      }
      this.store(ref, value.v, s.span);
      return;
    }
    this.assign(s.target, value, scope);
  }

  /**
   * The value an assignment target or an in-place receiver reaches. A basic index of a PyTorch or
   * NumPy tensor is a view: storing into it writes through to the tensor it views (`x[:, 0][m] = 0`,
   * `x[:, 0].clamp_(0)`); `x.data` is a view autograd does not see.
   */
  private ref(e: Expr, scope: Scope): Ref {
    const fw = this.ctx.framework;
    if (!mutableTensors(fw)) return plainRef(this.expr(e, scope));
    if (e.kind === 'subscript') {
      const base = this.ref(e.object, scope);
      const index = this.expr(e.index, scope);
      const value = indexValue(base.value, index, e.span, fw);
      const baseValue = base.value;
      if (baseValue.t === 'tensor' && value.t === 'tensor' && isBasicIndex(index)) {
        return { value, store: (t) => { value.v = t; base.store(tensorSetIndex(baseValue.v, index, t, e.span, fw)); } };
      }
      return plainRef(value);
    }
    if (e.kind === 'attribute' && e.name === 'data' && fw === 'pytorch') {
      const base = this.ref(e.object, scope);
      const baseValue = base.value;
      if (baseValue.t === 'tensor') {
        const value: TensorValue = { t: 'tensor', v: detach(baseValue.v) };
        return { value, store: (t) => { value.v = t; base.store(tf.add(baseValue.v, detach(tf.sub(t, baseValue.v)))); } };
      }
      return plainRef(attribute(this, baseValue, e.name, e.span));
    }
    return plainRef(this.expr(e, scope));
  }

  /** Stores a new tensor into a reference (its dtype kept); under `torch.no_grad()` autograd does not see the change. */
  private store(ref: Ref, next: tf.Tensor, span: Span): void {
    const old = ref.value;
    if (old.t !== 'tensor') throw new UnsupportedConstruct(`in-place update of ${describe(old)}`, span);
    let t = next.dtype === old.v.dtype ? next : tf.cast(next, old.v.dtype);
    if (this.noGrad > 0 && t.dtype === 'float32' && sameShape(t.shape, old.v.shape)) t = tf.add(old.v, detach(tf.sub(t, old.v)));
    ref.store(t);
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
      case 'fstring': return str(e.parts.map((p) => (typeof p === 'string' ? p : formatValue(this.expr(p.expr, scope), p.spec, p.conversion, p.expr.span))).join(''));
      case 'compare': {
        // a < b < c is (a < b) and (b < c): a tensor in the middle of a chain is a condition.
        let left = this.expr(e.operands[0], scope);
        let result: Value = { t: 'bool', v: true };
        for (let i = 0; i < e.ops.length; i++) {
          const right = this.expr(e.operands[i + 1], scope);
          result = compareOp(this.ctx, e.ops[i], left, right, e.span);
          if (i < e.ops.length - 1 && !this.condition(result, e.span, 'comparison chain')) return result;
          left = right;
        }
        return result;
      }
      case 'logical': {
        const left = this.expr(e.left, scope);
        if (e.op === '??') return left.t === 'none' ? this.expr(e.right, scope) : left;
        const lt = this.condition(left, e.left.span, e.op);
        if (e.op === 'and') return lt ? this.expr(e.right, scope) : left;
        return lt ? left : this.expr(e.right, scope);
      }
      case 'conditional': return this.condition(this.expr(e.test, scope), e.test.span, 'conditional expression') ? this.expr(e.then, scope) : this.expr(e.otherwise, scope);
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
      case 'subscript': {
        const obj = this.expr(e.object, scope);
        const index = this.expr(e.index, scope);
        // A user class defining `__getitem__` (a registry looked up by name) is indexed through it.
        const getitem = obj.t === 'instance' ? classAttribute(obj.cls, '__getitem__') : undefined;
        if (obj.t === 'instance' && getitem?.t === 'func') return this.callFunction({ ...getitem, self: obj }, [index], new Map(), e.span);
        return indexValue(obj, index, e.span, this.ctx.framework);
      }
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
        const keys: Value[] = [];
        const inner = new Scope(scope, scope.module);
        const run = (level: number): void => {
          if (level === e.clauses.length) {
            if (e.key) keys.push(this.expr(e.key, inner));
            out.push(this.expr(e.element, inner));
            return;
          }
          const clause = e.clauses[level];
          for (const item of iterate(this.expr(clause.iter, inner), clause.iter.span)) {
            this.tick();
            this.assign(clause.target, item, inner);
            if (clause.conditions.every((c) => this.condition(this.expr(c, inner), c.span, 'comprehension filter'))) run(level + 1);
          }
        };
        run(0);
        if (e.output === 'dict') {
          const map = new Map<string, Value>();
          const keyValues = new Map<string, Value>();
          keys.forEach((k, i) => { map.set(keyOf(k), out[i]); keyValues.set(keyOf(k), k); });
          return { t: 'dict', map, keys: keyValues };
        }
        if (e.output === 'set') return { t: 'list', items: out.filter((v, i) => out.findIndex((w) => keyOf(w) === keyOf(v) && !keyOf(v).startsWith('?:')) === i) };
        // A generator expression is an iterator: next() takes from it, and it is used up once.
        if (e.output === 'generator') return { t: 'iterator', items: out, pos: 0 };
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
    const calleeName = dottedName(e.callee);
    // Logging and printing never affect the value: they are skipped, never GP001.
    if (statement && calleeName && silentCalls.test(calleeName)) return NONE;
    if (statement && calleeName && validationCall.test(calleeName)) {
      // A validation whose result is unused: run it when it translates (its failure is the user's
      // error); when it does not, skip it (it never changes a value) and say so in the report.
      try {
        return this.callExpr(e, scope);
      } catch (err) {
        if (!(err instanceof UnsupportedConstruct)) throw err;
        this.notes.skip(calleeName, e.span, err.message);
        return NONE;
      }
    }
    try {
      return this.callExpr(e, scope);
    } catch (err) {
      this.relocate(err, scope.module.path, e.span);
      throw err;
    }
  }

  private callExpr(e: Extract<Expr, { kind: 'call' }>, scope: Scope): Value {
    if (e.callee.kind === 'attribute') {
      // The receiver is evaluated once, as a reference: an in-place method stores into it.
      const receiver = this.ref(e.callee.object, scope);
      const base = receiver.value.t === 'tensor' && mutableTensors(this.ctx.framework) ? inplaceBaseName(e.callee.name) : undefined;
      if (base) {
        const { args, kwargs } = this.evalArgs(e.args, scope);
        this.store(receiver, inplaceResult(this, receiver.value as TensorValue, base, args, kwargs, e.span), e.span);
        return receiver.value;
      }
      const callee = attribute(this, receiver.value, e.callee.name, e.callee.span);
      const { args, kwargs } = this.evalArgs(e.args, scope);
      return this.callValue(callee, args, kwargs, e.span);
    }
    const callee = this.expr(e.callee, scope);
    const { args, kwargs } = this.evalArgs(e.args, scope);
    return this.callValue(callee, args, kwargs, e.span);
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
      case 'ns': return this.callFramework(callee.path, args, kwargs, span, callee.from);
      case 'dtype': return castByDtype(this, callee.v, args[0], span);
      case 'instance': {
        const call = instanceCallable(this, callee);
        if (!call) throw new UnsupportedConstruct(`calling a ${callee.cls.def.name} object`, span, 'it defines no forward/call/__call__');
        return this.callValue(call, args, kwargs, span);
      }
      default: throw new UnsupportedConstruct(`calling ${describe(callee)}`, span);
    }
  }

  /**
   * A framework function. PyTorch's in-place spellings (`torch.relu_(x)`, `F.relu(x, inplace=True)`)
   * and `out=` store the result into that tensor, as the framework does.
   */
  private callFramework(path: string, args: Value[], kwargs: Map<string, Value>, span: Span, from?: string): Value {
    const fw = this.ctx.framework;
    const inplaceFn = mutableTensors(fw) && /^torch\.(nn\.functional\.)?[a-z]\w*[a-z0-9]_$/.test(path) && args[0]?.t === 'tensor';
    const answer = metadataCall(path, args, kwargs, fw, span);
    if (answer) return answer;
    const built = frameworkConstruct(this, path, args, kwargs, span);
    if (built) return built;
    const own = from !== undefined && !inplaceFn && !opAt(path) ? workspaceDefinition(this, path, from, span) : undefined;
    if (own) return this.callValue(own, args, kwargs, span);
    const foreign = foreignCallError(path, span);
    if (foreign) throw foreign;
    const out = kwargs.get('out');
    const inplaceArg = kwargs.get('inplace');
    const result = callOp(inplaceFn ? path.slice(0, -1) : path, args, kwargs, span, this);
    let target: Value | undefined;
    if (inplaceFn || (inplaceArg?.t === 'bool' && inplaceArg.v && mutableTensors(fw))) target = args[0];
    if (out?.t === 'tensor') target = out;
    if (target?.t === 'tensor' && result.t === 'tensor') {
      this.store(plainRef(target), result.v, span);
      return target;
    }
    return result;
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

