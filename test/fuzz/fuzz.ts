// `npm run fuzz -- --count N --seed S [--from K] [--server M] [--out DIR] [--replay FILE]`: N generated inputs
// through the core (in a worker thread with a watchdog, so a hang is counted, not waited on) and M
// through the running language server over stdio. Failing inputs and the slowest one are saved for
// replay. The last line reads `fuzz: N inputs, C crashes, R unhandled rejections, slowest T ms (FILE), peak
// RSS P MB`; the exit code is non-zero on any crash, unhandled rejection, malformed answer or lost function.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import * as tf from '@tensorflow/tfjs-core';
import { isMainThread, parentPort, Worker } from 'node:worker_threads';
import { analyzeSources } from '../../src/core/analyze';
import { parserMemoryBytes } from '../../src/core/parse/treeSitter';
import { collectGarbage } from '../../src/server/gc';
import { recycleAbove } from '../../src/server/probeRunner';
import { loadSeeds } from './generate';
import { fuzzAnalyzeOptions, inputBudgetSeconds, reportProblems, rssTrend, runCoreFuzz, runServerFuzz, serialisationProblem, summaryLine, withoutProbeData, type RssSample, type AnalyzeOutcome, type Analyzer, type FuzzStats } from './run';

/** `settle`: collect garbage before answering, so the figures taken after it show live data. */
interface Job { id: number; path: string; text: string; settle?: boolean }
/** The analysis thread's footprint after an input, MB: the same figures the language server recycles its worker on. */
interface Footprint { heapUsedMb: number; heapTotalMb: number; parserMb: number; externalMb: number; arrayBuffersMb: number; tfMb: number; tfTensors: number }
type Answer = { id: number; ms: number; rejections: number; footprint: Footprint } & ({ reports: unknown; problems: string[] } | { error: string });

const footprint = (): Footprint => {
  const heap = getHeapStatistics();
  const mem = process.memoryUsage();
  const t = tf.memory();
  return { heapUsedMb: heap.used_heap_size / 1048576, heapTotalMb: heap.total_heap_size / 1048576, parserMb: parserMemoryBytes() / 1048576, externalMb: mem.external / 1048576, arrayBuffersMb: mem.arrayBuffers / 1048576, tfMb: t.numBytes / 1048576, tfTensors: t.numTensors };
};

function workerMain(): void {
  const port = parentPort!;
  let rejections = 0;
  process.on('unhandledRejection', () => { rejections++; });
  port.on('message', (job: Job) => {
    const t = performance.now();
    const before = rejections;
    analyzeSources([{ path: job.path, text: job.text }], fuzzAnalyzeOptions()).then(
      (reports) => {
        // Let a rejection raised during the analysis surface before answering.
        setImmediate(() => {
          // As the language server's probe worker does once idle: the memory figures the runner
          // samples after this input then show what the thread keeps, not the garbage of the input.
          if (job.settle) collectGarbage();
          try {
            // Checked here, whole; sent without the probe data the judge does not read.
            const unserialisable = serialisationProblem(reports);
            port.postMessage({ id: job.id, ms: performance.now() - t, rejections: rejections - before, footprint: footprint(), reports: withoutProbeData(reports), problems: unserialisable ? [unserialisable] : [] } satisfies Answer);
          } catch (err) {
            port.postMessage({ id: job.id, ms: performance.now() - t, rejections: rejections - before, footprint: footprint(), error: `the report cannot be sent to the server's main thread: ${(err as Error).message}` } satisfies Answer);
          }
        });
      },
      (err: unknown) => port.postMessage({ id: job.id, ms: performance.now() - t, rejections: rejections - before, footprint: footprint(), error: err instanceof Error ? err.stack ?? err.message : String(err) } satisfies Answer),
    );
  });
}

/**
 * The core in a worker thread; an input that takes longer than `watchdogMs` is a hang and the worker
 * is replaced. Like the language server's probe worker, a thread whose memory a huge input has grown
 * past `recycleAbove` is replaced after answering (tree-sitter's memory never shrinks).
 */
function workerAnalyzer(watchdogMs: number): { analyze: Analyzer; dispose: () => Promise<void>; recycled: () => number; footprint: () => Footprint | undefined } {
  let worker: Worker | undefined;
  let nextId = 1;
  let recycled = 0;
  /** The analysis thread's figures after its last answer. */
  let last: Footprint | undefined;
  let pending: { id: number; path: string; worker: Worker; resolve: (o: AnalyzeOutcome) => void; started: number; timer: NodeJS.Timeout } | undefined;
  /**
   * A replaced thread's exit: the next thread starts after it, as the language server's does (a thread
   * started beside a dying one gets malloc arenas of its own and the old ones stay resident).
   */
  let retiring: Promise<unknown> = Promise.resolve();
  const retire = (w: Worker | undefined) => {
    if (w) retiring = Promise.all([retiring, w.terminate().catch(() => undefined)]);
  };
  const start = (): Worker => {
    // Gives the thread (an isolate made after this) the `gc` it collects with before a sample, as
    // the language server gives its probe worker.
    setFlagsFromString('--expose-gc');
    const w = new Worker(__filename);
    w.on('message', (a: Answer) => {
      if (!pending || pending.id !== a.id) return;
      clearTimeout(pending.timer);
      const p = pending;
      pending = undefined;
      last = a.footprint;
      if (worker === w && (a.footprint.parserMb > recycleAbove.parserMb || a.footprint.heapTotalMb > recycleAbove.heapTotalMb)) {
        worker = undefined;
        recycled++;
        console.log(`  analysis thread recycled after ${p.path} (heap ${Math.round(a.footprint.heapUsedMb)} of ${Math.round(a.footprint.heapTotalMb)} MB, parser ${Math.round(a.footprint.parserMb)} MB, ${Math.round(a.ms)} ms)`);
        retire(w);
      }
      p.resolve('error' in a ? { error: a.error, ms: a.ms, rejections: a.rejections } : { reports: a.reports as AnalyzeOutcome['reports'], ms: a.ms, rejections: a.rejections, problems: a.problems });
    });
    w.on('error', (err) => {
      if (!pending || pending.worker !== w) return;
      clearTimeout(pending.timer);
      const p = pending;
      pending = undefined;
      worker = undefined;
      p.resolve({ error: `the analysis thread died: ${err.stack ?? err.message}`, ms: performance.now() - p.started });
    });
    w.on('exit', (code) => {
      if (worker === w) worker = undefined;
      if (pending && pending.worker === w && code !== 0) {
        clearTimeout(pending.timer);
        const p = pending;
        pending = undefined;
        p.resolve({ error: `the analysis thread exited with code ${code}`, ms: performance.now() - p.started });
      }
    });
    return w;
  };
  const analyze: Analyzer = async (input) => {
    if (!worker) await retiring;
    return analyzeOn(worker ??= start(), input);
  };
  const analyzeOn = (w: Worker, input: Parameters<Analyzer>[0]) => new Promise<AnalyzeOutcome>((resolveOutcome) => {
    const id = nextId++;
    const started = performance.now();
    const timer = setTimeout(() => {
      const stuck = worker;
      worker = undefined;
      pending = undefined;
      retire(stuck);
      resolveOutcome({ hang: true, ms: performance.now() - started });
    }, watchdogMs);
    pending = { id, path: input.path, worker: w, resolve: resolveOutcome, started, timer };
    w.postMessage({ id, path: input.path, text: input.text, settle: input.settle } satisfies Job);
  });
  return { analyze, dispose: async () => { await worker?.terminate(); }, recycled: () => recycled, footprint: () => last };
}

/**
 * Past the input's own time budget and one function's (the core stops a probe at its budget), with
 * room for a starved machine: only an input that slips past both budgets reaches it.
 */
const defaultWatchdogMs = (inputBudgetSeconds + 30) * 1000 + 3 * fuzzAnalyzeOptions().settings.timeBudgetMs;

function arg(name: string, fallback?: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

function printProblems(label: string, stats: FuzzStats): void {
  for (const p of stats.problems.slice(0, 40)) {
    console.log(`  ${label} ${p.kind}: ${p.id} ${p.path} [${p.detail}]${p.saved ? ` saved as ${p.saved}` : ''}\n    ${p.message.split('\n').slice(0, 6).join('\n    ')}`);
  }
  if (stats.problems.length > 40) console.log(`  … and ${stats.problems.length - 40} more`);
}

async function main(): Promise<number> {
  const root = resolve(arg('root', process.cwd())!);
  const out = resolve(arg('out', join(root, 'test-output/fuzz'))!);
  const replay = arg('replay');
  const { analyze, dispose, recycled, footprint: threadFootprint } = workerAnalyzer(Number(arg('watchdog-ms', String(defaultWatchdogMs))));
  if (replay) {
    const meta = (() => { try { return JSON.parse(readFileSync(`${replay}.json`, 'utf8')) as { path: string }; } catch { return undefined; } })();
    const input = { path: meta?.path ?? replay, text: readFileSync(replay, 'latin1').includes('\u0000') ? readFileSync(replay, 'latin1') : readFileSync(replay, 'utf8') };
    const o = await analyze(input);
    await dispose();
    console.log(JSON.stringify({ ms: Math.round(o.ms), hang: o.hang, error: o.error, problems: o.reports ? [...(o.problems ?? []), ...reportProblems(input, o.reports)] : undefined, functions: o.reports?.[0]?.functions.map((f) => ({ name: f.name, kind: f.kind, status: f.probe.status, reason: f.probe.reason, codes: f.findings.map((x) => x.code) })), fileFindings: o.reports?.[0]?.findings.filter((f) => !f.function) }, null, 1));
    return o.error || o.hang ? 1 : 0;
  }
  const count = Number(arg('count', '1000'));
  const seed = Number(arg('seed', '1'));
  const serverCount = Number(arg('server', String(Math.min(300, Math.max(20, Math.round(count / 30))))));
  const seeds = loadSeeds(root);
  rmSync(out, { recursive: true, force: true });
  const started = Date.now();
  const rssMb = (): number => Math.round(process.memoryUsage.rss() / 1048576);
  /**
   * This process (the runner and its analysis thread): RSS every `sample` inputs (about a hundred
   * samples a run) for the closing line's trend; printed with the other figures every `every` inputs.
   */
  const rssAt: RssSample[] = [];
  const sample = Math.max(1, Math.round(count / 100));
  const every = Number(arg('every', '500'));
  // A time limit ends the core run early, with its closing line over the inputs done: on a shared
  // machine a long run's length is not known in advance, and its trend is what it measures.
  const minutes = arg('minutes') === undefined ? undefined : Number(arg('minutes'));
  if (minutes !== undefined && !(minutes > 0)) throw new Error(`--minutes wants a positive number, not ${arg('minutes')}`);
  const stopAt = minutes === undefined ? Infinity : started + minutes * 60_000;
  const from = Number(arg('from', '0'));
  if (!Number.isInteger(from) || from < 0 || from >= count) throw new Error(`--from wants an input index from 0 to below --count (${count}), not ${arg('from')}`);
  if (from) console.log(`core: inputs ${from} to ${count - 1} of seed ${seed} (the ones before are generated, not analysed)`);
  // The process's peak RSS only grows: an input during which it rose by more than this is named,
  // with its time, so a run's transient peak can be traced to the input that made it.
  const peakStepMb = Number(arg('peak-step-mb', '64'));
  let peakMb = Math.round(process.resourceUsage().maxRSS / 1024);
  const core = await runCoreFuzz({
    count, seed, seeds, analyze, saveDir: join(out, 'core'), stop: () => Date.now() > stopAt, settleEvery: sample, from,
    analysed: (input, o) => {
      const now = Math.round(process.resourceUsage().maxRSS / 1024);
      if (now - peakMb > peakStepMb) console.log(`  peak RSS ${peakMb} → ${now} MB during ${input.id} ${input.path} [${input.detail}] (${Math.round(o.ms)} ms${o.hang ? ', hang' : ''}${o.error ? ', crash' : ''})`);
      peakMb = Math.max(peakMb, now);
    },
    progress: (index, s) => {
      // Samples count the inputs analysed, so a run started at --from K reads like a run of count − K.
      const done = index - from;
      if (index % sample === 0 || index === count) rssAt.push({ done, mb: rssMb() });
      if (index % every === 0 || index === count) {
        const f = threadFootprint();
        const thread = f ? `analysis thread heap ${Math.round(f.heapUsedMb)} of ${Math.round(f.heapTotalMb)} MB, external ${Math.round(f.externalMb)} MB (array buffers ${Math.round(f.arrayBuffersMb)}), tensors ${f.tfTensors} (${Math.round(f.tfMb)} MB), parser ${Math.round(f.parserMb)} MB, ` : '';
        console.log(`  core ${index}/${count}: ${s.crashes} crashes, ${s.rejections} rejections, ${s.malformed} malformed, ${s.lost} lost, ${s.oracleChecked} oracle checks; slowest ${Math.round(s.slowest.ms)} ms; ${Math.round((Date.now() - started) / 1000)} s; rss ${rssMb()} MB (${thread}runner heap ${Math.round(process.memoryUsage().heapUsed / 1048576)} MB); analysis thread recycled ${recycled()}×`);
      }
    },
  });
  // The last sample is taken with the analysis thread still up, as every other one was.
  if (core.inputs && rssAt[rssAt.length - 1]?.done !== core.inputs) rssAt.push({ done: core.inputs, mb: rssMb() });
  await dispose();
  const byFamily = Object.entries(core.byFamily).map(([k, v]) => `${k} ${v} in ${Math.round((core.msByFamily[k] ?? 0) / 1000)} s`).join(', ');
  const peakCoreMb = Math.round(process.resourceUsage().maxRSS / 1024);
  if (core.inputs < count - from) {
    console.log(`core: stopped at the time limit (--minutes ${minutes}) after ${core.inputs} of ${count - from} inputs`);
  }
  if (rssAt.length) console.log(`core memory: rss ${rssAt[0].mb} MB at ${rssAt[0].done} inputs → ${rssAt[rssAt.length - 1].mb} MB at ${rssAt[rssAt.length - 1].done}; peak ${peakCoreMb} MB; analysis thread recycled ${recycled()}× after a huge input`);
  console.log(`core: ${core.inputs} inputs (${byFamily}); ${core.crashes} crashes, ${core.rejections} unhandled rejections, ${core.malformed} malformed, ${core.lost} lost functions; oracle applied to ${core.oracleChecked} mutated inputs (${core.oracleFunctions} untouched functions required); slowest ${Math.round(core.slowest.ms)} ms (${core.slowest.id} ${core.slowest.path}: ${core.slowest.detail}); the seeds' baselines took ${Math.round(core.baselineMs / 1000)} s; ${Math.round((Date.now() - started) / 1000)} s in all`);
  printProblems('core', core);
  const workspace = mkdtempSync(join(tmpdir(), 'gradprobe-fuzz-'));
  const server = serverCount > 0
    ? await runServerFuzz({
      count: serverCount, seed: seed + 7919, seeds, root, workspace, saveDir: join(out, 'server'),
      progress: (done, s) => { if (done % 50 === 0 || done === serverCount) console.log(`  server ${done}/${serverCount}: ${s.crashes} crashes, ${s.rejections} rejections, ${s.malformed} malformed; slowest ${Math.round(s.slowest.ms)} ms`); },
    })
    : undefined;
  rmSync(workspace, { recursive: true, force: true });
  if (server) {
    console.log(`server: ${server.inputs} inputs (${server.skipped} skipped: notebooks without code cells or over 300 kB); ${server.crashes} crashes, ${server.rejections} unhandled rejections, ${server.malformed} malformed; server ${server.serverAlive ? 'alive' : 'DEAD'} at the end; server rss ${Math.round(server.rssMb.first)} → ${Math.round(server.rssMb.last)} MB, peak ${Math.round(server.rssMb.peak)} MB; slowest ${Math.round(server.slowest.ms)} ms open-to-diagnostics (${server.slowest.id} ${server.slowest.path}: ${server.slowest.detail})`);
    printProblems('server', server);
  }
  const slowest = server && server.slowest.ms > core.slowest.ms ? { ms: server.slowest.ms, file: `${server.slowest.id} ${server.slowest.path}, through the server` } : { ms: core.slowest.ms, file: core.slowest.saved ?? `${core.slowest.id} ${core.slowest.path}` };
  const failures = core.malformed + core.lost + (server?.malformed ?? 0);
  if (failures) console.log(`fuzz: ${failures} malformed answers or lost functions (see above)`);
  console.log(summaryLine({ inputs: core.inputs + (server?.inputs ?? 0), crashes: core.crashes + (server?.crashes ?? 0), rejections: core.rejections + (server?.rejections ?? 0), slowest, peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024), trend: rssTrend(rssAt, core.inputs) }));
  return core.crashes + core.rejections + (server?.crashes ?? 0) + (server?.rejections ?? 0) + failures > 0 ? 1 : 0;
}

if (isMainThread) {
  main().then((code) => { process.exitCode = code; }, (err: unknown) => { console.error(err); process.exitCode = 2; });
} else {
  workerMain();
}
