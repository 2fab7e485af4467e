// `check --jobs N` and `--shard K/N`: the probing of one run spread over worker threads, and a run
// split across machines. Every thread parses and detects the whole input set (the context a
// function's report depends on), so the functions have the same indices everywhere; each function
// is then claimed by exactly one thread through a shared array of flags (compare-and-swap: no
// messages to hand out work, and a thread that is free takes the next function). The main thread
// probes too and assembles the reports in detection order, so the output is the same whatever N.
import { resolve } from 'node:path';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { analyzeSources, type AnalyzeOptions, type AnalyzeShare, type SourceInput } from '../core/analyze';
import type { GradProbeSettings } from '../core/config/settings';
import type { FileReport, FunctionReport } from '../core/findings/types';
import { diskLoader } from './files';
import { shardOf, type Shard } from './shard';

export interface SharedRun {
  inputs: SourceInput[];
  base: GradProbeSettings;
  settingsOf: Map<string, GradProbeSettings>;
  roots: string[];
  runBudget: NonNullable<AnalyzeOptions['runBudget']>;
  jobs: number;
  shard?: Shard;
  cwd: string;
  onProgress?: AnalyzeOptions['onProgress'];
  /** Each file read through an import outside the inputs (for the cache's entries). */
  onLoad?: (file: string) => void;
  /** Files whose reports the cache holds: parsed and detected as context, their functions not probed. */
  reuse?: ReadonlySet<string>;
}

interface WorkerInput {
  kind: 'gradprobe-check-worker';
  inputs: { path: string; text?: string; error?: string }[];
  base: GradProbeSettings;
  settingsOf: [string, GradProbeSettings][];
  roots: string[];
  runBudget: NonNullable<AnalyzeOptions['runBudget']>;
  shard?: Shard;
  cwd: string;
  flags: SharedArrayBuffer;
  reuse: string[];
  /** Threads probing in this process (the CPU-time budget's multiplier where the clock is the process's). */
  threads: number;
}

type WorkerMessage =
  | { type: 'report'; index: number; report: FunctionReport }
  | { type: 'loaded'; file: string }
  | { type: 'done' }
  | { type: 'error'; message: string };

/** Runs the analysis on `jobs` threads (this one included); the reports are those of one thread. */
export async function analyzeShared(run: SharedRun): Promise<FileReport[]> {
  const resolvePath = (p: string): string => resolve(run.cwd, p);
  const shard = run.shard;
  const probable = run.inputs.filter((i) => typeof i.text === 'string').length;
  const threads = Math.max(1, Math.min(run.jobs, probable));
  const maxPerFile = Math.max(...[...run.settingsOf.values(), run.base].map((s) => s.maxFunctions));
  const flags = new Int32Array(new SharedArrayBuffer(4 * Math.min(probable * maxPerFile + 64, 1 << 22)));
  const options: AnalyzeOptions = {
    settings: run.base,
    settingsFor: (path) => run.settingsOf.get(path) ?? run.base,
    load: diskLoader(run.roots, run.onLoad),
    runBudget: run.runBudget,
    onProgress: run.onProgress,
    probeThreads: threads,
  };
  const reuse = run.reuse ?? new Set<string>();
  const inShardShare = (): AnalyzeShare | undefined => (shard || reuse.size ? { claim: (_i, path) => (!reuse.has(path) && (!shard || shardOf(resolvePath(path), shard.root, shard.count) === shard.index) ? 'here' : 'skip') } : undefined);
  if (threads <= 1) return analyzeSources(run.inputs, { ...options, share: inShardShare() });

  const waiting = new Map<number, (r: FunctionReport | undefined) => void>();
  const arrived = new Map<number, FunctionReport>();
  let live = threads - 1;
  const failures: string[] = [];
  const settleAll = (): void => {
    if (live > 0) return;
    for (const [i, resolve] of waiting) resolve(arrived.get(i));
    waiting.clear();
  };
  const data: WorkerInput = {
    kind: 'gradprobe-check-worker',
    inputs: run.inputs.map((i) => (typeof i.text === 'string' ? { path: i.path, text: i.text } : { path: i.path, error: i.text.message })),
    base: run.base, settingsOf: [...run.settingsOf], roots: run.roots, runBudget: run.runBudget, shard, cwd: run.cwd, flags: flags.buffer as SharedArrayBuffer, reuse: [...reuse], threads,
  };
  const workers = Array.from({ length: threads - 1 }, () => {
    // The worker's own output is not the run's: only the main thread prints.
    const worker = new Worker(__filename, { workerData: data, stdout: true, stderr: true });
    worker.stdout.resume();
    worker.stderr.resume();
    let finished = false;
    const finish = (): void => {
      if (finished) return;
      finished = true;
      live--;
      settleAll();
    };
    worker.on('message', (m: WorkerMessage) => {
      if (m.type === 'report') {
        arrived.set(m.index, m.report);
        const resolve = waiting.get(m.index);
        if (resolve) { waiting.delete(m.index); resolve(m.report); }
      } else if (m.type === 'loaded') run.onLoad?.(m.file);
      else if (m.type === 'error') failures.push(m.message);
      else if (m.type === 'done') finish();
    });
    // A worker that fails leaves its unfinished functions to the main thread (probed there).
    worker.on('error', (err) => { failures.push(err.message); finish(); });
    worker.on('exit', finish);
    return worker;
  });
  try {
    return await analyzeSources(run.inputs, {
      ...options,
      share: {
        claim: (index, path) => {
          if (reuse.has(path) || (shard && shardOf(resolvePath(path), shard.root, shard.count) !== shard.index)) return 'skip';
          if (index >= flags.length) return 'here';
          return Atomics.compareExchange(flags, index, 0, 1) === 0 ? 'here' : 'elsewhere';
        },
        elsewhere: (index) => {
          const got = arrived.get(index);
          if (got || live === 0) return Promise.resolve(got);
          return new Promise((resolve) => waiting.set(index, resolve));
        },
      },
    });
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

/** The worker side: the same analysis, probing only what it claims, each report posted as made. */
export async function runCheckWorker(): Promise<void> {
  const data = workerData as WorkerInput;
  const port = parentPort!;
  const post = (m: WorkerMessage): void => port.postMessage(m);
  try {
    const flags = new Int32Array(data.flags);
    const settingsOf = new Map(data.settingsOf);
    const resolvePath = (p: string): string => resolve(data.cwd, p);
    const reuse = new Set(data.reuse);
    await analyzeSources(data.inputs.map((i) => ({ path: i.path, text: i.text ?? new Error(i.error ?? 'unreadable') })), {
      settings: data.base,
      settingsFor: (path) => settingsOf.get(path) ?? data.base,
      load: diskLoader(data.roots, (file) => post({ type: 'loaded', file })),
      runBudget: data.runBudget,
      probeThreads: data.threads,
      share: {
        claim: (index, path) => {
          if (reuse.has(path) || (data.shard && shardOf(resolvePath(path), data.shard.root, data.shard.count) !== data.shard.index)) return 'skip';
          if (index >= flags.length) return 'skip';
          return Atomics.compareExchange(flags, index, 0, 1) === 0 ? 'here' : 'skip';
        },
        probed: (index, report) => post({ type: 'report', index, report }),
      },
    });
  } catch (err) {
    post({ type: 'error', message: err instanceof Error ? err.message : String(err) });
  }
  post({ type: 'done' });
}

/** Is this thread a check worker started by `analyzeShared`? */
export function isCheckWorker(): boolean {
  return !isMainThread && (workerData as Partial<WorkerInput> | null)?.kind === 'gradprobe-check-worker';
}
