// CPU time under Node for the probe's time budget. It advances only while the code runs, so other
// programs loading the machine do not use up a probe's budget. The browser build replaces this module
// with cpuClock.browser.ts.
//
// Where Linux tells it (/proc/thread-self), the clock is the calling thread's own: a probe is charged
// for the work it does, not for V8's background compiler and GC threads, nor for the other threads of
// the process (a CLI run's other probe workers, the server's main thread). Elsewhere it is the
// process's CPU time (every thread), and the budget is multiplied by the threads probing in the
// process (timeBudget.ts).
//
// The file is opened once, when this module loads: a module instance belongs to one thread (each
// worker thread loads its own), and a /proc/thread-self file opened there keeps describing the thread
// that opened it. A reading is then one positioned read, and no file is opened while a probe runs.
import { openSync, readSync } from 'node:fs';

interface ThreadClock {
  fd: number;
  /** CPU milliseconds from the file's text. */
  parse(text: string): number;
}

const clocks: { path: string; parse: ThreadClock['parse'] }[] = [
  // Nanoseconds this thread has run on a CPU (first field).
  { path: '/proc/thread-self/schedstat', parse: (text) => Number(text.split(' ', 1)[0]) / 1e6 },
  // utime + stime in clock ticks (USER_HZ, 100 on Linux). The command name (field 2) may hold
  // spaces and parentheses: the fields are counted after its closing one.
  {
    path: '/proc/thread-self/stat',
    parse: (text) => {
      const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
      return (Number(fields[11]) + Number(fields[12])) * 10;
    },
  },
];

const buffer = Buffer.alloc(512);

function read(clock: ThreadClock): number | undefined {
  const n = readSync(clock.fd, buffer, 0, buffer.length, 0);
  const ms = clock.parse(buffer.toString('latin1', 0, n));
  return Number.isFinite(ms) && ms >= 0 ? ms : undefined;
}

function openThreadClock(): ThreadClock | undefined {
  if (process.platform !== 'linux') return undefined;
  for (const { path, parse } of clocks) {
    try {
      const clock = { fd: openSync(path, 'r'), parse };
      if (read(clock) !== undefined) return clock;
    } catch {
      // Not readable here (no /proc, an old kernel, a sandbox): try the next, then the process clock.
    }
  }
  return undefined;
}

const threadClock = openThreadClock();

function processCpuMs(): number {
  const used = process.cpuUsage();
  return (used.user + used.system) / 1000;
}

/** Does `cpuTimeMs` count the calling thread alone (true) or the whole process (false)? */
export function cpuClockPerThread(): boolean {
  return threadClock !== undefined;
}

/**
 * CPU milliseconds used so far: by the calling thread where `cpuClockPerThread()`, else by the
 * process. A thread clock that fails to read (it never has been seen to) reads as 0: the budget's
 * CPU time then never runs out, and its hard wall deadline ends the probe.
 */
export function cpuTimeMs(): number {
  if (!threadClock) return processCpuMs();
  try {
    return read(threadClock) ?? 0;
  } catch {
    return 0;
  }
}
