// No user code is ever executed, checked on the real processes rather than in-process: the CLI
// (`check` and `eval`) and the language server (its main thread and its probe worker) analyse the
// whole hostile fixture set while two watchers look on — strace, at the system-call level (no
// process started, no file opened for writing, created, renamed or deleted, no socket connected), and
// a preloaded module, at the Node API level (child_process, fs writes, sockets, fetch, dlopen,
// kill). Nothing may run, nothing may be written, and every hostile function yields GP001.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Readable } from 'node:stream';
import { ProbeWorkspaceRequest } from '../../src/shared/customMessages';
import { LspServer } from '../support/lspServer';

const root = process.cwd();
const hostile = join(root, 'test/fixtures/hostile');
const preload = join(root, 'test/support/sideEffectWatch.cjs');
const scratch = mkdtempSync(join(tmpdir(), 'gradprobe-hostile-proc-'));

interface Expectation { file: string; name: string; kind: string; construct: string | null; also_acceptable: string[]; marker: string | null; expect: string[] }
const expectations = JSON.parse(readFileSync(join(hostile, 'expected.json'), 'utf8')) as Expectation[];
const markers = ['/tmp/gradprobe-hostile-marker-0', ...expectations.map((e) => e.marker).filter((m): m is string => !!m)];
const traced = 'execve,execveat,fork,vfork,clone,clone3,open,openat,creat,unlink,unlinkat,rename,renameat,renameat2,mkdir,mkdirat,rmdir,link,linkat,symlink,symlinkat,truncate,connect';

function straceAvailable(): boolean {
  return spawnSync('strace', ['-qq', '-e', 'trace=execve', 'true'], { stdio: 'ignore' }).status === 0;
}

/** What strace saw that a GradProbe process must never do. The first execve is the process itself. */
function traceViolations(file: string): string[] {
  const lines = readFileSync(file, 'utf8').split('\n').filter(Boolean);
  const out: string[] = [];
  let execs = 0;
  for (const line of lines) {
    const m = /^(\d+)\s+(\w+)\((.*)\)\s+=\s+(-?\d+|\?)/.exec(line);
    if (!m) continue;
    const [, , call, args, result] = m;
    const ok = result !== '?' && Number(result) >= 0;
    if ((call === 'execve' || call === 'execveat') && ok && execs++ === 0) continue;
    switch (call) {
      case 'execve': case 'execveat': case 'fork': case 'vfork':
        if (ok) out.push(line);
        break;
      case 'clone': case 'clone3':
        // Threads (the worker, libuv's pool) share the process; anything else is a new process.
        if (ok && !/CLONE_THREAD/.test(args)) out.push(line);
        break;
      case 'open': case 'openat':
        if (ok && /O_WRONLY|O_RDWR|O_CREAT|O_TRUNC|O_APPEND/.test(args)) out.push(line);
        break;
      case 'connect':
        if (/AF_INET|AF_INET6/.test(args)) out.push(line);
        break;
      default:
        if (ok) out.push(line);
    }
  }
  return out;
}

function watcherCalls(text: string): { calls: string[]; watching: string[] } {
  const entries = text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { call: string; thread: string; args: unknown[] });
  return {
    calls: entries.filter((e) => e.call !== 'watching').map((e) => `${e.thread}: ${e.call}(${e.args.map((a) => JSON.stringify(a)).join(', ')})`),
    watching: entries.filter((e) => e.call === 'watching').map((e) => e.thread),
  };
}

function gp001Problems(functionsByFile: Map<string, { name: string; codes: string[]; text: string }[]>): string[] {
  const problems: string[] = [];
  for (const e of expectations) {
    const fn = functionsByFile.get(e.file)?.find((f) => f.name === e.name);
    if (!fn) { problems.push(`${e.file}:${e.name} not reported`); continue; }
    if (!e.expect.includes('GP001')) {
      if (fn.codes.includes('GP001')) problems.push(`${e.file}:${e.name} is harmless but got GP001`);
      continue;
    }
    if (!fn.codes.includes('GP001')) { problems.push(`${e.file}:${e.name}: no GP001 (${fn.codes.join(', ') || 'no findings'})`); continue; }
    if (![e.construct!, ...e.also_acceptable].some((c) => fn.text.includes(c))) problems.push(`${e.file}:${e.name}: GP001 does not name ${e.construct}: ${fn.text}`);
  }
  return problems;
}

before(() => {
  for (const m of markers) assert.equal(existsSync(m), false, `${m} exists before the test: remove it`);
  assert.ok(straceAvailable(), 'strace is needed to watch the processes at the system-call level: run scripts/install-test-deps.sh');
});

after(() => rmSync(scratch, { recursive: true, force: true }));

test('control: both watchers see a process that does write, spawn and connect', () => {
  const trace = join(scratch, 'control.trace');
  const target = join(scratch, 'written.txt');
  const code = `require('fs').writeFileSync(${JSON.stringify(target)}, '1'); require('child_process').execFileSync('true'); require('net').connect(9, '127.0.0.1').on('error', () => {});`;
  const run = spawnSync('strace', ['-f', '-qq', '-o', trace, '-e', `trace=${traced}`, process.execPath, '--require', preload, '-e', code], {
    encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe', 'pipe'], env: { ...process.env, GRADPROBE_WATCH_FD: '3' }, timeout: 30_000,
  });
  assert.equal(run.status, 0, run.stderr);
  const calls = watcherCalls(String(run.output[3] ?? '')).calls.join('\n');
  assert.match(calls, /fs\.writeFileSync/);
  assert.match(calls, /child_process\.execFileSync/);
  assert.match(calls, /net\.connect/);
  const seen = traceViolations(trace).join('\n');
  assert.match(seen, /openat\(.*written\.txt.*O_CREAT/);
  assert.match(seen, /execve\("\/usr\/bin\/true"|clone|vfork/);
  assert.match(seen, /connect\(.*AF_INET/);
});

test('the CLI checks the hostile fixtures: nothing started, written or connected; every hostile function GP001', () => {
  const trace = join(scratch, 'cli.trace');
  const run = spawnSync('strace', ['-f', '-qq', '-o', trace, '-e', `trace=${traced}`, process.execPath, '--require', preload, join(root, 'dist/cli.js'), 'check', hostile, '--format', 'json', '--fail-on', 'never', '--no-cache', '--jobs', '2'], {
    cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe', 'pipe'], env: { ...process.env, GRADPROBE_WATCH_FD: '3' }, timeout: 240_000,
  });
  assert.equal(run.status, 0, `check exited ${run.status}: ${run.stderr}`);
  const watched = watcherCalls(String(run.output[3] ?? ''));
  // --jobs 2: the probing is shared with a worker thread, watched as well. --no-cache: the run's own
  // cache is the only thing `check` writes (test/unit/checkCache.test.ts), so without it nothing is.
  assert.deepEqual(watched.watching, ['main', 'worker 1'], 'the watcher was loaded in the main thread and the check worker');
  assert.deepEqual(watched.calls, [], 'Node API calls with side effects');
  assert.deepEqual(traceViolations(trace), [], 'system calls with side effects');
  for (const m of markers) assert.equal(existsSync(m), false, `${m} was created`);
  const out = JSON.parse(run.stdout) as { files: { path: string; functions: { name: string }[]; findings: { code: string; function?: string; message: string }[] }[] };
  const byFile = new Map(out.files.map((f) => [f.path.replace(/^.*\//, ''), f.functions.map((fn) => {
    const findings = f.findings.filter((x) => x.function === fn.name);
    return { name: fn.name, codes: findings.map((x) => x.code), text: findings.map((x) => x.message).join(' ') };
  })]));
  assert.deepEqual(gp001Problems(byFile), []);
});

test('the CLI evaluates each hostile function: refused as untranslatable, nothing runs', () => {
  const problems: string[] = [];
  for (const e of expectations.filter((x) => x.expect.includes('GP001'))) {
    const args = e.kind === 'activation' ? ['--x', '[-1, 0, 1]'] : ['--y-true', '[[0, 1]]', '--y-pred', '[[0.3, 0.7]]'];
    const run = spawnSync(process.execPath, ['--require', preload, join(root, 'dist/cli.js'), 'eval', join(hostile, e.file), e.name, ...args, '--backend', 'cpu'], {
      cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe', 'pipe'], env: { ...process.env, GRADPROBE_WATCH_FD: '3' }, timeout: 60_000,
    });
    const watched = watcherCalls(String(run.output[3] ?? ''));
    if (!watched.watching.includes('main')) problems.push(`${e.name}: the watcher was not loaded`);
    if (watched.calls.length) problems.push(`${e.name}: ${watched.calls.join('; ')}`);
    if (run.status === 0) problems.push(`${e.name}: eval succeeded (${run.stdout.trim()})`);
    else if (![e.construct!, ...e.also_acceptable].some((c) => run.stderr.includes(c))) problems.push(`${e.name}: refused without naming ${e.construct}: ${run.stderr.trim()}`);
  }
  for (const m of markers) if (existsSync(m)) problems.push(`${m} was created`);
  assert.deepEqual(problems, []);
});

test('the language server (main thread and probe worker) analyses every hostile file, on open and in a workspace scan: nothing runs; GP001 each', { timeout: 240_000 }, async () => {
  const trace = join(scratch, 'server.trace');
  const server = new LspServer({
    root, workspace: hostile, settings: { backend: 'cpu', probeOn: 'type', debounceMs: 0 },
    wrap: ['strace', '-f', '-qq', '-o', trace, '-e', `trace=${traced}`],
    nodeArgs: ['--require', preload], env: { ...process.env, GRADPROBE_WATCH_FD: '3' }, extraStdio: ['pipe'],
  });
  let watchText = '';
  (server.process.stdio[3] as Readable).on('data', (d: Buffer) => { watchText += d.toString(); });
  const byFile = new Map<string, { name: string; codes: string[]; text: string }[]>();
  try {
    await server.initialize();
    const files = readdirSync(hostile).filter((f) => /\.(py|js|ts)$/.test(f));
    for (const f of files) {
      const uri = server.open(join(hostile, f), readFileSync(join(hostile, f), 'utf8'));
      const diags = await server.diagnostics(uri, () => true, 120_000);
      const names = new Set(expectations.filter((e) => e.file === f).map((e) => e.name));
      byFile.set(f, [...names].map((name) => {
        const mine = diags.filter((d) => (d.data as { function?: string } | undefined)?.function === name);
        return { name, codes: mine.map((d) => String(d.code)), text: mine.map((d) => d.message).join(' ') };
      }));
      server.close(uri);
    }
    // The same files through the workspace scan (closed documents, read from disk by the server).
    const scan = await server.connection.sendRequest(ProbeWorkspaceRequest.type, { folders: [pathToFileURL(hostile).href] });
    assert.equal(scan.cancelled, false);
    assert.ok(scan.files >= files.length, `scanned ${scan.files} files`);
    for (const f of files) {
      const p = server.published.get(pathToFileURL(join(hostile, f)).href);
      assert.ok(p, `the scan published diagnostics for ${f}`);
      for (const e of expectations.filter((x) => x.file === f && x.expect.includes('GP001'))) {
        assert.ok(p.diagnostics.some((d) => d.code === 'GP001' && (d.data as { function?: string }).function === e.name), `scan: ${f}:${e.name} has GP001`);
      }
    }
    assert.ok(server.alive, 'the server is alive');
  } finally {
    await server.dispose();
  }
  const watched = watcherCalls(watchText);
  assert.ok(watched.watching.includes('main'), 'the watcher ran in the server\'s main thread');
  assert.ok(watched.watching.some((t) => t.startsWith('worker')), 'the watcher ran in the probe worker');
  assert.deepEqual(watched.calls, [], 'Node API calls with side effects');
  assert.deepEqual(traceViolations(trace), [], 'system calls with side effects');
  for (const m of markers) assert.equal(existsSync(m), false, `${m} was created`);
  assert.deepEqual(gp001Problems(byFile), []);
});
