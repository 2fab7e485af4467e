// The interpreter on classes, decorators, custom gradients and workspace module imports as real
// libraries write them (test/fixtures/interpreter): each function is probed (status ok) with the
// values and gradients the framework computes (reference numbers from PyTorch 1.13 or the
// closed form, in expected.json), or stopped by an honest GP001 at a line of its own file.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { analyzeSources } from '../../src/core/analyze';
import { evaluateFunction, type ActivationEval, type LossEval } from '../../src/core/api';
import { defaultSettings, mergeSettings } from '../../src/core/config/settings';
import type { FileReport } from '../../src/core/findings/types';
import { diskLoader } from '../../src/cli/files';

const dir = join(__dirname, '..', '..', 'test', 'fixtures', 'interpreter');

interface Expectation {
  file: string;
  name: string;
  kind: 'activation' | 'loss';
  status: 'ok' | 'unsupported' | 'failed';
  why: string;
  /** Eager evaluation this pattern also needs, not yet in the interpreter: reported as a todo. */
  pending?: string;
  construct?: string;
  /** 1-based line the GP001 points at. */
  line?: number;
  x?: number[];
  y?: number[];
  dy?: number[];
  y_true?: number[][];
  y_pred?: number[][];
  loss?: number;
  grad?: number[][];
}

const expectations = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as Expectation[];

function files(d: string): string[] {
  return readdirSync(d).flatMap((f) => {
    const p = join(d, f);
    if (statSync(p).isDirectory()) return files(p);
    return /\.(py|js)$/.test(f) ? [p] : [];
  });
}

let reports: Promise<FileReport[]> | undefined;
function analyzed(): Promise<FileReport[]> {
  reports ??= analyzeSources(files(dir).map((p) => ({ path: relative(dir, p), text: readFileSync(p, 'utf8') })), { settings: mergeSettings(defaultSettings, { backend: 'cpu' }) });
  return reports;
}

function close(actual: unknown, expected: number, tol = 2e-4): boolean {
  return typeof actual === 'number' && Math.abs(actual - expected) <= tol * Math.max(1, Math.abs(expected));
}

function checkSeries(what: string, actual: unknown[], expected: number[]): string[] {
  if (actual.length !== expected.length) return [`${what}: ${actual.length} values, expected ${expected.length}`];
  return expected.flatMap((e, i) => (close(actual[i], e) ? [] : [`${what}[${i}] = ${String(actual[i])}, expected ${e}`]));
}

async function evaluated(e: Expectation): Promise<string[]> {
  const path = join(dir, e.file);
  const load = diskLoader([dir]);
  const text = readFileSync(path, 'utf8');
  if (e.x) {
    const out = (await evaluateFunction({ path, text, name: e.name, x: e.x, backend: 'cpu', load })) as ActivationEval;
    return [...checkSeries('y', out.y, e.y!), ...checkSeries('dy', out.dy, e.dy!)];
  }
  const out = (await evaluateFunction({ path, text, name: e.name, yTrue: e.y_true, yPred: e.y_pred, backend: 'cpu', load })) as LossEval;
  return [...(close(out.loss, e.loss!) ? [] : [`loss = ${String(out.loss)}, expected ${e.loss}`]), ...checkSeries('grad', (out.grad as unknown[][]).flat(), e.grad!.flat())];
}

for (const e of expectations) {
  test(`${e.file}:${e.name} — ${e.why}`, { todo: e.pending }, async () => {
    const report = (await analyzed()).find((r) => r.path === e.file);
    const fn = report?.functions.find((f) => f.name === e.name);
    assert.ok(fn, `${e.file}:${e.name} is not listed`);
    const gp = report!.findings.find((f) => f.function === e.name && (f.code === 'GP001' || f.code === 'GP002'));
    assert.equal(fn.probe.status, e.status, `status ${fn.probe.status}: ${gp?.message ?? fn.summary}`);
    if (e.status === 'ok') {
      assert.deepEqual(await evaluated(e), []);
      return;
    }
    assert.equal(gp?.code, 'GP001', `expected GP001, got ${gp?.code}: ${gp?.message}`);
    assert.ok(gp.message.includes(e.construct!), `GP001 says "${gp.message}", expected it to name "${e.construct}"`);
    assert.equal(gp.span.startLine + 1, e.line, `GP001 points at line ${gp.span.startLine + 1}, expected ${e.line}`);
  });
}
