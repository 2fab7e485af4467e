// What each op and operator does to a taint in the static read of a loss (lossRead.ts walks the
// code; this says what a call or an operator means). Ops are known only by their tags and roles in
// the op tables (src/core/ops): this file keeps no list of op names.
import { dottedName, type Expr, type FunctionDef, type Span } from '../ir/ir';
import type { Value } from '../ir/values';
import type { OpTag } from '../ops/implementations';
import { isIntegerDtype, type OpFacts } from '../ops/registry';
import type { Scope } from '../translate/scope';
import { lossOpInfo, type LossFacts, type LossOpInfo, type SourceOp } from './lossFacts';

/** What a value is, as far as the read can tell: derived from the prediction or the target, and how. */
export interface Taint {
  pred: boolean;
  target: boolean;
  /** A gradient can flow from the prediction. */
  grad: boolean;
  act?: SourceOp & { kind: 'sigmoid' | 'softmax' };
  /**
   * Derived from the prediction after a sigmoid/softmax (kept through arithmetic and reductions,
   * unlike `act`): an overlap ratio of such a value takes logits; of the raw prediction, probabilities.
   */
  activated?: boolean;
  /** value = f(pred) + c with a literal c. */
  shift?: number;
  /** value = c − f(pred). */
  negPred?: boolean;
  /** value = c − target (1 − y_true: the complement of a label). */
  negTarget?: boolean;
  /** max(c − f(pred), 0): a hinge on the prediction from above (a margin on a distance). */
  hinge?: SourceOp & { margin?: number };
  /** value = c − f(pred): the c. */
  margin?: number;
  /** The shape of the prediction or the target (x.shape, x.size()). */
  shapeOf?: boolean;
  /** The items of a tuple or list literal, each with its own taint. */
  items?: Taint[];
  /** What a call returned as a tuple (`return w, p, tw, tp`), read as its first item: unpacking it splits the tuple, not a tensor's last axis. */
  tuple?: boolean;
  /** Indexed with a new axis (x[:, None]): one side of a pairwise comparison. */
  expanded?: boolean;
  /** log_sigmoid / log_softmax of the prediction: its exp is that activation. */
  logOfAct?: SourceOp & { kind: 'sigmoid' | 'softmax' };
  /** Holds a (1 − p) term of the prediction (p·t + (1 − p)(1 − t)): a binary form. */
  complement?: boolean;
  diff?: boolean;
  logged?: boolean;
  exp?: boolean;
  prodPT?: boolean;
  sumProd?: number[] | 'all';
  sqrt?: boolean;
  reduced?: boolean;
  logTarget?: SourceOp;
  /** A function: its definition and, when the interpreter gave it, the scope it closes over and its bound `self`. */
  fn?: { def: FunctionDef; env: Env; closure?: Scope; self?: Value; bound?: { args: Taint[]; kwargs: Map<string, Taint> } };
  /** What the interpreter computes for it, when it does not depend on the inputs (a parameter's default, an attribute, a constant). */
  value?: Value;
  lossObject?: { path: string; info: LossOpInfo; argOrder: 'input-first' | 'target-first'; fromLogits: boolean };
  number?: number;
  self?: boolean;
}

export type Env = Map<string, Taint>;

/** Ops that read a tensor at integer indices along an axis (torch.gather, take_along_axis, tf.gather). */
const gatherImpls = new Set(['gather_along', 'take_along_axis', 'take']);
/** Ops that write values at integer indices along an axis (torch.scatter): ones at a label's index make it one-hot. */
const scatterImpls = new Set(['scatter']);

export const EMPTY: Taint = { pred: false, target: false, grad: false };

export function union(...ts: Taint[]): Taint {
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
    out.hinge ??= t.hinge;
    out.complement ||= t.complement;
    out.tuple ||= t.tuple;
    out.activated ||= t.activated;
  }
  return out;
}

export function numberOf(e: Expr): number | undefined {
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

/** Axes the interpreter computed (`dim=reduce_axis` with `reduce_axis = [2, 3]`). */
function axesOfValue(v: Value | undefined): number[] | undefined {
  if (!v) return undefined;
  if (v.t === 'num') return [v.v];
  if ((v.t === 'list' || v.t === 'tuple') && v.items.every((i) => i.t === 'num')) return v.items.map((i) => (i as { v: number }).v);
  return undefined;
}

/** Axes (2, 3) / (−2, −1) of an image batch, (2, 3, 4) / (−3, −2, −1) of a volume batch. */
function spatialRank(axes: number[] | 'all' | undefined): 4 | 5 | undefined {
  if (!Array.isArray(axes)) return undefined;
  const key = [...axes].sort((a, b) => a - b).join(',');
  if (key === '2,3' || key === '-2,-1') return 4;
  if (key === '2,3,4' || key === '-3,-2,-1') return 5;
  return undefined;
}

function isLastAxis(axes: number[] | 'all' | undefined): boolean {
  return Array.isArray(axes) && axes.length === 1 && (axes[0] === -1 || axes[0] === 1);
}

/** A call of an op, as the read sees it. */
export interface OpCall {
  op: OpFacts;
  /** As written: `torch.log`, `K.sum`, `.log()` for a method. */
  what: string;
  /** The framework path; absent for a method call (no keyword binding then). */
  path?: string;
  /** The receiver of a method, else the first argument. */
  x: Taint;
  /** Every argument's taint (a method's receiver first). */
  args: Taint[];
  kwargs: Map<string, Taint>;
  /** The written positional arguments (without a method's receiver) and keyword arguments. */
  argExprs: Expr[];
  kwExprs: Map<string, Expr>;
  span: Span;
  isMethod: boolean;
}

/** Records what ops and operators do to the prediction and the target into the facts. */
export class TaintOps {
  constructor(readonly facts: LossFacts) {}

  kill(v: Taint, what: string, span: Span): Taint {
    if (v.grad) this.facts.kills.push({ what, span });
    return { pred: v.pred, target: v.target, grad: false, reduced: v.reduced };
  }

  binary(op: string, a: Taint, b: Taint, span: Span): Taint {
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
        if (a.number !== undefined && b.target && !b.pred) {
          if (a.number === 1 && !b.reduced) this.facts.targetComplement.push({ what: `1 − ${this.facts.targetName}`, span });
          return { ...u, negTarget: true };
        }
        if (a.number !== undefined && b.pred) return { ...u, negPred: !b.negPred, complement: true, ...(b.negPred ? {} : { margin: a.number }) };
        if (b.number !== undefined && a.pred) return { ...u, shift: (a.shift ?? 0) - b.number, negPred: a.negPred };
        if ((a.pred && b.target && !a.target) || (b.pred && a.target && !b.target)) return { ...u, diff: true };
        // x[:, None] − x[None, :]: the pairwise differences of the prediction with itself (a distance matrix).
        if (a.expanded && b.expanded && a.pred && b.pred && !a.target && !b.target) this.facts.predGram.push({ what: `pairwise differences of ${this.facts.predName}`, span });
        return u;
      }
      case '*': {
        const out: Taint = { ...u };
        this.pairHinge(a, b, span);
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
      case '@': return this.matmul(a, b, span);
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

  /** A hinge on the prediction weighted by the target or its complement: a contrastive loss on pair distances. */
  private pairHinge(a: Taint, b: Taint, span: Span): void {
    const [h, w] = a.hinge && !a.target ? [a, b] : b.hinge && !b.target ? [b, a] : [undefined, undefined];
    if (!h || !w || !w.target || w.pred) return;
    // The label that carries the hinge marks dissimilar pairs; the other one similar pairs.
    const hinge = h.hinge!;
    this.facts.pairHinges.push({ what: `${hinge.what} weighted by ${w.negTarget ? `1 − ${this.facts.targetName}` : this.facts.targetName}`, span: hinge.span, similarLabel: w.negTarget ? 1 : 0, ...(hinge.margin !== undefined ? { margin: hinge.margin } : {}) });
  }

  /** A matrix product: of the prediction with itself (embeddings), or with the target (two views). */
  matmul(a: Taint, b: Taint, span: Span): Taint {
    const u = union(a, b);
    const predOnly = (t: Taint): boolean => t.pred && !t.target;
    const targetOnly = (t: Taint): boolean => t.target && !t.pred;
    if (predOnly(a) && predOnly(b)) this.facts.predGram.push({ what: `a product of ${this.facts.predName} with itself`, span });
    else if ((predOnly(a) && targetOnly(b)) || (targetOnly(a) && predOnly(b))) this.facts.crossGram.push({ what: `a product of ${this.facts.predName} with ${this.facts.targetName}`, span });
    return u;
  }

  divide(a: Taint, b: Taint, span: Span): Taint {
    const u = union(a, b);
    if (b.pred) this.facts.predDivisions.push({ what: 'division', span });
    if (a.sumProd && !b.sqrt && b.pred) this.facts.diceRatios.push({ what: `ratio of sums of ${this.facts.predName}·${this.facts.targetName}`, span, axes: a.sumProd, activated: Boolean(a.activated || b.activated) });
    if (a.pred && b.pred && b.reduced && !a.reduced && !a.target) this.facts.lastAxisReductions.push({ what: 'row normalisation', span });
    return { ...u, act: a.act };
  }

  /** log (or log1p, whose argument is shifted by 1) of a value. */
  logOf(v: Taint, what: string, span: Span, log1p: boolean): Taint {
    const out: Taint = { ...union(v), logged: true };
    if (v.pred) {
      if (v.act || v.diff) return out;
      if (v.exp) { this.facts.softplusForm.push({ what, span }); return out; }
      const shift = log1p ? (v.shift ?? 0) + 1 : v.shift ?? 0;
      if (v.negPred || v.complement) this.facts.predLogComplement.push({ what, span });
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

  /** A framework loss applied to (pred, target) taints: the family facts, swapped arguments, doubled activations. */
  lossOp(name: string, info: LossOpInfo, pred: Taint | undefined, target: Taint | undefined, fromLogits: boolean, span: Span): Taint {
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

  /** The argument bound to a parameter (by its implementation name): positional first, then by its source name. */
  private argument(c: OpCall, implName: string): { taint: Taint; expr?: Expr } | undefined {
    const i = c.op.params.findIndex((p) => p.impl === implName);
    if (i < 0) return undefined;
    const p = c.op.params[i];
    if (i < c.args.length) return { taint: c.args[i], expr: c.argExprs[i] };
    if (c.kwargs.has(p.source)) return { taint: c.kwargs.get(p.source)!, expr: c.kwExprs.get(p.source) };
    return undefined;
  }

  private frameworkLoss(c: OpCall, info: LossOpInfo): Taint {
    const roles = c.op.roles;
    const pred = roles && this.argument(c, roles.prediction);
    const target = roles && this.argument(c, roles.target);
    const bool = (e: Expr | undefined): boolean => e?.kind === 'bool' && e.value;
    const fromLogits = bool(c.kwExprs.get('from_logits') ?? c.kwExprs.get('fromLogits')) || bool(this.argument(c, 'from_logits')?.expr);
    return this.lossOp(c.what, info, pred?.taint, target?.taint, fromLogits, c.span);
  }

  /** A cast: to an integer or boolean type it cuts the gradient; to a float type it changes nothing. */
  private cast(c: OpCall, all: Taint, label: string): Taint {
    const d = c.kwExprs.get('dtype') ?? c.argExprs[c.isMethod ? 0 : 1];
    const fixed = c.op.fixed?.dtype;
    const text = d ? dottedName(d) ?? (d.kind === 'string' ? `'${d.value}'` : '') : fixed?.t === 'str' ? fixed.v : '';
    if (!isIntegerDtype(text)) return c.x;
    if (!d) return this.kill(all, label, c.span);
    return this.kill(all, c.isMethod ? `${label.replace(/\(\)$/, '')}(${text})` : `${label.replace(/\(\)$/, '')}(…, ${text})`, c.span);
  }

  /**
   * relu(m − d), max(m − d, 0), clamp(m − d, min=0) of the prediction: a hinge from above, the
   * margin term of a contrastive loss on distances.
   */
  private hingeOf(c: OpCall, tags: readonly OpTag[], label: string): Taint | undefined {
    const source = c.args.find((t) => t.pred && t.negPred && !t.target);
    if (!source) return undefined;
    const zero = (e: Expr | undefined): boolean => e !== undefined && numberOf(e) === 0;
    const boundedAtZero = tags.includes('nonnegative') && !tags.includes('norm')
      || (tags.includes('guard') && (c.args.some((t) => t.number === 0) || ['min', 'clip_value_min', 'a_min', 'x_min', 'lower'].some((k) => zero(c.kwExprs.get(k)))));
    if (!boundedAtZero) return undefined;
    return { ...union(...c.args, ...c.kwargs.values()), hinge: { what: label, span: c.span, ...(source.margin !== undefined ? { margin: source.margin } : {}) } };
  }

  /**
   * zeros.scatter_(dim, target[..., None], 1): a constant written at the target's indices is the
   * target made one-hot (whatever tensor gave the zeros: often zeros_like of the prediction).
   */
  private scatteredOneHot(c: OpCall, label: string): Taint | undefined {
    if (!scatterImpls.has(c.op.impl)) return undefined;
    const positional = c.isMethod ? c.args.slice(1) : c.args;
    const at = (impl: string): Taint | undefined => {
      const i = c.op.params.findIndex((p) => p.impl === impl);
      if (i < 0) return undefined;
      return i < positional.length ? positional[i] : c.kwargs.get(c.op.params[i].source);
    };
    const index = at('index');
    const written = at('src') ?? at('value');
    if (!index || !index.target || index.pred || written?.pred || written?.target) return undefined;
    this.facts.oneHotTarget.push({ what: `${label} at ${this.facts.targetName}`, span: c.span });
    return { ...EMPTY, target: true };
  }

  apply(c: OpCall): Taint {
    const { op: { tags }, x, args, argExprs, kwExprs, span, isMethod } = c;
    const all = union(...args, ...c.kwargs.values());
    const label = c.what.startsWith('.') ? c.what : `${c.what}()`;
    const axisArg = (): Expr | undefined => kwExprs.get('axis') ?? kwExprs.get('dim') ?? argExprs[isMethod ? 0 : 1];
    if (tags.includes('graph-break')) return this.kill(all, label, span);
    if (tags.includes('equality') && args.length >= 2 && args.slice(0, 2).every((t) => t.target && !t.pred)) this.facts.targetPairwise.push({ what: label, span });
    if (tags.includes('nondiff')) {
      if (tags.includes('argmax') && x.pred && isLastAxis(axesOf(axisArg()))) this.facts.lastAxisReductions.push({ what: label, span });
      return this.kill(all, label, span);
    }
    if (tags.includes('cast')) return this.cast(c, all, label);
    // lprobs.gather(dim, index=target): the target holds the class indices the prediction is read at.
    // So it does where anything else is gathered by it (a table of weights or class costs read at a
    // label map's class ids): only integers index.
    if (gatherImpls.has(c.op.impl) && [...args.slice(1), ...c.kwargs.values()].some((t) => t.target && !t.pred)) this.facts.indexByTarget.push({ what: `${label} at ${this.facts.targetName}`, span });
    const oneHot = this.scatteredOneHot(c, label);
    if (oneHot) return oneHot;
    const info = lossOpInfo(tags);
    if (info) return c.path ? this.frameworkLoss(c, info) : all;
    if (tags.includes('weighted-log')) return union(args[0] ?? EMPTY, this.logOf(args[1] ?? EMPTY, label, span, tags.includes('log1p')));
    if (tags.includes('logit')) return { ...all, logged: true };
    if (tags.includes('log')) return this.logOf(x, label, span, tags.includes('log1p'));
    if (tags.includes('sigmoid') || tags.includes('softmax')) {
      if (!x.pred) return x;
      const op = { what: label, span, kind: tags.includes('sigmoid') ? 'sigmoid' as const : 'softmax' as const };
      this.facts.activations.push(op);
      if (x.act) this.facts.doubleActivation.push({ what: label, span, message: `${label} is applied to ${this.facts.predName} after ${x.act.what} already turned it into probabilities; apply it once` });
      return { ...x, act: op, activated: true, logged: false, exp: false };
    }
    if (tags.includes('log-sigmoid') || tags.includes('log-softmax')) {
      if (x.pred) {
        this.facts.activations.push({ what: label, span, kind: tags.includes('log-sigmoid') ? 'sigmoid' : 'softmax' });
        if (x.act) this.facts.doubleActivation.push({ what: label, span, message: `${label} is applied to ${this.facts.predName} after ${x.act.what} already turned it into probabilities; apply it once` });
      }
      const act = x.pred ? { what: label, span, kind: tags.includes('log-sigmoid') ? 'sigmoid' as const : 'softmax' as const } : undefined;
      return { ...x, act: undefined, logged: true, ...(act ? { logOfAct: act } : {}) };
    }
    if (tags.includes('softplus-form')) {
      // Of the prediction itself (not of an error y_pred − y_true, as in log-cosh): a loss on logits.
      if (x.pred && !x.diff) this.facts.softplusForm.push({ what: label, span });
      if (tags.includes('logsumexp') && x.pred && !x.diff) this.facts.activations.push({ what: label, span, kind: 'softmax' });
      return { ...all, logged: true };
    }
    // exp(log_sigmoid(z)) is sigmoid(z): probabilities again.
    if (tags.includes('exp') && x.logOfAct) return { ...x, logged: false, act: x.logOfAct, activated: true, logOfAct: undefined };
    if (tags.includes('exp')) return { ...all, exp: x.pred || all.exp };
    if (tags.includes('matmul')) return this.matmul(args[0] ?? EMPTY, args[1] ?? EMPTY, span);
    if (tags.includes('concat')) {
      const parts = x.items ?? args;
      if (parts.some((t) => t.pred && !t.target) && parts.some((t) => t.target && !t.pred)) this.facts.viewsJoined.push({ what: label, span });
      return all;
    }
    if (tags.includes('normalize')) {
      if (x.target && !x.pred) this.facts.targetNormalized.push({ what: label, span });
      return all;
    }
    const hinge = this.hingeOf(c, tags, label);
    if (hinge) return hinge;
    if (tags.includes('distance') || tags.includes('similarity')) {
      if (tags.includes('distance') && all.pred) this.facts.predSqrt.push({ what: label, span });
      return { ...all, diff: all.pred && all.target, sqrt: true };
    }
    if (tags.includes('sqrt') || tags.includes('fractional-pow')) {
      if (tags.includes('fractional-pow')) {
        const e = argExprs[isMethod ? 0 : 1] ?? kwExprs.get('exponent');
        const n = e ? numberOf(e) : undefined;
        if (n === undefined || n >= 1 || n <= 0) return all;
      }
      if (x.pred) {
        this.facts.predSqrt.push({ what: label, span });
        // sqrt(p) itself (not of a distance or a sum): the predictions are meant to be non-negative.
        if (!(x.diff || x.reduced || tags.includes('norm'))) this.facts.predLogShifted.push({ what: label, span });
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
      const axisTaint = c.kwargs.get('axis') ?? c.kwargs.get('dim') ?? c.kwargs.get('axes') ?? args[1];
      const axes = axesOf(kwExprs.get('axis') ?? kwExprs.get('dim') ?? kwExprs.get('axes') ?? argExprs[isMethod ? 0 : 1]) ?? axesOfValue(axisTaint?.value);
      const spatial = spatialRank(axes);
      if (spatial && x.pred) this.facts.imageOps.push({ what: `${label} over ${spatial === 5 ? 'three' : 'two'} spatial axes`, span, rank: spatial });
      const out: Taint = { ...x, reduced: true, act: undefined, shift: undefined, negPred: undefined };
      if (x.prodPT && tags.includes('sum-reduce')) out.sumProd = x.sumProd ?? axes ?? 'all';
      if ((x.logged || x.logTarget) && isLastAxis(axes)) this.facts.lastAxisReductions.push({ what: label, span });
      return out;
    }
    const [a = EMPTY, b = EMPTY] = args;
    if (tags.includes('quotient')) return this.divide(a, b, span);
    if (tags.includes('multiply')) return this.binary('*', a, b, span);
    if (tags.includes('subtract')) return this.binary('-', a, b, span);
    if (tags.includes('add')) return this.binary('+', a, b, span);
    if (tags.includes('squared-difference')) return { ...all, diff: (args[0]?.pred && args[1]?.target) || (args[1]?.pred && args[0]?.target) || all.diff };
    if (tags.includes('negate')) return x.pred ? { ...x, negPred: !x.negPred } : x;
    if (tags.includes('transparent')) return { ...all, act: x.act, shift: x.shift, negPred: x.negPred, number: undefined };
    return all;
  }
}
