// The fixture workspaces of test/fixtures, each with its expected.json, through the real pipeline.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { analyzeSources } from '../../src/core/analyze';
import { defaultSettings, mergeSettings } from '../../src/core/config/settings';
import type { FileReport } from '../../src/core/findings/types';

const root = join(__dirname, '..', '..', 'test', 'fixtures');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) return files(p);
    return /\.(py|ipynb|js|ts)$/.test(f) ? [p] : [];
  });
}

async function analyzeFolder(name: string): Promise<FileReport[]> {
  const dir = join(root, name);
  const inputs = files(dir).map((p) => ({ path: relative(dir, p), text: readFileSync(p, 'latin1').includes('\u0000') ? readFileSync(p, 'latin1') : readFileSync(p, 'utf8') }));
  return analyzeSources(inputs, { settings: mergeSettings(defaultSettings, { backend: 'cpu' }) });
}

interface Expectation { file: string; name: string | null; kind: string; expect?: string[]; forbid?: string[]; status?: string; aliases?: string[]; inner_of?: string; construct?: string; also_acceptable?: string[]; marker?: string | null }

function expectations(name: string): Expectation[] {
  return JSON.parse(readFileSync(join(root, name, 'expected.json'), 'utf8')) as Expectation[];
}

function listed(reports: FileReport[], file: string, names: string[]) {
  return reports.find((r) => r.path === file)?.functions.find((f) => names.includes(f.name));
}

// One subtest per fixture file: each file is one detection pattern (its header says which), so a
// failure names the pattern. The folder is analysed as one workspace (uses cross files).
test('detection fixtures: every function listed as its kind, decoys and inner functions not listed', async (t) => {
  const reports = await analyzeFolder('detection');
  const byFile = new Map<string, Expectation[]>();
  for (const e of expectations('detection')) byFile.set(e.file, [...(byFile.get(e.file) ?? []), e]);
  for (const [file, entries] of byFile) {
    await t.test(file, () => {
      const problems: string[] = [];
      for (const e of entries) {
        const names = [e.name!, ...(e.aliases ?? [])];
        const fn = listed(reports, e.file, names);
        if (e.kind === 'none' || e.inner_of) {
          if (fn) problems.push(`${e.file}:${e.name} listed as ${fn.kind} but is ${e.inner_of ? `inner to ${e.inner_of}` : 'not an activation or loss'}`);
        } else if (!fn) problems.push(`${e.file}:${e.name} (${e.kind}) not listed`);
        else if (fn.kind !== e.kind) problems.push(`${e.file}:${e.name} listed as ${fn.kind}, expected ${e.kind}`);
      }
      // Nothing listed that the file's expectations do not name.
      const named = new Set(entries.flatMap((e) => [e.name!, ...(e.aliases ?? [])]));
      for (const fn of reports.find((r) => r.path === file)?.functions ?? []) if (!named.has(fn.name) && !fn.name.startsWith('<lambda>')) problems.push(`${file}:${fn.name} listed as ${fn.kind} but has no expectation`);
      assert.deepEqual(problems, []);
    });
  }
  const files = new Set(reports.map((r) => r.path));
  assert.deepEqual([...byFile.keys()].filter((f) => !files.has(f)), [], 'every fixture file named in expected.json was analysed');
});

test('rules fixtures: expected codes reported, forbidden codes not', async () => {
  const reports = await analyzeFolder('rules');
  const problems: string[] = [];
  for (const e of expectations('rules')) {
    const fn = listed(reports, e.file, [e.name!]);
    if (!fn) { problems.push(`${e.file}:${e.name} not listed`); continue; }
    const codes = new Set(fn.findings.map((f) => f.code));
    for (const c of e.expect ?? []) if (!codes.has(c)) problems.push(`${e.file}:${e.name} missing ${c}`);
    for (const c of e.forbid ?? []) if (codes.has(c)) problems.push(`${e.file}:${e.name} reports forbidden ${c}`);
  }
  assert.deepEqual(problems, []);
});

test('broken fixtures: no crash; each function has the status and codes expected', async () => {
  const reports = await analyzeFolder('broken');
  const problems: string[] = [];
  for (const e of expectations('broken')) {
    if (e.name === null) {
      const fileCodes = (reports.find((r) => r.path === e.file)?.findings ?? []).filter((f) => !f.function).map((f) => f.code);
      if (JSON.stringify(fileCodes.sort()) !== JSON.stringify([...(e.expect ?? [])].sort())) problems.push(`${e.file}: file-level codes ${fileCodes.join(',') || 'none'}, expected ${(e.expect ?? []).join(',') || 'none'}`);
      continue;
    }
    const fn = listed(reports, e.file, [e.name]);
    if (e.kind === 'none') {
      if (fn) problems.push(`${e.file}:${e.name} listed as ${fn.kind} but is not an activation or loss`);
      continue;
    }
    if (!fn) { problems.push(`${e.file}:${e.name} not listed`); continue; }
    if (e.status && fn.probe.status !== e.status) problems.push(`${e.file}:${e.name} status ${fn.probe.status}, expected ${e.status}`);
    const codes = new Set(fn.findings.map((f) => f.code));
    for (const c of e.expect ?? []) if (!codes.has(c)) problems.push(`${e.file}:${e.name} missing ${c}`);
  }
  assert.deepEqual(problems, []);
});

test('hostile fixtures: nothing runs, each names its construct in GP001', async () => {
  const markers = expectations('hostile').map((e) => e.marker).filter((m): m is string => !!m);
  for (const m of ['/tmp/gradprobe-hostile-marker-0', ...markers]) assert.equal(existsSync(m), false, `${m} exists before the test`);
  const reports = await analyzeFolder('hostile');
  const problems: string[] = [];
  for (const m of ['/tmp/gradprobe-hostile-marker-0', ...markers]) if (existsSync(m)) problems.push(`${m} was created`);
  for (const e of expectations('hostile')) {
    const fn = listed(reports, e.file, [e.name!]);
    if (!fn) { problems.push(`${e.file}:${e.name} not listed`); continue; }
    if (!(e.expect ?? []).includes('GP001')) continue;
    const gp001 = fn.findings.find((f) => f.code === 'GP001');
    if (!gp001) { problems.push(`${e.file}:${e.name} has no GP001 (status ${fn.probe.status})`); continue; }
    const ok = [e.construct!, ...(e.also_acceptable ?? [])].some((c) => gp001.message.includes(c) || (fn.probe.reason ?? '').includes(c));
    if (!ok) problems.push(`${e.file}:${e.name}: GP001 says "${gp001.message}", expected it to name ${e.construct}`);
  }
  assert.deepEqual(problems, []);
});
