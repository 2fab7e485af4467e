// `gradprobe check`: walk, read, analyse, print, exit by severity. Config files are found per file
// (the nearest above it, as Ruff does); the analysis is the core's.
import { readFileSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { isKnownSelector, normalizeSelector, unknownSelectorText } from '../core/findings/codes';
import { defaultSettings, mergeSettings, type GradProbeSettings } from '../core/config/settings';
import type { FileReport } from '../core/findings/types';
import { ruleCatalog } from '../core/findings/rules';
import { ConfigResolver, failOnLevels, loadConfigFile, outputFormats, type FailOn, type LoadedConfig, type OutputFormat } from '../core/workspace/config';
import { cacheDirName, externalHash, hashText, ResultCache, type ExternalFile } from '../core/workspace/resultCache';
import { dependencyGraph } from '../core/parse/moduleDeps';
import type { CheckInput } from './engine';
import { loadEngine } from './engineBundle';
import { shardOf as shardOfFile, type Shard } from './shard';
import { walkPaths } from '../core/workspace/walk';
import { helpText, listValue, parseCommand, stringValue, type CommandSpec, type ParsedValues } from './args';
import { exitCodeFor, formatJson, formatSarif, formatText, summarize } from './format';
import { notebookLocator } from './notebookRegions';
import { Progress } from './progress';
import { defaultTimeBudgetSeconds, fileSettings, formatSettingLines, runLevelSettings, settingLines, type FileSettings, type FlagSettings } from './runSettings';
import { UsageError } from './usage';
import { version } from '../../package.json';

export const checkCommand: CommandSpec = {
  name: 'check',
  summary: 'find the custom activation and loss functions in files and folders and probe their gradients',
  usage: ['check [OPTIONS] [PATH ...]', 'check --show-settings PATH'],
  details: [
    'PATH is a file or a folder (default: the current folder). Folders are walked for Python (.py), notebooks (.ipynb), JavaScript and TypeScript, skipping .git, node_modules, virtualenvs, __pycache__, dist, build and what .gitignore ignores; a file named on the command line is always checked. Nothing is run: functions are parsed and translated to TensorFlow.js.',
    'Settings: each file takes the nearest config file above it: a pyproject.toml with a [tool.gradprobe] table, a gradprobe.toml, or a package.json with a "gradprobe" key (in that order within one folder). --config FILE names one for all files. Output format, fail-on, time-budget and backend are the run\'s: from --config, else the config of the working directory, else the one config all PATHs share. Flags win over config files; --select replaces a config\'s select, --ignore adds to its ignore.',
    'Codes: GP108 is one rule; a prefix selects every code it starts: GP1 = all activation probes (GP101-GP112), GP11 = GP110-GP112, GP2 = loss probes, GP3 = source rules. An unknown code is a usage error. `gradprobe rule --all` lists the codes.',
    'Notebooks: a finding reads `nb.ipynb:cell 4:3:12: ...`: cell 4 is the notebook\'s 4th cell counting every cell from 1 (markdown cells too, as Ruff counts), line 3 and column 12 are within that cell, both from 1. JSON output gives `cell` (0-based) and a cell-relative range; SARIF points at the cell\'s line inside the .ipynb file.',
  ],
  options: {
    format: { type: 'string', value: 'FORMAT', help: 'text (one finding a line: path:line:col: severity CODE message, then a summary), json (every file, function and finding, 0-based positions) or sarif (SARIF 2.1.0 for code scanning). Default: text.' },
    'fail-on': { type: 'string', value: 'LEVEL', help: 'Exit 1 when a finding at or above LEVEL exists: error, warning, info, or never (always exit 0 after a completed run). Default: error.' },
    select: { type: 'string', multiple: true, value: 'CODES', help: 'Report only these codes or prefixes (comma-separated, e.g. GP1,GP201). Replaces the config\'s select.' },
    ignore: { type: 'string', multiple: true, value: 'CODES', help: 'Do not report these codes or prefixes (comma-separated, e.g. GP108,GP3). Added to the config\'s ignore; ignore wins over select.' },
    include: { type: 'string', multiple: true, value: 'GLOB', help: 'Check only walked files matching GLOB (against the path from the working directory or the file name); repeatable. Replaces the configs\' include.' },
    exclude: { type: 'string', multiple: true, value: 'GLOB', help: 'Skip walked files and folders matching GLOB; repeatable. Added to the configs\' exclude.' },
    config: { type: 'string', value: 'FILE', help: 'Use this config file for every file instead of looking for the nearest one: a pyproject.toml ([tool.gradprobe]), a package.json ("gradprobe") or a .toml in gradprobe.toml\'s form.' },
    'show-settings': { type: 'boolean', help: 'Print the settings that apply to PATH (one file or folder) and where each came from (a config file and key, a flag, or the default), then exit without checking.' },
    range: { type: 'string', value: 'R', help: 'Activation sweep half-width: f and f\' are probed on x in [-R, R] (plus log-spaced tails). Default: 6.' },
    dtype: { type: 'string', value: 'DTYPE', help: 'float32 (default), or probe again at emulated float16 / bfloat16 to find epsilon guards that mixed-precision training breaks.' },
    train: { type: 'boolean', help: 'Also run a short training of each function against a baseline (slower).' },
    backend: { type: 'string', value: 'BACKEND', help: 'TensorFlow.js backend: auto (default: node if @tensorflow/tfjs-node loads, else cpu), cpu, or node (fails when tfjs-node is not installed).' },
    'time-budget': { type: 'string', value: 'SECONDS', help: `The whole run's time budget (default ${defaultTimeBudgetSeconds}). When it runs out, the functions and files not yet probed are reported as GP002 and the report is printed. Each function's own budget is the setting time-budget-ms.` },
    jobs: { type: 'string', value: 'N', help: 'Probe on N threads (default: the number of cores). The output is the same whatever N: same files, functions, findings, order.' },
    shard: { type: 'string', value: 'K/N', help: 'Check only shard K of N (1 <= K <= N): the files whose path, relative to the project root, hashes (SHA-256) to K-1 modulo N. Every file is in exactly one shard, the split is the same on every machine, and every shard still reads all files for context, so its findings are the unsharded run\'s for its files. For CI matrices.' },
    'no-cache': { type: 'boolean', help: 'Neither read nor write the cache.' },
    'cache-dir': { type: 'string', value: 'DIR', help: 'Keep the cache in DIR instead of .gradprobe_cache in the project root (the folder of the run\'s config file, else the working directory). An unchanged tree is re-checked from it without probing.' },
    quiet: { type: 'boolean', short: 'q', help: 'Print the findings only: no progress line, no summary line, no config warnings.' },
    help: { type: 'boolean', short: 'h', help: 'Print this help.' },
  },
  footer: [
    'Exit status: 0 when no finding reaches --fail-on, 1 when one does, 2 on a usage, config or I/O error (nothing is checked then).',
    'Progress is printed on stderr for runs longer than a second when stderr is a terminal. Files larger than max-file-bytes (default 512 KiB) are not analysed and at most max-functions (default 200) functions of one file are probed; both are reported as GP002.',
    'Examples:\n  gradprobe check src\n  gradprobe check . --format sarif > gradprobe.sarif\n  gradprobe check models/losses.py --select GP2 --fail-on warning\n  gradprobe check --show-settings models/losses.py',
  ],
};

function oneOf<T extends string>(flag: string, value: string | undefined, options: readonly T[]): T | undefined {
  if (value === undefined) return undefined;
  if (!(options as readonly string[]).includes(value)) throw new UsageError(`--${flag} must be ${options.slice(0, -1).join(', ')} or ${options[options.length - 1]}, not '${value}'`);
  return value as T;
}

function positive(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!(n > 0) || !Number.isFinite(n)) throw new UsageError(`--${flag} must be a positive number, not '${value}'`);
  return n;
}

function jobsOf(value: string | undefined): number {
  if (value === undefined) return availableParallelism();
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new UsageError(`--jobs must be a whole number of at least 1, not '${value}'`);
  return Number(value);
}

function shardOf(value: string | undefined, root: string): Shard | undefined {
  if (value === undefined) return undefined;
  const m = /^(\d+)\/(\d+)$/.exec(value);
  const k = m ? Number(m[1]) : NaN;
  const n = m ? Number(m[2]) : NaN;
  if (!m || n < 1 || k < 1 || k > n) throw new UsageError(`--shard must be K/N with 1 <= K <= N (e.g. 2/4), not '${value}'`);
  return { index: k - 1, count: n, root };
}

/** `--select GP1,GP201 --select gp3` → ['GP1', 'GP201', 'GP3']; unknown codes are a usage error. */
function codes(flag: string, values: string[] | undefined): string[] | undefined {
  if (values === undefined) return undefined;
  const all = values.flatMap((v) => v.split(',')).map(normalizeSelector).filter(Boolean);
  const unknown = all.filter((c) => !isKnownSelector(c));
  if (unknown.length) throw new UsageError(`--${flag}: ${unknown.map(unknownSelectorText).join('; ')}`);
  return [...new Set(all)];
}

function readFlags(values: ParsedValues): FlagSettings {
  const flags: FlagSettings = { patch: {}, cli: {}, origins: {} };
  const set = (key: string, flag: string): void => { flags.origins[key] = `--${flag}`; };
  const format = oneOf<OutputFormat>('format', stringValue(values, 'format'), outputFormats);
  if (format) { flags.cli.format = format; set('format', 'format'); }
  const failOn = oneOf<FailOn>('fail-on', stringValue(values, 'fail-on'), failOnLevels);
  if (failOn) { flags.cli.failOn = failOn; set('failOn', 'fail-on'); }
  const range = positive('range', stringValue(values, 'range'));
  if (range !== undefined) { flags.patch.range = range; set('range', 'range'); }
  const dtype = oneOf<GradProbeSettings['dtype']>('dtype', stringValue(values, 'dtype'), ['float32', 'float16', 'bfloat16']);
  if (dtype) { flags.patch.dtype = dtype; set('dtype', 'dtype'); }
  const backend = oneOf<GradProbeSettings['backend']>('backend', stringValue(values, 'backend'), ['auto', 'cpu', 'node']);
  if (backend) { flags.patch.backend = backend; set('backend', 'backend'); }
  if (values.train === true) { flags.patch.train = true; set('train', 'train'); }
  const budget = positive('time-budget', stringValue(values, 'time-budget'));
  if (budget !== undefined) { flags.cli.timeBudget = budget; set('timeBudget', 'time-budget'); }
  flags.select = codes('select', listValue(values, 'select'));
  if (flags.select) set('select', 'select');
  flags.ignore = codes('ignore', listValue(values, 'ignore'));
  if (flags.ignore) set('ignore', 'ignore');
  const include = listValue(values, 'include');
  if (include) { flags.cli.include = include; set('include', 'include'); }
  const exclude = listValue(values, 'exclude');
  if (exclude) { flags.cli.exclude = exclude; set('exclude', 'exclude'); }
  return flags;
}

/**
 * The run's config: --config, else the working directory's, else the one config every PATH shares
 * (so `gradprobe check proj` from elsewhere still takes proj's output settings).
 */
function runConfigOf(resolver: ConfigResolver, cwd: string, paths: string[]): LoadedConfig {
  const here = resolver.forDirectory(cwd);
  if (here.source) return here;
  const configs = paths.map((p) => {
    const abs = resolve(cwd, p);
    let isDir = false;
    try {
      isDir = statSync(abs).isDirectory();
    } catch {
      // a missing path is reported by the walk
    }
    return isDir ? resolver.forDirectory(abs) : resolver.forFile(abs);
  });
  const first = configs[0];
  return first?.source && configs.every((c) => c.source === first.source) ? first : here;
}

export async function runCheck(argv: string[]): Promise<number> {
  const { values, positionals, help } = parseCommand(checkCommand, argv);
  if (help) {
    process.stdout.write(helpText(checkCommand));
    return 0;
  }
  const cwd = process.cwd();
  const quiet = values.quiet === true;
  const flags = readFlags(values);
  const paths = positionals.length ? positionals : ['.'];

  const resolver = new ConfigResolver();
  const configPath = stringValue(values, 'config');
  const fixed = configPath !== undefined ? loadConfigFile(resolve(cwd, configPath)) : undefined;
  const configOfDir = (dir: string): LoadedConfig => fixed ?? resolver.forDirectory(dir);
  const configOfFile = (file: string): LoadedConfig => fixed ?? resolver.forFile(resolve(cwd, file));
  const runConfig = fixed ?? runConfigOf(resolver, cwd, paths);
  const run = runLevelSettings(runConfig, flags);

  const used = new Set<LoadedConfig>([runConfig]);
  const perConfig = new Map<LoadedConfig, FileSettings>();
  const settingsOfConfig = (config: LoadedConfig): FileSettings => {
    used.add(config);
    let hit = perConfig.get(config);
    if (!hit) {
      hit = fileSettings(config, flags, run);
      perConfig.set(config, hit);
    }
    return hit;
  };
  const stopOnConfigErrors = (): void => {
    const errors = [...used].flatMap((c) => c.errors);
    const warnings = [...new Set([...used].flatMap((c) => c.warnings))];
    if (!quiet) for (const w of warnings) process.stderr.write(`gradprobe: warning: ${w}\n`);
    if (errors.length) throw new UsageError(`invalid settings (nothing was checked):\n  ${[...new Set(errors)].join('\n  ')}`);
  };

  // Globs: the flags' apply everywhere; a config's apply to the folders under it (--config: everywhere).
  const filterOf = (config: LoadedConfig): { include: string[]; exclude: string[] } => ({
    include: flags.cli.include ? [] : config.cli.include ?? [],
    exclude: config.cli.exclude ?? [],
  });

  if (values['show-settings'] === true) {
    if (paths.length !== 1) throw new UsageError('--show-settings takes one PATH (a file or a folder)');
    const abs = resolve(cwd, paths[0]);
    let isDir: boolean;
    try {
      isDir = statSync(abs).isDirectory();
    } catch {
      throw new UsageError(`${paths[0]}: no such file or directory`);
    }
    const config = isDir ? configOfDir(abs) : configOfFile(abs);
    const file = settingsOfConfig(config);
    stopOnConfigErrors();
    const globs = filterOf(config);
    const include = flags.cli.include ?? globs.include;
    const exclude = [...globs.exclude, ...(flags.cli.exclude ?? [])];
    const origins = {
      include: flags.cli.include ? '--include' : config.origins.include ?? 'default',
      exclude: [config.origins.exclude, flags.origins.exclude].filter(Boolean).join(', and ') || 'default',
    };
    const lines = settingLines(file, run, { include, exclude, origins });
    if (run.format === 'json') {
      const out = { path: paths[0], configFile: config.source ?? null, runConfigFile: runConfig.source ?? null, settings: Object.fromEntries(lines.map((l) => [l.key, { value: l.value, source: l.source, scope: l.scope }])) };
      process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
    } else {
      process.stdout.write(formatSettingLines(paths[0], config.source, runConfig.source, lines, cwd));
    }
    return 0;
  }

  const walk = walkPaths(paths, {
    cwd,
    include: flags.cli.include ?? (fixed ? fixed.cli.include ?? [] : []),
    exclude: [...(fixed ? fixed.cli.exclude ?? [] : []), ...(flags.cli.exclude ?? [])],
    filtersFor: fixed ? undefined : (dir) => filterOf(configOfDir(dir)),
  });
  if (walk.errors.length) throw new UsageError(walk.errors.map((e) => e.message).join('; '));
  const settingsOf = new Map(walk.files.map((path) => [path, settingsOfConfig(configOfFile(path)).settings]));
  stopOnConfigErrors();

  const started = performance.now();
  const progress = Progress.forStderr(quiet);
  const inputs: CheckInput[] = walk.files.map((path) => {
    const abs = resolve(cwd, path);
    const limit = settingsOf.get(path)!.maxFileBytes;
    try {
      // A generated file is not even read into memory: its size says enough.
      const bytes = statSync(abs).size;
      if (bytes > limit && !path.toLowerCase().endsWith('.ipynb')) return { path, tooLarge: { bytes, limit } };
      return { path, text: readFileSync(abs, 'utf8') };
    } catch (err) {
      return { path, error: (err as Error).message };
    }
  });
  const base = mergeSettings(defaultSettings, { backend: run.backend });
  const roots = [cwd, ...new Set([...used].map((c) => c.source).filter((s): s is string => !!s).map((s) => dirname(s)))];
  // The project root: the run's config file's folder, else the working directory (as Ruff's cache).
  const projectRoot = runConfig.source ? dirname(runConfig.source) : cwd;
  const jobs = jobsOf(stringValue(values, 'jobs'));
  const shard = shardOf(stringValue(values, 'shard'), projectRoot);
  const inShard = (path: string): boolean => !shard || shardOfFile(resolve(cwd, path), shard.root, shard.count) === shard.index;

  // The cache: an entry per file, keyed by its absolute path and text, the texts of the workspace
  // modules it imports or is imported by (transitively, among the files checked), its settings with the
  // run's backend, and the tool's version — the key the language server computes for an open file.
  const cacheDirFlag = stringValue(values, 'cache-dir');
  const cache = values['no-cache'] === true ? undefined : new ResultCache(cacheDirFlag !== undefined ? resolve(cwd, cacheDirFlag) : join(projectRoot, cacheDirName), version);
  const texts = new Map(inputs.flatMap((i) => ('text' in i ? [[resolve(cwd, i.path), i.text] as const] : [])));
  const hashes = new Map<string, string>();
  const hashOf = (abs: string): string => { let h = hashes.get(abs); if (h === undefined) { h = hashText(texts.get(abs)!); hashes.set(abs, h); } return h; };
  const depsOf = cache ? dependencyGraph(texts, roots) : undefined;
  const keyOf = (path: string): string | undefined => {
    const abs = resolve(cwd, path);
    if (!cache || !depsOf || !texts.has(abs)) return undefined;
    return cache.key({ path: abs, hash: hashOf(abs), deps: depsOf(abs).map((d) => ({ path: d, hash: hashOf(d) })), settings: { ...settingsOf.get(path), backend: run.backend } });
  };
  const wanted = inputs.filter((i) => inShard(i.path));
  let reports: FileReport[] | undefined;
  // Files the cache holds are not probed again; the others are analysed with them as context.
  const cached = new Map<string, FileReport>();
  if (cache) {
    for (const i of wanted) {
      const key = 'text' in i ? keyOf(i.path) : undefined;
      const hit = key ? cache.get(key, i.path, false) : undefined;
      if (hit) cached.set(i.path, hit);
    }
    if (cached.size === wanted.length) reports = wanted.map((i) => cached.get(i.path)!);
  }
  if (!reports) {
    const loaded = new Set<string>();
    const runBudget = { deadline: Date.now() + run.timeBudget * 1000, seconds: run.timeBudget };
    try {
      // The engine bundle is loaded here, and only here: a re-check the cache answers never pays for it.
      reports = await loadEngine().analyzeCheck({
        inputs, base, settingsOf, roots, runBudget, jobs, shard, cwd, reuse: new Set(cached.keys()),
        onProgress: (p) => progress.update(p),
        onLoad: (file) => loaded.add(file),
      });
    } finally {
      progress.done();
    }
    reports = reports.filter((r) => inShard(r.path)).map((r) => cached.get(r.path) ?? r);
    if (cache) {
      const external: ExternalFile[] = [...loaded].sort().flatMap((path) => {
        const hash = externalHash(path);
        return hash ? [{ path, hash }] : [];
      });
      // Failed or cut-short probes (GP002: budgets, engine failures) are not kept: they may not happen next time.
      for (const r of reports) {
        if (cached.has(r.path)) continue;
        const key = keyOf(r.path);
        if (key && !r.findings.some((f) => f.code === 'GP002') && !r.functions.some((f) => f.probe.status === 'failed')) cache.set(key, r, external);
      }
    }
  } else {
    progress.done();
  }
  const summary = summarize(reports, Math.round(performance.now() - started));
  const notebooks = new Map(inputs.flatMap((i) => ('text' in i && i.path.toLowerCase().endsWith('.ipynb') ? [[i.path, i.text] as const] : [])));
  const out = run.format === 'json' ? formatJson(reports, summary, version)
    : run.format === 'sarif' ? formatSarif(reports, version, ruleCatalog, { locate: (path) => { const text = notebooks.get(path); return text === undefined ? undefined : notebookLocator(text); } })
    : formatText(reports, quiet ? undefined : summary);
  if (out.length) process.stdout.write(out.endsWith('\n') ? out : `${out}\n`);
  return exitCodeFor(reports, run.failOn);
}
