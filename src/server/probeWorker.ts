// The probe worker (dist/probeWorker.js): runs the core pipeline off the language server's main
// thread. One job at a time; a job is cancelled through a shared flag the core polls between
// functions, so an edit stops the probes for the old text without waiting for them.
import { parentPort } from 'node:worker_threads';
import { forgetContext, runAnalysisJob, runPanelDataJob, workerMemory } from './analysisJob';
import { collectGarbage } from './gc';
import type { WorkerRequest, WorkerResponse } from './workerProtocol';

const port = parentPort;
if (!port) throw new Error('probeWorker.js runs as a worker thread of the GradProbe language server');

let cancelFlags: Int32Array | undefined;
const post = (m: WorkerResponse): void => port.postMessage(m);

// Jobs run one after another: the core's engine and caches are not re-entrant.
let queue: Promise<void> = Promise.resolve();

/**
 * A probe burst (a file opened, a pause in typing, the panel's training run) grows the heap, and V8
 * gives the garbage back lazily, so over a day the server's RSS would follow its busiest moments.
 * Once the worker has been idle this long, one full collection (tens of ms, off the main thread)
 * brings it back to its live data. `gc` is there because the runner sets --expose-gc before it
 * starts the worker (probeRunner.ts).
 */
export const idleCollectMs = 2000;
let running = 0;
let idle: NodeJS.Timeout | undefined;

function enqueue(job: () => Promise<void>, id: number): void {
  running++;
  clearTimeout(idle);
  queue = queue.then(job).catch((err: unknown) => {
    post({ type: 'error', id, message: err instanceof Error ? `${err.message}\n${err.stack ?? ''}` : String(err) });
  }).finally(() => {
    if (--running > 0) return;
    idle = setTimeout(collectGarbage, idleCollectMs);
    idle.unref();
  });
}

port.on('message', (req: WorkerRequest) => {
  switch (req.type) {
    case 'init':
      cancelFlags = new Int32Array(req.cancelFlags);
      return;
    case 'forget':
      forgetContext(req.root);
      return;
    case 'memory':
      // Answered when the thread is free: jobs run without yielding, so this is between two of them.
      post({ type: 'memory', id: req.id, memory: workerMemory(req.collect) });
      return;
    case 'analyze': {
      const cancelled = (): boolean => !!cancelFlags && Atomics.load(cancelFlags, req.cancelSlot) === 1;
      enqueue(() => runAnalysisJob(req, cancelled, post), req.id);
      return;
    }
    case 'panelData':
      enqueue(() => runPanelDataJob(req, post), req.id);
      return;
  }
});
