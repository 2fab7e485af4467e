// The depth probe's numbers: the stack reads f and f′ from the sweep's table, but a NaN it shows must
// be the function's own (not the interpolation's next to a pole), an overflow is +Inf (not the NaN of
// Inf − Inf), and a suggested weight gain is one the same stack was checked at.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defaultSettings, mergeSettings } from '../../src/core/config/settings';
import { functionPanelData } from '../../src/core/panel';
import { GAIN_RATIO_BAND, GAIN_VARIANCE_BAND } from '../../src/core/probe/depth';
import { analyze, fn } from '../helpers';

const settings = mergeSettings(defaultSettings, { backend: 'cpu', timeBudgetMs: 30_000 });
const src = `import torch

def root(x):
    return torch.sign(x) * torch.sqrt(torch.abs(x))

def logabs(x):
    return torch.log(torch.abs(x))

def expo(x):
    return torch.exp(x)

def logistic(x):
    return torch.sigmoid(x)

ACTIVATIONS = {"a": root, "b": logabs, "c": expo, "d": logistic}
`;
const depthOf = async (name: string) => {
  const r = await functionPanelData([{ path: 'a.py', text: src }], { path: 'a.py', name, parts: ['depth'] }, { settings });
  assert.ok(r?.depth, `${name}: depth data`);
  return { depth: r.depth, report: r.report };
};

test('a pole at exactly 0 (sqrt\'s slope, log|x|) is not NaN in the stack: the points near it are the function\'s own values', async () => {
  for (const name of ['root', 'logabs']) {
    const { depth, report } = await depthOf(name);
    const own = depth.runs.filter((r) => r.fn === 'custom');
    for (const run of own) {
      assert.ok(run.gradNorms.every((v) => !Number.isNaN(v)), `${name} ${run.label}: ${run.gradNorms.join(' ')}`);
      assert.ok(run.variances.every((v) => !Number.isNaN(v)), `${name} ${run.label}: ${run.variances.join(' ')}`);
    }
    assert.ok(!report.findings.some((f) => f.code === 'GP111' && /NaN/.test(f.message)), report.findings.map((f) => f.message).join(' | '));
  }
});

test('an activation that overflows float32 in the stack is +Inf from that layer, never NaN; GP111 says where', async () => {
  const { depth } = await depthOf('expo');
  const run = depth.runs.find((r) => r.fn === 'custom' && r.gain === 1)!;
  assert.ok(run.variances.every((v) => !Number.isNaN(v)), run.variances.join(' '));
  assert.ok(run.gradNorms.every((v) => !Number.isNaN(v)), run.gradNorms.join(' '));
  const from = run.variances.findIndex((v) => v === Infinity);
  assert.ok(from > 0 && run.variances.slice(from).every((v) => v === Infinity), run.variances.join(' '));
  const reports = await analyze({ 'a.py': src });
  const gp111 = fn(reports, 'expo').findings.find((f) => f.code === 'GP111');
  assert.ok(gp111, 'GP111 expected');
  assert.match(gp111.message, new RegExp(`reach ±Inf \\(float32\\) at layer ${from + 1} `));
  assert.equal(gp111.evidence.overflowLayer, from + 1);
});

test('GP109: the suggested gain is the one the same stack was checked at, and the panel plots that stack', async () => {
  const reports = await analyze({ 'a.py': src });
  const f = fn(reports, 'logistic').findings.find((x) => x.code === 'GP109');
  assert.ok(f, 'GP109 expected');
  const e = f.evidence as { suggestedGain: number; gradientRatioAtGain: number; preActivationVarianceAtGain: number; activationVarianceAtGain: number };
  assert.equal(typeof e.suggestedGain, 'number');
  assert.ok(e.gradientRatioAtGain >= GAIN_RATIO_BAND[0] && e.gradientRatioAtGain <= GAIN_RATIO_BAND[1], String(e.gradientRatioAtGain));
  const inBand = (v: number) => v >= GAIN_VARIANCE_BAND[0] && v <= GAIN_VARIANCE_BAND[1];
  assert.ok(inBand(e.preActivationVarianceAtGain) || inBand(e.activationVarianceAtGain));
  assert.match(f.message, new RegExp(`weights ${e.suggestedGain.toPrecision(3).replace('.', '\\.')}× larger`));
  const { depth } = await depthOf('logistic');
  assert.equal(depth.gain, e.suggestedGain);
  const atGain = depth.runs.find((r) => r.fn === 'custom' && r.gain !== 1)!;
  const ratio = atGain.gradNorms[0] / atGain.gradNorms[depth.layers - 1];
  assert.ok(ratio >= GAIN_RATIO_BAND[0] && ratio <= GAIN_RATIO_BAND[1], String(ratio));
});

test('a report made without its data (the editor scan) has the same findings, and no gain searched for the data alone', async () => {
  const { analyzeSources } = await import('../../src/core/analyze');
  // logistic vanishes (GP109: its gain is searched and checked on the stack, data or not); tanh's
  // suggestion is only the data's, searched only when the data is wanted.
  const inputs = [{ path: 'a.py', text: src.replace('ACTIVATIONS = {', 'def soft(x):\n    return torch.tanh(x)\n\nACTIVATIONS = {"e": soft, ') }];
  const whole = await analyzeSources(inputs, { settings });
  const bare = await analyzeSources(inputs, { settings, reportData: false });
  const findings = (reports: typeof whole) => JSON.stringify(reports.map((r) => ({ findings: r.findings, functions: r.functions.map((f) => ({ name: f.name, findings: f.findings, summary: f.summary })) })));
  assert.equal(findings(bare), findings(whole));
  const gain = (reports: typeof whole, name: string): number | undefined => { const d = fn(reports, name).data; return d?.kind === 'activation' ? d.depth?.gain : undefined; };
  assert.ok(Number.isFinite(gain(whole, 'logistic')) && gain(bare, 'logistic') === gain(whole, 'logistic'), 'a finding\'s gain is searched either way');
  assert.ok(Number.isFinite(gain(whole, 'soft')), 'the data wanted: the mean-field gain');
  assert.ok(Number.isNaN(gain(bare, 'soft')), 'the data dropped: not searched');
});
