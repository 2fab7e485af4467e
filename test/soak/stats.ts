// The soak run's figures: answer-time quantiles, the RSS slope over edits after the warm-up, and the
// closing line. Pure functions, unit-tested (test/unit/soak.test.ts).

export interface Quantiles { n: number; p50: number; p95: number; max: number }

export function quantiles(xs: number[]): Quantiles {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number): number => (s.length ? s[Math.min(s.length - 1, Math.floor(p * s.length))] : NaN);
  return { n: s.length, p50: q(0.5), p95: q(0.95), max: s.length ? s[s.length - 1] : NaN };
}

/** Least-squares slope of y over x; NaN with fewer than two distinct x. */
export function slope(points: { x: number; y: number }[]): number {
  const n = points.length;
  if (n < 2) return NaN;
  const mx = points.reduce((a, p) => a + p.x, 0) / n;
  const my = points.reduce((a, p) => a + p.y, 0) / n;
  let sxx = 0;
  let sxy = 0;
  for (const p of points) {
    sxx += (p.x - mx) ** 2;
    sxy += (p.x - mx) * (p.y - my);
  }
  return sxx === 0 ? NaN : sxy / sxx;
}

/** The edits that count as warm-up (caches filling, the worker's first probes): 1,000, or a tenth of a shorter run. */
export function warmupEdits(totalEdits: number): number {
  return Math.min(1000, Math.floor(totalEdits / 10));
}

export interface MemorySample { edits: number; rssMb: number }

export interface RssTrend {
  /** RSS at the first sample after the warm-up, and at the last sample, MB. */
  startMb: number;
  endMb: number;
  /** MB per 1,000 edits, fitted over the samples after the warm-up. */
  slopePer1000: number;
  samples: number;
}

export function rssTrend(samples: MemorySample[], totalEdits: number): RssTrend {
  const warm = warmupEdits(totalEdits);
  const after = samples.filter((s) => s.edits >= warm && s.rssMb > 0);
  return {
    startMb: after[0]?.rssMb ?? NaN,
    endMb: after[after.length - 1]?.rssMb ?? NaN,
    slopePer1000: slope(after.map((s) => ({ x: s.edits, y: s.rssMb }))) * 1000,
    samples: after.length,
  };
}

export interface SoakTotals {
  requests: number;
  edits: number;
  rss: RssTrend;
  /** Live tensors in the probe worker at the first and the last sample that read them; undefined when none did. */
  tensorsStart?: number;
  tensorsEnd?: number;
  unanswered: number;
  crashes: number;
}

const num = (v: number | undefined, digits = 0): string => (v === undefined || !Number.isFinite(v) ? 'n/a' : v.toFixed(digits));

/** `soak: N requests, M edits, RSS A MB → B MB (slope S MB per 1,000 edits), tensors T0 → T1, U unanswered, C crashes` */
export function summaryLine(t: SoakTotals): string {
  return `soak: ${t.requests} requests, ${t.edits} edits, RSS ${num(t.rss.startMb)} MB → ${num(t.rss.endMb)} MB (slope ${num(t.rss.slopePer1000, 2)} MB per 1,000 edits), tensors ${num(t.tensorsStart)} → ${num(t.tensorsEnd)}, ${t.unanswered} unanswered, ${t.crashes} crashes`;
}
