// The rest of a workspace folder as the analysis sees it: other modules whose uses count for
// detection (`model.compile(loss=focal_loss)` in another file) and which imports resolve to. Read
// from disk, walked with the CLI's skips, parsed once and kept while the file's mtime is unchanged.
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { documentFromText, parseDocument, type ParsedModule } from '../core/parse/document';
import { importCandidates } from '../core/parse/importPaths';
import { walkPaths } from '../core/workspace/walk';
import type { WorkspaceModules } from './analysisJob';
import { contextLimits } from './workspaceLimits';

/**
 * A file's derived value (null: it could not be read or parsed), for the mtime and size it was made
 * from; `scan`: the workspace scan during which it was last checked against the disk.
 */
interface Entry<T> { mtimeMs: number; size: number; value: T | null; scan?: number }


export class WorkspaceContext implements WorkspaceModules {
  private readonly parsed = new Map<string, Entry<ParsedModule>>();
  private readonly texts = new Map<string, Entry<string>>();
  private listing: { at: number; files: string[] } | undefined;

  constructor(readonly root: string, private readonly exclude: string[]) {}

  /**
   * The context as one job reads it. The jobs of one workspace scan read the folder as one snapshot:
   * a file checked against the disk (a stat) by an earlier job of the scan is taken as it was then,
   * so a scan stats each context file once instead of once per job (a job reads up to 300 of them).
   * Any other job (`scan` undefined) checks every file it reads.
   */
  forJob(scan: number | undefined): WorkspaceModules {
    if (scan === undefined) return this;
    return {
      modules: (skip) => this.modules(skip, scan),
      modulesAt: (paths) => this.modulesAt(paths, scan),
      text: (abs) => this.text(abs, scan),
      load: (module, fromPath) => this.load(module, fromPath, scan),
      paths: () => this.paths(),
    };
  }

  /** Parsed modules of the folder, except `skip` (the documents being analysed, which bring their own text). */
  modules(skip: Set<string>, scan?: number): ParsedModule[] {
    const out: ParsedModule[] = [];
    for (const abs of this.files()) {
      if (skip.has(abs)) continue;
      const m = this.module(abs, scan);
      if (m) out.push(m);
    }
    return out;
  }

  /** The files `modules` reads. */
  paths(): readonly string[] {
    return this.files();
  }

  /** A file's text, unparsed (kept while its mtime is unchanged): what decides whether it is parsed at all. */
  text(abs: string, scan?: number): string | undefined {
    return this.cached(this.texts, abs, scan, () => {
      try {
        return readFileSync(abs, 'utf8');
      } catch {
        return null;
      }
    });
  }

  /** The parsed modules at these paths (those that parse). */
  modulesAt(paths: readonly string[], scan?: number): ParsedModule[] {
    return paths.flatMap((p) => this.module(p, scan) ?? []);
  }

  /** Resolves an import the way the CLI does: beside the importer, or from the folder root. */
  load(module: string, fromPath: string, scan?: number): ParsedModule | undefined {
    const candidates = importCandidates(module, fromPath, [this.root]);
    for (const file of candidates) {
      const m = this.module(file, scan);
      if (m) return m;
    }
    return undefined;
  }

  private files(): string[] {
    // The listing is refreshed at most every 5 s: a walk of a big folder is not free.
    if (!this.listing || Date.now() - this.listing.at > 5000) {
      const walk = walkPaths(['.'], { cwd: this.root, include: [], exclude: this.exclude });
      this.listing = { at: Date.now(), files: walk.files.slice(0, contextLimits.files).map((f) => join(this.root, f)) };
    }
    return this.listing.files;
  }

  private module(abs: string, scan: number | undefined): ParsedModule | undefined {
    return this.cached(this.parsed, abs, scan, () => {
      try {
        const text = this.text(abs, scan);
        return text === undefined ? null : parseDocument(documentFromText(abs, text));
      } catch {
        return null; // unreadable, binary or not source: no context from it
      }
    });
  }

  /**
   * `make(abs)` kept in `cache` while the file's mtime and size are unchanged; a file that is gone
   * (deleted or renamed) drops its entry, one past the context's size limit is not read. Within
   * workspace scan `scan`, an entry already checked during that scan is taken without a stat.
   */
  private cached<T>(cache: Map<string, Entry<T>>, abs: string, scan: number | undefined, make: () => T | null): T | undefined {
    const known = cache.get(abs);
    if (known && scan !== undefined && known.scan === scan) return known.value ?? undefined;
    let st;
    try {
      st = statSync(abs);
    } catch {
      cache.delete(abs);
      return undefined;
    }
    if (!st.isFile() || st.size > contextLimits.bytes) return undefined;
    if (known && known.mtimeMs === st.mtimeMs && known.size === st.size) {
      known.scan = scan;
      return known.value ?? undefined;
    }
    const value = make();
    cache.set(abs, { mtimeMs: st.mtimeMs, size: st.size, value, scan });
    return value ?? undefined;
  }
}
