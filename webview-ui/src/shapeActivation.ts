// The activation view's plots: f, f′ (or |f′| on a log scale) and f″ over the visible part of the
// sweep, the chosen baselines overlaid, dead and saturated stretches shaded, NaN/Inf runs marked.
import type { ActivationPanel, BaselineActivation } from '../../src/shared/panelMessages';
import {
  clampLogSeries, decode, drawable, nonFiniteMarkers, pickAt, slopeRegions, summarise, windowIndices, type PlotModel, type SeriesModel,
} from './shapeCommon';

export interface ActivationViewOptions {
  /** Visible half-width; at most the sweep's range (a wider one needs a re-probe). */
  range: number;
  baselines: readonly BaselineActivation[];
  /** |f′| on a log scale. */
  logSlope: boolean;
}

type Curve = 'f' | 'df' | 'd2f';

const titles: Record<Curve, string> = { f: 'f(x)', df: 'f′(x)', d2f: 'f″(x)' };

/** The visible half-width: what was asked, clamped to the sweep. */
export function visibleRange(a: ActivationPanel, asked: number | undefined): number {
  if (asked === undefined || !(asked > 0)) return a.range;
  return Math.min(asked, a.range);
}

/** Does showing this half-width need a new sweep from the server? */
export const needsReprobe = (a: ActivationPanel, asked: number): boolean => asked > a.range * (1 + 1e-9);

export function activationPlots(a: ActivationPanel, fnName: string, o: ActivationViewOptions): PlotModel[] {
  const idx = windowIndices(a.x, visibleRange(a, o.range));
  const x = pickAt(a.x, idx);
  const own: Record<Curve, number[]> = { f: pickAt(decode(a.f), idx), df: pickAt(decode(a.df), idx), d2f: pickAt(decode(a.d2f), idx) };
  const regions = slopeRegions(x, own.df, a.saturatedSlope);
  const chosen = a.baselines.filter((b) => o.baselines.includes(b.name));
  return (['f', 'df', 'd2f'] as Curve[]).map((curve) => {
    const logY = curve === 'df' && o.logSlope;
    const transform = (v: number): number => (logY ? Math.abs(v) : v);
    const label = logY ? `|${titles.df.replace('(x)', '')}|` : titles[curve];
    const ownRaw = own[curve].map(transform);
    const drawn: SeriesModel[] = [
      { label: `${fnName}: ${label}`, color: 'fn', values: drawable(ownRaw, logY), raw: ownRaw, emphasis: true },
      ...chosen.map((b): SeriesModel => {
        const raw = pickAt(b[curve], idx).map(transform);
        return { label: `${b.name}: ${label}`, color: b.name, values: drawable(raw, logY), raw, dash: true };
      }),
    ];
    const series = logY ? clampLogSeries(drawn) : drawn;
    // Marks come from the function itself: the raw curve, before |·| or the log scale's gaps.
    const markers = nonFiniteMarkers(x, own[curve], fnName);
    const title = logY ? '|f′(x)| (log scale)' : titles[curve];
    return {
      id: `activation-${curve}`,
      title,
      xLabel: 'x',
      yLabel: logY ? '|f′|' : titles[curve].replace('(x)', ''),
      x,
      series,
      logY,
      regions,
      markers,
      summary: summarise(`${title} of ${fnName}`, x, series, markers, curve === 'f' ? regions : []),
    };
  });
}
