// Where names live while the evaluator runs: one scope per module, function call, class body and
// comprehension, chained to the enclosing one. Module-level definitions are bound lazily, so a
// broken statement matters only to the functions that use it; a module's star imports are asked
// last, after its own names.
import * as tf from '@tensorflow/tfjs-core';
import { LocatedError } from '../ir/errors';
import type { ModuleIR } from '../ir/ir';
import type { Value } from '../ir/values';
import type { Evaluator } from './evaluator';

export interface ModuleContext {
  path: string;
  ir: ModuleIR;
  scope: Scope;
  /** The evaluator the module is bound in: decorators are applied with it when a definition is made. */
  ev: Evaluator;
}

/** The names a `from X import *` brings: looked up on demand, undefined for a name X does not define. */
export type StarSource = (name: string) => Value | undefined;

export class Scope {
  readonly vars = new Map<string, Value>();
  private readonly lazy = new Map<string, () => Value>();
  private readonly stars: StarSource[] = [];
  constructor(readonly parent: Scope | undefined, readonly module: ModuleContext) {}

  lookup(name: string): Value | undefined {
    for (let s: Scope | undefined = this; s; s = s.parent) {
      const v = s.own(name);
      if (v !== undefined) return v;
    }
    return undefined;
  }

  /** This scope's own binding of a name (its star imports included), not its parents'. */
  own(name: string): Value | undefined {
    const v = this.vars.get(name);
    if (v !== undefined) return v;
    const thunk = this.lazy.get(name);
    if (thunk) {
      this.lazy.delete(name);
      let value: Value;
      try {
        value = thunk();
      } catch (err) {
        // A module constant that fails stands in this module's file, whoever asked for it.
        if (err instanceof LocatedError) err.path ??= this.module.path;
        // Asked again, it fails the same way (not as a name that is not defined).
        this.lazy.set(name, () => { throw err; });
        throw err;
      }
      // Module constants outlive the probe scope they were first computed in.
      if (!this.parent) keepTensors(value);
      this.vars.set(name, value);
      return value;
    }
    for (const star of this.stars) {
      const found = star(name);
      if (found !== undefined) return found;
    }
    return undefined;
  }

  setLazy(name: string, thunk: () => Value): void {
    this.vars.delete(name);
    this.lazy.set(name, thunk);
  }

  addStar(source: StarSource): void {
    this.stars.push(source);
  }
}

function keepTensors(v: Value, depth = 0): void {
  if (depth > 20) return;
  if (v.t === 'tensor') tf.keep(v.v);
  else if (v.t === 'list' || v.t === 'tuple') v.items.forEach((i) => keepTensors(i, depth + 1));
  else if (v.t === 'dict') v.map.forEach((i) => keepTensors(i, depth + 1));
}
