// Attribute access on every value the evaluator models: module paths resolve through the op
// tables, instances through their own and their classes' attributes, and the few methods of
// lists, dicts and strings that activation and loss code uses. Nothing reaches the host.
import { constantAt, methodOf } from '../ops/registry';
import { UnsupportedConstruct } from '../ir/errors';
import { canonicalPath } from '../ir/frameworks';
import type { Span } from '../ir/ir';
import { NONE, describe, type Value } from '../ir/values';
import { classAttributeAccess, instanceAttribute, lazyAttributes, memberAttribute } from './classes';
import type { Evaluator } from './evaluator';
import { moduleAttribute } from './moduleBindings';
import { dictAttribute, dtypeAttribute, sequenceAttribute, strAttribute, tensorAttribute } from './valueMethods';

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
      return { t: 'ns', path, from: obj.from };
    }
    case 'instance': return instanceAttribute(ev, obj, name, span);
    case 'class': return classAttributeAccess(ev, obj, name, span);
    case 'module': return moduleAttribute(ev, obj, name, span);
    case 'tensor': {
      const meta = tensorAttribute(ev, obj, name, span);
      if (meta) return meta;
      const method = methodOf(ev.ctx.framework, name);
      if (method) return method(obj, ev, span);
      break;
    }
    case 'dict': {
      const v = obj.map.get(`s:${name}`);
      if (v !== undefined) return v;
      const m = dictAttribute(ev, obj, name, span);
      if (m) return m;
      // A JavaScript object's missing property is undefined.
      if (ev.ctx.framework === 'tfjs') return NONE;
      break;
    }
    case 'tuple':
    case 'list': {
      const m = sequenceAttribute(ev, obj, name, span);
      if (m) return m;
      break;
    }
    case 'dtype': return dtypeAttribute(obj.v, name, span);
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
      const member = memberAttribute(ev, obj, name, span);
      if (member) return member;
      const m = strAttribute(obj, name);
      if (m) return m;
      break;
    }
    default: break;
  }
  throw new UnsupportedConstruct(`attribute .${name}`, span, `of ${describe(obj)}`);
}
