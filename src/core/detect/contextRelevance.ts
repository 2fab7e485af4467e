// Which files of a workspace folder can change the analysis of the files being analysed, read from
// their text alone, before any of them is parsed: parsing a 1,000-line module the opened file never
// names costs more than the opened file's whole detection, and an editor opening one file should not
// pay for the folder. The answer is a superset of what detection and translation read across files:
//
// 1. a module a relevant file names (`import losses`, `from .losses import f`, `'./losses'`, a
//    package by its folder): imports, base classes, helpers and re-exports are followed through it;
// 2. a module that names a relevant file: its uses (`compile(loss=focal)`), call sites and
//    re-exports of the file's definitions count only where it imports them;
// 3. a module defining, by a name a relevant file mentions, a class or a function with a parameter
//    that takes an activation or a loss (uses.ts matches a call's last name against every
//    workspace definition's parameter and config-key roles, imported or not).
//
// Relevance is closed under all three (a module reached through another counts as the opened
// file's own), so the modules left out are those no chain of names connects to the inputs.
import { roleOfKey } from './parameterRoles';

export interface ContextText {
  path: string;
  text: string;
}

interface Reading {
  path: string;
  /** Identifiers in the text. */
  words: Set<string>;
  /** What an import names this module by: its file stem, and a package's folder for `__init__`/`index`; whether each is an identifier (read as a word) or not (read in the text). */
  names: { name: string; identifier: boolean }[];
  /** Names of classes and of functions with an activation or loss parameter it defines. */
  roleDefinitions: string[];
  text: string;
}

const readings = new Map<string, Reading>();
const identifier = /[A-Za-z_$][\w$]*/g;
const isIdentifier = /^[A-Za-z_$][\w$]*$/;

/** A notebook's code as its JSON holds it: escaped newlines and tabs read as whitespace. */
const plain = (path: string, text: string): string => (/\.ipynb$/i.test(path) ? text.replace(/\\[nrt]/g, ' ') : text);

function moduleNames(path: string): string[] {
  const parts = path.replace(/\\/g, '/').split('/');
  const stem = (parts[parts.length - 1] ?? '').replace(/\.[^.]+$/, '');
  const names = [stem];
  if ((stem === '__init__' || stem === 'index') && parts.length > 1) names.push(parts[parts.length - 2]);
  return names.filter(Boolean);
}

/** The parameter list after an opening parenthesis at `open`, up to its matching close. */
function parameterText(text: string, open: number): string {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    const c = text[i];
    if (c === '(') depth++;
    else if (c === ')' && --depth === 0) return text.slice(open + 1, i);
  }
  return text.slice(open + 1);
}

const takesRole = (params: string): boolean => (params.match(identifier) ?? []).some((p) => { const r = roleOfKey(p); return r === 'activation' || r === 'loss'; });

function roleDefinitions(path: string, text: string, words: Set<string>): string[] {
  const out = new Set<string>();
  for (const m of text.matchAll(/class\s+([A-Za-z_$][\w$]*)/g)) out.add(m[1]);
  if (/\.(py|pyi|ipynb)$/i.test(path)) {
    // Every `def`, not only top-level ones: a superset of the definitions whose roles are read.
    for (const m of text.matchAll(/def\s+([A-Za-z_]\w*)\s*\(/g)) if (takesRole(parameterText(text, m.index + m[0].length - 1))) out.add(m[1]);
  } else if ([...words].some((w) => { const r = roleOfKey(w); return r === 'activation' || r === 'loss'; })) {
    // JavaScript defines functions in too many spellings to read their parameters from the text:
    // any declared name counts when an activation or loss name appears anywhere in the file.
    for (const m of text.matchAll(/(?:function\*?|const|let|var)\s+([A-Za-z_$][\w$]*)/g)) out.add(m[1]);
  }
  return [...out];
}

function read(file: ContextText): Reading {
  const hit = readings.get(file.path);
  if (hit && hit.text === file.text) return hit;
  const text = plain(file.path, file.text);
  const words = new Set(text.match(identifier) ?? []);
  const r: Reading = { path: file.path, words, names: moduleNames(file.path).map((name) => ({ name, identifier: isIdentifier.test(name) })), roleDefinitions: roleDefinitions(file.path, text, words), text: file.text };
  // One reading per path: the folder's files are read again at each job, mostly unchanged.
  readings.set(file.path, r);
  return r;
}

/**
 * The paths among `candidates` whose modules can change the analysis of `inputs` (see the top of
 * this file), in the candidates' order. Found in rounds: the files found relevant in one round are
 * the next round's frontier, and a candidate is linked to the frontier when it names one of its
 * files, is named by one, or defines a name one mentions — checked against the frontier's words and
 * names together, so a round reads each candidate once however many files the frontier holds.
 */
export function relevantContext(inputs: readonly ContextText[], candidates: readonly ContextText[]): string[] {
  const inputPaths = new Set(inputs.map((f) => f.path));
  let pending = candidates.filter((c) => !inputPaths.has(c.path)).map(read);
  const relevant = new Set<string>();
  let frontier = inputs.map(read);
  while (frontier.length && pending.length) {
    const words = new Set<string>();
    const wordNames: string[] = [];
    const textNames: string[] = [];
    for (const r of frontier) {
      for (const w of r.words) words.add(w);
      for (const n of r.names) (n.identifier ? wordNames : textNames).push(n.name);
    }
    // A stem that is no identifier (`my-losses`) is looked for in the text, as is one the frontier names.
    const named = (n: Reading['names'][number]): boolean => (n.identifier ? words.has(n.name) : frontier.some((r) => r.text.includes(n.name)));
    const next: Reading[] = [];
    const rest: Reading[] = [];
    for (const c of pending) {
      const linked = c.names.some(named) || wordNames.some((n) => c.words.has(n)) || textNames.some((n) => c.text.includes(n)) || c.roleDefinitions.some((n) => words.has(n));
      (linked ? next : rest).push(c);
    }
    for (const c of next) relevant.add(c.path);
    pending = rest;
    frontier = next;
  }
  return candidates.filter((c) => relevant.has(c.path)).map((c) => c.path);
}

/** Forgets the readings kept between calls (tests; a folder closed). */
export function forgetContextReadings(): void {
  readings.clear();
}
