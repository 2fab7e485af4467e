// A static read of a loss function's IR, without running anything: what it does to the prediction
// and to the target (log, sigmoid/softmax, one-hot, dice-like ratios, ops that cut the gradient).
// The loss probe chooses its input family from these facts and names the op at fault in messages.
import type { DetectedFunction } from '../detect/detect';
import { frameworkPath, importsOf, type ImportMap } from '../detect/imports';
import { allOpRows, methodAt, opAt } from '../ops/registry';
import type { Framework } from '../ir/frameworks';
import type { Arg, ClassDef, Expr, FunctionDef, Span, Stmt } from '../ir/ir';
import { dottedName } from '../ir/ir';

/** An op the static read found, where it is and what it was applied to. */
export interface SourceOp {
  what: string;
  span: Span;
}

export interface LossFacts {
  predName: string;
  targetName: string;
  /** log (or xlogy) of an expression of the prediction: probabilities. */
  predLog: SourceOp[];
  /** log(1 − p) / log1p(−p): a binary probability form. */
  predLogComplement: SourceOp[];
  /** log(p + 1), log1p(p), sqrt(p): a transform of a non-negative regression target. */
  predLogShifted: SourceOp[];
  /** log/sqrt of the target alone, multiplied with the prediction (the prediction used as the weight). */
  targetLogTimesPred: SourceOp[];
  /** log/sqrt applied to the target alone anywhere (for the evidence). */
  targetLog: SourceOp[];
  /** sigmoid/softmax (and their log forms) applied to the prediction. */
  activations: (SourceOp & { kind: 'sigmoid' | 'softmax' })[];
  /** log(1 + exp(z)), softplus, logsumexp of the prediction: a loss written on logits. */
  softplusForm: SourceOp[];
  /** Framework losses the prediction is fed to. */
  lossOps: (SourceOp & { info: LossOpInfo; fromLogits: boolean })[];
  oneHotTarget: SourceOp[];
  indexByTarget: SourceOp[];
  /** Ratios of sums of prediction × target products (Dice, IoU, Tversky). */
  diceRatios: (SourceOp & { axes: number[] | 'all' })[];
  /** Reductions over the last axis of log terms, row normalisation, argmax over the last axis. */
  lastAxisReductions: SourceOp[];
  /** c − y_true·y_pred (hinge-style margins): targets are ±1 labels in the prediction's space. */
  margins: SourceOp[];
  /** Division by an expression of the prediction. */
  predDivisions: SourceOp[];
  /** sqrt of an expression of the prediction (distances included). */
  predSqrt: SourceOp[];
  /** where/select whose branches depend on the prediction. */
  predWhere: SourceOp[];
  /** Ops on the gradient path from the prediction that cut it. */
  kills: SourceOp[];
  /** GP211 and GP207 evidence the static read alone establishes. */
  doubleActivation: (SourceOp & { message: string })[];
  swappedArguments: (SourceOp & { message: string })[];
}

export interface LossOpInfo {
  kind: 'logits' | 'prob' | 'logprob' | 'regression';
  arity?: 'binary' | 'categorical';
  sparse?: boolean;
  /** Implementation parameter names of the prediction and the target. */
  pred: string;
  target: string;
  argOrder?: 'input-first' | 'target-first';
}

interface Taint {
  pred: boolean;
  target: boolean;
  /** A gradient can flow from the prediction. */
  grad: boolean;
  act?: SourceOp & { kind: 'sigmoid' | 'softmax' };
  /** value = f(pred) + c with a literal c. */
  shift?: number;
  /** value = c − f(pred). */
  negPred?: boolean;
  diff?: boolean;
  logged?: boolean;
  exp?: boolean;
  prodPT?: boolean;
  sumProd?: number[] | 'all';
  sqrt?: boolean;
  reduced?: boolean;
  logTarget?: SourceOp;
  fn?: { def: FunctionDef; env: Env };
  lossObject?: { path: string; info: LossOpInfo; fromLogits: boolean };
  number?: number;
  self?: boolean;
}

type Env = Map<string, Taint>;

const EMPTY: Taint = { pred: false, target: false, grad: false };

function union(...ts: Taint[]): Taint {
  const out: Taint = { pred: false, target: false, grad: false };
  for (const t of ts) {
    out.pred ||= t.pred;
    out.target ||= t.target;
    out.grad ||= t.grad;
    out.diff ||= t.diff;
    out.logged ||= t.logged;
    out.exp ||= t.exp;
    out.prodPT ||= t.prodPT;
    out.sqrt ||= t.sqrt;
    out.reduced ||= t.reduced;
    out.sumProd ??= t.sumProd;
    out.logTarget ??= t.logTarget;
  }
  return out;
}

/** Ops that keep a value what it was (an activation output stays one). */
const transparentImpls = new Set(['reshape', 'flatten', 'squeeze', 'expand_dims', 'transpose', 'identity', 'clip', 'cast', 'maximum', 'minimum', 'broadcast_to', 'tile']);

const lossImpls: Record<string, Omit<LossOpInfo, 'pred' | 'target'>> = {
  bce_torch: { kind: 'prob', arity: 'binary' },
  bce_logits_torch: { kind: 'logits', arity: 'binary' },
  cross_entropy_torch: { kind: 'logits', arity: 'categorical' },
  nll_loss_torch: { kind: 'logprob', arity: 'categorical', sparse: true },
  kl_div_torch: { kind: 'logprob' },
  bce_keras: { kind: 'prob', arity: 'binary' },
  bce_keras_backend: { kind: 'prob', arity: 'binary' },
  cce_keras: { kind: 'prob', arity: 'categorical' },
  scce_keras: { kind: 'prob', arity: 'categorical', sparse: true },
  kld_keras: { kind: 'prob', arity: 'categorical' },
  sigmoid_ce_logits_tf: { kind: 'logits', arity: 'binary' },
  optax_sigmoid_bce: { kind: 'logits', arity: 'binary' },
  softmax_ce_logits_tf: { kind: 'logits', arity: 'categorical' },
  optax_softmax_ce: { kind: 'logits', arity: 'categorical' },
  sparse_softmax_ce_logits_tf: { kind: 'logits', arity: 'categorical', sparse: true },
  mse_loss: { kind: 'regression' },
  l1_loss: { kind: 'regression' },
  smooth_l1_loss: { kind: 'regression' },
  huber_loss_torch: { kind: 'regression' },
  mse_keras: { kind: 'regression' },
  mae_keras: { kind: 'regression' },
  huber_keras: { kind: 'regression' },
  log_cosh_keras: { kind: 'regression' },
};

const tfjsLossKinds: Record<string, Omit<LossOpInfo, 'pred' | 'target'>> = {
  'tfjs.losses.logLoss': { kind: 'prob', arity: 'binary' },
  'tfjs.losses.sigmoidCrossEntropy': { kind: 'logits', arity: 'binary' },
  'tfjs.losses.softmaxCrossEntropy': { kind: 'logits', arity: 'categorical' },
};

/** Loss objects built first and called later: `nn.BCEWithLogitsLoss()(x, y)`, `keras.losses.BinaryCrossentropy(from_logits=True)`. */
const lossClasses: Record<string, LossOpInfo> = {
  'torch.nn.MSELoss': { kind: 'regression', pred: 'x', target: 'y', argOrder: 'input-first' },
  'torch.nn.L1Loss': { kind: 'regression', pred: 'x', target: 'y', argOrder: 'input-first' },
  'torch.nn.SmoothL1Loss': { kind: 'regression', pred: 'x', target: 'y', argOrder: 'input-first' },
  'torch.nn.HuberLoss': { kind: 'regression', pred: 'x', target: 'y', argOrder: 'input-first' },
  'torch.nn.BCELoss': { kind: 'prob', arity: 'binary', pred: 'x', target: 'y', argOrder: 'input-first' },
  'torch.nn.BCEWithLogitsLoss': { kind: 'logits', arity: 'binary', pred: 'x', target: 'y', argOrder: 'input-first' },
  'torch.nn.CrossEntropyLoss': { kind: 'logits', arity: 'categorical', pred: 'x', target: 'y', argOrder: 'input-first' },
  'torch.nn.NLLLoss': { kind: 'logprob', arity: 'categorical', sparse: true, pred: 'x', target: 'y', argOrder: 'input-first' },
  'torch.nn.KLDivLoss': { kind: 'logprob', pred: 'x', target: 'y', argOrder: 'input-first' },
  'keras.losses.BinaryCrossentropy': { kind: 'prob', arity: 'binary', pred: 'y_pred', target: 'y_true', argOrder: 'target-first' },
  'keras.losses.CategoricalCrossentropy': { kind: 'prob', arity: 'categorical', pred: 'y_pred', target: 'y_true', argOrder: 'target-first' },
  'keras.losses.SparseCategoricalCrossentropy': { kind: 'prob', arity: 'categorical', sparse: true, pred: 'y_pred', target: 'y_true', argOrder: 'target-first' },
  'keras.losses.MeanSquaredError': { kind: 'regression', pred: 'y_pred', target: 'y_true', argOrder: 'target-first' },
  'keras.losses.Huber': { kind: 'regression', pred: 'y_pred', target: 'y_true', argOrder: 'target-first' },
};

// Source parameter names of the framework losses' prediction and target.
const predParamNames = new Set(['input', 'x', 'y_pred', 'yPred', 'logits', 'predictions', 'output']);
const targetParamNames = new Set(['target', 'y', 'y_true', 'yTrue', 'labels', 'multiClassLabels', 'onehotLabels']);

let rowParams: Map<string, string[]> | undefined;
function paramsOf(path: string): string[] | undefined {
  rowParams ??= new Map(allOpRows().map((r) => [r.name, r.params.map((p) => p.replace(/^\*/, '').split(/[:=]/)[0])]));
  return rowParams.get(path);
}

function numberOf(e: Expr): number | undefined {
  if (e.kind === 'number') return e.value;
  if (e.kind === 'unary' && e.op === '-' && e.operand.kind === 'number') return -e.operand.value;
  return undefined;
}

function axesOf(e: Expr | undefined): number[] | 'all' | undefined {
  if (!e) return 'all';
  const n = numberOf(e);
  if (n !== undefined) return [n];
  if (e.kind === 'tuple' || e.kind === 'list') {
    const ns = e.items.map(numberOf);
    return ns.every((x): x is number => x !== undefined) ? ns : undefined;
  }
  if (e.kind === 'none') return 'all';
  return undefined;
}

function isLastAxis(axes: number[] | 'all' | undefined): boolean {
  return Array.isArray(axes) && axes.length === 1 && (axes[0] === -1 || axes[0] === 1);
}

const intDtype = /(^|\.)(u?int\d*|long|short|bool_?|byte)$|['"](u?int\d*|bool)['"]/;

class Reader {
  readonly facts: LossFacts;
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
    this.facts = {
      predName, targetName, predLog: [], predLogComplement: [], predLogShifted: [], targetLogTimesPred: [], targetLog: [], activations: [],
      softplusForm: [], lossOps: [], oneHotTarget: [], indexByTarget: [], diceRatios: [], lastAxisReductions: [], margins: [], predDivisions: [],
      predSqrt: [], predWhere: [], kills: [], doubleActivation: [], swappedArguments: [],
    };
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
        const v = this.binary(s.op, this.expr(s.target, env), this.expr(s.value, env), s.target, s.value, s.span);
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
          if (path && /^torch\.(no_grad|inference_mode)$/.test(path)) cut = item.context.span;
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
        if (['shape', 'ndim', 'dtype', 'device', 'length', 'rank'].includes(e.name)) return EMPTY;
        if (e.name === 'T' || e.name === 'mT' || e.name === 'data') return e.name === 'data' && this.framework === 'pytorch' ? this.kill(obj, '.data', e.span) : obj;
        return obj;
      }
      case 'call': return this.call(e, env);
      case 'binary': return this.binary(e.op, this.expr(e.left, env), this.expr(e.right, env), e.left, e.right, e.span);
      case 'unary': {
        const v = this.expr(e.operand, env);
        if (e.op === '-' && v.number !== undefined) return { ...EMPTY, number: -v.number };
        if (e.op === 'not' || e.op === '~') return this.kill(v, e.op === 'not' ? 'not' : '~', e.span);
        if (e.op === '-' && v.pred) return { ...union(v), negPred: true };
        return v;
      }
      case 'compare': {
        const vs = e.operands.map((o) => this.expr(o, env));
        return this.kill(union(...vs), `comparison ${e.ops[0]}`, e.span);
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

  private kill(v: Taint, what: string, span: Span): Taint {
    if (v.grad) this.facts.kills.push({ what, span });
    return { pred: v.pred, target: v.target, grad: false, reduced: v.reduced };
  }

  private binary(op: string, a: Taint, b: Taint, left: Expr, right: Expr, span: Span): Taint {
    void left; void right;
    if (a.number !== undefined && b.number !== undefined) {
      const n = op === '+' ? a.number + b.number : op === '-' ? a.number - b.number : op === '*' ? a.number * b.number : op === '/' ? a.number / b.number : undefined;
      return { ...EMPTY, number: n };
    }
    const u = union(a, b);
    switch (op) {
      case '+': {
        const c = a.number ?? b.number;
        const other = a.number !== undefined ? b : a;
        if (c !== undefined && other.pred) return { ...u, shift: (other.shift ?? 0) + c, negPred: other.negPred, act: other.act };
        return u;
      }
      case '-': {
        if (a.number !== undefined && b.prodPT && !b.reduced && !b.logged) this.facts.margins.push({ what: `${a.number} − ${this.facts.targetName}·${this.facts.predName}`, span });
        if (a.number !== undefined && b.pred) return { ...u, negPred: !b.negPred };
        if (b.number !== undefined && a.pred) return { ...u, shift: (a.shift ?? 0) - b.number, negPred: a.negPred };
        if ((a.pred && b.target && !a.target) || (b.pred && a.target && !b.target)) return { ...u, diff: true };
        return u;
      }
      case '*': {
        const out: Taint = { ...u };
        if ((a.pred && !a.logged && b.target && !b.pred) || (b.pred && !b.logged && a.target && !a.pred)) out.prodPT = true;
        else if (a.prodPT || b.prodPT) out.prodPT = true;
        const logT = a.logTarget && !a.pred ? a.logTarget : b.logTarget && !b.pred ? b.logTarget : undefined;
        const other = logT === a.logTarget ? b : a;
        if (logT && other.pred && other.grad && !other.logged) this.facts.targetLogTimesPred.push(logT);
        if (a.number !== undefined || b.number !== undefined) {
          const t = a.number !== undefined ? b : a;
          return { ...out, act: t.act };
        }
        return out;
      }
      case '/': return this.divide(a, b, span);
      case '**': {
        const exponent = b.number;
        if (exponent !== undefined && exponent > 0 && exponent < 1 && a.pred) {
          if (a.diff || a.reduced) this.facts.predSqrt.push({ what: `**${exponent}`, span });
          else this.facts.predLogShifted.push({ what: `**${exponent}`, span });
          return { ...u, sqrt: true };
        }
        return u;
      }
      default: return u;
    }
  }

  private divide(a: Taint, b: Taint, span: Span): Taint {
    const u = union(a, b);
    if (b.pred) this.facts.predDivisions.push({ what: 'division', span });
    if (a.sumProd && !b.sqrt && b.pred) this.facts.diceRatios.push({ what: `ratio of sums of ${this.facts.predName}·${this.facts.targetName}`, span, axes: a.sumProd });
    if (a.pred && b.pred && b.reduced && !a.reduced && !a.target) this.facts.lastAxisReductions.push({ what: 'row normalisation', span });
    return { ...u, act: a.act };
  }

  private logOf(v: Taint, what: string, span: Span, impl: string): Taint {
    const out: Taint = { ...union(v), logged: true };
    if (v.pred) {
      if (v.act || v.diff) return out;
      if (v.exp) { this.facts.softplusForm.push({ what, span }); return out; }
      const shift = impl === 'log1p' ? (v.shift ?? 0) + 1 : v.shift ?? 0;
      if (v.negPred) this.facts.predLogComplement.push({ what, span });
      else if (shift >= 0.5) this.facts.predLogShifted.push({ what, span });
      else this.facts.predLog.push({ what, span });
      return out;
    }
    if (v.target && !v.reduced) {
      const op = { what, span };
      this.facts.targetLog.push(op);
      return { ...out, logTarget: op };
    }
    return out;
  }

  private bind(path: string, args: Taint[], kwargs: Map<string, Taint>, argExprs: Expr[], kwExprs: Map<string, Expr>): Map<string, { taint: Taint; expr?: Expr }> {
    const out = new Map<string, { taint: Taint; expr?: Expr }>();
    const params = paramsOf(path);
    if (!params) return out;
    params.forEach((p, i) => {
      if (i < args.length) out.set(p, { taint: args[i], expr: argExprs[i] });
      else if (kwargs.has(p)) out.set(p, { taint: kwargs.get(p)!, expr: kwExprs.get(p) });
    });
    return out;
  }

  private lossOp(name: string, info: LossOpInfo, pred: Taint | undefined, target: Taint | undefined, fromLogits: boolean, span: Span): Taint {
    const u = union(pred ?? EMPTY, target ?? EMPTY);
    // A loss value: reduced, and a function of the error rather than of the prediction alone.
    const value: Taint = { ...u, logged: true, reduced: true, diff: u.pred && u.target, act: undefined, shift: undefined, negPred: undefined };
    if (pred && !pred.pred && pred.target && target?.pred) {
      this.facts.swappedArguments.push({ what: name, span, message: `${name} receives ${this.facts.targetName} where it expects the prediction and ${this.facts.predName} where it expects the target` });
      // The family is still the op's: the prediction lives where the op's target lives.
      this.facts.lossOps.push({ what: name, span, info, fromLogits });
      return value;
    }
    if (!pred?.pred) return value;
    this.facts.lossOps.push({ what: name, span, info, fromLogits });
    const logitsInput = info.kind === 'logits' || (info.kind === 'prob' && fromLogits);
    if (info.kind === 'logprob' && pred.act && !pred.logged) {
      this.facts.doubleActivation.push({
        what: pred.act.what, span: pred.act.span,
        message: `${name} expects log-probabilities, but ${this.facts.predName} goes through ${pred.act.what} without a log; use log_${pred.act.kind} instead`,
      });
    }
    if (logitsInput && pred.act) {
      this.facts.doubleActivation.push({
        what: pred.act.what, span: pred.act.span,
        message: `${pred.act.what} is applied to ${this.facts.predName} and the result is passed to ${name}, which expects logits and applies ${info.arity === 'categorical' ? 'softmax' : 'sigmoid'} itself; pass the logits directly, or use the loss's probability form`,
      });
    }
    return value;
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
    const pred = obj.info.argOrder === 'target-first' ? b : a;
    const target = obj.info.argOrder === 'target-first' ? a : b;
    const name = obj.path.split('.').pop() ?? obj.path;
    return this.lossOp(name, obj.info, pred, target, obj.fromLogits, span);
  }

  private frameworkCall(path: string, written: string, args: Taint[], kwargs: Map<string, Taint>, argExprs: Expr[], kwExprs: Map<string, Expr>, span: Span): Taint {
    const cls = lossClasses[path];
    if (cls) {
      const fl = kwExprs.get('from_logits') ?? kwExprs.get('fromLogits');
      return { ...EMPTY, lossObject: { path, info: cls, fromLogits: fl?.kind === 'bool' && fl.value } };
    }
    const op = opAt(path);
    if (!op) return union(...args, ...kwargs.values());
    const x = args[0] ?? kwargs.values().next().value ?? EMPTY;
    return this.applyOp(op.impl, op.tags, written, path, x, args, kwargs, argExprs, kwExprs, span, false);
  }

  private method(name: string, recv: Taint, args: Taint[], kwargs: Map<string, Taint>, argExprs: Expr[], kwExprs: Map<string, Expr>, span: Span): Taint {
    if (['long', 'int', 'short', 'bool', 'byte'].includes(name)) return this.kill(recv, `.${name}()`, span);
    if (name === 'to' || name === 'astype' || name === 'type') {
      const d = argExprs[0] ?? kwExprs.get('dtype');
      const text = d ? dottedName(d) ?? (d.kind === 'string' ? `'${d.value}'` : '') : '';
      if (intDtype.test(text) || (d?.kind === 'name' && (d.id === 'int' || d.id === 'bool'))) return this.kill(recv, `.${name}(${text})`, span);
      return recv;
    }
    const op = methodAt(this.framework, name);
    if (!op) {
      if (['numpy', 'item', 'tolist', 'dataSync', 'arraySync'].includes(name)) return this.kill(recv, `.${name}()`, span);
      return union(recv, ...args, ...kwargs.values());
    }
    return this.applyOp(op.impl, op.tags, `.${name}()`, undefined, recv, [recv, ...args], kwargs, argExprs, kwExprs, span, true);
  }

  private applyOp(impl: string, tags: string[], what: string, path: string | undefined, x: Taint, args: Taint[], kwargs: Map<string, Taint>, argExprs: Expr[], kwExprs: Map<string, Expr>, span: Span, isMethod: boolean): Taint {
    const all = union(...args, ...kwargs.values());
    const label = what.startsWith('.') ? what : `${what}()`;
    if (tags.includes('graph-break')) return this.kill(all, label, span);
    if (tags.includes('nondiff')) {
      if (impl === 'argmax' && x.pred && isLastAxis(axesOf(kwExprs.get('axis') ?? kwExprs.get('dim') ?? argExprs[isMethod ? 0 : 1]))) this.facts.lastAxisReductions.push({ what: label, span });
      return this.kill(all, label, span);
    }
    if (impl === 'cast') {
      const d = kwExprs.get('dtype') ?? argExprs[isMethod ? 0 : 1];
      const text = d ? dottedName(d) ?? (d.kind === 'string' ? `'${d.value}'` : '') : '';
      if (intDtype.test(text)) return this.kill(all, `${label.replace(/\(\)$/, '')}(…, ${text})`, span);
      return x;
    }
    const lossInfo = lossImpls[impl] ?? (path ? tfjsLossKinds[path] : undefined);
    if (lossInfo || impl === 'tfjs_loss') {
      const info: LossOpInfo = { ...(lossInfo ?? { kind: 'regression' }), pred: '', target: '' };
      if (path) {
        const bound = this.bind(path, args, kwargs, argExprs, kwExprs);
        const predKey = [...bound.keys()].find((k) => predParamNames.has(k));
        const targetKey = [...bound.keys()].find((k) => targetParamNames.has(k));
        const fl = kwExprs.get('from_logits') ?? kwExprs.get('fromLogits');
        const flArg = bound.get('from_logits')?.expr;
        const fromLogits = (fl?.kind === 'bool' && fl.value) || (flArg?.kind === 'bool' && flArg.value) || false;
        return this.lossOp(what, { ...info, pred: predKey ?? '', target: targetKey ?? '' }, predKey ? bound.get(predKey)!.taint : undefined, targetKey ? bound.get(targetKey)!.taint : undefined, fromLogits, span);
      }
      return all;
    }
    if (tags.includes('log') || impl === 'xlogy') {
      if (impl === 'xlogy') return union(args[0] ?? EMPTY, this.logOf(args[1] ?? EMPTY, label, span, 'log'));
      if (impl === 'logit') return { ...all, logged: true };
      return this.logOf(x, label, span, impl);
    }
    if (impl === 'sigmoid' || impl === 'softmax') {
      const kind = impl;
      if (x.pred) {
        const op = { what: label, span, kind } as SourceOp & { kind: 'sigmoid' | 'softmax' };
        this.facts.activations.push(op);
        if (x.act) this.facts.doubleActivation.push({ what: label, span, message: `${label} is applied to ${this.facts.predName} after ${x.act.what} already turned it into probabilities; apply it once` });
        return { ...x, act: op, logged: false, exp: false };
      }
      return x;
    }
    if (impl === 'log_sigmoid' || impl === 'log_softmax') {
      if (x.pred) {
        this.facts.activations.push({ what: label, span, kind: impl === 'log_sigmoid' ? 'sigmoid' : 'softmax' });
        if (x.act) this.facts.doubleActivation.push({ what: label, span, message: `${label} is applied to ${this.facts.predName} after ${x.act.what} already turned it into probabilities; apply it once` });
      }
      return { ...x, act: undefined, logged: true };
    }
    if (impl === 'softplus' || impl === 'softplus_torch' || impl === 'logsumexp' || impl === 'logaddexp') {
      // Of the prediction itself (not of an error y_pred − y_true, as in log-cosh): a loss on logits.
      if (x.pred && !x.diff) this.facts.softplusForm.push({ what: label, span });
      if (impl === 'logsumexp' && x.pred && !x.diff) this.facts.activations.push({ what: label, span, kind: 'softmax' });
      return { ...all, logged: true };
    }
    if (tags.includes('exp')) return { ...all, exp: x.pred || all.exp };
    if (impl === 'pairwise_distance_torch' || impl === 'cosine_similarity_torch') {
      if (impl === 'pairwise_distance_torch' && all.pred) this.facts.predSqrt.push({ what: label, span });
      return { ...all, diff: all.pred && all.target, sqrt: true };
    }
    if (tags.includes('sqrt') || tags.includes('fractional-pow')) {
      if (impl === 'pow') {
        const e = argExprs[isMethod ? 0 : 1] ?? kwExprs.get('exponent');
        const n = e ? numberOf(e) : undefined;
        if (n === undefined || n >= 1 || n <= 0) return all;
      }
      if (x.pred) {
        this.facts.predSqrt.push({ what: label, span });
        // sqrt(p) itself (not of a distance or a sum): the predictions are meant to be non-negative.
        if (!(x.diff || x.reduced || impl === 'norm' || impl === 'std')) this.facts.predLogShifted.push({ what: label, span });
      }
      if (x.target && !x.pred && !x.reduced) {
        const op = { what: label, span };
        this.facts.targetLog.push(op);
        return { ...all, sqrt: true, logTarget: op };
      }
      return { ...all, sqrt: true };
    }
    if (tags.includes('one-hot')) {
      if (x.target) this.facts.oneHotTarget.push({ what: label, span });
      return x;
    }
    if (tags.includes('where')) {
      if (all.pred) this.facts.predWhere.push({ what: label, span });
      return all;
    }
    if (tags.includes('sum-reduce') || tags.includes('mean-reduce')) {
      const axisExpr = kwExprs.get('axis') ?? kwExprs.get('dim') ?? kwExprs.get('axes') ?? argExprs[isMethod ? 0 : 1];
      const axes = axesOf(axisExpr);
      const out: Taint = { ...x, reduced: true, act: undefined, shift: undefined, negPred: undefined };
      if (x.prodPT && tags.includes('sum-reduce')) out.sumProd = x.sumProd ?? axes ?? 'all';
      if ((x.logged || x.logTarget) && isLastAxis(axes)) this.facts.lastAxisReductions.push({ what: label, span });
      return out;
    }
    switch (impl) {
      case 'div': case 'div_no_nan': return this.divide(args[0] ?? EMPTY, args[1] ?? EMPTY, span);
      case 'mul': return this.binary('*', args[0] ?? EMPTY, args[1] ?? EMPTY, argExprs[0], argExprs[1], span);
      case 'sub': return this.binary('-', args[0] ?? EMPTY, args[1] ?? EMPTY, argExprs[0], argExprs[1], span);
      case 'add': return this.binary('+', args[0] ?? EMPTY, args[1] ?? EMPTY, argExprs[0], argExprs[1], span);
      case 'squared_difference': return { ...all, diff: (args[0]?.pred && args[1]?.target) || (args[1]?.pred && args[0]?.target) || all.diff };
      case 'neg': return x.pred ? { ...x, negPred: !x.negPred } : x;
      default: break;
    }
    if (transparentImpls.has(impl)) return { ...all, act: x.act, shift: x.shift, negPred: x.negPred, number: undefined };
    return all;
  }
}

/** The parameter names of prediction and target, as the framework passes them. */
export function lossParameterNames(target: DetectedFunction, predIndex: 0 | 1): { pred: string; target: string } {
  const [a, b] = target.inputs;
  return predIndex === 0 ? { pred: a ?? 'y_pred', target: b ?? 'y_true' } : { pred: b ?? 'y_pred', target: a ?? 'y_true' };
}

/** Reads the callable the loss probe runs (function, factory closure, forward/call). */
export function readLossFacts(target: DetectedFunction, predIndex: 0 | 1): LossFacts {
  const names = lossParameterNames(target, predIndex);
  const reader = new Reader(target, names.pred, names.target);
  const fn = target.inner ?? target.def;
  if (fn) reader.run(fn, target.inputs);
  return reader.facts;
}

// ---------------------------------------------------------------- family

export type LossSpace = 'regression' | 'probabilities' | 'logits' | 'masks';

export interface LossFamily {
  space: LossSpace;
  arity: 'binary' | 'categorical';
  labels: 'dense' | 'index';
  /** Regression only: non-negative when the loss takes log(1 + p), log1p(p) or sqrt(p). */
  domain: 'real' | 'nonnegative';
  /** Regression only: ±1 labels for a hinge-style margin (c − y_true·y_pred). */
  signedTargets: boolean;
  /** Masks: per-sample maps (channels last / first) or per-class masks over rows (sums over axis 0). */
  maskLayout: 'nhwc' | 'nchw' | 'rows';
  name: string;
  reasons: string[];
}

const line = (op: SourceOp): string => `${op.what} (line ${op.span.startLine + 1})`;

export function chooseLossFamily(facts: LossFacts): LossFamily {
  const reasons: string[] = [];
  const logitsOps = facts.lossOps.filter((o) => o.info.kind === 'logits' || (o.info.kind === 'prob' && o.fromLogits));
  const probOps = facts.lossOps.filter((o) => o.info.kind === 'prob' && !o.fromLogits);
  const sparse = facts.lossOps.some((o) => o.info.sparse);
  const labels: LossFamily['labels'] = facts.oneHotTarget.length || facts.indexByTarget.length || sparse ? 'index' : 'dense';
  if (facts.oneHotTarget.length) reasons.push(`one-hot of ${facts.targetName}: ${line(facts.oneHotTarget[0])}`);
  else if (facts.indexByTarget.length) reasons.push(`${facts.predName} indexed by ${facts.targetName}: ${line(facts.indexByTarget[0])}`);
  else if (sparse) reasons.push(`sparse (integer-label) loss: ${line(facts.lossOps.find((o) => o.info.sparse)!)}`);

  const predNameLogits = /logit|score/i.test(facts.predName);
  let space: LossSpace;
  if (facts.activations.length || logitsOps.length || facts.softplusForm.length) {
    space = 'logits';
    const why = facts.activations[0] ?? logitsOps[0] ?? facts.softplusForm[0];
    reasons.push(logitsOps[0] && logitsOps[0].info.kind === 'prob' ? `from_logits=True: ${line(logitsOps[0])}` : `${line(why)} applied to ${facts.predName}`);
  } else if (facts.diceRatios.length) {
    space = 'masks';
    reasons.push(`${line(facts.diceRatios[0])}`);
  } else if (facts.predLog.length || facts.predLogComplement.length || probOps.length) {
    space = 'probabilities';
    const why = facts.predLog[0] ?? facts.predLogComplement[0] ?? probOps[0];
    reasons.push(`${line(why)} of ${facts.predName}`);
  } else if (facts.targetLogTimesPred.length) {
    space = 'probabilities';
    reasons.push(`${line(facts.targetLogTimesPred[0])} of ${facts.targetName} weighted by ${facts.predName} (a cross-entropy form)`);
  } else if (predNameLogits || facts.lossOps.some((o) => o.info.kind === 'logprob')) {
    space = 'logits';
    reasons.push(predNameLogits ? `the prediction is named ${facts.predName}` : 'a loss on log-probabilities');
  } else {
    space = 'regression';
    reasons.push(`no log of a probability, sigmoid/softmax or overlap ratio of ${facts.predName}`);
  }

  let arity: LossFamily['arity'] = 'binary';
  const categoricalActs = facts.activations.filter((a) => a.kind === 'softmax');
  const binaryActs = facts.activations.filter((a) => a.kind === 'sigmoid');
  if (space === 'logits') {
    if (categoricalActs.length || logitsOps.some((o) => o.info.arity === 'categorical') || labels === 'index' || (!binaryActs.length && !logitsOps.length && facts.lastAxisReductions.length)) arity = 'categorical';
  } else if (space === 'probabilities') {
    if (facts.predLogComplement.length || probOps.some((o) => o.info.arity === 'binary')) arity = 'binary';
    else if (probOps.some((o) => o.info.arity === 'categorical') || labels === 'index' || facts.lastAxisReductions.length) arity = 'categorical';
    else if (facts.predLog.length || facts.targetLogTimesPred.length) arity = 'categorical';
  }
  // Integer class labels only make sense with a class axis.
  if (labels === 'index' && (space === 'probabilities' || space === 'logits')) arity = 'categorical';
  if (space === 'probabilities' || space === 'logits') {
    const kindWhy = arity === 'categorical'
      ? (categoricalActs[0] ? `softmax over the classes: ${line(categoricalActs[0])}` : facts.lastAxisReductions[0] ? `reduction over the last axis: ${line(facts.lastAxisReductions[0])}` : labels === 'index' ? 'integer class labels' : 'a sum of t·log p terms without a (1 − p) term')
      : (binaryActs[0] ? `sigmoid: ${line(binaryActs[0])}` : facts.predLogComplement[0] ? `log(1 − p): ${line(facts.predLogComplement[0])}` : 'an elementwise form');
    reasons.push(kindWhy);
  }
  const domain: LossFamily['domain'] = space === 'regression' && facts.predLogShifted.length ? 'nonnegative' : 'real';
  if (domain === 'nonnegative') reasons.push(`${line(facts.predLogShifted[0])} of ${facts.predName}: predictions are non-negative`);
  const signedTargets = space === 'regression' && domain === 'real' && facts.margins.length > 0;
  if (signedTargets) reasons.push(`margin ${line(facts.margins[0])}: ${facts.targetName} are ±1 labels`);
  let maskLayout: LossFamily['maskLayout'] = 'nhwc';
  if (space === 'masks') {
    const axes = facts.diceRatios[0].axes;
    if (Array.isArray(axes) && axes.length === 1 && axes[0] === 0) maskLayout = 'rows';
    else if (Array.isArray(axes) && axes.includes(2) && axes.includes(3) && !axes.includes(-1)) maskLayout = 'nchw';
  }
  const name = space === 'regression' ? (domain === 'nonnegative' ? 'regression (non-negative)' : signedTargets ? 'regression with ±1 labels (margin)' : 'regression')
    : space === 'masks' ? (maskLayout === 'rows' ? 'masks (per-class, one-hot rows)' : 'masks')
    : `${arity} ${space}${labels === 'index' ? ' with integer class labels' : ''}`;
  return { space, arity, labels, domain, signedTargets, maskLayout, name, reasons };
}
