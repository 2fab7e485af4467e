// Binds a call's arguments to an op row's declared parameters and reads them with the types an
// implementation needs.
import * as tf from '@tensorflow/tfjs-core';
import { UnsupportedConstruct, UserCodeError } from '../ir/errors';
import type { Span } from '../ir/ir';
import { describe, type Value } from '../ir/values';

export interface ParamSpec {
  source: string;
  /** Every keyword that binds this parameter: `source` and its aliases (`a|arr:x` accepts a= and arr=). */
  names: string[];
  impl: string;
  default?: Value;
  required: boolean;
  variadic: boolean;
}

export function parseParam(spec: string): ParamSpec {
  let s = spec.trim();
  const variadic = s.startsWith('*');
  if (variadic) s = s.slice(1);
  let defaultText: string | undefined;
  const eq = s.indexOf('=');
  if (eq >= 0) {
    defaultText = s.slice(eq + 1);
    s = s.slice(0, eq);
  }
  const [sources, impl] = s.split(':');
  const names = sources.split('|');
  const source = names[0];
  return { source, names, impl: impl ?? source, default: defaultText === undefined ? undefined : literal(defaultText), required: defaultText === undefined && !variadic, variadic };
}

function literal(text: string): Value {
  if (text === 'None' || text === 'undefined' || text === 'null') return { t: 'none' };
  if (text === 'True' || text === 'true') return { t: 'bool', v: true };
  if (text === 'False' || text === 'false') return { t: 'bool', v: false };
  if (/^['"].*['"]$/.test(text)) return { t: 'str', v: text.slice(1, -1) };
  const n = Number(text);
  if (!Number.isNaN(n) || text === 'NaN') return { t: 'num', v: n, int: /^-?\d+$/.test(text) };
  throw new Error(`bad default in op table: ${text}`);
}

/** Keyword arguments every op accepts and ignores (op names, output buffers). */
const ignoredKeywords = new Set(['name', 'out']);

/**
 * PyTorch's argument parser accepts NumPy's keyword names for its native functions and Tensor methods
 * (torch/csrc/utils/python_arg_parser.cpp, numpy_compatibility_arg_names): axis= for dim=, keepdims= for
 * keepdim=, x=/a=/x1= for input=, x2= for other=. `torch.sum(x, axis=1, keepdims=True)` runs in torch.
 */
const numpyKeywords: Record<string, string> = { axis: 'dim', keepdims: 'keepdim', x: 'input', a: 'input', x1: 'input', x2: 'other' };

function numpyCompatible(params: ParamSpec[], kwargs: Map<string, Value>): Map<string, Value> {
  if (![...kwargs.keys()].some((k) => k in numpyKeywords)) return kwargs;
  const out = new Map<string, Value>();
  for (const [k, v] of kwargs) {
    const torchName = numpyKeywords[k];
    const declared = params.some((p) => p.names.includes(k));
    out.set(!declared && torchName && params.some((p) => p.names.includes(torchName)) ? torchName : k, v);
  }
  return out;
}

/**
 * PyTorch's deprecated size_average= / reduce= loss arguments override reduction= when either is given
 * (torch.nn._reduction.legacy_get_string): reduce=False → 'none'; size_average=False → 'sum'; else 'mean'.
 */
function legacyReduction(a: OpArgs): void {
  const sizeAverage = a.value('size_average');
  const reduce = a.value('reduce');
  if (!sizeAverage && !reduce) return;
  const truthy = (v: Value | undefined): boolean => v === undefined || (v.t === 'bool' ? v.v : v.t === 'num' ? v.v !== 0 : true);
  const reduction = !truthy(reduce) ? 'none' : truthy(sizeAverage) ? 'mean' : 'sum';
  a.values.set('reduction', { t: 'str', v: reduction });
}

export class OpArgs {
  readonly values = new Map<string, Value>();

  constructor(readonly op: string, readonly span: Span, readonly asTensor: (v: Value) => tf.Tensor) {}

  static bind(op: string, params: ParamSpec[], args: Value[], kwargs: Map<string, Value>, span: Span, asTensor: (v: Value) => tf.Tensor, fixed?: Record<string, Value>, torchKeywords = false): OpArgs {
    const out = new OpArgs(op, span, asTensor);
    if (torchKeywords) kwargs = numpyCompatible(params, kwargs);
    const keyword = (p: ParamSpec): string | undefined => p.names.find((k) => kwargs.has(k));
    let i = 0;
    for (const p of params) {
      if (p.variadic) {
        out.values.set(p.impl, { t: 'list', items: args.slice(i) });
        i = args.length;
        continue;
      }
      const k = keyword(p);
      if (i < args.length) out.values.set(p.impl, args[i++]);
      else if (k !== undefined) out.values.set(p.impl, kwargs.get(k)!);
      else if (p.default !== undefined) out.values.set(p.impl, p.default);
      else if (p.required) throw new UserCodeError(`${op}() is missing its argument '${p.source}'`, span);
    }
    if (i < args.length) throw new UserCodeError(`${op}() takes ${params.length} arguments, got ${args.length}`, span);
    for (const k of kwargs.keys()) {
      if (params.some((p) => p.names.includes(k)) || ignoredKeywords.has(k)) continue;
      throw new UnsupportedConstruct(`keyword argument ${k}= of ${op}`, span);
    }
    if (fixed) for (const [k, v] of Object.entries(fixed)) out.values.set(k, v);
    legacyReduction(out);
    return out;
  }

  has(name: string): boolean {
    const v = this.values.get(name);
    return v !== undefined && v.t !== 'none';
  }

  value(name: string): Value | undefined {
    const v = this.values.get(name);
    return v === undefined || v.t === 'none' ? undefined : v;
  }

  tensor(name: string): tf.Tensor {
    const v = this.value(name);
    if (!v) throw new UserCodeError(`${this.op}: argument '${name}' is required`, this.span);
    return this.asTensor(v);
  }

  optTensor(name: string): tf.Tensor | undefined {
    const v = this.value(name);
    return v ? this.asTensor(v) : undefined;
  }

  num(name: string, fallback?: number): number {
    const v = this.value(name);
    if (!v) {
      if (fallback === undefined) throw new UserCodeError(`${this.op}: argument '${name}' is required`, this.span);
      return fallback;
    }
    if (v.t === 'num') return v.v;
    if (v.t === 'bool') return v.v ? 1 : 0;
    if (v.t === 'tensor' && v.v.size === 1) return v.v.dataSync()[0];
    throw new UnsupportedConstruct(`${this.op}: '${name}' as ${describe(v)}`, this.span, 'a number was expected');
  }

  /** A number or a scalar/broadcastable tensor (clip bounds, alphas). */
  numOrTensor(name: string): number | tf.Tensor | undefined {
    const v = this.value(name);
    if (!v) return undefined;
    if (v.t === 'num') return v.v;
    if (v.t === 'bool') return v.v ? 1 : 0;
    return this.asTensor(v);
  }

  bool(name: string, fallback = false): boolean {
    const v = this.value(name);
    if (!v) return fallback;
    if (v.t === 'bool') return v.v;
    if (v.t === 'num') return v.v !== 0;
    if (v.t === 'str') return v.v !== '' && v.v !== 'none';
    throw new UnsupportedConstruct(`${this.op}: '${name}' as ${describe(v)}`, this.span, 'a boolean was expected');
  }

  str(name: string, fallback?: string): string | undefined {
    const v = this.value(name);
    if (!v) return fallback;
    if (v.t === 'str') return v.v;
    if (v.t === 'bool') return String(v.v);
    if (v.t === 'dtype') return v.v;
    throw new UnsupportedConstruct(`${this.op}: '${name}' as ${describe(v)}`, this.span, 'a string was expected');
  }

  /** An axis or tuple of axes; undefined means all. */
  axis(name: string): number | number[] | undefined {
    const v = this.value(name);
    if (!v) return undefined;
    if (v.t === 'num') return v.v;
    // A variadic `*dims` holding one list (`x.flip([0, 1])`) is that list.
    if ((v.t === 'list' || v.t === 'tuple') && v.items.length === 1 && (v.items[0].t === 'list' || v.items[0].t === 'tuple')) return v.items[0].items.map((i) => (i.t === 'num' ? i.v : NaN));
    if (v.t === 'list' || v.t === 'tuple') return v.items.map((i) => (i.t === 'num' ? i.v : NaN));
    if (v.t === 'tensor' && v.v.rank <= 1) return v.v.rank === 0 ? v.v.dataSync()[0] : Array.from(v.v.dataSync());
    throw new UnsupportedConstruct(`${this.op}: axis as ${describe(v)}`, this.span);
  }

  shape(name: string): number[] {
    const v = this.value(name);
    if (!v) return [];
    if (v.t === 'num') return [v.v];
    if ((v.t === 'list' || v.t === 'tuple') && v.items.length === 1 && (v.items[0].t === 'list' || v.items[0].t === 'tuple')) return v.items[0].items.map((i) => (i.t === 'num' ? i.v : NaN));
    if (v.t === 'list' || v.t === 'tuple') return v.items.map((i) => (i.t === 'num' ? i.v : NaN));
    if (v.t === 'tensor') return Array.from(v.v.dataSync());
    throw new UnsupportedConstruct(`${this.op}: shape as ${describe(v)}`, this.span);
  }

  list(name: string): Value[] {
    const v = this.value(name);
    if (!v) return [];
    if (v.t === 'list' || v.t === 'tuple') return v.items;
    return [v];
  }
}
