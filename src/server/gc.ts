// Garbage collection on request, for memory figures that show live data (the soak run's --gc). Apart
// from analysisJob.ts so the server's main bundle, which imports it, does not load the core.

/** Collects garbage when the process runs with --expose-gc; says whether it did. */
export function collectGarbage(): boolean {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (typeof gc !== 'function') return false;
  gc();
  return true;
}
