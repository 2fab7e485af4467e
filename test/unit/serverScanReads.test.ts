// The workspace scan where its jobs can read the disk (the Node server): the jobs get paths and read
// the files themselves, the main thread reads none, and the diagnostics are the ones a scan that
// reads on the main thread publishes — ranges on the right text, unreadable files logged.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Diagnostic } from 'vscode-languageserver-protocol';
import { InProcessRunner } from '../../src/server/inProcessRunner';
import type { JobSpec, ProbeRunner, RunningJob } from '../../src/server/probeRunner';
import { ProbeService, type WorkspaceFiles } from '../../src/server/probeService';
import { resolveSettings, type ResolvedSettings } from '../../src/server/settingsStore';

const flagged = 'import tensorflow as tf\n\n\ndef act(x):\n    return tf.math.log(x)\n\n\nACTS = {"a": act}\n';
const clean = 'import json\n\n\ndef load(path):\n    with open(path) as f:\n        return json.load(f)\n';

async function scan(folder: string, files: string[], readByJobs: boolean): Promise<{ published: Map<string, Diagnostic[]>; logs: string[]; mainReads: number; functions: number }> {
  const published = new Map<string, Diagnostic[]>();
  const logs: string[] = [];
  let mainReads = 0;
  const service = new ProbeService({
    settingsFor: async (_uri, filePath): Promise<ResolvedSettings> => resolveSettings({ backend: 'cpu', probeOn: 'manual' }, filePath, folder),
    publish: (uri, d) => published.set(uri, d),
    status: () => undefined,
    refreshLenses: () => undefined,
    log: (m) => logs.push(m),
  }, new InProcessRunner());
  const workspaceFiles: WorkspaceFiles = {
    list: async () => ({ files, errors: [] }),
    read: async (path) => { mainReads++; return readFileSync(path, 'utf8'); },
    readByJobs,
  };
  const result = await service.probeWorkspace([folder], () => false, () => undefined, (p) => pathToFileURL(p).href, workspaceFiles);
  return { published, logs, mainReads, functions: result.functions };
}

test('jobs that read the disk themselves publish what main-thread reads publish, and the main thread reads nothing', async () => {
  const folder = mkdtempSync(join(tmpdir(), 'gradprobe-scan-reads-'));
  try {
    const a = join(folder, 'acts.py');
    const b = join(folder, 'io_utils.py');
    const gone = join(folder, 'deleted.py');
    writeFileSync(a, flagged);
    writeFileSync(b, clean);
    const files = [a, b, gone];
    const byJobs = await scan(folder, files, true);
    const byMain = await scan(folder, files, false);
    assert.equal(byJobs.mainReads, 0, 'the main thread read no file');
    assert.equal(byMain.mainReads, 3);
    const diags = byJobs.published.get(pathToFileURL(a).href) ?? [];
    const log = diags.find((d) => d.code === 'GP303');
    assert.ok(log, `GP303 published for acts.py: ${JSON.stringify(diags.map((d) => d.code))}`);
    // The range is placed on the file's text: its recorded text is what the range covers there.
    const line = flagged.split('\n')[log.range.start.line];
    assert.equal((log.data as { text: string }).text, line.slice(log.range.start.character, log.range.end.character));
    assert.ok((log.data as { text: string }).text.length > 0);
    assert.deepEqual(byJobs.published.get(pathToFileURL(b).href), []);
    assert.deepEqual([...byJobs.published].sort(), [...byMain.published].sort());
    assert.equal(byJobs.functions, byMain.functions);
    assert.ok(byJobs.logs.some((m) => m.includes(`cannot read ${gone}`)), `the unreadable file is logged: ${byJobs.logs.join(' | ')}`);
    assert.ok(byMain.logs.some((m) => m.includes(`cannot read ${gone}`)));
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
});

/** A service whose two scan workers only record the jobs they are given (each ends at once, with nothing found). */
function recordingService(record: (spec: JobSpec) => void): ProbeService {
  const recording = {
    run: (spec: JobSpec): RunningJob => {
      record(spec);
      return { result: Promise.resolve({ outline: [], reports: [], cancelled: false, ms: 0 }), cancel: () => undefined };
    },
    panelData: async () => null, forget: () => undefined, memory: async () => null, starts: 0, dispose: () => undefined,
  } satisfies ProbeRunner;
  return new ProbeService({
    settingsFor: async (_uri, filePath): Promise<ResolvedSettings> => resolveSettings({ backend: 'cpu', probeOn: 'manual' }, filePath, undefined, () => undefined),
    publish: () => undefined, status: () => undefined, refreshLenses: () => undefined, log: () => undefined,
  }, recording, [recording, recording]);
}

test('the scan\'s batches hold one workspace folder\'s files each, at most 8, and shrink towards the end so the lanes finish together', async () => {
  const jobs: { root?: string; paths: string[] }[] = [];
  const service = recordingService((spec) => jobs.push({ root: spec.root, paths: spec.paths ?? [] }));
  // 13 files in one folder, 50 in the other: a fixed 8-file batching would put the first folder's
  // last 5 files and the second's first 3 in one job, under the first folder's settings and root.
  const listing: Record<string, string[]> = {
    '/ws/a': Array.from({ length: 13 }, (_, i) => `/ws/a/m${i}.py`),
    '/ws/b': Array.from({ length: 50 }, (_, i) => `/ws/b/m${i}.py`),
  };
  const workspaceFiles: WorkspaceFiles = { list: async (folder) => ({ files: listing[folder], errors: [] }), read: async () => '', readByJobs: true };
  const result = await service.probeWorkspace(['/ws/a', '/ws/b'], () => false, () => undefined, (p) => `file://${p}`, workspaceFiles);
  assert.equal(result.files, 63);
  assert.deepEqual(jobs.flatMap((j) => j.paths).sort(), [...listing['/ws/a'], ...listing['/ws/b']].sort(), 'every file scanned once');
  for (const job of jobs) {
    assert.ok(job.paths.every((p) => p.startsWith(`${job.root}/`)), `a job under ${job.root} holds ${job.paths.join(', ')}`);
    assert.ok(job.paths.length >= 1 && job.paths.length <= 8, `a batch of ${job.paths.length}`);
  }
  assert.equal(jobs[0].paths.length, 8, 'full batches while much is left');
  assert.equal(jobs[jobs.length - 1].paths.length, 1, 'the last batches are single files');
});

test('every job of a workspace scan carries that scan\'s number, and each scan its own', async () => {
  const jobs: (number | undefined)[][] = [[], []];
  let current = 0;
  const service = recordingService((spec) => jobs[current].push(spec.scan));
  const files = Array.from({ length: 30 }, (_, i) => `/ws/m${i}.py`);
  const workspaceFiles: WorkspaceFiles = { list: async () => ({ files, errors: [] }), read: async () => '', readByJobs: true };
  for (current = 0; current < 2; current++) await service.probeWorkspace(['/ws'], () => false, () => undefined, (p) => `file://${p}`, workspaceFiles);
  for (const scan of jobs) {
    assert.ok(scan.length > 1, 'several jobs');
    assert.equal(typeof scan[0], 'number');
    assert.ok(scan.every((s) => s === scan[0]), `one number per scan: ${scan.join(' ')}`);
  }
  assert.notEqual(jobs[0][0], jobs[1][0], 'two scans, two numbers');
});
