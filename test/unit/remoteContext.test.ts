// The browser worker's workspace context: listed and read through the client. The first job waits
// for it; later a stale listing is refreshed in the background, and the job in progress keeps the
// listing its `prepare` gave it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadGrammars } from '../../src/core/parse/treeSitter';
import { RemoteContext } from '../../src/server/remoteContext';
import type { WorkspaceFiles } from '../../src/server/probeService';

test('a stale listing is refreshed without holding up the job; the next job sees the new file', async () => {
  await loadGrammars(['/ws/a.py']);
  const tree: Record<string, string> = { '/ws/a.py': 'def a(x):\n    return x\n', '/ws/b.py': 'def b(x):\n    return x\n' };
  let listings = 0;
  let answer: (() => void) | undefined;
  const files: WorkspaceFiles = {
    async list() {
      listings++;
      // From the second listing on, the answer waits until the test gives it.
      if (listings > 1) await new Promise<void>((r) => { answer = r; });
      return { files: Object.keys(tree), errors: [] };
    },
    async read(path) {
      return tree[path];
    },
  };
  let now = 0;
  const ctx = new RemoteContext('/ws', [], files, () => undefined, () => now);
  const names = (): string[] => ctx.modules(new Set()).map((m) => m.doc.path);
  await ctx.prepare();
  assert.deepEqual(names(), ['/ws/a.py', '/ws/b.py']);

  tree['/ws/c.py'] = 'def c(x):\n    return x\n';
  now = 3000;
  await ctx.prepare();
  assert.equal(listings, 1, 'a listing younger than 5 s is kept');

  now = 6000;
  // Resolves while the client has not answered the new listing.
  await ctx.prepare();
  assert.equal(listings, 2, 'a listing older than 5 s is asked for again');
  assert.deepEqual(names(), ['/ws/a.py', '/ws/b.py'], 'the job goes on with the listing it has');
  await ctx.prepare();
  assert.equal(listings, 2, 'one refresh at a time');

  answer?.();
  await new Promise((r) => setTimeout(r, 10));
  assert.deepEqual(names(), ['/ws/a.py', '/ws/b.py'], 'not under a job already prepared');
  await ctx.prepare();
  assert.deepEqual(names(), ['/ws/a.py', '/ws/b.py', '/ws/c.py'], 'the next job sees the refreshed listing');
});
