// `npm run gen:wasm`: compiles src/core/probe/matmul.wat (the depth stack's matrix product) with wabt
// into src/core/probe/matmulWasm.ts, the bytes as a literal: the core instantiates them in Node and
// in VS Code for the Web alike, with nothing to load at run time. Run it after editing the .wat; a
// unit test fails until the committed bytes are the .wat's. `--check` only compares, and exits 1
// when stale.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { updateGenerated } from './generated.mjs';
import { compileWat, wasmModuleSource } from './wasmSource.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const wat = join(root, 'src/core/probe/matmul.wat');
const out = join(root, 'src/core/probe/matmulWasm.ts');
const text = wasmModuleSource('matmul.wat', 'matmulWasm', await compileWat(readFileSync(wat, 'utf8')));
updateGenerated(root, out, text, 'npm run gen:wasm');
