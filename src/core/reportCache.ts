// The function report cache of analyze.ts: a report by what it depends on (its cache key), least
// recently used out first past a bound. Typing makes a new version of a function (a new key) every
// time it is probed, and each report carries its sweep (~70 kB live), so over an editing session a
// cache bounded by count alone fills with versions nobody will ask for again (the soak run measured
// its growth as most of the server's). So only the newest versions of each function (by path and
// name) are kept, and a function no longer in its file goes: the cache holds what the code has, not
// what the edits made.
import type { FunctionReport } from './findings/types';

interface Owner { path: string; name: string }

export class ReportCache {
  private readonly reports = new Map<string, FunctionReport>();
  /** path → function name → keys of its cached versions, oldest first. */
  private readonly versions = new Map<string, Map<string, string[]>>();
  /** path → function name → how many functions of that name the file has (a redefinition, a notebook's cells). */
  private readonly sameNamed = new Map<string, Map<string, number>>();
  private readonly owners = new Map<string, Owner>();

  /** `limit` reports in all; `versionsKept` versions of each function (more than one: an undo finds the one before). */
  constructor(readonly limit: number, readonly versionsKept: number) {}

  get size(): number {
    return this.reports.size;
  }

  /** The report, which becomes the most recently used. */
  get(key: string): FunctionReport | undefined {
    const hit = this.reports.get(key);
    if (!hit) return undefined;
    this.reports.delete(key);
    this.reports.set(key, hit);
    const keys = this.keysOf(this.owners.get(key));
    if (keys) {
      keys.splice(keys.indexOf(key), 1);
      keys.push(key);
    }
    return hit;
  }

  set(key: string, owner: Owner, report: FunctionReport): void {
    this.remove(key);
    this.reports.set(key, report);
    this.owners.set(key, owner);
    let byName = this.versions.get(owner.path);
    if (!byName) this.versions.set(owner.path, (byName = new Map()));
    const keys = byName.get(owner.name) ?? [];
    byName.set(owner.name, keys);
    keys.push(key);
    const kept = this.versionsKept * (this.sameNamed.get(owner.path)?.get(owner.name) ?? 1);
    while (keys.length > kept) this.remove(keys[0]);
    while (this.reports.size > this.limit) this.remove(this.reports.keys().next().value as string);
  }

  /** `path` now has these functions (name → how many of that name): the cached versions of any other there go. */
  fileHas(path: string, names: Map<string, number>): void {
    const byName = this.versions.get(path);
    for (const [name, keys] of byName ?? []) if (!names.has(name)) for (const key of [...keys]) this.remove(key);
    // Only names defined more than once need a count (rare); it goes with the path's last version.
    const repeated = new Map([...names].filter(([, n]) => n > 1));
    if (repeated.size) this.sameNamed.set(path, repeated);
    else this.sameNamed.delete(path);
  }

  private keysOf(owner: Owner | undefined): string[] | undefined {
    return owner && this.versions.get(owner.path)?.get(owner.name);
  }

  private remove(key: string): void {
    if (!this.reports.delete(key)) return;
    const owner = this.owners.get(key);
    this.owners.delete(key);
    const keys = this.keysOf(owner);
    if (!owner || !keys) return;
    keys.splice(keys.indexOf(key), 1);
    const byName = this.versions.get(owner.path)!;
    if (!keys.length) byName.delete(owner.name);
    if (!byName.size) {
      this.versions.delete(owner.path);
      this.sameNamed.delete(owner.path);
    }
  }
}
