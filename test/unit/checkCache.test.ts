// `check`'s cache, `--jobs` and `--shard`, on the CLI as a user runs it: results under
// .gradprobe_cache/ in the project root (a .gitignore with `*`, CACHEDIR.TAG), reused for an
// unchanged tree and not after a change to a file, to a file it imports, or to the settings;
// corrupt and foreign entries ignored; --no-cache and --cache-dir; the same JSON whatever --jobs;
// every file in exactly one --shard.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ResultCache } from '../../src/core/workspace/resultCache';
import type { FileReport } from '../../src/core/findings/types';

const root = process.cwd();
const work = realpathSync(mkdtempSync(join(tmpdir(), 'gradprobe-cache-')));
after(() => rmSync(work, { recursive: true, force: true }));

function check(cwd: string, ...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [join(root, 'dist/cli.js'), 'check', ...args], { cwd, encoding: 'utf8', timeout: 600_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

interface JsonOut { files: { path: string; functions: { name: string; probe: { ms?: number } }[]; findings: { code: string; message: string }[] }[]; summary: { ms?: number } }

/** The JSON without timings (which differ between any two runs). */
function withoutTimes(stdout: string): JsonOut {
  const out = JSON.parse(stdout) as JsonOut;
  delete out.summary.ms;
  for (const f of out.files) for (const fn of f.functions) delete fn.probe.ms;
  return out;
}

function entries(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true }).map(String).filter((f) => f.endsWith('.json') && !f.endsWith('.data.json')).map((f) => join(dir, f));
}

/** Marks every cached report, so a run that prints the mark read the cache. */
function mark(dir: string): void {
  for (const e of entries(dir)) {
    const entry = JSON.parse(readFileSync(e, 'utf8')) as { report: FileReport };
    for (const f of entry.report.findings) f.message = `FROM-CACHE ${f.message}`;
    writeFileSync(e, JSON.stringify(entry));
  }
}

function project(name: string): string {
  const dir = join(work, name);
  mkdirSync(dir);
  writeFileSync(join(dir, 'pyproject.toml'), '[tool.gradprobe]\nrange = 6\n');
  writeFileSync(join(dir, 'helpers.py'), 'import jax.numpy as jnp\n\n\ndef scale(x):\n    return 2.0 * x\n');
  cpSync(join(root, 'examples/vae_jax.py'), join(dir, 'acts.py'));
  return dir;
}

test('cache: written under the project root with .gitignore and CACHEDIR.TAG; an unchanged tree is read from it', () => {
  const dir = project('basic');
  const sub = join(dir, 'sub');
  mkdirSync(sub);
  // Run from a sub-folder: the project root is the config file's folder.
  const first = check(sub, '..', '--jobs', '1');
  assert.equal(first.status, 1, first.stderr);
  const cacheDir = join(dir, '.gradprobe_cache');
  assert.equal(readFileSync(join(cacheDir, '.gitignore'), 'utf8').split('\n').filter((l) => l && !l.startsWith('#')).join(), '*');
  assert.match(readFileSync(join(cacheDir, 'CACHEDIR.TAG'), 'utf8'), /^Signature: 8a477f597d28d172789f06886806bc55/);
  assert.equal(entries(cacheDir).length, 2, 'one entry per file');
  assert.equal(existsSync(join(sub, '.gradprobe_cache')), false);
  mark(cacheDir);
  const second = check(sub, '..', '--jobs', '1');
  assert.equal(second.status, 1);
  assert.match(second.stdout, /FROM-CACHE/);
  assert.equal(second.stdout.replace(/FROM-CACHE /g, '').replace(/ in \d+ ms/, ''), first.stdout.replace(/ in \d+ ms/, ''));
});

test('cache: a change to the file or to the settings is a miss; the version is part of the key', () => {
  const dir = project('invalidate');
  const cacheDir = join(dir, '.gradprobe_cache');
  const hit = (): boolean => /FROM-CACHE/.test(check(dir, '.', '--jobs', '1').stdout);
  check(dir, '.', '--jobs', '1');
  mark(cacheDir);
  assert.equal(hit(), true);

  writeFileSync(join(dir, 'acts.py'), `${readFileSync(join(dir, 'acts.py'), 'utf8')}\n# edited\n`);
  assert.equal(hit(), false, 'the file changed');
  mark(cacheDir);
  assert.equal(hit(), true);

  // acts.py neither imports helpers.py nor is imported by it: its entry stays valid.
  writeFileSync(join(dir, 'helpers.py'), `${readFileSync(join(dir, 'helpers.py'), 'utf8')}\n\ndef shift(x):\n    return x + 1.0\n`);
  assert.equal(hit(), true, 'an unrelated file changed and the entry was dropped');
  mark(cacheDir);
  assert.equal(hit(), true);

  writeFileSync(join(dir, 'pyproject.toml'), '[tool.gradprobe]\nrange = 5\n');
  assert.equal(hit(), false, 'the settings changed');
  mark(cacheDir);
  assert.equal(/FROM-CACHE/.test(check(dir, '.', '--jobs', '1', '--select', 'GP1').stdout), false, 'a flag changed the settings');

  const cache = new ResultCache(join(work, 'unit-cache'), '1.0.0');
  const report: FileReport = { path: 'a.py', functions: [], findings: [] };
  const key = cache.key({ path: 'a.py', hash: 'h', deps: [], settings: {} });
  assert.ok(cache.set(key, report, []));
  assert.deepEqual(cache.get(key, 'a.py'), report);
  const other = new ResultCache(join(work, 'unit-cache'), '1.0.1');
  assert.notEqual(other.key({ path: 'a.py', hash: 'h', deps: [], settings: {} }), key, 'another version, another key');
  assert.equal(other.get(key, 'a.py'), undefined, 'an entry of another version is not read');
});

test('cache: corrupt and foreign entries are ignored (and replaced); --no-cache neither reads nor writes; --cache-dir', () => {
  const dir = project('corrupt');
  const cacheDir = join(dir, '.gradprobe_cache');
  const clean = check(dir, '.', '--jobs', '1', '--format', 'json');
  const [a, b] = entries(cacheDir);
  writeFileSync(a, '{"tool": "gradprobe", "format": 1, "rep');
  const entry = JSON.parse(readFileSync(b, 'utf8')) as Record<string, unknown>;
  writeFileSync(b, JSON.stringify({ ...entry, tool: 'other-tool' }));
  const again = check(dir, '.', '--jobs', '1', '--format', 'json');
  assert.equal(again.status, 1, again.stderr);
  assert.deepEqual(withoutTimes(again.stdout), withoutTimes(clean.stdout));
  assert.doesNotThrow(() => JSON.parse(readFileSync(a, 'utf8')), 'the corrupt entry was rewritten whole');

  mark(cacheDir);
  const none = check(dir, '.', '--jobs', '1', '--no-cache');
  assert.doesNotMatch(none.stdout, /FROM-CACHE/);
  const fresh = project('nocache');
  check(fresh, '.', '--jobs', '1', '--no-cache');
  assert.equal(existsSync(join(fresh, '.gradprobe_cache')), false, '--no-cache writes nothing');

  const elsewhere = join(work, 'elsewhere-cache');
  check(fresh, '.', '--jobs', '1', '--cache-dir', elsewhere);
  assert.equal(entries(elsewhere).length, 2);
  assert.equal(existsSync(join(fresh, '.gradprobe_cache')), false);
});

test('--jobs 1 and --jobs 2 print the same JSON', () => {
  const dir = join(work, 'jobs');
  mkdirSync(dir);
  for (const f of ['vae_jax.py', 'numpy_baseline.py', 'forecast_keras3.py']) cpSync(join(root, 'examples', f), join(dir, f));
  // A probe past its time budget is GP002, and how long a probe takes depends on the machine's load:
  // a budget no probe reaches keeps the comparison about --jobs alone.
  writeFileSync(join(dir, 'gradprobe.toml'), 'time-budget-ms = 120000\n');
  const one = check(dir, '.', '--no-cache', '--jobs', '1', '--format', 'json');
  const two = check(dir, '.', '--no-cache', '--jobs', '2', '--format', 'json');
  assert.equal(one.status, two.status);
  const a = withoutTimes(one.stdout);
  assert.ok(a.files.reduce((n, f) => n + f.functions.length, 0) >= 4, 'enough functions to share');
  assert.deepEqual(withoutTimes(two.stdout), a);
});

test('--shard K/N: every file in exactly one shard, with the findings of the unsharded run', () => {
  const dir = join(work, 'shards');
  cpSync(join(root, 'examples/segmentation_torch'), join(dir, 'seg'), { recursive: true });
  for (const f of ['vae_jax.py', 'numpy_baseline.py']) cpSync(join(root, 'examples', f), join(dir, f));
  writeFileSync(join(dir, 'gradprobe.toml'), 'time-budget-ms = 120000\n');
  const full = withoutTimes(check(dir, '.', '--no-cache', '--jobs', '1', '--format', 'json').stdout);
  const seen: string[] = [];
  for (let k = 1; k <= 3; k++) {
    const part = withoutTimes(check(dir, '.', '--no-cache', '--jobs', '1', '--format', 'json', '--shard', `${k}/3`).stdout);
    for (const f of part.files) {
      seen.push(f.path);
      assert.deepEqual(f, full.files.find((x) => x.path === f.path), `${f.path} in shard ${k}`);
    }
  }
  assert.deepEqual(seen.sort(), full.files.map((f) => f.path).sort(), 'each file once');
  assert.ok(full.files.length >= 4);
  for (const bad of ['0/3', '4/3', '1', 'a/b']) {
    const r = check(dir, '.', '--shard', bad);
    assert.equal(r.status, 2, bad);
    assert.match(r.stderr, /--shard must be K\/N/);
  }
  const jobs = check(dir, '.', '--jobs', '0');
  assert.equal(jobs.status, 2);
  assert.match(jobs.stderr, /--jobs must be a whole number/);
});

test('cache: per file — a change in an imported module invalidates the dependant file only; a change in an importer too', () => {
  const dir = join(work, 'imports');
  mkdirSync(dir);
  writeFileSync(join(dir, 'helpers.py'), 'import torch\n\n\ndef gain(x):\n    return 2.0 * x\n');
  writeFileSync(join(dir, 'acts.py'), 'import torch\nfrom helpers import gain\n\n\ndef scaled_log(x):\n    return torch.log(gain(x))\n\n\nACTIVATIONS = {"st": scaled_log}\n');
  writeFileSync(join(dir, 'other.py'), 'import torch\n\n\ndef log_act(x):\n    return torch.log(x)\n\n\nACTIVATIONS = {"l": log_act}\n');
  const cacheDir = join(dir, '.gradprobe_cache');
  /** The files whose report came from the (marked) cache. */
  const fromCache = (): string[] => {
    const out = JSON.parse(check(dir, '.', '--jobs', '1', '--format', 'json').stdout) as JsonOut;
    return out.files.filter((f) => f.findings.some((x) => x.message.startsWith('FROM-CACHE'))).map((f) => f.path).sort();
  };
  const first = JSON.parse(check(dir, '.', '--jobs', '1', '--format', 'json').stdout) as JsonOut;
  assert.ok(first.files.find((f) => f.path === 'acts.py')?.findings.length, 'acts.py has findings to mark');
  assert.ok(first.files.find((f) => f.path === 'other.py')?.findings.length, 'other.py has findings to mark');
  mark(cacheDir);
  assert.deepEqual(fromCache(), ['acts.py', 'other.py']);

  // The imported helper changes what acts.py computes: acts.py is probed again, other.py is not.
  writeFileSync(join(dir, 'helpers.py'), 'import torch\n\n\ndef gain(x):\n    return 200.0 * x\n');
  assert.deepEqual(fromCache(), ['other.py'], 'a change in an imported module must invalidate the dependant file');
  const findingsOf = (stdout: string): string[] => (JSON.parse(stdout) as JsonOut).files.find((f) => f.path === 'acts.py')!.findings.map((x) => `${x.code} ${x.message}`);
  assert.deepEqual(findingsOf(check(dir, '.', '--jobs', '1', '--format', 'json').stdout), findingsOf(check(dir, '.', '--jobs', '1', '--format', 'json', '--no-cache').stdout), 'the re-probed report is the fresh one');

  // A module importing other.py may decide how other.py's functions are used: other.py is probed again.
  mark(cacheDir);
  writeFileSync(join(dir, 'train.py'), 'from other import log_act\n\nmodel = None\n');
  assert.deepEqual(fromCache(), ['acts.py'], 'a new importer must invalidate the imported file');
});

test('cache: a report\'s panel and hover arrays are kept beside its entry: check reads the entry alone, the language server both', () => {
  const dir = join(work, 'split');
  const cache = new ResultCache(dir, '0.0.0-test');
  const span = { startLine: 0, startCol: 0, endLine: 0, endCol: 1 };
  const data = { kind: 'activation', sweep: { x: [0, 1], f: [0, 1], df: [1, 1] } } as unknown as NonNullable<FileReport['functions'][number]['data']>;
  const report: FileReport = {
    path: 'a.py', findings: [],
    functions: [{ name: 'f', kind: 'activation', framework: 'pytorch', span, nameSpan: span, detectedBy: ['name'], summary: 's', probe: { status: 'ok', ms: 1 }, findings: [], data }],
  } as unknown as FileReport;
  const key = cache.key({ path: 'a.py', hash: 'h', deps: [], settings: {} });
  assert.ok(cache.set(key, report, []));
  const files = readdirSync(dir, { recursive: true }).map(String);
  const entry = files.find((f) => f.endsWith(`${key}.json`));
  const arrays = files.find((f) => f.endsWith(`${key}.data.json`));
  assert.ok(entry && arrays, files.join(' '));
  assert.ok(!readFileSync(join(dir, entry), 'utf8').includes('"sweep"'), 'the entry holds no arrays');
  assert.deepEqual(cache.get(key, 'a.py')?.functions[0].data, data, 'with the arrays: as written');
  assert.equal(cache.get(key, 'a.py', false)?.functions[0].data, undefined, 'without: none read');
  rmSync(join(dir, arrays));
  assert.ok(cache.get(key, 'a.py', false), 'check still hits without the arrays');
  assert.equal(cache.get(key, 'a.py'), undefined, 'the server misses: it would show a report without its numbers');
});
