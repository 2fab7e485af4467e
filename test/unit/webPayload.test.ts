// The web payload's budget (scripts/webPayload.mjs, run by the build): everything VS Code for the
// Web downloads — dist/web, dist/webview and the wasm the worker loads — counted, and over 5 MB the
// report says so and is not ok.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';

interface Payload { pieces: { file: string; bytes: number }[]; total: number }
interface PayloadModule {
  webBudgetBytes: number;
  webPayload(dist: string, wasmFiles: readonly string[]): Payload;
  webPayloadReport(payload: Payload): { lines: string[]; ok: boolean };
}

async function payloadModule(): Promise<PayloadModule> {
  return (await import(pathToFileURL(join(process.cwd(), 'scripts/webPayload.mjs')).href)) as PayloadModule;
}

function fakeDist(sizes: Record<string, number>): string {
  const dist = mkdtempSync(join(tmpdir(), 'gradprobe-web-payload-'));
  mkdirSync(join(dist, 'web'));
  mkdirSync(join(dist, 'webview'));
  for (const [file, bytes] of Object.entries(sizes)) writeFileSync(join(dist, file), Buffer.alloc(bytes));
  return dist;
}

test('the payload counts the browser bundles, the panel page and the wasm, not source maps', async () => {
  const { webPayload, webPayloadReport } = await payloadModule();
  const dist = fakeDist({ 'web/server.js': 1000, 'web/server.js.map': 5000, 'webview/panel.js': 200, 'tree-sitter.wasm': 30, 'unused.wasm': 7 });
  try {
    const payload = webPayload(dist, ['tree-sitter.wasm']);
    assert.deepEqual(payload.pieces.map((p) => p.file), ['web/server.js', 'webview/panel.js', 'tree-sitter.wasm']);
    assert.equal(payload.total, 1230);
    const report = webPayloadReport(payload);
    assert.equal(report.ok, true);
    assert.match(report.lines.at(-1) ?? '', /web payload .*: 0\.00 MB of the 5\.00 MB budget$/);
  } finally {
    rmSync(dist, { recursive: true, force: true });
  }
});

test('over 5 MB the report is not ok and says the build fails', async () => {
  const { webPayload, webPayloadReport, webBudgetBytes } = await payloadModule();
  const dist = fakeDist({ 'web/server.js': webBudgetBytes - 100, 'tree-sitter-tsx.wasm': 101 });
  try {
    const report = webPayloadReport(webPayload(dist, ['tree-sitter-tsx.wasm']));
    assert.equal(report.ok, false);
    assert.match(report.lines.at(-1) ?? '', /5\.00 MB of the 5\.00 MB budget — OVER THE BUDGET/);
  } finally {
    rmSync(dist, { recursive: true, force: true });
  }
});
