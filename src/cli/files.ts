// Reading workspace files from disk for imports that reach outside the analysed set (the language
// server keeps its own per-workspace cache in src/server/workspaceContext.ts).
import { existsSync, readFileSync } from 'node:fs';
import { documentFromText, parseDocument, type ParsedModule } from '../core/parse/document';
import { importCandidates } from '../core/parse/importPaths';

const cache = new Map<string, ParsedModule | null>();

/** Resolves `.losses`, `pkg.losses`, `./model` to a file beside the importer or under one of `roots`. */
export function diskLoader(roots: string[], onLoad?: (file: string) => void): (module: string, fromPath: string) => ParsedModule | undefined {
  return (module, fromPath) => {
    const candidates = importCandidates(module, fromPath, roots);
    for (const file of candidates) {
      if (cache.has(file)) {
        const hit = cache.get(file);
        if (hit) {
          onLoad?.(file);
          return hit;
        }
        continue;
      }
      if (!existsSync(file)) continue;
      try {
        const parsed = parseDocument(documentFromText(file, readFileSync(file, 'utf8')));
        cache.set(file, parsed);
        onLoad?.(file);
        return parsed;
      } catch {
        cache.set(file, null);
      }
    }
    return undefined;
  };
}
