// `npm run gen:standard-stacks`: rewrites src/core/probe/standardStacks.json, the depth probe's
// standard activations measured on its stack at each framework's init (computeStandardStacks() in
// src/core/probe/depth.ts, bundled here). Run it after a change to the stack; a unit test fails
// until the table matches a fresh computation. `--check` only compares, and exits 1 when stale.
import * as esbuild from 'esbuild';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { updateGenerated } from './generated.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const table = join(root, 'src/core/probe/standardStacks.json');
const outfile = join(root, 'dist-test/standardStacks.cjs');
await esbuild.build({
  entryPoints: [join(root, 'src/core/probe/depth.ts')], outfile, bundle: true, platform: 'node', format: 'cjs', target: 'node20',
  external: ['@tensorflow/tfjs-node'], logLevel: 'warning',
});
const { computeStandardStacks, formatStandardStacks } = createRequire(import.meta.url)(outfile);
const text = formatStandardStacks(computeStandardStacks());
updateGenerated(root, table, text, 'npm run gen:standard-stacks');
