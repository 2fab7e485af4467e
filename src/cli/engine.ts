// The entry of the CLI's engine bundle (`dist/cliEngine.js`): everything that parses, translates and
// probes, with TensorFlow.js and the grammars. The main bundle (`main.ts`) loads it through
// `engineBundle.ts` only for `eval` and for a `check` with files the result cache does not answer;
// `check --jobs N` starts it as its worker threads. What crosses between the two bundles is plain
// data: each bundle has its own copy of the classes they share, so `instanceof` does not hold across.
import { tooLargeInput, type SourceInput } from '../core/analyze';
import { BackendError } from '../core/engine';
import type { FileReport } from '../core/findings/types';
import { runEval } from './eval';
import { finish } from './exit';
import { analyzeShared, isCheckWorker, runCheckWorker, type SharedRun } from './jobs';
import { UsageError } from './usage';

/** A file of a check, as the main bundle read it: its text, why it could not be read, or its size over the limit. */
export type CheckInput =
  | { path: string; text: string }
  | { path: string; error: string }
  | { path: string; tooLarge: { bytes: number; limit: number } };

export type CheckRun = Omit<SharedRun, 'inputs'> & { inputs: CheckInput[] };

function sourceInput(i: CheckInput): SourceInput {
  if ('text' in i) return i;
  if ('tooLarge' in i) return { path: i.path, text: tooLargeInput(i.tooLarge.bytes, i.tooLarge.limit) };
  return { path: i.path, text: new Error(i.error) };
}

/** Analyses a check's files on `run.jobs` threads; a missing TensorFlow.js backend is a usage error. */
export async function analyzeCheck(run: CheckRun): Promise<FileReport[]> {
  try {
    return await analyzeShared({ ...run, inputs: run.inputs.map(sourceInput) });
  } catch (err) {
    if (err instanceof BackendError) throw new UsageError(err.message);
    throw err;
  }
}

export { runEval };

/** `gradprobe eval ARGS`, started by the launcher without the main bundle, which it does not need. */
export function evalCommand(argv: string[]): void {
  finish(runEval(argv));
}

// `check --jobs N` starts this bundle as its worker threads.
if (isCheckWorker()) void runCheckWorker();
