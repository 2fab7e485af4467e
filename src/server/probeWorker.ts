// The probe worker (dist/probeWorker.js): runs the core pipeline off the language server's main
// thread. One job at a time; a job is cancelled through a shared flag the core polls between
// functions, so an edit stops the probes for the old text without waiting for them.
import { parentPort } from 'node:worker_threads';
import { forgetContext, runAnalysisJob, runPanelDataJob, workerMemory } from './analysisJob';
import type { WorkerRequest, WorkerResponse } from './workerProtocol';

const port = parentPort;
if (!port) throw new Error('probeWorker.js runs as a worker thread of the GradProbe language server');

let cancelFlags: Int32Array | undefined;
const post = (m: WorkerResponse): void => port.postMessage(m);

// Jobs run one after another: the core's engine and caches are not re-entrant.
let queue: Promise<void> = Promise.resolve();

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
      queue = queue.then(() => runAnalysisJob(req, cancelled, post)).catch((err: unknown) => {
        post({ type: 'error', id: req.id, message: err instanceof Error ? `${err.message}\n${err.stack ?? ''}` : String(err) });
      });
      return;
    }
    case 'panelData':
      queue = queue.then(() => runPanelDataJob(req, post)).catch((err: unknown) => {
        post({ type: 'error', id: req.id, message: err instanceof Error ? `${err.message}\n${err.stack ?? ''}` : String(err) });
      });
      return;
  }
});
