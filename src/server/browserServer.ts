// The GradProbe language server in a browser Web Worker (dist/web/server.js), for VS Code for the
// Web: the same wiring (serverMain.ts) and core as the Node server. What differs is behind its
// ServerHost: the probes run on this worker (no worker threads), the workspace's files and config
// files are listed and read through the client (`workspace.findFiles`, `workspace.fs`), and the
// tree-sitter wasm comes from the extension's own files, read by the client. No Node API here: the
// browser build fails on any.
import './workerStart';
import { BrowserMessageReader, BrowserMessageWriter, createConnection } from 'vscode-languageserver/browser';
import { dirname, join } from 'node:path';
import { useWasmSource } from '../core/parse/treeSitter';
import type { ConfigReader } from '../core/workspace/config';
import { version } from '../../package.json';
import { ExtensionFileRequest, FindFilesRequest, WorkspaceFileRequest } from '../shared/customMessages';
import { prepareOpened, useWorkspaceContexts } from './analysisJob';
import { heapFigures } from './heap.node';
import { InProcessRunner } from './inProcessRunner';
import type { WorkspaceFiles } from './probeService';
import { RemoteContext } from './remoteContext';
import { startServer } from './serverMain';
import { UriPaths } from './uriPaths';
import { mark } from '../shared/timeline';

mark('server: bundle evaluated');

// The worker's global scope talks to the client as a Worker does (postMessage / message events);
// the project's type library is the DOM's, which has no worker scope type.
const port = self as unknown as Worker;
const connection = createConnection(new BrowserMessageReader(port), new BrowserMessageWriter(port));
const log = (message: string): void => connection.console.log(message);
const paths = new UriPaths();

const extensionFile = async (path: string): Promise<Uint8Array> => {
  mark(`server: ${path} asked`);
  const answer = await connection.sendRequest(ExtensionFileRequest.type, { path });
  mark(`server: ${path} received`);
  // A transport that serialised the message would have made an object of the bytes.
  if (!(answer?.bytes instanceof Uint8Array)) throw new Error(`the extension file ${path} did not arrive as bytes from the client`);
  return answer.bytes;
};

useWasmSource({
  runtime: async () => ({ wasmBinary: await extensionFile('tree-sitter.wasm'), locateFile: (file: string) => file }),
  grammar: (file) => extensionFile(file),
});

const files: WorkspaceFiles = {
  async list(folder, include, exclude) {
    const { uris } = await connection.sendRequest(FindFilesRequest.type, { folder: paths.uriOf(folder), include, exclude });
    return { files: uris.flatMap((u) => paths.pathOf(u) ?? []), errors: [] };
  },
  async read(path) {
    const answer = await connection.sendRequest(WorkspaceFileRequest.type, { uri: paths.uriOf(path) });
    if (!answer) throw new Error(`${path}: no such file`);
    return answer.text;
  },
};

useWorkspaceContexts((root, exclude) => new RemoteContext(root, exclude, files, log));

/** The config files that may apply to `filePath` (each folder up to the workspace root), fetched now, read as config.ts asks. */
async function configReader(filePath: string | undefined, root: string | undefined): Promise<ConfigReader | undefined> {
  if (!filePath) return undefined;
  const candidates: string[] = [];
  for (let dir = dirname(filePath); ; dir = dirname(dir)) {
    for (const name of ['pyproject.toml', 'gradprobe.toml', 'package.json']) candidates.push(join(dir, name));
    if (dir === root || dirname(dir) === dir || (root && !dir.startsWith(root))) break;
  }
  const texts = new Map<string, string>();
  await Promise.all(candidates.map(async (file) => {
    const answer = await connection.sendRequest(WorkspaceFileRequest.type, { uri: paths.uriOf(file) });
    if (answer) texts.set(file, answer.text);
  }));
  return (file) => texts.get(file);
}

const mb = (bytes: number): number => Math.round((bytes / 1048576) * 10) / 10;

startServer({
  connection,
  runner: new InProcessRunner(),
  pathOfUri: (uri) => paths.pathOf(uri),
  uriOfPath: (path) => paths.uriOf(path),
  files,
  configReader,
  processMemory: () => ({ rssMb: 0, peakRssMb: 0, heapUsedMb: mb(heapFigures().usedBytes) }),
  describe: 'browser worker',
  // The grammar and the folder's context come through the client, and the document is parsed, while
  // its settings are fetched (a round trip to the client and its config files).
  warm: (file, root) => void prepareOpened(file, root).catch(() => undefined),
  version,
});

// The server outlives a strange file: log what escaped a handler instead of dying.
self.addEventListener('error', (e: ErrorEvent) => log(`unexpected error: ${e.message}`));
self.addEventListener('unhandledrejection', (e: PromiseRejectionEvent) => log(`unexpected rejection: ${e.reason instanceof Error ? e.reason.stack ?? e.reason.message : String(e.reason)}`));
