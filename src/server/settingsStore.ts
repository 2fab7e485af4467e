// Settings per resource: the project's config file (found from the document's folder as the CLI
// finds it) with the editor's gradprobe.* values over it. Cached per URI; the cache is cleared when
// the editor's configuration or a config file changes, never read once at start.
import { dirname, relative, sep } from 'node:path';
import picomatch from 'picomatch';
import { emptyConfig, loadConfig, type ConfigReader } from '../core/workspace/config';
import { defaultSettings, mergeSettings, type GradProbeSettings, type SettingsPatch } from '../core/config/settings';
import type { Severity } from '../core/findings/types';
import { defaultEditorSettings, sanitizeEditorSettings, type EditorSettings, type ExplicitEditorSettings } from '../shared/settings';

export interface ResolvedSettings {
  editor: EditorSettings;
  core: GradProbeSettings;
  /** The workspace folder holding the document (absolute path), if any. */
  root?: string;
  /** Globs the walk and the open-document filter use (editor's, else the config file's). */
  include: string[];
  exclude: string[];
  /** The config file the project settings came from. */
  configFile?: string;
  problems: string[];
}

/** The editor's explicit values as a core settings patch; severity `off` becomes an ignore. */
export function editorPatch(explicit: ExplicitEditorSettings): SettingsPatch {
  const patch: SettingsPatch = {};
  if (explicit.range !== undefined) patch.range = explicit.range;
  if (explicit.dtype !== undefined) patch.dtype = explicit.dtype;
  if (explicit.backend !== undefined) patch.backend = explicit.backend;
  if (explicit.timeBudgetMs !== undefined) patch.timeBudgetMs = explicit.timeBudgetMs;
  if (explicit.thresholds) {
    const known = new Set(Object.keys(defaultSettings.thresholds));
    patch.thresholds = Object.fromEntries(Object.entries(explicit.thresholds).filter(([k]) => known.has(k)));
  }
  if (explicit.args) patch.args = explicit.args;
  if (explicit.severity) {
    const severity: Record<string, Severity> = {};
    const off: string[] = [];
    for (const [code, level] of Object.entries(explicit.severity)) {
      if (level === 'off') off.push(code); else severity[code] = level;
    }
    patch.severity = severity;
    if (off.length) patch.ignore = off;
  }
  return patch;
}

/** `read` reads the config files (default: from disk). */
export function resolveSettings(explicitRaw: unknown, filePath: string | undefined, root: string | undefined, read?: ConfigReader): ResolvedSettings {
  const problems: string[] = [];
  const explicit = sanitizeEditorSettings(explicitRaw, problems);
  const config = filePath ? loadConfig(dirname(filePath), read) : emptyConfig();
  problems.push(...config.errors, ...config.warnings);
  const fromEditor = editorPatch(explicit);
  const core = mergeSettings(defaultSettings, config.patch, fromEditor);
  // An `off` in the editor adds to the project's ignore list rather than replacing it.
  if (fromEditor.ignore) core.ignore = [...new Set([...(config.patch.ignore ?? []), ...fromEditor.ignore])];
  const editor: EditorSettings = { ...defaultEditorSettings, ...explicit };
  // Keep the editor view consistent with what the analysis uses.
  editor.range = core.range;
  editor.dtype = core.dtype;
  editor.backend = core.backend;
  editor.timeBudgetMs = core.timeBudgetMs;
  return {
    editor, core, root,
    include: explicit.include ?? config.cli.include ?? [],
    exclude: explicit.exclude ?? config.cli.exclude ?? [],
    configFile: config.source,
    problems,
  };
}

/** Does the include/exclude filter let this document be analysed? (Globs as the CLI's walk reads them.) */
export function isSelected(filePath: string | undefined, s: ResolvedSettings): boolean {
  if (!filePath) return true;
  const rel = s.root ? relative(s.root, filePath).split(sep).join('/') : filePath;
  const name = filePath.split(/[\\/]/).pop() ?? filePath;
  const segments = rel.split('/');
  const abs = filePath.split(sep).join('/');
  const match = (globs: string[]): boolean => globs.some((g) => {
    const test = picomatch(g.replace(/^\.\//, ''), { dot: true });
    // Like the walk: the glob may match the path, the name, or any folder on the way.
    return test(rel) || test(name) || test(abs) || segments.slice(0, -1).some((_, i) => test(segments.slice(0, i + 1).join('/')) || test(segments[i]));
  });
  if (s.exclude.length && match(s.exclude)) return false;
  if (s.include.length && !match(s.include)) return false;
  return true;
}

export class SettingsStore {
  private readonly cache = new Map<string, Promise<ResolvedSettings>>();

  constructor(
    private readonly fetchEditorSettings: (scopeUri: string) => Promise<unknown>,
    private readonly rootOf: (filePath: string | undefined) => string | undefined,
    private readonly log: (message: string) => void,
    /** Fetches the config files a file may take its settings from (a browser host); default: read from disk on demand. */
    private readonly configReader?: (filePath: string | undefined, root: string | undefined) => Promise<ConfigReader | undefined>,
  ) {}

  get(uri: string, filePath: string | undefined): Promise<ResolvedSettings> {
    let hit = this.cache.get(uri);
    if (!hit) {
      hit = (async () => {
        const root = this.rootOf(filePath);
        // The config files are fetched while the editor's settings are asked for: in a browser
        // both are round trips to the client, and one after the other delayed every first probe.
        const reading = this.configReader?.(filePath, root);
        reading?.catch(() => undefined); // awaited below, where its failure is logged
        let raw: unknown;
        try {
          raw = await this.fetchEditorSettings(uri);
        } catch (err) {
          this.log(`could not read the gradprobe settings for ${uri}: ${err instanceof Error ? err.message : String(err)}; using the defaults`);
        }
        let read: ConfigReader | undefined;
        try {
          read = await reading;
        } catch (err) {
          this.log(`could not read the config files for ${uri}: ${err instanceof Error ? err.message : String(err)}; using the defaults`);
          read = () => undefined;
        }
        const resolved = resolveSettings(raw, filePath, root, read);
        for (const p of resolved.problems) this.log(`settings: ${p}`);
        return resolved;
      })();
      this.cache.set(uri, hit);
    }
    return hit;
  }

  /** A document closed: its settings are read again if it is opened again. */
  forget(uri: string): void {
    this.cache.delete(uri);
  }

  clear(): void {
    this.cache.clear();
  }
}
