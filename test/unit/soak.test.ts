// The soak run's own parts (test/soak): its figures (quantiles, the RSS slope after the warm-up, the
// closing line) and its edits (typed statements and pasted functions go where a user puts them and
// come out again without a trace, so the files do not grow over a long session).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { analyzeSources } from '../../src/core/analyze';
import { defaultSettings, mergeSettings } from '../../src/core/config/settings';
import { Rng } from '../fuzz/generate';
import { quantiles, rssTrend, slope, summaryLine, warmupEdits } from '../soak/stats';
import { bodyAnchors, createWorkspace, largeModule, lineOf, pastedFunction, typedStatement } from '../soak/workspace';

test('quantiles and the least-squares slope', () => {
  assert.deepEqual(quantiles([5, 1, 4, 2, 3]), { n: 5, p50: 3, p95: 5, max: 5 });
  assert.equal(quantiles([]).n, 0);
  assert.ok(Number.isNaN(quantiles([]).p50));
  assert.equal(slope([{ x: 0, y: 1 }, { x: 1, y: 3 }, { x: 2, y: 5 }]), 2);
  assert.ok(Number.isNaN(slope([{ x: 1, y: 1 }])));
  assert.ok(Number.isNaN(slope([{ x: 1, y: 1 }, { x: 1, y: 2 }])));
});

test('RSS trend: fitted after the warm-up only, per 1,000 edits', () => {
  assert.equal(warmupEdits(10_000), 1000);
  assert.equal(warmupEdits(500), 50);
  // Steep during the warm-up, then 0.5 MB per 1,000 edits.
  const samples = [{ edits: 0, rssMb: 100 }, { edits: 500, rssMb: 180 }, ...Array.from({ length: 10 }, (_, i) => ({ edits: 1000 + i * 1000, rssMb: 200 + 0.5 * i }))];
  const trend = rssTrend(samples, 10_000);
  assert.equal(trend.startMb, 200);
  assert.equal(trend.endMb, 204.5);
  assert.ok(Math.abs(trend.slopePer1000 - 0.5) < 1e-9, String(trend.slopePer1000));
  assert.equal(trend.samples, 10);
});

test('the closing line, exactly in its form', () => {
  const line = summaryLine({ requests: 5210, edits: 10_004, rss: { startMb: 181.4, endMb: 183.6, slopePer1000: 0.214, samples: 90 }, tensorsStart: 0, tensorsEnd: 0, unanswered: 0, crashes: 0 });
  assert.equal(line, 'soak: 5210 requests, 10004 edits, RSS 181 MB → 184 MB (slope 0.21 MB per 1,000 edits), tensors 0 → 0, 0 unanswered, 0 crashes');
  const unknown = summaryLine({ requests: 3, edits: 2, rss: { startMb: NaN, endMb: NaN, slopePer1000: NaN, samples: 0 }, unanswered: 1, crashes: 2 });
  assert.equal(unknown, 'soak: 3 requests, 2 edits, RSS n/a MB → n/a MB (slope n/a MB per 1,000 edits), tensors n/a → n/a, 1 unanswered, 2 crashes');
});

test('body anchors: Python function headers and JavaScript function bodies, never a class body or an object literal', () => {
  const py = 'import tensorflow as tf\n\ndef act(x):\n    """Doc."""\n    return x\n\nclass M:\n    def forward(self, x):\n        return x\n\ndef soak_pasted_1(x):  # gradprobe: activation\n    return x\n';
  assert.deepEqual(bodyAnchors(py, 'python'), [{ line: 2, indent: '    ' }, { line: 7, indent: '        ' }]);
  const js = 'export class L extends tf.layers.Layer {\n  call(inputs) {\n    return inputs;\n  }\n}\nexport function loss(a, b) {\n  const cfg = {\n    k: 1,\n  };\n  return tf.tidy(() => {\n    return a;\n  });\n}\nconst f = (x) => tf.relu(x);\n';
  assert.deepEqual(bodyAnchors(js, 'javascript').map((a) => a.line), [1, 5, 9]);
});

/** Types `statement` after the anchor one key at a time, then deletes it, as the soak does; returns the text at each step. */
function typeAndDelete(text: string, language: 'python' | 'javascript', rng: Rng): { typed: string; restored: string } {
  let doc = TextDocument.create('file:///x', language, 0, text);
  const edit = (range: { start: { line: number; character: number }; end: { line: number; character: number } }, t: string): void => {
    doc = TextDocument.update(doc, [{ range, text: t }], doc.version + 1);
  };
  const anchor = rng.pick(bodyAnchors(text, language));
  const line = (n: number): string => doc.getText().split('\n')[n];
  const statement = typedStatement(language, 'soak_typed_1', rng);
  edit({ start: { line: anchor.line, character: line(anchor.line).length }, end: { line: anchor.line, character: line(anchor.line).length } }, `\n${anchor.indent}`);
  for (let i = 0; i < statement.length; i++) edit({ start: { line: anchor.line + 1, character: anchor.indent.length + i }, end: { line: anchor.line + 1, character: anchor.indent.length + i } }, statement[i]);
  const typed = doc.getText();
  const at = lineOf(typed, 'soak_typed_1');
  for (let c = line(at).length; c > anchor.indent.length; c--) edit({ start: { line: at, character: c - 1 }, end: { line: at, character: c } }, '');
  edit({ start: { line: at - 1, character: line(at - 1).length }, end: { line: at, character: line(at).length } }, '');
  return { typed, restored: doc.getText() };
}

test('a typed statement and a pasted function come out again without a trace, and what they make still analyses', async () => {
  const rng = new Rng(3);
  const settings = mergeSettings(defaultSettings, { backend: 'cpu' });
  const py = largeModule('t');
  for (let i = 0; i < 5; i++) {
    const { typed, restored } = typeAndDelete(py, 'python', rng);
    assert.equal(restored, py);
    assert.notEqual(typed, py);
  }
  const { typed } = typeAndDelete(py, 'python', new Rng(8));
  const pasted = pastedFunction('python', 'soak_pasted_2', rng, py);
  const [report] = await analyzeSources([{ path: 'large_t.py', text: typed + pasted }], { settings });
  const names = report.functions.map((f) => f.name);
  assert.ok(names.includes('soak_pasted_2'), names.join(', '));
  assert.ok(names.includes('mish_t') && names.includes('bce_t'));
  assert.ok(report.functions.every((f) => f.probe.status === 'ok'), JSON.stringify(report.functions.map((f) => [f.name, f.probe])));
  const withPaste = py + pasted;
  assert.equal(withPaste.replace(pasted, ''), py);
  const js = readFileSync(join(process.cwd(), 'examples/web/regressor.js'), 'utf8');
  const jsRestored = typeAndDelete(js, 'javascript', rng);
  assert.equal(jsRestored.restored, js);
  const jsPaste = pastedFunction('javascript', 'soak_pasted_3', new Rng(1), js) + pastedFunction('javascript', 'soak_pasted_4', new Rng(2), js);
  const [jsReport] = await analyzeSources([{ path: 'web/regressor.js', text: jsRestored.typed + jsPaste }], { settings });
  assert.ok(jsReport.functions.some((f) => f.name === 'soak_pasted_3') && jsReport.functions.some((f) => f.name === 'soak_pasted_4'), jsReport.functions.map((f) => f.name).join(', '));
});

test('the workspace: the examples, eight 40-line and two 1,000-line modules', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gradprobe-soak-test-'));
  try {
    const files = createWorkspace(dir, process.cwd());
    assert.ok(files.some((f) => f.endsWith('pyproject.toml')) === false);
    assert.ok(files.some((f) => f.endsWith('web/layers.ts')));
    assert.equal(files.filter((f) => /pipelines\/stage_\d\.py$/.test(f)).length, 8);
    assert.equal(readFileSync(join(dir, 'large_a.py'), 'utf8').split('\n').length, 1000);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
