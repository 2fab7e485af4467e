// The GradProbe language server's wiring, the same on both hosts: documents and notebooks in,
// diagnostics, lenses, hovers and code actions out. The logic lives in ProbeService. What differs
// between Node (server.ts: a process, probes in a worker thread, files on disk) and a browser worker
// (browserServer.ts: probes on the server's own worker, files through the editor) is the ServerHost.
// Every handler is guarded: a request that fails is logged, shows in the status, and answers empty;
// the server keeps serving.
import {
  CodeActionKind, CodeLensRefreshRequest, DidChangeConfigurationNotification, NotebookDocuments,
  TextDocuments, TextDocumentSyncKind, type Connection, type InitializeResult, type NotebookDocument, type WorkspaceFolder,
} from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { ConfigReader } from '../core/workspace/config';
import {
  FunctionReportRequest, PanelDataRequest, ProbedNotification, ProbeDocumentRequest, ProbeWorkspaceRequest, ServerMemoryRequest, StatusNotification,
  TimelineRequest, WorkspaceProgressNotification,
} from '../shared/customMessages';
import { defaultEditorSettings } from '../shared/settings';
import { fixAllKind, ProbeService, type ServiceHost, type Trigger, type UnitSource, type View, type WorkspaceFiles } from './probeService';
import type { ProbeRunner } from './probeRunner';
import { SettingsStore } from './settingsStore';
import { collectGarbage } from './gc';
import { mark, timeline } from '../shared/timeline';

/** What one host gives the server. */
export interface ServerHost {
  connection: Connection;
  runner: ProbeRunner;
  /** The path the analysis names a resource by, or undefined for one it cannot read (untitled). */
  pathOfUri(uri: string): string | undefined;
  uriOfPath(path: string): string;
  /** The workspace scan's listing and reads. */
  files: WorkspaceFiles;
  /** Fetches the config files that may apply to a file, when they cannot be read on demand (a browser). */
  configReader?(filePath: string | undefined, root: string | undefined): Promise<ConfigReader | undefined>;
  /** The host process's memory figures, in MB (zeros where a browser does not tell). */
  processMemory(): { rssMb: number; peakRssMb: number; heapUsedMb: number };
  /** Said in the log line of a ready server (`pid 123`, `browser worker`). */
  describe: string;
  /** The workspace scan's pool (a Node host: one probe worker per core); without it the scan uses `runner`. */
  scanRunners?: ProbeRunner[];
  /** The version the server reports to the client. */
  version: string;
  /**
   * A document was opened: start what its analysis will need (its grammar, its folder's context and
   * its parse) while its settings are fetched. Only where the probes run on the server's own thread
   * (a browser worker); errors are the analysis's to report.
   */
  warm?(file: { path: string; text: string }, root: string | undefined): void;
  /** Reads `.gradprobe_cache/` for a document opened unchanged (Node host). */
  cachedReport?: ServiceHost['cachedReport'];
}

/** The gradprobe settings object inside what a client sends: `{ gradprobe: {…} }`, `{ settings: { gradprobe: {…} } }`, or the object itself. */
function gradprobeSection(value: unknown): Record<string, unknown> {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return {};
  const v = value as Record<string, unknown>;
  if (v.settings && typeof v.settings === 'object') return gradprobeSection(v.settings);
  if (v.gradprobe && typeof v.gradprobe === 'object' && !Array.isArray(v.gradprobe)) return v.gradprobe as Record<string, unknown>;
  return v;
}

export function startServer(host: ServerHost): void {
  const { connection, runner, pathOfUri, uriOfPath } = host;
  const documents = new TextDocuments(TextDocument);
  const notebooks = new NotebookDocuments(TextDocument);

  let workspaceFolders: string[] = [];
  let canPullConfiguration = false;
  let canRefreshLenses = false;

  const log = (message: string): void => connection.console.log(message);

  function rootOf(filePath: string | undefined): string | undefined {
    if (!filePath) return undefined;
    return workspaceFolders.filter((f) => filePath === f || filePath.startsWith(f.endsWith('/') ? f : `${f}/`)).sort((a, b) => b.length - a.length)[0];
  }

  /**
   * Editors other than VS Code give settings in `initializationOptions` (Helix's `config`, Neovim's
   * `init_options`), push them with workspace/didChangeConfiguration, or answer workspace/configuration
   * (Neovim's `settings`): the later of these win, key by key.
   */
  let initializationSettings: Record<string, unknown> = {};
  let pushedSettings: Record<string, unknown> = {};
  async function editorSettings(scopeUri: string): Promise<unknown> {
    const pulled = canPullConfiguration ? gradprobeSection(await connection.workspace.getConfiguration({ scopeUri, section: 'gradprobe' })) : {};
    return { ...initializationSettings, ...pushedSettings, ...pulled };
  }
  const scanRunners = host.scanRunners ?? [];
  const allRunners = [runner, ...scanRunners];

  const settings = new SettingsStore(
    editorSettings,
    rootOf,
    log,
    host.configReader,
  );

  let lensRefresh: ReturnType<typeof setTimeout> | undefined;
  const service = new ProbeService({
    settingsFor: (uri, filePath) => settings.get(uri, filePath),
    publish: (uri, diagnostics) => {
      mark(`server: published ${diagnostics.length} diagnostic(s) for ${uri}`);
      void connection.sendDiagnostics({ uri, diagnostics });
    },
    status: (params) => void connection.sendNotification(StatusNotification.type, params),
    refreshLenses: () => {
      if (!canRefreshLenses) return;
      clearTimeout(lensRefresh);
      lensRefresh = setTimeout(() => void connection.sendRequest(CodeLensRefreshRequest.type).catch(() => undefined), 30);
    },
    log,
    probed: (uris) => void connection.sendNotification(ProbedNotification.type, { uris }),
    cachedReport: host.cachedReport,
  }, runner, scanRunners.length ? scanRunners : undefined);

  /** Runs a handler; a failure is logged and answered with `empty`. */
  async function guard<T>(what: string, empty: T, run: () => T | Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (err) {
      log(`${what} failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
      void connection.sendNotification(StatusNotification.type, { probing: 0, problems: 0, failure: `${what} failed` });
      return empty;
    }
  }

  const extensionOf: Record<string, string> = { python: '.py', javascript: '.js', javascriptreact: '.jsx', typescript: '.ts', typescriptreact: '.tsx' };

  function documentSource(doc: TextDocument): UnitSource {
    let filePath = pathOfUri(doc.uri);
    let path = filePath;
    const ext = extensionOf[doc.languageId] ?? '.py';
    if (doc.uri.startsWith('vscode-notebook-cell:')) {
      // A cell outside a Jupyter notebook (an interactive window): analysed as a Python file of its own.
      const nb = pathOfUri(`file:${doc.uri.slice('vscode-notebook-cell:'.length).split('#')[0]}`);
      filePath = undefined;
      path = `${nb ?? '/untitled/notebook'}.cell-${doc.uri.split('#')[1] ?? '0'}${ext}`;
    }
    if (!path || !/\.(py|pyi|js|mjs|cjs|jsx|ts|mts|cts|tsx)$/i.test(path)) path = `/untitled/${encodeURIComponent(doc.uri)}${ext}`;
    return {
      uri: doc.uri, kind: 'document', path, filePath, language: doc.languageId.startsWith('python') ? 'python' : 'javascript',
      views: [{ uri: doc.uri, version: doc.version, text: doc.getText() }], analysisText: doc.getText(),
    };
  }

  function notebookSource(nb: NotebookDocument): UnitSource {
    const views: View[] = [];
    const cells = nb.cells.map((cell, index) => {
      const doc = notebooks.getCellTextDocument(cell);
      const text = doc?.getText() ?? '';
      const isCode = cell.kind === 2 && (doc?.languageId ?? 'python') === 'python';
      if (doc && isCode) views.push({ uri: doc.uri, version: doc.version, text, cell: index });
      return { cell_type: isCode ? 'code' : 'markdown', metadata: {}, source: text, ...(isCode ? { outputs: [], execution_count: null } : {}) };
    });
    const filePath = pathOfUri(nb.uri);
    const path = filePath && filePath.toLowerCase().endsWith('.ipynb') ? filePath : `/untitled/${encodeURIComponent(nb.uri)}.ipynb`;
    return {
      uri: nb.uri, kind: 'notebook', path, filePath, language: 'python', views,
      analysisText: JSON.stringify({ cells, metadata: {}, nbformat: 4, nbformat_minor: 5 }),
    };
  }

  function update(source: () => UnitSource, trigger: Trigger): void {
    if (trigger !== 'open') mark(`server: ${trigger}`);
    void guard(`analysis (${trigger})`, undefined, () => service.update(source(), trigger));
  }

  connection.onInitialize((params): InitializeResult => {
    mark('server: initialize');
    canPullConfiguration = !!params.capabilities.workspace?.configuration;
    canRefreshLenses = !!params.capabilities.workspace?.codeLens?.refreshSupport;
    initializationSettings = gradprobeSection(params.initializationOptions);
    workspaceFolders = (params.workspaceFolders ?? []).map((f: WorkspaceFolder) => pathOfUri(f.uri)).filter((p): p is string => !!p);
    if (!workspaceFolders.length && params.rootUri) {
      const root = pathOfUri(params.rootUri);
      if (root) workspaceFolders = [root];
    }
    return {
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental, save: { includeText: false } },
        notebookDocumentSync: { notebookSelector: [{ notebook: { notebookType: 'jupyter-notebook' }, cells: [{ language: 'python' }] }], save: true },
        codeLensProvider: { resolveProvider: true },
        hoverProvider: true,
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix, fixAllKind], resolveProvider: false },
        workspace: { workspaceFolders: { supported: true, changeNotifications: true } },
      },
      serverInfo: { name: 'gradprobe', version: host.version },
    };
  });

  connection.onInitialized(() => {
    if (canPullConfiguration) void connection.client.register(DidChangeConfigurationNotification.type, { section: 'gradprobe' }).catch(() => undefined);
    void connection.workspace.onDidChangeWorkspaceFolders?.((e) => {
      const removed = new Set(e.removed.map((f) => pathOfUri(f.uri)));
      workspaceFolders = [...workspaceFolders.filter((f) => !removed.has(f)), ...e.added.map((f) => pathOfUri(f.uri)).filter((p): p is string => !!p)];
      settings.clear();
      for (const r of allRunners) r.forget();
    });
    log(`GradProbe language server ready (${host.describe}); defaults: probe on ${defaultEditorSettings.probeOn}, time budget ${defaultEditorSettings.timeBudgetMs} ms`);
  });

  connection.onDidChangeConfiguration((params) => {
    mark('server: configuration changed');
    // VS Code sends no payload (the server pulls); other clients push the settings themselves.
    const pushed = gradprobeSection(params.settings);
    if (Object.keys(pushed).length) pushedSettings = pushed;
    settings.clear();
    service.settingsChanged();
  });

  connection.onDidChangeWatchedFiles((e) => {
    mark('server: watched files changed');
    const configChanged = e.changes.some((c) => /(pyproject\.toml|gradprobe\.toml|package\.json)$/.test(c.uri));
    for (const r of allRunners) r.forget();
    if (configChanged) {
      settings.clear();
      service.settingsChanged();
    }
  });

  documents.onDidOpen((e) => {
    mark(`server: opened ${e.document.uri}`);
    if (host.warm) {
      const source = documentSource(e.document);
      host.warm({ path: source.path, text: source.analysisText }, rootOf(source.filePath));
    }
    update(() => documentSource(e.document), 'open');
  });
  documents.onDidChangeContent((e) => update(() => documentSource(e.document), 'change'));
  documents.onDidSave((e) => update(() => documentSource(e.document), 'save'));
  documents.onDidClose((e) => {
    service.close(e.document.uri);
    settings.forget(e.document.uri);
  });

  notebooks.onDidOpen((nb) => {
    if (host.warm) {
      const source = notebookSource(nb);
      host.warm({ path: source.path, text: source.analysisText }, rootOf(source.filePath));
    }
    update(() => notebookSource(nb), 'open');
  });
  notebooks.onDidChange((e) => update(() => notebookSource(e.notebookDocument), 'change'));
  notebooks.onDidSave((nb) => update(() => notebookSource(nb), 'save'));
  notebooks.onDidClose((nb) => {
    service.close(nb.uri);
    settings.forget(nb.uri);
  });

  connection.onCodeLens((p) => guard('code lenses', [], () => service.codeLenses(p.textDocument.uri)));
  connection.onCodeLensResolve((lens) => guard('code lens', lens, () => service.resolveCodeLens(lens)));
  connection.onHover((p) => guard('hover', null, () => service.hover(p.textDocument.uri, p.position)));
  connection.onCodeAction((p) => guard('code actions', [], () => service.codeActions(p.textDocument.uri, p.range, p.context)));

  connection.onRequest(ProbeDocumentRequest.type, (p) => guard('probe', { functions: 0, problems: 0 }, () => service.probeNow(p.uri)));
  connection.onRequest(FunctionReportRequest.type, (p) => guard('function report', null, async () => {
    const s = await settings.get(p.uri, pathOfUri(p.uri));
    return service.functionReport(p, s.editor.rulesBaseUrl);
  }));
  connection.onRequest(PanelDataRequest.type, (p) => guard('panel data', null, () => service.panelData(p)));
  connection.onRequest(ProbeWorkspaceRequest.type, (p, token) => guard('workspace scan', { files: 0, functions: 0, problems: 0, cancelled: false, ms: 0 }, () => {
    const folders = p.folders?.length ? p.folders.map((f) => pathOfUri(f) ?? f) : workspaceFolders;
    return service.probeWorkspace(
      folders,
      () => token.isCancellationRequested,
      (done, total, path) => void connection.sendNotification(WorkspaceProgressNotification.type, { done, total, path }),
      uriOfPath,
      host.files,
    );
  }));

  connection.onRequest(ServerMemoryRequest.type, (p) => guard('memory figures', null, async (): Promise<ServerMemoryRequest.Figures> => {
    const worker = await runner.memory(!!p?.collect);
    if (p?.collect) collectGarbage();
    return {
      ...host.processMemory(),
      documents: service.openUnits, reports: service.heldReports, workerStarts: runner.starts, worker,
    };
  }));

  connection.onRequest(TimelineRequest.type, () => timeline());

  connection.onShutdown(() => { for (const r of allRunners) r.dispose(); });

  documents.listen(connection);
  notebooks.listen(connection);
  connection.listen();
}
