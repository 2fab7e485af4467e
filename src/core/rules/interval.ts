// Intervals of real numbers with open or closed ends: the range part of the source rules' reading.
// "Can this denominator reach 0?" is "does its interval contain 0?"; "is this exponent bounded
// above?" is "is its upper end finite (and below 88)?". Infinite ends are always open.

export interface Interval {
  lo: number;
  hi: number;
  loOpen: boolean;
  hiOpen: boolean;
}

export function interval(lo: number, hi: number, loOpen = false, hiOpen = false): Interval {
  return { lo, hi, loOpen: loOpen || lo === -Infinity, hiOpen: hiOpen || hi === Infinity };
}

export const REAL: Interval = interval(-Infinity, Infinity);
export const NONNEGATIVE: Interval = interval(0, Infinity);
export const POSITIVE: Interval = interval(0, Infinity, true);
export const NONPOSITIVE: Interval = interval(-Infinity, 0);
export const UNIT: Interval = interval(0, 1);
export const SYMMETRIC_UNIT: Interval = interval(-1, 1);

export function point(c: number): Interval {
  return interval(c, c);
}

export function contains(i: Interval, x: number): boolean {
  const aboveLo = i.lo < x || (i.lo === x && !i.loOpen);
  const belowHi = x < i.hi || (i.hi === x && !i.hiOpen);
  return aboveLo && belowHi;
}

/** Holds a value ≤ x (for log1p's −1, log's 0). */
export function reachesDownTo(i: Interval, x: number): boolean {
  return i.lo < x || (i.lo === x && !i.loOpen);
}

export function isReal(i: Interval): boolean {
  return i.lo === -Infinity && i.hi === Infinity;
}

export function same(a: Interval, b: Interval): boolean {
  return a.lo === b.lo && a.hi === b.hi && a.loOpen === b.loOpen && a.hiOpen === b.hiOpen;
}

export function join(a: Interval, b: Interval): Interval {
  const lo = Math.min(a.lo, b.lo);
  const hi = Math.max(a.hi, b.hi);
  const loOpen = (a.lo !== lo || a.loOpen) && (b.lo !== lo || b.loOpen);
  const hiOpen = (a.hi !== hi || a.hiOpen) && (b.hi !== hi || b.hiOpen);
  return interval(lo, hi, loOpen, hiOpen);
}

/** The intersection; an empty one (contradictory facts) keeps `a`. */
export function meet(a: Interval, b: Interval): Interval {
  const lo = Math.max(a.lo, b.lo);
  const hi = Math.min(a.hi, b.hi);
  const loOpen = (a.lo === lo && a.loOpen) || (b.lo === lo && b.loOpen);
  const hiOpen = (a.hi === hi && a.hiOpen) || (b.hi === hi && b.hiOpen);
  if (lo > hi || (lo === hi && (loOpen || hiOpen))) return a;
  return interval(lo, hi, loOpen, hiOpen);
}

/** Loop widening: an end that moved between two passes goes to infinity. */
export function widen(before: Interval, after: Interval): Interval {
  const j = join(before, after);
  return interval(j.lo < before.lo ? -Infinity : j.lo, j.hi > before.hi ? Infinity : j.hi, j.loOpen, j.hiOpen);
}

export function negate(a: Interval): Interval {
  return interval(-a.hi, -a.lo, a.hiOpen, a.loOpen);
}

export function add(a: Interval, b: Interval): Interval {
  const lo = a.lo + b.lo;
  const hi = a.hi + b.hi;
  // −∞ + ∞ cannot arise: a lower end is never +∞ and an upper end never −∞.
  return interval(lo, hi, a.loOpen || b.loOpen, a.hiOpen || b.hiOpen);
}

export function sub(a: Interval, b: Interval): Interval {
  return add(a, negate(b));
}

interface End { v: number; open: boolean }

/** The product of two ends; 0 · ∞ is the limit 0 (a closed 0 is reached, an open one approached). */
function endProduct(x: End, y: End): End {
  if ((x.v === 0 && !x.open) || (y.v === 0 && !y.open)) return { v: 0, open: false };
  if (x.v === 0 || y.v === 0) return { v: 0, open: true };
  return { v: x.v * y.v, open: x.open || y.open };
}

function extremes(ends: End[]): Interval {
  let lo = ends[0];
  let hi = ends[0];
  for (const e of ends) {
    if (e.v < lo.v || (e.v === lo.v && !e.open)) lo = e;
    if (e.v > hi.v || (e.v === hi.v && !e.open)) hi = e;
  }
  return interval(lo.v, hi.v, lo.open, hi.open);
}

export function mul(a: Interval, b: Interval): Interval {
  const as: End[] = [{ v: a.lo, open: a.loOpen }, { v: a.hi, open: a.hiOpen }];
  const bs: End[] = [{ v: b.lo, open: b.loOpen }, { v: b.hi, open: b.hiOpen }];
  return extremes(as.flatMap((x) => bs.map((y) => endProduct(x, y))));
}

/** 1/a, or undefined when a holds 0 (then the quotient is not a number everywhere). */
export function reciprocal(a: Interval): Interval | undefined {
  if (contains(a, 0) || (a.lo < 0 && a.hi > 0)) return undefined;
  const inv = (v: number, open: boolean, sideIfZero: 1 | -1): End => (v === 0 ? { v: sideIfZero * Infinity, open: true } : { v: 1 / v, open });
  if (a.lo >= 0) return extremes([inv(a.hi, a.hiOpen, 1), inv(a.lo, a.loOpen, 1)]);
  return extremes([inv(a.hi, a.hiOpen, -1), inv(a.lo, a.loOpen, -1)]);
}

export function div(a: Interval, b: Interval): Interval {
  const r = reciprocal(b);
  return r ? mul(a, r) : REAL;
}

/** A monotone increasing function applied to both ends. */
function increasing(a: Interval, f: (x: number) => number): Interval {
  return interval(f(a.lo), f(a.hi), a.loOpen, a.hiOpen);
}

export function exp(a: Interval): Interval {
  return increasing(a, Math.exp);
}

export function log(a: Interval): Interval {
  if (a.hi <= 0) return REAL;
  const lo = a.lo > 0 ? Math.log(a.lo) : -Infinity;
  return interval(lo, Math.log(a.hi), a.loOpen, a.hiOpen);
}

export function sqrt(a: Interval): Interval {
  if (a.hi < 0) return NONNEGATIVE;
  return a.lo >= 0 ? increasing(a, Math.sqrt) : interval(0, Math.sqrt(a.hi), false, a.hiOpen);
}

/** a ** k for a constant k. */
export function pow(a: Interval, k: number): Interval {
  if (k === 0) return point(1);
  if (k === 1) return a;
  if (Number.isInteger(k)) {
    if (k < 0) return reciprocal(pow(a, -k)) ?? REAL;
    if (k % 2 === 1) return increasing(a, (x) => x ** k);
    // Even: |a| ** k.
    if (a.lo >= 0) return increasing(a, (x) => x ** k);
    if (a.hi <= 0) return increasing(negate(a), (x) => x ** k);
    const top = Math.max(a.lo ** k, a.hi ** k);
    const topOpen = (a.lo ** k === top ? a.loOpen : true) && (a.hi ** k === top ? a.hiOpen : true);
    return interval(0, top, false, topOpen);
  }
  // A fractional power is real on a ≥ 0 only; what a < 0 gives is a domain problem reported elsewhere.
  const base = meet(a, NONNEGATIVE);
  if (a.hi < 0) return NONNEGATIVE;
  return k > 0 ? increasing(base, (x) => x ** k) : reciprocal(increasing(base, (x) => x ** -k)) ?? POSITIVE;
}

/** A sum of n ≥ 1 terms each in a (n unknown): its sign is a's sign. */
export function sumOf(a: Interval): Interval {
  if (a.lo >= 0) return interval(a.lo, a.hi === 0 ? 0 : Infinity, a.loOpen, a.hi !== 0);
  if (a.hi <= 0) return interval(a.lo === 0 ? 0 : -Infinity, a.hi, a.lo !== 0, a.hiOpen);
  return REAL;
}

/** A cast to an integer type truncates toward 0. */
export function truncate(a: Interval): Interval {
  return interval(Math.trunc(a.lo), Math.trunc(a.hi));
}

const fmt = (v: number): string => (v === Infinity ? '∞' : v === -Infinity ? '−∞' : Number.isInteger(v) ? String(v) : Math.abs(v) < 1e-3 || Math.abs(v) >= 1e4 ? v.toExponential(0) : String(Number(v.toPrecision(3))));

export function formatInterval(a: Interval): string {
  if (a.lo === a.hi) return fmt(a.lo);
  return `${a.loOpen ? '(' : '['}${fmt(a.lo)}, ${fmt(a.hi)}${a.hiOpen ? ')' : ']'}`;
}
