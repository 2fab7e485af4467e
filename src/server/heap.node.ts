// This thread's JavaScript heap under Node. The browser build replaces this module with heap.browser.ts.
import { getHeapStatistics } from 'node:v8';

export function heapFigures(): { usedBytes: number; totalBytes: number } {
  const heap = getHeapStatistics();
  return { usedBytes: heap.used_heap_size, totalBytes: heap.total_heap_size };
}
