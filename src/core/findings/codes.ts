// Code selectors as `select`, `ignore`, `--select` and `--ignore` take them: a whole code (GP108) or a
// prefix of codes (GP1 = every activation probe, GP11 = GP110-GP112, GP = all). A selector that
// selects nothing is a typo, and a typo in a CI config must not silently select nothing.
import { ruleCatalog } from './rules';

export const knownCodes: readonly string[] = ruleCatalog.map((r) => r.code);

/** How a selector is written in settings: trimmed, upper case. */
export function normalizeSelector(selector: string): string {
  return selector.trim().toUpperCase();
}

/** The codes a (normalized) selector selects; empty for an unknown one. */
export function codesSelectedBy(selector: string): string[] {
  if (!/^GP\d{0,3}$/.test(selector)) return [];
  return knownCodes.filter((c) => c.startsWith(selector));
}

export function isKnownSelector(selector: string): boolean {
  return codesSelectedBy(selector).length > 0;
}

/** Does `code` fall under one of the selectors (exact code or prefix)? */
export function selects(selectors: readonly string[], code: string): boolean {
  return selectors.some((s) => code.startsWith(s));
}

/** The known codes, runs of consecutive numbers shortened: GP001-GP002, GP101-GP112, ... */
export function knownCodesText(): string {
  const runs: string[] = [];
  let start = 0;
  for (let i = 1; i <= knownCodes.length; i++) {
    const prev = Number(knownCodes[i - 1].slice(2));
    if (i < knownCodes.length && Number(knownCodes[i].slice(2)) === prev + 1) continue;
    runs.push(i - 1 === start ? knownCodes[start] : `${knownCodes[start]}-${knownCodes[i - 1]}`);
    start = i;
  }
  return runs.join(', ');
}

/** One sentence for an unknown selector: what is known and how prefixes work. */
export function unknownSelectorText(selector: string): string {
  return `unknown code ${JSON.stringify(selector)}: known codes are ${knownCodesText()}; a prefix selects every code it starts (GP1 = all activation probes, GP11 = GP110-GP112)`;
}
