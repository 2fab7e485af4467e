// The probe panel's data from the core (src/core/panel.ts, src/core/probe/panelData.ts) and through the
// language server's service (ProbeService.panelData on the in-process runner): what the panel plots is
// computed from the real translation of the examples, and the panel's shaping accepts it.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { defaultSettings, mergeSettings } from '../../src/core/config/settings';
import { functionPanelData } from '../../src/core/panel';
import { secondDerivative } from '../../src/core/probe/panelData';
import { baselineActivation, baselineNames, erf } from '../../src/core/probe/standardActivations';
import { InProcessRunner } from '../../src/server/inProcessRunner';
import { toPanelData } from '../../src/server/panelData';
import { ProbeService } from '../../src/server/probeService';
import { resolveSettings } from '../../src/server/settingsStore';
import { DidChangeStateNotification, fromWire, isPanelData, ReprobeCommand, SelectFunctionCommand } from '../../src/shared/panelMessages';
import { activationPlots } from '../../webview-ui/src/shapeActivation';
import { depthPlots } from '../../webview-ui/src/shapeDepth';
import { lossPlots } from '../../webview-ui/src/shapeLoss';
import { trainingPlot } from '../../webview-ui/src/shapeTraining';

const examples = join(process.cwd(), 'examples');
// A generous time budget: the panel's deadline scales with it, and a test machine may be busy.
const settings = mergeSettings(defaultSettings, { backend: 'cpu', timeBudgetMs: 30_000 });
const input = (rel: string) => ({ path: rel, text: readFileSync(join(examples, rel), 'utf8') });

test('erf and the baselines\' closed forms: f′ and f″ agree with finite differences', () => {
  assert.ok(Math.abs(erf(0.5) - 0.5204998778) < 2e-7);
  assert.ok(Math.abs(erf(-1.5) + 0.9661051465) < 2e-7);
  const h = 1e-4;
  for (const name of baselineNames) {
    for (const x of [-2.3, -0.7, 0.4, 1.9]) {
      const at = (v: number) => baselineActivation(name, v);
      const df = (at(x + h).f - at(x - h).f) / (2 * h);
      const d2f = (at(x + h).df - at(x - h).df) / (2 * h);
      assert.ok(Math.abs(df - at(x).df) < 1e-5, `${name}′(${x}): ${at(x).df} vs ${df}`);
      assert.ok(Math.abs(d2f - at(x).d2f) < 1e-4, `${name}″(${x}): ${at(x).d2f} vs ${d2f}`);
    }
  }
});

test('secondDerivative: central differences of f′, non-finite next to a non-finite slope', () => {
  const x = [0, 1, 2, 3, 4];
  assert.deepEqual(secondDerivative(x, x.map((v) => v * v)), [1, 2, 4, 6, 7]);
  const d = secondDerivative(x, [0, 1, NaN, 3, 4]);
  assert.ok(Number.isNaN(d[1]) && Number.isNaN(d[3]) && d[4] === 1);
});

test('activation panel data: f, f′, f″ and baselines on 2001 points, the four depth stacks, training; the shaping accepts it', async () => {
  const file = input('forecast_keras3.py');
  const r = await functionPanelData([file], { path: file.path, name: 'eswish', parts: ['curves', 'depth', 'training'] }, { settings });
  assert.ok(r, 'eswish found');
  assert.equal(r.report.kind, 'activation');
  assert.equal(r.errors.length, 0, JSON.stringify(r.errors));
  assert.equal(r.curves?.x.length, 2001);
  assert.equal(r.curves?.x[0], -6);
  assert.deepEqual(r.curves?.baselines.map((b) => b.name), ['ReLU', 'GELU', 'SiLU', 'tanh', 'sigmoid']);
  // E-swish is β·x·σ(x) with β = 1.25: f″(0) = β/2.
  const mid = 1000;
  assert.ok(Math.abs((r.curves?.d2f[mid] ?? 0) - 0.625) < 0.01, `f″(0) = ${r.curves?.d2f[mid]}`);
  const depth = r.depth!;
  assert.equal(depth.runs.length, 4);
  assert.ok(depth.runs.every((run) => run.gradNorms.length === 16 && run.variances.length === 16));
  // ReLU at He's gain keeps the gradient norm within a factor of a few over 16 layers; at the default init it shrinks.
  const relu = depth.runs.filter((run) => run.fn === 'baseline');
  const spread = (g: number[]) => g[0] / g[15];
  assert.ok(spread(relu[1].gradNorms) < 5 && spread(relu[1].gradNorms) > 0.2, `He: ${spread(relu[1].gradNorms)}`);
  assert.ok(spread(relu[0].gradNorms) < spread(relu[1].gradNorms), 'default init shrinks the gradient towards layer 1');
  assert.ok(r.training && r.training.custom.curve.step.length > 3);

  const data = toPanelData(r, { uri: 'file:///x/forecast_keras3.py', file: file.path, saturatedSlope: settings.thresholds.saturatedSlope, pending: [] });
  assert.ok(isPanelData(JSON.parse(JSON.stringify(data))), 'the panel data survives JSON and passes the guard');
  assert.ok(DidChangeStateNotification.is({ method: 'panel/didChangeState', params: { status: 'ready', busy: false, data: JSON.parse(JSON.stringify(data)) } }));
  assert.ok(data.functions.some((f) => f.name === 'cosine_proximity'), 'the picker lists the file\'s other functions');
  const plots = activationPlots(data.activation!, 'eswish', { range: 6, baselines: ['ReLU', 'GELU'], logSlope: true });
  assert.ok(plots.every((p) => p.series[0].values.filter((v) => v !== null).length > 1000));
  assert.ok(depthPlots(data.depth!).every((p) => p.series.length === 4));
  assert.equal(trainingPlot(data.training!).series.length, 4);
});

test('NaN in the sweep reaches the panel as marks: sqrt_lu\'s gradient', async () => {
  const file = input('vae_jax.py');
  const r = await functionPanelData([file], { path: file.path, name: 'sqrt_lu', parts: ['curves'] }, { settings });
  assert.ok(r?.curves);
  const data = toPanelData(r, { uri: 'file:///x/vae_jax.py', file: file.path, saturatedSlope: 0.01, pending: ['depth', 'training'] });
  const wire = JSON.parse(JSON.stringify(data)) as typeof data;
  assert.ok(wire.activation!.df.some((v) => v === 'NaN' || v === 'Infinity' || v === '-Infinity'), 'non-finite slopes travel as strings');
  const [, df] = activationPlots(wire.activation!, 'sqrt_lu', { range: 6, baselines: [], logSlope: false });
  assert.ok(df.markers.length > 0, 'marked on the axis');
  assert.deepEqual(data.pending, ['depth', 'training']);
  assert.ok(wire.findings.some((f) => f.code === 'GP102'));
});

test('a re-probe at another range: the curves cover the new range', async () => {
  const file = input('vae_jax.py');
  const r = await functionPanelData([file], { path: file.path, name: 'softclip', range: 12, parts: ['curves'] }, { settings });
  assert.equal(r?.curves?.x[0], -12);
  assert.equal(r?.curves?.x[2000], 12);
});

test('loss panel data: the report\'s slices with the baseline, every boundary case, training', async () => {
  const file = input('numpy_baseline.py');
  const r = await functionPanelData([file], { path: file.path, name: 'binary_log_loss', parts: ['boundary', 'training'] }, { settings });
  assert.ok(r);
  const data = toPanelData(r, { uri: 'file:///x/numpy_baseline.py', file: file.path, saturatedSlope: 0.01, pending: [] });
  const l = data.loss!;
  assert.ok(l.slices.length > 0 && l.slices[0].t.length > 5);
  assert.ok(l.boundary.length > 0);
  assert.ok(l.boundary.some((c) => !Number.isFinite(fromWire(c.loss))), 'GP201\'s boundary case is non-finite');
  const [loss, grad] = lossPlots(l, 'binary_log_loss', { slice: 0, logGrad: true });
  assert.equal(loss.series.length, 2);
  assert.ok(grad.series[1].values.some((v) => v !== null));
  assert.ok(data.training);
});

test('the server computes panel data in its runner for an open document; the panel messages are guarded', async () => {
  const path = join(process.cwd(), 'test/fixtures/e2e/workspace/typing/activations.py');
  const text = readFileSync(path, 'utf8');
  const uri = pathToFileURL(path).href;
  const logs: string[] = [];
  const probed: string[][] = [];
  const service = new ProbeService({
    settingsFor: async (_u, filePath) => resolveSettings({ backend: 'cpu' }, filePath, join(process.cwd(), 'test/fixtures/e2e/workspace/typing')),
    publish: () => undefined, status: () => undefined, refreshLenses: () => undefined, log: (m) => logs.push(m), probed: (u) => probed.push(u),
  }, new InProcessRunner());
  service.update({ uri, kind: 'document', path, filePath: path, language: 'python', views: [{ uri, version: 1, text }], analysisText: text }, 'open');
  await service.idle();
  assert.deepEqual(probed, [[uri]], 'the client hears that the document has new results');
  const base = await service.panelData({ uri, name: 'soft_exp', line: 8 });
  assert.ok(base && isPanelData(base));
  assert.equal(base.fn.name, 'soft_exp');
  assert.ok(base.activation && !base.depth);
  assert.deepEqual(base.pending, ['depth', 'training']);
  const more = await service.panelData({ uri, name: 'soft_exp', line: 8, parts: base.pending });
  assert.ok(more?.depth && more.training);
  assert.equal(await service.panelData({ uri, name: 'no_such_function', line: 0 }), null);
  assert.equal(await service.panelData({ uri: 'file:///not/open.py', name: 'soft_exp', line: 8 }), null);
  // Malformed messages from the page fail the guards.
  assert.ok(!SelectFunctionCommand.is({ method: 'panel/selectFunction', params: { name: 1, line: 0 } }));
  assert.ok(!ReprobeCommand.is({ method: 'panel/reprobe', params: { range: -1 } }));
  assert.ok(!ReprobeCommand.is({ method: 'panel/reprobe', params: { range: 'NaN' } }));
  assert.ok(ReprobeCommand.is({ method: 'panel/reprobe', params: { range: 8 } }));
  assert.ok(!DidChangeStateNotification.is({ method: 'panel/didChangeState', params: { status: 'ready', busy: false, data: { uri: 'x' } } }));
});

test('the UI test\'s fixture (test/fixtures/ui): as its expected.json says, and the loss has the 2-D landscape', async () => {
  const dir = join(process.cwd(), 'test/fixtures/ui');
  const expected = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as { file: string; name: string; kind: string }[];
  for (const e of expected) {
    const file = { path: e.file, text: readFileSync(join(dir, e.file), 'utf8') };
    const r = await functionPanelData([file], { path: e.file, name: e.name, parts: ['boundary'] }, { settings });
    if (e.kind === 'none') { assert.ok(!r || r.report.name !== e.name, `${e.name} is not listed`); continue; }
    assert.equal(r?.report.kind, e.kind);
    const data = toPanelData(r!, { uri: 'file:///x', file: e.file, saturatedSlope: 0.01, pending: [] });
    assert.ok(data.loss?.grid && data.loss.grid.loss.length === data.loss.grid.y.length, 'the grid reaches the panel');
  }
});
