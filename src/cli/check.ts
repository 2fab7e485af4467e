// `gradprobe check`: walk, read, analyse, print, exit by severity.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { analyzeSources, type SourceInput } from '../core/analyze';
import { defaultSettings, mergeSettings, type SettingsPatch } from '../core/config/settings';
import { BackendError } from '../core/engine';
import type { FileReport } from '../core/findings/types';
import { loadConfig } from './config';
import { diskLoader } from './files';
import { ruleCatalog } from '../core/findings/rules';
import { exitCodeFor, formatJson, formatSarif, formatText, type CheckSummary } from './format';
import { UsageError } from './usage';
import { walkPaths } from './walk';

const VERSION = '0.1.0';

function list(v: string | undefined): string[] {
  return v ? v.split(',').map((s) => s.trim().toUpperCase()).filter(Boolean) : [];
}

export async function runCheck(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        format: { type: 'string' }, 'fail-on': { type: 'string' }, range: { type: 'string' }, select: { type: 'string' }, ignore: { type: 'string' },
        include: { type: 'string', multiple: true }, exclude: { type: 'string', multiple: true }, train: { type: 'boolean' }, dtype: { type: 'string' }, backend: { type: 'string' },
      },
    });
  } catch (err) {
    throw new UsageError((err as Error).message, true);
  }
  const v = parsed.values;
  const cwd = process.cwd();
  const config = loadConfig(cwd);
  for (const e of config.errors) process.stderr.write(`gradprobe: ${e}\n`);
  const format = v.format ?? config.cli.format ?? 'text';
  if (!['text', 'json', 'sarif'].includes(format)) throw new UsageError(`--format must be text, json or sarif, not '${format}'`);
  const failOn = v['fail-on'] ?? config.cli.failOn ?? 'error';
  if (!['error', 'warning', 'info', 'never'].includes(failOn)) throw new UsageError(`--fail-on must be error, warning, info or never, not '${failOn}'`);
  const flags: SettingsPatch = {};
  if (v.range !== undefined) {
    const r = Number(v.range);
    if (!(r > 0) || !Number.isFinite(r)) throw new UsageError(`--range must be a positive number, not '${v.range}'`);
    flags.range = r;
  }
  if (v.select !== undefined) flags.select = list(v.select);
  if (v.ignore !== undefined) flags.ignore = list(v.ignore);
  if (v.train) flags.train = true;
  if (v.dtype !== undefined) {
    if (!['float32', 'float16', 'bfloat16'].includes(v.dtype)) throw new UsageError(`--dtype must be float32, float16 or bfloat16, not '${v.dtype}'`);
    flags.dtype = v.dtype as SettingsPatch['dtype'];
  }
  if (v.backend !== undefined) {
    if (!['auto', 'cpu', 'node'].includes(v.backend)) throw new UsageError(`--backend must be auto, cpu or node, not '${v.backend}'`);
    flags.backend = v.backend as SettingsPatch['backend'];
  }
  const settings = mergeSettings(defaultSettings, config.patch, flags);
  const walk = walkPaths(parsed.positionals.length ? parsed.positionals : ['.'], { cwd, include: v.include ?? config.cli.include ?? [], exclude: [...(config.cli.exclude ?? []), ...(v.exclude ?? [])] });
  if (walk.errors.length) throw new UsageError(walk.errors.map((e) => `${e.path}: ${e.message}`).join('; '));
  const started = performance.now();
  const inputs: SourceInput[] = walk.files.map((path) => {
    try {
      return { path, text: readFileSync(resolve(cwd, path), 'utf8') };
    } catch (err) {
      return { path, text: err as Error };
    }
  });
  let reports: FileReport[];
  try {
    reports = await analyzeSources(inputs, { settings, load: diskLoader() });
  } catch (err) {
    if (err instanceof BackendError) throw new UsageError(err.message);
    throw err;
  }
  const summary: CheckSummary = {
    files: reports.length,
    functions: reports.reduce((n, r) => n + r.functions.length, 0),
    probed: reports.reduce((n, r) => n + r.functions.filter((f) => f.probe.status === 'ok').length, 0),
    errors: reports.reduce((n, r) => n + r.findings.filter((f) => f.severity === 'error').length, 0),
    warnings: reports.reduce((n, r) => n + r.findings.filter((f) => f.severity === 'warning').length, 0),
    infos: reports.reduce((n, r) => n + r.findings.filter((f) => f.severity === 'info').length, 0),
    ms: Math.round(performance.now() - started),
  };
  const out = format === 'json' ? formatJson(reports, summary, VERSION) : format === 'sarif' ? formatSarif(reports, VERSION, ruleCatalog) : formatText(reports, summary);
  process.stdout.write(out.endsWith('\n') ? out : `${out}\n`);
  return exitCodeFor(reports, failOn as 'error' | 'warning' | 'info' | 'never');
}
