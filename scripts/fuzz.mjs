// `npm run fuzz -- --count N --seed S [--server M]`: builds the product (the server run drives
// dist/server.js) and the fuzz runner (test/fuzz/fuzz.ts), then runs it. See test/fuzz/fuzz.ts.
import { spawnSync } from 'node:child_process';
import * as esbuild from 'esbuild';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const build = spawnSync(process.execPath, [join(root, 'scripts/build.mjs')], { stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);
await esbuild.build({
  entryPoints: [join(root, 'test/fuzz/fuzz.ts')], outfile: join(root, 'dist-test/fuzz.js'), bundle: true, platform: 'node',
  format: 'cjs', target: 'node20', sourcemap: true, ignoreAnnotations: true, external: ['@tensorflow/tfjs-node'], logLevel: 'warning',
});
// The runner's analysis thread stands in for the server's probe worker: its process gets the
// server's malloc settings (src/shared/mallocEnv.ts; glibc reads them at start, so they are set here).
const env = { MALLOC_MMAP_THRESHOLD_: '131072', ...process.env };
const run = spawnSync(process.execPath, ['--enable-source-maps', join(root, 'dist-test/fuzz.js'), '--root', root, ...process.argv.slice(2)], { stdio: 'inherit', cwd: root, env });
process.exit(run.status ?? 1);
