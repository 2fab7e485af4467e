// The language server's logic without the connection: documents (and notebooks) in; diagnostics,
// code lenses, hovers and code actions out. Schedules probes per document (on open/type/save as the
// settings say), cancels probes for text that has changed, and keeps every request answerable from
// the latest results. Failures are contained per document: logged, reported in the status, and the
// request returns an empty answer.
import { relative } from 'node:path';
import {
  CodeActionKind, DiagnosticSeverity, MarkupKind,
  type CodeAction, type CodeActionContext, type CodeLens, type Diagnostic, type Hover, type Position, type Range,
  type TextDocumentEdit, type WorkspaceEdit,
} from 'vscode-languageserver-protocol';
import { finding } from '../core/findings/finding';
import { ruleFor } from '../core/findings/rules';
import type { FileReport, Finding, FunctionReport } from '../core/findings/types';
import type { GradProbeSettings } from '../core/config/settings';
import { Commands, type FunctionRef } from '../shared/commands';
import type { StatusNotification } from '../shared/customMessages';
import type { PanelData, PanelPart } from '../shared/panelMessages';
import type { CorePanelPart } from '../core/panel';
import { fixAll, fixesFor, suppressionFix, type Fix, type FixContext, type Language } from './fixes';
import { JobTimeout } from './jobTimeout';
import type { JobOutcome, ProbeRunner, RunningJob } from './probeRunner';
import { hoverMarkdown, lensTitle, reportMarkdown } from './reportMarkdown';
import { isSelected, type ResolvedSettings } from './settingsStore';
import { lineStarts, offsetAt } from './sourceText';
import type { OutlineEntry } from './workerProtocol';

export const fixAllKind = `${CodeActionKind.SourceFixAll}.gradprobe`;

/** Reports kept per document for function texts that are no longer there (see `store`). */
export const staleReportsPerDocument = 24;

/** A document the user sees: a file, or one cell of a notebook. */
export interface View {
  uri: string;
  version: number;
  text: string;
  /** The cell's index among all the notebook's cells. */
  cell?: number;
}

/** What is analysed as one: a document, or a whole notebook (its cells give each other context). */
export interface UnitSource {
  uri: string;
  kind: 'document' | 'notebook';
  /** The path the analysis sees (a file path; made up, with the right extension, when unsaved). */
  path: string;
  /** A real file path, for the config file search and the workspace folder; absent when unsaved. */
  filePath?: string;
  language: Language;
  views: View[];
  /** The document's text, or the notebook as .ipynb JSON. */
  analysisText: string;
}

export type Trigger = 'open' | 'change' | 'save' | 'config' | 'command';

/** The workspace scan's files: walked and read from disk under Node, through the editor in a browser. */
export interface WorkspaceFiles {
  /** Absolute paths of the folder's analysable files, with the walk's skips and these globs. */
  list(folder: string, include: string[], exclude: string[]): Promise<{ files: string[]; errors: string[] }>;
  read(path: string): Promise<string>;
  /**
   * The analysis jobs can read these files themselves (a disk under Node): the scan then hands its
   * workers paths, and the main thread, which also answers the editor, reads nothing.
   */
  readByJobs?: boolean;
}

export interface ServiceHost {
  settingsFor(uri: string, filePath: string | undefined): Promise<ResolvedSettings>;
  publish(uri: string, diagnostics: Diagnostic[]): void;
  status(params: StatusNotification.Params): void;
  refreshLenses(): void;
  log(message: string): void;
  /** New probe results for a unit (the document, or the notebook and its cells). */
  probed?(uris: string[]): void;
  /** The report `.gradprobe_cache/` holds for a document as it is now, if any (Node host). */
  cachedReport?(query: CachedReportQuery): FileReport | undefined;
}

export interface CachedReportQuery {
  /** The document's file on disk (absolute). */
  filePath: string;
  /** Its text as open in the editor (the .ipynb JSON for a notebook). */
  text: string;
  /** The workspace folder: where the cache is and what imports resolve against. */
  root: string | undefined;
  exclude: string[];
  settings: GradProbeSettings;
}

interface Unit {
  source: UnitSource;
  generation: number;
  outline?: { generation: number; entries: OutlineEntry[] };
  outlineWaiters: ((entries: OutlineEntry[]) => void)[];
  report?: { generation: number; file: FileReport; views: View[] };
  /** Function reports by name and text: still valid for functions an edit did not touch. */
  byKey: Map<string, FunctionReport>;
  running?: { generation: number; probe: boolean; job: RunningJob; functions: number; done: Promise<void> };
  /**
   * A probe between its call and its job's start (its settings being resolved): a second trigger for
   * the same text then joins it, as it would join the running job. Without this, the configuration
   * notification an editor sends right after start-up made the first file's first job a cancelled one.
   */
  starting?: { generation: number; done: Promise<void> };
  timer?: NodeJS.Timeout;
  published: Map<string, Diagnostic[]>;
  failure?: string;
}

interface DiagnosticData { text: string; function?: string; kind?: 'activation' | 'loss'; framework?: string }

interface LensData { unit: string; view: string; name: string; line: number; key: string }

function functionKey(name: string, text: string, span: { startLine: number; startCol: number; endLine: number; endCol: number }): string {
  const starts = lineStarts(text);
  const s = offsetAt(text, starts, { line: span.startLine, character: span.startCol });
  const e = offsetAt(text, starts, { line: span.endLine, character: span.endCol });
  return `${name}\0${text.slice(s, e)}`;
}

function textAt(text: string, range: Range): string {
  const starts = lineStarts(text);
  return text.slice(offsetAt(text, starts, range.start), offsetAt(text, starts, range.end));
}

function toRange(span: Finding['span'], text: string): Range {
  const lines = text.split('\n');
  const clampLine = (l: number): number => Math.max(0, Math.min(l, lines.length - 1));
  const sl = clampLine(span.startLine);
  const el = clampLine(span.endLine);
  return {
    start: { line: sl, character: Math.max(0, Math.min(span.startCol, lines[sl].length)) },
    end: { line: el, character: Math.max(0, Math.min(span.endCol, lines[el].length)) },
  };
}

const severityOf: Record<Finding['severity'], DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  info: DiagnosticSeverity.Information,
};

export function toDiagnostic(f: Finding, viewText: string, rulesBaseUrl: string, fn?: FunctionReport): Diagnostic {
  const range = toRange(f.span, viewText);
  const data: DiagnosticData = { text: textAt(viewText, range), function: f.function, kind: fn?.kind, framework: fn?.framework };
  return {
    range,
    severity: severityOf[f.severity],
    source: 'gradprobe',
    code: f.code,
    codeDescription: { href: `${rulesBaseUrl}/${f.code}.md` },
    message: f.message,
    data,
  };
}

function contains(span: { startLine: number; startCol: number; endLine: number; endCol: number }, p: Position): boolean {
  const after = p.line > span.startLine || (p.line === span.startLine && p.character >= span.startCol);
  const before = p.line < span.endLine || (p.line === span.endLine && p.character <= span.endCol);
  return after && before;
}

/** Workspace scans started by this server (and any other service sharing its workers). */
let scansStarted = 0;

export class ProbeService {
  private readonly units = new Map<string, Unit>();
  private readonly viewToUnit = new Map<string, string>();
  /** Diagnostics of files the workspace scan published that are not open. */
  private readonly scanned = new Map<string, Diagnostic[]>();
  private lastStatus = '';
  /** Scheduling in progress (settings being read): `idle()` waits for these too. */
  private readonly scheduling = new Set<Promise<void>>();

  /**
   * `scanRunners`: the workspace scan's pool (the editor's scan uses every core); open documents
   * keep `runner` to themselves, so typing is never queued behind the scan.
   */
  constructor(private readonly host: ServiceHost, private readonly runner: ProbeRunner, private readonly scanRunners: readonly ProbeRunner[] = [runner]) {}

  /** Documents and notebooks open now. */
  get openUnits(): number {
    return this.units.size;
  }

  /** Function reports held for the open documents (hovers, lenses, the panel read them). */
  get heldReports(): number {
    let n = 0;
    for (const unit of this.units.values()) n += unit.byKey.size;
    return n;
  }

  // ------------------------------------------------------------------ documents in

  /** A document or notebook was opened, changed or saved. */
  update(source: UnitSource, trigger: Trigger): void {
    let unit = this.units.get(source.uri);
    if (!unit) {
      unit = { source, generation: 0, outlineWaiters: [], byKey: new Map(), published: new Map() };
      this.units.set(source.uri, unit);
    }
    const changed = unit.source.analysisText !== source.analysisText || unit.generation === 0;
    // Views that left (a deleted cell) lose their diagnostics.
    for (const old of unit.source.views) {
      if (!source.views.some((v) => v.uri === old.uri)) {
        this.viewToUnit.delete(old.uri);
        if (unit.published.delete(old.uri)) this.host.publish(old.uri, []);
      }
    }
    unit.source = source;
    for (const v of source.views) this.viewToUnit.set(v.uri, source.uri);
    if (changed) {
      unit.generation++;
      // Edits cancel probes in flight for the old text.
      if (unit.running && unit.running.generation !== unit.generation) unit.running.job.cancel();
    }
    if (trigger === 'change' && !changed) return;
    this.track(this.schedule(unit, trigger));
  }

  private track(p: Promise<void>): void {
    this.scheduling.add(p);
    void p.finally(() => this.scheduling.delete(p));
  }

  close(uri: string): void {
    const unit = this.units.get(uri);
    if (!unit) return;
    clearTimeout(unit.timer);
    unit.timer = undefined;
    unit.running?.job.cancel();
    for (const w of unit.outlineWaiters.splice(0)) w([]);
    for (const v of unit.source.views) {
      this.viewToUnit.delete(v.uri);
      this.host.publish(v.uri, this.scanned.get(v.uri) ?? []);
    }
    this.units.delete(uri);
    this.sendStatus();
  }

  /** Settings changed: forget cached settings (the host does) and re-run what the new settings say. */
  settingsChanged(): void {
    for (const unit of this.units.values()) this.track(this.schedule(unit, 'config'));
    this.host.refreshLenses();
  }

  private async schedule(unit: Unit, trigger: Trigger): Promise<void> {
    let s: ResolvedSettings;
    try {
      s = await this.host.settingsFor(unit.source.uri, unit.source.filePath);
    } catch (err) {
      this.fail(unit, err);
      return;
    }
    if (!this.units.has(unit.source.uri)) return;
    if (!s.editor.enable || !isSelected(unit.source.filePath, s)) {
      clearTimeout(unit.timer);
      unit.timer = undefined;
      unit.running?.job.cancel();
      for (const uri of unit.published.keys()) this.host.publish(uri, []);
      unit.published.clear();
      this.sendStatus();
      return;
    }
    const mode = s.editor.probeOn;
    const probe = trigger === 'command'
      || (trigger === 'config' && mode !== 'manual')
      || (trigger === 'open' && mode !== 'manual')
      || (trigger === 'save' && (mode === 'type' || mode === 'save'))
      || (trigger === 'change' && mode === 'type');
    clearTimeout(unit.timer);
    unit.timer = undefined;
    if (!probe) return;
    const delay = trigger === 'change' ? s.editor.debounceMs : 0;
    if (delay > 0) {
      unit.timer = setTimeout(() => {
        unit.timer = undefined;
        this.track(this.probe(unit));
      }, delay);
      return;
    }
    await this.probe(unit);
  }

  /** Probes the unit's current text (joins a probe already running for it). */
  private probe(unit: Unit): Promise<void> {
    const gen = unit.generation;
    if (unit.running && unit.running.generation === gen && unit.running.probe) return unit.running.done;
    if (unit.starting?.generation === gen) return unit.starting.done;
    const done = this.startJob(unit, true);
    unit.starting = { generation: gen, done };
    const clear = (): void => {
      if (unit.starting?.done === done) unit.starting = undefined;
    };
    void done.then(clear, clear);
    return done;
  }

  private async startJob(unit: Unit, probe: boolean): Promise<void> {
    const gen = unit.generation;
    const source = unit.source;
    let s: ResolvedSettings;
    try {
      s = await this.host.settingsFor(source.uri, source.filePath);
    } catch (err) {
      this.fail(unit, err);
      return;
    }
    if (unit.generation !== gen || !this.units.has(source.uri)) return;
    const views = source.views.map((v) => ({ ...v }));
    // Warm start: a document opened as the cache has it shows the cached report, unprobed.
    if (probe && !unit.report && source.filePath && this.host.cachedReport) {
      let cached: FileReport | undefined;
      try {
        cached = this.host.cachedReport({ filePath: source.filePath, text: source.analysisText, root: s.root, exclude: s.exclude, settings: s.core });
      } catch (err) {
        this.host.log(`result cache: ${err instanceof Error ? err.message : String(err)}`);
      }
      if (cached) {
        if (unit.running) unit.running.job.cancel();
        this.store(unit, gen, { outline: [], reports: [cached], cancelled: false, ms: 0 }, views, s);
        this.host.log(`${source.path}: ${cached.functions.length} function(s) from the result cache`);
        this.sendStatus();
        return;
      }
    }
    if (unit.running) unit.running.job.cancel();
    const job = this.runner.run(
      { files: [{ path: source.path, text: source.analysisText }], settings: s.core, probe, root: s.root, exclude: s.exclude },
      (outline) => {
        if (unit.generation === gen) this.setOutline(unit, gen, outline);
        if (unit.running?.job === job) unit.running.functions = outline.length;
        this.sendStatus();
      },
    );
    // A closed document's unit leaves `units` (a reopened one is a new unit): a job that answers after
    // that, having finished before it saw its cancellation, must not publish for it — the editor would
    // keep those diagnostics for a file no longer open, or show them over the reopened document's.
    const current = (): boolean => unit.generation === gen && this.units.get(source.uri) === unit;
    const done = (async () => {
      let outcome: JobOutcome | undefined;
      try {
        outcome = await job.result;
      } catch (err) {
        if (current()) this.fail(unit, err, s, views);
        else this.host.log(`analysis of ${source.path} (an older version) failed: ${err instanceof Error ? err.message : String(err)}`);
      } finally {
        if (unit.running?.job === job) unit.running = undefined;
      }
      if (outcome) {
        if (unit.generation === gen) this.setOutline(unit, gen, outcome.outline);
        if (probe && !outcome.cancelled && this.units.get(source.uri) === unit) this.store(unit, gen, outcome, views, s);
        if (probe) this.host.log(`${source.path}: ${outcome.outline.length} function(s) ${outcome.cancelled ? 'cancelled' : 'probed'} in ${Math.round(outcome.ms)} ms`);
      }
      this.sendStatus();
    })();
    unit.running = { generation: gen, probe, job, functions: probe ? 1 : 0, done };
    this.sendStatus();
    return done;
  }

  private setOutline(unit: Unit, gen: number, entries: OutlineEntry[]): void {
    unit.outline = { generation: gen, entries };
    const waiters = unit.outlineWaiters.splice(0);
    for (const w of waiters) w(entries);
  }

  private store(unit: Unit, gen: number, outcome: JobOutcome, views: View[], s: ResolvedSettings): void {
    const file = outcome.reports.find((r) => r.path === unit.source.path) ?? outcome.reports[0];
    if (!file) return;
    const viewFor = (cell?: number): View | undefined => (cell === undefined ? views[0] : views.find((v) => v.cell === cell));
    const current = new Set<string>();
    for (const fn of file.functions) {
      const view = viewFor(fn.cell);
      if (!view) continue;
      const key = functionKey(fn.name, view.text, fn.span);
      // Most recently reported last, so the oldest go first below.
      unit.byKey.delete(key);
      unit.byKey.set(key, fn);
      current.add(key);
    }
    // Reports of functions as they read before an edit serve an undo; a few are enough. Each carries
    // its sweep, and typing makes one per keystroke probed, so the rest go, oldest first.
    let stale = unit.byKey.size - current.size;
    for (const key of unit.byKey.keys()) {
      if (stale <= staleReportsPerDocument) break;
      if (!current.has(key)) {
        unit.byKey.delete(key);
        stale--;
      }
    }
    unit.failure = undefined;
    if (unit.generation !== gen) return;
    unit.report = { generation: gen, file, views };
    this.publish(unit, file, views, s);
    this.host.refreshLenses();
    this.host.probed?.([unit.source.uri, ...views.map((v) => v.uri).filter((u) => u !== unit.source.uri)]);
  }

  private publish(unit: Unit, file: FileReport, views: View[], s: ResolvedSettings): void {
    const fnByName = new Map(file.functions.map((f) => [`${f.name}\0${f.cell ?? ''}`, f]));
    const next = new Map<string, Diagnostic[]>();
    for (const view of views) next.set(view.uri, []);
    for (const f of file.findings) {
      const view = f.cell === undefined ? views[0] : views.find((v) => v.cell === f.cell);
      if (!view) continue;
      const fn = f.function ? fnByName.get(`${f.function}\0${f.cell ?? ''}`) : undefined;
      next.get(view.uri)!.push(toDiagnostic(f, view.text, s.editor.rulesBaseUrl, fn));
    }
    for (const [uri, diags] of next) {
      this.host.publish(uri, diags);
      this.scanned.delete(uri);
    }
    unit.published = next;
  }

  private fail(unit: Unit, err: unknown, s?: ResolvedSettings, views?: View[]): void {
    const message = err instanceof Error ? err.message.split('\n')[0] : String(err);
    unit.failure = message;
    this.host.log(`analysis of ${unit.source.path} failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
    // A job stopped by the watchdog is the file's problem to see (GP002); others are ours (the log).
    if (err instanceof JobTimeout && s && views?.length) {
      const f = finding('GP002', { message: `the probe failed: ${message}. If the file is valid, report this with the file attached`, span: { startLine: 0, startCol: 0, endLine: 0, endCol: 0 }, evidence: { reason: message } });
      const diag = toDiagnostic(f, views[0].text, s.editor.rulesBaseUrl);
      this.host.publish(views[0].uri, [diag]);
      unit.published = new Map([[views[0].uri, [diag]]]);
    }
    this.sendStatus(message);
  }

  private sendStatus(failure?: string): void {
    let probing = 0;
    let problems = 0;
    for (const unit of this.units.values()) {
      if (unit.running?.probe) probing += Math.max(1, unit.running.functions);
      for (const diags of unit.published.values()) problems += diags.filter((d) => d.severity === DiagnosticSeverity.Error || d.severity === DiagnosticSeverity.Warning).length;
    }
    for (const diags of this.scanned.values()) problems += diags.filter((d) => d.severity === DiagnosticSeverity.Error || d.severity === DiagnosticSeverity.Warning).length;
    const params: StatusNotification.Params = { probing, problems, ...(failure ? { failure } : {}) };
    const key = JSON.stringify(params);
    if (key === this.lastStatus) return;
    this.lastStatus = key;
    this.host.status(params);
  }

  /** Resolves when nothing is scheduled or running (tests, benchmarks). */
  async idle(): Promise<void> {
    for (;;) {
      if (this.scheduling.size) { await Promise.allSettled([...this.scheduling]); continue; }
      const units = [...this.units.values()];
      const running = units.map((u) => u.running?.done).filter((d): d is Promise<void> => !!d);
      if (running.length) { await Promise.all(running); continue; }
      if (units.some((u) => u.timer)) { await new Promise((r) => setTimeout(r, 20)); continue; }
      return;
    }
  }

  // ------------------------------------------------------------------ commands

  /** The "Probe gradients" lens and the probeDocument request: probe now, whatever probeOn says. */
  async probeNow(uri: string): Promise<{ functions: number; problems: number }> {
    const unit = this.unitOf(uri);
    if (!unit) return { functions: 0, problems: 0 };
    clearTimeout(unit.timer);
    unit.timer = undefined;
    await this.probe(unit);
    const fns = unit.report?.generation === unit.generation ? unit.report.file.functions.length : 0;
    let problems = 0;
    for (const d of unit.published.values()) problems += d.filter((x) => x.severity !== DiagnosticSeverity.Information).length;
    return { functions: fns, problems };
  }

  private unitOf(viewUri: string): Unit | undefined {
    const id = this.viewToUnit.get(viewUri) ?? viewUri;
    return this.units.get(id);
  }

  private viewOf(unit: Unit, viewUri: string): View | undefined {
    return unit.source.views.find((v) => v.uri === viewUri);
  }

  /** The report of a function whose text is unchanged in the current view, at or around `line`. */
  private currentReport(unit: Unit, view: View, name: string, line?: number): FunctionReport | undefined {
    const candidates = [...(unit.report?.file.functions ?? []), ...unit.byKey.values()]
      .filter((f) => f.name === name && (f.cell ?? undefined) === view.cell);
    for (const fn of candidates) {
      const key = functionKey(fn.name, view.text, fn.span);
      const hit = unit.byKey.get(key);
      if (hit && (line === undefined || hit.span.startLine === line || hit.nameSpan.startLine === line)) return hit;
    }
    // Shifted by an edit above it: match by the outline's position.
    const entry = unit.outline?.generation === unit.generation ? unit.outline.entries.find((e) => e.name === name && e.cell === view.cell && (line === undefined || e.span.startLine === line)) : undefined;
    return entry ? unit.byKey.get(functionKey(entry.name, view.text, entry.span)) : undefined;
  }

  functionReport(ref: FunctionRef, rulesBaseUrl: string): { title: string; markdown: string } | null {
    const unit = this.unitOf(ref.uri);
    const view = unit && this.viewOf(unit, ref.uri);
    if (!unit || !view) return null;
    const fn = this.currentReport(unit, view, ref.name, ref.line) ?? this.currentReport(unit, view, ref.name);
    if (!fn) return null;
    const where = `${unit.source.filePath ?? unit.source.path}${fn.cell !== undefined ? `, cell ${fn.cell + 1}` : ''}, line ${fn.span.startLine + 1}`;
    return { title: `${fn.name} — GradProbe report`, markdown: reportMarkdown(fn, where, rulesBaseUrl) };
  }

  /**
   * The probe panel's data for a function of an open document, computed by the runner (the probe
   * worker): fast parts by default, `parts` for the depth stacks and the training probe.
   */
  async panelData(ref: FunctionRef & { range?: number; parts?: PanelPart[] }): Promise<PanelData | null> {
    const unit = this.unitOf(ref.uri);
    const view = unit && this.viewOf(unit, ref.uri);
    if (!unit || !view) return null;
    const s = await this.host.settingsFor(unit.source.uri, unit.source.filePath);
    // The line the outline has now for the function nearest the asked line (an edit above it moves it).
    const entries = unit.outline?.generation === unit.generation ? unit.outline.entries.filter((e) => e.name === ref.name && e.cell === view.cell) : [];
    const line = entries.length ? entries.reduce((best, e) => (Math.abs(e.span.startLine - ref.line) < Math.abs(best.span.startLine - ref.line) ? e : best)).span.startLine : ref.line;
    const heavy = ref.parts ?? [];
    const parts: CorePanelPart[] = heavy.length ? heavy : ['curves', 'boundary'];
    const started = performance.now();
    const data = await this.runner.panelData({
      files: [{ path: unit.source.path, text: unit.source.analysisText }], settings: s.core, root: s.root, exclude: s.exclude,
      uri: ref.uri, file: s.root && unit.source.filePath ? relative(s.root, unit.source.filePath) : unit.source.filePath ?? unit.source.path, name: ref.name, line, cell: view.cell, range: ref.range, parts,
      pending: heavy.length ? [] : ['depth', 'training'],
    });
    // Only slow answers are worth a line: the panel asks after every probe of its document.
    const ms = performance.now() - started;
    if (ms > 3000) this.host.log(`panel data for ${ref.name} (${parts.join(', ')}) took ${Math.round(ms)} ms`);
    return data;
  }

  // ------------------------------------------------------------------ lenses

  private outlineFor(unit: Unit): Promise<OutlineEntry[]> {
    if (unit.outline?.generation === unit.generation) return Promise.resolve(unit.outline.entries);
    // Never hang a lens request: a job that fails leaves the lenses empty after 15 s, and its waiter goes.
    const wait = new Promise<OutlineEntry[]>((resolve) => {
      const waiter = (entries: OutlineEntry[]): void => {
        clearTimeout(timer);
        resolve(entries);
      };
      const timer = setTimeout(() => {
        const i = unit.outlineWaiters.indexOf(waiter);
        if (i >= 0) unit.outlineWaiters.splice(i, 1);
        resolve([]);
      }, 15_000);
      timer.unref();
      unit.outlineWaiters.push(waiter);
    });
    if (!unit.running || unit.running.generation !== unit.generation) void this.startJob(unit, false);
    return wait;
  }

  async codeLenses(viewUri: string): Promise<CodeLens[]> {
    const unit = this.unitOf(viewUri);
    const view = unit && this.viewOf(unit, viewUri);
    if (!unit || !view) return [];
    const s = await this.host.settingsFor(unit.source.uri, unit.source.filePath);
    if (!s.editor.enable || !s.editor.codeLens || !isSelected(unit.source.filePath, s)) return [];
    const entries = (await this.outlineFor(unit)).filter((e) => e.cell === view.cell);
    const current = this.viewOf(unit, viewUri);
    if (!current) return [];
    return entries.map((e) => {
      const line = e.span.startLine;
      const data: LensData = { unit: unit.source.uri, view: viewUri, name: e.name, line, key: functionKey(e.name, current.text, e.span) };
      return { range: { start: { line, character: 0 }, end: { line, character: 0 } }, data };
    });
  }

  resolveCodeLens(lens: CodeLens): CodeLens {
    const data = lens.data as LensData | undefined;
    const unit = data && this.unitOf(data.view);
    const fn = data && unit?.byKey.get(data.key);
    const ref: FunctionRef | undefined = data && { uri: data.view, name: data.name, line: data.line };
    if (fn && ref) lens.command = { title: lensTitle(fn), command: Commands.openPanel, arguments: [ref] };
    else if (ref) lens.command = { title: 'Probe gradients', command: Commands.probeFunction, arguments: [ref] };
    else lens.command = { title: 'Probe gradients', command: '' };
    return lens;
  }

  // ------------------------------------------------------------------ hover

  hover(viewUri: string, position: Position): Hover | null {
    const unit = this.unitOf(viewUri);
    const view = unit && this.viewOf(unit, viewUri);
    if (!unit || !view) return null;
    const fns = new Map<string, FunctionReport>();
    for (const f of [...(unit.report?.file.functions ?? []), ...unit.byKey.values()]) {
      if ((f.cell ?? undefined) !== view.cell || !contains(f.nameSpan, position)) continue;
      const hit = unit.byKey.get(functionKey(f.name, view.text, f.span));
      if (hit) fns.set(f.name, hit);
    }
    const fn = [...fns.values()][0];
    if (!fn) return null;
    const ref: FunctionRef = { uri: viewUri, name: fn.name, line: fn.span.startLine };
    return {
      contents: { kind: MarkupKind.Markdown, value: hoverMarkdown(fn, { command: Commands.openPanel, args: [ref] }) },
      range: toRange(fn.nameSpan, view.text),
    };
  }

  // ------------------------------------------------------------------ code actions

  private fixContext(unit: Unit, view: View, data: DiagnosticData, s: ResolvedSettings): FixContext {
    const fn = data.function && unit.report?.generation === unit.generation
      ? unit.report.file.functions.find((f) => f.name === data.function && (f.cell ?? undefined) === view.cell)
      : undefined;
    return {
      text: view.text,
      language: unit.source.language,
      framework: data.framework ?? fn?.framework ?? (unit.source.language === 'javascript' ? 'tfjs' : 'tensorflow'),
      kind: data.kind ?? fn?.kind,
      dtype: s.core.dtype,
      functionRange: fn ? toRange(fn.span, view.text) : undefined,
    };
  }

  /** Is the diagnostic still about the text that is there now? */
  private stillMatches(view: View, d: Diagnostic): d is Diagnostic & { data: DiagnosticData } {
    const data = d.data as DiagnosticData | undefined;
    return d.source === 'gradprobe' && !!data && typeof data.text === 'string' && textAt(view.text, d.range) === data.text;
  }

  private workspaceEdit(view: View, edits: Fix['edits']): WorkspaceEdit {
    // Versioned: the editor refuses the edit if the document changed since.
    const change: TextDocumentEdit = { textDocument: { uri: view.uri, version: view.version }, edits };
    return { documentChanges: [change] };
  }

  async codeActions(viewUri: string, _range: Range, context: CodeActionContext): Promise<CodeAction[]> {
    const unit = this.unitOf(viewUri);
    const view = unit && this.viewOf(unit, viewUri);
    if (!unit || !view) return [];
    const s = await this.host.settingsFor(unit.source.uri, unit.source.filePath);
    const only = context.only;
    const wants = (kind: string): boolean => !only || only.some((k) => kind === k || kind.startsWith(`${k}.`));
    const actions: CodeAction[] = [];
    if (wants(CodeActionKind.QuickFix)) {
      for (const d of context.diagnostics) {
        if (!this.stillMatches(view, d)) continue;
        const code = String(d.code);
        const fixes = fixesFor(code, d.range, this.fixContext(unit, view, d.data, s));
        for (const fix of fixes) {
          actions.push({ title: fix.title, kind: CodeActionKind.QuickFix, diagnostics: [d], isPreferred: !!fix.preferred, edit: this.workspaceEdit(view, fix.edits) });
        }
        const suppress = suppressionFix(code, d.range.start.line, { text: view.text, language: unit.source.language });
        actions.push({ title: suppress.title, kind: CodeActionKind.QuickFix, diagnostics: [d], edit: this.workspaceEdit(view, suppress.edits) });
      }
    }
    if (only && wants(fixAllKind)) {
      const action = this.fixAllAction(unit, view, s);
      if (action) actions.push(action);
    }
    return actions;
  }

  /** source.fixAll.gradprobe: every preferred fix of the view's current diagnostics that do not overlap. */
  private fixAllAction(unit: Unit, view: View, s: ResolvedSettings): CodeAction | undefined {
    const diags = (unit.published.get(view.uri) ?? []).filter((d) => this.stillMatches(view, d));
    const fixes = diags.flatMap((d) => {
      const code = String(d.code);
      // Only fixes that keep what the function means run unasked (the catalog's fix safety).
      if (ruleFor(code)?.fix !== 'safe') return [];
      return fixesFor(code, d.range, this.fixContext(unit, view, d.data as DiagnosticData, s));
    });
    const edits = fixAll(fixes);
    if (!edits.length) return undefined;
    return { title: 'Fix all GradProbe problems that have a safe fix', kind: fixAllKind, edit: this.workspaceEdit(view, edits) };
  }

  // ------------------------------------------------------------------ workspace scan

  async probeWorkspace(
    folders: string[],
    isCancelled: () => boolean,
    progress: (done: number, total: number, path?: string) => void,
    uriOf: (filePath: string) => string,
    workspaceFiles: WorkspaceFiles,
  ): Promise<{ files: number; functions: number; problems: number; cancelled: boolean; ms: number }> {
    const started = performance.now();
    // Each scan's jobs read the folder's context as one snapshot (AnalyzeRequest.scan); the number is
    // one count for every service, as several may share the workers' contexts (tests).
    const scan = ++scansStarted;
    const work: { folder: string; file: string; s: ResolvedSettings }[] = [];
    for (const folder of folders) {
      const s = await this.host.settingsFor(uriOf(folder), `${folder}/.`);
      if (!s.editor.enable) continue;
      const listing = await workspaceFiles.list(folder, s.include, s.exclude);
      for (const e of listing.errors) this.host.log(`workspace scan: ${e}`);
      for (const file of listing.files) work.push({ folder, file, s });
    }
    let functions = 0;
    let problems = 0;
    let done = 0;
    let cancelled = false;
    progress(0, work.length);
    // Each runner of the pool takes the next batch when it is free. Two lanes feed each runner, so
    // its worker finds the next batch queued when it finishes one (no idle turn while the main
    // thread reads files and posts); a runner holds at most one batch more than it is probing.
    const lanes = [...this.scanRunners, ...this.scanRunners].slice(0, Math.max(1, work.length));
    let next = 0;
    /**
     * Up to 8 files a batch, fewer as the end nears (a share of what is left per lane): the lanes
     * then finish together instead of one probing a last full batch while the other cores idle. A
     * batch is one workspace folder's (its job takes that folder's settings and root).
     */
    const take = (): typeof work => {
      const size = Math.min(8, Math.max(1, Math.ceil((work.length - next) / (2 * lanes.length))));
      const folder = work[next].folder;
      let end = next + 1;
      while (end < Math.min(work.length, next + size) && work[end].folder === folder) end++;
      const items = work.slice(next, end);
      next = end;
      return items;
    };
    const lane = async (runner: ProbeRunner): Promise<void> => {
      while (next < work.length) {
        if (isCancelled()) { cancelled = true; return; }
        const items = take();
        await this.scanBatch(items, scan, runner, workspaceFiles, isCancelled, uriOf, (f, p) => { functions += f; problems += p; });
        done += items.length;
        progress(done, work.length, items[items.length - 1] && relative(items[0].folder, items[items.length - 1].file));
        this.sendStatus();
      }
    };
    await Promise.all(lanes.map(lane));
    return { files: done, functions, problems, cancelled: cancelled || isCancelled(), ms: performance.now() - started };
  }

  private async scanBatch(
    items: { folder: string; file: string; s: ResolvedSettings }[],
    scan: number,
    runner: ProbeRunner,
    workspaceFiles: WorkspaceFiles,
    isCancelled: () => boolean,
    uriOf: (filePath: string) => string,
    count: (functions: number, problems: number) => void,
  ): Promise<void> {
    let functions = 0;
    let problems = 0;
    {
      const open = new Set([...this.units.values()].map((u) => u.source.filePath));
      const closed = items.filter((w) => !open.has(w.file));
      const files = workspaceFiles.readByJobs ? [] : (await Promise.all(closed.map(async (w) => {
        try {
          return [{ path: w.file, text: await workspaceFiles.read(w.file) }];
        } catch (err) {
          this.host.log(`workspace scan: cannot read ${w.file}: ${err instanceof Error ? err.message : String(err)}`);
          return [];
        }
      }))).flat();
      const paths = workspaceFiles.readByJobs ? closed.map((w) => w.file) : [];
      if (files.length || paths.length) {
        const { s, folder } = items[0];
        const job = runner.run({ files, paths, settings: s.core, probe: true, root: folder, exclude: s.exclude, reportData: false, scan });
        const poll = setInterval(() => { if (isCancelled()) job.cancel(); }, 100);
        try {
          const outcome = await job.result;
          for (const u of outcome.read?.unreadable ?? []) this.host.log(`workspace scan: cannot read ${u.path}: ${u.message}`);
          const texts = new Map([...files, ...(outcome.read?.texts ?? [])].map((f) => [f.path, f.text]));
          for (const report of outcome.reports) {
            const text = texts.get(report.path) ?? '';
            const diags = report.findings.map((f) => {
              // A closed notebook's findings are cell-relative: say which cell.
              const d = toDiagnostic(f, f.cell === undefined ? text : '', s.editor.rulesBaseUrl, report.functions.find((fn) => fn.name === f.function));
              if (f.cell !== undefined) { d.message = `cell ${f.cell + 1}: ${d.message}`; d.range = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }; }
              return d;
            });
            const uri = uriOf(report.path);
            this.scanned.set(uri, diags);
            this.host.publish(uri, diags);
            functions += report.functions.length;
            problems += diags.filter((d) => d.severity !== DiagnosticSeverity.Information).length;
          }
        } catch (err) {
          this.host.log(`workspace scan: ${items.map((w) => relative(w.folder, w.file)).join(', ')} failed: ${err instanceof Error ? err.message : String(err)}`);
        } finally {
          clearInterval(poll);
        }
      }
      // Open documents are analysed by their own schedule; count what they show.
      for (const w of items) {
        const unit = [...this.units.values()].find((u) => u.source.filePath === w.file);
        if (unit?.report) {
          functions += unit.report.file.functions.length;
          for (const d of unit.published.values()) problems += d.filter((x) => x.severity !== DiagnosticSeverity.Information).length;
        }
      }
    }
    count(functions, problems);
  }
}
