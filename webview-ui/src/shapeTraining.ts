// The training view: the quick training probe's learning curves, the function against the baseline
// on the training and the validation split, and the final metrics.
import { fromWire, type TrainingPanel } from '../../src/shared/panelMessages';
import { clampLogSeries, decode, drawable, formatNumber, nonFiniteMarkers, summarise, type PlotModel, type SeriesModel } from './shapeCommon';

export function trainingPlot(t: TrainingPanel): PlotModel {
  const x = t.custom.step.length >= t.baseline.step.length ? t.custom.step : t.baseline.step;
  const metric = t.metric === 'mse' ? 'MSE' : 'accuracy';
  // The baseline's steps are the same schedule; a diverged run stops early and is padded with gaps.
  const align = (steps: number[], values: number[]): number[] => x.map((s) => { const i = steps.indexOf(s); return i >= 0 ? values[i] : NaN; });
  const run = (r: TrainingPanel['custom'], which: 'train' | 'validation'): number[] => align(r.step, decode(r[which]));
  const logY = t.metric === 'mse';
  const drawnSeries: SeriesModel[] = ([
    { label: `${t.custom.label} · train`, color: 'fn', values: [], raw: run(t.custom, 'train'), emphasis: true },
    { label: `${t.custom.label} · validation`, color: 'fn', values: [], raw: run(t.custom, 'validation'), dash: true, emphasis: true },
    { label: `${t.baseline.label} · train`, color: 'base', values: [], raw: run(t.baseline, 'train') },
    { label: `${t.baseline.label} · validation`, color: 'base', values: [], raw: run(t.baseline, 'validation'), dash: true },
  ] satisfies SeriesModel[]).map((s) => ({ ...s, values: drawable(s.raw, logY) }));
  const series = logY ? clampLogSeries(drawnSeries) : drawnSeries;
  // Marks only where the custom run went non-finite while it ran (not the padding after it stopped).
  const ran = t.custom.step.length;
  const markers = nonFiniteMarkers(x.slice(0, ran), run(t.custom, 'train').slice(0, ran), t.custom.label);
  const title = `${metric} during training${logY ? ' (log scale)' : ''}`;
  return { id: 'training-curves', title, xLabel: 'step', yLabel: metric, x, series, logY, regions: [], markers, summary: summarise(title, x, series, markers) };
}

export interface FinalRow { run: string; train: string; validation: string; note: string }

export function trainingFinals(t: TrainingPanel): FinalRow[] {
  const show = (v: number): string => (t.metric === 'accuracy' && Number.isFinite(v) ? `${(100 * v).toFixed(1)}%` : formatNumber(v));
  return [t.custom, t.baseline].map((r) => ({
    run: r.label,
    train: show(fromWire(r.final.train)),
    validation: show(fromWire(r.final.validation)),
    note: r.diverged ? 'diverged (NaN)' : '',
  }));
}
