// A source document as the pipeline sees it: plain files, or a notebook's code cells joined into
// one module with a map from its lines back to each cell.
import { languageOfPath, parseSource, type SourceLanguage } from './treeSitter';
import { lowerPython } from './lowerPython';
import { lowerJavascript } from './lowerJavascript';
import type { ModuleIR, Span } from '../ir/ir';
import { frameworkOf, type Framework } from '../ir/frameworks';

export interface CellMap {
  /** For each line of the joined text: the cell index and the line within that cell. */
  lines: { cell: number; line: number }[];
}

export interface SourceDocument {
  path: string;
  language: SourceLanguage;
  text: string;
  cells?: CellMap;
}

export interface ParsedModule {
  doc: SourceDocument;
  ir: ModuleIR;
  framework: Framework;
}

export class DocumentError extends Error {}

/** Builds a document from raw file contents; throws DocumentError for what cannot be read as source. */
export function documentFromText(path: string, text: string): SourceDocument {
  const language = languageOfPath(path);
  if (!language) throw new DocumentError('not a Python, JavaScript or TypeScript file');
  if (text.includes('\u0000')) throw new DocumentError('the file is binary (it contains NUL bytes)');
  if (path.toLowerCase().endsWith('.ipynb')) return notebookDocument(path, text);
  return { path, language, text };
}

function notebookDocument(path: string, text: string): SourceDocument {
  let nb: unknown;
  try {
    nb = JSON.parse(text);
  } catch (err) {
    throw new DocumentError(`the notebook is not valid JSON (${(err as Error).message})`);
  }
  const cells = (nb as { cells?: unknown }).cells;
  if (!Array.isArray(cells)) throw new DocumentError('the notebook has no "cells" list');
  const out: string[] = [];
  const lines: CellMap['lines'] = [];
  cells.forEach((cell, index) => {
    if (!cell || typeof cell !== 'object' || (cell as { cell_type?: unknown }).cell_type !== 'code') return;
    const source = (cell as { source?: unknown }).source;
    const cellText = Array.isArray(source) ? source.join('') : typeof source === 'string' ? source : '';
    cellText.split('\n').forEach((line, i) => {
      // IPython magics and shell escapes are not Python: keep the line count, drop the text.
      out.push(/^\s*[%!]/.test(line) ? '' : line);
      lines.push({ cell: index, line: i });
    });
  });
  return { path, language: 'python', text: out.join('\n'), cells: { lines } };
}

function lower(doc: SourceDocument, text: string, stop?: () => boolean): ModuleIR {
  const tree = parseSource(doc.language, text, stop);
  try {
    const lineCount = text.split('\n').length;
    return doc.language === 'python' ? lowerPython(tree.rootNode, lineCount) : lowerJavascript(tree.rootNode, lineCount);
  } finally {
    tree.delete();
  }
}

const definitionStart: Record<'python' | 'javascript', RegExp> = {
  python: /^(def |class |async def |@)/,
  javascript: /^(export\s+)?(async\s+)?(function\b|class\b|const\b|let\b|var\b)/,
};

/**
 * An unclosed bracket (the state a file is in while someone types) can swallow the definitions
 * after it. Where a line at column 0 starts a definition the tree did not see, parse again from
 * there (earlier lines blanked, so positions hold) and keep the definitions found.
 */
function recoverDefinitions(doc: SourceDocument, ir: ModuleIR, stop?: () => boolean): void {
  const lines = doc.text.split('\n');
  const pattern = definitionStart[ir.language];
  const covered = (line: number): boolean => ir.body.some((st) => st.span.startLine <= line && line <= st.span.endLine && (st.kind === 'function' || st.kind === 'class' || st.kind === 'assign'));
  const starts = (st: ModuleIR['body'][number]): boolean => st.kind === 'function' || st.kind === 'class' || st.kind === 'assign' || st.kind === 'import';
  for (let i = 0, rounds = 0; i < lines.length && rounds < 20; i++) {
    if (!pattern.test(lines[i]) || ir.body.some((st) => st.span.startLine === i && starts(st))) continue;
    if (covered(i) && !ir.syntaxErrors.some((e) => e.startLine <= i)) continue;
    rounds++;
    const retry = lower(doc, lines.map((l, k) => (k < i ? '' : l)).join('\n'), stop);
    const found = retry.body.filter((st) => st.span.startLine >= i && starts(st));
    // Drop statements of the first parse that the recovered ones overlap (the swallowed region).
    ir.body = ir.body.filter((st) => !found.some((f) => st.span.startLine >= f.span.startLine && st.span.startLine <= f.span.endLine && st.span.startLine > 0 && st.span.startLine >= i));
    for (const f of found) if (!ir.body.some((st) => st.span.startLine === f.span.startLine)) ir.body.push(f);
    ir.body.sort((a, b) => a.span.startLine - b.span.startLine);
    for (const [line, c] of retry.comments) if (line >= i) ir.comments.set(line, c);
    const last = found[found.length - 1];
    if (last) i = Math.max(i, last.span.endLine);
  }
}

/** Deeper than this, the recursive passes after parsing (detection, rules, the evaluator) could run out of stack. */
const maxNesting = 400;

/** How deeply IR nodes nest, walked without recursion; stops counting past `limit`. */
function nestingDepth(root: unknown, limit: number): number {
  const stack: [unknown, number][] = [[root, 0]];
  let max = 0;
  while (stack.length) {
    const [v, depth] = stack.pop()!;
    if (depth > max) max = depth;
    if (max > limit) return max;
    if (Array.isArray(v)) for (const item of v) stack.push([item, depth]);
    else if (v && typeof v === 'object' && !(v instanceof Map)) {
      const node = 'kind' in v ? depth + 1 : depth;
      for (const [key, child] of Object.entries(v)) if (key !== 'span' && child && typeof child === 'object') stack.push([child, node]);
    }
  }
  return max;
}

/**
 * `stop`: the run's budget, asked while parsing (each of the recovery's parses too); when it
 * answers true, `AnalysisBudgetExceeded` is thrown.
 */
export function parseDocument(doc: SourceDocument, stop?: () => boolean): ParsedModule {
  const ir = lower(doc, doc.text, stop);
  if (nestingDepth(ir.body, maxNesting) > maxNesting) throw new DocumentError(`the file nests expressions or blocks more than ${maxNesting} levels deep, past what GradProbe analyses`);
  if (ir.syntaxErrors.length > 0) recoverDefinitions(doc, ir, stop);
  return { doc, ir, framework: frameworkOf(ir) };
}

/** Maps a span of the joined notebook text back to its cell. */
export function toCellSpan(doc: SourceDocument, span: Span): { cell?: number; span: Span } {
  if (!doc.cells) return { span };
  const start = doc.cells.lines[span.startLine];
  const end = doc.cells.lines[span.endLine] ?? start;
  if (!start) return { span };
  const endLine = end.cell === start.cell ? end.line : start.line;
  return { cell: start.cell, span: { startLine: start.line, startCol: span.startCol, endLine, endCol: end.cell === start.cell ? span.endCol : span.startCol } };
}
