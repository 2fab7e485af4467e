// Runs analysis jobs for the server's main thread: in a worker_threads worker in production (the main
// thread stays free for LSP requests), in-process in tests. A worker that stops answering is
// terminated and replaced, so one strange file cannot take the server down with it.
import { setFlagsFromString } from 'node:v8';
import { Worker } from 'node:worker_threads';
import type { GradProbeSettings } from '../core/config/settings';
import type { FileReport } from '../core/findings/types';
import type { AnalyzeRequest, PanelDataJob } from './analysisJob';
import { JobTimeout } from './jobTimeout';
import type { PanelData } from '../shared/panelMessages';
import type { OutlineEntry, ReadFiles, SourceText, WorkerMemory, WorkerRequest, WorkerResponse } from './workerProtocol';

export interface JobSpec {
  files: SourceText[];
  /** Files the job reads from disk itself (see `AnalyzeRequest.paths`); only where the analysis runs with a file system. */
  paths?: string[];
  settings: GradProbeSettings;
  probe: boolean;
  root?: string;
  exclude: string[];
  /** false: reports without their panel and hover arrays (see `AnalyzeRequest.reportData`). */
  reportData?: boolean;
  /** The workspace scan the job is part of (see `AnalyzeRequest.scan`). */
  scan?: number;
}

export interface JobOutcome {
  outline: OutlineEntry[];
  reports: FileReport[];
  cancelled: boolean;
  ms: number;
  /** What became of `JobSpec.paths`. */
  read?: ReadFiles;
}

/** A panel-data job: which function of which text, and which of the panel's parts. */
export type PanelJobSpec = Omit<PanelDataJob, 'type' | 'id'>;

export interface RunningJob {
  result: Promise<JobOutcome>;
  cancel(): void;
}

export interface ProbeRunner {
  run(spec: JobSpec, onOutline?: (outline: OutlineEntry[]) => void): RunningJob;
  /** The probe panel's data for one function (queued behind the analyses, like them off the main thread). */
  panelData(spec: PanelJobSpec): Promise<PanelData | null>;
  /** Workspace files changed: drop the cached context of `root` (or all). */
  forget(root?: string): void;
  /**
   * The probe worker's memory figures, read between jobs (after collecting garbage if asked and
   * possible); null when no worker runs or it does not answer in time.
   */
  memory(collect?: boolean): Promise<WorkerMemory | null>;
  /** Workers started so far: the first, and each replacement (a stuck job, a failure, a recycle). */
  readonly starts: number;
  dispose(): void;
}


const slots = 256;

/** How long a replaced worker may take to exit before the next one starts anyway. */
const retireWaitMs = 5_000;

/** Starts a probe worker (tests pass one that watches the workers' lives). */
export type SpawnWorker = (path: string) => Worker;
const spawnWorker: SpawnWorker = (path) => new Worker(path, { stdout: false, stderr: false });

/**
 * An idle worker whose memory has grown past these is replaced before the next job. tree-sitter's
 * WebAssembly memory grows to fit the largest tree parsed and never shrinks (a 5 MB file leaves
 * about 200 MB), and V8 keeps the heap a huge file needed; a fresh thread gives both back. Everyday
 * files stay far below (about 34 MB of parser memory and 100–200 MB of heap), so this is rare.
 */
export const recycleAbove = { parserMb: 96, heapTotalMb: 640 };

/** Watchdog: the core enforces the per-function budget; this catches what slips past it (a hung op). */
function watchdogMs(spec: JobSpec, functions: number | undefined): number {
  const perFunction = spec.settings.timeBudgetMs * 3 + 500;
  return 20_000 + (spec.probe ? perFunction * (functions ?? (spec.files.length + (spec.paths?.length ?? 0)) * 20) : 0);
}

interface Pending {
  spec: JobSpec;
  outline: OutlineEntry[];
  onOutline?: (o: OutlineEntry[]) => void;
  resolve: (o: JobOutcome) => void;
  reject: (e: Error) => void;
  timer?: NodeJS.Timeout;
  started: number;
}

export class WorkerRunner implements ProbeRunner {
  private worker: Worker | undefined;
  private readonly flags = new Int32Array(new SharedArrayBuffer(slots * 4));
  private readonly pending = new Map<number, Pending>();
  private readonly panelPending = new Map<number, { resolve: (d: PanelData | null) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }>();
  private readonly memoryPending = new Map<number, { resolve: (m: WorkerMemory | null) => void; timer: NodeJS.Timeout }>();
  private nextId = 1;
  /**
   * Set while a replaced worker is ending: the next worker starts only once it has exited. A thread
   * started beside a dying one gets a malloc arena of its own, and the old thread's arenas stay
   * resident: every recycle then adds the old worker's footprint to the server's RSS for good.
   */
  private retiring: Promise<void> | undefined;
  private disposed = false;
  starts = 0;

  constructor(
    private readonly workerPath: string,
    private readonly log: (message: string) => void,
    private readonly limits: { parserMb: number; heapTotalMb: number } = recycleAbove,
    private readonly spawn: SpawnWorker = spawnWorker,
  ) {}

  /** Ends `worker`; the next worker waits for its exit (at most `retireWaitMs`). */
  private retire(worker: Worker | undefined): void {
    if (!worker) return;
    let timer: NodeJS.Timeout | undefined;
    const exited = Promise.race([
      worker.terminate().then(() => undefined, () => undefined),
      new Promise<void>((resolve) => { timer = setTimeout(resolve, retireWaitMs); }),
    ]).finally(() => clearTimeout(timer));
    const retiring: Promise<void> = Promise.all([this.retiring, exited]).then(() => {
      if (this.retiring === retiring) this.retiring = undefined;
    });
    this.retiring = retiring;
  }

  /** Posts to the worker, starting one (after any replaced worker has exited) if none runs. */
  private post(message: WorkerRequest, failed: (err: Error) => void): void {
    const send = () => {
      if (this.disposed) { failed(new Error('the server is shutting down')); return; }
      try {
        this.ensureWorker().postMessage(message);
      } catch (err) {
        failed(err instanceof Error ? err : new Error(String(err)));
      }
    };
    if (this.retiring && !this.worker) void this.retiring.then(send);
    else send();
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    this.starts++;
    // Gives the worker (an isolate made after this) the `gc` it calls when idle (probeWorker.ts).
    // The main thread's context is older and is not given it.
    setFlagsFromString('--expose-gc');
    const worker = this.spawn(this.workerPath);
    worker.on('message', (m: WorkerResponse) => this.onMessage(m));
    worker.on('error', (err) => {
      this.log(`probe worker failed: ${err.stack ?? err.message}`);
      this.failAll(new Error(`the probe worker failed: ${err.message}`));
      this.worker = undefined;
    });
    worker.on('exit', (code) => {
      if (this.worker === worker) {
        this.worker = undefined;
        if (code !== 0) this.log(`probe worker exited with code ${code}`);
        this.failAll(new Error(`the probe worker exited (code ${code})`));
      }
    });
    worker.postMessage({ type: 'init', cancelFlags: this.flags.buffer as SharedArrayBuffer } satisfies WorkerRequest);
    this.worker = worker;
    return worker;
  }

  private failAll(err: Error): void {
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(err);
      this.pending.delete(id);
    }
    for (const [id, p] of this.panelPending) {
      clearTimeout(p.timer);
      p.reject(err);
      this.panelPending.delete(id);
    }
    for (const [id, p] of this.memoryPending) {
      clearTimeout(p.timer);
      p.resolve(null);
      this.memoryPending.delete(id);
    }
  }

  /**
   * After a job: with nothing else queued, a worker past the memory limits is ended, and the next
   * job starts a fresh one. No job is lost: the worker has none left.
   */
  private recycleIfLarge(memory: WorkerMemory | undefined): void {
    if (!memory || !this.worker || this.pending.size || this.panelPending.size) return;
    if (memory.parserMb <= this.limits.parserMb && memory.heapTotalMb <= this.limits.heapTotalMb) return;
    this.log(`restarting the probe worker to give back its memory (heap ${memory.heapTotalMb} MB, parser ${memory.parserMb} MB)`);
    const old = this.worker;
    this.worker = undefined;
    this.failAll(new Error('the probe worker was restarted'));
    this.retire(old);
  }

  private arm(id: number, p: Pending, functions?: number): void {
    clearTimeout(p.timer);
    const ms = watchdogMs(p.spec, functions);
    p.timer = setTimeout(() => {
      this.log(`analysis of ${[...p.spec.files.map((f) => f.path), ...(p.spec.paths ?? [])].join(', ')} did not finish within ${Math.round(ms / 1000)} s; restarting the probe worker`);
      const stuck = this.worker;
      this.worker = undefined;
      this.pending.delete(id);
      p.reject(new JobTimeout(`the analysis did not finish within ${Math.round(ms / 1000)} s and was stopped`));
      this.failAll(new Error('the probe worker was restarted while this job waited'));
      this.retire(stuck);
    }, ms);
    p.timer.unref?.();
  }

  private onMessage(m: WorkerResponse): void {
    if (m.type === 'log') { this.log(m.message); return; }
    if (m.type === 'memory') {
      const waiting = this.memoryPending.get(m.id);
      if (waiting) {
        clearTimeout(waiting.timer);
        this.memoryPending.delete(m.id);
        waiting.resolve(m.memory);
      }
      return;
    }
    const panel = this.panelPending.get(m.id);
    if (panel && (m.type === 'panelData' || m.type === 'error')) {
      clearTimeout(panel.timer);
      this.panelPending.delete(m.id);
      if (m.type === 'panelData') panel.resolve(m.data);
      else panel.reject(new Error(m.message));
      if (m.type === 'panelData') this.recycleIfLarge(m.memory);
      return;
    }
    const p = this.pending.get(m.id);
    if (!p) return;
    switch (m.type) {
      case 'outline':
        p.outline = m.functions;
        this.arm(m.id, p, m.functions.length);
        p.onOutline?.(m.functions);
        return;
      case 'result':
        clearTimeout(p.timer);
        this.pending.delete(m.id);
        p.resolve({ outline: p.outline, reports: m.reports, cancelled: m.cancelled, ms: m.ms, read: m.read });
        this.recycleIfLarge(m.memory);
        return;
      case 'panelData':
        return;
      case 'error':
        clearTimeout(p.timer);
        this.pending.delete(m.id);
        p.reject(new Error(m.message));
        return;
    }
  }

  run(spec: JobSpec, onOutline?: (outline: OutlineEntry[]) => void): RunningJob {
    const id = this.nextId++;
    const slot = id % slots;
    Atomics.store(this.flags, slot, 0);
    const result = new Promise<JobOutcome>((resolve, reject) => {
      const p: Pending = { spec, outline: [], onOutline, resolve, reject, started: Date.now() };
      this.pending.set(id, p);
      this.arm(id, p);
      const req: AnalyzeRequest = { type: 'analyze', id, files: spec.files, paths: spec.paths, settings: spec.settings, probe: spec.probe, root: spec.root, exclude: spec.exclude, cancelSlot: slot, reportData: spec.reportData, scan: spec.scan };
      this.post(req, (err) => {
        if (this.pending.get(id) !== p) return;
        clearTimeout(p.timer);
        this.pending.delete(id);
        reject(err);
      });
    });
    return { result, cancel: () => Atomics.store(this.flags, slot, 1) };
  }

  panelData(spec: PanelJobSpec): Promise<PanelData | null> {
    const id = this.nextId++;
    return new Promise<PanelData | null>((resolve, reject) => {
      // The stacks and the training run take about a second; a worker that does not answer in a minute is stuck.
      const ms = 60_000 + spec.settings.timeBudgetMs * 6;
      const timer = setTimeout(() => {
        this.panelPending.delete(id);
        this.log(`the panel data for ${spec.name} did not arrive within ${Math.round(ms / 1000)} s; restarting the probe worker`);
        const stuck = this.worker;
        this.worker = undefined;
        reject(new JobTimeout(`the panel data did not arrive within ${Math.round(ms / 1000)} s`));
        this.failAll(new Error('the probe worker was restarted while this job waited'));
        this.retire(stuck);
      }, ms);
      timer.unref?.();
      this.panelPending.set(id, { resolve, reject, timer });
      this.post({ type: 'panelData', id, ...spec } satisfies WorkerRequest, (err) => {
        if (!this.panelPending.has(id)) return;
        clearTimeout(timer);
        this.panelPending.delete(id);
        reject(err);
      });
    });
  }

  forget(root?: string): void {
    this.worker?.postMessage({ type: 'forget', root } satisfies WorkerRequest);
  }

  memory(collect = false, timeoutMs = 10_000): Promise<WorkerMemory | null> {
    const worker = this.worker;
    if (!worker) return Promise.resolve(null);
    const id = this.nextId++;
    return new Promise<WorkerMemory | null>((resolve) => {
      // A busy worker answers after its job; one that never does is the watchdog's business, not this.
      const timer = setTimeout(() => { this.memoryPending.delete(id); resolve(null); }, timeoutMs);
      timer.unref?.();
      this.memoryPending.set(id, { resolve, timer });
      try {
        worker.postMessage({ type: 'memory', id, collect } satisfies WorkerRequest);
      } catch {
        clearTimeout(timer);
        this.memoryPending.delete(id);
        resolve(null);
      }
    });
  }

  dispose(): void {
    this.disposed = true;
    this.failAll(new Error('the server is shutting down'));
    void this.worker?.terminate();
    this.worker = undefined;
  }
}
