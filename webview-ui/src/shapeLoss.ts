// The loss view: loss and ‖∂loss/∂y_pred‖ along one 1-D slice through y_pred = y_true with the
// baseline loss overlaid, points where the loss gave no finite value marked; the boundary cases in a
// table with the non-finite ones flagged; a 2-D landscape as a heatmap when the core provides one.
import { fromWire, type LossPanel } from '../../src/shared/panelMessages';
import { clampLogSeries, decode, drawable, formatNumber, nonFiniteMarkers, summarise, type PlotModel, type SeriesModel } from './shapeCommon';

export interface LossViewOptions {
  slice: number;
  /** ‖∂loss/∂y_pred‖ on a log scale. */
  logGrad: boolean;
}

/** The slice to show: the asked one when it exists, else the first. */
export const sliceIndex = (l: LossPanel, asked: number | undefined): number => (asked !== undefined && asked >= 0 && asked < l.slices.length ? asked : 0);

export function lossPlots(l: LossPanel, fnName: string, o: LossViewOptions): PlotModel[] {
  const slice = l.slices[sliceIndex(l, o.slice)];
  if (!slice) return [];
  const x = slice.t;
  const plot = (id: string, title: string, yLabel: string, own: number[], base: number[], logY: boolean): PlotModel => {
    const drawn: SeriesModel[] = [
      { label: fnName, color: 'fn', values: drawable(own, logY), raw: own, emphasis: true },
      { label: `${l.baseline} (baseline)`, color: 'base', values: drawable(base, logY), raw: base, dash: true },
    ];
    const series = logY ? clampLogSeries(drawn) : drawn;
    const markers = nonFiniteMarkers(x, own, fnName);
    return { id, title, xLabel: `s along "${slice.label}" (0 = target)`, yLabel, x, series, logY, regions: [], markers, summary: summarise(`${title}, slice "${slice.label}"`, x, series, markers) };
  };
  return [
    plot('loss-value', 'loss along the slice', 'loss', decode(slice.loss), decode(slice.baselineLoss), false),
    plot('loss-grad', o.logGrad ? '‖∂loss/∂y_pred‖ along the slice (log scale)' : '‖∂loss/∂y_pred‖ along the slice', '‖∂loss/∂y_pred‖', decode(slice.gradNorm), decode(slice.baselineGradNorm), o.logGrad),
  ];
}

export interface BoundaryRow { label: string; loss: string; gradNorm: string; finite: boolean }

/** The boundary cases; `finite` is false where the loss or its gradient was NaN/Inf (or not computed). */
export function boundaryRows(l: LossPanel): BoundaryRow[] {
  return l.boundary.map((c) => {
    const loss = fromWire(c.loss);
    const grad = fromWire(c.gradNorm);
    return { label: c.label, loss: formatNumber(loss), gradNorm: formatNumber(grad), finite: Number.isFinite(loss) && Number.isFinite(grad) };
  });
}

export interface HeatmapModel {
  label: string;
  x: number[];
  y: number[];
  /** Per cell in [0, 1] along the colour scale (log of the loss when it spans decades); null where not finite. */
  level: (number | null)[][];
  min: number;
  max: number;
  log: boolean;
}

export function heatmap(l: LossPanel): HeatmapModel | undefined {
  const g = l.grid;
  if (!g || !g.loss.length) return undefined;
  const values = g.loss.map((row) => decode(row));
  const finite = values.flat().filter((v) => Number.isFinite(v));
  if (!finite.length) return { label: g.label, x: g.x, y: g.y, level: values.map((r) => r.map(() => null)), min: NaN, max: NaN, log: false };
  const min = Math.min(...finite);
  const max = Math.max(...finite);
  const log = min > 0 && max / min > 100;
  const t = (v: number): number => (log ? Math.log(v / min) / Math.log(max / min) : max > min ? (v - min) / (max - min) : 0.5);
  return { label: g.label, x: g.x, y: g.y, level: values.map((r) => r.map((v) => (Number.isFinite(v) ? t(v) : null))), min, max, log };
}

/** The landscape as a table: one row per y, one column per x (the heatmap's data-table alternative and CSV). */
export function heatmapTable(l: LossPanel): { headers: string[]; rows: (number | string)[][] } | undefined {
  const g = l.grid;
  if (!g) return undefined;
  return {
    headers: ['y \\ x', ...g.x.map((x) => formatNumber(x))],
    rows: g.y.map((y, r) => [y, ...decode(g.loss[r] ?? [])]),
  };
}
