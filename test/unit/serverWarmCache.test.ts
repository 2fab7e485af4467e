// The language server starts warm from `.gradprobe_cache/`: a file opened unchanged since `gradprobe
// check` wrote its entry shows that entry's findings and is not probed (the server's log line per
// probe is counted); a file changed in the editor, or whose imported module changed on disk, is probed.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FileReport } from '../../src/core/findings/types';
import { LspServer } from '../support/lspServer';

const root = process.cwd();
const dir = realpathSync(mkdtempSync(join(tmpdir(), 'gradprobe-warm-')));
after(() => rmSync(dir, { recursive: true, force: true }));

const acts = join(dir, 'acts.py');
const actsText = 'import torch\nfrom helpers import gain\n\n\ndef scaled_log(x):\n    return torch.log(gain(x))\n\n\nACTIVATIONS = {"st": scaled_log}\n';
writeFileSync(join(dir, 'helpers.py'), 'import torch\n\n\ndef gain(x):\n    return 2.0 * x\n');
writeFileSync(acts, actsText);

/** `gradprobe check` writes the cache; every entry's messages are then marked, so a published mark came from it. */
function checkAndMark(): void {
  const r = spawnSync(process.execPath, [join(root, 'dist/cli.js'), 'check', '.', '--backend', 'cpu', '--jobs', '1', '--fail-on', 'never', '--quiet'], { cwd: dir, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const cacheDir = join(dir, '.gradprobe_cache');
  assert.ok(existsSync(cacheDir), 'check wrote no cache');
  for (const f of readdirSync(cacheDir, { recursive: true }).map(String).filter((x) => x.endsWith('.json') && !x.endsWith('.data.json'))) {
    const entry = JSON.parse(readFileSync(join(cacheDir, f), 'utf8')) as { report: FileReport };
    for (const x of entry.report.findings) x.message = `FROM-CACHE ${x.message}`;
    writeFileSync(join(cacheDir, f), JSON.stringify(entry));
  }
}

const probes = (server: LspServer): number => server.logs.filter((l) => /acts\.py: \d+ function\(s\) probed/.test(l)).length;

test('an unchanged file is shown from the cache without a probe; an edit is probed', { timeout: 240_000 }, async () => {
  checkAndMark();
  const server = new LspServer({ root, workspace: dir, settings: { backend: 'cpu', probeOn: 'type', debounceMs: 0 } });
  try {
    await server.initialize();
    const uri = server.open(acts, actsText);
    const cached = await server.diagnostics(uri, (d) => d.length > 0, 120_000);
    assert.ok(cached.every((d) => d.message.startsWith('FROM-CACHE')), `not the cached findings: ${cached.map((d) => d.message).join(' | ')}`);
    await server.log(/acts\.py: 1 function\(s\) from the result cache/);
    assert.equal(probes(server), 0, 'the cached file was probed');

    const seq = server.lastSeq;
    server.change(uri, actsText.replace('torch.log(gain(x))', 'torch.log(gain(x) + 3.0)'));
    const fresh = await server.diagnostics(uri, () => true, 120_000, seq);
    assert.ok(fresh.every((d) => !d.message.startsWith('FROM-CACHE')), 'an edited file was shown from the cache');
    await server.log(/acts\.py: \d+ function\(s\) probed/, 120_000);
    assert.equal(probes(server), 1);
  } finally {
    await server.dispose();
  }
});

test('a file whose imported module changed on disk is probed, not read from the cache', { timeout: 240_000 }, async () => {
  checkAndMark();
  writeFileSync(join(dir, 'helpers.py'), 'import torch\n\n\ndef gain(x):\n    return 20.0 * x\n');
  const server = new LspServer({ root, workspace: dir, settings: { backend: 'cpu', probeOn: 'type', debounceMs: 0 } });
  try {
    await server.initialize();
    const uri = server.open(acts, actsText);
    await server.log(/acts\.py: \d+ function\(s\) probed/, 120_000);
    const diags = await server.diagnostics(uri, () => true, 120_000);
    assert.ok(diags.length > 0 && diags.every((d) => !d.message.startsWith('FROM-CACHE')), 'a stale entry was shown');
    assert.equal(server.logs.some((l) => /from the result cache/.test(l)), false);
  } finally {
    await server.dispose();
  }
});
