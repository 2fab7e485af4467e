// The browser bundles (VS Code for the Web) refuse Node: the build's resolver fails on a Node
// built-in imported by our code, swaps `./x.node` modules for their `./x.browser.ts` twins, and
// takes node:path from path-browserify. Built here with the same plugin as scripts/build.mjs.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';

const root = process.cwd();

async function buildForBrowser(files: Record<string, string>): Promise<{ ok: boolean; errors: string[]; code: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'gradprobe-browser-build-'));
  try {
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    const { browserHost } = (await import(pathToFileURL(join(root, 'scripts/browserHost.mjs')).href)) as { browserHost: (root: string) => esbuild.Plugin };
    const result = await esbuild.build({
      entryPoints: [join(dir, 'entry.ts')], bundle: true, write: false, platform: 'browser', format: 'iife', logLevel: 'silent', plugins: [browserHost(root)],
    });
    return { ok: true, errors: [], code: result.outputFiles[0].text };
  } catch (err) {
    const errors = (err as { errors?: { text: string }[] }).errors?.map((e) => e.text) ?? [String(err)];
    return { ok: false, errors, code: '' };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('a node: import in the browser build fails it, naming the module and the importer', async () => {
  const r = await buildForBrowser({ 'entry.ts': "import { readFileSync } from 'node:fs';\nexport const x = readFileSync;\n" });
  assert.equal(r.ok, false);
  assert.match(r.errors.join('\n'), /Node built-in "node:fs" imported by .*entry\.ts/);
});

test('a bare Node built-in (worker_threads) fails it too', async () => {
  const r = await buildForBrowser({ 'entry.ts': "import { Worker } from 'worker_threads';\nexport const w = Worker;\n" });
  assert.equal(r.ok, false);
  assert.match(r.errors.join('\n'), /Node built-in "worker_threads"/);
});

test('./x.node resolves to its ./x.browser.ts twin; node:path to path-browserify', async () => {
  const r = await buildForBrowser({
    'entry.ts': "import { where } from './host.node';\nimport { posix } from 'node:path';\nexport const w = [where, posix.join('a', 'b')];\n",
    'host.node.ts': "import { hostname } from 'node:os';\nexport const where = hostname();\n",
    'host.browser.ts': "export const where = 'browser-twin';\n",
  });
  assert.deepEqual(r.errors, []);
  assert.match(r.code, /browser-twin/);
  assert.doesNotMatch(r.code, /hostname/);
});
