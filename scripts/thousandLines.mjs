// The benchmarks' 1,000-line file: the editor's open → diagnostics on the desktop (bench-editor.mjs)
// and in VS Code for the Web (web/run.mjs --bench) time the same text.

/** A realistic 1,000-line Keras module: 6 activations, 2 losses, and plenty of ordinary code. */
export function thousandLines(seed) {
  const out = ['import tensorflow as tf', 'import numpy as np', ''];
  const acts = [
    ['soft_exp', 'tf.math.log(1.0 + tf.exp(x))'], ['mish', 'x * tf.tanh(tf.math.softplus(x))'], ['bent', '(tf.sqrt(x * x + 1.0) - 1.0) / 2.0 + x'],
    ['log_unit', 'tf.math.log(x * x)'], ['gate', 'tf.round(tf.sigmoid(x))'], ['swishish', 'x * tf.sigmoid(1.5 * x)'],
  ];
  for (const [name, body] of acts) out.push(`def ${name}_${seed}(x):`, `    return ${body}`, '', '');
  out.push(`def bce_${seed}(y_true, y_pred):`, '    return -tf.reduce_mean(y_true * tf.math.log(y_pred) + (1.0 - y_true) * tf.math.log(1.0 - y_pred))', '', '');
  out.push(`def mse_${seed}(y_true, y_pred):`, '    return tf.reduce_mean(tf.square(y_pred - y_true))', '', '');
  let i = 0;
  while (out.length < 960) {
    out.push(`def preprocess_${i}(frame, scale=${i + 1}):`, `    """Normalises column ${i}."""`, '    values = np.asarray(frame, dtype=np.float32)', `    return (values - values.mean()) / (values.std() + 1e-6) * scale`, '', '');
    i++;
  }
  out.push('def build():', '    model = tf.keras.Sequential([');
  for (const [name] of acts) out.push(`        tf.keras.layers.Dense(32, activation=${name}_${seed}),`);
  out.push('        tf.keras.layers.Dense(1),', '    ])', `    model.compile(optimizer="adam", loss=bce_${seed})`, `    model.compile(optimizer="adam", loss=mse_${seed})`, '    return model', '');
  while (out.length < 1000) out.push('');
  return out.join('\n');
}
