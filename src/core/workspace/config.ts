// Settings from the project's own files: `[tool.gradprobe]` in pyproject.toml, a gradprobe.toml, or a
// "gradprobe" key in package.json (TF.js projects). As Ruff does, each analysed file takes the nearest
// such file above it (`ConfigResolver.forFile`); `--config FILE` names one for all (`loadConfigFile`).
// Every value is checked; a bad one is reported (file, key, what was expected) and dropped, never a
// crash: the CLI stops on those errors (exit 2), the language server logs them. Flags and editor
// settings win over all of this; the caller merges. Files are read through a ConfigReader (from disk by
// default, readFile.node.ts; the browser server passes files it fetched through the editor), so this
// module runs on both hosts; nothing here knows about either shell.
import { basename, dirname, join, resolve, sep } from 'node:path';
import { parse as parseToml, TomlError } from 'smol-toml';
import { readIfFile } from './readFile.node';
import type { GradProbeSettings, SettingArgValue, SettingsPatch } from '../config/settings';
import type { Severity } from '../findings/types';
import { ruleFor } from '../findings/rules';
import { isKnownSelector, knownCodesText, normalizeSelector, unknownSelectorText } from '../findings/codes';

export type OutputFormat = 'text' | 'json' | 'sarif';
export const outputFormats: readonly OutputFormat[] = ['text', 'json', 'sarif'];

export type FailOn = Severity | 'never';
export const failOnLevels: readonly FailOn[] = ['error', 'warning', 'info', 'never'];

/** What only the command line uses (the editor has its own ways to choose files and show results). */
export interface CliConfig {
  /** Globs with a '/' are anchored at the config file's folder (made absolute); bare names match anywhere. */
  include?: string[];
  exclude?: string[];
  failOn?: FailOn;
  format?: OutputFormat;
  /** The whole run's time budget, in seconds. */
  timeBudget?: number;
}

export interface LoadedConfig {
  patch: SettingsPatch;
  cli: CliConfig;
  /** Absolute path of the file the settings came from; absent when none was found. */
  source?: string;
  /**
   * Where each setting was written, by its camelCase name (`range`, `thresholds.dipShare`,
   * `severity.GP108`): `file: key as written`. `--show-settings` prints it.
   */
  origins: Record<string, string>;
  /** One line each, naming the file and the key: the settings file is wrong. */
  errors: string[];
  /** Files passed over on the way up that are not gradprobe's and could not be read (a broken package.json). */
  warnings: string[];
}

type Thresholds = GradProbeSettings['thresholds'];
type ThresholdName = keyof Thresholds;

/** Keys as a config file may spell them, by their camelCase name. */
export const settingKeys = ['range', 'select', 'ignore', 'severity', 'dtype', 'backend', 'train', 'timeBudgetMs',
  'maxFileBytes', 'maxFunctions', 'timeBudget', 'include', 'exclude', 'failOn', 'format', 'thresholds', 'args'] as const;

/** Every field of the thresholds; `satisfies` keeps this list in step with the settings type. */
export const thresholdNames = Object.keys({
  vanishingMaxSlope: 0, saturatedSlope: 0, explodingMaxSlope: 0, noGradientShare: 0, deadRegionShare: 0,
  dipShare: 0, depthRatio: 0, depthRelative: 0, collapseVariance: 0, customGradientRelError: 0,
  customGradientShare: 0, weakGradientRatio: 0, strongGradientRatio: 0, plateauGradient: 0, plateauShare: 0,
} satisfies Record<ThresholdName, 0>) as ThresholdName[];

/** `off` drops the code, as the editor's gradprobe.severity and every rule page offer. */
const severities: readonly (Severity | 'off')[] = ['error', 'warning', 'info', 'off'];
const dtypes: readonly GradProbeSettings['dtype'][] = ['float32', 'float16', 'bfloat16'];
const backends: readonly GradProbeSettings['backend'][] = ['auto', 'cpu', 'node'];

/**
 * Reads a config file: its text, or undefined when there is no such file (a read error is pushed
 * to `errors`). Node reads the disk (`readFile.node.ts`); a browser host reads what it fetched.
 */
export type ConfigReader = (file: string, errors: string[]) => string | undefined;

export function emptyConfig(warnings: string[] = []): LoadedConfig {
  return { patch: {}, cli: {}, origins: {}, errors: [], warnings };
}

/**
 * Finds the config that applies to files: the nearest one above each, looked up once per folder.
 * One resolver serves a whole run (or, in the server, until a config file changes).
 */
export class ConfigResolver {
  /** What one folder holds (a config, or files passed over with warnings). */
  private readonly own = new Map<string, { config?: LoadedConfig; warnings: string[] }>();
  private readonly nearest = new Map<string, LoadedConfig>();

  constructor(private readonly read: ConfigReader = readIfFile) {}

  /** The config of the nearest folder at or above `dir` that has one. */
  forDirectory(dir: string): LoadedConfig {
    const start = resolve(dir);
    const hit = this.nearest.get(start);
    if (hit) return hit;
    const passed: string[] = [];
    let found: LoadedConfig | undefined;
    for (let d = start; ; d = dirname(d)) {
      const here = this.configIn(d);
      passed.push(...here.warnings);
      if (here.config) {
        found = here.config;
        break;
      }
      if (dirname(d) === d) break;
    }
    const result = found ? { ...found, warnings: [...passed, ...found.warnings.filter((w) => !passed.includes(w))] } : emptyConfig(passed);
    this.nearest.set(start, result);
    return result;
  }

  /** The config that applies to a file: the nearest above its folder. */
  forFile(file: string): LoadedConfig {
    return this.forDirectory(dirname(resolve(file)));
  }

  private configIn(dir: string): { config?: LoadedConfig; warnings: string[] } {
    let here = this.own.get(dir);
    if (!here) {
      const warnings: string[] = [];
      here = { config: configIn(dir, warnings, this.read), warnings };
      this.own.set(dir, here);
    }
    return here;
  }
}

/** The nearest config at or above `startDir`. */
export function loadConfig(startDir: string, read: ConfigReader = readIfFile): LoadedConfig {
  return new ConfigResolver(read).forDirectory(startDir);
}

/**
 * One named file for every analysed file (`--config FILE`): a pyproject.toml (its
 * `[tool.gradprobe]`), a package.json (its "gradprobe" key), or any other .toml read as a gradprobe.toml.
 */
export function loadConfigFile(file: string): LoadedConfig {
  const abs = resolve(file);
  const result = emptyConfig();
  result.source = abs;
  const warnings: string[] = [];
  const text = readIfFile(abs, warnings);
  if (text === undefined) {
    result.errors.push(warnings[0] ?? `${abs}: no such file`);
    return result;
  }
  const name = basename(abs).toLowerCase();
  if (name === 'package.json' || name.endsWith('.json')) {
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch (err) {
      result.errors.push(`${abs}: invalid JSON: ${err instanceof Error ? err.message : String(err)}`);
      return result;
    }
    if (!isTable(doc) || !Object.hasOwn(doc, 'gradprobe')) {
      result.errors.push(`${abs}: has no "gradprobe" key`);
      return result;
    }
    return fromTable(doc.gradprobe, { file: abs, prefix: 'gradprobe', tableWord: 'an object', keyStyle: 'camel' });
  }
  if (!name.endsWith('.toml')) {
    result.errors.push(`${abs}: expected a pyproject.toml, a gradprobe.toml (any .toml file) or a package.json`);
    return result;
  }
  const errors: string[] = [];
  const doc = parseTomlFile(abs, text, errors);
  if (doc === undefined) return { ...result, errors };
  if (name === 'pyproject.toml') {
    const tool = doc.tool;
    if (!isTable(tool) || !('gradprobe' in tool)) {
      result.errors.push(`${abs}: has no [tool.gradprobe] table`);
      return result;
    }
    return fromTable(tool.gradprobe, { file: abs, prefix: 'tool.gradprobe', tableWord: 'a table', keyStyle: 'kebab' });
  }
  return fromTable(doc, { file: abs, prefix: '', tableWord: 'a table', keyStyle: 'kebab' });
}

/**
 * The config in one folder, in order pyproject.toml, gradprobe.toml, package.json. A pyproject.toml or
 * package.json that does not mention gradprobe does not stop the search; one that cannot be parsed
 * is a warning, and is taken as the (broken) config only if it looks like it was meant for gradprobe.
 */
function configIn(dir: string, warnings: string[], readIfFile: ConfigReader): LoadedConfig | undefined {
  const pyproject = join(dir, 'pyproject.toml');
  const pyText = readIfFile(pyproject, warnings);
  if (pyText !== undefined) {
    const parseErrors: string[] = [];
    const doc = parseTomlFile(pyproject, pyText, parseErrors);
    if (doc === undefined) {
      if (/^\s*\[\s*tool\s*\.\s*gradprobe\b/m.test(pyText)) return { ...emptyConfig(), source: pyproject, errors: parseErrors };
      warnings.push(...parseErrors);
    } else {
      const tool = doc.tool;
      if (isTable(tool) && 'gradprobe' in tool) {
        return fromTable(tool.gradprobe, { file: pyproject, prefix: 'tool.gradprobe', tableWord: 'a table', keyStyle: 'kebab' });
      }
    }
  }

  const own = join(dir, 'gradprobe.toml');
  const ownErrors: string[] = [];
  const ownText = readIfFile(own, ownErrors);
  if (ownText !== undefined) {
    const doc = parseTomlFile(own, ownText, ownErrors);
    return doc === undefined ? { ...emptyConfig(), source: own, errors: ownErrors } : fromTable(doc, { file: own, prefix: '', tableWord: 'a table', keyStyle: 'kebab' });
  }
  if (ownErrors.length) return { ...emptyConfig(), source: own, errors: ownErrors };

  const pkg = join(dir, 'package.json');
  const pkgText = readIfFile(pkg, warnings);
  if (pkgText !== undefined) {
    let doc: unknown;
    try {
      doc = JSON.parse(pkgText);
    } catch (err) {
      const message = `${pkg}: invalid JSON: ${err instanceof Error ? err.message : String(err)}`;
      if (/"gradprobe"\s*:/.test(pkgText)) return { ...emptyConfig(), source: pkg, errors: [message] };
      warnings.push(message);
      return undefined;
    }
    if (isTable(doc) && Object.hasOwn(doc, 'gradprobe')) {
      return fromTable(doc.gradprobe, { file: pkg, prefix: 'gradprobe', tableWord: 'an object', keyStyle: 'camel' });
    }
  }
  return undefined;
}

export interface ConfigLocation {
  file: string;
  /** Dotted path of the table within the file ('' for the top level of gradprobe.toml). */
  prefix: string;
  /** 'a table' in TOML, 'an object' in JSON. */
  tableWord: string;
  /** How known keys are listed in messages: as a TOML file or a package.json would spell them. */
  keyStyle: 'kebab' | 'camel';
}

function fromTable(table: unknown, where: ConfigLocation): LoadedConfig {
  const result: LoadedConfig = { ...emptyConfig(), source: where.file };
  if (!isTable(table)) {
    result.errors.push(`${where.file}: ${where.prefix || '(top level)'}: expected ${where.tableWord} of settings, got ${describe(table)}`);
    return result;
  }
  const { patch, cli, origins, errors } = parseConfigTable(table, where);
  return { ...result, patch, cli, origins, errors };
}

/**
 * Validates one settings table (as parsed from TOML or JSON). Exported for tests. Keys may be
 * kebab-case, snake_case or camelCase.
 */
export function parseConfigTable(table: Record<string, unknown>, where: ConfigLocation): { patch: SettingsPatch; cli: CliConfig; origins: Record<string, string>; errors: string[] } {
  const errors: string[] = [];
  const patch: SettingsPatch = {};
  const cli: CliConfig = {};
  const origins: Record<string, string> = {};
  const keyPath = (key: string): string => (where.prefix ? `${where.prefix}.${key}` : key);
  const bad = (key: string, expected: string, value: unknown): void => {
    errors.push(`${where.file}: ${keyPath(key)}: expected ${expected}, got ${describe(value)}`);
  };
  const from = (name: string, written: string): void => {
    origins[name] = `${where.file}: ${keyPath(written)}`;
  };
  /** Codes whose severity is `off`: they join `ignore`. */
  const off: string[] = [];

  for (const [key, value] of uniqueKeys(table, settingKeys, 'setting', where, errors)) {
    const raw = key.written;
    switch (key.name) {
      case 'range':
      case 'timeBudgetMs':
        if (isPositiveNumber(value)) { patch[key.name] = value; from(key.name, raw); } else bad(raw, 'a positive number', value);
        break;
      case 'maxFileBytes':
      case 'maxFunctions':
        if (isPositiveNumber(value) && Number.isInteger(value)) { patch[key.name] = value; from(key.name, raw); } else bad(raw, 'a positive whole number', value);
        break;
      case 'timeBudget':
        if (isPositiveNumber(value)) { cli.timeBudget = value; from(key.name, raw); } else bad(raw, 'a positive number of seconds', value);
        break;
      case 'select':
      case 'ignore': {
        const codes = codeList(value, keyPath(raw), where.file, errors);
        if (codes) { patch[key.name] = codes; from(key.name, raw); }
        break;
      }
      case 'severity': {
        if (!isTable(value)) {
          bad(raw, `${where.tableWord} of code = "error" | "warning" | "info" | "off"`, value);
          break;
        }
        const levels: Record<string, Severity> = {};
        for (const [code, level] of Object.entries(value)) {
          const canonical = normalizeSelector(code);
          if (!ruleFor(canonical)) {
            errors.push(`${where.file}: ${keyPath(raw)}.${code}: unknown code (known codes: ${knownCodesText()})`);
          } else if (!isOneOf(level, severities)) {
            bad(`${raw}.${code}`, oneOfText(severities), level);
          } else if (level === 'off') {
            off.push(canonical);
            from(`severity.${canonical}`, `${raw}.${code}`);
          } else {
            levels[canonical] = level;
            from(`severity.${canonical}`, `${raw}.${code}`);
          }
        }
        patch.severity = levels;
        break;
      }
      case 'dtype':
        if (isOneOf(value, dtypes)) { patch.dtype = value; from(key.name, raw); } else bad(raw, oneOfText(dtypes), value);
        break;
      case 'backend':
        if (isOneOf(value, backends)) { patch.backend = value; from(key.name, raw); } else bad(raw, oneOfText(backends), value);
        break;
      case 'train':
        if (typeof value === 'boolean') { patch.train = value; from(key.name, raw); } else bad(raw, 'true or false', value);
        break;
      case 'include':
      case 'exclude': {
        const globs = stringList(value);
        if (globs) { cli[key.name] = globs.map((g) => anchorGlob(g, dirname(where.file))); from(key.name, raw); } else bad(raw, 'a list of non-empty glob strings', value);
        break;
      }
      case 'failOn':
        if (isOneOf(value, failOnLevels)) { cli.failOn = value; from(key.name, raw); } else bad(raw, oneOfText(failOnLevels), value);
        break;
      case 'format':
        if (isOneOf(value, outputFormats)) { cli.format = value; from(key.name, raw); } else bad(raw, oneOfText(outputFormats), value);
        break;
      case 'thresholds': {
        if (!isTable(value)) {
          bad(raw, `${where.tableWord} of thresholds`, value);
          break;
        }
        const thresholds: Partial<Thresholds> = {};
        const inner: ConfigLocation = { ...where, prefix: keyPath(raw) };
        for (const [t, v] of uniqueKeys(value, thresholdNames, 'threshold', inner, errors)) {
          // Shares are fractions of a sweep; every other threshold is a positive slope, ratio or variance.
          const isShare = t.name.endsWith('Share');
          const valid = isShare ? isShareNumber(v) : isPositiveNumber(v);
          if (valid && typeof v === 'number') {
            thresholds[t.name] = v;
            origins[`thresholds.${t.name}`] = `${where.file}: ${inner.prefix}.${t.written}`;
          } else {
            errors.push(`${where.file}: ${inner.prefix}.${t.written}: expected ${isShare ? 'a number between 0 and 1' : 'a positive number'}, got ${describe(v)}`);
          }
        }
        patch.thresholds = thresholds;
        break;
      }
      case 'args': {
        // Function and argument names are the code's own: never re-cased.
        if (!isTable(value)) {
          bad(raw, `${where.tableWord} of function name → ${where.tableWord} of argument = value`, value);
          break;
        }
        const args: Record<string, Record<string, SettingArgValue>> = {};
        for (const [fn, values] of Object.entries(value)) {
          if (!isTable(values)) {
            bad(`${raw}.${fn}`, `${where.tableWord} of argument = value (e.g. gamma = 2)`, values);
            continue;
          }
          const own: Record<string, SettingArgValue> = {};
          for (const [name, v] of Object.entries(values)) {
            if (isArgValue(v)) {
              own[name] = v;
              origins[`args.${fn}.${name}`] = `${where.file}: ${keyPath(raw)}.${fn}.${name}`;
            } else {
              bad(`${raw}.${fn}.${name}`, 'a number, a string, true/false, or a list of them', v);
            }
          }
          args[fn] = own;
        }
        patch.args = args;
        break;
      }
    }
  }
  if (off.length) {
    patch.ignore = [...new Set([...(patch.ignore ?? []), ...off])];
    origins.ignore = origins.ignore ? `${origins.ignore} and severity "off"` : `${where.file}: ${keyPath('severity')} ("off")`;
  }
  return { patch, cli, origins, errors };
}

/**
 * The table's entries with their keys resolved to known names (any of kebab-, snake- or camelCase);
 * unknown keys and a key given twice in two spellings are reported and skipped.
 */
function uniqueKeys<K extends string>(table: Record<string, unknown>, known: readonly K[], what: string, where: ConfigLocation, errors: string[]): [{ name: K; written: string }, unknown][] {
  const seen = new Map<K, string>();
  const out: [{ name: K; written: string }, unknown][] = [];
  const at = (key: string): string => (where.prefix ? `${where.prefix}.${key}` : key);
  for (const [written, value] of Object.entries(table)) {
    const name = known.find((k) => k === camelCase(written));
    if (name === undefined) {
      errors.push(`${where.file}: ${at(written)}: unknown ${what} (known: ${(where.keyStyle === 'camel' ? [...known] : known.map(kebabCase)).join(', ')})`);
      continue;
    }
    const earlier = seen.get(name);
    if (earlier !== undefined) {
      errors.push(`${where.file}: ${at(written)}: given twice (also as ${earlier}); the first is used`);
      continue;
    }
    seen.set(name, written);
    out.push([{ name, written }, value]);
  }
  return out;
}

function codeList(value: unknown, keyPath: string, file: string, errors: string[]): string[] | undefined {
  // A list is the TOML way; a comma string as on the command line is accepted too.
  const items = typeof value === 'string' ? value.split(',').map((s) => s.trim()).filter((s) => s.length > 0) : value;
  if (!Array.isArray(items) || !items.every((c): c is string => typeof c === 'string')) {
    errors.push(`${file}: ${keyPath}: expected a list of codes such as ["GP108", "GP2"], got ${describe(value)}`);
    return undefined;
  }
  const codes: string[] = [];
  for (const item of items) {
    const code = normalizeSelector(item);
    if (isKnownSelector(code)) codes.push(code);
    else errors.push(`${file}: ${keyPath}: ${unknownSelectorText(item)}`);
  }
  return codes;
}

function stringList(value: unknown): string[] | undefined {
  const items = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(items) || !items.every((g): g is string => typeof g === 'string' && g.trim().length > 0)) return undefined;
  return items.map((g) => g.trim());
}

/**
 * The walk matches globs against paths relative to the working directory, which need not be the
 * config file's folder. A glob with a '/' is written relative to the config file, so it is made
 * absolute there; a bare name (`legacy`, `*_test.py`) or `**\/...` matches anywhere and stays.
 */
export function anchorGlob(glob: string, configDir: string): string {
  const g = glob.replace(/^\.\//, '');
  if (!g.includes('/') || g.startsWith('**/') || g.startsWith('/') || /^[A-Za-z]:\//.test(g)) return g;
  const base = (sep === '/' ? configDir : configDir.split(sep).join('/')).replace(/[\\*?[\]{}()!+@|]/g, '\\$&');
  return `${base.replace(/\/$/, '')}/${g}`;
}

function parseTomlFile(file: string, text: string, errors: string[]): Record<string, unknown> | undefined {
  try {
    return parseToml(text);
  } catch (err) {
    if (err instanceof TomlError) {
      const reason = err.message.split('\n')[0].replace(/^Invalid TOML document:\s*/, '');
      errors.push(`${file}:${err.line}:${err.column}: invalid TOML: ${reason}`);
    } else {
      errors.push(`${file}: invalid TOML: ${err instanceof Error ? err.message : String(err)}`);
    }
    return undefined;
  }
}

/** A value an argument can take in a config file: JSON's, without objects (TOML dates are not). */
function isArgValue(value: unknown): value is SettingArgValue {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true;
  if (typeof value === 'number') return !Number.isNaN(value);
  return Array.isArray(value) && value.every(isArgValue);
}

function isTable(value: unknown): value is Record<string, unknown> {
  return Object.prototype.toString.call(value) === '[object Object]';
}

function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

function isPositiveNumber(value: unknown): value is number {
  return isFiniteNumber(value) && value > 0;
}

function isShareNumber(value: unknown): value is number {
  return isFiniteNumber(value) && value >= 0 && value <= 1;
}

function isOneOf<T extends string>(value: unknown, options: readonly T[]): value is T {
  return typeof value === 'string' && (options as readonly string[]).includes(value);
}

function oneOfText(options: readonly string[]): string {
  return `one of ${options.map((o) => JSON.stringify(o)).join(', ')}`;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return 'a list';
  if (value instanceof Date) return 'a date';
  if (isTable(value)) return 'a table';
  return typeof value;
}

function camelCase(key: string): string {
  return key.trim().replace(/[-_]+([a-zA-Z0-9])/g, (_, c: string) => c.toUpperCase());
}

function kebabCase(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}
