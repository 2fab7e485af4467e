// The language server starts warm from `.gradprobe_cache/` (Node host only): a document opened
// unchanged since `gradprobe check` (or an earlier session's check) wrote its entry shows that
// entry's findings without a probe. The key is the CLI's (`check.ts`): the file's absolute path and
// text, the texts of the workspace modules it imports or is imported by, its settings with the
// backend, and the version — so an entry is used only where a probe now would give the same report.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FileReport } from '../core/findings/types';
import { dependencyGraph } from '../core/parse/moduleDeps';
import { cacheDirName, hashText, ResultCache } from '../core/workspace/resultCache';
import { walkPaths } from '../core/workspace/walk';

import type { CachedReportQuery } from './probeService';

/** Reads the result cache of each workspace folder; never writes. */
export function cachedReportLookup(version: string): (query: CachedReportQuery) => FileReport | undefined {
  return ({ filePath, text, root, exclude, settings }) => {
    if (!root) return undefined;
    const dir = join(root, cacheDirName);
    if (!existsSync(dir)) return undefined;
    // The workspace's texts, for the modules the file depends on (the open text for the file itself).
    const universe = new Map<string, string>();
    for (const f of walkPaths(['.'], { cwd: root, include: [], exclude }).files) {
      const abs = join(root, f);
      try {
        universe.set(abs, readFileSync(abs, 'utf8'));
      } catch {
        // unreadable: not a module anything resolves to
      }
    }
    universe.set(filePath, text);
    const deps = dependencyGraph(universe, [root])(filePath).map((d) => ({ path: d, hash: hashText(universe.get(d)!) }));
    const cache = new ResultCache(dir, version);
    return cache.get(cache.key({ path: filePath, hash: hashText(text), deps, settings: { ...settings } }));
  };
}
