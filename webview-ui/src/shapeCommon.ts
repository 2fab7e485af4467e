// The plot models the renderer draws, and the shaping every view shares: decoding the wire's
// numbers, gaps where a value is not finite (or not positive on a log scale), marks on the axis where
// NaN or Inf occurs, shaded x-intervals, number formatting. Pure functions: no DOM, unit-tested.
import { fromWire, type WireNumber } from '../../src/shared/panelMessages';

/** Which theme colour a series takes (theme.ts maps each to a --vscode-* variable). */
export type ColorKey =
  | 'fn' | 'fnAlt' | 'base' | 'baseAlt'
  | 'ReLU' | 'GELU' | 'SiLU' | 'tanh' | 'sigmoid';

export interface SeriesModel {
  label: string;
  color: ColorKey;
  /** What is drawn: null leaves a gap. */
  values: (number | null)[];
  /** The measured values (NaN and ±Infinity kept), for the CSV and the data table. */
  raw: number[];
  dash?: boolean;
  /** Thicker for the function under study. */
  emphasis?: boolean;
}

export type RegionKind = 'dead' | 'saturated';
export interface RegionModel { from: number; to: number; kind: RegionKind }

export type MarkKind = 'NaN' | '+Inf' | '-Inf';
/** A run of consecutive points where a curve is not finite: drawn on the x-axis. */
export interface MarkerModel { from: number; to: number; kind: MarkKind; series: string; count: number }

export interface PlotModel {
  id: string;
  title: string;
  xLabel: string;
  yLabel: string;
  x: number[];
  series: SeriesModel[];
  logY: boolean;
  regions: RegionModel[];
  markers: MarkerModel[];
  /** One sentence for screen readers (the plot's aria-label). */
  summary: string;
}

export const decode = (values: readonly WireNumber[]): number[] => values.map(fromWire);

/** The drawn values: gaps where not finite, and where not positive on a log scale. */
export function drawable(values: readonly number[], logY: boolean): (number | null)[] {
  return values.map((v) => (Number.isFinite(v) && (!logY || v > 0) ? v : null));
}

/**
 * On a log scale, values more than 20 decades below the plot's largest (or under 1e-30) are left out:
 * the axis would span more decades than it can label, and nothing there is readable anyway.
 */
export function clampLogSeries(series: readonly SeriesModel[]): SeriesModel[] {
  let max = 0;
  for (const s of series) for (const v of s.values) if (v !== null && v > max) max = v;
  const floor = Math.max(max * 1e-20, 1e-30);
  return series.map((s) => ({ ...s, values: s.values.map((v) => (v !== null && v >= floor && v <= 1e30 ? v : null)) }));
}

const markKind = (v: number): MarkKind | undefined => (Number.isNaN(v) ? 'NaN' : v === Infinity ? '+Inf' : v === -Infinity ? '-Inf' : undefined);

/** Runs of consecutive non-finite values of one curve, as x-intervals (a lone point has from = to). */
export function nonFiniteMarkers(x: readonly number[], values: readonly number[], series: string): MarkerModel[] {
  const out: MarkerModel[] = [];
  let run: MarkerModel | undefined;
  for (let i = 0; i < x.length; i++) {
    const kind = markKind(values[i]);
    if (kind && run && run.kind === kind) {
      run.to = x[i];
      run.count++;
      continue;
    }
    if (run) out.push(run);
    run = kind ? { from: x[i], to: x[i], kind, series, count: 1 } : undefined;
  }
  if (run) out.push(run);
  return out;
}

/**
 * Intervals where the slope is exactly 0 (dead) or 0 < |f′| < threshold (saturated), each at least
 * two points long (a single zero is a kink, not a region). Non-finite slopes end a run.
 */
export function slopeRegions(x: readonly number[], slope: readonly number[], saturatedSlope: number): RegionModel[] {
  const kindAt = (v: number): RegionKind | undefined => {
    if (!Number.isFinite(v)) return undefined;
    if (v === 0) return 'dead';
    return Math.abs(v) < saturatedSlope ? 'saturated' : undefined;
  };
  const out: RegionModel[] = [];
  let start = -1;
  let kind: RegionKind | undefined;
  const close = (end: number): void => {
    if (kind && start >= 0 && end - start >= 1) out.push({ from: x[start], to: x[end], kind });
  };
  for (let i = 0; i < x.length; i++) {
    const k = kindAt(slope[i]);
    if (k === kind) continue;
    close(i - 1);
    kind = k;
    start = i;
  }
  close(x.length - 1);
  return out;
}

/** Indices of x within [-half, half] (with a little slack for rounding). */
export function windowIndices(x: readonly number[], half: number): number[] {
  const slack = 1e-9 * Math.max(1, half);
  const out: number[] = [];
  for (let i = 0; i < x.length; i++) if (Math.abs(x[i]) <= half + slack) out.push(i);
  return out;
}

export const pickAt = <T>(values: readonly T[], idx: readonly number[]): T[] => idx.map((i) => values[i]);

/**
 * Short, readable numbers for labels, tables and summaries: the panel's one number formatter. Three
 * significant digits, exponent form outside [1e-3, 1e4), NaN, +Inf, -Inf, and — for a missing value.
 * The same rules as the core's (src/core/findings/formatNumber.ts), which this page must not import.
 */
export function formatNumber(v: number | null | undefined): string {
  if (v === null || v === undefined) return '—';
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e4 || a < 1e-3) return v.toExponential(2);
  return String(Number(v.toPrecision(3)));
}

/** Evidence for display: every number in it (nested too) through formatNumber; strings as they are. */
export function formatEvidence(v: unknown, depth = 0): string {
  if (typeof v === 'number') return formatNumber(v);
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean' || v === null || v === undefined) return String(v);
  if (depth > 6) return '…';
  if (Array.isArray(v)) return `[${v.map((x) => formatEvidence(x, depth + 1)).join(', ')}]`;
  if (typeof v === 'object') return `{${Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined).map(([k, x]) => `${k}: ${formatEvidence(x, depth + 1)}`).join(', ')}}`;
  return String(v);
}

/** Range of the finite values, for summaries. */
export function finiteRange(values: readonly number[]): { min: number; max: number } | undefined {
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) if (Number.isFinite(v)) { if (v < min) min = v; if (v > max) max = v; }
  return min <= max ? { min, max } : undefined;
}

/** "NaN at 12 points (x = -3 … -1.2)" etc., for a plot's summary. */
export function describeMarkers(markers: readonly MarkerModel[]): string {
  if (!markers.length) return '';
  const byKind = new Map<MarkKind, MarkerModel[]>();
  for (const m of markers) byKind.set(m.kind, [...(byKind.get(m.kind) ?? []), m]);
  return [...byKind].map(([kind, ms]) => {
    const count = ms.reduce((a, m) => a + m.count, 0);
    const first = ms[0];
    const last = ms[ms.length - 1];
    const where = first.from === last.to ? `x = ${formatNumber(first.from)}` : `x from ${formatNumber(first.from)} to ${formatNumber(last.to)}`;
    return `${kind} at ${count} point${count === 1 ? '' : 's'} (${where})`;
  }).join('; ');
}

export function describeRegions(regions: readonly RegionModel[]): string {
  if (!regions.length) return '';
  const parts = regions.slice(0, 4).map((r) => `${r.kind} on [${formatNumber(r.from)}, ${formatNumber(r.to)}]`);
  return parts.join(', ') + (regions.length > 4 ? ` and ${regions.length - 4} more` : '');
}

/** A sentence describing a plot's curves, for its aria-label. */
export function summarise(title: string, x: readonly number[], series: readonly SeriesModel[], markers: readonly MarkerModel[], regions: readonly RegionModel[] = []): string {
  const xr = finiteRange(x);
  const parts = [`${title}${xr ? ` for x from ${formatNumber(xr.min)} to ${formatNumber(xr.max)}` : ''}`];
  for (const s of series) {
    const r = finiteRange(s.raw);
    parts.push(r ? `${s.label} from ${formatNumber(r.min)} to ${formatNumber(r.max)}` : `${s.label} has no finite values`);
  }
  const m = describeMarkers(markers);
  if (m) parts.push(m);
  const g = describeRegions(regions);
  if (g) parts.push(`shaded: ${g}`);
  return `${parts.join('; ')}.`;
}
