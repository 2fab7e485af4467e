// Static view of a module's imports: which local names are framework modules and which come from
// other workspace files. Used by detection and the source rules, which never evaluate anything.
import { canonicalModule, canonicalPath } from '../ir/frameworks';
import type { Expr, ModuleIR, Stmt } from '../ir/ir';
import { dottedName } from '../ir/ir';
import type { ParsedModule } from '../parse/document';

export interface ImportMap {
  /** local alias → canonical framework path (`F` → `torch.nn.functional`). */
  framework: Map<string, string>;
  /** local alias → the workspace module and name it was imported from. */
  workspace: Map<string, { module: string; name: string | undefined }>;
}

export function importsOf(ir: ModuleIR): ImportMap {
  const framework = new Map<string, string>();
  const workspace = new Map<string, { module: string; name: string | undefined }>();
  const visit = (body: Stmt[]): void => {
    for (const s of body) {
      if (s.kind === 'if' || s.kind === 'try') { visit(s.kind === 'if' ? [...s.body, ...s.orelse] : [...s.body, ...s.handlers.flat()]); continue; }
      if (s.kind !== 'import') continue;
      const canon = canonicalModule(s.module);
      if (s.alias && s.names.length === 0) {
        const bound = s.alias === s.module.split('.')[0] ? s.alias : s.module;
        const c = canonicalModule(bound);
        if (c) framework.set(s.alias, c);
        else workspace.set(s.alias, { module: bound, name: undefined });
        continue;
      }
      if (s.alias) {
        if (canon) framework.set(s.alias, canon);
        else workspace.set(s.alias, { module: s.module, name: undefined });
      }
      for (const { name, alias } of s.names) {
        if (canon) framework.set(alias, canonicalPath(canonicalModule(`${s.module}.${name}`) ?? `${canon}.${name}`));
        else workspace.set(alias, { module: s.module, name });
      }
    }
  };
  visit(ir.body);
  return { framework, workspace };
}

/** The canonical framework path an expression names (`nn.Module` → `torch.nn.Module`), if any. */
export function frameworkPath(expr: Expr, imports: ImportMap): string | undefined {
  const dotted = dottedName(expr);
  if (!dotted) return undefined;
  const [head, ...rest] = dotted.split('.');
  const base = imports.framework.get(head);
  if (!base) return undefined;
  return canonicalPath([base, ...rest].join('.'));
}

/** Does an import's module string (`.losses`, `pkg.losses`, `./model`) name this file? */
export function moduleMatches(module: string, path: string): boolean {
  const file = path.replace(/\\/g, '/').replace(/\.(py|ipynb|js|ts|mjs|cjs|tsx|jsx|mts|cts)$/, '');
  const parts = module.replace(/^(\.\/|\.\.\/)+/, '').replace(/^\.+/, '').split(/[./]/).filter(Boolean);
  if (parts.length === 0) return false;
  const tail = parts.join('/');
  return file === tail || file === `${tail}/__init__` || file.endsWith(`/${tail}`) || file.endsWith(`/${tail}/__init__`);
}

/**
 * The workspace as detection sees it: each module's imports read once, and modules found by the
 * import strings that name them (indexed by file stem, so a lookup does not scan the workspace).
 */
export class Workspace {
  private readonly importMaps = new Map<ParsedModule, ImportMap>();
  private readonly byStem = new Map<string, ParsedModule[]>();

  constructor(readonly modules: ParsedModule[]) {
    for (const m of modules) {
      const parts = m.doc.path.replace(/\\/g, '/').replace(/\.[^./]+$/, '').split('/');
      const stem = parts[parts.length - 1] === '__init__' ? parts[parts.length - 2] ?? '' : parts[parts.length - 1];
      const list = this.byStem.get(stem);
      if (list) list.push(m);
      else this.byStem.set(stem, [m]);
    }
  }

  importsOf(m: ParsedModule): ImportMap {
    let i = this.importMaps.get(m);
    if (!i) { i = importsOf(m.ir); this.importMaps.set(m, i); }
    return i;
  }

  /** The modules an import string (`.losses`, `pkg.losses`, `./model`) can name. */
  modulesNamed(module: string): ParsedModule[] {
    const parts = module.replace(/^(\.\/|\.\.\/)+/, '').replace(/^\.+/, '').split(/[./]/).filter(Boolean);
    const stem = parts[parts.length - 1];
    if (!stem) return [];
    return (this.byStem.get(stem) ?? []).filter((m) => moduleMatches(module, m.doc.path));
  }
}
