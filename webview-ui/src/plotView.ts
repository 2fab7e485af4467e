// The renderer: draws one PlotModel with uPlot in the theme's colours. It computes nothing about the
// data (that is shape*.ts); it maps the model's series, shaded regions and axis marks onto a canvas.
import uPlot from 'uplot';
import { formatNumber, type MarkerModel, type PlotModel, type RegionModel } from './shapeCommon';
import type { Theme } from './theme';

export const PLOT_HEIGHT = 220;

function drawRegions(u: uPlot, regions: readonly RegionModel[], theme: Theme): void {
  if (!regions.length) return;
  const ctx = u.ctx;
  const { top, height } = u.bbox;
  ctx.save();
  ctx.globalAlpha = theme.kind.startsWith('high-contrast') ? 0.28 : 0.16;
  for (const r of regions) {
    const x0 = u.valToPos(r.from, 'x', true);
    const x1 = u.valToPos(r.to, 'x', true);
    ctx.fillStyle = r.kind === 'dead' ? theme.dead : theme.saturated;
    ctx.fillRect(Math.min(x0, x1), top, Math.max(Math.abs(x1 - x0), 1), height);
  }
  ctx.restore();
}

/** NaN/Inf on the x-axis: a bar along a run of points, a triangle at a lone point. */
function drawMarkers(u: uPlot, markers: readonly MarkerModel[], theme: Theme): void {
  if (!markers.length) return;
  const ctx = u.ctx;
  const dpr = uPlot.pxRatio;
  const y = u.bbox.top + u.bbox.height;
  ctx.save();
  ctx.fillStyle = theme.error;
  ctx.strokeStyle = theme.error;
  for (const m of markers) {
    const x0 = u.valToPos(m.from, 'x', true);
    const x1 = u.valToPos(m.to, 'x', true);
    if (x1 - x0 >= 4 * dpr) ctx.fillRect(x0, y - 4 * dpr, x1 - x0, 4 * dpr);
    const cx = (x0 + x1) / 2;
    ctx.beginPath();
    ctx.moveTo(cx, y - 9 * dpr);
    ctx.lineTo(cx - 5 * dpr, y);
    ctx.lineTo(cx + 5 * dpr, y);
    ctx.closePath();
    ctx.fill();
  }
  ctx.restore();
}

const decadeOf = (v: number): number => Math.round(Math.log10(v));
const isDecade = (v: number): boolean => v > 0 && Math.abs(Math.log10(v) - decadeOf(v)) < 1e-9;
/** A decade's tick label: 1e-6 rather than 1.00e-6; between 1e-3 and 1e4, the panel's number formatter. */
const decadeLabel = (v: number): string => {
  const a = Math.abs(v);
  if (a >= 1e4 || a < 1e-3) return `${v < 0 ? '-' : ''}1e${decadeOf(a)}`;
  return formatNumber(v);
};

/** Log axes: ticks, grid and labels at powers of ten only, thinned to about six when the range spans many. */
function logAxisFilter(u: uPlot, splits: number[]): (number | null)[] {
  const decades = splits.filter(isDecade);
  const every = Math.max(1, Math.ceil(decades.length / 6));
  return splits.map((v) => (isDecade(v) && decadeOf(v) % every === 0 ? v : null));
}

export class PlotView {
  private plot: uPlot | undefined;

  constructor(private readonly host: HTMLElement) {}

  /** Draws the model (a new chart each time: the series, scales and colours may all have changed). */
  draw(model: PlotModel, theme: Theme, width: number): void {
    this.destroy();
    const axis = (label: string, log = false): uPlot.Axis => ({
      label,
      stroke: theme.foreground,
      font: theme.font,
      labelFont: theme.font,
      grid: { stroke: theme.grid, width: 1, ...(log ? { filter: logAxisFilter } : {}) },
      ticks: { stroke: theme.grid, width: 1, ...(log ? { filter: logAxisFilter } : {}) },
      ...(log ? { filter: logAxisFilter, values: (_u: uPlot, splits: number[]) => splits.map((v) => (v === null || !isDecade(v) ? '' : decadeLabel(v))) } : {}),
    });
    const opts: uPlot.Options = {
      width: Math.max(240, Math.floor(width)),
      height: PLOT_HEIGHT,
      legend: { show: false },
      cursor: { drag: { x: false, y: false }, sync: { key: 'gradprobe' } },
      scales: { x: { time: false }, y: model.logY ? { distr: 3 } : {} },
      axes: [axis(model.xLabel), { ...axis(model.yLabel, model.logY), size: 64 }],
      series: [
        {},
        ...model.series.map((s): uPlot.Series => ({
          label: s.label,
          stroke: theme.series[s.color],
          width: s.emphasis ? theme.lineWidth : Math.max(1, theme.lineWidth - 0.75),
          dash: s.dash ? [6, 4] : undefined,
          points: { show: false },
          spanGaps: false,
        })),
      ],
      hooks: {
        drawClear: [(u) => drawRegions(u, model.regions, theme)],
        draw: [(u) => drawMarkers(u, model.markers, theme)],
      },
    };
    const data: uPlot.AlignedData = [model.x, ...model.series.map((s) => s.values)];
    this.plot = new uPlot(opts, data, this.host);
    this.host.dataset.seriesColors = JSON.stringify([...new Set(model.series.map((s) => theme.series[s.color]))]);
  }

  canvas(): HTMLCanvasElement | undefined {
    return this.plot?.ctx.canvas;
  }

  destroy(): void {
    this.plot?.destroy();
    this.plot = undefined;
  }
}
