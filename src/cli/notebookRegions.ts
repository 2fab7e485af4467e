// Where a position inside a notebook cell lies in the .ipynb file itself. SARIF has no cells, and a
// code-scanning UI shows the artifact's own lines: a cell's line 3 is the JSON line holding that
// line's string in the cell's "source". jsonc-parser gives every string's offset in the file; the
// escapes inside a string (\n, \", \uXXXX) are walked here to map a column.
import { findNodeAtLocation, parseTree, type Node, type ParseError } from 'jsonc-parser';

/** 0-based, in the .ipynb text; columns in UTF-16 code units like every other position. */
export interface FilePosition { line: number; character: number }

export type NotebookLocator = (cell: number, line: number, character: number) => FilePosition | undefined;

interface Segment {
  /** Offset of the segment's first decoded character within the cell's source. */
  start: number;
  /** Its decoded length. */
  length: number;
  /** The string literal (its opening quote is at `node.offset`). */
  node: Node;
}

/** The locator of one notebook, or undefined when its JSON cannot be read. */
export function notebookLocator(text: string): NotebookLocator | undefined {
  // jsonc-parser recovers from errors; a notebook that is not strict JSON was not analysed anyway.
  const errors: ParseError[] = [];
  const root = parseTree(text, errors, { allowTrailingComma: false, disallowComments: true });
  if (!root || errors.length) return undefined;
  const lineStarts = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) lineStarts.push(i + 1);
  const cells = new Map<number, { segments: Segment[]; lineOffsets: number[] } | null>();

  const cellIndex = (cell: number): { segments: Segment[]; lineOffsets: number[] } | null => {
    let hit = cells.get(cell);
    if (hit !== undefined) return hit;
    hit = null;
    const source = findNodeAtLocation(root, ['cells', cell, 'source']);
    const strings = source?.type === 'string' ? [source] : source?.type === 'array' ? (source.children ?? []).filter((n) => n.type === 'string') : [];
    if (strings.length) {
      const segments: Segment[] = [];
      let cellText = '';
      for (const node of strings) {
        const value = typeof node.value === 'string' ? node.value : '';
        segments.push({ start: cellText.length, length: value.length, node });
        cellText += value;
      }
      const lineOffsets = [0];
      for (let i = 0; i < cellText.length; i++) if (cellText.charCodeAt(i) === 10) lineOffsets.push(i + 1);
      hit = { segments, lineOffsets };
    }
    cells.set(cell, hit);
    return hit;
  };

  const position = (offset: number): FilePosition => {
    let lo = 0;
    let hi = lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (lineStarts[mid] <= offset) lo = mid; else hi = mid - 1;
    }
    return { line: lo, character: offset - lineStarts[lo] };
  };

  return (cell, line, character) => {
    const index = cellIndex(cell);
    if (!index || line >= index.lineOffsets.length) return undefined;
    const decoded = index.lineOffsets[line] + character;
    // The segment holding the character; a position just past the end stays in the last segment.
    const segment = index.segments.find((s) => decoded < s.start + s.length) ?? index.segments[index.segments.length - 1];
    const raw = rawOffset(text, segment.node.offset + 1, Math.min(decoded - segment.start, segment.length));
    return position(raw);
  };
}

/** The file offset of the `count`-th decoded character of the string literal whose content starts at `from`. */
function rawOffset(text: string, from: number, count: number): number {
  let at = from;
  for (let i = 0; i < count; i++) {
    if (text[at] !== '\\') at += 1;
    else at += text[at + 1] === 'u' ? 6 : 2;
  }
  return at;
}
