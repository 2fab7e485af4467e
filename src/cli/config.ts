// Settings from the project's own files: `[tool.gradprobe]` in pyproject.toml, a gradprobe.toml, or a
// "gradprobe" key in package.json (TF.js projects), the nearest one walking up from the working
// directory. Every value is checked; a bad one is reported (file, key, what was expected) and dropped,
// never a crash. Flags win over all of this; the caller merges.
import { readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';
import { parse as parseToml, TomlError } from 'smol-toml';
import type { GradProbeSettings, SettingsPatch } from '../core/config/settings';
import type { Severity } from '../core/findings/types';
import { ruleFor } from '../core/findings/rules';
import { failOnLevels, outputFormats, type FailOn, type OutputFormat } from './format';

/** What only the command line uses (the editor has its own ways to choose files and show results). */
export interface CliConfig {
  /** Globs with a '/' are anchored at the config file's folder (made absolute); bare names match anywhere. */
  include?: string[];
  exclude?: string[];
  failOn?: FailOn;
  format?: OutputFormat;
}

export interface LoadedConfig {
  patch: SettingsPatch;
  cli: CliConfig;
  /** Absolute path of the file the settings came from; absent when none was found. */
  source?: string;
  /** One line each, naming the file and the key. */
  errors: string[];
}

type Thresholds = GradProbeSettings['thresholds'];
type ThresholdName = keyof Thresholds;

/** Keys as a config file may spell them, by their camelCase name. */
const settingKeys = ['range', 'select', 'ignore', 'severity', 'dtype', 'backend', 'train', 'timeBudgetMs',
  'include', 'exclude', 'failOn', 'format', 'thresholds'] as const;

/** Every field of the thresholds; `satisfies` keeps this list in step with the settings type. */
const thresholdNames = Object.keys({
  vanishingMaxSlope: 0, saturatedSlope: 0, explodingMaxSlope: 0, noGradientShare: 0, deadRegionShare: 0,
  dipShare: 0, depthRatio: 0, depthRelative: 0, collapseVariance: 0, customGradientRelError: 0,
  customGradientShare: 0, weakGradientRatio: 0, strongGradientRatio: 0, plateauGradient: 0, plateauShare: 0,
} satisfies Record<ThresholdName, 0>) as ThresholdName[];

const severities: readonly Severity[] = ['error', 'warning', 'info'];
const dtypes: readonly GradProbeSettings['dtype'][] = ['float32', 'float16', 'bfloat16'];
const backends: readonly GradProbeSettings['backend'][] = ['auto', 'cpu', 'node'];

export function loadConfig(startDir: string): LoadedConfig {
  const errors: string[] = [];
  for (let dir = resolve(startDir); ; dir = dirname(dir)) {
    const found = configIn(dir, errors);
    if (found) return found;
    if (dirname(dir) === dir) return { patch: {}, cli: {}, errors };
  }
}

/**
 * The config in one folder, in order pyproject.toml, gradprobe.toml, package.json. A pyproject.toml or
 * package.json that does not mention gradprobe does not stop the search; a file that cannot be parsed
 * is reported, and stops the search only if it looks like it was meant for gradprobe.
 */
function configIn(dir: string, errors: string[]): LoadedConfig | undefined {
  const pyproject = join(dir, 'pyproject.toml');
  const pyText = readIfFile(pyproject, errors);
  if (pyText !== undefined) {
    const doc = parseTomlFile(pyproject, pyText, errors);
    if (doc === undefined) {
      if (/^\s*\[\s*tool\s*\.\s*gradprobe\b/m.test(pyText)) return { patch: {}, cli: {}, source: pyproject, errors };
    } else {
      const tool = doc.tool;
      if (isTable(tool) && 'gradprobe' in tool) {
        return fromTable(tool.gradprobe, { file: pyproject, prefix: 'tool.gradprobe', tableWord: 'a table', keyStyle: 'kebab' }, errors);
      }
    }
  }

  const own = join(dir, 'gradprobe.toml');
  const ownText = readIfFile(own, errors);
  if (ownText !== undefined) {
    const doc = parseTomlFile(own, ownText, errors);
    return doc === undefined ? { patch: {}, cli: {}, source: own, errors } : fromTable(doc, { file: own, prefix: '', tableWord: 'a table', keyStyle: 'kebab' }, errors);
  }

  const pkg = join(dir, 'package.json');
  const pkgText = readIfFile(pkg, errors);
  if (pkgText !== undefined) {
    let doc: unknown;
    try {
      doc = JSON.parse(pkgText);
    } catch (err) {
      errors.push(`${pkg}: invalid JSON: ${err instanceof Error ? err.message : String(err)}`);
      if (/"gradprobe"\s*:/.test(pkgText)) return { patch: {}, cli: {}, source: pkg, errors };
      return undefined;
    }
    if (isTable(doc) && Object.hasOwn(doc, 'gradprobe')) {
      return fromTable(doc.gradprobe, { file: pkg, prefix: 'gradprobe', tableWord: 'an object', keyStyle: 'camel' }, errors);
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

function fromTable(table: unknown, where: ConfigLocation, errors: string[]): LoadedConfig {
  const result: LoadedConfig = { patch: {}, cli: {}, source: where.file, errors };
  if (!isTable(table)) {
    errors.push(`${where.file}: ${where.prefix || '(top level)'}: expected ${where.tableWord} of settings, got ${describe(table)}`);
    return result;
  }
  const { patch, cli, errors: found } = parseConfigTable(table, where);
  errors.push(...found);
  result.patch = patch;
  result.cli = cli;
  return result;
}

/**
 * Validates one settings table (as parsed from TOML or JSON). Exported for the editor's settings and
 * for tests. Keys may be kebab-case, snake_case or camelCase.
 */
export function parseConfigTable(table: Record<string, unknown>, where: ConfigLocation): { patch: SettingsPatch; cli: CliConfig; errors: string[] } {
  const errors: string[] = [];
  const patch: SettingsPatch = {};
  const cli: CliConfig = {};
  const keyPath = (key: string): string => (where.prefix ? `${where.prefix}.${key}` : key);
  const bad = (key: string, expected: string, value: unknown): void => {
    errors.push(`${where.file}: ${keyPath(key)}: expected ${expected}, got ${describe(value)}`);
  };

  for (const [key, value] of uniqueKeys(table, settingKeys, 'setting', where, errors)) {
    const raw = key.written;
    switch (key.name) {
      case 'range':
      case 'timeBudgetMs':
        if (isPositiveNumber(value)) patch[key.name] = value;
        else bad(raw, 'a positive number', value);
        break;
      case 'select':
      case 'ignore': {
        const codes = codeList(value, keyPath(raw), where.file, errors);
        if (codes) patch[key.name] = codes;
        break;
      }
      case 'severity': {
        if (!isTable(value)) {
          bad(raw, `${where.tableWord} of code = "error" | "warning" | "info"`, value);
          break;
        }
        const levels: Record<string, Severity> = {};
        for (const [code, level] of Object.entries(value)) {
          const canonical = code.trim().toUpperCase();
          if (!ruleFor(canonical)) {
            errors.push(`${where.file}: ${keyPath(raw)}.${code}: unknown code (expected one of GP001-GP305, e.g. GP108)`);
          } else if (!isOneOf(level, severities)) {
            bad(`${raw}.${code}`, oneOfText(severities), level);
          } else {
            levels[canonical] = level;
          }
        }
        patch.severity = levels;
        break;
      }
      case 'dtype':
        if (isOneOf(value, dtypes)) patch.dtype = value;
        else bad(raw, oneOfText(dtypes), value);
        break;
      case 'backend':
        if (isOneOf(value, backends)) patch.backend = value;
        else bad(raw, oneOfText(backends), value);
        break;
      case 'train':
        if (typeof value === 'boolean') patch.train = value;
        else bad(raw, 'true or false', value);
        break;
      case 'include':
      case 'exclude': {
        const globs = stringList(value);
        if (globs) cli[key.name] = globs.map((g) => anchorGlob(g, dirname(where.file)));
        else bad(raw, 'a list of non-empty glob strings', value);
        break;
      }
      case 'failOn':
        if (isOneOf(value, failOnLevels)) cli.failOn = value;
        else bad(raw, oneOfText(failOnLevels), value);
        break;
      case 'format':
        if (isOneOf(value, outputFormats)) cli.format = value;
        else bad(raw, oneOfText(outputFormats), value);
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
          if (valid && typeof v === 'number') thresholds[t.name] = v;
          else errors.push(`${where.file}: ${inner.prefix}.${t.written}: expected ${isShare ? 'a number between 0 and 1' : 'a positive number'}, got ${describe(v)}`);
        }
        patch.thresholds = thresholds;
        break;
      }
    }
  }
  return { patch, cli, errors };
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
    errors.push(`${file}: ${keyPath}: expected a list of codes such as ["GP108", "GP213"], got ${describe(value)}`);
    return undefined;
  }
  const codes: string[] = [];
  for (const item of items) {
    const code = item.trim().toUpperCase();
    if (ruleFor(code)) codes.push(code);
    else errors.push(`${file}: ${keyPath}: unknown code ${JSON.stringify(item)} (expected one of GP001-GP305, e.g. GP108)`);
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

function readIfFile(file: string, errors: string[]): string | undefined {
  try {
    if (!statSync(file).isFile()) return undefined;
  } catch {
    return undefined; // not there
  }
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    errors.push(`${file}: cannot read: ${err instanceof Error ? err.message : String(err)}`);
    return undefined;
  }
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
