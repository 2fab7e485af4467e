// Reasons a definition is not listed whatever its name or signature says: it is a private helper
// of a listed definition or the kernel of a custom gradient; no input receives a tensor (a name, a
// size, a program); it returns nothing or computes nothing (a training loop, a registry lookup, a
// string utility); it is a reported number (a metric); it is a layer or a model.
import type { ParsedModule } from '../parse/document';
import type { Expr, Param } from '../ir/ir';
import { computes, inputReachesOutputElementwise, methodOf, multipliesWeights, returnsValue, scalarParameters, stringParameters, type Reached } from './bodies';
import type { Candidate } from './candidates';
import { topLevel } from './candidates';
import type { Workspace } from './imports';
import type { ModuleContext } from './moduleContext';
import { metricName, parameterKind, returnsNonTensor, type ParameterKind } from './parameterRoles';
import type { Reference, Use } from './uses';

/** What the callable receives: its tensor inputs and what its first input is. */
export interface InputReading {
  /** Required inputs that receive tensors (knobs, names and flags aside): an activation has one. */
  tensorInputs: string[];
  /** Inputs that receive tensors, optional ones (`targets=None`) included, in order: a loss has two. */
  lossInputs: string[];
  firstKind?: ParameterKind;
}

export function readInputs(c: Candidate): InputReading {
  const fn = c.inner ?? c.def;
  const scalars = scalarParameters(fn);
  const strings = stringParameters(fn);
  const kindOf = (p: Param): ParameterKind => (strings.has(p.name) ? 'non-tensor' : scalars.has(p.name) ? 'hyperparameter' : parameterKind(p));
  // A default written as a literal (number, string, bool) is a setting; an optional tensor defaults to None.
  const tensors = c.params.filter((p) => kindOf(p) === 'tensor' && (!p.default || p.default.kind === 'none'));
  const first = c.params[0];
  return {
    tensorInputs: tensors.filter((p) => !p.default).map((p) => p.name),
    lossInputs: tensors.map((p) => p.name),
    firstKind: first ? (first.default && first.default.kind !== 'none' ? 'hyperparameter' : kindOf(first)) : undefined,
  };
}

export function isPrivate(c: Candidate, context: ModuleContext): boolean {
  if (c.module.ir.language === 'javascript') return !!context.exports && !context.exports.has(c.name);
  return /^_(?!_)/.test(c.name);
}

/** A use that gives the definition a role of its own (not as the returned value of a loss class). */
export function roleUses(uses: Use[]): Use[] {
  return uses.filter((u) => (u.role === 'activation' || u.role === 'loss' || u.role === 'registry') && !u.delegation);
}

export type DefinitionKey = string;
export const definitionKey = (modulePath: string, name: string): DefinitionKey => `${modulePath}\u0000${name}`;

/**
 * A private definition (`_name`, or not exported from a JS/TS module) referenced only from inside
 * other definitions, and given a role only by definitions that are themselves listed (or helpers),
 * is an implementation detail of those: `_lovasz_hinge` of `LovaszLoss`, `_reduce_loss` of
 * `dice_loss`, a test's `_average_ctc_loss`.
 */
export function isPrivateHelper(c: Candidate, context: ModuleContext, uses: Use[], references: Reference[], listed: Set<DefinitionKey>): boolean {
  if (!isPrivate(c, context)) return false;
  const outside = references.filter((r) => !(r.module === c.module.doc.path && r.within === c.name));
  if (!outside.length || outside.some((r) => !r.within)) return false;
  return roleUses(uses).every((u) => u.within !== undefined && listed.has(definitionKey(u.module, u.within)));
}

/**
 * Referenced only inside custom-gradient definitions (`autograd.Function.forward`, a `custom_vjp`
 * function): the kernel the custom gradient wraps. The definition users call is the Function.
 */
export function isCustomGradientKernel(c: Candidate, uses: Use[], references: Reference[], customGradient: Set<DefinitionKey>): boolean {
  if (c.shape !== 'function' || roleUses(uses).length) return false;
  const outside = references.filter((r) => !(r.module === c.module.doc.path && r.within === c.name));
  return outside.length > 0 && outside.every((r) => r.within !== undefined && customGradient.has(definitionKey(r.module, r.within)));
}

export type Resolver = (callee: Expr, from: Reached<ParsedModule>) => Reached<ParsedModule>[];

/**
 * Not tensor code: no input receives a tensor (a name, a size, a program), the written return type
 * is not a tensor (`-> str`, `-> nn.Module`), or nothing in the body computes. A definition the
 * workspace uses as an activation or loss (`activation=f`) is taken at its word on the last point:
 * it may compute through something detection cannot follow (`getattr(torch, name)(x)`).
 */
export function notTensorCode(c: Candidate, inputs: InputReading, resolve: Resolver, used: boolean): string | undefined {
  if (!inputs.lossInputs.length && c.params.length) return 'no tensor input';
  const fn = c.inner ?? c.def;
  // A body with a syntax error cannot be read: it is listed (and reported) on its other evidence.
  if (!fn || fn.syntaxError || c.cls?.syntaxError) return undefined;
  if (returnsNonTensor(fn.returns)) return `returns ${fn.returns}`;
  if (!used && !returnsValue(fn)) return 'returns nothing';
  if (!used && !computes({ fn, imports: c.imports, module: c.module }, c.module.ir.language, resolve)) return c.module.ir.language === 'javascript' ? 'calls no TensorFlow.js op' : 'computes nothing';
  return undefined;
}

/**
 * The workspace definitions a call can reach: a function by name (in this module or imported from
 * another workspace file), a class's forward/call (`Fn.apply(x)`, `Loss()(…)`), a function of an
 * imported workspace module (`F.wing_loss`).
 */
export function workspaceResolver(workspace: Workspace): Resolver {
  const definitions = (m: ParsedModule, name: string): Reached<ParsedModule>[] => {
    for (const s of topLevel(m.ir.body)) {
      if (s.kind === 'function' && s.fn.name === name) return [{ fn: s.fn, imports: workspace.importsOf(m), module: m }];
      if (s.kind === 'class' && s.cls.name === name) {
        const call = methodOf(s.cls, ['forward', 'call', '__call__']);
        return call ? [{ fn: call, imports: workspace.importsOf(m), module: m }] : [];
      }
    }
    return [];
  };
  const imported = (module: string, name: string, from: ParsedModule): Reached<ParsedModule>[] => {
    for (const m of workspace.modulesNamed(module)) if (m !== from) { const d = definitions(m, name); if (d.length) return d; }
    return [];
  };
  return (callee, from) => {
    const head = callee.kind === 'name' ? callee.id : callee.kind === 'attribute' && callee.object.kind === 'name' ? callee.object.id : undefined;
    if (!head) return [];
    const own = definitions(from.module, head);
    if (own.length) return own;
    const imp = from.imports.workspace.get(head);
    if (!imp) return [];
    if (callee.kind === 'name') return imp.name ? imported(imp.module, imp.name, from.module) : [];
    // `import pkg.functional as F` / `from . import functional as F`: F names a module
    const module = imp.name ? `${imp.module}${imp.module.endsWith('.') ? '' : '.'}${imp.name}` : imp.module;
    return callee.kind === 'attribute' ? imported(module, callee.name, from.module) : [];
  };
}

export interface MetricReading { veto: boolean; strong: boolean; printedOnly: boolean }

/**
 * A metric use (`metrics=[…]`) or a value printed or computed under no_grad is a reported number;
 * a metric-like name (score, accuracy, iou, f1…) without "loss" is one too, unless a loss class
 * returns it as its loss. A name alone never makes a metric a loss.
 */
export function metricReading(c: Candidate, uses: Use[]): MetricReading {
  const printedOnly = uses.some((u) => u.role === 'metric' && /printed|no_grad/.test(u.how)) && !/loss/i.test(c.name);
  const strong = uses.some((u) => u.role === 'metric' && !/printed|no_grad/.test(u.how));
  const delegated = uses.some((u) => u.delegation);
  return { strong, printedOnly, veto: strong || printedOnly || (metricName.test(c.name) && !/loss/i.test(c.name) && !delegated) };
}

/**
 * A class that builds layers or holds a network is a layer or a model, unless its raw input still
 * enters its output elementwise (a gate: `max(x, bn(conv(x)))`); one that multiplies by weights is
 * a layer.
 */
export function isModelForActivation(c: Candidate): boolean {
  if (c.shape !== 'class') return false;
  if (multipliesWeights(c.inner)) return true;
  return c.hasSubLayers && !inputReachesOutputElementwise(c.inner, c.params[0]?.name);
}
