// The README's demo workspace: what examples/README.md says GradProbe reports is what it reports.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { analyzeSources } from '../../src/core/analyze';
import { defaultSettings, mergeSettings } from '../../src/core/config/settings';

const root = join(__dirname, '..', '..', 'examples');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : /\.(py|ipynb|js|ts)$/.test(f) ? [p] : [];
  });
}

test('examples: every function listed with its expected codes, no decoy listed, everything probed', async () => {
  const inputs = files(root).map((p) => ({ path: relative(root, p), text: readFileSync(p, 'utf8') }));
  const reports = await analyzeSources(inputs, { settings: mergeSettings(defaultSettings, { backend: 'cpu' }) });
  const expected = JSON.parse(readFileSync(join(root, 'expected.json'), 'utf8')) as { file: string; name: string; kind: string; expect?: string[]; forbid?: string[] }[];
  const problems: string[] = [];
  for (const e of expected) {
    const fn = reports.find((r) => r.path === e.file)?.functions.find((f) => f.name === e.name);
    if (e.kind === 'none') { if (fn) problems.push(`${e.file}:${e.name} is a decoy but was listed`); continue; }
    if (!fn) { problems.push(`${e.file}:${e.name} not listed`); continue; }
    if (fn.kind !== e.kind) problems.push(`${e.file}:${e.name} listed as ${fn.kind}`);
    if (fn.probe.status !== 'ok') problems.push(`${e.file}:${e.name} probe ${fn.probe.status}: ${fn.probe.reason}`);
    const codes = new Set(fn.findings.map((f) => f.code));
    for (const c of e.expect ?? []) if (!codes.has(c)) problems.push(`${e.file}:${e.name} missing ${c}`);
    for (const c of e.forbid ?? []) if (codes.has(c)) problems.push(`${e.file}:${e.name} forbidden ${c}`);
  }
  assert.deepEqual(problems, []);
});
