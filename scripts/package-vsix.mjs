// `npm run package`: gradprobe-<version>.vsix with @vscode/vsce, offline. Everything is bundled by
// esbuild, so no node_modules are packed (--no-dependencies); .vscodeignore lists what ships.
// package.json's "files" is the npm package's list (the CLI), and vsce refuses a folder that has both
// "files" and a .vscodeignore: so vsce packs a staging copy whose package.json has no "files".
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const out = join(root, `gradprobe-${manifest.version}.vsix`);
const vsce = join(root, 'node_modules/@vscode/vsce/vsce');
const stage = mkdtempSync(join(tmpdir(), 'gradprobe-vsix-'));
try {
  delete manifest.files;
  writeFileSync(join(stage, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  for (const f of ['README.md', 'LICENSE', '.vscodeignore']) if (existsSync(join(root, f))) cpSync(join(root, f), join(stage, f));
  cpSync(join(root, 'dist'), join(stage, 'dist'), { recursive: true });
  execFileSync(process.execPath, [vsce, 'package', '--no-dependencies', '--allow-missing-repository', '--allow-star-activation', '-o', out], {
    cwd: stage, stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, VSCE_TELEMETRY: 'off' },
  });
} finally {
  rmSync(stage, { recursive: true, force: true });
}
const mb = statSync(out).size / 1024 / 1024;
console.log(`${out}: ${mb.toFixed(2)} MB`);
if (mb > 10) {
  console.error('the .vsix is over the 10 MB target');
  process.exit(1);
}
