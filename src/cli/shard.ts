// `--shard K/N`: a run split across machines (CI matrices).
import { createHash } from 'node:crypto';
import { relative, sep } from 'node:path';

/** `--shard K/N`: this run checks the files whose path hash falls in shard K of N. */
export interface Shard { index: number; count: number; root: string }

/**
 * The shard of a file: its path relative to the project root (with `/`), hashed (SHA-256, first 8
 * hex digits as a number) modulo N. Stable across machines, runs and file additions elsewhere.
 */
export function shardOf(path: string, root: string, count: number): number {
  const rel = relative(root, path).split(sep).join('/');
  return parseInt(createHash('sha256').update(rel).digest('hex').slice(0, 8), 16) % count;
}

