// Attribute access on every value the evaluator models: module paths resolve through the op
// tables, instances through their own and their classes' attributes, and the few methods of
// lists, dicts and strings that activation and loss code uses. Nothing reaches the host.
import { constantAt, methodOf } from '../ops/registry';
import { UnsupportedConstruct } from '../ir/errors';
import { canonicalPath } from '../ir/frameworks';
import type { Span } from '../ir/ir';
import { NONE, describe, keyOf, num, str, tuple, type Value } from '../ir/values';
import { classAttributeAccess, instanceAttribute, lazyAttributes, memberAttribute } from './classes';
import { iterate } from './conversions';
import type { Evaluator } from './evaluator';
import { moduleAttribute } from './moduleBindings';

/** Attributes that reach an object's machinery rather than its data: never followed. */
const reflective = new Set(['__proto__', 'constructor', 'prototype', '__class__', '__globals__', '__builtins__', '__subclasses__', '__dict__', '__code__', '__mro__', '__bases__', '__getattribute__', '__reduce__', '__defineGetter__', '__lookupGetter__']);

/** `obj.name`, through explicit maps only: never a JavaScript property lookup on a host object. */
export function attribute(ev: Evaluator, obj: Value, name: string, span: Span): Value {
  if (reflective.has(name)) throw new UnsupportedConstruct(`attribute .${name}`, span, 'reflection is never evaluated');
  switch (obj.t) {
    case 'ns': {
      const path = canonicalPath(`${obj.path}.${name}`);
      const constant = constantAt(path);
      if (constant) return constant;
      return { t: 'ns', path };
    }
    case 'instance': return instanceAttribute(ev, obj, name, span);
    case 'class': return classAttributeAccess(ev, obj, name, span);
    case 'module': return moduleAttribute(ev, obj, name, span);
    case 'tensor': {
      const method = methodOf(ev.ctx.framework, name);
      if (method) return method(obj, ev, span);
      break;
    }
    case 'dict': {
      const v = obj.map.get(`s:${name}`);
      if (v !== undefined) return v;
      if (name === 'get') return { t: 'builtin', name: 'dict.get', call: (args) => obj.map.get(keyOf(args[0])) ?? args[1] ?? NONE };
      if (name === 'items') return { t: 'builtin', name: 'dict.items', call: () => ({ t: 'list', items: [...obj.keys.entries()].map(([k, key]) => tuple([key, obj.map.get(k)!])) }) };
      if (name === 'values') return { t: 'builtin', name: 'dict.values', call: () => ({ t: 'list', items: [...obj.map.values()] }) };
      if (name === 'keys') return { t: 'builtin', name: 'dict.keys', call: () => ({ t: 'list', items: [...obj.keys.values()] }) };
      if (name === 'update') return { t: 'builtin', name: 'dict.update', call: () => NONE };
      // A JavaScript object's missing property is undefined.
      if (ev.ctx.framework === 'tfjs') return NONE;
      break;
    }
    case 'tuple':
    case 'list': {
      if (name === 'length') return num(obj.items.length, true);
      if (obj.t === 'tuple' && obj.items.length === 2 && (name === 'values' || name === 'indices')) return obj.items[name === 'values' ? 0 : 1];
      if (name === 'append') return { t: 'builtin', name: 'list.append', call: (args) => { obj.items.push(args[0]); return NONE; } };
      if (name === 'extend') return { t: 'builtin', name: 'list.extend', call: (args) => { obj.items.push(...iterate(args[0], span)); return NONE; } };
      if (name === 'map') return { t: 'builtin', name: 'Array.map', call: (args) => ({ t: 'list', items: obj.items.map((it, i) => ev.callValue(args[0], [it, num(i, true)], new Map(), span)) }) };
      break;
    }
    case 'opaque': {
      const v = obj.attrs?.get(name) ?? lazyAttributes.get(obj)?.(name, span);
      if (v !== undefined) return v;
      break;
    }
    case 'builtin': {
      const v = obj.attrs?.get(name);
      if (v !== undefined) return v;
      break;
    }
    case 'func': {
      if (name === 'defvjp' || name === 'defjvp') return { t: 'builtin', name, call: () => NONE };
      break;
    }
    case 'num': {
      const m = memberAttribute(ev, obj, name, span);
      if (m) return m;
      break;
    }
    case 'str': {
      const m = memberAttribute(ev, obj, name, span);
      if (m) return m;
      if (name === 'lower') return { t: 'builtin', name: 'str.lower', call: () => str(obj.v.toLowerCase()) };
      if (name === 'upper') return { t: 'builtin', name: 'str.upper', call: () => str(obj.v.toUpperCase()) };
      if (name === 'format') return { t: 'builtin', name: 'str.format', call: () => str(obj.v) };
      break;
    }
    default: break;
  }
  throw new UnsupportedConstruct(`attribute .${name}`, span, `of ${describe(obj)}`);
}
