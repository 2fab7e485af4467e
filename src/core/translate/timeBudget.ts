// A probe's time budget, measured in CPU time so that machine load alone cannot exceed it: on a busy
// machine a probe's wall time stretches with the load while the work it does stays the same. The
// budget is spent when the wall deadline has passed *and* the probe's thread has used the budget's CPU
// time since the probe started, or, whatever the CPU clock says, at a hard wall deadline far beyond.
// Where only the process's CPU clock exists (cpuClock.node.ts), the budget is multiplied by the
// threads probing in parallel in the process, whose CPU time that clock also counts.
import { cpuClockPerThread, cpuTimeMs } from './cpuClock.node';

export interface CpuBudget {
  /** The CPU clock (cpuClock.node.ts: the thread's, else the process's) in ms when the probe started. */
  start: number;
  /** CPU milliseconds the probe may use (multiplied by the threads sharing the clock when it is the process's). */
  ms: number;
  /** Wall-clock time (Date.now()) past which the budget is spent anyway. */
  hardDeadline: number;
}

/** How far past the nominal budget the wall clock may run on a loaded machine before the probe stops anyway. */
export const HARD_DEADLINE_FACTOR = 60;

/**
 * A CPU budget of `ms` for the calling thread's probe, starting now; `threads` probes run in this
 * process, which matters only where the clock is the process's.
 */
export function cpuBudget(ms: number, threads = 1, perThread = cpuClockPerThread()): CpuBudget {
  const share = perThread ? 1 : Math.max(1, threads);
  return { start: cpuTimeMs(), ms: ms * share, hardDeadline: Date.now() + ms * HARD_DEADLINE_FACTOR };
}

/** Past the wall deadline: is the budget spent (no CPU budget, its CPU time used, or the hard deadline passed)? */
export function budgetSpent(cpu: CpuBudget | undefined, now = Date.now()): boolean {
  if (!cpu) return true;
  return now > cpu.hardDeadline || cpuTimeMs() - cpu.start > cpu.ms;
}
