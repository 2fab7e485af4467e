// The depth stack's matrix product, C = A (n×k) · B (k×m) in float64 (TF.js's CPU matmul is several
// times slower at this size, and float32). Where WebAssembly SIMD is there (Node 20, VS Code for the
// Web's browsers) a small hand-written kernel (matmul.wat, compiled into matmulWasm.ts) does it two
// output columns at a time, about 4× faster than JavaScript; otherwise the same product in plain
// JavaScript. Both sum every element in the same order with the same roundings, so they agree to
// the last bit (test/unit/matmul.test.ts), and a stack measures the same wherever it runs.
import { matmulWasm } from './matmulWasm';

interface Kernel {
  memory: WebAssembly.Memory;
  matmul: (pa: number, pb: number, pc: number, n: number, k: number, m: number) => void;
}

let kernel: Kernel | null | undefined;

/** The WebAssembly kernel, made on first use; null where WebAssembly or its SIMD is missing. */
function wasmKernel(): Kernel | null {
  if (kernel !== undefined) return kernel;
  try {
    const instance = new WebAssembly.Instance(new WebAssembly.Module(matmulWasm), {});
    kernel = instance.exports as unknown as Kernel;
  } catch {
    kernel = null;
  }
  return kernel;
}

/** Which product `matmul` runs here. */
export function matmulKernel(): 'wasm' | 'js' {
  return wasmKernel() ? 'wasm' : 'js';
}

/** C = A · B: the WebAssembly kernel where there is one, else `matmulJs`; the same bits either way. */
export function matmul(a: Float64Array, b: Float64Array, n: number, k: number, m: number): Float64Array {
  const w = wasmKernel();
  if (!w) return matmulJs(a, b, n, k, m);
  const pb = n * k * 8;
  const pc = pb + k * m * 8;
  const need = pc + n * m * 8;
  const have = w.memory.buffer.byteLength;
  if (have < need) w.memory.grow(Math.ceil((need - have) / 65536));
  const buffer = w.memory.buffer;
  new Float64Array(buffer, 0, n * k).set(a.subarray(0, n * k));
  new Float64Array(buffer, pb, k * m).set(b.subarray(0, k * m));
  w.matmul(0, pb, pc, n, k, m);
  return new Float64Array(buffer, pc, n * m).slice();
}

/**
 * The product in plain JavaScript. Four terms of a sum a step: each element of C is read and written
 * once per four terms, which are still added one by one in the order of k, so the sums are the plain
 * loop's to the last bit. A step whose four a's are all 0 is skipped: it would add ±0 (B is the
 * stack's finite weights), which leaves the sum as it is.
 */
export function matmulJs(a: Float64Array, bb: Float64Array, n: number, k: number, m: number): Float64Array {
  const c = new Float64Array(n * m);
  for (let i = 0; i < n; i++) {
    const row = i * m;
    const ai = i * k;
    let p = 0;
    for (; p + 3 < k; p += 4) {
      const a0 = a[ai + p];
      const a1 = a[ai + p + 1];
      const a2 = a[ai + p + 2];
      const a3 = a[ai + p + 3];
      if (a0 === 0 && a1 === 0 && a2 === 0 && a3 === 0) continue;
      const o0 = p * m;
      const o1 = o0 + m;
      const o2 = o1 + m;
      const o3 = o2 + m;
      for (let j = 0; j < m; j++) c[row + j] = c[row + j] + a0 * bb[o0 + j] + a1 * bb[o1 + j] + a2 * bb[o2 + j] + a3 * bb[o3 + j];
    }
    for (; p < k; p++) {
      const av = a[ai + p];
      if (av === 0) continue;
      const off = p * m;
      for (let j = 0; j < m; j++) c[row + j] += av * bb[off + j];
    }
  }
  return c;
}

