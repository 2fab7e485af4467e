// An activation whose exponential branch is discarded where it overflows (test/fixtures/interpreter/
// masked_elu.py): nn.ELU with an alpha, kept only by a mask, has f'(100) = 1 in PyTorch, so no GP103;
// the same curve hand-written as where(x > 0, x, α(exp(x) − 1)) is NaN at 100 in PyTorch itself
// (0 · Inf in the discarded branch's gradient), and GP103 must still be reported there.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { analyzeSources } from '../../src/core/analyze';
import { defaultSettings, mergeSettings } from '../../src/core/config/settings';
import type { FileReport } from '../../src/core/findings/types';

const file = 'masked_elu.py';
let report: FileReport;

before(async () => {
  const text = readFileSync(join(__dirname, '..', '..', 'test', 'fixtures', 'interpreter', file), 'utf8');
  [report] = await analyzeSources([{ path: file, text }], { settings: mergeSettings(defaultSettings, { backend: 'cpu', timeBudgetMs: 20_000 }) });
});

const codesOf = (name: string): string[] => {
  const fn = report.functions.find((f) => f.name === name);
  assert.ok(fn, `${name} is not listed`);
  assert.equal(fn.probe.status, 'ok', fn.summary);
  return report.findings.filter((f) => f.function === name).map((f) => f.code);
};

test('nn.ELU(alpha) under a mask: finite gradient at large x, as PyTorch computes it (no GP103)', () => {
  assert.ok(!codesOf('MaskedELU').includes('GP103'), report.findings.filter((f) => f.function === 'MaskedELU').map((f) => f.message).join('\n'));
});

test('where(x > 0, x, α(exp(x) − 1)) written by hand: NaN gradient at large x, in PyTorch too (GP103)', () => {
  assert.ok(codesOf('WhereExpELU').includes('GP103'));
});
