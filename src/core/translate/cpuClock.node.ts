// CPU time under Node for the probe's time budget. It advances only while the code runs, so other
// programs loading the machine do not use up a probe's budget. The browser build replaces this module
// with cpuClock.browser.ts.
//
// Where Linux tells it (/proc/thread-self), the clock is the calling thread's own: a probe is charged
// for the work it does, not for V8's background compiler and GC threads, nor for the other threads of
// the process (a CLI run's other probe workers, the server's main thread). Elsewhere it is the
// process's CPU time (every thread), and the budget is multiplied by the threads probing in the
// process (timeBudget.ts).
import { readFileSync } from 'node:fs';

type ThreadClock = () => number | undefined;

/** `/proc/thread-self/schedstat`: nanoseconds this thread has run on a CPU (first field). */
const schedstat: ThreadClock = () => {
  const ns = Number(readFileSync('/proc/thread-self/schedstat', 'latin1').split(' ', 1)[0]);
  return Number.isFinite(ns) && ns > 0 ? ns / 1e6 : undefined;
};

/** `/proc/thread-self/stat`: utime + stime in clock ticks (USER_HZ, 100 on Linux). */
const stat: ThreadClock = () => {
  const text = readFileSync('/proc/thread-self/stat', 'latin1');
  // The command name (field 2) may hold spaces and parentheses: count fields after its closing one.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return Number.isFinite(ticks) ? ticks * 10 : undefined;
};

function pickThreadClock(): ThreadClock | undefined {
  if (process.platform !== 'linux') return undefined;
  for (const clock of [schedstat, stat]) {
    try {
      if (clock() !== undefined) return clock;
    } catch {
      // Not readable here (no /proc, an old kernel, a sandbox): try the next, then the process clock.
    }
  }
  return undefined;
}

let threadClock: ThreadClock | undefined | null = null;

function processCpuMs(): number {
  const used = process.cpuUsage();
  return (used.user + used.system) / 1000;
}

/** Does `cpuTimeMs` count the calling thread alone (true) or the whole process (false)? */
export function cpuClockPerThread(): boolean {
  if (threadClock === null) threadClock = pickThreadClock();
  return threadClock !== undefined;
}

/** CPU milliseconds used so far: by the calling thread where `cpuClockPerThread()`, else by the process. */
export function cpuTimeMs(): number {
  if (cpuClockPerThread()) {
    try {
      const ms = threadClock!();
      if (ms !== undefined) return ms;
    } catch {
      // Fall through to the process clock for this reading.
    }
    threadClock = undefined;
  }
  return processCpuMs();
}
