// The core's entry points for the shells (CLI, language server, panel). Never imports vscode.
import * as tf from '@tensorflow/tfjs-core';
import { collectCandidates, type DetectedFunction, type FunctionKind } from './detect/detect';
import { initEngine, type BackendChoice } from './engine';
import { documentFromText, parseDocument, type ParsedModule } from './parse/document';
import { loadGrammars } from './parse/treeSitter';
import { activationValueAndGradient, lossValueAndGradient } from './probe/gradients';
import { withTensorScope } from './probe/tensorScope';
import { buildProgram, createEvaluator, type ModuleSource } from './translate/translate';

export interface EvalRequest {
  path: string;
  text: string;
  name: string;
  x?: number[];
  yTrue?: unknown;
  yPred?: unknown;
  backend?: BackendChoice;
  /** Other workspace modules (imports); defaults to none. */
  load?: ModuleSource['load'];
}

export type JsonNumber = number | 'NaN' | 'Infinity' | '-Infinity';
export type Nested = JsonNumber | Nested[];

export interface ActivationEval { y: JsonNumber[]; dy: JsonNumber[] }
export interface LossEval { loss: JsonNumber; grad: Nested; mapping: string }

export class EvalError extends Error {}

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
  if (!c) return undefined;
  return {
    name: c.name, kind, framework: module.framework, module, shape: c.shape, def: c.def, cls: c.cls, inner: c.inner,
    span: c.span, nameSpan: c.nameSpan, detectedBy: [], inputs: kind === 'activation' ? c.inputs.slice(0, 1) : c.inputs.slice(0, 2), customGradient: c.customGradient,
  };
}

export async function evaluateFunction(req: EvalRequest): Promise<ActivationEval | LossEval> {
  await Promise.all([loadGrammars(), initEngine(req.backend ?? 'auto')]);
  const module = parseDocument(documentFromText(req.path, req.text));
  const kind: FunctionKind = req.x !== undefined ? 'activation' : 'loss';
  const target = findTarget(module, req.name, kind);
  if (!target) throw new EvalError(`no function, class or constant named '${req.name}' in ${req.path}`);
  const ev = createEvaluator({ modules: [module], load: req.load }, defaultBudget());
  return withTensorScope(() => {
    const program = buildProgram(target, ev);
    if (kind === 'activation') {
      const x = tf.tensor1d(req.x!, 'float32');
      const { value, grad } = activationValueAndGradient(program, x);
      return { y: Array.from(value.dataSync()).map(jsonNumber), dy: Array.from(grad.dataSync()).map(jsonNumber) };
    }
    const yTrue = tf.tensor(req.yTrue as number[], undefined, 'float32');
    const yPred = tf.tensor(req.yPred as number[], undefined, 'float32');
    const { value, grad } = lossValueAndGradient(program, yTrue, yPred);
    return { loss: jsonNumber(value.dataSync()[0]), grad: nestedOf(grad), mapping: program.mapping!.label };
  });
}
