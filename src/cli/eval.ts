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
import { ConfigResolver } from '../core/workspace/config';
import type { ArgValue } from '../core/translate/translate';

export const evalCommand: CommandSpec = {
  name: 'eval',
  summary: 'evaluate one activation or loss at given inputs and print its values and gradients as JSON',
  usage: ['eval FILE NAME --x JSON [OPTIONS]', 'eval FILE NAME --y-true JSON --y-pred JSON [OPTIONS]'],
  details: [
    'FILE is a .py, .ipynb, .js or .ts file; NAME a function, class or constant in it (NAME@LINE picks one of several, e.g. <lambda>@12). The function is translated, never run.',
    'An activation takes --x and prints {"y": [...], "dy": [...]} (f and f\' at each x, in the shape of x). A loss takes --y-true and --y-pred and prints {"loss": ..., "grad": [...], "mapping": ...}: the mean of what the function returns, its gradient with respect to y_pred, and which argument got the prediction and why. A loss whose target is optional (`targets=None`) takes --y-pred alone. Giving a loss\'s inputs to an activation, or --x to a loss, is a usage error. NaN and Infinity are written as the strings "NaN", "Infinity", "-Infinity".',
    'Arguments beyond the inputs come from --args, else a `gradprobe: args` comment on the definition line, the config file\'s [tool.gradprobe.args.NAME] table, a call in FILE, the signature\'s default, or a typical value for the name (gamma 2, reduction "mean", ...); "args" in the output lists each with where it came from.',
  ],
  options: {
    x: { type: 'string', value: 'JSON', help: 'Activation inputs: a (nested) JSON array of numbers, any rank, e.g. \'[-1, 0, 2.5]\' (NaN and Infinity allowed). Softmax-like functions work over the last axis.' },
    'y-true': { type: 'string', value: 'JSON', help: 'Loss targets: a number or a (nested) JSON array, e.g. \'[[0, 1]]\'. Integers stay integers where the function indexes with them (class ids).' },
    'y-pred': { type: 'string', value: 'JSON', help: 'Loss predictions, e.g. \'[[0.2, 0.8]]\'.' },
    args: { type: 'string', value: 'JSON', help: 'Arguments by name, as a JSON object: the constructor\'s for a class, the factory\'s for a factory, else keyword arguments of the call, e.g. \'{"gamma": 2, "reduction": "none"}\'. Arrays become tensors (booleans: masks), or tuples for axes and shapes and where the function iterates them; {"tuple": [...]} is a tuple; a string naming a framework function through the file\'s imports ("jnp.sum") is that function.' },
    'per-element': { type: 'boolean', help: 'Also print the function\'s own output, unreduced, as "value" (a loss\'s "loss" is its mean).' },
    backend: { type: 'string', value: 'BACKEND', help: 'TensorFlow.js backend: auto (default), cpu or node.' },
    help: { type: 'boolean', short: 'h', help: 'Print this help.' },
  },
  footer: [
    'Exit status: 0 with the JSON on stdout; 2 on a usage error, a file that cannot be read, a name that is not found, inputs of the wrong kind, or a function that cannot be translated or fails on these inputs.',
    'Examples:\n  gradprobe eval examples/vae_jax.py softclip --x \'[-1, 0, 2.5]\'\n  gradprobe eval examples/numpy_baseline.py binary_log_loss --y-true \'[[0, 1]]\' --y-pred \'[[0.2, 0.8]]\' --per-element',
  ],
};

function parseJson(flag: string, text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    // Bare NaN and Infinity (outside strings) become the strings JSON can carry, and those strings numbers.
    const quoted = text.replace(/"(?:[^"\\]|\\.)*"|-?Infinity\b|\bNaN\b/g, (token) => (token.startsWith('"') ? token : `"${token}"`));
    return JSON.parse(quoted, (_k, v) => (v === 'NaN' ? NaN : v === 'Infinity' ? Infinity : v === '-Infinity' ? -Infinity : v));
  } catch {
    throw new UsageError(`${flag} is not valid JSON: ${text.slice(0, 60)}`);
  }
}

/** A number or boolean, or a (nested) array of them. */
function isNested(v: unknown): boolean {
  return typeof v === 'number' || typeof v === 'boolean' || (Array.isArray(v) && v.every(isNested));
}

function isArgs(v: unknown): v is Record<string, ArgValue> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** The nearest config file's `args` for FILE; a broken config leaves them out (check reports it). */
function settingsArgs(file: string): Record<string, Record<string, ArgValue>> | undefined {
  try {
    return new ConfigResolver().forFile(file).patch.args;
  } catch {
    return undefined;
  }
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
  const argsText = stringValue(values, 'args');
  const perElement = values['per-element'] === true;
  const backend = (stringValue(values, 'backend') ?? 'auto') as BackendChoice;
  if (!['auto', 'cpu', 'node'].includes(backend)) throw new UsageError(`--backend must be auto, cpu or node, not '${backend}'`);
  if (x !== undefined && (yTrueText !== undefined || yPredText !== undefined)) throw new UsageError('give --x (an activation) or --y-true and --y-pred (a loss), not both');
  if (x === undefined && yPredText === undefined) throw new UsageError(yTrueText === undefined ? 'eval needs --x for an activation, or --y-true and --y-pred for a loss' : 'a loss needs --y-pred (and --y-true unless its target is optional)');
  const xs = parseJson('--x', x);
  const yTrue = parseJson('--y-true', yTrueText);
  const yPred = parseJson('--y-pred', yPredText);
  const args = parseJson('--args', argsText);
  if (x !== undefined && !(Array.isArray(xs) && isNested(xs))) throw new UsageError('--x must be a (nested) JSON array of numbers');
  if (yPredText !== undefined && !isNested(yPred)) throw new UsageError('--y-pred must be a number or a (nested) JSON array of numbers');
  if (yTrueText !== undefined && !isNested(yTrue)) throw new UsageError('--y-true must be a number or a (nested) JSON array of numbers');
  if (argsText !== undefined && !isArgs(args)) throw new UsageError('--args must be a JSON object of argument name → value, e.g. \'{"gamma": 2}\'');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`);
  }
  try {
    const load = diskLoader([process.cwd(), dirname(resolve(file))]);
    const result = await evaluateFunction({
      path: file, text, name, x: xs, yTrue, yPred, backend, load, perElement,
      args: isArgs(args) ? args : undefined, settingsArgs: settingsArgs(file),
    });
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
    if (err instanceof Error && /shape|rank|broadcast|Incompatible|must match|dtype/i.test(err.message)) throw new UsageError(`${name} failed on this input: ${err.message.split('\n')[0]}`);
    throw err;
  }
}
