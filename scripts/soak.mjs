// `npm run soak -- [--edits N] [--minutes M] [--seed S] [--sample-seconds T] [--json]`: builds the product
// (the run drives dist/server.js) and the soak driver (test/soak/soak.ts), then runs it. See test/soak/soak.ts.
import { spawnSync } from 'node:child_process';
import * as esbuild from 'esbuild';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const json = process.argv.includes('--json');
// With --json, stdout carries only the JSON object: the build's output goes to stderr.
const build = spawnSync(process.execPath, [join(root, 'scripts/build.mjs')], { stdio: ['ignore', json ? 2 : 'inherit', 'inherit'] });
if (build.status !== 0) process.exit(build.status ?? 1);
await esbuild.build({
  entryPoints: [join(root, 'test/soak/soak.ts')], outfile: join(root, 'dist-test/soak.js'), bundle: true, platform: 'node',
  format: 'cjs', target: 'node20', sourcemap: true, ignoreAnnotations: true, external: ['@tensorflow/tfjs-node'], logLevel: 'warning',
});
const run = spawnSync(process.execPath, ['--enable-source-maps', join(root, 'dist-test/soak.js'), ...process.argv.slice(2)], { stdio: 'inherit', cwd: root });
process.exit(run.status ?? 1);
