// Framework parity: every op-table row's translation, run through evaluateFunction, against a
// float64 PyTorch reference (reference.py, one /usr/bin/python3 process for all cases).
//
// Tolerance (the corpus scorer's): |got - ref| <= max(1e-3 |ref|, 1e-5 max|ref| over the array, 1e-12);
// NaN and ±Infinity must match exactly. The engine computes in float32, the reference in float64.
//
// The suite fails (never skips) when the reference cannot run: no /usr/bin/python3, no torch.
// Environment: GRADPROBE_PARITY_PYTHON overrides the interpreter; GRADPROBE_PARITY_FILTER keeps only
// case ids containing the given substring; GRADPROBE_PARITY_REPORT=<file> writes every case's outcome as JSON.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { test } from 'node:test';
import { evaluateFunction } from '../../src/core/api';
import { allClassRows, allOpRows } from '../../src/core/ops/registry';
import { allCases, coveredPrefixes, notCheckable, type Nested, type ParityCase } from './cases';

type Num = number | string;

interface RefResult { id: string; error?: string; y?: Num[]; dy?: Num[]; loss?: Num; grad?: unknown }

const PYTHON = process.env.GRADPROBE_PARITY_PYTHON ?? '/usr/bin/python3';

/** reference.py sits in test/parity; the bundle runs from dist-test/, so look upward too. */
function referenceScript(): string | undefined {
  const starts = [__dirname, process.cwd()];
  for (const start of starts) {
    for (let dir = resolve(start), i = 0; i < 6; i++, dir = dirname(dir)) {
      for (const candidate of [join(dir, 'reference.py'), join(dir, 'test/parity/reference.py')]) {
        if (existsSync(candidate) && candidate.endsWith(join('parity', 'reference.py'))) return candidate;
      }
    }
  }
  return undefined;
}

function runReference(cases: ParityCase[]): { results: Map<string, RefResult>; torch?: string; error?: string } {
  const cannot = (why: string) => ({ results: new Map<string, RefResult>(), error: `The framework-parity suite could not run: ${why}` });
  if (!existsSync(PYTHON)) return cannot(`${PYTHON} does not exist. The PyTorch reference needs Debian's /usr/bin/python3 with python3-torch (set GRADPROBE_PARITY_PYTHON to use another interpreter that has torch).`);
  const script = referenceScript();
  if (!script) return cannot('test/parity/reference.py was not found (searched upward from the test bundle and the working directory).');
  const probe = spawnSync(PYTHON, ['-c', 'import torch, sys; sys.stdout.write(torch.__version__)'], { encoding: 'utf8' });
  if (probe.status !== 0) return cannot(`${PYTHON} cannot import torch:\n${probe.stderr || probe.error?.message}`);
  const payload = cases.map((c) => ({ id: c.id, kind: c.kind, x: c.x, yTrue: c.yTrue, yPred: c.yPred, ref: c.ref }));
  const run = spawnSync(PYTHON, [script], { input: JSON.stringify(payload), encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (run.status !== 0) return cannot(`reference.py failed (exit ${run.status}):\n${run.stderr || run.error?.message}`);
  try {
    const parsed = JSON.parse(run.stdout) as { torch: string; results: RefResult[] };
    return { results: new Map(parsed.results.map((r) => [r.id, r])), torch: parsed.torch };
  } catch (err) {
    return cannot(`reference.py printed no JSON (${(err as Error).message}):\n${run.stdout.slice(0, 500)}\n${run.stderr}`);
  }
}

// ------------------------------------------------------------------ comparison

function flat(v: unknown): Num[] {
  if (Array.isArray(v)) return v.flatMap(flat);
  return [v as Num];
}

function shapeOf(v: unknown): number[] {
  return Array.isArray(v) ? [v.length, ...(v.length ? shapeOf(v[0]) : [])] : [];
}

const asNumber = (v: Num): number => (typeof v === 'number' ? v : v === 'NaN' ? NaN : v === 'Infinity' ? Infinity : v === '-Infinity' ? -Infinity : Number(v));

/** Indices where got and ref disagree under the corpus tolerance. */
export function mismatches(got: Num[], ref: Num[]): number[] {
  if (got.length !== ref.length) return [-1];
  const r = ref.map(asNumber);
  const g = got.map(asNumber);
  const scale = Math.max(0, ...r.filter(Number.isFinite).map(Math.abs));
  const bad: number[] = [];
  for (let i = 0; i < r.length; i++) {
    if (!Number.isFinite(r[i]) || !Number.isFinite(g[i])) {
      if (!Object.is(Number.isNaN(r[i]), Number.isNaN(g[i])) || (!Number.isNaN(r[i]) && r[i] !== g[i])) bad.push(i);
      continue;
    }
    const tol = Math.max(1e-3 * Math.abs(r[i]), 1e-5 * scale, 1e-12);
    if (Math.abs(g[i] - r[i]) > tol) bad.push(i);
  }
  return bad;
}

const fmt = (xs: Num[]): string => `[${xs.map((v) => (typeof v === 'number' ? Number(v.toPrecision(7)) : v)).join(', ')}]`;

interface Outcome { id: string; ok: boolean; detail?: string; got?: unknown; ref?: RefResult }

async function check(c: ParityCase, ref: RefResult | undefined): Promise<Outcome> {
  if (!ref) return { id: c.id, ok: false, detail: 'no reference result' };
  if (ref.error) return { id: c.id, ok: false, detail: `reference error: ${ref.error}`, ref };
  let got: Awaited<ReturnType<typeof evaluateFunction>>;
  try {
    got = await evaluateFunction({ path: c.path, text: c.text, name: c.name, x: c.x, yTrue: c.yTrue, yPred: c.yPred });
  } catch (err) {
    return { id: c.id, ok: false, detail: `evaluateFunction threw: ${(err as Error).message}`, ref };
  }
  const problems: string[] = [];
  if (c.kind === 'activation') {
    // eval answers in the shape of x (a scalar for a 0-d output); the references are flat.
    const g = got as { y: Nested; dy: Nested };
    const [gy, gdy] = [flat(g.y), flat(g.dy)];
    const [ry, rdy] = [flat(ref.y ?? []), flat(ref.dy ?? [])];
    if (gy.length !== ry.length) problems.push(`y has ${gy.length} elements, torch ${ry.length}: ours ${fmt(gy)} torch ${fmt(ry)}`);
    else if (mismatches(gy, ry).length) problems.push(`value: ours ${fmt(gy)}, torch ${fmt(ry)}`);
    if (gdy.length !== rdy.length) problems.push(`dy has ${gdy.length} elements, torch ${rdy.length}`);
    else if (mismatches(gdy, rdy).length) problems.push(`grad: ours ${fmt(gdy)}, torch ${fmt(rdy)}`);
  } else {
    const g = got as { loss: Num; grad: Nested };
    if (mismatches([g.loss], [ref.loss as Num]).length) problems.push(`loss: ours ${fmt([g.loss])}, torch ${fmt([ref.loss as Num])}`);
    const gs = shapeOf(g.grad).join('x');
    const rs = shapeOf(ref.grad).join('x');
    if (gs !== rs) problems.push(`grad shape ${gs} vs torch ${rs}`);
    else if (mismatches(flat(g.grad), flat(ref.grad)).length) problems.push(`grad: ours ${fmt(flat(g.grad))}, torch ${fmt(flat(ref.grad))}`);
  }
  return { id: c.id, ok: problems.length === 0, detail: problems.join('; '), got, ref };
}

// ------------------------------------------------------------------ the suite

const { cases: everyCase, problems } = allCases();
const filter = process.env.GRADPROBE_PARITY_FILTER;
const cases = filter ? everyCase.filter((c) => c.id.includes(filter)) : everyCase;
const reference = runReference(cases);

test('parity reference: PyTorch (float64) is available', () => {
  if (reference.error) assert.fail(reference.error);
  assert.ok(reference.results.size === cases.length, `reference returned ${reference.results.size} of ${cases.length} results`);
});

test('parity cases are well formed', () => {
  assert.deepEqual(problems, [], `case generation failed:\n${problems.join('\n')}`);
  const ids = new Set<string>();
  const dup = everyCase.filter((c) => (ids.has(c.id) ? true : (ids.add(c.id), false))).map((c) => c.id);
  assert.deepEqual(dup, [], 'duplicate case ids');
});

test('every op-table row under a covered prefix, and every class row, has a parity case', () => {
  const covered = new Set(everyCase.flatMap((c) => c.rows));
  const rows = allOpRows().filter((r) => coveredPrefixes.some((p) => r.name.startsWith(p)));
  const missing = rows.filter((r) => !covered.has(r.name) && !(r.name in notCheckable)).map((r) => `${r.name} (impl ${r.impl})`);
  assert.deepEqual(missing, [], `op rows without a parity case (add a spec in test/parity/cases.ts, or justify an entry in notCheckable):\n${missing.join('\n')}`);
  // Class rows (nn.* modules, loss classes): each constructed and called in a composite case.
  const classes = allClassRows().filter((r) => !covered.has(r.name)).map((r) => `${r.name} (class, impl ${r.impl})`);
  assert.deepEqual(classes, [], `class rows without a parity case (add a composite in test/parity/cases.ts):\n${classes.join('\n')}`);
  const stale = Object.keys(notCheckable).filter((n) => !rows.some((r) => r.name === n));
  if (stale.length) console.log(`parity: notCheckable names no longer in the op tables: ${stale.join(', ')}`);
});

// One test per module (torch.nn.functional, tf.math, keras.ops, tfjs, composites…); each lists all of its
// disagreements. Cases are run in order; evaluateFunction is not re-entrant-safe across awaits anyway.
const groups = new Map<string, ParityCase[]>();
for (const c of cases) {
  const key = c.id.startsWith('composite:') ? 'composite' : c.id.slice(0, c.id.lastIndexOf('.', c.id.indexOf('#')));
  groups.set(key, [...(groups.get(key) ?? []), c]);
}

const outcomes: Outcome[] = [];
for (const [group, members] of groups) {
  test(`parity: ${group} (${members.length} cases)`, async () => {
    if (reference.error) assert.fail(reference.error);
    const failed: Outcome[] = [];
    for (const c of members) {
      const o = await check(c, reference.results.get(c.id));
      outcomes.push(o);
      if (!o.ok) failed.push(o);
    }
    if (failed.length) {
      assert.fail(`${failed.length} of ${members.length} cases disagree with torch:\n${failed.map((f) => `  ${f.id}: ${f.detail}`).join('\n')}`);
    }
  });
}

test('parity summary', () => {
  const passed = outcomes.filter((o) => o.ok).length;
  console.log(`parity: ${passed} of ${outcomes.length} cases agree with torch ${reference.torch ?? '(unavailable)'}; ${outcomes.length - passed} disagree`);
  const out = process.env.GRADPROBE_PARITY_REPORT;
  if (out) {
    const byId = new Map(cases.map((c) => [c.id, c]));
    writeFileSync(out, JSON.stringify(outcomes.map((o) => ({ ...o, text: byId.get(o.id)?.text, x: byId.get(o.id)?.x, yTrue: byId.get(o.id)?.yTrue, yPred: byId.get(o.id)?.yPred, refExpr: byId.get(o.id)?.ref })), null, 1));
  }
});
