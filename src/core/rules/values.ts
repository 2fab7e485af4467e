// What the source rules' reading knows of a value: its range (an interval, or unknown), whether it
// flows from the prediction (x for an activation) and whether it still carries that input's
// gradient, and where the gradient was cut if it does not. Plus the Python-level structure the
// reading needs to follow code: constants, sequences, dicts, functions, classes and instances.
import type { ClassDef, FunctionDef, Span } from '../ir/ir';
import { join as joinInterval, same as sameInterval, widen as widenInterval, type Interval } from './interval';

/** A place where the prediction's gradient stops: GP301 (no derivative) or GP302 (cut from the graph). */
export interface Cut {
  code: 'GP301' | 'GP302';
  span: Span;
  /** The expression as written, for the message. */
  text: string;
  /** The op as the tables name it (`torch.round`, `.detach()`, a comparison `>`). */
  op: string;
}

/** A comparison of a named variable against a range: how `where(x > 0, …)` narrows x in its branches. */
export interface Test {
  subject: string;
  /** The subject's range where the test holds, and where it does not. */
  whenTrue: Interval;
  whenFalse: Interval;
  /** `x != 0`: the subject is not 0 where the test holds (or, for `==`, where it fails). */
  trueNonzero?: boolean;
  falseNonzero?: boolean;
}

export interface Env {
  vars: Map<string, AValue>;
  /** The enclosing function's scope (closures), searched after vars. */
  outer?: Env;
}

export interface FunctionValue {
  def: FunctionDef;
  closure: Env | undefined;
  /** A method bound to an instance (self). */
  self?: AValue;
  /** The class the method was found on, for super(). */
  owner?: ClassInfo;
}

export interface ClassInfo {
  def: ClassDef;
  bases: ClassInfo[];
}

export interface AValue {
  /** Range of the elements; undefined when nothing is known (an opaque call, an unset attribute). */
  range?: Interval;
  /** An exact Python/JavaScript constant. */
  constant?: number | string | boolean | null;
  /** Depends on the prediction's values (not only on its shape, dtype or device). */
  pred: boolean;
  /** Carries the prediction's gradient. */
  grad: boolean;
  /** For a value that depends on the prediction without carrying its gradient: where it was cut. */
  cuts: Cut[];
  /** A tuple or list with known items. */
  items?: AValue[];
  dict?: Map<string, AValue>;
  fn?: FunctionValue;
  cls?: ClassInfo;
  /** An instance of a class of the module: its attributes (shared, as Python objects are). */
  instance?: { cls: ClassInfo; attrs: Map<string, AValue> };
  /** A framework module or function path (`torch.nn.functional`), or a framework class instance. */
  path?: string;
  /** A framework object built from a class row (`nn.MSELoss()`), called later. */
  frameworkObject?: string;
  /** `super()` inside a method of `owner`. */
  superOf?: { owner: ClassInfo; self: AValue };
  /** Shape, size, dtype or device: never the prediction's values. */
  metadata?: boolean;
  /** A dtype as written (`torch.long`, `'int32'`). */
  dtype?: string;
  test?: Test;
  /** A tensor (a seed or an op's output), as opposed to a Python scalar or an unknown value. */
  tensor?: boolean;
  /**
   * The range bounds a value computed from something unknown (`sqrt(1 + alpha * x**2)` with alpha
   * unknown is ≥ 0): its ends need not be reached, so no check fails on it.
   */
  vague?: boolean;
  /** Known not to be 0 although its range holds 0 (`where(x != 0, x, 1.0)`). */
  nonzero?: boolean;
  /** A for loop's element, when it is not the value itself (`range(n)`, `enumerate(xs)`). */
  elem?: AValue;
}

export const UNKNOWN: AValue = { pred: false, grad: false, cuts: [] };

export function known(range: Interval | undefined, extra: Partial<AValue> = {}): AValue {
  return { pred: false, grad: false, cuts: [], range, ...extra };
}

export function constantValue(c: number | string | boolean | null, range?: Interval): AValue {
  return { pred: false, grad: false, cuts: [], constant: c, range };
}

/** Taint of a value computed from others: pred if any is, grad if any is, cuts only when no gradient survives. */
export function taintOf(parts: readonly AValue[]): Pick<AValue, 'pred' | 'grad' | 'cuts'> {
  const pred = parts.some((p) => p.pred);
  const grad = parts.some((p) => p.grad);
  return { pred, grad, cuts: grad ? [] : mergeCuts(parts.flatMap((p) => p.cuts)) };
}

export function mergeCuts(cuts: readonly Cut[]): Cut[] {
  const out: Cut[] = [];
  for (const c of cuts) if (!out.some((o) => o.code === c.code && sameSpan(o.span, c.span))) out.push(c);
  return out;
}

function sameSpan(a: Span, b: Span): boolean {
  return a.startLine === b.startLine && a.startCol === b.startCol && a.endLine === b.endLine && a.endCol === b.endCol;
}

/** The join of two values that may reach the same point (two branches of an if, two returns). */
export function joinValues(a: AValue, b: AValue): AValue {
  if (a === b) return a;
  const range = a.range && b.range ? joinInterval(a.range, b.range) : undefined;
  const out: AValue = { ...taintOf([a, b]), range };
  if (a.constant !== undefined && a.constant === b.constant) out.constant = a.constant;
  if (a.items && b.items && a.items.length === b.items.length) out.items = a.items.map((x, i) => joinValues(x, b.items![i]));
  if (a.fn && b.fn && a.fn.def === b.fn.def) out.fn = a.fn;
  if (a.cls && a.cls === b.cls) out.cls = a.cls;
  if (a.instance && a.instance === b.instance) out.instance = a.instance;
  if (a.path && a.path === b.path) out.path = a.path;
  if (a.metadata && b.metadata) out.metadata = true;
  if (a.tensor && b.tensor) out.tensor = true;
  if (a.nonzero && b.nonzero) out.nonzero = true;
  if (a.vague || b.vague) out.vague = true;
  if (a.dtype && a.dtype === b.dtype) out.dtype = a.dtype;
  if (a.elem && b.elem) out.elem = joinValues(a.elem, b.elem);
  if (a.dict && b.dict) {
    out.dict = new Map();
    for (const [k, v] of a.dict) { const w = b.dict.get(k); if (w) out.dict.set(k, joinValues(v, w)); }
  }
  return out;
}

/** Widening for loops: ranges that moved between passes go to infinity. */
export function widenValue(before: AValue, after: AValue): AValue {
  const joined = joinValues(before, after);
  if (before.range && after.range && !sameInterval(before.range, joined.range!)) joined.range = widenInterval(before.range, after.range);
  return joined;
}

/** A sequence's element: the join of its known items, or the value itself. */
export function elementOf(v: AValue): AValue {
  if (v.elem) return v.elem;
  if (v.items && v.items.length) return v.items.reduce(joinValues);
  if (v.items) return UNKNOWN;
  return { ...v, items: undefined, constant: undefined, test: undefined, dict: undefined };
}

export function isTruthy(v: AValue): boolean | undefined {
  if (v.constant !== undefined) return v.constant !== null && v.constant !== 0 && v.constant !== '' && v.constant !== false;
  if (v.items) return v.items.length > 0;
  if (v.fn || v.cls || v.instance) return true;
  return undefined;
}

export function lookup(env: Env, name: string): AValue | undefined {
  for (let e: Env | undefined = env; e; e = e.outer) {
    const v = e.vars.get(name);
    if (v) return v;
  }
  return undefined;
}

export function copyEnv(env: Env): Env {
  return { vars: new Map(env.vars), outer: env.outer };
}

/** Joins the variables of branches that both continue (a name set on one branch only keeps that value). */
export function joinEnvs(a: Env, b: Env): Env {
  const vars = new Map(a.vars);
  for (const [k, v] of b.vars) {
    const w = vars.get(k);
    vars.set(k, w ? joinValues(w, v) : v);
  }
  return { vars, outer: a.outer };
}

export function widenEnvs(before: Env, after: Env): Env {
  const vars = new Map(before.vars);
  for (const [k, v] of after.vars) {
    const w = vars.get(k);
    vars.set(k, w ? widenValue(w, v) : v);
  }
  return { vars, outer: before.outer };
}
