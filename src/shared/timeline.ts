// Marks of when each step of a start happened (the worker created, the wasm fetched and compiled,
// the engine ready, the first file parsed, probed, published), so a slow first open can be taken
// apart (`npm run bench` prints them for VS Code for the Web). Times are epoch milliseconds
// (`performance.timeOrigin + performance.now()`), so the extension host's marks and its server
// worker's line up. A few dozen numbers: always recorded, bounded.
export interface TimelineMark {
  name: string;
  /** Epoch milliseconds. */
  at: number;
}

const limit = 400;
const marks: TimelineMark[] = [];

export const now = (): number => performance.timeOrigin + performance.now();

/** Records that `name` happened now (or at `at`). */
export function mark(name: string, at = now()): void {
  if (marks.length < limit) marks.push({ name, at });
}

/** The marks so far, in the order they were made. */
export function timeline(): TimelineMark[] {
  return marks.slice();
}
