// Progress on stderr for a run longer than a second, on one line rewritten in place. Only on a
// terminal: CI logs and pipes get no carriage-return noise, and stdout (the report) is never touched.
import { isatty } from 'node:tty';
import type { AnalyzeProgress } from '../core/analyze';

export interface ProgressStream {
  isTTY?: boolean;
  columns?: number;
  write(text: string): boolean;
}

export class Progress {
  private shown = false;
  private lastDraw = 0;
  private readonly started = performance.now();

  constructor(private readonly stream: ProgressStream, private readonly enabled: boolean, private readonly quietFor = 1000) {}

  static forStderr(quiet: boolean): Progress {
    // Node makes process.stderr on first use (some 3 ms of stream set-up): a quiet run, or one whose
    // stderr is no terminal, never shows progress and never makes it.
    const enabled = !quiet && isatty(2);
    return new Progress(enabled ? process.stderr : { write: () => true }, enabled);
  }

  update(p: AnalyzeProgress): void {
    if (!this.enabled) return;
    const now = performance.now();
    // Nothing for a short run; then at most ten redraws a second.
    if (now - this.started < this.quietFor || now - this.lastDraw < 100) return;
    this.lastDraw = now;
    const what = p.phase === 'parse' ? `reading ${p.done}/${p.total} files` : `probing ${p.done}/${p.total} functions`;
    const seconds = Math.round((now - this.started) / 1000);
    const line = `gradprobe: ${what} (${seconds} s) ${p.path}`;
    const max = Math.max(20, (this.stream.columns ?? 80) - 1);
    this.stream.write(`\r${(line.length > max ? `${line.slice(0, max - 1)}…` : line).padEnd(max)}`);
    this.shown = true;
  }

  /** Clears the line before the report is printed. */
  done(): void {
    if (!this.shown) return;
    const max = Math.max(20, (this.stream.columns ?? 80) - 1);
    this.stream.write(`\r${' '.repeat(max)}\r`);
    this.shown = false;
  }
}
