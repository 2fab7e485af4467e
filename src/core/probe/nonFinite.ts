// Why a function gives NaN or Inf: it is run again on the inputs that went bad, with TensorFlow.js's
// gradient tape recording every kernel (its inputs, outputs and backward function) and the op
// registry's watcher saying which op of the user's code each kernel belongs to and on which line.
// The non-finite value is then followed back along the data it came from to the first op that turned
// finite inputs into NaN or ±Inf — in the forward pass, or, when the value is finite and its gradient
// is not, in the backward pass (each kernel's own backward function, so a custom gradient counts as
// the user wrote it). Probes call this only once they have found a non-finite value: it costs the
// clean functions nothing. Loss probes can call `traceNonFinite` with their (y_true, y_pred) pair.
import * as tf from '@tensorflow/tfjs-core';
import { formatNumber as fmt } from '../findings/formatNumber';
import type { Span } from '../ir/ir';
import { watchOps } from '../ops/registry';
import type { Program } from '../translate/translate';
import { encodeTarget, type LossInput, type LossLayout } from './lossInputs';
import { withTensorScope } from './tensorScope';

/** What the tape holds per kernel (TensorFlow.js's TapeNode, read through the engine's public state). */
interface TapeNode {
  id: number;
  kernelName: string;
  inputs: Record<string, tf.Tensor>;
  outputs: tf.Tensor[];
  gradient?: (dys: tf.Tensor[]) => Record<string, () => tf.Tensor>;
}

export interface NonFiniteCause {
  stage: 'value' | 'gradient';
  /** The cause in a few words: `log of 0`, `0·log 0`, `sqrt at 0`, `exp overflow`. */
  cause: string;
  /** A sentence saying what happens there, with the numbers. */
  detail: string;
  /** What to do, in the user's words. */
  fix: string;
  /** The op as the code calls it (`torch.log`, `x.log()`), or the operator (`*`). */
  op: string;
  /** 1-based line of the op's call in the module, when the op is a call. */
  line?: number;
  /** The op's input values at the element that went bad. */
  inputs: number[];
  /** The element of the traced input where it happened (its flat index), when it can be told. */
  element?: number;
}

export interface NonFiniteTrace {
  /** One cause per bad element of the traced input (elementwise functions), else one for all. */
  causes: NonFiniteCause[];
}

interface OpRecord { name: string; line: number; start: number; end: number }

const engineTape = (): TapeNode[] | null => (tf.engine().state.activeTape as unknown as TapeNode[] | null);

/** Kernels outside every op call come from the language's operators. */
const operatorOf: Record<string, string> = {
  Multiply: '*', RealDiv: '/', Add: '+', AddN: '+', Sub: '-', Neg: '-', Pow: '**', Square: '**', FloorDiv: '//', BatchMatMul: '@',
};

/** Row-major strides of a shape. */
function strides(shape: readonly number[]): number[] {
  const out = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) { out[i] = s; s *= shape[i]; }
  return out;
}

/** Whether `from` broadcasts to `to` (NumPy rules, aligned on the right). */
function broadcastsTo(from: readonly number[], to: readonly number[]): boolean {
  if (from.length > to.length) return false;
  const off = to.length - from.length;
  return from.every((d, i) => d === 1 || d === to[off + i]);
}

/** The flat index in a tensor of shape `from` that element `flat` of shape `to` reads under broadcasting. */
function broadcastIndex(flat: number, to: readonly number[], from: readonly number[]): number {
  if (from.length === 0) return 0;
  const st = strides(to);
  const sf = strides(from);
  const off = to.length - from.length;
  let out = 0;
  let rest = flat;
  for (let i = 0; i < to.length; i++) {
    const coord = Math.floor(rest / st[i]);
    rest -= coord * st[i];
    const j = i - off;
    if (j >= 0 && from[j] !== 1) out += coord * sf[j];
  }
  return out;
}

const bad = (v: number): boolean => !Number.isFinite(v);

/**
 * Runs `run(inputs)` with the tape on and follows each non-finite element of its value (or, where
 * the value is finite, of its gradient with respect to `inputs[wrt]`) back to its origin.
 * `maxElements` bounds how many bad elements are followed one by one.
 */
export function traceNonFinite(run: (inputs: tf.Tensor[]) => tf.Tensor, inputs: tf.Tensor[], wrt: number, maxElements = 64): NonFiniteTrace {
  const records: OpRecord[] = [];
  const open: { name: string; line: number; start: number }[] = [];
  let base = 0;
  const tapeLength = (): number => (engineTape()?.length ?? 0) - base;
  const watcher = {
    enter: (name: string, span: Span) => { open.push({ name, line: span.startLine + 1, start: tapeLength() }); },
    exit: () => { const r = open.pop(); if (r) records.push({ ...r, end: tapeLength() }); },
  };
  let trace: NonFiniteTrace = { causes: [] };
  withTensorScope(() => {
    const x = inputs[wrt];
    tf.engine().gradients(() => {
      base = engineTape()?.length ?? 0;
      const y = watchOps(watcher, () => run(inputs));
      const tape = (engineTape() ?? []).slice(base);
      trace = withTensorScope(() => analyse(tape, records, x, y, maxElements));
      return tf.sum(tf.cast(y, 'float32'));
    }, [x], undefined, true);
  });
  return trace;
}

interface Graph {
  tape: TapeNode[];
  records: OpRecord[];
  producer: Map<number, number>;
  values: Map<number, Float32Array | Int32Array | Uint8Array>;
}

function valuesOf(g: Graph, t: tf.Tensor): ArrayLike<number> {
  let v = g.values.get(t.id);
  if (!v) { v = t.dataSync() as Float32Array; g.values.set(t.id, v); }
  return v;
}

/** The op call a kernel belongs to: the innermost watched call around it, else the operator. */
function opOf(g: Graph, k: number): { op: string; line?: number } {
  let best: OpRecord | undefined;
  for (const r of g.records) if (r.start <= k && k < r.end && (!best || r.end - r.start < best.end - best.start)) best = r;
  if (best) return { op: best.name.includes('.') ? best.name : `.${best.name}()`, line: best.line };
  const kernel = g.tape[k].kernelName;
  return { op: operatorOf[kernel] ?? kernel };
}

function analyse(tape: TapeNode[], records: OpRecord[], x: tf.Tensor, y: tf.Tensor, maxElements: number): NonFiniteTrace {
  const g: Graph = { tape, records, producer: new Map(), values: new Map() };
  tape.forEach((n, k) => { for (const o of n.outputs) g.producer.set(o.id, k); });
  const yv = valuesOf(g, y);
  const badY = indicesWhere(yv, bad);
  const elementwise = y.size === x.size && broadcastsTo(y.shape, x.shape) && y.shape.length === x.shape.length;
  if (badY.length) {
    const causes: NonFiniteCause[] = [];
    for (const i of pick(badY, maxElements)) {
      const c = valueOrigin(g, y, i);
      if (c) causes.push(elementwise ? { ...c, element: i } : c);
    }
    return { causes };
  }
  const grads = backward(g, x, y);
  const gx = grads.total.get(x.id);
  if (!gx) return { causes: [] };
  const badX = indicesWhere(valuesOf(g, gx), bad);
  const causes: NonFiniteCause[] = [];
  for (const i of pick(badX, maxElements)) {
    const c = gradientOrigin(g, grads, x, i, y);
    if (c) causes.push({ ...c, element: i });
  }
  return { causes };
}

function indicesWhere(v: ArrayLike<number>, p: (x: number) => boolean): number[] {
  const out: number[] = [];
  for (let i = 0; i < v.length; i++) if (p(v[i])) out.push(i);
  return out;
}

/** At most n of the indices, spread over them. */
function pick(idx: number[], n: number): number[] {
  if (idx.length <= n) return idx;
  return Array.from({ length: n }, (_, k) => idx[Math.floor((k * idx.length) / n)]);
}

/** The element of input `t` that output element `j` of `out` reads: by broadcasting, else its first non-finite one. */
function inputElement(g: Graph, t: tf.Tensor, out: tf.Tensor, j: number): number | undefined {
  if (broadcastsTo(t.shape, out.shape)) return broadcastIndex(j, out.shape, t.shape);
  const v = valuesOf(g, t);
  for (let i = 0; i < v.length; i++) if (bad(v[i])) return i;
  return undefined;
}

const inputList = (n: TapeNode): tf.Tensor[] => Object.values(n.inputs).filter((t): t is tf.Tensor => t instanceof tf.Tensor);

/** Follows element i of tensor t back to the kernel that first made it non-finite. */
function valueOrigin(g: Graph, t: tf.Tensor, i: number): NonFiniteCause | undefined {
  let tensor = t;
  let el = i;
  /** The last kernel on the path whose output is NaN while its inputs hold no NaN: where ±Inf became NaN. */
  let nanMaker: { k: number; inputs: number[] } | undefined;
  for (let guard = 0; guard < 10_000; guard++) {
    const k = g.producer.get(tensor.id);
    if (k === undefined) return undefined;
    const node = g.tape[k];
    const out = valuesOf(g, tensor)[el];
    const ins = inputList(node).map((inp) => {
      const at = inputElement(g, inp, tensor, el);
      return { inp, at, v: at === undefined ? NaN : valuesOf(g, inp)[at] };
    });
    if (Number.isNaN(out) && ins.every((x) => !Number.isNaN(x.v))) nanMaker = { k, inputs: ins.map((x) => x.v) };
    const next = ins.find((x) => x.at !== undefined && bad(x.v));
    if (!next || next.at === undefined) return describeValue(g, k, ins.map((x) => x.v), out, nanMaker && nanMaker.k !== k ? nanMaker : undefined);
    tensor = next.inp;
    el = next.at;
  }
  return undefined;
}

interface Backward {
  /** The summed gradient of each tensor on a path from x. */
  total: Map<number, tf.Tensor>;
  /** Each kernel's contribution to each of its inputs' gradients, and the dy it got. */
  edges: Map<number, { dys: tf.Tensor[]; dx: Map<number, tf.Tensor> }>;
}

/** Reverse mode over the recorded tape with each kernel's own backward function, keeping every edge. */
function backward(g: Graph, x: tf.Tensor, y: tf.Tensor): Backward {
  const reach = new Set<number>([x.id]);
  for (const n of g.tape) if (inputList(n).some((t) => reach.has(t.id))) for (const o of n.outputs) reach.add(o.id);
  const total = new Map<number, tf.Tensor>([[y.id, tf.onesLike(tf.cast(y, 'float32'))]]);
  const edges: Backward['edges'] = new Map();
  for (let k = g.tape.length - 1; k >= 0; k--) {
    const n = g.tape[k];
    if (!n.gradient || !n.outputs.some((o) => total.has(o.id))) continue;
    if (!inputList(n).some((t) => reach.has(t.id))) continue;
    const dys = n.outputs.map((o) => total.get(o.id) ?? tf.zerosLike(o));
    let fns: Record<string, () => tf.Tensor>;
    try {
      fns = n.gradient(dys);
    } catch {
      continue;
    }
    const dx = new Map<number, tf.Tensor>();
    for (const [name, inp] of Object.entries(n.inputs)) {
      if (!(inp instanceof tf.Tensor) || !reach.has(inp.id) || !fns[name]) continue;
      let d: tf.Tensor;
      try {
        d = fns[name]();
      } catch {
        continue;
      }
      dx.set(inp.id, d);
      const prev = total.get(inp.id);
      total.set(inp.id, prev ? tf.add(prev, d) : d);
    }
    edges.set(k, { dys, dx });
  }
  return { total, edges };
}

/** Follows a non-finite element of ∂y/∂x forward from x to the kernel whose backward made it. */
function gradientOrigin(g: Graph, b: Backward, x: tf.Tensor, i: number, y: tf.Tensor): NonFiniteCause | undefined {
  const edges = [...b.edges].sort((p, q) => p[0] - q[0]);
  const yFinite = !Array.from(valuesOf(g, y)).some(bad);
  let tensor = x;
  let el = i;
  for (let guard = 0; guard < 10_000; guard++) {
    // The first consumer of this tensor whose contribution to its gradient is not finite here.
    const hit = edges.find(([, e]) => { const d = e.dx.get(tensor.id); return !!d && bad(valuesOf(g, d)[el] ?? NaN); });
    if (!hit) return undefined;
    const [k, e] = hit;
    const out = g.tape[k].outputs[0];
    const dy = valuesOf(g, e.dys[0]);
    // The output elements this input element feeds: itself when the shapes agree, its broadcast
    // copies, or (a reduction, a matmul) all of them.
    const feeds: number[] = [];
    if (broadcastsTo(tensor.shape, out.shape)) {
      if (tensor.size === out.size) feeds.push(el);
      else for (let j = 0; j < out.size; j++) if (broadcastIndex(j, out.shape, tensor.shape) === el) feeds.push(j);
    } else for (let j = 0; j < out.size; j++) feeds.push(j);
    const badDy = feeds.find((j) => bad(dy[j]));
    if (badDy === undefined) {
      const j = feeds[0] ?? 0;
      const ins = inputList(g.tape[k]).map((inp) => {
        const at = inputElement(g, inp, out, j);
        return at === undefined ? NaN : valuesOf(g, inp)[at];
      });
      return describeGradient(g, k, ins, valuesOf(g, out)[j], dy[j] ?? 1, yFinite);
    }
    tensor = out;
    el = badDy;
  }
  return undefined;
}

// ------------------------------------------------------------------ the causes in words

/** Whether kernel k's output reaches a where/select (which keeps one branch's value, not its gradient). */
function feedsSelect(g: Graph, k: number): boolean {
  const seen = new Set<number>(g.tape[k].outputs.map((o) => o.id));
  for (let n = k + 1; n < g.tape.length; n++) {
    const node = g.tape[n];
    if (!inputList(node).some((t) => seen.has(t.id))) continue;
    if (node.kernelName === 'Select' || node.kernelName === 'SelectV2') return true;
    for (const o of node.outputs) seen.add(o.id);
  }
  return false;
}

const listed = (vs: number[]): string => vs.map(fmt).join(', ');

function describeValue(g: Graph, k: number, ins: number[], out: number, nanMaker?: { k: number; inputs: number[] }): NonFiniteCause {
  const { op, line } = opOf(g, k);
  const kernel = g.tape[k].kernelName;
  const where = line ? `${op} on line ${line}` : `the operator ${op}`;
  const base = { stage: 'value' as const, op, line, inputs: ins };
  const [a, b] = ins;
  let cause: string;
  let detail: string;
  let fix: string;
  switch (kernel) {
    case 'Log':
      cause = a === 0 ? 'log of 0' : 'log of a negative number';
      detail = `${where} takes the log of ${fmt(a)}, which is ${fmt(out)}`;
      fix = 'keep the log\'s input positive: clamp it to at least a small epsilon (e.g. 1e-7), or use the framework\'s log-space form (log_softmax, log_sigmoid, xlogy)';
      break;
    case 'Log1p':
      cause = a === -1 ? 'log1p of -1' : 'log1p below -1';
      detail = `${where} takes log(1 + x) at x = ${fmt(a)}, which is ${fmt(out)}`;
      fix = 'keep 1 + x positive (clamp x above -1 + 1e-7)';
      break;
    case 'Sqrt':
      cause = 'sqrt of a negative number';
      detail = `${where} takes the square root of ${fmt(a)}`;
      fix = 'keep the input of the sqrt non-negative (clamp it, or take the sqrt of a square or an absolute value)';
      break;
    case 'Rsqrt':
      cause = a === 0 ? '1/sqrt(0)' : '1/sqrt of a negative number';
      detail = `${where} takes 1/sqrt(${fmt(a)})`;
      fix = 'add a small epsilon inside the sqrt';
      break;
    case 'Exp': case 'Expm1': case 'Sinh': case 'Cosh':
      cause = 'exp overflow';
      detail = `${where} overflows float32 at ${fmt(a)} (${kernel === 'Exp' ? 'exp' : kernel.toLowerCase()}(${fmt(a)}) = ${fmt(out)}; float32 exp overflows past 88)`;
      fix = 'use softplus / logaddexp / log_sigmoid instead of log(1 + exp(x)) and the like, or clamp the input to exp below 80';
      break;
    case 'Pow':
      if (a === 0 && b < 0) { cause = '0 to a negative power'; fix = 'add a small epsilon to the base, or clamp it away from 0'; }
      else if (a < 0) { cause = 'a negative number to a fractional power'; fix = 'raise |x| and restore the sign: sign(x) * abs(x) ** p'; }
      else { cause = 'overflow in a power'; fix = 'bound the base or the exponent'; }
      detail = `${where} computes ${fmt(a)} ** ${fmt(b)} = ${fmt(out)}`;
      break;
    case 'RealDiv': case 'FloorDiv': case 'Reciprocal': {
      const num = kernel === 'Reciprocal' ? 1 : a;
      const den = kernel === 'Reciprocal' ? a : b;
      cause = den === 0 ? (num === 0 ? '0/0' : 'division by 0') : 'overflow in a division';
      detail = `${where} divides ${fmt(num)} by ${fmt(den)}`;
      fix = den === 0 ? 'add a small epsilon to the denominator, or guard it with max(|d|, eps)' : 'bound the numerator or keep the denominator away from 0';
      break;
    }
    case 'Acos': case 'Asin': case 'Atanh': case 'Acosh':
      cause = `${kernel.toLowerCase()} outside its domain`;
      detail = `${where} takes ${kernel.toLowerCase()}(${fmt(a)})`;
      fix = `clamp its input into the domain of ${kernel.toLowerCase()} (e.g. [-1 + 1e-7, 1 - 1e-7])`;
      break;
    default:
      cause = ['Multiply', 'Square', 'Add', 'AddN', 'Sum', 'Prod', 'BatchMatMul'].includes(kernel) ? 'float32 overflow' : `${op} gives ${fmt(out)}`;
      detail = `${where} gives ${fmt(out)} from ${listed(ins)}`;
      fix = 'bound its inputs (clamp) or rescale the computation';
  }
  if (nanMaker) {
    const m = opOf(g, nanMaker.k);
    const mk = g.tape[nanMaker.k].kernelName;
    const mWhere = m.line ? `${m.op} on line ${m.line}` : `the operator ${m.op}`;
    const zeroTimesInf = mk === 'Multiply' && nanMaker.inputs.some((v) => v === 0) && nanMaker.inputs.some((v) => !Number.isFinite(v));
    if (zeroTimesInf && kernel === 'Log') {
      return {
        ...base, cause: '0·log 0',
        detail: `${detail}, and ${mWhere} multiplies it by 0: 0·(${fmt(out)}) = NaN`,
        fix: 'use xlogy (torch.xlogy, tf.math.xlogy, jax.scipy.special.xlogy), which is 0 where its first argument is 0, or clamp the log\'s input to at least 1e-7',
      };
    }
    const how = zeroTimesInf ? `0·${fmt(out)}` : mk === 'Sub' || mk === 'Add' ? '∞ − ∞' : mk === 'RealDiv' ? '∞/∞' : `${listed(nanMaker.inputs)}`;
    return { ...base, cause: `${cause}, then ${how}`, detail: `${detail}, and ${mWhere} turns it into NaN (${how})`, fix };
  }
  return { ...base, cause, detail, fix };
}

function describeGradient(g: Graph, k: number, ins: number[], out: number, dy: number, valueFinite: boolean): NonFiniteCause {
  const { op, line } = opOf(g, k);
  const kernel = g.tape[k].kernelName;
  const where = line ? `${op} on line ${line}` : `the operator ${op}`;
  const base = { stage: 'gradient' as const, op, line, inputs: ins };
  const [a, b] = ins;
  // The op's own value is not finite but the function's is: either a where/select kept the other
  // branch, or a later op absorbed it (tanh(+Inf) = 1); its gradient is still 0·Inf or 0·NaN = NaN.
  if (!Number.isFinite(out) && valueFinite) {
    const what = describeValue(g, k, ins, out);
    if (feedsSelect(g, k)) {
      return {
        ...base,
        cause: `${what.cause} in a discarded branch`,
        detail: `${what.detail}; a where/select discards that value but not its gradient (0·${fmt(out)} = NaN)`,
        fix: 'make the discarded branch safe too: feed it a harmless input, e.g. where(mask, f(where(mask, x, 1)), g(x))',
      };
    }
    return {
      ...base,
      cause: what.cause,
      detail: `${what.detail}; a later op absorbs the ${fmt(out)} in the value, but the gradient through it is 0·${fmt(out)} = NaN`,
      fix: what.fix,
    };
  }
  switch (kernel) {
    case 'Sqrt':
      return { ...base, cause: 'sqrt at 0', detail: `${where} is taken at ${fmt(a)}, where its slope 1/(2·sqrt(x)) is infinite`, fix: 'add a small epsilon inside the sqrt (sqrt(x + 1e-12)), or use a form with a finite slope at 0' };
    case 'Log': case 'Log1p':
      return { ...base, cause: `${kernel === 'Log' ? 'log' : 'log1p'} at its pole`, detail: `${where} is taken at ${fmt(a)}, where its slope is infinite`, fix: 'clamp the log\'s input to at least a small epsilon' };
    case 'Pow':
      return { ...base, cause: a === 0 ? 'a power below 1 at 0' : 'a power with an infinite slope', detail: `${where} computes ${fmt(a)} ** ${fmt(b)}, whose slope there is not finite`, fix: 'add a small epsilon to the base, or use an exponent of at least 1' };
    case 'RealDiv':
      return { ...base, cause: 'division by 0 in the gradient', detail: `${where} divides by ${fmt(b)}, and its slope −x/y² is not finite there`, fix: 'add a small epsilon to the denominator' };
    case 'Acos': case 'Asin':
      return { ...base, cause: `${kernel.toLowerCase()} at ±1`, detail: `${where} is taken at ${fmt(a)}, where its slope is infinite`, fix: 'clamp the input to [-1 + 1e-7, 1 - 1e-7]' };
    default:
      return {
        ...base,
        cause: `${op}'s gradient`,
        detail: `the gradient of ${where} is not finite at ${listed(ins)} although ${dy === 0 ? 'the gradient reaching it is 0' : 'the gradient reaching it is finite'}`,
        fix: 'keep the input of this operation where its gradient is finite (clamp it, or add an epsilon)',
      };
  }
}

// ------------------------------------------------------------------ the probes' entry points

/**
 * Why an activation is NaN or ±Inf (or has such a gradient) at some points: the cause at the first
 * point that has one. Undefined when no op can be named (or the diagnosis itself fails: it only adds
 * to a finding, it never stops one).
 */
export function explainActivation(program: Program, xs: number[]): NonFiniteCause | undefined {
  if (!xs.length) return undefined;
  const input = tf.tensor1d(xs, 'float32');
  try {
    const { causes } = traceNonFinite((ins) => program.run(ins), [input], 0, xs.length);
    return [...causes].sort((a, b) => (a.element ?? 0) - (b.element ?? 0))[0];
  } catch {
    return undefined;
  } finally {
    input.dispose();
  }
}

/**
 * Why a loss (reduced as the probes reduce it: the mean of what it returns) or its gradient with
 * respect to the prediction is NaN or ±Inf on one probe input, in the loss messages' form. `read` is
 * what the static read of the code says (in the user's parameter names); the trace adds the op and
 * line that made the value, and its fix where the read has none.
 */
export function explainLoss(program: Program, layout: LossLayout, input: LossInput, read: { cause?: string; fix?: string } = {}): { cause?: string; fix?: string } {
  const t = tf.tensor(encodeTarget(layout, input.target), layout.targetShape, 'float32');
  const p = tf.tensor(input.pred, layout.predShape, 'float32');
  try {
    const { causes } = traceNonFinite(([yt, yp]) => {
      const out = program.run([yt, yp]);
      return out.rank === 0 ? out : tf.mean(tf.cast(out, 'float32'));
    }, [t, p], 1, 8);
    const c = causes[0];
    // The read already names this op's line: the trace agrees and adds nothing.
    if (!c || (c.line && read.cause && new RegExp(`\\bline ${c.line}\\b`).test(read.cause))) return read;
    const traced = `${c.cause}: ${c.detail}`;
    return { cause: read.cause ? `${read.cause} (${traced})` : traced, fix: read.fix ?? c.fix };
  } catch {
    return read;
  } finally {
    t.dispose();
    p.dispose();
  }
}
