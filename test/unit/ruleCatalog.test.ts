// The rule catalog is the one source of a rule's facts: no severity is written anywhere else in
// src/, the finding constructor enforces the catalog's severities, source rules are settled as the
// catalog says, and the server's quick fixes agree with the catalog's fix safety.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { finding, settleSourceFindings } from '../../src/core/findings/finding';
import { ruleCatalog, ruleFor, type RuleCode } from '../../src/core/findings/rules';
import type { Finding } from '../../src/core/findings/types';
import { fixBuilders } from '../../src/server/fixes';

const root = process.cwd();
const span = { startLine: 0, startCol: 0, endLine: 0, endCol: 0 };

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? sources(p) : /\.ts$/.test(f) ? [p] : [];
  });
}

/** Where a severity may be spelled out: the catalog, the severity type, and the settings that override it. */
const allowed = new Set(['src/core/findings/rules.ts', 'src/core/findings/types.ts', 'src/core/config/settings.ts', 'src/shared/settings.ts']);
const literalSeverity = [
  /severity\s*[:=]\s*['"](error|warning|info)['"]/, // { severity: 'error' }, severity = 'info'
  /\bGP\d{3}['"]?\s*:\s*['"](error|warning|info)['"]/, // a code → severity table
  /\?\s*['"](error|warning|info)['"]\s*:\s*['"](error|warning|info)['"]/, // a severity chosen by a condition
];

test('no severity literal in src/ outside the catalog, the severity type and the settings', () => {
  const hits: string[] = [];
  for (const file of sources(join(root, 'src'))) {
    const rel = relative(root, file).split('\\').join('/');
    if (allowed.has(rel)) continue;
    readFileSync(file, 'utf8').split('\n').forEach((line, i) => {
      if (literalSeverity.some((re) => re.test(line))) hits.push(`${rel}:${i + 1}: ${line.trim().slice(0, 120)}`);
    });
  }
  assert.deepEqual(hits, []);
});

test('the scan above finds the literals it is meant to find', () => {
  for (const line of [`findings.push({ code: 'GP101', severity: 'error', message })`, `const defaults = { GP201: 'error' }`, `const severity = deep ? 'warning' : 'info'`]) {
    assert.ok(literalSeverity.some((re) => re.test(line)), line);
  }
});

test('finding(): the severity is the catalog default; only a catalog variant may replace it', () => {
  for (const rule of ruleCatalog) {
    assert.equal(finding(rule.code, { message: 'm', span, evidence: {} }).severity, rule.severity, rule.code);
  }
  assert.equal(finding('GP108', { message: 'shallow dip', span, evidence: {}, variant: 'shallow-dip' }).severity, 'info');
  // At run time too (a code computed from data): an unknown code, or a variant the entry does not name, is a bug.
  const dynamicFinding = finding as (code: string, init: { message: string; span: typeof span; evidence: Record<string, unknown>; variant?: string }) => Finding;
  assert.throws(() => dynamicFinding('GP999', { message: 'm', span, evidence: {} }), /not in the rule catalog/);
  assert.throws(() => dynamicFinding('GP101', { message: 'm', span, evidence: {}, variant: 'shallow-dip' }), /has no variant 'shallow-dip'/);
  const f = finding('GP303', { function: 'act', message: 'm', span, evidence: { a: 1 } });
  assert.deepEqual(f, { code: 'GP303', severity: 'warning', function: 'act', message: 'm', span, evidence: { a: 1 } });
});

test('catalog entries are consistent: kinds by code range, settlements name probe rules, variants differ from the default', () => {
  const kindOf = (code: string) => (code.startsWith('GP0') ? 'meta' : code.startsWith('GP1') ? 'activation' : code.startsWith('GP2') ? 'loss' : 'source');
  for (const rule of ruleCatalog) {
    const r = ruleFor(rule.code)!;
    assert.equal(r.kind, kindOf(r.code), r.code);
    assert.equal(!!r.settle, r.kind === 'source', `${r.code}: source rules, and only they, are settled by a probe`);
    for (const c of r.settle?.confirmedBy ?? []) assert.ok(['activation', 'loss'].includes(ruleFor(c)?.kind ?? ''), `${r.code} confirmed by ${c}`);
    for (const [name, severity] of Object.entries(r.variants ?? {})) assert.notEqual(severity, r.severity, `${r.code} ${name}`);
  }
});

test('settling: confirmed source findings take the probe finding\'s severity, refuted ones go unless the catalog keeps them', () => {
  const src = (code: RuleCode) => finding(code, { function: 'f', message: code, span, evidence: {} });
  const probe = (code: RuleCode) => finding(code, { function: 'f', message: code, span, evidence: {} });
  const confirmed = settleSourceFindings([src('GP303')], [probe('GP101')]);
  assert.deepEqual(confirmed.map((f) => [f.code, f.severity, f.evidence.confirmedBy]), [['GP303', 'error', 'GP101']]);
  const byWarning = settleSourceFindings([src('GP304')], [probe('GP103')]);
  assert.deepEqual(byWarning.map((f) => [f.code, f.severity]), [['GP304', 'warning']]);
  // Refuted: GP301 and GP303 go, GP302 stays (a detached term can still be wrong).
  assert.deepEqual(settleSourceFindings([src('GP301'), src('GP302'), src('GP303')], []).map((f) => f.code), ['GP302']);
  // A confirmation found only at an emulated precision says so.
  const low = { ...probe('GP201'), evidence: { precision: 'float16' } };
  assert.match(settleSourceFindings([src('GP303')], [low])[0].message, /at float16 the guard no longer holds/);
});

test('settling: a probe finding confirms a source finding only when its traced cause points at that finding\'s line', () => {
  const at = (line: number) => ({ startLine: line - 1, startCol: 4, endLine: line - 1, endCol: 30 });
  const exp = finding('GP304', { function: 'f', message: 'exp', span: at(9), evidence: {} });
  const nanFrom = (line: number) => finding('GP101', { function: 'f', message: 'NaN', span, evidence: { cause: { what: '0·log 0', op: 'tf.math.log', line } } });
  // The NaN comes from a log on line 5: the exp on line 9 is not confirmed, and GP304 is refutable.
  assert.deepEqual(settleSourceFindings([exp], [nanFrom(5)]), []);
  // Traced to the exp's own line: confirmed and raised.
  assert.deepEqual(settleSourceFindings([exp], [nanFrom(9)]).map((f) => [f.code, f.severity]), [['GP304', 'error']]);
  // A multi-line expression covers its lines.
  const wide = finding('GP304', { function: 'f', message: 'exp', span: { startLine: 7, startCol: 0, endLine: 9, endCol: 2 }, evidence: {} });
  assert.equal(settleSourceFindings([wide], [nanFrom(9)]).length, 1);
  // Two probe findings: the one traced elsewhere does not hide the one traced here.
  assert.equal(settleSourceFindings([exp], [nanFrom(5), { ...nanFrom(9), code: 'GP102' as const }]).length, 1);
});

test('quick fixes: a code has an edit builder exactly when the catalog gives it a fix safety other than none', () => {
  const withBuilder = Object.keys(fixBuilders).sort();
  const withFix = ruleCatalog.filter((r) => r.fix !== 'none').map((r) => r.code).sort();
  assert.deepEqual(withBuilder, withFix);
  assert.deepEqual(ruleCatalog.filter((r) => r.fix === 'unsafe').map((r) => r.code).sort(), ['GP207', 'GP211']);
});
