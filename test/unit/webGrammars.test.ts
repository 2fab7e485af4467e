// The browser worker's grammar loading: a grammar comes through the client (here: counted reads of
// the files beside the package), so each must be asked for once however many callers want it at
// once, and a job must load only the grammars of its inputs and of the workspace's files it parses
// as context — yet every one of those, or a file of the other language would silently give no context.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultSettings } from '../../src/core/config/settings';
import { loadGrammars, parseSource, useWasmSource } from '../../src/core/parse/treeSitter';
import { nodeWasmSource } from '../../src/core/parse/wasmSource.node';
import { runAnalysisJob, useWorkspaceContexts } from '../../src/server/analysisJob';
import { RemoteContext } from '../../src/server/remoteContext';
import type { WorkspaceFiles } from '../../src/server/probeService';
import type { WorkerResponse } from '../../src/server/workerProtocol';

const asked: string[] = [];
const disk = nodeWasmSource();
useWasmSource({
  runtime: async () => {
    asked.push('tree-sitter.wasm');
    return disk.runtime();
  },
  grammar: async (file) => {
    asked.push(file);
    return disk.grammar(file);
  },
});

const tree: Record<string, string> = {
  '/py/main.py': 'import torch\n\ndef swishy(x):\n    return x * torch.sigmoid(x)\n',
  '/py/other.py': 'from main import swishy\nACT = swishy\n',
  '/mixed/main.py': 'import torch\n\ndef swishy(x):\n    return x * torch.sigmoid(x)\n',
  '/mixed/lib.js': "import * as tf from '@tensorflow/tfjs';\nexport const gelu = (x) => tf.mul(x, tf.sigmoid(tf.mul(1.702, x)));\n",
  '/mixed/main2.py': 'import torch\n# the TF.js port is in lib.js\n\ndef swishy(x):\n    return x * torch.sigmoid(x)\n',
};
const files: WorkspaceFiles = {
  async list(folder) {
    return { files: Object.keys(tree).filter((p) => p.startsWith(`${folder}/`)), errors: [] };
  },
  async read(path) {
    const text = tree[path];
    if (text === undefined) throw new Error(`${path}: no such file`);
    return text;
  },
};
const contexts = new Map<string, RemoteContext>();
useWorkspaceContexts((root, exclude) => {
  const ctx = new RemoteContext(root, exclude, files, () => undefined);
  contexts.set(root, ctx);
  return ctx;
});

function outlineOf(root: string, path: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    void runAnalysisJob({ type: 'analyze', id: 1, files: [{ path, text: tree[path] }], settings: defaultSettings, probe: false, root, exclude: [], cancelSlot: 0 }, () => false, (m: WorkerResponse) => {
      if (m.type === 'outline') resolve(m.functions.map((f) => f.name));
      if (m.type === 'error') reject(new Error(m.message));
    }).catch(reject);
  });
}

test('a Python file in a Python workspace: the runtime and the Python grammar are asked for once, the JavaScript family\'s never', async () => {
  const [names] = await Promise.all([outlineOf('/py', '/py/main.py'), loadGrammars(['/py/main.py']), loadGrammars(['/py/other.py'])]);
  assert.deepEqual(names, ['swishy']);
  assert.deepEqual(asked.slice().sort(), ['tree-sitter-python.wasm', 'tree-sitter.wasm']);
  assert.throws(() => parseSource('tsx', 'const x = 1;'), /not loaded/);
});

test('a JavaScript file no name connects to a Python file: not parsed as its context, its grammar never asked for', async () => {
  await outlineOf('/mixed', '/mixed/main.py');
  assert.deepEqual(asked.filter((f) => f === 'tree-sitter-tsx.wasm'), []);
});

test('a JavaScript file in the workspace context of a Python file: its grammar is loaded before the context is parsed', async () => {
  await outlineOf('/mixed', '/mixed/main2.py');
  assert.deepEqual(asked.filter((f) => f === 'tree-sitter-tsx.wasm'), ['tree-sitter-tsx.wasm']);
  const context = contexts.get('/mixed')?.modulesAt(['/mixed/lib.js']) ?? [];
  assert.deepEqual(context.map((m) => m.doc.path), ['/mixed/lib.js'], 'the JavaScript module was parsed as context');
});
