// The npm package as a user gets it: packed from a clean copy of the working tree (prepack builds
// it), installed globally into a temporary prefix offline, run on a project outside the repository,
// and run as the pre-commit hook this repository declares (.pre-commit-hooks.yaml).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { LspServer } from '../support/lspServer';

const root = join(__dirname, '..', '..');
const work = realpathSync(mkdtempSync(join(tmpdir(), 'gradprobe-package-')));
test.after(() => rmSync(work, { recursive: true, force: true }));

/** npm never reaches the network here: everything installed comes from the tarball. */
const npmEnv = { ...process.env, npm_config_offline: 'true', npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' };

function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = npmEnv): SpawnSyncReturns<string> {
  const r = spawnSync(cmd, args, { cwd, env, encoding: 'utf8', timeout: 600_000 });
  if (r.error) throw r.error;
  return r;
}

function tarList(tarball: string): string[] {
  const r = run('tar', ['tzf', tarball], dirname(tarball));
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim().split('\n').sort();
}

/** A clean copy: the files git tracks or would track (no dist, no node_modules), node_modules linked. */
function cleanCopy(): string {
  const dest = join(work, 'clone');
  const listed = run('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], root);
  assert.equal(listed.status, 0, listed.stderr);
  for (const rel of listed.stdout.split('\0').filter(Boolean)) {
    if (!existsSync(join(root, rel))) continue; // deleted in the working tree, not yet committed
    mkdirSync(dirname(join(dest, rel)), { recursive: true });
    cpSync(join(root, rel), join(dest, rel));
  }
  symlinkSync(realpathSync(join(root, 'node_modules')), join(dest, 'node_modules'), 'dir');
  return dest;
}

const expectedFiles = [
  'package/LICENSE', 'package/README.md', 'package/dist/cli.js', 'package/dist/cliEngine.js', 'package/dist/cliEngine.js.eval.v8cache', 'package/dist/cliEngine.js.v8cache', 'package/dist/cliMain.js', 'package/dist/cliMain.js.v8cache', 'package/dist/probeWorker.js', 'package/dist/server.js',
  'package/dist/tree-sitter-python.wasm', 'package/dist/tree-sitter-tsx.wasm', 'package/dist/tree-sitter.wasm', 'package/package.json',
];

let tarball = '';

test('npm pack on a clean copy builds the CLI and packs only what runs; packing twice packs no tarball', () => {
  const clone = cleanCopy();
  assert.equal(existsSync(join(clone, 'dist')), false);
  const first = run('npm', ['pack'], clone);
  assert.equal(first.status, 0, first.stderr);
  const name = readdirSync(clone).find((f) => f.endsWith('.tgz'));
  assert.ok(name, `no tarball in ${readdirSync(clone).join(' ')}`);
  assert.deepEqual(tarList(join(clone, name)), expectedFiles);

  const second = run('npm', ['pack', '--pack-destination', work], clone);
  assert.equal(second.status, 0, second.stderr);
  tarball = join(work, name);
  assert.deepEqual(tarList(tarball), expectedFiles);

  const unpacked = join(work, 'unpacked');
  mkdirSync(unpacked);
  assert.equal(run('tar', ['xzf', tarball, '-C', unpacked], work).status, 0);
  const manifest = JSON.parse(readFileSync(join(unpacked, 'package/package.json'), 'utf8')) as { private?: boolean; bin?: Record<string, string>; license?: string };
  assert.equal(manifest.private, undefined);
  assert.deepEqual(manifest.bin, { gradprobe: 'dist/cli.js' });
  assert.equal(manifest.license, 'MIT');
  assert.match(readFileSync(join(unpacked, 'package/LICENSE'), 'utf8'), /^MIT License/);
  assert.match(readFileSync(join(unpacked, 'package/dist/cli.js'), 'utf8').slice(0, 40), /^#!\/usr\/bin\/env node/);
});

test('the tarball installs globally into a prefix, offline, and `gradprobe` checks a project outside the repository', () => {
  assert.ok(tarball, 'the packing test did not produce a tarball');
  const prefix = join(work, 'prefix');
  const install = run('npm', ['install', '-g', '--prefix', prefix, tarball], work);
  assert.equal(install.status, 0, install.stderr);
  const bin = join(prefix, 'bin', 'gradprobe');
  assert.ok(existsSync(bin), 'no gradprobe command after a global install');

  const project = join(work, 'project');
  mkdirSync(project);
  cpSync(join(root, 'examples/vae_jax.py'), join(project, 'acts.py'));
  const env = { ...npmEnv, PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ''}` };
  const check = run(bin, ['check', '.'], project, env);
  assert.equal(check.status, 1, check.stderr);
  assert.match(check.stdout, /^acts\.py:8:5: error GP102 /m);
  assert.match(check.stdout, /1 file, 2 functions \(2 probed\)/);
  const page = run(bin, ['rule', 'GP102'], project, env);
  assert.equal(page.status, 0, page.stderr);
  assert.match(page.stdout, /^# GP102 /);
  assert.match(run(bin, ['--version'], project, env).stdout, /^gradprobe \d/);
  installed = { bin, project, env };
});

let installed: { bin: string; project: string; env: NodeJS.ProcessEnv } | undefined;

test('the installed `gradprobe server --stdio` is a language server: diagnostics for a file of the project', { timeout: 180_000 }, async () => {
  assert.ok(installed, 'the install test did not install the package');
  const server = new LspServer({
    root, workspace: installed.project, command: [installed.bin, 'server', '--stdio'], env: installed.env,
    configuration: false, initializationOptions: { backend: 'cpu' },
  });
  try {
    await server.initialize();
    const file = join(installed.project, 'acts.py');
    const uri = server.open(file, readFileSync(file, 'utf8'));
    const diags = await server.diagnostics(uri, (d) => d.some((x) => x.code === 'GP102'), 120_000);
    assert.equal(diags.find((x) => x.code === 'GP102')!.range.start.line, 7);
  } finally {
    await server.dispose();
  }
});

test('pre-commit runs the gradprobe hook of .pre-commit-hooks.yaml: fails on a bad function, passes on a good one', () => {
  assert.ok(tarball, 'the packing test did not produce a tarball');
  const version = spawnSync('pre-commit', ['--version'], { encoding: 'utf8' });
  assert.ok(!version.error && version.status === 0, 'pre-commit is not installed: run ./scripts/install-test-deps.sh (Debian package pre-commit)');

  const repo = join(work, 'repo');
  mkdirSync(repo);
  cpSync(join(root, 'examples/vae_jax.py'), join(repo, 'bad.py'));
  writeFileSync(join(repo, 'good.py'), 'import torch\n\n\ndef activation_good(x):\n    return torch.tanh(x)\n');
  writeFileSync(join(repo, 'types.d.ts'), 'export declare function act(x: number): number;\n');
  // The hook exactly as declared, as a local hook whose package is the tarball (so no network).
  const hooks = readFileSync(join(root, '.pre-commit-hooks.yaml'), 'utf8');
  assert.match(hooks, /^- id: gradprobe$/m);
  const config = ['repos:', '  - repo: local', '    hooks:', ...hooks.trimEnd().split('\n').map((l) => `    ${l}`), `      additional_dependencies: [${JSON.stringify(tarball)}]`, ''].join('\n');
  writeFileSync(join(repo, '.pre-commit-config.yaml'), config);
  const env = { ...npmEnv, PRE_COMMIT_HOME: join(work, 'pre-commit-home'), GIT_CONFIG_NOSYSTEM: '1' };
  assert.equal(run('git', ['init', '-q'], repo, env).status, 0);
  assert.equal(run('git', ['add', '-A'], repo, env).status, 0);

  const bad = run('pre-commit', ['run', '--files', 'bad.py'], repo, env);
  assert.equal(bad.status, 1, bad.stdout + bad.stderr);
  assert.match(bad.stdout, /gradprobe\.+Failed/);
  assert.match(bad.stdout, /bad\.py:8:5: error GP102 /);
  const good = run('pre-commit', ['run', '--files', 'good.py'], repo, env);
  assert.equal(good.status, 0, good.stdout + good.stderr);
  assert.match(good.stdout, /gradprobe\.+Passed/);
  // Declaration files hold no function bodies: the hook does not pass them.
  const types = run('pre-commit', ['run', '--files', 'types.d.ts'], repo, env);
  assert.equal(types.status, 0, types.stdout + types.stderr);
  assert.match(types.stdout, /gradprobe\.+\(no files to check\)Skipped/);
});
