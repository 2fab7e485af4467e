// One build script, one esbuild context per bundle; `--watch` keeps them running.
import * as esbuild from 'esbuild';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { browserHost as browserHostPlugin } from './browserHost.mjs';
import { webPayload, webPayloadReport } from './webPayload.mjs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const watch = process.argv.includes('--watch');
const withTests = process.argv.includes('--tests');

mkdirSync(dist, { recursive: true });
// tree-sitter's runtime and the grammars are loaded from beside the bundle: Python's, and TSX's for
// the whole JavaScript family (src/core/parse/treeSitter.ts). Any other wasm left in dist/ by an
// older build goes, or the packages (`dist/*.wasm`) would ship it.
const wasmDir = join(root, 'node_modules/@vscode/tree-sitter-wasm/wasm');
const wasmFiles = ['tree-sitter.wasm', 'tree-sitter-python.wasm', 'tree-sitter-tsx.wasm'];
for (const f of readdirSync(dist)) if (f.endsWith('.wasm') && !wasmFiles.includes(f)) rmSync(join(dist, f));
for (const f of wasmFiles) cpSync(join(wasmDir, f), join(dist, f));

// `gradprobe rule GP303` prints docs/rules/GP303.md: the pages are compiled into the CLI (module
// 'gradprobe:rule-pages'), so they are there wherever the package is installed.
const rulesDir = join(root, 'docs/rules');
const rulePages = {
  name: 'rule-pages',
  setup(build) {
    build.onResolve({ filter: /^gradprobe:rule-pages$/ }, () => ({ path: 'rule-pages', namespace: 'gradprobe' }));
    build.onLoad({ filter: /.*/, namespace: 'gradprobe' }, () => {
      const files = readdirSync(rulesDir).filter((f) => /^GP\d{3}\.md$/.test(f)).sort();
      const pages = Object.fromEntries(files.map((f) => [f.slice(0, -3), readFileSync(join(rulesDir, f), 'utf8')]));
      return { contents: `export const rulePages = ${JSON.stringify(pages)};`, loader: 'js', watchDirs: [rulesDir], watchFiles: files.map((f) => join(rulesDir, f)) };
    });
  },
};

const treeSitterRequire = {
  name: 'tree-sitter-require',
  setup(build) {
    build.onLoad({ filter: /@vscode[\\/]tree-sitter-wasm[\\/]wasm[\\/]tree-sitter\.js$/ }, (args) => {
      const text = readFileSync(args.path, 'utf8');
      // Its own `var require` shadows Node's inside the function that imports, hence another name.
      const out = text.replace(/await import\((["'])(module|fs\/promises)\1\)/g, (_, q, name) => `__nodeRequire(${q}${name}${q})`);
      if (/\bimport\(/.test(out.replace(/\/\/.*$/gm, ''))) throw new Error(`${args.path}: an import() is left that the CLI bundle cannot keep`);
      return { contents: `const __nodeRequire = require;\n${out}`, loader: 'js' };
    });
  },
};

// The engine's build id (src/core/workspace/buildId.ts): a hash of the sources and the package's
// manifest, so that result caches written by another build of the same version are not read.
const buildId = (() => {
  const hash = createHash('sha256');
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else { hash.update(path.slice(root.length)); hash.update(readFileSync(path)); }
    }
  };
  walk(join(root, 'src'));
  hash.update(readFileSync(join(root, 'package.json')));
  return hash.digest('hex').slice(0, 16);
})();

const common = {
  define: { __GRADPROBE_BUILD__: JSON.stringify(buildId) },
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: true,
  minify: false,
  // tfjs marks its backend and gradient registrations as side-effect free; keep them.
  ignoreAnnotations: true,
  logLevel: 'warning',
  external: ['vscode', '@tensorflow/tfjs-node'],
  plugins: [rulePages],
  // jsonc-parser's UMD entry (its "main") requires its parts at run time, which a bundle cannot;
  // its ES module build bundles.
  alias: { 'jsonc-parser': 'jsonc-parser/lib/esm/main.js' },
  // TensorFlow.js's "main" is one CommonJS file; each of our modules importing it would copy its
  // thousand-odd exports at start-up (esbuild's interop, about 13 ms of a fresh `gradprobe eval`).
  // Its ES module build ("module") bundles as one namespace instead, as the browser build takes it.
  mainFields: ['module', 'main'],
};

const browser = {
  platform: 'browser', target: ['chrome120'], sourcemap: false, minify: true, metafile: true, legalComments: 'none',
  external: ['vscode'], plugins: [rulePages, browserHostPlugin(root)], define: { 'process.env.NODE_ENV': '"production"', __filename: '"/gradprobe/dist/web/server.js"', __GRADPROBE_BUILD__: JSON.stringify(buildId) },
};

const bundles = [
  // The CLI: `cli.js` is a small launcher that runs the main bundle `cliMain.js` with V8's code cache
  // (src/cli/launch.ts); the main bundle loads the engine bundle `cliEngine.js` the same way when it has
  // something to analyse (src/cli/engineBundle.ts). A script compiled from a code cache loses its
  // dynamic-import callback, so the bundles must hold no import(): tree-sitter's runtime imports two
  // Node modules, required instead.
  { entryPoints: [join(root, 'src/cli/main.ts')], outfile: join(dist, 'cliMain.js'), banner: { js: '#!/usr/bin/env node' }, metafile: true },
  { entryPoints: [join(root, 'src/cli/engine.ts')], outfile: join(dist, 'cliEngine.js'), plugins: [rulePages, treeSitterRequire] },
  { entryPoints: [join(root, 'src/cli/launch.ts')], outfile: join(dist, 'cli.js'), banner: { js: '#!/usr/bin/env node' }, sourcemap: false },
  // The VS Code extension: a tiny entry (fast activation) that loads the language client on the next
  // tick; the server is a separate Node process whose probes run in a worker thread.
  { entryPoints: [join(root, 'src/client/extension.ts')], outfile: join(dist, 'extension.js') },
  { entryPoints: [join(root, 'src/client/languageClient.ts')], outfile: join(dist, 'languageClient.js') },
  { entryPoints: [join(root, 'src/server/server.ts')], outfile: join(dist, 'server.js') },
  { entryPoints: [join(root, 'src/server/probeWorker.ts')], outfile: join(dist, 'probeWorker.js') },
  // The probe panel's page (webview-ui): a browser bundle, minified, with its stylesheet beside it
  // (dist/webview/panel.js + panel.css); the panel's localResourceRoots is this folder only.
  {
    entryPoints: { panel: join(root, 'webview-ui/src/main.ts') }, outdir: join(dist, 'webview'),
    platform: 'browser', target: ['chrome120'], format: 'esm', minify: true, sourcemap: false, ignoreAnnotations: false, external: [],
    loader: { '.css': 'css' }, legalComments: 'none', metafile: true,
  },
  // VS Code for the Web: the extension (package.json "browser") and its language server's Web Worker.
  { ...browser, entryPoints: [join(root, 'src/client/browserExtension.ts')], outfile: join(dist, 'web/extension.js'), format: 'cjs' },
  { ...browser, entryPoints: [join(root, 'src/server/browserServer.ts')], outfile: join(dist, 'web/server.js'), format: 'iife' },
];

if (withTests) {
  // Tests are bundled like the product (tfjs needs the same side-effect imports kept).
  const testFiles = readdirSync(join(root, 'test'), { recursive: true })
    .map(String)
    .filter((f) => f.endsWith('.test.ts'))
    .map((f) => join(root, 'test', f));
  // esbuild itself stays a package (the browser build's test runs it).
  bundles.push({ entryPoints: testFiles, outdir: join(root, 'dist-test'), outbase: join(root, 'test'), external: [...common.external, 'esbuild'] });
}

const contexts = await Promise.all(bundles.map((b) => esbuild.context({ ...common, ...b })));
if (watch) {
  await Promise.all(contexts.map((c) => c.watch()));
  console.log('watching…');
} else {
  const results = await Promise.all(contexts.map((c) => c.rebuild()));
  await Promise.all(contexts.map((c) => c.dispose()));
  // The panel bundle's size against its 300 KB budget; the web payload's against 5 MB (below).
  for (const r of results) {
    for (const [file, out] of Object.entries(r.metafile?.outputs ?? {})) {
      if (!file.endsWith('webview/panel.js')) continue;
      const kb = out.bytes / 1024;
      console.log(`panel bundle: ${kb.toFixed(1)} KB minified${kb > 300 ? ' (over the 300 KB budget)' : ''}`);
      if (kb > 300) process.exitCode = 1;
    }
  }
  // The CLI's main bundle must not hold the engine: a re-check that the result cache answers would
  // pay for compiling and starting it (src/cli/launch.ts). Whatever pulls it in fails the build.
  const engineInputs = /node_modules\/@tensorflow\/|node_modules\/@vscode\/tree-sitter-wasm\/|^src\/core\/(analyze|engine|probe\/|translate\/|detect\/)/;
  for (const r of results) {
    const out = Object.entries(r.metafile?.outputs ?? {}).find(([file]) => file.endsWith('dist/cliMain.js'));
    if (!out) continue;
    const heavy = Object.keys(out[1].inputs).filter((f) => engineInputs.test(f));
    if (heavy.length) {
      console.error(`dist/cliMain.js holds engine modules (import them in src/cli/engine.ts, not in the main bundle): ${heavy.slice(0, 5).join(', ')}${heavy.length > 5 ? ', …' : ''}`);
      process.exitCode = 1;
    }
  }
  // Node's globals are no imports, so the resolver cannot see them: the browser bundles' own sources
  // are read for them (a comment naming one is fine: only code lines count).
  const nodeGlobal = /\b(Buffer\.|__dirname\b|setImmediate\(|process\.(?!env\.NODE_ENV))/;
  for (const r of results) {
    if (!Object.keys(r.metafile?.outputs ?? {}).some((f) => f.includes('dist/web/'))) continue;
    for (const input of Object.keys(r.metafile.inputs).filter((f) => f.startsWith('src/') && !f.endsWith('.node.ts'))) {
      readFileSync(join(root, input), 'utf8').split('\n').forEach((line, i) => {
        if (!/^\s*(\/\/|\*)/.test(line) && nodeGlobal.test(line)) {
          console.error(`${input}:${i + 1}: a Node global in a browser bundle: ${line.trim()}`);
          process.exitCode = 1;
        }
      });
    }
  }
  // Everything VS Code for the Web downloads, grammars and engine included (scripts/webPayload.mjs).
  const payload = webPayloadReport(webPayload(dist, wasmFiles));
  for (const line of payload.lines) (payload.ok ? console.log : console.error)(line);
  if (!payload.ok) process.exitCode = 1;

  // The CLI's V8 code caches (dist/cliEngine.js.eval.v8cache for `eval`, which runs under its own V8
  // flags and without the main bundle, and dist/cliMain.js.v8cache and dist/cliEngine.js.v8cache for
  // the other commands), written by one small eval and one small check so that the first `gradprobe` a
  // user runs already starts from them (src/cli/bundleLoader.ts refreshes a stale one itself).
  const scratch = mkdtempSync(join(tmpdir(), 'gradprobe-build-'));
  try {
    writeFileSync(join(scratch, 'act.py'), 'import torch\n\ndef mish(x):\n    return x * torch.tanh(torch.nn.functional.softplus(x))\n');
    // (cliMain.js.eval.v8cache is an older build's: eval no longer loads the main bundle.)
    for (const f of ['cliMain.js.v8cache', 'cliMain.js.eval.v8cache', 'cliEngine.js.v8cache', 'cliEngine.js.eval.v8cache']) rmSync(join(dist, f), { force: true });
    const runs = [
      ['eval', join(scratch, 'act.py'), 'mish', '--x', '[-1, 0, 1]', '--backend', 'cpu'],
      ['check', join(scratch, 'act.py'), '--quiet', '--fail-on', 'never', '--backend', 'cpu', '--cache-dir', join(scratch, 'results')],
    ];
    for (const args of runs) {
      const prime = spawnSync(process.execPath, [join(dist, 'cli.js'), ...args], { encoding: 'utf8', cwd: scratch });
      if (prime.status !== 0) {
        console.error(`the CLI bundle does not run (${args[0]}): ${prime.stderr}`);
        process.exitCode = 1;
      }
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
