// The depth view: per-layer gradient norm and the activations' variance through the 16-layer stack for the
// function and for ReLU, at the default init and at each one's critical gain, on log scales; and the
// numbers written beside (χ₁, the suggested gain, the init, the ratios).
import { fromWire, type DepthPanel } from '../../src/shared/panelMessages';
import { clampLogSeries, decode, drawable, formatNumber, nonFiniteMarkers, summarise, type ColorKey, type PlotModel, type SeriesModel } from './shapeCommon';

const colorOf = (fn: 'custom' | 'baseline', gain: number): ColorKey => (fn === 'custom' ? (gain === 1 ? 'fn' : 'fnAlt') : gain === 1 ? 'base' : 'baseAlt');

export function depthPlots(d: DepthPanel): PlotModel[] {
  const x = Array.from({ length: d.layers }, (_, i) => i + 1);
  const plot = (id: string, title: string, yLabel: string, pick: (r: DepthPanel['runs'][number]) => number[]): PlotModel => {
    const series: SeriesModel[] = clampLogSeries(d.runs.map((r) => {
      const raw = pick(r);
      return { label: r.label, color: colorOf(r.fn, r.gain), values: drawable(raw, true), raw, dash: r.gain !== 1, emphasis: r.fn === 'custom' };
    }));
    const markers = d.runs.filter((r) => r.fn === 'custom').flatMap((r) => nonFiniteMarkers(x, pick(r), r.label));
    return { id, title, xLabel: 'layer', yLabel, x, series, logY: true, regions: [], markers, summary: summarise(title, x, series, markers) };
  };
  return [
    plot('depth-grad', '‖∂L/∂hₗ‖ per layer (log scale)', '‖∂L/∂h‖', (r) => decode(r.gradNorms)),
    plot('depth-var', 'activation variance per layer (log scale)', 'Var f(h)', (r) => decode(r.variances)),
  ];
}

/** The facts written beside the plots, as label/value pairs. */
export function depthFacts(d: DepthPanel): [string, string][] {
  const gain = fromWire(d.gain);
  return [
    ['χ₁ at the default init', formatNumber(fromWire(d.chi1))],
    // The gain is found and checked on this stack (gradient within 2× end to end, signal in range); NaN when none passes.
    ['suggested weight gain (checked on this stack)', Number.isFinite(gain) && gain > 0 ? formatNumber(gain) : 'none passes the check'],
    ['χ₁ at the suggested gain', formatNumber(fromWire(d.chi1AtGain))],
    ['init', d.init],
    ['stack', `${d.layers} dense layers × ${d.width} units, batch ${d.batch}`],
    ['‖∂L/∂h₁‖ / ‖∂L/∂h₁₆‖', formatNumber(fromWire(d.gradientRatio))],
    [`${d.baseline}'s ratio`, formatNumber(fromWire(d.reluRatio))],
    [`${d.baseline}'s critical gain (He)`, formatNumber(d.baselineGain)],
  ];
}
