// The bundled language server (dist/server.js) as an editor drives it over stdio, for tests, the fuzz
// run and the load benchmark: initialize, open and change documents and notebooks, wait for what
// the user would see (diagnostics, log lines), and time requests. Knows nothing about assertions.
import { withMallocEnv } from '../../src/shared/mallocEnv';
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  ConfigurationRequest, createProtocolConnection, DidChangeTextDocumentNotification, DidCloseNotebookDocumentNotification,
  DidCloseTextDocumentNotification, DidOpenNotebookDocumentNotification, DidOpenTextDocumentNotification, DidSaveTextDocumentNotification,
  InitializedNotification, InitializeRequest, LogMessageNotification, NotebookCellKind, PublishDiagnosticsNotification, StreamMessageReader,
  StreamMessageWriter, type Diagnostic, type ProtocolConnection, type Range,
} from 'vscode-languageserver-protocol/node';
import { StatusNotification, WorkspaceProgressNotification } from '../../src/shared/customMessages';

export interface Published { at: number; diagnostics: Diagnostic[]; seq: number }

export interface ServerOptions {
  /** The repository root (dist/server.js is under it). */
  root: string;
  /** The workspace folder the server is initialised with. */
  workspace: string;
  /** What `workspace/configuration` answers for gradprobe (the editor settings). */
  settings?: Record<string, unknown>;
  /** Prefix the server's command line (e.g. a watcher: ['strace', ...]); the server's argv follows. */
  wrap?: string[];
  /** Extra node options (e.g. --require a preload). */
  nodeArgs?: string[];
  env?: NodeJS.ProcessEnv;
  /** Extra stdio entries after stdin/stdout/stderr (e.g. a pipe a preload writes to). */
  extraStdio?: SpawnOptions['stdio'];
  /** The server's command line after node (default: dist/server.js --stdio), e.g. the CLI's `server --stdio`. */
  entry?: string[];
  /** The full command instead of node and `entry` (e.g. an installed `gradprobe`). */
  command?: string[];
  /** Sent as `initializationOptions` (how Helix and Neovim give settings). */
  initializationOptions?: unknown;
  /** Whether the client answers workspace/configuration (default true; Helix-like clients may not). */
  configuration?: boolean;
}

export class LspServer {
  readonly process: ChildProcess;
  readonly connection: ProtocolConnection;
  readonly published = new Map<string, Published>();
  readonly logs: string[] = [];
  readonly statuses: StatusNotification.Params[] = [];
  readonly progress: WorkspaceProgressNotification.Params[] = [];
  settings: Record<string, unknown>;
  stderr = '';
  private seq = 0;
  private version = 0;
  private readonly waiters = new Set<() => void>();

  constructor(private readonly options: ServerOptions) {
    this.settings = { backend: 'cpu', ...options.settings };
    const node = [...(options.nodeArgs ?? []), ...(options.entry ?? [join(options.root, 'dist/server.js'), '--stdio'])];
    const [cmd, ...args] = options.command?.length ? options.command : options.wrap?.length ? [...options.wrap, process.execPath, ...node] : [process.execPath, ...node];
    const extra = Array.isArray(options.extraStdio) ? options.extraStdio : [];
    // Started as the editor starts it (languageClient.ts), with its malloc settings.
    this.process = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe', ...extra], env: withMallocEnv(options.env ?? process.env) });
    this.process.stderr!.on('data', (d: Buffer) => { this.stderr += d.toString(); });
    this.connection = createProtocolConnection(new StreamMessageReader(this.process.stdout!), new StreamMessageWriter(this.process.stdin!));
    this.connection.onNotification(PublishDiagnosticsNotification.type, (p) => {
      this.published.set(p.uri, { at: performance.now(), diagnostics: p.diagnostics, seq: ++this.seq });
      this.wake();
    });
    this.connection.onNotification(LogMessageNotification.type, (p) => { this.logs.push(p.message); this.wake(); });
    this.connection.onNotification(StatusNotification.type, (s) => { this.statuses.push(s); this.wake(); });
    this.connection.onNotification(WorkspaceProgressNotification.type, (p) => { this.progress.push(p); this.wake(); });
    this.connection.onRequest(ConfigurationRequest.type, (p) => p.items.map(() => this.settings));
    this.connection.onRequest('client/registerCapability', () => null);
    this.connection.onRequest('workspace/codeLens/refresh', () => null);
    this.connection.listen();
  }

  private wake(): void {
    for (const w of [...this.waiters]) w();
  }

  get alive(): boolean {
    return this.process.exitCode === null && this.process.signalCode === null;
  }

  get pid(): number {
    return this.process.pid ?? -1;
  }

  async initialize(): Promise<void> {
    const ws = pathToFileURL(this.options.workspace).href;
    await this.connection.sendRequest(InitializeRequest.type, {
      processId: process.pid, rootUri: ws, workspaceFolders: [{ uri: ws, name: 'ws' }],
      initializationOptions: this.options.initializationOptions,
      capabilities: { workspace: { configuration: this.options.configuration ?? true, workspaceFolders: true, codeLens: { refreshSupport: false } } },
    });
    await this.connection.sendNotification(InitializedNotification.type, {});
  }

  /** Resolves when `ok()` holds, re-checked on every message from the server; rejects after `ms` or if the server dies. */
  until<T>(what: string, ok: () => T | undefined | false, ms = 30_000): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const check = (): void => {
        let v: T | undefined | false;
        try {
          v = ok();
        } catch (err) {
          done();
          reject(err instanceof Error ? err : new Error(String(err)));
          return;
        }
        if (v !== undefined && v !== false) { done(); resolve(v); return; }
        if (!this.alive) { done(); reject(new Error(`the server died (code ${this.process.exitCode}, signal ${this.process.signalCode}) while waiting for ${what}`)); }
      };
      const timer = setTimeout(() => { done(); reject(new Error(`no ${what} within ${ms} ms`)); }, ms);
      const poll = setInterval(check, 250);
      const done = (): void => { clearTimeout(timer); clearInterval(poll); this.waiters.delete(check); };
      this.waiters.add(check);
      check();
    });
  }

  /** Diagnostics of `uri` published after `afterSeq` (0: any) that satisfy `ok`. */
  diagnostics(uri: string, ok: (d: Diagnostic[]) => boolean = () => true, ms = 30_000, afterSeq = 0): Promise<Diagnostic[]> {
    return this.until(`diagnostics for ${uri}`, () => {
      const p = this.published.get(uri);
      return p && p.seq > afterSeq && ok(p.diagnostics) ? p.diagnostics : undefined;
    }, ms);
  }

  /** The sequence number of the last publication: pass it to `diagnostics` to wait for a newer one. */
  get lastSeq(): number {
    return this.seq;
  }

  log(pattern: RegExp, ms = 30_000): Promise<string> {
    return this.until(`a log line matching ${pattern}`, () => this.logs.find((l) => pattern.test(l)), ms);
  }

  open(path: string, text: string, languageId = languageOf(path)): string {
    const uri = pathToFileURL(path).href;
    void this.connection.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId, version: ++this.version, text } });
    return uri;
  }

  change(uri: string, text: string): void {
    void this.connection.sendNotification(DidChangeTextDocumentNotification.type, { textDocument: { uri, version: ++this.version }, contentChanges: [{ text }] });
  }

  /** An incremental change, as an editor sends a keystroke or a paste; returns the document's new version. */
  edit(uri: string, range: Range, text: string): number {
    const version = ++this.version;
    void this.connection.sendNotification(DidChangeTextDocumentNotification.type, { textDocument: { uri, version }, contentChanges: [{ range, text }] });
    return version;
  }

  save(uri: string): void {
    void this.connection.sendNotification(DidSaveTextDocumentNotification.type, { textDocument: { uri } });
  }

  close(uri: string): void {
    void this.connection.sendNotification(DidCloseTextDocumentNotification.type, { textDocument: { uri } });
  }

  /** Opens a notebook of code cells; returns the notebook's URI and each code cell's URI. */
  openNotebook(path: string, cells: { kind: 'code' | 'markdown'; text: string }[]): { uri: string; cells: string[] } {
    const uri = pathToFileURL(path).href;
    const cellUris = cells.map((_, i) => `vscode-notebook-cell:${uri.slice('file:'.length)}#C${i}`);
    void this.connection.sendNotification(DidOpenNotebookDocumentNotification.type, {
      notebookDocument: { uri, notebookType: 'jupyter-notebook', version: ++this.version, cells: cells.map((c, i) => ({ kind: c.kind === 'code' ? NotebookCellKind.Code : NotebookCellKind.Markup, document: cellUris[i] })) },
      cellTextDocuments: cells.map((c, i) => ({ uri: cellUris[i], languageId: c.kind === 'code' ? 'python' : 'markdown', version: 1, text: c.text })),
    });
    return { uri, cells: cellUris.filter((_, i) => cells[i].kind === 'code') };
  }

  closeNotebook(uri: string, cells: string[]): void {
    void this.connection.sendNotification(DidCloseNotebookDocumentNotification.type, { notebookDocument: { uri }, cellTextDocuments: cells.map((c) => ({ uri: c })) });
  }

  /** Sends a request and measures how long its answer took. */
  async timed<R>(send: () => Promise<R>): Promise<{ ms: number; result: R }> {
    const t = performance.now();
    const result = await send();
    return { ms: performance.now() - t, result };
  }

  /** Peak and current resident set size of the server process and its threads (Linux), in MB. */
  memory(): { rssMb: number; peakRssMb: number } {
    try {
      const status = readFileSync(`/proc/${this.pid}/status`, 'utf8');
      return { rssMb: Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024, peakRssMb: Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024 };
    } catch {
      return { rssMb: 0, peakRssMb: 0 };
    }
  }

  /** Resolves when the process has exited (or after `ms`); true if it did. */
  exited(ms: number): Promise<boolean> {
    if (!this.alive) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(!this.alive), ms);
      this.process.once('exit', () => { clearTimeout(timer); resolve(true); });
    });
  }

  /** shutdown + exit as an editor ends a session; then SIGTERM, then SIGKILL, until the process is gone. */
  async dispose(): Promise<void> {
    if (this.alive) {
      try {
        await Promise.race([this.connection.sendRequest('shutdown'), new Promise((r) => setTimeout(r, 3000))]);
        await this.connection.sendNotification('exit');
      } catch {
        // already gone
      }
    }
    if (!(await this.exited(3000))) this.process.kill('SIGTERM');
    if (!(await this.exited(3000))) this.process.kill('SIGKILL');
    await this.exited(3000);
    this.connection.dispose();
  }
}

export function languageOf(path: string): string {
  if (/\.(js|mjs|cjs|jsx)$/.test(path)) return 'javascript';
  if (/\.(ts|mts|cts|tsx)$/.test(path)) return 'typescript';
  return 'python';
}

/** Lines of the server's log that say something escaped a handler or the worker failed. */
export function failureLogs(logs: string[]): string[] {
  return logs.filter((l) => /^(unexpected error|unexpected rejection)|failed: |probe worker (failed|exited)|did not finish within/.test(l));
}
