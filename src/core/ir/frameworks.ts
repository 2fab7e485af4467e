// Which framework a module is written for, and the canonical names of framework modules.
import type { ModuleIR } from './ir';

export const frameworks = ['tensorflow', 'pytorch', 'jax', 'numpy', 'tfjs'] as const;
export type Framework = (typeof frameworks)[number];

/** Canonical path of an imported module: every alias of a framework module maps to one name. */
export function canonicalModule(module: string): string | undefined {
  const m = module.trim();
  if (m === '@tensorflow/tfjs' || m === '@tensorflow/tfjs-node' || m === '@tensorflow/tfjs-node-gpu' || m === '@tensorflow/tfjs-core') return 'tfjs';
  if (m === 'tensorflow') return 'tf';
  if (m.startsWith('tensorflow.keras')) return 'keras' + m.slice('tensorflow.keras'.length);
  if (m.startsWith('tensorflow.')) return 'tf' + m.slice('tensorflow'.length);
  if (m === 'tf_keras' || m.startsWith('tf_keras.')) return 'keras' + m.slice('tf_keras'.length);
  const known = ['keras', 'torch', 'jax', 'numpy', 'math', 'flax', 'optax', 'scipy', 'functools', 'typing', 'logging', 'warnings', 'dataclasses', '__future__'];
  for (const k of known) if (m === k || m.startsWith(`${k}.`)) return m;
  return undefined;
}

/** Rewrites attribute chains that reach the same module by another road (`tf.keras.backend` = `keras.backend`). */
export function canonicalPath(path: string): string {
  if (path.startsWith('tf.keras.') || path === 'tf.keras') return 'keras' + path.slice('tf.keras'.length);
  if (path.startsWith('tfjs.layers.') || path === 'tfjs.layers') return path;
  return path;
}

export function frameworkOf(ir: ModuleIR): Framework {
  if (ir.language === 'javascript') return 'tfjs';
  const seen = new Set<string>();
  const visit = (stmts: ModuleIR['body']): void => {
    for (const s of stmts) {
      if (s.kind === 'import') seen.add(s.module.split('.')[0]);
      else if (s.kind === 'if' || s.kind === 'try') {
        visit(s.kind === 'if' ? [...s.body, ...s.orelse] : [...s.body, ...s.handlers.flat()]);
      }
    }
  };
  visit(ir.body);
  if (seen.has('torch')) return 'pytorch';
  if (seen.has('jax') || seen.has('flax') || seen.has('optax')) return 'jax';
  if (seen.has('tensorflow') || seen.has('keras') || seen.has('tf_keras')) return 'tensorflow';
  if (seen.has('numpy')) return 'numpy';
  return 'numpy';
}
