// Framework-parity cases: every op-table row (allOpRows()) is exercised by a tiny source function in
// its own framework's spelling, with a float64 PyTorch reference expression (reference.py evaluates
// it). Cases are generated per implementation (`specs`, keyed by a row's impl) and per module
// dialect (how a row's module is imported and spelled), so a new row under a known module and impl
// gets its cases automatically; a row whose impl has no spec has no case, and the coverage test fails.
//
// Reference conventions (see reference.py for the helpers):
// - activation cases: `ref` is an expression in `x` (float64, requires_grad); GradProbe's y and
//   d sum(f(x))/dx are compared with it.
// - loss cases: `ref` is an expression in `yp` (prediction, requires_grad) and `yt` (target); a
//   non-scalar loss is mean-reduced on both sides.
// - where a framework's documented numerics differ from PyTorch's, the reference implements that
//   framework's documentation (comments cite it).
// Inputs avoid kinks where frameworks differ by convention only (|x|'(0), relu'(0), clamp bounds,
// maximum ties): no input sits exactly on one unless a comment says the case tests that point.
import { allOpRows } from '../../src/core/ops/registry';
import { eagerCases } from './eagerCases';

export type Nested = number | Nested[];

export interface ParityCase {
  /** Unique: `<row>#<variant>` for generated cases, `composite:<name>` for the hand-written ones. */
  id: string;
  /** Op-table rows the case exercises (coverage). */
  rows: string[];
  path: string;
  text: string;
  name: string;
  kind: 'activation' | 'loss';
  x?: number[];
  yTrue?: Nested;
  yPred?: Nested;
  /** PyTorch (float64) reference expression, evaluated by reference.py. */
  ref: string;
}

/** Row-name prefixes the parity suite covers; every row under them must have a case. */
export const coveredPrefixes = ['torch.', 'numpy.', 'jax.', 'scipy.', 'optax.', 'tf.', 'keras.', 'tfjs.'];

// ------------------------------------------------------------------ inputs

const XG = [-2.1, -0.9, -0.35, 0.2, 0.75, 1.6]; // general; no kinks at 0, ±0.5, ±1, ±2.5, ±3, 6
const XLARGE = [-2.1, -0.35, 0.75, 100, 1000]; // where exp(x) overflows float32: a branch that discards it must not make f' NaN
const XP = [0.15, 0.4, 0.9, 1.7, 2.6, 3.3]; // positive
const XL = [-0.6, -0.2, 0.3, 1.1, 2.5, 4.0]; // > -1 (log1p)
const XU = [-0.85, -0.4, -0.1, 0.25, 0.55, 0.9]; // inside (-1, 1)
const XA = [1.1, 1.5, 2.0, 2.7, 3.4, 4.2]; // > 1 (acosh)
const XR = [-2.5, -1.7, -0.5, 0.4, 1.5, 2.6]; // rounding: halves test round-half-to-even (torch, numpy, tf, tf.js agree)
const XPR = [0.05, 0.2, 0.35, 0.6, 0.8, 0.95]; // probabilities
const XS = [-1.5, 0.0, 0.5, 2.0, -3.0, 4.0]; // log(XS) holds NaN and -Infinity
const X9 = [-1.2, 0.4, 2.1, -0.7, 1.3, 0.6, -0.3, 1.8, -2.2];
const C6 = [1.0, -2.0, 0.5, 3.0, -1.5, 2.0];

// ------------------------------------------------------------------ dialects: how a row's module is imported and spelled

type Group = 'torch' | 'np' | 'tf' | 'keras' | 'tfjs';
type Base = 'torch' | 'np' | 'jnp' | 'tf' | 'tfjs';

interface Dialect {
  module: string;
  lang: 'py' | 'js';
  header: string;
  /** How the module itself is written in the source. */
  alias: string;
  group: Group;
  base: Base;
}

const dialects: Dialect[] = [
  { module: 'torch.nn.functional', lang: 'py', header: 'import torch\nimport torch.nn.functional as F', alias: 'F', group: 'torch', base: 'torch' },
  { module: 'torch', lang: 'py', header: 'import torch', alias: 'torch', group: 'torch', base: 'torch' },
  { module: 'numpy', lang: 'py', header: 'import numpy as np', alias: 'np', group: 'np', base: 'np' },
  { module: 'jax.numpy', lang: 'py', header: 'import jax\nimport jax.numpy as jnp', alias: 'jnp', group: 'np', base: 'jnp' },
  { module: 'jax', lang: 'py', header: 'import jax\nimport jax.numpy as jnp', alias: 'jax', group: 'np', base: 'jnp' },
  { module: 'scipy.special', lang: 'py', header: 'import numpy as np\nfrom scipy import special', alias: 'special', group: 'np', base: 'np' },
  { module: 'optax', lang: 'py', header: 'import jax.numpy as jnp\nimport optax', alias: 'optax', group: 'np', base: 'jnp' },
  { module: 'keras.backend', lang: 'py', header: 'import tensorflow as tf\nimport tensorflow.keras.backend as K', alias: 'K', group: 'keras', base: 'tf' },
  // tf.keras.X is canonicalised to keras.X: exercise that spelling for activations and metrics.
  { module: 'keras.activations', lang: 'py', header: 'import tensorflow as tf', alias: 'tf.keras.activations', group: 'keras', base: 'tf' },
  { module: 'keras.metrics', lang: 'py', header: 'import tensorflow as tf', alias: 'tf.keras.metrics', group: 'keras', base: 'tf' },
  { module: 'keras', lang: 'py', header: 'import tensorflow as tf\nfrom tensorflow import keras', alias: 'keras', group: 'keras', base: 'tf' },
  { module: 'tf', lang: 'py', header: 'import tensorflow as tf', alias: 'tf', group: 'tf', base: 'tf' },
  { module: 'tfjs', lang: 'js', header: "import * as tf from '@tensorflow/tfjs';", alias: 'tf', group: 'tfjs', base: 'tfjs' },
];

/** A nested list of floats as source text (`1.0`, not `1`, so Python makes float tensors). */
function literal(v: Nested): string {
  return Array.isArray(v) ? `[${v.map(literal).join(', ')}]` : Number.isInteger(v) ? `${v}.0` : String(v);
}

export function dialectOf(row: string): Dialect | undefined {
  return dialects.find((d) => row === d.module || row.startsWith(`${d.module}.`));
}

/** What a spec sees: the row spelled in its dialect, and helpers in the dialect's base namespace. */
export class Ctx {
  readonly fn: string;
  readonly js: boolean;
  /** The module path of the row (`keras.ops`, `tf.math`, `torch.nn.functional`). */
  readonly mod: string;
  constructor(readonly row: string, readonly d: Dialect) {
    this.fn = d.alias + row.slice(d.module.length);
    this.js = d.lang === 'js';
    this.mod = row.slice(0, row.lastIndexOf('.'));
  }
  get group(): Group { return this.d.group; }
  get b(): string { return this.d.base === 'tfjs' ? 'tf' : this.d.base; }
  /** `a op b` in Python, tf.op(a, b) in TF.js. */
  add(a: string, b: string): string { return this.js ? `tf.add(${a}, ${b})` : `(${a} + ${b})`; }
  sub(a: string, b: string): string { return this.js ? `tf.sub(${a}, ${b})` : `(${a} - ${b})`; }
  mul(a: string, b: string): string { return this.js ? `tf.mul(${a}, ${b})` : `(${a} * ${b})`; }
  neg(a: string): string { return this.js ? `tf.neg(${a})` : `(-${a})`; }
  sq(a: string): string { return this.js ? `tf.square(${a})` : `(${a} ** 2)`; }
  gt(a: string, b: string): string { return this.js ? `tf.greater(${a}, ${b})` : `(${a} > ${b})`; }
  lt(a: string, b: string): string { return this.js ? `tf.less(${a}, ${b})` : `(${a} < ${b})`; }
  /** a > b through the base namespace's function (torch.gt, np.greater, tf.greater), not the operator. */
  gtFn(a: string, b: string): string { return `${this.d.base === 'torch' ? 'torch.gt' : `${this.b}.greater`}(${a}, ${b})`; }
  reshape(a: string, ...shape: number[]): string {
    if (this.js) return `tf.reshape(${a}, [${shape.join(', ')}])`;
    return `${this.b}.reshape(${a}, (${shape.join(', ')}${shape.length === 1 ? ',' : ''}))`;
  }
  where(c: string, a: string, b: string): string { return `${this.b}.where(${c}, ${a}, ${b})`; }
  log(a: string): string { return this.d.base === 'tf' ? `tf.math.log(${a})` : `${this.b}.log(${a})`; }
  floor(a: string): string { return this.d.base === 'tf' ? `tf.math.floor(${a})` : `${this.b}.floor(${a})`; }
  /** A bool or integer tensor as float32, the way each framework spells it. */
  float(a: string): string {
    switch (this.d.base) {
      case 'torch': return `${a}.float()`;
      case 'np': return `${a}.astype(np.float32)`;
      case 'jnp': return `${a}.astype(jnp.float32)`;
      case 'tf': return `tf.cast(${a}, tf.float32)`;
      case 'tfjs': return `tf.cast(${a}, 'float32')`;
    }
  }
  /** A float constant tensor. */
  const(v: Nested): string {
    const lit = literal(v);
    switch (this.d.base) {
      case 'torch': return `torch.tensor(${lit})`;
      case 'np': return `np.array(${lit})`;
      case 'jnp': return `jnp.array(${lit})`;
      case 'tf': return `tf.constant(${lit})`;
      case 'tfjs': return `tf.tensor(${lit})`;
    }
  }
  /** A keyword argument in Python; TF.js takes positional arguments only (callers pass positionals there). */
  kw(name: string, value: string | number | boolean): string {
    const v = typeof value === 'boolean' ? (this.js ? String(value) : value ? 'True' : 'False') : String(value);
    return this.js ? v : `${name}=${v}`;
  }
  /** Python bool literal / JS bool literal. */
  bool(v: boolean): string { return this.js ? String(v) : v ? 'True' : 'False'; }
  /** Loss parameter names: (prediction, target) in the framework's convention. */
  get P(): string { return this.js ? 'yPred' : this.group === 'torch' ? 'input' : 'y_pred'; }
  get T(): string { return this.js ? 'yTrue' : this.group === 'torch' ? 'target' : 'y_true'; }
}

// ------------------------------------------------------------------ variants and specs

interface ActVariant { tag: string; body: string; x: number[]; ref: string; pre?: string[] }
interface LossVariant { tag: string; loss: true; body: string; yTrue: Nested; yPred: Nested; ref: string; pre?: string[] }
type Variant = ActVariant | LossVariant;
type Spec = (c: Ctx) => Variant[];

const act = (tag: string, body: string, x: number[], ref: string, pre?: string[]): ActVariant => ({ tag, body, x, ref, pre });
const loss = (tag: string, body: string, yTrue: Nested, yPred: Nested, ref: string, pre?: string[]): LossVariant => ({ tag, loss: true, body, yTrue, yPred, ref, pre });

/** Python literal for a reference expression. */
const py = (v: Nested): string => JSON.stringify(v);

/** y = 0.6 - 0.5 x: a second operand that depends on x, so both partial derivatives are checked. */
const other = (c: Ctx): string => c.sub('0.6', c.mul('x', '0.5'));
const OTHER = '(0.6 - 0.5 * x)';

/** Elementwise unary: the row applied to x. */
const unary = (x: number[], ref: string): Spec => (c) => [act('x', `${c.fn}(x)`, x, ref)];

/** Row groups by framework default: several defaults differ (leaky_relu's slope, gelu's approximation). */
const isTorch = (c: Ctx): boolean => c.group === 'torch';

// Binary elementwise ops: f(x) = op(x, g(x)), and with broadcasting between (2,3) and (2,1,3).
function binary(x: number[], refOp: (a: string, b: string) => string, opts: { scalar?: number } = {}): Spec {
  return (c) => {
    const out: Variant[] = [act('xy', `${c.fn}(x, ${other(c)})`, x, refOp('x', OTHER))];
    out.push(act('broadcast', `${c.fn}(${c.reshape('x', 2, 3)}, ${c.reshape(other(c), 2, 1, 3)})`, x,
      refOp('x.reshape(2, 3)', `${OTHER}.reshape(2, 1, 3)`)));
    if (opts.scalar !== undefined) out.push(act('scalar', `${c.fn}(x, ${opts.scalar})`, x, refOp('x', String(opts.scalar))));
    return out;
  };
}

// Comparisons and logical ops feed a where, so their result is checked through a value.
function comparison(refOp: string): Spec {
  // 0.75 is exactly representable and is one of the inputs: ties test >=, <=, ==, != at equality.
  return (c) => [act('where', c.where(`${c.fn}(x, 0.75)`, c.mul('x', 'x'), c.neg('x')), XG, `torch.where(${refOp}(x, 0.75), x * x, -x)`)];
}

// Reductions: keyword names per framework (dim/keepdim, axis/keepdims, tf.js positionals).
interface ReduceOpts { x?: number[]; ref: string; refArgs?: string; needsDim?: boolean }
function axisArgs(c: Ctx, axis: number | undefined, keep: boolean | undefined): string {
  const parts: string[] = [];
  if (c.js) {
    if (axis !== undefined || keep !== undefined) parts.push(axis === undefined ? 'null' : String(axis));
    if (keep !== undefined) parts.push(String(keep));
    return parts.map((p) => `, ${p}`).join('');
  }
  const [dn, kn] = isTorch(c) ? ['dim', 'keepdim'] : ['axis', 'keepdims'];
  if (axis !== undefined) parts.push(`${dn}=${axis}`);
  if (keep !== undefined) parts.push(`${kn}=${c.bool(keep)}`);
  return parts.map((p) => `, ${p}`).join('');
}
function reduction(o: ReduceOpts): Spec {
  return (c) => {
    const x = o.x ?? XG;
    const ra = o.refArgs ?? '';
    const X = c.reshape('x', 2, 3);
    const out: Variant[] = [];
    const fullDim = o.needsDim ? (c.js ? undefined : 0) : undefined;
    out.push(act('all', `${c.fn}(x${axisArgs(c, fullDim, undefined)})`, x, `${o.ref}(x${o.needsDim ? ', dim=0' : ''}${ra})`));
    out.push(act('axis1-keep', c.mul(`${c.fn}(${X}${axisArgs(c, 1, true)})`, X), x, `${o.ref}(x.reshape(2, 3), dim=1, keepdim=True${ra}) * x.reshape(2, 3)`));
    out.push(act('axis0', `${c.fn}(${X}${axisArgs(c, 0, undefined)})`, x, `${o.ref}(x.reshape(2, 3), dim=0${ra})`));
    out.push(act('axis-neg', `${c.fn}(${X}${axisArgs(c, -1, false)})`, x, `${o.ref}(x.reshape(2, 3), dim=-1${ra})`));
    return out;
  };
}

// Losses with (prediction, target) → per-framework argument order is the row's own.
const L_YP = [[0.3, -1.2, 2.0], [0.9, 0.1, -0.4]];
const L_YT = [[0.5, 0.2, 1.1], [-0.8, 0.6, 0.4]];
const P_YP = [[0.1, 0.7, 0.45], [0.85, 0.3, 0.6]];
const P_YT = [[0.0, 1.0, 0.3], [1.0, 0.0, 1.0]];
const LOGITS = [[1.2, -0.3, 0.5, 2.0], [-1.0, 0.4, 0.9, -0.2], [0.3, 1.5, -0.7, 0.1]];
const PROBS = [[0.1, 0.2, 0.3, 0.4], [0.7, 0.1, 0.1, 0.1], [0.25, 0.25, 0.4, 0.1]];
const PROBS_UNNORM = [[0.2, 0.3, 0.1, 0.5], [0.6, 0.2, 0.3, 0.1], [0.1, 0.1, 0.7, 0.2]];
const CLASSES = [0, 3, 1];

// ------------------------------------------------------------------ the specs, by implementation

const leakyDefault = (c: Ctx): number => (c.group === 'torch' || c.group === 'np' ? 0.01 : 0.2);

export const specs: Record<string, Spec> = {
  // ---- elementwise
  exp: unary(XG, 'torch.exp(x)'),
  exp2: unary(XG, 'torch.exp2(x)'),
  expm1: unary(XG, 'torch.expm1(x)'),
  log: unary(XP, 'torch.log(x)'),
  log2: unary(XP, 'torch.log2(x)'),
  log10: unary(XP, 'torch.log10(x)'),
  log1p: unary(XL, 'torch.log1p(x)'),
  sqrt: unary(XP, 'torch.sqrt(x)'),
  rsqrt: unary(XP, 'torch.rsqrt(x)'),
  square: unary(XG, 'torch.square(x)'),
  reciprocal: unary(XG, 'torch.reciprocal(x)'),
  neg: unary(XG, 'torch.neg(x)'),
  abs: unary(XG, 'torch.abs(x)'),
  abs_tfjs: unary(XG, 'torch.abs(x)'),
  // round/floor/ceil/trunc/sign: piecewise constant; torch's gradient is zero, as is TF's and JAX's.
  sign: unary(XG, 'torch.sign(x)'),
  round: unary(XR, 'torch.round(x)'),
  floor: unary(XR, 'torch.floor(x)'),
  ceil: unary(XR, 'torch.ceil(x)'),
  trunc: unary(XR, 'torch.trunc(x)'),
  sin: unary(XG, 'torch.sin(x)'),
  cos: unary(XG, 'torch.cos(x)'),
  tan: unary(XU, 'torch.tan(x)'),
  asin: unary(XU, 'torch.asin(x)'),
  acos: unary(XU, 'torch.acos(x)'),
  atan: unary(XG, 'torch.atan(x)'),
  sinh: unary(XG, 'torch.sinh(x)'),
  cosh: unary(XG, 'torch.cosh(x)'),
  asinh: unary(XG, 'torch.asinh(x)'),
  acosh: unary(XA, 'torch.acosh(x)'),
  atanh: unary(XU, 'torch.atanh(x)'),
  tanh: unary(XG, 'torch.tanh(x)'),
  sigmoid: unary(XG, 'torch.sigmoid(x)'),
  log_sigmoid: unary(XG, 'F.logsigmoid(x)'),
  // tf.math.softplus / jax.nn.softplus / tf.softplus (TF.js): log(1 + exp(x)) with no linear threshold
  // (PyTorch's threshold=20 is its own convention, tested under F.softplus).
  softplus: unary([-3.0, -0.9, 0.2, 1.6, 12.0, 25.0], 'F.softplus(x, beta=1, threshold=1000)'),
  softsign: unary(XG, 'F.softsign(x)'),
  relu: unary(XG, 'torch.relu(x)'),
  relu6: unary([-2.1, -0.35, 0.75, 3.3, 5.2, 6.5], 'F.relu6(x)'),
  selu: unary(XG, 'torch.selu(x)'),
  silu: unary(XG, 'F.silu(x)'),
  mish: unary(XG, 'F.mish(x)'),
  tanhshrink: unary(XG, 'F.tanhshrink(x)'),
  hard_sigmoid_torch: unary([-3.6, -2.1, -0.35, 0.75, 2.4, 3.5], 'F.hardsigmoid(x)'),
  // Keras 2 (tf.keras) hard_sigmoid = clip(0.2 x + 0.5, 0, 1); see keras_hard_sigmoid in reference.py.
  hard_sigmoid_keras: unary([-3.0, -1.7, -0.35, 0.75, 2.2, 2.9], 'keras_hard_sigmoid(x)'),
  hard_swish: unary([-3.6, -2.1, -0.35, 0.75, 2.4, 3.5], 'F.hardswish(x)'),
  erf: unary(XG, 'torch.erf(x)'),
  erfc: unary(XG, 'torch.erfc(x)'),
  isnan: (c) => [act('where', c.where(`${c.fn}(${c.log('x')})`, c.mul('x', '0.0'), 'x'), XS, 'torch.where(torch.isnan(torch.log(x)), x * 0.0, x)')],
  isinf: (c) => [act('where', c.where(`${c.fn}(${c.log('x')})`, c.mul('x', '0.0'), 'x'), XS, 'torch.where(torch.isinf(torch.log(x)), x * 0.0, x)')],
  isfinite: (c) => [act('where', c.where(`${c.fn}(${c.log('x')})`, 'x', c.mul('x', '0.0')), XS, 'torch.where(torch.isfinite(torch.log(x)), x, x * 0.0)')],
  // nan_to_num: the defaults for ±inf are the dtype's extremes; GradProbe computes in float32.
  nan_to_num: (c) => [
    act('default', `${c.fn}(${c.log('x')})`, XS, 'torch.nan_to_num(torch.log(x), posinf=F32_MAX, neginf=F32_MIN)'),
    act('explicit', `${c.fn}(${c.log('x')}, nan=0.5, posinf=7.0, neginf=-10.0)`, XS, 'torch.nan_to_num(torch.log(x), nan=0.5, posinf=7.0, neginf=-10.0)'),
  ],
  logit: (c) => {
    const out = [act('x', `${c.fn}(x)`, XPR, 'torch.logit(x)')];
    // torch.logit(eps): input clamped to [eps, 1 - eps]; zero gradient outside.
    if (isTorch(c)) out.push(act('eps', `${c.fn}(x, eps=0.1)`, XPR, 'torch.logit(x, eps=0.1)'));
    return out;
  },

  // ---- activations with parameters
  // torch.nn.functional.softplus(beta=1, threshold=20): linear where beta*x > threshold (PyTorch docs).
  softplus_torch: (c) => [
    act('default', `${c.fn}(x)`, XG, 'F.softplus(x)'),
    act('beta', `${c.fn}(x, beta=2)`, [-3.0, -0.9, 0.2, 1.6, 9.0, 12.0], 'F.softplus(x, beta=2)'),
    act('threshold', `${c.fn}(x, beta=1, threshold=5)`, [-3.0, -0.9, 0.2, 1.6, 9.0, 12.0], 'F.softplus(x, beta=1, threshold=5)'),
  ],
  elu: (c) => {
    const out = [act('default', `${c.fn}(x)`, XG, 'F.elu(x)')];
    // alpha exists in torch, Keras, JAX; tf.nn.elu and tf.elu (TF.js) take none.
    if (!c.js && c.mod !== 'tf.nn') out.push(act('alpha', `${c.fn}(x, alpha=0.5)`, XG, 'F.elu(x, alpha=0.5)'), act('alpha-large', `${c.fn}(x, alpha=0.5)`, XLARGE, 'F.elu(x, alpha=0.5)'));
    return out;
  },
  celu: (c) => [act('default', `${c.fn}(x)`, XG, 'F.celu(x)'), act('alpha', `${c.fn}(x, alpha=0.5)`, XG, 'F.celu(x, alpha=0.5)'), act('alpha-large', `${c.fn}(x, alpha=0.5)`, XLARGE, 'F.celu(x, alpha=0.5)')],
  // Default slopes differ: torch/JAX 0.01; tf.nn, Keras 3 and TF.js 0.2 (each framework's docs).
  leaky_relu: (c) => {
    const kw = c.js ? '0.1' : c.mod === 'tf.nn' ? 'alpha=0.1' : 'negative_slope=0.1';
    return [
      act('default', `${c.fn}(x)`, XG, `F.leaky_relu(x, ${leakyDefault(c)})`),
      act('slope', `${c.fn}(x, ${kw})`, XG, 'F.leaky_relu(x, 0.1)'),
    ];
  },
  // gelu: exact (erf) by default in torch, tf.nn and Keras; approximate='tanh' / approximate=True.
  gelu: (c) => [
    act('default', `${c.fn}(x)`, XG, 'F.gelu(x)'),
    act('tanh', `${c.fn}(x, approximate=${isTorch(c) ? "'tanh'" : 'True'})`, XG, "F.gelu(x, approximate='tanh')"),
    act('exact', `${c.fn}(x, approximate=${isTorch(c) ? "'none'" : 'False'})`, XG, 'F.gelu(x)'),
  ],
  // jax.nn.gelu defaults to approximate=True (the tanh form), unlike PyTorch and Keras (JAX docs).
  gelu_jax: (c) => [
    act('default', `${c.fn}(x)`, XG, "F.gelu(x, approximate='tanh')"),
    act('exact', `${c.fn}(x, approximate=False)`, XG, 'F.gelu(x)'),
  ],
  hard_tanh: (c) => {
    const out = [act('default', `${c.fn}(x)`, XG, 'F.hardtanh(x)')];
    if (isTorch(c)) out.push(act('bounds', `${c.fn}(x, min_val=-0.5, max_val=0.7)`, XG, 'F.hardtanh(x, -0.5, 0.7)'));
    return out;
  },
  softshrink: (c) => [act('default', `${c.fn}(x)`, XG, 'F.softshrink(x)'), act('lambd', `${c.fn}(x, lambd=0.3)`, XG, 'F.softshrink(x, 0.3)')],
  hardshrink: (c) => [act('default', `${c.fn}(x)`, XG, 'F.hardshrink(x)'), act('lambd', `${c.fn}(x, lambd=0.3)`, XG, 'F.hardshrink(x, 0.3)')],
  // tf.keras.activations.relu(x, alpha, max_value, threshold) (Keras 2); see keras_relu in reference.py.
  relu_keras: (c) => [
    act('default', `${c.fn}(x)`, XG, 'keras_relu(x)'),
    act('params', `${c.fn}(x, alpha=0.1, max_value=1.2, threshold=0.3)`, XG, 'keras_relu(x, alpha=0.1, max_value=1.2, threshold=0.3)'),
    act('max6', `${c.fn}(x, max_value=0.7)`, XG, 'keras_relu(x, max_value=0.7)'),
  ],
  step: (c) => [act('default', c.mul(`${c.fn}(x)`, 'x'), XG, 'tfjs_step(x) * x'), act('alpha', c.mul(`${c.fn}(x, 0.3)`, 'x'), XG, 'tfjs_step(x, 0.3) * x')],

  // ---- softmax family: squared so the gradient is not identically zero
  softmax: (c) => softmaxSpec(c, 'torch.softmax'),
  log_softmax: (c) => softmaxSpec(c, 'torch.log_softmax'),
  // Normalisers are weighted by constants: the sum of squares of a unit vector has a zero gradient.
  l2_normalize: (c) => {
    const X = c.reshape('x', 2, 3);
    const W = c.const([[1, -2, 0.5], [3, -1.5, 2]]);
    const WREF = 'torch.tensor([[1.0, -2.0, 0.5], [3.0, -1.5, 2.0]])';
    // tf.math.l2_normalize: x * rsqrt(max(sum(x^2, axis, keepdims=True), epsilon)); axis=None is all axes.
    const ref = (X: string, dim: string): string => `(lambda X: X * torch.rsqrt(torch.clamp(torch.sum(X ** 2${dim}, keepdim=True), min=1e-12)))(${X})`;
    return [
      act('default', c.mul(`${c.fn}(x)`, c.const(C6)), XG, `${ref('x', ', dim=0')} * T(${py(C6)})`),
      act('axis1', c.mul(`${c.fn}(${X}, axis=1)`, W), XG, `${ref('x.reshape(2, 3)', ', dim=1')} * ${WREF}`),
    ];
  },
  normalize_torch: (c) => {
    const X = c.reshape('x', 2, 3);
    const W = c.const([[1, -2, 0.5], [3, -1.5, 2]]);
    const WREF = 'torch.tensor([[1.0, -2.0, 0.5], [3.0, -1.5, 2.0]])';
    return [
      act('default', c.mul(`${c.fn}(${X})`, W), XG, `F.normalize(x.reshape(2, 3)) * ${WREF}`),
      act('p1-dim0', c.mul(`${c.fn}(${X}, p=1, dim=0)`, W), XG, `F.normalize(x.reshape(2, 3), p=1, dim=0) * ${WREF}`),
      // A zero row: PyTorch's norm has a zero gradient there, so the gradient is W / eps (finite), not NaN.
      act('zero-row', c.mul(`${c.fn}(${X} * ${c.const([[0.0], [1.0]])})`, W), XG, `F.normalize(x.reshape(2, 3) * T([[0.0], [1.0]])) * ${WREF}`),
    ];
  },

  // ---- binary
  add: (c) => {
    const out = binary(XG, (a, b) => `${a} + ${b}`, { scalar: 0.3 })(c);
    // torch.add(input, other, alpha=2): input + alpha * other (PyTorch docs).
    if (isTorch(c)) out.push(act('alpha', `${c.fn}(x, ${other(c)}, alpha=2)`, XG, `x + 2 * ${OTHER}`));
    return out;
  },
  sub: binary(XG, (a, b) => `${a} - ${b}`, { scalar: 0.3 }),
  mul: (c) => {
    // optax.l2_loss(predictions, targets=None) = 0.5 * (predictions - targets) ** 2 (optax docs).
    if (c.row === 'optax.l2_loss') {
      return [
        act('pred', `${c.fn}(x)`, XG, '0.5 * x ** 2'),
        loss('targets', `${c.fn}(${c.P}, ${c.T})`, L_YT, L_YP, '0.5 * (yp - yt) ** 2'),
      ];
    }
    return binary(XG, (a, b) => `${a} * ${b}`, { scalar: 0.3 })(c);
  },
  div: (c) => {
    const out = binary(XG, (a, b) => `${a} / ${b}`, { scalar: 0.7 })(c);
    // torch.div(rounding_mode='floor'|'trunc') rounds the quotient; no gradient flows through rounding.
    if (isTorch(c)) {
      out.push(act('floor', `${c.fn}(x, 0.65, rounding_mode='floor')`, XG, "torch.div(x, 0.65, rounding_mode='floor')"));
      out.push(act('trunc', `${c.fn}(x, 0.65, rounding_mode='trunc')`, XG, "torch.div(x, 0.65, rounding_mode='trunc')"));
    }
    return out;
  },
  // tf.math.divide_no_nan: 0 where the divisor is 0 (the gradient too).
  div_no_nan: (c) => [
    act('zeros', `${c.fn}(x, ${c.floor('x')})`, XG, 'torch.where(torch.floor(x) == 0, x * 0.0, x / torch.where(torch.floor(x) == 0, torch.ones_like(x), torch.floor(x)))'),
    act('xy', `${c.fn}(x, ${other(c)})`, XG, `x / ${OTHER}`),
  ],
  // floor division has no gradient in any of the frameworks (TF: no gradient; torch: not differentiable).
  // (Divisor 0.65, not 0.7: -2.1 / 0.7 is exactly -3 in float32 but -3.0000000000000004 in float64.)
  floordiv: (c) => [act('scalar', c.add(`${c.fn}(x, 0.65)`, 'x'), XG, 'nodiff(torch.floor_divide(x, 0.65)) + x')],
  // torch.remainder / numpy.mod / tf.js mod: sign of the divisor. torch.fmod: sign of the dividend (C fmod).
  mod: (c) => {
    const fmod = c.row === 'torch.fmod';
    const op = fmod ? 'torch.fmod' : 'torch.remainder';
    return [
      act('scalar', `${c.fn}(x, 0.65)`, XG, `${op}(x, 0.65)`),
      act('xy', `${c.fn}(x, ${c.add(c.mul('x', '0.3'), '1.1')})`, XG, `${op}(x, 0.3 * x + 1.1)`),
    ];
  },
  pow: (c) => [
    act('scalar-exp', `${c.fn}(x, 1.7)`, XP, 'torch.pow(x, 1.7)'),
    act('tensor-exp', `${c.fn}(x, ${other(c)})`, XP, `torch.pow(x, ${OTHER})`),
    act('neg-base-int', `${c.fn}(x, 3)`, XG, 'torch.pow(x, 3)'),
    act('square', `${c.fn}(x, 2)`, XG, 'torch.pow(x, 2)'),
  ],
  maximum: binary(XG, (a, b) => `torch.maximum(${a}, torch.as_tensor(${b}))`, { scalar: 0.3 }),
  minimum: binary(XG, (a, b) => `torch.minimum(${a}, torch.as_tensor(${b}))`, { scalar: 0.3 }),
  // tf.math.atan2(y, x) and torch.atan2(input, other) both compute atan(first / second) by quadrant.
  atan2: binary(XG, (a, b) => `torch.atan2(${a}, torch.as_tensor(${b}))`),
  squared_difference: binary(XG, (a, b) => `(${a} - ${b}) ** 2`),
  logaddexp: binary(XG, (a, b) => `torch.logaddexp(${a}, torch.as_tensor(${b}))`),
  // xlogy(x, y) = 0 where x == 0. At x == 0 the frameworks' gradients wrt x differ by convention:
  // torch.xlogy and jax.scipy.special.xlogy give log(y); tf.math.xlogy gives 0 (see tf_xlogy in reference.py).
  xlogy: (c) => {
    const op = c.group === 'tf' ? 'tf_xlogy' : 'torch.xlogy';
    const x = [0.0, 0.3, -0.4, 1.2, 2.0, 0.7];
    return [
      act('xy', `${c.fn}(x, ${c.add(c.mul('x', '0.5'), '0.8')})`, x, `${op}(x, 0.5 * x + 0.8)`),
      act('scalar', `${c.fn}(x, 2.5)`, x, `${op}(x, torch.full_like(x, 2.5))`),
    ];
  },
  clip: (c) => clipSpec(c),
  where: (c) => {
    const ref = 'torch.where(x > 0.5, x * x, -x)';
    // The condition written with the comparison operator (the usual spelling) and with the framework's function.
    const out = [
      act('xy', `${c.fn}(${c.gt('x', '0.5')}, ${c.mul('x', 'x')}, ${c.neg('x')})`, XG, ref),
      act('fn-cond', `${c.fn}(${c.gtFn('x', '0.5')}, ${c.mul('x', 'x')}, ${c.neg('x')})`, XG, ref),
    ];
    if (!c.js) out.push(act('scalar-branch', `${c.fn}(${c.gtFn('x', '0.5')}, ${c.mul('x', 'x')}, 0.25)`, XG, 'torch.where(x > 0.5, x * x, torch.full_like(x, 0.25))'));
    return out;
  },
  greater: comparison('torch.gt'),
  greater_equal: comparison('torch.ge'),
  less: comparison('torch.lt'),
  less_equal: comparison('torch.le'),
  equal: comparison('torch.eq'),
  not_equal: comparison('torch.ne'),
  logical_and: (c) => [act('where', c.where(`${c.fn}(${c.gt('x', '-1.0')}, ${c.lt('x', '1.0')})`, c.mul('x', 'x'), c.neg('x')), XG, 'torch.where((x > -1.0) & (x < 1.0), x * x, -x)')],
  logical_or: (c) => [act('where', c.where(`${c.fn}(${c.lt('x', '-1.0')}, ${c.gt('x', '1.0')})`, c.mul('x', 'x'), c.neg('x')), XG, 'torch.where((x < -1.0) | (x > 1.0), x * x, -x)')],
  logical_not: (c) => [act('where', c.where(`${c.fn}(${c.gt('x', '0.5')})`, c.mul('x', 'x'), c.neg('x')), XG, 'torch.where(~(x > 0.5), x * x, -x)')],

  // ---- reductions
  sum: reduction({ ref: 'torch.sum' }),
  mean: reduction({ ref: 'torch.mean' }),
  prod: reduction({ x: [0.8, -1.3, 1.1, 0.6, -0.9, 1.4], ref: 'torch.prod', refArgs: '' }),
  max: reduction({ ref: 'torch.amax' }),
  min: reduction({ ref: 'torch.amin' }),
  logsumexp: (c) => {
    const needsDim = isTorch(c);
    const out = reduction({ ref: 'torch.logsumexp', needsDim })(c);
    // Our full-reduction reference: torch.logsumexp needs a dim; over a 1-D x, dim=0 is the whole.
    out[0].ref = 'torch.logsumexp(x, dim=0)';
    // jax.nn.logsumexp / scipy.special.logsumexp(a, b=...): log(sum(b * exp(a))) (JAX/SciPy docs).
    if (c.group === 'np') out.push(act('b', `${c.fn}(x, b=2.0)`, XG, 'torch.logsumexp(x, dim=0) + math.log(2.0)'));
    return out;
  },
  // var/std: torch defaults to the unbiased estimator (correction=1); NumPy, TF and Keras to ddof=0.
  var: (c) => varSpec(c, 'torch.var'),
  std: (c) => varSpec(c, 'torch.std'),
  norm: (c) => normSpec(c),
  argmax: (c) => argSpec(c, 'argmax'),
  argmin: (c) => argSpec(c, 'argmin'),
  cumsum: (c) => {
    const X = c.reshape('x', 2, 3);
    const out: Variant[] = [];
    const ax = (a: number): string => (c.js ? `, ${a}` : isTorch(c) ? `, dim=${a}` : `, axis=${a}`);
    out.push(act('1d', c.mul(`${c.fn}(x${ax(0)})`, 'x'), XG, 'torch.cumsum(x, dim=0) * x'));
    out.push(act('axis1', c.mul(`${c.fn}(${X}${ax(1)})`, X), XG, 'torch.cumsum(x.reshape(2, 3), dim=1) * x.reshape(2, 3)'));
    out.push(act('axis0', c.mul(`${c.fn}(${X}${ax(0)})`, X), XG, 'torch.cumsum(x.reshape(2, 3), dim=0) * x.reshape(2, 3)'));
    if (!isTorch(c)) {
      // Default axis: NumPy/JAX flatten (axis=None); tf.math.cumsum and tf.cumsum (TF.js) use axis 0.
      const flattens = c.group === 'np' || c.mod === 'keras.ops' || c.mod === 'keras.src.ops';
      const ref = flattens ? 'torch.cumsum(x, dim=0)' : 'torch.cumsum(x.reshape(2, 3), dim=0)';
      out.push(act('default-2d', c.sq(`${c.fn}(${X})`), XG, `${ref} ** 2`));
    }
    return out;
  },
  all: (c) => boolReduce(c, 'torch.all', '-2.0'),
  any: (c) => boolReduce(c, 'torch.any', '1.0'),
  count_nonzero: (c) => {
    const X = c.floor(c.reshape('x', 2, 3));
    const cnt1 = `${c.fn}(${c.floor('x')})`;
    return [
      act('all', c.mul('x', c.float(cnt1)), XG, 'x * torch.count_nonzero(torch.floor(x))'),
      act('axis1', c.mul(c.float(`${c.fn}(${X}${isTorch(c) ? ', dim=1' : ', axis=1'})`), '2.0'), XG, 'torch.count_nonzero(torch.floor(x.reshape(2, 3)), dim=1) * 2.0'),
    ];
  },

  // ---- shapes
  reshape: (c) => {
    const shape = c.js ? '[3, -1]' : '(3, -1)';
    return [act('3x2', c.mul(`${c.fn}(x, ${shape})`, c.const([[1], [2], [3]])), XG, 'x.reshape(3, -1) * torch.tensor([[1.0], [2.0], [3.0]])')];
  },
  flatten: (c) => {
    const out = [act('2d', c.mul(`${c.fn}(${c.reshape('x', 2, 3)})`, c.const(C6)), XG, `x * torch.tensor(${py(C6)})`)];
    // torch.flatten(start_dim, end_dim): only dims start..end are merged.
    if (c.row === 'torch.flatten') {
      out.push(act('start1', c.mul(`${c.fn}(${c.reshape('x', 1, 2, 3)}, start_dim=1)`, c.const([C6])), XG, `torch.flatten(x.reshape(1, 2, 3), start_dim=1) * torch.tensor([${py(C6)}])`));
      out.push(act('end1', c.mul(`${c.fn}(${c.reshape('x', 2, 3, 1)}, 0, 1)`, c.const([[1, -1]])), XG, 'torch.flatten(x.reshape(2, 3, 1), 0, 1) * torch.tensor([[1.0, -1.0]])'));
    }
    return out;
  },
  transpose: (c) => transposeSpec(c),
  swapaxes: (c) => [act('2d', c.mul(`${c.fn}(${c.reshape('x', 2, 3)}, 0, 1)`, c.const([[1, 2], [3, 4], [5, 6]])), XG, 'x.reshape(2, 3).T * torch.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])')],
  squeeze: (c) => {
    const axis = c.js ? '[1]' : isTorch(c) ? 'dim=1' : 'axis=1';
    const out = [act('axis', c.mul(`${c.fn}(${c.reshape('x', 2, 1, 3)}, ${axis})`, c.const([[1, 2, 3], [4, 5, 6]])), XG, 'x.reshape(2, 3) * torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])')];
    // keras.backend.squeeze(x, axis) requires the axis (Keras 2 docs).
    if (c.row !== 'keras.backend.squeeze') out.push(act('all', c.mul(`${c.fn}(${c.reshape('x', 1, 6, 1)})`, c.const(C6)), XG, `x * torch.tensor(${py(C6)})`));
    return out;
  },
  expand_dims: (c) => {
    const a = (n: number): string => (c.js || c.row === 'torch.unsqueeze' ? String(n) : isTorch(c) ? `dim=${n}` : `axis=${n}`);
    return [
      act('axis1', c.mul(`${c.fn}(x, ${a(1)})`, c.const([[1, -1]])), XG, 'x.unsqueeze(1) * torch.tensor([[1.0, -1.0]])'),
      act('axis0', c.mul(`${c.fn}(x, ${a(0)})`, c.const([[1], [-1]])), XG, 'x.unsqueeze(0) * torch.tensor([[1.0], [-1.0]])'),
    ];
  },
  concat: (c) => {
    const X = c.reshape('x', 2, 3);
    const Y = c.reshape(c.sq('x'), 2, 3);
    const list = (a: string, b: string): string => `[${a}, ${b}]`;
    const ax = (n: number): string => (c.js ? `, ${n}` : isTorch(c) ? `, dim=${n}` : `, axis=${n}`);
    const out = [
      act('axis0', c.mul(`${c.fn}(${list('x', c.sq('x'))}${ax(0)})`, c.const([...C6, ...C6.map((v) => -v)])), XG, `torch.cat([x, x ** 2], dim=0) * torch.tensor(${py([...C6, ...C6.map((v) => -v)])})`),
      act('axis1', c.sq(`${c.fn}(${list(X, Y)}${ax(1)})`), XG, 'torch.cat([x.reshape(2, 3), (x ** 2).reshape(2, 3)], dim=1) ** 2'),
    ];
    // Default axis: keras.backend.concatenate: -1 (Keras 2 docs); numpy/jax/keras.ops/torch: 0. tf.concat has none.
    if (c.mod !== 'tf' && !c.js) {
      const def = c.row === 'keras.backend.concatenate' ? 1 : 0;
      out.push(act('default-2d', c.mul(`${c.fn}(${list(X, Y)})`, def === 1 ? c.const([[1, 2, 3, 4, 5, 6]]) : c.const([[1], [2], [3], [4]])), XG,
        `torch.cat([x.reshape(2, 3), (x ** 2).reshape(2, 3)], dim=${def}) * ${def === 1 ? 'torch.tensor([[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]])' : 'torch.tensor([[1.0], [2.0], [3.0], [4.0]])'}`));
    }
    return out;
  },
  stack: (c) => {
    const list = `[x, ${c.sq('x')}]`;
    const ax = (n: number): string => (c.js ? `, ${n}` : isTorch(c) ? `, dim=${n}` : `, axis=${n}`);
    return [
      act('default', c.mul(`${c.fn}(${list})`, c.const([[1], [-2]])), XG, 'torch.stack([x, x ** 2]) * torch.tensor([[1.0], [-2.0]])'),
      act('axis1', c.mul(`${c.fn}(${list}${ax(1)})`, c.const([[1, -2]])), XG, 'torch.stack([x, x ** 2], dim=1) * torch.tensor([[1.0, -2.0]])'),
    ];
  },
  tile: (c) => {
    const reps = c.js ? '[2, 1]' : c.group === 'np' ? '(2, 1)' : '[2, 1]';
    return [act('2x1', c.mul(`${c.fn}(${c.reshape('x', 2, 3)}, ${reps})`, c.const([[1, 2, 3], [4, 5, 6], [-1, -2, -3], [-4, -5, -6]])), XG,
      'torch.tile(x.reshape(2, 3), (2, 1)) * torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [-1.0, -2.0, -3.0], [-4.0, -5.0, -6.0]])')];
  },
  broadcast_to: (c) => [act('2x6', c.mul(`${c.fn}(x, ${c.js ? '[2, 6]' : '(2, 6)'})`, c.const([[1], [-2]])), XG, 'torch.broadcast_to(x, (2, 6)) * torch.tensor([[1.0], [-2.0]])')],
  matmul: (c) => {
    if (c.row === 'torch.bmm') return [act('3d', c.sq(`${c.fn}(${c.reshape('x', 1, 2, 3)}, ${c.reshape(c.sq('x'), 1, 3, 2)})`), XG, 'torch.bmm(x.reshape(1, 2, 3), (x ** 2).reshape(1, 3, 2)) ** 2')];
    return [act('2d', c.sq(`${c.fn}(${c.reshape('x', 2, 3)}, ${c.reshape(c.sq('x'), 3, 2)})`), XG, 'torch.matmul(x.reshape(2, 3), (x ** 2).reshape(3, 2)) ** 2')];
  },
  dot: (c) => {
    const out = [act('1d', c.sq(`${c.fn}(x, ${other(c)})`), XG, `torch.dot(x, ${OTHER}) ** 2`)];
    const X = c.reshape('x', 2, 3);
    const Y = c.reshape(c.sq('x'), 2, 3);
    const name = c.row.slice(c.row.lastIndexOf('.') + 1);
    // 2-D: numpy.dot/jnp.dot/tf.dot (TF.js) are matrix products; inner contracts the last axes (a @ b.T).
    if (name === 'inner') out.push(act('2d', c.sq(`${c.fn}(${X}, ${Y})`), XG, 'torch.inner(x.reshape(2, 3), (x ** 2).reshape(2, 3)) ** 2'));
    if (name === 'dot' && !isTorch(c)) out.push(act('2d', c.sq(`${c.fn}(${X}, ${c.reshape(c.sq('x'), 3, 2)})`), XG, 'torch.matmul(x.reshape(2, 3), (x ** 2).reshape(3, 2)) ** 2'));
    // numpy.vdot flattens both arguments.
    if (name === 'vdot') out.push(act('2d', c.sq(`${c.fn}(${X}, ${Y})`), XG, 'torch.dot(x, x ** 2) ** 2'));
    return out;
  },

  // ---- construction
  zeros_like: (c) => [act('add', c.add(c.mul('x', 'x'), `${c.fn}(x)`), XG, 'x * x + torch.zeros_like(x)')],
  ones_like: (c) => [act('mul', c.mul(c.mul('x', 'x'), `${c.fn}(x)`), XG, 'x * x * torch.ones_like(x)')],
  full_like: (c) => [act('mul', c.mul('x', `${c.fn}(x, 2.5)`), XG, 'x * torch.full_like(x, 2.5)')],
  zeros: (c) => [
    act('1d', c.add(c.sq('x'), `${c.fn}(${c.js ? '[6]' : isTorch(c) ? '6' : '(6,)'})`), XG, 'x ** 2'),
    act('2d', c.add(c.sq(c.reshape('x', 2, 3)), `${c.fn}(${c.js ? '[2, 3]' : isTorch(c) ? '2, 3' : '(2, 3)'})`), XG, 'x.reshape(2, 3) ** 2'),
  ],
  ones: (c) => [
    act('1d', c.mul(c.sq('x'), `${c.fn}(${c.js ? '[6]' : isTorch(c) ? '6' : '(6,)'})`), XG, 'x ** 2'),
    act('2d', c.mul(c.sq(c.reshape('x', 2, 3)), `${c.fn}(${c.js ? '[2, 3]' : isTorch(c) ? '2, 3' : '(2, 3)'})`), XG, 'x.reshape(2, 3) ** 2'),
  ],
  full: (c) => [act('2d', c.mul(c.reshape('x', 2, 3), `${c.fn}(${c.js ? '[2, 3]' : '(2, 3)'}, 2.5)`), XG, 'x.reshape(2, 3) * 2.5')],
  constant: (c) => constantSpec(c),
  // Random draws cannot match PyTorch's numbers: the cases check what can (the shape, the range of a
  // uniform draw, that no gradient flows through the draw); the seeded values are unit-tested.
  random_normal: (c) => [
    act('1d-zero-weight', c.add(c.sq('x'), c.mul(`${c.fn}(6)`, '0.0')), XG, 'x ** 2'),
    act('2d-shape', c.mul(c.reshape('x', 2, 3), `${c.fn}(2, 3).shape[1]`), XG, 'x.reshape(2, 3) * 3'),
  ],
  random_uniform: (c) => [
    act('2d-shape', c.mul(c.reshape('x', 2, 3), `${c.fn}((2, 3)).shape[0]`), XG, 'x.reshape(2, 3) * 2'),
    // U[0, 1): every value rounds down to 0.
    act('unit-interval', c.add('x', `torch.floor(${c.fn}(6))`), XG, 'x'),
  ],
  random_normal_like: (c) => [act('shape-no-grad', c.add(c.sq('x'), c.mul(`${c.fn}(x)`, '0.0')), XG, 'x ** 2')],
  random_uniform_like: (c) => [act('floor-no-grad', c.add(c.sq('x'), `torch.floor(${c.fn}(x))`), XG, 'x ** 2')],
  // The legacy constructor: data as torch.tensor reads it (always float); integers or a torch.Size are a shape.
  legacy_tensor: (c) => [
    act('data', c.mul('x', `${c.fn}(${py(C6)})`), XG, `x * T(${py(C6)})`),
    act('sizes', c.mul(c.reshape('x', 2, 3), `${c.fn}(2, 3).fill_(1.5)`), XG, 'x.reshape(2, 3) * 1.5'),
    act('torch-size', c.mul('x', `${c.fn}(${c.reshape('x', 2, 3)}.size()).fill_(-0.5).sum()`), XG, 'x * -3.0'),
  ],
  linspace: (c) => [act('0-1', c.mul('x', `${c.fn}(0.0, 1.0, 6)`), XG, 'x * torch.linspace(0.0, 1.0, 6)')],
  arange: (c) => [
    act('stop', c.mul('x', `${c.fn}(${c.js ? '0, 6' : '6'})`), XG, 'x * torch.arange(6)'),
    act('start-stop-step', c.mul('x', `${c.fn}(1.0, 4.0, 0.5)`), XG, 'x * torch.arange(1.0, 4.0, 0.5)'),
  ],
  eye: (c) => {
    const out = [act('square', c.mul(c.reshape('x', 3, 3), `${c.fn}(3)`), X9, 'x.reshape(3, 3) * torch.eye(3)')];
    // eye(n, m): torch.eye(n, m), numpy.eye(N, M), tf.eye(numRows, numColumns) (TF.js) are rectangular.
    // numpy.identity(n, dtype) has no second size: its second positional argument is the dtype.
    if (!c.row.endsWith('.identity')) out.push(act('rect', c.mul(c.reshape('x', 2, 3), `${c.fn}(2, 3)`), XG, 'x.reshape(2, 3) * torch.eye(2, 3)'));
    return out;
  },
  stop_gradient: (c) => [act('add', c.add(c.sq('x'), `${c.fn}(${c.sq('x')})`), XG, 'x ** 2 + (x ** 2).detach()')],
  identity: (c) => {
    // torch.nn.Parameter wraps constants (module weights); a Parameter is a new leaf, so wrap a constant.
    if (c.row.startsWith('torch.nn')) return [act('const', c.mul('x', `${c.fn}(torch.tensor(0.25))`), XG, 'x * 0.25')];
    return [act('mul', c.mul(`${c.fn}(x)`, 'x'), XG, 'x * x')];
  },
  // tf.cast to an integer type truncates toward zero and stops the gradient (TF registers no gradient
  // for casts to integers); to float keeps it.
  cast: (c) => {
    // numpy.astype / jnp.astype take the array module's dtypes.
    const dt = c.group === 'np' ? c.b : 'tf';
    const int = c.js ? "'int32'" : `${dt}.int32`;
    const flt = c.js ? "'float32'" : `${dt}.float32`;
    return [
      act('int', c.mul('x', `${c.fn}(x, ${int})`), XR, 'x * torch.trunc(x).detach()'),
      act('float', c.sq(`${c.fn}(x, ${flt})`), XG, 'x ** 2'),
    ];
  },
  one_hot: (c) => oneHotSpec(c),
  shape_of: (c) => {
    const s = `${c.fn}(${c.reshape('x', 2, 3)})`;
    const tensorResult = c.row === 'tf.shape' || c.row === 'keras.backend.shape';
    return [act('dims', c.mul('x', tensorResult ? c.float(`${s}[1]`) : `${s}[1]`), XG, 'x * 3')];
  },
  size_of: (c) => [act('size', c.mul('x', c.group === 'np' ? `${c.fn}(x)` : c.float(`${c.fn}(x)`)), XG, 'x * 6')],
  ndim_of: (c) => [act('ndim', c.mul('x', c.row === 'tf.rank' ? c.float(`${c.fn}(${c.reshape('x', 2, 3)})`) : `${c.fn}(${c.reshape('x', 2, 3)})`), XG, 'x * 2')],
  // keras.backend.epsilon() == 1e-7 (keras/backend_config.py).
  epsilon_keras: (c) => [act('eps', `x + ${c.fn}() * 1e7`, XG, 'x + 1e-7 * 1e7')],

  // ---- PyTorch losses (input, target)
  mse_loss: (c) => torchReductions(c, 'F.mse_loss', L_YT, L_YP),
  l1_loss: (c) => torchReductions(c, 'F.l1_loss', L_YT, L_YP),
  smooth_l1_loss: (c) => [...torchReductions(c, 'F.smooth_l1_loss', L_YT, L_YP), loss('beta', `${c.fn}(${c.P}, ${c.T}, beta=0.5)`, L_YT, L_YP, 'F.smooth_l1_loss(yp, yt, beta=0.5)')],
  huber_loss_torch: (c) => [...torchReductions(c, 'F.huber_loss', L_YT, L_YP), loss('delta', `${c.fn}(${c.P}, ${c.T}, delta=0.5)`, L_YT, L_YP, 'F.huber_loss(yp, yt, delta=0.5)')],
  // F.binary_cross_entropy: log clamped at -100 and backward (p - t) / max(p (1 - p), 1e-12) (PyTorch docs,
  // BCELoss: "clamps its log function outputs to be greater than or equal to -100"); torch itself is the reference.
  bce_torch: (c) => [
    ...torchReductions(c, 'F.binary_cross_entropy', P_YT, P_YP),
    loss('weight', `${c.fn}(${c.P}, ${c.T}, weight=torch.tensor([1.0, 2.0, 0.5]))`, P_YT, P_YP, 'F.binary_cross_entropy(yp, yt, weight=T([1.0, 2.0, 0.5]))'),
    // Saturated predictions: exactly 0 and 1 (the log clamp and the 1e-12 in the backward).
    loss('saturated', `${c.fn}(${c.P}, ${c.T})`, [[1.0, 0.0, 1.0], [0.0, 1.0, 0.0]], [[0.0, 1.0, 1.0], [0.0, 0.5, 0.999]], 'F.binary_cross_entropy(yp, yt)'),
  ],
  bce_logits_torch: (c) => [
    ...torchReductions(c, 'F.binary_cross_entropy_with_logits', P_YT, L_YP),
    loss('pos_weight', `${c.fn}(${c.P}, ${c.T}, pos_weight=torch.tensor([2.0, 0.5, 1.5]))`, P_YT, L_YP, 'F.binary_cross_entropy_with_logits(yp, yt, pos_weight=T([2.0, 0.5, 1.5]))'),
    loss('weight', `${c.fn}(${c.P}, ${c.T}, weight=torch.tensor([1.0, 2.0, 0.5]))`, P_YT, L_YP, 'F.binary_cross_entropy_with_logits(yp, yt, weight=T([1.0, 2.0, 0.5]))'),
  ],
  cross_entropy_torch: (c) => [
    loss('int-targets', `${c.fn}(${c.P}, ${c.T}.long())`, CLASSES, LOGITS, 'F.cross_entropy(yp, yt.long())'),
    loss('prob-targets', `${c.fn}(${c.P}, ${c.T})`, PROBS, LOGITS, 'F.cross_entropy(yp, yt)'),
    loss('label-smoothing', `${c.fn}(${c.P}, ${c.T}.long(), label_smoothing=0.1)`, CLASSES, LOGITS, 'F.cross_entropy(yp, yt.long(), label_smoothing=0.1)'),
    loss('sum', `${c.fn}(${c.P}, ${c.T}.long(), reduction='sum')`, CLASSES, LOGITS, "F.cross_entropy(yp, yt.long(), reduction='sum')"),
    loss('weight', `${c.fn}(${c.P}, ${c.T}.long(), weight=torch.tensor([1.0, 2.0, 0.5, 1.5]))`, CLASSES, LOGITS, 'F.cross_entropy(yp, yt.long(), weight=T([1.0, 2.0, 0.5, 1.5]))'),
    loss('ignore-index', `${c.fn}(${c.P}, ${c.T}.long())`, [0, -100, 1], LOGITS, 'F.cross_entropy(yp, yt.long())'),
    // N x C x d: the class dimension is 1.
    loss('spatial', `${c.fn}(${c.P}, ${c.T}.long())`, [[0, 2], [1, 1]], [[[0.2, -1.0], [1.1, 0.3], [-0.4, 0.8]], [[0.5, 0.1], [-0.2, 1.4], [0.9, -0.6]]], 'F.cross_entropy(yp, yt.long())'),
  ],
  nll_loss_torch: (c) => [
    loss('default', `${c.fn}(${c.P}, ${c.T}.long())`, CLASSES, LOGITS, 'F.nll_loss(yp, yt.long())'),
    loss('weight', `${c.fn}(${c.P}, ${c.T}.long(), weight=torch.tensor([1.0, 2.0, 0.5, 1.5]))`, CLASSES, LOGITS, 'F.nll_loss(yp, yt.long(), weight=T([1.0, 2.0, 0.5, 1.5]))'),
    loss('ignore-index', `${c.fn}(${c.P}, ${c.T}.long())`, [0, -100, 1], LOGITS, 'F.nll_loss(yp, yt.long())'),
  ],
  kl_div_torch: (c) => {
    const LP = [[-1.2, -0.9, -1.6, -1.5], [-0.4, -2.0, -2.3, -2.1], [-1.4, -1.3, -0.9, -2.4]];
    return [
      loss('mean', `${c.fn}(${c.P}, ${c.T})`, PROBS, LP, 'F.kl_div(yp, yt)'),
      loss('batchmean', `${c.fn}(${c.P}, ${c.T}, reduction='batchmean')`, PROBS, LP, "F.kl_div(yp, yt, reduction='batchmean')"),
      loss('sum', `${c.fn}(${c.P}, ${c.T}, reduction='sum')`, PROBS, LP, "F.kl_div(yp, yt, reduction='sum')"),
      loss('log-target', `${c.fn}(${c.P}, ${c.T}, reduction='batchmean', log_target=True)`, LP.map((r) => r.map((v) => v * 0.9)), LP, "F.kl_div(yp, yt, reduction='batchmean', log_target=True)"),
      loss('zero-target', `${c.fn}(${c.P}, ${c.T}, reduction='batchmean')`, [[0.0, 0.5, 0.5, 0.0], [0.7, 0.1, 0.1, 0.1], [0.25, 0.25, 0.4, 0.1]], LP, "F.kl_div(yp, yt, reduction='batchmean')"),
    ];
  },
  cosine_similarity_torch: (c) => [
    loss('dim1', c.sub('1.0', `${c.fn}(${c.P}, ${c.T})`), L_YT, L_YP, '1.0 - F.cosine_similarity(yp, yt)'),
    loss('dim0', c.sub('1.0', `${c.fn}(${c.P}, ${c.T}, dim=0)`), L_YT, L_YP, '1.0 - F.cosine_similarity(yp, yt, dim=0)'),
  ],
  pairwise_distance_torch: (c) => [
    loss('p2', `${c.fn}(${c.P}, ${c.T})`, L_YT, L_YP, 'F.pairwise_distance(yp, yt)'),
    loss('p1', `${c.fn}(${c.P}, ${c.T}, p=1.0)`, L_YT, L_YP, 'F.pairwise_distance(yp, yt, p=1.0)'),
    loss('keepdim', c.mul(`${c.fn}(${c.P}, ${c.T}, keepdim=True)`, c.P), L_YT, L_YP, 'F.pairwise_distance(yp, yt, keepdim=True) * yp'),
  ],

  // ---- Keras / TF / TF.js losses (y_true, y_pred)
  bce_keras: (c) => {
    if (c.js) {
      // tf.metrics.binaryCrossentropy (TF.js layers): clip to [1e-7, 1 - 1e-7], log(p / (1 - p)) as logits,
      // sigmoid cross-entropy, mean over the last axis; equal to the Keras formula away from the clip.
      return [loss('probs', `${c.fn}(${c.T}, ${c.P})`, P_YT, P_YP, 'torch.mean(F.binary_cross_entropy(torch.clamp(yp, 1e-7, 1 - 1e-7), yt, reduction="none"), dim=-1)')];
    }
    return [
      loss('probs', `${c.fn}(${c.T}, ${c.P})`, P_YT, P_YP, 'keras_bce(yt, yp)'),
      loss('from-logits', `${c.fn}(${c.T}, ${c.P}, from_logits=True)`, P_YT, L_YP, 'keras_bce(yt, yp, from_logits=True)'),
      loss('label-smoothing', `${c.fn}(${c.T}, ${c.P}, label_smoothing=0.1)`, P_YT, P_YP, 'keras_bce(yt, yp, label_smoothing=0.1)'),
      // Keras 2 clips to [1e-7, 1 - 1e-7] and adds 1e-7 inside the log: saturated inputs.
      loss('saturated', `${c.fn}(${c.T}, ${c.P})`, [[1.0, 0.0, 1.0], [0.0, 1.0, 0.0]], [[0.0, 1.0, 1.0], [0.0, 0.5, 0.999]], 'keras_bce(yt, yp)'),
    ];
  },
  bce_keras_backend: (c) => {
    // keras.ops.binary_crossentropy (Keras 3) drops the `+ eps` inside the log; equal away from the clip.
    const out = [
      loss('probs', `${c.fn}(${c.T}, ${c.P})`, P_YT, P_YP, 'keras_backend_bce(yt, yp)'),
      loss('from-logits', `${c.fn}(${c.T}, ${c.P}, from_logits=True)`, P_YT, L_YP, 'keras_backend_bce(yt, yp, from_logits=True)'),
    ];
    if (c.mod === 'keras.backend') out.push(loss('saturated', `${c.fn}(${c.T}, ${c.P})`, [[1.0, 0.0, 1.0], [0.0, 1.0, 0.0]], [[0.0, 1.0, 1.0], [0.0, 0.5, 0.999]], 'keras_backend_bce(yt, yp)'));
    return out;
  },
  cce_keras: (c) => {
    if (c.js) return [loss('probs', `${c.fn}(${c.T}, ${c.P})`, PROBS, PROBS_UNNORM, 'keras_cce(yt, yp)')];
    const out = [
      loss('probs', `${c.fn}(${c.T}, ${c.P})`, PROBS, PROBS_UNNORM, 'keras_cce(yt, yp)'),
      loss('from-logits', `${c.fn}(${c.T}, ${c.P}, from_logits=True)`, PROBS, LOGITS, 'keras_cce(yt, yp, from_logits=True)'),
      loss('saturated', `${c.fn}(${c.T}, ${c.P})`, [[0.0, 1.0, 0.0, 0.0], [1.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 1.0]], [[0.5, 0.0, 0.5, 0.0], [1.0, 0.0, 0.0, 0.0], [0.2, 0.3, 0.5, 0.0]], 'keras_cce(yt, yp)'),
    ];
    if (c.mod === 'keras.losses' || c.mod === 'keras.metrics') out.push(loss('label-smoothing', `${c.fn}(${c.T}, ${c.P}, label_smoothing=0.1)`, PROBS, PROBS_UNNORM, 'keras_cce(yt, yp, label_smoothing=0.1)'));
    return out;
  },
  scce_keras: (c) => [
    loss('probs', `${c.fn}(${c.T}, ${c.P})`, CLASSES, PROBS_UNNORM, 'keras_scce(yt, yp)'),
    loss('from-logits', `${c.fn}(${c.T}, ${c.P}, from_logits=True)`, CLASSES, LOGITS, 'keras_scce(yt, yp, from_logits=True)'),
    loss('column-labels', `${c.fn}(${c.T}, ${c.P})`, CLASSES.map((k) => [k]), PROBS_UNNORM, 'keras_scce(yt, yp)'),
  ],
  mse_keras: (c) => [loss('default', `${c.fn}(${c.T}, ${c.P})`, L_YT, L_YP, 'torch.mean((yp - yt) ** 2, dim=-1)')],
  mae_keras: (c) => [loss('default', `${c.fn}(${c.T}, ${c.P})`, L_YT, L_YP, 'torch.mean(torch.abs(yp - yt), dim=-1)')],
  huber_keras: (c) => [
    loss('default', `${c.fn}(${c.T}, ${c.P})`, L_YT, L_YP, 'keras_huber(yt, yp)'),
    loss('delta', `${c.fn}(${c.T}, ${c.P}, delta=0.5)`, L_YT, L_YP, 'keras_huber(yt, yp, delta=0.5)'),
  ],
  log_cosh_keras: (c) => [loss('default', `${c.fn}(${c.T}, ${c.P})`, L_YT, L_YP, 'keras_log_cosh(yt, yp)')],
  kld_keras: (c) => [
    loss('default', `${c.fn}(${c.T}, ${c.P})`, PROBS, PROBS_UNNORM, 'keras_kld(yt, yp)'),
    loss('zero-target', `${c.fn}(${c.T}, ${c.P})`, [[0.0, 0.5, 0.5, 0.0], [0.7, 0.1, 0.1, 0.1], [0.25, 0.25, 0.4, 0.1]], PROBS_UNNORM, 'keras_kld(yt, yp)'),
  ],
  // tf.nn.*_cross_entropy_with_logits take keyword-only labels= and logits= in TF 2.
  sigmoid_ce_logits_tf: (c) => [loss('default', `${c.fn}(labels=${c.T}, logits=${c.P})`, P_YT, L_YP, "F.binary_cross_entropy_with_logits(yp, yt, reduction='none')")],
  softmax_ce_logits_tf: (c) => [loss('default', `${c.fn}(labels=${c.T}, logits=${c.P})`, PROBS, LOGITS, "F.cross_entropy(yp, yt, reduction='none')")],
  sparse_softmax_ce_logits_tf: (c) => [loss('default', `${c.fn}(labels=${c.T}, logits=${c.P})`, CLASSES, LOGITS, "F.cross_entropy(yp, yt.long(), reduction='none')")],
  // optax losses take (logits/predictions, labels/targets).
  optax_softmax_ce: (c) => [loss('default', `${c.fn}(${c.P}, ${c.T})`, PROBS, LOGITS, "F.cross_entropy(yp, yt, reduction='none')")],
  optax_sigmoid_bce: (c) => [loss('default', `${c.fn}(${c.P}, ${c.T})`, P_YT, L_YP, "F.binary_cross_entropy_with_logits(yp, yt, reduction='none')")],
  tfjs_loss: (c) => tfjsLossSpec(c),
};

// ------------------------------------------------------------------ indexing, sorting, shapes, arithmetic, spatial ops

const X12 = [-1.2, 0.4, 2.1, -0.7, 1.3, 0.6, -0.3, 1.8, -2.2, 0.9, -1.6, 0.15];
const W23 = [[1.0, -2.0, 0.5], [3.0, -1.5, 2.0]];
const W23REF = 'T([[1.0, -2.0, 0.5], [3.0, -1.5, 2.0]])';

/** Integers as source text (no `.0`), for index arguments. */
function intLiteral(v: Nested): string {
  return Array.isArray(v) ? `[${v.map(intLiteral).join(', ')}]` : String(v);
}

/** An integer index tensor in the row's framework. */
function ints(c: Ctx, v: Nested): string {
  const lit = intLiteral(v);
  switch (c.d.base) {
    case 'torch': return `torch.tensor(${lit})`;
    case 'np': return `np.array(${lit})`;
    case 'jnp': return `jnp.array(${lit})`;
    case 'tf': return `tf.constant(${lit})`;
    case 'tfjs': return `tf.tensor(${lit}, undefined, 'int32')`;
  }
}

/** `name=value` in Python (positional in TF.js), with torch's dim= or NumPy's axis= as the row expects. */
function axisKw(c: Ctx, n: number | string): string {
  if (c.js) return String(n);
  return isTorch(c) ? `dim=${n}` : `axis=${n}`;
}

/** Last name of a row (`torch.nn.functional.max_pool2d` → `max_pool2d`). */
const lastName = (c: Ctx): string => c.row.slice(c.row.lastIndexOf('.') + 1);

Object.assign(specs, {
  // Strided slices with TF's masks: negative strides, shrunk axes; the gradient is the one GradProbe registers for StridedSlice.
  strided_slice: (c: Ctx) => {
    const X = c.reshape('x', 2, 3);
    const kw = (name: string, v: number): string => (c.js ? String(v) : `${name}=${v}`);
    const call = (t: string, begin: number[], end: number[], strides: number[], masks: [number, number, number, number, number]): string => {
      const names = ['begin_mask', 'end_mask', 'ellipsis_mask', 'new_axis_mask', 'shrink_axis_mask'];
      const last = masks.reduce((p, m, i) => (m ? i : p), -1);
      const ms = c.js ? masks.slice(0, last + 1).map(String) : masks.map((m, i) => (m ? kw(names[i], m) : '')).filter(Boolean);
      return `${c.fn}(${[t, `[${begin.join(', ')}]`, `[${end.join(', ')}]`, `[${strides.join(', ')}]`, ...ms].join(', ')})`;
    };
    return [
      act('reverse', c.mul(call('x', [0], [6], [-1], [1, 1, 0, 0, 0]), c.const(C6)), XG, `torch.flip(x, [0]) * T(${py(C6)})`),
      act('step2', c.sq(call('x', [1], [6], [2], [0, 0, 0, 0, 0])), XG, 'x[1::2] ** 2'),
      act('shrink', c.sq(call(X, [1, 0], [2, 3], [1, 2], [0, 0, 0, 0, 1])), XG, 'x.reshape(2, 3)[1, ::2] ** 2'),
      act('negative-2d', c.mul(call(X, [0, 2], [2, 0], [1, -2], [0, 2, 0, 0, 0]), c.const([[1.0, -2.0], [0.5, 3.0]])), XG, 'torch.flip(x.reshape(2, 3), [1])[:, ::2] * T([[1.0, -2.0], [0.5, 3.0]])'),
      act('negative-step3', c.sq(call('x', [5], [0], [-3], [0, 0, 0, 0, 0])), XG, 'torch.flip(x, [0])[::3] ** 2'),
    ];
  },
  masked_fill: (c: Ctx) => {
    const X = c.reshape('x', 2, 3);
    return [
      act('scalar', `${c.fn}(x, x < 0.3, 0.5)`, XG, 'x.masked_fill(x < 0.3, 0.5)'),
      // A row mask broadcast over the batch.
      act('broadcast-mask', c.mul(`${c.fn}(${X}, torch.tensor([1.0, 0.0, 1.0]) > 0.5, -1.0)`, X), XG, `(lambda X: X.masked_fill(T([1.0, 0.0, 1.0]) > 0.5, -1.0) * X)(x.reshape(2, 3))`),
      // The input broadcasts against the mask: a column and a full mask give a full result.
      act('broadcast-input', c.sq(`${c.fn}(${c.reshape('x', 6, 1)}, ${c.reshape('x', 1, 6)} > 0.3, -0.5)`), XG, '(x.reshape(6, 1).masked_fill(x.reshape(1, 6) > 0.3, -0.5)) ** 2'),
      // A 0-dim tensor value carries the gradient of what it was computed from.
      act('tensor-value', `${c.fn}(x, x > 0.5, (x * x).sum() * 0.1)`, XG, 'x.masked_fill(x > 0.5, (x * x).sum() * 0.1)'),
    ];
  },
  gather_along: (c: Ctx) => {
    const X = c.reshape('x', 2, 3);
    return [
      act('dim1', c.sq(`${c.fn}(${X}, 1, ${ints(c, [[2, 0], [1, 1]])})`), XG, 'torch.gather(x.reshape(2, 3), 1, torch.tensor([[2, 0], [1, 1]])) ** 2'),
      act('dim0', c.mul(`${c.fn}(${X}, 0, ${ints(c, [[1, 0, 1]])})`, c.const([[2.0, -1.0, 0.5]])), XG, 'torch.gather(x.reshape(2, 3), 0, torch.tensor([[1, 0, 1]])) * T([[2.0, -1.0, 0.5]])'),
      act('negative-dim', c.sq(`${c.fn}(${X}, -1, ${ints(c, [[0], [2]])})`), XG, 'torch.gather(x.reshape(2, 3), -1, torch.tensor([[0], [2]])) ** 2'),
    ];
  },
  take_along_axis: (c: Ctx) => {
    const X = c.reshape('x', 2, 3);
    const idx = ints(c, [[2, 0], [1, 1]]);
    const ref = 'torch.gather(x.reshape(2, 3), 1, torch.tensor([[2, 0], [1, 1]])) ** 2';
    const kw = c.row === 'torch.take_along_dim' ? 'dim' : 'axis';
    const out = [act('axis1', c.sq(`${c.fn}(${X}, ${idx}, ${kw}=1)`), XG, ref)];
    // axis=None: the flattened array (NumPy, JAX, Keras 3, torch.take_along_dim).
    out.push(act('flat', c.sq(`${c.fn}(${X}, ${ints(c, [4, 0, 4])}, ${kw}=None)`), XG, 'x[torch.tensor([4, 0, 4])] ** 2'));
    // A size-1 index axis broadcasts (NumPy): one column index for every row.
    if (c.group === 'np') out.push(act('broadcast', c.sq(`${c.fn}(${X}, ${ints(c, [[1]])}, axis=1)`), XG, 'x.reshape(2, 3)[:, 1:2] ** 2'));
    return out;
  },
  take: (c: Ctx) => {
    const X = c.reshape('x', 2, 3);
    const idx = ints(c, [2, 0, 2]);
    const name = lastName(c);
    if (name === 'take' && c.row.startsWith('torch')) return [act('flat', c.sq(`${c.fn}(${X}, ${ints(c, [4, 0, 4])})`), XG, 'x[torch.tensor([4, 0, 4])] ** 2')];
    if (name === 'index_select') return [act('dim1', c.sq(`${c.fn}(${X}, 1, ${idx})`), XG, 'torch.index_select(x.reshape(2, 3), 1, torch.tensor([2, 0, 2])) ** 2')];
    const ax = (n: number): string => (c.js ? `, ${n}` : `, axis=${n}`);
    const out = [act('axis1', c.sq(`${c.fn}(${X}, ${idx}${ax(1)})`), XG, 'torch.index_select(x.reshape(2, 3), 1, torch.tensor([2, 0, 2])) ** 2')];
    // Default axis: tf.gather (TF, TF.js) 0; numpy.take / keras.ops.take flatten.
    if (c.group === 'tf' || c.js) out.push(act('default', c.sq(`${c.fn}(${X}, ${ints(c, [1, 1, 0])})`), XG, 'x.reshape(2, 3)[torch.tensor([1, 1, 0])] ** 2'));
    else out.push(act('flat', c.sq(`${c.fn}(${X}, ${ints(c, [4, 0, 4])})`), XG, 'x[torch.tensor([4, 0, 4])] ** 2'));
    // A 2-D index gathers a 2-D block of slices.
    out.push(act('2d-index', c.sq(`${c.fn}(${X}, ${ints(c, [[0, 1], [1, 1]])}${ax(0)})`), XG, 'x.reshape(2, 3)[torch.tensor([[0, 1], [1, 1]])] ** 2'));
    return out;
  },
  gather_nd: (c: Ctx) => {
    const X = c.reshape('x', 2, 3);
    return [
      act('points', c.sq(`${c.fn}(${X}, ${ints(c, [[0, 2], [1, 0], [0, 2]])})`), XG, 'x.reshape(2, 3)[torch.tensor([0, 1, 0]), torch.tensor([2, 0, 2])] ** 2'),
      act('rows', c.mul(`${c.fn}(${X}, ${ints(c, [[1], [0]])})`, c.const(W23)), XG, `x.reshape(2, 3)[torch.tensor([1, 0])] * ${W23REF}`),
    ];
  },
  scatter: (c: Ctx) => {
    const X = c.reshape('x', 2, 3);
    const src = c.reshape(c.sq('x'), 2, 3);
    const idx = ints(c, [[2, 0], [1, 2]]);
    return [
      act('src', c.mul(`${c.fn}(${X}, 1, ${idx}, ${src}[:, :2])`, c.const(W23)), XG, `torch.scatter(x.reshape(2, 3), 1, torch.tensor([[2, 0], [1, 2]]), (x ** 2).reshape(2, 3)[:, :2]) * ${W23REF}`),
      act('value', c.mul(`${c.fn}(${X}, 1, ${idx}, 0.5)`, c.const(W23)), XG, `torch.scatter(x.reshape(2, 3), 1, torch.tensor([[2, 0], [1, 2]]), 0.5) * ${W23REF}`),
      act('dim0', c.mul(`${c.fn}(${X}, 0, ${ints(c, [[1, 0, 1]])}, ${src}[:1])`, c.const(W23)), XG, `torch.scatter(x.reshape(2, 3), 0, torch.tensor([[1, 0, 1]]), (x ** 2).reshape(2, 3)[:1]) * ${W23REF}`),
    ];
  },
  scatter_add: (c: Ctx) => {
    const X = c.reshape('x', 2, 3);
    const src = c.reshape(c.sq('x'), 2, 3);
    // Repeated indices add up.
    return [act('repeats', c.mul(`${c.fn}(${X}, 1, ${ints(c, [[0, 0], [2, 2]])}, ${src}[:, :2])`, c.const(W23)), XG, `torch.scatter_add(x.reshape(2, 3), 1, torch.tensor([[0, 0], [2, 2]]), (x ** 2).reshape(2, 3)[:, :2]) * ${W23REF}`)];
  },
  sort: (c: Ctx) => {
    const X = c.reshape('x', 2, 3);
    const W = c.const(W23);
    const tuple = isTorch(c);
    const vals = (e: string): string => (tuple ? `${e}[0]` : e);
    const out: Variant[] = [];
    if (c.row === 'torch.msort') return [act('dim0', c.mul(`${c.fn}(${X})`, W), XG, `torch.sort(x.reshape(2, 3), dim=0)[0] * ${W23REF}`)];
    out.push(act('axis1', c.mul(vals(`${c.fn}(${X}, ${axisKw(c, 1)})`), W), XG, `torch.sort(x.reshape(2, 3), dim=1)[0] * ${W23REF}`));
    out.push(act('default-last', c.mul(vals(`${c.fn}(${X})`), W), XG, `torch.sort(x.reshape(2, 3))[0] * ${W23REF}`));
    if (tuple) {
      out.push(act('descending-values', c.mul(`${c.fn}(${X}, dim=0, descending=True).values`, W), XG, `torch.sort(x.reshape(2, 3), dim=0, descending=True).values * ${W23REF}`));
      out.push(act('indices', c.mul(c.float(`${c.fn}(${X}, dim=1)[1]`), X), XG, 'torch.sort(x.reshape(2, 3), dim=1)[1] * x.reshape(2, 3)'));
    }
    if (c.row === 'tf.sort') out.push(act('descending', c.mul(`${c.fn}(${X}, axis=0, direction='DESCENDING')`, W), XG, `torch.sort(x.reshape(2, 3), dim=0, descending=True)[0] * ${W23REF}`));
    if (c.group === 'np' || c.mod === 'keras.ops' || c.mod === 'keras.src.ops') out.push(act('flat', c.mul(`${c.fn}(${X}, axis=None)`, c.const(C6)), XG, `torch.sort(x)[0] * T(${py(C6)})`));
    return out;
  },
  argsort: (c: Ctx) => {
    const X = c.reshape('x', 2, 3);
    const out = [
      act('axis1', c.mul(c.float(`${c.fn}(${X}, ${axisKw(c, 1)})`), X), XG, 'torch.argsort(x.reshape(2, 3), dim=1) * x.reshape(2, 3)'),
      act('axis0', c.mul(c.float(`${c.fn}(${X}, ${axisKw(c, 0)})`), X), XG, 'torch.argsort(x.reshape(2, 3), dim=0) * x.reshape(2, 3)'),
    ];
    if (isTorch(c)) out.push(act('descending', c.mul(c.float(`${c.fn}(${X}, dim=1, descending=True)`), X), XG, 'torch.argsort(x.reshape(2, 3), dim=1, descending=True) * x.reshape(2, 3)'));
    if (c.row === 'tf.argsort') out.push(act('descending', c.mul(c.float(`${c.fn}(${X}, axis=1, direction='DESCENDING')`), X), XG, 'torch.argsort(x.reshape(2, 3), dim=1, descending=True) * x.reshape(2, 3)'));
    if (c.group === 'np' || c.mod === 'keras.ops' || c.mod === 'keras.src.ops') out.push(act('flat', c.mul(c.float(`${c.fn}(${X}, axis=None)`), 'x'), XG, 'torch.argsort(x) * x'));
    return out;
  },
  topk: (c: Ctx) => {
    const X = c.reshape('x', 2, 3);
    const W = c.const([[1.0, -2.0], [3.0, 0.5]]);
    const WREF = 'T([[1.0, -2.0], [3.0, 0.5]])';
    const values = (e: string): string => (c.js ? `${e}.values` : `${e}[0]`);
    const indices = (e: string): string => (c.js ? `${e}.indices` : `${e}[1]`);
    const out = [
      act('values', c.mul(values(`${c.fn}(${X}, 2)`), W), XG, `torch.topk(x.reshape(2, 3), 2)[0] * ${WREF}`),
      act('indices', c.mul(c.float(indices(`${c.fn}(${X}, 2)`)), values(`${c.fn}(${X}, 2)`)), XG, 'torch.topk(x.reshape(2, 3), 2)[1] * torch.topk(x.reshape(2, 3), 2)[0]'),
    ];
    if (isTorch(c)) {
      out.push(act('smallest-dim0', c.mul(`${c.fn}(${X}, 1, dim=0, largest=False).values`, c.const([[1.0, -2.0, 0.5]])), XG, 'torch.topk(x.reshape(2, 3), 1, dim=0, largest=False).values * T([[1.0, -2.0, 0.5]])'));
      out.push(act('1d', c.mul(`${c.fn}(x, 3)[0]`, c.const([1.0, -2.0, 0.5])), XG, 'torch.topk(x, 3)[0] * T([1.0, -2.0, 0.5])'));
    }
    return out;
  },
  diagonal: (c: Ctx) => {
    const M = c.reshape('x', 3, 3);
    if (c.row === 'tf.linalg.diag_part') {
      return [
        act('2x3', c.mul(`${c.fn}(${c.reshape('x', 2, 3)})`, c.const([2.0, -1.0])), XG, 'torch.diagonal(x.reshape(2, 3)) * T([2.0, -1.0])'),
        act('batched', c.mul(`${c.fn}(${c.reshape('x', 3, 1, 3)})`, c.const([[2.0], [-1.0], [0.5]])), X9, 'torch.diagonal(x.reshape(3, 1, 3), dim1=-2, dim2=-1) * T([[2.0], [-1.0], [0.5]])'),
        act('k1', c.mul(`${c.fn}(${M}, k=1)`, c.const([2.0, -1.0])), X9, 'torch.diagonal(x.reshape(3, 3), offset=1) * T([2.0, -1.0])'),
      ];
    }
    const [d1, d2] = isTorch(c) ? ['dim1', 'dim2'] : ['axis1', 'axis2'];
    return [
      act('main', c.mul(`${c.fn}(${M})`, c.const([2.0, -1.0, 0.5])), X9, 'torch.diagonal(x.reshape(3, 3)) * T([2.0, -1.0, 0.5])'),
      act('offset1', c.mul(`${c.fn}(${M}, offset=1)`, c.const([2.0, -1.0])), X9, 'torch.diagonal(x.reshape(3, 3), offset=1) * T([2.0, -1.0])'),
      act('offset-neg', c.mul(`${c.fn}(${M}, offset=-2)`, c.const([2.0])), X9, 'torch.diagonal(x.reshape(3, 3), offset=-2) * 2.0'),
      // 3-D: the diagonal of two chosen axes becomes the last axis.
      act('3d', c.mul(`${c.fn}(${c.reshape('x', 2, 3, 2)}, ${d1}=0, ${d2}=2)`, c.const([[1.0, -2.0], [0.5, 3.0], [-1.5, 2.0]])), X12, 'torch.diagonal(x.reshape(2, 3, 2), dim1=0, dim2=2) * T([[1.0, -2.0], [0.5, 3.0], [-1.5, 2.0]])'),
    ];
  },
  diag: (c: Ctx) => {
    const kw = isTorch(c) ? 'diagonal' : 'k';
    return [
      act('vector', c.mul(`${c.fn}(x)`, c.const([[1.0, -2.0, 0.5], [3.0, -1.5, 2.0], [0.25, 1.0, -1.0]])), [0.3, -1.2, 2.0], 'torch.diag(x) * T([[1.0, -2.0, 0.5], [3.0, -1.5, 2.0], [0.25, 1.0, -1.0]])'),
      act('vector-k1', c.sq(`${c.fn}(x, ${kw}=1)`), [0.3, -1.2, 2.0], 'torch.diag(x, 1) ** 2'),
      act('matrix', c.mul(`${c.fn}(${c.reshape('x', 3, 3)})`, c.const([2.0, -1.0, 0.5])), X9, 'torch.diag(x.reshape(3, 3)) * T([2.0, -1.0, 0.5])'),
      act('matrix-k-neg', c.mul(`${c.fn}(${c.reshape('x', 3, 3)}, ${kw}=-1)`, c.const([2.0, -1.0])), X9, 'torch.diag(x.reshape(3, 3), -1) * T([2.0, -1.0])'),
    ];
  },
  diag_matrix: (c: Ctx) => [
    act('vector', c.mul(`${c.fn}(x)`, c.const([[1.0, -2.0, 0.5], [3.0, -1.5, 2.0], [0.25, 1.0, -1.0]])), [0.3, -1.2, 2.0], 'torch.diag(x) * T([[1.0, -2.0, 0.5], [3.0, -1.5, 2.0], [0.25, 1.0, -1.0]])'),
    act('batched', c.sq(`${c.fn}(${c.reshape('x', 2, 3)})`), XG, 'torch.diag_embed(x.reshape(2, 3)) ** 2'),
  ],
  trace: (c: Ctx) => {
    const M = c.reshape('x', 3, 3);
    if (c.row === 'tf.linalg.trace') return [act('batched', c.mul(`${c.fn}(${c.reshape('x', 1, 3, 3)})`, 'x'), X9, 'torch.diagonal(x.reshape(1, 3, 3), dim1=-2, dim2=-1).sum(-1) * x')];
    const out = [act('square', c.mul(`${c.fn}(${M})`, 'x'), X9, 'torch.trace(x.reshape(3, 3)) * x')];
    if (!isTorch(c)) out.push(act('offset1', c.mul(`${c.fn}(${M}, offset=1)`, 'x'), X9, 'torch.diagonal(x.reshape(3, 3), offset=1).sum() * x'));
    return out;
  },
  tril: (c: Ctx) => triangleSpec(c, 'torch.tril'),
  triu: (c: Ctx) => triangleSpec(c, 'torch.triu'),
  band_part: (c: Ctx) => {
    const M = c.reshape('x', 3, 3);
    return [
      act('lower1', c.sq(`${c.fn}(${M}, 1, 0)`), X9, 'torch.tril(torch.triu(x.reshape(3, 3), -1)) ** 2'),
      act('upper-all', c.sq(`${c.fn}(${M}, 0, -1)`), X9, 'torch.triu(x.reshape(3, 3)) ** 2'),
    ];
  },
  flip: (c: Ctx) => {
    const X = c.reshape('x', 2, 3);
    const W = c.const(W23);
    const name = lastName(c);
    if (name === 'fliplr') return [act('2d', c.mul(`${c.fn}(${X})`, W), XG, `torch.fliplr(x.reshape(2, 3)) * ${W23REF}`)];
    if (name === 'flipud') return [act('2d', c.mul(`${c.fn}(${X})`, W), XG, `torch.flipud(x.reshape(2, 3)) * ${W23REF}`)];
    const axes = (a: string): string => (c.js ? a : isTorch(c) ? `dims=${a}` : `axis=${a}`);
    const list = (xs: number[]): string => (c.js || isTorch(c) || c.group === 'tf' ? `[${xs.join(', ')}]` : `(${xs.join(', ')}${xs.length === 1 ? ',' : ''})`);
    const out = [
      act('axis1', c.mul(`${c.fn}(${X}, ${axes(list([1]))})`, W), XG, `torch.flip(x.reshape(2, 3), dims=[1]) * ${W23REF}`),
      act('both', c.mul(`${c.fn}(${X}, ${axes(list([0, 1]))})`, W), XG, `torch.flip(x.reshape(2, 3), dims=[0, 1]) * ${W23REF}`),
    ];
    // numpy.flip / keras.ops.flip without an axis reverse every axis.
    if (c.group === 'np' || c.mod === 'keras.ops' || c.mod === 'keras.src.ops') out.push(act('all', c.mul(`${c.fn}(${X})`, W), XG, `torch.flip(x.reshape(2, 3), dims=[0, 1]) * ${W23REF}`));
    if (c.group === 'np' || c.mod === 'keras.ops' || c.mod === 'keras.src.ops') out.push(act('int-axis', c.mul(`${c.fn}(${X}, axis=0)`, W), XG, `torch.flip(x.reshape(2, 3), dims=[0]) * ${W23REF}`));
    return out;
  },
  roll: (c: Ctx) => {
    const X = c.reshape('x', 2, 3);
    const W = c.const(W23);
    const C = c.const(C6);
    const [sk, ak] = isTorch(c) ? ['shifts', 'dims'] : ['shift', 'axis'];
    const kw = (k: string, v: string): string => (c.js ? v : `${k}=${v}`);
    const out: Variant[] = [];
    if (c.group !== 'tf' && !c.js) out.push(act('flat', c.mul(`${c.fn}(x, 2)`, C), XG, `torch.roll(x, 2) * T(${py(C6)})`));
    out.push(act('axis1', c.mul(`${c.fn}(${X}, ${kw(sk, '1')}, ${kw(ak, '1')})`, W), XG, `torch.roll(x.reshape(2, 3), 1, 1) * ${W23REF}`));
    out.push(act('negative', c.mul(`${c.fn}(${X}, ${kw(sk, '-1')}, ${kw(ak, '0')})`, W), XG, `torch.roll(x.reshape(2, 3), -1, 0) * ${W23REF}`));
    out.push(act('two-axes', c.mul(`${c.fn}(${X}, ${kw(sk, c.js ? '[1, 2]' : '(1, 2)')}, ${kw(ak, c.js ? '[0, 1]' : '(0, 1)')})`, W), XG, `torch.roll(x.reshape(2, 3), (1, 2), (0, 1)) * ${W23REF}`));
    return out;
  },
  diff: (c: Ctx) => {
    const X = c.reshape('x', 2, 3);
    const out = [
      act('1d', c.mul(`${c.fn}(x)`, c.const([1.0, -2.0, 0.5, 3.0, -1.5])), XG, 'torch.diff(x) * T([1.0, -2.0, 0.5, 3.0, -1.5])'),
      act('n2', c.mul(`${c.fn}(x, n=2)`, c.const([1.0, -2.0, 0.5, 3.0])), XG, 'torch.diff(x, n=2) * T([1.0, -2.0, 0.5, 3.0])'),
      act('axis0', c.mul(`${c.fn}(${X}, ${axisKw(c, 0)})`, c.const([[1.0, -2.0, 0.5]])), XG, 'torch.diff(x.reshape(2, 3), dim=0) * T([[1.0, -2.0, 0.5]])'),
    ];
    if (c.mod !== 'keras.ops' && c.mod !== 'keras.src.ops') out.push(act('prepend', c.mul(`${c.fn}(x, prepend=${c.const([0.5])})`, c.const(C6)), XG, `torch.diff(x, prepend=T([0.5])) * T(${py(C6)})`));
    return out;
  },
  cumprod: (c: Ctx) => {
    const X = c.reshape('x', 2, 3);
    const XZ = [0.5, 0.0, 1.2, -0.7, 2.0, 0.3]; // a zero inside: the product's gradient there is not a division
    const out = [
      act('1d', c.mul(`${c.fn}(x, ${axisKw(c, 0)})`, c.const(C6)), XG, `torch.cumprod(x, 0) * T(${py(C6)})`),
      act('axis1', c.mul(`${c.fn}(${X}, ${axisKw(c, 1)})`, c.const(W23)), XG, `torch.cumprod(x.reshape(2, 3), 1) * ${W23REF}`),
      act('zero', c.mul(`${c.fn}(x, ${axisKw(c, 0)})`, c.const(C6)), XZ, `torch.cumprod(x, 0) * T(${py(C6)})`),
    ];
    // Default axis: NumPy / keras.ops flatten; tf.math.cumprod and TF.js use 0.
    if (c.group === 'np' || c.mod === 'keras.ops' || c.mod === 'keras.src.ops') out.push(act('default-flat', c.mul(`${c.fn}(${X})`, c.const(C6)), XG, `torch.cumprod(x, 0) * T(${py(C6)})`));
    if (c.mod === 'tf.math' || c.js) {
      const args = c.js ? `${X}, 1, true, true` : `${X}, axis=1, exclusive=True, reverse=True`;
      out.push(act('exclusive-reverse', c.mul(`${c.fn}(${args})`, c.const(W23)), XG, `torch.cat([torch.flip(torch.cumprod(torch.flip(x.reshape(2, 3), [1]), 1), [1])[:, 1:], torch.ones(2, 1)], dim=1) * ${W23REF}`));
    }
    return out;
  },
  moveaxis: (c: Ctx) => {
    const X3 = c.reshape('x', 1, 2, 3);
    return [
      act('0-to-2', c.mul(`${c.fn}(${X3}, 0, 2)`, c.const([[[1.0], [-2.0], [0.5]], [[3.0], [-1.5], [2.0]]])), XG, 'torch.movedim(x.reshape(1, 2, 3), 0, 2) * T([[[1.0], [-2.0], [0.5]], [[3.0], [-1.5], [2.0]]])'),
      act('tuples', c.mul(`${c.fn}(${X3}, source=(1, 2), destination=(0, 1))`, c.const([[[1.0], [-2.0], [0.5]], [[3.0], [-1.5], [2.0]]])), XG, 'torch.movedim(x.reshape(1, 2, 3), (1, 2), (0, 1)) * T([[[1.0], [-2.0], [0.5]], [[3.0], [-1.5], [2.0]]])'),
    ];
  },
  t: (c: Ctx) => [
    act('2d', c.mul(`${c.fn}(${c.reshape('x', 2, 3)})`, c.const([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])), XG, 'x.reshape(2, 3).t() * T([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])'),
    act('1d', c.mul(`${c.fn}(x)`, c.const(C6)), XG, `x * T(${py(C6)})`),
  ],
  unstack: (c: Ctx) => {
    const X = c.reshape('x', 2, 3);
    const un = (ax: number): string => (c.js ? `${c.fn}(${X}, ${ax})` : isTorch(c) ? `${c.fn}(${X}, dim=${ax})` : `${c.fn}(${X}, axis=${ax})`);
    return [
      act('axis1', c.sub(c.mul(`${un(1)}[0]`, `${un(1)}[2]`), `${un(1)}[1]`), XG, '(lambda X: X[:, 0] * X[:, 2] - X[:, 1])(x.reshape(2, 3))'),
      act('axis0', c.mul(`${un(0)}[1]`, c.const([1.0, -2.0, 0.5])), XG, 'x.reshape(2, 3)[1] * T([1.0, -2.0, 0.5])'),
    ];
  },
  split: (c: Ctx) => {
    const name = lastName(c);
    const X = c.reshape('x', 2, 3);
    const ax = (n: number): string => (c.js ? `, ${n}` : isTorch(c) ? `, dim=${n}` : `, axis=${n}`);
    const list = (xs: number[]): string => `[${xs.join(', ')}]`;
    if (name === 'chunk') {
      return [
        act('3', c.mul(`${c.fn}(x, 3)[2]`, `${c.fn}(x, 3)[0]`), XG, 'x[4:6] * x[0:2]'),
        // torch.chunk(4) of 6 gives chunks of ceil(6 / 4) = 2: only three.
        act('uneven', c.mul(`${c.fn}(x, 4)[2]`, c.const([1.0, -2.0])), XG, 'x[4:6] * T([1.0, -2.0])'),
        act('dim1', c.mul(`${c.fn}(${X}, 3${ax(1)})[1]`, c.const([[1.0], [-2.0]])), XG, 'x.reshape(2, 3)[:, 1:2] * T([[1.0], [-2.0]])'),
      ];
    }
    if (name === 'split' && isTorch(c)) {
      return [
        act('size2', c.mul(`${c.fn}(x, 2)[1]`, `${c.fn}(x, 2)[2]`), XG, 'x[2:4] * x[4:6]'),
        act('size4', c.mul(`${c.fn}(x, 4)[1]`, c.const([1.0, -2.0])), XG, 'x[4:6] * T([1.0, -2.0])'),
        act('sizes', c.mul(`${c.fn}(x, ${list([1, 5])})[1]`, c.const([1.0, -2.0, 0.5, 3.0, -1.5])), XG, 'x[1:6] * T([1.0, -2.0, 0.5, 3.0, -1.5])'),
        act('dim1', c.mul(`${c.fn}(${X}, 2${ax(1)})[0]`, c.const([[1.0, -2.0], [0.5, 3.0]])), XG, 'x.reshape(2, 3)[:, 0:2] * T([[1.0, -2.0], [0.5, 3.0]])'),
      ];
    }
    // numpy / keras.ops: an int is a count of equal sections, a list the split indices; tf.split (TF, TF.js):
    // an int is a count, a list the sizes.
    const sizesRef = c.group === 'np' || c.mod === 'keras.ops' || c.mod === 'keras.src.ops' ? { arg: list([1, 3]), ref: 'x[1:3]' } : { arg: list([1, 2, 3]), ref: 'x[1:3]' };
    return [
      act('sections', c.mul(`${c.fn}(x, 3)[1]`, `${c.fn}(x, 3)[2]`), XG, 'x[2:4] * x[4:6]'),
      act('list', c.mul(`${c.fn}(x, ${sizesRef.arg})[1]`, c.const([1.0, -2.0])), XG, `${sizesRef.ref} * T([1.0, -2.0])`),
      act('axis1', c.mul(`${c.fn}(${X}, 3${ax(1)})[2]`, c.const([[1.0], [-2.0]])), XG, 'x.reshape(2, 3)[:, 2:3] * T([[1.0], [-2.0]])'),
    ];
  },
  repeat_elements: (c: Ctx) => {
    const X = c.reshape('x', 2, 3);
    const ax = (n: number): string => (isTorch(c) ? `dim=${n}` : `axis=${n}`);
    return [
      act('flat', c.mul(`${c.fn}(x, 2)`, c.const([...C6, ...C6.map((v) => -v)])), XG, `torch.repeat_interleave(x, 2) * T(${py([...C6, ...C6.map((v) => -v)])})`),
      act('axis1', c.mul(`${c.fn}(${X}, 2, ${ax(1)})`, c.const([[1.0, 2.0, 3.0, 4.0, 5.0, 6.0], [-1.0, -2.0, -3.0, -4.0, -5.0, -6.0]])), XG, 'torch.repeat_interleave(x.reshape(2, 3), 2, dim=1) * T([[1.0, 2.0, 3.0, 4.0, 5.0, 6.0], [-1.0, -2.0, -3.0, -4.0, -5.0, -6.0]])'),
      act('per-element', c.sq(`${c.fn}(${X}, ${isTorch(c) ? 'torch.tensor([1, 3])' : '[1, 3]'}, ${ax(0)})`), XG, 'torch.repeat_interleave(x.reshape(2, 3), torch.tensor([1, 3]), dim=0) ** 2'),
    ];
  },
  einsum: (c: Ctx) => {
    const X = c.reshape('x', 2, 3);
    const Y = c.reshape(c.sq('x'), 3, 2);
    const M = c.reshape('x', 3, 3);
    const out = [
      act('matmul', c.sq(`${c.fn}('ij,jk->ik', ${X}, ${Y})`), XG, "torch.einsum('ij,jk->ik', x.reshape(2, 3), (x ** 2).reshape(3, 2)) ** 2"),
      act('outer', c.mul(`${c.fn}('i,j->ij', x, ${c.const([1.0, -2.0])})`, c.const([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0], [-1.0, -2.0], [-3.0, -4.0], [-5.0, -6.0]])), XG, "torch.einsum('i,j->ij', x, T([1.0, -2.0])) * T([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0], [-1.0, -2.0], [-3.0, -4.0], [-5.0, -6.0]])"),
      act('implicit', c.mul(`${c.fn}('ij,ij', ${X}, ${c.reshape(c.sq('x'), 2, 3)})`, 'x'), XG, "torch.einsum('ij,ij', x.reshape(2, 3), (x ** 2).reshape(2, 3)) * x"),
      act('trace', c.mul(`${c.fn}('ii', ${M})`, 'x'), X9, "torch.einsum('ii', x.reshape(3, 3)) * x"),
      act('ellipsis', c.sq(`${c.fn}('...j,jk->...k', ${c.reshape('x', 1, 2, 3)}, ${Y})`), XG, "torch.einsum('...j,jk->...k', x.reshape(1, 2, 3), (x ** 2).reshape(3, 2)) ** 2"),
      act('transpose', c.mul(`${c.fn}('ij->ji', ${X})`, c.const([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])), XG, "x.reshape(2, 3).T * T([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])"),
    ];
    // torch.einsum also takes the operands as one list.
    if (isTorch(c)) out.push(act('list', c.sq(`${c.fn}('ij,jk->ik', [${X}, ${Y}])`), XG, "torch.einsum('ij,jk->ik', x.reshape(2, 3), (x ** 2).reshape(3, 2)) ** 2"));
    return out;
  },
  cdist: (c: Ctx) => {
    const X = c.reshape('x', 2, 3);
    const B = c.const([[0.5, -1.0, 2.0], [1.5, 0.2, -0.3], [-0.4, 0.9, 1.1], [0.0, 0.0, 0.0]]);
    const BREF = 'T([[0.5, -1.0, 2.0], [1.5, 0.2, -0.3], [-0.4, 0.9, 1.1], [0.0, 0.0, 0.0]])';
    return [
      act('p2', c.mul(`${c.fn}(${X}, ${B})`, c.const([[1.0, -2.0, 0.5, 3.0], [-1.5, 2.0, 0.25, 1.0]])), XG, `torch.cdist(x.reshape(2, 3), ${BREF}) * T([[1.0, -2.0, 0.5, 3.0], [-1.5, 2.0, 0.25, 1.0]])`),
      act('p1', `${c.fn}(${X}, ${B}, p=1.0)`, XG, `torch.cdist(x.reshape(2, 3), ${BREF}, p=1.0)`),
      act('p3', `${c.fn}(${X}, ${B}, p=3.0)`, XG, `torch.cdist(x.reshape(2, 3), ${BREF}, p=3.0)`),
      act('pinf', `${c.fn}(${X}, ${B}, p=float('inf'))`, XG, `torch.cdist(x.reshape(2, 3), ${BREF}, p=float('inf'))`),
      // Zero distances (a point to itself): torch's gradient there is 0, not NaN.
      act('self', c.mul(`${c.fn}(${X}, ${X})`, c.const([[1.0, -2.0], [0.5, 3.0]])), XG, 'torch.cdist(x.reshape(2, 3), x.reshape(2, 3)) * T([[1.0, -2.0], [0.5, 3.0]])'),
    ];
  },
  lerp: (c: Ctx) => [
    act('scalar-weight', `${c.fn}(x, ${other(c)}, 0.3)`, XG, `torch.lerp(x, ${OTHER}, 0.3)`),
    act('tensor-weight', `${c.fn}(x, ${c.const(C6)}, x * 0.2)`, XG, `torch.lerp(x, T(${py(C6)}), x * 0.2)`),
  ],
  heaviside: (c: Ctx) => {
    const XH = [-1.5, 0.0, 0.5, 2.0, -3.0, 0.0];
    return [act('values', c.mul(`${c.fn}(x, ${c.const(0.5)})`, 'x'), XH, 'nodiff(torch.heaviside(x, T(0.5))) * x')];
  },
  xlog1py: (c: Ctx) => {
    const x = [0.0, 0.3, -0.4, 1.2, 2.0, 0.7];
    return [
      act('xy', `${c.fn}(x, ${c.add(c.mul('x', '0.5'), '0.8')})`, x, 'torch.special.xlog1py(x, 0.5 * x + 0.8)'),
      act('scalar', `${c.fn}(x, ${c.const(C6.map(() => 2.5))})`, x, 'torch.special.xlog1py(x, torch.full_like(x, 2.5))'),
    ];
  },
  entr: (c: Ctx) => {
    const out = [act('nonneg', `${c.fn}(x)`, [0.0, 0.2, 0.5, 1.0, 1.5, 2.3], 'torch.special.entr(x)')];
    // Below 0: -inf; the gradient is NaN in torch (its formula) and 0 in JAX (a constant branch).
    out.push(act('negative', `${c.fn}(x)`, [-0.5, 0.2, 1.5], isTorch(c) ? 'torch.special.entr(x)' : 'jax_entr(x)'));
    return out;
  },
  sparse_plus: unary([-2.1, -0.9, -0.35, 0.2, 0.75, 1.6], 'jax_sparse_plus(x)'),
  sparse_sigmoid: unary([-2.1, -0.9, -0.35, 0.2, 0.75, 1.6], 'jax_sparse_sigmoid(x)'),
  threshold: (c: Ctx) => [
    act('default', `${c.fn}(x, 0.3, -1.0)`, XG, 'F.threshold(x, 0.3, -1.0)'),
    act('inplace', `${c.fn}(x, 0.3, -1.0, inplace=True)`, XG, 'F.threshold(x, 0.3, -1.0)'),
  ],
  average: (c: Ctx) => {
    const X = c.reshape('x', 2, 3);
    return [
      act('plain', c.mul(`${c.fn}(x)`, 'x'), XG, 'x.mean() * x'),
      act('weights-axis1', c.mul(`${c.fn}(${X}, axis=1, weights=${c.const([1.0, 2.0, 0.5])})`, c.const([1.0, -2.0])), XG, '((x.reshape(2, 3) * T([1.0, 2.0, 0.5])).sum(1) / 3.5) * T([1.0, -2.0])'),
      act('weights-all', c.mul(`${c.fn}(${X}, weights=${c.const(W23)})`, 'x'), XG, `((x.reshape(2, 3) * ${W23REF}).sum() / ${W23REF}.sum()) * x`),
    ];
  },
  matmul_tf: (c: Ctx) => {
    const X = c.reshape('x', 2, 3);
    return [
      act('plain', c.sq(`${c.fn}(${X}, ${c.reshape(c.sq('x'), 3, 2)})`), XG, 'torch.matmul(x.reshape(2, 3), (x ** 2).reshape(3, 2)) ** 2'),
      act('transpose-b', c.sq(`${c.fn}(${X}, ${c.reshape(c.sq('x'), 2, 3)}, transpose_b=True)`), XG, 'torch.matmul(x.reshape(2, 3), (x ** 2).reshape(2, 3).T) ** 2'),
      act('transpose-a', c.sq(`${c.fn}(${X}, ${c.reshape(c.sq('x'), 2, 3)}, transpose_a=True)`), XG, 'torch.matmul(x.reshape(2, 3).T, (x ** 2).reshape(2, 3)) ** 2'),
      act('adjoint-b', c.sq(`${c.fn}(${X}, ${X}, adjoint_b=True)`), XG, 'torch.matmul(x.reshape(2, 3), x.reshape(2, 3).T) ** 2'),
    ];
  },
  // keras.backend.floatx() == 'float32' (keras/backend_config.py).
  floatx: (c: Ctx) => [act('cast', `tf.cast(x, ${c.fn}()) * 2.0`, XG, 'x * 2.0')],
  cosine_embedding_loss: (c: Ctx) => {
    const y = 'torch.tensor([1.0, -1.0])';
    return [
      loss('mean', `${c.fn}(${c.P}, ${c.T}, ${y})`, L_YT, L_YP, 'F.cosine_embedding_loss(yp, yt, T([1.0, -1.0]))'),
      loss('margin', `${c.fn}(${c.P}, ${c.T}, torch.tensor([-1.0, -1.0]), margin=-0.5)`, L_YT, L_YP, 'F.cosine_embedding_loss(yp, yt, T([-1.0, -1.0]), margin=-0.5)'),
      loss('sum', `${c.fn}(${c.P}, ${c.T}, ${y}, reduction='sum')`, L_YT, L_YP, "F.cosine_embedding_loss(yp, yt, T([1.0, -1.0]), reduction='sum')"),
      loss('none', c.mul(`${c.fn}(${c.P}, ${c.T}, ${y}, reduction='none')`, 'torch.tensor([2.0, -0.5])'), L_YT, L_YP, "F.cosine_embedding_loss(yp, yt, T([1.0, -1.0]), reduction='none') * T([2.0, -0.5])"),
    ];
  },

  // ---- padding
  pad_torch: (c: Ctx) => {
    const X = c.reshape('x', 1, 2, 3);
    const sq = (e: string): string => c.sq(e);
    return [
      act('constant-last', sq(`${c.fn}(${X}, (1, 2))`), XG, 'F.pad(x.reshape(1, 2, 3), (1, 2)) ** 2'),
      act('constant-value', c.mul(`${c.fn}(${X}, (1, 1, 0, 1), value=0.5)`, `${c.fn}(${X}, (1, 1, 0, 1), value=0.5)`), XG, 'F.pad(x.reshape(1, 2, 3), (1, 1, 0, 1), value=0.5) ** 2'),
      act('reflect', sq(`${c.fn}(${X}, (2, 1), mode='reflect')`), XG, "F.pad(x.reshape(1, 2, 3), (2, 1), mode='reflect') ** 2"),
      act('replicate', sq(`${c.fn}(${X}, (2, 1), mode='replicate')`), XG, "F.pad(x.reshape(1, 2, 3), (2, 1), mode='replicate') ** 2"),
      act('circular', sq(`${c.fn}(${X}, (2, 1), mode='circular')`), XG, "F.pad(x.reshape(1, 2, 3), (2, 1), mode='circular') ** 2"),
      act('crop', sq(`${c.fn}(${X}, (-1, 1))`), XG, 'F.pad(x.reshape(1, 2, 3), (-1, 1)) ** 2'),
      act('reflect-2d', sq(`${c.fn}(${c.reshape('x', 1, 1, 3, 4)}, (1, 1, 1, 2), mode='reflect')`), X12, "F.pad(x.reshape(1, 1, 3, 4), (1, 1, 1, 2), mode='reflect') ** 2"),
    ];
  },
  pad: (c: Ctx) => padSpec(c),

  // ---- pooling and convolution
  max_pool_torch: (c: Ctx) => torchPoolSpec(c, 'max'),
  avg_pool_torch: (c: Ctx) => torchPoolSpec(c, 'avg'),
  max_pool_tf: (c: Ctx) => tfPoolSpec(c, 'max'),
  avg_pool_tf: (c: Ctx) => tfPoolSpec(c, 'avg'),
  conv_torch: (c: Ctx) => torchConvSpec(c),
  conv_tf: (c: Ctx) => tfConvSpec(c),
});

// NumPy / jax.numpy reductions with where= (elements left out) and initial= (an extra element).
for (const kind of ['sum', 'mean', 'max', 'min', 'prod'] as const) {
  const plain = specs[kind];
  specs[kind] = (c: Ctx) => {
    const out = plain(c);
    if (c.mod !== 'numpy' && c.mod !== 'jax.numpy') return out;
    const X = c.reshape('x', 2, 3);
    const XREF = 'x.reshape(2, 3)';
    switch (kind) {
      case 'sum': out.push(
        act('where', c.mul(`${c.fn}(${X}, axis=1, where=${X} > 0.0)`, c.const([2.0, -1.0])), XG, `torch.where(${XREF} > 0, ${XREF}, torch.zeros_like(${XREF})).sum(1) * T([2.0, -1.0])`),
        act('initial', c.mul(`${c.fn}(x, initial=1.5)`, 'x'), XG, '(x.sum() + 1.5) * x'));
        break;
      case 'mean': out.push(act('where', c.mul(`${c.fn}(${X}, axis=1, where=${X} > -1.0)`, c.const([2.0, -1.0])), XG, `(torch.where(${XREF} > -1, ${XREF}, torch.zeros_like(${XREF})).sum(1) / (${XREF} > -1).sum(1)) * T([2.0, -1.0])`));
        break;
      case 'max': out.push(act('where-initial', c.mul(`${c.fn}(${X}, axis=1, where=${X} < 1.0, initial=-5.0)`, c.const([2.0, -1.0])), XG, `torch.amax(torch.where(${XREF} < 1, ${XREF}, torch.full_like(${XREF}, -5.0)), 1) * T([2.0, -1.0])`));
        break;
      case 'min': out.push(act('where-initial', c.mul(`${c.fn}(${X}, axis=0, where=${X} > -1.0, initial=5.0)`, c.const([2.0, -1.0, 0.5])), XG, `torch.amin(torch.where(${XREF} > -1, ${XREF}, torch.full_like(${XREF}, 5.0)), 0) * T([2.0, -1.0, 0.5])`));
        break;
      case 'prod': out.push(act('where', c.mul(`${c.fn}(${X}, axis=1, where=${X} > 0.0)`, c.const([2.0, -1.0])), [0.8, -1.3, 1.1, 0.6, -0.9, 1.4], `torch.prod(torch.where(${XREF} > 0, ${XREF}, torch.ones_like(${XREF})), 1) * T([2.0, -1.0])`));
        break;
    }
    return out;
  };
}

function triangleSpec(c: Ctx, ref: string): Variant[] {
  const kw = isTorch(c) ? 'diagonal' : 'k';
  const M = c.reshape('x', 3, 3);
  return [
    act('default', c.sq(`${c.fn}(${M})`), X9, `${ref}(x.reshape(3, 3)) ** 2`),
    act('k1', c.sq(`${c.fn}(${M}, ${kw}=1)`), X9, `${ref}(x.reshape(3, 3), 1) ** 2`),
    act('k-neg', c.sq(`${c.fn}(${M}, ${kw}=-1)`), X9, `${ref}(x.reshape(3, 3), -1) ** 2`),
    act('rect-batched', c.sq(`${c.fn}(${c.reshape('x', 2, 2, 3)})`), X12, `${ref}(x.reshape(2, 2, 3)) ** 2`),
  ];
}

function padSpec(c: Ctx): Variant[] {
  const X = c.reshape('x', 2, 3);
  const name = lastName(c);
  if (c.js) {
    if (name === 'mirrorPad') {
      return [
        act('reflect', c.sq(`${c.fn}(${X}, [[1, 0], [2, 1]], 'reflect')`), XG, "F.pad(x.reshape(1, 1, 2, 3), (2, 1, 1, 0), mode='reflect').reshape(3, 6) ** 2"),
        act('symmetric', c.sq(`${c.fn}(${X}, [[1, 1], [2, 0]], 'symmetric')`), XG, 'torch.cat([x.reshape(2, 3)[:1], x.reshape(2, 3), x.reshape(2, 3)[1:]], 0)[:, [1, 0, 0, 1, 2]] ** 2'),
      ];
    }
    return [
      act('constant', c.sq(`${c.fn}(${X}, [[1, 0], [2, 1]])`), XG, 'F.pad(x.reshape(2, 3), (2, 1, 1, 0)) ** 2'),
      act('value', c.mul(`${c.fn}(${X}, [[0, 1], [1, 1]], 0.5)`, `${c.fn}(${X}, [[0, 1], [1, 1]], 0.5)`), XG, 'F.pad(x.reshape(2, 3), (1, 1, 0, 1), value=0.5) ** 2'),
    ];
  }
  if (c.group === 'tf') {
    return [
      act('constant', c.sq(`${c.fn}(${X}, [[1, 0], [2, 1]])`), XG, 'F.pad(x.reshape(2, 3), (2, 1, 1, 0)) ** 2'),
      act('value', c.mul(`${c.fn}(${X}, [[0, 1], [1, 1]], constant_values=0.5)`, `${c.fn}(${X}, [[0, 1], [1, 1]], constant_values=0.5)`), XG, 'F.pad(x.reshape(2, 3), (1, 1, 0, 1), value=0.5) ** 2'),
      act('reflect', c.sq(`${c.fn}(${X}, [[1, 0], [2, 1]], mode='REFLECT')`), XG, "F.pad(x.reshape(1, 1, 2, 3), (2, 1, 1, 0), mode='reflect').reshape(3, 6) ** 2"),
      // SYMMETRIC repeats the edge element: rows [0, 0, 1, 1] and columns [1, 0, 0, 1, 2] here.
      act('symmetric', c.sq(`${c.fn}(${X}, [[1, 1], [2, 0]], mode='SYMMETRIC')`), XG, 'x.reshape(2, 3)[[0, 0, 1, 1]][:, [1, 0, 0, 1, 2]] ** 2'),
    ];
  }
  return [
    act('int', c.sq(`${c.fn}(x, 2)`), XG, 'F.pad(x, (2, 2)) ** 2'),
    act('pair', c.sq(`${c.fn}(${X}, (1, 2))`), XG, 'F.pad(x.reshape(2, 3), (1, 2, 1, 2)) ** 2'),
    act('per-axis', c.sq(`${c.fn}(${X}, ((1, 0), (0, 2)))`), XG, 'F.pad(x.reshape(2, 3), (0, 2, 1, 0)) ** 2'),
    act('value', c.mul(`${c.fn}(x, 1, constant_values=0.5)`, `${c.fn}(x, 1, constant_values=0.5)`), XG, 'F.pad(x, (1, 1), value=0.5) ** 2'),
    act('edge', c.sq(`${c.fn}(${X}, ((1, 0), (2, 1)), mode='edge')`), XG, "F.pad(x.reshape(1, 2, 3), (2, 1), mode='replicate').reshape(2, 6)[[0, 0, 1]] ** 2"),
    act('reflect', c.sq(`${c.fn}(${X}, ((1, 0), (2, 1)), mode='reflect')`), XG, "F.pad(x.reshape(1, 1, 2, 3), (2, 1, 1, 0), mode='reflect').reshape(3, 6) ** 2"),
    act('symmetric', c.sq(`${c.fn}(${X}, ((1, 1), (2, 0)), mode='symmetric')`), XG, 'x.reshape(2, 3)[[0, 0, 1, 1]][:, [1, 0, 0, 1, 2]] ** 2'),
    act('wrap', c.sq(`${c.fn}(x, (2, 1), mode='wrap')`), XG, "F.pad(x.reshape(1, 1, 6), (2, 1), mode='circular').reshape(9) ** 2"),
  ];
}

function torchPoolSpec(c: Ctx, kind: 'max' | 'avg'): Variant[] {
  const d = Number(lastName(c).slice(-2, -1));
  const shape = d === 1 ? [1, 2, 6] : d === 2 ? [1, 1, 3, 4] : [1, 1, 2, 2, 3];
  const X = c.reshape('x', ...shape);
  const xref = `x.reshape(${shape.join(', ')})`;
  const fn = `F.${lastName(c)}`;
  const out = [
    act('k2', c.sq(`${c.fn}(${X}, 2)`), X12, `${fn}(${xref}, 2) ** 2`),
    act('k2-s1', c.sq(`${c.fn}(${X}, 2, stride=1)`), X12, `${fn}(${xref}, 2, stride=1) ** 2`),
    act('pad1', c.sq(`${c.fn}(${X}, 2, stride=1, padding=1)`), X12, `${fn}(${xref}, 2, stride=1, padding=1) ** 2`),
    act('ceil', c.sq(`${c.fn}(${X}, 2, stride=2, padding=1, ceil_mode=True)`), X12, `${fn}(${xref}, 2, stride=2, padding=1, ceil_mode=True) ** 2`),
  ];
  const tupleKernel = d === 3 ? '(1, 1, 2)' : '(1, 2)';
  if (d >= 2) out.push(act('tuple-kernel', c.sq(`${c.fn}(${X}, ${tupleKernel}, stride=${d === 3 ? '(1, 1, 1)' : '(1, 1)'})`), X12, `${fn}(${xref}, ${tupleKernel}, stride=1) ** 2`));
  if (kind === 'avg') {
    out.push(act('exclude-pad', c.sq(`${c.fn}(${X}, 2, stride=1, padding=1, count_include_pad=False)`), X12, `${fn}(${xref}, 2, stride=1, padding=1, count_include_pad=False) ** 2`));
    if (d < 3) out.push(act('ceil-exclude', c.sq(`${c.fn}(${X}, 3, stride=2, padding=1, ceil_mode=True, count_include_pad=False)`), X12, `${fn}(${xref}, 3, stride=2, padding=1, ceil_mode=True, count_include_pad=False) ** 2`));
    if (d >= 2) out.push(act('divisor', c.sq(`${c.fn}(${X}, 2, divisor_override=3)`), X12, `${fn}(${xref}, 2, divisor_override=3) ** 2`));
  }
  // Unbatched input (C, L…).
  out.push(act('unbatched', c.sq(`${c.fn}(${c.reshape('x', ...shape.slice(1))}, 2, stride=1)`), X12, `${fn}(x.reshape(${shape.slice(1).join(', ')}), 2, stride=1) ** 2`));
  return out;
}

function tfPoolSpec(c: Ctx, kind: 'max' | 'avg'): Variant[] {
  const name = lastName(c);
  const d = c.js ? (name.endsWith('3d') ? 3 : 2) : /[123]d$/.test(name) ? Number(name.slice(-2, -1)) : 2;
  const shape = d === 1 ? [1, 6, 2] : d === 2 ? [1, 3, 4, 1] : [1, 2, 2, 3, 1];
  const X = c.reshape('x', ...shape);
  const xref = `x.reshape(${shape.join(', ')})`;
  const keras = c.group === 'keras';
  const call = (k: number, s: number, p: string): string => {
    if (c.js) return `${c.fn}(${X}, ${k}, ${s}, '${p.toLowerCase()}')`;
    if (keras) return `${c.fn}(${X}, ${k}, strides=${s}, padding='${p.toLowerCase()}')`;
    return `${c.fn}(${X}, ksize=${k}, strides=${s}, padding='${p}')`;
  };
  const ref = (k: number, s: number, p: string): string => `tf_pool(${xref}, '${kind}', ${k}, ${s}, '${p}')`;
  const out = [
    act('valid', c.sq(call(2, 1, 'VALID')), X12, `${ref(2, 1, 'VALID')} ** 2`),
    act('same', c.sq(call(2, 1, 'SAME')), X12, `${ref(2, 1, 'SAME')} ** 2`),
    act('same-s2', c.sq(call(3, 2, 'SAME')), X12, `${ref(3, 2, 'SAME')} ** 2`),
  ];
  if (!c.js && !keras) out.push(act('nchw', c.sq(`${c.fn}(${c.reshape('x', ...[shape[0], shape[shape.length - 1], ...shape.slice(1, -1)])}, ksize=2, strides=1, padding='SAME', data_format='${['NCW', 'NCHW', 'NCDHW'][d - 1]}')`), X12,
    `tf_pool(x.reshape(${[shape[0], shape[shape.length - 1], ...shape.slice(1, -1)].join(', ')}), '${kind}', 2, 1, 'SAME', 'channels_first') ** 2`));
  if (keras) out.push(act('default-strides', c.sq(`${c.fn}(${X}, 2)`), X12, `${ref(2, 2, 'VALID')} ** 2`));
  return out;
}

function torchConvSpec(c: Ctx): Variant[] {
  const d = Number(lastName(c).slice(-2, -1));
  const shape = d === 1 ? [1, 2, 6] : d === 2 ? [1, 1, 3, 4] : [1, 1, 2, 2, 3];
  const X = c.reshape('x', ...shape);
  const xref = `x.reshape(${shape.join(', ')})`;
  const fn = `F.${lastName(c)}`;
  const cin = shape[1];
  const k = d === 1 ? [2] : d === 2 ? [2, 2] : [1, 2, 2];
  // Weights (out=2, in=cin, k…) with distinct values.
  const wshape = [2, cin, ...k];
  const wsize = wshape.reduce((p, q) => p * q, 1);
  const wvals = Array.from({ length: wsize }, (_, i) => [0.5, -1.0, 0.25, 1.5, -0.75, 2.0, -0.5, 1.0][i % 8]);
  const W = `torch.tensor(${literalOf(wvals)}).reshape(${wshape.join(', ')})`;
  const WREF = `T(${py(wvals)}).reshape(${wshape.join(', ')})`;
  const out = [
    act('valid', c.sq(`${c.fn}(${X}, ${W})`), X12, `${fn}(${xref}, ${WREF}) ** 2`),
    act('pad1', c.sq(`${c.fn}(${X}, ${W}, padding=1)`), X12, `${fn}(${xref}, ${WREF}, padding=1) ** 2`),
    act('same', c.sq(`${c.fn}(${X}, ${W}, padding='same')`), X12, `${fn}(${xref}, ${WREF}, padding='same') ** 2`),
    act('bias-stride', c.sq(`${c.fn}(${X}, ${W}, torch.tensor([0.5, -1.0]), stride=2, padding=1)`), X12, `${fn}(${xref}, ${WREF}, T([0.5, -1.0]), stride=2, padding=1) ** 2`),
    act('dilation', c.sq(`${c.fn}(${X}, ${W}, padding=1, dilation=2)`), X12, `${fn}(${xref}, ${WREF}, padding=1, dilation=2) ** 2`),
    // The weight is a function of x too: both gradients flow.
    act('weight-grad', c.sq(`${c.fn}(${X}, ${c.reshape(`x[:${wsize}]`, ...wshape)})`), X12.slice(0, 12), `${fn}(${xref}, x[:${wsize}].reshape(${wshape.join(', ')})) ** 2`),
  ];
  if (d === 1) {
    // groups=2: each input channel convolved with its own filters (depthwise-like, SSIM style).
    const G = 'torch.tensor([[[0.25, 0.5, 0.25]], [[1.0, -2.0, 1.0]]])';
    out.push(act('groups', c.sq(`${c.fn}(${X}, ${G}, padding=1, groups=2)`), X12, `${fn}(${xref}, T([[[0.25, 0.5, 0.25]], [[1.0, -2.0, 1.0]]]), padding=1, groups=2) ** 2`));
  }
  return out;
}

function tfConvSpec(c: Ctx): Variant[] {
  const name = lastName(c);
  const d = c.js ? Number(name.slice(-2, -1)) : name === 'conv' || name === 'convolution' ? 2 : Number(name.slice(-2, -1));
  const shape = d === 1 ? [1, 6, 2] : d === 2 ? [1, 3, 4, 1] : [1, 2, 2, 3, 1];
  const cin = shape[shape.length - 1];
  const k = d === 1 ? [2] : d === 2 ? [2, 2] : [1, 2, 2];
  const fshape = [...k, cin, 2];
  const fsize = fshape.reduce((p, q) => p * q, 1);
  const fvals = Array.from({ length: fsize }, (_, i) => [0.5, -1.0, 0.25, 1.5, -0.75, 2.0, -0.5, 1.0][i % 8]);
  const X = c.reshape('x', ...shape);
  const xref = `x.reshape(${shape.join(', ')})`;
  const Fl = c.js ? `tf.reshape(tf.tensor(${literalOf(fvals)}), [${fshape.join(', ')}])` : `tf.reshape(tf.constant(${literalOf(fvals)}), (${fshape.join(', ')}))`;
  const FREF = `T(${py(fvals)}).reshape(${fshape.join(', ')})`;
  const keras = c.group === 'keras';
  const call = (s: number, p: string, extra = ''): string => {
    if (c.js) return `${c.fn}(${X}, ${Fl}, ${s}, '${p.toLowerCase()}'${extra})`;
    if (keras) return `${c.fn}(${X}, ${Fl}, strides=${s}, padding='${p.toLowerCase()}'${extra})`;
    const sk = name === 'conv1d' ? 'stride' : 'strides';
    return `${c.fn}(${X}, ${Fl}, ${sk}=${s}, padding='${p}'${extra})`;
  };
  const out = [
    act('valid', c.sq(call(1, 'VALID')), X12, `tf_conv(${xref}, ${FREF}, 1, 'VALID') ** 2`),
    act('same', c.sq(call(1, 'SAME')), X12, `tf_conv(${xref}, ${FREF}, 1, 'SAME') ** 2`),
    act('same-s2', c.sq(call(2, 'SAME')), X12, `tf_conv(${xref}, ${FREF}, 2, 'SAME') ** 2`),
  ];
  if (!c.js) {
    const dk = keras ? 'dilation_rate' : 'dilations';
    out.push(act('dilation', c.sq(call(1, 'SAME', `, ${dk}=2`)), X12, `tf_conv(${xref}, ${FREF}, 1, 'SAME', dilations=2) ** 2`));
  }
  if (c.js) out.push(act('explicit-pad', c.sq(`${c.fn}(${X}, ${Fl}, 1, 1)`), X12, `tf_conv(${xref}, ${FREF}, 1, 1) ** 2`));
  return out;
}

/** Python float-list literal for generated constants. */
function literalOf(v: number[]): string {
  return `[${v.map((x) => (Number.isInteger(x) ? `${x}.0` : String(x))).join(', ')}]`;
}

function softmaxSpec(c: Ctx, ref: string): Variant[] {
  const X = c.reshape('x', 2, 3);
  const dimKw = (n: number): string => (c.js ? `, ${n}` : isTorch(c) ? `, dim=${n}` : `, axis=${n}`);
  const needsDim = c.row === 'torch.softmax' || c.row === 'torch.log_softmax';
  const out: Variant[] = [
    act('1d', c.sq(`${c.fn}(x${needsDim ? ', 0' : ''})`), XG, `${ref}(x, 0) ** 2`),
    act('axis0', c.sq(`${c.fn}(${X}${dimKw(0)})`), XG, `${ref}(x.reshape(2, 3), 0) ** 2`),
    act('axis-1', c.sq(`${c.fn}(${X}${dimKw(-1)})`), XG, `${ref}(x.reshape(2, 3), -1) ** 2`),
  ];
  if (!needsDim) {
    // Default axis: -1 everywhere except F.softmax(dim=None), whose legacy implicit dim is 0 for 0-, 1- and
    // 3-D inputs and 1 otherwise (torch.nn.functional._get_softmax_dim).
    out.push(act('default-2d', c.sq(`${c.fn}(${X})`), XG, `${ref}(x.reshape(2, 3), 1) ** 2`));
    out.push(act('default-3d', c.sq(`${c.fn}(${c.reshape('x', 1, 2, 3)})`), XG, `${ref}(x.reshape(1, 2, 3), ${isTorch(c) ? 0 : -1}) ** 2`));
  }
  return out;
}

function clipSpec(c: Ctx): Variant[] {
  const lo = -0.5;
  const hi = 0.7;
  const name = c.row;
  const both = (a: string | number, b: string | number): string => {
    if (c.js) return `${c.fn}(x, ${a}, ${b})`;
    if (name === 'jax.lax.clamp') return `${c.fn}(${a}, x, ${b})`;
    if (name === 'torch.clamp_min') return `${c.fn}(x, ${a})`;
    if (name === 'torch.clamp_max') return `${c.fn}(x, ${b})`;
    const [kl, kh] = c.mod === 'torch' ? ['min', 'max']
      : c.mod === 'tf' || c.mod === 'tf.math' ? ['clip_value_min', 'clip_value_max']
        : c.mod === 'keras.backend' ? ['min_value', 'max_value']
          : c.group === 'keras' ? ['x_min', 'x_max']
            : ['a_min', 'a_max'];
    return `${c.fn}(x, ${kl}=${a}, ${kh}=${b})`;
  };
  const ref = name === 'torch.clamp_min' ? `torch.clamp(x, min=${lo})` : name === 'torch.clamp_max' ? `torch.clamp(x, max=${hi})` : `torch.clamp(x, ${lo}, ${hi})`;
  const out = [act('scalars', both(lo, hi), XG, ref)];
  // Tensor bounds: the gradient flows to the bound where it is active (0.3 x never equals x for x != 0).
  if (!c.js && name !== 'jax.lax.clamp') {
    const tb = both(c.mul('x', '0.3'), 1.2);
    const refT = name === 'torch.clamp_max' ? 'torch.minimum(x, torch.full_like(x, 1.2))' : name === 'torch.clamp_min' ? 'torch.maximum(x, 0.3 * x)' : 'torch.clamp(x, min=0.3 * x, max=torch.full_like(x, 1.2))';
    out.push(act('tensor-bounds', tb, XG, refT));
  }
  // One-sided: torch.clamp(min=) alone, numpy.clip(a, a_min, None).
  if (name === 'torch.clamp' || name === 'torch.clip') out.push(act('min-only', `${c.fn}(x, min=${lo})`, XG, `torch.clamp(x, min=${lo})`));
  if (c.group === 'np' && name !== 'jax.lax.clamp') out.push(act('max-only', `${c.fn}(x, None, ${hi})`, XG, `torch.clamp(x, max=${hi})`));
  return out;
}

function varSpec(c: Ctx, ref: string): Variant[] {
  const unbiased = isTorch(c);
  const U = unbiased ? 'True' : 'False';
  const out = reduction({ ref, refArgs: `, unbiased=${U}` })(c);
  out[0].ref = `${ref}(x, unbiased=${U})`;
  if (isTorch(c)) {
    const X = c.reshape('x', 2, 3);
    out.push(act('unbiased-false', c.mul(`${c.fn}(${X}, dim=1, unbiased=False, keepdim=True)`, X), XG, `${ref}(x.reshape(2, 3), dim=1, unbiased=False, keepdim=True) * x.reshape(2, 3)`));
    out.push(act('correction0', `${c.fn}(x, correction=0)`, XG, `${ref}(x, unbiased=False)`));
  }
  if (c.group === 'np') out.push(act('ddof1', `${c.fn}(x, ddof=1)`, XG, `${ref}(x, unbiased=True)`));
  if (ref === 'torch.std' && !c.js) {
    // A constant row (deviation 0): PyTorch's std backward gives 0 there; TF, Keras, JAX and NumPy's
    // sqrt(var) take sqrt's infinite derivative times a zero deviation, NaN.
    const Z = `${c.reshape('x', 2, 3)} * ${c.const([[0.0], [1.0]])}`;
    const dim = c.group === 'torch' ? 'dim=1' : 'axis=1';
    const refZ = 'x.reshape(2, 3) * T([[0.0], [1.0]])';
    out.push(act('constant-row', `${c.fn}(${Z}, ${dim})`, XG,
      isTorch(c) ? `torch.std(${refZ}, dim=1)` : `torch.sqrt(torch.var(${refZ}, dim=1, unbiased=False))`));
  }
  return out;
}

function normSpec(c: Ctx): Variant[] {
  if (c.row === 'torch.linalg.matrix_norm') return matrixNormSpec(c);
  const X = c.reshape('x', 2, 3);
  const extra: Variant[] = [];
  const torchZero = isTorch(c);
  // The norm of a zero vector: PyTorch's gradient there is 0; TF's, JAX's and TF.js's sqrt(0)' · 0 is NaN.
  extra.push(act('zero', `${c.fn}(${c.mul('x', '0.0')})`, XG, torchZero ? 'torch.linalg.vector_norm(x * 0.0)' : 'torch.sqrt(torch.sum((x * 0.0) ** 2))'));
  if (c.row === 'tf.math.reduce_euclidean_norm') {
    return [
      act('all-2d', `${c.fn}(${X})`, XG, 'torch.linalg.vector_norm(x)'),
      act('axis1-keep', c.mul(`${c.fn}(${X}, axis=1, keepdims=True)`, X), XG, 'torch.linalg.vector_norm(x.reshape(2, 3), dim=1, keepdim=True) * x.reshape(2, 3)'),
      ...extra,
    ];
  }
  // Matrix norms where the framework computes them: NumPy-style (numpy, jax, torch.linalg.norm, keras.ops) for a
  // matrix with an order, tf.norm / tf.norm (TF.js) for a 2-axis `axis`.
  const numpyStyle = c.group === 'np' || c.row === 'torch.linalg.norm' || c.mod === 'keras.ops' || c.mod === 'keras.src.ops';
  const tfStyle = (c.group === 'tf' && c.row !== 'tf.math.reduce_euclidean_norm') || c.js;
  const inf = c.js ? 'Infinity' : c.group === 'np' ? `${c.b}.inf` : "float('inf')";
  if (numpyStyle) {
    extra.push(act('matrix-ord1', c.mul(`${c.fn}(${X}, ord=1)`, 'x'), XG, "torch.linalg.matrix_norm(x.reshape(2, 3), ord=1) * x"));
    extra.push(act('matrix-ord-inf', c.mul(`${c.fn}(${X}, ord=${inf})`, 'x'), XG, "torch.linalg.matrix_norm(x.reshape(2, 3), ord=float('inf')) * x"));
    extra.push(act('matrix-ord-neg1', c.mul(`${c.fn}(${X}, ord=-1)`, 'x'), XG, "torch.linalg.matrix_norm(x.reshape(2, 3), ord=-1) * x"));
    extra.push(act('matrix-fro', c.mul(`${c.fn}(${X}, ord='fro')`, 'x'), XG, "torch.linalg.matrix_norm(x.reshape(2, 3)) * x"));
    extra.push(act('axis-pair', c.mul(`${c.fn}(${c.reshape('x', 1, 2, 3)}, ord=1, ${isTorch(c) ? 'dim' : 'axis'}=(2, 1))`, 'x'), XG, "torch.linalg.matrix_norm(x.reshape(1, 2, 3), ord=1, dim=(2, 1)) * x"));
  }
  if (tfStyle) {
    const args = (ord: string): string => (c.js ? `${X}, ${ord}, [0, 1]` : `${X}, ord=${ord}, axis=[0, 1]`);
    extra.push(act('matrix-ord1', c.mul(`${c.fn}(${args('1')})`, 'x'), XG, "torch.linalg.matrix_norm(x.reshape(2, 3), ord=1) * x"));
    extra.push(act('matrix-ord-inf', c.mul(`${c.fn}(${args(inf)})`, 'x'), XG, "torch.linalg.matrix_norm(x.reshape(2, 3), ord=float('inf')) * x"));
    // tf.norm(ord=1) without an axis treats the matrix as a vector.
    if (!c.js) extra.push(act('vector-ord1-2d', c.mul(`${c.fn}(${X}, ord=1)`, 'x'), XG, "torch.linalg.vector_norm(x, 1) * x"));
  }
  if (isTorch(c) && c.row !== 'torch.linalg.norm') {
    // dim tuples, and orders 0 (a count, no gradient) and -inf.
    const ordKw = c.row === 'torch.norm' ? 'p' : 'ord';
    extra.push(act('dim-tuple', c.mul(`${c.fn}(${c.reshape('x', 1, 2, 3)}, dim=(1, 2))`, 'x'), XG, 'torch.linalg.vector_norm(x) * x'));
    extra.push(act('ord0', c.mul(`${c.fn}(${c.floor('x')}, ${ordKw}=0)`, 'x'), XG, 'torch.linalg.vector_norm(torch.floor(x), 0) * x'));
    extra.push(act('ord-neg-inf', `${c.fn}(x, ${ordKw}=-float('inf'))`, XG, "torch.linalg.vector_norm(x, -float('inf'))"));
  }
  return [...normSpecBase(c), ...extra];
}

/** torch.linalg.matrix_norm: Frobenius by default; induced 1 / inf orders; over the last two axes. */
function matrixNormSpec(c: Ctx): Variant[] {
  const X = c.reshape('x', 2, 3);
  return [
    act('fro', c.mul(`${c.fn}(${X})`, 'x'), XG, 'torch.linalg.matrix_norm(x.reshape(2, 3)) * x'),
    act('ord1', c.mul(`${c.fn}(${X}, ord=1)`, 'x'), XG, 'torch.linalg.matrix_norm(x.reshape(2, 3), ord=1) * x'),
    act('ord-inf', c.mul(`${c.fn}(${X}, ord=float('inf'))`, 'x'), XG, "torch.linalg.matrix_norm(x.reshape(2, 3), ord=float('inf')) * x"),
    act('ord-neg-inf', c.mul(`${c.fn}(${X}, ord=-float('inf'))`, 'x'), XG, "torch.linalg.matrix_norm(x.reshape(2, 3), ord=-float('inf')) * x"),
    act('batched-keep', c.mul(`${c.fn}(${c.reshape('x', 2, 1, 3)}, ord=1, keepdim=True)`, c.reshape('x', 2, 1, 3)), XG, 'torch.linalg.matrix_norm(x.reshape(2, 1, 3), ord=1, keepdim=True) * x.reshape(2, 1, 3)'),
  ];
}

function normSpecBase(c: Ctx): Variant[] {
  // Keyword names: torch.norm(p, dim, keepdim); torch.linalg.norm / vector_norm(ord, dim, keepdim);
  // tf.norm / keras.ops.norm / numpy.linalg.norm(ord, axis, keepdims); tf.norm (TF.js) positional.
  const ordKw = c.row === 'torch.norm' ? 'p' : 'ord';
  const ax = (n: number, keep?: boolean): string => {
    if (c.js) return `, 'euclidean', ${n}${keep ? ', true' : ''}`;
    const [dn, kn] = isTorch(c) ? ['dim', 'keepdim'] : ['axis', 'keepdims'];
    return `, ${dn}=${n}${keep ? `, ${kn}=True` : ''}`;
  };
  const X = c.reshape('x', 2, 3);
  return [
    act('all-2d', `${c.fn}(${X})`, XG, 'torch.linalg.vector_norm(x)'),
    act('axis1-keep', c.mul(`${c.fn}(${X}${ax(1, true)})`, X), XG, 'torch.linalg.vector_norm(x.reshape(2, 3), dim=1, keepdim=True) * x.reshape(2, 3)'),
    act('axis0', `${c.fn}(${X}${ax(0)})`, XG, 'torch.linalg.vector_norm(x.reshape(2, 3), dim=0)'),
    act('ord1', `${c.fn}(x, ${c.js ? '1' : `${ordKw}=1`})`, XG, 'torch.linalg.vector_norm(x, 1)'),
    act('ord3', `${c.fn}(x, ${c.js ? '3' : `${ordKw}=3`})`, XG, 'torch.linalg.vector_norm(x, 3)'),
    act('ord-inf', `${c.fn}(x, ${c.js ? 'Infinity' : `${ordKw}=${c.group === 'np' ? `${c.b}.inf` : "float('inf')"}`})`, XG, 'torch.linalg.vector_norm(x, float("inf"))'),
  ];
}

function argSpec(c: Ctx, kind: 'argmax' | 'argmin'): Variant[] {
  const X = c.reshape('x', 2, 3);
  const ax = (n: number): string => (c.js ? `, ${n}` : isTorch(c) ? `, dim=${n}` : `, axis=${n}`);
  // Default axis: torch/numpy/jax: flattened; tf.math.argmax: 0; keras.backend: -1; keras.ops (Keras 3):
  // flattened; tf.argMax (TF.js): 0.
  const flatDefault = isTorch(c) || c.group === 'np' || c.mod === 'keras.ops' || c.mod === 'keras.src.ops';
  const defRef = flatDefault ? `torch.${kind}(x.reshape(2, 3))` : c.mod === 'keras.backend' ? `torch.${kind}(x.reshape(2, 3), dim=-1)` : `torch.${kind}(x.reshape(2, 3), dim=0)`;
  return [
    act('1d', c.mul('x', c.float(`${c.fn}(x)`)), XG, `x * torch.${kind}(x)`),
    act('axis1', `${c.fn}(${X}${ax(1)})`, XG, `torch.${kind}(x.reshape(2, 3), dim=1)`),
    act('default-2d', `${c.fn}(${X})`, XG, defRef),
  ];
}

function boolReduce(c: Ctx, ref: string, threshold: string): Variant[] {
  const X = c.reshape('x', 2, 3);
  const ax = c.js ? ', 1, true' : isTorch(c) ? ', dim=1, keepdim=True' : ', axis=1, keepdims=True';
  return [
    act('all', c.mul('x', c.float(`${c.fn}(${c.gt('x', threshold)})`)), XG, `x * ${ref}(x > ${threshold})`),
    act('axis1-keep', c.mul(X, c.float(`${c.fn}(${c.gt(X, threshold)}${ax})`)), XG, `x.reshape(2, 3) * ${ref}(x.reshape(2, 3) > ${threshold}, dim=1, keepdim=True)`),
  ];
}

function transposeSpec(c: Ctx): Variant[] {
  const X = c.reshape('x', 2, 3);
  const W = c.const([[1, 2], [3, 4], [5, 6]]);
  const refT = 'x.reshape(2, 3).T * torch.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])';
  const out: Variant[] = [];
  if (c.row !== 'torch.permute') out.push(act('default', c.mul(`${c.fn}(${X})`, W), XG, refT));
  // Explicit permutation: torch.permute(dims), tf.transpose(perm), keras.ops.transpose(axes), numpy (axes).
  const X3 = c.reshape('x', 1, 2, 3);
  const W3 = c.const([[[1]], [[2]], [[3]]]);
  const perm = c.js ? '[2, 0, 1]' : '(2, 0, 1)';
  const arg = c.js || c.row === 'torch.permute' ? perm
    : c.mod === 'keras.ops' || c.mod === 'keras.src.ops' || c.group === 'np' ? `axes=${perm}`
      : c.row === 'keras.backend.transpose' ? undefined : `perm=${perm}`;
  if (arg) out.push(act('perm', c.mul(`${c.fn}(${X3}, ${arg})`, W3), XG, 'x.reshape(1, 2, 3).permute(2, 0, 1) * torch.tensor([[[1.0]], [[2.0]], [[3.0]]])'));
  return out;
}

function constantSpec(c: Ctx): Variant[] {
  const last = c.row.slice(c.row.lastIndexOf('.') + 1);
  if (c.js) {
    switch (last) {
      // tf.scalar(value, dtype) and tf.tensor1d(values, dtype): the second argument is the dtype (TF.js API).
      case 'scalar': return [act('scalar', c.mul('x', `${c.fn}(2.5)`), XG, 'x * 2.5'), act('dtype', c.mul('x', `${c.fn}(2.5, 'float32')`), XG, 'x * 2.5')];
      case 'tensor1d': return [act('1d', c.mul('x', `${c.fn}(${py(C6)})`), XG, `x * T(${py(C6)})`), act('dtype', c.mul('x', `${c.fn}(${py(C6)}, 'float32')`), XG, `x * T(${py(C6)})`)];
      case 'tensor2d': return [act('2d', c.mul(c.reshape('x', 2, 3), `${c.fn}([[1, -2, 0.5], [3, -1.5, 2]])`), XG, 'x.reshape(2, 3) * T([[1, -2, 0.5], [3, -1.5, 2]])')];
      case 'tensor3d': return [act('3d', c.mul(c.reshape('x', 1, 2, 3), `${c.fn}([[[1, -2, 0.5], [3, -1.5, 2]]])`), XG, 'x.reshape(1, 2, 3) * T([[[1, -2, 0.5], [3, -1.5, 2]]])')];
      case 'tensor4d': return [act('4d', c.mul(c.reshape('x', 1, 1, 2, 3), `${c.fn}([[[[1, -2, 0.5], [3, -1.5, 2]]]])`), XG, 'x.reshape(1, 1, 2, 3) * T([[[[1, -2, 0.5], [3, -1.5, 2]]]])')];
      case 'tensor': return [
        act('1d', c.mul('x', `${c.fn}(${py(C6)})`), XG, `x * T(${py(C6)})`),
        act('shape', c.mul(c.reshape('x', 2, 3), `${c.fn}(${py(C6)}, [2, 3])`), XG, `x.reshape(2, 3) * T(${py(C6)}).reshape(2, 3)`),
      ];
      default: return [act('1d', c.mul('x', `${c.fn}(${py(C6)})`), XG, `x * T(${py(C6)})`)];
    }
  }
  const out = [act('1d', c.mul('x', `${c.fn}(${py(C6)})`), XG, `x * T(${py(C6)})`)];
  // tf.constant(value, dtype, shape): a scalar broadcast to `shape`.
  if (c.row === 'tf.constant') out.push(act('shape', c.mul('x', `${c.fn}(2.5, shape=(6,))`), XG, 'x * 2.5'));
  return out;
}

function oneHotSpec(c: Ctx): Variant[] {
  const X = c.reshape('x', 3, 3);
  const idx = c.js ? "tf.tensor([0, 2, 1], undefined, 'int32')" : isTorch(c) ? 'torch.tensor([0, 2, 1])' : c.group === 'np' ? 'jnp.array([0, 2, 1])' : 'tf.constant([0, 2, 1])';
  const ref = 'x.reshape(3, 3) * F.one_hot(torch.tensor([0, 2, 1]), 3)';
  const kw = c.js ? '3' : isTorch(c) ? 'num_classes=3' : c.group === 'np' ? 'num_classes=3' : 'depth=3';
  const out = [act('depth3', c.mul(X, c.float(`${c.fn}(${idx}, ${kw})`)), X9, ref)];
  // F.one_hot(num_classes=-1) infers max + 1.
  if (isTorch(c)) out.push(act('inferred', c.mul(X, c.float(`${c.fn}(${idx})`)), X9, ref));
  return out;
}

function torchReductions(c: Ctx, ref: string, yt: Nested, yp: Nested): Variant[] {
  return [
    loss('mean', `${c.fn}(${c.P}, ${c.T})`, yt, yp, `${ref}(yp, yt)`),
    loss('sum', `${c.fn}(${c.P}, ${c.T}, reduction='sum')`, yt, yp, `${ref}(yp, yt, reduction='sum')`),
    loss('none', c.mul(`${c.fn}(${c.P}, ${c.T}, reduction='none')`, c.const([[1, 2, 3], [-1, 0.5, 2]])), yt, yp, `${ref}(yp, yt, reduction='none') * T([[1.0, 2.0, 3.0], [-1.0, 0.5, 2.0]])`),
  ];
}

function tfjsLossSpec(c: Ctx): Variant[] {
  const kind = c.row.slice('tfjs.losses.'.length);
  const P = c.P;
  const T = c.T;
  const W = "tf.tensor([[1, 0, 2], [0.5, 1, 0]])";
  const WREF = '[[1, 0, 2], [0.5, 1, 0]]';
  switch (kind) {
    case 'meanSquaredError': return [
      loss('default', `${c.fn}(${T}, ${P})`, L_YT, L_YP, "tfjs_loss('mse', yt, yp)"),
      // Weights with zeros: Reduction.SUM_BY_NONZERO_WEIGHTS divides by the count of non-zero weights.
      loss('weights', `${c.fn}(${T}, ${P}, ${W})`, L_YT, L_YP, `tfjs_loss('mse', yt, yp, weights=${WREF})`),
    ];
    case 'absoluteDifference': return [loss('default', `${c.fn}(${T}, ${P})`, L_YT, L_YP, "tfjs_loss('mae', yt, yp)")];
    case 'huberLoss': return [
      loss('default', `${c.fn}(${T}, ${P})`, L_YT, L_YP, "tfjs_loss('huber', yt, yp)"),
      loss('delta', `${c.fn}(${T}, ${P}, undefined, 0.5)`, L_YT, L_YP, "tfjs_loss('huber', yt, yp, delta=0.5)"),
    ];
    case 'logLoss': return [loss('default', `${c.fn}(${T}, ${P})`, P_YT, P_YP, "tfjs_loss('log', yt, yp)")];
    case 'sigmoidCrossEntropy': return [
      loss('default', `${c.fn}(${T}, ${P})`, P_YT, L_YP, "tfjs_loss('sigmoid_ce', yt, yp)"),
      loss('label-smoothing', `${c.fn}(${T}, ${P}, undefined, 0.1)`, P_YT, L_YP, "tfjs_loss('sigmoid_ce', yt, yp, label_smoothing=0.1)"),
    ];
    case 'softmaxCrossEntropy': return [
      loss('default', `${c.fn}(${T}, ${P})`, PROBS, LOGITS, "tfjs_loss('softmax_ce', yt, yp)"),
      loss('label-smoothing', `${c.fn}(${T}, ${P}, undefined, 0.1)`, PROBS, LOGITS, "tfjs_loss('softmax_ce', yt, yp, label_smoothing=0.1)"),
    ];
    case 'cosineDistance': return [loss('axis1', `${c.fn}(${T}, ${P}, 1)`, L_YT, L_YP, "tfjs_loss('cosine', yt, yp, axis=1)")];
    case 'hingeLoss': return [loss('default', `${c.fn}(${T}, ${P})`, P_YT, L_YP, "tfjs_loss('hinge', yt, yp)")];
    default: throw new Error(`no parity case for ${c.row}`);
  }
}

// ------------------------------------------------------------------ source text

function sourceOf(d: Dialect, v: Variant): string {
  const isLoss = 'loss' in v;
  const pre = v.pre ?? [];
  if (d.lang === 'js') {
    const params = isLoss ? 'yTrue, yPred' : 'x';
    return `${d.header}\n\nexport function f(${params}) {\n${pre.map((l) => `  ${l}\n`).join('')}  return ${v.body};\n}\n`;
  }
  const params = isLoss ? (d.group === 'torch' ? 'input, target' : 'y_true, y_pred') : 'x';
  return `${d.header}\n\n\ndef f(${params}):\n${pre.map((l) => `    ${l}\n`).join('')}    return ${v.body}\n`;
}

function caseOf(row: string, d: Dialect, v: Variant): ParityCase {
  const base = { id: `${row}#${v.tag}`, rows: [row], path: d.lang === 'js' ? 'parity_case.js' : 'parity_case.py', text: sourceOf(d, v), name: 'f', ref: v.ref };
  if ('loss' in v) return { ...base, kind: 'loss', yTrue: v.yTrue, yPred: v.yPred };
  return { ...base, kind: 'activation', x: v.x };
}

// Implementations that are framework variants of one above share its spec (the spec reads c.row).
specs.fmod = specs.mod;
specs.xlogy_torch = specs.xlogy;
specs.inner = specs.dot;
specs.vdot = specs.dot;
specs.l2_loss_optax = specs.mul;

/** Cases generated for the op-table rows, plus an error string for rows that cannot be generated. */
export function generatedCases(): { cases: ParityCase[]; problems: string[] } {
  const cases: ParityCase[] = [];
  const problems: string[] = [];
  for (const r of allOpRows()) {
    if (!coveredPrefixes.some((p) => r.name.startsWith(p))) continue;
    const d = dialectOf(r.name);
    const spec = specs[r.impl];
    if (!d || !spec) continue; // reported by the coverage test
    try {
      for (const v of spec(new Ctx(r.name, d))) cases.push(caseOf(r.name, d, v));
    } catch (err) {
      problems.push(`${r.name}: ${(err as Error).message}`);
    }
  }
  return { cases, problems };
}

// ------------------------------------------------------------------ composite functions (hand-written)

const TORCH = 'import math\nimport torch\nimport torch.nn as nn\nimport torch.nn.functional as F';
const KERAS = 'import tensorflow as tf\nfrom tensorflow import keras\nimport tensorflow.keras.backend as K';
const JAX = 'import jax\nimport jax.numpy as jnp';
const TFJS = "import * as tf from '@tensorflow/tfjs';";

interface Composite { name: string; rows: string[]; lang: 'py' | 'js'; src: string; fn: string; x?: number[]; yTrue?: Nested; yPred?: Nested; ref: string }

const PAIRS = [[[0.3, -1.2, 0.8], [0.5, -0.9, 1.1]], [[1.0, 0.4, -0.6], [-0.7, 1.3, 0.2]], [[0.2, 0.2, 0.9], [0.25, 0.1, 1.0]]];
const TRIPLETS = [[[0.3, -1.2, 0.8], [0.5, -0.9, 1.1], [-0.4, 0.7, 0.1]], [[1.0, 0.4, -0.6], [0.9, 0.6, -0.3], [1.2, 0.1, -0.9]], [[0.2, 0.2, 0.9], [-1.0, 0.8, 0.3], [0.4, 0.0, 1.1]]];

const composites: Composite[] = [
  { name: 'mish-manual', rows: ['torch.tanh', 'torch.nn.functional.softplus'], lang: 'py', fn: 'mish', x: XG, ref: 'F.mish(x)',
    src: `${TORCH}\n\n\ndef mish(x):\n    return x * torch.tanh(F.softplus(x))\n` },
  { name: 'mish-tfjs', rows: ['tfjs.mul', 'tfjs.tanh', 'tfjs.softplus'], lang: 'js', fn: 'mish', x: XG, ref: 'F.mish(x)',
    src: `${TFJS}\n\nexport function mish(x) {\n  return tf.mul(x, tf.tanh(tf.softplus(x)));\n}\n` },
  { name: 'swish-beta-keras', rows: ['tf.sigmoid'], lang: 'py', fn: 'swish', x: XG, ref: 'x * torch.sigmoid(1.5 * x)',
    src: `${KERAS}\n\n\ndef swish(x, beta=1.5):\n    return x * tf.sigmoid(beta * x)\n` },
  { name: 'swish-tfjs-chained', rows: [], lang: 'js', fn: 'swish', x: XG, ref: 'x * torch.sigmoid(x)',
    src: `${TFJS}\n\nexport const swish = (x) => x.mul(x.sigmoid());\n` },
  { name: 'gelu-exact-manual', rows: ['torch.erf'], lang: 'py', fn: 'gelu', x: XG, ref: 'F.gelu(x)',
    src: `${TORCH}\n\n\ndef gelu(x):\n    return 0.5 * x * (1.0 + torch.erf(x / math.sqrt(2.0)))\n` },
  { name: 'gelu-tanh-manual-jax', rows: ['jax.numpy.tanh', 'jax.numpy.sqrt'], lang: 'py', fn: 'gelu', x: XG, ref: "F.gelu(x, approximate='tanh')",
    src: `${JAX}\n\n\ndef gelu(x):\n    return 0.5 * x * (1 + jnp.tanh(jnp.sqrt(2 / jnp.pi) * (x + 0.044715 * x ** 3)))\n` },
  { name: 'gelu-module', rows: [], lang: 'py', fn: 'gelu', x: XG, ref: "F.gelu(x, approximate='tanh')",
    src: `${TORCH}\n\nact = nn.GELU(approximate='tanh')\n\n\ndef gelu(x):\n    return act(x)\n` },
  { name: 'softplus-module', rows: [], lang: 'py', fn: 'sp', x: [-3.0, -0.9, 0.2, 1.6, 9.0, 12.0], ref: 'F.softplus(x, beta=2)',
    src: `${TORCH}\n\nsoftplus = nn.Softplus(beta=2)\n\n\ndef sp(x):\n    return softplus(x)\n` },
  { name: 'torch-max-dim', rows: [], lang: 'py', fn: 'f', x: XG, ref: 'torch.max(x.reshape(2, 3), dim=1)[0] ** 2',
    src: `${TORCH}\n\n\ndef f(x):\n    return torch.max(x.reshape(2, 3), dim=1)[0] ** 2\n` },
  { name: 'torch-min-other', rows: [], lang: 'py', fn: 'f', x: XG, ref: 'torch.min(x, 0.6 - 0.5 * x)',
    src: `${TORCH}\n\n\ndef f(x):\n    return torch.min(x, 0.6 - 0.5 * x)\n` },
  { name: 'tensor-methods', rows: [], lang: 'py', fn: 'f', x: XG, ref: 'x.clamp(min=-0.5).pow(2).reshape(2, 3).sum(dim=1, keepdim=True) * x.reshape(2, 3).sigmoid()',
    src: `${TORCH}\n\n\ndef f(x):\n    return x.clamp(min=-0.5).pow(2).view(2, 3).sum(dim=1, keepdim=True) * x.view(2, 3).sigmoid()\n` },
  { name: 'keras-relu-max-value', rows: ['keras.activations.relu'], lang: 'py', fn: 'relu6', x: [-2.1, -0.35, 0.75, 3.3, 5.2, 6.5], ref: 'keras_relu(x, max_value=6.0)',
    src: `${KERAS}\n\n\ndef relu6(x):\n    return tf.keras.activations.relu(x, max_value=6.0)\n` },

  // ---- losses
  // Advanced indexing: the log-probability of each row's target class, logp[arange(n), target].
  { name: 'nll-advanced-indexing', rows: ['torch.nn.functional.log_softmax', 'torch.arange'], lang: 'py', fn: 'nll', yTrue: [0, 2, 1], yPred: [[1, 2, 3], [0.5, 0.1, -1], [-0.3, 0.8, 0.2]],
    ref: 'F.cross_entropy(yp, yt.long())',
    src: `${TORCH}\n\n\ndef nll(logits, target):\n    logp = F.log_softmax(logits, dim=1)\n    return -logp[torch.arange(logits.shape[0]), target.long()].mean()\n` },
  { name: 'focal-loss', rows: ['torch.sigmoid', 'torch.nn.functional.binary_cross_entropy_with_logits'], lang: 'py', fn: 'focal_loss', yTrue: P_YT, yPred: L_YP,
    ref: '(lambda p, ce: ((0.25 * yt + 0.75 * (1 - yt)) * ce * (1 - (p * yt + (1 - p) * (1 - yt))) ** 2).mean())(torch.sigmoid(yp), F.binary_cross_entropy_with_logits(yp, yt, reduction="none"))',
    src: `${TORCH}\n\n\ndef focal_loss(input, target, alpha=0.25, gamma=2.0):\n    p = torch.sigmoid(input)\n    ce = F.binary_cross_entropy_with_logits(input, target, reduction='none')\n    p_t = p * target + (1 - p) * (1 - target)\n    loss = ce * ((1 - p_t) ** gamma)\n    alpha_t = alpha * target + (1 - alpha) * (1 - target)\n    return (alpha_t * loss).mean()\n` },
  { name: 'dice-loss', rows: ['torch.sigmoid'], lang: 'py', fn: 'dice_loss', yTrue: P_YT, yPred: L_YP,
    ref: '(lambda p: 1 - (2 * (p * yt).sum() + 1.0) / (p.sum() + yt.sum() + 1.0))(torch.sigmoid(yp))',
    src: `${TORCH}\n\n\ndef dice_loss(input, target, smooth=1.0):\n    p = torch.sigmoid(input)\n    intersection = (p * target).sum()\n    return 1 - (2.0 * intersection + smooth) / (p.sum() + target.sum() + smooth)\n` },
  { name: 'tversky-keras', rows: ['keras.backend.sum'], lang: 'py', fn: 'tversky_loss', yTrue: P_YT, yPred: P_YP,
    ref: '(lambda tp, fn, fp: 1 - (tp + 1e-6) / (tp + 0.7 * fn + 0.3 * fp + 1e-6))((yt * yp).sum(), (yt * (1 - yp)).sum(), ((1 - yt) * yp).sum())',
    src: `${KERAS}\n\n\ndef tversky_loss(y_true, y_pred, alpha=0.7, beta=0.3, smooth=1e-6):\n    tp = K.sum(y_true * y_pred)\n    fn = K.sum(y_true * (1 - y_pred))\n    fp = K.sum((1 - y_true) * y_pred)\n    return 1 - (tp + smooth) / (tp + alpha * fn + beta * fp + smooth)\n` },
  { name: 'huber-manual-tf', rows: ['tf.abs', 'tf.where', 'tf.square', 'tf.reduce_mean'], lang: 'py', fn: 'huber', yTrue: L_YT, yPred: L_YP,
    ref: 'F.huber_loss(yp, yt, delta=0.8)',
    src: `${KERAS}\n\n\ndef huber(y_true, y_pred, delta=0.8):\n    err = y_pred - y_true\n    small = tf.abs(err) <= delta\n    return tf.reduce_mean(tf.where(small, 0.5 * tf.square(err), delta * (tf.abs(err) - 0.5 * delta)))\n` },
  { name: 'log-cosh-manual-tf', rows: ['tf.math.log', 'tf.math.cosh'], lang: 'py', fn: 'log_cosh', yTrue: L_YT, yPred: L_YP,
    ref: 'torch.mean(torch.log(torch.cosh(yp - yt)))',
    src: `${KERAS}\n\n\ndef log_cosh(y_true, y_pred):\n    return tf.reduce_mean(tf.math.log(tf.math.cosh(y_pred - y_true)))\n` },
  { name: 'contrastive', rows: ['torch.nn.functional.pairwise_distance', 'torch.clamp'], lang: 'py', fn: 'contrastive_loss', yTrue: [1.0, 0.0, 1.0], yPred: PAIRS,
    ref: '(lambda d: (yt * d ** 2 + (1 - yt) * torch.clamp(1.0 - d, min=0) ** 2).mean())(F.pairwise_distance(yp[:, 0], yp[:, 1]))',
    src: `${TORCH}\n\n\ndef contrastive_loss(input, target, margin=1.0):\n    d = F.pairwise_distance(input[:, 0], input[:, 1])\n    loss = target * d ** 2 + (1 - target) * torch.clamp(margin - d, min=0) ** 2\n    return loss.mean()\n` },
  { name: 'triplet', rows: ['torch.nn.functional.pairwise_distance', 'torch.clamp'], lang: 'py', fn: 'triplet_loss', yTrue: [0.0, 0.0, 0.0], yPred: TRIPLETS,
    ref: 'F.triplet_margin_loss(yp[:, 0], yp[:, 1], yp[:, 2], margin=1.0)',
    src: `${TORCH}\n\n\ndef triplet_loss(input, target, margin=1.0):\n    anchor, positive, negative = input[:, 0], input[:, 1], input[:, 2]\n    d_pos = F.pairwise_distance(anchor, positive)\n    d_neg = F.pairwise_distance(anchor, negative)\n    return torch.clamp(d_pos - d_neg + margin, min=0.0).mean()\n` },
  { name: 'label-smoothing-ce-manual', rows: ['torch.nn.functional.log_softmax', 'torch.nn.functional.one_hot'], lang: 'py', fn: 'ls_ce', yTrue: CLASSES, yPred: LOGITS,
    ref: 'F.cross_entropy(yp, yt.long(), label_smoothing=0.1)',
    src: `${TORCH}\n\n\ndef ls_ce(input, target, eps=0.1):\n    n = input.size(-1)\n    logp = F.log_softmax(input, dim=-1)\n    t = F.one_hot(target.long(), n).float() * (1 - eps) + eps / n\n    return -(t * logp).sum(dim=-1).mean()\n` },
  { name: 'label-smoothing-ce-module', rows: [], lang: 'py', fn: 'loss_fn', yTrue: CLASSES, yPred: LOGITS,
    ref: 'F.cross_entropy(yp, yt.long(), label_smoothing=0.1)',
    src: `${TORCH}\n\ncriterion = nn.CrossEntropyLoss(label_smoothing=0.1)\n\n\ndef loss_fn(input, target):\n    return criterion(input, target.long())\n` },
  { name: 'kl-batchmean', rows: ['torch.nn.functional.kl_div', 'torch.nn.functional.log_softmax'], lang: 'py', fn: 'kl', yTrue: PROBS, yPred: LOGITS,
    ref: "F.kl_div(F.log_softmax(yp, dim=1), yt, reduction='batchmean')",
    src: `${TORCH}\n\n\ndef kl(input, target):\n    return F.kl_div(F.log_softmax(input, dim=1), target, reduction='batchmean')\n` },
  { name: 'bce-manual', rows: ['torch.log'], lang: 'py', fn: 'bce', yTrue: P_YT, yPred: P_YP,
    ref: 'F.binary_cross_entropy(yp, yt)',
    src: `${TORCH}\n\n\ndef bce(input, target):\n    return -(target * torch.log(input) + (1 - target) * torch.log(1 - input)).mean()\n` },
  { name: 'bce-with-logits-manual', rows: ['torch.clamp', 'torch.log1p', 'torch.exp', 'torch.abs'], lang: 'py', fn: 'bce_logits', yTrue: P_YT, yPred: L_YP,
    ref: 'F.binary_cross_entropy_with_logits(yp, yt)',
    src: `${TORCH}\n\n\ndef bce_logits(input, target):\n    loss = torch.clamp(input, min=0) - input * target + torch.log1p(torch.exp(-torch.abs(input)))\n    return loss.mean()\n` },
  { name: 'ce-int-targets-module', rows: [], lang: 'py', fn: 'loss_fn', yTrue: CLASSES, yPred: LOGITS,
    ref: 'F.cross_entropy(yp, yt.long())',
    src: `${TORCH}\n\ncriterion = nn.CrossEntropyLoss()\n\n\ndef loss_fn(input, target):\n    return criterion(input, target.long())\n` },
  { name: 'ce-prob-targets', rows: ['torch.nn.functional.cross_entropy'], lang: 'py', fn: 'soft_ce', yTrue: PROBS, yPred: LOGITS,
    ref: 'F.cross_entropy(yp, yt)',
    src: `${TORCH}\n\n\ndef soft_ce(input, target):\n    return F.cross_entropy(input, target)\n` },
  { name: 'keras-cce-from-logits', rows: ['keras.losses.categorical_crossentropy'], lang: 'py', fn: 'cce', yTrue: PROBS, yPred: LOGITS,
    ref: 'keras_cce(yt, yp, from_logits=True).mean()',
    src: `${KERAS}\n\n\ndef cce(y_true, y_pred):\n    return tf.reduce_mean(keras.losses.categorical_crossentropy(y_true, y_pred, from_logits=True))\n` },
  { name: 'keras-loss-object', rows: [], lang: 'py', fn: 'loss_fn', yTrue: P_YT, yPred: P_YP,
    ref: 'keras_bce(yt, yp).mean()',
    src: `${KERAS}\n\nbce = keras.losses.BinaryCrossentropy()\n\n\ndef loss_fn(y_true, y_pred):\n    return bce(y_true, y_pred)\n` },
  { name: 'jax-softmax-ce', rows: ['jax.nn.log_softmax', 'jax.numpy.sum', 'jax.numpy.mean'], lang: 'py', fn: 'ce', yTrue: PROBS, yPred: LOGITS,
    ref: 'F.cross_entropy(yp, yt)',
    src: `${JAX}\n\n\ndef ce(y_true, y_pred):\n    return -jnp.mean(jnp.sum(y_true * jax.nn.log_softmax(y_pred, axis=-1), axis=-1))\n` },
  { name: 'tfjs-huber-manual', rows: ['tfjs.abs', 'tfjs.where', 'tfjs.lessEqual', 'tfjs.mean'], lang: 'js', fn: 'huber', yTrue: L_YT, yPred: L_YP,
    ref: 'F.huber_loss(yp, yt, delta=0.8)',
    src: `${TFJS}\n\nexport function huber(yTrue, yPred) {\n  const err = tf.sub(yPred, yTrue);\n  const small = tf.lessEqual(tf.abs(err), 0.8);\n  const quad = tf.mul(0.5, tf.square(err));\n  const lin = tf.mul(0.8, tf.sub(tf.abs(err), 0.4));\n  return tf.mean(tf.where(small, quad, lin));\n}\n` },
];

// Callable objects (nn.* modules, keras.losses.* classes: the op tables' class rows) and tensor
// methods (the method tables): one case each, checked like the rows.
const modAct = (name: string, ctor: string, x: number[], ref: string): Composite => ({
  name: `module:${name}`, rows: [`torch.nn.${name}`], lang: 'py', fn: 'f', x, ref, src: `${TORCH}\n\nm = ${ctor}\n\n\ndef f(x):\n    return m(x)\n`,
});
const modLoss = (name: string, row: string, header: string, ctor: string, call: string, yTrue: Nested, yPred: Nested, ref: string): Composite => ({
  name: `module:${name}`, rows: [row], lang: 'py', fn: 'f', yTrue, yPred, ref,
  src: `${header}\n\ncriterion = ${ctor}\n\n\ndef f(${header === TORCH ? 'input, target' : 'y_true, y_pred'}):\n    return ${call}\n`,
});
composites.push(
  modAct('LeakyReLU', 'nn.LeakyReLU(0.1)', XG, 'F.leaky_relu(x, 0.1)'),
  modAct('ELU', 'nn.ELU(alpha=0.5)', XG, 'F.elu(x, alpha=0.5)'),
  modAct('SiLU', 'nn.SiLU()', XG, 'F.silu(x)'),
  modAct('Mish', 'nn.Mish()', XG, 'F.mish(x)'),
  modAct('ReLU', 'nn.ReLU()', XG, 'F.relu(x)'),
  modAct('Sigmoid', 'nn.Sigmoid()', XG, 'torch.sigmoid(x)'),
  modAct('Tanh', 'nn.Tanh()', XG, 'torch.tanh(x)'),
  modAct('GELU', "nn.GELU(approximate='tanh')", XG, "F.gelu(x, approximate='tanh')"),
  modAct('Softplus', 'nn.Softplus(beta=2)', XG, 'F.softplus(x, beta=2)'),
  modAct('Softsign', 'nn.Softsign()', XG, 'F.softsign(x)'),
  modAct('Identity', 'nn.Identity()', XG, 'x'),
  { name: 'module:Softmax', rows: ['torch.nn.Softmax'], lang: 'py', fn: 'f', x: XG, ref: 'torch.softmax(x.reshape(2, 3), dim=0) * T([[1.0, -2.0, 0.5], [3.0, -1.5, 2.0]])',
    src: `${TORCH}\n\nm = nn.Softmax(dim=0)\n\n\ndef f(x):\n    return m(x.view(2, 3)) * torch.tensor([[1.0, -2.0, 0.5], [3.0, -1.5, 2.0]])\n` },
  { name: 'module:LogSoftmax', rows: ['torch.nn.LogSoftmax'], lang: 'py', fn: 'f', x: XG, ref: 'torch.log_softmax(x.reshape(2, 3), dim=1) * T([[1.0, -2.0, 0.5], [3.0, -1.5, 2.0]])',
    src: `${TORCH}\n\nm = nn.LogSoftmax(dim=1)\n\n\ndef f(x):\n    return m(x.view(2, 3)) * torch.tensor([[1.0, -2.0, 0.5], [3.0, -1.5, 2.0]])\n` },
  // A tensor constant at module level, used by an activation (evaluated twice: for the gradient and the value).
  { name: 'module-level-tensor-constant', rows: [], lang: 'py', fn: 'f', x: XG, ref: 'x * T([1.0, -2.0, 0.5, 3.0, -1.5, 2.0])',
    src: `${TORCH}\n\nW = torch.tensor([1.0, -2.0, 0.5, 3.0, -1.5, 2.0])\n\n\ndef f(x):\n    return x * W\n` },
  modLoss('MSELoss', 'torch.nn.MSELoss', TORCH, 'nn.MSELoss()', 'criterion(input, target)', L_YT, L_YP, 'F.mse_loss(yp, yt)'),
  modLoss('L1Loss-sum', 'torch.nn.L1Loss', TORCH, "nn.L1Loss(reduction='sum')", 'criterion(input, target)', L_YT, L_YP, "F.l1_loss(yp, yt, reduction='sum')"),
  modLoss('SmoothL1Loss', 'torch.nn.SmoothL1Loss', TORCH, 'nn.SmoothL1Loss(beta=0.5)', 'criterion(input, target)', L_YT, L_YP, 'F.smooth_l1_loss(yp, yt, beta=0.5)'),
  modLoss('HuberLoss', 'torch.nn.HuberLoss', TORCH, 'nn.HuberLoss(delta=0.5)', 'criterion(input, target)', L_YT, L_YP, 'F.huber_loss(yp, yt, delta=0.5)'),
  modLoss('BCELoss', 'torch.nn.BCELoss', TORCH, 'nn.BCELoss()', 'criterion(input, target)', P_YT, P_YP, 'F.binary_cross_entropy(yp, yt)'),
  modLoss('BCEWithLogitsLoss-pos-weight', 'torch.nn.BCEWithLogitsLoss', TORCH, 'nn.BCEWithLogitsLoss(pos_weight=torch.tensor([2.0, 0.5, 1.5]))', 'criterion(input, target)', P_YT, L_YP, 'F.binary_cross_entropy_with_logits(yp, yt, pos_weight=T([2.0, 0.5, 1.5]))'),
  modLoss('CrossEntropyLoss-label-smoothing', 'torch.nn.CrossEntropyLoss', TORCH, 'nn.CrossEntropyLoss(label_smoothing=0.1)', 'criterion(input, target.long())', CLASSES, LOGITS, 'F.cross_entropy(yp, yt.long(), label_smoothing=0.1)'),
  modLoss('NLLLoss', 'torch.nn.NLLLoss', TORCH, 'nn.NLLLoss()', 'criterion(F.log_softmax(input, dim=1), target.long())', CLASSES, LOGITS, 'F.nll_loss(F.log_softmax(yp, dim=1), yt.long())'),
  modLoss('KLDivLoss-batchmean', 'torch.nn.KLDivLoss', TORCH, "nn.KLDivLoss(reduction='batchmean')", 'criterion(F.log_softmax(input, dim=1), target)', PROBS, LOGITS, "F.kl_div(F.log_softmax(yp, dim=1), yt, reduction='batchmean')"),
  modLoss('keras-Huber', 'keras.losses.Huber', KERAS, 'keras.losses.Huber(delta=0.5)', 'criterion(y_true, y_pred)', L_YT, L_YP, 'keras_huber(yt, yp, delta=0.5).mean()'),
  modLoss('keras-MeanSquaredError', 'keras.losses.MeanSquaredError', KERAS, 'keras.losses.MeanSquaredError()', 'criterion(y_true, y_pred)', L_YT, L_YP, 'torch.mean((yp - yt) ** 2)'),
  modLoss('keras-CategoricalCrossentropy-logits', 'keras.losses.CategoricalCrossentropy', KERAS, 'keras.losses.CategoricalCrossentropy(from_logits=True)', 'criterion(y_true, y_pred)', PROBS, LOGITS, 'keras_cce(yt, yp, from_logits=True).mean()'),
  modLoss('keras-SparseCategoricalCrossentropy', 'keras.losses.SparseCategoricalCrossentropy', KERAS, 'keras.losses.SparseCategoricalCrossentropy()', 'criterion(y_true, y_pred)', CLASSES, PROBS_UNNORM, 'keras_scce(yt, yp).mean()'),
  modLoss('keras-BinaryCrossentropy-smoothing', 'keras.losses.BinaryCrossentropy', KERAS, 'keras.losses.BinaryCrossentropy(label_smoothing=0.1)', 'criterion(y_true, y_pred)', P_YT, P_YP, 'keras_bce(yt, yp, label_smoothing=0.1).mean()'),
  { name: 'methods:torch', rows: [], lang: 'py', fn: 'f', x: XG,
    ref: '(lambda X: X.std(dim=1, keepdim=True) * X.masked_fill(X < 0, 0.0) + X.norm(p=1) + X.logsumexp(dim=0).sum() + X.softmax(dim=-1).mul(T([[1.0, -2.0, 0.5], [3.0, -1.5, 2.0]])))(x.reshape(2, 3))',
    src: `${TORCH}\n\n\ndef f(x):\n    W = torch.tensor([[1.0, -2.0, 0.5], [3.0, -1.5, 2.0]])\n    X = x.view(2, 3)\n    return X.std(dim=1, keepdim=True) * X.masked_fill(X < 0, 0.0) + X.norm(p=1) + X.logsumexp(dim=0).sum() + X.softmax(dim=-1).mul(W)\n` },
  { name: 'methods:torch-max-min', rows: [], lang: 'py', fn: 'f', x: XG,
    ref: '(lambda X: X.max(dim=1)[0].unsqueeze(1) * X + X.min() + X.amax(dim=0).sum())(x.reshape(2, 3))',
    src: `${TORCH}\n\n\ndef f(x):\n    X = x.reshape(2, 3)\n    return X.max(dim=1)[0].unsqueeze(1) * X + X.min() + X.amax(dim=0).sum()\n` },
  { name: 'methods:numpy', rows: [], lang: 'py', fn: 'f', x: XG,
    ref: '(lambda X: X.clamp(-0.5, 0.7).sum(dim=1, keepdim=True) * X.mean(dim=0) + X.var(dim=1, keepdim=True, unbiased=False) * X.amax(dim=0))(x.reshape(2, 3))',
    src: 'import numpy as np\n\n\ndef f(x):\n    X = np.reshape(x, (2, 3))\n    return X.clip(-0.5, 0.7).sum(axis=1, keepdims=True) * X.mean(axis=0) + X.var(axis=1, keepdims=True) * X.max(axis=0)\n' },
  { name: 'methods:jax', rows: [], lang: 'py', fn: 'f', x: XG,
    ref: '(lambda X: X.std(dim=0, unbiased=False) * X.prod(dim=1, keepdim=True) + X.T.sum(dim=1))(x.reshape(2, 3))',
    src: `${JAX}\n\n\ndef f(x):\n    X = x.reshape(2, 3)\n    return X.std(axis=0) * X.prod(axis=1, keepdims=True) + X.T.sum(axis=1)\n` },
  { name: 'methods:tfjs', rows: [], lang: 'js', fn: 'f', x: XG,
    ref: '(lambda X: X.sum(dim=1, keepdim=True) * torch.sigmoid(X) + torch.logsumexp(X, dim=0) + F.leaky_relu(X, 0.2).mean())(x.reshape(2, 3))',
    src: `${TFJS}\n\nexport function f(x) {\n  const X = x.reshape([2, 3]);\n  return X.sum(1, true).mul(X.sigmoid()).add(X.logSumExp(0)).add(X.leakyRelu().mean());\n}\n` },
);

// Keyword spellings, legacy arguments, reductions and methods that the table rows' own cases do not reach.
const NP_HEADER = 'import numpy as np';
const TORCH_F = (body: string, pre: string[] = []): string => `${TORCH}\n\n\ndef f(x):\n${pre.map((l) => `    ${l}\n`).join('')}    return ${body}\n`;
const JAX_F = (body: string, pre: string[] = []): string => `${JAX}\n\n\ndef f(x):\n${pre.map((l) => `    ${l}\n`).join('')}    return ${body}\n`;
const KERAS_F = (body: string, pre: string[] = []): string => `${KERAS}\n\n\ndef f(x):\n${pre.map((l) => `    ${l}\n`).join('')}    return ${body}\n`;
const TFJS_F = (body: string, pre: string[] = []): string => `${TFJS}\n\nexport function f(x) {\n${pre.map((l) => `  ${l}\n`).join('')}  return ${body};\n}\n`;
const actC = (name: string, rows: string[], lang: 'py' | 'js', src: string, x: number[], ref: string): Composite => ({ name, rows, lang, fn: 'f', x, ref, src });
const lossC = (name: string, header: string, body: string, yTrue: Nested, yPred: Nested, ref: string): Composite => ({
  name, rows: [], lang: 'py', fn: 'f', yTrue, yPred, ref,
  src: `${header}\n\n\ndef f(${header === TORCH ? 'input, target' : 'y_true, y_pred'}):\n    return ${body}\n`,
});
const W23_SRC = '[[1.0, -2.0, 0.5], [3.0, -1.5, 2.0]]';

composites.push(
  // ---- slices with a step: TF.js's StridedSlice, with the gradient GradProbe registers.
  actC('strided-slice:torch', [], 'py', TORCH_F('x[::2] * x[1::2] + x.reshape(2, 3)[:, ::2].sum()'), XG, 'x[::2] * x[1::2] + x.reshape(2, 3)[:, ::2].sum()'),
  actC('strided-slice:numpy-step', [], 'py', `${NP_HEADER}\n\n\ndef f(x):\n    X = np.reshape(x, (2, 3))\n    return X[:, ::2] * np.array([[1.0, -2.0], [0.5, 3.0]])\n`, XG, 'x.reshape(2, 3)[:, ::2] * T([[1.0, -2.0], [0.5, 3.0]])'),
  actC('strided-slice:tf-step', [], 'py', KERAS_F('x[1::2] ** 2 + tf.reduce_sum(x[::3])'), XG, 'x[1::2] ** 2 + x[::3].sum()'),
  actC('strided-slice:jax-shrink', [], 'py', JAX_F('X[1, ::2] * X[0, 1::2]', ['X = x.reshape(2, 3)']), XG, '(lambda X: X[1, ::2] * X[0, 1::2])(x.reshape(2, 3))'),

  // ---- PyTorch takes NumPy's keywords (axis=, keepdims=) for its native functions and methods; dim tuples.
  actC('torch-numpy-keywords', [], 'py', TORCH_F('torch.sum(X, axis=1, keepdims=True) * X + X.mean(axis=0) + torch.amax(X, axis=(0, 1)) + torch.sum(X3, dim=(1, 2))', ['X = x.reshape(2, 3)', 'X3 = x.reshape(1, 2, 3)']), XG,
    '(lambda X: torch.sum(X, dim=1, keepdim=True) * X + X.mean(dim=0) + torch.amax(X) + x.sum())(x.reshape(2, 3))'),
  // ---- inplace= is accepted and ignored (the value is the same), by keyword and by position.
  actC('torch-inplace', [], 'py', TORCH_F('F.relu(x * 1.0, inplace=True) + F.relu6(x * 1.0, True) + F.selu(x * 1.0, inplace=True) + F.silu(x * 1.0, inplace=True) + F.mish(x * 1.0, inplace=True) + F.hardsigmoid(x * 1.0, inplace=True) + F.hardswish(x * 1.0, inplace=True) + F.elu(x * 1.0, inplace=True) + F.leaky_relu(x * 1.0, 0.1, True) + F.hardtanh(x * 1.0, inplace=True)'), XG,
    'F.relu(x) + F.relu6(x) + F.selu(x) + F.silu(x) + F.mish(x) + F.hardsigmoid(x) + F.hardswish(x) + F.elu(x) + F.leaky_relu(x, 0.1) + F.hardtanh(x)'),
  actC('torch-variable', [], 'py', TORCH_F('torch.autograd.Variable(x * 2.0, requires_grad=True) * x'), XG, '2.0 * x * x'),
  actC('torch-finfo-eps', [], 'py', TORCH_F('torch.log(x.abs() + torch.finfo(x.dtype).eps) + torch.finfo(torch.float32).tiny'), XG, 'torch.log(x.abs() + 1.1920928955078125e-07) + 1.1754943508222875e-38'),
  actC('numpy-finfo-eps', [], 'py', JAX_F('jnp.log(jnp.abs(x) + jnp.finfo(jnp.float32).eps)'), XG, 'torch.log(x.abs() + 1.1920928955078125e-07)'),
  actC('jnp-clip-min-max', [], 'py', JAX_F('jnp.clip(x, min=-0.5, max=0.7) + jnp.clip(x, a_min=-0.4) + jnp.clip(x, None, 0.2)'), XG, 'torch.clamp(x, -0.5, 0.7) + torch.clamp(x, min=-0.4) + torch.clamp(x, max=0.2)'),

  // ---- modules
  modAct('ReLU6', 'nn.ReLU6(inplace=True)', [-2.1, -0.35, 0.75, 3.3, 5.2, 6.5], 'F.relu6(x)'),
  modAct('SELU', 'nn.SELU()', XG, 'F.selu(x)'),
  modAct('CELU', 'nn.CELU(alpha=0.5)', XG, 'F.celu(x, alpha=0.5)'),
  modAct('Hardtanh', 'nn.Hardtanh(-0.5, 0.7)', XG, 'F.hardtanh(x, -0.5, 0.7)'),
  modAct('Hardsigmoid', 'nn.Hardsigmoid()', [-3.6, -2.1, -0.35, 0.75, 2.4, 3.5], 'F.hardsigmoid(x)'),
  modAct('Hardswish', 'nn.Hardswish()', [-3.6, -2.1, -0.35, 0.75, 2.4, 3.5], 'F.hardswish(x)'),
  modAct('LogSigmoid', 'nn.LogSigmoid()', XG, 'F.logsigmoid(x)'),
  modAct('Softshrink', 'nn.Softshrink(0.3)', XG, 'F.softshrink(x, 0.3)'),
  modAct('Hardshrink', 'nn.Hardshrink(0.3)', XG, 'F.hardshrink(x, 0.3)'),
  modAct('Tanhshrink', 'nn.Tanhshrink()', XG, 'F.tanhshrink(x)'),
  modAct('Threshold', 'nn.Threshold(0.3, -1.0)', XG, 'F.threshold(x, 0.3, -1.0)'),

  // ---- Tensor methods added with the indexing and shape ops
  actC('methods:torch-indexing', [], 'py', TORCH_F('X.gather(1, torch.tensor([[2, 0], [1, 1]])).sum() + X.masked_fill(X < 0.3, 0.5).pow(2).sum() + X.index_select(1, torch.tensor([2, 0])).pow(2).sum() + X.take_along_dim(torch.tensor([[1], [0]]), dim=1).sum() * 3.0 + X.scatter(1, torch.tensor([[2], [0]]), X[:, :1] ** 2).pow(2).sum() + X.scatter_add(1, torch.tensor([[0, 0]]), X[:1, :2]).pow(2).sum()', ['X = x.reshape(2, 3)']), XG,
    '(lambda X: X.gather(1, torch.tensor([[2, 0], [1, 1]])).sum() + X.masked_fill(X < 0.3, 0.5).pow(2).sum() + X.index_select(1, torch.tensor([2, 0])).pow(2).sum() + X.take_along_dim(torch.tensor([[1], [0]]), dim=1).sum() * 3.0 + X.scatter(1, torch.tensor([[2], [0]]), X[:, :1] ** 2).pow(2).sum() + X.scatter_add(1, torch.tensor([[0, 0]]), X[:1, :2]).pow(2).sum())(x.reshape(2, 3))'),
  actC('methods:torch-sorting', [], 'py', TORCH_F('(X.sort(dim=1)[0] * W).sum() + (X.topk(2)[0] * W[:, :2]).sum() + (X.argsort(dim=0).float() * X).sum() + (X.sort(descending=True).values * W).sum()', ['X = x.reshape(2, 3)', `W = torch.tensor(${W23_SRC})`]), XG,
    `(lambda X, W: (X.sort(dim=1)[0] * W).sum() + (X.topk(2)[0] * W[:, :2]).sum() + (X.argsort(dim=0) * X).sum() + (X.sort(descending=True).values * W).sum())(x.reshape(2, 3), T(${W23_SRC}))`),
  actC('methods:torch-shapes', [], 'py', TORCH_F('(X.t() * W.t()).sum() + (X.flip(0) * W).sum() + (X.flip([0, 1]) * W).sum() + (X.roll(1, 1) * W).sum() + (X.diff(dim=1) ** 2).sum() + (X.cumprod(1) * W).sum() + (X.movedim(0, 1) * W.t()).sum() + X.unbind(1)[0].sum() * 2.0 + (X.split(2, dim=1)[0] ** 2).sum() + (X.chunk(3, dim=1)[1] ** 3).sum()', ['X = x.reshape(2, 3)', `W = torch.tensor(${W23_SRC})`]), XG,
    `(lambda X, W: (X.t() * W.t()).sum() + (X.flip(0) * W).sum() + (X.flip([0, 1]) * W).sum() + (X.roll(1, 1) * W).sum() + (X.diff(dim=1) ** 2).sum() + (X.cumprod(1) * W).sum() + (X.movedim(0, 1) * W.t()).sum() + X.unbind(1)[0].sum() * 2.0 + (X.split(2, dim=1)[0] ** 2).sum() + (X.chunk(3, dim=1)[1] ** 3).sum())(x.reshape(2, 3), T(${W23_SRC}))`),
  actC('methods:torch-construct', [], 'py', TORCH_F('(X.repeat(2, 1) ** 2).sum() + (X.repeat(2, 1, 1) * 0.5).sum() + (X.repeat_interleave(2, dim=0) ** 3).sum() + (x.unfold(0, 3, 2) ** 2).sum() + X.lerp(W, 0.3).pow(2).sum() + X.where(X > 0, torch.tensor(0.5)).pow(2).sum() + X.mm(W.t()).pow(2).sum() + x.view_as(X).mul(W).sum() + X[:1].expand_as(X).mul(W).sum() + (x.new_zeros(6) + x).pow(2).sum() + x.new_full((6,), 2.0).mul(x).sum()', ['X = x.reshape(2, 3)', `W = torch.tensor(${W23_SRC})`]), XG,
    `(lambda X, W: (X.repeat(2, 1) ** 2).sum() + (X.repeat(2, 1, 1) * 0.5).sum() + (X.repeat_interleave(2, dim=0) ** 3).sum() + (x.unfold(0, 3, 2) ** 2).sum() + X.lerp(W, 0.3).pow(2).sum() + X.where(X > 0, torch.tensor(0.5)).pow(2).sum() + X.mm(W.t()).pow(2).sum() + x.view_as(X).mul(W).sum() + X[:1].expand_as(X).mul(W).sum() + (x.new_zeros(6) + x).pow(2).sum() + x.new_full((6,), 2.0).mul(x).sum())(x.reshape(2, 3), T(${W23_SRC}))`),
  actC('methods:torch-matrix', [], 'py', TORCH_F('M.tril().pow(2).sum() + M.triu(1).pow(2).sum() + (M.diagonal() * torch.tensor([1.0, -2.0, 0.5])).sum() + M.trace() * 2.0 + (M.diag(1) ** 2).sum() + M.isfinite().float().sum() + M.logical_not().float().sum() + x.norm(p=2) + x.norm(dim=0)', ['M = x.reshape(3, 3)']), X9,
    '(lambda M: M.tril().pow(2).sum() + M.triu(1).pow(2).sum() + (M.diagonal() * T([1.0, -2.0, 0.5])).sum() + M.trace() * 2.0 + (M.diag(1) ** 2).sum() + M.isfinite().sum() + M.logical_not().sum() + x.norm(p=2) + x.norm(dim=0))(x.reshape(3, 3))'),
  actC('methods:numpy-indexing', [], 'py', JAX_F('(X.argsort(axis=1) * X).sum() + (X.take(jnp.array([2, 0]), axis=1) ** 2).sum() + (M.diagonal() * 2.0).sum() + M.trace() + (X.cumprod(axis=1) * W).sum() + (X.repeat(2, axis=0) ** 2).sum()', ['X = x[:6].reshape(2, 3)', 'M = x.reshape(3, 3)', `W = jnp.array(${W23_SRC})`]), X9,
    `(lambda X, M, W: (X.argsort(dim=1) * X).sum() + (X[:, [2, 0]] ** 2).sum() + (M.diagonal() * 2.0).sum() + M.trace() + (X.cumprod(dim=1) * W).sum() + (X.repeat_interleave(2, dim=0) ** 2).sum())(x[:6].reshape(2, 3), x.reshape(3, 3), T(${W23_SRC}))`),
  actC('methods:tfjs-indexing', [], 'js', TFJS_F("X.topk(2).values.mul(tf.tensor([[1, -2], [3, 0.5]])).sum().add(X.reverse(1).mul(W).sum()).add(X.gather(tf.tensor([2, 0], undefined, 'int32'), 1).square().sum()).add(X.unstack(1)[0].sum()).add(X.split(3, 1)[2].square().sum()).add(X.pad([[1, 0], [0, 1]]).square().sum()).add(X.mirrorPad([[0, 0], [2, 1]], 'reflect').square().sum())", ['const X = x.reshape([2, 3]);', `const W = tf.tensor(${W23_SRC});`]), XG,
    `(lambda X, W: (torch.topk(X, 2)[0] * T([[1.0, -2.0], [3.0, 0.5]])).sum() + (torch.flip(X, [1]) * W).sum() + (X[:, [2, 0]] ** 2).sum() + X[:, 0].sum() + (X[:, 2:] ** 2).sum() + (X ** 2).sum() + (F.pad(X.reshape(1, 2, 3), (2, 1), mode='reflect') ** 2).sum())(x.reshape(2, 3), T(${W23_SRC}))`),

  // ---- logsumexp: -inf entries, JAX's b= (negative too, with return_sign), where=, axis tuples; torch dim tuples.
  // -inf entries (a whole row of them gives -inf, with no NaN in the gradient).
  actC('logsumexp:torch-neg-inf-dim-tuple', [], 'py', TORCH_F("torch.logsumexp(Xm, dim=(0, 1)) * 0.5 + torch.logsumexp(Xm, dim=1) + torch.logsumexp(x.reshape(1, 2, 3), dim=(1, 2))", ["X = x.reshape(2, 3)", "Xm = X.masked_fill(X < 0.5, float('-inf'))"]), [0.3, -0.9, 0.2, 0.6, 1.75, -1.6],
    "(lambda Xm: torch.logsumexp(Xm, dim=(0, 1)) * 0.5 + torch.logsumexp(Xm, dim=1) + torch.logsumexp(x.reshape(1, 2, 3), dim=(1, 2)))(x.reshape(2, 3).masked_fill(x.reshape(2, 3) < 0.5, float('-inf')))"),
  actC('logsumexp:jax-b-sign', [], 'py', JAX_F('jax.scipy.special.logsumexp(X, axis=1, b=W, return_sign=True)[0] * jax.scipy.special.logsumexp(X, axis=1, b=W, return_sign=True)[1]', ['X = x.reshape(2, 3)', `W = jnp.array(${W23_SRC})`]), XG,
    `(lambda r: r[0] * r[1])(jax_logsumexp(x.reshape(2, 3), axis=1, b=T(${W23_SRC}), return_sign=True))`),
  actC('logsumexp:jax-where-axes', [], 'py', JAX_F('jax.nn.logsumexp(X, axis=(0, 1), where=X > -0.5) + jax.nn.logsumexp(X, axis=0, keepdims=True).sum()', ['X = x.reshape(2, 3)']), XG,
    '(lambda X: jax_logsumexp(X, axis=(0, 1), where=X > -0.5) + jax_logsumexp(X, axis=0, keepdims=True).sum())(x.reshape(2, 3))'),
  // ---- jax.nn.softmax / log_softmax with where= and axis tuples.
  actC('softmax:jax-where', [], 'py', JAX_F('(jax.nn.softmax(X, axis=1, where=X > -1.0) * W).sum() + jnp.where(X > -1.0, jax.nn.log_softmax(X, axis=1, where=X > -1.0), 0.0).sum()', ['X = x.reshape(2, 3)', `W = jnp.array(${W23_SRC})`]), XG,
    `(lambda X: (jax_softmax(X, 1, X > -1.0) * T(${W23_SRC})).sum() + torch.where(X > -1.0, jax_softmax(X, 1, X > -1.0, log=True), torch.zeros_like(X)).sum())(x.reshape(2, 3))`),
  actC('softmax:jax-axis-tuple', [], 'py', JAX_F('(jax.nn.softmax(X, axis=(0, 1)) * W).sum() + (jax.nn.log_softmax(X, axis=(0, 1)) * W).sum()', ['X = x.reshape(2, 3)', `W = jnp.array(${W23_SRC})`]), XG,
    `(lambda X, W: (jax_softmax(X, (0, 1)) * W).sum() + (jax_softmax(X, (0, 1), log=True) * W).sum())(x.reshape(2, 3), T(${W23_SRC}))`),

  // ---- one_hot: TF's on/off values and axis, JAX's axis, Keras 3's num_classes keyword.
  actC('one-hot:tf-on-off-axis', [], 'py', KERAS_F("X * tf.one_hot(tf.constant([0, 2, 1]), 3, on_value=2.0, off_value=-1.0, axis=0) + X * keras.ops.one_hot(tf.constant([1, 1, 0]), num_classes=3)", ['X = tf.reshape(x, (3, 3))']), X9,
    'x.reshape(3, 3) * (F.one_hot(torch.tensor([0, 2, 1]), 3).T * 3.0 - 1.0) + x.reshape(3, 3) * F.one_hot(torch.tensor([1, 1, 0]), 3)'),
  actC('one-hot:jax-axis', [], 'py', JAX_F('X * jax.nn.one_hot(jnp.array([0, 2, 1]), 3, axis=0)', ['X = x.reshape(3, 3)']), X9, 'x.reshape(3, 3) * F.one_hot(torch.tensor([0, 2, 1]), 3).T'),
  // ---- eye with an offset and a batch shape.
  actC('eye:offsets', [], 'py', JAX_F('(X * jnp.eye(3, 4, k=1)).sum() + (X * jnp.eye(3, 4, -1)).sum() * 2.0', ['X = x.reshape(3, 4)']), X12,
    '(x.reshape(3, 4) * T([[0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]])).sum() + (x.reshape(3, 4) * T([[0, 0, 0, 0], [1, 0, 0, 0], [0, 1, 0, 0]])).sum() * 2.0'),
  actC('eye:tf-batch', [], 'py', KERAS_F('X * tf.eye(2, 3, batch_shape=[2]) + X * keras.ops.eye(2, 3, k=1)', ['X = tf.reshape(x, (2, 2, 3))']), X12, 'x.reshape(2, 2, 3) * torch.eye(2, 3) + x.reshape(2, 2, 3) * torch.diag(torch.ones(2), 1)[:2, :3]'),
  // ---- F.cosine_similarity: a zero vector (its gradient is the other's direction over eps) and broadcasting.
  actC('cosine-similarity:zero-broadcast', [], 'py', TORCH_F('F.cosine_similarity(X * M, W) + F.cosine_similarity(X, torch.tensor([1.0, -2.0, 0.5]), dim=-1) * 2.0', ['X = x.reshape(2, 3)', `W = torch.tensor(${W23_SRC})`, 'M = torch.tensor([[0.0], [1.0]])']), XG,
    `F.cosine_similarity(x.reshape(2, 3) * T([[0.0], [1.0]]), T(${W23_SRC})) + F.cosine_similarity(x.reshape(2, 3), T([1.0, -2.0, 0.5]), dim=-1) * 2.0`),

  // ---- reductions of losses
  // keras.backend.binary_crossentropy is elementwise (Keras 2 backend); the per-element weights tell it from a mean.
  lossC('reduction:keras-backend-bce-elementwise', KERAS, `K.binary_crossentropy(y_true, y_pred) * tf.constant(${W23_SRC})`, P_YT, P_YP, `keras_backend_bce(yt, yp) * T(${W23_SRC})`),
  lossC('reduction:keras-ops-bce-elementwise', KERAS, `keras.ops.binary_crossentropy(y_true, y_pred, from_logits=True) * tf.constant(${W23_SRC})`, P_YT, L_YP, `keras_backend_bce(yt, yp, from_logits=True) * T(${W23_SRC})`),
  lossC('reduction:keras-losses-per-sample', KERAS, 'keras.losses.binary_crossentropy(y_true, y_pred) * tf.constant([1.0, -2.0]) + keras.losses.mean_squared_error(y_true, y_pred) * tf.constant([0.5, 3.0]) + keras.losses.huber(y_true, y_pred) * tf.constant([2.0, -1.0]) + keras.losses.log_cosh(y_true, y_pred) * tf.constant([1.5, 0.5]) + keras.losses.mean_absolute_error(y_true, y_pred) * tf.constant([-1.0, 2.0])', P_YT, P_YP,
    'keras_bce(yt, yp) * T([1.0, -2.0]) + torch.mean((yp - yt) ** 2, -1) * T([0.5, 3.0]) + keras_huber(yt, yp) * T([2.0, -1.0]) + keras_log_cosh(yt, yp) * T([1.5, 0.5]) + torch.mean(torch.abs(yp - yt), -1) * T([-1.0, 2.0])'),
  lossC('reduction:keras-categorical-per-sample', KERAS, 'keras.losses.categorical_crossentropy(y_true, y_pred) * tf.constant([1.0, -2.0, 0.5]) + keras.losses.kl_divergence(y_true, y_pred) * tf.constant([2.0, 1.0, -1.0]) + K.categorical_crossentropy(y_true, y_pred) * tf.constant([0.5, 0.5, 3.0])', PROBS, PROBS_UNNORM,
    'keras_cce(yt, yp) * T([1.0, -2.0, 0.5]) + keras_kld(yt, yp) * T([2.0, 1.0, -1.0]) + keras_cce(yt, yp) * T([0.5, 0.5, 3.0])'),
  lossC('reduction:keras-sparse-per-sample', KERAS, 'keras.losses.sparse_categorical_crossentropy(y_true, y_pred, from_logits=True) * tf.constant([1.0, -2.0, 0.5])', CLASSES, LOGITS, 'keras_scce(yt, yp, from_logits=True) * T([1.0, -2.0, 0.5])'),
  lossC('reduction:tf-nn-per-element-and-sample', KERAS, 'tf.nn.softmax_cross_entropy_with_logits(labels=y_true, logits=y_pred) * tf.constant([1.0, -2.0, 0.5]) + tf.reduce_sum(tf.nn.sigmoid_cross_entropy_with_logits(labels=y_true, logits=y_pred) * tf.constant([[1.0, -1.0, 2.0, 0.5], [0.0, 1.0, 1.0, 3.0], [2.0, 2.0, -1.0, 1.0]]), axis=-1)', PROBS, LOGITS,
    "F.cross_entropy(yp, yt, reduction='none') * T([1.0, -2.0, 0.5]) + torch.sum(F.binary_cross_entropy_with_logits(yp, yt, reduction='none') * T([[1.0, -1.0, 2.0, 0.5], [0.0, 1.0, 1.0, 3.0], [2.0, 2.0, -1.0, 1.0]]), -1)"),
  lossC('reduction:optax-per-sample-and-element', 'import jax.numpy as jnp\nimport optax', 'optax.softmax_cross_entropy(y_pred, y_true) * jnp.array([1.0, -2.0, 0.5]) + jnp.sum(optax.sigmoid_binary_cross_entropy(y_pred, y_true) * jnp.array([[1.0, -1.0, 2.0, 0.5], [0.0, 1.0, 1.0, 3.0], [2.0, 2.0, -1.0, 1.0]]), axis=-1) + jnp.sum(optax.l2_loss(y_pred, y_true), axis=-1) * jnp.array([0.5, 1.0, 2.0])', PROBS, LOGITS,
    "F.cross_entropy(yp, yt, reduction='none') * T([1.0, -2.0, 0.5]) + torch.sum(F.binary_cross_entropy_with_logits(yp, yt, reduction='none') * T([[1.0, -1.0, 2.0, 0.5], [0.0, 1.0, 1.0, 3.0], [2.0, 2.0, -1.0, 1.0]]), -1) + torch.sum(0.5 * (yp - yt) ** 2, -1) * T([0.5, 1.0, 2.0])"),
  // Keras loss objects: reduction='none' keeps the per-sample losses, 'sum' adds them.
  modLoss('keras-BinaryCrossentropy-none', 'keras.losses.BinaryCrossentropy', KERAS, "keras.losses.BinaryCrossentropy(reduction='none')", 'criterion(y_true, y_pred) * tf.constant([1.0, -2.0])', P_YT, P_YP, 'keras_bce(yt, yp) * T([1.0, -2.0])'),
  modLoss('keras-MeanSquaredError-sum', 'keras.losses.MeanSquaredError', KERAS, 'keras.losses.MeanSquaredError(reduction=keras.losses.Reduction.SUM)', 'criterion(y_true, y_pred)', L_YT, L_YP, 'torch.mean((yp - yt) ** 2, -1).sum()'),
  modLoss('keras-Huber-sum-over-batch', 'keras.losses.Huber', KERAS, "keras.losses.Huber(delta=0.5, reduction='sum_over_batch_size')", 'criterion(y_true, y_pred)', L_YT, L_YP, 'keras_huber(yt, yp, delta=0.5).mean()'),
  // torch: 'none' per element, and the deprecated size_average= / reduce= arguments.
  lossC('reduction:torch-none-weighted', TORCH, "F.cross_entropy(input, target.long(), reduction='none') * torch.tensor([1.0, -2.0, 0.5]) + F.nll_loss(input, target.long(), reduction='none') * torch.tensor([2.0, 1.0, -1.0]) + (F.kl_div(input, torch.softmax(input, dim=1), reduction='none') * 0.5).sum(dim=1)", CLASSES, LOGITS,
    "F.cross_entropy(yp, yt.long(), reduction='none') * T([1.0, -2.0, 0.5]) + F.nll_loss(yp, yt.long(), reduction='none') * T([2.0, 1.0, -1.0]) + (F.kl_div(yp, torch.softmax(yp, dim=1), reduction='none') * 0.5).sum(dim=1)"),
  lossC('reduction:torch-legacy-reduce', TORCH, `F.mse_loss(input, target, reduce=False) * torch.tensor(${W23_SRC}) + F.l1_loss(input, target, size_average=False) + F.smooth_l1_loss(input, target, size_average=True, reduce=True)`, L_YT, L_YP,
    `F.mse_loss(yp, yt, reduction='none') * T(${W23_SRC}) + F.l1_loss(yp, yt, reduction='sum') + F.smooth_l1_loss(yp, yt)`),
);

// Maps over the first axis (keras.ops.vectorized_map, tf.map_fn, jax.vmap) and batched transposes.
composites.push(
  actC('map:keras-vectorized-map-tuple', [], 'py', KERAS_F('keras.ops.vectorized_map(lambda pair: tf.reduce_sum(pair[0] * pair[1] ** 2), (X, X * 0.5))', ['X = tf.reshape(x, (2, 3))']), XG, '((x.reshape(2, 3) * (0.5 * x.reshape(2, 3)) ** 2)).sum(dim=1)'),
  actC('map:tf-map-fn', [], 'py', KERAS_F('tf.map_fn(lambda row: tf.nn.softmax(row) * row, X)', ['X = tf.reshape(x, (2, 3))']), XG, 'torch.softmax(x.reshape(2, 3), dim=1) * x.reshape(2, 3)'),
  actC('map:jax-vmap', [], 'py', JAX_F('jax.vmap(lambda r, w: jnp.dot(r, w) ** 2, in_axes=(0, None))(X, jnp.array([1.0, -2.0, 0.5]))', ['X = x.reshape(2, 3)']), XG, '(x.reshape(2, 3) @ T([1.0, -2.0, 0.5])) ** 2'),
  // Tensor.expand with the sizes as one tuple, new leading axes and -1 keeping an axis.
  actC('torch-expand-tuple', [], 'py', TORCH_F('x.reshape(2, 3).unsqueeze(0).expand((4, -1, 3)).sum(dim=0) * x.reshape(2, 1, 3).expand(2, 2, 3)[:, 0]'), XG, 'x.reshape(2, 3).unsqueeze(0).expand((4, -1, 3)).sum(dim=0) * x.reshape(2, 1, 3).expand(2, 2, 3)[:, 0]'),
  // ravel_pytree of one array: the flat vector and the function giving it back its shape.
  actC('map:jax-ravel-pytree', [], 'py', JAX_F('(lambda flat, unravel: unravel(flat[::-1] * flat))(*jax.flatten_util.ravel_pytree(X))', ['X = x.reshape(2, 3)']), XG, '(x.flip(0) * x).reshape(2, 3)'),
  // Keras 3's keyword names (x=, x1=/x2=, newshape=, repeats=, xs=) on rows shared with tf.* spellings.
  actC('keras-ops-keywords', [], 'py', KERAS_F('keras.ops.squeeze(x=keras.ops.expand_dims(x=X, axis=0), axis=0) * keras.ops.reshape(x, newshape=(2, 3)) + keras.ops.sum(keras.ops.matmul(x1=X, x2=keras.ops.transpose(X))) + keras.ops.sum(keras.ops.tile(X, repeats=[2, 1]) ** 2) + keras.ops.sum(keras.ops.concatenate(xs=[X, X], axis=0))', ['X = tf.reshape(x, (2, 3))']), XG,
    '(lambda X: X * X + (X @ X.T).sum() + 2.0 * (X ** 2).sum() + 2.0 * X.sum())(x.reshape(2, 3))'),
  // Array methods take where= too.
  actC('methods:jax-where', [], 'py', JAX_F('X.sum(axis=1, where=X > 0.0) + X.max(axis=1, where=X < 1.0, initial=-5.0)', ['X = x.reshape(2, 3)']), XG,
    '(lambda X: torch.where(X > 0, X, torch.zeros_like(X)).sum(1) + torch.amax(torch.where(X < 1, X, torch.full_like(X, -5.0)), 1))(x.reshape(2, 3))'),
  // optax's dtype check is a no-op here; its shape check passes equal shapes.
  lossC('optax-utils-checks', 'import jax.numpy as jnp\nfrom optax._src import utils', 'utils.check_subdtype(y_pred, jnp.floating) or utils.check_shapes_equal(y_pred, y_true) or jnp.mean((y_pred - y_true) ** 2)', L_YT, L_YP, 'torch.mean((yp - yt) ** 2)'),
  actC('torch-mT', [], 'py', TORCH_F('x.reshape(1, 2, 3).mT * torch.tensor([[[1.0, -2.0], [0.5, 3.0], [-1.5, 2.0]]])'), XG, 'x.reshape(1, 2, 3).transpose(1, 2) * T([[[1.0, -2.0], [0.5, 3.0], [-1.5, 2.0]]])'),
);

// TF.js losses with an explicit tf.Reduction.
composites.push(...(['NONE', 'SUM', 'MEAN', 'SUM_BY_NONZERO_WEIGHTS'] as const).map((r, i): Composite => {
  const W = '[[1, 0, 2], [0.5, 1, 0]]';
  const weight = r === 'NONE' ? `tf.tensor(${W23_SRC})` : 'undefined';
  const body = `tf.losses.meanSquaredError(yTrue, yPred, tf.tensor(${W}), tf.Reduction.${r})${r === 'NONE' ? '.mul(tf.tensor([[1, 2, 3], [-1, 0.5, 2]]))' : ''}.add(tf.losses.absoluteDifference(yTrue, yPred, ${weight}, tf.Reduction.${r}))`;
  const refW = r === 'NONE' ? `T(${W23_SRC})` : 'None';
  return {
    name: `reduction:tfjs-${r}`, rows: [], lang: 'js', fn: 'f', yTrue: L_YT, yPred: L_YP,
    ref: `tfjs_reduce((yt - yp) ** 2, ${W}, ${i === 0 ? 0 : i === 1 ? 2 : i === 2 ? 1 : 3})${r === 'NONE' ? ' * T([[1, 2, 3], [-1, 0.5, 2]])' : ''} + tfjs_reduce(torch.abs(yt - yp), ${refW}, ${i === 0 ? 0 : i === 1 ? 2 : i === 2 ? 1 : 3})`,
    src: `${TFJS}\n\nexport function f(yTrue, yPred) {\n  return ${body};\n}\n`,
  };
}));

// Batch normalisation and layers with parameters. A module runs as a fresh one in eval mode
// (running mean 0, var 1, weight 1, bias 0); a Conv module's weights are seeded draws, so its case
// checks the module against the functional form on its own weight and bias (the difference is
// exactly zero in both value and gradient) plus the functional form with given weights.
const W3 = '[[1.0, -2.0, 0.5], [3.0, -1.5, 2.0]]';
const W32 = '[[1.0, -2.0], [0.5, 3.0], [-1.5, 2.0]]';
// running_mean, running_var, weight, bias of a 3-channel F.batch_norm
const BN_ARGS = [[0.1, -0.2, 0.3], [0.5, 2.5, 1.5], [1.5, -0.5, 2.5], [0.2, 0.1, -0.3]];
const tensors = (make: string): string => BN_ARGS.map((v) => `${make}(${JSON.stringify(v)})`).join(', ');
const convWeights = (n: number): number[] => Array.from({ length: n }, (_, i) => [0.5, -1.0, 0.25, 1.5, -0.75, 2.0, -0.5, 1.0][i % 8]);
const convModule = (name: string, ctor: string, view: number[], fn: string, extra: string, wshape: number[], x: number[]): Composite => {
  const w = convWeights(wshape.reduce((p, q) => p * q, 1));
  const X = `x.view(${view.join(', ')})`;
  const body = `(m(${X}) - ${fn}(${X}, m.weight, m.bias${extra}) + ${fn}(${X}, torch.tensor(${JSON.stringify(w)}).view(${wshape.join(', ')})${extra})) ** 2`;
  return {
    name: `module:${name}`, rows: [`torch.nn.${name.split('-')[0]}`], lang: 'py', fn: 'f', x,
    ref: `${fn}(x.reshape(${view.join(', ')}), T(${JSON.stringify(w)}).reshape(${wshape.join(', ')})${extra}) ** 2`,
    src: `${TORCH}\n\nm = ${ctor}\n\n\ndef f(x):\n    return ${body}\n`,
  };
};
composites.push(
  actC('batch-norm:functional-eval', ['torch.nn.functional.batch_norm'], 'py', TORCH_F(`F.batch_norm(x.view(2, 3), ${tensors('torch.tensor')}, eps=1e-3) * torch.tensor(${W3})`), XG,
    `F.batch_norm(x.reshape(2, 3), ${tensors('T')}, eps=1e-3) * T(${W3})`),
  actC('batch-norm:functional-training', ['torch.nn.functional.batch_norm'], 'py', TORCH_F(`F.batch_norm(x.view(3, 2), None, None, training=True) * torch.tensor(${W32})`), XG,
    `F.batch_norm(x.reshape(3, 2), None, None, training=True) * T(${W32})`),
  actC('batch-norm:functional-4d', ['torch.nn.functional.batch_norm'], 'py', TORCH_F('F.batch_norm(x.view(1, 2, 2, 3), torch.tensor([0.5, -1.0]), torch.tensor([2.0, 0.25]), bias=torch.tensor([1.0, -1.0])) ** 2'), X12,
    'F.batch_norm(x.reshape(1, 2, 2, 3), T([0.5, -1.0]), T([2.0, 0.25]), bias=T([1.0, -1.0])) ** 2'),
  { name: 'module:BatchNorm1d', rows: ['torch.nn.BatchNorm1d'], lang: 'py', fn: 'f', x: XG,
    ref: `F.batch_norm(x.reshape(2, 3), T([0.0, 0.0, 0.0]), T([1.0, 1.0, 1.0]), T([1.0, 1.0, 1.0]), T([0.0, 0.0, 0.0]), eps=1e-3) * T(${W3})`,
    src: `${TORCH}\n\nm = nn.BatchNorm1d(3, eps=1e-3)\n\n\ndef f(x):\n    return m(x.view(2, 3)) * torch.tensor(${W3})\n` },
  { name: 'module:BatchNorm1d-batch-statistics', rows: ['torch.nn.BatchNorm1d'], lang: 'py', fn: 'f', x: XG,
    ref: `F.batch_norm(x.reshape(3, 2), None, None, training=True) * T(${W32})`,
    src: `${TORCH}\n\nm = nn.BatchNorm1d(2, track_running_stats=False)\n\n\ndef f(x):\n    return m(x.view(3, 2)) * torch.tensor(${W32})\n` },
  { name: 'module:BatchNorm2d', rows: ['torch.nn.BatchNorm2d'], lang: 'py', fn: 'f', x: X12,
    ref: 'F.batch_norm(x.reshape(1, 2, 2, 3), T([0.0, 0.0]), T([1.0, 1.0]), T([1.0, 1.0]), T([0.0, 0.0])) ** 2 + x.reshape(1, 2, 2, 3)',
    src: `${TORCH}\n\nm = nn.BatchNorm2d(2)\n\n\ndef f(x):\n    X = x.view(1, 2, 2, 3)\n    return m(X) ** 2 + X\n` },
  { name: 'module:BatchNorm3d', rows: ['torch.nn.BatchNorm3d'], lang: 'py', fn: 'f', x: X12,
    ref: 'F.batch_norm(x.reshape(1, 2, 1, 2, 3), T([0.0, 0.0]), T([1.0, 1.0]), eps=0.1) ** 2',
    src: `${TORCH}\n\nm = nn.BatchNorm3d(2, eps=0.1, affine=False)\n\n\ndef f(x):\n    return m(x.view(1, 2, 1, 2, 3)) ** 2\n` },
  convModule('Conv1d', 'nn.Conv1d(2, 2, 2, padding=1)', [1, 2, 3], 'F.conv1d', ', padding=1', [2, 2, 2], XG),
  convModule('Conv2d-depthwise-same', "nn.Conv2d(2, 2, 3, padding='same', groups=2)", [1, 2, 2, 3], 'F.conv2d', ", padding='same', groups=2", [2, 1, 3, 3], X12),
  convModule('Conv2d-stride-dilation', 'nn.Conv2d(1, 2, 2, stride=2, padding=(1, 0), dilation=(1, 2))', [1, 1, 3, 4], 'F.conv2d', ', stride=2, padding=(1, 0), dilation=(1, 2)', [2, 1, 2, 2], X12),
  convModule('Conv3d-no-bias', 'nn.Conv3d(1, 2, (1, 2, 2), bias=False)', [1, 1, 1, 3, 4], 'F.conv3d', '', [2, 1, 1, 2, 2], X12),
);

export function compositeCases(): ParityCase[] {
  return composites.map((k) => {
    const base = { id: `composite:${k.name}`, rows: k.rows, path: k.lang === 'js' ? 'parity_composite.js' : 'parity_composite.py', text: k.src, name: k.fn, ref: k.ref };
    if (k.x) return { ...base, kind: 'activation' as const, x: k.x };
    return { ...base, kind: 'loss' as const, yTrue: k.yTrue, yPred: k.yPred };
  });
}

// ------------------------------------------------------------------ coverage

/**
 * Rows under a covered prefix that are not checked against PyTorch, each with the reason. Keep short:
 * a row belongs here only when no float reference can be written for it.
 */
export const notCheckable: Record<string, string> = {};

export function allCases(): { cases: ParityCase[]; problems: string[] } {
  const { cases, problems } = generatedCases();
  return { cases: [...cases, ...compositeCases(), ...eagerCases()], problems };
}
