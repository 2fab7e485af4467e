// TypeScript read with the TSX grammar (one grammar parses the whole JavaScript family, see
// treeSitter.ts). Two forms of a .ts file mean something else in TSX, where `<` at the start of an
// expression opens a JSX element: the angle-bracket type assertion `<number>x` and a generic arrow
// function's bare type parameters `<T>(x: T) => x`. Neither changes a value at run time, which is
// all the evaluator reads, so they are blanked out (spaces, newlines kept, so every position holds)
// and the text is parsed again.

const identifierChar = /[\p{ID_Continue}$\u200c\u200d]/u;

// After these words an expression starts (`return <number>x`), as after an operator.
const expressionKeywords = new Set(['return', 'typeof', 'instanceof', 'in', 'of', 'new', 'delete', 'void', 'throw', 'case', 'do', 'else', 'yield', 'await', 'async']);

/** Index just past the string literal opening at `start` (its quote), or the text's end when unclosed. */
function skipString(text: string, start: number): number {
  const quote = text[start];
  for (let i = start + 1; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === quote || text[i] === '\n') return i + 1;
  }
  return text.length;
}

/** Index just past the template literal opening at `start`, its `${…}` expressions skipped whole. */
function skipTemplate(text: string, start: number): number {
  for (let i = start + 1; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === '`') return i + 1;
    else if (text[i] === '$' && text[i + 1] === '{') i = skipBalanced(text, i + 1) - 1;
  }
  return text.length;
}

/** Index just past the regular expression literal opening at `start`. */
function skipRegex(text: string, start: number): number {
  let inClass = false;
  for (let i = start + 1; i < text.length; i++) {
    const c = text[i];
    if (c === '\\') i++;
    else if (c === '\n') return i;
    else if (c === '[') inClass = true;
    else if (c === ']') inClass = false;
    else if (c === '/' && !inClass) {
      let end = i + 1;
      while (end < text.length && identifierChar.test(text[end])) end++;
      return end;
    }
  }
  return text.length;
}

/** Index just past the comment starting at `start` (`//` or `/*`). */
function skipComment(text: string, start: number): number {
  if (text[start + 1] === '/') {
    const end = text.indexOf('\n', start);
    return end < 0 ? text.length : end;
  }
  const end = text.indexOf('*/', start + 2);
  return end < 0 ? text.length : end + 2;
}

/** Index just past the bracket (`(`, `[`, `{`) opening at `start` and everything inside it. */
function skipBalanced(text: string, start: number): number {
  const closers: string[] = [];
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (c === '(') closers.push(')');
    else if (c === '[') closers.push(']');
    else if (c === '{') closers.push('}');
    else if (c === ')' || c === ']' || c === '}') {
      if (closers.pop() !== c) return text.length;
      if (closers.length === 0) return i + 1;
    } else if (c === '"' || c === "'") i = skipString(text, i) - 1;
    else if (c === '`') i = skipTemplate(text, i) - 1;
    else if (c === '/' && (text[i + 1] === '/' || text[i + 1] === '*')) i = skipComment(text, i) - 1;
  }
  return text.length;
}

// No type written in a cast is longer; the bound keeps a file of unclosed `<(` from costing its
// length squared.
const longestType = 1000;

/**
 * The end (index of its `>`) of the type list opening with the `<` at `start`, nested `<…>`,
 * brackets and strings included and the `>` of a function type's `=>` not counted; undefined
 * where it does not close before a `;` or within `longestType` characters (then it was no type).
 */
function typeListEnd(source: string, start: number): number | undefined {
  const text = source.slice(0, start + longestType);
  let depth = 0;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (c === '<') depth++;
    else if (c === '>' && text[i - 1] !== '=') {
      depth--;
      if (depth === 0) return i;
    } else if (c === '(' || c === '[' || c === '{') i = skipBalanced(text, i) - 1;
    else if (c === '"' || c === "'") i = skipString(text, i) - 1;
    else if (c === ';' || c === ')' || c === ']' || c === '}') return undefined;
  }
  return undefined;
}

/**
 * The text with every `<…>` that starts an expression blanked: in TypeScript (not TSX) such a `<`
 * is only ever a type assertion or a generic arrow function's type parameters, never a comparison,
 * which needs a value on its left. Strings, templates, comments and regular expressions are
 * skipped as a lexer skips them.
 */
export function blankAngleBracketTypes(text: string): string {
  const out = text.split('');
  let changed = false;
  // Whether the last token ends a value (an identifier, a literal, `)`, `]`): a `<` after it compares.
  let afterValue = false;
  for (let i = 0; i < text.length; ) {
    const c = text[i];
    if (/\s/.test(c)) {
      i++;
    } else if (c === '/' && (text[i + 1] === '/' || text[i + 1] === '*')) {
      i = skipComment(text, i);
    } else if (c === '"' || c === "'") {
      i = skipString(text, i);
      afterValue = true;
    } else if (c === '`') {
      i = skipTemplate(text, i);
      afterValue = true;
    } else if (c === '/' && !afterValue) {
      i = skipRegex(text, i);
      afterValue = true;
    } else if (identifierChar.test(c)) {
      let end = i;
      while (end < text.length && identifierChar.test(text[end])) end++;
      afterValue = !expressionKeywords.has(text.slice(i, end));
      i = end;
    } else if (c === ')' || c === ']') {
      afterValue = true;
      i++;
    } else if (c === '!' && afterValue && text[i + 1] !== '=') {
      // a non-null assertion (`x!`) keeps the value
      i++;
    } else if (c === '<' && !afterValue) {
      const end = typeListEnd(text, i);
      if (end === undefined) {
        i++;
        continue;
      }
      for (let k = i; k <= end; k++) if (out[k] !== '\n' && out[k] !== '\r') out[k] = ' ';
      changed = true;
      i = end + 1;
    } else {
      afterValue = false;
      i++;
    }
  }
  return changed ? out.join('') : text;
}
