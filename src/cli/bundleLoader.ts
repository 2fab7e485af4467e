// Runs one of the CLI's bundles (`dist/cliMain.js`, `dist/cliEngine.js`) with V8's code cache. A fresh
// `gradprobe` process otherwise spends a large part of its start compiling megabytes of JavaScript;
// with the cache V8 deserialises the functions compiled on an earlier run instead. Each bundle's cache
// sits beside it and is keyed by the bundle's content, Node's version and the architecture: a stale or
// foreign cache is ignored (V8 also refuses data from another version or other flags), and then a
// fresh one is written once, atomically, after the run. Node built-ins only: the launcher holds it.
import { createHash } from 'node:crypto';
import { readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { Script } from 'node:vm';

/**
 * `eval` runs under its own V8 flags (src/cli/launch.ts) and V8 refuses a code cache made under other
 * flags: it keeps caches of its own, so `eval` and the other commands do not keep replacing each other's.
 */
export const oneShot = process.argv[2] === 'eval';
const magic = 'gradprobe-v8cache-1';

/** The cache file of `bundle` for this command. */
export function codeCacheFile(bundle: string): string {
  return oneShot ? `${bundle}.eval.v8cache` : `${bundle}.v8cache`;
}

/** The key a cache must carry to be used with this bundle in this Node. */
function keyOf(source: Buffer): string {
  return `${magic} ${createHash('sha1').update(source).digest('hex')} ${process.version} ${process.arch}`;
}

/** The cached data stored for `key`, or undefined (missing, unreadable, another key). */
function readCache(file: string, key: string): Buffer | undefined {
  try {
    const data = readFileSync(file);
    const end = data.indexOf(10);
    if (end < 0 || data.subarray(0, end).toString('latin1') !== key) return undefined;
    return data.subarray(end + 1);
  } catch {
    return undefined;
  }
}

const codeCacheOff = (): boolean => process.env.GRADPROBE_NO_CODE_CACHE === '1';

/**
 * Writes the cache after the run (the functions compiled lazily during the run are in it then). A
 * run that must write nothing (`--no-cache`, GRADPROBE_NO_CODE_CACHE=1) leaves it alone; a folder
 * that cannot be written (a read-only install) only costs the speed-up.
 */
function writeCache(file: string, script: Script, key: string): void {
  if (codeCacheOff() || process.argv.includes('--no-cache')) return;
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, Buffer.concat([Buffer.from(`${key}\n`, 'latin1'), script.createCachedData()]));
    renameSync(tmp, file);
  } catch {
    try { unlinkSync(tmp); } catch { /* nothing was written */ }
  }
}

/**
 * Runs the CommonJS bundle at `bundle` (an absolute path) as Node would load it, compiled from its code
 * cache when there is a valid one, and returns its exports. Each bundle is run once per process.
 */
export function loadBundle(bundle: string): unknown {
  const source = readFileSync(bundle);
  const key = keyOf(source);
  const cacheFile = codeCacheFile(bundle);
  const cachedData = codeCacheOff() ? undefined : readCache(cacheFile, key);
  const text = source.toString('utf8').replace(/^#!.*/, '');
  // Wrapped as Node wraps a module, with its own require, so it runs as if Node had loaded it (its
  // __dirname finds the grammars, the server and the other bundle beside it).
  const wrapped = `(function (exports, require, module, __filename, __dirname) { ${text}\n})`;
  const script = new Script(wrapped, { filename: bundle, cachedData });
  if (!cachedData || script.cachedDataRejected) process.once('exit', () => writeCache(cacheFile, script, key));
  const mod = { exports: {} as unknown, filename: bundle, id: bundle, loaded: false };
  const run = script.runInThisContext() as (e: unknown, r: NodeJS.Require, m: unknown, f: string, d: string) => void;
  run(mod.exports, createRequire(bundle), mod, bundle, dirname(bundle));
  mod.loaded = true;
  return mod.exports;
}
