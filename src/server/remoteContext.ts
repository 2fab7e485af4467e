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

  constructor(private readonly root: string, private readonly exclude: string[], private readonly files: WorkspaceFiles, private readonly log: (m: string) => void) {}

  async prepare(): Promise<void> {
    // The listing is refreshed at most every 5 s, as the disk context's walk.
    if (this.listing && Date.now() - this.listing.at <= 5000) return;
    const listed = await this.files.list(this.root, [], this.exclude);
    for (const e of listed.errors) this.log(`workspace context: ${e}`);
    const files = listed.files.slice(0, contextLimits.files);
    this.listing = { at: Date.now(), files };
    await Promise.all(files.filter((f) => !this.texts.has(f)).map(async (f) => {
      try {
        const text = await this.files.read(f);
        this.texts.set(f, text.length > contextLimits.bytes ? null : text);
      } catch {
        this.texts.set(f, null); // unreadable: no context from it
      }
    }));
  }

  paths(): readonly string[] {
    return this.listing?.files ?? [];
  }

  modules(skip: Set<string>): ParsedModule[] {
    return (this.listing?.files ?? []).filter((f) => !skip.has(f)).flatMap((f) => this.module(f) ?? []);
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
