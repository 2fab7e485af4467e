// The engine bundle (`dist/cliEngine.js`, entry `engine.ts`), loaded on first use with its code cache.
import { join } from 'node:path';
import { loadBundle } from './bundleLoader';

type Engine = typeof import('./engine');

let engine: Engine | undefined;

/** The engine's exports; the first call loads and runs the bundle that sits beside this one. */
export function loadEngine(): Engine {
  engine ??= loadBundle(join(__dirname, 'cliEngine.js')) as Engine;
  return engine;
}
