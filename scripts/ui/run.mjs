// `npm run test:ui`: builds the extension (with the panel's bundle), bundles the UI test and its
// harness, and runs them with node's test runner in Debian's Chromium (/usr/bin/chromium, or
// GRADPROBE_CHROMIUM; scripts/install-test-deps.sh installs it). Screenshots and timings go to
// test-output/ui/.
import { spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const chromium = process.env.GRADPROBE_CHROMIUM ?? '/usr/bin/chromium';
if (!existsSync(chromium)) {
  console.error(`test:ui needs Chromium at ${chromium}: run scripts/install-test-deps.sh (or set GRADPROBE_CHROMIUM)`);
  process.exit(1);
}

const build = spawnSync(process.execPath, [join(root, 'scripts/build.mjs')], { stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);

const out = join(root, 'dist-test/ui');
await esbuild.build({
  entryPoints: [join(root, 'test/ui/panelUi.ts')], outfile: join(out, 'panelUi.js'),
  bundle: true, platform: 'node', format: 'cjs', target: 'node20', sourcemap: true,
  // The core runs here to make the probe results: tfjs's side-effect registrations must stay.
  ignoreAnnotations: true, external: ['playwright-core', '@tensorflow/tfjs-node'], logLevel: 'warning',
});
await esbuild.build({
  entryPoints: [join(root, 'test/ui/harnessHost.ts')], outfile: join(out, 'harnessHost.js'),
  bundle: true, platform: 'browser', format: 'iife', target: 'chrome120', logLevel: 'warning',
});

rmSync(join(root, 'test-output/ui'), { recursive: true, force: true });
// --bench: only the first-plot timing, printed as a bench figure (`npm run bench:ui`).
const bench = process.argv.includes('--bench');
const run = spawnSync(process.execPath, ['--test', '--test-concurrency=1', ...(bench ? ['--test-name-pattern=first plot'] : []), join(out, 'panelUi.js')], {
  stdio: 'inherit', cwd: root, timeout: 15 * 60_000, env: bench ? { ...process.env, GRADPROBE_UI_BENCH: '1' } : process.env,
});
process.exit(run.status ?? 1);
