import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { EvalError, evaluateFunction } from '../core/api';
import type { BackendChoice } from '../core/engine';
import { BackendError } from '../core/engine';
import { DocumentError } from '../core/parse/document';
import { UnsupportedConstruct, UserCodeError, ProbeBudgetExceeded } from '../core/ir/errors';
import { diskLoader } from './files';
import { UsageError } from './usage';

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
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, options: { x: { type: 'string' }, 'y-true': { type: 'string' }, 'y-pred': { type: 'string' }, backend: { type: 'string', default: 'auto' } } });
  } catch (err) {
    throw new UsageError((err as Error).message, true);
  }
  const [file, name] = parsed.positionals;
  if (!file || !name) throw new UsageError('eval needs FILE and NAME', true);
  const { x, 'y-true': yTrueText, 'y-pred': yPredText } = parsed.values;
  const backend = parsed.values.backend as BackendChoice;
  if (!['auto', 'cpu', 'node'].includes(backend)) throw new UsageError(`--backend must be auto, cpu or node, not '${backend}'`);
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
    const result = await evaluateFunction({ path: file, text, name, x: x !== undefined ? (xs as number[]) : undefined, yTrue, yPred, backend, load: diskLoader() });
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return 0;
  } catch (err) {
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
