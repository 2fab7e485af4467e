// The browser server's head start at an open (`prepareOpened`): while the document's settings are
// fetched from the client, its folder's context is listed and read through the client and the
// document is parsed as on disk, kept in the context; the job that follows with the same exclude
// list finds them there instead of fetching and parsing again.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultSettings } from '../../src/core/config/settings';
import type { ParsedModule } from '../../src/core/parse/document';
import { useWasmSource } from '../../src/core/parse/treeSitter';
import { nodeWasmSource } from '../../src/core/parse/wasmSource.node';
import { prepareOpened, runAnalysisJob, useWorkspaceContexts } from '../../src/server/analysisJob';
import { RemoteContext } from '../../src/server/remoteContext';
import type { WorkspaceFiles } from '../../src/server/probeService';
import type { WorkerResponse } from '../../src/server/workerProtocol';

useWasmSource(nodeWasmSource());

const tree: Record<string, string> = {
  '/ws/main.py': 'import torch\n\ndef swishy(x):\n    return x * torch.sigmoid(x)\n',
  '/ws/train.py': 'from main import swishy\nimport torch.nn as nn\nlayer = nn.Linear(4, 4)\nACT = swishy\n',
};
const listed: string[] = [];
const read: string[] = [];
const files: WorkspaceFiles = {
  async list(folder) {
    listed.push(folder);
    return { files: Object.keys(tree).filter((p) => p.startsWith(`${folder}/`)), errors: [] };
  },
  async read(path) {
    read.push(path);
    const text = tree[path];
    if (text === undefined) throw new Error(`${path}: no such file`);
    return text;
  },
};

/** Records the modules each `modulesAt` call gave (the parse of a path is made on its first). */
class WatchedContext extends RemoteContext {
  readonly given: ParsedModule[][] = [];
  override modulesAt(paths: readonly string[]): ParsedModule[] {
    const out = super.modulesAt(paths);
    this.given.push(out);
    return out;
  }
}
const contexts: WatchedContext[] = [];
useWorkspaceContexts((root, exclude) => {
  const ctx = new WatchedContext(root, exclude, files, () => undefined);
  contexts.push(ctx);
  return ctx;
});

function outline(path: string, exclude: string[]): Promise<string[]> {
  return new Promise((resolve, reject) => {
    void runAnalysisJob({ type: 'analyze', id: 1, files: [{ path, text: tree[path] }], settings: defaultSettings, probe: false, root: '/ws', exclude, cancelSlot: 0 }, () => false, (m: WorkerResponse) => {
      if (m.type === 'outline') resolve(m.functions.map((f) => f.name));
      if (m.type === 'error') reject(new Error(m.message));
    }).catch(reject);
  });
}

test('an open without a workspace folder fetches nothing', async () => {
  await prepareOpened({ path: '/elsewhere/a.py', text: 'x = 1\n' }, undefined);
  assert.deepEqual(listed, []);
  assert.equal(contexts.length, 0);
});

test('at an open the folder is listed and read and the document parsed; its job fetches nothing more and finds its function', async () => {
  await prepareOpened({ path: '/ws/main.py', text: tree['/ws/main.py'] }, '/ws');
  assert.deepEqual(listed, ['/ws']);
  assert.deepEqual(read.slice().sort(), ['/ws/main.py', '/ws/train.py']);
  assert.equal(contexts.length, 1);
  const parsedAhead = contexts[0].given.flat().map((m) => m.doc.path);
  assert.ok(parsedAhead.includes('/ws/main.py'), `the opened file was parsed ahead of its job: ${parsedAhead.join(', ')}`);
  assert.ok(parsedAhead.includes('/ws/train.py'), 'the file that uses its function too (it makes it an activation)');
  const before = contexts[0].given.length;
  assert.deepEqual(await outline('/ws/main.py', []), ['swishy']);
  assert.deepEqual(listed, ['/ws'], 'the job used the context fetched at the open');
  assert.equal(contexts.length, 1);
  assert.ok(contexts[0].given.length > before, 'the job read its modules from that context');
});

test('a job whose settings exclude other files fetches its own context, as without the head start', async () => {
  assert.deepEqual(await outline('/ws/main.py', ['build/**']), ['swishy']);
  assert.deepEqual(listed, ['/ws', '/ws']);
  assert.equal(contexts.length, 2);
});

test('a notebook opened: its folder is fetched and the files that use it parsed, not the notebook as on disk (its job never reuses that parse)', async () => {
  tree['/nb/book.ipynb'] = JSON.stringify({ cells: [{ cell_type: 'code', metadata: {}, source: 'import torch\ndef swishy(x):\n    return x * torch.sigmoid(x)\n', outputs: [], execution_count: null }], metadata: {}, nbformat: 4, nbformat_minor: 5 });
  tree['/nb/train.py'] = 'from book import swishy\nACT = swishy\n';
  await prepareOpened({ path: '/nb/book.ipynb', text: tree['/nb/book.ipynb'] }, '/nb');
  const ctx = contexts[contexts.length - 1];
  const parsedAhead = ctx.given.flat().map((m) => m.doc.path);
  assert.ok(!parsedAhead.includes('/nb/book.ipynb'), `the notebook was not parsed from disk: ${parsedAhead.join(', ')}`);
});
