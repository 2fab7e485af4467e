// `npm run bench:load [-- --files N] [--json]`: builds the product and test/bench/load.ts, then scans a
// generated workspace of 2,000 Python files through the language server (see test/bench/load.ts).
import { spawnSync } from 'node:child_process';
import * as esbuild from 'esbuild';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const build = spawnSync(process.execPath, [join(root, 'scripts/build.mjs')], { stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);
await esbuild.build({
  entryPoints: [join(root, 'test/bench/load.ts')], outfile: join(root, 'dist-test/bench-load.js'), bundle: true, platform: 'node',
  format: 'cjs', target: 'node20', ignoreAnnotations: true, external: ['@tensorflow/tfjs-node'], logLevel: 'warning',
});
const run = spawnSync(process.execPath, [join(root, 'dist-test/bench-load.js'), ...process.argv.slice(2)], { stdio: 'inherit', cwd: root });
process.exit(run.status ?? 1);
