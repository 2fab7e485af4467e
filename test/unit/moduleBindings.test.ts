// Module-level definitions inside `if`/`else` and `try`/`except`: every branch is bound, and a name
// defined in several branches takes the branch Python would run when the evaluator can tell
// (a plain condition, an import that resolves or not), else the first branch.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { evaluateFunction, type ActivationEval } from '../../src/core/api';

async function activation(text: string, x: number[]): Promise<number[]> {
  const out = (await evaluateFunction({ path: 'branches.py', text, name: 'act', x, backend: 'cpu' })) as ActivationEval;
  return out.y.map(Number);
}

const act = '\n\ndef act(x):\n    return helper(x)\n';

test('a fallback defined in an except handler is bound when the import it guards is missing', async () => {
  const text = [
    'import numpy as np',
    'try:',
    '    import fancy_missing_accelerator as fma',
    '    def helper(x):',
    '        return fma.fast_relu(x)',
    'except ImportError:',
    '    def helper(x):',
    '        return np.maximum(x, 0.0) * 2.0',
  ].join('\n') + act;
  assert.deepEqual(await activation(text, [-1, 0.5, 3]), [0, 1, 6]);
});

test('a name defined only in an except handler is bound', async () => {
  const text = [
    'import numpy as np',
    'try:',
    '    import fancy_missing_accelerator',
    'except ImportError:',
    '    def helper(x):',
    '        return x * 3.0',
  ].join('\n') + act;
  assert.deepEqual(await activation(text, [1, 2]), [3, 6]);
});

test('the try body wins when its imports resolve', async () => {
  const text = [
    'try:',
    '    import numpy as np',
    '    def helper(x):',
    '        return np.maximum(x, 0.0)',
    'except ImportError:',
    '    def helper(x):',
    '        return x * 0.0 + 7.0',
  ].join('\n') + act;
  assert.deepEqual(await activation(text, [-2, 4]), [0, 4]);
});

test('if/else on a module flag: the else definition is used when the flag is false', async () => {
  const text = [
    'import numpy as np',
    'try:',
    '    import fancy_missing_accelerator',
    '    HAS_FAST = True',
    'except ImportError:',
    '    HAS_FAST = False',
    'if HAS_FAST:',
    '    def helper(x):',
    '        return fancy_missing_accelerator.relu(x)',
    'else:',
    '    def helper(x):',
    '        return np.maximum(x, 0.0) + 1.0',
  ].join('\n') + act;
  assert.deepEqual(await activation(text, [-1, 2]), [1, 3]);
});

test('if/elif/else: the branch the condition selects', async () => {
  const text = [
    'MODE = "b"',
    'if MODE == "a":',
    '    def helper(x):',
    '        return x * 1.0',
    'elif MODE == "b":',
    '    def helper(x):',
    '        return x * 2.0',
    'else:',
    '    def helper(x):',
    '        return x * 3.0',
  ].join('\n') + act;
  assert.deepEqual(await activation(text, [1, 2]), [2, 4]);
});

test('a condition the evaluator cannot decide: both branches bound, the first wins a shared name', async () => {
  const text = [
    'import sys',
    'if sys.version_info >= (3, 8):',
    '    def helper(x):',
    '        return x * 2.0 + scale(x)',
    'else:',
    '    def helper(x):',
    '        return x * 5.0',
    '    def scale(x):',
    '        return x * 0.0 + 1.0',
  ].join('\n') + act;
  // `scale` exists only in the else branch, `helper` comes from the first.
  assert.deepEqual(await activation(text, [1, 2]), [3, 5]);
});

test('an undecidable condition: a branch importing a module that cannot be found yields to one that needs none', async () => {
  const text = [
    'import sys',
    'if sys.platform == "linux":',
    '    import fancy_missing_accelerator',
    '    def helper(x):',
    '        return fancy_missing_accelerator.relu(x)',
    'else:',
    '    def helper(x):',
    '        return x * 5.0',
  ].join('\n') + act;
  assert.deepEqual(await activation(text, [1, 2]), [5, 10]);
});

test('import blocks without an else keep binding as before (`import a, b`)', async () => {
  const text = 'import numpy as np, math\n\ndef helper(x):\n    return np.maximum(x, 0.0) * math.pi' + act;
  const y = await activation(text, [-1, 1]);
  assert.equal(y[0], 0);
  assert.ok(Math.abs(y[1] - Math.PI) < 1e-5, `${y[1]}`);
});
