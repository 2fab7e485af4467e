// A generated workspace of realistic Keras modules, for the load benchmark and the scan tests.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const acts = ['x * tf.sigmoid(K * x)', 'tf.math.log(1.0 + tf.exp(K * x))', 'tf.tanh(x) * K', 'tf.math.log(x * x + K)', 'tf.where(x > 0, x, K * (tf.exp(x) - 1.0))', 'x / (1.0 + tf.abs(K * x))'];
const losses = ['tf.reduce_mean(tf.square(y_pred - y_true)) * K', '-tf.reduce_mean(y_true * tf.math.log(y_pred + K))', 'tf.reduce_mean(tf.abs(y_pred - y_true) + K)'];

/** A realistic module: imports, helpers, one activation and one loss used by a model, ~40 lines. */
export function workspaceFile(i: number): string {
  const k = (0.5 + (i % 97) / 50).toFixed(3);
  return [
    'import numpy as np',
    'import tensorflow as tf',
    '',
    `SCALE_${i} = ${k}`,
    '',
    '',
    `def load_batch_${i}(path, size=32):`,
    `    """Reads batch ${i} from disk."""`,
    '    data = np.load(path)',
    '    return data[:size] * SCALE_' + i,
    '',
    '',
    `def act_${i}(x):`,
    `    return ${acts[i % acts.length].replace(/K/g, k)}`,
    '',
    '',
    `def loss_${i}(y_true, y_pred):`,
    `    return ${losses[i % losses.length].replace(/K/g, k === '0.500' ? '1e-7' : k)}`,
    '',
    '',
    `def normalise_${i}(frame):`,
    '    values = np.asarray(frame, dtype=np.float32)',
    '    return (values - values.mean()) / (values.std() + 1e-6)',
    '',
    '',
    `def build_${i}(width=64):`,
    '    model = tf.keras.Sequential([',
    `        tf.keras.layers.Dense(width, activation=act_${i}),`,
    '        tf.keras.layers.Dense(1),',
    '    ])',
    `    model.compile(optimizer="adam", loss=loss_${i})`,
    '    return model',
    '',
  ].join('\n');
}

/**
 * An ordinary module with nothing to probe, as most of a real project is: config, file listing,
 * a metric, a training loop (~35 lines).
 */
export function plainFile(i: number): string {
  return [
    'import json',
    'import os',
    'import numpy as np',
    '',
    `BATCH_${i} = ${16 + (i % 5) * 16}`,
    '',
    '',
    `class Config${i}:`,
    `    """Settings of experiment ${i}."""`,
    '',
    '    def __init__(self, path):',
    '        with open(path) as f:',
    '            self.values = json.load(f)',
    '',
    '    def get(self, key, default=None):',
    '        return self.values.get(key, default)',
    '',
    '',
    `def list_shards_${i}(root):`,
    '    return sorted(p for p in os.listdir(root) if p.endswith(".npz"))',
    '',
    '',
    `def accuracy_${i}(pred, labels):`,
    '    return float(np.mean(np.argmax(pred, axis=-1) == labels))',
    '',
    '',
    `def train_${i}(model, shards, epochs=3):`,
    '    history = []',
    '    for epoch in range(epochs):',
    '        for shard in shards:',
    '            data = np.load(shard)',
    `            history.append(model.fit(data["x"], data["y"], batch_size=BATCH_${i}, verbose=0))`,
    '    return history',
    '',
  ].join('\n');
}

/**
 * `files` modules in folders of 100. `probeEvery`: one file in that many holds an activation and a
 * loss (`workspaceFile`), the others are `plainFile`s; 1 (the default) makes every file probeable.
 */
export function generateWorkspace(dir: string, files: number, probeEvery = 1): string[] {
  const paths: string[] = [];
  for (let i = 0; i < files; i++) {
    const sub = join(dir, `pkg_${Math.floor(i / 100)}`);
    mkdirSync(sub, { recursive: true });
    const p = join(sub, `model_${i}.py`);
    writeFileSync(p, i % probeEvery === 0 ? workspaceFile(i) : plainFile(i));
    paths.push(p);
  }
  return paths;
}
