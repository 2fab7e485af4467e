// `npm run test:electron`'s driver, kept thin: the shared scenarios (test/e2e/scenarios.ts) in a
// desktop VS Code through @vscode/test-electron. Set GRADPROBE_VSCODE_PATH to a local VS Code
// executable (works offline); without it, test-electron downloads VS Code, which needs the internet.
// When it cannot run, it says so loudly and exits non-zero: it is never counted as passing.
import { cpSync, existsSync, mkdtempSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const loud = (msg) => {
  console.error(`\n${'!'.repeat(78)}\n@vscode/test-electron did NOT run: ${msg}\nThese scenarios are not counted as passing. The same scenarios run in a real VS Code 1.100\nhere through code-server: npm run test:e2e\n${'!'.repeat(78)}\n`);
  process.exit(2);
};

execFileSync(process.execPath, [join(root, 'scripts/build.mjs')], { stdio: 'inherit' });
await esbuild.build({
  entryPoints: [join(root, 'test/e2e/electron/index.ts')], outfile: join(root, 'dist-test/e2e/electron/index.js'),
  bundle: true, platform: 'node', format: 'cjs', target: 'node20', external: ['vscode'], logLevel: 'warning',
});

const { runTests, downloadAndUnzipVSCode } = await import('@vscode/test-electron');
let vscodeExecutablePath = process.env.GRADPROBE_VSCODE_PATH;
if (vscodeExecutablePath && !existsSync(vscodeExecutablePath)) loud(`GRADPROBE_VSCODE_PATH=${vscodeExecutablePath} does not exist`);
if (!vscodeExecutablePath) {
  try {
    vscodeExecutablePath = await downloadAndUnzipVSCode({ version: '1.100.0', timeout: 30_000 });
  } catch (err) {
    loud(`no GRADPROBE_VSCODE_PATH, and VS Code could not be downloaded (${err instanceof Error ? err.message : String(err)})`);
  }
}
const ws = mkdtempSync(join(tmpdir(), 'gradprobe-electron-'));
cpSync(join(root, 'test/fixtures/e2e/workspace'), ws, { recursive: true });
try {
  await runTests({
    vscodeExecutablePath,
    extensionDevelopmentPath: root,
    extensionTestsPath: join(root, 'dist-test/e2e/electron/index.js'),
    launchArgs: [join(ws, 'e2e.code-workspace'), '--disable-extensions', '--disable-workspace-trust', '--skip-welcome', '--skip-release-notes'],
  });
  console.log('test-electron: all scenarios passed');
} catch (err) {
  console.error(`test-electron: failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}
