// The analysis jobs on the calling thread, one at a time: for unit tests, which need no worker bundle.
// (Kept apart from probeRunner.ts so the server's main bundle never loads the core's engine.)
import { forgetContext, runAnalysisJob, runPanelDataJob, workerMemory } from './analysisJob';
import type { JobOutcome, JobSpec, PanelJobSpec, ProbeRunner, RunningJob } from './probeRunner';
import type { PanelData } from '../shared/panelMessages';
import type { OutlineEntry, WorkerMemory } from './workerProtocol';

/** The same jobs on the calling thread, one at a time (unit tests; no worker bundle needed). */
export class InProcessRunner implements ProbeRunner {
  private queue: Promise<unknown> = Promise.resolve();
  private nextId = 1;
  /** No worker thread: the jobs run on the caller's. */
  readonly starts = 0;

  run(spec: JobSpec, onOutline?: (outline: OutlineEntry[]) => void): RunningJob {
    let cancelled = false;
    const id = this.nextId++;
    const result = new Promise<JobOutcome>((resolve, reject) => {
      this.queue = this.queue.then(async () => {
        let outline: OutlineEntry[] = [];
        await runAnalysisJob({ type: 'analyze', id, files: spec.files, paths: spec.paths, settings: spec.settings, probe: spec.probe, root: spec.root, exclude: spec.exclude, cancelSlot: 0, reportData: spec.reportData, scan: spec.scan }, () => cancelled, (m) => {
          if (m.type === 'outline') { outline = m.functions; onOutline?.(m.functions); }
          if (m.type === 'result') resolve({ outline, reports: m.reports, cancelled: m.cancelled, ms: m.ms, read: m.read });
          if (m.type === 'error') reject(new Error(m.message));
        });
      }).catch((err: unknown) => reject(err instanceof Error ? err : new Error(String(err))));
    });
    return { result, cancel: () => { cancelled = true; } };
  }

  panelData(spec: PanelJobSpec): Promise<PanelData | null> {
    const id = this.nextId++;
    return new Promise<PanelData | null>((resolve, reject) => {
      this.queue = this.queue.then(() => runPanelDataJob({ type: 'panelData', id, ...spec }, (m) => {
        if (m.type === 'panelData') resolve(m.data);
      })).catch((err: unknown) => reject(err instanceof Error ? err : new Error(String(err))));
    });
  }

  forget(root?: string): void {
    forgetContext(root);
  }

  /** The calling thread's figures, read when the jobs queued so far are done (as a worker answers between jobs). */
  memory(collect = false): Promise<WorkerMemory | null> {
    const answer = this.queue.then(() => workerMemory(collect), () => workerMemory(collect));
    this.queue = answer;
    return answer;
  }

  dispose(): void {}
}
