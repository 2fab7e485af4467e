// The browser server's engine warm-up: the small module it probes comes already lowered, so it must
// be what parsing its source gives today (else the warm-up would exercise stale IR), its functions
// must be found and probed through the real pipeline, it must stop when told, and it must leave no
// tensor behind.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { detectFunctions } from '../../src/core/detect/detect';
import { documentFromText, parseDocument } from '../../src/core/parse/document';
import { loadGrammars } from '../../src/core/parse/treeSitter';
import { storedModule, warmUpEngine, warmUpModule, warmUpPath, warmUpSource } from '../../src/server/engineWarmUp';

test('the stored warm-up module is what parsing its source gives', async () => {
  await loadGrammars([warmUpPath]);
  const fresh = storedModule(parseDocument(documentFromText(warmUpPath, warmUpSource)));
  const stored = storedModule(warmUpModule());
  if (JSON.stringify(fresh) !== JSON.stringify(stored)) {
    const out = join(process.cwd(), 'test-output');
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, 'warmUpModule.json'), `${JSON.stringify(fresh)}\n`);
    assert.fail('src/server/warmUpModule.json is stale: copy test-output/warmUpModule.json over it');
  }
});

test('the warm-up module holds an activation and a loss, found without a grammar', () => {
  const found = detectFunctions([warmUpModule()]).map((d) => [d.name, d.kind]);
  assert.deepEqual(found, [['warm_up_activation', 'activation'], ['warm_up_loss', 'loss']]);
});

test('the warm-up stops before its next step when told, runs every step otherwise, and leaves no tensor', async () => {
  assert.equal(await warmUpEngine(() => true), 1, 'only the engine started');
  const before = tf.memory().numTensors;
  assert.equal(await warmUpEngine(() => false), 4, 'engine, detection, two probes');
  assert.equal(tf.memory().numTensors, before);
});
