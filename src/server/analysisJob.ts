// One analysis job: parse and detect (the outline, sent first so lenses show early), then probe.
// Runs in the probe worker; tests run it in-process through the same function.
import { analyzeSources, parseInputs, prepareEngine } from '../core/analyze';
import { functionPanelData } from '../core/panel';
import { detectFunctions } from '../core/detect/detect';
import { toCellSpan } from '../core/parse/document';
import { loadGrammars } from '../core/parse/treeSitter';
import { toPanelData } from './panelData';
import type { OutlineEntry, WorkerRequest, WorkerResponse } from './workerProtocol';
import { WorkspaceContext } from './workspaceContext';

export type AnalyzeRequest = Extract<WorkerRequest, { type: 'analyze' }>;
export type PanelDataJob = Extract<WorkerRequest, { type: 'panelData' }>;

const contexts = new Map<string, WorkspaceContext>();

function contextFor(root: string | undefined, exclude: string[]): WorkspaceContext | undefined {
  if (!root) return undefined;
  const key = `${root}\0${exclude.join('\0')}`;
  let ctx = contexts.get(key);
  if (!ctx) {
    ctx = new WorkspaceContext(root, exclude);
    contexts.set(key, ctx);
  }
  return ctx;
}

/** Drops the cached workspace context of `root` (or all): files were created, deleted or renamed. */
export function forgetContext(root?: string): void {
  for (const key of [...contexts.keys()]) if (!root || key.startsWith(`${root}\0`)) contexts.delete(key);
}

export async function runAnalysisJob(req: AnalyzeRequest, cancelled: () => boolean, post: (m: WorkerResponse) => void): Promise<void> {
  const started = performance.now();
  const ctx = contextFor(req.root, req.exclude);
  if (req.probe) await prepareEngine(req.settings.backend);
  else await loadGrammars();
  const skip = new Set(req.files.map((f) => f.path));
  const context = ctx?.modules(skip) ?? [];
  const { modules, failures } = parseInputs(req.files, { settingsFor: () => req.settings });
  const detected = detectFunctions(modules, { context });
  const functions: OutlineEntry[] = detected.map((d) => {
    const span = toCellSpan(d.module.doc, d.span);
    return { path: d.module.doc.path, name: d.name, kind: d.kind, framework: d.framework, span: span.span, nameSpan: toCellSpan(d.module.doc, d.nameSpan).span, cell: span.cell };
  });
  post({ type: 'outline', id: req.id, functions, failures });
  if (!req.probe || cancelled()) {
    post({ type: 'result', id: req.id, reports: failures, cancelled: cancelled(), ms: performance.now() - started });
    return;
  }
  const reports = await analyzeSources(req.files, {
    settings: req.settings,
    context,
    load: ctx ? (m, from) => ctx.load(m, from) : undefined,
    cancelled,
  });
  post({ type: 'result', id: req.id, reports, cancelled: cancelled(), ms: performance.now() - started });
}

/** The probe panel's data for one function: the file's analysis (cached per function) plus the panel's parts. */
export async function runPanelDataJob(req: PanelDataJob, post: (m: WorkerResponse) => void): Promise<void> {
  const ctx = contextFor(req.root, req.exclude);
  await prepareEngine(req.settings.backend);
  const skip = new Set(req.files.map((f) => f.path));
  const result = await functionPanelData(req.files, { path: req.files[0]?.path ?? '', name: req.name, line: req.line, cell: req.cell, range: req.range, parts: req.parts }, {
    settings: req.settings,
    context: ctx?.modules(skip) ?? [],
    load: ctx ? (m, from) => ctx.load(m, from) : undefined,
  });
  const data = result ? toPanelData(result, { uri: req.uri, file: req.file, saturatedSlope: req.settings.thresholds.saturatedSlope, pending: req.pending }) : null;
  post({ type: 'panelData', id: req.id, data });
}
