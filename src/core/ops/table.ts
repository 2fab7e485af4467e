// The shape of a declarative op table row: a source name, the implementation it maps to, and
// the source's parameters (`sourceName:implName=default`). Class rows are callables built first and
// called later: `nn.Softplus(beta=2)(x)`, `nn.NLLLoss()(input, target)`, `keras.losses.Huber()(y_true, y_pred)`.
import type { Value } from '../ir/values';
import type { OpTag } from './implementations';

export interface OpRow {
  names: string[];
  impl: string;
  params: string[];
  /** Fixed implementation arguments (a loss kind, a default that differs from the source's). */
  fixed?: Record<string, Value>;
  /** Tags of this row beyond its implementation's (one implementation serving several TF.js losses). */
  tags?: OpTag[];
}

export function row(names: string | string[], impl: string, params: string[], fixed?: Record<string, Value>, tags?: OpTag[]): OpRow {
  return { names: Array.isArray(names) ? names : [names], impl, params, fixed, tags };
}

/**
 * What calling an instance does: an activation module runs the implementation on its one input; a
 * loss class runs it on (prediction, target), taken in the framework's order; Keras' loss classes
 * then reduce the per-sample losses by their `reduction=` (the mean by default).
 */
export type ClassCall = { kind: 'activation' } | { kind: 'loss'; argOrder: 'input-first' | 'target-first' };

export interface ClassRow {
  names: string[];
  impl: string;
  /** The constructor's parameters, in the same notation as a row's. */
  params: string[];
  call: ClassCall;
  /** Fixed implementation arguments (the number of spatial dimensions of a layer). */
  fixed?: Record<string, Value>;
  /**
   * The module's parameters and buffers as a freshly constructed one holds them (a key of
   * `moduleStates` in layerOps.ts): made once at construction, seen as the instance's attributes
   * (`bn.running_var`, `conv.weight`) and bound to the implementation's arguments of the same name.
   */
  state?: string;
}

export function moduleRow(names: string | string[], impl: string, params: string[], layer?: { fixed?: Record<string, Value>; state?: string }): ClassRow {
  return { names: Array.isArray(names) ? names : [names], impl, params, call: { kind: 'activation' }, ...layer };
}

export function lossClassRow(names: string | string[], impl: string, params: string[], argOrder: 'input-first' | 'target-first'): ClassRow {
  return { names: Array.isArray(names) ? names : [names], impl, params, call: { kind: 'loss', argOrder } };
}

/** Expands `prefix.{a,b}` style lists: the same row under several module paths. */
export function under(prefixes: string[], names: string[]): string[] {
  return prefixes.flatMap((p) => names.map((n) => `${p}.${n}`));
}

export const s = (v: string): Value => ({ t: 'str', v });
export const n = (v: number): Value => ({ t: 'num', v, int: Number.isInteger(v) });
export const b = (v: boolean): Value => ({ t: 'bool', v });
