// The idle worker's collection gives back the array buffers of its last job: one full collection
// only finds them dead, their memory is freed at the next (collectGarbage runs two). Measured in a
// worker thread, as the server's probe worker collects.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { Worker } from 'node:worker_threads';
import { collectGarbage } from '../../src/server/gc';

function inWorker(): Promise<{ allocated: number; left: number; collected: boolean }> {
  // Gives the worker (an isolate made after this) `gc`, as probeRunner.ts does.
  setFlagsFromString('--expose-gc');
  const code = `
    const { parentPort } = require('node:worker_threads');
    const collectGarbage = ${collectGarbage.toString()};
    const mb = () => process.memoryUsage().external / 1048576;
    collectGarbage();
    const base = mb();
    // Allocated and dropped inside a function, so no script-level binding keeps them.
    const allocate = () => { const buffers = []; for (let i = 0; i < 100; i++) buffers.push(new Float32Array(256 * 1024)); return mb() - base; };
    const allocated = allocate();
    const collected = collectGarbage();
    parentPort.postMessage({ allocated, left: mb() - base, collected });`;
  return new Promise((resolve, reject) => {
    const w = new Worker(code, { eval: true });
    w.once('message', (m: { allocated: number; left: number; collected: boolean }) => { void w.terminate(); resolve(m); });
    w.once('error', reject);
  });
}

test('collectGarbage releases dropped ArrayBuffers, not only their objects', async () => {
  const { allocated, left, collected } = await inWorker();
  assert.equal(collected, true);
  assert.ok(allocated > 90, `100 MB allocated: ${Math.round(allocated)} MB`);
  assert.ok(left < 10, `${Math.round(left)} MB of the 100 MB still held after the collection`);
});

test('without --expose-gc it says it did nothing', () => {
  const g = globalThis as { gc?: () => void };
  const had = g.gc;
  g.gc = undefined;
  try {
    assert.equal(collectGarbage(), false);
  } finally {
    g.gc = had;
  }
});
