// The fuzz run's machinery: push generated inputs through the core (analyzeSources) and through the
// running language server, and judge every answer: no exception escapes, no rejection goes
// unhandled, every input gets a well-formed report (its functions and findings, or GP001/GP002),
// and a mutated seed still reports the functions its mutation did not touch.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Diagnostic } from 'vscode-languageserver-protocol';
import { CodeLensRequest, HoverRequest } from 'vscode-languageserver-protocol/node';
import { analyzeSources, type AnalyzeOptions } from '../../src/core/analyze';
import { defaultSettings, mergeSettings } from '../../src/core/config/settings';
import { ruleFor } from '../../src/core/findings/rules';
import type { FileReport, Finding, FunctionReport } from '../../src/core/findings/types';
import type { Span } from '../../src/core/ir/ir';
import { failureLogs, LspServer } from '../support/lspServer';
import { generateInput, Rng, type FuzzInput, type SeedFile } from './generate';

/** What analysing one input gave: reports, or the exception that escaped, or nothing in time. */
export interface AnalyzeOutcome {
  reports?: FileReport[];
  error?: string;
  hang?: boolean;
  ms: number;
  /** Unhandled rejections seen while it ran (where the analyzer can tell). */
  rejections?: number;
  /** What the analyzer's own thread found wrong with the reports before sending them (serialisation). */
  problems?: string[];
}

/** `settle`: the runner samples memory after this input; the analyzer collects garbage first where it can. */
export type Analyzer = (input: { path: string; text: string; settle?: boolean }) => Promise<AnalyzeOutcome>;

export type ProblemKind = 'crash' | 'hang' | 'rejection' | 'malformed' | 'lost' | 'server';

export interface FuzzProblem {
  kind: ProblemKind;
  id: string;
  path: string;
  detail: string;
  message: string;
  /** Where the input was saved for replay (`npm run fuzz -- --replay FILE`). */
  saved?: string;
}

export interface FuzzStats {
  inputs: number;
  crashes: number;
  rejections: number;
  malformed: number;
  lost: number;
  /** Mutated inputs the "untouched functions are still reported" oracle was applied to. */
  oracleChecked: number;
  /** Functions the oracle required (summed over oracleChecked inputs). */
  oracleFunctions: number;
  byFamily: Record<string, number>;
  /** Milliseconds spent per family (the analysis, not the generation or the judging). */
  msByFamily: Record<string, number>;
  /** Milliseconds spent analysing the seeds for the oracle's baselines. */
  baselineMs: number;
  slowest: { ms: number; id: string; path: string; detail: string; saved?: string };
  problems: FuzzProblem[];
}

export function emptyStats(): FuzzStats {
  return { inputs: 0, crashes: 0, rejections: 0, malformed: 0, lost: 0, oracleChecked: 0, oracleFunctions: 0, byFamily: {}, msByFamily: {}, baselineMs: 0, slowest: { ms: 0, id: '', path: '', detail: '' }, problems: [] };
}

export const fuzzSettings = mergeSettings(defaultSettings, { backend: 'cpu' });

/**
 * Each input's time budget, as `check --time-budget` sets a run's: a generated file of a hundred
 * activations probes in seconds on a quiet machine but in minutes on a starved one, and what the
 * budget does not reach is reported (GP002, the functions named), not waited on. The watchdog
 * (fuzz.ts) sits above this budget plus one function's own, so it stops only what slips past both.
 */
export const inputBudgetSeconds = 30;

/** What analyzeSources is given for one fuzz input: the fuzz settings and the input's own time budget. */
export function fuzzAnalyzeOptions(budgetSeconds = inputBudgetSeconds): AnalyzeOptions {
  return { settings: fuzzSettings, runBudget: { deadline: Date.now() + budgetSeconds * 1000, seconds: budgetSeconds } };
}

/** The core in this thread. Unhandled rejections are counted by the caller's process hook. */
export function inProcessAnalyzer(): Analyzer {
  return async (input) => {
    const t = performance.now();
    try {
      const reports = await analyzeSources([{ path: input.path, text: input.text }], fuzzAnalyzeOptions());
      return { reports, ms: performance.now() - t };
    } catch (err) {
      return { error: err instanceof Error ? err.stack ?? err.message : String(err), ms: performance.now() - t };
    }
  };
}

// ------------------------------------------------------------------ well-formedness

const severities = new Set(['error', 'warning', 'info']);
const kinds = new Set(['activation', 'loss']);
const statuses = new Set(['ok', 'unsupported', 'failed']);

/** Line counts the spans must fall within: the file's, or each code cell's for a notebook. */
function lineBounds(path: string, text: string): { file?: number; cells?: Map<number, number> } {
  if (!path.toLowerCase().endsWith('.ipynb')) return { file: text.split('\n').length };
  try {
    const nb = JSON.parse(text) as { cells?: unknown };
    if (!Array.isArray(nb.cells)) return {};
    const cells = new Map<number, number>();
    nb.cells.forEach((c: unknown, i: number) => {
      const cell = c as { cell_type?: unknown; source?: unknown } | null;
      if (!cell || typeof cell !== 'object' || cell.cell_type !== 'code') return;
      const src = Array.isArray(cell.source) ? cell.source.join('') : typeof cell.source === 'string' ? cell.source : '';
      cells.set(i, src.split('\n').length);
    });
    return { cells };
  } catch {
    return {};
  }
}

function spanProblem(span: Span | undefined, what: string, bounds: ReturnType<typeof lineBounds>, cell: number | undefined): string | undefined {
  if (!span || typeof span !== 'object') return `${what}: no span`;
  const vals = [span.startLine, span.startCol, span.endLine, span.endCol];
  if (!vals.every((v) => Number.isInteger(v) && v >= 0)) return `${what}: span ${JSON.stringify(span)} has a non-integer or negative field`;
  if (span.endLine < span.startLine || (span.endLine === span.startLine && span.endCol < span.startCol)) return `${what}: span ${JSON.stringify(span)} ends before it starts`;
  const limit = cell !== undefined ? bounds.cells?.get(cell) : bounds.file;
  if (cell !== undefined && bounds.cells && limit === undefined) return `${what}: cell ${cell} is not a code cell`;
  if (limit !== undefined && span.endLine >= limit) return `${what}: span ${JSON.stringify(span)} is past the last line (${limit} lines${cell !== undefined ? ` in cell ${cell}` : ''})`;
  return undefined;
}

function findingProblems(f: Finding, where: string, bounds: ReturnType<typeof lineBounds>): string[] {
  const out: string[] = [];
  if (typeof f.code !== 'string' || !/^GP\d{3}$/.test(f.code) || !ruleFor(f.code)) out.push(`${where}: unknown code ${String(f.code)}`);
  if (!severities.has(f.severity)) out.push(`${where}: severity ${String(f.severity)}`);
  if (typeof f.message !== 'string' || !f.message.trim()) out.push(`${where}: empty message`);
  if (!f.evidence || typeof f.evidence !== 'object') out.push(`${where}: no evidence object`);
  const s = spanProblem(f.span, where, bounds, f.cell);
  if (s) out.push(s);
  return out;
}

/** Everything wrong with the answer for one input; empty when it is well-formed. */
export function reportProblems(input: { path: string; text: string }, reports: FileReport[] | undefined): string[] {
  if (!Array.isArray(reports)) return ['no report array'];
  if (reports.length !== 1) return [`${reports.length} file reports for one input`];
  const r = reports[0];
  const out: string[] = [];
  if (r.path !== input.path) out.push(`report for ${r.path}, not ${input.path}`);
  const unserialisable = serialisationProblem([r]);
  if (unserialisable) out.push(unserialisable);
  const bounds = lineBounds(input.path, input.text);
  const names = new Set<string>();
  for (const fn of r.functions) {
    const where = `function ${String(fn.name).slice(0, 60)}`;
    if (typeof fn.name !== 'string' || !fn.name) out.push('a function without a name');
    names.add(fn.name);
    if (!kinds.has(fn.kind)) out.push(`${where}: kind ${String(fn.kind)}`);
    if (!statuses.has(fn.probe?.status)) out.push(`${where}: probe status ${String(fn.probe?.status)}`);
    if (!Number.isFinite(fn.probe?.ms)) out.push(`${where}: probe time ${String(fn.probe?.ms)}`);
    if (typeof fn.summary !== 'string') out.push(`${where}: no summary`);
    for (const [s, what] of [[fn.span, 'span'], [fn.nameSpan, 'name span']] as const) {
      const p = spanProblem(s, `${where} ${what}`, bounds, fn.cell);
      if (p) out.push(p);
    }
    const codes = new Set(fn.findings.map((f) => f.code));
    if (fn.probe?.status === 'unsupported' && !codes.has('GP001')) out.push(`${where}: not probed (unsupported) without GP001`);
    if (fn.probe?.status === 'failed' && !codes.has('GP002')) out.push(`${where}: probe failed without GP002`);
    if (fn.probe?.status === 'ok' && (codes.has('GP001') || codes.has('GP002'))) out.push(`${where}: probed ok but reports ${codes.has('GP001') ? 'GP001' : 'GP002'}`);
    fn.findings.forEach((f, i) => {
      out.push(...findingProblems(f, `${where} finding ${i} (${f.code})`, bounds));
      if (f.function !== undefined && f.function !== fn.name) out.push(`${where}: finding ${f.code} is about ${f.function}`);
    });
  }
  r.findings.forEach((f, i) => {
    out.push(...findingProblems(f, `file finding ${i} (${f.code})`, bounds));
    if (f.function !== undefined && !names.has(f.function)) out.push(`file finding ${f.code} is about ${f.function}, which is not listed`);
    if (f.function === undefined && f.code !== 'GP002' && f.code !== 'GP001') out.push(`file-level finding ${f.code} (only GP001/GP002 may be about the whole file)`);
  });
  const counted = r.functions.reduce((n, fn) => n + fn.findings.length, 0);
  if (r.findings.filter((f) => f.function !== undefined).length !== counted) out.push(`file findings (${r.findings.length}) do not add up to the functions' (${counted})`);
  if (input.text.includes('\u0000') && (r.functions.length || !r.findings.some((f) => f.code === 'GP002'))) out.push('a binary file (NUL bytes) without a file-level GP002');
  return out;
}

/** Whether the reports survive both ways they leave the core: JSON (the CLI, the cache) and a structured clone (a thread boundary). */
export function serialisationProblem(reports: FileReport[]): string | undefined {
  try {
    JSON.stringify(reports);
    structuredClone(reports);
    return undefined;
  } catch (err) {
    return `the report cannot be serialised: ${(err as Error).message}`;
  }
}

/**
 * The reports without their probe data (the sweeps, slices and landscapes: most of a report, tens
 * of kB per function), which the judge does not read once their serialisation is checked. The
 * analysis thread sends these: copying whole reports to the runner's thread, and cloning them
 * there again, made the runner's native memory churn with every input.
 */
export function withoutProbeData(reports: FileReport[]): FileReport[] {
  return reports.map((r) => ({ ...r, functions: r.functions.map(({ data: _data, ...fn }) => fn) }));
}

// ------------------------------------------------------------------ the oracle for mutated seeds

/** A seed's functions as the oracle reads them: names, kinds and spans, nothing of their probes. */
export interface Baseline { functions: Pick<FunctionReport, 'name' | 'kind' | 'span'>[] }

/**
 * What is kept of a seed's reports for the whole run. A report carries its sweep and evidence (tens
 * of kB): kept whole, the baselines of every seed a mutation touched would grow the runner's memory
 * over the first thousands of inputs, and read as the analysis leaking.
 */
export function baselineOf(reports: FileReport[] | undefined): Baseline | null {
  const file = reports?.[0];
  return file ? { functions: file.functions.map((f) => ({ name: f.name, kind: f.kind, span: { ...f.span } })) } : null;
}

const importLine = /^\s*(import\b|from\s+\S+\s+import\b|export\s+\*|const\s+\w+\s*=\s*require\()/;

/** A top-level definition of a seed, by its text: a def or class (with its decorators), a function, or an assignment. */
interface Definition { name: string; start: number; end: number }

const pyDefinition = /^(?:async\s+)?(?:def|class)\s+([A-Za-z_]\w*)/;
const pyAssignment = /^([A-Za-z_]\w*)\s*(?::[^=]*)?=(?!=)/;
const jsDefinition = /^(?:export\s+)?(?:default\s+)?(?:declare\s+)?(?:async\s+)?(?:function\*?\s*|class\s+|(?:const|let|var)\s+)([A-Za-z_$][\w$]*)/;
const jsAssignment = /^([A-Za-z_$][\w$]*)\s*=(?!=)/;

/** Net open brackets of a line, comments and strings left out (near enough for the fixtures' code). */
function bracketDepth(line: string, python: boolean): number {
  const code = line.replace(/(["'`])(?:\\.|(?!\1).)*\1/g, '""').replace(python ? /#.*$/ : /\/\/.*$/, '');
  let d = 0;
  for (const c of code) d += '([{'.includes(c) ? 1 : ')]}'.includes(c) ? -1 : 0;
  return d;
}

/**
 * The seed's top-level definitions with the lines each spans. Python: a def or class runs while the
 * lines are indented under it, and starts at its decorators; an assignment runs until its brackets
 * close. JS/TS: a definition runs until its brackets close and the indented lines after them end.
 */
export function topLevelDefinitions(text: string, path: string): Definition[] {
  const lines = text.split('\n');
  const python = path.endsWith('.py');
  const out: Definition[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (/^\s/.test(line)) continue;
    const block = python ? pyDefinition.exec(line) : undefined;
    const m = block ?? (python ? pyAssignment : jsDefinition).exec(line) ?? (python ? undefined : jsAssignment.exec(line));
    if (!m) continue;
    let end = i;
    if (block) {
      while (end + 1 < lines.length && (/^\s/.test(lines[end + 1]) || lines[end + 1].trim() === '' || /^[)\]}]/.test(lines[end + 1]))) end++;
      while (end > i && lines[end].trim() === '') end--;
    } else {
      let depth = bracketDepth(line, python);
      while (depth > 0 && end + 1 < lines.length) depth += bracketDepth(lines[++end], python);
      // A JS/TS statement may go on in indented lines with its brackets closed (an arrow's body).
      while (!python && end + 1 < lines.length && /^\s+\S/.test(lines[end + 1])) end++;
    }
    let start = i;
    while (python && start > 0 && /^@/.test(lines[start - 1])) start--;
    out.push({ name: m[1], start, end });
  }
  return out;
}

const identifiers = (text: string): Set<string> => new Set(text.match(/[A-Za-z_$][\w$]*/g) ?? []);

/**
 * What a function's detection reads in its file: the lines of its own definition (its decorators and
 * its class's bases included) and, closed over, of every top-level definition those lines name (the
 * base class a method comes from, the function an alias compiles or a forwarder calls); and the
 * names it is used by (itself and every top-level name defined from it: an alias, a registry).
 */
export function dependencies(fn: { name: string; span: Span }, definitions: readonly Definition[], lines: readonly string[]): { lines: Set<number>; names: Set<string> } {
  const region = new Set<number>();
  const addLines = (a: number, b: number): void => { for (let l = a; l <= b; l++) region.add(l); };
  addLines(fn.span.startLine, fn.span.endLine);
  // Its decorators, and the header of the definition it sits in (a method's class and its bases).
  for (let l = fn.span.startLine - 1; l >= 0 && /^\s*@/.test(lines[l] ?? ''); l--) region.add(l);
  for (const d of definitions) {
    if (d.start > fn.span.startLine || fn.span.startLine > d.end) continue;
    let l = d.start;
    for (let depth = bracketDepth(lines[l] ?? '', true); depth > 0 && l < d.end; depth += bracketDepth(lines[++l] ?? '', true));
    addLines(d.start, l);
  }
  const included = new Set<Definition>();
  for (let grew = true; grew;) {
    grew = false;
    const named = identifiers([...region].map((l) => lines[l] ?? '').join('\n'));
    for (const d of definitions) {
      if (included.has(d) || !named.has(d.name)) continue;
      included.add(d);
      addLines(d.start, d.end);
      grew = true;
    }
  }
  const names = new Set(fn.name.split(/[^\w$]+/).filter(Boolean));
  for (let grew = true; grew;) {
    grew = false;
    for (const d of definitions) {
      if (names.has(d.name) || (d.start <= fn.span.startLine && fn.span.endLine <= d.end)) continue;
      const text = lines.slice(d.start, d.end + 1).join('\n');
      if ([...names].some((n) => identifiers(text).has(n))) { names.add(d.name); grew = true; }
    }
  }
  return { lines: region, names };
}

/**
 * The seed's functions a single structure-preserving mutation did not touch: no changed line is
 * among the lines their detection reads (their definition, decorators, bases, the definitions they
 * name), no changed line names them or a name defined from them (a use), and no import changed.
 */
export function untouchedFunctions(input: FuzzInput, seed: SeedFile, baseline: Baseline): Baseline['functions'] | undefined {
  const m = input.mutations;
  if (!m || m.length !== 1 || !m[0].structural || seed.path.endsWith('.ipynb')) return undefined;
  const before = seed.text.split('\n');
  const after = input.text.split('\n');
  const changed = m[0].lines;
  const changedText = changed.flatMap((l) => [before[l] ?? '', m[0].kind === 'delete-line' ? '' : after[l] ?? '']);
  if (changedText.some((t) => importLine.test(t))) return undefined;
  const changedNames = identifiers(changedText.join('\n'));
  const definitions = topLevelDefinitions(seed.text, seed.path);
  return baseline.functions.filter((fn) => {
    const deps = dependencies(fn, definitions, before);
    return !changed.some((l) => deps.lines.has(l)) && ![...deps.names].some((n) => changedNames.has(n));
  });
}

// ------------------------------------------------------------------ the core run

export interface CoreRunOptions {
  count: number;
  seed: number;
  seeds: SeedFile[];
  analyze: Analyzer;
  /** What the seeds' own reports come from (default: `analyze`); the judge's self-test passes the real core. */
  baselineAnalyze?: Analyzer;
  /** Where failing and slowest inputs are written for replay; none when absent. */
  saveDir?: string;
  progress?: (done: number, stats: FuzzStats) => void;
  /** Checked between inputs: the run ends early (its stats cover the inputs done) when it returns true. */
  stop?: () => boolean;
  /** Unhandled rejections counted so far by the caller's hook (in-process analyzers). */
  rejectionsSoFar?: () => number;
  /** Every this many inputs (the runner's memory samples), the analyzer is asked to settle its memory first. */
  settleEvery?: number;
  /**
   * The first input analysed: the ones before it are generated (the generator is sequential) and
   * skipped, so a stretch of a long run can be replayed alone.
   */
  from?: number;
  /** Called after each analysed input with what it gave (the runner logs the inputs that raise its peak memory). */
  analysed?: (input: FuzzInput, outcome: AnalyzeOutcome) => void;
}

function save(dir: string | undefined, input: { id: string; path: string; text: string; detail: string }): string | undefined {
  if (!dir) return undefined;
  mkdirSync(dir, { recursive: true });
  const ext = input.path.split('.').pop() ?? 'txt';
  const file = join(dir, `${input.id}.${ext}`);
  writeFileSync(file, input.text);
  writeFileSync(`${file}.json`, JSON.stringify({ id: input.id, path: input.path, detail: input.detail }, null, 1));
  return file;
}

function record(stats: FuzzStats, kind: ProblemKind, input: FuzzInput, message: string, saveDir?: string): void {
  if (kind === 'crash' || kind === 'hang' || kind === 'server') stats.crashes++;
  else if (kind === 'rejection') stats.rejections++;
  else if (kind === 'malformed') stats.malformed++;
  else stats.lost++;
  const saved = stats.problems.length < 200 ? save(saveDir, input) : undefined;
  stats.problems.push({ kind, id: input.id, path: input.path, detail: input.detail, message: message.slice(0, 2000), saved });
}

/**
 * Functions a file-level GP002 names as not probed (the input's time budget ran out, or max-functions):
 * reported by name, so the oracle counts them as kept.
 */
export function budgetSkipped(report: FileReport): Set<string> {
  const out = new Set<string>();
  for (const f of report.findings) {
    const names = f.code === 'GP002' && f.function === undefined ? f.evidence.notProbed : undefined;
    if (Array.isArray(names)) for (const n of names) if (typeof n === 'string') out.add(n);
  }
  return out;
}

/** The required functions a report neither lists (same name and kind) nor names as not reached by its budget. */
export function lostFunctions(required: Baseline['functions'], report: FileReport): Baseline['functions'] {
  const notProbed = budgetSkipped(report);
  return required.filter((fn) => !report.functions.some((l) => l.name === fn.name && l.kind === fn.kind) && !notProbed.has(fn.name));
}

export async function runCoreFuzz(opts: CoreRunOptions): Promise<FuzzStats> {
  const stats = emptyStats();
  const rng = new Rng(opts.seed);
  const baselines = new Map<string, Baseline | null>();
  const baselineFor = async (seed: SeedFile): Promise<Baseline | null> => {
    if (!baselines.has(seed.path)) {
      const out = await (opts.baselineAnalyze ?? opts.analyze)({ path: seed.path, text: seed.text });
      stats.baselineMs += out.ms;
      baselines.set(seed.path, baselineOf(out.reports));
    }
    return baselines.get(seed.path)!;
  };
  let rejections = opts.rejectionsSoFar?.() ?? 0;
  for (let i = 0; i < opts.count && !opts.stop?.(); i++) {
    const input = generateInput(rng, i, opts.seeds);
    if (i < (opts.from ?? 0)) continue;
    const seed = input.seed ? opts.seeds.find((s) => s.path === input.seed) : undefined;
    const baseline = seed ? await baselineFor(seed) : null;
    const settle = opts.settleEvery ? (i + 1) % opts.settleEvery === 0 : undefined;
    const out = await opts.analyze({ path: input.path, text: input.text, ...(settle ? { settle } : {}) });
    stats.inputs++;
    opts.analysed?.(input, out);
    stats.byFamily[input.family] = (stats.byFamily[input.family] ?? 0) + 1;
    stats.msByFamily[input.family] = (stats.msByFamily[input.family] ?? 0) + out.ms;
    if (out.ms > stats.slowest.ms) stats.slowest = { ms: out.ms, id: input.id, path: input.path, detail: input.detail, saved: save(opts.saveDir ? join(opts.saveDir, 'slowest') : undefined, input) };
    const nowRejections = (opts.rejectionsSoFar?.() ?? 0) + (out.rejections ?? 0);
    if (nowRejections > rejections) record(stats, 'rejection', input, `${nowRejections - rejections} unhandled rejection(s) while analysing it`, opts.saveDir);
    rejections = opts.rejectionsSoFar?.() ?? 0;
    if (out.hang) record(stats, 'hang', input, `no answer within the watchdog (${Math.round(out.ms)} ms)`, opts.saveDir);
    else if (out.error !== undefined) record(stats, 'crash', input, `analyzeSources threw: ${out.error}`, opts.saveDir);
    else {
      const problems = [...(out.problems ?? []), ...reportProblems(input, out.reports)];
      if (problems.length) record(stats, 'malformed', input, problems.slice(0, 10).join('; '), opts.saveDir);
      else if (seed && baseline) {
        const required = untouchedFunctions(input, seed, baseline);
        if (required) {
          stats.oracleChecked++;
          stats.oracleFunctions += required.length;
          const missing = lostFunctions(required, out.reports![0]);
          if (missing.length) record(stats, 'lost', input, `untouched function(s) no longer reported: ${missing.map((f) => `${f.name} (${f.kind}, lines ${f.span.startLine + 1}–${f.span.endLine + 1})`).join(', ')}`, opts.saveDir);
        }
      }
    }
    opts.progress?.(i + 1, stats);
  }
  return stats;
}

// ------------------------------------------------------------------ the server run

export interface ServerRunOptions {
  count: number;
  seed: number;
  seeds: SeedFile[];
  root: string;
  workspace: string;
  saveDir?: string;
  /** Largest input sent to the server (bytes); larger ones are skipped. */
  maxBytes?: number;
  progress?: (done: number, stats: FuzzStats) => void;
}

function diagnosticProblems(diags: Diagnostic[]): string[] {
  const out: string[] = [];
  for (const d of diags) {
    const code = String(d.code);
    if (!/^GP\d{3}$/.test(code) || !ruleFor(code)) out.push(`diagnostic with code ${code}`);
    if (d.source !== 'gradprobe') out.push(`diagnostic source ${d.source}`);
    if (!d.message?.trim()) out.push('diagnostic without a message');
    const r = d.range;
    if (![r.start.line, r.start.character, r.end.line, r.end.character].every((v) => Number.isInteger(v) && v >= 0)) out.push(`diagnostic range ${JSON.stringify(r)}`);
  }
  return out;
}

interface NotebookCells { kind: 'code' | 'markdown'; text: string }

function notebookCells(text: string): NotebookCells[] | undefined {
  try {
    const nb = JSON.parse(text) as { cells?: unknown };
    if (!Array.isArray(nb.cells)) return undefined;
    const cells = nb.cells.filter((c): c is { cell_type: string; source: unknown } => !!c && typeof c === 'object' && typeof (c as { cell_type?: unknown }).cell_type === 'string')
      .map((c) => ({ kind: c.cell_type === 'code' ? 'code' as const : 'markdown' as const, text: Array.isArray(c.source) ? c.source.map(String).join('') : typeof c.source === 'string' ? c.source : '' }));
    return cells.some((c) => c.kind === 'code') ? cells : undefined;
  } catch {
    return undefined;
  }
}

/** Opens each input in the running server, waits for its diagnostics, asks for lenses and a hover, closes it. */
export async function runServerFuzz(opts: ServerRunOptions): Promise<FuzzStats & { skipped: number; serverAlive: boolean; failureLogs: string[]; rssMb: { first: number; last: number; peak: number } }> {
  const stats = emptyStats();
  const rssMb = { first: 0, last: 0, peak: 0 };
  const rng = new Rng(opts.seed);
  const server = new LspServer({ root: opts.root, workspace: opts.workspace, settings: { backend: 'cpu', probeOn: 'type', debounceMs: 0 } });
  let skipped = 0;
  let logsSeen = 0;
  let aliveAtEnd = false;
  try {
    await server.initialize();
    for (let i = 0; stats.inputs < opts.count && i < opts.count * 4; i++) {
      const input = generateInput(rng, i, opts.seeds);
      if (input.text.length > (opts.maxBytes ?? 300_000)) { skipped++; continue; }
      const base = join(opts.workspace, input.id);
      const t = performance.now();
      let uris: string[];
      let close: () => void;
      if (input.path.endsWith('.ipynb')) {
        const cells = notebookCells(input.text);
        if (!cells) { skipped++; continue; }
        const nb = server.openNotebook(`${base}.ipynb`, cells);
        uris = nb.cells;
        close = () => server.closeNotebook(nb.uri, nb.cells);
      } else {
        const uri = server.open(`${base}/${input.path.split('/').pop()}`, input.text);
        uris = [uri];
        close = () => server.close(uri);
      }
      stats.inputs++;
      stats.byFamily[input.family] = (stats.byFamily[input.family] ?? 0) + 1;
      const after = server.lastSeq;
      try {
        const diags = await server.until(`diagnostics for ${input.id}`, () => {
          const got = uris.map((u) => server.published.get(u)).filter((p) => p && p.seq > after);
          return got.length ? got.flatMap((p) => p!.diagnostics) : undefined;
        }, 180_000);
        const ms = performance.now() - t;
        if (ms > stats.slowest.ms) stats.slowest = { ms, id: input.id, path: input.path, detail: input.detail };
        const problems = diagnosticProblems(diags);
        const lenses = await Promise.race([server.connection.sendRequest(CodeLensRequest.type, { textDocument: { uri: uris[0] } }), new Promise<'late'>((r) => setTimeout(() => r('late'), 30_000))]);
        if (lenses === 'late') problems.push('the code lens request was not answered within 30 s');
        const hover = await Promise.race([server.connection.sendRequest(HoverRequest.type, { textDocument: { uri: uris[0] }, position: { line: 0, character: 0 } }), new Promise<'late'>((r) => setTimeout(() => r('late'), 30_000))]);
        if (hover === 'late') problems.push('the hover request was not answered within 30 s');
        if (problems.length) record(stats, 'malformed', input, problems.slice(0, 10).join('; '), opts.saveDir);
      } catch (err) {
        record(stats, server.alive ? 'malformed' : 'server', input, err instanceof Error ? err.message : String(err), opts.saveDir);
      }
      close();
      const failures = failureLogs(server.logs.slice(logsSeen));
      logsSeen = server.logs.length;
      for (const line of failures) record(stats, /unexpected rejection/.test(line) ? 'rejection' : 'crash', input, `server log: ${line.split('\n').slice(0, 4).join(' | ')}`, opts.saveDir);
      const mem = server.memory();
      if (!rssMb.first) rssMb.first = mem.rssMb;
      if (mem.rssMb) rssMb.last = mem.rssMb;
      rssMb.peak = Math.max(rssMb.peak, mem.peakRssMb);
      opts.progress?.(stats.inputs, stats);
      if (!server.alive) break;
    }
    aliveAtEnd = server.alive;
  } finally {
    await server.dispose().catch(() => undefined);
  }
  const serverAlive = aliveAtEnd;
  if (!serverAlive && !stats.problems.some((p) => p.kind === 'server')) stats.crashes++;
  return { ...stats, skipped, serverAlive, failureLogs: failureLogs(server.logs), rssMb };
}

/** The runner's RSS after `done` inputs. */
export interface RssSample { done: number; mb: number }

/**
 * How the RSS moved over a run: its value at 10% and at 100% of the inputs, and the least-squares
 * slope per 1,000 inputs over the samples after the first 10% (the warm-up: grammars, engine, the
 * seeds' baselines and the first large inputs set the level the run then has to hold). Undefined
 * with fewer than two samples after the warm-up.
 */
export function rssTrend(samples: readonly RssSample[], count: number): { at10: RssSample; last: RssSample; perThousandMb: number } | undefined {
  const warm = samples.filter((s) => s.done >= count / 10);
  if (warm.length < 2) return undefined;
  const n = warm.length;
  const mx = warm.reduce((a, s) => a + s.done, 0) / n;
  const my = warm.reduce((a, s) => a + s.mb, 0) / n;
  const sxx = warm.reduce((a, s) => a + (s.done - mx) ** 2, 0);
  const sxy = warm.reduce((a, s) => a + (s.done - mx) * (s.mb - my), 0);
  return { at10: warm[0], last: warm[n - 1], perThousandMb: sxx > 0 ? (sxy / sxx) * 1000 : 0 };
}

const signed = (x: number): string => `${x >= 0 ? '+' : '−'}${Math.abs(x).toFixed(1)}`;

/**
 * The closing line: the run's counts, its slowest input, the runner's peak RSS (its analysis thread
 * included) and, with a trend, the RSS at 10% and at the end of the core run and its slope after the warm-up.
 */
export function summaryLine(total: { inputs: number; crashes: number; rejections: number; slowest: { ms: number; file: string }; peakRssMb: number; trend?: ReturnType<typeof rssTrend> }): string {
  const t = total.trend;
  const trend = t ? ` (RSS ${Math.round(t.at10.mb)} MB at ${t.at10.done} inputs, ${Math.round(t.last.mb)} MB at ${t.last.done}; ${signed(t.perThousandMb)} MB per 1,000 inputs after warm-up)` : '';
  return `fuzz: ${total.inputs} inputs, ${total.crashes} crashes, ${total.rejections} unhandled rejections, slowest ${Math.round(total.slowest.ms)} ms (${total.slowest.file}), peak RSS ${Math.round(total.peakRssMb)} MB${trend}`;
}
