// `npm run demo:editor`: the newcomer's first look. Builds and packages the extension, installs
// code-server 4.100.3 (VS Code 1.100, once, cached under ~/.cache), installs the fresh .vsix into a
// throwaway profile, opens examples/ on 127.0.0.1 and prints the URL. Ctrl+C stops it.
// GRADPROBE_DEMO_PORT picks the port (default: a free one).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureCodeServer, freshProfile, installExtension, startCodeServer } from './codeServer.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
execFileSync(process.execPath, [join(root, 'scripts/build.mjs')], { stdio: 'inherit' });
execFileSync(process.execPath, [join(root, 'scripts/package-vsix.mjs')], { stdio: 'inherit' });
ensureCodeServer();
const tmp = mkdtempSync(join(tmpdir(), 'gradprobe-demo-'));
const { userData, extensions } = freshProfile(tmp, { 'gradprobe.backend': 'cpu' });
installExtension(join(root, `gradprobe-${version}.vsix`), userData, extensions);
const port = process.env.GRADPROBE_DEMO_PORT ? Number(process.env.GRADPROBE_DEMO_PORT) : undefined;
const cs = await startCodeServer({ userDataDir: userData, extensionsDir: extensions, folder: join(root, 'examples'), port });
console.log(`\nGradProbe ${version} in VS Code 1.100 (code-server), with examples/ open:\n\n  ${cs.url}\n\nOpen a file (churn_keras/losses.py, vae_jax.py, notebooks/house_prices.ipynb): findings show in\nProblems, code lenses above each function, hovers on the names. Ctrl+C stops the server.\n`);
const stop = async () => {
  await cs.stop();
  rmSync(tmp, { recursive: true, force: true });
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
