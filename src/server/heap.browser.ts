// This worker's JavaScript heap in a browser: Chromium's non-standard performance.memory, else
// unknown (zeros). Stands in for heap.node.ts in the browser build.
export function heapFigures(): { usedBytes: number; totalBytes: number } {
  const memory = (performance as { memory?: { usedJSHeapSize?: number; totalJSHeapSize?: number } }).memory;
  return { usedBytes: memory?.usedJSHeapSize ?? 0, totalBytes: memory?.totalJSHeapSize ?? 0 };
}
