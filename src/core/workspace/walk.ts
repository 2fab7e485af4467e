// Which files `gradprobe check PATH ...` analyses: explicit files always, folders walked with the
// usual skips (vendored and generated folders, .gitignore, --exclude) and narrowed by --include.
import { existsSync, readFileSync, readdirSync, realpathSync, statSync, type Dirent, type Stats } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import ignore, { type Ignore } from 'ignore';
import picomatch from 'picomatch';

export interface WalkOptions {
  /** Paths are resolved against it and returned relative to it. */
  cwd: string;
  /** When non-empty, a walked file is kept only if it matches one of these. */
  include: string[];
  /** Files and folders the walk skips (on top of the built-in skips and .gitignore). */
  exclude: string[];
  /**
   * Per-folder filters on top of `include`/`exclude`: the config file nearest to a folder decides
   * for the entries in it (its excludes skip, its includes narrow). Called once per folder.
   */
  filtersFor?: (absDir: string) => { include: string[]; exclude: string[] };
}

export interface WalkError {
  /** The path as the user gave it. */
  path: string;
  message: string;
}

export interface WalkResult {
  /** Relative to `cwd`, '/'-separated, sorted, without duplicates. */
  files: string[];
  errors: WalkError[];
}

/** Folders a walk never enters: VCS metadata, dependencies, virtualenvs, caches, build output. */
export const skippedFolderNames: readonly string[] = [
  '.git', 'node_modules', '.venv', 'venv', 'env', 'site-packages', '__pycache__', 'dist', 'build',
];

const analysedExtensions: readonly string[] = ['.py', '.ipynb', '.js', '.mjs', '.cjs', '.ts', '.tsx', '.mts', '.cts'];

/** Python, notebooks, JavaScript and TypeScript sources; declaration files hold no function bodies. */
export function isAnalysedFile(path: string): boolean {
  const name = basename(path).toLowerCase();
  if (/\.d\.[cm]?ts$/.test(name)) return false;
  return analysedExtensions.some((ext) => name.endsWith(ext));
}

/** The rules of one .gitignore, relative to the folder that holds it. */
interface IgnoreLayer {
  base: string;
  rules: Ignore;
}

type GlobTest = (path: string) => boolean;

export function walkPaths(paths: string[], opts: WalkOptions): WalkResult {
  const cwd = resolve(opts.cwd);
  const found = new Set<string>();
  const errors: WalkError[] = [];
  const includes = compileGlobs(opts.include);
  const excludes = compileGlobs(opts.exclude);
  // Real paths of folders already walked: a symlink back up the tree (or to a folder walked through
  // another path) is entered once, so loops end and files are not analysed twice.
  const visited = new Set<string>();
  // Configs are shared by many folders: compile each one's globs once.
  const compiled = new Map<string[], { glob: string; test: GlobTest }[]>();
  const compileOnce = (globs: string[]): { glob: string; test: GlobTest }[] => {
    let hit = compiled.get(globs);
    if (!hit) {
      hit = compileGlobs(globs);
      compiled.set(globs, hit);
    }
    return hit;
  };

  const toOutput = (abs: string): string => toPosix(relative(cwd, abs)) || '.';

  const walkFolder = (dir: string, layers: IgnoreLayer[]): void => {
    let real: string;
    try {
      real = realpathSync(dir);
    } catch (err) {
      errors.push({ path: toOutput(dir), message: `${toOutput(dir)}: ${ioMessage(err)}` });
      return;
    }
    if (visited.has(real)) return;
    visited.add(real);

    let entries: Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch (err) {
      errors.push({ path: toOutput(dir), message: `${toOutput(dir)}: ${ioMessage(err)}` });
      return;
    }
    const own = readGitignore(dir);
    const here = own ? [...layers, own] : layers;
    const local = opts.filtersFor?.(dir);
    const localIncludes = local ? compileOnce(local.include) : [];
    const localExcludes = local ? compileOnce(local.exclude) : [];

    entries.sort((a, b) => compareStrings(a.name, b.name));
    for (const entry of entries) {
      const abs = join(dir, entry.name);
      let isDir = entry.isDirectory();
      let isFile = entry.isFile();
      if (entry.isSymbolicLink()) {
        const target = statOrUndefined(abs);
        if (!target) continue; // a dangling link is nothing to analyse
        isDir = target.isDirectory();
        isFile = target.isFile();
      }
      if (!isDir && !isFile) continue;
      if (isDir && skippedFolderNames.includes(entry.name)) continue;
      if (isGitIgnored(abs, isDir, here)) continue;
      const rel = toOutput(abs);
      if (matchesAny(excludes, rel, entry.name, abs) || matchesAny(localExcludes, rel, entry.name, abs)) continue;
      if (isDir) {
        walkFolder(abs, here);
      } else if (isAnalysedFile(entry.name)
        && (includes.length === 0 || matchesAny(includes, rel, entry.name, abs))
        && (localIncludes.length === 0 || matchesAny(localIncludes, rel, entry.name, abs))) {
        found.add(rel);
      }
    }
  };

  for (const given of paths.length > 0 ? paths : ['.']) {
    const abs = resolve(cwd, given);
    const stats = statOrError(abs);
    if ('error' in stats) {
      errors.push({ path: given, message: `${given}: ${stats.error}` });
      continue;
    }
    if (stats.isDirectory()) {
      // A folder named on the command line is walked even if a walk from above would skip it (as
      // ruff does); the .gitignore files above it still apply to what is inside.
      walkFolder(abs, ancestorGitignores(abs, cwd));
    } else if (isAnalysedFile(abs)) {
      found.add(toOutput(abs));
    } else {
      errors.push({ path: given, message: `${given}: not a Python, notebook, JavaScript or TypeScript file (${analysedExtensions.join(' ')})` });
    }
  }

  return { files: [...found].sort(compareStrings), errors };
}

/**
 * .gitignore files above a folder named on the command line, outermost first: up to the repository
 * root (the nearest folder holding `.git`, whose `.git/info/exclude` counts too); outside a
 * repository, only those between the working directory and the folder. If they ignore the folder
 * itself, none apply: what the user named is analysed. The folder's own .gitignore is read by the walk.
 */
function ancestorGitignores(folder: string, cwd: string): IgnoreLayer[] {
  const above: string[] = [];
  let repoRoot: string | undefined = existsSync(join(folder, '.git')) ? folder : undefined;
  for (let dir = dirname(folder); repoRoot === undefined && dir !== folder; dir = dirname(dir)) {
    above.push(dir);
    if (existsSync(join(dir, '.git'))) repoRoot = dir;
    if (dirname(dir) === dir) break;
  }
  if (repoRoot === undefined) above.length = isInside(folder, cwd) && folder !== cwd ? above.indexOf(cwd) + 1 : 0;

  const layers: IgnoreLayer[] = [];
  const exclude = repoRoot === undefined ? undefined : readIgnoreFile(join(repoRoot, '.git', 'info', 'exclude'), repoRoot);
  if (exclude) layers.push(exclude);
  for (const dir of above.reverse()) {
    const layer = readGitignore(dir);
    if (layer) layers.push(layer);
  }
  return isGitIgnored(folder, true, layers) ? [] : layers;
}

function readGitignore(dir: string): IgnoreLayer | undefined {
  return readIgnoreFile(join(dir, '.gitignore'), dir);
}

function readIgnoreFile(file: string, base: string): IgnoreLayer | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined; // absent or unreadable: nothing ignored by it
  }
  return { base, rules: ignore().add(text) };
}

/**
 * Git's precedence: a deeper .gitignore overrides a shallower one, and within a file the last
 * matching rule wins (which `ignore` implements); a negation re-includes.
 */
function isGitIgnored(abs: string, isDir: boolean, layers: IgnoreLayer[]): boolean {
  let ignored = false;
  for (const layer of layers) {
    if (!isInside(abs, layer.base) || abs === layer.base) continue;
    const rel = toPosix(relative(layer.base, abs)) + (isDir ? '/' : '');
    const verdict = layer.rules.test(rel);
    if (verdict.ignored) ignored = true;
    else if (verdict.unignored) ignored = false;
  }
  return ignored;
}

/**
 * A glob is tried against the path relative to the working directory (`src/**\/*.py`), against the
 * bare name (`*_test.py`, `legacy`), and, when it is absolute, against the absolute path (config
 * files give their globs that way, anchored at their own folder).
 */
function compileGlobs(globs: string[]): { glob: string; test: GlobTest }[] {
  return globs
    .map((g) => g.trim().replace(/^\.\//, ''))
    .filter((g) => g.length > 0)
    .map((glob) => ({ glob, test: picomatch(glob, { dot: true }) }));
}

function matchesAny(globs: { glob: string; test: GlobTest }[], rel: string, name: string, abs: string): boolean {
  return globs.some(({ glob, test }) => test(rel) || test(name) || (isAbsolutePosix(glob) && test(toPosix(abs))));
}

function isAbsolutePosix(glob: string): boolean {
  return glob.startsWith('/') || /^[A-Za-z]:\//.test(glob);
}

function isInside(path: string, folder: string): boolean {
  const rel = relative(folder, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

function statOrUndefined(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

function statOrError(path: string): Stats | { error: string } {
  try {
    return statSync(path);
  } catch (err) {
    return { error: ioMessage(err) };
  }
}

function ioMessage(err: unknown): string {
  const code = typeof err === 'object' && err !== null && 'code' in err ? (err as { code: unknown }).code : undefined;
  switch (code) {
    case 'ENOENT': return 'no such file or directory';
    case 'EACCES':
    case 'EPERM': return 'permission denied';
    case 'ENOTDIR': return 'not a directory';
    case 'ELOOP': return 'too many levels of symbolic links';
    default: return err instanceof Error ? err.message : String(err);
  }
}

function toPosix(path: string): string {
  return sep === '/' ? path : path.split(sep).join('/');
}

/** Code-unit order, the same on every machine (localeCompare is not). */
function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
