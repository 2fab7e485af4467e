// Every code in the catalog is tied to a positive fixture and its clean twin (test/fixtures/rules),
// run through the core's analysis as `check` runs it: the code must be reported for the positive and
// not for the twin. So turning off any rule's emission, or making it fire on everything, fails here.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { analyzeSources } from '../../src/core/analyze';
import { defaultSettings, mergeSettings } from '../../src/core/config/settings';
import { ruleCatalog, type RuleCode } from '../../src/core/findings/rules';
import type { FileReport } from '../../src/core/findings/types';

const dir = join(__dirname, '..', '..', 'test', 'fixtures', 'rules');

/** `file:function` in test/fixtures/rules. */
type Ref = `${string}:${string}`;

const coverage: { code: RuleCode; positive: Ref; clean: Ref }[] = [
  { code: 'GP001', positive: 'gp001_zeta.py:zeta_act', clean: 'gp001_zeta_clean.py:softplus_act' },
  { code: 'GP002', positive: 'gp002_huge_buffer.py:offset_act', clean: 'gp002_huge_buffer_clean.py:offset_small' },
  { code: 'GP101', positive: 'gp101_sinc.py:sinc_act', clean: 'gp101_sinc_clean.py:sinc_safe' },
  { code: 'GP102', positive: 'gp102_signed_power.py:signed_power', clean: 'gp102_signed_power_clean.py:signed_power_eps' },
  { code: 'GP103', positive: 'gp103_shifted_softplus.py:shifted_softplus', clean: 'gp103_shifted_softplus_clean.py:shifted_softplus_stable' },
  { code: 'GP104', positive: 'gp104_tanh_temperature.js:coolTanh', clean: 'gp104_tanh_temperature_clean.js:warmTanh' },
  { code: 'GP105', positive: 'gp105_cube.py:Cube', clean: 'gp105_cube_clean.py:SoftCube' },
  { code: 'GP106', positive: 'gp106_sign.py:binarize', clean: 'gp106_sign_clean.py:binarize_ste' },
  { code: 'GP107', positive: 'gp107_relu6.py:relu6', clean: 'gp107_relu6_clean.py:elu' },
  { code: 'GP108', positive: 'gp108_gcu.py:gcu', clean: 'gp108_gcu_clean.py:ripple' },
  { code: 'GP109', positive: 'gp109_small_tanh.py:small_tanh', clean: 'gp109_small_tanh_clean.py:plain_tanh' },
  { code: 'GP110', positive: 'gp110_loud_leaky.py:loud_leaky', clean: 'gp110_loud_leaky_clean.py:leaky' },
  { code: 'GP111', positive: 'gp111_shifted_sigmoid.py:centred_sigmoid', clean: 'gp111_shifted_sigmoid_clean.py:scaled_centred_sigmoid' },
  { code: 'GP112', positive: 'gp112_softplus_fn.py:SoftplusFn', clean: 'gp112_softplus_fn_clean.py:SoftplusFnFixed' },
  { code: 'GP201', positive: 'gp201_bce.py:bce_unclipped', clean: 'gp201_bce_clean.py:bce_clipped' },
  { code: 'GP202', positive: 'gp202_rmse.py:RMSELoss', clean: 'gp202_rmse_clean.py:StableRMSELoss' },
  { code: 'GP203', positive: 'gp203_shrink.py:ShrinkMSE', clean: 'gp203_shrink_clean.py:ElasticMSE' },
  { code: 'GP204', positive: 'gp204_signed_error.py:signed_error', clean: 'gp204_signed_error_clean.py:absolute_error' },
  { code: 'GP205', positive: 'gp205_rounded.js:roundedMse', clean: 'gp205_rounded_clean.js:plainMse' },
  { code: 'GP206', positive: 'gp206_neg_mse.py:neg_mse', clean: 'gp206_neg_mse_clean.py:mse' },
  { code: 'GP207', positive: 'gp207_swapped_bce.py:swapped_bce', clean: 'gp207_swapped_bce_clean.py:ordered_bce' },
  { code: 'GP208', positive: 'gp208_tiny_mse.py:tiny_mse', clean: 'gp208_tiny_mse_clean.py:half_mse' },
  { code: 'GP209', positive: 'gp209_scaled_mse.py:ScaledMSE', clean: 'gp209_scaled_mse_clean.py:PlainMSE' },
  { code: 'GP210', positive: 'gp210_sum_squared.py:SumSquaredError', clean: 'gp210_sum_squared_clean.py:PerSampleSquaredError' },
  { code: 'GP211', positive: 'gp211_sigmoid_logits.py:logits_bce_on_sigmoid', clean: 'gp211_sigmoid_logits_clean.py:logits_bce' },
  { code: 'GP212', positive: 'gp212_clipped_mse.py:ClippedMSE', clean: 'gp212_clipped_mse_clean.py:RobustMSE' },
  { code: 'GP213', positive: 'gp213_periodic.py:periodic_phase_loss', clean: 'gp213_periodic_clean.py:chord_phase_loss' },
  { code: 'GP301', positive: 'gp301_round.py:quantize_act', clean: 'gp301_round_clean.py:quantize_ste' },
  { code: 'GP302', positive: 'gp302_detach.py:cosine_embedding_loss', clean: 'gp302_detach_clean.py:distill_cosine_loss' },
  { code: 'GP303', positive: 'gp303_log.py:poisson_nll', clean: 'gp303_log_clean.py:poisson_nll_eps' },
  { code: 'GP304', positive: 'gp304_exp.py:NaiveSigmoid', clean: 'gp304_exp_clean.py:ClampedSigmoid' },
  { code: 'GP305', positive: 'gp305_where.py:root_relu', clean: 'gp305_where_clean.py:root_relu_safe' },
];

const split = (ref: Ref): [string, string] => {
  const at = ref.lastIndexOf(':');
  return [ref.slice(0, at), ref.slice(at + 1)];
};

let reports: FileReport[] = [];

before(async () => {
  const files = [...new Set(coverage.flatMap((row) => [split(row.positive)[0], split(row.clean)[0]]))];
  reports = await analyzeSources(files.map((f) => ({ path: f, text: readFileSync(join(dir, f), 'utf8') })), { settings: mergeSettings(defaultSettings, { backend: 'cpu' }) });
});

function codesOf(ref: Ref): Set<string> | undefined {
  const [file, name] = split(ref);
  const fn = reports.find((r) => r.path === file)?.functions.find((f) => f.name === name);
  return fn && new Set(fn.findings.map((f) => f.code));
}

test('every catalog code has exactly one coverage row, and every row is a catalog code', () => {
  assert.deepEqual(coverage.map((r) => r.code), ruleCatalog.map((r) => r.code));
});

test('each code is reported for its positive fixture and not for its clean twin', () => {
  const problems: string[] = [];
  for (const { code, positive, clean } of coverage) {
    const pos = codesOf(positive);
    const neg = codesOf(clean);
    if (!pos) problems.push(`${code}: ${positive} is not listed`);
    else if (!pos.has(code)) problems.push(`${code}: not reported for ${positive} (got ${[...pos].join(', ') || 'nothing'})`);
    if (!neg) problems.push(`${code}: ${clean} is not listed`);
    else if (neg.has(code)) problems.push(`${code}: reported for the clean twin ${clean}`);
  }
  assert.deepEqual(problems, []);
});
