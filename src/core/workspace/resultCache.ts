// Results kept between runs, as Ruff keeps its own: `.gradprobe_cache/` at the project root (the
// folder of the run's config file, else the working directory), one JSON file per checked file,
// named by a key over everything its report depends on: the tool's version, the file's settings,
// its path and text, and the texts of the workspace modules it depends on — those it imports and those
// importing it, transitively (`dependencyGraph` in src/core/parse/moduleDeps.ts): a function's report
// reads its imported helpers and its uses in importers, and nothing else of the workspace, so an edit
// elsewhere leaves its entry valid.
// Files read from disk through imports outside that set are listed in the entry with their hashes
// and checked when it is read. An entry that does not parse, belongs to another tool or format, or
// does not look like a report is a miss, never an error. Writes go to a temporary file renamed into
// place, so a reader never sees half an entry and concurrent runs do not corrupt each other.
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FileReport, FunctionReport } from '../findings/types';
import { buildId } from './buildId';

export const cacheDirName = '.gradprobe_cache';

/** Bumped when the entry layout changes: older entries are then simply not found. */
const entryFormat = 2;

const cacheDirTag = 'Signature: 8a477f597d28d172789f06886806bc55\n# This file is a cache directory tag created by gradprobe.\n# For information about cache directory tags see https://bford.info/cachedir/\n';

export function hashText(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** JSON with object keys sorted, so equal settings give equal keys whatever order they were built in. */
export function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${stableJson((value as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

export interface ExternalFile { path: string; hash: string }

interface Entry {
  tool: 'gradprobe';
  format: number;
  version: string;
  key: string;
  external: ExternalFile[];
  report: FileReport;
}

const severities = new Set(['error', 'warning', 'info']);

function isSpan(v: unknown): boolean {
  const s = v as Record<string, unknown> | null;
  return !!s && typeof s === 'object' && ['startLine', 'startCol', 'endLine', 'endCol'].every((k) => typeof s[k] === 'number');
}

function isFinding(v: unknown): boolean {
  const f = v as Record<string, unknown> | null;
  return !!f && typeof f === 'object' && typeof f.code === 'string' && severities.has(f.severity as string) && typeof f.message === 'string'
    && isSpan(f.span) && !!f.evidence && typeof f.evidence === 'object';
}

/** Enough of a FileReport's shape that printing it cannot fail. */
function isFileReport(v: unknown, path: string | undefined): v is FileReport {
  const r = v as Record<string, unknown> | null;
  if (!r || typeof r !== 'object' || typeof r.path !== 'string' || (path !== undefined && r.path !== path) || !Array.isArray(r.functions) || !Array.isArray(r.findings)) return false;
  if (!r.findings.every(isFinding)) return false;
  return r.functions.every((fn: unknown) => {
    const f = fn as Record<string, unknown> | null;
    const probe = f?.probe as Record<string, unknown> | undefined;
    return !!f && typeof f.name === 'string' && (f.kind === 'activation' || f.kind === 'loss') && typeof f.framework === 'string'
      && isSpan(f.span) && isSpan(f.nameSpan) && Array.isArray(f.detectedBy) && typeof f.summary === 'string'
      && !!probe && typeof probe.status === 'string' && typeof probe.ms === 'number' && Array.isArray(f.findings) && f.findings.every(isFinding);
  });
}

export class ResultCache {
  hits = 0;
  misses = 0;
  writes = 0;
  private prepared = false;

  private readonly version: string;

  /** `version` is the package's; the build's source hash is added to it (buildId.ts). */
  constructor(readonly dir: string, version: string) {
    this.version = `${version}+${buildId}`;
  }

  /** The entry key of one file: everything its report depends on. */
  key(parts: { path: string; hash: string; deps: readonly ExternalFile[]; settings: unknown }): string {
    return createHash('sha256').update(stableJson({ tool: 'gradprobe', format: entryFormat, version: this.version, ...parts })).digest('hex');
  }

  private entryPath(key: string): string {
    return join(this.dir, `v${entryFormat}`, key.slice(0, 2), `${key}.json`);
  }

  /**
   * The entry's functions' panel and hover arrays (`FunctionReport.data`, in the functions' order),
   * kept beside it: nine tenths of an entry's bytes, which only the language server reads, so a
   * `check` that prints from the cache neither reads nor parses them.
   */
  private dataPath(key: string): string {
    return join(this.dir, `v${entryFormat}`, key.slice(0, 2), `${key}.data.json`);
  }

  /**
   * The cached report for `key`, or undefined (absent, unreadable, foreign, corrupt, or stale external
   * files). `path`: the path the report must carry (the language server, whose paths are absolute,
   * reads entries the CLI wrote with relative ones and passes none). `withData`: false leaves out
   * the functions' panel and hover arrays (what `check` prints has none).
   */
  get(key: string, path?: string, withData = true): FileReport | undefined {
    let entry: Partial<Entry>;
    try {
      entry = JSON.parse(readFileSync(this.entryPath(key), 'utf8')) as Partial<Entry>;
    } catch {
      this.misses++;
      return undefined;
    }
    const ok = !!entry && typeof entry === 'object' && entry.tool === 'gradprobe' && entry.format === entryFormat && entry.version === this.version
      && entry.key === key && Array.isArray(entry.external) && isFileReport(entry.report, path)
      && entry.external.every((e) => !!e && typeof e.path === 'string' && typeof e.hash === 'string' && externalHash(e.path) === e.hash);
    if (!ok) {
      this.misses++;
      return undefined;
    }
    const report = entry.report as FileReport;
    if (withData) {
      let data: unknown;
      try {
        data = JSON.parse(readFileSync(this.dataPath(key), 'utf8'));
      } catch {
        this.misses++;
        return undefined;
      }
      if (!Array.isArray(data) || data.length !== report.functions.length) {
        this.misses++;
        return undefined;
      }
      report.functions.forEach((f, i) => { if (data[i] !== null && typeof data[i] === 'object') f.data = data[i] as FunctionReport['data']; });
    }
    this.hits++;
    return report;
  }

  /** Stores a report; a failure to write (read-only folder, full disk) only costs the next run its hit. */
  set(key: string, report: FileReport, external: ExternalFile[]): boolean {
    const target = this.entryPath(key);
    const suffix = `${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    const tmp = `${target}.${suffix}`;
    const dataTarget = this.dataPath(key);
    const dataTmp = `${dataTarget}.${suffix}`;
    try {
      this.prepare();
      mkdirSync(join(target, '..'), { recursive: true });
      // The arrays first: an entry is never read without the arrays it was written with.
      writeFileSync(dataTmp, JSON.stringify(report.functions.map((f) => f.data ?? null)));
      renameSync(dataTmp, dataTarget);
      const lean: FileReport = { ...report, functions: report.functions.map(({ data: _data, ...f }) => f) };
      const entry: Entry = { tool: 'gradprobe', format: entryFormat, version: this.version, key, external, report: lean };
      writeFileSync(tmp, JSON.stringify(entry));
      renameSync(tmp, target);
      this.writes++;
      return true;
    } catch {
      rmSync(tmp, { force: true });
      rmSync(dataTmp, { force: true });
      return false;
    }
  }

  /** The cache folder with what Ruff puts in its own: a .gitignore ignoring everything, and CACHEDIR.TAG. */
  private prepare(): void {
    if (this.prepared) return;
    mkdirSync(this.dir, { recursive: true });
    const write = (name: string, text: string): void => {
      const file = join(this.dir, name);
      if (existsSync(file)) return;
      const tmp = `${file}.${process.pid}.tmp`;
      writeFileSync(tmp, text);
      renameSync(tmp, file);
    };
    write('.gitignore', '# Automatically created by gradprobe.\n*\n');
    write('CACHEDIR.TAG', cacheDirTag);
    this.prepared = true;
  }
}

/** The hash of a file read through an import, for an entry's `external` list (undefined: unreadable). */
export function externalHash(path: string): string | undefined {
  try {
    return hashText(readFileSync(path, 'utf8'));
  } catch {
    return undefined;
  }
}
