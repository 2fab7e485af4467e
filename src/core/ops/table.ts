// The shape of a declarative op table row: a source name, the implementation it maps to, and
// the source's parameters (`sourceName:implName=default`).
import type { Value } from '../ir/values';

export interface OpRow {
  names: string[];
  impl: string;
  params: string[];
  /** Fixed implementation arguments (a loss kind, a default that differs from the source's). */
  fixed?: Record<string, Value>;
}

export function row(names: string | string[], impl: string, params: string[], fixed?: Record<string, Value>): OpRow {
  return { names: Array.isArray(names) ? names : [names], impl, params, fixed };
}

/** Expands `prefix.{a,b}` style lists: the same row under several module paths. */
export function under(prefixes: string[], names: string[]): string[] {
  return prefixes.flatMap((p) => names.map((n) => `${p}.${n}`));
}

export const s = (v: string): Value => ({ t: 'str', v });
export const n = (v: number): Value => ({ t: 'num', v, int: Number.isInteger(v) });
export const b = (v: boolean): Value => ({ t: 'bool', v });
