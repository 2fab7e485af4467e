// The wasm files under Node: beside the bundle (dist/), or in node_modules when unbundled (tests,
// tools). The browser build replaces this module with wasmSource.browser.ts.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { WasmSource } from './treeSitter';

function wasmDirectory(): string {
  if (existsSync(join(__dirname, 'tree-sitter.wasm'))) return __dirname;
  for (const from of [__filename, join(process.cwd(), 'package.json')]) {
    try {
      return dirname(createRequire(from).resolve('@vscode/tree-sitter-wasm/wasm/tree-sitter.wasm'));
    } catch {
      // try the next place
    }
  }
  throw new Error('tree-sitter.wasm was not found beside the bundle or in node_modules');
}

export function nodeWasmSource(): WasmSource {
  const dir = wasmDirectory();
  return {
    runtime: async () => ({ locateFile: (file: string) => join(dir, file) }),
    grammar: async (file) => join(dir, file),
  };
}
