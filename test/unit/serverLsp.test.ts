// The bundled language server (dist/server.js) over stdio, as an editor drives it: initialize,
// open documents, receive diagnostics and status, ask for lenses, hovers, code actions and the
// custom requests; its probe worker stays off the main loop, and strange input does not kill it.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  CodeActionRequest, CodeLensRequest, CodeLensResolveRequest, createProtocolConnection, DidChangeTextDocumentNotification,
  DidOpenTextDocumentNotification, HoverRequest, InitializedNotification, InitializeRequest, PublishDiagnosticsNotification,
  StreamMessageReader, StreamMessageWriter, ConfigurationRequest, type Diagnostic,
} from 'vscode-languageserver-protocol/node';
import { FunctionReportRequest, ProbeDocumentRequest, ProbeWorkspaceRequest, StatusNotification } from '../../src/shared/customMessages';

const root = process.cwd();
const workspace = join(root, 'test/fixtures/e2e/workspace/typing');
const server = spawn(process.execPath, [join(root, 'dist/server.js'), '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
const connection = createProtocolConnection(new StreamMessageReader(server.stdout), new StreamMessageWriter(server.stdin));
const diagnostics = new Map<string, Diagnostic[]>();
const waiters: (() => void)[] = [];
const statuses: StatusNotification.Params[] = [];
let editorSettings: Record<string, unknown> = { backend: 'cpu', probeOn: 'type', debounceMs: 50 };
connection.onNotification(PublishDiagnosticsNotification.type, (p) => {
  diagnostics.set(p.uri, p.diagnostics);
  waiters.splice(0).forEach((w) => w());
});
connection.onNotification(StatusNotification.type, (s) => statuses.push(s));
connection.onRequest(ConfigurationRequest.type, (p) => p.items.map(() => editorSettings));
connection.onNotification('window/logMessage', () => undefined);
connection.listen();

after(() => {
  connection.dispose();
  server.kill();
});

/** Waits for diagnostics of `uri` that satisfy `ok` (what the user would see), with a deadline. */
async function diagnosticsOf(uri: string, ok: (d: Diagnostic[]) => boolean, ms = 20_000): Promise<Diagnostic[]> {
  const deadline = Date.now() + ms;
  for (;;) {
    const d = diagnostics.get(uri);
    if (d && ok(d)) return d;
    if (Date.now() > deadline) throw new Error(`no matching diagnostics for ${uri} within ${ms} ms; last: ${JSON.stringify(d?.map((x) => x.code))}`);
    await new Promise<void>((r) => { waiters.push(r); setTimeout(r, 200); });
  }
}

let opened = 0;
function open(path: string, text: string, languageId = 'python'): string {
  const uri = pathToFileURL(path).href;
  void connection.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId, version: ++opened, text } });
  return uri;
}

test('initialize: capabilities for lenses, hovers, code actions, notebooks', async () => {
  const init = await connection.sendRequest(InitializeRequest.type, {
    processId: process.pid, rootUri: pathToFileURL(workspace).href, workspaceFolders: [{ uri: pathToFileURL(workspace).href, name: 'ws' }],
    capabilities: { workspace: { configuration: true, codeLens: { refreshSupport: false } } },
  });
  void connection.sendNotification(InitializedNotification.type, {});
  assert.deepEqual(init.capabilities.codeLensProvider, { resolveProvider: true });
  assert.equal(init.capabilities.hoverProvider, true);
  assert.deepEqual((init.capabilities.codeActionProvider as { codeActionKinds: string[] }).codeActionKinds, ['quickfix', 'source.fixAll.gradprobe']);
  assert.ok(init.capabilities.notebookDocumentSync);
});

test('open → diagnostics; lenses, hover, code actions and the report answer', async () => {
  const path = join(workspace, 'activations.py');
  const text = readFileSync(path, 'utf8');
  const started = performance.now();
  const uri = open(path, text);
  const diags = await diagnosticsOf(uri, (d) => d.some((x) => x.code === 'GP303'));
  const ms = performance.now() - started;
  assert.ok(ms < 20_000);
  const lenses = (await connection.sendRequest(CodeLensRequest.type, { textDocument: { uri } })) ?? [];
  assert.equal(lenses.length, 2);
  const resolved = await connection.sendRequest(CodeLensResolveRequest.type, lenses[0]);
  assert.match(resolved.command!.title, /^activation · /);
  const hover = await connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position: { line: 4, character: 6 } });
  assert.match((hover!.contents as { value: string }).value, /data:image\/svg\+xml;base64,/);
  const gp303 = diags.find((x) => x.code === 'GP303')!;
  const actions = await connection.sendRequest(CodeActionRequest.type, { textDocument: { uri }, range: gp303.range, context: { diagnostics: [gp303] } });
  assert.ok(actions!.some((a) => 'title' in a && a.title.startsWith('Add an epsilon')));
  const report = await connection.sendRequest(FunctionReportRequest.type, { uri, name: 'log_unit', line: 4 });
  assert.match(report!.markdown, /^# log\\_unit/);
  assert.ok(statuses.some((s) => s.probing > 0), 'the status said it was probing');
  assert.ok(statuses.some((s) => s.probing === 0 && s.problems > 0));
});

test('an edit re-probes and the diagnostic goes; the main loop answers while the worker probes', async () => {
  const path = join(workspace, 'activations.py');
  const uri = pathToFileURL(path).href;
  const fixed = readFileSync(path, 'utf8').replace('tf.math.log(x * x)', 'tf.math.log(x * x + 1e-7)');
  const started = performance.now();
  void connection.sendNotification(DidChangeTextDocumentNotification.type, { textDocument: { uri, version: ++opened }, contentChanges: [{ text: fixed }] });
  // While it probes, a request is answered at once (the worker holds the probe, not the main thread).
  const t = performance.now();
  await connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position: { line: 0, character: 0 } });
  assert.ok(performance.now() - t < 500, 'hover answered while probing');
  await diagnosticsOf(uri, (d) => !d.some((x) => x.code === 'GP303'));
  assert.ok(performance.now() - started < 10_000);
});

test('strange input: binary, broken, 20,000 lines — answered, and other files still served', async () => {
  const bin = open(join(workspace, 'weights.py'), 'PK\u0003\u0004\u0000binary\u0000');
  const broken = open(join(workspace, 'broken.py'), 'import torch\n\ndef act(x:\n    return torch.log(x\n');
  const lines = ['import numpy as np', ''];
  for (let i = 0; lines.length < 20_000; i++) lines.push(`def f_${i}(a):`, `    return a * ${i}`, '');
  const huge = open(join(workspace, 'huge.py'), lines.join('\n'));
  assert.deepEqual((await diagnosticsOf(bin, () => true)).map((d) => d.code), ['GP002']);
  await diagnosticsOf(broken, () => true);
  await diagnosticsOf(huge, () => true, 60_000);
  const lens = open(join(workspace, '../manual/lens.py'), readFileSync(join(workspace, '../manual/lens.py'), 'utf8'));
  await diagnosticsOf(lens, (d) => d.some((x) => x.code === 'GP106'));
  assert.equal(server.exitCode, null, 'the server is alive');
});

test('custom requests: probe a document now; probe the workspace', async () => {
  editorSettings = { backend: 'cpu', probeOn: 'manual' };
  const path = join(workspace, 'losses.js');
  const uri = open(path, readFileSync(path, 'utf8'), 'javascript');
  const r = await connection.sendRequest(ProbeDocumentRequest.type, { uri });
  assert.equal(r.functions, 1);
  assert.ok(r.problems >= 2);
  const ws = await connection.sendRequest(ProbeWorkspaceRequest.type, {});
  assert.equal(ws.cancelled, false);
  assert.ok(ws.files >= 2, `files: ${ws.files}`);
  assert.ok(ws.functions >= 3, `functions: ${ws.functions}`);
});
