// The probe panel's data for one function: its report (from the same analysis as every shell, so the
// panel's findings are the editor's and the CLI's) plus what only the panel plots, computed on the
// same translation (src/core/probe/panelData.ts). The language server runs this in its probe worker;
// the UI test runs it over the fixtures to feed the panel's harness page.
import { analyzeSources, parseInputs, type AnalyzeOptions, type SourceInput } from './analyze';
import { detectFunctions, type DetectedFunction } from './detect/detect';
import type { FileReport, FunctionReport } from './findings/types';
import { toCellSpan } from './parse/document';
import { textHash } from './ir/hash';
import {
  activationCurves, baselineCurves, depthPanelData, lossBoundaryData, trainingPanelData,
  type ActivationCurves, type BaselineCurves, type DepthPanelData, type LossBoundaryData,
} from './probe/panelData';
import { withTensorScope } from './probe/tensorScope';
import type { TrainingResult } from './probe/training';
import { buildProgram, createEvaluator } from './translate/translate';

/** curves: f, f′, f″ and the baselines (activations); boundary: a loss's boundary cases; depth and training are the slow ones. */
export type CorePanelPart = 'curves' | 'boundary' | 'depth' | 'training';

export interface PanelRequest {
  /** The analysed path of the file the function is in (as in `inputs`). */
  path: string;
  name: string;
  /** 0-based line of the definition (cell-relative in notebooks); picks among same-named functions. */
  line?: number;
  cell?: number;
  /** Sweep half-width for the curves and the depth stacks; the settings' range when absent. */
  range?: number;
  parts: CorePanelPart[];
}

export interface FunctionPanelResult {
  file: FileReport;
  report: FunctionReport;
  range: number;
  curves?: ActivationCurves & { baselines: BaselineCurves[] };
  depth?: DepthPanelData;
  boundary?: LossBoundaryData;
  training?: TrainingResult;
  errors: { part: CorePanelPart; message: string }[];
  ms: number;
}

function pick<T extends { name: string; span: { startLine: number }; nameSpan: { startLine: number }; cell?: number }>(items: T[], name: string, line?: number, cell?: number): T | undefined {
  const named = items.filter((f) => f.name === name && (cell === undefined || f.cell === cell));
  return named.find((f) => line === undefined || f.span.startLine === line || f.nameSpan.startLine === line) ?? named[0];
}

/**
 * The slow parts (stacks, training) by file text, settings, function and range: the panel asks again
 * after every probe of its document, and a probe of unchanged text (a re-probe, a save, switching back
 * to a function) should not train two networks again.
 */
const slowParts = new Map<string, Pick<FunctionPanelResult, 'depth' | 'training'>>();

function slowKey(inputs: SourceInput[], request: PanelRequest, options: AnalyzeOptions, range: number): string {
  const h = textHash();
  for (const i of inputs) h.update(i.path).update('\0').update(i.text instanceof Error ? i.text.message : i.text).update('\0');
  h.update(JSON.stringify({ ...options.settings, timeBudgetMs: 0 })).update(`\0${request.name}\0${request.line}\0${request.cell}\0${range}`);
  return h.digest();
}

export async function functionPanelData(inputs: SourceInput[], request: PanelRequest, options: AnalyzeOptions): Promise<FunctionPanelResult | undefined> {
  const started = performance.now();
  // Cached per function: after the editor's probe of the same text this re-uses its reports.
  const files = await analyzeSources(inputs, options);
  const file = files.find((f) => f.path === request.path) ?? files[0];
  const report = file && pick(file.functions, request.name, request.line, request.cell);
  if (!file || !report) return undefined;
  const range = request.range ?? options.settings.range;
  const out: FunctionPanelResult = { file, report, range, errors: [], ms: 0 };
  // The analysis ran the training probe (settings.train): its curves, not a second run.
  if (report.training) out.training = report.training as TrainingResult;
  if (report.probe.status !== 'ok') {
    out.ms = performance.now() - started;
    return out;
  }
  const { modules } = parseInputs(inputs);
  const detected = detectFunctions(modules, { context: options.context }).filter((d) => d.module.doc.path === file.path && d.kind === report.kind);
  const target = pick(detected.map((d) => withCellSpans(d)), report.name, report.span.startLine, report.cell)?.target;
  if (!target) {
    out.errors.push({ part: request.parts[0] ?? 'curves', message: `${report.name} is no longer detected in ${file.path}` });
    return out;
  }
  const key = slowKey(inputs, request, options, range);
  const cached = slowParts.get(key);
  if (cached) {
    if (request.parts.includes('depth') && cached.depth) out.depth = cached.depth;
    if (request.parts.includes('training') && cached.training) out.training ??= cached.training;
  }
  const parts = request.parts.filter((p) => !(p === 'depth' && out.depth) && !(p === 'training' && out.training));
  const ev = createEvaluator({ modules: [...modules, ...(options.context ?? [])], load: options.load }, {
    maxSteps: 20_000_000, deadline: Date.now() + Math.max(10_000, 3 * options.settings.timeBudgetMs), maxElements: 10_000_000,
  });
  const buildAndRun = (): void => {
    const program = buildProgram(target, ev);
    const attempt = (part: CorePanelPart, run: () => void): void => {
      if (!parts.includes(part)) return;
      try {
        run();
      } catch (err) {
        out.errors.push({ part, message: (err instanceof Error ? err.message : String(err)).split('\n')[0] });
      }
    };
    if (target.kind === 'activation') {
      attempt('curves', () => {
        const curves = activationCurves(program, range);
        out.curves = { ...curves, baselines: baselineCurves(curves.x) };
      });
      attempt('depth', () => { out.depth = depthPanelData(program, range); });
    } else {
      attempt('boundary', () => { out.boundary = lossBoundaryData(program); });
    }
    if (!out.training) attempt('training', () => { out.training = trainingPanelData(program); });
  };
  try {
    withTensorScope(() => buildAndRun());
  } catch (err) {
    // The analysis translated it; a failure here (a budget, say) costs the panel its parts, not the request.
    out.errors.push({ part: parts[0] ?? 'curves', message: (err instanceof Error ? err.message : String(err)).split('\n')[0] });
  }
  if (out.depth || out.training) {
    slowParts.set(key, { depth: out.depth ?? cached?.depth, training: out.training ?? cached?.training });
    while (slowParts.size > 32) slowParts.delete(slowParts.keys().next().value as string);
  }
  out.ms = performance.now() - started;
  return out;
}

/** The detected function with its spans as the report has them (cell-relative in notebooks). */
function withCellSpans(d: DetectedFunction): { name: string; span: { startLine: number }; nameSpan: { startLine: number }; cell?: number; target: DetectedFunction } {
  const span = toCellSpan(d.module.doc, d.span);
  return { name: d.name, span: span.span, nameSpan: toCellSpan(d.module.doc, d.nameSpan).span, cell: span.cell, target: d };
}
