// Source rules GP301–GP305: cheap pattern checks on the function's own code, shown even where no
// probe ran. They read the IR only; a value is "tainted" when it derives from the input the
// gradient flows into (x for an activation, the prediction for a loss).
import type { DetectedFunction } from '../detect/detect';
import { frameworkPath, importsOf, type ImportMap } from '../detect/imports';
import { finding } from '../findings/finding';
import type { RuleCode } from '../findings/rules';
import type { Finding } from '../findings/types';
import { isIntegerDtype, methodAt, opAt, type OpFacts } from '../ops/registry';
import type { OpTag } from '../ops/implementations';
import type { Expr, FunctionDef, Stmt } from '../ir/ir';
import { dottedName } from '../ir/ir';

interface Ctx {
  target: DetectedFunction;
  imports: ImportMap;
  tainted: Set<string>;
  /** Local definitions, for looking one step through a variable (`d = a + eps; log(d)`). */
  defs: Map<string, Expr>;
  findings: Finding[];
}

/** The op a call resolves to statically: its name as written and what the op tables say of it. */
function opOf(e: Extract<Expr, { kind: 'call' }>, ctx: Ctx): { name: string; tags: readonly OpTag[]; fixed?: OpFacts['fixed']; receiver?: Expr } | undefined {
  const path = frameworkPath(e.callee, ctx.imports);
  if (path) {
    const op = opAt(path);
    return op && { name: path.replace(/^tfjs\./, 'tf.'), tags: op.tags, fixed: op.fixed };
  }
  if (e.callee.kind === 'attribute') {
    const m = methodAt(ctx.target.framework, e.callee.name);
    if (m) return { name: `.${e.callee.name}()`, tags: m.tags, fixed: m.fixed, receiver: e.callee.object };
  }
  return undefined;
}

function mentions(e: Expr | undefined, names: Set<string>, defs?: Map<string, Expr>, depth = 0): boolean {
  if (!e || depth > 8) return false;
  switch (e.kind) {
    case 'name': return names.has(e.id) || (defs ? mentions(defs.get(e.id), names, defs, depth + 1) : false);
    case 'attribute': return mentions(e.object, names, defs, depth);
    case 'call': return mentions(e.callee, names, defs, depth) || e.args.some((a) => mentions(a.value, names, defs, depth));
    case 'binary': return mentions(e.left, names, defs, depth) || mentions(e.right, names, defs, depth);
    case 'unary': return mentions(e.operand, names, defs, depth);
    case 'compare': return e.operands.some((o) => mentions(o, names, defs, depth));
    case 'logical': return mentions(e.left, names, defs, depth) || mentions(e.right, names, defs, depth);
    case 'conditional': return mentions(e.then, names, defs, depth) || mentions(e.otherwise, names, defs, depth);
    case 'tuple': case 'list': return e.items.some((i) => mentions(i, names, defs, depth));
    case 'subscript': return mentions(e.object, names, defs, depth);
    case 'starred': return mentions(e.value, names, defs, depth);
    case 'comprehension': return mentions(e.element, names, defs, depth) || e.clauses.some((c) => mentions(c.iter, names, defs, depth));
    default: return false;
  }
}

/** Names users give epsilons and smoothing terms (their own variables and helpers, not ops). */
const epsName = /(eps|epsilon|smooth|tiny|delta|offset|stab|jitter|^[A-Z][A-Z0-9_]*$)/i;

/** An epsilon: a positive literal, a name that says so (EPS, self.smooth, eps), the framework's epsilon(), finfo(…).eps. */
function isConstantLike(e: Expr, ctx: Ctx): boolean {
  if (e.kind === 'number') return e.value > 0;
  if (mentions(e, ctx.tainted, ctx.defs)) return false;
  if (e.kind === 'name') {
    const d = ctx.defs.get(e.id);
    return d ? isConstantLike(d, ctx) : epsName.test(e.id);
  }
  if (e.kind === 'attribute') return epsName.test(e.name);
  if (e.kind === 'call') return !!opOf(e, ctx)?.tags.includes('epsilon') || (e.callee.kind === 'attribute' && /eps/i.test(e.callee.name));
  if (e.kind === 'binary' && (e.op === '*' || e.op === '/')) return isConstantLike(e.left, ctx) && isConstantLike(e.right, ctx);
  return false;
}

/** Does the expression keep its value away from 0 (an epsilon, clip, max, or a positive function)? */
function guardedAwayFromZero(e: Expr, ctx: Ctx, depth = 0): boolean {
  if (depth > 6) return false;
  if (!mentions(e, ctx.tainted, ctx.defs)) return true;
  switch (e.kind) {
    case 'name': { const d = ctx.defs.get(e.id); return d ? guardedAwayFromZero(d, ctx, depth + 1) : false; }
    case 'binary':
      if (e.op === '+') {
        // a + b stays away from 0 if one side is an epsilon, or one side is kept away from 0 and the other is non-negative.
        const away = (x: Expr) => mentions(x, ctx.tainted, ctx.defs) && guardedAwayFromZero(x, ctx, depth + 1);
        return (isConstantLike(e.left, ctx) && nonNegative(e.right, ctx)) || (isConstantLike(e.right, ctx) && nonNegative(e.left, ctx)) || (away(e.left) && nonNegative(e.right, ctx)) || (away(e.right) && nonNegative(e.left, ctx));
      }
      if (e.op === '*' || e.op === '/') return guardedAwayFromZero(e.left, ctx, depth + 1) && guardedAwayFromZero(e.right, ctx, depth + 1);
      if (e.op === '**') return guardedAwayFromZero(e.left, ctx, depth + 1);
      return false;
    case 'call': {
      const op = opOf(e, ctx);
      if (!op) return false;
      if (op.tags.includes('guard') || op.tags.includes('positive')) return true;
      if (op.tags.includes('add')) return e.args.some((a) => isConstantLike(a.value, ctx)) || (op.receiver !== undefined && e.args.some((a) => a.value.kind === 'number'));
      return false;
    }
    default: return false;
  }
}

/** Provably ≥ 0. A loss's raw inputs count as non-negative: the probe refutes this where they are not. */
function nonNegative(e: Expr, ctx: Ctx, depth = 0): boolean {
  if (depth > 6) return false;
  switch (e.kind) {
    case 'number': return e.value >= 0;
    case 'name': {
      if (ctx.target.kind === 'loss' && ctx.target.inputs.includes(e.id)) return true;
      const d = ctx.defs.get(e.id);
      return d ? nonNegative(d, ctx, depth + 1) : !mentions(e, ctx.tainted, ctx.defs);
    }
    case 'binary':
      if (e.op === '**') return e.right.kind === 'number' && e.right.value % 2 === 0 || nonNegative(e.left, ctx, depth + 1);
      if (e.op === '+' || e.op === '/') return nonNegative(e.left, ctx, depth + 1) && nonNegative(e.right, ctx, depth + 1);
      if (e.op === '*') return sameText(e.left, e.right) || (nonNegative(e.left, ctx, depth + 1) && nonNegative(e.right, ctx, depth + 1));
      return false;
    case 'call': {
      const op = opOf(e, ctx);
      if (!op) return false;
      if (op.tags.includes('nonnegative') || op.tags.includes('positive')) return true;
      if (op.tags.includes('sum-reduce') || op.tags.includes('mean-reduce')) return nonNegative(op.receiver ?? e.args[0]?.value ?? e, ctx, depth + 1);
      if (op.tags.includes('guard')) {
        const lower = e.args.find((a, i) => a.name === 'min' || a.name === 'clip_value_min' || a.name === 'a_min' || a.name === 'x_min' || (i === 1 && !a.name));
        return !!lower && lower.value.kind === 'number' && lower.value.value >= 0;
      }
      return false;
    }
    default: return false;
  }
}

function sameText(a: Expr, b: Expr): boolean {
  return a.kind === 'name' && b.kind === 'name' && a.id === b.id;
}

/** exp of something bounded above (−|x|, x − max x, a clipped value). */
function expGuarded(arg: Expr, ctx: Ctx): boolean {
  if (!mentions(arg, ctx.tainted, ctx.defs)) return true;
  if (arg.kind === 'name') { const d = ctx.defs.get(arg.id); return d ? expGuarded(d, ctx) : false; }
  if (arg.kind === 'unary' && arg.op === '-') return nonNegative(arg.operand, ctx);
  if (arg.kind === 'call') {
    const op = opOf(arg, ctx);
    if (op?.tags.includes('guard') || op?.tags.includes('nonpositive')) return true;
    if (op?.tags.includes('negate')) {
      const negated = op.receiver ?? arg.args[0]?.value;
      return negated ? nonNegative(negated, ctx) : false;
    }
  }
  // x − max(x), x − logsumexp(x): at most 0.
  if (arg.kind === 'binary' && arg.op === '-' && arg.right.kind === 'call' && opOf(arg.right, ctx)?.tags.includes('max-like')) return true;
  if (arg.kind === 'binary' && arg.op === '*' && ((arg.left.kind === 'number' && arg.left.value < 0 && nonNegative(arg.right, ctx)) || (arg.right.kind === 'number' && arg.right.value < 0 && nonNegative(arg.left, ctx)))) return true;
  return false;
}

function add(ctx: Ctx, code: Extract<RuleCode, `GP3${string}`>, message: string, at: Expr, evidence: Record<string, unknown>): void {
  if (ctx.findings.some((f) => f.code === code && f.span.startLine === at.span.startLine && f.span.startCol === at.span.startCol)) return;
  ctx.findings.push(finding(code, { function: ctx.target.name, message, span: at.span, evidence: { ...evidence, source: 'source rule' } }));
}

/** Domain problems in an expression: what GP303 reports and GP305 looks for in where() branches. */
function domainProblems(e: Expr, ctx: Ctx): { at: Expr; what: string }[] {
  const out: { at: Expr; what: string }[] = [];
  const visit = (x: Expr): void => {
    switch (x.kind) {
      case 'call': {
        const op = opOf(x, ctx);
        const arg = op?.receiver ?? x.args[0]?.value;
        if (op && arg && mentions(arg, ctx.tainted, ctx.defs)) {
          if ((op.tags.includes('log') && !op.tags.includes('log1p')) || op.tags.includes('sqrt') || op.tags.includes('reciprocal')) {
            // A norm's sqrt is of a sum of squares, not of the argument itself.
            const checked = op.tags.includes('norm') ? undefined : arg;
            if (checked && !guardedAwayFromZero(checked, ctx)) out.push({ at: x, what: `${op.name.replace(/^.*\./, '')} of a value that can reach 0` });
          }
          if (op.tags.includes('divide') && x.args[1] && mentions(x.args[1].value, ctx.tainted, ctx.defs) && !guardedAwayFromZero(x.args[1].value, ctx)) out.push({ at: x, what: 'division by a value that can reach 0' });
          if (op.tags.includes('fractional-pow')) {
            const exponent = x.args[1]?.value;
            if (exponent?.kind === 'number' && !Number.isInteger(exponent.value) && !guardedAwayFromZero(arg, ctx)) out.push({ at: x, what: `pow(·, ${exponent.value}) of a value that can reach 0` });
          }
        }
        x.args.forEach((a) => visit(a.value));
        visit(x.callee);
        return;
      }
      case 'binary':
        if (x.op === '/' && mentions(x.right, ctx.tainted, ctx.defs) && !guardedAwayFromZero(x.right, ctx)) out.push({ at: x, what: 'division by a value that can reach 0' });
        if (x.op === '**' && x.right.kind === 'number' && !Number.isInteger(x.right.value) && mentions(x.left, ctx.tainted, ctx.defs) && !guardedAwayFromZero(x.left, ctx)) out.push({ at: x, what: `** ${x.right.value} of a value that can reach 0` });
        visit(x.left); visit(x.right);
        return;
      case 'unary': visit(x.operand); return;
      case 'attribute': visit(x.object); return;
      case 'conditional': visit(x.then); visit(x.otherwise); return;
      case 'tuple': case 'list': x.items.forEach(visit); return;
      case 'subscript': visit(x.object); return;
      case 'logical': visit(x.left); visit(x.right); return;
      default: return;
    }
  };
  visit(e);
  return out;
}

function checkExpr(e: Expr, ctx: Ctx, inWhereCondition = false): void {
  switch (e.kind) {
    case 'call': {
      const op = opOf(e, ctx);
      const arg = op?.receiver ?? e.args[0]?.value;
      const taintedArg = !!arg && mentions(arg, ctx.tainted, ctx.defs);
      if (op && taintedArg) {
        if (op.tags.includes('nondiff') && !inWhereCondition && !op.tags.includes('predicate')) {
          add(ctx, 'GP301', `${op.name.replace(/^.*\.(?=\w)/, '')} is not differentiable: no gradient flows through it to ${ctx.target.inputs[0] ?? 'the input'}`, e, { op: op.name });
        }
        if (op.tags.includes('graph-break')) add(ctx, 'GP302', `${op.name} cuts ${describeInput(ctx)} out of the autodiff graph: no gradient flows back through it`, e, { op: op.name });
        const fixedDtype = op.fixed?.dtype;
        if (op.tags.includes('cast') && ((fixedDtype?.t === 'str' && isIntegerDtype(fixedDtype.v)) || e.args.some((a) => isIntegerDtype(dottedName(a.value) ?? (a.value.kind === 'string' ? a.value.value : ''))))) {
          add(ctx, 'GP301', `cast to an integer type is not differentiable`, e, { op: op.name });
        }
        if (op.tags.includes('exp') && !expGuarded(arg!, ctx)) {
          add(ctx, 'GP304', `${op.name.replace(/^.*\./, '')} of an unclipped input overflows float32 past 88; clip it or use a log-sum-exp / softplus form`, e, { op: op.name });
        }
      }
      // NumPy on tensors inside a framework function: the result is a constant to autodiff.
      const path = frameworkPath(e.callee, ctx.imports);
      if (path?.startsWith('numpy.') && ctx.target.framework !== 'numpy' && ctx.target.framework !== 'jax' && e.args.some((a) => mentions(a.value, ctx.tainted, ctx.defs))) {
        add(ctx, 'GP302', `NumPy call ${path} on a tensor leaves the autodiff graph`, e, { op: path });
      }
      if (op?.tags.includes('where')) {
        const [cond, a, b] = e.args.map((x) => x.value);
        for (const branch of [a, b]) {
          if (!branch) continue;
          const problems = domainProblems(branch, ctx);
          if (problems.length) add(ctx, 'GP305', `where() hides a NaN/Inf in the branch it does not take (${problems[0].what}): the forward value is fine but the gradient is NaN; make the unused branch safe too (the double-where pattern)`, e, { branch: problems[0].what });
        }
        if (cond) checkExpr(cond, ctx, true);
        [a, b].forEach((x) => x && checkExpr(x, ctx));
        return;
      }
      e.args.forEach((x) => checkExpr(x.value, ctx, inWhereCondition));
      checkExpr(e.callee, ctx, inWhereCondition);
      return;
    }
    case 'compare':
      if (!inWhereCondition && e.operands.some((o) => mentions(o, ctx.tainted, ctx.defs)) && e.ops.every((op) => ['<', '<=', '>', '>=', '==', '!='].includes(op))) {
        add(ctx, 'GP301', `a comparison on ${describeInput(ctx)} is piecewise constant: its gradient is 0`, e, { op: e.ops[0] });
      }
      e.operands.forEach((o) => checkExpr(o, ctx, inWhereCondition));
      return;
    case 'binary': checkExpr(e.left, ctx, inWhereCondition); checkExpr(e.right, ctx, inWhereCondition); return;
    case 'unary': checkExpr(e.operand, ctx, inWhereCondition); return;
    case 'attribute': checkExpr(e.object, ctx, inWhereCondition); return;
    case 'conditional': checkExpr(e.then, ctx); checkExpr(e.otherwise, ctx); return;
    case 'tuple': case 'list': e.items.forEach((i) => checkExpr(i, ctx, inWhereCondition)); return;
    case 'subscript': checkExpr(e.object, ctx, inWhereCondition); checkExpr(e.index, ctx, true); return;
    case 'logical': checkExpr(e.left, ctx, inWhereCondition); checkExpr(e.right, ctx, inWhereCondition); return;
    case 'lambda': return;
    default: return;
  }
}

function describeInput(ctx: Ctx): string {
  return ctx.target.kind === 'loss' ? 'the prediction' : ctx.target.inputs[0] ?? 'the input';
}

function taint(fn: FunctionDef, seeds: string[]): { tainted: Set<string>; defs: Map<string, Expr> } {
  const tainted = new Set(seeds);
  const defs = new Map<string, Expr>();
  const assigns: { target: Expr; value: Expr }[] = [];
  const gather = (body: Stmt[]): void => {
    for (const s of body) {
      if (s.kind === 'assign') for (const t of s.targets) { assigns.push({ target: t, value: s.value }); if (t.kind === 'name') defs.set(t.id, s.value); }
      if (s.kind === 'augassign') assigns.push({ target: s.target, value: { kind: 'binary', op: s.op, left: s.target, right: s.value, span: s.span } });
      if (s.kind === 'for') assigns.push({ target: s.target, value: s.iter });
      if (s.kind === 'with') for (const it of s.items) if (it.target) assigns.push({ target: it.target, value: it.context });
      if (s.kind === 'if' || s.kind === 'for' || s.kind === 'while' || s.kind === 'with' || s.kind === 'try') gather(s.kind === 'if' ? [...s.body, ...s.orelse] : s.kind === 'try' ? [...s.body, ...s.handlers.flat()] : s.body);
    }
  };
  gather(fn.body);
  const names = (t: Expr): string[] => (t.kind === 'name' ? [t.id] : t.kind === 'tuple' || t.kind === 'list' ? t.items.flatMap(names) : t.kind === 'starred' ? names(t.value) : []);
  for (let changed = true, rounds = 0; changed && rounds < 20; rounds++) {
    changed = false;
    for (const a of assigns) {
      if (!mentions(a.value, tainted)) continue;
      for (const n of names(a.target)) if (!tainted.has(n)) { tainted.add(n); changed = true; }
    }
  }
  // a reassigned name has several definitions: looking through it would be a guess
  const counts = new Map<string, number>();
  for (const a of assigns) for (const n of names(a.target)) counts.set(n, (counts.get(n) ?? 0) + 1);
  for (const [n, c] of counts) if (c > 1) defs.delete(n);
  return { tainted, defs };
}

export function sourceRuleFindings(target: DetectedFunction): Finding[] {
  const fn = target.inner ?? target.def;
  if (!fn) return [];
  const params = fn.params.filter((p) => p.kind === 'normal').map((p) => p.name).filter((p) => p !== 'self' && p !== 'ctx' && p !== 'this');
  let seeds: string[];
  if (target.kind === 'activation') seeds = params.slice(0, 1);
  else {
    const [a, b] = params;
    const predFirst = /^(input|inputs|pred|preds|prediction|predictions|output|outputs|logits|y_?pred|yPred|y_hat|yhat|probs|scores|x)$/i.test(a ?? '') && !/^(y_?true|yTrue|target|labels?)$/i.test(a ?? '');
    const targetFirst = /^(y_?true|yTrue|y|target|targets|labels?|gt|ground_truth)$/i.test(a ?? '');
    seeds = [targetFirst ? b : predFirst ? a : target.framework === 'pytorch' || target.framework === 'jax' ? a : b].filter((s): s is string => !!s);
  }
  const { tainted, defs } = taint(fn, seeds);
  const ctx: Ctx = { target, imports: importsOf(target.module.ir), tainted, defs, findings: [] };
  // Statements in order, so a name means its latest definition (`p = clip(p, eps, 1); log(p)`).
  ctx.defs = new Map();
  const domain = (e: Expr): void => {
    const whereBranches: Expr[] = [];
    const markWhere = (x: Expr): void => {
      if (x.kind === 'call') {
        if (opOf(x, ctx)?.tags.includes('where')) x.args.slice(1).forEach((a) => whereBranches.push(a.value));
        x.args.forEach((a) => markWhere(a.value));
        markWhere(x.callee);
      } else if (x.kind === 'binary') { markWhere(x.left); markWhere(x.right); }
      else if (x.kind === 'unary') markWhere(x.operand);
    };
    markWhere(e);
    for (const p of domainProblems(e, ctx)) {
      if (whereBranches.some((w) => spanInside(p.at, w))) continue;
      add(ctx, 'GP303', `${p.what}, with no epsilon, clip or max guard`, p.at, { construct: p.what });
    }
  };
  const visit = (body: Stmt[]): void => {
    for (const s of body) {
      switch (s.kind) {
        case 'assign':
          checkExpr(s.value, ctx);
          domain(s.value);
          for (const t of s.targets) if (t.kind === 'name') ctx.defs.set(t.id, s.value);
          break;
        case 'augassign':
          checkExpr(s.value, ctx);
          domain(s.value);
          if (s.target.kind === 'name') ctx.defs.delete(s.target.id);
          break;
        case 'expr': checkExpr(s.expr, ctx); domain(s.expr); break;
        case 'return': if (s.value) { checkExpr(s.value, ctx); domain(s.value); } break;
        case 'if': checkExpr(s.test, ctx, true); visit(s.body); visit(s.orelse); break;
        case 'for': case 'while': visit(s.body); break;
        case 'with': {
          const breaks = s.items.some((it) => it.context.kind === 'call' && !!opOf(it.context, ctx)?.tags.includes('graph-break'));
          if (breaks && s.body.some((b) => (b.kind === 'assign' && mentions(b.value, tainted, defs)))) {
            add(ctx, 'GP302', `values computed under torch.no_grad() from ${describeInput(ctx)} carry no gradient`, s.items[0].context, { op: 'torch.no_grad' });
          }
          visit(s.body);
          break;
        }
        case 'try': visit(s.body); break;
        default: break;
      }
    }
  };
  visit(fn.body);
  return ctx.findings;
}

function spanInside(inner: Expr, outer: Expr): boolean {
  const a = inner.span;
  const b = outer.span;
  return (a.startLine > b.startLine || (a.startLine === b.startLine && a.startCol >= b.startCol)) && (a.endLine < b.endLine || (a.endLine === b.endLine && a.endCol <= b.endCol));
}
