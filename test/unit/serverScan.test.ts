// The workspace scan through the language server over stdio, as the "Probe workspace" command runs
// it: progress from 0 to the file count, every hover and lens request answered while it runs, and a
// cancel that stops it early with what it had done. (The figures — 2,000 files, memory, latency —
// are `npm run bench:load`'s.)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CancellationTokenSource, CodeLensRequest, HoverRequest } from 'vscode-languageserver-protocol/node';
import { ProbeWorkspaceRequest } from '../../src/shared/customMessages';
import { LspServer } from '../support/lspServer';
import { generateWorkspace } from '../support/workspaceGen';

const files = 120;
const dir = mkdtempSync(join(tmpdir(), 'gradprobe-scan-'));
const paths = generateWorkspace(dir, files);
let server: LspServer;

before(async () => {
  server = new LspServer({ root: process.cwd(), workspace: dir, settings: { backend: 'cpu', probeOn: 'type', debounceMs: 0 } });
  await server.initialize();
});

after(async () => {
  await server.dispose();
  rmSync(dir, { recursive: true, force: true });
});

test('a scan reports progress to the end and every request during it is answered', { timeout: 300_000 }, async () => {
  const uri = server.open(paths[0], readFileSync(paths[0], 'utf8'));
  await server.diagnostics(uri, (d) => d.length > 0, 60_000);
  const progressBefore = server.progress.length;
  let scanning = true;
  let sent = 0;
  let answered = 0;
  const requests = (async () => {
    while (scanning) {
      sent += 2;
      const [hover, lenses] = await Promise.all([
        server.connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position: { line: 12, character: 6 } }),
        server.connection.sendRequest(CodeLensRequest.type, { textDocument: { uri } }),
      ]);
      if (hover && /act\\_0/.test((hover.contents as { value: string }).value)) answered++;
      if (lenses?.length === 2) answered++;
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  const scan = await server.connection.sendRequest(ProbeWorkspaceRequest.type, {});
  scanning = false;
  await requests;
  assert.equal(scan.cancelled, false);
  assert.equal(scan.files, files);
  assert.equal(scan.functions, files * 2);
  const progress = server.progress.slice(progressBefore);
  assert.deepEqual(progress[0], { done: 0, total: files });
  assert.equal(progress[progress.length - 1].done, files);
  assert.ok(progress.every((p, i) => p.total === files && (i === 0 || p.done >= progress[i - 1].done)), 'monotonic');
  assert.ok(sent >= 2, 'requests were sent during the scan');
  assert.equal(answered, sent, 'every hover and lens request during the scan was answered');
  // Closed files got their diagnostics from the scan.
  const last = server.published.get(new URL(`file://${paths[files - 1]}`).href);
  assert.ok(last, "the last file's diagnostics were published");
  server.close(uri);
});

test('a cancelled scan stops early and says so', { timeout: 300_000 }, async () => {
  // Fresh files (new names and constants), so nothing comes from the cache.
  const more = mkdtempSync(join(tmpdir(), 'gradprobe-scan-cancel-'));
  try {
    generateWorkspace(more, files);
    const source = new CancellationTokenSource();
    const progressBefore = server.progress.length;
    const pending = server.connection.sendRequest(ProbeWorkspaceRequest.type, { folders: [new URL(`file://${more}`).href] }, source.token);
    await server.until('scan progress', () => server.progress.slice(progressBefore).some((p) => p.done >= 8), 120_000);
    source.cancel();
    const result = await pending;
    assert.equal(result.cancelled, true);
    assert.ok(result.files < files, `stopped after ${result.files} of ${files} files`);
    assert.ok(server.alive);
    // The server still serves: a new document is analysed.
    const uri = server.open(join(more, 'after.py'), 'import tensorflow as tf\n\ndef act(x):\n    return tf.math.log(x)\n\nACTS = {"a": act}\n');
    assert.ok((await server.diagnostics(uri, (d) => d.some((x) => x.code === 'GP303'), 60_000)).length > 0);
  } finally {
    rmSync(more, { recursive: true, force: true });
  }
});
