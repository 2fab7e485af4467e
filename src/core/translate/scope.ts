// Where names live while the evaluator runs: one scope per module, function call, class body and
// comprehension, chained to the enclosing one. Module-level definitions are bound lazily, so a
// broken statement matters only to the functions that use it.
import * as tf from '@tensorflow/tfjs-core';
import type { ModuleIR } from '../ir/ir';
import type { Value } from '../ir/values';

export interface ModuleContext {
  path: string;
  ir: ModuleIR;
  scope: Scope;
}

export class Scope {
  readonly vars = new Map<string, Value>();
  private readonly lazy = new Map<string, () => Value>();
  constructor(readonly parent: Scope | undefined, readonly module: ModuleContext) {}

  lookup(name: string): Value | undefined {
    for (let s: Scope | undefined = this; s; s = s.parent) {
      const v = s.vars.get(name);
      if (v !== undefined) return v;
      const thunk = s.lazy.get(name);
      if (thunk) {
        s.lazy.delete(name);
        const value = thunk();
        // Module constants outlive the probe scope they were first computed in.
        if (!s.parent) keepTensors(value);
        s.vars.set(name, value);
        return value;
      }
    }
    return undefined;
  }

  setLazy(name: string, thunk: () => Value): void {
    this.vars.delete(name);
    this.lazy.set(name, thunk);
  }
}

function keepTensors(v: Value, depth = 0): void {
  if (depth > 20) return;
  if (v.t === 'tensor') tf.keep(v.v);
  else if (v.t === 'list' || v.t === 'tuple') v.items.forEach((i) => keepTensors(i, depth + 1));
  else if (v.t === 'dict') v.map.forEach((i) => keepTensors(i, depth + 1));
}
