// `npm run bench`'s open → diagnostics figures in desktop VS Code, the reference of the web's: the
// packaged extension in code-server 4.100.3 (VS Code 1.100, whose extension host is Node, as desktop
// VS Code's is) with a small bench extension beside it (test/editorBench/desktopExtension.ts) that
// opens the bench folder's cold.py and warm.py with the same code VS Code for the Web is timed with
// (test/editorBench/openToDiagnostics.ts). Both figures then count the same steps: the extension host
// opening the document, GradProbe activating, its server starting, the analysis, the diagnostics
// reaching the extension host. The workbench is shown in Debian's Chromium through Playwright.
// `--timeline` prints where the time went. `--out FILE` merges the figures into FILE (the desktop figures bench-editor.mjs wrote), for
// scripts/web/run.mjs --desktop. Where it cannot run, it says so and exits non-zero.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { chromium } from 'playwright-core';
import { ensureCodeServer, freshProfile, installExtension, startCodeServer } from './e2e/codeServer.mjs';
import { thousandLines } from './thousandLines.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outArg = process.argv.indexOf('--out');
const outFile = outArg >= 0 ? process.argv[outArg + 1] : undefined;
const browserPath = process.env.GRADPROBE_CHROMIUM ?? '/usr/bin/chromium';
const timeoutMs = 240_000;

function fail(message) {
  console.error(`\nbench (desktop VS Code): NOT MEASURED — ${message}\n`);
  process.exit(1);
}

if (!existsSync(browserPath)) fail(`no Chromium at ${browserPath} (set GRADPROBE_CHROMIUM to its path; scripts/install-test-deps.sh installs Debian's)`);

const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const vsix = join(root, `gradprobe-${version}.vsix`);
const quiet = { stdio: ['ignore', 'ignore', 'inherit'] };
execFileSync(process.execPath, [join(root, 'scripts/build.mjs')], quiet);
execFileSync(process.execPath, [join(root, 'scripts/package-vsix.mjs')], quiet);

const tmp = mkdtempSync(join(tmpdir(), 'gradprobe-bench-vscode-'));
let server;
let browser;
let failure;
try {
  // The bench extension, packed as a .vsix beside GradProbe's.
  const stage = join(tmp, 'bench-extension');
  mkdirSync(stage);
  await esbuild.build({
    entryPoints: [join(root, 'test/editorBench/desktopExtension.ts')], outfile: join(stage, 'bench.js'),
    bundle: true, platform: 'node', format: 'cjs', target: 'node20', external: ['vscode'], logLevel: 'warning',
  });
  writeFileSync(join(stage, 'package.json'), JSON.stringify({
    name: 'gradprobe-bench', publisher: 'gradprobe', version: '0.0.1', license: 'MIT', engines: { vscode: '^1.100.0' },
    activationEvents: ['onStartupFinished'], main: './bench.js', files: ['bench.js'],
  }));
  const benchVsix = join(tmp, 'gradprobe-bench.vsix');
  execFileSync(process.execPath, [join(root, 'node_modules/@vscode/vsce/vsce'), 'package', '--no-dependencies', '--allow-missing-repository', '--skip-license', '-o', benchVsix], {
    cwd: stage, stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, VSCE_TELEMETRY: 'off' },
  });

  ensureCodeServer();
  const { userData, extensions } = freshProfile(join(tmp, 'profile'));
  for (const v of [vsix, benchVsix]) installExtension(v, userData, extensions);

  // The folder the web bench mounts: both files from the start, probed on open without a debounce.
  const folder = join(tmp, 'bench');
  mkdirSync(join(folder, '.vscode'), { recursive: true });
  writeFileSync(join(folder, 'cold.py'), thousandLines('a'));
  writeFileSync(join(folder, 'warm.py'), thousandLines('b'));
  writeFileSync(join(folder, '.vscode/settings.json'), JSON.stringify({ 'gradprobe.debounceMs': 0, 'gradprobe.backend': 'cpu' }));

  // code-server's extension host inherits this environment: the bench extension writes here.
  const figuresFile = join(tmp, 'figures.json');
  process.env.GRADPROBE_BENCH_OUT = figuresFile;
  server = await startCodeServer({ userDataDir: userData, extensionsDir: extensions, folder });
  browser = await chromium.launch({
    executablePath: browserPath,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await page.goto(server.url);
  const deadline = Date.now() + timeoutMs;
  while (!existsSync(figuresFile)) {
    if (Date.now() > deadline) throw new Error(`the bench extension wrote no figures within ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const figures = JSON.parse(readFileSync(figuresFile, 'utf8'));
  if (figures.error) throw new Error(`the bench extension failed: ${figures.error}`);
  const { cold, warm, timeline = [] } = figures;
  if (process.argv.includes('--timeline')) {
    console.log('desktop VS Code timeline, ms from the cold open (client: the extension host; server: the language server):');
    let previous;
    for (const m of timeline) {
      console.log(`  ${String(m.ms).padStart(6)}  ${previous === undefined ? '' : `(+${m.ms - previous})`.padEnd(8)} ${m.name}`);
      previous = m.ms;
    }
  }
  console.log(`desktop VS Code open → diagnostics, 1,000-line file: ${Math.round(cold.ms)} ms cold (the extension, its server, worker and TF.js starting), ${Math.round(warm.ms)} ms warm; ${cold.diagnostics} and ${warm.diagnostics} diagnostics`);
  if (outFile) {
    const previous = existsSync(outFile) ? JSON.parse(readFileSync(outFile, 'utf8')) : {};
    writeFileSync(outFile, JSON.stringify({
      ...previous,
      vscodeColdMs: Math.round(cold.ms), vscodeWarmMs: Math.round(warm.ms), vscodeColdDiagnostics: cold.diagnostics, vscodeWarmDiagnostics: warm.diagnostics,
    }));
  }
} catch (err) {
  failure = err instanceof Error ? err.message : String(err);
} finally {
  await browser?.close().catch(() => undefined);
  await server?.stop();
  rmSync(tmp, { recursive: true, force: true });
}
if (failure) fail(failure);
