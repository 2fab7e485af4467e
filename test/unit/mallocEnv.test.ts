// The language server's process gets glibc's fixed mmap threshold (mallocEnv.ts), and a value the
// user set in their own environment wins over it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mallocEnv, withMallocEnv } from '../../src/shared/mallocEnv';

test('the server environment adds a fixed mmap threshold and keeps everything else', () => {
  const env = withMallocEnv({ PATH: '/usr/bin', HOME: '/home/u' });
  assert.equal(env.MALLOC_MMAP_THRESHOLD_, '131072');
  assert.equal(env.PATH, '/usr/bin');
  assert.equal(env.HOME, '/home/u');
  assert.deepEqual(Object.keys(mallocEnv), ['MALLOC_MMAP_THRESHOLD_']);
});

test("a threshold the user set is theirs", () => {
  assert.equal(withMallocEnv({ MALLOC_MMAP_THRESHOLD_: '65536' }).MALLOC_MMAP_THRESHOLD_, '65536');
});
