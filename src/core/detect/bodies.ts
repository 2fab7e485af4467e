// What a definition's body does, read statically: whether it computes with tensors at all, whether
// it builds layers or holds a pretrained network, whether its output is only a reshaped input, which
// parameters it treats as scalars or strings. Detection weighs these against names and uses.
import type { ClassDef, Expr, FunctionDef, Stmt } from '../ir/ir';
import { dottedName } from '../ir/ir';
import { frameworkPath, type ImportMap } from './imports';

/** Appends to a map of lists (in place: the indexes grow with the workspace). */
export function pushTo<K, V>(map: Map<K, V[]>, key: K, ...values: V[]): void {
  const list = map.get(key);
  if (list) list.push(...values);
  else map.set(key, values);
}

export function childBlocks(s: Stmt): Stmt[][] {
  switch (s.kind) {
    case 'if': return [s.body, s.orelse];
    case 'for': case 'while': case 'with': return [s.body];
    case 'try': return [s.body, ...s.handlers, s.finalbody];
    case 'function': return [s.fn.body];
    case 'class': return [s.cls.body];
    default: return [];
  }
}

/** The expressions a statement holds, those of nested blocks included (not nested definitions' bodies). */
export function statementExprs(s: Stmt): Expr[] {
  const own = ownExprs(s);
  if (s.kind === 'function' || s.kind === 'class') return own;
  return [...own, ...childBlocks(s).flatMap((b) => b.flatMap(statementExprs))];
}

/** The expressions a statement holds directly (not those of nested blocks). */
function ownExprs(s: Stmt): Expr[] {
  switch (s.kind) {
    case 'expr': return [s.expr];
    case 'assign': return [...s.targets, s.value];
    case 'augassign': return [s.target, s.value];
    case 'return': return s.value ? [s.value] : [];
    case 'if': case 'while': return [s.test];
    case 'for': return [s.target, s.iter];
    case 'with': return s.items.map((i) => i.context);
    default: return [];
  }
}

/** The direct sub-expressions of an expression (a lambda's body is not entered). */
export function forEachChild(e: Expr, visit: (x: Expr) => void): void {
  switch (e.kind) {
    case 'attribute': visit(e.object); return;
    case 'call': visit(e.callee); e.args.forEach((a) => visit(a.value)); return;
    case 'binary': case 'logical': visit(e.left); visit(e.right); return;
    case 'unary': visit(e.operand); return;
    case 'compare': e.operands.forEach(visit); return;
    case 'conditional': visit(e.test); visit(e.then); visit(e.otherwise); return;
    case 'tuple': case 'list': e.items.forEach(visit); return;
    case 'dict': e.entries.forEach((en) => { if (en.key) visit(en.key); visit(en.value); }); return;
    case 'subscript': visit(e.object); visit(e.index); return;
    case 'slice': [e.start, e.stop, e.step].forEach((x) => { if (x) visit(x); }); return;
    case 'comprehension': visit(e.element); e.clauses.forEach((c) => { visit(c.iter); c.conditions.forEach(visit); }); return;
    case 'starred': visit(e.value); return;
    default: return;
  }
}

/** Every sub-expression of an expression, itself first. Lambdas' bodies are entered. */
export function forEachSubExpr(e: Expr, visit: (x: Expr) => void): void {
  visit(e);
  if (e.kind === 'lambda') forEachExpr(e.fn.body, visit);
  else forEachChild(e, (x) => forEachSubExpr(x, visit));
}

/** Every expression in a block, nested blocks and nested definitions included. */
export function forEachExpr(body: Stmt[], visit: (x: Expr) => void): void {
  for (const s of body) {
    ownExprs(s).forEach((e) => forEachSubExpr(e, visit));
    if (s.kind === 'function') s.fn.params.forEach((p) => { if (p.default) forEachSubExpr(p.default, visit); });
    childBlocks(s).forEach((b) => forEachExpr(b, visit));
  }
}

export function methodOf(cls: ClassDef, names: string[]): FunctionDef | undefined {
  for (const name of names) {
    for (const s of cls.body) if (s.kind === 'function' && s.fn.name === name) return s.fn;
  }
  return undefined;
}

const calleeName = (e: Extract<Expr, { kind: 'call' }>): string => dottedName(e.callee) ?? (e.callee.kind === 'attribute' ? e.callee.name : '');

const shapeOps = /(^|\.)(expand_dims|unsqueeze|reshape|transpose|permute|concat|concatenate|stack|squeeze|tile|broadcast_to|flatten|expandDims|view|contiguous|moveaxis|swapaxes)$/;
const shapeQueries = /(^|\.)(size|shape|dim|ndim|int_shape|numel|len)$/;
const denseOps = /(^|\.)(matmul|matMul|dot|einsum|linear|conv\d?d?|conv\d?d?_transpose|read)$/;

/** The body multiplies by weights: a matmul, einsum, linear or convolution op (`@` too); `self.conv(x)` is a sub-layer, not an op. */
export function multipliesWeights(fn: FunctionDef | undefined): boolean {
  if (!fn) return false;
  let found = false;
  forEachExpr(fn.body, (e) => {
    if (e.kind === 'call' && denseOps.test(calleeName(e)) && !/^(self|this)\.\w+$/.test(dottedName(e.callee) ?? '')) found = true;
    else if (e.kind === 'binary' && e.op === '@') found = true;
  });
  return found;
}

/**
 * Plumbing: the body only moves the input around (expand_dims, reshape, transpose…) with no
 * arithmetic and no other call. `Lambda(add_channel_axis)` is a layer of the model, not an activation.
 */
export function isPlumbing(fn: FunctionDef | undefined): boolean {
  if (!fn) return false;
  let reshapes = false;
  let other = false;
  forEachExpr(fn.body, (e) => {
    if (e.kind === 'call') {
      const name = calleeName(e);
      if (shapeOps.test(name)) reshapes = true;
      else if (!shapeQueries.test(name)) other = true;
    } else if (e.kind === 'binary' || (e.kind === 'unary' && e.op === '-' && e.operand.kind !== 'number')) other = true;
  });
  return reshapes && !other;
}

const layerCall = /(\.|^)(Linear|Conv[123]d|Conv[123]D|ConvTranspose[123]d|Dense|dense|conv2d|Embedding|LSTM|GRU|Sequential|BatchNorm\w*|LayerNorm|GroupNorm|InstanceNorm\w*|Dropout|MultiheadAttention|layers\.\w+)$/;
/** A pretrained or library network: a feature extractor is a model, whatever its signature. */
const networkCall = /(^|\.)(hub\.load|from_pretrained|create_model|create_feature_extractor|applications\.\w+|models\.\w+)$/;

/**
 * The constructor (or build/setup) creates layers or loads a network; or the call method builds a
 * layer inline and applies it (`nn.Dense(256)(z)` under Flax's `@nn.compact`).
 */
export function hasSubLayers(cls: ClassDef): boolean {
  for (const name of ['__init__', 'constructor', 'build', 'setup']) {
    const m = methodOf(cls, [name]);
    if (!m) continue;
    let found = false;
    forEachExpr(m.body, (e) => {
      if (e.kind === 'call') {
        const callee = dottedName(e.callee) ?? '';
        if (layerCall.test(callee) || networkCall.test(callee)) found = true;
      }
    });
    if (found) return true;
  }
  for (const name of ['__call__', 'call', 'forward']) {
    const m = methodOf(cls, [name]);
    if (!m) continue;
    let found = false;
    forEachExpr(m.body, (e) => {
      if (e.kind === 'call' && e.callee.kind === 'call' && layerCall.test(dottedName(e.callee.callee) ?? '')) found = true;
    });
    if (found) return true;
  }
  return false;
}

/** Local names → the expressions last assigned to them (flow-insensitive, first-level targets). */
function localValues(fn: FunctionDef): Map<string, Expr[]> {
  const vars = new Map<string, Expr[]>();
  const visit = (body: Stmt[]): void => {
    for (const s of body) {
      if (s.kind === 'assign') {
        for (const t of s.targets) {
          if (t.kind === 'name') pushTo(vars, t.id, s.value);
          else if (t.kind === 'tuple' || t.kind === 'list') t.items.forEach((i) => { if (i.kind === 'name') pushTo(vars, i.id, s.value); });
        }
      } else if (s.kind === 'augassign' && s.target.kind === 'name') pushTo(vars, s.target.id, s.value);
      if (s.kind !== 'function' && s.kind !== 'class') childBlocks(s).forEach(visit);
    }
  };
  visit(fn.body);
  return vars;
}

function returnValues(body: Stmt[]): Expr[] {
  const out: Expr[] = [];
  for (const s of body) {
    if (s.kind === 'return' && s.value) out.push(s.value);
    if (s.kind !== 'function' && s.kind !== 'class') childBlocks(s).forEach((b) => out.push(...returnValues(b)));
  }
  return out;
}

/**
 * The raw input takes part, elementwise, in what the callable returns: `max(x, bn(conv(x)))`,
 * `x * exp(-h²)`. An activation may use sub-layers to shape its gate; a layer sends its input
 * only through them (`self.fc(x)`, `F.linear(x, W)`).
 */
export function inputReachesOutputElementwise(fn: FunctionDef | undefined, input: string | undefined): boolean {
  if (!fn || !input) return false;
  const vars = localValues(fn);
  const seen = new Set<string>();
  const reaches = (e: Expr, depth: number): boolean => {
    if (depth > 12) return false;
    switch (e.kind) {
      case 'name':
        if (e.id === input) return true;
        if (seen.has(e.id)) return false;
        seen.add(e.id);
        return (vars.get(e.id) ?? []).some((v) => reaches(v, depth + 1));
      case 'binary': return e.op !== '@' && (reaches(e.left, depth + 1) || reaches(e.right, depth + 1));
      case 'unary': return reaches(e.operand, depth + 1);
      case 'conditional': return reaches(e.then, depth + 1) || reaches(e.otherwise, depth + 1);
      case 'subscript': return reaches(e.object, depth + 1);
      case 'attribute': return reaches(e.object, depth + 1);
      case 'tuple': case 'list': return e.items.some((i) => reaches(i, depth + 1));
      case 'call': {
        const name = dottedName(e.callee) ?? '';
        // Through a layer (`self.conv(x)`, `Lambda(f)(x)`) or a dense op the input is transformed, not passed on.
        if (/^(self|this)\./.test(name) || (denseOps.test(calleeName(e)) && !/^(self|this)\./.test(name)) || e.callee.kind === 'call') return false;
        if (e.callee.kind === 'attribute' && reaches(e.callee.object, depth + 1)) return true;
        return e.args.some((a) => reaches(a.value, depth + 1));
      }
      default: return false;
    }
  };
  return returnValues(fn.body).some((r) => reaches(r, 0));
}

/** Some `return` gives a value: an activation or a loss returns what it computes (a training step does not). */
export function returnsValue(fn: FunctionDef): boolean {
  return returnValues(fn.body).length > 0;
}

/** Every return gives a literal tuple of two or more values (`return tp, fp, fn`). */
export function returnsTuple(fn: FunctionDef | undefined): boolean {
  if (!fn) return false;
  if (fn.returns && /^(tuple|Tuple)\b/.test(fn.returns.trim())) return true;
  const values = returnValues(fn.body);
  return values.length > 0 && values.every((v) => (v.kind === 'tuple' || v.kind === 'list') && v.items.length >= 2 && v.kind === 'tuple');
}

/**
 * Parameters the body treats as scalars or flags: tested in an `if`/`while` condition (a tensor
 * there raises), except against None (an optional tensor).
 */
export function scalarParameters(fn: FunctionDef | undefined): Set<string> {
  const out = new Set<string>();
  if (!fn) return out;
  const params = new Set(fn.params.map((p) => p.name));
  const test = (e: Expr): void => {
    if (e.kind === 'name' && params.has(e.id)) out.add(e.id);
    else if (e.kind === 'unary' && e.op === 'not') test(e.operand);
    else if (e.kind === 'logical') { test(e.left); test(e.right); }
    else if (e.kind === 'compare') {
      if (e.operands.some((o) => o.kind === 'none')) return;
      if (e.ops.some((op) => op === 'is' || op === 'is not') && e.operands.some((o) => o.kind === 'bool')) {
        e.operands.forEach((o) => { if (o.kind === 'name' && params.has(o.id)) out.add(o.id); });
        return;
      }
      if (!e.operands.some((o) => o.kind === 'number' || o.kind === 'string' || o.kind === 'bool')) return;
      e.operands.forEach((o) => { if (o.kind === 'name' && params.has(o.id)) out.add(o.id); });
    }
  };
  const visit = (body: Stmt[]): void => {
    for (const s of body) {
      if (s.kind === 'if' || s.kind === 'while') test(s.test);
      if (s.kind !== 'function' && s.kind !== 'class') childBlocks(s).forEach(visit);
    }
  };
  visit(fn.body);
  return out;
}

const stringMethods = /^(lower|upper|strip|startswith|endswith|split|replace|format|casefold|toLowerCase|toUpperCase|startsWith|endsWith|trim)$/;

/** Parameters the body treats as strings: keys into a dict, compared with string literals, string methods. */
export function stringParameters(fn: FunctionDef | undefined): Set<string> {
  const out = new Set<string>();
  if (!fn) return out;
  const params = new Set(fn.params.map((p) => p.name));
  const base = (e: Expr): string | undefined => {
    if (e.kind === 'name' && params.has(e.id)) return e.id;
    if (e.kind === 'call' && e.callee.kind === 'attribute' && stringMethods.test(e.callee.name)) return base(e.callee.object);
    return undefined;
  };
  forEachExpr(fn.body, (e) => {
    if (e.kind === 'call' && e.callee.kind === 'attribute' && stringMethods.test(e.callee.name)) {
      const b = base(e.callee.object);
      if (b) out.add(b);
    } else if (e.kind === 'subscript' && e.object.kind === 'name' && !params.has(e.object.id) && /^[A-Z_][A-Z0-9_]*$/.test(e.object.id)) {
      // MAPPING[name]: a module-level table looked up by the parameter
      const b = base(e.index);
      if (b) out.add(b);
    } else if (e.kind === 'compare') {
      const isString = (o: Expr): boolean => o.kind === 'string' || ((o.kind === 'list' || o.kind === 'tuple') && o.items.some((i) => i.kind === 'string'));
      if (e.operands.some(isString)) e.operands.forEach((o) => { const b = base(o); if (b) out.add(b); });
    }
  });
  return out;
}

// Method names of tensors (torch, TF.js chain API, NumPy arrays) that compute.
const tensorMethods = /^(sigmoid|tanh|relu|relu6|exp|expm1|log|log1p|log2|log10|pow|sqrt|rsqrt|square|abs|neg|mul|add|sub|div|clamp|clamp_min|clamp_max|clip|clipByValue|maximum|minimum|max|min|mean|sum|prod|softmax|log_softmax|logSoftmax|logsumexp|logSumExp|softplus|elu|selu|gelu|silu|mish|norm|sign|floor|ceil|round|erf|sin|cos|matmul|matMul|dot|where|gather|masked_fill|reciprocal|sigmoid_|mul_|add_|sub_|div_|apply)$/;

/** A definition a call can reach, with the module it is written in and that module's imports. */
export interface Reached<M = unknown> { fn: FunctionDef; imports: ImportMap; module: M }

/**
 * The body computes: arithmetic on values, framework calls (torch, tf, jax, np…), tensor methods,
 * a base class's method (`super().forward(…)`), or calls to a workspace definition that does
 * (`depth` levels deep). TF.js code must call TF.js itself: arithmetic on numbers is not tensor code.
 * (Python: an imported workspace name that is no readable definition gets the benefit of the doubt.)
 */
export function computes<M>(at: Reached<M>, language: 'python' | 'javascript', resolve: (callee: Expr, from: Reached<M>) => Reached<M>[], depth = 3, seen = new Set<FunctionDef>()): boolean {
  if (seen.has(at.fn)) return false;
  seen.add(at.fn);
  const js = language === 'javascript';
  let found = false;
  const pending: Reached<M>[] = [];
  forEachExpr(at.fn.body, (e) => {
    if (found) return;
    if (e.kind === 'call') {
      const path = frameworkPath(e.callee, at.imports);
      if (path && (js ? path.startsWith('tfjs') : !/^(typing|logging|warnings|dataclasses|functools|__future__)\b/.test(path))) { found = true; return; }
      if (e.callee.kind === 'attribute' && tensorMethods.test(e.callee.name) && !(e.callee.object.kind === 'name' && /^(self|this|Math|ctx)$/.test(e.callee.object.id))) { found = true; return; }
      if (e.callee.kind === 'attribute' && ((e.callee.object.kind === 'call' && dottedName(e.callee.object.callee) === 'super') || (e.callee.object.kind === 'name' && e.callee.object.id === 'super'))) { found = true; return; }
      // Python's numeric builtins compute on scalars and arrays alike (`max(0, x)`).
      if (!js && e.callee.kind === 'name' && /^(abs|max|min|pow|sum|round|divmod)$/.test(e.callee.id)) { found = true; return; }
      const reached = resolve(e.callee, at);
      // Python: a name imported from the workspace that is not a definition we can read
      // (`relu = _wrap(torch.relu)`) may compute; TF.js code must show its TF.js calls.
      const head = e.callee.kind === 'name' ? e.callee.id : e.callee.kind === 'attribute' && e.callee.object.kind === 'name' ? e.callee.object.id : undefined;
      if (!js && !reached.length && head && at.imports.workspace.has(head)) { found = true; return; }
      pending.push(...reached);
    } else if (!js && (e.kind === 'binary' || (e.kind === 'unary' && e.op === '-'))) found = true;
  });
  if (found) return true;
  if (depth <= 0) return false;
  return pending.some((p) => computes(p, language, resolve, depth - 1, seen));
}
