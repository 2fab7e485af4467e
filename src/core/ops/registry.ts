// Resolves a framework path (`torch.clamp`, `tfjs.leakyRelu`) or a tensor method to its op row and
// runs it. The default branch names what is not supported: that is the GP001 message.
import * as tf from '@tensorflow/tfjs-core';
import type { Interpreter } from './interpreter';
import { UnsupportedConstruct, UserCodeError } from '../ir/errors';
import type { Framework } from '../ir/frameworks';
import type { Span } from '../ir/ir';
import { NONE, describe, num, tuple, type Value } from '../ir/values';
import { OpArgs, parseParam, type ParamSpec } from './args';
import { detach, implementations as coreImplementations, type OpImpl, type OpTag } from './implementations';
import { indexingOps } from './indexingOps';
import { mathOps } from './mathOps';
import { markTorchSize, randomOps } from './randomOps';
import { spatialOps } from './spatialOps';
import { layerOps, moduleStates } from './layerOps';
import type { ClassCall, ClassRow, OpRow } from './table';
import { numpyMethods, numpyOps } from './tables/numpy';
import { pythonOps } from './tables/python';
import { kerasClasses, tensorflowMethods, tensorflowOps } from './tables/tensorflow';
import { tfjsMethods, tfjsOps } from './tables/tfjs';
import { torchClasses, torchMethods, torchOps } from './tables/torch';

interface BoundRow {
  name: string;
  impl: string;
  params: ParamSpec[];
  fixed?: OpRow['fixed'];
  tags: OpTag[];
  /** PyTorch native functions and Tensor methods also take NumPy's keyword names (axis=, keepdims=). */
  torchKeywords?: boolean;
}

interface BoundClass {
  name: string;
  impl: string;
  params: ParamSpec[];
  call: ClassCall;
  fixed?: Record<string, Value>;
  state?: string;
}

/** Every implementation, by name: the core set and the indexing, arithmetic, spatial and random modules. */
const implementations: Record<string, OpImpl> = (() => {
  const all: Record<string, OpImpl> = { ...coreImplementations };
  for (const extra of [indexingOps, mathOps, spatialOps, randomOps, layerOps]) {
    for (const [k, v] of Object.entries(extra)) {
      if (all[k]) throw new Error(`implementation ${k} is defined twice`);
      all[k] = v;
    }
  }
  return all;
})();

/** The tensor implementation a row runs: for scalar math (`math.exp`), its tensor twin's. */
function implOf(impl: string): OpImpl | undefined {
  return implementations[impl] ?? implementations[/^(?:py|js)_(\w+)$/.exec(impl)?.[1] ?? ''];
}

/** torch.* natives take NumPy keyword aliases; torch.nn.functional's Python functions do not. */
const torchNative = (name: string): boolean => name.startsWith('torch.') && !name.startsWith('torch.nn.');

function index(rows: OpRow[], torchKeywords: (name: string) => boolean = torchNative): Map<string, BoundRow> {
  const map = new Map<string, BoundRow>();
  for (const r of rows) {
    if (!implementations[r.impl] && !scalarImpl(r.impl)) throw new Error(`op table row ${r.names[0]} names a missing implementation ${r.impl}`);
    const params = r.params.map(parseParam);
    const tags = [...new Set([...(implOf(r.impl)?.tags ?? []), ...(r.tags ?? [])])];
    for (const name of r.names) map.set(name, { name, impl: r.impl, params, fixed: r.fixed, tags, torchKeywords: torchKeywords(name) });
  }
  return map;
}

function indexClasses(rows: ClassRow[]): Map<string, BoundClass> {
  const map = new Map<string, BoundClass>();
  for (const r of rows) {
    if (!implementations[r.impl]) throw new Error(`class row ${r.names[0]} names a missing implementation ${r.impl}`);
    if (r.state && !moduleStates[r.state]) throw new Error(`class row ${r.names[0]} names a missing module state ${r.state}`);
    const params = r.params.map(parseParam);
    for (const name of r.names) map.set(name, { name, impl: r.impl, params, call: r.call, fixed: r.fixed, state: r.state });
  }
  return map;
}

let tables: { ops: Map<string, BoundRow>; classes: Map<string, BoundClass>; methods: Record<Framework, Map<string, BoundRow>> } | undefined;
function loaded(): NonNullable<typeof tables> {
  tables ??= {
    ops: index([...torchOps, ...tensorflowOps, ...numpyOps, ...tfjsOps, ...pythonOps]),
    classes: indexClasses([...torchClasses, ...kerasClasses]),
    methods: {
      pytorch: index(torchMethods, () => true),
      tensorflow: index([...tensorflowMethods, ...numpyMethods.filter((r) => r.names.includes('numpy'))]),
      jax: index(numpyMethods),
      numpy: index(numpyMethods),
      tfjs: index(tfjsMethods),
    },
  };
  return tables;
}

/** Every op row, for the parity tests and the docs. */
export function allOpRows(): { name: string; impl: string; params: string[] }[] {
  return [...loaded().ops.values()].map((r) => ({ name: r.name, impl: r.impl, params: r.params.map((p) => p.source) }));
}

/** Every class row (modules, loss classes), for the parity tests. */
export function allClassRows(): { name: string; impl: string; kind: ClassCall['kind'] }[] {
  return [...loaded().classes.values()].map((r) => ({ name: r.name, impl: r.impl, kind: r.call.kind }));
}

/** What the static readers know of an op: its implementation, tags, parameters and fixed arguments. */
export interface OpFacts {
  impl: string;
  tags: readonly OpTag[];
  params: readonly ParamSpec[];
  fixed?: OpRow['fixed'];
  /** A framework loss: the implementation parameters of the prediction and the target. */
  roles?: OpImpl['roles'];
}

const factsOf = (r: BoundRow): OpFacts => ({ impl: r.impl, tags: r.tags, params: r.params, fixed: r.fixed, roles: implementations[r.impl]?.roles });

export function opAt(path: string): OpFacts | undefined {
  const r = loaded().ops.get(path);
  if (r) return factsOf(r);
  const special = specialCalls.get(path);
  if (special) return { impl: path, tags: special.tags ?? [], params: [] };
  // A class: calling it builds the callable; what the callable does is classAt's.
  if (loaded().classes.has(path)) return { impl: path, tags: [], params: [] };
  return undefined;
}

/** A module or loss class: what calling an instance runs, with the implementation's tags and roles. */
export function classAt(path: string): (OpFacts & { call: ClassCall }) | undefined {
  const c = loaded().classes.get(path);
  if (!c) return undefined;
  const impl = implementations[c.impl];
  return { impl: c.impl, tags: impl.tags ?? [], params: c.params, roles: impl.roles, call: c.call };
}

/** Tensor methods every framework's readers treat as leaving the autodiff graph. */
const graphBreakMethods = ['item', 'numpy', 'tolist', 'dataSync', 'arraySync', 'detach', 'stop_recording'];

export function methodAt(framework: Framework, name: string): OpFacts | undefined {
  const r = loaded().methods[framework].get(name);
  if (r) return factsOf(r);
  if (graphBreakMethods.includes(name)) return { impl: 'stop_gradient', tags: ['graph-break'], params: [] };
  return undefined;
}

/** What a tensor attribute is to the static readers: metadata (not a tensor), the tensor itself, or the tensor cut from the graph. */
export function tensorAttribute(framework: Framework, name: string): 'metadata' | 'same' | 'detached' | undefined {
  if (['shape', 'ndim', 'dtype', 'device', 'length', 'rank', 'size', 'dim', 'get_shape'].includes(name)) return 'metadata';
  if (name === 'T' || name === 'mT') return 'same';
  if (name === 'data') return framework === 'pytorch' ? 'detached' : 'same';
  return undefined;
}

const frameworkRoots = ['torch', 'tf', 'keras', 'jax', 'numpy', 'tfjs', 'math', 'optax', 'flax', 'scipy', 'Math'];
export function isKnownModulePath(path: string): boolean {
  return frameworkRoots.some((r) => path === r || path.startsWith(`${r}.`));
}

// ---------------------------------------------------------------- constants

const dtypes: Record<string, Extract<Value, { t: 'dtype' }>['v']> = {
  float32: 'float32', float: 'float32', float64: 'float64', double: 'float64', float16: 'float16', half: 'float16', bfloat16: 'bfloat16',
  int32: 'int32', int64: 'int64', long: 'int64', int: 'int32', int8: 'int32', uint8: 'int32', int16: 'int32', short: 'int32', byte: 'int32',
  uint16: 'int32', uint32: 'int64', uint64: 'int64', bool: 'bool', bool_: 'bool',
};

/** Whether a dtype as written (`torch.long`, `np.int32`, `'int64'`, `int`) is an integer or boolean type: a cast to it has no gradient. */
export function isIntegerDtype(written: string): boolean {
  const d = dtypes[written.replace(/^['"]|['"]$/g, '').split('.').pop() ?? ''];
  return d === 'int32' || d === 'int64' || d === 'bool';
}

export function constantAt(path: string): Value | undefined {
  const last = path.slice(path.lastIndexOf('.') + 1);
  const root = path.split('.')[0];
  if (['torch', 'tf', 'numpy', 'jax', 'keras'].includes(root) && dtypes[last] && !path.includes('.nn.') && !path.includes('.math.')) {
    return { t: 'dtype', v: dtypes[last] };
  }
  switch (path) {
    case 'math.pi': case 'numpy.pi': case 'jax.numpy.pi': case 'torch.pi': case 'Math.PI': case 'keras.ops.pi': return num(Math.PI);
    case 'math.e': case 'numpy.e': case 'jax.numpy.e': case 'Math.E': return num(Math.E);
    case 'math.inf': case 'numpy.inf': case 'jax.numpy.inf': case 'torch.inf': case 'Number.POSITIVE_INFINITY': return num(Infinity);
    case 'math.nan': case 'numpy.nan': case 'jax.numpy.nan': case 'torch.nan': case 'Number.NaN': return num(NaN);
    case 'numpy.newaxis': case 'jax.numpy.newaxis': return NONE;
    case 'Math.SQRT2': return num(Math.SQRT2);
    case 'Math.LN2': return num(Math.LN2);
    case 'Number.EPSILON': return num(Number.EPSILON);
    // tf.Reduction (TF.js losses) and keras.losses.Reduction (Keras 2).
    case 'tfjs.Reduction.NONE': return num(0, true);
    case 'tfjs.Reduction.MEAN': return num(1, true);
    case 'tfjs.Reduction.SUM': return num(2, true);
    case 'tfjs.Reduction.SUM_BY_NONZERO_WEIGHTS': return num(3, true);
    case 'keras.losses.Reduction.NONE': return { t: 'str', v: 'none' };
    case 'keras.losses.Reduction.SUM': return { t: 'str', v: 'sum' };
    case 'keras.losses.Reduction.SUM_OVER_BATCH_SIZE': return { t: 'str', v: 'sum_over_batch_size' };
    case 'keras.losses.Reduction.AUTO': return { t: 'str', v: 'auto' };
    default: return undefined;
  }
}

// ---------------------------------------------------------------- scalar math

const scalarFns: Record<string, (...x: number[]) => number> = {
  exp: Math.exp, log: Math.log, log1p: Math.log1p, expm1: Math.expm1, sqrt: Math.sqrt, tanh: Math.tanh, sin: Math.sin, cos: Math.cos, tan: Math.tan,
  floor: Math.floor, ceil: Math.ceil, log2: Math.log2, log10: Math.log10, sinh: Math.sinh, cosh: Math.cosh, atan: Math.atan, asin: Math.asin, acos: Math.acos,
  abs: Math.abs, fabs: Math.abs, sign: Math.sign, round: Math.round, trunc: Math.trunc, cbrt: Math.cbrt, pow: Math.pow,
  isnan: (x) => (Number.isNaN(x) ? 1 : 0), isinf: (x) => (Math.abs(x) === Infinity ? 1 : 0), max: Math.max, min: Math.min,
  erf: (x) => erfScalar(x), erfc: (x) => 1 - erfScalar(x),
};

function erfScalar(x: number): number {
  // Abramowitz–Stegun 7.1.26 is not accurate enough; use a series/continued-fraction pair.
  const t = Math.abs(x);
  if (t < 2.5) {
    let sum = t;
    let term = t;
    for (let k = 1; k < 60; k++) {
      term *= (-t * t) / k;
      sum += term / (2 * k + 1);
    }
    return Math.sign(x) * (2 / Math.sqrt(Math.PI)) * sum;
  }
  let cf = 0;
  for (let k = 60; k >= 1; k--) cf = (k / 2) / (t + cf);
  return Math.sign(x) * (1 - Math.exp(-t * t) / Math.sqrt(Math.PI) / (t + cf));
}

function scalarImpl(impl: string): ((...x: number[]) => number) | undefined {
  const m = /^(py|js)_(\w+)$/.exec(impl);
  return m ? scalarFns[m[2]] : undefined;
}

// ---------------------------------------------------------------- special calls

interface SpecialCall {
  call: (args: Value[], kwargs: Map<string, Value>, span: Span, ev: Interpreter) => Value;
  tags?: OpTag[];
}

const noGrad: SpecialCall = { call: () => ({ t: 'builtin', name: 'no_grad_context', call: () => NONE }), tags: ['graph-break'] };
const identityValue: SpecialCall = { call: (args) => args[0] ?? NONE };

/**
 * A class row as a callable: the constructor binds its arguments (and makes the module's parameters
 * once, for a row with a state), the instance runs the implementation.
 */
function classCall(c: BoundClass): SpecialCall {
  return {
    call: (args, kwargs, span, ev) => {
      const state = c.state
        ? moduleStates[c.state](OpArgs.bind(c.name, c.params, args, kwargs, span, (v) => ev.tensor(v, span), c.fixed), ev.ctx)
        : undefined;
      return {
      t: 'builtin',
      name: c.name,
      ...(state ? { attrs: new Map(state) } : {}),
      call: (callArgs, _ck, callSpan) => watchedCall(c.name, callSpan, () => {
        const toTensor = (v: Value) => ev.tensor(v, callSpan);
        if (c.call.kind === 'activation') {
          const bound = OpArgs.bind(c.name, [parseParam('x'), ...c.params], [callArgs[0], ...args], kwargs, callSpan, toTensor, c.fixed);
          for (const [k, v] of state ?? []) bound.values.set(k, v);
          return wrap(implementations[c.impl].run(bound, ev.ctx), ev);
        }
        const targetFirst = c.call.argOrder === 'target-first';
        const [a, b] = callArgs;
        const names = targetFirst ? ['y_true', 'y_pred'] : ['x', 'y'];
        const bound = OpArgs.bind(c.name, [parseParam(names[0]), parseParam(names[1]), ...c.params], [a, b, ...args], kwargs, callSpan, toTensor);
        const out = wrap(implementations[c.impl].run(bound, ev.ctx), ev);
        // Keras' loss classes reduce per their reduction= ('auto' / 'sum_over_batch_size' average the
        // per-sample losses, 'sum' adds them, 'none' keeps them); PyTorch's reduce as the functional does.
        if (targetFirst && out.t === 'tensor') {
          const reduction = bound.str('reduction') ?? 'auto';
          if (reduction === 'none') return out;
          return { t: 'tensor', v: reduction === 'sum' ? tf.sum(out.v) : tf.mean(out.v) };
        }
        return out;
      }),
      };
    },
  };
}

const specialCalls = new Map<string, SpecialCall>([
  ['Array.isArray', { call: (args) => ({ t: 'bool', v: args[0]?.t === 'list' || args[0]?.t === 'tuple' }) }],
  ['Number.isFinite', { call: (args) => ({ t: 'bool', v: args[0]?.t === 'num' && Number.isFinite(args[0].v) }) }],
  ['tfjs.tidy', { call: (args, _k, span, ev) => ev.callValue(args[args.length - 1], [], new Map(), span) }],
  ['tfjs.customGrad', { call: (args, _k, span, ev) => tfjsCustomGrad(args[0], span, ev) }],
  ['tfjs.dispose', { call: () => NONE }],
  ['tfjs.serialization.registerClass', { call: () => NONE }],
  ['torch.no_grad', noGrad],
  ['torch.inference_mode', noGrad],
  ['torch.autograd.no_grad', noGrad],
  ['torch.autograd.inference_mode', noGrad],
  ['torch.enable_grad', { call: () => ({ t: 'builtin', name: 'enable_grad_context', call: () => NONE }) }],
  ['torch.autocast', { call: () => ({ t: 'builtin', name: 'autocast_context', call: () => NONE }) }],
  ['torch.nn.Module', { call: () => ({ t: 'opaque', what: 'module' }) }],
  ['tf.GradientTape', { call: () => ({ t: 'opaque', what: 'tape' }) }],
  ['tf.name_scope', { call: () => ({ t: 'opaque', what: 'name scope' }) }],
  ['tf.device', { call: () => ({ t: 'opaque', what: 'device' }) }],
  ['torch.max', { call: (a, k, s, ev) => overloadedMax('max', a, k, s, ev) }],
  ['torch.min', { call: (a, k, s, ev) => overloadedMax('min', a, k, s, ev) }],
  ['numpy.finfo', { call: (args, kwargs) => finfo(args[0] ?? kwargs.get('dtype')) }],
  ['jax.numpy.finfo', { call: (args, kwargs) => finfo(args[0] ?? kwargs.get('dtype')) }],
  ['torch.finfo', { call: (args, kwargs) => finfo(args[0] ?? kwargs.get('type')) }],
  ['torch.is_tensor', { call: (args) => ({ t: 'bool', v: args[0]?.t === 'tensor' }) }],
  ['keras.ops.is_tensor', { call: (args) => ({ t: 'bool', v: args[0]?.t === 'tensor' }) }],
  ['tf.is_tensor', { call: (args) => ({ t: 'bool', v: args[0]?.t === 'tensor' }) }],
  ['keras.ops.vectorized_map', { call: (a, k, s, ev) => mapFirstAxis(a[0] ?? k.get('function'), a[1] ?? k.get('elements'), s, ev, true) }],
  ['tf.vectorized_map', { call: (a, k, s, ev) => mapFirstAxis(a[0] ?? k.get('fn'), a[1] ?? k.get('elems'), s, ev, true) }],
  ['tf.map_fn', { call: (a, k, s, ev) => mapFirstAxis(a[0] ?? k.get('fn'), a[1] ?? k.get('elems'), s, ev, true) }],
  ['jax.vmap', { call: (a, k, s, ev) => jaxVmap(a[0] ?? k.get('fun'), a[1] ?? k.get('in_axes'), s, ev) }],
  ['jax.flatten_util.ravel_pytree', { call: (a, k, s, ev) => ravelPytree(a[0] ?? k.get('pytree'), s, ev) }],
  ['jax.numpy.vectorize', { call: (a, k, s, ev) => jnpVectorize(a[0] ?? k.get('pyfunc'), k.get('signature'), s, ev) }],
  ['numpy.vectorize', { call: (a, k, s, ev) => jnpVectorize(a[0] ?? k.get('pyfunc'), k.get('signature'), s, ev) }],
  ['operator.index', { call: (args, _k, span) => {
    const v = args[0];
    if (v?.t === 'num' && v.int) return v;
    if (v?.t === 'bool') return num(v.v ? 1 : 0, true);
    throw new UserCodeError(`operator.index: ${v ? describe(v) : 'nothing'} cannot be interpreted as an integer`, span);
  } }],
  // optax's own argument checks: dtypes are not modelled (every tensor is a float here); shapes are.
  ['optax._src.utils.check_subdtype', { call: () => NONE }],
  ['optax._src.utils.check_shapes_equal', { call: (args, _k, span) => {
    const shapes = args.filter((v): v is Extract<Value, { t: 'tensor' }> => v.t === 'tensor').map((v) => v.v.shape.join('×'));
    if (new Set(shapes).size > 1) throw new UserCodeError(`optax: arrays of different shapes (${shapes.join(', ')})`, span);
    return NONE;
  } }],
  ['optax._src.utils.check_rank', { call: (args, _k, span) => {
    const [x, rank] = args;
    const ranks = rank?.t === 'num' ? [rank.v] : rank?.t === 'list' || rank?.t === 'tuple' ? rank.items.map((i) => (i.t === 'num' ? i.v : NaN)) : undefined;
    if (x?.t === 'tensor' && ranks && !ranks.includes(x.v.rank)) throw new UserCodeError(`optax: an array of rank ${x.v.rank} where rank ${ranks.join(' or ')} is expected`, span);
    return NONE;
  } }],
  ['jax.custom_vjp', identityValue],
  ['jax.custom_jvp', identityValue],
  ['jax.jit', identityValue],
  ['tf.function', identityValue],
  // `f_jit = torch.jit.script(f)`: the compiled function computes what f does.
  ['torch.jit.script', identityValue],
  ['torch.compile', identityValue],
  ['tf.keras.utils.register_keras_serializable', { call: () => ({ t: 'builtin', name: 'register', call: (a) => a[0] ?? NONE }) }],
  ['keras.saving.register_keras_serializable', { call: () => ({ t: 'builtin', name: 'register', call: (a) => a[0] ?? NONE }) }],
  ['keras.utils.register_keras_serializable', { call: () => ({ t: 'builtin', name: 'register', call: (a) => a[0] ?? NONE }) }],
  ['functools.partial', { call: (args, kwargs, _s, ev) => ({ t: 'builtin', name: 'partial', partial: { fn: args[0], args: args.slice(1), kwargs }, call: (more, moreK, span) => ev.callValue(args[0], [...args.slice(1), ...more], new Map([...kwargs, ...moreK]), span) }) }],
  ['keras.initializers.Constant', { call: (a, k) => a[0] ?? k.get('value') ?? num(0) }],
  ['keras.initializers.constant', { call: (a, k) => a[0] ?? k.get('value') ?? num(0) }],
  ['tf.constant_initializer', { call: (a, k) => a[0] ?? k.get('value') ?? num(0) }],
]);

/**
 * keras.ops.vectorized_map / tf.vectorized_map / tf.map_fn: `fn` applied to each slice along the first
 * axis of the elements (a tuple of tensors is sliced together and passed as one tuple), the results stacked.
 */
function mapFirstAxis(fn: Value | undefined, elems: Value | undefined, span: Span, ev: Interpreter, asOne: boolean): Value {
  if (!fn || !elems) throw new UnsupportedConstruct('a map without a function or elements', span);
  const grouped = elems.t === 'tuple' || elems.t === 'list';
  const tensors = (grouped ? elems.items : [elems]).map((v) => ev.tensor(v, span));
  const n = tensors[0]?.shape[0];
  if (n === undefined || tensors.some((t) => t.rank === 0 || t.shape[0] !== n)) throw new UnsupportedConstruct('mapping over tensors without a common first axis', span);
  const slices = tensors.map((t) => rowsOf(t));
  const results: Value[] = [];
  for (let i = 0; i < n; i++) {
    const parts: Value[] = slices.map((sl) => ({ t: 'tensor', v: sl[i] }));
    const args = asOne ? [grouped ? { t: elems.t, items: parts } as Value : parts[0]] : parts;
    results.push(ev.callValue(fn, args, new Map(), span));
  }
  return stackResults(results, span, ev);
}

/**
 * The rows of a tensor along its first axis, as slices: tf.unstack's gradient stacks the gradients of
 * all its outputs and fails when one of them does not reach the result (a row a map leaves unused).
 */
function rowsOf(t: tf.Tensor): tf.Tensor[] {
  if (t.rank === 0) throw new UserCodeError('cannot map over a 0-d array', undefined, 'ValueError');
  return Array.from({ length: t.shape[0] }, (_, j) => tf.squeeze(tf.slice(t, [j], [1]), [0]));
}

/**
 * Tensor.expand(*sizes) or expand(sizes) (a tuple, list or torch.Size): new leading axes first, -1
 * keeps an axis's size, counted from the right as broadcasting aligns them.
 */
function torchExpand(x: tf.Tensor, args: Value[], kwargs: Map<string, Value>, span: Span): tf.Tensor {
  const given = args.length === 1 && (args[0].t === 'tuple' || args[0].t === 'list') ? args[0].items : args.length ? args : (() => {
    const size = kwargs.get('size');
    return size && (size.t === 'tuple' || size.t === 'list') ? size.items : [];
  })();
  if (given.length < x.rank) throw new UserCodeError(`expand: the number of sizes provided (${given.length}) must be greater or equal to the number of dimensions in the tensor (${x.rank})`, span);
  const lead = given.length - x.rank;
  const shape = given.map((d, i) => {
    if (d.t !== 'num' || !d.int) throw new UserCodeError(`expand: sizes must be integers, got ${describe(d)}`, span, 'TypeError');
    if (d.v === -1) {
      if (i < lead) throw new UserCodeError('expand: -1 is not allowed in a leading, non-existing dimension', span);
      return x.shape[i - lead];
    }
    return d.v;
  });
  shape.forEach((d, i) => {
    const own = i >= lead ? x.shape[i - lead] : 1;
    if (own !== 1 && own !== d) throw new UserCodeError(`expand: the expanded size (${d}) must match the existing size (${own}) at non-singleton dimension ${i}`, span);
  });
  return tf.broadcastTo(x, shape);
}

function stackResults(results: Value[], span: Span, ev: Interpreter): Value {
  const first = results[0];
  if (first && (first.t === 'tuple' || first.t === 'list')) {
    const width = first.items.length;
    return { t: first.t, items: Array.from({ length: width }, (_, j) => stackResults(results.map((r) => (r.t === 'tuple' || r.t === 'list' ? r.items[j] : r)), span, ev)) };
  }
  if (results.length === 0) throw new UnsupportedConstruct('a map over an empty axis', span);
  return { t: 'tensor', v: tf.stack(results.map((r) => ev.tensor(r, span))) };
}

/** jax.vmap(fun, in_axes=0): a function mapping `fun` over the first axis of its (in_axes 0) arguments; None arguments are passed whole. */
function jaxVmap(fun: Value | undefined, inAxes: Value | undefined, span: Span, ev: Interpreter): Value {
  if (!fun) throw new UnsupportedConstruct('jax.vmap without a function', span);
  const axisOf = (i: number): number | null => {
    if (!inAxes || inAxes.t === 'none') return 0;
    if (inAxes.t === 'num') return inAxes.v;
    if (inAxes.t === 'tuple' || inAxes.t === 'list') { const v = inAxes.items[i]; return !v || v.t === 'none' ? null : v.t === 'num' ? v.v : NaN; }
    return NaN;
  };
  return {
    t: 'builtin',
    name: 'vmapped',
    call: (args, kwargs, callSpan) => {
      const axes = args.map((_, i) => axisOf(i));
      if (axes.some((a) => a !== null && a !== 0)) throw new UnsupportedConstruct('jax.vmap with in_axes other than 0 or None', callSpan);
      const mapped = args.map((v, i) => (axes[i] === 0 ? rowsOf(ev.tensor(v, callSpan)) : undefined));
      const n = mapped.find((m) => m)?.length;
      if (n === undefined) throw new UnsupportedConstruct('jax.vmap with nothing to map over', callSpan);
      if (mapped.some((m) => m && m.length !== n)) throw new UnsupportedConstruct('jax.vmap over arguments of different sizes', callSpan);
      const results: Value[] = [];
      for (let i = 0; i < n; i++) results.push(ev.callValue(fun, args.map((v, j) => (mapped[j] ? { t: 'tensor', v: mapped[j]![i] } as Value : v)), kwargs, callSpan));
      return stackResults(results, callSpan, ev);
    },
  };
}

/**
 * jax.flatten_util.ravel_pytree(tree) of one array (or number): the array flattened, and the function
 * giving a flat array back its shape. Trees of several leaves are not modelled (their leaf order and dtypes).
 */
function ravelPytree(tree: Value | undefined, span: Span, ev: Interpreter): Value {
  if (!tree || (tree.t !== 'tensor' && tree.t !== 'num')) throw new UnsupportedConstruct('jax.flatten_util.ravel_pytree', span, `of ${tree ? describe(tree) : 'nothing'}: only a single array is modelled`);
  const leaf = ev.tensor(tree, span);
  const shape = leaf.shape;
  const unravel: Value = {
    t: 'builtin',
    name: 'unravel_pytree',
    call: (args, _k, callSpan) => {
      const flat = ev.tensor(args[0] ?? NONE, callSpan);
      if (flat.size !== leaf.size) throw new UserCodeError(`unravel_pytree: expected a flat array of ${leaf.size} elements, got ${flat.size}`, callSpan, 'ValueError');
      return tree.t === 'num' ? { t: 'tensor', v: flat.reshape([]) } : { t: 'tensor', v: flat.reshape(shape) };
    },
  };
  return { t: 'tuple', items: [{ t: 'tensor', v: leaf.reshape([-1]) }, unravel] };
}

/**
 * jnp.vectorize(f, signature='(n),(n)->()'): `f` mapped over the broadcast leading (loop) axes of its tensor
 * arguments, each keeping as many trailing (core) axes as its signature group names (none without a signature).
 */
function jnpVectorize(fun: Value | undefined, signature: Value | undefined, span: Span, ev: Interpreter): Value {
  if (!fun) throw new UnsupportedConstruct('vectorize without a function', span);
  let coreRanks: number[] | undefined;
  if (signature && signature.t !== 'none') {
    const m = signature.t === 'str' ? /^\s*((?:\([\w\s,]*\)\s*,?\s*)*)->/.exec(signature.v) : null;
    if (!m) throw new UnsupportedConstruct(`vectorize signature ${describe(signature)}`, span);
    coreRanks = [...m[1].matchAll(/\(([\w\s,]*)\)/g)].map((g) => g[1].split(',').filter((d) => d.trim()).length);
  }
  return {
    t: 'builtin',
    name: 'vectorized',
    wraps: fun,
    call: (args, kwargs, callSpan) => {
      if (coreRanks && coreRanks.length !== args.length) throw new UserCodeError(`vectorize: the signature names ${coreRanks.length} inputs, the call passes ${args.length}`, callSpan);
      const tensors = args.map((v) => ev.tensor(v, callSpan));
      const cores = tensors.map((t, i) => coreRanks?.[i] ?? 0);
      if (tensors.some((t, i) => t.rank < cores[i])) throw new UserCodeError('vectorize: an argument has fewer axes than its signature', callSpan);
      const loop = tensors.reduce<number[]>((acc, t, i) => tf.broadcastTo(tf.zeros(acc), t.shape.slice(0, t.rank - cores[i])).shape, []);
      const n = loop.reduce((a, b) => a * b, 1);
      if (n === 0) throw new UnsupportedConstruct('a map over an empty axis', callSpan);
      const rows = tensors.map((t, i) => {
        const core = t.shape.slice(t.rank - cores[i]);
        return rowsOf(tf.reshape(tf.broadcastTo(t, [...loop, ...core]), [n, ...core]));
      });
      const results: Value[] = [];
      for (let j = 0; j < n; j++) results.push(ev.callValue(fun, rows.map((r) => ({ t: 'tensor', v: r[j] }) as Value), kwargs, callSpan));
      const reshape = (v: Value): Value => {
        if (v.t === 'tuple' || v.t === 'list') return { t: v.t, items: v.items.map(reshape) };
        const t = ev.tensor(v, callSpan);
        return { t: 'tensor', v: tf.reshape(t, [...loop, ...t.shape.slice(1)]) };
      };
      return reshape(stackResults(results, callSpan, ev));
    },
  };
}

/** numpy.finfo / torch.finfo: the float type's limits (float32 unless float64/float16/bfloat16 is named). */
function finfo(dtype: Value | undefined): Value {
  const name = dtype?.t === 'dtype' ? dtype.v : dtype?.t === 'str' ? dtype.v : dtype?.t === 'tensor' ? 'float32' : 'float32';
  const limits: Record<string, [number, number, number]> = {
    float64: [2.220446049250313e-16, 1.7976931348623157e308, 2.2250738585072014e-308],
    float16: [0.0009765625, 65504, 6.103515625e-5],
    bfloat16: [0.0078125, 3.3895313892515355e38, 1.1754943508222875e-38],
    float32: [1.1920928955078125e-7, 3.4028234663852886e38, 1.1754943508222875e-38],
  };
  const [eps, max, tiny] = limits[name] ?? limits.float32;
  return { t: 'opaque', what: 'finfo', attrs: new Map<string, Value>([['eps', num(eps)], ['max', num(max)], ['min', num(-max)], ['tiny', num(tiny)], ['smallest_normal', num(tiny)], ['resolution', num(name === 'float64' ? 1e-15 : name === 'float32' ? 1e-6 : 1e-3)]]) };
}

function overloadedMax(kind: 'max' | 'min', args: Value[], kwargs: Map<string, Value>, span: Span, ev: Interpreter): Value {
  const x = ev.tensor(args[0], span);
  const other = args[1] ?? kwargs.get('other');
  if (other && other.t === 'tensor') return wrap(kind === 'max' ? tf.maximum(x, other.v) : tf.minimum(x, other.v), ev);
  const dim = other ?? kwargs.get('dim');
  if (!dim || dim.t === 'none') return wrap(kind === 'max' ? tf.max(x) : tf.min(x), ev);
  const axis = (dim as { v: number }).v;
  const keep = (args[2] ?? kwargs.get('keepdim'))?.t === 'bool' && ((args[2] ?? kwargs.get('keepdim')) as { v: boolean }).v;
  const values = kind === 'max' ? tf.max(x, axis, keep) : tf.min(x, axis, keep);
  const indices = tf.cast(kind === 'max' ? tf.argMax(detach(x), axis) : tf.argMin(detach(x), axis), 'float32');
  return tuple([{ t: 'tensor', v: ev.ctx.finish(values) }, { t: 'tensor', v: indices }]);
}

function tfjsCustomGrad(f: Value, span: Span, ev: Interpreter): Value {
  return {
    t: 'builtin',
    name: 'customGrad',
    call: (args) => {
      const inputs = args.map((a) => ev.tensor(a, span));
      let gradFunc: Value = NONE;
      let saved: Value[] = [];
      const run = tf.customGrad(((...xs: (tf.Tensor | tf.GradSaveFunc)[]) => {
        const tensors = xs.slice(0, -1) as tf.Tensor[];
        const save: Value = { t: 'builtin', name: 'save', call: (a) => { saved = a[0]?.t === 'list' || a[0]?.t === 'tuple' ? a[0].items : a; return NONE; } };
        const out = ev.callValue(f, [...tensors.map((t) => ({ t: 'tensor', v: t }) as Value), save], new Map(), span);
        if (out.t !== 'dict') throw new UnsupportedConstruct('tf.customGrad function that does not return {value, gradFunc}', span);
        const value = out.map.get('s:value');
        gradFunc = out.map.get('s:gradFunc') ?? NONE;
        if (!value) throw new UnsupportedConstruct('tf.customGrad result without value', span);
        return {
          value: ev.tensor(value, span),
          gradFunc: (dy: tf.Tensor | tf.Tensor[]) => {
            const g = ev.callValue(gradFunc, [{ t: 'tensor', v: Array.isArray(dy) ? dy[0] : dy }, { t: 'list', items: saved }], new Map(), span);
            const items = g.t === 'list' || g.t === 'tuple' ? g.items : [g];
            return tensors.map((x, i) => (items[i] ? tf.broadcastTo(ev.tensor(items[i], span), x.shape) : tf.zerosLike(x)));
          },
        };
      }) as unknown as Parameters<typeof tf.customGrad>[0]);
      return { t: 'tensor', v: run(...inputs) as tf.Tensor };
    },
  };
}

function wrap(out: tf.Tensor | Value, ev: Interpreter): Value {
  if (out instanceof tf.Tensor) {
    if (out.size > ev.ctx.maxElements) throw new UnsupportedConstruct('tensor larger than the probe allows', undefined, `${out.size} elements`);
    return { t: 'tensor', v: out.dtype === 'float32' ? ev.ctx.finish(out) : out };
  }
  // Ops that return several tensors (sort, topk, split, unbind): each one is an op output.
  if (out.t === 'tuple' || out.t === 'list') return { t: out.t, items: out.items.map((v) => (v.t === 'tensor' ? wrap(v.v, ev) : v)) };
  return out;
}

// ---------------------------------------------------------------- watching

/**
 * Sees each op call while a diagnosis re-runs a function (src/core/probe/nonFinite.ts names the op
 * and the line that first made a NaN or Inf). Unset, as it is for every probe, it costs one test a call.
 */
export interface OpWatcher {
  enter(name: string, span: Span): void;
  /** The op's result; undefined when it threw. */
  exit(output: Value | undefined): void;
}

let watcher: OpWatcher | undefined;

/** Runs `run` with `w` seeing every op call it makes (nested watches: the inner one sees its calls). */
export function watchOps<T>(w: OpWatcher, run: () => T): T {
  const previous = watcher;
  watcher = w;
  try {
    return run();
  } finally {
    watcher = previous;
  }
}

function watchedCall(name: string, span: Span, run: () => Value): Value {
  const w = watcher;
  if (!w) return run();
  w.enter(name, span);
  let out: Value | undefined;
  try {
    out = run();
    return out;
  } finally {
    w.exit(out);
  }
}

function runRow(r: BoundRow, args: Value[], kwargs: Map<string, Value>, span: Span, ev: Interpreter): Value {
  return watcher ? watchedCall(r.name, span, () => runRowUnwatched(r, args, kwargs, span, ev)) : runRowUnwatched(r, args, kwargs, span, ev);
}

function runRowUnwatched(r: BoundRow, args: Value[], kwargs: Map<string, Value>, span: Span, ev: Interpreter): Value {
  const scalar = scalarImpl(r.impl);
  if (scalar) {
    const nums = args.map((a) => (a.t === 'num' ? a.v : a.t === 'bool' ? (a.v ? 1 : 0) : NaN));
    if (nums.some((x) => Number.isNaN(x)) && args.some((a) => a.t !== 'num' && a.t !== 'bool')) {
      const fallback = loaded().ops.get(`torch.${r.name.split('.').pop()}`);
      if (r.name.startsWith('Math.') || !fallback) throw new UnsupportedConstruct(`${r.name} on ${describe(args.find((a) => a.t !== 'num')!)}`, span, 'it takes plain numbers');
      return runRow(fallback, args, kwargs, span, ev);
    }
    return num(scalar(...nums));
  }
  const bound = OpArgs.bind(r.name, r.params, args, kwargs, span, (v) => ev.tensor(v, span), r.fixed, r.torchKeywords);
  return wrap(implementations[r.impl].run(bound, ev.ctx), ev);
}

export function callOp(path: string, args: Value[], kwargs: Map<string, Value>, span: Span, ev: Interpreter): Value {
  const special = specialCalls.get(path);
  if (special) return special.call(args, kwargs, span, ev);
  const cls = loaded().classes.get(path);
  if (cls) return classCall(cls).call(args, kwargs, span, ev);
  const r = loaded().ops.get(path);
  if (r) return runRow(r, args, kwargs, span, ev);
  throw new UnsupportedConstruct(path.replace(/^tfjs\./, 'tf.'), span, isKnownModulePath(path) ? 'not in the op tables' : 'not a supported framework function');
}

/** A tensor's attribute: a bound method from the framework's method table, or a property. */
export function methodOf(framework: Framework, name: string): ((self: Extract<Value, { t: 'tensor' }>, ev: Interpreter, span: Span) => Value) | undefined {
  switch (name) {
    case 'shape': return (self) => { const shape = tuple(self.v.shape.map((d) => num(d, true))); return framework === 'pytorch' ? markTorchSize(shape) : shape; };
    case 'ndim': return (self) => num(self.v.rank, true);
    case 'T': return (self) => ({ t: 'tensor', v: tf.transpose(self.v) });
    // Tensor.mT / Array.mT: the last two axes swapped (a batch of matrices transposed).
    case 'mT': return (self) => ({ t: 'tensor', v: self.v.rank < 2 ? self.v : tf.transpose(self.v, [...Array(self.v.rank - 2).keys(), self.v.rank - 1, self.v.rank - 2]) });
    case 'dtype': return () => ({ t: 'dtype', v: 'float32' });
    case 'device': return () => ({ t: 'opaque', what: 'device' });
    case 'grad': return () => NONE;
    case 'requires_grad': return () => ({ t: 'bool', v: true });
    case 'data': if (framework === 'pytorch') return (self) => ({ t: 'tensor', v: detach(self.v) }); break;
    default: break;
  }
  const callable = (f: (args: Value[], kwargs: Map<string, Value>, span: Span) => Value): Value => ({ t: 'builtin', name, call: f });
  if (name === 'item' || (name === 'numpy' && framework !== 'tfjs')) {
    return (self, _ev, span) => callable(() => {
      if (name === 'item' && self.v.size !== 1) throw new UnsupportedConstruct('.item() on a tensor with more than one element', span);
      return name === 'item' ? num(detach(self.v).dataSync()[0]) : { t: 'tensor', v: detach(self.v) };
    });
  }
  if (framework === 'pytorch') {
    if (name === 'size') return (self) => callable((a) => (a.length ? num(self.v.shape[((a[0] as { v: number }).v + self.v.rank) % self.v.rank], true) : markTorchSize(tuple(self.v.shape.map((d) => num(d, true))))));
    if (name === 'max' || name === 'min') return (self, ev) => callable((a, k, span) => overloadedMax(name, [self, ...a], k, span, ev));
    if (name === 'expand') return (self) => callable((a, k, span) => ({ t: 'tensor', v: torchExpand(self.v, a, k, span) }));
  }
  const r = loaded().methods[framework].get(name);
  if (!r) return undefined;
  return (self, ev, span) => callable((args, kwargs) => {
    const specs = [parseParam('x'), ...r.params];
    return runRow({ ...r, params: specs }, [self, ...args], kwargs, span, ev);
  });
}
