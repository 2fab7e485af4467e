// Builds a callable TensorFlow.js program for a detected function: the function itself, a factory
// called with its arguments, or a class built and called through forward/call/apply. The arguments
// beyond the inputs are chosen in `hyperparameters.ts` (given, comment, settings, call site,
// default, typical); which input is a loss's prediction in `argumentOrder.ts`.
import type * as tf from '@tensorflow/tfjs-core';
import { callSitesOf, type CallSite } from '../detect/callSites';
import type { DetectedFunction } from '../detect/detect';
import { moduleMatches } from '../detect/detect';
import type { ParsedModule } from '../parse/document';
import { UnsupportedConstruct } from '../ir/errors';
import type { FunctionDef } from '../ir/ir';
import { NONE, type Value } from '../ir/values';
import type { OpContext } from '../ops/interpreter';
import { decideMapping, type LossMapping } from './argumentOrder';
import { attribute } from './attributes';
import { classAttribute, frameworkBases, instantiate, userCallMethod } from './classes';
import { Evaluator, type Budget } from './evaluator';
import { makeFunction } from './functions';
import { chooseArguments, type ArgValue, type ArgumentSources, type ChosenArg, type InputDerived, type Stage } from './hyperparameters';
import type { EvaluationNotes } from './notes';
import type { ModuleContext, Scope } from './scope';

export type { ArgValue, ChosenArg } from './hyperparameters';

export interface ModuleSource {
  /** Modules already parsed (the files being analysed). */
  modules: ParsedModule[];
  /** Loads another workspace module an import names, relative to the importing file; undefined if none. */
  load?: (module: string, fromPath: string) => ParsedModule | undefined;
}

export type { LossMapping } from './argumentOrder';

export interface Program {
  target: DetectedFunction;
  mapping?: LossMapping;
  /** The arguments chosen for the constructor, factory and the call's parameters beyond its inputs, and where each came from. */
  args: Record<string, ChosenArg>;
  /**
   * Further tensor inputs of a loss made from the probe's own inputs at each call (a triplet's
   * `negatives`): the loss also depends on them, so its minimum need not be at prediction == target.
   */
  derivedInputs: string[];
  /**
   * Runs the function: an activation f(x); a loss with (yTrue, yPred) placed as the function
   * expects, or with the prediction alone (`[yPred]`) for a loss whose target is optional.
   */
  run(inputs: tf.Tensor[]): tf.Tensor;
  /**
   * What run() calls (the function, a factory's returned closure, the built instance) and the
   * evaluator it runs in: the loss probe reads the body as it runs with them (a condition on a
   * parameter or an attribute evaluated, a helper in another file resolved), never the inputs.
   */
  readonly callable: Value;
  readonly evaluator: Evaluator;
  /** What the runs met that the report should say: data-dependent branches, skipped validation calls. */
  notes: EvaluationNotes;
}

export interface BuildOptions {
  /** Values given outright (`eval --args`): for the constructor or factory, else the call's keyword arguments. */
  args?: Record<string, ArgValue>;
  /** The settings' `args` (by function name). */
  settingsArgs?: Record<string, Record<string, ArgValue>>;
  /** The workspace searched for call sites and framework calls (defaults to the function's own module). */
  workspace?: readonly ParsedModule[];
  /** A loss run with its prediction alone (`eval` without --y-true): the parameters after it are chosen as arguments. */
  predictionOnly?: boolean;
}

/** The loss mapping from the names and the framework's convention alone (no workspace). */
export function lossMapping(target: DetectedFunction): LossMapping {
  return decideMapping({ inputs: target.inputs, framework: target.framework, calls: [] });
}

export function createEvaluator(source: ModuleSource, budget: Budget, ctx?: Partial<OpContext>): Evaluator {
  const ev: Evaluator = new Evaluator(budget, (module, name, fromPath) => {
    const found = source.modules.find((m) => m.doc.path !== fromPath && moduleMatches(module, m.doc.path) && sameTree(fromPath, m.doc.path, module))
      ?? source.load?.(module, fromPath);
    if (!found) return undefined;
    const ctxModule = ev.moduleContext(found.doc.path, found.ir);
    if (!name) return { t: 'module', name: module, scope: ctxModule.scope, fromPath };
    const v = ctxModule.scope.lookup(name);
    return v;
  }, ctx);
  return ev;
}

function sameTree(fromPath: string, candidate: string, module: string): boolean {
  if (!module.startsWith('.')) return true;
  const dir = (p: string) => p.replace(/\\/g, '/').split('/').slice(0, -1).join('/');
  const ups = (/^\.+/.exec(module)?.[0].length ?? 1) - 1;
  let base = dir(fromPath);
  for (let i = 0; i < ups; i++) base = base.split('/').slice(0, -1).join('/');
  return base === '' || candidate.replace(/\\/g, '/').startsWith(`${base}/`);
}

function contextOf(ev: Evaluator, m: ParsedModule): ModuleContext {
  return ev.moduleContext(m.doc.path, m.ir);
}

/** The callable value for a detected function, inside an evaluator. */
export function buildProgram(target: DetectedFunction, ev: Evaluator, options: BuildOptions = {}): Program {
  ev.ctx.framework = target.framework;
  const mod = contextOf(ev, target.module);
  const workspace = options.workspace ?? [target.module];
  const bound = mod.scope.lookup(target.name);
  const constructs = target.shape === 'class' || target.shape === 'factory';
  const calls = callSitesOf({ name: target.name, module: target.module, constructs }, workspace);
  const sources: ArgumentSources = {
    ev, scope: mod.scope, framework: target.framework, name: target.name, language: target.module.ir.language,
    definitionLines: [...new Set([target.nameSpan.startLine, target.span.startLine])], comments: target.module.ir.comments,
    explicit: options.args, settings: options.settingsArgs?.[target.name], chosen: {}, users: usersOf(target), loss: target.kind === 'loss',
  };
  const nInputs = target.kind === 'activation' || options.predictionOnly ? 1 : Math.max(1, Math.min(2, target.inputs.length));
  const sitesOf = (hows: CallSite['how'][], offset: number): Stage['sites'] => calls.sites.filter((s) => hows.includes(s.how)).map((site) => ({ site, offset, keywordsOnly: site.how === 'partial' && offset > 0, configures: true }));
  // Sites that call the loss with its inputs: the argument order is read there.
  let inputSites: CallSite[] = [];
  let frameworkCaller = calls.framework;
  let callable: Value;
  let inner: { def: FunctionDef; closure: Scope; skip: number; positional: boolean } | undefined;
  switch (target.shape) {
    case 'function':
    case 'constant':
    case 'lambda': {
      if (target.shape === 'lambda') {
        if (!target.def) throw new UnsupportedConstruct('lambda', target.nameSpan);
        callable = makeFunction(target.def, mod.scope);
      } else if (bound && bound.t === 'func' && bound.def.span.startLine !== target.span.startLine && target.def) callable = makeFunction(target.def, mod.scope);
      else if (bound) callable = bound;
      else throw new UnsupportedConstruct(`definition of ${target.name}`, target.nameSpan);
      inputSites = calls.sites.filter((s) => s.how === 'construct' || s.how === 'instance' || s.how === 'partial');
      if (callable.t === 'func') inner = { def: callable.def, closure: callable.closure as Scope, skip: 0, positional: isJs(target) };
      break;
    }
    case 'factory': {
      if (!bound) throw new UnsupportedConstruct(`definition of ${target.name}`, target.nameSpan);
      const [args, kwargs] = bound.t === 'func'
        ? stageArguments(sources, { what: 'factory argument', params: bound.def.params, closure: bound.closure as Scope, positional: isJs(target), sites: sitesOf(['construct', 'partial'], 0), span: target.nameSpan })
        : callSiteArguments(target, ev);
      callable = ev.callValue(bound, args, kwargs, target.span);
      inputSites = calls.sites.filter((s) => s.how === 'instance');
      if (callable.t === 'func') inner = { def: callable.def, closure: callable.closure as Scope, skip: 0, positional: isJs(target) };
      break;
    }
    case 'class': {
      if (!bound || bound.t !== 'class') throw new UnsupportedConstruct(`class ${target.name}`, target.nameSpan);
      const bases = frameworkBases(bound);
      const isAutograd = bases.some((b) => /autograd\.Function$/.test(b));
      if (bases.some((b) => /(^|\.)(losses\.Loss|LossFunctionWrapper)$/.test(b)) && !frameworkCaller) frameworkCaller = { framework: 'keras', how: `${target.name} is a keras.losses.Loss` };
      if (isAutograd) {
        callable = attribute(ev, bound, 'apply', target.nameSpan);
        inputSites = calls.sites.filter((s) => s.how === 'apply');
        const forward = classAttribute(bound, 'forward');
        if (forward && forward.t === 'func') inner = { def: forward.def, closure: forward.closure as Scope, skip: 1, positional: true };
      } else {
        const init = classAttribute(bound, '__init__') ?? classAttribute(bound, 'constructor');
        const [args, kwargs] = init && init.t === 'func'
          ? stageArguments(sources, { what: 'constructor argument', params: isJs(target) ? init.def.params : init.def.params.slice(1), closure: init.closure as Scope, positional: isJs(target), sites: sitesOf(['construct', 'partial'], 0), span: target.nameSpan })
          : callSiteArguments(target, ev);
        callable = instantiate(ev, bound, args, kwargs, target.span);
        inputSites = calls.sites.filter((s) => s.how === 'instance');
        const method = callable.t === 'instance' ? userCallMethod(callable) : undefined;
        if (method) inner = { def: method.def, closure: method.closure as Scope, skip: isJs(target) ? 0 : 1, positional: isJs(target) };
      }
      break;
    }
  }
  // The call's own parameters beyond its inputs (`focal(logits, labels, gamma)`, `forward(self, x, y, weight)`).
  let extra: { args: Value[]; kwargs: Map<string, Value>; derived: InputDerived[] } = { args: [], kwargs: new Map(), derived: [] };
  if (inner) {
    const params = inner.def.params.filter((p) => p.kind === 'normal').slice(inner.skip + nInputs);
    const stage: Stage = { what: 'argument', params, closure: inner.closure, positional: inner.positional, sites: inputSites.map((site) => ({ site, offset: nInputs, keywordsOnly: site.how === 'partial', configures: site.how === 'partial' })), span: target.nameSpan };
    if (params.length) extra = chooseArguments(sources, stage);
  }
  const mapping = target.kind === 'loss' ? decideMapping({ inputs: target.inputs, framework: target.framework, caller: frameworkCaller, calls: inputSites.filter((s) => s.how !== 'partial') }) : undefined;
  const program: Program = {
    target,
    mapping,
    args: sources.chosen,
    derivedInputs: extra.derived.map((d) => d.name),
    callable,
    evaluator: ev,
    notes: ev.notes,
    run(inputs: tf.Tensor[]): tf.Tensor {
      const args = inputs.map((t) => ({ t: 'tensor', v: ev.ctx.finish(t) }) as Value);
      const ordered = args.length === 1 ? args : mapping && mapping.predIndex === 0 ? [args[1], args[0]] : args;
      let extraArgs = extra.args;
      let extraKwargs = extra.kwargs;
      if (extra.derived.length) {
        // The inputs come as (target, prediction), or the prediction alone.
        const tensorAt = (i: number): tf.Tensor => (args[i] as Extract<Value, { t: 'tensor' }>).v;
        const made = { prediction: tensorAt(args.length - 1), target: args.length > 1 ? tensorAt(0) : undefined };
        extraArgs = [...extraArgs];
        extraKwargs = new Map(extraKwargs);
        for (const d of extra.derived) {
          const value: Value = { t: 'tensor', v: d.make(made) };
          if (inner?.positional) extraArgs[d.index] = value;
          else extraKwargs.set(d.name, value);
        }
      }
      const out = ev.callValue(callable, [...ordered, ...padded(extraArgs, ordered.length, nInputs)], extraKwargs, target.nameSpan);
      return ev.tensor(out.t === 'tuple' || out.t === 'list' ? out.items[0] : out, target.nameSpan);
    },
  };
  return program;
}

/**
 * Positional extras follow all the inputs; with fewer inputs given (a loss's prediction alone), the
 * skipped one is None, as a caller leaving an optional target out.
 */
function padded(extra: Value[], given: number, expected: number): Value[] {
  if (!extra.length || given >= expected) return extra;
  return [...Array.from({ length: expected - given }, () => NONE), ...extra];
}

function isJs(target: DetectedFunction): boolean {
  return target.module.ir.language === 'javascript';
}

function stageArguments(sources: ArgumentSources, stage: Stage): [Value[], Map<string, Value>] {
  const { args, kwargs } = chooseArguments(sources, stage);
  return [args, kwargs];
}

/** The definitions that read the parameters: the function, the factory and its inner function, the class's methods. */
function usersOf(target: DetectedFunction): FunctionDef[] {
  const out: FunctionDef[] = [];
  if (target.def) out.push(target.def);
  if (target.inner && target.inner !== target.def) out.push(target.inner);
  if (target.cls) for (const s of target.cls.body) if (s.kind === 'function') out.push(s.fn);
  return out;
}

/** The detected call site's arguments (a constructor the class does not define), when they evaluate without the caller's locals. */
function callSiteArguments(target: DetectedFunction, ev: Evaluator): [Value[], Map<string, Value>] {
  const site = target.callSite;
  if (!site) return [[], new Map()];
  try {
    const scope = contextOf(ev, site.module).scope;
    const { args, kwargs } = ev.evalArgs(site.args, scope);
    return [args, kwargs];
  } catch {
    return [[], new Map()];
  }
}
