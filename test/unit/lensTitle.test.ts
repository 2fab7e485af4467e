// The code lens over a function: one line of at most 80 characters (kind, counts, verdict); the
// summary paragraph belongs to the hover.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Finding, FunctionReport } from '../../src/core/findings/types';
import { hoverMarkdown, lensMaxChars, lensTitle } from '../../src/server/reportMarkdown';

const span = { startLine: 0, startCol: 0, endLine: 3, endCol: 0 };

function finding(code: string, severity: Finding['severity'], evidence: Record<string, unknown> = {}): Finding {
  return { code, severity, function: 'f', message: `${code} message`, span, evidence };
}

function report(kind: FunctionReport['kind'], findings: Finding[], extra: Partial<FunctionReport> = {}): FunctionReport {
  return {
    name: 'f', kind, framework: 'pytorch', span, nameSpan: span, detectedBy: ['name'],
    probe: { status: 'ok', ms: 12 }, summary: 'A long summary paragraph. '.repeat(20), findings, ...extra,
  };
}

test('lens: a loss with errors and a warning, counted, with its verdict', () => {
  const r = report('loss', [finding('GP201', 'error'), finding('GP202', 'error'), finding('GP207', 'warning')]);
  assert.equal(lensTitle(r), 'loss · 2 errors, 1 warning · NaN ✗');
});

test('lens: a clean loss says its minimum is at the target', () => {
  assert.equal(lensTitle(report('loss', [])), 'loss · no problems · min at target ✓');
  assert.equal(lensTitle(report('loss', [finding('GP210', 'info')])), 'loss · 1 info · min at target ✓');
  assert.equal(lensTitle(report('loss', [finding('GP203', 'error')])), 'loss · 1 error · min not at target ✗');
});

test('lens: an activation names where it is NaN, else its slope range', () => {
  const nan = report('activation', [finding('GP101', 'error', { x: [0, 1] }), finding('GP303', 'warning')]);
  assert.equal(lensTitle(nan), 'activation · 1 error, 1 warning · NaN at x = 0');
  const clean = report('activation', [], { data: { kind: 'activation', sweep: { x: [-1, 0, 1], f: [0, 0, 1], df: [0, 0.5, 1] } } });
  assert.equal(lensTitle(clean), 'activation · no problems · f′ ∈ [0, 1]');
});

test('lens: not probed says so without the reason (the hover has it)', () => {
  const r = report('loss', [finding('GP001', 'info')], { probe: { status: 'unsupported', ms: 0, reason: 'x'.repeat(300) } });
  assert.equal(lensTitle(r), 'loss · 1 info · not probed');
});

test('lens: never longer than 80 characters nor more than one line, the summary in the hover', () => {
  const many = ['GP101', 'GP102', 'GP103', 'GP104', 'GP105', 'GP108', 'GP109', 'GP110', 'GP111', 'GP301', 'GP303', 'GP304', 'GP305']
    .flatMap((c, i) => Array.from({ length: 1000 + i }, () => finding(c, i % 3 === 0 ? 'error' : i % 3 === 1 ? 'warning' : 'info', { x: [-123456.789] })));
  const r = report('activation', many, { data: { kind: 'activation', sweep: { x: [-1, 1], f: [1, 2], df: [-1e-30, 123456789.123] } } });
  const title = lensTitle(r);
  assert.ok(title.length <= lensMaxChars, `${title.length} chars: ${title}`);
  assert.equal(lensMaxChars, 80);
  assert.ok(!/\n/.test(title));
  assert.match(title, /^activation · \d+ errors, \d+ warnings, \d+ info · NaN at x = /);
  assert.ok(!title.includes('summary paragraph'), 'the summary is not in the lens');
  assert.match(hoverMarkdown(r), /A long summary paragraph\./);
});
