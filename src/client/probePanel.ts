// The probe panel's host: one webview panel, reused, that owns its lifetime (createOrShow, disposables,
// revival by a serializer). The page comes from the bundle folder only (dist/webview), under a CSP
// with a nonce; it keeps its own view state with getState/setState, so no retainContextWhenHidden.
// Data comes from the language server (PanelDataRequest, computed in its probe worker): first the
// fast part (the first plot), then the depth stacks and the training probe. Messages from the page are
// checked with the protocol's guards; anything else is logged and ignored.
import * as vscode from 'vscode';
import type { FunctionRef } from '../shared/commands';
import { makeNonce, panelHtml } from '../shared/panelHtml';
import {
  CopyCommand, DidChangeStateNotification, DidDrawCommand, ExportCommand, GoToSourceCommand, isPanelViewState, ReadyCommand, ReprobeCommand,
  SelectFunctionCommand, type PanelData, type PanelPart, type PanelStateParams,
} from '../shared/panelMessages';

/** What the panel needs of the language client (src/client/languageClient.ts implements it). */
export interface PanelClient {
  panelData(params: FunctionRef & { range?: number; parts?: PanelPart[] }): Promise<PanelData | null>;
  probeDocument(uri: string | undefined): Promise<void>;
  onDidProbe(listener: (uris: string[]) => void): vscode.Disposable;
}

export type PanelClientSource = () => Promise<PanelClient | undefined>;

export class ProbePanel {
  static readonly viewType = 'gradprobe.panel';
  /** The one panel; clicking another lens shows the other function in it. */
  static current: ProbePanel | undefined;

  private readonly disposables: vscode.Disposable[] = [];
  private state: PanelStateParams = { status: 'loading', busy: true, message: 'Probing…' };
  private range: number | undefined;
  /** Increases with every load: answers for an older one are dropped. */
  private generation = 0;

  static createOrShow(extensionUri: vscode.Uri, client: PanelClientSource, log: vscode.LogOutputChannel, ref: FunctionRef, options: { preserveFocus?: boolean; probeFirst?: boolean } = {}): ProbePanel {
    const column = vscode.window.activeTextEditor ? vscode.ViewColumn.Beside : vscode.ViewColumn.Active;
    if (ProbePanel.current) {
      ProbePanel.current.panel.reveal(column, options.preserveFocus);
      void ProbePanel.current.show(ref, options.probeFirst);
      return ProbePanel.current;
    }
    const panel = vscode.window.createWebviewPanel(ProbePanel.viewType, `GradProbe: ${ref.name}`, { viewColumn: column, preserveFocus: options.preserveFocus }, ProbePanel.webviewOptions(extensionUri));
    ProbePanel.current = new ProbePanel(panel, extensionUri, client, log);
    void ProbePanel.current.show(ref, options.probeFirst);
    return ProbePanel.current;
  }

  /** The serializer's half: VS Code restarted with the panel open; its page's saved state names the function. */
  static revive(panel: vscode.WebviewPanel, extensionUri: vscode.Uri, client: PanelClientSource, log: vscode.LogOutputChannel, saved: unknown): void {
    ProbePanel.current?.dispose();
    panel.webview.options = ProbePanel.webviewOptions(extensionUri);
    ProbePanel.current = new ProbePanel(panel, extensionUri, client, log);
    const ref = isPanelViewState(saved) ? saved.ref : undefined;
    if (ref) void ProbePanel.current.show(ref);
    else ProbePanel.current.post({ status: 'empty', busy: false, message: 'Open a function\'s probe panel from its code lens or hover.' });
  }

  static webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions & vscode.WebviewPanelOptions {
    return { enableScripts: true, enableCommandUris: false, localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist', 'webview')] };
  }

  private ref: FunctionRef | undefined;

  private constructor(private readonly panel: vscode.WebviewPanel, private readonly extensionUri: vscode.Uri, private readonly client: PanelClientSource, private readonly log: vscode.LogOutputChannel) {
    panel.webview.html = this.html();
    this.disposables.push(
      panel.onDidDispose(() => this.dispose()),
      panel.webview.onDidReceiveMessage((m: unknown) => this.onMessage(m)),
    );
    void client().then((c) => {
      if (!c || this.disposed) return;
      // New results for the panel's document (an edit, a save, a re-probe): show them.
      this.disposables.push(c.onDidProbe((uris) => {
        if (this.ref && uris.includes(this.ref.uri) && !this.state.busy) void this.load(false);
      }));
    });
  }

  private disposed = false;
  private drawLogged = false;

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (ProbePanel.current === this) ProbePanel.current = undefined;
    this.panel.dispose();
    for (const d of this.disposables.splice(0)) d.dispose();
  }

  private html(): string {
    const webview = this.panel.webview;
    const bundle = vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview');
    return panelHtml({
      cspSource: webview.cspSource,
      nonce: makeNonce((b) => crypto.getRandomValues(b)),
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(bundle, 'panel.js')).toString(),
      styleUri: webview.asWebviewUri(vscode.Uri.joinPath(bundle, 'panel.css')).toString(),
    });
  }

  /** Shows a function: (re)probes its document first when asked (the "Probe gradients" lens). */
  async show(ref: FunctionRef, probeFirst = false): Promise<void> {
    const other = !this.ref || this.ref.uri !== ref.uri || this.ref.name !== ref.name;
    this.ref = ref;
    if (other) this.range = undefined;
    this.panel.title = `GradProbe: ${ref.name}`;
    if (other) this.drawLogged = false;
    if (probeFirst) await this.reprobe(undefined);
    else await this.load(true);
  }

  private post(state: PanelStateParams): void {
    this.state = state;
    // A hidden panel's page is gone; it asks again (ready) when shown.
    if (this.panel.visible) void this.panel.webview.postMessage(DidChangeStateNotification.message(state));
  }

  /** Fetches the fast part, shows it, then the slow parts. */
  private async load(showLoading: boolean): Promise<void> {
    const ref = this.ref;
    if (!ref) return;
    const gen = ++this.generation;
    if (showLoading || !this.state.data) this.post({ ...this.state, status: this.state.data ? this.state.status : 'loading', busy: true, message: `Probing ${ref.name}…` });
    else this.post({ ...this.state, busy: true });
    const c = await this.client();
    if (!c) {
      this.post({ status: 'error', busy: false, message: 'The GradProbe language server is not running: see GradProbe: Show logs.' });
      return;
    }
    try {
      const base = await c.panelData({ ...ref, range: this.range });
      if (gen !== this.generation || this.disposed) return;
      if (!base) {
        this.post({ status: 'empty', busy: false, message: `No probe results for ${ref.name}: the function is no longer detected, or its document is closed.` });
        return;
      }
      this.ref = { uri: ref.uri, name: base.fn.name, line: base.fn.line };
      this.post({ status: 'ready', busy: base.pending.length > 0, data: base });
      if (!base.pending.length) return;
      const more = await c.panelData({ ...this.ref, range: this.range, parts: base.pending });
      if (gen !== this.generation || this.disposed) return;
      this.post({ status: 'ready', busy: false, data: { ...base, depth: more?.depth ?? base.depth, training: more?.training ?? base.training, pending: [], errors: [...base.errors, ...(more?.errors ?? [])] } });
    } catch (err) {
      if (gen !== this.generation) return;
      this.log.error(`probe panel: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
      this.post({ ...this.state, status: this.state.data ? 'ready' : 'error', busy: false, message: 'The probe failed: see GradProbe: Show logs.' });
    }
  }

  private async reprobe(range: number | undefined): Promise<void> {
    if (!this.ref) return;
    if (range !== undefined) this.range = range;
    this.post({ ...this.state, busy: true, message: `Probing ${this.ref.name}…` });
    const c = await this.client();
    try {
      await c?.probeDocument(this.ref.uri);
    } catch (err) {
      this.log.error(`probe panel: re-probe failed: ${err instanceof Error ? err.message : String(err)}`);
    }
    await this.load(false);
  }

  private onMessage(msg: unknown): void {
    switch (true) {
      case ReadyCommand.is(msg):
        void this.panel.webview.postMessage(DidChangeStateNotification.message(this.state));
        return;
      case SelectFunctionCommand.is(msg):
        if (this.ref) void this.show({ uri: this.ref.uri, name: msg.params.name, line: msg.params.line });
        return;
      case ReprobeCommand.is(msg):
        void this.reprobe(msg.params.range);
        return;
      case GoToSourceCommand.is(msg):
        void this.goToSource(msg.params.span);
        return;
      case ExportCommand.is(msg):
        void this.export(msg.params.format, msg.params.fileName, msg.params.content);
        return;
      case CopyCommand.is(msg):
        void vscode.env.clipboard.writeText(msg.params.text).then(() => vscode.window.setStatusBarMessage('GradProbe: probe data copied as JSON', 3000));
        return;
      case DidDrawCommand.is(msg): {
        // One line per function shown; the redraws after updates only at debug level.
        const line = `probe panel: first ${msg.params.view} plot ${Math.round(msg.params.sinceDataMs)} ms after its data arrived (page ${Math.round(msg.params.sinceStartMs)} ms after load)`;
        if (this.drawLogged) this.log.debug(line);
        else this.log.info(line);
        this.drawLogged = true;
        return;
      }
      default:
        this.log.warn(`probe panel: ignored a malformed message from the page: ${describe(msg)}`);
    }
  }

  private async goToSource(span: { startLine: number; startCol: number; endLine: number; endCol: number }): Promise<void> {
    if (!this.ref) return;
    const uri = vscode.Uri.parse(this.ref.uri);
    const range = new vscode.Range(span.startLine, span.startCol, span.endLine, span.endCol);
    const visible = vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === uri.toString());
    const doc = visible?.document ?? await vscode.workspace.openTextDocument(uri);
    const editor = await vscode.window.showTextDocument(doc, { viewColumn: visible?.viewColumn ?? vscode.ViewColumn.One, selection: doc.validateRange(range), preserveFocus: false });
    editor.revealRange(range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
  }

  private async export(format: 'png' | 'csv', fileName: string, content: string): Promise<void> {
    const doc = this.ref ? vscode.Uri.parse(this.ref.uri) : undefined;
    const folder = doc && vscode.workspace.getWorkspaceFolder(doc);
    const target = await vscode.window.showSaveDialog({
      defaultUri: folder ? vscode.Uri.joinPath(folder.uri, fileName) : undefined,
      filters: format === 'png' ? { 'PNG image': ['png'] } : { 'CSV': ['csv'] },
      title: `Export the probe panel as ${format.toUpperCase()}`,
    });
    if (!target) return;
    // atob and TextEncoder, not Buffer: the same code runs in VS Code for the Web.
    const bytes = format === 'png' ? Uint8Array.from(atob(content), (c) => c.charCodeAt(0)) : new TextEncoder().encode(content);
    await vscode.workspace.fs.writeFile(target, bytes);
    this.log.info(`probe panel: exported ${target.toString()}`);
  }
}

/** A short description of an unexpected message for the log (never its whole content). */
function describe(msg: unknown): string {
  if (typeof msg !== 'object' || msg === null) return typeof msg;
  const method = (msg as { method?: unknown }).method;
  return typeof method === 'string' ? `method ${JSON.stringify(method.slice(0, 60))} with unexpected parameters` : 'no method';
}

/** Revives the panel after a restart (registered in activate, with the onWebviewPanel activation event). */
export function panelSerializer(extensionUri: vscode.Uri, client: PanelClientSource, log: vscode.LogOutputChannel): vscode.WebviewPanelSerializer {
  return {
    async deserializeWebviewPanel(panel, state: unknown) {
      ProbePanel.revive(panel, extensionUri, client, log, state);
    },
  };
}
