// The static read of a loss function's IR: it walks the callable the probe runs (a function, a
// factory's closure, forward/call) with a taint of what derives from the prediction and from the
// target, through the user's own helpers (in this file or another workspace file), and records what
// is done to them (lossFacts.ts). What each op does is lossOps.ts's, from the op tables' tags.
//
// The body is read as it runs: what does not depend on the inputs (a parameter's default or
// call-site value, an attribute of the built instance, a module constant) is computed by the
// program's own interpreter, so a branch on it (`if from_logits:`, `if self.mode == "multiclass":`)
// is resolved and the branch that never runs picks nothing. Nothing of the user's is executed: the
// interpreter evaluates the IR over its own values, as it does when the probe runs the loss.
import type { DetectedFunction } from '../detect/detect';
import { frameworkPath, importsOf, type ImportMap } from '../detect/imports';
import { boxFormatName } from '../detect/parameterRoles';
import type { Framework } from '../ir/frameworks';
import { dottedName, type Arg, type ClassDef, type Expr, type FunctionDef, type ModuleIR, type Span, type Stmt } from '../ir/ir';
import { num, type FunctionValue, type Value } from '../ir/values';
import { classAt, methodAt, opAt, tensorAttribute } from '../ops/registry';
import { attribute } from '../translate/attributes';
import { userCallMethod } from '../translate/classes';
import { inplaceBaseName } from '../translate/inplace';
import { truthy } from '../translate/conversions';
import { Scope } from '../translate/scope';
import type { Program } from '../translate/translate';
import { emptyFacts, lossOpInfo, lossParameterNames, type LossFacts } from './lossFacts';
import { EMPTY, numberOf, TaintOps, union, type Env, type Taint } from './lossOps';
import { withTensorScope } from './tensorScope';

/** Where a body is read: its names' taints, the scope it closes over, and its module's imports. */
interface Frame {
  env: Env;
  /** The enclosing scope (a closure, the module): names the body does not bind are looked up there. */
  scope?: Scope;
  imports: ImportMap;
  module: ModuleIR;
}

/** What a statement list does: the union of what it returns, and whether it always leaves (return, raise). */
interface Flow { ret?: Taint; exits: boolean }

const boxFormat = (text: string): 'xyxy' | 'xywh' | 'cxcywh' | undefined => {
  const t = text.toLowerCase();
  if (/^(center_|c)(xywh|yxhw)$|^cxcywh$|^center/.test(t)) return 'cxcywh';
  if (/^(rel_)?(xywh|yxhw)$/.test(t)) return 'xywh';
  if (/^(rel_)?(xyxy|yxyx)$/.test(t)) return 'xyxy';
  return undefined;
};

class Reader {
  readonly facts: LossFacts;
  private readonly ops: TaintOps;
  private readonly framework: Framework;
  private readonly moduleTops = new Map<ModuleIR, { functions: Map<string, FunctionDef>; values: Map<string, Expr>; imports: ImportMap }>();
  private readonly selfAttrs = new Map<string, Taint>();
  private readonly instance: Value | undefined;
  private depth = 0;
  private noGrad: Span | undefined;

  constructor(private readonly target: DetectedFunction, predName: string, targetName: string, private readonly program?: Program) {
    this.framework = target.framework;
    this.facts = emptyFacts(predName, targetName);
    this.ops = new TaintOps(this.facts);
    const callable = program?.callable;
    this.instance = callable?.t === 'instance' ? callable : callable?.t === 'func' ? callable.self : undefined;
    if (target.cls) this.readConstructor(target.cls);
  }

  private tops(module: ModuleIR): { functions: Map<string, FunctionDef>; values: Map<string, Expr>; imports: ImportMap } {
    let t = this.moduleTops.get(module);
    if (!t) {
      t = { functions: new Map(), values: new Map(), imports: importsOf(module) };
      for (const s of module.body) {
        if (s.kind === 'function') t.functions.set(s.fn.name, s.fn);
        else if (s.kind === 'assign') for (const x of s.targets) if (x.kind === 'name') t.values.set(x.id, s.value);
      }
      this.moduleTops.set(module, t);
    }
    return t;
  }

  private selfTaint(): Taint {
    return { ...EMPTY, self: true, ...(this.instance ? { value: this.instance } : {}) };
  }

  // Attributes set in the constructor, read statically for the framework loss objects they hold
  // (`self.ce = nn.CrossEntropyLoss()`); their values come from the built instance.
  private readConstructor(cls: ClassDef): void {
    const init = cls.body.find((s): s is Extract<Stmt, { kind: 'function' }> => s.kind === 'function' && (s.fn.name === '__init__' || s.fn.name === 'constructor'));
    if (!init) return;
    const frame: Frame = { env: new Map([['self', this.selfTaint()], ['this', this.selfTaint()]]), imports: this.tops(this.target.module.ir).imports, module: this.target.module.ir };
    const visit = (body: Stmt[]): void => {
      for (const s of body) {
        if (s.kind === 'assign') {
          const v = this.expr(s.value, frame);
          for (const t of s.targets) if (t.kind === 'attribute' && (dottedName(t.object) === 'self' || dottedName(t.object) === 'this')) this.selfAttrs.set(t.name, { ...v, value: undefined });
        } else if (s.kind === 'if') { visit(s.body); visit(s.orelse); }
      }
    };
    visit(init.fn.body);
  }

  /** Reads the callable the probe runs, its parameters bound as run() binds them. */
  run(fn: FunctionDef, inputs: string[]): void {
    const callable = this.program?.callable;
    const fnValue: FunctionValue | undefined = callable?.t === 'func' && callable.def === fn ? callable
      : callable?.t === 'instance' ? userCallMethod(callable) : undefined;
    const closure = fnValue?.closure as Scope | undefined ?? this.moduleScope(this.target.module.ir);
    const frame: Frame = { env: new Map(), scope: closure, imports: this.tops(this.target.module.ir).imports, module: this.target.module.ir };
    frame.env.set('self', this.selfTaint());
    frame.env.set('this', this.selfTaint());
    const [predName, targetName] = [this.facts.predName, this.facts.targetName];
    for (const p of fn.params) {
      if (p.name === predName) frame.env.set(p.name, { pred: true, target: false, grad: true });
      else if (p.name === targetName) frame.env.set(p.name, { pred: false, target: true, grad: false });
      else if (inputs.includes(p.name) || p.name === 'self' || p.name === 'this') continue;
      else frame.env.set(p.name, this.parameterDefault(p, closure));
    }
    // A `*input, **kwargs` forwarder: its inputs are named after the function it forwards to, so
    // `*input` holds them in order and the call spreads them into that function's parameters.
    const star = fn.params.find((p) => p.kind === 'varargs');
    if (star && !fn.params.some((p) => p.kind === 'normal' && (p.name === predName || p.name === targetName))) {
      const items = inputs.map((name) => frame.env.get(name) ?? (name === predName ? { pred: true, target: false, grad: true } : name === targetName ? { pred: false, target: true, grad: false } : EMPTY));
      frame.env.set(star.name, { ...union(...items), items });
    }
    this.body(fn.body, frame);
  }

  private moduleScope(module: ModuleIR): Scope | undefined {
    const ev = this.program?.evaluator;
    if (!ev || module !== this.target.module.ir) return undefined;
    return ev.moduleContext(this.target.module.doc.path, module).scope;
  }

  private parameterDefault(p: FunctionDef['params'][number], closure: Scope | undefined): Taint {
    if (p.kind === 'varargs') return { ...EMPTY, value: { t: 'tuple', items: [] } };
    if (p.kind === 'kwargs') return { ...EMPTY, value: { t: 'dict', map: new Map(), keys: new Map() } };
    if (!p.default) return EMPTY;
    const value = closure ? this.evaluate(p.default, closure) : undefined;
    const t = value ? this.valueTaint(value) : p.default.kind === 'number' ? { ...EMPTY, number: p.default.value } : EMPTY;
    if (value?.t === 'str' && boxFormatName.test(p.name)) this.noteFormat(value.v, p.default.span);
    return t;
  }

  // ------------------------------------------------------------------ values

  /**
   * The interpreter's value of an expression in a scope; undefined when it cannot be computed or is
   * a tensor (the read needs numbers, strings, flags and functions; the tensors it makes are released).
   */
  private evaluate(e: Expr, scope: Scope): Value | undefined {
    const ev = this.program?.evaluator;
    if (!ev) return undefined;
    return withTensorScope(() => {
      try {
        const v = ev.expr(e, scope);
        return v.t === 'tensor' || v.t === 'opaque' ? undefined : v;
      } catch {
        return undefined;
      }
    });
  }

  /** A scope holding the frame's known values, for the interpreter; undefined if a name it needs is unknown or depends on the inputs. */
  private scopeFor(e: Expr, frame: Frame): Scope | undefined {
    if (!frame.scope) return undefined;
    const scope = new Scope(frame.scope, frame.scope.module);
    for (const name of freeNames(e)) {
      const t = frame.env.get(name);
      if (!t) continue;
      if (t.pred || t.target || !t.value) return undefined;
      scope.vars.set(name, t.value);
    }
    return scope;
  }

  /** A condition's truth as the probe's call would see it; undefined when it depends on the inputs or cannot be computed. */
  private condition(e: Expr, frame: Frame): boolean | undefined {
    const scope = this.scopeFor(e, frame);
    if (!scope) return undefined;
    const value = this.evaluate(e, scope);
    const v = value === undefined ? undefined : truthy(value, e.span);
    if (v !== undefined) this.facts.branches.push({ what: exprText(e), span: e.span, taken: v });
    return v;
  }

  private valueTaint(v: Value): Taint {
    switch (v.t) {
      case 'num': return { ...EMPTY, number: v.v, value: v };
      case 'bool': return { ...EMPTY, number: v.v ? 1 : 0, value: v };
      case 'func': return { ...EMPTY, value: v, fn: { def: v.def, env: new Map(), closure: v.closure as Scope, self: v.self } };
      case 'instance': {
        const call = userCallMethod(v);
        return { ...EMPTY, value: v, ...(call ? { fn: { def: call.def, env: new Map(), closure: call.closure as Scope, self: v } } : {}) };
      }
      case 'builtin': {
        // A vectorized function (`jnp.vectorize(max_fun)`, `max_fun` a typical logsumexp or a user's
        // function) does per row what the function it maps does: the read follows the call into it.
        if (v.wraps) return this.valueTaint(v.wraps);
        // functools.partial of a user function: the read follows the call with the bound arguments.
        const inner = v.partial ? this.valueTaint(v.partial.fn) : undefined;
        if (!inner?.fn || !v.partial) return { ...EMPTY, value: v };
        const bound = { args: v.partial.args.map((a) => this.valueTaint(a)), kwargs: new Map([...v.partial.kwargs].map(([k, a]) => [k, this.valueTaint(a)])) };
        return { ...EMPTY, value: v, fn: { ...inner.fn, bound } };
      }
      default: return { ...EMPTY, value: v };
    }
  }

  private noteFormat(text: string, span: Span): void {
    const format = boxFormat(text);
    if (format) this.facts.boxFormats.push({ what: `'${text}'`, span, format });
  }

  // ------------------------------------------------------------------ statements

  /** Runs a body; returns the union of what it returns and whether it always leaves. */
  private body(stmts: Stmt[], frame: Frame): Flow {
    let ret: Taint | undefined;
    for (const s of stmts) {
      const f = this.stmt(s, frame);
      if (f.ret) ret = ret ? union(ret, f.ret) : f.ret;
      if (f.exits) return { ret, exits: true };
    }
    return { ret, exits: false };
  }

  private assign(target: Expr, value: Taint, frame: Frame): void {
    if (this.noGrad && value.grad) {
      this.facts.kills.push({ what: 'torch.no_grad()', span: this.noGrad });
      value = { ...value, grad: false };
    } else if (this.noGrad) value = { ...value, grad: false };
    if (target.kind === 'name') frame.env.set(target.id, value);
    else if (target.kind === 'tuple' || target.kind === 'list') {
      this.unpacked(target.items.length, value, target.span);
      const items = value.items?.length === target.items.length ? value.items : undefined;
      const valueItems = value.value && (value.value.t === 'tuple' || value.value.t === 'list') && value.value.items.length === target.items.length ? value.value.items : undefined;
      target.items.forEach((t, i) => this.assign(t, items?.[i] ?? (valueItems ? this.valueTaint(valueItems[i]) : { ...value, items: undefined, value: undefined, tuple: undefined }), frame));
    } else if (target.kind === 'starred') this.assign(target.value, value, frame);
  }

  /** `b, c, h, w = x.shape`: an image batch; `x1, y1, x2, y2 = boxes.unbind(-1)`: box coordinates. */
  private unpacked(n: number, value: Taint, span: Span): void {
    if (!value.pred || value.target) return;
    if (value.shapeOf && (n === 4 || n === 5)) this.facts.imageOps.push({ what: `unpacking ${n} dimensions of ${this.facts.predName}`, span, rank: n });
    else if (!value.shapeOf && !value.items && !value.tuple && n === 4) for (let i = 0; i < 4; i++) this.facts.coordinates.push({ what: `unpacking ${this.facts.predName} into 4 coordinates`, span, index: i });
  }

  /**
   * `if y_pred.shape[-1] != 4: raise …` (or `== 4`): the code checks that the last axis of an input
   * holds four values, the way box losses validate their boxes: each of the 4 is a coordinate.
   */
  private lastAxisOfFour(e: Extract<Expr, { kind: 'compare' }>, frame: Frame): void {
    if (e.operands.length !== 2 || (e.ops[0] !== '==' && e.ops[0] !== '!=')) return;
    const [a, b] = e.operands;
    const [size, four] = numberOf(b) === 4 ? [a, b] : numberOf(a) === 4 ? [b, a] : [undefined, undefined];
    if (!size || !four || size.kind !== 'subscript' || numberOf(size.index) !== -1) return;
    const shape = this.expr(size.object, frame);
    if (!shape.shapeOf || !(shape.pred || shape.target)) return;
    const who = shape.pred ? this.facts.predName : this.facts.targetName;
    for (let i = 0; i < 4; i++) this.facts.coordinates.push({ what: `the check that the last axis of ${who} holds 4 values`, span: e.span, index: i });
  }

  private stmt(s: Stmt, frame: Frame): Flow {
    const none: Flow = { exits: false };
    switch (s.kind) {
      case 'expr': {
        const v = this.expr(s.expr, frame);
        // x.scatter_(…) as a statement: the receiver holds the result afterwards.
        const e = s.expr;
        if (e.kind === 'call' && e.callee.kind === 'attribute' && e.callee.object.kind === 'name' && inplaceBaseName(e.callee.name) && frame.env.has(e.callee.object.id)) frame.env.set(e.callee.object.id, v);
        return none;
      }
      case 'assign': {
        const v = this.withValue(s.value, this.expr(s.value, frame), frame);
        for (const t of s.targets) this.assign(t, v, frame);
        return none;
      }
      case 'augassign': {
        const v = this.ops.binary(s.op, this.expr(s.target, frame), this.expr(s.value, frame), s.span);
        this.assign(s.target, v, frame);
        return none;
      }
      case 'return': {
        if (!s.value) return { exits: true };
        const v = s.value.kind === 'tuple' && s.value.items.length ? { ...this.expr(s.value.items[0], frame), tuple: true } : this.expr(s.value, frame);
        return { ret: this.noGrad ? { ...v, grad: false } : v, exits: true };
      }
      case 'raise': return { exits: true };
      case 'if': {
        const taken = this.condition(s.test, frame);
        if (taken !== undefined) return this.body(taken ? s.body : s.orelse, frame);
        this.expr(s.test, frame);
        const a = this.body(s.body, frame);
        const b = this.body(s.orelse, frame);
        return { ret: a.ret && b.ret ? union(a.ret, b.ret) : a.ret ?? b.ret, exits: a.exits && b.exits };
      }
      case 'for': {
        const it = this.expr(s.iter, frame);
        this.assign(s.target, { ...it, value: undefined, items: undefined }, frame);
        this.body(s.body, frame);
        return { ret: this.body(s.body, frame).ret, exits: false };
      }
      case 'while': this.expr(s.test, frame); return { ret: this.body(s.body, frame).ret, exits: false };
      case 'with': {
        let cut: Span | undefined;
        for (const item of s.items) {
          const callee = item.context.kind === 'call' ? item.context.callee : item.context;
          const path = frameworkPath(callee, frame.imports);
          if (path && opAt(path)?.tags.includes('graph-break')) cut = item.context.span;
          else if (item.target) this.assign(item.target, this.expr(item.context, frame), frame);
        }
        const outer = this.noGrad;
        if (cut) this.noGrad = cut;
        const r = this.body(s.body, frame);
        this.noGrad = outer;
        return r;
      }
      case 'try': return { ret: this.body([...s.body, ...s.handlers.flat(), ...s.finalbody], frame).ret, exits: false };
      case 'function': frame.env.set(s.fn.name, { ...EMPTY, fn: { def: s.fn, env: frame.env } }); return none;
      default: return none;
    }
  }

  /** An assignment's value, computed by the interpreter when it does not depend on the inputs. */
  private withValue(e: Expr, t: Taint, frame: Frame): Taint {
    if (t.pred || t.target || t.value || t.fn || t.lossObject || t.self) return t;
    const scope = this.scopeFor(e, frame);
    if (!scope) return t;
    const v = this.evaluate(e, scope);
    return v ? { ...t, ...this.valueTaint(v), grad: t.grad } : t;
  }

  // ------------------------------------------------------------------ calls of the user's functions

  private callFunction(fn: NonNullable<Taint['fn']>, args: Taint[], kwargs: Map<string, Taint>, isMethod: boolean): Taint {
    if (this.depth > 4) return union(...args, ...kwargs.values());
    const module = fn.closure?.module.ir ?? this.target.module.ir;
    const frame: Frame = { env: new Map(fn.env), scope: fn.closure, imports: this.tops(module).imports, module };
    const params = fn.def.params.filter((p) => p.kind === 'normal');
    const bound = fn.self !== undefined || isMethod;
    const offset = bound && params[0] && (params[0].name === 'self' || params[0].name === 'cls') ? 1 : 0;
    if (offset) frame.env.set(params[0].name, fn.self ? { ...EMPTY, self: true, value: fn.self } : this.selfTaint());
    if (fn.bound) {
      args = [...fn.bound.args, ...args];
      kwargs = new Map([...fn.bound.kwargs, ...kwargs]);
    }
    params.slice(offset).forEach((p, i) => frame.env.set(p.name, args[i] ?? kwargs.get(p.name) ?? this.parameterDefault(p, fn.closure)));
    this.depth++;
    try {
      return this.body(fn.def.body, frame).ret ?? EMPTY;
    } finally {
      this.depth--;
    }
  }

  // ------------------------------------------------------------------ expressions

  private name(id: string, frame: Frame): Taint {
    const v = frame.env.get(id);
    if (v) return v;
    const tops = this.tops(frame.module);
    // A module-level loss object (`criterion = nn.BCELoss()`) is read from its definition.
    const top = tops.values.get(id);
    if (top && top.kind === 'call' && this.depth < 3) {
      const callee = frameworkPath(top.callee, tops.imports);
      if (callee && classAt(callee)) {
        this.depth++;
        try { return this.expr(top, { ...frame, env: new Map() }); } finally { this.depth--; }
      }
    }
    if (frame.scope && this.program) {
      let value: Value | undefined;
      try { value = frame.scope.lookup(id); } catch { value = undefined; }
      if (value) return this.valueTaint(value);
    }
    const fn = tops.functions.get(id);
    if (fn) return { ...EMPTY, fn: { def: fn, env: new Map() } };
    if (top && this.depth < 3 && top.kind === 'call') {
      this.depth++;
      try { return this.expr(top, { ...frame, env: new Map() }); } finally { this.depth--; }
    }
    return EMPTY;
  }

  private selfAttribute(obj: Taint, name: string, span: Span): Taint {
    // What the target class's constructor assigns; another object's attributes come from its value only.
    const own = obj.value === undefined || obj.value === this.instance;
    const staticTaint = own ? this.selfAttrs.get(name) : undefined;
    if (staticTaint?.lossObject) return staticTaint;
    const self = obj.value;
    if (self && this.program) {
      let value: Value | undefined;
      try { value = attribute(this.program.evaluator, self, name, span); } catch { value = undefined; }
      if (value && value.t !== 'tensor') {
        if (value.t === 'str' && boxFormatName.test(name)) this.noteFormat(value.v, span);
        return { ...(staticTaint ?? EMPTY), ...this.valueTaint(value) };
      }
    }
    if (staticTaint || !own) return staticTaint ?? EMPTY;
    const m = this.target.cls?.body.find((s): s is Extract<Stmt, { kind: 'function' }> => s.kind === 'function' && s.fn.name === name);
    if (m) return { ...EMPTY, fn: { def: m.fn, env: new Map([['self', this.selfTaint()]]) } };
    return EMPTY;
  }

  expr(e: Expr, frame: Frame): Taint {
    switch (e.kind) {
      // The value too, so a condition on a literal argument (`helper(x, y, 1)` read as `if ord == 1:`) is decided.
      case 'number': return { ...EMPTY, number: e.value, value: num(e.value, e.isInt) };
      case 'string': return { ...EMPTY, value: { t: 'str', v: e.value } };
      case 'bool': return { ...EMPTY, number: e.value ? 1 : 0, value: { t: 'bool', v: e.value } };
      case 'none': return { ...EMPTY, value: { t: 'none' } };
      case 'name': return this.name(e.id, frame);
      case 'attribute': {
        const obj = this.expr(e.object, frame);
        if (obj.self) return this.selfAttribute(obj, e.name, e.span);
        if (!obj.pred && !obj.target && obj.value && this.program && obj.value.t !== 'ns') {
          // An attribute of a known value (a module constant, a helper's option object).
          let value: Value | undefined;
          try { value = attribute(this.program.evaluator, obj.value, e.name, e.span); } catch { value = undefined; }
          if (value && value.t !== 'tensor') return this.valueTaint(value);
        }
        const attribute_ = tensorAttribute(this.framework, e.name);
        if (attribute_ === 'metadata') return obj.pred || obj.target ? { pred: obj.pred, target: obj.target, grad: false, shapeOf: true } : EMPTY;
        if (attribute_ === 'detached') return this.ops.kill(obj, `.${e.name}`, e.span);
        return { ...obj, value: undefined, items: undefined };
      }
      case 'call': return this.call(e, frame);
      case 'binary': {
        const [a, b] = [this.expr(e.left, frame), this.expr(e.right, frame)];
        return this.ops.binary(e.op, a, b, e.span);
      }
      case 'unary': {
        const v = this.expr(e.operand, frame);
        if (e.op === '-' && v.number !== undefined) return { ...EMPTY, number: -v.number };
        if (e.op === 'not' || e.op === '~') return this.ops.kill(v, e.op === 'not' ? 'not' : '~', e.span);
        if (e.op === '-' && v.pred) return { ...union(v), negPred: true };
        return v;
      }
      case 'compare': {
        const vs = e.operands.map((o) => this.expr(o, frame));
        // labels[:, None] == labels[None, :]: which pairs share a label.
        if (e.ops.every((op) => op === '==' || op === '!=') && vs.length >= 2 && vs.every((v) => v.target && !v.pred)) this.facts.targetPairwise.push({ what: `${this.facts.targetName} compared with itself`, span: e.span });
        this.lastAxisOfFour(e, frame);
        return this.ops.kill(union(...vs), `comparison ${e.ops[0]}`, e.span);
      }
      case 'logical': return union(this.expr(e.left, frame), this.expr(e.right, frame));
      case 'conditional': {
        const taken = this.condition(e.test, frame);
        if (taken !== undefined) return this.expr(taken ? e.then : e.otherwise, frame);
        this.expr(e.test, frame);
        return union(this.expr(e.then, frame), this.expr(e.otherwise, frame));
      }
      case 'tuple': case 'list': {
        const items = e.items.map((i) => this.expr(i, frame));
        return { ...union(...items), items };
      }
      case 'dict': return union(...e.entries.map((en) => this.expr(en.value, frame)));
      case 'subscript': {
        const obj = this.expr(e.object, frame);
        const idx = this.expr(e.index, frame);
        if (idx.target && obj.pred) this.facts.indexByTarget.push({ what: 'indexing by the target', span: e.span });
        const k = lastAxisIndex(e.index);
        if (k !== undefined && (obj.pred || obj.target) && !obj.shapeOf) this.facts.coordinates.push({ what: `${dottedName(e.object) ?? 'a tensor'}[…, ${k}]`, span: e.span, index: k });
        if (obj.shapeOf) return { pred: obj.pred, target: obj.target, grad: false };
        const expanded = e.index.kind === 'none' || (e.index.kind === 'tuple' && e.index.items.some((i) => i.kind === 'none'));
        return { ...obj, target: obj.target || idx.target, items: undefined, value: undefined, expanded };
      }
      case 'lambda': return { ...EMPTY, fn: { def: e.fn, env: frame.env, ...(frame.scope ? { closure: frame.scope } : {}) } };
      case 'comprehension': return union(this.expr(e.element, frame), ...e.clauses.map((c) => this.expr(c.iter, frame)));
      case 'starred': return this.expr(e.value, frame);
      default: return EMPTY;
    }
  }

  private call(e: Extract<Expr, { kind: 'call' }>, frame: Frame): Taint {
    const positional = e.args.filter((a) => !a.name && !a.spread);
    let argExprs = positional.map((a) => a.value);
    const kwExprs = new Map(e.args.filter((a): a is Arg & { name: string } => !!a.name).map((a) => [a.name, a.value]));
    const evalArg = (x: Expr): Taint => {
      const t = this.expr(x, frame);
      // tf.tidy(() => …) and friends: the zero-argument callback is the computation.
      if (t.fn && t.fn.def.params.length === 0) return this.callFunction(t.fn, [], new Map(), false);
      return t;
    };
    const evalArgs = (): [Taint[], Map<string, Taint>] => {
      // `f(*input)` of a forwarder's own inputs (bound with their items in run()): one argument per
      // item; any other `*args` is left out, as its items are not known.
      const args: Taint[] = [];
      const exprs: Expr[] = [];
      for (const a of e.args) {
        if (a.name || a.spread === 'kwargs') continue;
        const starred = a.spread === 'args' ? a.value : a.value.kind === 'starred' ? a.value.value : undefined;
        const items = starred ? this.expr(starred, frame).items : undefined;
        if (starred && items) {
          for (const item of items) { args.push(item); exprs.push(starred); }
        } else if (!a.spread) {
          args.push(evalArg(a.value));
          exprs.push(a.value);
        }
      }
      argExprs = exprs;
      const kwargs = new Map([...kwExprs].map(([k, v]) => [k, evalArg(v)]));
      for (const [k, v] of kwargs) if (v.value?.t === 'str' && boxFormatName.test(k)) this.noteFormat(v.value.v, kwExprs.get(k)!.span);
      return [args, kwargs];
    };
    const path = frameworkPath(e.callee, frame.imports);
    if (path) {
      const [args, kwargs] = evalArgs();
      return this.frameworkCall(path, dottedName(e.callee) ?? path, args, kwargs, argExprs, kwExprs, e.span);
    }
    if (e.callee.kind === 'attribute') {
      const recv = this.expr(e.callee.object, frame);
      if (recv.self) {
        // self.helper(...) or a loss object built in the constructor: self.ce(input, target)
        const callee = this.selfAttribute(recv, e.callee.name, e.callee.span);
        const [args, kwargs] = evalArgs();
        if (callee.lossObject) return this.callLossObject(callee.lossObject, args, e.span);
        if (callee.fn) return this.callFunction(callee.fn, args, kwargs, true);
        if (callee.value?.t === 'ns') return this.frameworkCall(callee.value.path, dottedName(e.callee) ?? callee.value.path, args, kwargs, argExprs, kwExprs, e.span);
        return union(...args, ...kwargs.values());
      }
      const [args, kwargs] = evalArgs();
      if (recv.value?.t === 'ns') return this.frameworkCall(`${recv.value.path}.${e.callee.name}`, dottedName(e.callee) ?? e.callee.name, args, kwargs, argExprs, kwExprs, e.span);
      if (!recv.pred && !recv.target && recv.value) {
        const member = this.expr(e.callee, frame);
        if (member.fn) return this.callFunction(member.fn, args, kwargs, true);
        // A framework function reached through a workspace module (`from keras.ops import *` in a
        // backend shim, called as `ops.sigmoid(…)`): the interpreter resolved it to the framework's.
        if (member.value?.t === 'ns') return this.frameworkCall(member.value.path, dottedName(e.callee) ?? member.value.path, args, kwargs, argExprs, kwExprs, e.span);
        return union(...args, ...kwargs.values());
      }
      if (recv.fn) return this.callFunction(recv.fn, args, kwargs, true);
      if (recv.lossObject) return this.callLossObject(recv.lossObject, args, e.span);
      if (recv.pred || recv.target) {
        if (tensorAttribute(this.framework, e.callee.name) === 'metadata') return { pred: recv.pred, target: recv.target, grad: false, shapeOf: true };
      }
      return this.method(e.callee.name, recv, args, kwargs, argExprs, kwExprs, e.span);
    }
    const callee = this.expr(e.callee, frame);
    const [args, kwargs] = evalArgs();
    if (callee.value?.t === 'ns') return this.frameworkCall(callee.value.path, dottedName(e.callee) ?? callee.value.path, args, kwargs, argExprs, kwExprs, e.span);
    if (callee.fn) return this.callFunction(callee.fn, args, kwargs, false);
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
      const fl = kwargs.get('from_logits') ?? kwargs.get('fromLogits');
      return { ...EMPTY, lossObject: { path, info, argOrder: cls.call.argOrder, fromLogits: fl?.value?.t === 'bool' && fl.value.v } };
    }
    const op = opAt(path);
    if (!op) return union(...args, ...kwargs.values());
    const x = args[0] ?? kwargs.values().next().value ?? EMPTY;
    return this.ops.apply({ op, what: written, path, x, args, kwargs, argExprs, kwExprs, span, isMethod: false });
  }

  private method(name: string, recv: Taint, args: Taint[], kwargs: Map<string, Taint>, argExprs: Expr[], kwExprs: Map<string, Expr>, span: Span): Taint {
    // An in-place method (`.scatter_`) does what its out-of-place form does (stored back by stmt()).
    const base = inplaceBaseName(name);
    const op = methodAt(this.framework, name) ?? (base ? methodAt(this.framework, base) : undefined);
    if (!op) return union(recv, ...args, ...kwargs.values());
    return this.ops.apply({ op, what: `.${name}()`, x: recv, args: [recv, ...args], kwargs, argExprs, kwExprs, span, isMethod: true });
  }
}

/** x[..., k] or x[:, k] (also x[:, k:k+1]) with k in 0..3: a coordinate on the last axis. */
function lastAxisIndex(index: Expr): number | undefined {
  if (index.kind !== 'tuple' || index.items.length < 2) return undefined;
  const last = index.items[index.items.length - 1];
  const rest = index.items.slice(0, -1);
  if (!rest.every((i) => i.kind === 'slice' && !i.start && !i.stop && !i.step || (i.kind === 'string' && i.value === '...'))) return undefined;
  let k = numberOf(last);
  if (k === undefined && last.kind === 'slice' && last.start && last.stop && !last.step) {
    const [a, b] = [numberOf(last.start), numberOf(last.stop)];
    if (a !== undefined && b === a + 1) k = a;
  }
  return k !== undefined && Number.isInteger(k) && k >= 0 && k <= 3 ? k : undefined;
}

/** Names an expression reads (lambda and comprehension variables included: they only make the set larger). */
function freeNames(e: Expr, out = new Set<string>()): Set<string> {
  switch (e.kind) {
    case 'name': out.add(e.id); break;
    case 'attribute': freeNames(e.object, out); break;
    case 'call': freeNames(e.callee, out); e.args.forEach((a) => freeNames(a.value, out)); break;
    case 'binary': freeNames(e.left, out); freeNames(e.right, out); break;
    case 'unary': freeNames(e.operand, out); break;
    case 'compare': e.operands.forEach((o) => freeNames(o, out)); break;
    case 'logical': freeNames(e.left, out); freeNames(e.right, out); break;
    case 'conditional': freeNames(e.test, out); freeNames(e.then, out); freeNames(e.otherwise, out); break;
    case 'tuple': case 'list': e.items.forEach((i) => freeNames(i, out)); break;
    case 'dict': e.entries.forEach((en) => { if (en.key) freeNames(en.key, out); freeNames(en.value, out); }); break;
    case 'subscript': freeNames(e.object, out); freeNames(e.index, out); break;
    case 'slice': for (const p of [e.start, e.stop, e.step]) if (p) freeNames(p, out); break;
    case 'comprehension': freeNames(e.element, out); e.clauses.forEach((c) => { freeNames(c.iter, out); c.conditions.forEach((x) => freeNames(x, out)); }); break;
    case 'starred': freeNames(e.value, out); break;
    default: break;
  }
  return out;
}

/** A condition as the reasons quote it. */
function exprText(e: Expr): string {
  switch (e.kind) {
    case 'name': return e.id;
    case 'attribute': return `${exprText(e.object)}.${e.name}`;
    case 'string': return JSON.stringify(e.value);
    case 'number': return String(e.value);
    case 'bool': return e.value ? 'True' : 'False';
    case 'none': return 'None';
    case 'unary': return `${e.op === 'not' ? 'not ' : e.op}${exprText(e.operand)}`;
    case 'compare': return e.operands.map((o, i) => (i ? `${e.ops[i - 1]} ${exprText(o)}` : exprText(o))).join(' ');
    case 'logical': return `${exprText(e.left)} ${e.op} ${exprText(e.right)}`;
    case 'call': return `${exprText(e.callee)}(…)`;
    default: return '…';
  }
}

/**
 * Reads the callable the loss probe runs (function, factory closure, forward/call). With the
 * program, the body is read as it runs (conditions on parameters resolved, helpers in other files
 * followed); without it, every branch is read.
 */
export function readLossFacts(target: DetectedFunction, predIndex: 0 | 1, program?: Program): LossFacts {
  const names = lossParameterNames(target, predIndex);
  const reader = new Reader(target, names.pred, names.target, program);
  const fn = target.inner ?? target.def;
  if (fn) reader.run(fn, target.inputs);
  return reader.facts;
}
