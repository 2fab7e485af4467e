// The run's time budget reaches inside parsing and detection: a file the parser would spend minutes
// on (kilobytes of random ASCII named .ts) ends at the budget with a file-level GP002 saying where,
// and the parser is left fit for the next file. The budget's clock is a counter here, so the budget
// runs out inside the phase under test whatever the machine's speed.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { analyzeSources, prepareEngine, type RunBudget } from '../../src/core/analyze';
import { defaultSettings, mergeSettings } from '../../src/core/config/settings';
import { detectFunctions } from '../../src/core/detect/detect';
import type { FileReport } from '../../src/core/findings/types';
import { AnalysisBudgetExceeded } from '../../src/core/ir/errors';
import { documentFromText, parseDocument } from '../../src/core/parse/document';
import { parseSource } from '../../src/core/parse/treeSitter';

const settings = mergeSettings(defaultSettings, { backend: 'cpu' });

before(async () => {
  await prepareEngine('cpu');
});

/** 64 KB of printable ASCII, tabs and line breaks from a fixed seed: what the fuzz run's `bytes ascii` inputs are. */
function randomAscii(length: number, seed: number): string {
  const alphabet = [9, 10, 13, ...Array.from({ length: 95 }, (_, k) => 32 + k)];
  let state = seed >>> 0;
  const out: string[] = [];
  for (let i = 0; i < length; i++) {
    // mulberry32
    state = (state + 0x6d2b79f5) >>> 0;
    let t = Math.imul(state ^ (state >>> 15), state | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    const r = ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    out.push(String.fromCharCode(alphabet[Math.floor(r * alphabet.length)]));
  }
  return out.join('');
}

/** A budget whose clock advances one millisecond at each reading: it runs out at the `readings`-th. */
function countingBudget(readings: number): RunBudget & { reads: () => number } {
  let t = 0;
  return { deadline: readings, seconds: 30, now: () => t++, reads: () => t };
}

const activation = 'import tensorflow as tf\n\ndef swishy(x):  # gradprobe: activation\n    return x * tf.sigmoid(x)\n';

function gp002(report: FileReport): { message: string; evidence: Record<string, unknown> } {
  const f = report.findings.find((x) => x.code === 'GP002' && x.function === undefined);
  assert.ok(f, `no file-level GP002 in ${JSON.stringify(report.findings.map((x) => x.code))}`);
  return f;
}

test('64 KB of random ASCII as .ts: the budget running out while parsing ends it with a GP002 saying so', async () => {
  const text = randomAscii(65_536, 4405);
  const budget = countingBudget(50);
  const [report] = await analyzeSources([{ path: 'noise.ts', text }], { settings, runBudget: budget });
  assert.equal(report.path, 'noise.ts');
  assert.deepEqual(report.functions, []);
  const f = gp002(report);
  assert.equal(f.evidence.phase, 'parse');
  assert.match(f.message, /time budget \(30 s\) ran out while this file was parsed \(at character [\d,]+ of 65,536\)/);
  assert.match(f.message, /raise --time-budget/);
  // The parse was stopped where the budget ran out, not after the file was read whole.
  assert.ok(budget.reads() < 100, `the clock was read ${budget.reads()} times`);
});

test('a parse abandoned at the budget does not leak into the next file: the parser starts afresh', async () => {
  await analyzeSources([{ path: 'noise.ts', text: randomAscii(65_536, 7) }], { settings, runBudget: countingBudget(20) });
  await analyzeSources([{ path: 'noise.py', text: randomAscii(65_536, 8) }], { settings, runBudget: countingBudget(20) });
  // The same parsers, without a budget: each reads its own text, not the rest of the abandoned one.
  const tsTree = parseSource('typescript', 'export const f = (x: number) => x * 2;\n');
  try {
    assert.equal(tsTree.rootNode.hasError, false);
    assert.equal(tsTree.rootNode.endIndex, 39);
  } finally {
    tsTree.delete();
  }
  const [report] = await analyzeSources([{ path: 'act.py', text: activation }], { settings });
  assert.deepEqual(report.functions.map((f) => f.name), ['swishy']);
});

test('parseSource throws AnalysisBudgetExceeded when its stop answers true, and parses whole when it never does', () => {
  const text = 'x = 1\n'.repeat(5000);
  let asked = 0;
  assert.throws(() => parseSource('python', text, () => ++asked > 3), (err: unknown) => err instanceof AnalysisBudgetExceeded && err.phase === 'parse' && /at character [\d,]+ of 30,000\)/.test(err.message));
  asked = 0;
  const tree = parseSource('python', text, () => { asked++; return false; });
  try {
    assert.ok(asked > 3, 'the parser asked as it went');
    assert.equal(tree.rootNode.hasError, false);
    assert.equal(tree.rootNode.endIndex, text.length);
  } finally {
    tree.delete();
  }
});

test('the budget running out while functions are detected ends the run with a GP002 per file', async () => {
  // Many definitions: detection weighs each one; the clock is stopped until parsing is over.
  const text = Array.from({ length: 200 }, (_, i) => `def act_${i}(x):  # gradprobe: activation\n    return x * ${i}\n`).join('\n');
  let parsed = false;
  const budget: RunBudget = { deadline: 0, seconds: 30, now: () => (parsed ? 1 : 0) };
  const reports = await analyzeSources([{ path: 'a.py', text }, { path: 'b.py', text: activation }], {
    settings, runBudget: budget, onProgress: (p) => { if (p.phase === 'parse' && p.done === 2) parsed = true; },
  });
  assert.deepEqual(reports.map((r) => r.path), ['a.py', 'b.py']);
  for (const report of reports) {
    assert.deepEqual(report.functions, []);
    const f = gp002(report);
    assert.equal(f.evidence.phase, 'detect');
    assert.match(f.message, /ran out while the files' functions were detected \(after 0 of 2 files\)/);
  }
});

test('detectFunctions stops between definitions when asked', () => {
  const text = Array.from({ length: 50 }, (_, i) => `def act_${i}(x):  # gradprobe: activation\n    return x * ${i}\n`).join('\n');
  const module = parseDocument(documentFromText('many.py', text));
  assert.equal(detectFunctions([module]).length, 50);
  let asked = 0;
  assert.throws(() => detectFunctions([module], { stop: () => ++asked > 10 }), (err: unknown) => err instanceof AnalysisBudgetExceeded && err.phase === 'detect' && /after 9 of 50 definitions/.test(err.message));
});
