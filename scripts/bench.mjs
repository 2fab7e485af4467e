// Builds the CLI and the benchmark, then runs it: `npm run bench [-- --json]`.
import { spawnSync } from 'node:child_process';
import * as esbuild from 'esbuild';
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
if (!json) {
  const core = spawnSync(process.execPath, [join(root, 'dist-test/bench.js'), ...process.argv.slice(2)], { stdio: 'inherit', cwd: root });
  // --only names parts of the core bench: the editor's figures are then left out.
  const editor = process.argv.includes('--only') ? { status: 0 } : spawnSync(process.execPath, [join(root, 'scripts/bench-editor.mjs')], { stdio: 'inherit', cwd: root });
  process.exit(core.status || editor.status || 0);
}
// One JSON object: the core's figures and the editor's.
const core = spawnSync(process.execPath, [join(root, 'dist-test/bench.js'), '--json'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
const editor = spawnSync(process.execPath, [join(root, 'scripts/bench-editor.mjs'), '--figures'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
if (core.status !== 0 || editor.status !== 0) process.exit(core.status || editor.status || 1);
const figures = [...JSON.parse(core.stdout.trim().split('\n').pop()).figures, ...JSON.parse(editor.stdout.trim().split('\n').pop())];
process.stdout.write(`${JSON.stringify({ figures })}\n`);
