// Builds the test bundles and runs them with node's test runner. Every suite runs; a suite that
// cannot run here fails loudly rather than skipping.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const build = spawnSync(process.execPath, [join(root, 'scripts/build.mjs'), '--tests'], { stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);
const only = process.argv.slice(2);
const files = readdirSync(join(root, 'dist-test'), { recursive: true })
  .map(String)
  .filter((f) => f.endsWith('.test.js'))
  // The labelled-corpus suite needs a corpus from outside the repository: `npm run test:corpus`.
  .filter((f) => !f.split(/[\\/]/).includes('corpus'))
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)))
  .map((f) => join(root, 'dist-test', f))
  .sort();
if (files.length === 0) {
  console.error('no test files found');
  process.exit(1);
}
const run = spawnSync(process.execPath, ['--test', '--test-concurrency=2', ...files], { stdio: 'inherit', cwd: root });
process.exit(run.status ?? 1);
