// The extension's activation on both hosts: the log, the status bar item and the commands at once,
// the language client on the next tick (each host says how it starts: `startClient`). Nothing of the
// user's code runs anywhere, so Restricted Mode changes nothing.
import * as vscode from 'vscode';
import type { GradProbeClient } from './clientCommon';
import { Commands, type FunctionRef } from '../shared/commands';
import { isFunctionRef } from '../shared/panelMessages';
import { panelSerializer, ProbePanel, type PanelClient } from './probePanel';
import { StatusItem } from './statusItem';
import { mark, now, timeline, type TimelineMark } from '../shared/timeline';

const moduleLoaded = now();
let client: GradProbeClient | undefined;

export type StartClient = (context: vscode.ExtensionContext, output: vscode.LogOutputChannel, status: StatusItem) => GradProbeClient;

/** What the extension's `activate` returns (`extension.exports`): its start marks and its server's, for the bench. */
export interface GradProbeApi {
  /** This extension host's marks and the server's, in time order (see src/shared/timeline.ts). */
  timeline(): Promise<TimelineMark[]>;
}

export function activateGradProbe(context: vscode.ExtensionContext, startClient: () => StartClient): GradProbeApi {
  const started = now();
  mark('client: extension module evaluated', moduleLoaded);
  mark('client: activate');
  const output = vscode.window.createOutputChannel('GradProbe', { log: true });
  const status = new StatusItem();
  context.subscriptions.push(output, status);

  // The client loads on the next tick, so `activate` returns at once.
  const ready = new Promise<GradProbeClient | undefined>((resolve) => {
    setTimeout(() => {
      try {
        mark('client: starting the language client');
        client = startClient()(context, output, status);
        resolve(client);
      } catch (err) {
        output.error(`GradProbe could not start its language client: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
        status.failed('the language client could not start; see the log');
        resolve(undefined);
      }
    }, 0);
  });

  const withClient = async (run: (c: GradProbeClient) => Promise<unknown>): Promise<unknown> => {
    const c = await ready;
    if (!c) {
      void vscode.window.showErrorMessage('GradProbe is not running: see GradProbe: Show logs.');
      return undefined;
    }
    return run(c);
  };

  const panelClient = (): Promise<PanelClient | undefined> => ready;
  const openPanel = (ref: FunctionRef | undefined, probeFirst: boolean): void => {
    if (!ref) {
      void vscode.window.showInformationMessage('Put the cursor on a function GradProbe detected (or use its code lens) to open its probe panel.');
      return;
    }
    // From a lens or a hover the editor keeps the focus; the panel opens beside it.
    ProbePanel.createOrShow(context.extensionUri, panelClient, output, ref, { preserveFocus: true, probeFirst });
  };

  context.subscriptions.push(
    vscode.window.registerWebviewPanelSerializer(ProbePanel.viewType, panelSerializer(context.extensionUri, panelClient, output)),
    { dispose: () => ProbePanel.current?.dispose() },
    vscode.commands.registerCommand(Commands.showLogs, () => output.show(true)),
    // With a function (the "Probe gradients" lens): probe its document, and show the function in the panel.
    vscode.commands.registerCommand(Commands.probeFunction, (ref?: FunctionRef) => {
      if (isFunctionRef(ref)) return openPanel(ref, true);
      return withClient((c) => c.probeDocument(vscode.window.activeTextEditor?.document.uri.toString()));
    }),
    vscode.commands.registerCommand(Commands.probeWorkspace, () => withClient((c) => c.probeWorkspace())),
    vscode.commands.registerCommand(Commands.openPanel, (ref?: FunctionRef) => openPanel(isFunctionRef(ref) ? ref : refAtCursor(), false)),
  );
  output.info(`GradProbe activated in ${(now() - started).toFixed(1)} ms (module evaluated in ${(started - moduleLoaded).toFixed(1)} ms before activate)`);
  return {
    async timeline() {
      const c = await ready;
      const server = c ? await c.timeline().catch(() => []) : [];
      return [...timeline(), ...server].sort((a, b) => a.at - b.at);
    },
  };
}

/** The function under the cursor, for the command palette (lenses and hovers pass their own). */
function refAtCursor(): FunctionRef | undefined {
  const editor = vscode.window.activeTextEditor;
  if (!editor) return undefined;
  const range = editor.document.getWordRangeAtPosition(editor.selection.active);
  if (!range) return undefined;
  return { uri: editor.document.uri.toString(), name: editor.document.getText(range), line: editor.selection.active.line };
}

export async function deactivateGradProbe(): Promise<void> {
  await client?.stop();
}
