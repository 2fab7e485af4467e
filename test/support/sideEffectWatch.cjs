// Preloaded (`node --require`) into a GradProbe process under test — the CLI or the language server,
// and, through the inherited execArgv, its probe worker thread. It watches what user code could do
// if it were ever run: start a process, write, rename or delete a file, open a socket, load a native
// module, exit or signal. Each call is reported as a JSON line on the file descriptor named by
// GRADPROBE_WATCH_FD (a pipe the test reads), then passed through unchanged: a watcher, not a sandbox.
'use strict';
const fs = require('node:fs');
const childProcess = require('node:child_process');
const net = require('node:net');
const http = require('node:http');
const https = require('node:https');
const dgram = require('node:dgram');
const { isMainThread, threadId } = require('node:worker_threads');

const fd = Number(process.env.GRADPROBE_WATCH_FD);
const writeSync = fs.writeSync.bind(fs);
const where = isMainThread ? 'main' : `worker ${threadId}`;

function report(call, args) {
  const line = JSON.stringify({ call, thread: where, args: args.slice(0, 2).map((a) => (typeof a === 'string' || typeof a === 'number' ? a : a === undefined ? null : typeof a === 'object' && a !== null && 'path' in a ? String(a.path) : typeof a)) });
  if (Number.isInteger(fd) && fd > 2) {
    try { writeSync(fd, `${line}\n`); } catch { /* the test stopped listening */ }
  }
}

function watch(obj, name, label, when) {
  const original = obj[name];
  if (typeof original !== 'function') return;
  obj[name] = function watched(...args) {
    if (!when || when(args)) report(label, args);
    return original.apply(this, args);
  };
}

const writeFlag = (flags) => typeof flags === 'string' ? /[wax+]/.test(flags) : typeof flags === 'number' && (flags & (fs.constants.O_WRONLY | fs.constants.O_RDWR | fs.constants.O_CREAT | fs.constants.O_TRUNC | fs.constants.O_APPEND)) !== 0;
// fd 0–2 (stdio) and the watch pipe are the process's own channels, not the file system.
const ownFd = (target) => typeof target === 'number' && (target <= 2 || target === fd);

for (const name of ['spawn', 'spawnSync', 'exec', 'execSync', 'execFile', 'execFileSync', 'fork']) watch(childProcess, name, `child_process.${name}`);
for (const name of ['writeFile', 'writeFileSync', 'appendFile', 'appendFileSync', 'createWriteStream', 'mkdir', 'mkdirSync', 'mkdtemp', 'mkdtempSync', 'rm', 'rmSync',
  'rmdir', 'rmdirSync', 'unlink', 'unlinkSync', 'rename', 'renameSync', 'copyFile', 'copyFileSync', 'cp', 'cpSync', 'symlink', 'symlinkSync', 'link', 'linkSync',
  'truncate', 'truncateSync', 'chmod', 'chmodSync', 'chown', 'chownSync', 'utimes', 'utimesSync']) {
  watch(fs, name, `fs.${name}`, (args) => !ownFd(args[0]));
}
watch(fs, 'open', 'fs.open (for writing)', (args) => writeFlag(args[1]));
watch(fs, 'openSync', 'fs.openSync (for writing)', (args) => writeFlag(args[1]));
watch(fs, 'write', 'fs.write', (args) => !ownFd(args[0]));
watch(fs, 'writeSync', 'fs.writeSync', (args) => !ownFd(args[0]));
for (const name of ['writeFile', 'appendFile', 'mkdir', 'mkdtemp', 'rm', 'rmdir', 'unlink', 'rename', 'copyFile', 'cp', 'symlink', 'link', 'truncate', 'chmod', 'chown', 'utimes']) {
  watch(fs.promises, name, `fs.promises.${name}`);
}
watch(fs.promises, 'open', 'fs.promises.open (for writing)', (args) => writeFlag(args[1]));
watch(net, 'connect', 'net.connect');
watch(net, 'createConnection', 'net.createConnection');
watch(net.Socket.prototype, 'connect', 'net.Socket.connect');
watch(http, 'request', 'http.request');
watch(http, 'get', 'http.get');
watch(https, 'request', 'https.request');
watch(https, 'get', 'https.get');
watch(dgram, 'createSocket', 'dgram.createSocket');
watch(process, 'dlopen', 'process.dlopen');
// Signal 0 only asks whether a process exists (the server checks its client is alive).
watch(process, 'kill', 'process.kill', (args) => args[0] !== process.pid && args[1] !== 0);
if (typeof globalThis.fetch === 'function') watch(globalThis, 'fetch', 'fetch');
// process.exit is the process's own business (the CLI exits with its code); an exit code other than
// the documented ones, or one from the worker thread, is reported.
watch(process, 'exit', 'process.exit', (args) => !isMainThread || (args[0] !== undefined && ![0, 1, 2].includes(Number(args[0]))));
report('watching', [where]);
