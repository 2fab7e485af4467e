// `gradprobe server --stdio` as a non-VS Code editor (Neovim, Helix, Zed) drives it: started from the
// CLI bundle, settings from initializationOptions (no workspace/configuration) and pushed with
// workspace/didChangeConfiguration; diagnostics, lenses and hovers for a fixture.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CodeLensRequest, CodeLensResolveRequest, DidChangeConfigurationNotification, HoverRequest } from 'vscode-languageserver-protocol/node';
import { LspServer } from '../support/lspServer';

const root = process.cwd();
const workspace = join(root, 'test/fixtures/e2e/workspace/typing');
const file = join(workspace, 'activations.py');

const server = new LspServer({
  root, workspace,
  entry: [join(root, 'dist/cli.js'), 'server', '--stdio'],
  configuration: false,
  initializationOptions: { settings: { gradprobe: { backend: 'cpu', severity: { GP304: 'off' } } } },
});
after(() => server.dispose());

test('gradprobe server --stdio: diagnostics from initializationOptions settings, lenses and hovers', { timeout: 120_000 }, async () => {
  await server.initialize();
  const uri = server.open(file, readFileSync(file, 'utf8'));
  const diags = await server.diagnostics(uri, (d) => d.some((x) => x.code === 'GP303'), 90_000);
  assert.ok(diags.some((x) => x.code === 'GP101' && x.severity === 1), `GP101 as an error among ${diags.map((x) => x.code).join(', ')}`);
  assert.ok(!diags.some((x) => x.code === 'GP304'), 'GP304 is off in initializationOptions');
  assert.ok(diags.every((x) => x.source === 'gradprobe'));

  const lenses = (await server.connection.sendRequest(CodeLensRequest.type, { textDocument: { uri } })) ?? [];
  assert.equal(lenses.length, 2);
  const resolved = await server.connection.sendRequest(CodeLensResolveRequest.type, lenses[0]);
  assert.match(resolved.command!.title, /^activation · /);
  assert.ok(resolved.command!.title.length <= 80);
  const hover = await server.connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position: { line: 4, character: 6 } });
  assert.match((hover?.contents as { value: string }).value, /\*\*log\\_unit\*\*/);

  // Settings pushed as Helix and Neovim do: GP303 off now, GP304 back.
  const seq = server.lastSeq;
  await server.connection.sendNotification(DidChangeConfigurationNotification.type, { settings: { gradprobe: { backend: 'cpu', severity: { GP303: 'off' } } } });
  const again = await server.diagnostics(uri, (d) => !d.some((x) => x.code === 'GP303'), 90_000, seq);
  assert.ok(again.some((x) => x.code === 'GP101'));
  assert.ok(again.some((x) => x.code === 'GP304'), 'the pushed settings replace the severity map of initializationOptions');
  assert.ok(server.alive);
  assert.equal(server.stderr, '');
});

test('gradprobe server: --help explains it; a stray argument or two transports are usage errors', () => {
  const run = (...args: string[]) => spawnSync(process.execPath, [join(root, 'dist/cli.js'), 'server', ...args], { encoding: 'utf8', timeout: 30_000 });
  const help = run('--help');
  assert.equal(help.status, 0, help.stderr);
  assert.match(help.stdout, /^gradprobe server: run the language server/);
  assert.match(help.stdout, /--stdio/);
  const stray = run('src');
  assert.equal(stray.status, 2);
  assert.match(stray.stderr, /server takes no arguments/);
  const both = run('--stdio', '--node-ipc');
  assert.equal(both.status, 2);
  assert.match(both.stderr, /choose one of/);
});
