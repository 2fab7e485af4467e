// What a framework op does to a value in the source rules' reading, from what the op tables say of
// it (its tags, its parameters' names, its fixed arguments) and nothing else: no list of op names
// lives here. The reading of the user's code (reader.ts) binds a call's arguments and asks this file
// for the result and for the checks the op calls for (a log of something that can reach 0, an exp
// that can overflow).
import type { Expr } from '../ir/ir';
import type { ParamSpec } from '../ops/args';
import { isIntegerDtype, type OpFacts } from '../ops/registry';
import type { OpTag } from '../ops/implementations';
import {
  NONNEGATIVE, NONPOSITIVE, POSITIVE, REAL, SYMMETRIC_UNIT, UNIT, add, contains, div, exp, interval, isReal, join, log, meet, mul,
  negate, pow, reachesDownTo, reciprocal, sqrt, sub, sumOf, truncate, type Interval,
} from './interval';
import { taintOf, type AValue, type Cut } from './values';

/** An argument as bound to the op's parameters: its value and, when written, its expression. */
export interface BoundArg {
  value: AValue;
  expr?: Expr;
}

/** Parameters that shape, type or configure an op's output but never hold its data. */
const structural = new Set([
  'axis', 'keepdims', 'dtype', 'device', 'shape', 'perm', 'depth', 'reduction', 'reduce', 'size_average', 'out', 'out_type',
  'output_type', 'ord', 'p', 'start', 'stop', 'step', 'num', 'end_dim', 'requires_grad', 'trainable', 'inplace', 'copy',
  'approximate', '_stacklevel', 'reps', 'rounding_mode', 'ignore_index', 'from_logits', 'log_target', 'unbiased', 'correction',
  'ddof', 'k', 'm', 'n', 'a', 'b', 'non_blocking', 'force',
]);

/** Binds call arguments to an op's parameters (implementation names), as OpArgs.bind does at run time. */
export function bindArgs(params: readonly ParamSpec[], args: readonly { name?: string; value: AValue; expr?: Expr }[], receiver?: BoundArg): Map<string, BoundArg> {
  const out = new Map<string, BoundArg>();
  if (receiver) out.set('x', receiver);
  const positional = args.filter((a) => !a.name);
  let i = 0;
  for (const p of params) {
    if (p.variadic) {
      const rest = positional.slice(i);
      i = positional.length;
      out.set(p.impl, { value: { ...taintOf(rest.map((r) => r.value)), items: rest.map((r) => r.value) } });
      continue;
    }
    if (i < positional.length) { const a = positional[i++]; out.set(p.impl, { value: a.value, expr: a.expr }); continue; }
    const kw = args.find((a) => a.name === p.source);
    if (kw) out.set(p.impl, { value: kw.value, expr: kw.expr });
  }
  return out;
}

/** The arguments that carry data into the result (not an axis, a dtype, a shape). */
export function dataArgs(bound: Map<string, BoundArg>): BoundArg[] {
  return [...bound].filter(([k]) => !structural.has(k)).map(([, v]) => v);
}

/** A domain check the reading asks for: `what` of `arg` needs arg away from 0 (or from −1 for log1p). */
export interface DomainCheck {
  what: 'log' | 'log1p' | 'sqrt' | 'reciprocal' | 'divide' | 'pow';
  arg: BoundArg;
  /** For pow: the exponent. */
  exponent?: number;
}

export interface OpResult {
  value: AValue;
  domain: DomainCheck[];
  /** exp of this argument (GP304 if its range is not bounded below 88). */
  exponent?: BoundArg;
}

const rangeFacts: [OpTag, Interval][] = [
  ['positive', POSITIVE], ['nonnegative', NONNEGATIVE], ['nonpositive', NONPOSITIVE], ['unit-interval', UNIT], ['symmetric-unit', SYMMETRIC_UNIT],
  ['norm', NONNEGATIVE], ['distance', NONNEGATIVE], ['similarity', SYMMETRIC_UNIT], ['one-hot', UNIT], ['argmax', NONNEGATIVE],
  ['squared-difference', NONNEGATIVE], ['softplus-form', REAL], ['log-sigmoid', NONPOSITIVE], ['log-softmax', NONPOSITIVE],
];

/** A dimension, a size: a count of at least 1 wherever there are values to compute on. */
export const COUNT: Interval = interval(1, Infinity);

/** A small positive constant (the framework's epsilon()). */
export const EPSILON: Interval = interval(0, 1e-3, true);

function numberOf(v: AValue | undefined): number | undefined {
  if (typeof v?.constant === 'number') return v.constant;
  if (v?.range && v.range.lo === v.range.hi && Number.isFinite(v.range.lo)) return v.range.lo;
  return undefined;
}

/** The range of x·y where one side is unknown: a value unbounded both ways stays so under any non-zero factor or shift. */
function withUnknown(a: Interval | undefined, b: Interval | undefined, f: (a: Interval, b: Interval) => Interval): Interval | undefined {
  if (a && b) return f(a, b);
  const k = a ?? b;
  return k && isReal(k) ? REAL : undefined;
}

export const ranges = {
  add: (a?: Interval, b?: Interval) => withUnknown(a, b, add),
  sub: (a?: Interval, b?: Interval) => withUnknown(a, b, sub),
  mul: (a?: Interval, b?: Interval) => withUnknown(a, b, mul),
  div: (a?: Interval, b?: Interval) => (a && b ? div(a, b) : a && isReal(a) ? REAL : undefined),
  pow: (a: Interval | undefined, k: number | undefined): Interval | undefined => {
    if (k !== undefined) return a ? pow(a, k) : Number.isInteger(k) && k > 0 && k % 2 === 0 ? NONNEGATIVE : undefined;
    // An unknown exponent: a positive base stays positive, a non-negative one non-negative.
    if (a && (a.lo > 0 || (a.lo === 0 && a.loOpen))) return POSITIVE;
    if (a && a.lo >= 0) return NONNEGATIVE;
    return undefined;
  },
};

/** Is the dtype as written an integer or boolean type (a cast to it has no gradient)? */
export function integerDtype(v: AValue | undefined): boolean {
  if (!v) return false;
  if (v.dtype) return isIntegerDtype(v.dtype);
  return typeof v.constant === 'string' && isIntegerDtype(v.constant);
}

/**
 * A framework op applied to bound arguments. `cut` builds the value of an op that stops the
 * gradient (GP301 nondiff/integer cast, GP302 graph break) from the arguments that reach it.
 */
export function applyOp(op: OpFacts, bound: Map<string, BoundArg>, cut: (code: Cut['code'], from: AValue[]) => Pick<AValue, 'pred' | 'grad' | 'cuts'>): OpResult {
  const tags = new Set(op.tags);
  const data = dataArgs(bound);
  const x = bound.get('x');
  const y = bound.get('y');
  const xr = x?.value.range;
  const yr = y?.value.range;
  const domain: DomainCheck[] = [];
  let exponent: BoundArg | undefined;
  let range: Interval | undefined;
  let taint = taintOf(data.map((d) => d.value));
  let nonzero: boolean | undefined;

  if (tags.has('metadata')) return { value: { pred: false, grad: false, cuts: [], range: COUNT, metadata: true }, domain };
  if (tags.has('graph-break')) {
    taint = cut('GP302', data.map((d) => d.value));
    range = xr;
  } else if (tags.has('cast')) {
    const toInteger = (op.fixed?.dtype?.t === 'str' && isIntegerDtype(op.fixed.dtype.v)) || [...bound.values()].some((b) => integerDtype(b.value));
    if (toInteger) { taint = cut('GP301', x ? [x.value] : []); range = xr && truncate(xr); } else range = xr;
  } else if (tags.has('nondiff')) {
    taint = cut('GP301', data.map((d) => d.value));
  }

  if (tags.has('exp')) {
    exponent = x;
    const e = exp(xr ?? REAL);
    // exp itself is positive; an exp op that is not (expm1) is still above −1 and below e^hi.
    range = tags.has('positive') ? e : interval(-1, e.hi, true, e.hiOpen);
  } else if (tags.has('log')) {
    if (x && !tags.has('logit')) domain.push({ what: tags.has('log1p') ? 'log1p' : 'log', arg: x });
    range = tags.has('logit') ? REAL : xr && log(tags.has('log1p') ? add(xr, interval(1, 1)) : xr);
  } else if (tags.has('sqrt') && !tags.has('norm') && !tags.has('distance')) {
    if (x) domain.push({ what: tags.has('reciprocal') ? 'reciprocal' : 'sqrt', arg: x });
    const s = xr && sqrt(xr);
    range = tags.has('reciprocal') ? s && (reciprocal(s) ?? POSITIVE) : s;
  } else if (tags.has('reciprocal')) {
    if (x) domain.push({ what: 'reciprocal', arg: x });
    range = xr && (reciprocal(xr) ?? REAL);
    nonzero = true;
  } else if (tags.has('quotient')) {
    if (y && !tags.has('guard')) domain.push({ what: 'divide', arg: y });
    range = ranges.div(xr, yr);
    if (tags.has('guard')) range = range && yr && !reciprocal(yr) ? join(range, interval(0, 0)) : range;
    nonzero = x?.value.nonzero;
  } else if (tags.has('fractional-pow')) {
    const k = numberOf(y?.value);
    if (x && k !== undefined) domain.push({ what: 'pow', arg: x, exponent: k });
    range = ranges.pow(xr, k);
  } else if (tags.has('pointwise-max') || tags.has('pointwise-min')) {
    const max = tags.has('pointwise-max');
    if (xr && yr) range = max ? interval(Math.max(xr.lo, yr.lo), Math.max(xr.hi, yr.hi), xr.lo >= yr.lo ? xr.loOpen : yr.loOpen, xr.hi >= yr.hi ? xr.hiOpen : yr.hiOpen)
      : interval(Math.min(xr.lo, yr.lo), Math.min(xr.hi, yr.hi), xr.lo <= yr.lo ? xr.loOpen : yr.loOpen, xr.hi <= yr.hi ? xr.hiOpen : yr.hiOpen);
    // max(unknown, c) ≥ c; min(unknown, c) ≤ c.
    else if (xr ?? yr) { const k = (xr ?? yr)!; range = max ? interval(k.lo, Infinity, k.loOpen) : interval(-Infinity, k.hi, true, k.hiOpen); }
  } else if (tags.has('guard') && (bound.has('min') || bound.has('max'))) {
    const lo = bound.get('min')?.value.range;
    const hi = bound.get('max')?.value.range;
    const bounds = interval(lo ? lo.lo : -Infinity, hi ? hi.hi : Infinity, lo?.loOpen ?? true, hi?.hiOpen ?? true);
    range = meet(xr ?? REAL, bounds);
  } else if (tags.has('add')) {
    const alpha = numberOf(bound.get('alpha')?.value);
    range = ranges.add(xr, bound.has('alpha') && alpha !== 1 ? (alpha === undefined ? undefined : yr && mul(yr, interval(alpha, alpha))) : yr);
  } else if (tags.has('subtract')) {
    range = ranges.sub(xr, yr);
  } else if (tags.has('multiply')) {
    range = ranges.mul(xr, yr);
    nonzero = !!x?.value.nonzero && !!y?.value.nonzero;
  } else if (tags.has('negate')) {
    range = xr && negate(xr);
    nonzero = x?.value.nonzero;
  } else if (tags.has('sum-reduce')) {
    range = xr && sumOf(xr);
  } else if (tags.has('logsumexp')) {
    range = xr && interval(xr.lo, Infinity, xr.loOpen);
  } else if (tags.has('mean-reduce') || tags.has('max-like') || tags.has('transparent') || tags.has('range-preserving') || (tags.has('guard') && x)) {
    // The result's values are drawn from (or averaged over) the data arguments' values.
    const parts = data.flatMap((d) => (d.value.items ? d.value.items : [d.value])).filter((v) => !v.metadata);
    range = parts.length && parts.every((p) => p.range) ? parts.map((p) => p.range!).reduce(join) : undefined;
    nonzero = parts.length > 0 && parts.every((p) => p.nonzero);
  }
  for (const [tag, fact] of rangeFacts) if (tags.has(tag)) range = range ? meet(range, fact) : fact;
  // A range from the op's own facts over an argument the reading does not know bounds the result without being reached.
  const vague = data.some((d) => !d.value.metadata && (!d.value.range || d.value.vague) && !d.value.items) || data.some((d) => d.value.items?.some((i) => !i.range || i.vague));
  if (tags.has('epsilon')) return { value: { ...taint, range: EPSILON, tensor: true }, domain };
  return { value: { ...taint, range, nonzero: nonzero || undefined, tensor: true, vague: (range && vague) || undefined }, domain, exponent };
}

/** Whether a value can be exactly 0. */
export function reachesZero(v: AValue): boolean {
  return !!v.range && !v.vague && contains(v.range, 0) && !v.nonzero;
}

/** Whether a value can be `x` or less (log at 0, log1p at −1, sqrt at 0). */
export function reachesDown(v: AValue, x: number): boolean {
  if (!v.range || v.vague) return false;
  return x === 0 ? reachesDownTo(v.range, 0) && !(v.nonzero && v.range.lo >= 0) : reachesDownTo(v.range, x);
}
