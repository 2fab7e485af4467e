// What the language client does on both hosts (languageClient.ts under Node, browserClient.ts in VS
// Code for the Web): the client options (documents, settings the user set per resource, restarts),
// and the custom requests and notifications of src/shared/customMessages.ts.
import * as vscode from 'vscode';
import {
  CloseAction, ErrorAction, RevealOutputChannelOn,
  type BaseLanguageClient, type ConfigurationParams, type DocumentSelector, type LanguageClientOptions,
} from 'vscode-languageclient';
import { Commands } from '../shared/commands';
import {
  PanelDataRequest, ProbedNotification, ProbeDocumentRequest, ProbeWorkspaceRequest, StatusNotification, TimelineRequest, WorkspaceProgressNotification,
} from '../shared/customMessages';
import { mark, type TimelineMark } from '../shared/timeline';
import { editorSettingKeys, type ExplicitEditorSettings } from '../shared/settings';
import type { StatusItem } from './statusItem';

export interface GradProbeClient {
  probeDocument(uri: string | undefined): Promise<void>;
  probeWorkspace(): Promise<void>;
  /** The probe panel's data (see PanelDataRequest). */
  panelData(params: PanelDataRequest.Params): Promise<PanelDataRequest.Result>;
  /** Called with the URIs of documents that have new probe results. */
  onDidProbe(listener: (uris: string[]) => void): vscode.Disposable;
  /** The server's start marks. */
  timeline(): Promise<TimelineMark[]>;
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

/** The documents the server analyses: on disk and unsaved under Node; any scheme in a browser (virtual workspaces). */
export function documentSelector(schemes: string[] | undefined): DocumentSelector {
  const languages = ['python', 'javascript', 'typescript', 'javascriptreact', 'typescriptreact'];
  const documents = schemes ? languages.flatMap((language) => schemes.map((scheme) => ({ scheme, language }))) : languages.map((language) => ({ language }));
  return [...documents, { notebook: { notebookType: 'jupyter-notebook' }, language: 'python' }];
}

export function gradProbeClientOptions(
  output: vscode.LogOutputChannel, status: StatusItem, selector: DocumentSelector, watched: vscode.FileSystemWatcher,
): LanguageClientOptions {
  let restarts: number[] = [];
  return {
    documentSelector: selector,
    diagnosticCollectionName: 'gradprobe',
    outputChannel: output,
    revealOutputChannelOn: RevealOutputChannelOn.Never, // no pop-ups: the status bar item leads to the log
    synchronize: { fileEvents: watched },
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
}

/** The client's API for the extension's commands and panel, over a started client. */
export function gradProbeClient(context: vscode.ExtensionContext, output: vscode.LogOutputChannel, status: StatusItem, client: BaseLanguageClient): GradProbeClient {
  let progress: ((p: WorkspaceProgressNotification.Params) => void) | undefined;
  const probed = new vscode.EventEmitter<string[]>();
  context.subscriptions.push(
    probed,
    client.onNotification(ProbedNotification.type, (p) => probed.fire(p.uris)),
    client.onNotification(StatusNotification.type, (s) => status.update(s)),
    client.onNotification(WorkspaceProgressNotification.type, (p) => progress?.(p)),
  );
  const started = client.start().then(
    () => {
      mark('client: server initialized');
      output.info('GradProbe language server started');
    },
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
    async timeline() {
      await started;
      return client.sendRequest(TimelineRequest.type);
    },
    stop: () => client.stop(),
  };
}
