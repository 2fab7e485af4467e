// A small SVG of f and f′ from a probe's sweep, for hovers and the report document. The series
// shaping (downsampling, robust y-range, breaks at non-finite values) is apart from the drawing.
import { formatNumber } from '../core/findings/formatNumber';
import type { FunctionReportData } from '../core/findings/types';

export interface Sweep { x: number[]; f: number[]; df: number[] }

export interface PlotSeries {
  xRange: [number, number];
  yRange: [number, number];
  /** Polylines per series; a non-finite value (or one off the chart) breaks the line. */
  f: [number, number][][];
  df: [number, number][][];
}

/** An activation report's sweep, when it has one worth plotting (two points or more). */
export function sweepOf(data: FunctionReportData | undefined): Sweep | undefined {
  if (data?.kind !== 'activation' || data.sweep.x.length < 2) return undefined;
  return data.sweep;
}

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.round(q * (sorted.length - 1))))];
}

export function plotSeries(sweep: Sweep, points = 160): PlotSeries {
  const n = sweep.x.length;
  const step = Math.max(1, Math.floor(n / points));
  const idx: number[] = [];
  for (let i = 0; i < n; i += step) idx.push(i);
  if (idx[idx.length - 1] !== n - 1) idx.push(n - 1);
  const finite = [...idx.map((i) => sweep.f[i]), ...idx.map((i) => sweep.df[i])].filter(Number.isFinite).sort((a, b) => a - b);
  // A robust range: an overflow at the sweep's edge should not flatten everything else.
  let lo = quantile(finite, 0.02);
  let hi = quantile(finite, 0.98);
  lo = Math.min(lo, 0);
  hi = Math.max(hi, 0);
  if (hi - lo < 1e-9) { hi += 1; lo -= 1; }
  const pad = (hi - lo) * 0.08;
  const yRange: [number, number] = [lo - pad, hi + pad];
  const line = (ys: number[]): [number, number][][] => {
    const out: [number, number][][] = [];
    let cur: [number, number][] = [];
    for (const i of idx) {
      const y = ys[i];
      if (!Number.isFinite(y) || y < yRange[0] || y > yRange[1]) {
        if (cur.length) out.push(cur);
        cur = [];
      } else cur.push([sweep.x[i], y]);
    }
    if (cur.length) out.push(cur);
    return out;
  };
  return { xRange: [sweep.x[idx[0]], sweep.x[idx[idx.length - 1]]], yRange, f: line(sweep.f), df: line(sweep.df) };
}

const fColour = '#3794ff';
const dfColour = '#e8912d';

export function plotSvg(series: PlotSeries, width = 300, height = 140): string {
  const m = { l: 8, r: 8, t: 8, b: 18 };
  const sx = (x: number): number => m.l + ((x - series.xRange[0]) / (series.xRange[1] - series.xRange[0] || 1)) * (width - m.l - m.r);
  const sy = (y: number): number => m.t + (1 - (y - series.yRange[0]) / (series.yRange[1] - series.yRange[0])) * (height - m.t - m.b);
  const path = (lines: [number, number][][], colour: string): string => lines
    .filter((l) => l.length > 1)
    .map((l) => `<polyline fill="none" stroke="${colour}" stroke-width="1.6" points="${l.map(([x, y]) => `${sx(x).toFixed(1)},${sy(y).toFixed(1)}`).join(' ')}"/>`)
    .join('');
  const axisY = sy(0);
  const axisX = sx(0);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`
    + `<rect width="${width}" height="${height}" fill="#80808014"/>`
    + `<line x1="${m.l}" y1="${axisY.toFixed(1)}" x2="${width - m.r}" y2="${axisY.toFixed(1)}" stroke="#888" stroke-width="0.6"/>`
    + (axisX > m.l && axisX < width - m.r ? `<line x1="${axisX.toFixed(1)}" y1="${m.t}" x2="${axisX.toFixed(1)}" y2="${height - m.b}" stroke="#888" stroke-width="0.6"/>` : '')
    + path(series.df, dfColour) + path(series.f, fColour)
    + `<text x="${m.l}" y="${height - 4}" font-family="sans-serif" font-size="10" fill="#888">${formatNumber(series.xRange[0])}</text>`
    + `<text x="${width - m.r}" y="${height - 4}" font-family="sans-serif" font-size="10" fill="#888" text-anchor="end">${formatNumber(series.xRange[1])}</text>`
    + `<text x="${width / 2 - 30}" y="${height - 4}" font-family="sans-serif" font-size="10" fill="${fColour}">f</text>`
    + `<text x="${width / 2 - 12}" y="${height - 4}" font-family="sans-serif" font-size="10" fill="${dfColour}">f′</text>`
    + `</svg>`;
}

export function plotDataUri(sweep: Sweep): string {
  return `data:image/svg+xml;base64,${base64Utf8(plotSvg(plotSeries(sweep)))}`;
}

/** Base64 of a string's UTF-8 bytes, with the web platform's btoa (the same on Node and in a browser worker). */
function base64Utf8(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}
