// The browser build's stand-in for wasmSource.node.ts: a browser worker has no files beside its
// bundle to read, so its host must say where the wasm comes from (`useWasmSource`) before parsing.
import type { WasmSource } from './treeSitter';

export function nodeWasmSource(): WasmSource {
  throw new Error('no wasm source: the browser host must call useWasmSource() before the first parse');
}
