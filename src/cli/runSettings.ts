// The settings of one `gradprobe check` run: per file, its config file's under the flags; for the
// run as a whole (output, exit level, time budget, backend), the run's config. Every value keeps
// where it came from, for `--show-settings`.
import { isAbsolute, relative } from 'node:path';
import { defaultSettings, mergeSettings, type GradProbeSettings, type SettingsPatch } from '../core/config/settings';
import { thresholdNames, type CliConfig, type FailOn, type LoadedConfig, type OutputFormat } from '../core/workspace/config';

/** What the command line set, with the flag that set each value. */
export interface FlagSettings {
  patch: SettingsPatch;
  select?: string[];
  ignore?: string[];
  cli: CliConfig;
  origins: Record<string, string>;
}

export interface RunLevel {
  format: OutputFormat;
  failOn: FailOn;
  /** Seconds. */
  timeBudget: number;
  backend: GradProbeSettings['backend'];
  origins: Record<string, string>;
}

/** The whole run's time budget when neither a flag nor a config sets one. */
export const defaultTimeBudgetSeconds = 600;

export function runLevelSettings(run: LoadedConfig, flags: FlagSettings): RunLevel {
  const origins: Record<string, string> = {};
  const pick = <T>(key: string, flag: T | undefined, fromConfig: T | undefined, fallback: T): T => {
    if (flag !== undefined) { origins[key] = flags.origins[key]; return flag; }
    if (fromConfig !== undefined) { origins[key] = run.origins[key]; return fromConfig; }
    origins[key] = 'default';
    return fallback;
  };
  return {
    format: pick('format', flags.cli.format, run.cli.format, 'text'),
    failOn: pick('failOn', flags.cli.failOn, run.cli.failOn, 'error'),
    timeBudget: pick('timeBudget', flags.cli.timeBudget, run.cli.timeBudget, defaultTimeBudgetSeconds),
    backend: pick('backend', flags.patch.backend, run.patch.backend, defaultSettings.backend),
    origins,
  };
}

export interface FileSettings {
  settings: GradProbeSettings;
  origins: Record<string, string>;
}

/**
 * One config's settings under the flags. `--select` replaces the config's select; `--ignore` adds to
 * its ignore (and to the codes it turns "off"), as Ruff combines them. The backend is the run's.
 */
export function fileSettings(config: LoadedConfig, flags: FlagSettings, run: RunLevel): FileSettings {
  const { backend: _ignored, ...patch } = config.patch;
  void _ignored;
  const settings = mergeSettings(defaultSettings, patch, flags.patch);
  settings.backend = run.backend;
  const origins: Record<string, string> = { ...config.origins, ...flags.origins, backend: run.origins.backend };
  if (flags.select !== undefined) settings.select = flags.select;
  if (flags.ignore !== undefined) {
    settings.ignore = [...new Set([...(config.patch.ignore ?? []), ...flags.ignore])];
    origins.ignore = config.origins.ignore ? `${config.origins.ignore}, and ${flags.origins.ignore}` : flags.origins.ignore;
  }
  return { settings, origins };
}

function kebab(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

function tomlValue(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(tomlValue).join(', ')}]`;
  if (typeof value === 'string') return JSON.stringify(value);
  if (value && typeof value === 'object') {
    const entries = Object.entries(value);
    return entries.length ? `{ ${entries.map(([k, v]) => `${k} = ${tomlValue(v)}`).join(', ')} }` : '{}';
  }
  return String(value);
}

export interface SettingLine {
  /** As a config file spells it (kebab-case; thresholds as `thresholds.name`). */
  key: string;
  value: unknown;
  /** `default`, a flag (`--range`), or `file: key`. */
  source: string;
  scope: 'file' | 'run';
}

/** Every setting that applies to one file, in the order of the README's table. */
export function settingLines(file: FileSettings, run: RunLevel, runInclude: { include: string[]; exclude: string[]; origins: Record<string, string> }): SettingLine[] {
  const s = file.settings;
  const src = (key: string): string => file.origins[key] ?? 'default';
  const lines: SettingLine[] = [
    { key: 'range', value: s.range, source: src('range'), scope: 'file' },
    { key: 'select', value: s.select, source: src('select'), scope: 'file' },
    { key: 'ignore', value: s.ignore, source: src('ignore'), scope: 'file' },
    { key: 'severity', value: s.severity, source: Object.keys(s.severity).map((c) => file.origins[`severity.${c}`]).filter(Boolean).join('; ') || 'default', scope: 'file' },
    { key: 'dtype', value: s.dtype, source: src('dtype'), scope: 'file' },
    { key: 'train', value: s.train, source: src('train'), scope: 'file' },
    { key: 'time-budget-ms', value: s.timeBudgetMs, source: src('timeBudgetMs'), scope: 'file' },
    { key: 'max-file-bytes', value: s.maxFileBytes, source: src('maxFileBytes'), scope: 'file' },
    { key: 'max-functions', value: s.maxFunctions, source: src('maxFunctions'), scope: 'file' },
    ...thresholdNames.map((t): SettingLine => ({ key: `thresholds.${kebab(t)}`, value: s.thresholds[t], source: src(`thresholds.${t}`), scope: 'file' })),
    ...Object.entries(s.args).flatMap(([fn, values]) => Object.entries(values).map((([name, value]): SettingLine => ({ key: `args.${fn}.${name}`, value, source: src(`args.${fn}.${name}`), scope: 'file' })))),
    { key: 'include', value: runInclude.include, source: runInclude.origins.include ?? 'default', scope: 'file' },
    { key: 'exclude', value: runInclude.exclude, source: runInclude.origins.exclude ?? 'default', scope: 'file' },
    { key: 'format', value: run.format, source: run.origins.format, scope: 'run' },
    { key: 'fail-on', value: run.failOn, source: run.origins.failOn, scope: 'run' },
    { key: 'time-budget', value: run.timeBudget, source: run.origins.timeBudget, scope: 'run' },
    { key: 'backend', value: run.backend, source: run.origins.backend, scope: 'run' },
  ];
  return lines;
}

/** `--show-settings`: TOML-like lines a user can paste into a config, each with where it came from. */
export function formatSettingLines(target: string, configFile: string | undefined, runConfigFile: string | undefined, lines: SettingLine[], cwd: string): string {
  // Inside the working directory a path is shown relative to it, outside it in full.
  const rel = (p: string): string => {
    const r = relative(cwd, p);
    return r === '' ? '.' : r.startsWith('..') || isAbsolute(r) ? p : r;
  };
  const where = (source: string): string => source.replace(/^(\/[^:]*|[A-Za-z]:\\[^:]*):/, (_all, p: string) => `${rel(p)}:`);
  const block = (scope: SettingLine['scope']): string[] => {
    const chosen = lines.filter((l) => l.scope === scope);
    const texts = chosen.map((l) => `${l.key} = ${tomlValue(l.value)}`);
    const column = Math.max(...texts.map((t) => t.length)) + 2;
    return chosen.map((l, i) => `${texts[i].padEnd(column)}# ${where(l.source)}`);
  };
  return [
    `# Settings for ${target}`,
    `# config file: ${configFile ? rel(configFile) : 'none (defaults)'}`,
    ...block('file'),
    '',
    `# For the whole run (from the run's config: ${runConfigFile ? rel(runConfigFile) : 'none'})`,
    ...block('run'),
    '',
  ].join('\n');
}
