// The extension's entry (dist/extension.js). Kept tiny so activation is fast: it creates the log,
// the status bar item and the commands, then loads the language client (dist/languageClient.js) on
// the next tick; the client starts the server as a separate Node process, which loads TensorFlow.js
// lazily in its worker. Nothing of the user's code runs anywhere, so Restricted Mode changes nothing.
import * as vscode from 'vscode';
import { join } from 'node:path';
import type { GradProbeClient } from './languageClient';
import { Commands, type FunctionRef } from '../shared/commands';
import { reportScheme, ReportDocuments } from './reportDocuments';
import { StatusItem } from './statusItem';

const moduleLoaded = performance.now();
let client: GradProbeClient | undefined;

export function activate(context: vscode.ExtensionContext): void {
  const started = performance.now();
  const output = vscode.window.createOutputChannel('GradProbe', { log: true });
  const status = new StatusItem();
  const reports = new ReportDocuments(() => client);
  context.subscriptions.push(output, status, reports, vscode.workspace.registerTextDocumentContentProvider(reportScheme, reports));

  // The client loads on the next tick, so `activate` returns at once.
  const ready = new Promise<GradProbeClient | undefined>((resolve) => {
    setImmediate(() => {
      try {
        const { startLanguageClient } = require(join(__dirname, 'languageClient.js')) as typeof import('./languageClient');
        client = startLanguageClient(context, output, status);
        resolve(client);
      } catch (err) {
        output.error(`GradProbe could not start its language client: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
        status.failed('the language client could not start; see the log');
        resolve(undefined);
      }
    });
  });

  const withClient = async (run: (c: GradProbeClient) => Promise<unknown>): Promise<unknown> => {
    const c = await ready;
    if (!c) {
      void vscode.window.showErrorMessage('GradProbe is not running: see GradProbe: Show logs.');
      return undefined;
    }
    return run(c);
  };

  context.subscriptions.push(
    vscode.commands.registerCommand(Commands.showLogs, () => output.show(true)),
    vscode.commands.registerCommand(Commands.probeFunction, (ref?: FunctionRef) => withClient((c) => c.probeDocument(ref?.uri ?? vscode.window.activeTextEditor?.document.uri.toString()))),
    vscode.commands.registerCommand(Commands.probeWorkspace, () => withClient((c) => c.probeWorkspace())),
    vscode.commands.registerCommand(Commands.openPanel, (ref?: FunctionRef) => withClient(async () => reports.open(ref ?? refAtCursor()))),
  );
  output.info(`GradProbe activated in ${(performance.now() - started).toFixed(1)} ms (module evaluated in ${(started - moduleLoaded).toFixed(1)} ms before activate)`);
}

/** The function under the cursor, for the command palette (lenses and hovers pass their own). */
function refAtCursor(): FunctionRef | undefined {
  const editor = vscode.window.activeTextEditor;
  if (!editor) return undefined;
  const range = editor.document.getWordRangeAtPosition(editor.selection.active);
  if (!range) return undefined;
  return { uri: editor.document.uri.toString(), name: editor.document.getText(range), line: editor.selection.active.line };
}

export async function deactivate(): Promise<void> {
  await client?.stop();
}
