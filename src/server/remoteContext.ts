// A workspace folder's other modules in a browser worker: listed (`workspace.findFiles`) and read
// through the client, since the worker has no file system. Fetched before a job (`prepare`), then
// answered synchronously as the analysis asks; file events drop the whole context (runner.forget).
import { documentFromText, parseDocument, type ParsedModule } from '../core/parse/document';
import { importCandidates } from '../core/parse/importPaths';
import type { WorkspaceModules } from './analysisJob';
import type { WorkspaceFiles } from './probeService';
import { contextLimits } from './workspaceLimits';

export class RemoteContext implements WorkspaceModules {
  private readonly texts = new Map<string, string | null>();
  private readonly parsed = new Map<string, ParsedModule | null>();
  private listing: { at: number; files: string[] } | undefined;
  /** The listing the last `prepare` gave the job: a background refresh does not change it under the job. */
  private current: string[] = [];
  private refreshing: Promise<void> | undefined;

  constructor(
    private readonly root: string, private readonly exclude: string[], private readonly files: WorkspaceFiles, private readonly log: (m: string) => void,
    private readonly clock: () => number = Date.now,
  ) {}

  /**
   * The first call waits for the listing and the files' texts. After that, a listing older than 5 s
   * (as the disk context's walk) is refreshed in the background and the job goes on with the one it
   * has: file events already drop the whole context, so the refresh only catches what the editor
   * did not report, and waiting for it made each file opened after a pause wait for a listing.
   */
  async prepare(): Promise<void> {
    if (!this.listing) {
      this.refreshing ??= this.refresh().finally(() => { this.refreshing = undefined; });
      await this.refreshing;
    } else if (this.clock() - this.listing.at > 5000 && !this.refreshing) {
      this.refreshing = this.refresh()
        .catch((err: unknown) => this.log(`workspace context: the listing could not be refreshed (${err instanceof Error ? err.message : String(err)})`))
        .finally(() => { this.refreshing = undefined; });
    }
    this.current = this.listing?.files ?? [];
  }

  private async refresh(): Promise<void> {
    const listed = await this.files.list(this.root, [], this.exclude);
    for (const e of listed.errors) this.log(`workspace context: ${e}`);
    const files = listed.files.slice(0, contextLimits.files);
    await Promise.all(files.filter((f) => !this.texts.has(f)).map(async (f) => {
      try {
        const text = await this.files.read(f);
        this.texts.set(f, text.length > contextLimits.bytes ? null : text);
      } catch {
        this.texts.set(f, null); // unreadable: no context from it
      }
    }));
    // The new listing takes effect once its files' texts are here.
    this.listing = { at: this.clock(), files };
  }

  paths(): readonly string[] {
    return this.current;
  }

  modules(skip: Set<string>): ParsedModule[] {
    return this.current.filter((f) => !skip.has(f)).flatMap((f) => this.module(f) ?? []);
  }

  text(path: string): string | undefined {
    return this.texts.get(path) ?? undefined;
  }

  modulesAt(paths: readonly string[]): ParsedModule[] {
    return paths.flatMap((p) => this.module(p) ?? []);
  }

  load(module: string, fromPath: string): ParsedModule | undefined {
    for (const file of importCandidates(module, fromPath, [this.root])) {
      const m = this.module(file);
      if (m) return m;
    }
    return undefined;
  }

  private module(path: string): ParsedModule | undefined {
    if (!this.parsed.has(path)) {
      const text = this.texts.get(path);
      let module: ParsedModule | null = null;
      if (typeof text === 'string') {
        try {
          module = parseDocument(documentFromText(path, text));
        } catch {
          module = null; // not source: no context from it
        }
      }
      this.parsed.set(path, module);
    }
    return this.parsed.get(path) ?? undefined;
  }
}
