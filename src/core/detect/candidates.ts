// The definitions detection weighs: top-level functions, factories (a function returning an inner
// function or lambda), classes with forward/call/__call__ (inherited through workspace base classes
// too), Keras LossFunctionWrapper subclasses, TF.js `const f = (x) => …` / `tf.customGrad(…)`,
// anonymous lambdas at a use, compiled aliases (`f_jit = torch.jit.script(f)`) and *args
// forwarders (`def old_name(*a, **k): return new_name(*a, **k)`).
import type { ParsedModule } from '../parse/document';
import type { ClassDef, Expr, FunctionDef, Param, Span, Stmt } from '../ir/ir';
import { dottedName } from '../ir/ir';
import { childBlocks, hasSubLayers, methodOf } from './bodies';
import { frameworkPath, Workspace, type ImportMap } from './imports';
import { roleOfKey } from './parameterRoles';

export interface Candidate {
  name: string;
  module: ParsedModule;
  imports: ImportMap;
  shape: 'function' | 'class' | 'factory' | 'constant' | 'lambda';
  def?: FunctionDef;
  cls?: ClassDef;
  /** The callable to probe inside a factory or class (inner function, forward/call). */
  inner?: FunctionDef;
  /** Input parameters of the probed callable (without self/ctx). */
  params: Param[];
  inputs: string[];
  requiredInputs: number;
  span: Span;
  nameSpan: Span;
  signals: string[];
  customGradient: boolean;
  /** Framework classes among the class's ancestors (through workspace base classes). */
  frameworkBases: string[];
  /** Workspace classes among its ancestors, nearest first. */
  workspaceBases: string[];
  hasSubLayers: boolean;
  registered: boolean;
  /** `f_jit = torch.jit.script(f)`: listed when f is, as the same kind. */
  aliasOf?: string;
  /** `def old(*args, **kwargs): return new(*args, **kwargs)`: listed when `new` is, as its kind. */
  forwardsTo?: string;
}

/** Input parameters of a callable: without self/ctx. */
function inputParams(fn: FunctionDef, dropFirst: number): { params: Param[]; names: string[]; required: number } {
  const params = fn.params.filter((p) => p.kind === 'normal').slice(dropFirst);
  return { params, names: params.map((p) => p.name), required: params.filter((p) => !p.default).length };
}

function returnsInnerFunction(fn: FunctionDef): FunctionDef | undefined {
  const inner = new Map<string, FunctionDef>();
  let returned: FunctionDef | undefined;
  const visit = (body: Stmt[]): void => {
    for (const s of body) {
      if (s.kind === 'function') inner.set(s.fn.name, s.fn);
      else if (s.kind === 'assign' && s.value.kind === 'lambda') {
        const fnDef = s.value.fn;
        for (const t of s.targets) if (t.kind === 'name') inner.set(t.id, fnDef);
      } else if (s.kind === 'return' && s.value) {
        if (s.value.kind === 'name' && inner.has(s.value.id)) returned = inner.get(s.value.id);
        else if (s.value.kind === 'lambda') returned = s.value.fn;
      } else if (s.kind === 'if') { visit(s.body); visit(s.orelse); }
    }
  };
  visit(fn.body);
  return returned;
}

const topLevelCache = new WeakMap<Stmt[], Stmt[]>();

/** Top-level statements, through `if`/`try` blocks (guarded imports and definitions). */
export function topLevel(body: Stmt[]): Stmt[] {
  let flat = topLevelCache.get(body);
  if (!flat) {
    flat = body.flatMap((s) => (s.kind === 'if' ? topLevel([...s.body, ...s.orelse]) : s.kind === 'try' ? topLevel([...s.body, ...s.handlers.flat()]) : [s]));
    topLevelCache.set(body, flat);
  }
  return flat;
}

// ---------------------------------------------------------------- class chains

interface ClassRef { cls: ClassDef; module: ParsedModule; imports: ImportMap }

function classIn(module: ParsedModule, name: string): ClassDef | undefined {
  for (const s of topLevel(module.ir.body)) if (s.kind === 'class' && s.cls.name === name) return s.cls;
  return undefined;
}

/** The workspace class a base expression names: same module, or imported from another workspace file. */
function workspaceClass(base: Expr, from: ParsedModule, imports: ImportMap, workspace: Workspace): ClassRef | undefined {
  let module: string | undefined;
  let name: string | undefined;
  if (base.kind === 'name') {
    const own = classIn(from, base.id);
    if (own) return { cls: own, module: from, imports };
    const imp = imports.workspace.get(base.id);
    if (imp?.name) { module = imp.module; name = imp.name; }
  } else if (base.kind === 'attribute' && base.object.kind === 'name') {
    const imp = imports.workspace.get(base.object.id);
    if (imp && !imp.name) { module = imp.module; name = base.name; }
  }
  if (!module || !name) return undefined;
  for (const m of workspace.modulesNamed(module)) {
    if (m.doc.path === from.doc.path) continue;
    const cls = classIn(m, name);
    if (cls) return { cls, module: m, imports: workspace.importsOf(m) };
  }
  return undefined;
}

interface Chain { frameworkBases: string[]; ancestors: ClassRef[] }

/** The class's ancestors: framework bases by canonical path, workspace classes nearest first. */
function classChain(start: ClassRef, workspace: Workspace): Chain {
  const out: Chain = { frameworkBases: [], ancestors: [] };
  const seen = new Set<ClassDef>([start.cls]);
  let level: ClassRef[] = [start];
  for (let depth = 0; depth < 8 && level.length; depth++) {
    const next: ClassRef[] = [];
    for (const ref of level) {
      for (const b of ref.cls.bases) {
        const fw = frameworkPath(b, ref.imports);
        if (fw) { out.frameworkBases.push(fw); continue; }
        const ws = workspaceClass(b, ref.module, ref.imports, workspace);
        if (ws && !seen.has(ws.cls)) { seen.add(ws.cls); out.ancestors.push(ws); next.push(ws); continue; }
        if (!ws) out.frameworkBases.push(dottedName(b) ?? '');
      }
    }
    level = next;
  }
  out.frameworkBases = out.frameworkBases.filter(Boolean);
  return out;
}

/** `super().__init__(fn, …)` in a LossFunctionWrapper subclass: the wrapped function. */
function wrappedFunction(cls: ClassDef, module: ParsedModule): FunctionDef | undefined {
  const init = methodOf(cls, ['__init__']);
  if (!init) return undefined;
  for (const s of init.body) {
    if (s.kind !== 'expr' || s.expr.kind !== 'call' || s.expr.callee.kind !== 'attribute' || s.expr.callee.name !== '__init__') continue;
    const first = s.expr.args.find((a) => !a.name || a.name === 'fn');
    if (first?.value.kind !== 'name') continue;
    const id = first.value.id;
    for (const st of topLevel(module.ir.body)) if (st.kind === 'function' && st.fn.name === id) return st.fn;
  }
  return undefined;
}

// ---------------------------------------------------------------- candidates

const compiledBy = /(^|\.)(jit\.script|jit\.trace|compile|jit|function)$/;

export function collectCandidates(module: ParsedModule, workspace: Workspace = new Workspace([module])): Candidate[] {
  const imports = workspace.importsOf(module);
  const out: Candidate[] = [];
  const vjpHelpers = new Set<string>();
  for (const s of topLevel(module.ir.body)) {
    if (s.kind === 'expr' && s.expr.kind === 'call' && s.expr.callee.kind === 'attribute' && /^def(vjp|jvp)$/.test(s.expr.callee.name)) {
      for (const a of s.expr.args) if (a.value.kind === 'name') vjpHelpers.add(a.value.id);
    }
  }
  const defined = new Set(topLevel(module.ir.body).flatMap((s) => (s.kind === 'function' ? [s.fn.name] : s.kind === 'class' ? [s.cls.name] : [])));
  for (const s of topLevel(module.ir.body)) {
    if (s.kind === 'function') {
      if (vjpHelpers.has(s.fn.name)) continue;
      const fn = s.fn;
      const decorators = fn.decorators.map((d) => frameworkPath(d.kind === 'call' ? d.callee : d, imports) ?? dottedName(d.kind === 'call' ? d.callee : d) ?? '');
      const customGradient = decorators.some((d) => /(custom_vjp|custom_jvp|custom_gradient)$/.test(d));
      const registered = decorators.some((d) => /register_keras_serializable|register$/.test(d));
      const inner = returnsInnerFunction(fn);
      const { params, names, required } = inputParams(inner ?? fn, 0);
      out.push({
        name: fn.name, module, imports, shape: inner ? 'factory' : 'function', def: fn, inner, params, inputs: names, requiredInputs: required,
        span: fn.span, nameSpan: fn.nameSpan, signals: decorators.filter(Boolean).map((d) => `decorator:@${d.split('.').pop()}`), customGradient,
        frameworkBases: [], workspaceBases: [], hasSubLayers: false, registered, forwardsTo: forwardTarget(fn, defined),
      });
    } else if (s.kind === 'class') {
      const cls = s.cls;
      const chain = classChain({ cls, module, imports }, workspace);
      const bases = chain.frameworkBases;
      const isAutograd = bases.some((b) => /autograd\.Function$/.test(b));
      const names = isAutograd ? ['forward'] : ['forward', 'call', '__call__'];
      let call = methodOf(cls, names);
      for (const a of chain.ancestors) call ??= methodOf(a.cls, names);
      const wrapped = !call && bases.some((b) => /LossFunctionWrapper$/.test(b)) ? wrappedFunction(cls, module) : undefined;
      if (!call && !wrapped) continue;
      const dropSelf = wrapped ? 0 : isAutograd ? 1 : module.ir.language === 'javascript' ? 0 : 1;
      const { params, names: inputs, required } = inputParams((call ?? wrapped)!, dropSelf);
      out.push({
        name: cls.name, module, imports, shape: 'class', cls, inner: call ?? wrapped, params, inputs, requiredInputs: required, span: cls.span, nameSpan: cls.nameSpan,
        signals: [...bases.map((b) => `base:${b.replace(/^torch\.nn\./, 'nn.')}`), ...chain.ancestors.map((a) => `base:${a.cls.name}`)],
        customGradient: isAutograd && !!(methodOf(cls, ['backward']) ?? chain.ancestors.map((a) => methodOf(a.cls, ['backward'])).find(Boolean)),
        frameworkBases: bases, workspaceBases: chain.ancestors.map((a) => a.cls.name),
        hasSubLayers: hasSubLayers(cls) || chain.ancestors.some((a) => hasSubLayers(a.cls)), registered: false,
      });
    } else if (s.kind === 'assign') {
      const target = s.targets[0];
      if (target?.kind !== 'name') continue;
      const value = s.value;
      // f_jit = torch.jit.script(f): a compiled variant users import by that name
      if (module.ir.language === 'python' && value.kind === 'call' && value.args[0]?.value.kind === 'name' && defined.has(value.args[0].value.id)) {
        const path = frameworkPath(value.callee, imports) ?? '';
        if (/^(torch|jax|tf)\b/.test(path) && compiledBy.test(path)) {
          out.push({
            name: target.id, module, imports, shape: 'function', params: [], inputs: [], requiredInputs: 0, span: s.span, nameSpan: target.span,
            signals: [`alias:${path.split('.').slice(-2).join('.')}(${value.args[0].value.id})`], customGradient: false, frameworkBases: [], workspaceBases: [],
            hasSubLayers: false, registered: false, aliasOf: value.args[0].value.id,
          });
          continue;
        }
      }
      if (module.ir.language !== 'javascript' && value.kind !== 'lambda') continue;
      let fn: FunctionDef | undefined;
      let customGradient = false;
      if (value.kind === 'lambda') fn = value.fn;
      else if (value.kind === 'call' && /customGrad$/.test(dottedName(value.callee) ?? '') && value.args[0]?.value.kind === 'lambda') {
        fn = (value.args[0].value as Extract<Expr, { kind: 'lambda' }>).fn;
        customGradient = true;
      }
      if (!fn) continue;
      const { params, names, required } = inputParams(fn, 0);
      out.push({
        name: target.id, module, imports, shape: 'constant', def: { ...fn, name: target.id }, params: customGradient ? params.slice(0, -1) : params,
        inputs: customGradient ? names.slice(0, -1) : names, requiredInputs: customGradient ? Math.max(0, required - 1) : required,
        span: s.span, nameSpan: target.span, signals: customGradient ? ['decorator:tf.customGrad'] : [], customGradient,
        frameworkBases: [], workspaceBases: [], hasSubLayers: false, registered: false,
      });
    }
  }
  out.push(...anonymousLambdas(module, imports));
  return out;
}

/** A function of `*args, **kwargs` only, returning a call of another definition with them. */
function forwardTarget(fn: FunctionDef, defined: Set<string>): string | undefined {
  if (fn.params.some((p) => p.kind === 'normal') || !fn.params.some((p) => p.kind === 'varargs')) return undefined;
  const code = fn.body.filter((s) => !(s.kind === 'expr' && s.expr.kind === 'string'));
  const last = code[code.length - 1];
  if (code.length !== 1 || last?.kind !== 'return' || last.value?.kind !== 'call' || last.value.callee.kind !== 'name') return undefined;
  const callee = last.value.callee.id;
  return defined.has(callee) && last.value.args.some((a) => a.spread === 'args' || a.value.kind === 'starred') ? callee : undefined;
}

/** `activation=lambda x: …`, `Activation(lambda x: …)`, `compile(loss=lambda t, p: …)`: listed as `<lambda>@LINE`. */
function anonymousLambdas(module: ParsedModule, imports: ImportMap): Candidate[] {
  const out: Candidate[] = [];
  const take = (e: Expr, how: string): void => {
    if (e.kind !== 'lambda') return;
    const name = `<lambda>@${e.span.startLine + 1}`;
    if (out.some((c) => c.name === name)) return;
    const { params, names, required } = inputParams(e.fn, 0);
    out.push({
      name, module, imports, shape: 'lambda', def: { ...e.fn, name }, params, inputs: names, requiredInputs: required, span: e.span, nameSpan: e.span,
      signals: [how], customGradient: false, frameworkBases: [], workspaceBases: [], hasSubLayers: false, registered: true,
    });
  };
  const visitExpr = (e: Expr): void => {
    if (e.kind !== 'call') {
      if (e.kind === 'tuple' || e.kind === 'list') e.items.forEach(visitExpr);
      else if (e.kind === 'dict') e.entries.forEach((en) => visitExpr(en.value));
      return;
    }
    const last = (dottedName(e.callee) ?? '').split('.').pop() ?? '';
    for (const a of e.args) {
      const role = a.name ? roleOfKey(a.name) : undefined;
      if (role === 'activation' || role === 'loss') take(a.value, `usage:${last}(${a.name}=lambda)`);
      else if (!a.name && /^(Activation|Lambda)$/.test(last)) take(a.value, `usage:${last}(lambda)`);
      visitExpr(a.value);
    }
    visitExpr(e.callee);
  };
  const visit = (body: Stmt[]): void => {
    for (const st of body) {
      if (st.kind === 'expr') visitExpr(st.expr);
      else if (st.kind === 'assign') visitExpr(st.value);
      else if (st.kind === 'return' && st.value) visitExpr(st.value);
      childBlocks(st).forEach(visit);
    }
  };
  visit(module.ir.body);
  return out;
}
