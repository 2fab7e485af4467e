// Reading workspace files from disk for imports that reach outside the analysed set.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { documentFromText, parseDocument, type ParsedModule } from '../core/parse/document';

const cache = new Map<string, ParsedModule | null>();

/** Resolves `.losses`, `pkg.losses`, `./model` to a file beside the importer or under the working directory. */
export function diskLoader(): (module: string, fromPath: string) => ParsedModule | undefined {
  return (module, fromPath) => {
    const candidates: string[] = [];
    const fromDir = dirname(resolve(fromPath));
    if (module.startsWith('./') || module.startsWith('../')) {
      for (const ext of ['', '.js', '.ts', '.mjs', '.tsx', '/index.js', '/index.ts']) candidates.push(join(fromDir, module + ext));
    } else {
      const dots = /^\.+/.exec(module)?.[0].length ?? 0;
      const rel = module.slice(dots).split('.').join('/');
      const bases = dots > 0 ? [Array.from({ length: dots - 1 }).reduce<string>((d) => dirname(d), fromDir)] : [fromDir, process.cwd()];
      for (const base of bases) for (const ext of ['.py', '/__init__.py']) candidates.push(join(base, rel + ext));
    }
    for (const file of candidates) {
      if (cache.has(file)) {
        const hit = cache.get(file);
        if (hit) return hit;
        continue;
      }
      if (!existsSync(file)) continue;
      try {
        const parsed = parseDocument(documentFromText(file, readFileSync(file, 'utf8')));
        cache.set(file, parsed);
        return parsed;
      } catch {
        cache.set(file, null);
      }
    }
    return undefined;
  };
}
