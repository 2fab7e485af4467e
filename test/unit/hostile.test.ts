// Workspace code is never executed: hostile functions are analysed with the process's file-system
// writes and child processes watched; each yields GP001 naming the construct, and nothing runs.
import assert from 'node:assert/strict';
import childProcess from 'node:child_process';
import fs from 'node:fs';
import { test } from 'node:test';
import { analyze, codes, fn } from '../helpers';

const marker = (n: number) => `/tmp/gradprobe-hostile-unit-${process.pid}-${n}`;

const py = `
import os, subprocess, pathlib, urllib.request
import tensorflow as tf

def swish_os(x):
    os.system("touch ${marker(1)}")
    return x * tf.sigmoid(x)

def swish_sub(x):
    subprocess.run(["touch", "${marker(2)}"])
    return x * tf.sigmoid(x)

def swish_open(x):
    open("${marker(3)}", "w").write("x")
    return x * tf.sigmoid(x)

def swish_import(x):
    __import__("os").system("touch ${marker(4)}")
    return x * tf.sigmoid(x)

def swish_eval(x):
    eval("__import__('os').system('touch ${marker(5)}')")
    return x * tf.sigmoid(x)

def swish_path(x):
    pathlib.Path("${marker(6)}").write_text("x")
    return x * tf.sigmoid(x)

def swish_net(x):
    urllib.request.urlopen("http://127.0.0.1:9/")
    return x * tf.sigmoid(x)

ACTIVATIONS = {"a": swish_os, "b": swish_sub, "c": swish_open, "d": swish_import, "e": swish_eval, "f": swish_path, "g": swish_net}
`;

const js = `
import * as tf from '@tensorflow/tfjs';
export const swishReq = (x) => { require('child_process').execSync('touch ${marker(7)}'); return tf.mul(x, tf.sigmoid(x)); };
export const swishFn = (x) => { Function('return process')().exit(3); return tf.mul(x, tf.sigmoid(x)); };
export const swishCtor = (x) => { tf.constructor.constructor('return process')().exit(4); return tf.mul(x, tf.sigmoid(x)); };
export const swishGlobal = (x) => { globalThis.process.exit(5); return tf.mul(x, tf.sigmoid(x)); };
export const swishProto = (x) => { ({}).__proto__.polluted = 1; return tf.mul(x, tf.sigmoid(x)); };
export const swishImport = (x) => { import('fs'); return tf.mul(x, tf.sigmoid(x)); };
`;

test('hostile functions are not executed and each yields GP001 naming what stopped it', async () => {
  const calls: string[] = [];
  const watched: [Record<string, unknown>, string][] = [
    [childProcess as unknown as Record<string, unknown>, 'spawn'], [childProcess as unknown as Record<string, unknown>, 'spawnSync'], [childProcess as unknown as Record<string, unknown>, 'exec'],
    [childProcess as unknown as Record<string, unknown>, 'execSync'], [childProcess as unknown as Record<string, unknown>, 'execFile'], [childProcess as unknown as Record<string, unknown>, 'fork'],
    [fs as unknown as Record<string, unknown>, 'writeFileSync'], [fs as unknown as Record<string, unknown>, 'writeFile'], [fs as unknown as Record<string, unknown>, 'openSync'],
    [fs as unknown as Record<string, unknown>, 'appendFileSync'], [fs as unknown as Record<string, unknown>, 'mkdirSync'],
  ];
  const originals = watched.map(([obj, key]) => obj[key]);
  const originalExit = process.exit;
  watched.forEach(([obj, key]) => { obj[key] = (...args: unknown[]) => { calls.push(`${key}(${String(args[0])})`); throw new Error('blocked by test'); }; });
  process.exit = ((code?: number) => { calls.push(`process.exit(${code})`); throw new Error('blocked exit'); }) as typeof process.exit;
  let reports;
  try {
    reports = await analyze({ 'hostile.py': py, 'hostile.js': js });
  } finally {
    watched.forEach(([obj, key], i) => { obj[key] = originals[i]; });
    process.exit = originalExit;
  }
  assert.deepEqual(calls, []);
  for (let n = 1; n <= 7; n++) assert.equal(fs.existsSync(marker(n)), false, `marker ${n} exists`);
  assert.equal((Object.prototype as Record<string, unknown>).polluted, undefined);
  const expected: Record<string, RegExp> = {
    swish_os: /os\.system/, swish_sub: /subprocess\.run/, swish_open: /`open`/, swish_import: /__import__/, swish_eval: /`eval`/,
    swish_path: /pathlib\.Path/, swish_net: /urllib/, swishReq: /`require`/, swishFn: /`Function`/, swishCtor: /constructor/,
    swishGlobal: /globalThis/, swishProto: /__proto__/, swishImport: /import\(\)/,
  };
  for (const [name, construct] of Object.entries(expected)) {
    const r = fn(reports, name);
    assert.equal(r.probe.status, 'unsupported', `${name}: ${r.probe.status} ${r.probe.reason ?? ''}`);
    assert.ok(codes(r).includes('GP001'), name);
    assert.match(r.probe.reason ?? '', construct, `${name}: ${r.probe.reason}`);
  }
});
