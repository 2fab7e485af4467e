// The core's entry points for the shells (CLI, language server, panel). Never imports vscode.
import * as tf from '@tensorflow/tfjs-core';
import { collectCandidates } from './detect/candidates';
import { detectFunctions, type DetectedFunction, type FunctionKind } from './detect/detect';
import { initEngine, type BackendChoice } from './engine';
import { documentFromText, parseDocument, type ParsedModule } from './parse/document';
import { loadGrammars } from './parse/treeSitter';
import type { ClassDef, Expr, FunctionDef, Stmt } from './ir/ir';
import { dottedName } from './ir/ir';
import { activationValueAndGradient } from './probe/gradients';
import { isRectangular, parameterUse, tensorOf } from './translate/hyperparameters';
import { buildProgram, createEvaluator, type ArgValue, type ChosenArg, type ModuleSource } from './translate/translate';
import { withTensorScope } from './probe/tensorScope';

export interface EvalRequest {
  path: string;
  text: string;
  name: string;
  /** Activation inputs: a number or a (nested) array of numbers, any rank. */
  x?: unknown;
  /** Loss targets; absent for a loss whose target is optional (`l2_loss(predictions, targets=None)`). */
  yTrue?: unknown;
  yPred?: unknown;
  /** Constructor or factory arguments for a class or factory, else keyword arguments of the call (`eval --args`). */
  args?: Record<string, ArgValue>;
  /** The settings' `args` by function name (the config file's), under `args`. */
  settingsArgs?: Record<string, Record<string, ArgValue>>;
  /** Also return the function's own output, unreduced, as `value`. */
  perElement?: boolean;
  backend?: BackendChoice;
  /** Other workspace modules (imports); defaults to none. */
  load?: ModuleSource['load'];
}

export type JsonNumber = number | 'NaN' | 'Infinity' | '-Infinity';
export type Nested = JsonNumber | Nested[];

/** `y` and `dy` have the shape of `x` (an array of any rank). */
export interface ActivationEval { y: Nested[]; dy: Nested[]; value?: Nested[]; args?: Record<string, ChosenArg> }
export interface LossEval { loss: JsonNumber; grad: Nested; mapping: string; value?: Nested; args?: Record<string, ChosenArg> }

export class EvalError extends Error {}

/**
 * The inputs given are for the other kind of function: a loss's (y_true, y_pred) for an activation,
 * or an activation's x for a loss. Evaluating anyway would return a number that means nothing.
 */
export class KindMismatch extends EvalError {
  constructor(readonly functionName: string, readonly actual: FunctionKind, readonly requested: FunctionKind, readonly why: string) {
    super(`${functionName} is ${actual === 'activation' ? 'an activation' : 'a loss'} (${why}), not ${requested === 'activation' ? 'an activation' : 'a loss'}`);
  }
}

export function jsonNumber(v: number): JsonNumber {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return 'Infinity';
  if (v === -Infinity) return '-Infinity';
  return v;
}

export function nestedOf(t: tf.Tensor): Nested {
  const data = Array.from(t.dataSync()).map(jsonNumber);
  if (t.rank === 0) return data[0];
  const build = (offset: number, dim: number): Nested[] => {
    const size = t.shape[dim];
    const stride = t.shape.slice(dim + 1).reduce((a, b) => a * b, 1);
    return Array.from({ length: size }, (_, i) => (dim === t.rank - 1 ? data[offset + i] : build(offset + i * stride, dim + 1)));
  };
  return build(0, 0);
}

export const defaultBudget = () => ({ maxSteps: 2_000_000, deadline: Date.now() + 10_000, maxElements: 10_000_000 });

/** Finds NAME (or NAME@LINE, 1-based) among a module's definitions. */
export function findTarget(module: ParsedModule, name: string, kind: FunctionKind): DetectedFunction | undefined {
  const candidates = collectCandidates(module);
  const at = /^(.*)@(\d+)$/.exec(name);
  const exact = candidates.filter((c) => c.name === name);
  const wanted = at ? at[1] : name;
  const line = at ? Number(at[2]) - 1 : undefined;
  const matches = exact.length ? exact : candidates.filter((c) => c.name === wanted && (line === undefined || c.nameSpan.startLine === line || c.span.startLine === line));
  const c = matches[matches.length - 1];
  if (!c) return inheritingClass(module, wanted, kind);
  return {
    name: c.name, kind, framework: module.framework, module, shape: c.shape, def: c.def, cls: c.cls, inner: c.inner,
    span: c.span, nameSpan: c.nameSpan, detectedBy: [], inputs: kind === 'activation' ? c.inputs.slice(0, 1) : c.inputs.slice(0, 2), customGradient: c.customGradient,
  };
}

/**
 * A class that defines no call of its own but inherits one: from a base class in the same module
 * (`class DiceLoss(_BaseLoss)` whose base has `forward`), or from Keras's `LossFunctionWrapper`, whose
 * call is the function its constructor hands to `super().__init__(fn, …)`.
 */
function inheritingClass(module: ParsedModule, name: string, kind: FunctionKind): DetectedFunction | undefined {
  const classes = new Map<string, ClassDef>();
  const functions = new Map<string, FunctionDef>();
  for (const s of module.ir.body) {
    if (s.kind === 'class') classes.set(s.cls.name, s.cls);
    else if (s.kind === 'function') functions.set(s.fn.name, s.fn);
  }
  const cls = classes.get(name);
  if (!cls) return undefined;
  const js = module.ir.language === 'javascript';
  let inputs: string[] | undefined;
  const seen = new Set<string>();
  for (let c: ClassDef | undefined = cls; c && !seen.has(c.name) && !inputs; ) {
    seen.add(c.name);
    const method = c.body.find((s): s is Extract<Stmt, { kind: 'function' }> => s.kind === 'function' && ['forward', 'call', '__call__'].includes(s.fn.name));
    if (method) inputs = method.fn.params.filter((p) => p.kind === 'normal').slice(js ? 0 : 1).map((p) => p.name);
    const wrapped = wrappedFunction(c);
    if (!inputs && wrapped && functions.has(wrapped)) inputs = functions.get(wrapped)!.params.filter((p) => p.kind === 'normal').map((p) => p.name);
    const base: Expr | undefined = c.bases.find((b) => b.kind === 'name' && classes.has(b.id));
    c = base && base.kind === 'name' ? classes.get(base.id) : undefined;
  }
  if (!inputs) return undefined;
  return {
    name, kind, framework: module.framework, module, shape: 'class', cls, span: cls.span, nameSpan: cls.nameSpan, detectedBy: [],
    inputs: kind === 'activation' ? inputs.slice(0, 1) : inputs.slice(0, 2), customGradient: false,
  };
}

/** `super().__init__(fn, …)` in a `LossFunctionWrapper` subclass's constructor: the wrapped function's name. */
function wrappedFunction(cls: ClassDef): string | undefined {
  if (!cls.bases.some((b) => /(^|\.)LossFunctionWrapper$/.test(dottedName(b) ?? ''))) return undefined;
  const init = cls.body.find((s): s is Extract<Stmt, { kind: 'function' }> => s.kind === 'function' && s.fn.name === '__init__');
  for (const s of init?.fn.body ?? []) {
    if (s.kind !== 'expr' || s.expr.kind !== 'call' || s.expr.callee.kind !== 'attribute' || s.expr.callee.name !== '__init__') continue;
    const fn = s.expr.args.find((a) => a.name === 'fn') ?? s.expr.args.find((a) => !a.name);
    if (fn?.value.kind === 'name') return fn.value.id;
  }
  return undefined;
}

/** Refuses inputs of the wrong kind: detection's verdict first, else the number of inputs. */
function checkKind(module: ParsedModule, target: DetectedFunction, kind: FunctionKind): void {
  const detected = detectFunctions([module]).find((d) => d.name === target.name && d.span.startLine === target.span.startLine);
  if (detected && detected.kind !== kind) {
    const why = detected.detectedBy.length ? `detected by ${detected.detectedBy.slice(0, 2).join(', ')}` : 'as detected';
    throw new KindMismatch(target.name, detected.kind, kind, why);
  }
  const candidate = collectCandidates(module).find((c) => c.name === target.name && c.span.startLine === target.span.startLine);
  if (!detected && kind === 'loss' && candidate && candidate.inputs.length < 2) {
    throw new KindMismatch(target.name, 'activation', kind, `it takes one input, ${candidate.inputs[0] ?? 'x'}`);
  }
}

/** Numbers, booleans and (nested) arrays of them; anything else is refused with the flag's name. */
function inputTensor(what: string, v: unknown, integerIndices = false): tf.Tensor {
  if (!isRectangular(v as ArgValue) || flatCount(v) === 0) throw new EvalError(`${what} must be a number or a (nested, rectangular) array of numbers`);
  return tensorOf(v as ArgValue, integerIndices);
}

function flatCount(v: unknown): number {
  return Array.isArray(v) ? v.reduce((n: number, x) => n + flatCount(x), 0) : 1;
}

/** Integer-valued targets stay integers where the function indexes with them, or where they have fewer axes than the prediction (class ids). */
function targetTensor(target: DetectedFunction, name: string | undefined, yTrue: unknown, yPred: tf.Tensor): tf.Tensor {
  const integers = flatCount(yTrue) > 0 && (Array.isArray(yTrue) ? (yTrue as unknown[]).flat(Infinity) : [yTrue]).every((x) => typeof x === 'number' && Number.isInteger(x));
  const rank = (v: unknown): number => (Array.isArray(v) ? 1 + (v.length ? rank(v[0]) : 0) : 0);
  const users = [target.def, target.inner, ...(target.cls?.body ?? []).flatMap((s) => (s.kind === 'function' ? [s.fn] : []))].filter((f): f is FunctionDef => !!f);
  const indexes = integers && (rank(yTrue) < yPred.rank || (!!name && parameterUse(users, name).index));
  return inputTensor('--y-true', yTrue, indexes);
}

/** A loss called with its prediction alone needs a default for its target parameter. */
function checkOptionalTarget(target: DetectedFunction, args: EvalRequest['args']): void {
  // The prediction alone is passed first, whatever the mapping: the parameter left out is the second.
  const targetName = target.inputs[1];
  if (target.inputs.length < 2 || !targetName || (args && Object.hasOwn(args, targetName))) return;
  const defs = [target.inner, target.def].filter((f): f is FunctionDef => !!f);
  const param = defs.flatMap((d) => d.params).find((p) => p.name === targetName);
  if (param && !param.default) throw new EvalError(`${target.name} needs --y-true: its parameter '${targetName}' has no default`);
}

export async function evaluateFunction(req: EvalRequest): Promise<ActivationEval | LossEval> {
  await Promise.all([loadGrammars([req.path]), initEngine(req.backend ?? 'auto')]);
  const module = parseDocument(documentFromText(req.path, req.text));
  const kind: FunctionKind = req.x !== undefined ? 'activation' : 'loss';
  const target = findTarget(module, req.name, kind);
  if (!target) throw new EvalError(`no function, class or constant named '${req.name}' in ${req.path}`);
  checkKind(module, target, kind);
  const ev = createEvaluator({ modules: [module], load: req.load }, defaultBudget());
  // The result holds plain numbers only; every tensor made here is released, kept ones included.
  return withTensorScope(() => evaluateTarget(req, target, kind, ev));
}

function evaluateTarget(req: EvalRequest, target: DetectedFunction, kind: FunctionKind, ev: ReturnType<typeof createEvaluator>): ActivationEval | LossEval {
  {
    if (kind === 'loss' && req.yTrue === undefined) checkOptionalTarget(target, req.args);
    const program = buildProgram(target, ev, { args: req.args, settingsArgs: req.settingsArgs, workspace: [target.module], predictionOnly: kind === 'loss' && req.yTrue === undefined });
    const args = Object.keys(program.args).length ? { args: program.args } : {};
    if (kind === 'activation') {
      if (!Array.isArray(req.x)) throw new EvalError('--x must be a (nested) array of numbers');
      const x = inputTensor('--x', req.x);
      const { value, grad } = activationValueAndGradient(program, x);
      const y = nestedOf(value) as Nested[];
      return { y, dy: nestedOf(grad) as Nested[], ...(req.perElement ? { value: y } : {}), ...args };
    }
    const yPred = inputTensor('--y-pred', req.yPred);
    const predIndex = program.mapping?.predIndex ?? 1;
    let yTrue: tf.Tensor | undefined;
    if (req.yTrue !== undefined) yTrue = targetTensor(target, target.inputs[1 - predIndex], req.yTrue, yPred);
    let raw: tf.Tensor | undefined;
    const { value, grads } = tf.engine().gradients(() => {
      raw = tf.keep(program.run(yTrue ? [yTrue, yPred] : [yPred]));
      const r = raw.dtype === 'float32' ? raw : tf.cast(raw, 'float32');
      return r.rank === 0 ? r : tf.mean(r);
    }, [yPred], undefined, true);
    const grad = grads[0] ?? tf.zerosLike(yPred);
    return {
      loss: jsonNumber(value.dataSync()[0]), grad: nestedOf(grad), mapping: program.mapping!.label,
      ...(req.perElement && raw ? { value: nestedOf(raw) } : {}), ...args,
    };
  }
}
