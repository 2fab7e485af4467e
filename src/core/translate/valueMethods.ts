// Attributes and methods of the plain values the evaluator models — lists and tuples (and
// TensorFlow's TensorShape, which reads like one), dicts, strings, dtypes — and a tensor's static
// metadata (dtype, device, TF's get_shape(), JAX's `.at[]`). Each is an explicit map entry: nothing
// reaches a host object.
import type * as tf from '@tensorflow/tfjs-core';
import { detach } from '../ops/implementations';
import { UnsupportedConstruct, UserCodeError } from '../ir/errors';
import type { Framework } from '../ir/frameworks';
import type { Span } from '../ir/ir';
import { NONE, describe, keyOf, num, str, tuple, type Value } from '../ir/values';
import { attribute } from './attributes';
import { builtinNamed, percentFormat, pyStr, strFormat } from './builtins';
import { iterate, truthy } from './conversions';
import type { Evaluator } from './evaluator';
import { jaxAtIndexer } from './indexing';
import { compareOp } from './operators';

type DType = Extract<Value, { t: 'dtype' }>['v'];
type TensorValue = Extract<Value, { t: 'tensor' }>;

const method = (name: string, call: (args: Value[], kwargs: Map<string, Value>, span: Span) => Value): Value => ({ t: 'builtin', name, call });

/** The framework's dtype of a tensor: TF.js holds booleans as bool, integers as int32, all else as float32. */
export function dtypeOf(t: tf.Tensor, framework: Framework): DType {
  if (t.dtype === 'bool') return 'bool';
  if (t.dtype === 'int32') return framework === 'pytorch' ? 'int64' : 'int32';
  return 'float32';
}

const floating = new Set<DType>(['float32', 'float64', 'float16', 'bfloat16']);
const itemsize: Record<DType, number> = { float32: 4, float64: 8, float16: 2, bfloat16: 2, int32: 4, int64: 8, bool: 1 };

/** A tensor's metadata the op tables do not describe; undefined sends the name on to the method tables. */
export function tensorAttribute(ev: Evaluator, obj: TensorValue, name: string, span: Span): Value | undefined {
  const fw = ev.ctx.framework;
  switch (name) {
    case 'dtype': return { t: 'dtype', v: dtypeOf(obj.v, fw) };
    case 'is_floating_point': return fw === 'pytorch' ? method('Tensor.is_floating_point', () => ({ t: 'bool', v: floating.has(dtypeOf(obj.v, fw)) })) : undefined;
    case 'is_complex': return fw === 'pytorch' ? method('Tensor.is_complex', () => ({ t: 'bool', v: false })) : undefined;
    case 'is_cuda': return fw === 'pytorch' ? { t: 'bool', v: false } : undefined;
    case 'is_leaf': return fw === 'pytorch' ? { t: 'bool', v: false } : undefined;
    case 'get_shape': return fw === 'tensorflow' ? method('Tensor.get_shape', () => tuple(obj.v.shape.map((d) => num(d, true)))) : undefined;
    case 'element_size': return fw === 'pytorch' ? method('Tensor.element_size', () => num(itemsize[dtypeOf(obj.v, fw)], true)) : undefined;
    case 'itemsize': return fw === 'numpy' || fw === 'jax' ? num(itemsize[dtypeOf(obj.v, fw)], true) : undefined;
    case 'nbytes': return fw === 'numpy' || fw === 'jax' ? num(obj.v.size * itemsize[dtypeOf(obj.v, fw)], true) : undefined;
    // NumPy's and JAX's `.size` and TF.js's `.size`/`.rank` are properties, not methods.
    case 'size': return fw === 'numpy' || fw === 'jax' || fw === 'tfjs' ? num(obj.v.size, true) : undefined;
    case 'rank': return fw === 'tfjs' ? num(obj.v.rank, true) : undefined;
    case 'at': return fw === 'jax' ? jaxAtIndexer(ev, obj) : undefined;
    // Python lists of Python numbers (no gradient), nested as the tensor is.
    case 'tolist': return fw === 'tfjs' ? undefined : method('Tensor.tolist', () => nestedList(obj.v));
    case 'type': return fw === 'pytorch' ? method('Tensor.type', (args, kwargs, s) => {
      const target = args[0] ?? kwargs.get('dtype');
      if (target) {
        // x.type(torch.float) is x.float(), x.type(torch.long) is x.long() …
        if (target.t !== 'dtype') throw new UnsupportedConstruct(`Tensor.type(${describe(target)})`, s);
        const as = floating.has(target.v) ? 'float' : target.v === 'bool' ? 'bool' : 'long';
        return ev.callValue(attribute(ev, obj, as, s), [], new Map(), s);
      }
      const names: Record<DType, string> = { float32: 'FloatTensor', float64: 'DoubleTensor', float16: 'HalfTensor', bfloat16: 'BFloat16Tensor', int32: 'IntTensor', int64: 'LongTensor', bool: 'BoolTensor' };
      return str(`torch.${names[dtypeOf(obj.v, fw)]}`);
    }) : undefined;
    default: return undefined;
  }
}

function nestedList(t: tf.Tensor): Value {
  const data = Array.from(detach(t).dataSync());
  const bool = t.dtype === 'bool';
  const item = (x: number): Value => (bool ? { t: 'bool', v: x !== 0 } : num(x, Number.isInteger(x)));
  if (t.rank === 0) return item(data[0]);
  const build = (offset: number, dim: number): Value => {
    const stride = t.shape.slice(dim + 1).reduce((a, b) => a * b, 1);
    return { t: 'list', items: Array.from({ length: t.shape[dim] }, (_, i) => (dim === t.rank - 1 ? item(data[offset + i]) : build(offset + i * stride, dim + 1))) };
  };
  return build(0, 0);
}

/** A dtype's attributes: PyTorch's (is_floating_point, itemsize), NumPy's (name, kind), TensorFlow's (is_floating, min, max). */
export function dtypeAttribute(d: DType, name: string, span: Span): Value {
  const isFloat = floating.has(d);
  const limits: Record<DType, [number, number]> = {
    float32: [-3.4028234663852886e38, 3.4028234663852886e38], float64: [-Number.MAX_VALUE, Number.MAX_VALUE], float16: [-65504, 65504],
    bfloat16: [-3.3895313892515355e38, 3.3895313892515355e38], int32: [-2147483648, 2147483647], int64: [-9223372036854775808, 9223372036854775807], bool: [0, 1],
  };
  switch (name) {
    case 'is_floating_point':
    case 'is_floating': return { t: 'bool', v: isFloat };
    case 'is_complex': return { t: 'bool', v: false };
    case 'is_integer': return { t: 'bool', v: d === 'int32' || d === 'int64' };
    case 'is_bool': return { t: 'bool', v: d === 'bool' };
    case 'is_signed': return { t: 'bool', v: d !== 'bool' };
    case 'itemsize': return num(itemsize[d], true);
    case 'name': return str(d);
    case 'kind': return str(isFloat ? 'f' : d === 'bool' ? 'b' : 'i');
    case 'min': return num(limits[d][0], !isFloat);
    case 'max': return num(limits[d][1], !isFloat);
    case 'as_numpy_dtype':
    case 'base_dtype':
    case 'real_dtype':
    case 'type': return { t: 'dtype', v: d };
    default: throw new UnsupportedConstruct(`attribute .${name}`, span, `of the dtype ${d}`);
  }
}

/** Methods of lists and tuples (Python's and JavaScript arrays'), and TensorShape's reading of a tuple. */
export function sequenceAttribute(ev: Evaluator, obj: Extract<Value, { t: 'list' | 'tuple' }>, name: string, span: Span): Value | undefined {
  const items = obj.items;
  const eq = (a: Value, b: Value): boolean => { const r = compareOp(ev.ctx, '==', a, b, span); return truthy(r, span, ev.ctx.framework); };
  const indexOf = (v: Value): number => items.findIndex((i) => eq(i, v));
  switch (name) {
    case 'length': return num(items.length, true);
    case 'count': return method(`${obj.t}.count`, (a) => num(items.filter((i) => eq(i, a[0])).length, true));
    case 'index': return method(`${obj.t}.index`, (a, _k, s) => {
      const i = indexOf(a[0]);
      if (i < 0) throw new UserCodeError(`${pyStr(a[0])} is not in ${obj.t}`, s, 'ValueError');
      return num(i, true);
    });
    // tf.TensorShape: x.shape.as_list(), .rank, .ndims, .num_elements().
    case 'as_list': return method('TensorShape.as_list', () => ({ t: 'list', items: [...items] }));
    case 'rank':
    case 'ndims': return num(items.length, true);
    case 'num_elements': return method('TensorShape.num_elements', () => num(items.reduce((p, i) => p * (i.t === 'num' ? i.v : NaN), 1), true));
    default: break;
  }
  if (obj.t === 'tuple' && items.length === 2 && (name === 'values' || name === 'indices')) return items[name === 'values' ? 0 : 1];
  if (obj.t !== 'list') return undefined;
  switch (name) {
    case 'append':
    case 'push': return method(`list.${name}`, (a) => { items.push(...(name === 'push' ? a : [a[0]])); return name === 'push' ? num(items.length, true) : NONE; });
    case 'extend': return method('list.extend', (a) => { items.push(...iterate(a[0], span)); return NONE; });
    // A Python set is held as a list of distinct items (builtins.ts `set`): its add, discard, update.
    case 'add': return method('set.add', (a) => { if (indexOf(a[0]) < 0) items.push(a[0]); return NONE; });
    case 'discard': return method('set.discard', (a) => { const i = indexOf(a[0]); if (i >= 0) items.splice(i, 1); return NONE; });
    case 'update': return method('set.update', (a) => { for (const v of iterate(a[0], span)) if (indexOf(v) < 0) items.push(v); return NONE; });
    case 'insert': return method('list.insert', (a, _k, s) => {
      const i = a[0]?.t === 'num' ? a[0].v : NaN;
      if (!Number.isInteger(i)) throw new UserCodeError('list.insert() needs an integer position', s, 'TypeError');
      items.splice(i < 0 ? Math.max(0, items.length + i) : Math.min(i, items.length), 0, a[1] ?? NONE);
      return NONE;
    });
    case 'pop': return method('list.pop', (a, _k, s) => {
      if (!items.length) throw new UserCodeError('pop from empty list', s, 'IndexError');
      const i = a[0]?.t === 'num' ? a[0].v : -1;
      const k = i < 0 ? items.length + i : i;
      if (k < 0 || k >= items.length) throw new UserCodeError('pop index out of range', s, 'IndexError');
      return items.splice(k, 1)[0];
    });
    case 'remove': return method('list.remove', (a, _k, s) => {
      const i = indexOf(a[0]);
      if (i < 0) throw new UserCodeError('list.remove(x): x not in list', s, 'ValueError');
      items.splice(i, 1);
      return NONE;
    });
    case 'reverse': return method('list.reverse', () => { items.reverse(); return NONE; });
    case 'clear': return method('list.clear', () => { items.splice(0); return NONE; });
    case 'copy': return method('list.copy', () => ({ t: 'list', items: [...items] }));
    case 'sort': return method('list.sort', (_a, k, s) => {
      const result = ev.callValue(builtinNamed(ev, 'sorted', 'python')!, [{ t: 'list', items: [...items] }], k, s);
      if (result.t === 'list') items.splice(0, items.length, ...result.items);
      return NONE;
    });
    // JavaScript arrays (TF.js code: shapes and lists of tensors).
    case 'map': return method('Array.map', (a) => ({ t: 'list', items: items.map((it, i) => ev.callValue(a[0], [it, num(i, true)], new Map(), span)) }));
    case 'forEach': return method('Array.forEach', (a) => { items.forEach((it, i) => ev.callValue(a[0], [it, num(i, true)], new Map(), span)); return NONE; });
    case 'filter': return method('Array.filter', (a) => ({ t: 'list', items: items.filter((it, i) => truthy(ev.callValue(a[0], [it, num(i, true)], new Map(), span), span, ev.ctx.framework)) }));
    case 'every': return method('Array.every', (a) => ({ t: 'bool', v: items.every((it, i) => truthy(ev.callValue(a[0], [it, num(i, true)], new Map(), span), span, ev.ctx.framework)) }));
    case 'some': return method('Array.some', (a) => ({ t: 'bool', v: items.some((it, i) => truthy(ev.callValue(a[0], [it, num(i, true)], new Map(), span), span, ev.ctx.framework)) }));
    case 'reduce': return method('Array.reduce', (a, _k, s) => {
      if (!items.length && a.length < 2) throw new UserCodeError('Reduce of empty array with no initial value', s, 'TypeError');
      let acc = a.length > 1 ? a[1] : items[0];
      items.slice(a.length > 1 ? 0 : 1).forEach((it) => { acc = ev.callValue(a[0], [acc, it], new Map(), s); });
      return acc;
    });
    case 'slice': return method('Array.slice', (a) => {
      const n = items.length;
      const at = (v: Value | undefined, d: number): number => (v?.t === 'num' ? (v.v < 0 ? Math.max(0, n + v.v) : Math.min(v.v, n)) : d);
      return { t: 'list', items: items.slice(at(a[0], 0), at(a[1], n)) };
    });
    case 'concat': return method('Array.concat', (a) => ({ t: 'list', items: [...items, ...a.flatMap((v) => (v.t === 'list' || v.t === 'tuple' ? v.items : [v]))] }));
    case 'includes': return method('Array.includes', (a) => ({ t: 'bool', v: indexOf(a[0]) >= 0 }));
    case 'indexOf': return method('Array.indexOf', (a) => num(indexOf(a[0]), true));
    case 'join': return method('Array.join', (a) => str(items.map(pyStr).join(a[0]?.t === 'str' ? a[0].v : ',')));
    default: return undefined;
  }
}

/** Methods of dicts (and JavaScript objects' missing properties). */
export function dictAttribute(ev: Evaluator, obj: Extract<Value, { t: 'dict' }>, name: string, span: Span): Value | undefined {
  const put = (key: Value, v: Value): void => { obj.map.set(keyOf(key), v); obj.keys.set(keyOf(key), key); };
  switch (name) {
    case 'get': return method('dict.get', (args) => obj.map.get(keyOf(args[0])) ?? args[1] ?? NONE);
    case 'items': return method('dict.items', () => ({ t: 'list', items: [...obj.keys.entries()].map(([k, key]) => tuple([key, obj.map.get(k)!])) }));
    case 'values': return method('dict.values', () => ({ t: 'list', items: [...obj.map.values()] }));
    case 'keys': return method('dict.keys', () => ({ t: 'list', items: [...obj.keys.values()] }));
    case 'update': return method('dict.update', (args, kwargs, s) => {
      const other = args[0];
      if (other?.t === 'dict') for (const [k, v] of other.map) put(other.keys.get(k)!, v);
      else if (other && other.t !== 'none') for (const pair of iterate(other, s)) { const [k, v] = iterate(pair, s); put(k, v); }
      for (const [k, v] of kwargs) put(str(k), v);
      return NONE;
    });
    case 'pop': return method('dict.pop', (args, _k, s) => {
      const k = keyOf(args[0]);
      const v = obj.map.get(k);
      if (v === undefined) {
        if (args.length > 1) return args[1];
        throw new UserCodeError(`KeyError: ${pyStr(args[0])}`, s, 'KeyError');
      }
      obj.map.delete(k);
      obj.keys.delete(k);
      return v;
    });
    case 'setdefault': return method('dict.setdefault', (args) => {
      const v = obj.map.get(keyOf(args[0]));
      if (v !== undefined) return v;
      put(args[0], args[1] ?? NONE);
      return args[1] ?? NONE;
    });
    case 'copy': return method('dict.copy', () => ({ t: 'dict', map: new Map(obj.map), keys: new Map(obj.keys) }));
    default: return undefined;
  }
  void ev;
  void span;
}

/** Methods of strings (Python's and JavaScript's). */
export function strAttribute(obj: Extract<Value, { t: 'str' }>, name: string): Value | undefined {
  const s = obj.v;
  const strArg = (a: Value[], i: number): string | undefined => (a[i]?.t === 'str' ? (a[i] as { v: string }).v : undefined);
  const strip = (text: string, chars: string | undefined, left: boolean, right: boolean): string => {
    const set = chars ?? ' \t\n\r\f\v';
    let a = 0;
    let b = text.length;
    while (left && a < b && set.includes(text[a])) a++;
    while (right && b > a && set.includes(text[b - 1])) b--;
    return text.slice(a, b);
  };
  switch (name) {
    case 'lower': case 'toLowerCase': return method('str.lower', () => str(s.toLowerCase()));
    case 'upper': case 'toUpperCase': return method('str.upper', () => str(s.toUpperCase()));
    case 'format': return method('str.format', (a, k, sp) => str(strFormat(s, a, k, sp)));
    case 'startswith': case 'startsWith': return method('str.startswith', (a) => ({ t: 'bool', v: (a[0]?.t === 'tuple' ? a[0].items : [a[0]]).some((p) => p?.t === 'str' && s.startsWith(p.v)) }));
    case 'endswith': case 'endsWith': return method('str.endswith', (a) => ({ t: 'bool', v: (a[0]?.t === 'tuple' ? a[0].items : [a[0]]).some((p) => p?.t === 'str' && s.endsWith(p.v)) }));
    case 'includes': return method('String.includes', (a) => ({ t: 'bool', v: s.includes(strArg(a, 0) ?? '\u0000') }));
    case 'strip': case 'trim': return method('str.strip', (a) => str(strip(s, strArg(a, 0), true, true)));
    case 'lstrip': return method('str.lstrip', (a) => str(strip(s, strArg(a, 0), true, false)));
    case 'rstrip': return method('str.rstrip', (a) => str(strip(s, strArg(a, 0), false, true)));
    case 'split': return method('str.split', (a) => {
      const sep = strArg(a, 0);
      const parts = sep === undefined ? s.trim().split(/\s+/).filter((p) => p) : s.split(sep);
      return { t: 'list', items: parts.map(str) };
    });
    case 'join': return method('str.join', (a, _k, sp) => str(iterate(a[0], sp).map((v) => {
      if (v.t !== 'str') throw new UserCodeError(`sequence item: expected str instance, ${describe(v)} found`, sp, 'TypeError');
      return v.v;
    }).join(s)));
    case 'replace': return method('str.replace', (a) => str(s.split(strArg(a, 0) ?? '').join(strArg(a, 1) ?? '')));
    case 'find': case 'indexOf': return method('str.find', (a) => num(s.indexOf(strArg(a, 0) ?? '\u0000'), true));
    case 'count': return method('str.count', (a) => num(s.split(strArg(a, 0) ?? '\u0000').length - 1, true));
    case 'capitalize': return method('str.capitalize', () => str(s.charAt(0).toUpperCase() + s.slice(1).toLowerCase()));
    case 'title': return method('str.title', () => str(s.replace(/\w\S*/g, (w) => w.charAt(0).toUpperCase() + w.slice(1).toLowerCase())));
    case 'isdigit': return method('str.isdigit', () => ({ t: 'bool', v: /^\d+$/.test(s) }));
    case 'length': return num(s.length, true);
    case '__mod__': return method('str.__mod__', (a, _k, sp) => str(percentFormat(s, a[0] ?? NONE, sp)));
    default: return undefined;
  }
}
