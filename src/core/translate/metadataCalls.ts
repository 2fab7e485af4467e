// Framework functions that answer questions about types (or the running framework) rather than compute on values:
// `np.iinfo`, `np.issubdtype`, `torch.is_floating_point` … The evaluator consults this table before
// the op tables; each answer comes from the value's dtype, never from running anything.
import type { Framework } from '../ir/frameworks';
import type { Span } from '../ir/ir';
import { num, str, type Value } from '../ir/values';
import { dtypeOf } from './valueMethods';

type DType = Extract<Value, { t: 'dtype' }>['v'];

const floating = new Set<DType>(['float32', 'float64', 'float16', 'bfloat16']);

/** The dtype a value stands for: a dtype, a tensor's, a Python number's, or a dtype's name. */
function dtypeFrom(v: Value | undefined, framework: Framework): DType | undefined {
  if (!v) return undefined;
  if (v.t === 'dtype') return v.v;
  if (v.t === 'tensor') return dtypeOf(v.v, framework);
  if (v.t === 'num') return v.int ? 'int64' : 'float64';
  if (v.t === 'bool') return 'bool';
  if (v.t === 'str' && ['float32', 'float64', 'float16', 'bfloat16', 'int32', 'int64', 'bool'].includes(v.v)) return v.v as DType;
  if (v.t === 'builtin' && (v.name === 'float' || v.name === 'int' || v.name === 'bool')) return v.name === 'float' ? 'float64' : v.name === 'int' ? 'int64' : 'bool';
  return undefined;
}

/** NumPy's abstract dtype categories (np.floating, jnp.integer …), by the last part of their path. */
function inCategory(d: DType, category: string): boolean | undefined {
  switch (category) {
    case 'floating':
    case 'inexact': return floating.has(d);
    case 'integer':
    case 'signedinteger': return d === 'int32' || d === 'int64';
    case 'unsignedinteger': return false;
    case 'number': return d !== 'bool';
    case 'bool_':
    case 'bool': return d === 'bool';
    case 'complexfloating': return false;
    case 'generic': return true;
    default: return undefined;
  }
}

function iinfo(d: DType | undefined): Value {
  const bits = d === 'int64' ? 64 : d === 'bool' ? 8 : 32;
  const max = d === 'int64' ? 9223372036854775807 : d === 'bool' ? 255 : 2147483647;
  return { t: 'opaque', what: 'iinfo', attrs: new Map<string, Value>([['min', num(d === 'bool' ? 0 : -max - 1, true)], ['max', num(max, true)], ['bits', num(bits, true)], ['dtype', str(d ?? 'int32')]]) };
}

type MetadataCall = (args: Value[], kwargs: Map<string, Value>, framework: Framework, span: Span) => Value | undefined;

const calls: Record<string, MetadataCall> = {
  iinfo: (a, k, fw) => iinfo(dtypeFrom(a[0] ?? k.get('int_type') ?? k.get('type'), fw)),
  issubdtype: (a, k, fw) => {
    const d = dtypeFrom(a[0] ?? k.get('arg1'), fw);
    const category = a[1] ?? k.get('arg2');
    if (!d || !category) return undefined;
    if (category.t === 'dtype') return { t: 'bool', v: category.v === d };
    if (category.t === 'ns') {
      const found = inCategory(d, category.path.slice(category.path.lastIndexOf('.') + 1));
      return found === undefined ? undefined : { t: 'bool', v: found };
    }
    return undefined;
  },
  is_floating_point: (a, _k, fw) => {
    const d = dtypeFrom(a[0], fw);
    return d ? { t: 'bool', v: floating.has(d) } : undefined;
  },
  is_complex: () => ({ t: 'bool', v: false }),
  // Code that picks a code path by the installed Keras (`keras.version().startswith("3.")`,
  // `keras.config.backend() == "tensorflow"`) takes the one the op tables model: Keras 3's
  // `keras.ops` on the TensorFlow backend.
  keras_version: () => str('3.0.0'),
  keras_backend: () => str('tensorflow'),
  // The probe runs the code eagerly, as the frameworks' eager mode: never inside a traced graph.
  eager: () => ({ t: 'bool', v: true }),
  traced: () => ({ t: 'bool', v: false }),
  // The probe runs on the CPU: no accelerator is available, and a device is only a name tensors
  // are moved to (`.to(device)` leaves their values as they are).
  no_accelerator: () => ({ t: 'bool', v: false }),
  device: (a, k) => {
    const spec = a[0] ?? k.get('type');
    const kind = spec?.t === 'str' ? spec.v.split(':')[0] : 'cpu';
    return { t: 'opaque', what: `device(type='${kind}')`, attrs: new Map<string, Value>([['type', str(kind)]]) };
  },
};

/** The paths each entry answers under. */
const paths: Record<string, string> = {
  'numpy.iinfo': 'iinfo', 'jax.numpy.iinfo': 'iinfo', 'torch.iinfo': 'iinfo',
  'numpy.issubdtype': 'issubdtype', 'jax.numpy.issubdtype': 'issubdtype',
  'torch.is_floating_point': 'is_floating_point', 'torch.is_complex': 'is_complex',
  'keras.version': 'keras_version', 'keras.config.backend': 'keras_backend', 'keras.backend.backend': 'keras_backend',
  'tf.executing_eagerly': 'eager', 'tf.inside_function': 'traced', 'keras.src.utils.backend_utils.in_tf_graph': 'traced',
  'torch.cuda.is_available': 'no_accelerator', 'torch.backends.mps.is_available': 'no_accelerator', 'torch.device': 'device',
  'torch.jit.is_scripting': 'traced', 'torch.jit.is_tracing': 'traced', 'torch.compiler.is_compiling': 'traced',
};

/** A metadata call's answer, or undefined when the path is not one (or the arguments are not understood). */
export function metadataCall(path: string, args: Value[], kwargs: Map<string, Value>, framework: Framework, span: Span): Value | undefined {
  const name = Object.hasOwn(paths, path) ? paths[path] : undefined;
  return name ? calls[name](args, kwargs, framework, span) : undefined;
}
