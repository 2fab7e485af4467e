// The extension's entry under Node (dist/extension.js). Kept tiny so activation is fast: the
// language client (dist/languageClient.js) is loaded on the next tick; it starts the server as a
// separate Node process, which loads TensorFlow.js lazily in its worker.
import type * as vscode from 'vscode';
import { join } from 'node:path';
import { activateGradProbe, deactivateGradProbe, type GradProbeApi } from './activation';

export function activate(context: vscode.ExtensionContext): GradProbeApi {
  return activateGradProbe(context, () => (require(join(__dirname, 'languageClient.js')) as typeof import('./languageClient')).startLanguageClient);
}

export function deactivate(): Promise<void> {
  return deactivateGradProbe();
}
