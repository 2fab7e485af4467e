// The language client under Node (dist/languageClient.js, loaded by extension.ts after activation):
// starts the server as a separate Node process over IPC. What both hosts share is clientCommon.ts.
import * as vscode from 'vscode';
import { join } from 'node:path';
import { LanguageClient, TransportKind, type ServerOptions } from 'vscode-languageclient/node';
import { documentSelector, gradProbeClient, gradProbeClientOptions, type GradProbeClient } from './clientCommon';
import type { StatusItem } from './statusItem';
import { withMallocEnv } from '../shared/mallocEnv';

export function startLanguageClient(context: vscode.ExtensionContext, output: vscode.LogOutputChannel, status: StatusItem): GradProbeClient {
  const module = join(__dirname, 'server.js');
  const serverOptions: ServerOptions = {
    // The server runs all day: its malloc settings keep its RSS to its live data (mallocEnv.ts).
    run: { module, transport: TransportKind.ipc, options: { env: withMallocEnv(process.env) } },
    debug: { module, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6019'], env: withMallocEnv(process.env) } },
  };
  const watched = vscode.workspace.createFileSystemWatcher('**/{pyproject.toml,gradprobe.toml,package.json}');
  context.subscriptions.push(watched);
  const options = gradProbeClientOptions(output, status, documentSelector(['file', 'untitled']), watched);
  return gradProbeClient(context, output, status, new LanguageClient('gradprobe', 'GradProbe', serverOptions, options));
}
