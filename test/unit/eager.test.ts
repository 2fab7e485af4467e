// Eager evaluation: the probe's inputs are concrete, so code that needs the data runs as the
// framework runs it in eager mode — branches on tensor values (and the framework's error when the
// truth of a tensor is ambiguous), indexing and assignment the framework's way (PyTorch's and
// NumPy's rules differ), immutable JAX/TF tensors, try/except, asserts, validation calls that
// cannot be translated, Python's builtins and a tensor's static metadata. Values and gradients of
// the PyTorch patterns are checked against PyTorch itself in test/parity/eagerCases.ts.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { evaluateFunction, type ActivationEval } from '../../src/core/api';
import { analyze, fn } from '../helpers';

const TORCH = 'import torch\nimport torch.nn.functional as F\n\n\n';
const NUMPY = 'import numpy as np\n\n\n';
const JAX = 'import jax\nimport jax.numpy as jnp\n\n\n';
const TF = 'import tensorflow as tf\n\n\n';
const X = [-2.1, -0.9, -0.35, 0.2, 0.75, 1.6];

async function act(src: string, x: number[] = X, name = 'f'): Promise<ActivationEval> {
  return evaluateFunction({ path: 'eager.py', text: src, name, x, backend: 'cpu' }) as Promise<ActivationEval>;
}

const close = (a: unknown[], b: number[], tol = 1e-5): boolean => a.length === b.length && a.every((v, i) => Math.abs(Number(v) - b[i]) <= tol * (1 + Math.abs(b[i])));

/**
 * A fixture that computes `ok` from the construct under test and returns x when it holds, x + 100
 * otherwise: a wrong result changes the value, and a construct that is not supported fails the call.
 */
async function holds(header: string, body: string): Promise<void> {
  const src = `${header}def f(x):\n${body.split('\n').map((l) => `    ${l}`).join('\n')}\n    return x + (0.0 if ok else 100.0)\n`;
  const r = await act(src);
  assert.ok(close(r.y, X), `the fixture's check failed (y = ${JSON.stringify(r.y)}):\n${src}`);
}

// ------------------------------------------------------------------ branches on tensor values

test('a one-element tensor is a condition; a larger one is the framework\'s "ambiguous" error', async () => {
  const r = await act(`${TORCH}def f(x):\n    if x.sum() > 0:\n        return x * 2.0\n    return x * 3.0\n`, [1, 2]);
  assert.deepEqual(r.y, [2, 4]);
  await assert.rejects(act(`${TORCH}def f(x):\n    if x > 0:\n        return x\n    return -x\n`), /Boolean value of Tensor with more than one value is ambiguous/);
  await assert.rejects(act(`${NUMPY}def f(x):\n    return x if x > 0 else -x\n`), /truth value of an array with more than one element is ambiguous/);
  await assert.rejects(act(`${JAX}def f(x):\n    while x > 0:\n        x = x - 1\n    return x\n`), /truth value of an array with more than one element is ambiguous/);
});

test('a branch the whole sweep takes one way is in the summary and the evidence', async () => {
  const src = `${TORCH}def shifted(x):\n    if x.abs().max() > 1e9:\n        return x * 0.0\n    return torch.tanh(x)\n\nACTS = {"shifted": shifted}\n`;
  const r = fn(await analyze({ 'branch.py': src }), 'shifted');
  assert.equal(r.probe.status, 'ok');
  assert.match(r.summary, /data-dependent branch took one way on every probe input \(line 6 false\)/);
  const branches = r.data?.dataDependentBranches as { line: number; trueCount: number; falseCount: number }[];
  assert.equal(branches[0].line, 6);
  assert.equal(branches[0].trueCount, 0);
  assert.ok(branches[0].falseCount > 0);
  for (const f of r.findings.filter((x) => /^GP1/.test(x.code))) assert.ok(f.evidence.dataDependentBranches, `${f.code} has no branch evidence`);
});

// ------------------------------------------------------------------ validation calls and asserts

test('validation calls that cannot be translated are skipped and named in the summary; values unchanged', async () => {
  // optax's own checks are op rows (they translate); a project's validation module outside the workspace and chex do not.
  const src = `import jax.numpy as jnp\nfrom optax._src import utils\nimport chex\nimport myproject_checks as checks\n\n\ndef squared(predictions, targets):\n    utils.check_subdtype(predictions, jnp.floating)\n    checks.check_dtype(predictions, jnp.floating)\n    checks.validate_shapes(predictions, targets)\n    chex.assert_equal_shape([predictions, targets])\n    return (predictions - targets) ** 2\n\nLOSSES = {"loss": squared}\n`;
  const r = fn(await analyze({ 'v.py': src }), 'squared');
  assert.equal(r.probe.status, 'ok', r.probe.reason);
  assert.match(r.summary, /skipped 3 validation calls: checks\.check_dtype, checks\.validate_shapes, chex\.assert_equal_shape|skipped 3 validation calls: check_dtype, validate_shapes, assert_equal_shape/);
  const value = await evaluateFunction({ path: 'v.py', text: src, name: 'squared', yTrue: [[1, 2]], yPred: [[2, 4]], backend: 'cpu' });
  assert.ok('loss' in value && value.loss === 2.5);
});

test('a validation helper that translates runs: its raise is the user\'s error on that input', async () => {
  const src = `${TORCH}def check_rank(x, rank):\n    if x.dim() != rank:\n        raise ValueError(f"expected rank {rank}, got {x.dim()}")\n\n\ndef f(x):\n    check_rank(x, 2)\n    return x\n`;
  await assert.rejects(act(src), /raises ValueError\(expected rank 2, got 1\)/);
});

test('a false assert is the user\'s error on that input, and the loss probe tries other shapes', async () => {
  const src = `${TORCH}def three_class_loss(input, target):\n    assert input.shape[1] == 3, f"needs 3 classes, got {input.shape[1]}"\n    return F.cross_entropy(input, target.argmax(dim=1))\n\nCRITERIA = {"loss": three_class_loss}\n`;
  await assert.rejects(evaluateFunction({ path: 'a.py', text: src, name: 'three_class_loss', yTrue: [[0, 1]], yPred: [[0.2, 0.8]], backend: 'cpu' }), /assertion failed: needs 3 classes, got 2/);
  const r = fn(await analyze({ 'a.py': src }), 'three_class_loss');
  assert.equal(r.probe.status, 'ok', r.probe.reason);
  assert.match(r.summary, /8×3/);
});

test('an assert whose test cannot be translated is skipped and said, not a failure', async () => {
  const src = `${TORCH}import mystery\n\n\ndef f(x):\n    assert mystery.valid(x)\n    return x * 2.0\n\nACTS = {"f": f}\n`;
  const r = fn(await analyze({ 'm.py': src }), 'f');
  assert.equal(r.probe.status, 'ok', r.probe.reason);
  assert.match(r.summary, /skipped 1 validation call: assert/);
});

// ------------------------------------------------------------------ exceptions

test('try/except catches the matching class (and its subclasses), else the error propagates', async () => {
  await holds(TORCH, `try:\n    raise KeyError("k")\nexcept (ValueError, LookupError):\n    caught = 1\nexcept Exception:\n    caught = 2\nfinally:\n    done = True\nok = caught == 1 and done`);
  await holds(TORCH, `it = iter([1])\nfirst = next(it)\ntry:\n    second = next(it)\nexcept StopIteration:\n    second = None\nok = first == 1 and second is None and next(it, 5) == 5`);
  await assert.rejects(act(`${TORCH}def f(x):\n    try:\n        raise ValueError("v")\n    except KeyError:\n        pass\n    return x\n`), /raises ValueError\(v\)/);
  await holds(TORCH, `try:\n    try:\n        raise ValueError("inner")\n    except ValueError:\n        raise\nexcept ValueError as e:\n    msg = e.args[0]\nok = 'inner' in msg`);
});

// ------------------------------------------------------------------ indexing and assignment, framework by framework

test('NumPy: negative steps, integers among advanced indices, boolean masks', async () => {
  // x[0, :, [0, 2]] is 2×2 in NumPy with the advanced dimension first: rows are the indices 0 and 2.
  const src = `${NUMPY}def f(x):\n    X = np.reshape(x, (1, 2, 3))\n    a = X[0, :, [0, 2]]\n    return np.concatenate([np.reshape(a, (-1,)), x[::-1], x[x > 0]])\n`;
  const r = await act(src);
  const [x0, x1, x2, x3, x4, x5] = X;
  assert.ok(close(r.y, [x0, x3, x2, x5, x5, x4, x3, x2, x1, x0, x3, x4, x5]), JSON.stringify(r.y));
  assert.ok(close(r.dy, [2, 1, 2, 3, 2, 3]), JSON.stringify(r.dy));
});

test('PyTorch refuses negative steps as PyTorch does', async () => {
  await assert.rejects(act(`${TORCH}def f(x):\n    return x[::-1]\n`), /step must be greater than zero/);
});

test('NumPy item assignment is in place; JAX and TensorFlow tensors are immutable, JAX has .at[]', async () => {
  const np = await act(`${NUMPY}def f(x):\n    y = x * 1.0\n    z = y\n    z[1:3] = 0.0\n    z[-1] += 1.0\n    return y\n`);
  assert.ok(close(np.y, [X[0], 0, 0, X[3], X[4], X[5] + 1]));
  assert.deepEqual(np.dy, [1, 0, 0, 1, 1, 1]);
  await assert.rejects(act(`${JAX}def f(x):\n    x[0] = 1.0\n    return x\n`), /JAX arrays are immutable.*x\.at\[idx\]\.set/);
  await assert.rejects(act(`${TF}def f(x):\n    x[0] = 1.0\n    return x\n`), /TensorFlow tensor does not support item assignment/);
  const jax = await act(`${JAX}def f(x):\n    y = x.at[0].set(5.0)\n    y = y.at[jnp.array([1, 1])].add(x[2])\n    y = y.at[3:].multiply(2.0)\n    return y + x.at[4].get()\n`);
  const c = X[4];
  assert.ok(close(jax.y, [5 + c, X[1] + 2 * X[2] + c, X[2] + c, 2 * X[3] + c, 2 * X[4] + c, 2 * X[5] + c]), JSON.stringify(jax.y));
  assert.ok(close(jax.dy, [0, 1, 3, 2, 8, 2]), JSON.stringify(jax.dy));
});

test('+= on a PyTorch tensor is in place: a self attribute holding it sees the change', async () => {
  const src = `${TORCH}class Acc:\n    def __init__(self, t):\n        self.t = t\n\n\ndef f(x):\n    y = x * 1.0\n    a = Acc(y)\n    y += 1.0\n    a.t *= 2.0\n    return y\n`;
  const r = await act(src);
  assert.ok(close(r.y, X.map((v) => 2 * (v + 1))));
  assert.deepEqual(r.dy, X.map(() => 2));
});

test('an in-place update whose shape does not match is the framework\'s error', async () => {
  await assert.rejects(act(`${TORCH}def f(x):\n    y = x[:1] * 1.0\n    y += x\n    return y\n`), /output with shape \[1\] doesn't match the broadcast shape \[6\]/);
  await assert.rejects(act(`${TORCH}def f(x):\n    y = x * 1.0\n    y[torch.tensor([0, 1])] = x[:3]\n    return y\n`), /shape mismatch/);
});

// ------------------------------------------------------------------ builtins

test('builtins over lists and shapes: sorted, reversed, map/filter, any/all, zip, enumerate, min/max with key, sum', async () => {
  await holds(TORCH, `s = sorted([3, 1, 2], reverse=True)\nk = sorted(["bb", "a", "ccc"], key=len)\nr = list(reversed(range(0, 10, 3)))\nm = list(map(lambda a, b: a * b, [1, 2, 3], [4, 5, 6]))\nfl = list(filter(lambda v: v % 2, range(7)))\nz = dict(zip("ab", [1, 2]))\nok = s == [3, 2, 1] and k == ["a", "bb", "ccc"] and r == [9, 6, 3, 0] and m == [4, 10, 18] and fl == [1, 3, 5]\nok = ok and z == {"a": 1, "b": 2} and all(d > 0 for d in x.shape) and not any([0, None, ""])\nok = ok and [i for i, _ in enumerate("abc", 1)] == [1, 2, 3] and max([3, -7, 5], key=abs) == -7 and min([], default=4) == 4\nok = ok and sum([[1], [2]], []) == [1, 2] and list(range(10, 0, -4)) == [10, 6, 2] and divmod(-7, 2) == (-4, 1) and round(2.5) == 2`);
  await holds(TORCH, `g = (v * 2 for v in range(3))\nfirst = next(g)\nrest = list(g)\nd = {k: len(k) for k in ["a", "bb"] if k}\nok = first == 0 and rest == [2, 4] and list(g) == [] and d == {"a": 1, "bb": 2} and sum(v for v in range(4)) == 6`);
  await holds(TORCH, `t = sum([x[0], x[1], x[2]])\nok = abs(float(t) - (${X[0]} + ${X[1]} + ${X[2]})) < 1e-5 and int(x[3] * 10) == 2`);
});

test('isinstance and hasattr/getattr against framework types, Python types and user classes', async () => {
  await holds(`${TORCH}class Base:\n    scale = 2\n\n\nclass Child(Base):\n    pass\n\n\n`, `c = Child()\nok = isinstance(x, torch.Tensor) and not isinstance(x, (int, float)) and isinstance(3, int) and isinstance(True, int)\nok = ok and isinstance((1,), tuple) and isinstance(c, Base) and not isinstance(3.5, int) and issubclass(Child, Base)\nok = ok and hasattr(c, "scale") and not hasattr(c, "missing") and getattr(c, "missing", 7) == 7 and getattr(c, "scale") == 2`);
  await holds(NUMPY, `ok = isinstance(x, np.ndarray) and isinstance(x.shape, tuple) and callable(len)`);
});

test('strings: f-strings with format specs, str.format, %-formatting, str() of numbers', async () => {
  await holds(TORCH, `n = 3\nv = 0.5\nok = f"{n:03d}|{v:.2f}|{v!r}|{'a':>3}|{n}" == "003|0.50|0.5|  a|3"\nok = ok and "{} and {name:.1e}".format(1, name=12345.0) == "1 and 1.2e+04" and "%s=%.3f" % ("a", 1 / 3) == "a=0.333"\nok = ok and str(3) == "3" and str(2.0) == "2.0" and str(1e-05) == "1e-05" and "-".join(["a", "b"]) == "a-b" and "a,b".split(",") == ["a", "b"]`);
});

test('dicts and lists: get/items/keys/values/update/pop, append/extend/insert/pop, +, * and slices', async () => {
  await holds(TORCH, `d = {"a": 1}\nd.update(b=2)\nd.update({"c": 3})\nks = [k for k, _ in d.items()]\nl = [1]\nl.append(2)\nl.extend((3, 4))\nl.insert(0, 0)\nlast = l.pop()\nl[1:3] = [9]\nok = ks == ["a", "b", "c"] and list(d.keys()) == ks and sum(d.values()) == 6 and d.get("z", 5) == 5 and d.pop("a") == 1\nok = ok and l == [0, 9, 3] and last == 4 and [0] * 3 == [0, 0, 0] and 2 * (1,) == (1, 1) and (1, 2) + (3,) == (1, 2, 3) and l[::-1] == [3, 9, 0]`);
});

// ------------------------------------------------------------------ static metadata

test('a tensor\'s static metadata: shape, size, ndim, dim, numel, dtype and its comparisons', async () => {
  await holds(TORCH, `X = x.view(2, 3)\nok = X.shape[1] == 3 and len(X.shape) == 2 and X.size() == (2, 3) and X.size(-1) == 3 and X.ndim == 2 and X.dim() == 2 and X.numel() == 6\nok = ok and X.dtype == torch.float32 and X.dtype is torch.float32 and X.dtype in (torch.float16, torch.float32) and X.dtype.is_floating_point and X.is_floating_point()\nok = ok and (X > 0).dtype == torch.bool and not (X > 0).is_floating_point() and X.shape != (3, 2) and list(X.shape) == [2, 3] and X.requires_grad`);
  await holds(NUMPY, `X = np.reshape(x, (2, 3))\nok = X.size == 6 and X.ndim == 2 and X.dtype == np.float32 and X.dtype == "float32" and X.dtype.kind == "f" and X.itemsize == 4`);
  await holds(TF, `ok = x.get_shape().as_list() == [6] and x.shape.rank == 1 and x.dtype.is_floating and x.shape.num_elements() == 6`);
});

test('type questions: np.iinfo, np.issubdtype against categories, torch.is_floating_point, typing ABCs', async () => {
  await holds(NUMPY, `ok = np.iinfo(np.int32).max == 2147483647 and np.issubdtype(x.dtype, np.floating) and not np.issubdtype(x.dtype, np.integer)\nok = ok and np.issubdtype((x > 0).dtype, np.bool_) and np.issubdtype(x.dtype, np.float32)`);
  await holds(`${TORCH}from collections.abc import Hashable, Sequence\n\n\n`, `ok = torch.is_floating_point(x) and not torch.is_floating_point(x > 0) and isinstance("a", Hashable) and not isinstance([1], Hashable) and isinstance((1, 2), Sequence)`);
});

test('questions about the running framework: eager, never traced; Keras 3 on the TensorFlow backend (the op tables\' keras.ops)', async () => {
  await holds(`${TF}import keras\nfrom keras.src.utils import backend_utils\n\n\n`, `ok = tf.executing_eagerly() and not tf.inside_function() and not backend_utils.in_tf_graph()\nok = ok and keras.version().startswith("3.") and keras.config.backend() == "tensorflow"`);
  await holds(TORCH, `ok = not torch.jit.is_scripting() and not torch.jit.is_tracing()`);
});

test('torch.isinf/isnan give boolean masks (an index, not the positions 0 and 1); a mask with no true entry takes a scalar and changes nothing', async () => {
  await holds(TORCH, `w = torch.tensor([[0.25, float("inf")], [0.5, 0.5]])\nw[torch.isinf(w)] = 0.0\nok = w.tolist() == [[0.25, 0.0], [0.5, 0.5]] and torch.isnan(w).dtype == torch.bool\nv = torch.tensor([[0.25, 0.25]])\nv[v > 1.0] = 0.0\nv[torch.isinf(v)] = 0.0\nok = ok and v.tolist() == [[0.25, 0.25]]`);
});

test('~ on a mask the ops carried as float32 is a logical not; on integers it is bitwise', async () => {
  await holds(TORCH, `m = ~torch.eye(2, 2, dtype=torch.bool)\nok = m.tolist() == [[False, True], [True, False]] and (~torch.tensor([2.0])).tolist() == [-3] and ~5 == -6`);
});

// ------------------------------------------------------------------ optional imports and sets

test('__import__ answers as the probe\'s environment: a framework is there, another module an ImportError to a handler that takes one', async () => {
  // The optional-import helper libraries write (MONAI's optional_import): the fallback is taken.
  await holds(TORCH, [
    'try:',
    '    cp = __import__("cupy")',
    '    has_cp = True',
    'except ImportError as e:',
    '    has_cp = False',
    '    tb = e.__traceback__',
    'mod = __import__("torch.nn")',
    'ok = (not has_cp) and tb is None and float(mod.relu(torch.tensor(-1.0))) == 0.0',
  ].join('\n'));
  // Outside a try that takes ImportError, the import is a construct GP001 names, never an ImportError.
  await assert.rejects(act(`${TORCH}def f(x):\n    __import__("cupy")\n    return x\n`), /__import__\('cupy'\): a module that is neither a supported framework nor in the workspace/);
  await assert.rejects(act(`${TORCH}def f(x):\n    try:\n        __import__("os")\n    except ValueError:\n        pass\n    return x\n`), /__import__\('os'\)/);
});

test('a set adds, discards and updates its distinct items; a framework type is a subclass of itself', async () => {
  await holds(TORCH, [
    's = set()',
    's.add(2)',
    's.add(2)',
    's.update([3, 4, 3])',
    's.discard(4)',
    's.discard(9)',
    'ok = len(s) == 2 and 3 in s and issubclass(torch.Tensor, torch.Tensor) and not issubclass(torch.Tensor, torch.nn.Module)',
  ].join('\n'));
});

test('empty is zeros of its shape (its values are undefined until written); to() takes memory_format', async () => {
  await holds(TORCH, [
    'a = torch.empty(2, 3)',
    'b = torch.empty_like(x)',
    'c = x.new_empty(4)',
    'y = x.to(dtype=torch.float32, memory_format=torch.contiguous_format)',
    'ok = tuple(a.shape) == (2, 3) and b.shape == x.shape and tuple(c.shape) == (4,) and float((y - x).abs().sum()) == 0.0',
  ].join('\n'));
  await holds(NUMPY, [
    'a = np.empty((2, 3))',
    'a[0] = 1.0',
    'b = np.empty_like(x)',
    'ok = a.shape == (2, 3) and float(a[0].sum()) == 3.0 and b.shape == x.shape',
  ].join('\n'));
});

test('reductions of an empty tensor give the frameworks\' identities (TensorFlow.js alone cannot reduce one)', async () => {
  await holds(TORCH, [
    'e = x[:0]',
    'rows = torch.ones(3, 0)',
    'ok = float(e.sum()) == 0.0 and float(torch.prod(e)) == 1.0 and bool(torch.isnan(e.mean()))',
    'ok = ok and tuple(torch.prod(rows, dim=1).shape) == (3,) and float(torch.prod(rows, dim=1).sum()) == 3.0',
    'ok = ok and tuple(rows.sum(dim=1, keepdim=True).shape) == (3, 1)',
  ].join('\n'));
  await assert.rejects(act(`${NUMPY}def f(x):\n    return x + np.max(x[:0])\n`), /zero-size array to reduction operation maximum/);
});
