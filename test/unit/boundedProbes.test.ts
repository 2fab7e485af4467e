// Every probe is bounded: a function with an unbounded loop, runaway or deep recursion, or a tensor
// of 10⁹ elements (asked for directly, or through a broadcast, a tile or a repeated list) is stopped
// and reported as GP002 — in the core, and in the language server, which keeps answering hovers and
// lenses while such a probe runs, and cancels a probe when its document changes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CodeLensRequest, HoverRequest } from 'vscode-languageserver-protocol/node';
import { analyze, fn } from '../helpers';
import { LspServer } from '../support/lspServer';

const pyBad: Record<string, string> = {
  spin: 'while True:\n        x = x + 1\n    return x',
  runaway: 'return runaway(x) + 1',
  deep: 'def go(n):\n        return x if n == 0 else go(n - 1)\n    return go(100000)',
  ping: 'return pong(x)\n\ndef pong(x):\n    return ping(x)',
  zeros_1e9: 'return x + torch.zeros(1000, 1000, 1000).sum()',
  ones_1e9: 'return x * torch.ones(10**9).mean()',
  broadcast_1e9: 'return (x[:, None] * torch.ones(1, 1000000)).sum(1)',
  mul_1e9: 'return torch.mul(x[:, None], torch.ones(1, 1000000)).sum(1)',
  compare_1e9: 'return x + (x[:, None] > torch.ones(1, 1000000)).sum()',
  list_1e9: 'return x + len([0] * 10**9)',
  range_1e9: 'return x + sum(range(10**9))',
  tile_1e9: 'return tf.reduce_sum(tf.tile(tf.reshape(x, [-1, 1]), [1, 1000000]), axis=1)',
  broadcast_to_1e9: 'return tf.reduce_sum(tf.broadcast_to(tf.reshape(x, [-1, 1]), [2001, 1000000]), axis=1)',
};

function pyModule(names: string[]): string {
  return `import torch\nimport tensorflow as tf\n\n${names.map((n) => `def ${n}(x):  # gradprobe: activation\n    ${pyBad[n]}\n`).join('\n')}\nACTIVATIONS = {${names.map((n) => `"${n}": ${n}`).join(', ')}}\n`;
}

const jsBad = `import * as tf from '@tensorflow/tfjs';
export const spinJs = (x) => { while (true) { x = tf.add(x, 1); } return x; };
export const runawayJs = (x) => runawayJs(x);
export const fillJs = (x) => tf.add(x, tf.sum(tf.fill([1e9], 1)));
export const layers = [
  tf.layers.activation({ activation: spinJs }), tf.layers.activation({ activation: runawayJs }), tf.layers.activation({ activation: fillJs }),
];
`;

test('core: loops, recursion and 10⁹-element tensors are stopped and reported as GP002', { timeout: 180_000 }, async () => {
  const names = Object.keys(pyBad);
  const reports = await analyze({ 'bad.py': pyModule(names), 'bad.js': jsBad }, { timeBudgetMs: 500 });
  const problems: string[] = [];
  for (const name of [...names, 'spinJs', 'runawayJs', 'fillJs']) {
    const r = fn(reports, name);
    const codes = r.findings.map((f) => f.code);
    if (r.probe.status !== 'failed' || !codes.includes('GP002')) problems.push(`${name}: ${r.probe.status} ${codes.join(',')} ${r.probe.reason ?? ''}`);
    // A size refusal says how big, before anything that size was made.
    if (/1e9|fill/i.test(name) && !/elements|items/.test(r.probe.reason ?? '')) problems.push(`${name}: reason does not name the size: ${r.probe.reason}`);
  }
  assert.deepEqual(problems, []);
});

test('core: a refused size is refused up front, not after a minute of computing it', { timeout: 60_000 }, async () => {
  // 2,001 sweep points × 10⁶ columns: computed, this takes minutes and gigabytes; refused, milliseconds.
  const reports = await analyze({ 'wide.py': pyModule(['broadcast_1e9']) });
  const r = fn(reports, 'broadcast_1e9');
  assert.equal(r.probe.status, 'failed');
  assert.match(r.probe.reason ?? '', /would make a tensor of \d+ elements/);
});

// ------------------------------------------------------------------ through the language server

const root = process.cwd();
const workspace = mkdtempSync(join(tmpdir(), 'gradprobe-bounded-'));
let server: LspServer;

before(async () => {
  server = new LspServer({ root, workspace, settings: { backend: 'cpu', probeOn: 'type', debounceMs: 0, timeBudgetMs: 2000 } });
  await server.initialize();
});

after(async () => {
  await server.dispose();
  rmSync(workspace, { recursive: true, force: true });
});

test('server: bad probes end as GP002 diagnostics while hovers and lenses on another file are answered', { timeout: 240_000 }, async () => {
  const goodPath = join(root, 'test/fixtures/e2e/workspace/typing/activations.py');
  const good = server.open(join(workspace, 'good.py'), readFileSync(goodPath, 'utf8'));
  await server.diagnostics(good, (d) => d.some((x) => x.code === 'GP303'), 60_000);
  // Two spinning functions: the probe runs at least two time budgets (4 s).
  const names = ['spin', 'runaway', 'deep', 'zeros_1e9', 'broadcast_1e9', 'list_1e9'];
  const text = pyModule(names).replace('def runaway', 'def spin_again(x):\n    while x is not None:\n        x = x + 1\n    return x\n\ndef runaway').replace('ACTIVATIONS = {', 'ACTIVATIONS = {"again": spin_again, ');
  const statusesBefore = server.statuses.length;
  const bad = server.open(join(workspace, 'bad.py'), text);
  // The worker has the outline and is probing (the status says how many functions).
  await server.until('the status to say the bad file is being probed', () => server.statuses.slice(statusesBefore).some((s) => s.probing >= names.length), 30_000);
  const answers = await Promise.all([
    server.connection.sendRequest(HoverRequest.type, { textDocument: { uri: good }, position: { line: 4, character: 6 } }),
    server.connection.sendRequest(CodeLensRequest.type, { textDocument: { uri: good } }),
    server.connection.sendRequest(CodeLensRequest.type, { textDocument: { uri: bad } }),
  ]);
  assert.equal(server.published.get(bad), undefined, 'the answers came while the bad probe was still running');
  assert.match((answers[0]!.contents as { value: string }).value, /log\\_unit/);
  assert.equal(answers[1]!.length, 2);
  assert.equal(answers[2]!.length, names.length + 1, 'lenses for the file being probed come from its outline');
  const diags = await server.diagnostics(bad, () => true, 180_000);
  const problems: string[] = [];
  for (const name of [...names, 'spin_again']) {
    const mine = diags.filter((d) => (d.data as { function?: string } | undefined)?.function === name);
    if (!mine.some((d) => d.code === 'GP002')) problems.push(`${name}: ${mine.map((d) => `${d.code} ${d.message}`).join('; ') || 'no diagnostics'}`);
  }
  assert.deepEqual(problems, []);
  assert.ok(server.alive);
  server.close(bad);
  server.close(good);
});

test('server: an edit cancels the probe of the old text; only the new text\'s diagnostics are published', { timeout: 240_000 }, async () => {
  const slow = `import torch\n\n${[1, 2, 3, 4].map((i) => `def spin_${i}(x):\n    while True:\n        x = x + ${i}\n    return x\n`).join('\n')}\nACTIVATIONS = {${[1, 2, 3, 4].map((i) => `"s${i}": spin_${i}`).join(', ')}}\n`;
  const path = join(workspace, 'edited.py');
  const statusesBefore = server.statuses.length;
  const logsBefore = server.logs.length;
  const seqBefore = server.lastSeq;
  const uri = server.open(path, slow);
  await server.until('the status to say it is probing', () => server.statuses.slice(statusesBefore).some((s) => s.probing >= 4), 30_000);
  const fixed = 'import torch\n\ndef swish(x):\n    return x * torch.sigmoid(x)\n\nACTIVATIONS = {"s": swish}\n';
  server.change(uri, fixed);
  const line = await server.log(/edited\.py: 4 function\(s\) (cancelled|probed)/, 120_000);
  assert.match(line, /cancelled/, 'the old probe was cancelled, not run to its end');
  const diags = await server.diagnostics(uri, (d) => !d.some((x) => x.code === 'GP002'), 60_000, seqBefore);
  assert.ok(!diags.some((d) => String((d.data as { function?: string } | undefined)?.function).startsWith('spin_')));
  await server.log(/edited\.py: 1 function\(s\) probed/, 60_000);
  assert.ok(!server.logs.slice(logsBefore).some((l) => /edited\.py: 4 function\(s\) probed/.test(l)));
  server.close(uri);
});
