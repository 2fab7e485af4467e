// One analysis job: parse and detect (the outline, sent first so lenses show early), then probe.
// Runs in the probe worker; tests run it in-process through the same function.
import * as tf from '@tensorflow/tfjs-core';
import { analyzeSources, cachedReportCount, parseInputs } from '../core/analyze';
import { initEngine } from '../core/engine';
import { functionPanelData } from '../core/panel';
import { detectFunctions } from '../core/detect/detect';
import type { FileReport } from '../core/findings/types';
import { toCellSpan, type ParsedModule, type SourceDocument } from '../core/parse/document';
import { loadGrammars, parserMemoryBytes } from '../core/parse/treeSitter';
import { collectGarbage } from './gc';
import { toPanelData } from './panelData';
import type { OutlineEntry, ReadFiles, SourceText, WorkerMemory, WorkerRequest, WorkerResponse } from './workerProtocol';
import { diskContext, readSourceFile } from './diskContext.node';
import { heapFigures } from './heap.node';
import { mark } from '../shared/timeline';
import { relevantContext } from '../core/detect/contextRelevance';

export type AnalyzeRequest = Extract<WorkerRequest, { type: 'analyze' }>;
export type PanelDataJob = Extract<WorkerRequest, { type: 'panelData' }>;

/** The rest of a workspace folder as the analysis sees it (WorkspaceContext under Node). */
export interface WorkspaceModules {
  /** Parsed modules of the folder, except `skip` (the documents being analysed). */
  modules(skip: Set<string>): ParsedModule[];
  /** The parsed modules at these paths of the folder (those that parse). */
  modulesAt(paths: readonly string[]): ParsedModule[];
  /** A file's text, unparsed: whether it is parsed at all is decided from it (`relevantContext`). */
  text(path: string): string | undefined;
  /** The module an import names, from the file `fromPath`. */
  load(module: string, fromPath: string): ParsedModule | undefined;
  /** Fetches what `modules` and `load` answer from, where files cannot be read on demand (a browser). */
  prepare?(): Promise<void>;
  /** The files `modules` parses, so their languages' grammars are loaded first (only those). */
  paths(): readonly string[];
  /** The context as a job of workspace scan `scan` reads it (see `AnalyzeRequest.scan`); without it, the context itself. */
  forJob?(scan: number | undefined): WorkspaceModules;
}

type ContextFactory = (root: string, exclude: string[]) => WorkspaceModules | undefined;

let makeContext: ContextFactory = diskContext;
const contexts = new Map<string, WorkspaceModules | undefined>();

/** Sets how a folder's context is made (the browser server's reads through the editor); drops those made so far. */
export function useWorkspaceContexts(factory: ContextFactory): void {
  makeContext = factory;
  contexts.clear();
}

async function contextFor(root: string | undefined, exclude: string[]): Promise<WorkspaceModules | undefined> {
  if (!root) return undefined;
  const key = `${root}\0${exclude.join('\0')}`;
  if (!contexts.has(key)) contexts.set(key, makeContext(root, exclude));
  const ctx = contexts.get(key);
  await ctx?.prepare?.();
  return ctx;
}

/** Drops the cached workspace context of `root` (or all): files were created, deleted or renamed. */
export function forgetContext(root?: string): void {
  for (const key of [...contexts.keys()]) if (!root || key.startsWith(`${root}\0`)) contexts.delete(key);
}

/**
 * The folder's files that can change the analysis of `files` (their imports, their importers, the
 * definitions whose parameter roles their calls read: contextRelevance.ts), found from the texts:
 * the rest of the folder is never parsed for them. A file the job analyses is not among them.
 */
function relevantPaths(ctx: WorkspaceModules, files: readonly SourceText[]): string[] {
  const candidates = ctx.paths().flatMap((path) => { const text = ctx.text(path); return text === undefined ? [] : [{ path, text }]; });
  return relevantContext(files, candidates);
}

/** The folder's modules a job reads: the relevant context, and the job's own files as on disk (reused when unchanged). */
function folderModules(ctx: WorkspaceModules | undefined, files: readonly SourceText[], relevantPaths: readonly string[]): { folder: ParsedModule[]; context: ParsedModule[] } {
  if (!ctx) return { folder: [], context: [] };
  const skip = new Set(files.map((f) => f.path));
  const relevant = new Set(relevantPaths);
  const folder = ctx.modulesAt(ctx.paths().filter((p) => relevant.has(p) || skip.has(p)));
  return { folder, context: folder.filter((m) => !skip.has(m.doc.path)) };
}

/**
 * A document was opened and its settings are being fetched: fetch its folder's context (as a job
 * with the default exclude list will ask for it), load the grammars, and parse the document as on
 * disk with the context files relevant to it, all kept in the context. Its job, which starts once
 * the settings arrive, then finds them done. Where the job's exclude list or the document's text
 * differ, it fetches or parses its own, as without this. Errors are the job's to report.
 */
export async function prepareOpened(file: SourceText, root: string | undefined, exclude: string[] = []): Promise<void> {
  const grammar = loadGrammars([file.path]);
  grammar.catch(() => undefined);
  const ctx = await contextFor(root, exclude);
  if (!ctx) return;
  const files = [file];
  const relevant = relevantPaths(ctx, files);
  await Promise.all([grammar, loadGrammars([file.path, ...relevant])]);
  // A notebook's job never reuses the disk's parse of it (its cells are compared, not the file).
  if (file.path.toLowerCase().endsWith('.ipynb')) ctx.modulesAt(relevant);
  else folderModules(ctx, files, relevant);
  mark('opened: context and the document as on disk parsed ahead of the job');
}

/**
 * The folder's own parse of a document with the same path and text (not a notebook, whose cells
 * are compared by their joined text only): the job's file as it is on disk, already parsed as context.
 */
function parsedAlready(folder: ParsedModule[]): (doc: SourceDocument) => ParsedModule | undefined {
  const byPath = new Map(folder.map((m) => [m.doc.path, m]));
  return (doc) => {
    const m = byPath.get(doc.path);
    return m && !doc.cells && !m.doc.cells && m.doc.language === doc.language && m.doc.text === doc.text ? m : undefined;
  };
}

const jobStats = { jobs: 0, leakyJobs: 0 };

/** Live tensors, without starting an engine before the first probe does (reading them would pick a backend). */
function liveTensors(): { count: number; bytes: number } {
  if (!tf.engine().backendName) return { count: 0, bytes: 0 };
  const m = tf.memory();
  return { count: m.numTensors, bytes: m.numBytes };
}

const mb = (bytes: number): number => Math.round((bytes / 1048576) * 10) / 10;

/** This thread's memory figures: its V8 heap, its live tensors, tree-sitter's memory, the core's caches. */
export function workerMemory(collect = false): WorkerMemory {
  const collected = collect && collectGarbage();
  const heap = heapFigures();
  const tensors = liveTensors();
  return {
    heapUsedMb: mb(heap.usedBytes), heapTotalMb: mb(heap.totalBytes), collected, tensors: tensors.count, tensorMb: mb(tensors.bytes),
    parserMb: mb(parserMemoryBytes()), reportCache: cachedReportCount(), jobs: jobStats.jobs, leakyJobs: jobStats.leakyJobs,
  };
}

/**
 * Runs one job and checks that it gave back every tensor it made: a probe that leaves one behind
 * leaks it for the rest of the session, so it is counted and logged.
 */
async function counted(what: string, post: (m: WorkerResponse) => void, run: () => Promise<void>): Promise<void> {
  const before = liveTensors().count;
  try {
    await run();
  } finally {
    jobStats.jobs++;
    const after = liveTensors().count;
    if (after > before) {
      jobStats.leakyJobs++;
      post({ type: 'log', message: `${what} left ${after - before} tensor(s) live (${after} in all)` });
    }
  }
}

export function runAnalysisJob(req: AnalyzeRequest, cancelled: () => boolean, post: (m: WorkerResponse) => void): Promise<void> {
  return counted(`the analysis of ${[...req.files.map((f) => f.path), ...(req.paths ?? [])].join(', ')}`, post, () => analysisJob(req, cancelled, post));
}

/** The job's `paths`, read here: those read join the job's files, those that cannot be read are reported back. */
function readPaths(paths: string[]): { files: SourceText[]; unreadable: ReadFiles['unreadable'] } {
  const files: SourceText[] = [];
  const unreadable: ReadFiles['unreadable'] = [];
  for (const path of paths) {
    try {
      files.push({ path, text: readSourceFile(path) });
    } catch (err) {
      unreadable.push({ path, message: err instanceof Error ? err.message : String(err) });
    }
  }
  return { files, unreadable };
}

async function analysisJob(request: AnalyzeRequest, cancelled: () => boolean, post: (m: WorkerResponse) => void): Promise<void> {
  const started = performance.now();
  const read = request.paths?.length ? readPaths(request.paths) : undefined;
  const req: AnalyzeRequest = read ? { ...request, files: [...request.files, ...read.files] } : request;
  // The main thread needs the text of a file it did not read only to place that file's diagnostics.
  const readBack = (reports: FileReport[]): ReadFiles | undefined => {
    if (!read) return undefined;
    const withFindings = new Set(reports.filter((r) => r.findings.length).map((r) => r.path));
    return { texts: read.files.filter((f) => withFindings.has(f.path)), unreadable: read.unreadable };
  };
  const what = req.files.map((f) => f.path).join(', ');
  mark(`job: start ${what}`);
  // The inputs' grammars load while the workspace context is fetched; then those its files need
  // (a Python workspace never compiles the JavaScript family's 1.4 MB grammar).
  const inputs = req.files.map((f) => f.path);
  const inputGrammars = loadGrammars(inputs);
  inputGrammars.catch(() => undefined); // awaited below, where its failure fails the job
  const engine = req.probe ? initEngine(req.settings.backend).then(() => mark('job: engine ready')) : undefined;
  engine?.catch(() => undefined);
  const folderContext = await contextFor(req.root, req.exclude);
  const ctx = folderContext?.forJob?.(req.scan) ?? folderContext;
  mark('job: workspace context fetched');
  const contextPaths = ctx ? relevantPaths(ctx, req.files) : [];
  mark(`job: ${contextPaths.length} other file(s) of the folder relevant`);
  await Promise.all([inputGrammars, loadGrammars([...inputs, ...contextPaths]), engine]);
  mark('job: grammars ready');
  // The relevant context, the job's files as on disk among it: a file whose text is the disk's is
  // not parsed again (and detection's per-module readings of it are already made).
  const { folder, context } = folderModules(ctx, req.files, contextPaths);
  mark('job: relevant context (and the inputs as on disk) parsed');
  const { modules, failures } = parseInputs(req.files, { settingsFor: () => req.settings, parsedAlready: parsedAlready(folder) });
  mark('job: parsed');
  const detected = detectFunctions(modules, { context });
  mark(`job: detected ${detected.length} function(s)`);
  const functions: OutlineEntry[] = detected.map((d) => {
    const span = toCellSpan(d.module.doc, d.span);
    return { path: d.module.doc.path, name: d.name, kind: d.kind, framework: d.framework, span: span.span, nameSpan: toCellSpan(d.module.doc, d.nameSpan).span, cell: span.cell };
  });
  post({ type: 'outline', id: req.id, functions, failures });
  if (!req.probe || cancelled()) {
    post({ type: 'result', id: req.id, reports: failures, cancelled: cancelled(), ms: performance.now() - started, memory: workerMemory(), read: readBack(failures) });
    return;
  }
  const reports = await analyzeSources(req.files, {
    settings: req.settings,
    context,
    parsed: { modules, failures, detected },
    load: ctx ? (m, from) => ctx.load(m, from) : undefined,
    cancelled,
    reportData: req.reportData,
  });
  mark(`job: probed ${what}`);
  post({ type: 'result', id: req.id, reports: req.reportData === false ? reports.map(withoutData) : reports, cancelled: cancelled(), ms: performance.now() - started, memory: workerMemory(), read: readBack(reports) });
}

/** A report without its functions' panel and hover arrays (a copy: the cached reports keep theirs). */
function withoutData(report: FileReport): FileReport {
  return { ...report, functions: report.functions.map(({ data: _data, training: _training, ...rest }) => rest) };
}

/** The probe panel's data for one function: the file's analysis (cached per function) plus the panel's parts. */
export function runPanelDataJob(req: PanelDataJob, post: (m: WorkerResponse) => void): Promise<void> {
  return counted(`the panel data of ${req.name}`, post, () => panelDataJob(req, post));
}

async function panelDataJob(req: PanelDataJob, post: (m: WorkerResponse) => void): Promise<void> {
  const ctx = await contextFor(req.root, req.exclude);
  const contextPaths = ctx ? relevantPaths(ctx, req.files) : [];
  await Promise.all([loadGrammars([...req.files.map((f) => f.path), ...contextPaths]), initEngine(req.settings.backend)]);
  const { context } = folderModules(ctx, req.files, contextPaths);
  const result = await functionPanelData(req.files, { path: req.files[0]?.path ?? '', name: req.name, line: req.line, cell: req.cell, range: req.range, parts: req.parts }, {
    settings: req.settings,
    context,
    load: ctx ? (m, from) => ctx.load(m, from) : undefined,
  });
  const data = result ? toPanelData(result, { uri: req.uri, file: req.file, saturatedSlope: req.settings.thresholds.saturatedSlope, pending: req.pending }) : null;
  post({ type: 'panelData', id: req.id, data, memory: workerMemory() });
}
