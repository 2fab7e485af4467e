// The soak run's workspace and its edits: the examples, generated Keras modules (40 and 1,000
// lines), and what a user types into them — a statement typed into a function body, a function
// pasted at the end, either removed again later so the files do not grow without end. Pure text
// functions, unit-tested (test/unit/soak.test.ts).
import { cpSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Rng } from '../fuzz/generate';
import { workspaceFile } from '../support/workspaceGen';

export type Language = 'python' | 'javascript';

export const languageOfPath = (path: string): Language => (/\.(js|ts|mjs|cjs|jsx|tsx)$/.test(path) ? 'javascript' : 'python');

/** A realistic 1,000-line Keras module: six activations, two losses, a model, and plenty of ordinary code. */
export function largeModule(tag: string): string {
  const out = ['import numpy as np', 'import tensorflow as tf', ''];
  const acts = [
    ['soft_exp', 'tf.math.log(1.0 + tf.exp(x))'], ['mish', 'x * tf.tanh(tf.math.softplus(x))'], ['bent', '(tf.sqrt(x * x + 1.0) - 1.0) / 2.0 + x'],
    ['log_unit', 'tf.math.log(x * x)'], ['gate', 'tf.round(tf.sigmoid(x))'], ['swishish', 'x * tf.sigmoid(1.5 * x)'],
  ];
  for (const [name, body] of acts) out.push(`def ${name}_${tag}(x):`, `    return ${body}`, '', '');
  out.push(`def bce_${tag}(y_true, y_pred):`, '    return -tf.reduce_mean(y_true * tf.math.log(y_pred) + (1.0 - y_true) * tf.math.log(1.0 - y_pred))', '', '');
  out.push(`def mse_${tag}(y_true, y_pred):`, '    return tf.reduce_mean(tf.square(y_pred - y_true))', '', '');
  for (let i = 0; out.length < 960; i++) {
    out.push(`def preprocess_${i}(frame, scale=${i + 1}):`, `    """Normalises column ${i}."""`, '    values = np.asarray(frame, dtype=np.float32)', '    return (values - values.mean()) / (values.std() + 1e-6) * scale', '', '');
  }
  out.push('def build():', '    model = tf.keras.Sequential([');
  for (const [name] of acts) out.push(`        tf.keras.layers.Dense(32, activation=${name}_${tag}),`);
  out.push('        tf.keras.layers.Dense(1),', '    ])', `    model.compile(optimizer="adam", loss=bce_${tag})`, `    model.compile(optimizer="adam", loss=mse_${tag})`, '    return model', '');
  while (out.length < 1000) out.push('');
  return out.join('\n');
}

/**
 * Writes the workspace into `dir`: the examples (with their pyproject.toml), eight generated 40-line
 * modules and two 1,000-line ones. Returns the files the session opens (Python, JavaScript, TypeScript).
 */
export function createWorkspace(dir: string, root: string): string[] {
  cpSync(join(root, 'examples'), dir, { recursive: true });
  mkdirSync(join(dir, 'pipelines'), { recursive: true });
  for (let i = 0; i < 8; i++) writeFileSync(join(dir, 'pipelines', `stage_${i}.py`), workspaceFile(i));
  for (const tag of ['a', 'b']) writeFileSync(join(dir, `large_${tag}.py`), largeModule(tag));
  return readdirSync(dir, { recursive: true }).map(String).filter((f) => /\.(py|js|ts)$/.test(f)).sort().map((f) => join(dir, f));
}

/** Every name the session adds starts with this. */
export const markerPrefix = 'soak_';

/** A line after which a statement can be typed: a function's header, and the indentation of its body. */
export interface Anchor { line: number; indent: string }

const pythonHeader = /^(\s*)(async\s+)?def\s+\w+\s*\(.*\)\s*(->\s*[^:]+)?:\s*(#.*)?$/;
const jsHeader = /(\bfunction\b[^{]*\)|=>|^\s*(async\s+)?\w+\s*\([^)]*\)(\s*:\s*[\w.<>[\]| ]+)?)\s*\{\s*$/;
const jsNotABody = /\b(class|interface|enum|type|switch)\b|=\s*\{\s*$|return\s*\{\s*$|\(\s*\{\s*$/;

export function bodyAnchors(text: string, language: Language): Anchor[] {
  const lines = text.split('\n');
  const out: Anchor[] = [];
  lines.forEach((line, i) => {
    const header = language === 'python' ? pythonHeader.test(line) : jsHeader.test(line) && !jsNotABody.test(line);
    // Pasted functions are deleted by their exact text: nothing is typed into them.
    if (!header || line.includes(markerPrefix)) return;
    const next = lines.slice(i + 1).find((l) => l.trim() !== '');
    const own = /^\s*/.exec(line)![0];
    const indent = next && /^\s*/.exec(next)![0].length > own.length ? /^\s*/.exec(next)![0] : `${own}${language === 'python' ? '    ' : '  '}`;
    out.push({ line: i, indent });
  });
  return out;
}

/** A statement to type into a body; `marker` makes it findable after other edits move it. */
export function typedStatement(language: Language, marker: string, rng: Rng): string {
  const a = (0.25 + rng.int(0, 300) / 100).toFixed(2);
  const b = rng.pick(['x', '1.0', '2.5', 'x * x']);
  return language === 'python' ? `${marker} = ${a} * ${b}` : `const ${marker} = ${a} * ${b === 'x * x' ? '2.0' : b === 'x' ? '1.5' : b};`;
}

/** The file's framework as its imports say: what a pasted function is written in. */
function pythonOps(text: string): { sigmoid: string; mean: string } {
  if (/^\s*import torch|^\s*from torch/m.test(text)) return { sigmoid: 'torch.sigmoid', mean: 'torch.mean' };
  if (/^\s*import jax|^\s*from jax/m.test(text)) return { sigmoid: 'jax.nn.sigmoid', mean: 'jnp.mean' };
  if (/^\s*import numpy/m.test(text) && !/^\s*import tensorflow/m.test(text)) return { sigmoid: 'np.tanh', mean: 'np.mean' };
  return { sigmoid: 'tf.sigmoid', mean: 'tf.reduce_mean' };
}

/**
 * A function to paste at the end of `text`: an activation or a loss in the file's framework, with the
 * comment or signature that gets it detected; deleted later by this exact text.
 */
export function pastedFunction(language: Language, marker: string, rng: Rng, text: string): string {
  const c = (0.5 + rng.int(0, 200) / 100).toFixed(2);
  if (language === 'python') {
    const ops = pythonOps(text);
    return rng.chance(0.5)
      ? `\n\ndef ${marker}(x):  # gradprobe: activation\n    """Pasted: a scaled swish."""\n    return x * ${ops.sigmoid}(${c} * x)\n`
      : `\n\ndef ${marker}(y_true, y_pred):\n    """Pasted: a weighted squared error."""\n    return ${ops.mean}((y_pred - y_true) ** 2) * ${c}\n`;
  }
  return rng.chance(0.5)
    ? `\n\nexport const ${marker} = (x) => tf.mul(x, tf.sigmoid(tf.mul(x, ${c}))); // gradprobe: activation\n`
    : `\n\nexport function ${marker}(yTrue, yPred) { // gradprobe: loss\n  return tf.mean(tf.mul(tf.square(tf.sub(yPred, yTrue)), ${c}));\n}\n`;
}

/** The line holding `marker`, or -1. */
export function lineOf(text: string, marker: string): number {
  return text.split('\n').findIndex((l) => l.includes(marker));
}
