// The tensor-size cap, checked before an op allocates: a broadcast of a 2,001-point sweep against a
// (1, 10⁶) tensor must be refused up front, not computed for a minute and refused afterwards.
import { ProbeBudgetExceeded } from '../ir/errors';

/** Elements of an elementwise result over these shapes (NumPy broadcasting; a mismatch counts its larger side). */
export function broadcastElements(...shapes: readonly (readonly number[])[]): number {
  const rank = Math.max(0, ...shapes.map((s) => s.length));
  let n = 1;
  for (let k = 1; k <= rank; k++) n *= Math.max(1, ...shapes.map((s) => s[s.length - k] ?? 1));
  return n;
}

/** Elements of a matrix product's result (batch dimensions broadcast). */
export function matmulElements(a: readonly number[], b: readonly number[]): number {
  const rows = a.length >= 2 ? a[a.length - 2] : 1;
  const cols = b.length >= 2 ? b[b.length - 1] : 1;
  return broadcastElements(a.slice(0, -2), b.slice(0, -2)) * rows * cols;
}

/** GP002 (a budget) when a result would have more elements than the probe allows. */
export function refuseLarger(elements: number, max: number, what: string): void {
  if (!Number.isFinite(elements) || elements > max) throw new ProbeBudgetExceeded(`${what} would make a tensor of ${elements} elements (the probe allows ${max})`);
}
