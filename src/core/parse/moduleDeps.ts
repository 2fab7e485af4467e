// What a file's report depends on besides its own text, for the result cache's key: the workspace
// modules it imports (followed transitively: a helper's helper is translated too) and the modules that
// import it (transitively: a use in an importer — `compile(loss=f)`, a re-export used further on —
// decides kinds and call-site arguments). Read from the text, without parsing, so a cache lookup
// costs no grammar: an import the scan misses the analysis would not follow either (the evaluator
// follows written imports only).
import { importCandidates } from './importPaths';

const pyFrom = /^[ \t]*from[ \t]+([.\w]+)[ \t]+import[ \t]+(\([^)]*\)|[^\n#;]+)/gm;
const pyImport = /^[ \t]*import[ \t]+([^\n#;]+)/gm;
const jsFrom = /\b(?:from|import)\s*['"]([^'"\n]+)['"]|\brequire\s*\(\s*['"]([^'"\n]+)['"]\s*\)/g;

/** The module names a file imports, as `importCandidates` takes them (`.losses`, `pkg.mod`, `./model`). */
export function importSpecifiers(path: string, text: string): string[] {
  const out = new Set<string>();
  if (/\.(py|pyi|ipynb)$/i.test(path)) {
    // A notebook's cells are JSON strings: their escaped newlines are lines here too.
    const source = /\.ipynb$/i.test(path) ? text.replace(/\\n/g, '\n').replace(/^\s*"/gm, '') : text;
    for (const m of source.matchAll(pyFrom)) {
      const base = m[1];
      out.add(base);
      // `from pkg import mod` and `from . import losses` may name submodules.
      for (const name of m[2].replace(/[()\\]/g, ' ').split(',')) {
        const id = name.trim().split(/\s+/)[0];
        if (/^\w+$/.test(id)) out.add(base.endsWith('.') ? `${base}${id}` : `${base}.${id}`);
      }
    }
    for (const m of source.matchAll(pyImport)) {
      for (const part of m[1].split(',')) {
        const id = part.trim().split(/\s+/)[0];
        if (/^[\w.]+$/.test(id)) out.add(id);
      }
    }
  } else {
    for (const m of text.matchAll(jsFrom)) out.add(m[1] ?? m[2]);
  }
  return [...out];
}

/**
 * For each file of `universe` (absolute path → text), the files its report depends on, sorted, the
 * file itself excluded: its imports and its importers, each followed transitively. The import graph is
 * built once; each question walks it.
 */
export function dependencyGraph(universe: ReadonlyMap<string, string>, roots: string[]): (target: string) => string[] {
  const imports = new Map<string, string[]>();
  const importers = new Map<string, string[]>();
  for (const [path, text] of universe) {
    const resolved = new Set<string>();
    for (const spec of importSpecifiers(path, text)) {
      const hit = importCandidates(spec, path, roots).find((c) => universe.has(c));
      if (hit && hit !== path) resolved.add(hit);
    }
    imports.set(path, [...resolved]);
    for (const to of resolved) importers.set(to, [...(importers.get(to) ?? []), path]);
  }
  return (target) => {
    const seen = new Set<string>();
    for (const edges of [imports, importers]) {
      const stack = [target];
      const visited = new Set<string>([target]);
      while (stack.length) {
        for (const next of edges.get(stack.pop()!) ?? []) {
          if (visited.has(next)) continue;
          visited.add(next);
          seen.add(next);
          stack.push(next);
        }
      }
    }
    seen.delete(target);
    return [...seen].sort();
  };
}
