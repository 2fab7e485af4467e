// Reading tree-sitter nodes: ranges, named children without comments, fields, the first error.
import type { SyntaxNode } from './treeSitter';
import type { Span } from '../ir/ir';

export function spanOf(node: SyntaxNode): Span {
  return { startLine: node.startPosition.row, startCol: node.startPosition.column, endLine: node.endPosition.row, endCol: node.endPosition.column };
}

export function named(node: SyntaxNode): SyntaxNode[] {
  return node.namedChildren.filter((c): c is SyntaxNode => c !== null && c.type !== 'comment');
}

export function field(node: SyntaxNode, name: string): SyntaxNode | undefined {
  return node.childForFieldName(name) ?? undefined;
}

/** The first ERROR or MISSING node inside, if the subtree has one. */
export function firstError(node: SyntaxNode): Span | undefined {
  if (!node.hasError) return undefined;
  if (node.isError || node.isMissing) return spanOf(node);
  for (const child of node.children) {
    if (!child) continue;
    const found = firstError(child);
    if (found) return found;
  }
  return spanOf(node);
}
