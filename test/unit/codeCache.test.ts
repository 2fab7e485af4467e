// The CLI launcher (dist/cli.js) runs the bundle with V8's code cache: the cache is used when its key
// matches, replaced when stale or damaged, never written with --no-cache, and the output is the same
// with or without it. Run on a copy of dist/, so the shared build is left alone.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = process.cwd();
const work = mkdtempSync(join(tmpdir(), 'gradprobe-codecache-'));
const dist = join(work, 'dist');
// `eval` runs the engine bundle alone, under other V8 flags, with a cache of its own; the other
// commands share cliMain.js.v8cache and cliEngine.js.v8cache.
const cache = join(dist, 'cliEngine.js.eval.v8cache');
const commandCache = join(dist, 'cliMain.js.v8cache');
const caches = [cache, commandCache, join(dist, 'cliEngine.js.v8cache')];
const source = join(work, 'act.py');

function evalMish(...extra: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [join(dist, 'cli.js'), 'eval', source, 'mish', '--x', '[-2, -0.5, 0, 0.5, 2]', '--backend', 'cpu', ...extra], { encoding: 'utf8', env: { ...process.env, GRADPROBE_NO_CODE_CACHE: '' } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const header = (): string => { const b = readFileSync(cache); return b.subarray(0, b.indexOf(10)).toString('latin1'); };

before(() => {
  mkdirSync(dist, { recursive: true });
  for (const f of readdirSync(join(root, 'dist'))) if (/^(cli\.js|cliMain\.js|cliEngine\.js|.*\.wasm)$/.test(f)) copyFileSync(join(root, 'dist', f), join(dist, f));
  writeFileSync(source, 'import torch\n\ndef mish(x):\n    return x * torch.tanh(torch.nn.functional.softplus(x))\n');
});

after(() => rmSync(work, { recursive: true, force: true }));

test('without a cache the CLI runs and writes one keyed by the bundle, Node and the architecture', () => {
  assert.equal(existsSync(cache), false);
  const first = evalMish();
  assert.equal(first.status, 0, first.stderr);
  assert.ok(existsSync(cache), 'no code cache was written');
  assert.match(header(), new RegExp(`^gradprobe-v8cache-1 [0-9a-f]{40} ${process.version.replace(/\./g, '\\.')} ${process.arch}$`));
  const before = statSync(cache).mtimeMs;
  const second = evalMish();
  assert.equal(second.status, 0, second.stderr);
  assert.equal(second.stdout, first.stdout, 'the output changed with the code cache');
  assert.equal(statSync(cache).mtimeMs, before, 'a valid cache was rewritten');
});

test('a cache of another bundle is ignored and replaced; damaged data is refused by V8 and replaced', () => {
  const reference = evalMish().stdout;
  const good = readFileSync(cache);
  const data = good.subarray(good.indexOf(10) + 1);
  writeFileSync(cache, Buffer.concat([Buffer.from(`gradprobe-v8cache-1 ${'0'.repeat(40)} ${process.version} ${process.arch}\n`), data]));
  const stale = evalMish();
  assert.equal(stale.status, 0, stale.stderr);
  assert.equal(stale.stdout, reference);
  assert.equal(header(), good.subarray(0, good.indexOf(10)).toString('latin1'), 'the stale cache was not replaced');

  writeFileSync(cache, Buffer.concat([good.subarray(0, good.indexOf(10) + 1), Buffer.alloc(4096, 7)]));
  const damaged = evalMish();
  assert.equal(damaged.status, 0, damaged.stderr);
  assert.equal(damaged.stdout, reference);
  assert.ok(statSync(cache).size > 8192, 'the damaged cache was not replaced');
});

/** `check` on the source; `resultFlags` say where its results go (`--no-cache`: nowhere, and no code cache either). */
const checkSource = (...resultFlags: string[]): { status: number | null; stderr: string } =>
  spawnSync(process.execPath, [join(dist, 'cli.js'), 'check', source, '--quiet', '--fail-on', 'never', '--backend', 'cpu', ...resultFlags], { encoding: 'utf8', cwd: work, env: { ...process.env, GRADPROBE_NO_CODE_CACHE: '' } });

test('--no-cache writes no code cache', () => {
  for (const f of caches) rmSync(f, { force: true });
  const r = checkSource('--no-cache');
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(caches.filter((f) => existsSync(f)), []);
});

test('an eval and a check that analyses write the three caches; eval never loads the main bundle', () => {
  for (const f of caches) rmSync(f, { force: true });
  assert.equal(evalMish().status, 0);
  const r = checkSource('--cache-dir', join(work, 'results-four'));
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(caches.filter((f) => !existsSync(f)), [], 'a code cache is missing');
  assert.equal(existsSync(join(dist, 'cliMain.js.eval.v8cache')), false, 'eval loaded the main bundle');
});

test('a re-check that the result cache answers does not load the engine bundle', () => {
  const results = join(work, 'results-engine');
  const first = spawnSync(process.execPath, [join(dist, 'cli.js'), 'check', source, '--fail-on', 'never', '--backend', 'cpu', '--cache-dir', results], { encoding: 'utf8', cwd: work });
  assert.equal(first.status, 0, first.stderr);
  const engine = join(dist, 'cliEngine.js');
  const kept = readFileSync(engine);
  // An engine that would fail the run if it were loaded.
  writeFileSync(engine, 'throw new Error("the engine bundle was loaded");\n');
  try {
    const again = spawnSync(process.execPath, [join(dist, 'cli.js'), 'check', source, '--fail-on', 'never', '--backend', 'cpu', '--cache-dir', results], { encoding: 'utf8', cwd: work });
    assert.equal(again.status, 0, again.stderr);
    assert.equal(again.stdout.replace(/ in \d+ ms/, ''), first.stdout.replace(/ in \d+ ms/, ''));
    // A file the cache does not hold needs the engine: the same throwing bundle now fails the run.
    const miss = spawnSync(process.execPath, [join(dist, 'cli.js'), 'check', source, '--fail-on', 'never', '--backend', 'cpu', '--no-cache'], { encoding: 'utf8', cwd: work });
    assert.notEqual(miss.status, 0);
    assert.match(miss.stderr, /the engine bundle was loaded/);
  } finally {
    writeFileSync(engine, kept);
  }
});

test('eval and check keep their own caches: running one does not replace the other\'s', () => {
  rmSync(cache, { force: true });
  rmSync(commandCache, { force: true });
  assert.equal(evalMish().status, 0);
  // A check that may write the code cache (its results go to a scratch folder).
  const withCodeCache = checkSource('--cache-dir', join(work, 'results'));
  assert.equal(withCodeCache.status, 0, withCodeCache.stderr);
  assert.ok(existsSync(cache) && existsSync(commandCache), 'each command wrote its cache');
  const evalCache = statSync(cache).mtimeMs;
  const checkCache = statSync(commandCache).mtimeMs;
  assert.equal(evalMish().status, 0);
  const again = checkSource('--cache-dir', join(work, 'results'));
  assert.equal(again.status, 0, again.stderr);
  assert.equal(statSync(cache).mtimeMs, evalCache, 'eval\'s cache was rewritten after a check');
  assert.equal(statSync(commandCache).mtimeMs, checkCache, 'check\'s cache was rewritten after an eval');
});
