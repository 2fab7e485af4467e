// The quick-fix edit builders on plain text: framework-correct guards, stable forms, double-where,
// parameter swap, suppression comments, fix-all without overlaps.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fixAll, fixesFor, suppressionFix, type Fix, type FixContext } from '../../src/server/fixes';
import { lineStarts, offsetAt, positionAt, type TextRange } from '../../src/server/sourceText';

function apply(text: string, fix: Fix | { edits: Fix['edits'] }): string {
  const starts = lineStarts(text);
  const edits = [...fix.edits].map((e) => ({ s: offsetAt(text, starts, e.range.start), e: offsetAt(text, starts, e.range.end), t: e.newText })).sort((a, b) => b.s - a.s);
  let out = text;
  for (const e of edits) out = out.slice(0, e.s) + e.t + out.slice(e.e);
  return out;
}

/** The range of the first occurrence of `needle` in `text`. */
function rangeOf(text: string, needle: string, from = 0): TextRange {
  const i = text.indexOf(needle, from);
  assert.ok(i >= 0, `${needle} not in text`);
  const starts = lineStarts(text);
  return { start: positionAt(starts, i), end: positionAt(starts, i + needle.length) };
}

const ctx = (text: string, framework: string, extra: Partial<FixContext> = {}): FixContext => ({ text, language: framework === 'tfjs' ? 'javascript' : 'python', framework, dtype: 'float32', ...extra });

test('GP303 log: epsilon inside the call, clip in each framework\'s own form', () => {
  const tfText = 'import tensorflow as tf\n\ndef f(y_true, y_pred):\n    return -tf.reduce_mean(y_true * tf.math.log(y_pred))\n';
  const fixes = fixesFor('GP303', rangeOf(tfText, 'tf.math.log(y_pred)'), ctx(tfText, 'tensorflow', { kind: 'loss' }));
  assert.equal(apply(tfText, fixes[0]).split('\n')[3], '    return -tf.reduce_mean(y_true * tf.math.log(y_pred + 1e-7))');
  assert.equal(fixes[0].preferred, true);
  assert.equal(apply(tfText, fixes[1]).split('\n')[3], '    return -tf.reduce_mean(y_true * tf.math.log(tf.clip_by_value(y_pred, 1e-7, 1.0 - 1e-7)))');

  const torchText = 'import torch\n\ndef f(input, target):\n    return -(target * torch.log(input)).mean()\n';
  const t = fixesFor('GP303', rangeOf(torchText, 'torch.log(input)'), ctx(torchText, 'pytorch', { kind: 'loss' }));
  assert.match(apply(torchText, t[1]), /torch\.log\(torch\.clamp\(input, min=1e-7, max=1\.0 - 1e-7\)\)/);

  const jaxText = 'import jax.numpy as jnp\n\ndef act(x):\n    return jnp.log(x)\n';
  const j = fixesFor('GP303', rangeOf(jaxText, 'jnp.log(x)'), ctx(jaxText, 'jax', { kind: 'activation' }));
  assert.match(apply(jaxText, j[1]), /jnp\.log\(jnp\.maximum\(x, 1e-7\)\)/);

  const jsText = "import * as tf from '@tensorflow/tfjs';\nexport function l(yTrue, yPred) {\n  return tf.mean(tf.mul(yTrue, tf.log(yPred)));\n}\n";
  const js = fixesFor('GP303', rangeOf(jsText, 'tf.log(yPred)'), ctx(jsText, 'tfjs', { kind: 'loss' }));
  assert.match(apply(jsText, js[0]), /tf\.log\(yPred \+ 1e-7\)/);
  assert.match(apply(jsText, js[1]), /tf\.log\(tf\.clipByValue\(yPred, 1e-7, 1 - 1e-7\)\)/);
});

test('GP303 division, sqrt of an expression, and a torch method call', () => {
  const text = 'import torch\n\ndef f(x):\n    return x / x.abs()\n';
  const d = fixesFor('GP303', rangeOf(text, 'x / x.abs()'), ctx(text, 'pytorch'));
  assert.equal(d.length, 1, 'a denominator gets an epsilon, never a clip (it may be negative)');
  assert.match(apply(text, d[0]), /return x \/ \(x\.abs\(\) \+ 1e-7\)/);
  const s = 'import torch\n\ndef f(x):\n    return torch.sqrt(x * x if True else x)\n';
  assert.match(apply(s, fixesFor('GP303', rangeOf(s, 'torch.sqrt(x * x if True else x)'), ctx(s, 'pytorch'))[0]), /torch\.sqrt\(\(x \* x if True else x\) \+ 1e-7\)/);
  const m = 'import torch\n\ndef f(x):\n    return x.log()\n';
  assert.match(apply(m, fixesFor('GP303', rangeOf(m, 'x.log()'), ctx(m, 'pytorch'))[0]), /return \(x \+ 1e-7\)\.log\(\)/);
  assert.match(apply(m, fixesFor('GP303', rangeOf(m, 'x.log()'), ctx(m, 'pytorch'))[1]), /return torch\.clamp\(x, min=1e-7\)\.log\(\)/);
});

test('the epsilon survives float16', () => {
  const text = 'import numpy as np\n\ndef f(y_true, y_pred):\n    return -np.mean(y_true * np.log(y_pred))\n';
  const fixes = fixesFor('GP303', rangeOf(text, 'np.log(y_pred)'), ctx(text, 'numpy', { kind: 'loss', dtype: 'float16' }));
  assert.match(apply(text, fixes[0]), /np\.log\(y_pred \+ 1e-3\)/);
  assert.match(apply(text, fixes[1]), /np\.clip\(y_pred, 1e-3, 1\.0 - 1e-3\)/);
});

test('GP304: softplus, log-sum-exp and sigmoid forms, else a clipped exponent', () => {
  const sp = 'import tensorflow as tf\n\ndef soft_exp(x):\n    return tf.math.log(1.0 + tf.exp(x))\n';
  const f1 = fixesFor('GP304', rangeOf(sp, 'tf.exp(x)'), ctx(sp, 'tensorflow'));
  assert.equal(apply(sp, f1[0]).split('\n')[3], '    return tf.math.softplus(x)');
  assert.match(apply(sp, f1[1]), /tf\.exp\(tf\.clip_by_value\(x, -88\.0, 88\.0\)\)/);

  const lse = 'import torch\n\ndef f(x):\n    return torch.log(torch.sum(torch.exp(x), dim=-1))\n';
  const f2 = fixesFor('GP304', rangeOf(lse, 'torch.exp(x)'), ctx(lse, 'pytorch'));
  assert.equal(apply(lse, f2[0]).split('\n')[3], '    return torch.logsumexp(x, dim=-1)');

  const sig = 'import keras\nfrom keras import ops\n\ndef eswish(x, beta=1.25):\n    return beta * x / (1.0 + ops.exp(-x))\n';
  const f3 = fixesFor('GP304', rangeOf(sig, 'ops.exp(-x)'), ctx(sig, 'tensorflow'));
  assert.equal(apply(sig, f3[0]).split('\n')[4], '    return beta * x * ops.sigmoid(x)');
  assert.match(apply(sig, f3[f3.length - 1]), /ops\.exp\(ops\.clip\(-x, -88\.0, 88\.0\)\)/);
});

test('GP305 / GP102: the double-where pattern', () => {
  const text = 'import jax.numpy as jnp\n\ndef sqrt_lu(x):\n    return jnp.where(x > 0, jnp.sqrt(1.0 + x) - 1.0, 0.5 * x)\n';
  const call = 'jnp.where(x > 0, jnp.sqrt(1.0 + x) - 1.0, 0.5 * x)';
  const fixes = fixesFor('GP305', rangeOf(text, call), ctx(text, 'jax'));
  assert.equal(apply(text, fixes[0]).split('\n')[3], '    return jnp.where(x > 0, jnp.sqrt(1.0 + jnp.where(x > 0, x, 1.0)) - 1.0, 0.5 * x)');
  // GP102 points at the function name: the where inside the function is found.
  const viaName = fixesFor('GP102', rangeOf(text, 'sqrt_lu'), ctx(text, 'jax', { functionRange: { start: { line: 3, character: 0 }, end: { line: 3, character: 60 } } }));
  assert.equal(apply(text, viaName[0]), apply(text, fixes[0]));
  const other = 'import torch\n\ndef f(x):\n    return torch.where(x <= 0, 0.1 * x, torch.log(x))\n';
  assert.match(apply(other, fixesFor('GP305', rangeOf(other, 'torch.where(x <= 0, 0.1 * x, torch.log(x))'), ctx(other, 'pytorch'))[0]), /torch\.log\(torch\.where\(x <= 0, 1\.0, x\)\)/);
});

test('GP211: drop the extra activation, or set from_logits=False', () => {
  const text = 'import tensorflow as tf\n\ndef multilabel_bce(y_true, y_pred):\n    p = tf.sigmoid(y_pred)\n    return tf.keras.losses.binary_crossentropy(y_true, p, from_logits=True)\n';
  const fnRange = { start: { line: 2, character: 0 }, end: { line: 4, character: 80 } };
  const fixes = fixesFor('GP211', rangeOf(text, 'multilabel_bce'), ctx(text, 'tensorflow', { kind: 'loss', functionRange: fnRange }));
  assert.equal(apply(text, fixes[0]).split('\n')[3], '    p = y_pred');
  assert.match(apply(text, fixes[1]), /from_logits=False/);
});

test('GP207: swap the two parameters in the signature', () => {
  const text = 'def ported_bce(y_pred, y_true):\n    return y_pred - y_true\n';
  const fixes = fixesFor('GP207', rangeOf(text, 'ported_bce'), ctx(text, 'tensorflow', { kind: 'loss', functionRange: { start: { line: 0, character: 0 }, end: { line: 1, character: 26 } } }));
  assert.equal(apply(text, fixes[0]).split('\n')[0], 'def ported_bce(y_true, y_pred):');
  const method = 'class L:\n    def forward(self, target, input):\n        return input - target\n';
  const m = fixesFor('GP207', rangeOf(method, 'L'), ctx(method, 'pytorch', { functionRange: { start: { line: 0, character: 0 }, end: { line: 2, character: 30 } } }));
  assert.match(apply(method, m[0]), /def forward\(self, input, target\)/);
});

test('no fix where the text is not in a shape the builder understands', () => {
  const text = 'def f(x):\n    return something_else(x)\n';
  assert.deepEqual(fixesFor('GP303', rangeOf(text, 'something_else(x)'), ctx(text, 'tensorflow')), []);
  assert.deepEqual(fixesFor('GP305', rangeOf(text, 'something_else(x)'), ctx(text, 'tensorflow')), []);
});

test('suppression comments: appended, or merged into an existing one', () => {
  const py = 'def f(x):\n    return tf.math.log(x)\n';
  assert.equal(apply(py, suppressionFix('GP303', 1, { text: py, language: 'python' })), 'def f(x):\n    return tf.math.log(x)  # gradprobe: ignore[GP303]\n');
  const merged = 'def f(x):\n    return tf.math.log(x)  # gradprobe: ignore[GP101]\n';
  assert.equal(apply(merged, suppressionFix('GP303', 1, { text: merged, language: 'python' })), 'def f(x):\n    return tf.math.log(x)  # gradprobe: ignore[GP101, GP303]\n');
  const js = 'function f(x) {\n  return tf.log(x);\n}\n';
  assert.equal(apply(js, suppressionFix('GP303', 1, { text: js, language: 'javascript' })).split('\n')[1], '  return tf.log(x);  // gradprobe: ignore[GP303]');
});

test('fix-all takes preferred fixes only and never overlapping edits', () => {
  const text = 'import tensorflow as tf\n\ndef f(x):\n    return tf.math.log(x) + tf.math.log(x * 2)\n';
  const a = fixesFor('GP303', rangeOf(text, 'tf.math.log(x)'), ctx(text, 'tensorflow'));
  const b = fixesFor('GP303', rangeOf(text, 'tf.math.log(x * 2)'), ctx(text, 'tensorflow'));
  const edits = fixAll([...a, ...a, ...b]);
  assert.equal(apply(text, { edits }).split('\n')[3], '    return tf.math.log(x + 1e-7) + tf.math.log(x * 2 + 1e-7)');
});
