// Tables from plot models: one table per view (the plots' shared x and every series as a column, or
// a long table when the plots' x differ), written as CSV for export and shown, thinned, as each
// plot's data-table alternative. NaN and ±Inf are written as such, never as empty cells.
import type { PanelFinding } from '../../src/shared/panelMessages';
import type { PlotModel } from './shapeCommon';

export interface DataTable {
  headers: string[];
  rows: (number | string)[][];
}

const sameX = (a: readonly number[], b: readonly number[]): boolean => a.length === b.length && a.every((v, i) => v === b[i]);

/** The plots of a view as one table: wide when they share x, long (plot, series, x, y) otherwise. */
export function viewTable(plots: readonly PlotModel[]): DataTable {
  if (!plots.length) return { headers: [], rows: [] };
  const first = plots[0];
  if (plots.every((p) => sameX(p.x, first.x))) {
    const columns = plots.flatMap((p) => p.series.map((s) => ({ header: plots.length > 1 ? `${p.title} — ${s.label}` : s.label, raw: s.raw })));
    return {
      headers: [first.xLabel, ...columns.map((c) => c.header)],
      rows: first.x.map((x, i) => [x, ...columns.map((c) => c.raw[i])]),
    };
  }
  const rows: (number | string)[][] = [];
  for (const p of plots) for (const s of p.series) p.x.forEach((x, i) => rows.push([p.title, s.label, x, s.raw[i]]));
  return { headers: ['plot', 'series', 'x', 'y'], rows };
}

/** A cell as CSV writes it: numbers at full precision, NaN/Inf spelled out, text quoted when needed. */
export function csvCell(v: number | string | null | undefined): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') {
    if (Number.isNaN(v)) return 'NaN';
    if (v === Infinity) return 'Inf';
    if (v === -Infinity) return '-Inf';
    return String(v);
  }
  // A leading =, +, - or @ would be a formula in a spreadsheet: quote and prefix it.
  const text = /^[=+\-@]/.test(v) && !/^-?\d/.test(v) ? `'${v}` : v;
  return /[",\n\r]/.test(text) || text !== v ? `"${text.replace(/"/g, '""')}"` : text;
}

export function toCsv(table: DataTable): string {
  return [table.headers, ...table.rows].map((row) => row.map(csvCell).join(',')).join('\r\n') + '\r\n';
}

/** At most `max` rows, evenly spaced, always keeping the first and the last (for the on-screen table). */
export function thinRows<T>(rows: readonly T[], max: number): T[] {
  if (rows.length <= max || max < 2) return rows.slice(0, Math.max(max, 0));
  const step = (rows.length - 1) / (max - 1);
  return Array.from({ length: max }, (_, k) => rows[Math.round(k * step)]);
}

export function findingsTable(findings: readonly PanelFinding[]): DataTable {
  return {
    headers: ['code', 'severity', 'line', 'message', 'evidence'],
    rows: findings.map((f) => [f.code, f.severity, f.span.startLine + 1, f.message, JSON.stringify(f.evidence)]),
  };
}

/** A file name from the user's function name: letters, digits, dot, dash, underscore only. */
export function exportFileName(fnName: string, view: string, ext: 'png' | 'csv'): string {
  const base = `${fnName}-${view}`.replace(/[^\w.-]+/g, '_').replace(/\.{2,}/g, '.').replace(/^[._-]+/, '').slice(0, 100) || 'gradprobe';
  return `${base}.${ext}`;
}
