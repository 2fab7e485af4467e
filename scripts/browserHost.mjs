// The browser bundles' resolver (scripts/build.mjs; test/unit/browserBuild.test.ts proves it refuses).
import { readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join } from 'node:path';

// The browser bundles (VS Code for the Web): no Node API may reach them. A module with a Node-only
// implementation is imported as `./x.node`; here it resolves to its `./x.browser.ts` twin. Node's
// path functions are POSIX string functions, taken from path-browserify. Any other Node built-in
// fails the build, naming the importer — except in tree-sitter's Emscripten loader, whose Node
// branch (behind its own environment check) never runs in a browser.
const nodeBuiltins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));
/** Does the importer's package say (package.json "browser": { "util": false }) that it does without this module in a browser? */
function disabledInBrowser(importer, name) {
  if (!importer.includes('/node_modules/')) return false;
  for (let dir = dirname(importer); dir.includes('/node_modules/'); dir = dirname(dir)) {
    let pkg;
    try {
      pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    } catch {
      continue;
    }
    if (!pkg.name) continue;
    return typeof pkg.browser === 'object' && pkg.browser !== null && pkg.browser[name] === false;
  }
  return false;
}

export function browserHost(root) {
  return {
    name: 'browser-host',
    setup(build) {
      build.onResolve({ filter: /\.node$/ }, (args) => (args.path.startsWith('.') ? { path: join(args.resolveDir, `${args.path.slice(0, -'.node'.length)}.browser.ts`) } : undefined));
      build.onResolve({ filter: /^@tensorflow\/tfjs-node$/ }, () => ({ path: 'tfjs-node', namespace: 'browser-empty' }));
      build.onResolve({ filter: /.*/ }, (args) => {
        if (!nodeBuiltins.has(args.path)) return undefined;
        if (args.path === 'path' || args.path === 'node:path') return { path: join(root, 'node_modules/path-browserify/index.js') };
        if (args.importer.includes('node_modules/@vscode/tree-sitter-wasm/') || disabledInBrowser(args.importer, args.path)) return { path: args.path, namespace: 'browser-empty' };
        return { errors: [{ text: `Node built-in "${args.path}" imported by ${args.importer.replace(`${root}/`, '')}: the browser bundles must not use Node APIs` }] };
      });
      build.onLoad({ filter: /.*/, namespace: 'browser-empty' }, (args) => ({
        // tree-sitter's loader names its own script's URL (__filename, defined by the build, through `url`)
        // when it starts, even when it is handed its wasm bytes, as the browser server does.
        contents: args.path === 'url' ? 'exports.pathToFileURL = (p) => new URL(`file://${p}`);' : 'module.exports = {};', loader: 'js',
      }));
    },
  };
}
