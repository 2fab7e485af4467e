// The GradProbe language server under Node (dist/server.js; `gradprobe server --stdio` loads it): a process the desktop client starts,
// probing in a worker thread (dist/probeWorker.js), files read from disk. The wiring is serverMain.ts.
import { readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { cachedReportLookup } from './cachedResults';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { version } from '../../package.json';
import { walkPaths } from '../core/workspace/walk';
import { WorkerRunner } from './probeRunner';
import { startServer } from './serverMain';

const connection = createConnection(ProposedFeatures.all);
const log = (message: string): void => connection.console.log(message);

function pathOfUri(uri: string): string | undefined {
  if (!uri.startsWith('file:')) return undefined;
  try {
    return fileURLToPath(uri);
  } catch {
    return undefined;
  }
}

/**
 * The workspace scan's pool: one probe worker per core, at most 4 (each holds an engine and a
 * parser: a few hundred MB at the most), or `--jobs=N`. Workers start with the first scan, not before.
 */
const jobsArg = /^--jobs=(\d+)$/.exec(process.argv.find((a) => a.startsWith('--jobs=')) ?? '');
const scanPoolSize = jobsArg && Number(jobsArg[1]) >= 1 ? Number(jobsArg[1]) : Math.min(4, Math.max(1, availableParallelism()));

/**
 * With a pool, a quarter of V8's default (920) for how much bytecode its optimising compiler inlines
 * into one function. Every worker is an isolate that optimises the same large functions (the
 * interpreter, detection, the depth probe) on V8's background threads: in a workspace scan that
 * compilation is about a quarter of the CPU time, paid again by each worker, and with as many
 * workers as cores it takes cores from the probes. The smaller budget compiles much less (the
 * scan's CPU time, all threads, about 9% less with two workers) for probes about 3% slower on the
 * worker's own thread — a good trade only when isolates compete for the cores, so a single worker
 * (`--jobs 1`) keeps V8's default. Process-wide, set before any worker starts.
 */
if (scanPoolSize > 1) setFlagsFromString('--max-inlined-bytecode-size-cumulative=230');

const mb = (bytes: number): number => Math.round((bytes / 1048576) * 10) / 10;

startServer({
  connection,
  runner: new WorkerRunner(join(__dirname, 'probeWorker.js'), log),
  pathOfUri,
  uriOfPath: (path) => pathToFileURL(path).href,
  files: {
    list: async (folder, include, exclude) => {
      const walk = walkPaths(['.'], { cwd: folder, include, exclude });
      return { files: walk.files.map((f) => `${folder}/${f}`), errors: walk.errors.map((e) => e.message) };
    },
    read: (path) => readFile(path, 'utf8'),
    // The scan's workers read its files from the same disk (analysisJob.ts).
    readByJobs: true,
  },
  processMemory: () => ({
    rssMb: mb(process.memoryUsage.rss()), peakRssMb: mb(process.resourceUsage().maxRSS * 1024), heapUsedMb: mb(process.memoryUsage().heapUsed),
  }),
  describe: `pid ${process.pid}`,
  scanRunners: Array.from({ length: scanPoolSize }, () => new WorkerRunner(join(__dirname, 'probeWorker.js'), log)),
  version,
  cachedReport: cachedReportLookup(version),
});

// The server outlives a strange file: log what escaped a handler instead of dying.
process.on('uncaughtException', (err) => log(`unexpected error: ${err.stack ?? err.message}`));
process.on('unhandledRejection', (err) => log(`unexpected rejection: ${err instanceof Error ? err.stack ?? err.message : String(err)}`));
