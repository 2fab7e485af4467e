// Where an import's module may live on disk: `./model` beside the importer (JS/TS), `.losses` or
// `..pkg.losses` relative to it, or `pkg.losses` beside the importer or under a root (Python).
import { dirname, join, resolve } from 'node:path';

export function importCandidates(module: string, fromPath: string, roots: string[]): string[] {
  const candidates: string[] = [];
  const fromDir = dirname(resolve(fromPath));
  if (module.startsWith('./') || module.startsWith('../')) {
    for (const ext of ['', '.js', '.ts', '.mjs', '.tsx', '/index.js', '/index.ts']) candidates.push(join(fromDir, module + ext));
    return candidates;
  }
  const dots = /^\.+/.exec(module)?.[0].length ?? 0;
  const rel = module.slice(dots).split('.').join('/');
  let base = fromDir;
  for (let i = 1; i < dots; i++) base = dirname(base);
  const bases = dots > 0 ? [base] : [fromDir, ...roots];
  for (const b of bases) for (const ext of ['.py', '/__init__.py']) candidates.push(join(b, rel + ext));
  return candidates;
}
