// `npm run package`: gradprobe-<version>.vsix with @vscode/vsce, offline. Everything is bundled by
// esbuild, so no node_modules are packed (--no-dependencies); .vscodeignore lists what ships.
import { execFileSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const out = join(root, `gradprobe-${version}.vsix`);
const vsce = join(root, 'node_modules/@vscode/vsce/vsce');
execFileSync(process.execPath, [vsce, 'package', '--no-dependencies', '--skip-license', '--allow-missing-repository', '--allow-star-activation', '-o', out], {
  cwd: root, stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, VSCE_TELEMETRY: 'off' },
});
const mb = statSync(out).size / 1024 / 1024;
console.log(`${out}: ${mb.toFixed(2)} MB`);
if (mb > 10) {
  console.error('the .vsix is over the 10 MB target');
  process.exit(1);
}
