// Builds a callable TensorFlow.js program for a detected function: the function itself, a
// factory called with its call-site (or default) arguments, or a class built and called through
// forward/call/apply. Loss arguments are mapped by framework and parameter names.
import type * as tf from '@tensorflow/tfjs-core';
import type { DetectedFunction } from '../detect/detect';
import { moduleMatches } from '../detect/detect';
import type { ParsedModule } from '../parse/document';
import { UnsupportedConstruct } from '../ir/errors';
import { attribute } from './attributes';
import { frameworkBases, instantiate } from './classes';
import { Evaluator, type Budget } from './evaluator';
import { makeFunction } from './functions';
import type { EvaluationNotes } from './notes';
import type { ModuleContext } from './scope';
import type { OpContext } from '../ops/interpreter';
import type { Value } from '../ir/values';

export interface ModuleSource {
  /** Modules already parsed (the files being analysed). */
  modules: ParsedModule[];
  /** Loads another workspace module an import names, relative to the importing file; undefined if none. */
  load?: (module: string, fromPath: string) => ParsedModule | undefined;
}

export interface LossMapping {
  /** Index of the prediction among the two inputs. */
  predIndex: 0 | 1;
  label: string;
}

export interface Program {
  target: DetectedFunction;
  mapping?: LossMapping;
  /** Runs the function: activation f(x); loss with (yTrue, yPred) placed as the function expects. */
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

const targetFirst = /^(y_?true|yTrue|y|target|targets|labels?|gt|ground_truth|true)$/i;
const predFirst = /^(input|inputs|pred|preds|prediction|predictions|output|outputs|logits|y_?pred|yPred|y_hat|yhat|probs|scores|x)$/i;

export function lossMapping(target: DetectedFunction): LossMapping {
  const [a, b] = target.inputs;
  const label = (fw: string): string => `${fw}: (${a ?? '?'}, ${b ?? '?'})`;
  const fwLabel = target.framework === 'tensorflow' ? 'keras' : target.framework;
  if (a && targetFirst.test(a) && (!b || !targetFirst.test(b))) return { predIndex: 1, label: label(fwLabel) };
  if (a && predFirst.test(a) && (!b || !predFirst.test(b) || targetFirst.test(b))) return { predIndex: 0, label: label(fwLabel) };
  // Unknown names: the framework's calling convention decides.
  if (target.framework === 'pytorch' || target.framework === 'jax') return { predIndex: 0, label: label(fwLabel) };
  return { predIndex: 1, label: label(fwLabel) };
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
export function buildProgram(target: DetectedFunction, ev: Evaluator): Program {
  ev.ctx.framework = target.framework;
  const mod = contextOf(ev, target.module);
  let callable: Value;
  const bound = mod.scope.lookup(target.name);
  switch (target.shape) {
    case 'function':
    case 'constant': {
      if (bound && bound.t === 'func' && bound.def.span.startLine !== target.span.startLine && target.def) callable = makeFunction(target.def, mod.scope);
      else if (bound) callable = bound;
      else throw new UnsupportedConstruct(`definition of ${target.name}`, target.nameSpan);
      break;
    }
    case 'lambda': {
      if (!target.def) throw new UnsupportedConstruct('lambda', target.nameSpan);
      callable = makeFunction(target.def, mod.scope);
      break;
    }
    case 'factory': {
      if (!bound) throw new UnsupportedConstruct(`definition of ${target.name}`, target.nameSpan);
      callable = ev.callValue(bound, ...callSiteArguments(target, ev), target.span);
      break;
    }
    case 'class': {
      if (!bound || bound.t !== 'class') throw new UnsupportedConstruct(`class ${target.name}`, target.nameSpan);
      const isAutograd = frameworkBases(bound).some((b) => /autograd\.Function$/.test(b));
      if (isAutograd) callable = attribute(ev, bound, 'apply', target.nameSpan);
      else callable = instantiate(ev, bound, ...callSiteArguments(target, ev), target.span);
      break;
    }
  }
  const mapping = target.kind === 'loss' ? lossMapping(target) : undefined;
  const program: Program = {
    target,
    mapping,
    callable,
    evaluator: ev,
    notes: ev.notes,
    run(inputs: tf.Tensor[]): tf.Tensor {
      const args = inputs.map((t) => ({ t: 'tensor', v: ev.ctx.finish(t) }) as Value);
      const ordered = mapping && mapping.predIndex === 0 ? [args[1], args[0]] : args;
      const out = ev.callValue(callable, ordered, new Map(), target.nameSpan);
      return ev.tensor(out.t === 'tuple' || out.t === 'list' ? out.items[0] : out, target.nameSpan);
    },
  };
  return program;
}

/** Arguments at the call site, when they can be evaluated without the caller's locals; else the defaults. */
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
