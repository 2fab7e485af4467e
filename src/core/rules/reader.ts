// The source rules' reading of a function: an abstract interpretation of its IR, statement by
// statement, where every value is an interval (or unknown) plus whether it flows from the
// prediction and still carries its gradient (values.ts). Nothing is run. Ops are known by their
// tags in the op tables (opReading.ts); the user's own helpers, methods, constructors and factories
// are read through, with their default or call-site arguments, so `self.smooth = 1e-5` set in the
// constructor is a positive constant where forward adds it. A branch whose condition the defaults
// decide (`if self.debug:`) is read only where the defaults take it, as the probe runs it.
// The reading records what the rules need: domain checks that fail, exps that can overflow, and
// what each return of the function is made of.
import type { DetectedFunction } from '../detect/detect';
import { frameworkPath, importsOf, type ImportMap } from '../detect/imports';
import { canonicalModule, type Framework } from '../ir/frameworks';
import { spanContains, type Arg, type ClassDef, type Expr, type FunctionDef, type Span, type Stmt } from '../ir/ir';
import { classAt, constantAt, methodAt, opAt, tensorAttribute, type OpFacts } from '../ops/registry';
import { NONNEGATIVE, POSITIVE, REAL, UNIT, add, contains, interval, join, meet, negate, point, pow, sumOf, truncate, type Interval } from './interval';
import { COUNT, applyOp, bindArgs, ranges, reachesDown, reachesZero, type BoundArg, type DomainCheck } from './opReading';
import {
  UNKNOWN, constantValue, copyEnv, elementOf, isTruthy, joinEnvs, joinValues, lookup, mergeCuts, taintOf, widenEnvs,
  type AValue, type ClassInfo, type Cut, type Env, type FunctionValue, type Test,
} from './values';

/** What the reading found, for sourceRules.ts to turn into findings. */
export type ReadEvent =
  | { kind: 'domain'; what: DomainCheck['what']; at: Expr; arg?: Expr; value: AValue; exponent?: number; trap?: Expr }
  | { kind: 'overflow'; at: Expr; arg?: Expr; value: AValue; limit: number }
  | { kind: 'output'; value: AValue; span: Span };

interface Frame {
  /** Values of the return statements met so far. */
  returns: AValue[];
  /** Code of the function under analysis (its body and what is nested in it): checks are recorded. */
  reporting: boolean;
  /** The function under analysis itself: its returns are its outputs. */
  top: boolean;
  self?: AValue;
  owner?: ClassInfo;
  /** Inside `with torch.no_grad():`, the context's span. */
  noGrad?: Span;
}

interface CallArg {
  name?: string;
  value: AValue;
  expr?: Expr;
  spread?: boolean;
  /** A call-site argument the reading cannot evaluate: the parameter's default stands in for it. */
  unreadable?: boolean;
}

const NONE: AValue = constantValue(null);
/** float32 overflows past e^88.7. */
export const EXP_LIMIT = 88;
const MAX_CALL_DEPTH = 4;
const STEP_BUDGET = 60_000;

const builtinNames = new Set([
  'len', 'float', 'int', 'bool', 'abs', 'min', 'max', 'sum', 'range', 'list', 'tuple', 'sorted', 'reversed', 'enumerate', 'zip',
  'isinstance', 'issubclass', 'hasattr', 'getattr', 'callable', 'super', 'print', 'str', 'repr', 'round', 'dict', 'set', 'any', 'all',
  'map', 'filter', 'type', 'id', 'iter', 'next', 'format',
]);
/** JavaScript globals the op tables know by path (`Math.exp`). */
const jsGlobals = new Set(['Math', 'Number', 'Array']);

export class Reader {
  readonly events: ReadEvent[] = [];
  private readonly imports: ImportMap;
  private readonly framework: Framework;
  private readonly moduleStmts = new Map<string, Stmt>();
  private readonly moduleValues = new Map<string, AValue>();
  private readonly resolving = new Set<string>();
  private readonly classInfos = new Map<ClassDef, ClassInfo>();
  private readonly classAttrs = new Map<ClassInfo, Map<string, AValue>>();
  private readonly callStack: FunctionDef[] = [];
  private readonly moduleEnv: Env = { vars: new Map() };
  private readonly lines: string[];
  private steps = 0;
  /** The where() whose branch is being read: a domain problem there is its trap (GP305). */
  private trap: Expr | undefined;
  /** > 0 while re-reading an expression for its range only. */
  private quiet = 0;
  private capture: { fn: FunctionDef; env?: Env } | undefined;

  constructor(private readonly target: DetectedFunction, private readonly ownSpan: Span) {
    const ir = target.module.ir;
    this.imports = importsOf(ir);
    this.framework = target.framework;
    this.lines = target.module.doc.text.split('\n');
    const visit = (body: Stmt[]): void => {
      for (const s of body) {
        if (s.kind === 'function') this.moduleStmts.set(s.fn.name, s);
        else if (s.kind === 'class') this.moduleStmts.set(s.cls.name, s);
        else if (s.kind === 'assign') { for (const t of s.targets) if (t.kind === 'name') this.moduleStmts.set(t.id, s); }
        else if (s.kind === 'if' || s.kind === 'try') visit(s.kind === 'if' ? [...s.body, ...s.orelse] : s.body);
      }
    };
    visit(ir.body);
  }

  /** Reads the function: `seeds` are the values of its inputs (the prediction, the target). */
  run(fn: FunctionDef, seeds: Map<string, AValue>): void {
    let closure: Env | undefined;
    let self: AValue | undefined;
    let owner: ClassInfo | undefined;
    if (this.target.shape === 'factory' && this.target.def && this.target.inner) closure = this.factoryClosure(this.target.def, this.target.inner);
    if (this.target.cls) {
      const cls = this.classInfo(this.target.cls);
      const callArgs = this.target.callSite ? this.callSiteArgs(this.target.callSite.args, this.target.callSite.module === this.target.module) : [];
      self = this.instantiate(cls, callArgs);
      owner = this.findMethod(cls, fn.name)?.owner ?? cls;
    }
    const frame: Frame = { returns: [], reporting: true, top: true, self, owner };
    const env = this.bindParams({ def: fn, closure, self, owner }, [], seeds);
    this.block(fn.body, env, frame);
  }

  // ------------------------------------------------------------------ statements

  private block(stmts: Stmt[], env: Env, frame: Frame): Env | undefined {
    let cur: Env | undefined = env;
    for (const s of stmts) {
      if (!cur) return undefined;
      cur = this.stmt(s, cur, frame);
    }
    return cur;
  }

  private stmt(s: Stmt, env: Env, frame: Frame): Env | undefined {
    switch (s.kind) {
      case 'expr': {
        if (this.mutation(s.expr, env, frame)) return env;
        this.expr(s.expr, env, frame);
        return env;
      }
      case 'assign': {
        const v = this.expr(s.value, env, frame);
        for (const t of s.targets) this.assignTo(t, v, env, frame);
        return env;
      }
      case 'augassign': {
        const current = this.expr(s.target, env, frame);
        const value = this.expr(s.value, env, frame);
        const at: Expr = { kind: 'binary', op: s.op, left: s.target, right: s.value, span: s.span };
        this.assignTo(s.target, this.binaryValue(at as Extract<Expr, { kind: 'binary' }>, current, value, env, frame), env, frame);
        return env;
      }
      case 'return': {
        const v = s.value ? this.expr(s.value, env, frame) : NONE;
        frame.returns.push(v);
        if (frame.top && !this.quiet) this.events.push({ kind: 'output', value: v, span: s.value?.span ?? s.span });
        return undefined;
      }
      case 'if': {
        const test = this.expr(s.test, env, frame);
        const truth = isTruthy(test);
        if (truth === true) return this.block(s.body, env, frame);
        if (truth === false) return this.block(s.orelse, env, frame);
        const a = this.block(s.body, this.narrowed(env, test.test, true), frame);
        const b = this.block(s.orelse, this.narrowed(env, test.test, false), frame);
        return a && b ? joinEnvs(a, b) : a ?? b;
      }
      case 'for': {
        const iter = this.expr(s.iter, env, frame);
        return this.loop(env, frame, s.body, (e) => this.assignTo(s.target, elementOf(iter), e, frame));
      }
      case 'while':
        return this.loop(env, frame, s.body, (e) => { this.expr(s.test, e, frame); });
      case 'with': {
        const before = frame.noGrad;
        for (const it of s.items) {
          const ctx = this.expr(it.context, env, frame);
          if (it.context.kind === 'call' && this.contextBreaksGraph(it.context)) frame.noGrad = it.context.span;
          if (it.target) this.assignTo(it.target, { ...UNKNOWN, ...taintOf([ctx]) }, env, frame);
        }
        const out = this.block(s.body, env, frame);
        frame.noGrad = before;
        return out;
      }
      case 'try': {
        const out = this.block(s.body, env, frame);
        return this.block(s.finalbody, out ?? env, frame) && out;
      }
      case 'function':
        env.vars.set(s.fn.name, { ...UNKNOWN, fn: { def: s.fn, closure: env, self: undefined, owner: undefined } });
        if (this.capture?.fn === s.fn) this.capture.env = env;
        return env;
      case 'class':
        env.vars.set(s.cls.name, { ...UNKNOWN, cls: this.classInfo(s.cls) });
        return env;
      case 'import':
        this.bindImport(s, env);
        return env;
      case 'raise':
        return undefined;
      default:
        return env;
    }
  }

  /** Two passes over a loop body (the second from the widened state), then zero or more iterations joined. */
  private loop(env: Env, frame: Frame, body: Stmt[], enter: (env: Env) => void): Env {
    let state = copyEnv(env);
    for (let pass = 0; pass < 2; pass++) {
      const iteration = copyEnv(state);
      enter(iteration);
      const after = this.block(body, iteration, frame);
      if (!after) break;
      state = widenEnvs(state, after);
      if (this.exhausted()) break;
    }
    return joinEnvs(env, state);
  }

  /** `xs.append(v)` and friends: the list now holds v too. */
  private mutation(e: Expr, env: Env, frame: Frame): boolean {
    if (e.kind !== 'call' || e.callee.kind !== 'attribute' || !['append', 'extend', 'insert', 'add'].includes(e.callee.name)) return false;
    const holder = e.callee.object;
    const current = holder.kind === 'name' ? lookup(env, holder.id) : undefined;
    if (!current || !(current.items || current.elem)) return false;
    const added = e.args.map((a) => this.expr(a.value, env, frame));
    const item = e.callee.name === 'extend' ? elementOf(added[0] ?? UNKNOWN) : added[added.length - 1] ?? UNKNOWN;
    const prior = current.items?.length === 0 ? undefined : elementOf(current);
    const elem = prior ? joinValues(prior, item) : item;
    env.vars.set((holder as Extract<Expr, { kind: 'name' }>).id, { ...UNKNOWN, ...taintOf([current, item]), elem, items: undefined });
    return true;
  }

  private assignTo(t: Expr, v: AValue, env: Env, frame: Frame): void {
    if (frame.noGrad && v.grad) {
      const cut: Cut = { code: 'GP302', span: frame.noGrad, text: this.text(frame.noGrad), op: 'no_grad' };
      v = { ...v, grad: false, cuts: [cut] };
    }
    switch (t.kind) {
      case 'name': env.vars.set(t.id, v); return;
      case 'tuple': case 'list': {
        const starred = t.items.findIndex((i) => i.kind === 'starred');
        t.items.forEach((item, i) => {
          const part = v.items && v.items.length === t.items.length && starred < 0 ? v.items[i] : elementOf(v);
          this.assignTo(item.kind === 'starred' ? item.value : item, item.kind === 'starred' ? { ...v, items: undefined } : part, env, frame);
        });
        return;
      }
      case 'starred': this.assignTo(t.value, v, env, frame); return;
      case 'attribute': {
        const obj = this.expr(t.object, env, frame);
        if (obj.instance) obj.instance.attrs.set(t.name, v);
        return;
      }
      case 'subscript': {
        this.expr(t.index, env, frame);
        const obj = this.expr(t.object, env, frame);
        // x[i] = v: x now holds v's values too.
        const merged: AValue = { ...joinValues(obj, v), ...taintOf([obj, v]), items: undefined, tensor: obj.tensor };
        if (obj.items && !obj.tensor) merged.elem = joinValues(elementOf(obj), v);
        if (t.object.kind === 'name') env.vars.set(t.object.id, merged);
        else if (t.object.kind === 'attribute') {
          const holder = this.expr(t.object.object, env, frame);
          holder.instance?.attrs.set(t.object.name, merged);
        }
        return;
      }
      default: return;
    }
  }

  private bindImport(s: Extract<Stmt, { kind: 'import' }>, env: Env): void {
    const canon = canonicalModule(s.module);
    if (s.alias) env.vars.set(s.alias, canon ? { ...UNKNOWN, path: canon } : UNKNOWN);
    for (const { name, alias } of s.names) env.vars.set(alias, canon ? { ...UNKNOWN, path: `${canon}.${name}` } : UNKNOWN);
  }

  private contextBreaksGraph(call: Extract<Expr, { kind: 'call' }>): boolean {
    const path = frameworkPath(call.callee, this.imports);
    return !!path && !!opAt(path)?.tags.includes('graph-break');
  }

  // ------------------------------------------------------------------ expressions

  private exhausted(): boolean {
    return this.steps > STEP_BUDGET;
  }

  expr(e: Expr, env: Env, frame: Frame): AValue {
    this.steps++;
    switch (e.kind) {
      case 'number': return constantValue(e.value, point(e.value));
      case 'bool': return constantValue(e.value, point(e.value ? 1 : 0));
      case 'string': return constantValue(e.value);
      case 'none': return NONE;
      case 'name': return lookup(env, e.id) ?? this.moduleName(e.id) ?? UNKNOWN;
      case 'attribute': {
        const path = frameworkPath(e, this.imports);
        if (path) return this.pathValue(path);
        return this.attribute(this.expr(e.object, env, frame), e.name, e, frame);
      }
      case 'call': return this.call(e, env, frame);
      case 'binary': {
        const l = this.expr(e.left, env, frame);
        const r = this.expr(e.right, env, frame);
        return this.binaryValue(e, l, r, env, frame);
      }
      case 'unary': {
        const v = this.expr(e.operand, env, frame);
        if (e.op === '-') {
          if (typeof v.constant === 'number') return constantValue(-v.constant, point(-v.constant));
          return { ...v, constant: undefined, test: undefined, range: v.range && negate(v.range), items: undefined };
        }
        if (e.op === '+') return v;
        if (e.op === 'not') {
          const t = isTruthy(v);
          return t === undefined ? { ...UNKNOWN, ...taintOf([v]), range: UNIT } : constantValue(!t, point(t ? 0 : 1));
        }
        // ~mask inverts a boolean mask; ~n of an integer is −n − 1.
        return { ...UNKNOWN, ...taintOf([v]), range: v.range && v.range.lo >= 0 && v.range.hi <= 1 ? UNIT : undefined, tensor: v.tensor };
      }
      case 'compare': return this.compare(e, env, frame);
      case 'logical': {
        const l = this.expr(e.left, env, frame);
        const t = e.op === '??' ? (l.constant === null ? false : l.constant === undefined ? undefined : true) : isTruthy(l);
        if (t !== undefined) {
          const takeLeft = e.op === 'or' || e.op === '??' ? t : !t;
          return takeLeft ? l : this.expr(e.right, env, frame);
        }
        const r = this.expr(e.right, env, frame);
        return joinValues(l, r);
      }
      case 'conditional': {
        const test = this.expr(e.test, env, frame);
        const t = isTruthy(test);
        if (t === true) return this.expr(e.then, env, frame);
        if (t === false) return this.expr(e.otherwise, env, frame);
        return joinValues(this.expr(e.then, this.narrowed(env, test.test, true), frame), this.expr(e.otherwise, this.narrowed(env, test.test, false), frame));
      }
      case 'tuple': case 'list': {
        const items: AValue[] = [];
        let spread = false;
        for (const i of e.items) {
          const v = this.expr(i.kind === 'starred' ? i.value : i, env, frame);
          if (i.kind === 'starred') { spread = true; items.push(elementOf(v)); } else items.push(v);
        }
        const base = { ...UNKNOWN, ...taintOf(items) };
        return spread ? { ...base, elem: items.length ? items.reduce(joinValues) : UNKNOWN } : { ...base, items };
      }
      case 'dict': {
        const dict = new Map<string, AValue>();
        const parts: AValue[] = [];
        for (const en of e.entries) {
          const v = this.expr(en.value, env, frame);
          parts.push(v);
          const k = en.key && this.expr(en.key, env, frame);
          if (k && typeof k.constant === 'string') dict.set(k.constant, v);
        }
        return { ...UNKNOWN, ...taintOf(parts), dict };
      }
      case 'subscript': return this.subscript(e, env, frame);
      case 'slice': {
        for (const p of [e.start, e.stop, e.step]) if (p) this.expr(p, env, frame);
        return UNKNOWN;
      }
      case 'lambda': {
        if (this.capture?.fn === e.fn) this.capture.env = env;
        return { ...UNKNOWN, fn: { def: e.fn, closure: env } };
      }
      case 'comprehension': {
        let inner = copyEnv(env);
        inner = { vars: new Map(), outer: inner };
        for (const c of e.clauses) {
          const iter = this.expr(c.iter, inner, frame);
          this.assignTo(c.target, elementOf(iter), inner, frame);
          for (const cond of c.conditions) this.expr(cond, inner, frame);
        }
        const element = this.expr(e.element, inner, frame);
        return { ...UNKNOWN, ...taintOf([element]), elem: element };
      }
      case 'starred': return this.expr(e.value, env, frame);
      default: return UNKNOWN;
    }
  }

  private text(span: Span): string {
    const { startLine, startCol, endLine, endCol } = span;
    const raw = startLine === endLine
      ? (this.lines[startLine] ?? '').slice(startCol, endCol)
      : [(this.lines[startLine] ?? '').slice(startCol), ...this.lines.slice(startLine + 1, endLine), (this.lines[endLine] ?? '').slice(0, endCol)].join(' ');
    return raw.replace(/\s+/g, ' ').trim();
  }

  /** A value that stops the gradient here, if one of `from` carried it. */
  private cutAt(at: Expr, code: Cut['code'], op: string, from: AValue[]): Pick<AValue, 'pred' | 'grad' | 'cuts'> {
    if (!from.some((f) => f.grad)) return { ...taintOf(from), grad: false };
    return { pred: true, grad: false, cuts: [{ code, span: at.span, text: this.text(at.span), op }] };
  }

  private binaryValue(e: Extract<Expr, { kind: 'binary' }>, l: AValue, r: AValue, env: Env, frame: Frame): AValue {
    const taint = taintOf([l, r]);
    const num = (a: AValue): number | undefined => (typeof a.constant === 'number' ? a.constant : typeof a.constant === 'boolean' ? Number(a.constant) : undefined);
    const ln = num(l);
    const rn = num(r);
    if (ln !== undefined && rn !== undefined) {
      const folded = foldBinary(e.op, ln, rn);
      if (folded !== undefined) return constantValue(folded, Number.isFinite(folded) ? point(folded) : undefined);
    }
    if (typeof l.constant === 'string' && typeof r.constant === 'string' && e.op === '+') return constantValue(l.constant + r.constant);
    if (l.items && r.items && e.op === '+' && !l.tensor && !r.tensor) return { ...UNKNOWN, ...taint, items: [...l.items, ...r.items] };
    // Both ranges known: vague if either is. One unknown: a range that survives it (x + c of an unbounded x) is not.
    const vague = (l.range && r.range ? l.vague || r.vague : false) || undefined;
    const base: AValue = { ...UNKNOWN, ...taint, tensor: l.tensor || r.tensor, vague };
    switch (e.op) {
      case '+': return { ...base, range: ranges.add(l.range, r.range) };
      case '-': {
        // x − max(x) and x − logsumexp(x) are at most 0.
        if (this.isMaxOf(e.right, e.left)) return { ...base, range: interval(-Infinity, 0) };
        return { ...base, range: ranges.sub(l.range, r.range) };
      }
      case '*': return { ...base, range: sameOperand(e.left, e.right) ? l.range && pow(l.range, 2) : ranges.mul(l.range, r.range), nonzero: (l.nonzero && r.nonzero) || undefined };
      case '/': {
        this.checkDomain(e, { what: 'divide', arg: { value: r, expr: e.right } }, frame);
        return { ...base, range: ranges.div(l.range, r.range), nonzero: l.nonzero };
      }
      case '**': {
        if (rn !== undefined) {
          this.checkDomain(e, { what: 'pow', arg: { value: l, expr: e.left }, exponent: rn }, frame);
          return { ...base, range: ranges.pow(l.range, rn), nonzero: l.nonzero && rn > 0 ? true : undefined };
        }
        if (ln !== undefined && ln > 0) {
          // c ** x = exp(x ln c)
          if (ln > 1) this.checkOverflow(e, { value: r, expr: e.right }, frame, EXP_LIMIT / Math.log(ln));
          return { ...base, range: POSITIVE };
        }
        return { ...base, range: ranges.pow(l.range, undefined), vague: true };
      }
      case '//': return { ...base, ...this.cutAt(e, 'GP301', '//', [l, r]), range: undefined };
      case '&': case '|': case '^': {
        const unit = (v: AValue): boolean => !!v.range && v.range.lo >= 0 && v.range.hi <= 1;
        return { ...base, range: unit(l) && unit(r) ? UNIT : undefined };
      }
      default: return base;
    }
  }

  /** `m` is max(x) or logsumexp(x) of the same x as `x`. */
  private isMaxOf(m: Expr, x: Expr): boolean {
    if (m.kind !== 'call') return false;
    const path = frameworkPath(m.callee, this.imports);
    const op = path ? opAt(path) : m.callee.kind === 'attribute' ? methodAt(this.framework, m.callee.name) : undefined;
    if (!op?.tags.includes('max-like')) return false;
    const arg = path ? m.args[0]?.value : m.callee.kind === 'attribute' ? m.callee.object : undefined;
    return !!arg && sameOperand(arg, x);
  }

  private compare(e: Extract<Expr, { kind: 'compare' }>, env: Env, frame: Frame): AValue {
    const values = e.operands.map((o) => this.expr(o, env, frame));
    const folded = foldCompare(e.ops, values);
    if (folded !== undefined) return constantValue(folded, point(folded ? 1 : 0));
    const value: AValue = { ...UNKNOWN, ...this.cutAt(e, 'GP301', e.ops[0], values), range: UNIT, tensor: values.some((v) => v.tensor) };
    if (e.ops.length === 1) value.test = testOf(e.ops[0], e.operands[0], values[0], e.operands[1], values[1]);
    return value;
  }

  /** The environment with a tested variable narrowed to where the test holds (or fails). */
  private narrowed(env: Env, test: Test | undefined, holds: boolean): Env {
    if (!test) return copyEnv(env);
    const v = lookup(env, test.subject);
    if (!v) return copyEnv(env);
    const out = copyEnv(env);
    const to = holds ? test.whenTrue : test.whenFalse;
    const nonzero = holds ? test.trueNonzero : test.falseNonzero;
    out.vars.set(test.subject, { ...v, range: meet(v.range ?? REAL, to), nonzero: nonzero || v.nonzero });
    return out;
  }

  private subscript(e: Extract<Expr, { kind: 'subscript' }>, env: Env, frame: Frame): AValue {
    const obj = this.expr(e.object, env, frame);
    const idx = this.expr(e.index, env, frame);
    if (obj.items && typeof idx.constant === 'number') {
      const i = idx.constant < 0 ? obj.items.length + idx.constant : idx.constant;
      return obj.items[i] ?? elementOf(obj);
    }
    if (obj.dict && typeof idx.constant === 'string') return obj.dict.get(idx.constant) ?? UNKNOWN;
    if (obj.metadata) return { ...UNKNOWN, metadata: true, range: COUNT };
    if ((obj.items || obj.elem) && !obj.tensor) return elementOf(obj);
    // Indexing a tensor selects some of its values; an index computed from the prediction selects, it carries no value.
    return { ...UNKNOWN, ...taintOf([obj, idx]), range: obj.range, nonzero: obj.nonzero, tensor: obj.tensor, vague: obj.vague };
  }

  // ------------------------------------------------------------------ names, attributes, classes

  private moduleName(id: string): AValue | undefined {
    const memo = this.moduleValues.get(id);
    if (memo) return memo;
    const s = this.moduleStmts.get(id);
    let v: AValue | undefined;
    if (s?.kind === 'function') v = { ...UNKNOWN, fn: { def: s.fn, closure: undefined } };
    else if (s?.kind === 'class') v = { ...UNKNOWN, cls: this.classInfo(s.cls) };
    else if (s?.kind === 'assign') {
      if (this.resolving.has(id)) return UNKNOWN;
      this.resolving.add(id);
      const frame: Frame = { returns: [], reporting: false, top: false };
      const value = this.expr(s.value, this.moduleEnv, frame);
      this.resolving.delete(id);
      // a, b = ... at module level: the name's part of it.
      const target = s.targets.find((t) => t.kind === 'name' && t.id === id);
      v = target ? value : elementOf(value);
    } else if (this.imports.framework.has(id)) v = this.pathValue(this.imports.framework.get(id)!);
    else if (this.imports.workspace.has(id)) v = UNKNOWN;
    else if (builtinNames.has(id) && this.target.module.ir.language === 'python') v = { ...UNKNOWN, path: `builtins.${id}` };
    else if (jsGlobals.has(id) && this.target.module.ir.language === 'javascript') v = { ...UNKNOWN, path: id };
    if (v) this.moduleValues.set(id, v);
    return v;
  }

  private pathValue(path: string): AValue {
    const c = constantAt(path);
    if (c?.t === 'dtype') return { ...UNKNOWN, dtype: path, metadata: true };
    if (c?.t === 'num') return constantValue(c.v, point(c.v));
    return { ...UNKNOWN, path };
  }

  private attribute(obj: AValue, name: string, e: Expr, frame: Frame): AValue {
    if (obj.path) return this.pathValue(`${obj.path}.${name}`);
    if (obj.instance) return this.instanceAttr(obj, name);
    if (obj.superOf) {
      const found = this.findMethodInBases(obj.superOf.owner, name);
      return found ? { ...UNKNOWN, fn: { def: found.def, closure: undefined, self: obj.superOf.self, owner: found.owner } } : UNKNOWN;
    }
    if (obj.cls) return this.classAttr(obj.cls, name) ?? UNKNOWN;
    if (obj.dict || obj.fn || obj.frameworkObject || typeof obj.constant === 'string') return UNKNOWN;
    const kind = tensorAttribute(this.framework, name);
    if (kind === 'metadata') return { ...UNKNOWN, metadata: true, range: name === 'dtype' || name === 'device' ? undefined : COUNT };
    if (kind === 'same') return obj;
    if (kind === 'detached') return { ...obj, ...this.cutAt(e, 'GP302', `.${name}`, [obj]) };
    // An attribute the tables do not know (`.real`, `.eps` of finfo): something of the object.
    return { ...UNKNOWN, ...taintOf([obj]) };
  }

  classInfo(def: ClassDef): ClassInfo {
    const known = this.classInfos.get(def);
    if (known) return known;
    const info: ClassInfo = { def, bases: [] };
    this.classInfos.set(def, info);
    for (const b of def.bases) {
      if (b.kind !== 'name') continue;
      const s = this.moduleStmts.get(b.id);
      if (s?.kind === 'class' && s.cls !== def) info.bases.push(this.classInfo(s.cls));
    }
    return info;
  }

  private findMethod(cls: ClassInfo, name: string, seen = new Set<ClassInfo>()): { def: FunctionDef; owner: ClassInfo } | undefined {
    if (seen.has(cls)) return undefined;
    seen.add(cls);
    for (const s of cls.def.body) if (s.kind === 'function' && s.fn.name === name) return { def: s.fn, owner: cls };
    for (const b of cls.bases) {
      const found = this.findMethod(b, name, seen);
      if (found) return found;
    }
    return undefined;
  }

  private findMethodInBases(cls: ClassInfo, name: string): { def: FunctionDef; owner: ClassInfo } | undefined {
    for (const b of cls.bases) {
      const found = this.findMethod(b, name);
      if (found) return found;
    }
    return undefined;
  }

  /** A class-level attribute (`smooth = 1.0` in the class body), through the bases. */
  private classAttr(cls: ClassInfo, name: string, seen = new Set<ClassInfo>()): AValue | undefined {
    if (seen.has(cls)) return undefined;
    seen.add(cls);
    let memo = this.classAttrs.get(cls);
    if (!memo) { memo = new Map(); this.classAttrs.set(cls, memo); }
    const hit = memo.get(name);
    if (hit) return hit;
    for (const s of cls.def.body) {
      if (s.kind === 'assign' && s.targets.some((t) => t.kind === 'name' && t.id === name)) {
        memo.set(name, UNKNOWN);
        const v = this.expr(s.value, this.moduleEnv, { returns: [], reporting: false, top: false });
        memo.set(name, v);
        return v;
      }
    }
    for (const b of cls.bases) {
      const v = this.classAttr(b, name, seen);
      if (v) return v;
    }
    return undefined;
  }

  private instanceAttr(inst: AValue, name: string): AValue {
    const { cls, attrs } = inst.instance!;
    const own = attrs.get(name);
    if (own) return own;
    const method = this.findMethod(cls, name);
    if (method) return { ...UNKNOWN, fn: { def: method.def, closure: undefined, self: inst, owner: method.owner } };
    return this.classAttr(cls, name) ?? UNKNOWN;
  }

  /** An instance built by the class's constructor (its own or a base's), with the given arguments. */
  private instantiate(cls: ClassInfo, args: CallArg[]): AValue {
    const inst: AValue = { ...UNKNOWN, instance: { cls, attrs: new Map() } };
    const init = this.findMethod(cls, '__init__') ?? this.findMethod(cls, 'constructor');
    if (init) this.callFunction({ def: init.def, closure: undefined, self: inst, owner: init.owner }, args, undefined, { returns: [], reporting: false, top: false });
    return inst;
  }

  /** Arguments written at a call site: literals (and, in the same module, its names). */
  private callSiteArgs(args: Arg[], sameModule: boolean): CallArg[] {
    const literal = (e: Expr): AValue => {
      switch (e.kind) {
        case 'number': return constantValue(e.value, point(e.value));
        case 'bool': return constantValue(e.value, point(e.value ? 1 : 0));
        case 'string': return constantValue(e.value);
        case 'none': return NONE;
        case 'unary': { const v = literal(e.operand); return e.op === '-' && typeof v.constant === 'number' ? constantValue(-v.constant, point(-v.constant)) : UNKNOWN; }
        case 'tuple': case 'list': return { ...UNKNOWN, items: e.items.map(literal) };
        case 'name': return sameModule ? this.moduleName(e.id) ?? UNKNOWN : UNKNOWN;
        default: return UNKNOWN;
      }
    };
    return args.map((a) => {
      const value = literal(a.value);
      return { name: a.name, value, spread: !!a.spread, unreadable: value === UNKNOWN };
    });
  }

  /** The environment a factory's inner function closes over: the outer body read up to its definition. */
  private factoryClosure(outer: FunctionDef, inner: FunctionDef): Env | undefined {
    const args = this.target.callSite ? this.callSiteArgs(this.target.callSite.args, this.target.callSite.module === this.target.module) : [];
    this.capture = { fn: inner };
    const env = this.bindParams({ def: outer, closure: undefined }, args, new Map());
    this.block(outer.body, env, { returns: [], reporting: false, top: false });
    const captured = this.capture.env ?? env;
    this.capture = undefined;
    return captured;
  }

  // ------------------------------------------------------------------ calls

  private args(e: Extract<Expr, { kind: 'call' }>, env: Env, frame: Frame): CallArg[] {
    return e.args.map((a) => ({ name: a.name, value: this.expr(a.value, env, frame), expr: a.value, spread: !!a.spread }));
  }

  private opaque(parts: AValue[]): AValue {
    return { ...UNKNOWN, ...taintOf(parts), tensor: parts.some((p) => p.tensor) || undefined };
  }

  private call(e: Extract<Expr, { kind: 'call' }>, env: Env, frame: Frame): AValue {
    if (e.callee.kind === 'attribute') {
      const path = frameworkPath(e.callee, this.imports);
      if (path) return this.callPath(path, e, env, frame);
      const recv = this.expr(e.callee.object, env, frame);
      if (recv.path) return this.callPath(`${recv.path}.${e.callee.name}`, e, env, frame);
      if (recv.instance || recv.superOf || recv.cls) return this.callValue(this.attribute(recv, e.callee.name, e.callee, frame), e, env, frame);
      return this.callMethod(recv, e.callee.name, e, env, frame);
    }
    return this.callValue(this.expr(e.callee, env, frame), e, env, frame);
  }

  private callValue(callee: AValue, e: Extract<Expr, { kind: 'call' }>, env: Env, frame: Frame): AValue {
    if (callee.path) return this.callPath(callee.path, e, env, frame);
    const args = this.args(e, env, frame);
    if (callee.fn) return this.callFunction(callee.fn, args, e, frame);
    if (callee.cls) return this.instantiate(callee.cls, args);
    if (callee.instance) {
      const m = this.findMethod(callee.instance.cls, 'forward') ?? this.findMethod(callee.instance.cls, 'call') ?? this.findMethod(callee.instance.cls, '__call__');
      return m ? this.callFunction({ def: m.def, closure: undefined, self: callee, owner: m.owner }, args, e, frame) : this.opaque(args.map((a) => a.value));
    }
    if (callee.frameworkObject) {
      const c = classAt(callee.frameworkObject);
      if (c) {
        const [x, y] = args.filter((a) => !a.name);
        const bound = new Map<string, BoundArg>();
        if (x) bound.set('x', { value: x.value, expr: x.expr });
        if (y) bound.set('y', { value: y.value, expr: y.expr });
        return this.applyOpAt(e, c, bound, `${callee.frameworkObject}()`, frame);
      }
    }
    return this.opaque(args.map((a) => a.value));
  }

  private callPath(path: string, e: Extract<Expr, { kind: 'call' }>, env: Env, frame: Frame): AValue {
    if (path.startsWith('builtins.') && !opAt(path)) return this.builtin(path.slice('builtins.'.length), e, env, frame);
    const op = opAt(path);
    if (op?.tags.includes('where')) return this.where(op, e, env, frame);
    const args = this.args(e, env, frame);
    if (classAt(path)) return { ...UNKNOWN, frameworkObject: path };
    if (!op || (op.params.length === 0 && args.length > 0)) return this.opaque(args.map((a) => a.value));
    const bound = bindArgs(op.params, args);
    const label = path.replace(/^tfjs\./, 'tf.');
    const result = this.applyOpAt(e, op, bound, label, frame);
    // NumPy on a framework tensor: the result is a constant to autodiff.
    if (path.startsWith('numpy.') && this.framework !== 'numpy' && this.framework !== 'jax') {
      return { ...result, ...this.cutAt(e, 'GP302', label, args.map((a) => a.value)) };
    }
    return result;
  }

  private callMethod(recv: AValue, name: string, e: Extract<Expr, { kind: 'call' }>, env: Env, frame: Frame): AValue {
    const args = this.args(e, env, frame);
    if (recv.dict && name === 'get') {
      const key = args[0]?.value.constant;
      return typeof key === 'string' && recv.dict.has(key) ? recv.dict.get(key)! : args[1]?.value ?? NONE;
    }
    if ((recv.items || recv.elem || recv.dict) && !recv.tensor) return this.opaque([recv, ...args.map((a) => a.value)]);
    if (typeof recv.constant === 'string' || recv.fn || recv.frameworkObject) return this.opaque(args.map((a) => a.value));
    const m = methodAt(this.framework, name);
    if (!m) return this.opaque([recv, ...args.map((a) => a.value)]);
    const object = (e.callee as Extract<Expr, { kind: 'attribute' }>).object;
    const bound = bindArgs(m.params, args, { value: recv, expr: object });
    return this.applyOpAt(e, m, bound, `.${name}()`, frame);
  }

  /** An op of the tables: its result, and the checks it calls for. */
  private applyOpAt(e: Extract<Expr, { kind: 'call' }>, op: OpFacts, bound: Map<string, BoundArg>, label: string, frame: Frame): AValue {
    const result = applyOp(op, bound, (code, from) => this.cutAt(e, code, label, from));
    for (const d of result.domain) this.checkDomain(e, d, frame);
    if (result.exponent) this.checkOverflow(e, result.exponent, frame, EXP_LIMIT);
    return result.value;
  }

  private checkDomain(at: Expr, d: DomainCheck, frame: Frame): void {
    if (!frame.reporting || this.quiet) return;
    const v = d.arg.value;
    if (!v.pred || !v.range || v.vague) return;
    let problem: boolean;
    switch (d.what) {
      case 'log': case 'sqrt': problem = reachesDown(v, 0); break;
      case 'log1p': problem = reachesDown(v, -1); break;
      case 'divide': case 'reciprocal': problem = reachesZero(v); break;
      case 'pow': {
        const k = d.exponent;
        if (k === undefined) { problem = false; break; }
        // A fractional power: NaN below 0, an infinite slope at 0 when k < 1; a negative integer power: 1/0.
        problem = Number.isInteger(k) ? k < 0 && reachesZero(v) : v.range.lo < 0 || (k < 1 && reachesDown(v, 0));
        break;
      }
    }
    if (problem) this.events.push({ kind: 'domain', what: d.what, at, arg: d.arg.expr, value: v, exponent: d.exponent, trap: this.trap });
  }

  private checkOverflow(at: Expr, arg: BoundArg, frame: Frame, limit: number): void {
    if (!frame.reporting || this.quiet) return;
    const v = arg.value;
    if (v.pred && v.range && !v.vague && v.range.hi > limit) this.events.push({ kind: 'overflow', at, arg: arg.expr, value: v, limit });
  }

  /** where(cond, a, b): the branches are read whole (a NaN in the one not taken is its trap), the result narrowed by cond. */
  private where(op: OpFacts, e: Extract<Expr, { kind: 'call' }>, env: Env, frame: Frame): AValue {
    const exprs = bindArgs(op.params, e.args.map((a) => ({ name: a.name, value: UNKNOWN, expr: a.value })));
    const condExpr = exprs.get('cond')?.expr;
    const xExpr = exprs.get('x')?.expr;
    const yExpr = exprs.get('y')?.expr;
    const cond = condExpr ? this.expr(condExpr, env, frame) : UNKNOWN;
    if (!xExpr || !yExpr) return { ...UNKNOWN, ...taintOf([cond]), grad: false, range: NONNEGATIVE, tensor: true };
    const outer = this.trap;
    this.trap = e;
    const a = this.expr(xExpr, env, frame);
    const b = this.expr(yExpr, env, frame);
    this.trap = outer;
    // Not 0: known so, or a range without 0 (the 1.0 of where(x != 0, x, 1.0)).
    const nonzero = (v: AValue): boolean => !!v.nonzero || (!!v.range && !contains(v.range, 0));
    let ra = a.range;
    let rb = b.range;
    let nza = nonzero(a);
    let nzb = nonzero(b);
    if (cond.test && lookup(env, cond.test.subject)) {
      this.quiet++;
      const ta = this.expr(xExpr, this.narrowed(env, cond.test, true), frame);
      const tb = this.expr(yExpr, this.narrowed(env, cond.test, false), frame);
      this.quiet--;
      ra = ta.range; rb = tb.range; nza = nonzero(ta); nzb = nonzero(tb);
    }
    return { ...UNKNOWN, ...taintOf([cond, a, b]), range: ra && rb ? join(ra, rb) : undefined, nonzero: (nza && nzb) || undefined, tensor: true, vague: a.vague || b.vague || undefined };
  }

  private builtin(name: string, e: Extract<Expr, { kind: 'call' }>, env: Env, frame: Frame): AValue {
    if (name === 'super') return frame.owner && frame.self ? { ...UNKNOWN, superOf: { owner: frame.owner, self: frame.self } } : UNKNOWN;
    const args = this.args(e, env, frame);
    const [a, b] = args.map((x) => x.value);
    const values = args.map((x) => x.value);
    switch (name) {
      case 'len': return { ...UNKNOWN, metadata: true, range: COUNT };
      case 'float': case 'int': case 'bool': {
        if (!a) return constantValue(0, point(0));
        if (typeof a.constant === 'number' || typeof a.constant === 'boolean') {
          const n = Number(a.constant);
          const v = name === 'int' ? Math.trunc(n) : name === 'bool' ? (n ? 1 : 0) : n;
          return constantValue(name === 'bool' ? !!n : v, point(v));
        }
        // A Python number from a tensor leaves the graph (as .item() does).
        const range = a.range && (name === 'int' ? truncate(a.range) : name === 'bool' ? UNIT : a.range);
        return { ...UNKNOWN, ...this.cutAt(e, 'GP302', `${name}()`, [a]), range };
      }
      case 'round': return { ...UNKNOWN, ...this.cutAt(e, 'GP301', 'round()', values), range: a?.range && interval(Math.floor(a.range.lo), Math.ceil(a.range.hi)) };
      case 'min': case 'max': {
        const parts = args.length === 1 ? [elementOf(a)] : values;
        const rs = parts.map((p) => p.range);
        const range = rs.every((r): r is Interval => !!r) && rs.length ? rs.reduce((x, y) => (name === 'max'
          ? interval(Math.max(x.lo, y.lo), Math.max(x.hi, y.hi), x.lo >= y.lo ? x.loOpen : y.loOpen, x.hi >= y.hi ? x.hiOpen : y.hiOpen)
          : interval(Math.min(x.lo, y.lo), Math.min(x.hi, y.hi), x.lo <= y.lo ? x.loOpen : y.loOpen, x.hi <= y.hi ? x.hiOpen : y.hiOpen))) : undefined;
        const folded = parts.every((p) => typeof p.constant === 'number') && parts.length ? (name === 'max' ? Math.max : Math.min)(...parts.map((p) => p.constant as number)) : undefined;
        return folded !== undefined ? constantValue(folded, point(folded)) : { ...UNKNOWN, ...taintOf(parts), range };
      }
      case 'sum': {
        const el = a ? elementOf(a) : UNKNOWN;
        const start = b?.range ?? point(0);
        return { ...UNKNOWN, ...taintOf([el, ...(b ? [b] : [])]), range: el.range && add(join(sumOf(el.range), point(0)), start), tensor: el.tensor };
      }
      case 'range': return { ...UNKNOWN, range: NONNEGATIVE, elem: { ...UNKNOWN, range: NONNEGATIVE } };
      case 'list': case 'tuple': case 'sorted': case 'reversed': case 'set': return a ?? { ...UNKNOWN, items: [] };
      case 'enumerate': return { ...UNKNOWN, ...taintOf(values), elem: { ...UNKNOWN, ...taintOf(values), items: [{ ...UNKNOWN, range: NONNEGATIVE }, a ? elementOf(a) : UNKNOWN] } };
      case 'zip': return { ...UNKNOWN, ...taintOf(values), elem: { ...UNKNOWN, ...taintOf(values), items: values.map(elementOf) } };
      case 'getattr': return a && typeof b?.constant === 'string' ? this.attribute(a, b.constant, e, frame) : this.opaque(values);
      case 'isinstance': case 'issubclass': case 'hasattr': case 'callable': return { ...UNKNOWN, range: UNIT };
      case 'print': return NONE;
      default: return this.opaque(values);
    }
  }

  /** Calls a function of the user's code, reading its body with these arguments. */
  private callFunction(fv: FunctionValue, args: CallArg[], e: Extract<Expr, { kind: 'call' }> | undefined, frame: Frame): AValue {
    const values = args.map((a) => a.value);
    if (this.exhausted() || this.callStack.length >= MAX_CALL_DEPTH || this.callStack.includes(fv.def)) return this.opaque(values);
    const env = this.bindParams(fv, args, new Map());
    const child: Frame = { returns: [], reporting: frame.reporting && spanContains(this.ownSpan, fv.def.span), top: false, self: fv.self, owner: fv.owner };
    this.callStack.push(fv.def);
    let end: Env | undefined;
    try {
      end = this.block(fv.def.body, env, child);
    } finally {
      this.callStack.pop();
    }
    let result = child.returns.length ? child.returns.reduce(joinValues) : NONE;
    if (end && child.returns.length) result = joinValues(result, NONE);
    // A cut inside a helper outside the function is shown where the function calls it.
    if (e && result.cuts.some((c) => !spanContains(this.ownSpan, c.span))) {
      const inner = result.cuts.find((c) => !spanContains(this.ownSpan, c.span))!;
      const own = result.cuts.filter((c) => spanContains(this.ownSpan, c.span));
      result = { ...result, cuts: mergeCuts([...own, { code: inner.code, span: e.span, text: this.text(e.span), op: `${fv.def.name}(): ${inner.op}` }]) };
    }
    return result;
  }

  private bindParams(fv: FunctionValue, args: CallArg[], seeds: Map<string, AValue>): Env {
    const vars = new Map<string, AValue>();
    const env: Env = { vars, outer: fv.closure ?? this.moduleEnv };
    const positional = args.filter((a) => !a.name && !a.spread);
    const spread = args.some((a) => a.spread);
    let i = 0;
    let selfBound = !fv.self;
    for (const p of fv.def.params) {
      if (!selfBound && p.kind === 'normal') { vars.set(p.name, fv.self!); selfBound = true; continue; }
      const seed = seeds.get(p.name);
      if (seed) { vars.set(p.name, seed); continue; }
      if (p.kind === 'varargs') { const rest = positional.slice(i); i = positional.length; vars.set(p.name, { ...UNKNOWN, ...taintOf(rest.map((r) => r.value)), items: spread ? undefined : rest.map((r) => r.value) }); continue; }
      if (p.kind === 'kwargs') { vars.set(p.name, { ...UNKNOWN, dict: new Map(args.filter((a) => a.name).map((a) => [a.name!, a.value])) }); continue; }
      const given = i < positional.length ? positional[i++] : args.find((a) => a.name === p.name);
      if (given && !(given.unreadable && p.default)) vars.set(p.name, given.value);
      else if (p.default && (!spread || given)) vars.set(p.name, this.expr(p.default, fv.closure ?? this.moduleEnv, { returns: [], reporting: false, top: false }));
      else vars.set(p.name, UNKNOWN);
    }
    return env;
  }
}

function sameOperand(a: Expr, b: Expr): boolean {
  if (a.kind === 'name' && b.kind === 'name') return a.id === b.id;
  if (a.kind === 'attribute' && b.kind === 'attribute') return a.name === b.name && sameOperand(a.object, b.object);
  return false;
}

function foldBinary(op: string, a: number, b: number): number | undefined {
  switch (op) {
    case '+': return a + b;
    case '-': return a - b;
    case '*': return a * b;
    case '/': return b === 0 ? undefined : a / b;
    case '**': return a ** b;
    case '//': return b === 0 ? undefined : Math.floor(a / b);
    default: return undefined;
  }
}

function foldCompare(ops: string[], values: AValue[]): boolean | undefined {
  let result = true;
  for (let i = 0; i < ops.length; i++) {
    const a = values[i];
    const b = values[i + 1];
    const op = ops[i];
    let r: boolean | undefined;
    if (op === 'is' || op === 'is not' || op === '==' || op === '!=') {
      const eq = a.constant !== undefined && b.constant !== undefined ? a.constant === b.constant
        // A tensor, a function, an instance is never None.
        : (a.constant === null && (b.tensor || b.pred || b.fn || b.instance || b.cls)) || (b.constant === null && (a.tensor || a.pred || a.fn || a.instance || a.cls)) ? false
          : undefined;
      r = eq === undefined ? undefined : op === 'is' || op === '==' ? eq : !eq;
    } else if (typeof a.constant === 'number' && typeof b.constant === 'number') {
      r = op === '<' ? a.constant < b.constant : op === '<=' ? a.constant <= b.constant : op === '>' ? a.constant > b.constant : op === '>=' ? a.constant >= b.constant : undefined;
    } else if ((op === 'in' || op === 'not in') && a.constant !== undefined && b.items?.every((i) => i.constant !== undefined)) {
      const has = b.items.some((i) => i.constant === a.constant);
      r = op === 'in' ? has : !has;
    }
    if (r === undefined) return undefined;
    result &&= r;
  }
  return result;
}

/** What `name OP bound` says of the name on each side (only names are narrowed). */
function testOf(op: string, left: Expr, lv: AValue, right: Expr, rv: AValue): Test | undefined {
  const flip: Record<string, string> = { '<': '>', '<=': '>=', '>': '<', '>=': '<=', '==': '==', '!=': '!=' };
  let subject: string;
  let bound: AValue;
  if (left.kind === 'name' && rv.range) { subject = left.id; bound = rv; }
  else if (right.kind === 'name' && lv.range) { subject = right.id; bound = lv; op = flip[op] ?? op; }
  else return undefined;
  const c = bound.range!;
  switch (op) {
    case '>': return { subject, whenTrue: interval(c.lo, Infinity, true), whenFalse: interval(-Infinity, c.hi, true, c.hiOpen) };
    case '>=': return { subject, whenTrue: interval(c.lo, Infinity, c.loOpen), whenFalse: interval(-Infinity, c.hi, true, true) };
    case '<': return { subject, whenTrue: interval(-Infinity, c.hi, true, true), whenFalse: interval(c.lo, Infinity, c.loOpen) };
    case '<=': return { subject, whenTrue: interval(-Infinity, c.hi, true, c.hiOpen), whenFalse: interval(c.lo, Infinity, true) };
    case '!=': case '==': {
      if (!(c.lo === 0 && c.hi === 0)) return undefined;
      const nonzeroSide = op === '!=';
      return { subject, whenTrue: nonzeroSide ? REAL : point(0), whenFalse: nonzeroSide ? point(0) : REAL, trueNonzero: nonzeroSide, falseNonzero: !nonzeroSide };
    }
    default: return undefined;
  }
}

