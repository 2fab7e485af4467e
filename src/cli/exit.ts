// How a command's outcome becomes the process's exit: its status, or a usage error's message and 2,
// or an internal error's stack and 2. Both bundles end their commands here (main.ts, engine.ts).
import { isUsageError } from './usage';

export function finish(outcome: Promise<number>): void {
  void outcome.then(
    (code) => { process.exitCode = code; },
    (err: unknown) => {
      if (isUsageError(err)) {
        process.stderr.write(`gradprobe: ${err.message}\n`);
        process.exitCode = 2;
        return;
      }
      process.stderr.write(`gradprobe: internal error: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
      process.exitCode = 2;
    },
  );
}
