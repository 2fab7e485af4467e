// The depth stack's matrix product: the WebAssembly kernel is the one that runs in Node, it is the
// JavaScript product to the last bit (zeros, infinities, NaN, subnormals and odd shapes included),
// and the committed bytes are what matmul.wat compiles to.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { matmul, matmulJs, matmulKernel } from '../../src/core/probe/matmul';
import { matmulWasm } from '../../src/core/probe/matmulWasm';

const root = process.cwd();

test('Node runs the WebAssembly kernel', () => {
  assert.equal(matmulKernel(), 'wasm');
});

test('the WebAssembly kernel and the JavaScript product agree to the last bit', () => {
  let seed = 11;
  const rand = (): number => { seed = (seed * 16807) % 2147483647; return seed / 2147483647; };
  const special = [0, -0, Infinity, -Infinity, NaN, 1e308, -1e308, 5e-324, -5e-324];
  const values = (length: number, zeros: number, specials: number): Float64Array => Float64Array.from({ length }, () => {
    const u = rand();
    if (u < zeros) return 0;
    if (u < zeros + specials) return special[Math.floor(rand() * special.length)];
    return (rand() - 0.5) * Math.exp((rand() - 0.5) * 40);
  });
  let compared = 0;
  for (const [n, k, m] of [[128, 64, 64], [3, 5, 7], [1, 1, 1], [4, 8, 3], [5, 6, 2], [2, 3, 1], [7, 13, 9]]) {
    for (let t = 0; t < 40; t++) {
      const a = values(n * k, t % 3 === 0 ? 0.5 : 0.05, t % 4 === 0 ? 0.05 : 0);
      const b = values(k * m, 0.05, t % 5 === 0 ? 0.02 : 0);
      const fromWasm = matmul(a, b, n, k, m);
      const fromJs = matmulJs(a, b, n, k, m);
      assert.equal(fromWasm.length, n * m);
      for (let i = 0; i < fromJs.length; i++) {
        if (!Object.is(fromWasm[i], fromJs[i])) assert.fail(`${n}×${k}·${k}×${m}, case ${t}, element ${i}: wasm ${fromWasm[i]}, js ${fromJs[i]}`);
      }
      compared += fromJs.length;
    }
  }
  assert.ok(compared > 100_000);
  // A plain product, to know the two are not wrong together.
  assert.deepEqual([...matmul(Float64Array.from([1, 2, 3, 4]), Float64Array.from([5, 6, 7, 8]), 2, 2, 2)], [19, 22, 43, 50]);
});

test('matmulWasm.ts is what matmul.wat compiles to (else: npm run gen:wasm)', async () => {
  // scripts/wasmSource.mjs is the generator's own code: ES module, loaded as the script loads it.
  const { compileWat, wasmModuleSource } = (await import(join(root, 'scripts/wasmSource.mjs'))) as {
    compileWat: (source: string) => Promise<Uint8Array>;
    wasmModuleSource: (from: string, name: string, bytes: Uint8Array) => string;
  };
  const bytes = await compileWat(readFileSync(join(root, 'src/core/probe/matmul.wat'), 'utf8'));
  assert.deepEqual([...matmulWasm], [...bytes], 'matmul.wat changed: run npm run gen:wasm');
  assert.equal(readFileSync(join(root, 'src/core/probe/matmulWasm.ts'), 'utf8'), wasmModuleSource('matmul.wat', 'matmulWasm', bytes));
});
