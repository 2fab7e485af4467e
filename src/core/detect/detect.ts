// Finds custom activation and loss functions. How the signals combine (ARCHITECTURE.md says the same):
//   1. A `gradprobe: activation|loss|skip` comment on the definition line decides outright.
//   2. Not listed, whatever else holds: definitions in a module written for a framework GradProbe
//      does not translate; private helpers of listed definitions and kernels of custom gradients;
//      definitions whose first input is not a tensor or whose body computes nothing (TF.js: calls
//      no TF.js op).
//   3. A use decides: passed as `activation=`, `Activation(f)`, `Lambda(f)`, into a parameter that
//      takes an activation, or registered under an activation key/variable → activation; passed as
//      `loss=` / `compile(loss=)`, assigned to `criterion`/`loss_fn`, registered under a loss key,
//      or returned by a loss class as its loss → loss. Uses in other files count where that file
//      imports the name.
//   4. A metric use (`metrics=[...]`) or a metric-like name (score, metric, accuracy, iou, f1…)
//      without "loss" vetoes "loss" — unless a loss class returns it as its loss.
//   5. Without a use, the definition's own shape decides: loss base classes (through workspace
//      base classes), a class named …Loss, loss signatures `(y_true, y_pred)`, `(input, target)`,
//      `(logits, labels)`, `(pred, target)`, a loss name or docstring with two tensor inputs.
//   6. One tensor input (knobs such as `alpha`, `t` aside) is an activation only with a use, a
//      registration, a custom gradient, a name or docstring that says activation, or a module whose
//      path says activations. Classes that build layers are models unless their input still enters
//      their output elementwise; a body that only reshapes is plumbing.
//   7. Compiled aliases (`f_jit = torch.jit.script(f)`) and *args forwarders are listed as what
//      they wrap.
import type { ParsedModule } from '../parse/document';
import type { Framework } from '../ir/frameworks';
import type { Arg, ClassDef, FunctionDef, Span } from '../ir/ir';
import { AnalysisBudgetExceeded } from '../ir/errors';
import { isPlumbing, returnsTuple } from './bodies';
import { collectCandidates, type Candidate } from './candidates';
import { Workspace } from './imports';
import { moduleContext, type ModuleContext } from './moduleContext';
import { activationName, lossClassName, lossName, lossSignature } from './parameterRoles';
import { collectUses, usesOf, type Reference, type Use } from './uses';
import {
  definitionKey, isCustomGradientKernel, isModelForActivation, isPrivateHelper, metricReading, notTensorCode, readInputs,
  roleUses, workspaceResolver, type DefinitionKey, type InputReading, type Resolver,
} from './vetoes';

// The evaluator resolves workspace imports with the same matching as detection.
export { moduleMatches } from './imports';

export type FunctionKind = 'activation' | 'loss';

export interface DetectedFunction {
  name: string;
  kind: FunctionKind;
  framework: Framework;
  module: ParsedModule;
  shape: 'function' | 'class' | 'factory' | 'constant' | 'lambda';
  def?: FunctionDef;
  cls?: ClassDef;
  /** The callable to probe inside a factory or class (inner function, forward/call). */
  inner?: FunctionDef;
  span: Span;
  nameSpan: Span;
  detectedBy: string[];
  /** Arguments found at a call site of a factory or constructor, with the module they are written in. */
  callSite?: { args: Arg[]; module: ParsedModule };
  /** Input parameters of the probed callable (without self/ctx). */
  inputs: string[];
  /** It defines its own gradient (custom_vjp, tf.custom_gradient, autograd.Function.backward, tf.customGrad). */
  customGradient: boolean;
}

export interface DetectOptions {
  /** Uses from files not being reported (the rest of the workspace) still count. */
  context?: ParsedModule[];
  /**
   * The run's budget, asked between modules and between definitions; when it answers true,
   * `AnalysisBudgetExceeded` is thrown (a file of thousands of definitions ends at the budget).
   */
  stop?: () => boolean;
}

interface Weighed {
  c: Candidate;
  context: ModuleContext;
  uses: Use[];
  references: Reference[];
  inputs: InputReading;
  resolve: Resolver;
  found?: DetectedFunction;
}

export function detectFunctions(modules: ParsedModule[], options: DetectOptions = {}): DetectedFunction[] {
  const reported = new Set(modules.map((m) => m.doc.path));
  const workspace = new Workspace([...modules, ...(options.context ?? []).filter((c) => !reported.has(c.doc.path))]);
  const index = collectUses(workspace);
  const resolve = workspaceResolver(workspace);
  const weighed: Weighed[] = [];
  const stop = options.stop;
  const check = (done: number, total: number, what: string): void => {
    if (stop?.()) throw new AnalysisBudgetExceeded('detect', `after ${done} of ${total} ${what}`);
  };
  for (const [m, module] of modules.entries()) {
    check(m, modules.length, 'files');
    const context = moduleContext(module);
    for (const c of collectCandidates(module, workspace)) {
      const { uses, references } = usesOf(c.name, module, index);
      weighed.push({ c, context, uses, references, inputs: readInputs(c), resolve });
    }
  }
  for (const [i, w] of weighed.entries()) {
    check(i, weighed.length, 'definitions');
    w.found = decide(w);
  }
  dropHelpers(weighed);
  for (const w of weighed) if (w.c.aliasOf || w.c.forwardsTo) w.found = derived(w, weighed);
  return weighed.flatMap((w) => (w.found ? [w.found] : []));
}

/** Private helpers and custom-gradient kernels are listed through what uses them, not on their own. */
function dropHelpers(weighed: Weighed[]): void {
  const customGradient = new Set<DefinitionKey>(weighed.filter((w) => w.c.customGradient || w.c.frameworkBases.some((b) => /autograd\.Function$/.test(b))).map((w) => definitionKey(w.c.module.doc.path, w.c.name)));
  const listed = new Set<DefinitionKey>(weighed.filter((w) => w.found).map((w) => definitionKey(w.c.module.doc.path, w.c.name)));
  // Helpers of helpers (`_lovasz_hinge_flat` of `_lovasz_hinge` of `LovaszLoss`) stay in `listed`
  // so the chain resolves in one pass; they are dropped from the output together.
  for (const w of weighed) {
    if (!w.found || directive(w.c)) continue;
    if (isPrivateHelper(w.c, w.context, w.uses, w.references, listed) || isCustomGradientKernel(w.c, w.uses, w.references, customGradient)) w.found = undefined;
  }
}

function directive(c: Candidate): string | undefined {
  const comment = c.module.ir.comments.get(c.nameSpan.startLine) ?? c.module.ir.comments.get(c.span.startLine);
  const m = comment ? /gradprobe:\s*(activation|loss|skip)\b/.exec(comment) : null;
  return m?.[1];
}

function positionalCount(args: Arg[]): number {
  return args.some((a) => a.spread === 'args' || a.value.kind === 'starred') ? Infinity : args.filter((a) => !a.name && !a.spread).length;
}

function decide(w: Weighed): DetectedFunction | undefined {
  const { c, context, uses, inputs } = w;
  const override = directive(c);
  if (override === 'skip') return undefined;
  const evidence = new Set<string>(c.signals);
  const result = (kind: FunctionKind): DetectedFunction => ({
    name: c.name, kind, framework: c.module.framework, module: c.module, shape: c.shape, def: c.def, cls: c.cls, inner: c.inner,
    span: c.span, nameSpan: c.nameSpan, detectedBy: [...evidence], inputs: kind === 'activation' ? c.inputs.slice(0, 1) : c.inputs.slice(0, 2),
    callSite: callSiteOf(uses, c), customGradient: c.customGradient,
  });
  if (override === 'activation' || override === 'loss') {
    evidence.add(`comment:gradprobe: ${override}`);
    return result(override);
  }
  if (c.shape === 'lambda') {
    // Found at its use: the use says what it is.
    const isLoss = c.signals.some((sig) => /loss|criterion|objective/i.test(sig));
    return { ...result(isLoss ? 'loss' : 'activation'), inputs: isLoss ? c.inputs.slice(0, 2) : c.inputs.slice(0, 1) };
  }
  if (context.unsupportedFramework || c.aliasOf || c.forwardsTo) return undefined;
  const lossBase = c.frameworkBases.some((b) => /(losses\.Loss|_Loss|_WeightedLoss|modules\.loss\.\w+|keras\.losses\.\w+Loss?|LossFunctionWrapper)$/.test(b) || /^keras\.losses\./.test(b))
    || c.workspaceBases.some((b) => lossClassName.test(b));
  // A use binds the name itself, or (for a class or factory) what calling it returns. A plain
  // function's result bound to `loss` is a loss it computed from its arguments (`loss = f(out, y)`);
  // bound from one argument it is a reduction (`loss = mean(losses)`).
  const binding = (u: Use): boolean => !u.callArgs || c.shape === 'class' || c.shape === 'factory' || (u.role === 'loss' && positionalCount(u.callArgs) >= 2);
  const used = roleUses(uses).some((u) => binding(u));
  // A framework loss class is tensor code even when its forward only hands over to a method or base.
  if (!(lossBase && inputs.lossInputs.length) && notTensorCode(c, inputs, w.resolve, used)) return undefined;

  const tensors = inputs.lossInputs.length;
  const oneInput = inputs.tensorInputs.length <= 1 && inputs.firstKind === 'tensor';
  // A custom gradient or a registration says "callable", not "activation": it takes one input only
  // when everything else has a default (ComputeNormalization(x, t, num_iters) is a reduction).
  const strictlyOneInput = oneInput && c.requiredInputs <= 1;
  const namedLossClass = c.shape === 'class' && lossClassName.test(c.name);
  const lossArity = tensors >= 2 || ((lossBase || namedLossClass) && tensors >= 1);
  const metric = metricReading(c, uses);
  const actUses = roleUses(uses).filter((u) => u.role === 'activation' && binding(u));
  const lossUses = uses.filter((u) => u.role === 'loss' && binding(u) && (!u.delegation || tensors >= 2));
  const registry = uses.filter((u) => u.role === 'registry');
  const modelForActivation = isModelForActivation(c) || isPlumbing(c.inner ?? c.def);

  if (actUses.length && oneInput && !modelForActivation) { actUses.forEach((u) => evidence.add(u.how)); return result('activation'); }
  if (lossUses.length && lossArity && !metric.veto) { lossUses.forEach((u) => evidence.add(u.how)); return result('loss'); }
  if (metric.veto) return undefined;
  // A data-pipeline step (`ds.map(augment)`, `transform=`) is not a layer nor a loss by its shape.
  if (uses.some((u) => u.role === 'data')) return undefined;
  registry.forEach((u) => evidence.add(u.how));
  if (lossBase && tensors >= 1) return result('loss');
  if (namedLossClass && tensors >= 1) { evidence.add('name'); return result('loss'); }
  const sig = lossSignature(inputs.lossInputs);
  // A class that builds layers or loads a network, or a function returning several values, is not a
  // loss by its parameter names alone.
  if (sig && !(c.shape === 'class' && c.hasSubLayers) && !returnsTuple(c.inner ?? c.def)) {
    evidence.add(sig);
    return result('loss');
  }
  if (tensors >= 2 && lossName(c.name)) { evidence.add('name'); return result('loss'); }
  // The docstring's first sentence says what the definition is ("Focal loss for …", "Applies the
  // Mish activation"); later sentences mention everything they relate to.
  const doc = firstSentence(c.def?.docstring ?? c.cls?.docstring ?? c.inner?.docstring);
  if (tensors >= 2 && /\b(loss|cost function|criterion)\b/i.test(doc) && !returnsTuple(c.inner ?? c.def)) { evidence.add('docstring'); return result('loss'); }
  if (oneInput && !modelForActivation) {
    const isAutograd = c.frameworkBases.some((b) => /autograd\.Function$/.test(b));
    if ((c.customGradient || isAutograd) && strictlyOneInput) return result('activation');
    if ((registry.length || c.registered) && strictlyOneInput) return result('activation');
    if (activationName(c.name)) { evidence.add('name'); return result('activation'); }
    if (/\bactivation\b|\bnon-?linearit/i.test(doc)) { evidence.add('docstring'); return result('activation'); }
    if (context.activationModule) { evidence.add('module:activations'); return result('activation'); }
  }
  if ((registry.length || c.registered) && tensors >= 2) return result('loss');
  return undefined;
}

function firstSentence(doc: string | undefined): string {
  const text = (doc ?? '').trim().split(/\n\s*\n/)[0].replace(/\s+/g, ' ');
  return /^(.*?[.!?])(\s|$)/.exec(text)?.[1] ?? text;
}

/** An alias or a forwarder is listed as what it wraps, when that is listed. */
function derived(w: Weighed, weighed: Weighed[]): DetectedFunction | undefined {
  const { c } = w;
  const targetName = c.aliasOf ?? c.forwardsTo;
  const target = weighed.find((o) => o.c.module === c.module && o.c.name === targetName && o.found)?.found;
  if (!target || directive(c) === 'skip') return undefined;
  const how = c.aliasOf ? c.signals[0] ?? `alias:${targetName}` : `forwards:${targetName}`;
  // A forwarder to a class returns an instance: a factory whose product is probed.
  const shape = c.aliasOf ? target.shape : target.shape === 'class' || target.shape === 'factory' ? 'factory' : 'function';
  return {
    ...target, name: c.name, shape, def: c.aliasOf ? target.def : c.def, cls: c.aliasOf ? target.cls : undefined, inner: c.aliasOf ? target.inner : target.inner,
    span: c.span, nameSpan: c.nameSpan, detectedBy: [how, ...target.detectedBy], callSite: c.forwardsTo ? callSiteOf(w.uses, { ...c, shape }) : target.callSite,
  };
}

function callSiteOf(uses: Use[], c: Pick<Candidate, 'shape' | 'module'>): DetectedFunction['callSite'] {
  if (c.shape !== 'factory' && c.shape !== 'class') return undefined;
  const withArgs = uses.find((u) => u.callArgs && u.callArgs.length > 0);
  return withArgs?.callArgs ? { args: withArgs.callArgs, module: c.module } : undefined;
}
