// The static read of a loss function's IR, without running anything: it walks the callable the probe
// runs (a function, a factory's closure, forward/call) with a taint of what derives from the
// prediction and from the target, through the user's own helpers, and records what is done to them
// (lossFacts.ts). What each op does is lossOps.ts's, from the op tables' tags.
import type { DetectedFunction } from '../detect/detect';
import { frameworkPath, importsOf, type ImportMap } from '../detect/imports';
import type { Framework } from '../ir/frameworks';
import { dottedName, type Arg, type ClassDef, type Expr, type FunctionDef, type Span, type Stmt } from '../ir/ir';
import { classAt, methodAt, opAt, tensorAttribute } from '../ops/registry';
import { emptyFacts, lossOpInfo, lossParameterNames, type LossFacts } from './lossFacts';
import { EMPTY, TaintOps, union, type Env, type Taint } from './lossOps';

class Reader {
  readonly facts: LossFacts;
  private readonly ops: TaintOps;
  private readonly imports: ImportMap;
  private readonly framework: Framework;
  private readonly topFunctions = new Map<string, FunctionDef>();
  private readonly topValues = new Map<string, Expr>();
  private readonly selfAttrs = new Map<string, Taint>();
  private depth = 0;
  private noGrad: Span | undefined;

  constructor(private readonly target: DetectedFunction, predName: string, targetName: string) {
    this.imports = importsOf(target.module.ir);
    this.framework = target.framework;
    this.facts = emptyFacts(predName, targetName);
    this.ops = new TaintOps(this.facts);
    for (const s of target.module.ir.body) {
      if (s.kind === 'function') this.topFunctions.set(s.fn.name, s.fn);
      else if (s.kind === 'assign') for (const t of s.targets) if (t.kind === 'name') this.topValues.set(t.id, s.value);
    }
    if (target.cls) this.readConstructor(target.cls);
  }

  private readConstructor(cls: ClassDef): void {
    const init = cls.body.find((s): s is Extract<Stmt, { kind: 'function' }> => s.kind === 'function' && (s.fn.name === '__init__' || s.fn.name === 'constructor'));
    if (!init) return;
    const env: Env = new Map([['self', { ...EMPTY, self: true }], ['this', { ...EMPTY, self: true }]]);
    const visit = (body: Stmt[]): void => {
      for (const s of body) {
        if (s.kind === 'assign') {
          const v = this.expr(s.value, env);
          for (const t of s.targets) if (t.kind === 'attribute' && (dottedName(t.object) === 'self' || dottedName(t.object) === 'this')) this.selfAttrs.set(t.name, v);
        } else if (s.kind === 'if') { visit(s.body); visit(s.orelse); }
      }
    };
    visit(init.fn.body);
  }

  run(fn: FunctionDef, inputs: string[]): void {
    const env: Env = new Map();
    env.set('self', { ...EMPTY, self: true });
    env.set('this', { ...EMPTY, self: true });
    const [predName, targetName] = [this.facts.predName, this.facts.targetName];
    for (const name of inputs) {
      if (name === predName) env.set(name, { pred: true, target: false, grad: true });
      else if (name === targetName) env.set(name, { pred: false, target: true, grad: false });
    }
    this.body(fn.body, env);
  }

  /** Runs a body; returns the union of what it returns. */
  private body(stmts: Stmt[], env: Env): Taint | undefined {
    let ret: Taint | undefined;
    const add = (t: Taint | undefined): void => { if (t) ret = ret ? union(ret, t) : t; };
    for (const s of stmts) add(this.stmt(s, env));
    return ret;
  }

  private assign(target: Expr, value: Taint, env: Env): void {
    if (this.noGrad && value.grad) {
      this.facts.kills.push({ what: 'torch.no_grad()', span: this.noGrad });
      value = { ...value, grad: false };
    } else if (this.noGrad) value = { ...value, grad: false };
    if (target.kind === 'name') env.set(target.id, value);
    else if (target.kind === 'tuple' || target.kind === 'list') for (const t of target.items) this.assign(t, value, env);
    else if (target.kind === 'starred') this.assign(target.value, value, env);
  }

  private stmt(s: Stmt, env: Env): Taint | undefined {
    switch (s.kind) {
      case 'expr': this.expr(s.expr, env); return undefined;
      case 'assign': {
        const v = this.expr(s.value, env);
        for (const t of s.targets) this.assign(t, v, env);
        return undefined;
      }
      case 'augassign': {
        const v = this.ops.binary(s.op, this.expr(s.target, env), this.expr(s.value, env), s.span);
        this.assign(s.target, v, env);
        return undefined;
      }
      case 'return': {
        if (!s.value) return undefined;
        const v = s.value.kind === 'tuple' && s.value.items.length ? this.expr(s.value.items[0], env) : this.expr(s.value, env);
        return this.noGrad ? { ...v, grad: false } : v;
      }
      case 'if': {
        this.expr(s.test, env);
        const a = this.body(s.body, env);
        const b = this.body(s.orelse, env);
        return a && b ? union(a, b) : a ?? b;
      }
      case 'for': {
        const it = this.expr(s.iter, env);
        this.assign(s.target, it, env);
        this.body(s.body, env);
        return this.body(s.body, env);
      }
      case 'while': this.expr(s.test, env); return this.body(s.body, env);
      case 'with': {
        let cut: Span | undefined;
        for (const item of s.items) {
          const callee = item.context.kind === 'call' ? item.context.callee : item.context;
          const path = frameworkPath(callee, this.imports);
          if (path && opAt(path)?.tags.includes('graph-break')) cut = item.context.span;
          else if (item.target) this.assign(item.target, this.expr(item.context, env), env);
        }
        const outer = this.noGrad;
        if (cut) this.noGrad = cut;
        const r = this.body(s.body, env);
        this.noGrad = outer;
        return r;
      }
      case 'try': return this.body([...s.body, ...s.handlers.flat(), ...s.finalbody], env);
      case 'function': env.set(s.fn.name, { ...EMPTY, fn: { def: s.fn, env } }); return undefined;
      default: return undefined;
    }
  }

  private callFunction(def: FunctionDef, closure: Env, args: Taint[], kwargs: Map<string, Taint>, isMethod: boolean): Taint {
    if (this.depth > 4) return union(...args, ...kwargs.values());
    const env: Env = new Map(closure);
    const params = def.params.filter((p) => p.kind === 'normal');
    const offset = isMethod && params[0] && (params[0].name === 'self' || params[0].name === 'cls') ? 1 : 0;
    params.slice(offset).forEach((p, i) => env.set(p.name, args[i] ?? kwargs.get(p.name) ?? EMPTY));
    this.depth++;
    try {
      return this.body(def.body, env) ?? EMPTY;
    } finally {
      this.depth--;
    }
  }

  expr(e: Expr, env: Env): Taint {
    switch (e.kind) {
      case 'number': return { ...EMPTY, number: e.value };
      case 'name': {
        const v = env.get(e.id);
        if (v) return v;
        const fn = this.topFunctions.get(e.id);
        if (fn) return { ...EMPTY, fn: { def: fn, env: new Map() } };
        const top = this.topValues.get(e.id);
        if (top && this.depth < 3 && top.kind === 'call') {
          this.depth++;
          try { return this.expr(top, new Map()); } finally { this.depth--; }
        }
        return EMPTY;
      }
      case 'attribute': {
        const obj = this.expr(e.object, env);
        if (obj.self) {
          const v = this.selfAttrs.get(e.name);
          if (v) return v;
          const m = this.target.cls?.body.find((s): s is Extract<Stmt, { kind: 'function' }> => s.kind === 'function' && s.fn.name === e.name);
          if (m) return { ...EMPTY, fn: { def: m.fn, env: new Map([['self', { ...EMPTY, self: true }]]) } };
          return EMPTY;
        }
        const attribute = tensorAttribute(this.framework, e.name);
        if (attribute === 'metadata') return EMPTY;
        return attribute === 'detached' ? this.ops.kill(obj, `.${e.name}`, e.span) : obj;
      }
      case 'call': return this.call(e, env);
      case 'binary': return this.ops.binary(e.op, this.expr(e.left, env), this.expr(e.right, env), e.span);
      case 'unary': {
        const v = this.expr(e.operand, env);
        if (e.op === '-' && v.number !== undefined) return { ...EMPTY, number: -v.number };
        if (e.op === 'not' || e.op === '~') return this.ops.kill(v, e.op === 'not' ? 'not' : '~', e.span);
        if (e.op === '-' && v.pred) return { ...union(v), negPred: true };
        return v;
      }
      case 'compare': {
        const vs = e.operands.map((o) => this.expr(o, env));
        return this.ops.kill(union(...vs), `comparison ${e.ops[0]}`, e.span);
      }
      case 'logical': return union(this.expr(e.left, env), this.expr(e.right, env));
      case 'conditional': this.expr(e.test, env); return union(this.expr(e.then, env), this.expr(e.otherwise, env));
      case 'tuple': case 'list': return union(...e.items.map((i) => this.expr(i, env)));
      case 'dict': return union(...e.entries.map((en) => this.expr(en.value, env)));
      case 'subscript': {
        const obj = this.expr(e.object, env);
        const idx = this.expr(e.index, env);
        if (idx.target && obj.pred) this.facts.indexByTarget.push({ what: 'indexing by the target', span: e.span });
        return { ...obj, target: obj.target || idx.target };
      }
      case 'lambda': return { ...EMPTY, fn: { def: e.fn, env } };
      case 'comprehension': return union(this.expr(e.element, env), ...e.clauses.map((c) => this.expr(c.iter, env)));
      case 'starred': return this.expr(e.value, env);
      default: return EMPTY;
    }
  }

  private call(e: Extract<Expr, { kind: 'call' }>, env: Env): Taint {
    const positional = e.args.filter((a) => !a.name && !a.spread);
    const argExprs = positional.map((a) => a.value);
    const kwExprs = new Map(e.args.filter((a): a is Arg & { name: string } => !!a.name).map((a) => [a.name, a.value]));
    const evalArg = (x: Expr): Taint => {
      const t = this.expr(x, env);
      // tf.tidy(() => …) and friends: the zero-argument callback is the computation.
      if (t.fn && t.fn.def.params.length === 0) return this.callFunction(t.fn.def, t.fn.env, [], new Map(), false);
      return t;
    };
    const path = frameworkPath(e.callee, this.imports);
    if (path) {
      const args = argExprs.map(evalArg);
      const kwargs = new Map([...kwExprs].map(([k, v]) => [k, evalArg(v)]));
      return this.frameworkCall(path, dottedName(e.callee) ?? path, args, kwargs, argExprs, kwExprs, e.span);
    }
    if (e.callee.kind === 'attribute' && this.expr(e.callee.object, env).self) {
      // self.helper(...) or a loss object built in the constructor: self.ce(input, target)
      const callee = this.expr(e.callee, env);
      const args = argExprs.map(evalArg);
      const kwargs = new Map([...kwExprs].map(([k, v]) => [k, evalArg(v)]));
      if (callee.fn) return this.callFunction(callee.fn.def, callee.fn.env, args, kwargs, true);
      if (callee.lossObject) return this.callLossObject(callee.lossObject, args, e.span);
      return union(...args, ...kwargs.values());
    }
    if (e.callee.kind === 'attribute') {
      const recv = this.expr(e.callee.object, env);
      const args = argExprs.map(evalArg);
      const kwargs = new Map([...kwExprs].map(([k, v]) => [k, evalArg(v)]));
      if (recv.fn) return this.callFunction(recv.fn.def, recv.fn.env, args, kwargs, true);
      if (recv.lossObject) return this.callLossObject(recv.lossObject, args, e.span);
      if (recv.self) return union(...args, ...kwargs.values());
      return this.method(e.callee.name, recv, args, kwargs, argExprs, kwExprs, e.span);
    }
    const callee = this.expr(e.callee, env);
    const args = argExprs.map(evalArg);
    const kwargs = new Map([...kwExprs].map(([k, v]) => [k, evalArg(v)]));
    if (callee.fn) return this.callFunction(callee.fn.def, callee.fn.env, args, kwargs, false);
    if (callee.lossObject) return this.callLossObject(callee.lossObject, args, e.span);
    return union(...args, ...kwargs.values());
  }

  private callLossObject(obj: NonNullable<Taint['lossObject']>, args: Taint[], span: Span): Taint {
    const [a, b] = args;
    const pred = obj.argOrder === 'target-first' ? b : a;
    const target = obj.argOrder === 'target-first' ? a : b;
    const name = obj.path.split('.').pop() ?? obj.path;
    return this.ops.lossOp(name, obj.info, pred, target, obj.fromLogits, span);
  }

  private frameworkCall(path: string, written: string, args: Taint[], kwargs: Map<string, Taint>, argExprs: Expr[], kwExprs: Map<string, Expr>, span: Span): Taint {
    const cls = classAt(path);
    if (cls) {
      // A loss class built here and called later; other classes (activation modules) are not followed.
      const info = cls.call.kind === 'loss' ? lossOpInfo(cls.tags) : undefined;
      if (!info || cls.call.kind !== 'loss') return union(...args, ...kwargs.values());
      const fl = kwExprs.get('from_logits') ?? kwExprs.get('fromLogits');
      return { ...EMPTY, lossObject: { path, info, argOrder: cls.call.argOrder, fromLogits: fl?.kind === 'bool' && fl.value } };
    }
    const op = opAt(path);
    if (!op) return union(...args, ...kwargs.values());
    const x = args[0] ?? kwargs.values().next().value ?? EMPTY;
    return this.ops.apply({ op, what: written, path, x, args, kwargs, argExprs, kwExprs, span, isMethod: false });
  }

  private method(name: string, recv: Taint, args: Taint[], kwargs: Map<string, Taint>, argExprs: Expr[], kwExprs: Map<string, Expr>, span: Span): Taint {
    const op = methodAt(this.framework, name);
    if (!op) return union(recv, ...args, ...kwargs.values());
    return this.ops.apply({ op, what: `.${name}()`, x: recv, args: [recv, ...args], kwargs, argExprs, kwExprs, span, isMethod: true });
  }
}

/** Reads the callable the loss probe runs (function, factory closure, forward/call). */
export function readLossFacts(target: DetectedFunction, predIndex: 0 | 1): LossFacts {
  const names = lossParameterNames(target, predIndex);
  const reader = new Reader(target, names.pred, names.target);
  const fn = target.inner ?? target.def;
  if (fn) reader.run(fn, target.inputs);
  return reader.facts;
}
