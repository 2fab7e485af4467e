// The short fuzz run CI does (the long one is `npm run fuzz -- --count N --seed S`): a fixed seed,
// a few hundred generated inputs through the core and a few dozen through the running language
// server. No crash, no unhandled rejection, every answer well-formed, and a mutated seed still
// reports the functions its mutation did not touch. The judge itself is checked against answers
// that are wrong in each of those ways, so a catch-all that answers nothing fails.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FileReport } from '../../src/core/findings/types';
import { generateInput, loadSeeds, Rng, type FuzzInput, type Mutation } from '../fuzz/generate';
import { analyzeSources } from '../../src/core/analyze';
import { finding } from '../../src/core/findings/finding';
import { baselineOf, budgetSkipped, dependencies, lostFunctions, topLevelDefinitions, untouchedFunctions, fuzzAnalyzeOptions, fuzzSettings, inProcessAnalyzer, inputBudgetSeconds, reportProblems, rssTrend, runCoreFuzz, runServerFuzz, serialisationProblem, summaryLine, withoutProbeData, type Analyzer } from '../fuzz/run';

const root = process.cwd();
const seeds = loadSeeds(root);
const seed = 20_240_611;

test('the generator is deterministic and covers every family', () => {
  const a = new Rng(seed);
  const b = new Rng(seed);
  const families = new Set<string>();
  for (let i = 0; i < 400; i++) {
    const x = generateInput(a, i, seeds);
    const y = generateInput(b, i, seeds);
    assert.equal(x.text, y.text);
    families.add(x.family);
  }
  assert.deepEqual([...families].sort(), ['broken', 'bytes', 'huge', 'mutated', 'nested', 'notebook', 'pathological', 'tokens', 'truncated']);
});

test('fuzz: 300 inputs through the core — no crash, no unhandled rejection, well-formed answers, untouched functions kept', { timeout: 600_000 }, async () => {
  let rejections = 0;
  const onRejection = (): void => { rejections++; };
  process.on('unhandledRejection', onRejection);
  try {
    const stats = await runCoreFuzz({ count: 300, seed, seeds, analyze: inProcessAnalyzer(), rejectionsSoFar: () => rejections });
    assert.deepEqual(stats.problems.map((p) => `${p.kind} ${p.id} ${p.path} [${p.detail}]: ${p.message.split('\n')[0]}`), []);
    assert.equal(stats.inputs, 300);
    assert.ok(stats.oracleChecked >= 30, `the oracle ran on ${stats.oracleChecked} mutated inputs`);
    assert.ok(stats.oracleFunctions >= 30, `the oracle required ${stats.oracleFunctions} functions`);
    assert.match(summaryLine({ inputs: stats.inputs, crashes: stats.crashes, rejections: stats.rejections, slowest: { ms: stats.slowest.ms, file: stats.slowest.path }, peakRssMb: process.resourceUsage().maxRSS / 1024 }), /^fuzz: 300 inputs, 0 crashes, 0 unhandled rejections, slowest \d+ ms \(.+\), peak RSS \d+ MB$/);
  } finally {
    process.off('unhandledRejection', onRejection);
  }
});

test('fuzz: 30 inputs through the language server over stdio — each answered (diagnostics, lenses, hover), the server alive', { timeout: 600_000 }, async () => {
  const workspace = mkdtempSync(join(tmpdir(), 'gradprobe-fuzz-unit-'));
  try {
    const stats = await runServerFuzz({ count: 30, seed: seed + 1, seeds, root, workspace });
    assert.deepEqual(stats.problems.map((p) => `${p.kind} ${p.id} [${p.detail}]: ${p.message.split('\n')[0]}`), []);
    assert.equal(stats.inputs, 30);
    assert.equal(stats.serverAlive, true);
    assert.deepEqual(stats.failureLogs, []);
  } finally {
    rmSync(workspace, { recursive: true, force: true });
  }
});

// ------------------------------------------------------------------ the judge can fail

async function judge(analyze: Analyzer, count = 60): Promise<Awaited<ReturnType<typeof runCoreFuzz>>> {
  return runCoreFuzz({ count, seed, seeds, analyze, baselineAnalyze: inProcessAnalyzer() });
}

test('the judge fails a catch-all that answers nothing (mutated seeds lose their functions)', { timeout: 120_000 }, async () => {
  const stats = await judge(async (input) => ({ reports: [{ path: input.path, functions: [], findings: [] }], ms: 0 }));
  assert.ok(stats.lost > 0, 'functions the mutation did not touch were required');
  assert.equal(stats.crashes, 0);
});

test('the judge counts exceptions, hangs and malformed reports', { timeout: 120_000 }, async () => {
  const real = inProcessAnalyzer();
  let n = 0;
  const stats = await judge(async (input) => {
    n++;
    if (n % 7 === 0) return { error: 'Error: boom', ms: 1 };
    if (n % 11 === 0) return { hang: true, ms: 120_000 };
    const out = await real(input);
    if (n % 5 === 0 && out.reports?.[0]) {
      const r: FileReport = structuredClone(out.reports[0]);
      r.findings.push({ code: 'GP999', severity: 'warning', message: '', span: { startLine: 1e6, startCol: 0, endLine: 1e6, endCol: 0 }, evidence: {} });
      return { ...out, reports: [r] };
    }
    return out;
  });
  assert.ok(stats.crashes >= 8, `crashes and hangs counted: ${stats.crashes}`);
  assert.ok(stats.malformed >= 5, `malformed counted: ${stats.malformed}`);
});

test('well-formedness: a function not probed needs its GP001/GP002; spans stay in the file', () => {
  const input = { path: 'a.py', text: 'def f(x):\n    return x\n' };
  const span = { startLine: 0, startCol: 4, endLine: 0, endCol: 5 };
  const fn = { name: 'f', kind: 'activation' as const, framework: 'numpy', span, nameSpan: span, detectedBy: [], probe: { status: 'unsupported' as const, ms: 1 }, summary: '', findings: [] };
  assert.match(reportProblems(input, [{ path: 'a.py', functions: [fn], findings: [] }]).join(), /without GP001/);
  const far = { ...fn, probe: { status: 'ok' as const, ms: 1 }, span: { ...span, endLine: 9 } };
  assert.match(reportProblems(input, [{ path: 'a.py', functions: [far], findings: [] }]).join(), /past the last line/);
  assert.match(reportProblems({ path: 'b.py', text: 'x\u0000' }, [{ path: 'b.py', functions: [], findings: [] }]).join(), /binary/);
  assert.deepEqual(reportProblems(input, [{ path: 'a.py', functions: [{ ...fn, probe: { status: 'ok', ms: 1 } }], findings: [] }]), []);
});

test('a seed\'s baseline keeps what the oracle reads (names, kinds, spans), not the reports\' sweeps: the run holds one per seed', async () => {
  const seedFile = seeds.find((x) => x.path.endsWith('examples/vae_jax.py')) ?? seeds.find((x) => x.path.endsWith('.py'));
  assert.ok(seedFile, 'a Python seed');
  const reports = await analyzeSources([{ path: seedFile.path, text: seedFile.text }], { settings: fuzzSettings });
  const functions = reports[0].functions;
  assert.ok(functions.some((f) => f.data), `${seedFile.path}: no function was probed`);
  const baseline = baselineOf(reports);
  assert.deepEqual(baseline?.functions, functions.map((f) => ({ name: f.name, kind: f.kind, span: f.span })));
  const kept = JSON.stringify(baseline).length;
  const whole = JSON.stringify(functions).length;
  assert.ok(kept * 20 < whole, `the baseline keeps ${kept} characters of the reports' ${whole}`);
  assert.equal(baselineOf([]), null);
});

/** A seed with one structural mutation, as the generator makes it: `edit` gets the seed's lines. */
function mutated(path: string, mutation: Mutation, edit: (lines: string[]) => string[]): { input: FuzzInput; seed: (typeof seeds)[number] } {
  const seedFile = seeds.find((x) => x.path === path);
  assert.ok(seedFile, path);
  const text = edit(seedFile.text.split('\n')).join('\n');
  return { seed: seedFile, input: { id: 'm', family: 'mutated', path, text, detail: 'by hand', seed: path, mutations: [mutation] } };
}

test('the oracle requires only the functions whose detection the mutation left alone: not an alias or forwarder of a changed function, not a class whose base changed; a real loss is still caught', { timeout: 120_000 }, async () => {
  const analyze = async (path: string, text: string): Promise<FileReport> => (await analyzeSources([{ path, text }], { settings: fuzzSettings }))[0];
  // The body of binary_focal loses its return: binary_focal_jit (= torch.jit.script(binary_focal))
  // and sigmoid_focal (which forwards to it) go with it; the categorical pair does not depend on it.
  const af = mutated('test/fixtures/detection/aliases_forwarders.py', { kind: 'delete-line', lines: [10, 11, 12], structural: true }, (l) => l.filter((_, i) => i < 10 || i > 12));
  const afBase = baselineOf([await analyze(af.seed.path, af.seed.text)])!;
  assert.deepEqual(afBase.functions.map((f) => f.name), ['binary_focal', 'binary_focal_jit', 'CategoricalFocal', 'sigmoid_focal', 'FocalCriterion']);
  const afRequired = untouchedFunctions(af.input, af.seed, afBase)!.map((f) => f.name);
  assert.deepEqual(afRequired, ['CategoricalFocal', 'FocalCriterion']);
  const afReport = await analyze(af.input.path, af.input.text);
  assert.deepEqual(lostFunctions(afBase.functions.filter((f) => afRequired.includes(f.name)), afReport), []);
  // A real loss: the report drops a function the mutation did not touch.
  const dropped = { ...afReport, functions: afReport.functions.filter((f) => f.name !== 'CategoricalFocal') };
  assert.deepEqual(lostFunctions(untouchedFunctions(af.input, af.seed, afBase)!, dropped).map((f) => f.name), ['CategoricalFocal']);

  // `*` → `@` in ScaledBase.forward: TanhMid's forward is its base's, so TanhMid is not required.
  const bases = mutated('test/fixtures/interpreter/wspkg/bases.py', { kind: 'swap-op', lines: [25], structural: true }, (l) => l.map((x, i) => (i === 25 ? x.replace('self.scale * ', 'self.scale @ ') : x)));
  const basesBase = baselineOf([await analyze(bases.seed.path, bases.seed.text)])!;
  assert.deepEqual(basesBase.functions.map((f) => f.name), ['TanhMid']);
  assert.deepEqual(untouchedFunctions(bases.input, bases.seed, basesBase), []);
  // A line after the class that names nothing leaves it required.
  const unrelated = { ...bases.input, text: bases.seed.text, mutations: [{ kind: 'constant' as const, lines: [36], structural: true }] };
  assert.deepEqual(untouchedFunctions(unrelated, bases.seed, basesBase)?.map((f) => f.name), ['TanhMid']);
});

test('the oracle\'s reading of a seed: top-level definitions with their decorators and extent; what a function depends on and is used by', () => {
  const py = '@dec\ndef f(x):\n    return g(x)\n\n\ndef g(x):\n    return x\n\nclass C(Base):\n    def m(self):\n        return 1\n\nH = f\nREG = {\n  "h": H,\n}\n';
  assert.deepEqual(topLevelDefinitions(py, 'a.py'), [
    { name: 'f', start: 0, end: 2 }, { name: 'g', start: 5, end: 6 }, { name: 'C', start: 8, end: 10 }, { name: 'H', start: 12, end: 12 }, { name: 'REG', start: 13, end: 15 },
  ]);
  const lines = py.split('\n');
  const defs = topLevelDefinitions(py, 'a.py');
  const f = dependencies({ name: 'f', span: { startLine: 1, startCol: 0, endLine: 2, endCol: 15 } }, defs, lines);
  assert.deepEqual([...f.lines].sort((a, b) => a - b), [0, 1, 2, 5, 6]);
  assert.deepEqual([...f.names].sort(), ['H', 'REG', 'f']);
  // A method listed on its own depends on its class's header (the bases), not on the rest of the class.
  const m = dependencies({ name: 'm', span: { startLine: 9, startCol: 4, endLine: 10, endCol: 16 } }, defs, lines);
  assert.deepEqual([...m.lines].sort((a, b) => a - b), [8, 9, 10]);
  const js = 'export const act = (x) =>\n  tf.mul(x, helper(x));\nfunction helper(x) {\n  return x;\n}\nconst layer = tf.layers.activation({ activation: act });\n';
  assert.deepEqual(topLevelDefinitions(js, 'a.js'), [{ name: 'act', start: 0, end: 1 }, { name: 'helper', start: 2, end: 4 }, { name: 'layer', start: 5, end: 5 }]);
});

test('functions an input\'s time budget did not reach are named by its GP002: the oracle counts them as kept, and only them', { timeout: 120_000 }, async () => {
  const real = inProcessAnalyzer();
  const skipped = (name: (n: string) => boolean): Analyzer => async (input) => {
    const out = await real(input);
    const r = out.reports?.[0];
    if (!r || !r.functions.length) return out;
    const names = r.functions.map((f) => f.name);
    const kept: FileReport = {
      path: r.path,
      functions: [],
      findings: [finding('GP002', { message: `the run's time budget (30 s) ran out: ${names.length} functions were not probed`, span: { startLine: 0, startCol: 0, endLine: 0, endCol: 0 }, evidence: { timeBudget: 30, notProbed: names.filter(name) } })],
    };
    return { ...out, reports: [kept] };
  };
  const named = await judge(skipped(() => true));
  assert.ok(named.oracleChecked > 0 && named.oracleFunctions > 0, `the oracle ran (${named.oracleChecked} inputs)`);
  assert.equal(named.lost, 0, named.problems.map((p) => p.message).join('\n'));
  assert.equal(named.malformed, 0, named.problems.map((p) => p.message).join('\n'));
  const unnamed = await judge(skipped(() => false));
  assert.ok(unnamed.lost > 0, 'a GP002 that names nothing keeps nothing');
  assert.deepEqual([...budgetSkipped({ path: 'a.py', functions: [], findings: [finding('GP002', { message: 'm', span: { startLine: 0, startCol: 0, endLine: 0, endCol: 0 }, evidence: { notProbed: ['f', 3, 'g'] } })] })], ['f', 'g']);
  const options = fuzzAnalyzeOptions();
  assert.equal(options.runBudget?.seconds, inputBudgetSeconds);
  assert.ok(options.runBudget!.deadline > Date.now(), 'the budget starts when the input does');
});

test('the RSS trend: flat after the warm-up reads as no growth, a steady climb as its slope per 1,000 inputs', () => {
  const flat = [{ done: 50, mb: 300 }, ...Array.from({ length: 10 }, (_, i) => ({ done: (i + 1) * 100, mb: 400 + (i % 2) }))];
  const t = rssTrend(flat, 1000)!;
  assert.deepEqual([t.at10, t.last], [{ done: 100, mb: 400 }, { done: 1000, mb: 401 }]);
  assert.ok(Math.abs(t.perThousandMb) < 2, `the warm-up's jump is left out: ${t.perThousandMb}`);
  const climbing = Array.from({ length: 10 }, (_, i) => ({ done: (i + 1) * 100, mb: 322 + (i + 1) * 7.4 }));
  assert.ok(Math.abs(rssTrend(climbing, 1000)!.perThousandMb - 74) < 1e-6);
  assert.equal(rssTrend([{ done: 1000, mb: 400 }], 1000), undefined);
  const line = summaryLine({ inputs: 1000, crashes: 0, rejections: 0, slowest: { ms: 12, file: 'x.py' }, peakRssMb: 480, trend: rssTrend(climbing, 1000) });
  assert.equal(line, 'fuzz: 1000 inputs, 0 crashes, 0 unhandled rejections, slowest 12 ms (x.py), peak RSS 480 MB (RSS 329 MB at 100 inputs, 396 MB at 1000; +74.0 MB per 1,000 inputs after warm-up)');
});

test('a run stopped between inputs covers the inputs done, each judged', async () => {
  let done = 0;
  const stats = await runCoreFuzz({
    count: 50, seed, seeds, stop: () => done >= 5, progress: (n) => { done = n; },
    analyze: async (input) => ({ reports: [{ path: input.path, functions: [], findings: [] }], ms: 1 }),
  });
  assert.equal(stats.inputs, 5);
  assert.equal(Object.values(stats.byFamily).reduce((a, b) => a + b, 0), 5);
});

test('the analysis thread checks a report\'s serialisation whole and sends it without its probe data; what it found is judged malformed', async () => {
  const text = 'import torch\n\ndef swish(x):\n    return x * torch.sigmoid(x)\n\nACT = swish\n';
  const reports = await analyzeSources([{ path: 'a.py', text }], { settings: fuzzSettings });
  assert.ok(reports[0].functions.some((f) => f.data), 'the probe made data');
  const slim = withoutProbeData(reports);
  assert.ok(slim[0].functions.every((f) => f.data === undefined));
  assert.deepEqual(slim[0].functions.map(({ name, findings, probe }) => ({ name, findings, probe })), reports[0].functions.map(({ name, findings, probe }) => ({ name, findings, probe })));
  assert.ok(reports[0].functions.some((f) => f.data), 'the reports themselves are left whole');
  assert.equal(serialisationProblem(reports), undefined);
  const broken = structuredClone(reports);
  (broken[0].functions[0] as unknown as { data: unknown }).data = { f: () => 0 };
  assert.match(serialisationProblem(broken) ?? '', /cannot be serialised/);
  const stats = await runCoreFuzz({
    count: 3, seed, seeds,
    analyze: async (input) => ({ reports: [{ path: input.path, functions: [], findings: [] }], ms: 1, problems: ['the report cannot be serialised: x'] }),
  });
  assert.equal(stats.malformed, 3);
});
