// Small text utilities the quick fixes need: offsets, bracket matching that skips strings and
// comments, top-level argument splitting, and which alias each framework module is imported as.
// Pure functions over a document's text; no LSP or vscode types.

export interface Pos { line: number; character: number }
export interface TextRange { start: Pos; end: Pos }

export function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) starts.push(i + 1);
  return starts;
}

export function offsetAt(text: string, starts: number[], pos: Pos): number {
  if (pos.line >= starts.length) return text.length;
  const lineEnd = pos.line + 1 < starts.length ? starts[pos.line + 1] - 1 : text.length;
  return Math.min(starts[pos.line] + Math.max(0, pos.character), lineEnd);
}

export function positionAt(starts: number[], offset: number): Pos {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid] <= offset) lo = mid; else hi = mid - 1;
  }
  return { line: lo, character: offset - starts[lo] };
}

const open = '([{';
const close = ')]}';

/**
 * Walks `text` from `from` calling `visit(i, depth)` for every character outside strings and
 * comments; depth counts brackets opened since `from`. Stops when visit returns true.
 */
function scan(text: string, from: number, to: number, language: 'python' | 'javascript', visit: (i: number, depth: number) => boolean): void {
  let depth = 0;
  for (let i = from; i < to; i++) {
    const c = text[i];
    if (c === '"' || c === "'" || (c === '`' && language === 'javascript')) {
      const triple = language === 'python' && text.startsWith(c.repeat(3), i);
      const quote = triple ? c.repeat(3) : c;
      i += quote.length;
      while (i < to && !text.startsWith(quote, i)) i += text[i] === '\\' ? 2 : 1;
      i += quote.length - 1;
      continue;
    }
    if ((language === 'python' && c === '#') || (language === 'javascript' && text.startsWith('//', i))) {
      while (i < to && text[i] !== '\n') i++;
      continue;
    }
    if (language === 'javascript' && text.startsWith('/*', i)) {
      const end = text.indexOf('*/', i + 2);
      i = end < 0 ? to : end + 1;
      continue;
    }
    if (open.includes(c)) depth++;
    if (visit(i, depth)) return;
    if (close.includes(c)) depth--;
  }
}

/** Offset of the bracket closing the one at `openAt`, or -1. */
export function matchingBracket(text: string, openAt: number, language: 'python' | 'javascript'): number {
  let found = -1;
  scan(text, openAt, text.length, language, (i, depth) => {
    if (close.includes(text[i]) && depth === 1) { found = i; return true; }
    return false;
  });
  return found;
}

export interface Piece { text: string; start: number; end: number }

/** Splits `text[from, to)` at top-level commas; pieces keep their offsets in `text`, trimmed. */
export function splitTopLevel(text: string, from: number, to: number, language: 'python' | 'javascript'): Piece[] {
  const cuts: number[] = [];
  scan(text, from, to, language, (i, depth) => { if (text[i] === ',' && depth === 0) cuts.push(i); return false; });
  const pieces: Piece[] = [];
  let start = from;
  for (const cut of [...cuts, to]) {
    let s = start;
    let e = cut;
    while (s < e && /\s/.test(text[s])) s++;
    while (e > s && /\s/.test(text[e - 1])) e--;
    if (e > s) pieces.push({ text: text.slice(s, e), start: s, end: e });
    start = cut + 1;
  }
  return pieces;
}

/** The call `callee(args)` whose text is exactly text[start, end), if it is one. */
export function parseCall(text: string, start: number, end: number, language: 'python' | 'javascript'): { callee: string; calleeStart: number; open: number; close: number; args: Piece[] } | undefined {
  if (text[end - 1] !== ')') return undefined;
  const m = /^\s*([A-Za-z_$][\w$]*(?:\s*\.\s*[A-Za-z_$][\w$]*)*)\s*\(/.exec(text.slice(start, end));
  if (!m) return undefined;
  const openAt = start + m[0].length - 1;
  const closeAt = matchingBracket(text, openAt, language);
  if (closeAt !== end - 1) return undefined;
  return { callee: m[1].replace(/\s+/g, ''), calleeStart: start + m.index + (m[0].length - m[0].trimStart().length), open: openAt, close: closeAt, args: splitTopLevel(text, openAt + 1, closeAt, language) };
}

/** The innermost call whose parentheses strictly enclose [start, end). */
export function enclosingCall(text: string, start: number, end: number, language: 'python' | 'javascript'): { callee: string; calleeStart: number; open: number; close: number; args: Piece[] } | undefined {
  let depth = 0;
  for (let i = start - 1; i >= 0; i--) {
    const c = text[i];
    if (close.includes(c)) depth++;
    else if (open.includes(c)) {
      if (depth > 0) { depth--; continue; }
      if (c !== '(') return undefined;
      const closeAt = matchingBracket(text, i, language);
      if (closeAt < end) return undefined;
      const before = /([A-Za-z_$][\w$]*(?:\s*\.\s*[A-Za-z_$][\w$]*)*)\s*$/.exec(text.slice(Math.max(0, i - 200), i));
      if (!before) return undefined;
      const calleeStart = i - before[0].length;
      return { callee: before[1].replace(/\s+/g, ''), calleeStart, open: i, close: closeAt, args: splitTopLevel(text, i + 1, closeAt, language) };
    } else if (c === '\n' && depth === 0 && language === 'python' && !/\\\s*$/.test(text.slice(Math.max(0, i - 2), i))) {
      // A bare newline at depth 0 ends a Python statement: nothing encloses across it.
      return undefined;
    }
  }
  return undefined;
}

/** The value of an argument, without a `name=` keyword. */
export function argValue(arg: Piece): Piece {
  const m = /^([A-Za-z_]\w*)\s*=(?!=)\s*/.exec(arg.text);
  if (!m) return arg;
  return { text: arg.text.slice(m[0].length), start: arg.start + m[0].length, end: arg.end };
}

/** Does the expression need parentheses before `+ eps` is appended to it? */
export function needsParens(expr: string, language: 'python' | 'javascript'): boolean {
  let risky = false;
  const t = expr;
  scan(t, 0, t.length, language, (i, depth) => {
    if (depth !== 0) return false;
    const rest = t.slice(i);
    if (language === 'python' && /^\s(if|else|and|or|not|lambda|in|is)\s/.test(rest)) risky = true;
    if (/^(<|>|==|!=|\?|&&|\|\||&|\||\^)/.test(rest)) risky = true;
    if (t[i] === ',' || (language === 'javascript' && t[i] === ':')) risky = true;
    return risky;
  });
  return risky;
}

/** The alias each framework module is imported under in this document (e.g. jax.numpy → jnp). */
export function frameworkAliases(text: string, language: 'python' | 'javascript'): Map<string, string> {
  const out = new Map<string, string>();
  if (language === 'python') {
    for (const m of text.matchAll(/^[ \t]*import[ \t]+([^\n#]+)/gm)) {
      for (const part of m[1].split(',')) {
        const p = /^\s*([\w.]+)(?:\s+as\s+(\w+))?\s*$/.exec(part);
        if (p && !out.has(p[1])) out.set(p[1], p[2] ?? p[1]);
      }
    }
    for (const m of text.matchAll(/^[ \t]*from[ \t]+([\w.]+)[ \t]+import[ \t]+\(?([^\n#)]+)/gm)) {
      for (const part of m[2].split(',')) {
        const p = /^\s*(\w+)(?:\s+as\s+(\w+))?\s*$/.exec(part);
        if (p) out.set(`${m[1]}.${p[1]}`, p[2] ?? p[1]);
      }
    }
  } else {
    for (const m of text.matchAll(/import\s+\*\s+as\s+(\w+)\s+from\s+['"](@tensorflow\/tfjs[\w-]*)['"]/g)) out.set('tfjs', m[1]);
    for (const m of text.matchAll(/(?:const|let|var)\s+(\w+)\s*=\s*require\(\s*['"](@tensorflow\/tfjs[\w-]*)['"]\s*\)/g)) out.set('tfjs', m[1]);
  }
  return out;
}
