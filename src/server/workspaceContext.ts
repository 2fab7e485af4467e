// The rest of a workspace folder as the analysis sees it: other modules whose uses count for
// detection (`model.compile(loss=focal_loss)` in another file) and which imports resolve to. Read
// from disk, walked with the CLI's skips, parsed once and kept while the file's mtime is unchanged.
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { documentFromText, parseDocument, type ParsedModule } from '../core/parse/document';
import { importCandidates } from '../core/parse/importPaths';
import { walkPaths } from '../core/workspace/walk';
import { contextLimits } from './workspaceLimits';

/** A file's derived value (null: it could not be read or parsed), for the mtime and size it was made from. */
interface Entry<T> { mtimeMs: number; size: number; value: T | null }


export class WorkspaceContext {
  private readonly parsed = new Map<string, Entry<ParsedModule>>();
  private readonly texts = new Map<string, Entry<string>>();
  private listing: { at: number; files: string[] } | undefined;

  constructor(readonly root: string, private readonly exclude: string[]) {}

  /** Parsed modules of the folder, except `skip` (the documents being analysed, which bring their own text). */
  modules(skip: Set<string>): ParsedModule[] {
    const out: ParsedModule[] = [];
    for (const abs of this.files()) {
      if (skip.has(abs)) continue;
      const m = this.module(abs);
      if (m) out.push(m);
    }
    return out;
  }

  /** The files `modules` reads. */
  paths(): readonly string[] {
    return this.files();
  }

  /** A file's text, unparsed (kept while its mtime is unchanged): what decides whether it is parsed at all. */
  text(abs: string): string | undefined {
    return this.cached(this.texts, abs, () => {
      try {
        return readFileSync(abs, 'utf8');
      } catch {
        return null;
      }
    });
  }

  /** The parsed modules at these paths (those that parse). */
  modulesAt(paths: readonly string[]): ParsedModule[] {
    return paths.flatMap((p) => this.module(p) ?? []);
  }

  /** Resolves an import the way the CLI does: beside the importer, or from the folder root. */
  load(module: string, fromPath: string): ParsedModule | undefined {
    const candidates = importCandidates(module, fromPath, [this.root]);
    for (const file of candidates) {
      const m = this.module(file);
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

  private module(abs: string): ParsedModule | undefined {
    return this.cached(this.parsed, abs, () => {
      try {
        const text = this.text(abs);
        return text === undefined ? null : parseDocument(documentFromText(abs, text));
      } catch {
        return null; // unreadable, binary or not source: no context from it
      }
    });
  }

  /**
   * `make(abs)` kept in `cache` while the file's mtime and size are unchanged; a file that is gone
   * (deleted or renamed) drops its entry, one past the context's size limit is not read.
   */
  private cached<T>(cache: Map<string, Entry<T>>, abs: string, make: () => T | null): T | undefined {
    let st;
    try {
      st = statSync(abs);
    } catch {
      cache.delete(abs);
      return undefined;
    }
    if (!st.isFile() || st.size > contextLimits.bytes) return undefined;
    const hit = cache.get(abs);
    if (hit && hit.mtimeMs === st.mtimeMs && hit.size === st.size) return hit.value ?? undefined;
    const value = make();
    cache.set(abs, { mtimeMs: st.mtimeMs, size: st.size, value });
    return value ?? undefined;
  }
}
