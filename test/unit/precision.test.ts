// --dtype: probes re-run with every op's output rounded; findings found only there say so.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { toBfloat16, toFloat16 } from '../../src/core/probe/precision';
import { analyze, codes, fn } from '../helpers';

test('float16 and bfloat16 rounding: nearest even, overflow, subnormals', () => {
  assert.equal(toFloat16(1 - 1e-7), 1);
  assert.equal(toFloat16(65504), 65504);
  assert.equal(toFloat16(70000), Infinity);
  assert.equal(toFloat16(1e-8), 0);
  assert.ok(Math.abs(toFloat16(1e-7) - 1.1920928955078125e-7) < 1e-12);
  assert.equal(toFloat16(1 + 2 ** -11), 1); // a tie rounds to even
  assert.equal(toBfloat16(1 + 2 ** -9), 1);
  assert.equal(toBfloat16(3), 3);
});

test('a clip to [1e-7, 1 - 1e-7] guards log(1 - p) at float32 but not at float16', async () => {
  const src = `import tensorflow as tf

def clipped_bce(y_true, y_pred):
    p = tf.clip_by_value(y_pred, 1e-7, 1.0 - 1e-7)
    return -tf.reduce_mean(y_true * tf.math.log(p) + (1.0 - y_true) * tf.math.log(1.0 - p))

def build(m):
    m.compile(loss=clipped_bce)
`;
  const f32 = fn(await analyze({ 'a.py': src }), 'clipped_bce');
  assert.ok(!codes(f32).includes('GP201'), codes(f32).join());
  const f16 = fn(await analyze({ 'a.py': src }, { dtype: 'float16' }), 'clipped_bce');
  const gp201 = f16.findings.find((f) => f.code === 'GP201');
  assert.ok(gp201, codes(f16).join());
  assert.match(gp201.message, /only at float16/);
});
