// Where the workspace calls a definition: `crit = FocalLoss(2.0)`, `DiceLoss(mode="binary")`,
// `FocalFn.apply(x, y, 0.25, 2)`, `partial(focal, gamma=2)`, `Loss(**cfg)` with a literal config,
// the calls of what these made (`crit(logits, labels)`, `self.loss_fn(out, y)`), and the framework
// calls that fix a loss's argument order (`model.compile(loss=f)`, `LossFunctionWrapper(f)`).
// Translation reads these to choose constructor arguments and which argument is the prediction.
// Static only: nothing is evaluated here.
import type { ParsedModule } from '../parse/document';
import { toCellSpan } from '../parse/document';
import type { Arg, Expr, Span, Stmt } from '../ir/ir';
import { dottedName } from '../ir/ir';
import { importsOf } from './imports';
import { moduleMatches } from './detect';

type Call = Extract<Expr, { kind: 'call' }>;

export interface CallSite {
  module: ParsedModule;
  /**
   * `construct`: the definition called (`FocalLoss(2.0)`, `make_loss(gamma=2)`, `focal(p, t)`);
   * `apply`: `Fn.apply(…)` of an autograd Function; `partial`: `partial(def, …)`'s arguments;
   * `instance`: a call of what calling the definition made (`crit(logits, labels)`), or of a
   * variable bound to the definition itself or to its `partial`.
   */
  how: 'construct' | 'apply' | 'partial' | 'instance';
  /** The call's arguments; a `**dict` with literal keys is spread into keyword arguments. */
  args: Arg[];
  span: Span;
  /** `path:line` (1-based; in a notebook, `path:cell N:line`). */
  where: string;
  /** The call as written, on one line (shortened). */
  text: string;
}

export interface FrameworkCaller {
  /** Whose calling convention applies: Keras calls a loss as (y_true, y_pred), so does TF.js. */
  framework: 'keras' | 'tfjs';
  /** What makes it so, e.g. `compile(loss=…) at train.py:12`. */
  how: string;
}

export interface WorkspaceCalls {
  sites: CallSite[];
  framework?: FrameworkCaller;
}

/** A definition as call sites see it. */
export interface CalledDefinition {
  name: string;
  module: ParsedModule;
  /** A class or factory is constructed first and the result called; a function is called directly. */
  constructs: boolean;
}

interface ModuleCalls {
  calls: { call: Call; scope: Map<string, Expr> }[];
  /** `name = value` / `self.attr = value` anywhere in the module (flow-insensitive), by target text. */
  bindings: Map<string, Expr[]>;
  /** Classes deriving from LossFunctionWrapper: what their constructors pass to super().__init__ first. */
  wrapped: Expr[];
}

const perModule = new WeakMap<ParsedModule, ModuleCalls>();
const perWorkspace = new WeakMap<readonly ParsedModule[], Map<string, WorkspaceCalls>>();

/** Call sites of a definition in every module given, its own module first. */
export function callSitesOf(def: CalledDefinition, modules: readonly ParsedModule[]): WorkspaceCalls {
  let cache = perWorkspace.get(modules);
  if (!cache) {
    cache = new Map();
    perWorkspace.set(modules, cache);
  }
  const key = `${def.module.doc.path}\u0000${def.name}\u0000${def.constructs}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const ordered = [def.module, ...modules.filter((m) => m !== def.module && m.doc.path !== def.module.doc.path)];
  const out: WorkspaceCalls = { sites: [] };
  for (const m of ordered) collectIn(def, m, out);
  cache.set(key, out);
  return out;
}

/** The local spellings of the definition in a module: `FocalLoss`, `L.FocalLoss`, an alias. */
function spellings(def: CalledDefinition, m: ParsedModule): Set<string> {
  const out = new Set<string>();
  if (m === def.module || m.doc.path === def.module.doc.path) out.add(def.name);
  const imports = importsOf(m.ir).workspace;
  for (const [alias, imp] of imports) {
    if (imp.name === def.name) out.add(alias);
    else if (imp.name === undefined && moduleMatches(imp.module, def.module.doc.path)) out.add(`${alias}.${def.name}`);
    else if (imp.name !== undefined && moduleMatches(`${imp.module}.${imp.name}`, def.module.doc.path)) out.add(`${alias}.${def.name}`);
  }
  return out;
}

function collectIn(def: CalledDefinition, m: ParsedModule, out: WorkspaceCalls): void {
  const names = spellings(def, m);
  if (!names.size) return;
  const index = moduleCalls(m);
  const refers = (e: Expr): boolean => names.has(dottedName(e) ?? '');
  const isPartial = (c: Call): boolean => /(^|\.)partial$/.test(dottedName(c.callee) ?? '') && !!c.args[0] && !c.args[0].name && refers(c.args[0].value);
  const site = (call: Call, how: CallSite['how'], args: Arg[], scope: Map<string, Expr>): CallSite => ({
    module: m, how, args: expandArgs(args, scope, index.bindings), span: call.span, where: where(m, call.span), text: callText(m, call),
  });
  // What calling the definition makes, and names bound to the definition itself: their calls count too.
  const made = new Set<string>();
  for (const [bound, values] of index.bindings) {
    for (const v of values) {
      if (v.kind === 'call' && refers(v.callee) && def.constructs) made.add(bound);
      else if (v.kind === 'call' && isPartial(v)) made.add(bound);
      else if (refers(v) && !def.constructs) made.add(bound);
      else if (v.kind === 'attribute' && v.name === 'apply' && refers(v.object)) made.add(bound);
    }
  }
  for (const { call, scope } of index.calls) {
    const callee = dottedName(call.callee) ?? '';
    if (refers(call.callee)) out.sites.push(site(call, 'construct', call.args, scope));
    else if (call.callee.kind === 'attribute' && call.callee.name === 'apply' && refers(call.callee.object)) out.sites.push(site(call, 'apply', call.args, scope));
    else if (isPartial(call)) out.sites.push(site(call, 'partial', call.args.slice(1), scope));
    else if (made.has(callee)) out.sites.push(site(call, 'instance', call.args, scope));
    if (!out.framework) out.framework = frameworkCaller(call, m, refers, made);
  }
  if (!out.framework) {
    const wrapped = index.wrapped.find((e) => refers(e) || made.has(dottedName(e) ?? ''));
    if (wrapped) out.framework = { framework: 'keras', how: `LossFunctionWrapper(${def.name}) at ${where(m, wrapped.span)}` };
  }
}

/** `model.compile(loss=f)` (Keras), `model.compile({loss: f})` (TF.js), `LossFunctionWrapper(f, …)`. */
function frameworkCaller(call: Call, m: ParsedModule, refers: (e: Expr) => boolean, made: Set<string>): FrameworkCaller | undefined {
  const callee = dottedName(call.callee) ?? (call.callee.kind === 'attribute' ? call.callee.name : '');
  const last = callee.split('.').pop() ?? '';
  const named = (e: Expr): boolean => mentions(e, (x) => refers(x) || (x.kind === 'call' && refers(x.callee)) || made.has(dottedName(x) ?? ''));
  const at = where(m, call.span);
  if (last === 'compile') {
    if (m.ir.language === 'javascript') {
      const config = call.args[0]?.value;
      if (config?.kind === 'dict' && config.entries.some((en) => en.key?.kind === 'string' && en.key.value === 'loss' && named(en.value))) return { framework: 'tfjs', how: `compile({loss: …}) at ${at}` };
      return undefined;
    }
    if (call.args.some((a) => a.name === 'loss' && named(a.value))) return { framework: 'keras', how: `compile(loss=…) at ${at}` };
  }
  if (last === 'LossFunctionWrapper') {
    const fn = call.args.find((a) => a.name === 'fn') ?? call.args.find((a) => !a.name);
    if (fn && named(fn.value)) return { framework: 'keras', how: `LossFunctionWrapper(…) at ${at}` };
  }
  return undefined;
}

/** The expression, or an item of a list/tuple/dict literal, satisfies `test`. */
function mentions(e: Expr, test: (x: Expr) => boolean): boolean {
  if (test(e)) return true;
  if (e.kind === 'list' || e.kind === 'tuple') return e.items.some((i) => mentions(i, test));
  if (e.kind === 'dict') return e.entries.some((en) => mentions(en.value, test));
  return false;
}

function moduleCalls(m: ParsedModule): ModuleCalls {
  const hit = perModule.get(m);
  if (hit) return hit;
  const out: ModuleCalls = { calls: [], bindings: new Map(), wrapped: [] };
  const bind = (target: Expr, value: Expr): void => {
    const key = dottedName(target);
    if (key) out.bindings.set(key, [...(out.bindings.get(key) ?? []), value]);
  };
  const visitExpr = (e: Expr | undefined, scope: Map<string, Expr>): void => {
    if (!e) return;
    switch (e.kind) {
      case 'call':
        out.calls.push({ call: e, scope });
        visitExpr(e.callee, scope);
        for (const a of e.args) visitExpr(a.value, scope);
        return;
      case 'attribute': visitExpr(e.object, scope); return;
      case 'binary': visitExpr(e.left, scope); visitExpr(e.right, scope); return;
      case 'unary': visitExpr(e.operand, scope); return;
      case 'compare': e.operands.forEach((o) => visitExpr(o, scope)); return;
      case 'logical': visitExpr(e.left, scope); visitExpr(e.right, scope); return;
      case 'conditional': visitExpr(e.test, scope); visitExpr(e.then, scope); visitExpr(e.otherwise, scope); return;
      case 'tuple': case 'list': e.items.forEach((i) => visitExpr(i, scope)); return;
      case 'dict': e.entries.forEach((en) => { visitExpr(en.key, scope); visitExpr(en.value, scope); }); return;
      case 'subscript': visitExpr(e.object, scope); visitExpr(e.index, scope); return;
      case 'starred': visitExpr(e.value, scope); return;
      case 'lambda': visitBody(e.fn.body, new Map(scope)); return;
      case 'comprehension': visitExpr(e.element, scope); e.clauses.forEach((c) => { visitExpr(c.iter, scope); c.conditions.forEach((x) => visitExpr(x, scope)); }); return;
      default: return;
    }
  };
  // `scope`: the enclosing body's simple assignments, so `gamma = 2.0; FocalLoss(gamma)` and
  // `cfg = {...}; Loss(**cfg)` read their literal values.
  const visitBody = (body: Stmt[], scope: Map<string, Expr>): void => {
    for (const s of body) {
      if (s.kind === 'assign') for (const t of s.targets) if (t.kind === 'name') scope.set(t.id, s.value);
    }
    for (const s of body) visitStmt(s, scope);
  };
  const visitStmt = (s: Stmt, scope: Map<string, Expr>): void => {
    switch (s.kind) {
      case 'expr': visitExpr(s.expr, scope); return;
      case 'assign':
        for (const t of s.targets) bind(t, s.value);
        visitExpr(s.value, scope);
        return;
      case 'augassign': visitExpr(s.value, scope); return;
      case 'return': visitExpr(s.value, scope); return;
      case 'if': visitExpr(s.test, scope); s.body.forEach((b) => visitStmt(b, scope)); s.orelse.forEach((b) => visitStmt(b, scope)); return;
      case 'for': visitExpr(s.iter, scope); s.body.forEach((b) => visitStmt(b, scope)); return;
      case 'while': visitExpr(s.test, scope); s.body.forEach((b) => visitStmt(b, scope)); return;
      case 'with': s.items.forEach((i) => visitExpr(i.context, scope)); s.body.forEach((b) => visitStmt(b, scope)); return;
      case 'try': [...s.body, ...s.handlers.flat(), ...s.finalbody].forEach((b) => visitStmt(b, scope)); return;
      case 'function': {
        for (const p of s.fn.params) visitExpr(p.default, scope);
        visitBody(s.fn.body, new Map());
        return;
      }
      case 'class': {
        const wrapper = s.cls.bases.some((b) => /(^|\.)LossFunctionWrapper$/.test(dottedName(b) ?? ''));
        if (wrapper) out.wrapped.push(...superInitFirstArgs(s.cls.body));
        visitBody(s.cls.body, new Map());
        return;
      }
      default: return;
    }
  };
  visitBody(m.ir.body, new Map());
  perModule.set(m, out);
  return out;
}

/** `super().__init__(fn, …)` / `super(C, self).__init__(fn=fn, …)` in a class's `__init__`. */
function superInitFirstArgs(body: Stmt[]): Expr[] {
  const out: Expr[] = [];
  for (const s of body) {
    if (s.kind !== 'function' || s.fn.name !== '__init__') continue;
    const walk = (b: Stmt[]): void => {
      for (const st of b) {
        if (st.kind === 'expr' && st.expr.kind === 'call' && st.expr.callee.kind === 'attribute' && st.expr.callee.name === '__init__'
          && st.expr.callee.object.kind === 'call' && dottedName(st.expr.callee.object.callee) === 'super') {
          const fn = st.expr.args.find((a) => a.name === 'fn') ?? st.expr.args.find((a) => !a.name);
          if (fn) out.push(fn.value);
        }
        if (st.kind === 'if') { walk(st.body); walk(st.orelse); }
      }
    };
    walk(s.fn.body);
  }
  return out;
}

/**
 * Arguments as the call passes them: a name bound to a literal in the enclosing body is read as that
 * literal; `**cfg` (a dict literal, or a name bound to one, with string keys) becomes keyword arguments.
 */
function expandArgs(args: Arg[], scope: Map<string, Expr>, bindings: Map<string, Expr[]>): Arg[] {
  const literal = (e: Expr): Expr => {
    if (e.kind !== 'name') return e;
    const local = scope.get(e.id);
    if (local && isLiteral(local)) return local;
    const top = bindings.get(e.id);
    return top && top.length === 1 && isLiteral(top[0]) ? top[0] : e;
  };
  const out: Arg[] = [];
  for (const a of args) {
    if (a.spread === 'kwargs') {
      const dict = literal(a.value);
      const entries = dict.kind === 'dict' ? dict.entries : dict.kind === 'call' && dottedName(dict.callee) === 'dict' ? dict.args.filter((x) => x.name).map((x) => ({ key: { kind: 'string', value: x.name!, span: x.value.span } as Expr, value: x.value })) : undefined;
      if (entries && entries.every((en) => en.key?.kind === 'string')) {
        for (const en of entries) out.push({ name: (en.key as Extract<Expr, { kind: 'string' }>).value, value: literal(en.value) });
        continue;
      }
      out.push(a);
      continue;
    }
    out.push({ ...a, value: literal(a.value) });
  }
  return out;
}

function isLiteral(e: Expr): boolean {
  switch (e.kind) {
    case 'number': case 'string': case 'bool': case 'none': return true;
    case 'unary': return isLiteral(e.operand);
    case 'tuple': case 'list': return e.items.every(isLiteral);
    case 'dict': return e.entries.every((en) => (!en.key || isLiteral(en.key)) && isLiteral(en.value));
    default: return false;
  }
}

function where(m: ParsedModule, span: Span): string {
  if (m.doc.cells) {
    const c = toCellSpan(m.doc, span);
    if (c.cell !== undefined) return `${m.doc.path}:cell ${c.cell + 1}:${c.span.startLine + 1}`;
  }
  return `${m.doc.path}:${span.startLine + 1}`;
}

const linesOf = new WeakMap<ParsedModule, string[]>();

/** `criterion(logits, labels)`: the callee and its first two positional arguments as written. */
function callText(m: ParsedModule, call: Call): string {
  let lines = linesOf.get(m);
  if (!lines) {
    lines = m.doc.text.split('\n');
    linesOf.set(m, lines);
  }
  const source = (span: Span): string => {
    const text = span.startLine === span.endLine
      ? (lines![span.startLine] ?? '').slice(span.startCol, span.endCol)
      : [(lines![span.startLine] ?? '').slice(span.startCol), ...lines!.slice(span.startLine + 1, span.endLine), (lines![span.endLine] ?? '').slice(0, span.endCol)].join(' ');
    const one = text.replace(/\s+/g, ' ').trim();
    return one.length > 40 ? `${one.slice(0, 39)}…` : one;
  };
  const positional = call.args.filter((a) => !a.name && !a.spread).slice(0, 2).map((a) => source(a.value.span));
  const more = call.args.length > positional.length ? ', …' : '';
  return `${source(call.callee.span)}(${positional.join(', ')}${more})`;
}
