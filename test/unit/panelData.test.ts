// The probe panel's data shaping (webview-ui/src/shape*.ts): series, gaps, NaN/Inf marks, shaded
// regions, the views' plots, tables and CSV. Pure functions, no DOM.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { toWireArray, type ActivationPanel, type DepthPanel, type LossPanel, type TrainingPanel } from '../../src/shared/panelMessages';
import { activationPlots, needsReprobe, visibleRange } from '../../webview-ui/src/shapeActivation';
import { clampLogSeries, describeMarkers, drawable, formatNumber, nonFiniteMarkers, slopeRegions, windowIndices } from '../../webview-ui/src/shapeCommon';
import { csvCell, exportFileName, findingsTable, thinRows, toCsv, viewTable } from '../../webview-ui/src/shapeCsv';
import { depthFacts, depthPlots } from '../../webview-ui/src/shapeDepth';
import { findingsCount, headerSummary } from '../../webview-ui/src/shapeHeader';
import { boundaryRows, heatmap, heatmapTable, lossPlots, sliceIndex } from '../../webview-ui/src/shapeLoss';
import { trainingFinals, trainingPlot } from '../../webview-ui/src/shapeTraining';

const grid = (r: number, n: number): number[] => Array.from({ length: n }, (_, i) => -r + (2 * r * i) / (n - 1));

function activation(f: (x: number) => number, df: (x: number) => number, r = 3, n = 61): ActivationPanel {
  const x = grid(r, n);
  const slope = x.map(df);
  return {
    range: r, x, f: toWireArray(x.map(f)), df: toWireArray(slope), d2f: toWireArray(x.map(() => 0)), gradientPath: true, saturatedSlope: 0.01,
    baselines: [
      { name: 'ReLU', f: x.map((v) => Math.max(0, v)), df: x.map((v) => (v > 0 ? 1 : 0)), d2f: x.map(() => 0) },
      { name: 'tanh', f: x.map(Math.tanh), df: x.map((v) => 1 - Math.tanh(v) ** 2), d2f: x.map(() => 0) },
    ],
  };
}

test('drawable: gaps where not finite, and where not positive on a log scale', () => {
  assert.deepEqual(drawable([1, NaN, Infinity, -2, 0], false), [1, null, null, -2, 0]);
  assert.deepEqual(drawable([1, NaN, -2, 0, 3], true), [1, null, null, null, 3]);
});

test('nonFiniteMarkers: runs of NaN and ±Inf become x-intervals with counts', () => {
  const x = [0, 1, 2, 3, 4, 5, 6];
  const m = nonFiniteMarkers(x, [NaN, NaN, 1, Infinity, -Infinity, -Infinity, 2], 'f');
  assert.deepEqual(m, [
    { from: 0, to: 1, kind: 'NaN', series: 'f', count: 2 },
    { from: 3, to: 3, kind: '+Inf', series: 'f', count: 1 },
    { from: 4, to: 5, kind: '-Inf', series: 'f', count: 2 },
  ]);
  assert.match(describeMarkers(m), /NaN at 2 points \(x from 0 to 1\); \+Inf at 1 point \(x = 3\); -Inf at 2 points/);
  assert.deepEqual(nonFiniteMarkers(x, x, 'f'), []);
});

test('slopeRegions: dead (f′ = 0) and saturated (0 < |f′| < threshold) stretches of two points or more', () => {
  const x = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  const df = [0, 0, 0, 1, 0.001, 0.002, 1, 0, NaN];
  assert.deepEqual(slopeRegions(x, df, 0.01), [
    { from: 0, to: 2, kind: 'dead' },
    { from: 4, to: 5, kind: 'saturated' },
  ]);
  // ReLU's single zero at its kink is not a region; its negative half is.
  const xs = grid(1, 5); // -1, -0.5, 0, 0.5, 1
  assert.deepEqual(slopeRegions(xs, xs.map((v) => (v > 0 ? 1 : 0)), 0.01), [{ from: -1, to: 0, kind: 'dead' }]);
});

test('windowIndices keeps [-R, R] with rounding slack', () => {
  const x = grid(6, 13); // step 1
  assert.deepEqual(windowIndices(x, 2).map((i) => x[i]), [-2, -1, 0, 1, 2]);
});

test('activation plots: f, f′, f″ with the chosen baselines, NaN marks and dead regions; zoom and log |f′|', () => {
  const a = activation((v) => (v < -1 ? NaN : Math.max(0, v)), (v) => (v < -1 ? NaN : v > 0 ? 1 : 0));
  const plots = activationPlots(a, 'my_act', { range: 3, baselines: ['tanh'], logSlope: false });
  assert.deepEqual(plots.map((p) => p.id), ['activation-f', 'activation-df', 'activation-d2f']);
  const [f, df] = plots;
  assert.deepEqual(f.series.map((s) => s.label), ['my_act: f(x)', 'tanh: f(x)']);
  assert.equal(f.series[0].color, 'fn');
  assert.equal(f.series[1].color, 'tanh');
  assert.ok(f.series[1].dash);
  assert.equal(f.x.length, 61);
  // NaN for x < -1: one run marked, drawn as gaps.
  assert.equal(f.markers.length, 1);
  assert.equal(f.markers[0].kind, 'NaN');
  assert.ok(f.markers[0].to < -1);
  assert.equal(f.series[0].values[0], null);
  // Dead on (-1, 0]: shaded on every plot.
  assert.equal(df.regions.length, 1);
  assert.equal(df.regions[0].kind, 'dead');
  assert.match(f.summary, /NaN at \d+ points/);
  // Zoom: half the range, fewer points; no re-probe needed inside the sweep.
  const zoomed = activationPlots(a, 'my_act', { range: 1.5, baselines: [], logSlope: true });
  assert.ok(zoomed[0].x.length < 61 && zoomed[0].x.every((v) => Math.abs(v) <= 1.5 + 1e-9));
  assert.equal(zoomed[0].series.length, 1);
  assert.equal(zoomed[1].logY, true);
  assert.equal(zoomed[1].title, '|f′(x)| (log scale)');
  assert.ok(zoomed[1].series[0].values.every((v) => v === null || v > 0), 'zeros are gaps on the log scale');
  assert.equal(visibleRange(a, 10), 3);
  assert.equal(visibleRange(a, undefined), 3);
  assert.ok(needsReprobe(a, 10));
  assert.ok(!needsReprobe(a, 3));
});

test('depth plots: four runs on log scales, custom emphasised, facts written beside', () => {
  const d: DepthPanel = {
    layers: 4, width: 64, batch: 128, init: 'Glorot uniform', chi1: 0.5, chi1AtGain: 1, gain: 1.41, gradientRatio: 0.1, reluRatio: 0.3,
    baseline: 'ReLU', baselineGain: 1.41,
    runs: [
      { label: 'f · default init', fn: 'custom', gain: 1, gradNorms: [1, 0.5, 0.25, 0.125], variances: [1, 0.5, 'NaN', 0] },
      { label: 'f · gain 1.41', fn: 'custom', gain: 1.41, gradNorms: [1, 1, 1, 1], variances: [1, 1, 1, 1] },
      { label: 'ReLU · default init', fn: 'baseline', gain: 1, gradNorms: [1, 0.7, 0.5, 0.35], variances: [1, 0.5, 0.25, 0.125] },
      { label: 'ReLU · gain 1.41 (He)', fn: 'baseline', gain: 1.41, gradNorms: [1, 1, 1, 1], variances: [1, 1, 1, 1] },
    ],
  };
  const [grad, variance] = depthPlots(d);
  assert.deepEqual(grad.x, [1, 2, 3, 4]);
  assert.ok(grad.logY && variance.logY);
  assert.deepEqual(grad.series.map((s) => s.color), ['fn', 'fnAlt', 'base', 'baseAlt']);
  assert.deepEqual(variance.series[0].values, [1, 0.5, null, null]);
  assert.equal(variance.markers.length, 1);
  const facts = new Map(depthFacts(d));
  assert.equal(facts.get('χ₁ at the default init'), '0.5');
  assert.equal(facts.get('suggested weight gain (checked on this stack)'), '1.41');
  assert.equal(depthFacts({ ...d, gain: 'NaN' })[1][1], 'none passes the check');
  assert.equal(variance.title, 'activation variance per layer (log scale)');
});

test('loss plots: loss and gradient along the slice with the baseline; NaN points marked; boundary cases flagged', () => {
  const l: LossPanel = {
    family: 'binary probabilities', mapping: 'keras: (y_true, y_pred)', layout: '8×1', baseline: 'binary cross-entropy',
    slices: [
      { label: 'towards 0.5', t: [0, 0.5, 1], loss: [null, 0.3, 0.7], gradNorm: [null, 1, 2], baselineLoss: [0, 0.3, 0.69], baselineGradNorm: [0, 1, 2] },
      { label: 'other', t: [0, 1], loss: [0, 1], gradNorm: [0, 1], baselineLoss: [0, 1], baselineGradNorm: [0, 1] },
    ],
    boundary: [{ label: 'at a perfect prediction', loss: 'NaN', gradNorm: null }, { label: 'when y_pred is uniform', loss: 0.69, gradNorm: 1.2 }],
  };
  const [loss, grad] = lossPlots(l, 'bce', { slice: 0, logGrad: true });
  assert.deepEqual(loss.series.map((s) => s.label), ['bce', 'binary cross-entropy (baseline)']);
  assert.equal(loss.markers.length, 1);
  assert.equal(loss.markers[0].from, 0);
  assert.ok(grad.logY);
  assert.deepEqual(grad.series[1].values, [null, 1, 2], 'the baseline\'s zero gradient at the target is a gap on the log scale');
  assert.equal(sliceIndex(l, 5), 0);
  assert.equal(lossPlots(l, 'bce', { slice: 1, logGrad: false })[0].x.length, 2);
  assert.deepEqual(boundaryRows(l).map((r) => [r.loss, r.finite]), [['NaN', false], ['0.69', true]]);
  assert.equal(heatmap(l), undefined);
  const map = heatmap({ ...l, grid: { label: 'two outputs', x: [0, 1], y: [0, 1], loss: [[1, 'NaN'], [10, 1000]] } });
  assert.ok(map && map.log);
  assert.equal(map.level[0][1], null);
  assert.equal(map.level[0][0], 0);
  assert.equal(map.level[1][1], 1);
  const table = heatmapTable({ ...l, grid: { label: 'two outputs', x: [0, 1], y: [0, 1], loss: [[1, 'NaN'], [10, 1000]] } });
  assert.deepEqual(table?.headers, ['y \\ x', '0', '1']);
  assert.ok(table && Number.isNaN(table.rows[0][2] as number) && table.rows[1][2] === 1000);
});

test('training plot: four curves aligned on the steps; a diverged run is padded with gaps and marked where it went NaN', () => {
  const t: TrainingPanel = {
    task: 'regression', metric: 'mse', steps: 20, verdict: 'diverged', note: 'went NaN', ms: 10,
    custom: { label: 'f (custom activation)', step: [0, 10], train: [1, 'NaN'], validation: [1, 'NaN'], final: { train: 'NaN', validation: 'NaN' }, diverged: true },
    baseline: { label: 'ReLU (baseline)', step: [0, 10, 20], train: [1, 0.5, 0.2], validation: [1, 0.6, 0.3], final: { train: 0.2, validation: 0.3 }, diverged: false },
  };
  const p = trainingPlot(t);
  assert.deepEqual(p.x, [0, 10, 20]);
  assert.equal(p.series.length, 4);
  assert.deepEqual(p.series[0].values, [1, null, null]);
  assert.deepEqual(p.markers.map((m) => [m.from, m.kind]), [[10, 'NaN']]);
  assert.deepEqual(trainingFinals(t).map((r) => [r.validation, r.note]), [['NaN', 'diverged (NaN)'], ['0.3', '']]);
  const acc = trainingFinals({ ...t, metric: 'accuracy', custom: { ...t.custom, final: { train: 0.9, validation: 0.855 }, diverged: false } });
  assert.equal(acc[0].validation, '85.5%');
});

test('tables and CSV: wide when plots share x, NaN/Inf spelled out, text quoted, formulas defused', () => {
  const a = activation((v) => (v === 0 ? Infinity : v), () => 1, 1, 3);
  const plots = activationPlots(a, 'f', { range: 1, baselines: ['ReLU'], logSlope: false });
  const table = viewTable(plots);
  assert.equal(table.headers[0], 'x');
  assert.equal(table.headers.length, 1 + 3 * 2);
  assert.equal(table.rows.length, 3);
  const csv = toCsv(table);
  assert.match(csv.split('\r\n')[2], /^0,Inf,/);
  assert.equal(csvCell('a,b'), '"a,b"');
  assert.equal(csvCell('say "hi"'), '"say ""hi"""');
  assert.equal(csvCell('=cmd()'), '"\'=cmd()"');
  assert.equal(csvCell(-1.5), '-1.5');
  assert.equal(csvCell(NaN), 'NaN');
  // Plots with different x: the long form.
  const long = viewTable([plots[0], { ...plots[1], x: [5, 6, 7] }]);
  assert.deepEqual(long.headers, ['plot', 'series', 'x', 'y']);
  assert.equal(long.rows.length, 3 * 2 * 2);
  assert.deepEqual(thinRows([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], 3), [1, 6, 11]);
  assert.deepEqual(thinRows([1, 2], 5), [1, 2]);
  const findings = findingsTable([{ code: 'GP101', severity: 'error', message: 'NaN', span: { startLine: 4, startCol: 0, endLine: 4, endCol: 3 }, evidence: { x: [1] } }]);
  assert.deepEqual(findings.rows[0], ['GP101', 'error', 5, 'NaN', '{"x":[1]}']);
  assert.equal(exportFileName('<script>/../x', 'activation', 'png'), 'script_._x-activation.png');
  assert.equal(exportFileName('soft_exp', 'depth', 'csv'), 'soft_exp-depth.csv');
});

test('formatNumber: short and exact enough', () => {
  assert.deepEqual([0, 1.23456, 12345, 0.0001234, NaN, -Infinity, null].map(formatNumber), ['0', '1.23', '1.23e+4', '1.23e-4', 'NaN', '-Inf', '—']);
});

test('clampLogSeries: a log axis spans at most 20 decades below the largest value', () => {
  const [a, b] = clampLogSeries([
    { label: 'a', color: 'fn', values: [1, 1e-19, 1e-21, null], raw: [] },
    { label: 'b', color: 'base', values: [1e-40, 10], raw: [] },
  ]);
  assert.deepEqual(a.values, [1, 1e-19, null, null]);
  assert.deepEqual(b.values, [null, 10]);
});

test('the header counts the findings the panel lists, not the summary\'s problems', () => {
  const three = [{ severity: 'warning' as const }, { severity: 'info' as const }, { severity: 'error' as const }];
  assert.equal(
    headerSummary('activation · non-monotonic · f′ ∈ [-0.1, 1.1] · 1 problem · args: beta=1 (default)', three),
    'activation · non-monotonic · f′ ∈ [-0.1, 1.1] · args: beta=1 (default) · 3 findings (1 error, 1 warning, 1 info)',
  );
  assert.equal(headerSummary('activation · monotonic · ok', []), 'activation · monotonic · no findings');
  assert.equal(headerSummary('Binary probabilities; ok.', [{ severity: 'warning' }]), 'Binary probabilities; ok. · 1 finding (1 warning)');
  assert.equal(findingsCount([{ severity: 'info' }, { severity: 'info' }]), '2 findings (2 info)');
});
