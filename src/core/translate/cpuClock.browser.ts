// A Web Worker has no CPU clock: the wall clock stands in for it (the budget is then wall time, as the
// clock is all a browser gives). Stands in for cpuClock.node.ts in the browser build.
export function cpuTimeMs(): number {
  return performance.now();
}

/** The wall clock is not a sum over threads: the budget is never multiplied by the threads probing. */
export function cpuClockPerThread(): boolean {
  return true;
}
