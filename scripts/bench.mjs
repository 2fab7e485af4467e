// Builds the CLI and the benchmark, then runs it: `npm run bench [-- --json]`. After the core's
// figures and the editor's (bench-editor.mjs: the language server over stdio), open → diagnostics in
// desktop VS Code (bench-vscode.mjs: code-server, Chromium) and in VS Code for the Web (web/run.mjs
// --bench, Chromium) with the web's ratio to the desktop's; where Chromium or code-server cannot run,
// those figures say NOT MEASURED and the bench exits non-zero. `--web` runs only the last three (the
// desktop figures, then the web's with their ratios and where the web's cold time went).
import { spawnSync } from 'node:child_process';
import * as esbuild from 'esbuild';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// With --json, stdout carries only the JSON object: the build's messages go to stderr.
const build = spawnSync(process.execPath, [join(root, 'scripts/build.mjs')], { stdio: ['ignore', process.argv.includes('--json') ? process.stderr : 'inherit', 'inherit'] });
if (build.status !== 0) process.exit(build.status ?? 1);
await esbuild.build({
  entryPoints: [join(root, 'test/bench/bench.ts')], outfile: join(root, 'dist-test/bench.js'), bundle: true, platform: 'node',
  format: 'cjs', target: 'node20', ignoreAnnotations: true, external: ['@tensorflow/tfjs-node'], logLevel: 'warning',
});
const json = process.argv.includes('--json');
const webOnly = process.argv.includes('--web');
const coreArgs = process.argv.slice(2).filter((a) => a !== '--web');
// The core's bench, or with --web nothing: its figures are then left out.
const runCore = (options) => (webOnly ? { status: 0, stdout: JSON.stringify({ figures: [] }) } : spawnSync(process.execPath, [join(root, 'dist-test/bench.js'), ...coreArgs], options));
// The desktop editor figures, handed to the web bench for its ratio.
const scratch = mkdtempSync(join(tmpdir(), 'gradprobe-bench-figures-'));
const desktop = join(scratch, 'desktop.json');
try {
  if (!json) {
    const core = runCore({ stdio: 'inherit', cwd: root });
    // --only names parts of the core bench: the editor's and the web's figures are then left out.
    if (process.argv.includes('--only')) {
      process.exitCode = core.status || 0;
    } else {
      const editor = spawnSync(process.execPath, [join(root, 'scripts/bench-editor.mjs'), '--out', desktop], { stdio: 'inherit', cwd: root });
      const vscode = spawnSync(process.execPath, [join(root, 'scripts/bench-vscode.mjs'), '--out', desktop], { stdio: 'inherit', cwd: root });
      const web = spawnSync(process.execPath, [join(root, 'scripts/web/run.mjs'), '--bench', ...(editor.status === 0 ? ['--desktop', desktop] : [])], { stdio: 'inherit', cwd: root });
      process.exitCode = core.status || editor.status || vscode.status || web.status || 0;
    }
  } else {
    // One JSON object: the core's figures, the editor's and the web's.
    const core = runCore({ cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
    const editor = spawnSync(process.execPath, [join(root, 'scripts/bench-editor.mjs'), '--figures', '--out', desktop], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
    if (core.status !== 0 || editor.status !== 0) process.exit(core.status || editor.status || 1);
    const vscode = spawnSync(process.execPath, [join(root, 'scripts/bench-vscode.mjs'), '--out', desktop], { cwd: root, encoding: 'utf8', stdio: ['ignore', process.stderr, 'inherit'] });
    const web = spawnSync(process.execPath, [join(root, 'scripts/web/run.mjs'), '--bench', '--figures', '--desktop', desktop], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
    const last = (out) => JSON.parse(out.trim().split('\n').pop());
    let webFigures;
    try {
      webFigures = last(web.stdout);
    } catch {
      webFigures = [{ name: 'web: open-to-diagnostics, 1,000-line file (VS Code for the Web)', value: null, unit: 'ms', error: `the web bench printed no figures (exit ${web.status})` }];
    }
    const measured = JSON.parse(readFileSync(desktop, 'utf8'));
    const vscodeFigures = ['Cold', 'Warm'].map((k) => ({
      name: `desktop VS Code: open-to-diagnostics, 1,000-line file, ${k.toLowerCase()}`, value: measured[`vscode${k}Ms`] ?? null, unit: 'ms',
      ...(measured[`vscode${k}Ms`] === undefined ? { error: `bench-vscode.mjs failed (exit ${vscode.status})` } : {}),
    }));
    const figures = [...last(core.stdout).figures, ...last(editor.stdout), ...vscodeFigures, ...webFigures];
    process.stdout.write(`${JSON.stringify({ figures })}\n`);
    process.exitCode = vscode.status || web.status || 0;
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
