// `gradprobe eval`: one function's values and gradients at given inputs, as JSON on stdout.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { EvalError, KindMismatch, evaluateFunction } from '../core/api';
import type { BackendChoice } from '../core/engine';
import { BackendError } from '../core/engine';
import { DocumentError } from '../core/parse/document';
import { UnsupportedConstruct, UserCodeError, ProbeBudgetExceeded } from '../core/ir/errors';
import { diskLoader } from './files';
import { helpText, parseCommand, stringValue, type CommandSpec } from './args';
import { UsageError } from './usage';

export const evalCommand: CommandSpec = {
  name: 'eval',
  summary: 'evaluate one activation or loss at given inputs and print its values and gradients as JSON',
  usage: ['eval FILE NAME --x JSON [OPTIONS]', 'eval FILE NAME --y-true JSON --y-pred JSON [OPTIONS]'],
  details: [
    'FILE is a .py, .ipynb, .js or .ts file; NAME a function, class or constant in it (NAME@LINE picks one of several, e.g. <lambda>@12). The function is translated, never run.',
    'An activation takes --x and prints {"y": [...], "dy": [...]} (f and f\' at each x). A loss takes --y-true and --y-pred and prints {"loss": ..., "grad": [...], "mapping": ...} (the gradient with respect to y_pred, and how the arguments were passed). Giving a loss\'s inputs to an activation, or --x to a loss, is a usage error. NaN and Infinity are written as the strings "NaN", "Infinity", "-Infinity".',
  ],
  options: {
    x: { type: 'string', value: 'JSON', help: 'Activation inputs: a JSON array of numbers, e.g. \'[-1, 0, 2.5]\' (NaN and Infinity allowed).' },
    'y-true': { type: 'string', value: 'JSON', help: 'Loss targets: a (nested) JSON array of numbers, e.g. \'[[0, 1]]\'.' },
    'y-pred': { type: 'string', value: 'JSON', help: 'Loss predictions, the same shape as --y-true, e.g. \'[[0.2, 0.8]]\'.' },
    backend: { type: 'string', value: 'BACKEND', help: 'TensorFlow.js backend: auto (default), cpu or node.' },
    help: { type: 'boolean', short: 'h', help: 'Print this help.' },
  },
  footer: [
    'Exit status: 0 with the JSON on stdout; 2 on a usage error, a file that cannot be read, a name that is not found, inputs of the wrong kind, or a function that cannot be translated or fails on these inputs.',
    'Examples:\n  gradprobe eval examples/vae_jax.py softclip --x \'[-1, 0, 2.5]\'\n  gradprobe eval examples/numpy_baseline.py binary_log_loss --y-true \'[[0, 1]]\' --y-pred \'[[0.2, 0.8]]\'',
  ],
};

function parseJson(flag: string, text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text.replace(/\bNaN\b/g, '"NaN"').replace(/-Infinity\b/g, '"-Infinity"').replace(/(?<!["-])Infinity\b/g, '"Infinity"'), (_k, v) => (v === 'NaN' ? NaN : v === 'Infinity' ? Infinity : v === '-Infinity' ? -Infinity : v));
  } catch {
    throw new UsageError(`${flag} is not valid JSON: ${text.slice(0, 60)}`);
  }
}

function isNumberArray(v: unknown): v is number[] {
  return Array.isArray(v) && v.every((x) => typeof x === 'number');
}

function isNested(v: unknown): boolean {
  return typeof v === 'number' || (Array.isArray(v) && v.every(isNested));
}

export async function runEval(argv: string[]): Promise<number> {
  const { values, positionals, help } = parseCommand(evalCommand, argv);
  if (help) {
    process.stdout.write(helpText(evalCommand));
    return 0;
  }
  const [file, name, ...extra] = positionals;
  if (!file || !name) throw new UsageError("eval needs FILE and NAME (see 'gradprobe eval --help')");
  if (extra.length) throw new UsageError(`eval takes FILE and NAME, not also '${extra[0]}' (quote JSON values: --x '[-1, 0, 1]')`);
  const x = stringValue(values, 'x');
  const yTrueText = stringValue(values, 'y-true');
  const yPredText = stringValue(values, 'y-pred');
  const backend = (stringValue(values, 'backend') ?? 'auto') as BackendChoice;
  if (!['auto', 'cpu', 'node'].includes(backend)) throw new UsageError(`--backend must be auto, cpu or node, not '${backend}'`);
  if (x !== undefined && (yTrueText !== undefined || yPredText !== undefined)) throw new UsageError('give --x (an activation) or --y-true and --y-pred (a loss), not both');
  if (x === undefined && (yTrueText === undefined || yPredText === undefined)) throw new UsageError('eval needs --x for an activation, or --y-true and --y-pred for a loss');
  const xs = parseJson('--x', x);
  const yTrue = parseJson('--y-true', yTrueText);
  const yPred = parseJson('--y-pred', yPredText);
  if (x !== undefined && !isNumberArray(xs)) throw new UsageError('--x must be a JSON array of numbers');
  if (x === undefined && (!isNested(yTrue) || !isNested(yPred))) throw new UsageError('--y-true and --y-pred must be (nested) JSON arrays of numbers');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`);
  }
  try {
    const load = diskLoader([process.cwd(), dirname(resolve(file))]);
    const result = await evaluateFunction({ path: file, text, name, x: x !== undefined ? (xs as number[]) : undefined, yTrue, yPred, backend, load });
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return 0;
  } catch (err) {
    if (err instanceof KindMismatch) {
      const wants = err.actual === 'activation' ? '--x' : '--y-true and --y-pred';
      const given = err.requested === 'activation' ? '--x' : '--y-true/--y-pred';
      throw new UsageError(`${err.functionName} is ${err.actual === 'activation' ? 'an activation' : 'a loss'} (${err.why}): give it ${wants}, not ${given}`);
    }
    if (err instanceof EvalError || err instanceof DocumentError || err instanceof BackendError) throw new UsageError(err.message);
    if (err instanceof UnsupportedConstruct) {
      const where = err.span ? ` (line ${err.span.startLine + 1}, column ${err.span.startCol + 1})` : '';
      throw new UsageError(`${name} cannot be translated: ${err.message}${where}`);
    }
    if (err instanceof UserCodeError || err instanceof ProbeBudgetExceeded) throw new UsageError(`${name} failed on this input: ${err.message}`);
    if (err instanceof Error && /shape|rank|broadcast|Incompatible|must match/i.test(err.message)) throw new UsageError(`${name} failed on this input: ${err.message.split('\n')[0]}`);
    throw err;
  }
}
