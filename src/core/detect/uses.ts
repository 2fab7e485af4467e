// How the workspace uses each name: bound to an activation or loss keyword, variable or key
// (`activation=f`, `criterion = WingLoss()`, `{"loss": f}`), registered, printed or passed as a
// metric, returned as the loss of a loss class; and where each name is referenced at all (a private
// helper is referenced only from inside other definitions).
import type { ParsedModule } from '../parse/document';
import type { Arg, Expr, FunctionDef, Stmt } from '../ir/ir';
import { dottedName } from '../ir/ir';
import { childBlocks, forEachChild, forEachExpr, forEachSubExpr, methodOf, pushTo, statementExprs } from './bodies';
import { topLevel } from './candidates';
import { moduleMatches, type Workspace } from './imports';
import { lossClassName, roleOfKey } from './parameterRoles';

export type Role = 'activation' | 'loss' | 'metric' | 'registry' | 'data';

export interface Use {
  role: Role;
  how: string;
  /** The name was called and its result bound (`criterion = WingLoss(…)`): the call's arguments. */
  callArgs?: Arg[];
  /** Returned as the value of a loss class's forward/call (`return soft_f1(p, t)`). */
  delegation?: boolean;
  /** The top-level definition the use is written in (none: module level), and its module. */
  within?: string;
  module: string;
}

/** Where a name is referenced: the top-level definition around the reference, or none (module level). */
export interface Reference { module: string; within?: string }

export interface UseIndex {
  /** Module path → name → its uses in that module. */
  uses: Map<string, Map<string, Use[]>>;
  /** Module path → name → where that module references it. */
  references: Map<string, Map<string, Reference[]>>;
  /** Imported name → the modules importing it: under which alias, from which module string. */
  importers: Map<string, Importer[]>;
}

interface Importer { module: string; alias: string; from: string }

/** The names an expression can evaluate to, following simple local variables. */
function namesIn(e: Expr, vars: Map<string, Expr[]>, depth = 0): { name: string; callArgs?: Arg[] }[] {
  if (depth > 6) return [];
  switch (e.kind) {
    case 'name': {
      const viaVar = (vars.get(e.id) ?? []).flatMap((v) => namesIn(v, vars, depth + 1));
      return [{ name: e.id }, ...viaVar];
    }
    case 'call': {
      const callee = e.callee;
      if (callee.kind === 'name') return [{ name: callee.id, callArgs: e.args }, ...(vars.get(callee.id) ?? []).flatMap((v) => namesIn(v, vars, depth + 1))];
      if (callee.kind === 'attribute' && callee.name === 'apply') return namesIn(callee.object, vars, depth + 1);
      if (callee.kind === 'attribute' && /partial$/.test(dottedName(callee) ?? '') && e.args[0]) return namesIn(e.args[0].value, vars, depth + 1);
      if (dottedName(callee) === 'partial' && e.args[0]) return namesIn(e.args[0].value, vars, depth + 1);
      if (callee.kind === 'subscript') return namesIn(callee, vars, depth + 1);
      return [];
    }
    case 'conditional': return [...namesIn(e.then, vars, depth + 1), ...namesIn(e.otherwise, vars, depth + 1)];
    case 'logical': return [...namesIn(e.left, vars, depth + 1), ...namesIn(e.right, vars, depth + 1)];
    case 'tuple':
    case 'list': return e.items.flatMap((i) => namesIn(i, vars, depth + 1));
    case 'dict': return e.entries.flatMap((en) => namesIn(en.value, vars, depth + 1));
    case 'subscript': return namesIn(e.object, vars, depth + 1);
    case 'starred': return namesIn(e.value, vars, depth + 1);
    default: return [];
  }
}

const layerish = /(Dense|Linear|Conv\w*|dense|linear|conv\w*|fc\d*|proj\w*|layer\w*|lin\d*)$/;

function isMatmul(e: Expr): boolean {
  return (e.kind === 'binary' && e.op === '@') || (e.kind === 'call' && /(matMul|matmul|\bdot|mm)$/.test(dottedName(e.callee) ?? ''));
}

/** `nn.Dense(n)(x)`, `self.fc(x)`, `layers.Dense(8)(h)`, `x @ W + b`: the output of a layer. */
function isLayerOutput(e: Expr): boolean {
  if (e.kind === 'binary' && e.op === '+' && ((e.left.kind === 'binary' && e.left.op === '@') || isMatmul(e.left))) return true;
  if (e.kind === 'call' && /(^|\.)add$/.test(dottedName(e.callee) ?? '') && e.args[0] && isMatmul(e.args[0].value)) return true;
  if (e.kind !== 'call') return false;
  const callee = e.callee;
  if (callee.kind === 'call') return layerish.test(dottedName(callee.callee) ?? '');
  const name = dottedName(callee) ?? '';
  return /^(self|this)\./.test(name) && layerish.test(name);
}

/** Names of the functions an expression calls (`f(a).item()` → f). */
function calledNames(e: Expr): Expr[] {
  const out: Expr[] = [];
  const visit = (x: Expr): void => {
    if (x.kind === 'call') {
      if (x.callee.kind === 'name') out.push(x.callee);
      visit(x.callee);
      x.args.forEach((a) => visit(a.value));
    } else if (x.kind === 'attribute') visit(x.object);
    else if (x.kind === 'binary') { visit(x.left); visit(x.right); }
    else if (x.kind === 'tuple' || x.kind === 'list') x.items.forEach(visit);
  };
  visit(e);
  return out;
}

function roleOfFunctionName(name: string): Role | undefined {
  if (/^(get_|make_|build_)?(loss|losses|criterion)(_for|_fn|_from)?$|^loss_for|^get_loss/i.test(name)) return 'loss';
  if (/^(get_|make_|build_)?(act|activation|activations)(_for|_fn|_from)?$|^get_activation/i.test(name)) return 'activation';
  return undefined;
}

function returnsOf(body: Stmt[]): Expr[] {
  const out: Expr[] = [];
  for (const s of body) {
    if (s.kind === 'return' && s.value) out.push(s.value);
    for (const child of childBlocks(s)) out.push(...returnsOf(child));
  }
  return out;
}

/**
 * A layer that stores a callable from its config and applies it to its output is given its
 * activation that way: `constructor(config) { this.fn = config.fn }` … `call(x) { return this.fn(…) }`
 * makes `new Layer({fn: softExp})` an activation use of softExp. Keyed by class name: config key → role.
 */
function configKeyRoles(m: ParsedModule): [string, Map<string, Role>][] {
  const out: [string, Map<string, Role>][] = [];
  for (const st of m.ir.body) {
    if (st.kind !== 'class') continue;
    const init = methodOf(st.cls, ['__init__', 'constructor']);
    const call = methodOf(st.cls, ['call', 'forward', '__call__']);
    if (!init || !call) continue;
    const params = new Set(init.params.map((p) => p.name));
    const stored = new Map<string, string>(); // this.attr → config key
    for (const b of init.body) {
      if (b.kind !== 'assign' || b.value.kind !== 'attribute' || b.value.object.kind !== 'name' || !params.has(b.value.object.id)) continue;
      for (const t of b.targets) if (t.kind === 'attribute' && t.object.kind === 'name' && (t.object.id === 'this' || t.object.id === 'self')) stored.set(t.name, b.value.name);
    }
    if (!stored.size) continue;
    const roles = new Map<string, Role>();
    forEachExpr(call.body, (e) => {
      if (e.kind === 'call' && e.callee.kind === 'attribute' && e.callee.object.kind === 'name' && (e.callee.object.id === 'this' || e.callee.object.id === 'self') && stored.has(e.callee.name) && e.args.length === 1) roles.set(stored.get(e.callee.name)!, 'activation');
    });
    if (roles.size) out.push([st.cls.name, roles]);
  }
  return out;
}

/**
 * Parameters of workspace functions and constructors that receive an activation or a loss: named
 * so (`act`, `loss_fn`) and used as a callable — called, passed on under such a keyword, or (in a
 * constructor) stored on the instance. A `loss` parameter that is only reduced holds a value.
 */
function callableParameterRoles(m: ParsedModule): [string, (Role | undefined)[]][] {
  const out: [string, (Role | undefined)[]][] = [];
  const callable = (fn: FunctionDef, name: string, constructor: boolean): boolean => {
    let found = false;
    forEachExpr(fn.body, (e) => {
      if (e.kind === 'call' && e.callee.kind === 'name' && e.callee.id === name) found = true;
      if (e.kind === 'call' && e.args.some((a) => a.name && roleOfKey(a.name) && a.value.kind === 'name' && a.value.id === name)) found = true;
    });
    if (!found && constructor) {
      const visit = (body: Stmt[]): void => body.forEach((s) => {
        if (s.kind === 'assign' && s.targets.some((t) => t.kind === 'attribute') && namesUsed(s.value).has(name)) found = true;
        childBlocks(s).forEach(visit);
      });
      visit(fn.body);
    }
    return found;
  };
  for (const s of m.ir.body) {
    let fn: FunctionDef | undefined;
    let name: string | undefined;
    if (s.kind === 'function') { name = s.fn.name; fn = s.fn; }
    else if (s.kind === 'class') {
      fn = methodOf(s.cls, ['__init__', 'constructor']);
      name = s.cls.name;
    }
    if (!name || !fn) continue;
    const ctor = s.kind === 'class';
    const params = fn.params.map((p) => p.name).filter((p) => p !== 'self');
    const roles = params.map((p) => { const r = roleOfKey(p); return (r === 'activation' || r === 'loss') && callable(fn!, p, ctor) ? r : undefined; });
    if (roles.some(Boolean)) out.push([name, roles]);
  }
  return out;
}

function namesUsed(e: Expr): Set<string> {
  const out = new Set<string>();
  forEachSubExpr(e, (x) => { if (x.kind === 'name') out.add(x.id); });
  return out;
}

/** A class that is a loss by what it says of itself: a loss-like name or a loss base written in its bases. */
function declaresLoss(cls: { name: string; bases: Expr[] }): boolean {
  return lossClassName.test(cls.name) || cls.bases.some((b) => /(^|\.)(_?Loss|_WeightedLoss|LossFunctionWrapper)$/.test(dottedName(b) ?? ''));
}

/**
 * What one module gives the index, read once per parse: a workspace scan detects a folder a few
 * files at a time, each time over the same context modules. Its uses depend on the workspace's
 * parameter and config-key roles only through the callee names it looks up, so they are kept with
 * what those lookups found and read again only when one of them finds something else.
 */
interface ModuleReading {
  importers: [string, Importer][];
  paramRoles: [string, (Role | undefined)[]][];
  configRoles: [string, Map<string, Role>][];
  references: Map<string, Reference[]>;
  uses?: { byName: Map<string, Use[]>; looked: Map<string, Looked> };
}

interface Looked { param: (Role | undefined)[] | undefined; config: Map<string, Role> | undefined }

const readings = new WeakMap<ParsedModule, ModuleReading>();

function readingOf(m: ParsedModule, workspace: Workspace): ModuleReading {
  let r = readings.get(m);
  if (!r) {
    const importers: [string, Importer][] = [];
    for (const [alias, imp] of workspace.importsOf(m).workspace) if (imp.name) importers.push([imp.name, { module: m.doc.path, alias, from: imp.module }]);
    r = { importers, paramRoles: callableParameterRoles(m), configRoles: configKeyRoles(m), references: collectReferences(m) };
    readings.set(m, r);
  }
  return r;
}

const sameRoles = (a: (Role | undefined)[] | undefined, b: (Role | undefined)[] | undefined): boolean => a === b || (!!a && !!b && a.length === b.length && a.every((x, i) => x === b[i]));
const sameKeys = (a: Map<string, Role> | undefined, b: Map<string, Role> | undefined): boolean => a === b || (!!a && !!b && a.size === b.size && [...a].every(([k, v]) => b.get(k) === v));

/** Adds a module's map under its path; a second module with the same path adds after the first's. */
function addModule<V>(into: Map<string, Map<string, V[]>>, path: string, byName: Map<string, V[]>): void {
  const had = into.get(path);
  if (!had) { into.set(path, byName); return; }
  const merged = new Map<string, V[]>([...had].map(([k, v]) => [k, [...v]]));
  for (const [k, v] of byName) pushTo(merged, k, ...v);
  into.set(path, merged);
}

export function collectUses(workspace: Workspace): UseIndex {
  const modules = workspace.modules;
  const index: UseIndex = { uses: new Map(), references: new Map(), importers: new Map() };
  const read = modules.map((m) => readingOf(m, workspace));
  for (const r of read) for (const [name, imp] of r.importers) pushTo(index.importers, name, imp);
  // Later definitions of a name replace earlier ones, in the workspace's order.
  const paramRoles = new Map<string, (Role | undefined)[]>();
  const configRoles = new Map<string, Map<string, Role>>();
  for (const r of read) {
    for (const [k, v] of r.paramRoles) paramRoles.set(k, v);
    for (const [k, v] of r.configRoles) configRoles.set(k, v);
  }
  modules.forEach((module, i) => {
    const r = read[i];
    const fresh = r.uses && [...r.uses.looked].every(([name, l]) => sameRoles(paramRoles.get(name), l.param) && sameKeys(configRoles.get(name), l.config));
    if (!fresh) r.uses = readModuleUses(module, paramRoles, configRoles);
    addModule(index.uses, module.doc.path, r.uses!.byName);
    addModule(index.references, module.doc.path, r.references);
  });
  return index;
}

/** A module's uses of names, by name, under the workspace's parameter and config-key roles (and which of those it looked up). */
function readModuleUses(module: ParsedModule, paramRoleMap: Map<string, (Role | undefined)[]>, configRoleMap: Map<string, Map<string, Role>>): { byName: Map<string, Use[]>; looked: Map<string, Looked> } {
  const byName = new Map<string, Use[]>();
  const looked = new Map<string, Looked>();
  const lookUp = (name: string): Looked => {
    let l = looked.get(name);
    if (!l) { l = { param: paramRoleMap.get(name), config: configRoleMap.get(name) }; looked.set(name, l); }
    return l;
  };
  const vars = new Map<string, Expr[]>();
  // pass 1: variable assignments anywhere (flow-insensitive)
  const gather = (body: Stmt[]): void => {
    for (const s of body) {
      if (s.kind === 'assign') for (const t of s.targets) if (t.kind === 'name') pushTo(vars, t.id, s.value);
      if (s.kind === 'augassign' && s.target.kind === 'name') pushTo(vars, s.target.id, s.value);
      if (s.kind === 'expr' && s.expr.kind === 'call' && s.expr.callee.kind === 'attribute' && ['append', 'extend', 'add'].includes(s.expr.callee.name) && s.expr.callee.object.kind === 'name') {
        const obj = s.expr.callee.object.id;
        pushTo(vars, obj, ...s.expr.args.map((a) => a.value));
      }
      for (const child of childBlocks(s)) gather(child);
    }
  };
  gather(module.ir.body);
  let within: string | undefined;
  const add = (e: Expr, role: Role, how: string, delegation?: boolean): void => {
    for (const { name, callArgs } of namesIn(e, vars)) {
      pushTo(byName, name, { role, how, callArgs, within, module: module.doc.path, ...(delegation ? { delegation } : {}) });
    }
  };
  const visitExpr = (e: Expr): void => {
    switch (e.kind) {
      case 'call': {
        const callee = dottedName(e.callee) ?? '';
        const last = callee.split('.').pop() ?? '';
        for (const a of e.args) {
          if (a.name) {
            const role = roleOfKey(a.name);
            if (role) add(a.value, role, `usage:${last === 'compile' ? 'compile' : last}(${a.name}=)`);
          }
        }
        if (/^(Activation|Lambda)$/.test(last) && e.args[0]) add(e.args[0].value, 'activation', `usage:${last}(f)`);
        // ds.map(f), ds.map(lambda s, y: (f(s), y)): a data pipeline step (augmentation, preprocessing).
        if (module.ir.language === 'python' && e.callee.kind === 'attribute' && e.callee.name === 'map' && e.args[0] && !e.args[0].name) {
          const f = e.args[0].value;
          if (f.kind === 'lambda') forEachExpr(f.fn.body, (x) => { if (x.kind === 'call' && x.callee.kind === 'name') add(x.callee, 'data', 'usage:.map(lambda)'); });
          else add(f, 'data', 'usage:.map(f)');
        }
        // f(Dense(n)(x)), f(self.fc(x)): a function applied to a layer's output is its activation.
        if (e.callee.kind === 'name' && e.args.length === 1 && !e.args[0].name && isLayerOutput(e.args[0].value)) add(e.callee, 'activation', 'usage:f(layer(x))');
        // Values printed or logged are reported numbers: metrics, not losses.
        if (/^(print|logging\.\w+|logger\.\w+|console\.log|wandb\.log|writer\.add_scalar|self\.log)$/.test(callee)) e.args.forEach((a) => calledNames(a.value).forEach((n) => add(n, 'metric', 'usage:printed')));
        if (e.callee.kind === 'attribute' && e.callee.name === 'update' && e.callee.object.kind === 'call' && /get_custom_objects$/.test(dottedName(e.callee.object.callee) ?? '')) e.args.forEach((a) => add(a.value, 'registry', 'usage:get_custom_objects().update'));
        if (/registerClass$/.test(callee) && e.args[0]) add(e.args[0].value, 'registry', 'usage:registerClass');
        if (/(^|\.)Sequential$/.test(callee)) e.args.forEach((a) => { for (const n of namesIn(a.value, vars)) if (n.callArgs) add({ kind: 'name', id: n.name, span: e.span }, 'activation', 'usage:Sequential'); });
        // positional arguments into parameters of a workspace function or class that take an activation or loss
        const { param: roles, config: keyRoles } = lookUp(last);
        if (roles) e.args.forEach((a, i) => { const r = roles[i]; if (!a.name && r) add(a.value, r, `usage:${last}(${r === 'activation' ? 'act' : 'loss'})`); });
        if (keyRoles) for (const a of e.args) if (a.value.kind === 'dict') for (const en of a.value.entries) {
          const role = en.key?.kind === 'string' ? keyRoles.get(en.key.value) : undefined;
          if (role) add(en.value, role, `usage:${last}({${(en.key as { value: string }).value}: …})`);
        }
        e.args.forEach((a) => visitExpr(a.value));
        visitExpr(e.callee);
        return;
      }
      case 'dict':
        for (const en of e.entries) {
          if (en.key?.kind === 'string') {
            const role = roleOfKey(en.key.value);
            if (role) add(en.value, role, `usage:{${en.key.value}: …}`);
          }
          visitExpr(en.value);
        }
        return;
      case 'attribute': visitExpr(e.object); return;
      case 'binary': visitExpr(e.left); visitExpr(e.right); return;
      case 'conditional': visitExpr(e.test); visitExpr(e.then); visitExpr(e.otherwise); return;
      case 'tuple': case 'list': e.items.forEach(visitExpr); return;
      case 'subscript': visitExpr(e.object); return;
      case 'lambda': e.fn.body.forEach(visitStmt); return;
      case 'comprehension': visitExpr(e.element); return;
      default: return;
    }
  };
  const visitStmt = (s: Stmt): void => {
    switch (s.kind) {
      case 'assign': {
        for (const t of s.targets) {
          const name = t.kind === 'name' ? t.id : t.kind === 'attribute' ? t.name : undefined;
          const role = name ? roleOfKey(name) : undefined;
          if (role && name) add(s.value, role, `usage:${name} = …`);
        }
        visitExpr(s.value);
        return;
      }
      case 'expr': visitExpr(s.expr); return;
      case 'return':
        if (s.value) visitExpr(s.value);
        return;
      case 'function': {
        const role = roleOfFunctionName(s.fn.name);
        if (role) for (const r of returnsOf(s.fn.body)) add(r, role, `usage:return from ${s.fn.name}()`);
        s.fn.body.forEach(visitStmt);
        s.fn.params.forEach((p) => { if (p.default) { const r = roleOfKey(p.name); if (r) add(p.default, r, `usage:${p.name}=default`); } });
        return;
      }
      case 'class': {
        // What a loss class's forward returns directly is the loss it computes.
        if (declaresLoss(s.cls)) {
          const call = methodOf(s.cls, ['forward', 'call', '__call__']);
          for (const r of call ? returnsOf(call.body) : []) if (r.kind === 'call' && r.callee.kind === 'name') add(r.callee, 'loss', `usage:returned by ${s.cls.name}.${call!.name}`, true);
        }
        s.cls.body.forEach(visitStmt);
        return;
      }
      case 'with': {
        // Computed under torch.no_grad(): an evaluation, not a training loss.
        if (s.items.some((it) => it.context.kind === 'call' && /(no_grad|inference_mode)$/.test(dottedName(it.context.callee) ?? ''))) {
          const visitNoGrad = (b: Stmt): void => {
            const exprs = b.kind === 'assign' ? [b.value] : b.kind === 'expr' ? [b.expr] : b.kind === 'return' && b.value ? [b.value] : [];
            exprs.forEach((x) => calledNames(x).forEach((n) => add(n, 'metric', 'usage:under no_grad')));
            childBlocks(b).forEach((c) => c.forEach(visitNoGrad));
          };
          s.body.forEach(visitNoGrad);
        }
        s.body.forEach(visitStmt);
        return;
      }
      default: for (const child of childBlocks(s)) child.forEach(visitStmt);
    }
  };
  for (const s of topLevel(module.ir.body)) {
    within = s.kind === 'function' ? s.fn.name : s.kind === 'class' ? s.cls.name : undefined;
    visitStmt(s);
  }
  return { byName, looked };
}

/** Where a module references each name, by name. */
function collectReferences(module: ParsedModule): Map<string, Reference[]> {
  const byName = new Map<string, Reference[]>();
  const record = (id: string, within: string | undefined): void => {
    pushTo(byName, id, { module: module.doc.path, within });
  };
  for (const s of topLevel(module.ir.body)) {
    const within = s.kind === 'function' ? s.fn.name : s.kind === 'class' ? s.cls.name : undefined;
    // At module level, a name called inside a lambda (`run: (a) => gelu(a.x)`) is used by that
    // anonymous definition, not bound as a value.
    const visit = (e: Expr): void => {
      if (within === undefined && e.kind === 'lambda') { forEachExpr(e.fn.body, (x) => { if (x.kind === 'name') record(x.id, '<lambda>'); }); return; }
      if (e.kind === 'name' && e.id !== within) record(e.id, within);
      forEachChild(e, visit);
    };
    if (s.kind === 'function') {
      forEachExpr(s.fn.body, (e) => { if (e.kind === 'name' && e.id !== within) record(e.id, within); });
      s.fn.decorators.forEach((d) => forEachSubExpr(d, (e) => { if (e.kind === 'name') record(e.id, undefined); }));
      s.fn.params.forEach((p) => { if (p.default) forEachSubExpr(p.default, (e) => { if (e.kind === 'name') record(e.id, undefined); }); });
    } else if (s.kind === 'class') {
      forEachExpr(s.cls.body, (e) => { if (e.kind === 'name' && e.id !== within) record(e.id, within); });
      // A base class is used by the class deriving from it.
      s.cls.bases.forEach((b) => forEachSubExpr(b, (e) => { if (e.kind === 'name') record(e.id, within); }));
    } else statementExprs(s).forEach(visit);
  }
  return byName;
}

/** The uses of a definition: in its own module, and in other modules that import it. */
export function usesOf(name: string, module: ParsedModule, index: UseIndex): { uses: Use[]; references: Reference[] } {
  const uses = [...(index.uses.get(module.doc.path)?.get(name) ?? [])];
  const references = [...(index.references.get(module.doc.path)?.get(name) ?? [])];
  for (const imp of index.importers.get(name) ?? []) {
    if (imp.module === module.doc.path || !moduleMatches(imp.from, module.doc.path)) continue;
    uses.push(...(index.uses.get(imp.module)?.get(imp.alias) ?? []));
    references.push(...(index.references.get(imp.module)?.get(imp.alias) ?? []));
  }
  return { uses, references };
}
