// The pipeline: documents → parse → detect → translate → probe → findings. One call serves the
// CLI, the language server and the panel; every shell shows the findings computed here.
import * as tf from '@tensorflow/tfjs-core';
import { isAbsolute, relative } from 'node:path';
import { selects } from './findings/codes';
import { defaultSettings, type GradProbeSettings } from './config/settings';
import { callSitesOf } from './detect/callSites';
import { detectFunctions, type DetectedFunction } from './detect/detect';
import { initEngine } from './engine';
import { applySuppressions } from './findings/suppression';
import { finding, settleSourceFindings } from './findings/finding';
import type { FileReport, Finding, FunctionReport, FunctionReportData } from './findings/types';
import { DocumentError, documentFromText, parseDocument, toCellSpan, type ParsedModule, type SourceDocument } from './parse/document';
import { loadGrammars } from './parse/treeSitter';
import { formatNumber as fmt } from './findings/formatNumber';
import { probeActivation } from './probe/activation';
import { couplesElements, gridOf } from './probe/sweep';
import { layoutClause, withInputLayout } from './probe/layout';
import { probeDepth } from './probe/depth';
import { probeLoss } from './probe/loss';
import { trainingTaskOf, type LossFamily } from './probe/lossFamily';
import { roundingFor } from './probe/precision';
import { trainingProbe, type TrainingTask } from './probe/training';
import { sourceRuleFindings } from './rules/sourceRules';
import { withTensorScope } from './probe/tensorScope';
import { ReportCache } from './reportCache';
import { AnalysisBudgetExceeded, InputsRefused, LocatedError, ProbeBudgetExceeded, UnsupportedConstruct } from './ir/errors';
import type { Span } from './ir/ir';
import { textHash } from './ir/hash';
import { cpuBudget } from './translate/timeBudget';
import { buildProgram, createEvaluator, type ModuleSource, type Program } from './translate/translate';

export interface SourceInput {
  path: string;
  /** The text, or an error reading it (the file then gets a GP002). */
  text: string | Error;
}

/**
 * A file left out on purpose (too large to analyse): its GP002 says why, without the "report this
 * bug" tail of a failure. The CLI builds it from the file's size before reading it.
 */
export class SkippedInput extends Error {
  constructor(message: string, readonly evidence: Record<string, unknown>) {
    super(message);
  }
}

export interface AnalyzeProgress {
  phase: 'parse' | 'probe';
  /** Files parsed, or functions probed, so far; `total` of them in this phase. */
  done: number;
  total: number;
  path: string;
}

export interface AnalyzeOptions {
  settings: GradProbeSettings;
  /**
   * The settings of one file (its nearest config file's, under the flags); `settings` when absent.
   * The engine and backend are the run's (`settings`).
   */
  settingsFor?: (path: string) => GradProbeSettings;
  /** Loads workspace modules that imports reach outside `inputs`. */
  load?: ModuleSource['load'];
  /** Other workspace modules whose uses count for detection (the editor's open workspace). */
  context?: ParsedModule[];
  /**
   * `inputs` already parsed and detected (with the same settings and `context`), by a caller that
   * needed them first (the language server's outline): not done twice.
   */
  parsed?: { modules: ParsedModule[]; failures: FileReport[]; detected: DetectedFunction[] };
  /** Checked between functions; analysis stops early when it returns true. */
  cancelled?: () => boolean;
  /**
   * The whole run's time budget: checked between files and between functions, and inside parsing
   * and detection; what is left when it runs out is reported per file (GP002), not analysed.
   */
  runBudget?: RunBudget;
  /**
   * Threads probing in parallel in this process (`check --jobs`): where the CPU clock is the
   * process's (no per-thread clock: timeBudget.ts), it counts them all, so each probe's CPU-time
   * budget is multiplied by it. 1 by default.
   */
  probeThreads?: number;
  /**
   * false: the caller shows diagnostics only (the editor's workspace scan) and drops the reports'
   * `data`, so what only `data` needs is not computed: the depth probe's suggested weight gain where
   * no depth finding asks for one (a search of some fifty mean-field sums per activation).
   */
  reportData?: boolean;
  /** Called after each file parsed and each function probed (synchronously, between them). */
  onProgress?: (progress: AnalyzeProgress) => void;
  /**
   * Probing shared with other threads or runs (`check --jobs`, `--shard`). Every participant parses
   * and detects the same inputs, so a detected function has the same index everywhere; `claim`
   * says, per function, whether this participant probes it (`here`), another one does and
   * `elsewhere` gives its report, or no one here reports it (`skip`: left out of the reports).
   */
  share?: AnalyzeShare;
}

/** A run's time budget: a wall-clock deadline (ms since the epoch) and the seconds it was given as. */
export interface RunBudget {
  deadline: number;
  seconds: number;
  /**
   * The clock the deadline is read with; `Date.now` when absent. A test gives a clock that advances
   * at each reading, to run out inside a given phase without depending on the machine's speed.
   */
  now?: () => number;
}

/** Whether `budget` has run out (never, without one). */
export function runBudgetSpent(budget: RunBudget | undefined): boolean {
  return !!budget && (budget.now ?? Date.now)() > budget.deadline;
}

/** The GP002 of a file the run's budget ran out on while it was parsed or its functions detected. */
function budgetFinding(budget: RunBudget | undefined, err: AnalysisBudgetExceeded): Finding {
  const seconds = budget?.seconds;
  return fileFinding(
    `the run's time budget (${seconds} s) ran out while ${err.phase === 'parse' ? 'this file was parsed' : "the files' functions were detected"} (${err.where}): nothing in it was analysed; raise --time-budget (or the setting time-budget)`,
    { timeBudget: seconds, phase: err.phase, where: err.where },
  );
}

export interface AnalyzeShare {
  claim(index: number, path: string): 'here' | 'elsewhere' | 'skip';
  /** The report another participant made; undefined when it could not (it is then probed here). */
  elsewhere?(index: number): Promise<FunctionReport | undefined>;
  /** Each report probed here, as it is made. */
  probed?(index: number, report: FunctionReport): void;
}

/**
 * Reports carry their sweeps (~100 kB each): a long session or a workspace scan must not keep them
 * all. 250 at most, and of each function only its newest version: an edit re-probes only what it
 * changed, and undoing it re-probes that function once (see reportCache.ts).
 */
const reportCache = new ReportCache(250, 1);

/** Reports in the cache now (at most 250), for the language server's memory figures. */
export function cachedReportCount(): number {
  return reportCache.size;
}

/** The engine and the grammars (all, or those the files at `paths` need). */
export async function prepareEngine(backend: GradProbeSettings['backend'], paths?: readonly string[]): Promise<void> {
  await Promise.all([loadGrammars(paths), initEngine(backend)]);
}

const noSpan: Span = { startLine: 0, startCol: 0, endLine: 0, endCol: 0 };

/** "5.00 MiB (5,242,880 bytes)": the figure a size finding gives. */
function sizeText(bytes: number): string {
  return `${(bytes / 1_048_576).toFixed(2)} MiB (${bytes.toLocaleString('en-US')} bytes)`;
}

/** The GP002 of a file over `maxFileBytes`; the CLI raises it before reading the file. */
export function tooLargeInput(bytes: number, maxFileBytes: number): SkippedInput {
  return new SkippedInput(
    `the file is ${sizeText(bytes)}, over the limit of ${sizeText(maxFileBytes)} (setting max-file-bytes): it was not analysed. Files this large are usually generated; raise max-file-bytes to analyse it`,
    { bytes, maxFileBytes },
  );
}

function fileFinding(message: string, evidence: Record<string, unknown>): Finding {
  return finding('GP002', { message, span: noSpan, evidence });
}

export interface ParseOptions {
  settingsFor?: (path: string) => Pick<GradProbeSettings, 'maxFileBytes'>;
  runBudget?: AnalyzeOptions['runBudget'];
  onProgress?: AnalyzeOptions['onProgress'];
  /**
   * A parse already made of the same document (same path, language and text), used instead of
   * parsing it again: the editor's scan has every file of the folder parsed as context.
   */
  parsedAlready?: (doc: SourceDocument) => ParsedModule | undefined;
}

export function parseInputs(inputs: SourceInput[], options: ParseOptions = {}): { modules: ParsedModule[]; failures: FileReport[] } {
  const modules: ParsedModule[] = [];
  const failures: FileReport[] = [];
  let done = 0;
  for (const input of inputs) {
    if (options.runBudget && runBudgetSpent(options.runBudget)) {
      failures.push({ path: input.path, functions: [], findings: [fileFinding(`the run's time budget (${options.runBudget.seconds} s) ran out before this file was analysed; raise --time-budget (or the setting time-budget)`, { timeBudget: options.runBudget.seconds })] });
      continue;
    }
    try {
      if (input.text instanceof Error) throw input.text;
      const limit = (options.settingsFor?.(input.path) ?? defaultSettings).maxFileBytes;
      // A notebook's JSON carries outputs and images: its limit is on the code of its cells.
      const tooLarge = (text: string): SkippedInput | undefined => {
        if (text.length <= limit / 4) return undefined; // cannot be over: a character is at most 4 bytes
        const bytes = utf8.encode(text).length;
        return bytes > limit ? tooLargeInput(bytes, limit) : undefined;
      };
      const isNotebook = input.path.toLowerCase().endsWith('.ipynb');
      if (!isNotebook) {
        const skip = tooLarge(input.text);
        if (skip) throw skip;
      }
      const doc = documentFromText(input.path, input.text);
      if (isNotebook) {
        const skip = tooLarge(doc.text);
        if (skip) throw skip;
      }
      const budget = options.runBudget;
      modules.push(options.parsedAlready?.(doc) ?? parseDocument(doc, budget ? () => runBudgetSpent(budget) : undefined));
    } catch (err) {
      if (err instanceof AnalysisBudgetExceeded) {
        failures.push({ path: input.path, functions: [], findings: [budgetFinding(options.runBudget, err)] });
      } else if (err instanceof SkippedInput) {
        failures.push({ path: input.path, functions: [], findings: [fileFinding(err.message, err.evidence)] });
      } else {
        const message = err instanceof DocumentError ? err.message : err instanceof Error && input.text instanceof Error ? err.message : `the file could not be analysed (${(err as Error).message})`;
        failures.push({ path: input.path, functions: [], findings: [fileFinding(`${message}; if this is a bug, report it with the file attached`, { reason: message })] });
      }
    }
    options.onProgress?.({ phase: 'parse', done: ++done, total: inputs.length, path: input.path });
  }
  return { modules, failures };
}

export async function analyzeSources(inputs: SourceInput[], options: AnalyzeOptions): Promise<FileReport[]> {
  await prepareEngine(options.settings.backend, inputs.map((i) => i.path));
  const settingsOf = options.settingsFor ?? ((): GradProbeSettings => options.settings);
  const parsed = options.parsed ?? parseInputs(inputs, { settingsFor: settingsOf, runBudget: options.runBudget, onProgress: options.onProgress });
  const { failures } = parsed;
  let { modules } = parsed;
  let detected: DetectedFunction[];
  try {
    const budget = options.runBudget;
    detected = options.parsed?.detected ?? detectFunctions(modules, { context: options.context, stop: budget ? () => runBudgetSpent(budget) : undefined });
  } catch (err) {
    if (!(err instanceof AnalysisBudgetExceeded)) throw err;
    // Detection weighs every file's uses together: none of its files has a result to report.
    for (const m of modules) failures.push({ path: m.doc.path, functions: [], findings: [budgetFinding(options.runBudget, err)] });
    modules = [];
    detected = [];
  }
  for (const m of modules) {
    const names = new Map<string, number>();
    for (const d of detected) if (d.module === m) names.set(d.name, (names.get(d.name) ?? 0) + 1);
    reportCache.fileHas(m.doc.path, names);
  }
  const source: ModuleSource = { modules: [...modules, ...(options.context ?? [])], load: options.load };
  const byPath = new Map<string, FileReport>(failures.map((f) => [f.path, f]));
  for (const m of modules) byPath.set(m.doc.path, { path: m.doc.path, functions: [], findings: [] });
  // Per file: functions past max-functions, and those the run's time budget did not reach.
  const overLimit = new Map<string, string[]>();
  const unreached = new Map<string, string[]>();
  /** Functions of each file met so far, probed or not: the first max-functions are the ones probed. */
  const seenIn = new Map<string, number>();
  const note = (map: Map<string, string[]>, path: string, name: string): void => {
    const names = map.get(path) ?? [];
    names.push(name);
    map.set(path, names);
  };
  let done = 0;
  const share = options.share;
  // Reports in detection order; those probed elsewhere are awaited after this thread's own.
  const slots: (FunctionReport | Promise<FunctionReport | undefined> | undefined)[] = [];
  for (const [index, target] of detected.entries()) {
    if (options.cancelled?.()) break;
    const path = target.module.doc.path;
    const settings = settingsOf(path);
    const seen = seenIn.get(path) ?? 0;
    seenIn.set(path, seen + 1);
    if (seen >= settings.maxFunctions) {
      note(overLimit, path, target.name);
    } else if (runBudgetSpent(options.runBudget)) {
      note(unreached, path, target.name);
    } else {
      const where = share ? share.claim(index, path) : 'here';
      if (where === 'here') {
        const report = analyzeFunction(target, source, settings, options.probeThreads, options.reportData);
        share?.probed?.(index, report);
        slots[index] = report;
      } else if (where === 'elsewhere') {
        slots[index] = (share?.elsewhere?.(index) ?? Promise.resolve(undefined)).then((r) => r ?? analyzeFunction(target, source, settings, options.probeThreads, options.reportData));
      }
    }
    options.onProgress?.({ phase: 'probe', done: ++done, total: detected.length, path });
  }
  for (const [index, slot] of slots.entries()) {
    const report = await slot;
    if (report) byPath.get(detected[index].module.doc.path)!.functions.push(report);
  }
  for (const m of modules) finishFile(byPath.get(m.doc.path)!, m, settingsOf(m.doc.path));
  const listed = (names: string[]): string => `${names.slice(0, 5).join(', ')}${names.length > 5 ? `, … (${names.length - 5} more)` : ''}`;
  for (const [path, names] of overLimit) {
    const limit = settingsOf(path).maxFunctions;
    byPath.get(path)!.findings.push(fileFinding(
      `${limit + names.length} activation and loss functions found, over the limit of ${limit} (setting max-functions): only the first ${limit} are probed; these ${names.length} were not: ${listed(names)}. Files this large are usually generated; raise max-functions to probe them all`,
      { functions: limit + names.length, maxFunctions: limit, notProbed: names.slice(0, 100) },
    ));
  }
  for (const [path, names] of unreached) {
    const seconds = options.runBudget?.seconds;
    byPath.get(path)!.findings.push(fileFinding(
      `the run's time budget (${seconds} s) ran out: ${names.length} function${names.length === 1 ? ' was' : 's were'} not probed: ${listed(names)}; raise --time-budget (or the setting time-budget)`,
      { timeBudget: seconds, notProbed: names.slice(0, 100) },
    ));
  }
  // A file-level finding obeys select/ignore like the others.
  for (const report of byPath.values()) {
    const settings = settingsOf(report.path);
    report.findings = report.findings.filter((f) => f.function !== undefined || isReported(f.code, settings));
  }
  return inputs.map((i) => byPath.get(i.path)).filter((r): r is FileReport => !!r);
}

/** select (empty = all) and ignore, each a list of codes or prefixes; ignore wins. */
function isReported(code: string, settings: GradProbeSettings): boolean {
  return (settings.select.length === 0 || selects(settings.select, code)) && !selects(settings.ignore, code);
}

/**
 * Probe messages name lines of the module they read ("sqrt on line 12"); in a notebook that is the
 * joined text of its code cells, which the user never sees. They are rewritten to the cell's own
 * lines ("on line 3", "on line 3 of cell 4" when another cell), as the finding's position is.
 */
function cellRelativeMessage(doc: ParsedModule['doc'], finding: Finding, cell: number | undefined): Finding {
  const map = doc.cells;
  if (!map) return finding;
  const where = (line: number): string | undefined => {
    const at = map.lines[line - 1];
    if (!at) return undefined;
    return at.cell === cell ? `line ${at.line + 1}` : `line ${at.line + 1} of cell ${at.cell + 1}`;
  };
  const message = finding.message.replace(/\b(on |\()line (\d+)\b/g, (all, lead: string, n: string) => {
    const w = where(Number(n));
    return w ? `${lead}${w}` : all;
  });
  const evidence = typeof finding.evidence.line === 'number' && map.lines[finding.evidence.line - 1]
    ? { ...finding.evidence, line: map.lines[finding.evidence.line - 1].line + 1, cell: map.lines[finding.evidence.line - 1].cell }
    : finding.evidence;
  return message === finding.message && evidence === finding.evidence ? finding : { ...finding, message, evidence };
}

function finishFile(file: FileReport, module: ParsedModule, settings: GradProbeSettings): void {
  const sigs = new Map<string, Span>(file.functions.map((f) => [f.name, f.span]));
  for (const fn of file.functions) {
    let findings = applySuppressions(fn.findings, module.ir, sigs);
    findings = findings.filter((f) => isReported(f.code, settings));
    findings = findings.map((f) => (settings.severity[f.code] ? { ...f, severity: settings.severity[f.code] } : f));
    if (module.doc.cells) {
      findings = findings.map((f) => { const m = toCellSpan(module.doc, f.span); return { ...cellRelativeMessage(module.doc, f, m.cell), span: m.span, cell: m.cell }; });
      const fnSpan = toCellSpan(module.doc, fn.span);
      fn.cell = fnSpan.cell;
      fn.span = fnSpan.span;
      fn.nameSpan = toCellSpan(module.doc, fn.nameSpan).span;
    }
    fn.findings = findings;
    file.findings.push(...findings);
  }
}

function sliceSpan(lines: string[], span: Span): string {
  if (span.startLine === span.endLine) return (lines[span.startLine] ?? '').slice(span.startCol, span.endCol);
  return [(lines[span.startLine] ?? '').slice(span.startCol), ...lines.slice(span.startLine + 1, span.endLine), (lines[span.endLine] ?? '').slice(0, span.endCol)].join('\n');
}

/**
 * What a function's report depends on: its own text, the module's imports and constants, the
 * top-level definitions it names (transitively), and imported workspace modules. An edit elsewhere
 * in the file leaves the key, and so the cached report, unchanged.
 */
function cacheKey(target: DetectedFunction, source: ModuleSource, settings: GradProbeSettings): string {
  const module = target.module;
  const lines = module.doc.text.split('\n');
  const defs = new Map<string, Span>();
  const context: string[] = [];
  for (const stmt of module.ir.body) {
    if (stmt.kind === 'function') defs.set(stmt.fn.name, stmt.fn.span);
    else if (stmt.kind === 'class') defs.set(stmt.cls.name, stmt.cls.span);
    else context.push(sliceSpan(lines, stmt.span));
  }
  const seen = new Set<string>();
  const queue = [target.name];
  const parts: string[] = [];
  while (queue.length && seen.size < 200) {
    const name = queue.shift()!;
    if (seen.has(name)) continue;
    seen.add(name);
    const span = name === target.name ? target.span : defs.get(name);
    if (!span) continue;
    const text = sliceSpan(lines, span);
    parts.push(text);
    for (const id of text.match(/[A-Za-z_$][\w$]*/g) ?? []) if (defs.has(id) && !seen.has(id)) queue.push(id);
  }
  const h = textHash();
  h.update(module.doc.path).update('\0').update(target.name).update('\0').update(target.kind).update('\0').update(target.shape);
  for (const p of [...parts, ...context]) h.update(p).update('\0');
  const imported = source.modules.filter((m) => m !== module && context.some((c) => /import/.test(c) && c.includes(m.doc.path.replace(/^.*\//, '').replace(/\.\w+$/, ''))));
  for (const m of imported) h.update(m.doc.text);
  if (target.callSite) h.update(JSON.stringify(target.callSite.args.map((a) => a.value.span)));
  // Arguments and argument order read from calls anywhere in the workspace.
  const calls = callSitesOf({ name: target.name, module, constructs: target.shape === 'class' || target.shape === 'factory' }, source.modules);
  for (const site of calls.sites) h.update(site.where).update('\0').update(site.text).update('\0');
  if (calls.framework) h.update(calls.framework.how);
  h.update(JSON.stringify({ ...settings, timeBudgetMs: 0 }));
  return h.digest();
}

/**
 * A cached report for the same function text, which may have moved (lines added or removed above
 * it): its positions follow the function. Undefined when a finding points outside the function (a
 * helper or a module constant, which may have moved by another amount): then it is probed again.
 */
function movedReport(cached: FunctionReport, target: DetectedFunction): FunctionReport | undefined {
  const delta = target.span.startLine - cached.span.startLine;
  if (delta === 0 && target.span.startCol === cached.span.startCol) return structuredClone(cached);
  if (target.span.startCol !== cached.span.startCol) return undefined;
  const inside = (s: Span): boolean => s.startLine >= cached.span.startLine && s.endLine <= cached.span.endLine;
  if (!cached.findings.every((f) => inside(f.span))) return undefined;
  const shift = (s: Span): Span => ({ ...s, startLine: s.startLine + delta, endLine: s.endLine + delta });
  const report = structuredClone(cached);
  report.span = target.span;
  report.nameSpan = target.nameSpan;
  report.findings = report.findings.map((f) => ({ ...f, span: shift(f.span) }));
  return report;
}


export function analyzeFunction(target: DetectedFunction, source: ModuleSource, settings: GradProbeSettings, probeThreads = 1, reportData = true): FunctionReport {
  // A report made without what only its data needs is kept apart from a whole one.
  const key = `${cacheKey(target, source, settings)}${reportData ? '' : '\0without data'}`;
  const cached = reportCache.get(key);
  if (cached) {
    const moved = movedReport(cached, target);
    if (moved) return moved;
  }
  const start = performance.now();
  const report: FunctionReport = {
    name: target.name, kind: target.kind, framework: target.framework, span: target.span, nameSpan: target.nameSpan,
    detectedBy: target.detectedBy, probe: { status: 'ok', ms: 0 }, summary: '', findings: [],
  };
  const sourceFindings = sourceRuleFindings(target);
  const fnDef = target.inner ?? target.def;
  const syntaxError = fnDef?.syntaxError ?? target.cls?.syntaxError;
  /** What the translation assumed (initializer values, class decorators): said in the summary. */
  const assumptions = new Set<string>();
  try {
    if (syntaxError) throw new UnsupportedConstruct('syntax error', syntaxError);
    const budgetMs = settings.timeBudgetMs * (settings.dtype === 'float32' ? 1 : 3) + (settings.train ? 3000 : 0);
    const deadline = Date.now() + budgetMs;
    // CPU time, not wall time, decides (timeBudget.ts): a loaded machine must not fail a probe.
    const cpu = cpuBudget(budgetMs, probeThreads);
    const options = { workspace: source.modules, settingsArgs: settings.args };
    let args: Program['args'] = {};
    const probe = (finish?: (t: tf.Tensor) => tf.Tensor): ProbeOutcome => {
      const ev = createEvaluator(source, { maxSteps: 2_000_000, deadline, maxElements: 10_000_000, cpu }, finish ? { finish } : undefined);
      try {
        return withTensorScope(() => {
          const program = buildProgram(target, ev, options);
          args = program.args;
          return runProbes(target, program, settings, reportData);
        });
      } finally {
        for (const n of ev.assumptions) assumptions.add(n);
      }
    };
    const base = probe();
    let probeFindings = base.findings;
    report.summary = base.summary + argsSummary(args);
    if (Object.keys(args).length) report.probe.args = args;
    report.data = base.data;
    const rounding = roundingFor(settings.dtype);
    if (rounding) {
      // Re-run at the emulated precision; findings found only there say so.
      const low = probe(rounding);
      const extra = low.findings.filter((f) => !base.findings.some((b) => b.code === f.code)).map((f) => ({ ...f, message: `${f.message} (only at ${settings.dtype})`, evidence: { ...f.evidence, precision: settings.dtype } }));
      probeFindings = [...probeFindings, ...extra];
      if (extra.length) report.summary += ` · ${settings.dtype}: ${extra.map((f) => f.code).join(', ')}`;
    }
    if (settings.train) {
      const ev = createEvaluator(source, { maxSteps: 20_000_000, deadline: Date.now() + 10_000, maxElements: 10_000_000 });
      // A training run that cannot start is reported with the training, not as a failed probe.
      try {
        const training = withTensorScope(() => trainingProbe(buildProgram(target, ev, options), trainingTaskFor(target, base.family)));
        report.training = training;
        if (training.verdict !== 'ok') report.summary += ` · training: ${training.verdict} (${training.note})`;
      } catch (err) {
        const reason = (err instanceof Error ? err.message : String(err)).split('\n')[0];
        report.training = { error: reason };
        report.summary += ' · training: could not run';
      }
    }
    report.findings = [...probeFindings, ...settleSourceFindings(sourceFindings, probeFindings)];
  } catch (err) {
    report.findings = sourceFindings;
    const failure = classifyFailure(err, target);
    report.probe = { status: failure.code === 'GP001' ? 'unsupported' : 'failed', ms: 0, reason: failure.reason };
    if (failure.code === 'GP001') {
      report.summary = `${target.kind} · not probed: ${failure.construct}`;
      report.findings.push(finding('GP001', { function: target.name, message: `${target.name} could not be ${failure.translation ? 'translated' : 'probed'}: ${failure.reason}; it was not probed`, span: failure.span, evidence: { construct: failure.construct, ...(failure.origin ? { origin: failure.origin } : {}) } }));
    } else {
      report.summary = `${target.kind} · probe failed`;
      report.findings.push(finding('GP002', { function: target.name, message: `the probe of ${target.name} failed: ${failure.reason}${failure.engine ? ". If the function is valid, report this with the function's code" : ''}`, span: failure.span, evidence: { reason: failure.reason } }));
    }
  }
  if (assumptions.size) report.summary += ` · assumed: ${[...assumptions].join('; ')}`;
  report.probe.ms = Math.round((performance.now() - start) * 10) / 10;
  reportCache.set(key, { path: target.module.doc.path, name: target.name }, structuredClone(report));
  return report;
}

interface Failure {
  /** GP001 (status `unsupported`: not probed) or GP002 (status `failed`: the probe itself failed). */
  code: 'GP001' | 'GP002';
  /** What stopped it, for the summary (GP001). */
  construct: string;
  reason: string;
  span: Span;
  /** Where the construct stands when a call in the function's file led into another file. */
  origin?: { path: string; line: number };
  /** A translation limit (GP001 says "could not be translated"), not code that raised on the probe's input. */
  translation: boolean;
  /** A failure of GradProbe itself: the message asks for a report. */
  engine: boolean;
}

const utf8 = new TextEncoder();

/** The process's working directory; '/' where there is none (a browser worker). */
function workingDirectory(): string {
  const proc = (globalThis as { process?: { cwd?: () => string } }).process;
  return typeof proc?.cwd === 'function' ? proc.cwd() : '/';
}

/**
 * Why a function was not probed. GP001: a translation limit (an op, a construct, a missing
 * argument, a name defined nowhere) or code that raises on every input the probe tried, at a line of
 * the function's own file (naming the other file when the construct stands there). GP002: budgets
 * (steps, time, tensor size) and failures of the engine itself (a JavaScript TypeError, RangeError,
 * ReferenceError in GradProbe's code).
 */
export function classifyFailure(err: unknown, target: DetectedFunction): Failure {
  const path = target.module.doc.path;
  if (err instanceof LocatedError) {
    const elsewhere = err.path !== undefined && err.path !== path;
    const raw = err.origin ?? (elsewhere && err.span ? { path: err.path!, line: err.span.startLine + 1 } : undefined);
    // A module loaded from disk has an absolute path; the report's paths are the run's own.
    const origin = raw && isAbsolute(raw.path) && !isAbsolute(path) ? { ...raw, path: relative(workingDirectory(), raw.path) } : raw;
    const where = origin ? ` (in ${origin.path}, line ${origin.line})` : '';
    const span = !elsewhere && err.span ? err.span : target.nameSpan;
    if (err instanceof UnsupportedConstruct) return { code: 'GP001', construct: err.construct, reason: `${err.message}${where}`, span, origin, translation: true, engine: false };
    if (err instanceof InputsRefused) return { code: 'GP001', construct: 'an error on every probe input', reason: `${err.message}${where}`, span, origin, translation: false, engine: false };
    return { code: 'GP001', construct: 'an error on the probe\'s input', reason: `the function raised an error on the probe's input: ${err.message}${where}`, span, origin, translation: false, engine: false };
  }
  if (err instanceof ProbeBudgetExceeded) return { code: 'GP002', construct: 'budget', reason: err.message, span: target.nameSpan, translation: false, engine: false };
  const message = (err instanceof Error ? err.message : String(err)).split('\n')[0];
  // TF.js reports a shape or dtype it cannot take with a plain Error: the function's code on this input.
  if (err instanceof Error && err.constructor === Error) {
    return { code: 'GP001', construct: 'an error on the probe\'s input', reason: `the function raised an error on the probe's input: ${message}`, span: target.nameSpan, translation: false, engine: false };
  }
  return { code: 'GP002', construct: 'engine', reason: `the engine failed: ${message}`, span: target.nameSpan, translation: false, engine: true };
}

interface ProbeOutcome {
  findings: Finding[];
  summary: string;
  data: FunctionReportData;
  family?: LossFamily;
}

/**
 * The probe's outcome with what the evaluation met: validation calls it skipped and branches the data
 * decided. A branch that went one way on every probe input (a sweep runs as one tensor) is in every
 * finding's evidence, since the verdict only covers that branch.
 */
function runProbes(target: DetectedFunction, program: Program, settings: GradProbeSettings, reportData: boolean): ProbeOutcome {
  const outcome = runProbesOnly(target, program, settings, reportData);
  const clauses = program.notes.summaryClauses();
  if (clauses.length) outcome.summary = [outcome.summary, ...clauses].filter((x) => x).join(' · ');
  const branches = program.notes.branches.map((b) => ({ line: b.span.startLine + 1, construct: b.construct, trueCount: b.trueCount, falseCount: b.falseCount }));
  const skipped = program.notes.skipped.map((x) => ({ line: x.span.startLine + 1, call: x.name, reason: x.reason }));
  if (branches.length || skipped.length) {
    for (const f of outcome.findings) {
      if (branches.length) f.evidence.dataDependentBranches = branches;
      if (skipped.length) f.evidence.skippedValidations = skipped;
    }
    outcome.data = { ...outcome.data, ...(branches.length ? { dataDependentBranches: branches } : {}), ...(skipped.length ? { skippedValidations: skipped } : {}) };
  }
  return outcome;
}

function runProbesOnly(target: DetectedFunction, program: Program, settings: GradProbeSettings, reportData: boolean): ProbeOutcome {
  if (target.kind === 'activation') {
    // The sweep's 1-D points, or the layout the function asks for (a batch of features, an image).
    const laid = withInputLayout(program);
    const act = probeActivation(laid.program, settings);
    const layout = laid.layout();
    // With no gradient at all (GP106), the depth findings only repeat it. A map whose outputs couple
    // across the input (a normaliser over the axis, a convolution over the image) is no unit of a
    // hidden layer: no depth stack of it.
    const noGradient = act.findings.some((f) => f.code === 'GP106');
    const coupled = !noGradient && couplesElements(laid.program);
    const depth = noGradient || coupled ? undefined : probeDepth(laid.program, settings, { sweep: act.sweep, suggestGain: reportData });
    // On a laid-out input (an image) a coupled map's output at a point depends on its neighbours in
    // the layout, so f along the sweep's order is no curve of x: its shape (GP108) is not judged.
    const positional = coupled && layout !== undefined;
    const findings = [...act.findings.filter((f) => !positional || f.code !== 'GP108'), ...(depth?.findings ?? [])];
    const couplingClause = !coupled ? ''
      : layout ? ` · depth and monotonicity not probed: each output depends on its neighbours in the (${layout.shape.join(', ')}) layout (a convolution or normaliser across positions, not an elementwise activation)`
        : ' · depth not probed: each output depends on the other inputs (a normaliser over the axis, not an elementwise activation)';
    return {
      findings,
      summary: activationSummary(act, depth, findings, !positional) + (layout ? ` · ${layoutClause(layout)}` : '') + couplingClause,
      data: {
        kind: 'activation',
        sweep: gridOf(act.sweep),
        depth: depth && { chi: depth.prediction.chi, variances: depth.prediction.variances, gradientRatio: depth.gradientRatio, reluRatio: depth.reluRatio, gain: depth.suggestedGain, init: depth.prediction.init.name, measuredGradNorms: depth.measured?.gradNorms },
      },
    };
  }
  const loss = probeLoss(program, settings);
  return { findings: loss.findings, summary: loss.summary, data: loss.data, family: loss.family };
}

/** The arguments the probe chose (not the signature's defaults), for the summary: ` · args: gamma=2 (typical)`. */
function argsSummary(args: Program['args']): string {
  const shown = Object.entries(args).filter(([, a]) => a.source !== 'default');
  if (!shown.length) return '';
  // Strings are quoted; an object the probe made (`torch.nn.MSELoss()`) is shown as written.
  const text = (v: unknown): string => (typeof v === 'string' && /^[\w.]+\(.*\)$/.test(v) ? v : JSON.stringify(v));
  return ` · args: ${shown.map(([name, a]) => `${name}=${text(a.value)} (${a.source})`).join(', ')}`;
}

/** The training task that fits a function: regression for activations; for a loss, its family. */
function trainingTaskFor(target: DetectedFunction, family: LossFamily | undefined): TrainingTask {
  if (target.kind === 'activation' || !family) return { task: 'regression', prediction: 'raw', labels: 'dense' };
  return trainingTaskOf(family);
}

function activationSummary(act: ReturnType<typeof probeActivation>, depth: ReturnType<typeof probeDepth> | undefined, findings: Finding[], shape = true): string {
  const parts = ['activation'];
  const codes = new Set(findings.map((f) => f.code));
  const nan = findings.find((f) => f.code === 'GP101' || f.code === 'GP102');
  if (nan) parts.push(`${nan.code === 'GP101' ? 'NaN' : 'NaN gradient'} at x = ${fmt((nan.evidence.x as number[])[0])}`);
  if (codes.has('GP106')) parts.push('no gradient');
  else {
    if (shape) parts.push(act.stats.monotonic ? 'monotonic' : 'non-monotonic');
    parts.push(`f′ ∈ [${fmt(act.stats.dfMin)}, ${fmt(act.stats.dfMax)}]`);
  }
  if (depth && (codes.has('GP109') || codes.has('GP110'))) parts.push(`depth ratio ${fmt(depth.gradientRatio)}`);
  if (act.stats.straightThrough) parts.push('straight-through gradient');
  const worst = findings.some((f) => f.severity === 'error') ? 'error' : findings.some((f) => f.severity === 'warning') ? 'warning' : 'ok';
  parts.push(worst === 'ok' ? 'ok' : `${findings.filter((f) => f.severity !== 'info').length} problem${findings.filter((f) => f.severity !== 'info').length === 1 ? '' : 's'}`);
  return parts.join(' · ');
}
