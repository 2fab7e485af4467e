// Which of a folder's files a job parses as context: only those a chain of names connects to the
// file analysed (imports either way, definitions whose parameter roles its calls read). An unrelated
// module is never parsed; a module that uses the file's function still decides its listing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultSettings } from '../../src/core/config/settings';
import { relevantContext } from '../../src/core/detect/contextRelevance';
import { loadGrammars } from '../../src/core/parse/treeSitter';
import type { ParsedModule } from '../../src/core/parse/document';
import { runAnalysisJob, useWorkspaceContexts } from '../../src/server/analysisJob';
import { RemoteContext } from '../../src/server/remoteContext';
import type { WorkspaceFiles } from '../../src/server/probeService';
import type { OutlineEntry, WorkerResponse } from '../../src/server/workerProtocol';

const f = (path: string, text: string): { path: string; text: string } => ({ path, text });
const act = f('/ws/act.py', 'import torch\n\ndef wobble(x):\n    return x * torch.tanh(x)\n');

test('a module the file imports, and what that module imports in turn, are relevant', () => {
  const opened = f('/ws/model.py', 'from layers import block\nfrom . import losses\n');
  const layers = f('/ws/layers.py', 'from .base import Base\n');
  const base = f('/ws/base.py', 'class Base:\n    pass\n');
  const losses = f('/ws/losses/__init__.py', 'from ._focal import focal\n');
  const focal = f('/ws/losses/_focal.py', 'def focal(p, t):\n    return p - t\n');
  const far = f('/ws/far.py', 'def unrelated(x):\n    return x\n');
  assert.deepEqual(relevantContext([opened], [layers, base, losses, focal, far]), ['/ws/layers.py', '/ws/base.py', '/ws/losses/__init__.py', '/ws/losses/_focal.py']);
});

test('a module importing the file is relevant, and JavaScript paths name modules as imports do', () => {
  const user = f('/ws/train.py', 'from act import wobble\n');
  assert.deepEqual(relevantContext([act], [user]), ['/ws/train.py']);
  const lib = f('/js/my-losses.js', 'export const hinge = (yTrue, yPred) => yPred;\n');
  const app = f('/js/app.js', "import { hinge } from './my-losses.js';\n");
  assert.deepEqual(relevantContext([lib], [app]), ['/js/app.js']);
  assert.deepEqual(relevantContext([app], [lib]), ['/js/my-losses.js']);
});

test('a definition whose activation or loss parameter the file\'s calls may fill is relevant; one without such a parameter is not', () => {
  const opened = f('/ws/net.py', 'import helpers\n\ndef run(x):\n    return registry.make_block(x)\n');
  const withRole = f('/ws/blocks.py', 'def make_block(width, act_fn=None):\n    return act_fn\n');
  const without = f('/ws/other.py', 'def make_block(width, depth=(1, 2)):\n    return width\n');
  assert.deepEqual(relevantContext([opened], [withRole, without]), ['/ws/blocks.py']);
  // A notebook's code reads through its JSON escapes.
  const notebook = f('/ws/nb.ipynb', JSON.stringify({ cells: [{ cell_type: 'code', source: 'x = 1\nfrom act import wobble\n' }] }));
  assert.deepEqual(relevantContext([act], [notebook]), ['/ws/nb.ipynb']);
});

test('files no chain of names connects to the file are left out, even defining the same names', () => {
  const a = f('/ws/a.py', 'def build():\n    return preprocess_0(1)\n\ndef preprocess_0(frame, scale=1):\n    return frame\n');
  const b = f('/ws/b.py', 'def build():\n    return preprocess_0(2)\n\ndef preprocess_0(frame, scale=2):\n    return frame\n');
  assert.deepEqual(relevantContext([a], [b]), []);
});

// The job: an unrelated module is never parsed; a module using the file's function still makes it an activation.
const tree: Record<string, string> = {
  '/ws/act.py': act.text,
  '/ws/model.py': 'import tensorflow as tf\nfrom act import wobble\n\nlayer = tf.keras.layers.Dense(4, activation=wobble)\n',
  '/ws/unrelated.py': 'import numpy as np\n\ndef scale(frame):\n    return np.asarray(frame) * 2\n',
};
const files: WorkspaceFiles = {
  async list(folder) {
    return { files: Object.keys(tree).filter((p) => p.startsWith(`${folder}/`)), errors: [] };
  },
  async read(path) {
    return tree[path];
  },
};
const parsed: string[] = [];
class CountingContext extends RemoteContext {
  override modulesAt(paths: readonly string[]): ParsedModule[] {
    parsed.push(...paths);
    return super.modulesAt(paths);
  }
}
useWorkspaceContexts((root, exclude) => new CountingContext(root, exclude, files, () => undefined));

function outlineOf(path: string): Promise<OutlineEntry[]> {
  return new Promise((resolve, reject) => {
    void runAnalysisJob({ type: 'analyze', id: 1, files: [{ path, text: tree[path] }], settings: defaultSettings, probe: false, root: '/ws', exclude: [], cancelSlot: 0 }, () => false, (m: WorkerResponse) => {
      if (m.type === 'outline') resolve(m.functions);
      if (m.type === 'error') reject(new Error(m.message));
    }).catch(reject);
  });
}

test('a job parses the modules that use its file, and not the unrelated one', async () => {
  await loadGrammars(['/ws/act.py']);
  const outline = await outlineOf('/ws/act.py');
  assert.deepEqual(outline.map((e) => [e.name, e.kind]), [['wobble', 'activation']], 'the use in model.py makes wobble an activation');
  assert.ok(parsed.includes('/ws/model.py'), 'model.py was parsed as context');
  assert.ok(!parsed.includes('/ws/unrelated.py'), `unrelated.py was parsed: ${parsed.join(', ')}`);
});
