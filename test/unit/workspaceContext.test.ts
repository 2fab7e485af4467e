// The workspace context a job reads: an editor's job checks every context file against the disk;
// the jobs of one workspace scan read the folder as one snapshot, each file checked (a stat) once
// per scan instead of once per job (serverScanReads.test.ts: every job of a scan has its number).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs, { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WorkspaceContext } from '../../src/server/workspaceContext';
import { loadGrammars } from '../../src/core/parse/treeSitter';

const module = (i: number, body = 'return x'): string => `def f${i}(x):\n    ${body}\n`;

function folder(files: number): { dir: string; paths: string[] } {
  const dir = mkdtempSync(join(tmpdir(), 'gradprobe-context-'));
  const paths = Array.from({ length: files }, (_, i) => join(dir, `m${i}.py`));
  paths.forEach((p, i) => writeFileSync(p, module(i)));
  return { dir, paths };
}

/** statSync calls on `paths` while `run` runs. */
function statsDuring(paths: string[], run: () => void): number {
  const original = fs.statSync;
  let count = 0;
  const watched = new Set(paths);
  (fs as { statSync: unknown }).statSync = ((p: fs.PathLike, ...rest: unknown[]) => {
    if (watched.has(String(p))) count++;
    return (original as (...a: unknown[]) => unknown)(p, ...rest);
  }) as typeof fs.statSync;
  try {
    run();
  } finally {
    (fs as { statSync: unknown }).statSync = original;
  }
  return count;
}

test('the jobs of one scan stat each context file once; an editor\'s job stats every file it reads', () => {
  const { dir, paths } = folder(5);
  try {
    const ctx = new WorkspaceContext(dir, []);
    const twoScanJobs = statsDuring(paths, () => {
      for (let job = 0; job < 2; job++) for (const p of ctx.forJob(41).paths()) ctx.forJob(41).text(p);
    });
    assert.equal(twoScanJobs, 5, 'two jobs of one scan: one stat per file');
    const editorJob = statsDuring(paths, () => { for (const p of ctx.forJob(undefined).paths()) ctx.forJob(undefined).text(p); });
    assert.equal(editorJob, 5, 'an editor job checks every file');
    const nextScan = statsDuring(paths, () => { for (const p of ctx.forJob(42).paths()) ctx.forJob(42).text(p); });
    assert.equal(nextScan, 5, 'the next scan checks them again');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a file changed during a scan is read as the scan first saw it by that scan\'s jobs, and as it is by any other job', async () => {
  const { dir, paths } = folder(2);
  try {
    await loadGrammars(paths);
    const ctx = new WorkspaceContext(dir, []);
    const scan = ctx.forJob(7);
    assert.equal(scan.text(paths[0]), module(0));
    assert.equal(scan.modulesAt([paths[0]])[0]?.doc.text, module(0));
    writeFileSync(paths[0], module(0, 'return x * 2  # edited'));
    assert.equal(ctx.forJob(7).text(paths[0]), module(0), 'the same scan: its snapshot');
    assert.equal(ctx.forJob(7).modulesAt([paths[0]])[0]?.doc.text, module(0));
    assert.equal(ctx.forJob(undefined).text(paths[0]), module(0, 'return x * 2  # edited'), 'an editor job: the disk');
    assert.equal(ctx.forJob(8).modulesAt([paths[0]])[0]?.doc.text, module(0, 'return x * 2  # edited'), 'a later scan: the disk');
    // A file the scan has not read yet is read as it is when it first reads it.
    writeFileSync(paths[1], module(1, 'return -x'));
    assert.equal(ctx.forJob(8).text(paths[1]), module(1, 'return -x'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
