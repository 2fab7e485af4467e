// The values the evaluator computes with. Framework tensors are TensorFlow.js tensors; everything
// else is a plain model of the source language's values. Nothing here ever reaches a host object:
// attribute access on any value goes through explicit maps, never JavaScript property lookup.
import type * as tf from '@tensorflow/tfjs-core';
import type { ClassDef, FunctionDef, Span } from './ir';

export type Value =
  | { t: 'num'; v: number; int: boolean; member?: EnumMember }
  | { t: 'str'; v: string; member?: EnumMember }
  | { t: 'bool'; v: boolean }
  | { t: 'none' }
  | { t: 'tensor'; v: tf.Tensor }
  | { t: 'list' | 'tuple'; items: Value[] }
  | { t: 'dict'; map: Map<string, Value>; keys: Map<string, Value> }
  | { t: 'slice'; start?: number; stop?: number; step?: number }
  | { t: 'ellipsis' }
  | { t: 'dtype'; v: 'float32' | 'float64' | 'float16' | 'bfloat16' | 'int32' | 'int64' | 'bool' }
  /** A framework path; `from` is the file that imported it, where the workspace may hold that module's own source. */
  | { t: 'ns'; path: string; from?: string }
  | FunctionValue
  | BuiltinValue
  | ClassValue
  | InstanceValue
  | ModuleValue
  | { t: 'opaque'; what: string; attrs?: Map<string, Value> }
  /** Python's iter(): the items still to come (`next` advances `pos`). */
  | { t: 'iterator'; items: Value[]; pos: number };

export interface FunctionValue {
  t: 'func';
  def: FunctionDef;
  closure: unknown; // a Scope; typed loosely to keep this module free of the evaluator
  self?: Value;
  /** The class whose body defines it (a method): what `super()` inside it starts from. */
  owner?: ClassValue;
  /** `@property` (read as an attribute), `@classmethod` (bound to the class), `@staticmethod` (never bound). */
  binding?: 'property' | 'classmethod' | 'staticmethod';
  /** `@torch.no_grad()`: what it returns is cut from the graph, as PyTorch does. */
  noGrad?: boolean;
  /** jax.custom_vjp / custom_jvp / tf.custom_gradient: how the framework differentiates it. */
  custom?: { kind: 'custom_vjp'; fwd?: Value; bwd?: Value; nondiff?: number[] } | { kind: 'custom_jvp'; jvp?: Value } | { kind: 'tf_custom_gradient' };
}

export interface BuiltinValue {
  t: 'builtin';
  name: string;
  call: (args: Value[], kwargs: Map<string, Value>, span: Span) => Value;
  /** Attributes of a builtin that is also an object (e.g. `jnp.float32`). */
  attrs?: Map<string, Value>;
  /** `functools.partial(fn, *args, **kwargs)`: what it binds, so a static read can follow the call into `fn`. */
  partial?: { fn: Value; args: Value[]; kwargs: Map<string, Value> };
  /** `jnp.vectorize(fn)`: the function it maps, so a static read follows the call into `fn`. */
  wraps?: Value;
}

export interface ClassValue {
  t: 'class';
  def: ClassDef;
  closure: unknown;
  attrs: Map<string, Value>;
  bases: Value[];
  /** An Enum subclass: its members in definition order. */
  enumMembers?: Value[];
  /** A `@dataclass`: its fields in order (the generated `__init__`'s parameters). */
  dataclassFields?: string[];
}

/** A member of a workspace Enum; str/int mixin members are the plain value carrying this. */
export interface EnumMember {
  cls: ClassValue;
  name: string;
}

/** A workspace module imported as a module (`import pkg.utils as U`, `from pkg import functional`). */
export interface ModuleValue {
  t: 'module';
  /** The name it was imported by (possibly relative: `.functional`). */
  name: string;
  /** The module's Scope (typed loosely, as closures are). */
  scope: unknown;
  /** The file it was imported from: relative names resolve against it. */
  fromPath: string;
}

export interface InstanceValue {
  t: 'instance';
  cls: ClassValue;
  attrs: Map<string, Value>;
}

export const NONE: Value = { t: 'none' };
export const num = (v: number, int = false): Value => ({ t: 'num', v, int });
export const str = (v: string): Value => ({ t: 'str', v });
export const tuple = (items: Value[]): Value => ({ t: 'tuple', items });
export const list = (items: Value[]): Value => ({ t: 'list', items });

export function describe(v: Value): string {
  switch (v.t) {
    case 'num': return v.int ? 'int' : 'float';
    case 'str': return 'str';
    case 'bool': return 'bool';
    case 'none': return 'None';
    case 'tensor': return `tensor(${v.v.shape.join('×') || 'scalar'})`;
    case 'list': return 'list';
    case 'tuple': return 'tuple';
    case 'dict': return 'dict';
    case 'ns': return v.path;
    case 'func': return `function ${v.def.name}`;
    case 'builtin': return v.name;
    case 'class': return `class ${v.def.name}`;
    case 'instance': return `${v.cls.def.name} object`;
    case 'module': return `module ${v.name}`;
    default: return v.t;
  }
}

/** A dict key's identity: Python compares keys by value. */
export function keyOf(v: Value): string {
  switch (v.t) {
    case 'num': return `n:${v.v}`;
    case 'str': return `s:${v.v}`;
    case 'bool': return `n:${v.v ? 1 : 0}`;
    case 'none': return 'none';
    case 'tuple': return `t:(${v.items.map(keyOf).join(',')})`;
    case 'func': return `f:${v.def.name}@${v.def.span.startLine}`;
    case 'class': return `c:${v.def.name}@${v.def.span.startLine}`;
    case 'dtype': return `d:${v.v}`;
    case 'ns': return `p:${v.path}`;
    default: return `?:${describe(v)}`;
  }
}
