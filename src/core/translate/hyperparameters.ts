// The values a program passes to a constructor, a factory, or the probed call's parameters beyond
// its inputs. In order: values given outright (`eval --args`), a `# gradprobe: args name=value, …`
// comment on the definition line, the settings (`args` per function name), a call site anywhere in
// the workspace, the signature's default, a value the framework's own docs use for that name
// (`gamma` 2, `reduction` "mean", a function such as optax's `max_fun=logsumexp`, a cost matrix over
// the typical classes), for an argument that is itself a loss, a standard loss of the framework, and
// for a further tensor input of a loss (`negatives`), a value made from the probe's own inputs at each
// call. Without any of them the function is not probed, and GP001 names the argument.
import * as tf from '@tensorflow/tfjs-core';
import type { SettingArgValue } from '../config/settings';
import type { CallSite } from '../detect/callSites';
import { documentFromText, parseDocument } from '../parse/document';
import { ProbeBudgetExceeded, UnsupportedConstruct } from '../ir/errors';
import type { Framework } from '../ir/frameworks';
import type { Arg, Expr, FunctionDef, Param, Span, Stmt } from '../ir/ir';
import { dottedName } from '../ir/ir';
import { NONE, describe, num, str, type Value } from '../ir/values';
import { callOp, opAt } from '../ops/registry';
import { attribute } from './attributes';
import type { Evaluator } from './evaluator';
import type { Scope } from './scope';

/** A value as settings and `eval --args` write it: JSON (TOML's values are a subset). */
export type ArgValue = SettingArgValue;

/** What a program used for one parameter, and where it came from. */
export interface ChosenArg {
  /** The value as JSON: numbers, strings, booleans, null, small arrays; otherwise a description. */
  value: unknown;
  /** `--args`, `comment`, `settings`, `call site PATH:LINE`, `default` or `typical`. */
  source: string;
}

/** Where a parameter's value may come from, for one function. */
export interface ArgumentSources {
  ev: Evaluator;
  /** The function's own module scope: comments and settings values are read there. */
  scope: Scope;
  framework: Framework;
  /** The function's name, for the messages and name-dependent typical values (`kernel_size` of an SSIM). */
  name: string;
  /** Python (`# gradprobe: args`) or JavaScript (`// gradprobe: args`), for the messages. */
  language: 'python' | 'javascript';
  /** The definition's span: the comment is read on its first lines. */
  definitionLines: number[];
  comments: Map<number, string>;
  explicit?: Record<string, ArgValue>;
  settings?: Record<string, ArgValue>;
  /** What each choice was, by parameter name (filled in). */
  chosen: Record<string, ChosenArg>;
  /** Definitions that use the parameters (for arrays: a tensor, a sequence, or integer indices). */
  users: FunctionDef[];
  /** Whether the function is probed as a loss: a further tensor input of a loss is made from its inputs. */
  loss?: boolean;
}

/**
 * A parameter whose value is made from the probe's inputs at each call (a further tensor input of a
 * loss, `negatives` beside anchors and positives), by its position among the stage's parameters.
 */
export interface InputDerived {
  index: number;
  name: string;
  make(inputs: { prediction: tf.Tensor; target?: tf.Tensor }): tf.Tensor;
}

/** One call the program makes: whose parameters, and the call sites that pass them. */
export interface Stage {
  /** `constructor argument`, `factory argument` or `argument`: how GP001 names a missing one. */
  what: string;
  params: Param[];
  /** Scope the defaults are evaluated in (the definition's closure). */
  closure: Scope;
  /** JavaScript and `Function.apply` take positional arguments only. */
  positional: boolean;
  /**
   * Call sites, with the position where this stage's parameters start among their positional
   * arguments. A construction (`FocalLoss(gamma=3)`, `partial(focal, gamma=3)`) configures what the
   * workspace trains with: its values win over defaults (`configures`). A plain call only fills
   * parameters without a default: `reduction="none"` in another function's call is that caller's choice.
   */
  sites: { site: CallSite; offset: number; keywordsOnly?: boolean; configures: boolean }[];
  span: Span;
}

// ---------------------------------------------------------------- typical values

// Values the frameworks' own docs and signatures use for these names (PyTorch, Keras, MONAI,
// segmentation_models, optax). Only for parameters without a default.
const typicalByName: [RegExp, number | string][] = [
  [/^alpha$/, 0.25],
  [/^gamma$/, 2],
  [/^margin$/, 1],
  [/^smooth$/, 1],
  [/^(eps|epsilon)$/, 1e-6],
  [/^reduction$/, 'mean'],
  [/^mode$/, 'binary'],
  [/^ignore_index$/, -100],
  [/^(window_size|win_size)$/, 11],
  [/^(max_val|data_range)$/, 1],
  [/^spatial_dims$/, 2],
  [/^temperature$/, 0.5],
  [/^beta$/, 1],
  [/^delta$/, 1],
  [/^t1$/, 0.8],
  [/^t2$/, 1.2],
  [/^(num_classes|n_classes|classes)$/, 3],
];
/**
 * Per-channel parameters: one channel, which broadcasts against any probe input (the activation
 * sweep is one axis of points; the loss probe's feature axis varies).
 */
const channelName = /^(in_features|in_channels|out_channels|num_parameters|num_features|channels|num_channels|features|emb_size|embedding_size|embed_dim)$/;
/**
 * A further tensor input of a loss beside prediction and target (a triplet's `negatives`): another
 * sample of the target's layout, each row the next row's target (the in-batch negative of metric
 * learning), so the probe's shapes fit it.
 */
const furtherInputName = /^(negatives?|negative_(embeddings|samples)|neg_(embeddings|samples))$/;
/**
 * A matrix of costs between classes (MONAI's Wasserstein Dice `dist_matrix`): square over the
 * typical number of classes, 0 on the diagonal and 1 elsewhere, every confusion costing the same.
 */
const classMatrixName = /^(dist_matrix|distance_matrix|cost_matrix)$/;
/** Functions the frameworks' docs pass for these names (optax's Fenchel-Young loss: `max_fun=logsumexp`). */
const typicalFunction: Partial<Record<Framework, [RegExp, string][]>> = {
  jax: [[/^max_fun$/, 'jax.scipy.special.logsumexp']],
  numpy: [[/^max_fun$/, 'scipy.special.logsumexp']],
};
/** A constructor argument that is itself a loss (`DeepSupervisionLoss(loss)`). */
const lossArgumentName = /^(loss|loss_fn|loss_func|loss_function|criterion|base_loss|inner_loss)$/;
/** Arrays for these are sequences (axes, shapes), never tensors. */
const sequenceName = /^(axis|axes|dim|dims|shape|size|sizes|kernel_size|kernel_sizes|scales|weights_list|strides?|padding)$/;

/** The framework's standard loss an argument that takes a loss gets, or undefined. */
const standardLoss: Partial<Record<Framework, string>> = { pytorch: 'torch.nn.MSELoss', tensorflow: 'keras.losses.MeanSquaredError' };

function typical(name: string, functionName: string): number | string | undefined {
  if (/^kernel_size$/.test(name)) return /ssim/i.test(functionName) ? 11 : 3;
  if (channelName.test(name)) return 1;
  // A bare `t` is a temperature only in a tempered function (bi-tempered losses, tempered softmax), whose
  // docs ask for t > 1; 1.2 (as t2) runs the tempered code rather than a t == 1 shortcut.
  if (name === 't' && /temper/i.test(functionName)) return 1.2;
  return typicalByName.find(([re]) => re.test(name))?.[1];
}

// ---------------------------------------------------------------- choosing

/** The arguments of one stage: keyword arguments (Python), or positional ones (JavaScript, `apply`). */
export function chooseArguments(src: ArgumentSources, stage: Stage): { args: Value[]; kwargs: Map<string, Value>; derived: InputDerived[] } {
  const comment = commentArgs(src);
  const values: (Value | undefined)[] = [];
  const derived: InputDerived[] = [];
  const params = stage.params.filter((p) => p.kind === 'normal');
  params.forEach((p, i) => {
    const pick = (value: Value, source: string): void => {
      values[i] = value;
      src.chosen[p.name] = { value: jsonOf(value), source };
    };
    const given = src.explicit && Object.hasOwn(src.explicit, p.name) ? src.explicit[p.name] : undefined;
    if (given !== undefined) return pick(fromJson(src, p.name, given), '--args');
    const commented = comment.get(p.name);
    if (commented) return pick(commented, 'comment');
    const set = src.settings && Object.hasOwn(src.settings, p.name) ? src.settings[p.name] : undefined;
    if (set !== undefined) return pick(fromJson(src, p.name, set), 'settings');
    const fromSite = atCallSite(src, stage, p, i, !p.default);
    if (fromSite) return pick(fromSite.value, `call site ${fromSite.where}`);
    if (p.default) {
      if (isLiteral(p.default)) src.chosen[p.name] = { value: literalJson(p.default), source: 'default' };
      return;
    }
    const usual = typical(p.name, src.name);
    if (usual !== undefined) return pick(typeof usual === 'number' ? num(usual, Number.isInteger(usual)) : str(usual), 'typical');
    const fnPath = typicalFunction[src.framework]?.find(([re]) => re.test(p.name))?.[1];
    const fnValue = fnPath && opAt(fnPath) ? ({ t: 'ns', path: fnPath } as Value) : undefined;
    if (fnValue) return pick(fnValue, 'typical');
    if (classMatrixName.test(p.name)) {
      const n = typicalByName.find(([re]) => re.test('num_classes'))![1] as number;
      return pick({ t: 'tensor', v: tf.sub(tf.ones([n, n]), tf.eye(n)) }, 'typical');
    }
    if (src.loss && stage.what === 'argument' && furtherInputName.test(p.name)) {
      derived.push({ index: i, name: p.name, make: ({ prediction, target }) => nextRows(target ?? prediction) });
      values[i] = NONE;
      src.chosen[p.name] = { value: 'the target with its rows shifted by one (each row gets the next row\'s target)', source: 'typical' };
      return;
    }
    const loss = lossArgumentName.test(p.name) ? standardLoss[src.framework] : undefined;
    if (loss) {
      values[i] = callOp(loss, [], new Map(), stage.span, src.ev);
      src.chosen[p.name] = { value: `${loss}()`, source: 'typical' };
      return;
    }
    const directive = src.language === 'python' ? '#' : '//';
    throw new UnsupportedConstruct(
      `needs a value for the ${stage.what} \`${p.name}\` (no default, no call site found): set it with a \`${directive} gradprobe: args ${p.name}=1.0\` comment or in the settings`,
      stage.span,
    );
  });
  if (!stage.positional) {
    const kwargs = new Map<string, Value>();
    params.forEach((p, i) => { if (values[i] !== undefined) kwargs.set(p.name, values[i]!); });
    return { args: [], kwargs, derived };
  }
  // Positional: up to the last chosen value, with the defaults of the parameters in between.
  const last = values.reduce((acc, v, i) => (v !== undefined ? i : acc), -1);
  const args: Value[] = [];
  for (let i = 0; i <= last; i++) args.push(values[i] ?? (params[i].default ? src.ev.expr(params[i].default!, stage.closure) : NONE));
  return { args, kwargs: new Map(), derived };
}

/** Rows shifted by one along the batch axis (the last row gets the first's): another sample of the same layout. */
function nextRows(t: tf.Tensor): tf.Tensor {
  if (t.rank === 0 || t.shape[0] < 2) return t.clone();
  return tf.concat([t.slice(1), t.slice(0, 1)], 0);
}

/** The first call site that passes this parameter a value that can be read without running the caller. */
function atCallSite(src: ArgumentSources, stage: Stage, p: Param, index: number, required: boolean): { value: Value; where: string } | undefined {
  for (const { site, offset, keywordsOnly, configures } of stage.sites) {
    if (!configures && !required) continue;
    const keyword = site.args.find((a) => a.name === p.name);
    let arg: Arg | undefined = keyword;
    if (!arg && !keywordsOnly) {
      const positional = site.args.filter((a) => !a.name);
      // A `*args` before the position hides which parameter each later argument binds.
      if (positional.slice(0, offset + index + 1).some((a) => a.spread)) continue;
      arg = positional[offset + index];
    }
    if (!arg || arg.spread) continue;
    try {
      const scope = src.ev.moduleContext(site.module.doc.path, site.module.ir).scope;
      return { value: src.ev.expr(arg.value, scope), where: site.where };
    } catch (err) {
      // The caller's own variables are not known without running it: look further.
      if (err instanceof ProbeBudgetExceeded) throw err;
    }
  }
  return undefined;
}

/** `# gradprobe: args gamma=2, mode="binary"` on the definition's line, evaluated as keyword arguments. */
function commentArgs(src: ArgumentSources): Map<string, Value> {
  const out = new Map<string, Value>();
  for (const line of src.definitionLines) {
    const comment = src.comments.get(line);
    // `gradprobe: args …`, also after another directive (`gradprobe: activation, args alpha=0.5`).
    const m = comment ? /gradprobe:(?:[^#]*?[\s,])?args\b(.*)$/.exec(comment) : null;
    if (!m) continue;
    const text = m[1].trim();
    const where = `the \`gradprobe: args\` comment on line ${line + 1}`;
    const parsed = parseDocument(documentFromText('gradprobe-args.py', `__args__(${text})\n`));
    const call = parsed.ir.body[0]?.kind === 'expr' ? parsed.ir.body[0].expr : undefined;
    if (parsed.ir.syntaxErrors.length || parsed.ir.body.length !== 1 || !call || call.kind !== 'call' || call.args.some((a) => !a.name)) {
      throw new UnsupportedConstruct(`${where} is not \`name=value, …\``, { startLine: line, startCol: 0, endLine: line, endCol: 0 }, text.slice(0, 60));
    }
    for (const a of call.args) {
      try {
        out.set(a.name!, commentValue(src, a.value));
      } catch (err) {
        if (err instanceof ProbeBudgetExceeded) throw err;
        throw new UnsupportedConstruct(`${where}: the value of ${a.name} cannot be read`, { startLine: line, startCol: 0, endLine: line, endCol: 0 }, err instanceof Error ? err.message : String(err));
      }
    }
    break;
  }
  return out;
}

function commentValue(src: ArgumentSources, e: Expr): Value {
  // JavaScript spellings work in a `//` comment too.
  if (e.kind === 'name' && (e.id === 'true' || e.id === 'false')) return { t: 'bool', v: e.id === 'true' };
  if (e.kind === 'name' && (e.id === 'null' || e.id === 'undefined')) return NONE;
  if (e.kind === 'list' || e.kind === 'tuple') {
    const items = e.items.map((i) => commentValue(src, i));
    return { t: e.kind, items };
  }
  return src.ev.expr(e, src.scope);
}

// ---------------------------------------------------------------- JSON values

/**
 * A JSON value as the parameter uses it: numbers, strings, booleans and null as themselves; a
 * string that names a framework function through the module's imports (`"jnp.sum"`) is that
 * function; an array is a tuple for axes and shapes and where the function iterates it, else a
 * tensor (booleans: a mask; integers the function indexes with: int32); `{"tuple": [...]}` a tuple.
 */
export function fromJson(src: Pick<ArgumentSources, 'ev' | 'scope' | 'users'>, name: string, v: ArgValue): Value {
  if (v === null) return NONE;
  if (typeof v === 'boolean') return { t: 'bool', v };
  if (typeof v === 'number') return num(v, Number.isInteger(v));
  if (typeof v === 'string') return frameworkFunction(src, v) ?? str(v);
  if (Array.isArray(v)) {
    const use = parameterUse(src.users, name);
    if (sequenceName.test(name) || use.sequence || !isRectangular(v)) return { t: 'tuple', items: v.map((x) => fromJson(src, '', x)) };
    return { t: 'tensor', v: tensorOf(v, use.index) };
  }
  if (Object.keys(v).length === 1 && Array.isArray(v.tuple)) return { t: 'tuple', items: v.tuple.map((x) => fromJson(src, '', x)) };
  const map = new Map<string, Value>();
  const keys = new Map<string, Value>();
  for (const [k, x] of Object.entries(v)) { map.set(`s:${k}`, fromJson(src, k, x)); keys.set(`s:${k}`, str(k)); }
  return { t: 'dict', map, keys };
}

/** A nested array of numbers (or of booleans) as a tensor: bool for booleans, int32 for integer indices. */
export function tensorOf(v: ArgValue, integerIndices: boolean): tf.Tensor {
  const leaves = flatLeaves(v);
  if (leaves.length && leaves.every((x) => typeof x === 'boolean')) return tf.tensor(v as never, undefined, 'bool');
  const dtype = integerIndices && leaves.every((x) => typeof x === 'number' && Number.isInteger(x)) ? 'int32' : 'float32';
  return tf.tensor(v as never, undefined, dtype);
}

function flatLeaves(v: ArgValue): ArgValue[] {
  return Array.isArray(v) ? v.flatMap(flatLeaves) : [v];
}

/** Same-length numeric (or boolean) arrays at every level. */
export function isRectangular(v: ArgValue): boolean {
  if (!Array.isArray(v)) return typeof v === 'number' || typeof v === 'boolean';
  if (v.length === 0) return true;
  if (v.every((x) => !Array.isArray(x))) return v.every((x) => typeof x === 'number') || v.every((x) => typeof x === 'boolean');
  if (!v.every(Array.isArray)) return false;
  const len = (v[0] as ArgValue[]).length;
  return v.every((x) => (x as ArgValue[]).length === len && isRectangular(x));
}

function frameworkFunction(src: Pick<ArgumentSources, 'ev' | 'scope'>, text: string): Value | undefined {
  if (!/^[A-Za-z_]\w*(\.[A-Za-z_]\w*)+$/.test(text)) return undefined;
  const [head, ...rest] = text.split('.');
  let value = src.scope.lookup(head);
  if (!value || value.t !== 'ns') return undefined;
  const span: Span = { startLine: 0, startCol: 0, endLine: 0, endCol: 0 };
  for (const part of rest) value = attribute(src.ev, value, part, span);
  return value.t === 'ns' && !opAt(value.path) ? undefined : value;
}

function isLiteral(e: Expr): boolean {
  if (e.kind === 'number' || e.kind === 'string' || e.kind === 'bool' || e.kind === 'none') return true;
  return e.kind === 'unary' && e.op === '-' && e.operand.kind === 'number';
}

function literalJson(e: Expr): unknown {
  switch (e.kind) {
    case 'number': case 'string': case 'bool': return e.value;
    case 'unary': return e.operand.kind === 'number' ? -e.operand.value : null;
    default: return null;
  }
}

/** A value as the report shows it: JSON where it is small, else what it is. */
export function jsonOf(v: Value, depth = 0): unknown {
  switch (v.t) {
    case 'num': return Number.isFinite(v.v) ? v.v : String(v.v);
    case 'str': return v.v;
    case 'bool': return v.v;
    case 'none': return null;
    case 'list': case 'tuple': return depth > 3 || v.items.length > 16 ? `${v.t} of ${v.items.length}` : v.items.map((i) => jsonOf(i, depth + 1));
    case 'tensor': {
      if (v.v.size > 16) return `tensor(${v.v.shape.join('×')})`;
      const data = Array.from(v.v.dataSync());
      return v.v.rank === 0 ? data[0] : v.v.arraySync();
    }
    case 'ns': return v.path;
    case 'instance': return `${v.cls.def.name}()`;
    default: return describe(v);
  }
}

// ---------------------------------------------------------------- how a parameter is used

const indexingCall = /^(one_hot|oneHot|take_along_axis|take|gather|gather_nd|gatherND|index_select|scatter|scatter_add|embedding|nll_loss|bincount|sparse_softmax_cross_entropy_with_logits|sparse_categorical_crossentropy)$/;

/**
 * Whether the definitions iterate a parameter (a sequence) or index with it (integer labels):
 * through `self.attr = name` too.
 */
export function parameterUse(users: FunctionDef[], name: string): { sequence: boolean; index: boolean } {
  const out = { sequence: false, index: false };
  if (!name) return out;
  const aliases = new Set([name]);
  for (const fn of users) for (const s of fn.body) {
    if (s.kind === 'assign' && mentionsAny(s.value, aliases)) for (const t of s.targets) { const d = dottedName(t); if (d) aliases.add(d); }
  }
  const visitExpr = (e: Expr | undefined): void => {
    if (!e) return;
    switch (e.kind) {
      case 'subscript':
        if (mentionsAny(e.index, aliases)) out.index = true;
        visitExpr(e.object); visitExpr(e.index); return;
      case 'call': {
        const callee = dottedName(e.callee) ?? (e.callee.kind === 'attribute' ? e.callee.name : '');
        const last = callee.split('.').pop() ?? '';
        if (indexingCall.test(last) && e.args.some((a) => mentionsAny(a.value, aliases))) out.index = true;
        if (/^(zip|enumerate|len|list|tuple|reversed|sorted|map)$/.test(callee) && e.args.some((a) => isAlias(a.value, aliases))) out.sequence = true;
        visitExpr(e.callee); e.args.forEach((a) => visitExpr(a.value)); return;
      }
      case 'attribute': visitExpr(e.object); return;
      case 'binary': visitExpr(e.left); visitExpr(e.right); return;
      case 'unary': visitExpr(e.operand); return;
      case 'compare': e.operands.forEach(visitExpr); return;
      case 'logical': visitExpr(e.left); visitExpr(e.right); return;
      case 'conditional': visitExpr(e.test); visitExpr(e.then); visitExpr(e.otherwise); return;
      case 'tuple': case 'list': e.items.forEach(visitExpr); return;
      case 'dict': e.entries.forEach((en) => visitExpr(en.value)); return;
      case 'comprehension':
        visitExpr(e.element);
        e.clauses.forEach((c) => { if (isAlias(c.iter, aliases)) out.sequence = true; visitExpr(c.iter); });
        return;
      case 'lambda': e.fn.body.forEach(visitStmt); return;
      default: return;
    }
  };
  const visitStmt = (s: Stmt): void => {
    switch (s.kind) {
      case 'expr': visitExpr(s.expr); return;
      case 'assign': visitExpr(s.value); s.targets.forEach(visitExpr); return;
      case 'augassign': visitExpr(s.value); return;
      case 'return': visitExpr(s.value); return;
      case 'if': visitExpr(s.test); s.body.forEach(visitStmt); s.orelse.forEach(visitStmt); return;
      case 'for': if (isAlias(s.iter, aliases)) out.sequence = true; visitExpr(s.iter); s.body.forEach(visitStmt); return;
      case 'while': visitExpr(s.test); s.body.forEach(visitStmt); return;
      case 'with': s.body.forEach(visitStmt); return;
      case 'try': [...s.body, ...s.handlers.flat(), ...s.finalbody].forEach(visitStmt); return;
      case 'function': s.fn.body.forEach(visitStmt); return;
      default: return;
    }
  };
  for (const fn of users) fn.body.forEach(visitStmt);
  return out;
}

function isAlias(e: Expr, aliases: Set<string>): boolean {
  return aliases.has(dottedName(e) ?? '');
}

/** The expression is an alias, or an alias transformed (`labels.long()`, `labels[..., None]`, `labels - 1`). */
function mentionsAny(e: Expr, aliases: Set<string>): boolean {
  if (isAlias(e, aliases)) return true;
  switch (e.kind) {
    case 'call': return (e.callee.kind === 'attribute' && mentionsAny(e.callee.object, aliases)) || e.args.some((a) => mentionsAny(a.value, aliases));
    case 'subscript': return mentionsAny(e.object, aliases);
    case 'binary': return mentionsAny(e.left, aliases) || mentionsAny(e.right, aliases);
    case 'unary': return mentionsAny(e.operand, aliases);
    case 'tuple': case 'list': return e.items.some((i) => mentionsAny(i, aliases));
    default: return false;
  }
}
