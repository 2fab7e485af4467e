// What the language server holds over a long session stays bounded: reports of function texts that
// are gone, a closed document's state, a worker grown by a huge file (replaced once idle); and the
// memory figures it reports (`gradprobe/memory`) say so, the probe worker's live tensors included.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { pathToFileURL } from 'node:url';
import type { Diagnostic } from 'vscode-languageserver-protocol';
import { defaultSettings, mergeSettings } from '../../src/core/config/settings';
import { InProcessRunner } from '../../src/server/inProcessRunner';
import { finding } from '../../src/core/findings/finding';
import { JobTimeout } from '../../src/server/jobTimeout';
import { recycleAbove, WorkerRunner, type JobOutcome, type ProbeRunner, type RunningJob } from '../../src/server/probeRunner';
import { ProbeService, staleReportsPerDocument, type UnitSource } from '../../src/server/probeService';
import { resolveSettings, type ResolvedSettings } from '../../src/server/settingsStore';
import { ServerMemoryRequest } from '../../src/shared/customMessages';
import { LspServer } from '../support/lspServer';

const root = process.cwd();
const workspace = join(root, 'test/fixtures/e2e/workspace/typing');
const settings = mergeSettings(defaultSettings, { backend: 'cpu' });

function harness() {
  const published = new Map<string, Diagnostic[]>();
  const service = new ProbeService({
    settingsFor: async (_uri, filePath): Promise<ResolvedSettings> => resolveSettings({ backend: 'cpu', debounceMs: 0 }, filePath, workspace),
    publish: (uri, d) => published.set(uri, d),
    status: () => undefined,
    refreshLenses: () => undefined,
    log: () => undefined,
  }, new InProcessRunner());
  return { service, published };
}

const path = join(workspace, 'typed_session.py');
const uri = pathToFileURL(path).href;
let version = 0;
function doc(text: string): UnitSource {
  return { uri, kind: 'document', path, filePath: path, language: 'python', views: [{ uri, version: ++version, text }], analysisText: text };
}

/** Two activations and a loss; `k` is what the user keeps retyping in the first one. */
const source = (k: number): string => `import tensorflow as tf


def swish_k(x):
    return x * tf.sigmoid(${(1 + k / 100).toFixed(2)} * x)


def soft_exp(x):
    return tf.math.log(1.0 + tf.exp(x))


def mse(y_true, y_pred):
    return tf.reduce_mean(tf.square(y_pred - y_true))


def build(model):
    model.add(tf.keras.layers.Dense(8, activation=swish_k))
    model.add(tf.keras.layers.Dense(8, activation=soft_exp))
    model.compile(loss=mse)
`;

test('typing in one function for a long time: the reports held for the document stay bounded; closing drops them', async () => {
  const h = harness();
  h.service.update(doc(source(0)), 'open');
  await h.service.idle();
  assert.equal(h.service.heldReports, 3);
  let most = 0;
  for (let k = 1; k <= staleReportsPerDocument + 20; k++) {
    h.service.update(doc(source(k)), 'change');
    await h.service.idle();
    most = Math.max(most, h.service.heldReports);
  }
  // Every version of swish_k was probed and held for a while; only the last few are kept.
  assert.equal(most, 3 + staleReportsPerDocument);
  assert.equal(h.service.heldReports, 3 + staleReportsPerDocument);
  // The current ones answer the hover.
  const hover = h.service.hover(uri, { line: 3, character: 5 });
  assert.match(JSON.stringify(hover?.contents ?? ''), /swish_k/);
  assert.equal(h.service.openUnits, 1);
  h.service.close(uri);
  assert.equal(h.service.openUnits, 0);
  assert.equal(h.service.heldReports, 0);
});

test('the in-process runner\'s memory figures: no live tensor after the probes, the report cache counted', async () => {
  const runner = new InProcessRunner();
  const job = runner.run({ files: [{ path, text: source(7) }], settings, probe: true, exclude: [] });
  const outcome = await job.result;
  assert.equal(outcome.reports[0].functions.length, 3);
  const figures = await runner.memory();
  assert.ok(figures);
  assert.equal(figures.tensors, 0);
  assert.ok(figures.jobs >= 1);
  assert.equal(figures.leakyJobs, 0);
  assert.ok(figures.reportCache >= 3, `${figures.reportCache} cached reports`);
  assert.ok(figures.heapUsedMb > 0 && figures.parserMb > 0);
});

test('probe worker: replaced once idle when a job left it past the limits; jobs before and after answered', async () => {
  const logs: string[] = [];
  // Limits every worker exceeds: each job's worker is replaced after it (the real limits are recycleAbove).
  // Each worker's life: the number of earlier workers that had exited when it was started.
  let exited = 0;
  const exitedBeforeStart: number[] = [];
  const spawn = (file: string) => {
    exitedBeforeStart.push(exited);
    const w = new Worker(file, { stdout: false, stderr: false });
    w.on('exit', () => exited++);
    return w;
  };
  const runner = new WorkerRunner(join(root, 'dist/probeWorker.js'), (m) => logs.push(m), { parserMb: 1, heapTotalMb: 1 }, spawn);
  try {
    const first = await runner.run({ files: [{ path, text: source(1) }], settings, probe: true, exclude: [] }).result;
    assert.equal(first.reports[0].functions.length, 3);
    assert.equal(runner.starts, 1);
    assert.equal(await runner.memory(), null, 'the replaced worker is gone');
    assert.ok(logs.some((l) => /restarting the probe worker to give back its memory/.test(l)), logs.join('\n'));
    // Asked for at once, while the old worker is still ending: the new one waits for its exit (a thread
    // started beside a dying one keeps the old thread's malloc arenas resident).
    const second = await runner.run({ files: [{ path, text: source(2) }], settings, probe: true, exclude: [] }).result;
    assert.equal(second.reports[0].functions.length, 3);
    assert.equal(runner.starts, 2);
    assert.deepEqual(exitedBeforeStart, [0, 1], 'the second worker started only after the first had exited');
    // A third job, asked for while the second worker is ending, waits for it likewise.
    const third = runner.run({ files: [{ path, text: source(3) }], settings, probe: true, exclude: [] }).result;
    assert.equal((await third).reports[0].functions.length, 3);
    assert.deepEqual(exitedBeforeStart, [0, 1, 2]);
  } finally {
    runner.dispose();
  }
  assert.ok(recycleAbove.parserMb >= 64 && recycleAbove.heapTotalMb >= 256, 'everyday files do not recycle the worker');
});

test('probe worker: within the limits it is kept, and it reports its live tensors between jobs', async () => {
  const runner = new WorkerRunner(join(root, 'dist/probeWorker.js'), () => undefined);
  try {
    assert.equal(await runner.memory(), null, 'no worker before the first job');
    for (let k = 0; k < 3; k++) await runner.run({ files: [{ path, text: source(10 + k) }], settings, probe: true, exclude: [] }).result;
    const figures = await runner.memory();
    assert.ok(figures);
    assert.equal(runner.starts, 1);
    assert.equal(figures.tensors, 0);
    assert.equal(figures.jobs, 3);
    assert.equal(figures.leakyJobs, 0);
  } finally {
    runner.dispose();
  }
});

test('gradprobe/memory over stdio: the server\'s RSS and heaps, the worker\'s tensors, documents open', async () => {
  const server = new LspServer({ root, workspace, settings: { backend: 'cpu', probeOn: 'type', debounceMs: 0 } });
  try {
    await server.initialize();
    const before = await server.connection.sendRequest(ServerMemoryRequest.type, {});
    assert.ok(before);
    assert.equal(before.worker, null, 'no worker before the first document');
    assert.equal(before.documents, 0);
    const opened = server.open(path, source(3));
    await server.diagnostics(opened, () => true, 60_000);
    const during = await server.connection.sendRequest(ServerMemoryRequest.type, {});
    assert.ok(during?.worker, 'the worker answers between jobs');
    assert.equal(during.documents, 1);
    assert.equal(during.reports, 3);
    assert.equal(during.worker.tensors, 0);
    assert.equal(during.workerStarts, 1);
    assert.ok(during.rssMb > 20 && during.peakRssMb >= during.rssMb && during.heapUsedMb > 0, JSON.stringify(during));
    server.close(opened);
    // Messages are handled in order: the close before the request.
    const closed = await server.connection.sendRequest(ServerMemoryRequest.type, {});
    assert.equal(closed?.documents, 0);
    assert.equal(closed?.reports, 0);
  } finally {
    await server.dispose();
  }
});

/**
 * A runner whose jobs answer when the test says, and answer "not cancelled" even after a cancel: a
 * worker that finished the job before it read the cancellation flag answers so.
 */
class HeldRunner implements ProbeRunner {
  readonly jobs: { cancelled: boolean; finish: (outcome: JobOutcome) => void; fail: (err: Error) => void }[] = [];
  readonly starts = 0;
  run(): RunningJob {
    let job!: HeldRunner['jobs'][number];
    const result = new Promise<JobOutcome>((resolve, reject) => { job = { cancelled: false, finish: resolve, fail: reject }; });
    this.jobs.push(job);
    return { result, cancel: () => { job.cancelled = true; } };
  }
  panelData(): Promise<null> { return Promise.resolve(null); }
  forget(): void {}
  memory(): Promise<null> { return Promise.resolve(null); }
  dispose(): void {}
}

const span0 = { startLine: 0, startCol: 0, endLine: 0, endCol: 6 };
const outcomeWith = (message: string): JobOutcome => ({
  outline: [], cancelled: false, ms: 1,
  reports: [{ path, functions: [], findings: [finding('GP002', { message, span: span0, evidence: {} })] }],
});

async function until(what: string, ok: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !ok(); i++) await new Promise((r) => setTimeout(r, 5));
  assert.ok(ok(), what);
}

test('a probe that answers after its document closed publishes nothing: the closed document keeps no diagnostics', async () => {
  const runner = new HeldRunner();
  const published: { uri: string; diagnostics: Diagnostic[] }[] = [];
  let probedAfterClose = 0;
  let closed = false;
  const service = new ProbeService({
    settingsFor: async (_uri, filePath): Promise<ResolvedSettings> => resolveSettings({ backend: 'cpu', debounceMs: 0 }, filePath, workspace),
    publish: (u, diagnostics) => published.push({ uri: u, diagnostics }),
    status: () => undefined,
    refreshLenses: () => undefined,
    log: () => undefined,
    probed: () => { if (closed) probedAfterClose++; },
  }, runner);
  service.update(doc(source(1)), 'open');
  await until('the probe started', () => runner.jobs.length === 1);
  service.close(uri);
  closed = true;
  assert.equal(runner.jobs[0].cancelled, true, 'closing cancels the probe');
  assert.deepEqual(published.at(-1), { uri, diagnostics: [] }, 'closing clears the diagnostics');
  runner.jobs[0].finish(outcomeWith('found before the close'));
  await new Promise((r) => setTimeout(r, 20));
  assert.deepEqual(published.at(-1), { uri, diagnostics: [] }, 'the late answer is not published for the closed document');
  assert.equal(probedAfterClose, 0);
  assert.equal(service.openUnits, 0);

  // Reopened while the probe of the first opening is still out: only the new opening's answer counts.
  service.update(doc(source(2)), 'open');
  await until('the second probe started', () => runner.jobs.length === 2);
  service.close(uri);
  service.update(doc(source(3)), 'open');
  await until('the third probe started', () => runner.jobs.length === 3);
  runner.jobs[2].finish(outcomeWith('the current text'));
  await until('the current answer published', () => published.at(-1)?.diagnostics[0]?.message === 'the current text');
  runner.jobs[1].finish(outcomeWith('an earlier opening'));
  runner.jobs[0].fail(new JobTimeout('stopped by the watchdog'));
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(published.at(-1)?.diagnostics[0]?.message, 'the current text', published.map((p) => p.diagnostics.map((d) => d.message).join('|')).join(' / '));
  service.close(uri);
});
