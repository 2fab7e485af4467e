// `npm run test:e2e`: the packaged extension in a real VS Code (code-server 4.100.3 = VS Code 1.100),
// driven by Playwright in Debian's Chromium. Builds and packages the .vsix, installs code-server once
// (cached under ~/.cache), installs the .vsix into a fresh profile, opens a copy of the fixture
// workspace on 127.0.0.1 with a free port, runs the scenarios, then again in Restricted Mode.
// Screenshots go to test-output/e2e/.
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { ensureCodeServer, freshProfile, installExtension, startCodeServer } from './codeServer.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const shots = join(root, 'test-output/e2e');
const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const vsix = join(root, `gradprobe-${version}.vsix`);

const step = (what) => console.log(`\n[e2e] ${what}`);

step('build and package');
execFileSync(process.execPath, [join(root, 'scripts/build.mjs')], { stdio: 'inherit' });
execFileSync(process.execPath, [join(root, 'scripts/package-vsix.mjs')], { stdio: 'inherit' });
await esbuild.build({
  entryPoints: [join(root, 'test/e2e/playwright.ts')], outfile: join(root, 'dist-test/e2e/playwright.js'),
  bundle: true, platform: 'node', format: 'cjs', target: 'node20', external: ['playwright-core'], logLevel: 'warning',
});

step('code-server 4.100.3');
ensureCodeServer();

rmSync(shots, { recursive: true, force: true });
mkdirSync(shots, { recursive: true });
const tmp = mkdtempSync(join(tmpdir(), 'gradprobe-e2e-'));
const results = [];

async function session(name, { trust }) {
  const ws = join(tmp, `${name}-ws`);
  cpSync(join(root, 'test/fixtures/e2e/workspace'), ws, { recursive: true });
  const { userData, extensions } = freshProfile(join(tmp, name), {
    'security.workspace.trust.enabled': trust,
    'security.workspace.trust.startupPrompt': 'always',
    'editor.hover.delay': 200,
    'gradprobe.backend': 'cpu',
  });
  step(`${name}: install ${vsix}`);
  installExtension(vsix, userData, extensions);
  const logFile = join(shots, `${name}-code-server.log`);
  const cs = await startCodeServer({ userDataDir: userData, extensionsDir: extensions, workspace: join(ws, 'e2e.code-workspace'), log: 'pipe' });
  cs.child.stdout?.on('data', (b) => writeFileSync(logFile, b, { flag: 'a' }));
  cs.child.stderr?.on('data', (b) => writeFileSync(logFile, b, { flag: 'a' }));
  step(`${name}: ${cs.url}`);
  const run = spawnSync(process.execPath, [join(root, 'dist-test/e2e/playwright.js'), cs.url, shots, trust ? 'restricted' : 'normal'], { cwd: root, encoding: 'utf8', timeout: 10 * 60_000 });
  process.stdout.write(run.stdout ?? '');
  process.stderr.write(run.stderr ?? '');
  for (const line of (run.stdout ?? '').split('\n')) {
    if (line.startsWith('ok - ')) results.push({ ok: true, line });
    if (line.startsWith('not ok - ')) results.push({ ok: false, line });
  }
  if (run.status !== 0 && !(run.stdout ?? '').includes('not ok - ')) results.push({ ok: false, line: `not ok - ${name}: the browser run failed (exit ${run.status}${run.error ? `, ${run.error.message}` : ''})` });
  await cs.stop();
}

try {
  await session('editor', { trust: false });
  await session('restricted', { trust: true });
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
const passed = results.filter((r) => r.ok).length;
const failed = results.length - passed;
console.log(`\n[e2e] screenshots: ${shots}`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed || results.length === 0 ? 1 : 0);
