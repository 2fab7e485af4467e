// The language client (dist/languageClient.js, loaded by extension.ts after activation): starts the
// server as a separate Node process over IPC, sends the gradprobe.* settings the user set (per
// resource), and carries the custom requests and notifications of src/shared/customMessages.ts.
import * as vscode from 'vscode';
import { join } from 'node:path';
import {
  CloseAction, ErrorAction, LanguageClient, RevealOutputChannelOn, TransportKind,
  type ConfigurationParams, type LanguageClientOptions, type ServerOptions,
} from 'vscode-languageclient/node';
import { Commands } from '../shared/commands';
import {
  PanelDataRequest, ProbedNotification, ProbeDocumentRequest, ProbeWorkspaceRequest, StatusNotification, WorkspaceProgressNotification,
} from '../shared/customMessages';
import { editorSettingKeys, type ExplicitEditorSettings } from '../shared/settings';
import type { StatusItem } from './statusItem';

export interface GradProbeClient {
  probeDocument(uri: string | undefined): Promise<void>;
  probeWorkspace(): Promise<void>;
  /** The probe panel's data (see PanelDataRequest). */
  panelData(params: PanelDataRequest.Params): Promise<PanelDataRequest.Result>;
  /** Called with the URIs of documents that have new probe results. */
  onDidProbe(listener: (uris: string[]) => void): vscode.Disposable;
  stop(): Promise<void>;
}

/** Only what the user set, at the most specific level, so the project's config file fills the rest. */
function explicitSettings(scopeUri: string | undefined): ExplicitEditorSettings {
  const scope = scopeUri ? vscode.Uri.parse(scopeUri) : undefined;
  const config = vscode.workspace.getConfiguration('gradprobe', scope);
  const out: Record<string, unknown> = {};
  for (const key of editorSettingKeys) {
    const i = config.inspect(key);
    if (!i) continue;
    const value = i.workspaceFolderLanguageValue ?? i.workspaceFolderValue ?? i.workspaceLanguageValue ?? i.workspaceValue ?? i.globalLanguageValue ?? i.globalValue;
    if (value !== undefined) out[key] = value;
  }
  return out as ExplicitEditorSettings;
}

export function startLanguageClient(context: vscode.ExtensionContext, output: vscode.LogOutputChannel, status: StatusItem): GradProbeClient {
  const module = join(__dirname, 'server.js');
  const serverOptions: ServerOptions = {
    run: { module, transport: TransportKind.ipc },
    debug: { module, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6019'] } },
  };
  let restarts: number[] = [];
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: 'file', language: 'python' }, { scheme: 'untitled', language: 'python' },
      { scheme: 'file', language: 'javascript' }, { scheme: 'untitled', language: 'javascript' },
      { scheme: 'file', language: 'typescript' }, { scheme: 'untitled', language: 'typescript' },
      { scheme: 'file', language: 'javascriptreact' }, { scheme: 'file', language: 'typescriptreact' },
      { notebook: { notebookType: 'jupyter-notebook' }, language: 'python' },
    ],
    diagnosticCollectionName: 'gradprobe',
    outputChannel: output,
    revealOutputChannelOn: RevealOutputChannelOn.Never, // no pop-ups: the status bar item leads to the log
    synchronize: { fileEvents: vscode.workspace.createFileSystemWatcher('**/{pyproject.toml,gradprobe.toml,package.json}') },
    markdown: { isTrusted: { enabledCommands: [Commands.openPanel, Commands.probeFunction] }, supportHtml: false },
    middleware: {
      workspace: {
        configuration: (params: ConfigurationParams, token, next) => {
          if (!params.items.every((item) => item.section === 'gradprobe')) return next(params, token);
          return params.items.map((item) => explicitSettings(item.scopeUri));
        },
      },
    },
    initializationFailedHandler: (error) => {
      output.error(`the GradProbe server failed to start: ${error instanceof Error ? error.stack ?? error.message : String(error)}`);
      status.failed('the server failed to start');
      return false;
    },
    errorHandler: {
      error: (error, _message, count) => {
        output.error(`connection to the GradProbe server: ${error.message}`);
        return { action: (count ?? 0) <= 3 ? ErrorAction.Continue : ErrorAction.Shutdown };
      },
      closed: () => {
        const now = Date.now();
        restarts = [...restarts.filter((t) => now - t < 180_000), now];
        if (restarts.length <= 4) {
          output.warn('the GradProbe server stopped; restarting it');
          return { action: CloseAction.Restart, handled: true };
        }
        status.failed('the server stopped 5 times in 3 minutes and was not restarted');
        return { action: CloseAction.DoNotRestart, message: 'The GradProbe server stopped 5 times in 3 minutes and will not be restarted. See GradProbe: Show logs.' };
      },
    },
  };
  const client = new LanguageClient('gradprobe', 'GradProbe', serverOptions, clientOptions);
  let progress: ((p: WorkspaceProgressNotification.Params) => void) | undefined;
  const probed = new vscode.EventEmitter<string[]>();
  context.subscriptions.push(
    probed,
    client.onNotification(ProbedNotification.type, (p) => probed.fire(p.uris)),
    client.onNotification(StatusNotification.type, (s) => status.update(s)),
    client.onNotification(WorkspaceProgressNotification.type, (p) => progress?.(p)),
  );
  const started = client.start().then(
    () => output.info('GradProbe language server started'),
    (err: unknown) => {
      output.error(`GradProbe language server did not start: ${err instanceof Error ? err.message : String(err)}`);
      status.failed('the server did not start');
    },
  );

  return {
    async probeDocument(uri) {
      if (!uri) return;
      await started;
      const r = await client.sendRequest(ProbeDocumentRequest.type, { uri });
      output.info(`probed ${uri}: ${r.functions} function(s), ${r.problems} problem(s)`);
    },
    async probeWorkspace() {
      await started;
      await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'GradProbe: probing the workspace', cancellable: true }, async (report, token) => {
        let last = 0;
        progress = (p) => {
          const pct = p.total ? (p.done / p.total) * 100 : 100;
          report.report({ increment: pct - last, message: `${p.done}/${p.total} files${p.path ? ` · ${p.path}` : ''}` });
          last = pct;
        };
        try {
          const r = await client.sendRequest(ProbeWorkspaceRequest.type, {}, token);
          output.info(`workspace ${r.cancelled ? 'scan cancelled after' : 'probed:'} ${r.files} file(s), ${r.functions} function(s), ${r.problems} problem(s) in ${Math.round(r.ms)} ms`);
        } finally {
          progress = undefined;
        }
      });
    },
    async panelData(params) {
      await started;
      return client.sendRequest(PanelDataRequest.type, params);
    },
    onDidProbe: (listener) => probed.event(listener),
    stop: () => client.stop(),
  };
}
