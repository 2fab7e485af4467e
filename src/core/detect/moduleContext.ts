// What a module as a whole says about its definitions: a file or folder named for activations
// (`activations.py`, `Activation/ops.py`) holds activations; a module written for a framework
// GradProbe does not translate (MegEngine, Paddle…) holds nothing it can probe; in a JS/TS module
// with exports, what is not exported is private.
import type { ParsedModule } from '../parse/document';

export interface ModuleContext {
  /** A path segment names activations: one-input tensor definitions in it are activations. */
  activationModule: boolean;
  /** The module imports a deep-learning framework GradProbe does not support, and none it does. */
  unsupportedFramework?: string;
  /** JS/TS: names the module exports (undefined: everything is public). */
  exports?: Set<string>;
}

/** Path segments split into words: `echo/Activation/t_ops.py` → echo, activation, t, ops. */
function pathWords(path: string): string[] {
  return path.replace(/\\/g, '/').replace(/\.[^./]+$/, '').split(/[/._\-\s]+/).map((w) => w.toLowerCase()).filter(Boolean);
}

const activationWords = new Set(['activation', 'activations', 'act', 'acts', 'nonlinearity', 'nonlinearities']);

// Array frameworks whose code GradProbe cannot translate; a module written for one of them is not
// a target (listing its classes would only yield "unsupported" or, worse, a wrong translation).
const otherFrameworks = ['megengine', 'mindspore', 'paddle', 'oneflow', 'mxnet', 'chainer', 'jittor', 'theano', 'tinygrad', 'mlx', 'cntk', 'dynet', 'cupy'];
const supportedFrameworks = ['torch', 'tensorflow', 'keras', 'tf_keras', 'jax', 'flax', 'optax'];

export function moduleContext(module: ParsedModule): ModuleContext {
  const words = pathWords(module.doc.path);
  const imported = new Set<string>();
  const visit = (body: ParsedModule['ir']['body']): void => {
    for (const s of body) {
      if (s.kind === 'import') imported.add(s.module.replace(/^\.+/, '').split('.')[0]);
      else if (s.kind === 'if') visit([...s.body, ...s.orelse]);
      else if (s.kind === 'try') visit([...s.body, ...s.handlers.flat()]);
    }
  };
  visit(module.ir.body);
  const other = module.ir.language === 'python' && !supportedFrameworks.some((f) => imported.has(f)) ? otherFrameworks.find((f) => imported.has(f)) : undefined;
  return {
    activationModule: words.some((w) => activationWords.has(w)),
    unsupportedFramework: other,
    exports: module.ir.exports ? new Set(module.ir.exports) : undefined,
  };
}
