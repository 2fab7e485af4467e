// `dist/cli.js`: starts the CLI bundle (`dist/cliMain.js`) with V8's code cache. A fresh `gradprobe`
// process otherwise spends a large part of its start compiling the 3 MB bundle; with the cache V8
// deserialises the functions compiled on an earlier run instead. The cache file sits beside the
// bundle and is keyed by the bundle's content, Node's version and the architecture: a stale or
// foreign cache is ignored (V8 also refuses data from another version or other flags), and then a
// fresh one is written once, atomically. This file must stay small: it imports Node built-ins only.
import { createHash } from 'node:crypto';
import { readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { Script } from 'node:vm';

const bundle = join(__dirname, 'cliMain.js');
// `eval` runs with its own V8 flags (below), and V8 refuses a code cache made under other flags: it
// keeps a cache of its own, so `eval` and the other commands do not keep replacing each other's.
const oneShot = process.argv[2] === 'eval';
const cacheFile = oneShot ? `${bundle}.eval.v8cache` : `${bundle}.v8cache`;
const magic = 'gradprobe-v8cache-1';

/** The key a cache must carry to be used with this bundle in this Node. */
function keyOf(source: Buffer): string {
  return `${magic} ${createHash('sha1').update(source).digest('hex')} ${process.version} ${process.arch}`;
}

/** The cached data stored for `key`, or undefined (missing, unreadable, another key). */
function readCache(key: string): Buffer | undefined {
  try {
    const file = readFileSync(cacheFile);
    const end = file.indexOf(10);
    if (end < 0 || file.subarray(0, end).toString('latin1') !== key) return undefined;
    return file.subarray(end + 1);
  } catch {
    return undefined;
  }
}

/**
 * Writes the cache after the run (the functions compiled lazily during the run are in it then). A
 * run that must write nothing (`--no-cache`, GRADPROBE_NO_CODE_CACHE=1) leaves it alone; a folder
 * that cannot be written (a read-only install) only costs the speed-up.
 */
function writeCache(script: Script, key: string): void {
  if (process.env.GRADPROBE_NO_CODE_CACHE === '1' || process.argv.includes('--no-cache')) return;
  const tmp = `${cacheFile}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, Buffer.concat([Buffer.from(`${key}\n`, 'latin1'), script.createCachedData()]));
    renameSync(tmp, cacheFile);
  } catch {
    try { unlinkSync(tmp); } catch { /* nothing was written */ }
  }
}

function start(): void {
  // A one-shot `eval` parses one small file. V8 would tier the grammar's wasm up to its optimising
  // compiler in the background and, before the process can exit, wait for that compilation (about
  // 60 ms, a fifth of the command); the baseline compiler's code is all one file needs.
  if (oneShot) setFlagsFromString('--liftoff-only');
  const source = readFileSync(bundle);
  const key = keyOf(source);
  const cachedData = process.env.GRADPROBE_NO_CODE_CACHE === '1' ? undefined : readCache(key);
  const text = source.toString('utf8').replace(/^#!.*/, '');
  // The bundle is a CommonJS module: wrapped as Node wraps one, with its own require, so it runs as if
  // Node had loaded it (its __dirname finds the grammars and the server beside it).
  const wrapped = `(function (exports, require, module, __filename, __dirname) { ${text}\n})`;
  const script = new Script(wrapped, { filename: bundle, cachedData });
  if (!cachedData || script.cachedDataRejected) process.once('exit', () => writeCache(script, key));
  const mod = { exports: {} as unknown, filename: bundle, id: bundle, loaded: false };
  const run = script.runInThisContext() as (e: unknown, r: NodeJS.Require, m: unknown, f: string, d: string) => void;
  run(mod.exports, createRequire(bundle), mod, bundle, dirname(bundle));
}

start();
