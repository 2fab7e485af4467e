// Garbage collection on request, for memory figures that show live data (the soak run's --gc). Apart
// from analysisJob.ts so the server's main bundle, which imports it, does not load the core.

/**
 * Collects garbage when the process runs with --expose-gc; says whether it did. Twice: V8 frees the
 * backing stores of the ArrayBuffers one full collection finds dead (a probe's tensors) only at the
 * next one, so after a single collection an idle worker would keep its last job's buffers until it
 * works again (measured: 200 MB of dropped Float32Arrays still held 100 ms after one collection,
 * released by the second).
 */
export function collectGarbage(): boolean {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (typeof gc !== 'function') return false;
  gc();
  gc();
  return true;
}
