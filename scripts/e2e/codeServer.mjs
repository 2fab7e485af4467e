// code-server 4.100.3 (VS Code 1.100) for the end-to-end tests and the editor demo: installed once
// under ~/.cache, outside the repository, keyed by version (see shared/recipes/real-vscode.md), and
// started on 127.0.0.1 with a free port, a fresh user-data-dir and extensions-dir.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { homedir } from 'node:os';
import { join } from 'node:path';

export const codeServerVersion = '4.100.3';
export const codeServerDir = process.env.GRADPROBE_CODE_SERVER_DIR ?? join(homedir(), '.cache', `gradprobe-code-server-${codeServerVersion}`);
const entry = join(codeServerDir, 'node_modules/code-server/out/node/entry.js');
const doneMarker = join(codeServerDir, '.installed');

function run(cmd, args, cwd, extraEnv = {}) {
  execFileSync(cmd, args, { cwd, stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, ...extraEnv } });
}

function ensureSystemPackages() {
  const missing = ['/usr/bin/chromium', '/usr/bin/rg'].filter((p) => !existsSync(p));
  if (missing.length === 0) return;
  const script = join(import.meta.dirname, '..', 'install-test-deps.sh');
  console.log(`[code-server] missing ${missing.join(', ')}: running ${script}`);
  run('bash', [script], process.cwd());
}

/** Installs code-server (about 2 minutes, once) and returns the path of its entry script. */
export function ensureCodeServer() {
  ensureSystemPackages();
  if (existsSync(doneMarker) && existsSync(entry)) return entry;
  console.log(`[code-server] installing ${codeServerVersion} into ${codeServerDir} (once; cached)`);
  rmSync(codeServerDir, { recursive: true, force: true });
  mkdirSync(codeServerDir, { recursive: true });
  writeFileSync(join(codeServerDir, 'package.json'), JSON.stringify({ name: 'gradprobe-code-server', private: true }));
  run('npm', ['install', '--no-audit', '--no-fund', '--ignore-scripts', `code-server@${codeServerVersion}`], codeServerDir);
  run('npm', ['rebuild', 'argon2'], codeServerDir);
  const vscodeDir = join(codeServerDir, 'node_modules/code-server/lib/vscode');
  run('npm', ['install', '--no-audit', '--no-fund', '--omit=dev', '--ignore-scripts'], vscodeDir);
  // Debian's ripgrep where @vscode/ripgrep looks first (its own postinstall would download one).
  mkdirSync(join(vscodeDir, 'node_modules/@vscode/ripgrep/bin'), { recursive: true });
  rmSync(join(vscodeDir, 'node_modules/@vscode/ripgrep/bin/rg'), { force: true });
  symlinkSync('/usr/bin/rg', join(vscodeDir, 'node_modules/@vscode/ripgrep/bin/rg'));
  run('npm', ['rebuild'], vscodeDir, { npm_config_yes: 'true' });
  const link = (target, path) => { rmSync(path, { force: true, recursive: false }); symlinkSync(target, path); };
  link('node_modules', join(vscodeDir, 'node_modules.asar'));
  link('code-linux.sh', join(vscodeDir, 'bin/remote-cli/code-server'));
  link('browser-linux.sh', join(vscodeDir, 'bin/helpers/browser.sh'));
  run('npm', ['install', '--no-audit', '--no-fund', '--omit=dev'], join(vscodeDir, 'extensions'));
  writeFileSync(doneMarker, new Date().toISOString());
  return entry;
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/**
 * A fresh code-server profile under `dir`: its user-data folder, with quiet settings (no start page,
 * tips, experiments, telemetry or update checks; workspace trust off) under `settings`, and an empty
 * extensions folder. Returns both paths.
 */
export function freshProfile(dir, settings = {}) {
  const userData = join(dir, 'user-data');
  const extensions = join(dir, 'extensions');
  mkdirSync(join(userData, 'User'), { recursive: true });
  mkdirSync(extensions, { recursive: true });
  writeFileSync(join(userData, 'User/settings.json'), JSON.stringify({
    'security.workspace.trust.enabled': false,
    'workbench.startupEditor': 'none',
    'workbench.tips.enabled': false,
    'workbench.enableExperiments': false,
    'telemetry.telemetryLevel': 'off',
    'extensions.autoUpdate': false,
    'extensions.autoCheckUpdates': false,
    ...settings,
  }, null, 2));
  return { userData, extensions };
}

/** Installs a .vsix into an extensions folder (offline: a local file). */
export function installExtension(vsix, userDataDir, extensionsDir) {
  run(process.execPath, [ensureCodeServer(), '--user-data-dir', userDataDir, '--extensions-dir', extensionsDir, '--install-extension', vsix], process.cwd());
}

/**
 * Starts code-server on 127.0.0.1:port for `folder` and resolves once it answers HTTP.
 * Returns { url, stop }.
 */
export async function startCodeServer({ userDataDir, extensionsDir, folder, workspace, port, log = 'ignore' }) {
  const p = port ?? (await freePort());
  const child = spawn(process.execPath, [ensureCodeServer(), '--auth', 'none', '--bind-addr', `127.0.0.1:${p}`,
    '--disable-telemetry', '--disable-update-check',
    '--user-data-dir', userDataDir, '--extensions-dir', extensionsDir, workspace ?? folder], { stdio: ['ignore', log, log] });
  const base = `http://127.0.0.1:${p}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`code-server exited with ${child.exitCode}`);
    try {
      const res = await fetch(`${base}/healthz`);
      if (res.ok) break;
    } catch { /* not listening yet */ }
    if (Date.now() > deadline) { child.kill(); throw new Error('code-server did not answer within 60 s'); }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url: workspace ? `${base}/?workspace=${encodeURIComponent(workspace)}` : `${base}/?folder=${encodeURIComponent(folder)}`,
    base,
    child,
    stop: () => new Promise((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
      setTimeout(() => { if (child.exitCode === null) child.kill('SIGKILL'); }, 5000).unref();
    }),
  };
}

if (process.argv[1] && process.argv[1].endsWith('codeServer.mjs') && process.argv.includes('--install')) {
  console.log(ensureCodeServer());
}
