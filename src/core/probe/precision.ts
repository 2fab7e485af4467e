// Mixed precision, emulated: every op's output is rounded to float16 or bfloat16 (round to nearest
// even), with an identity gradient. This is where `clip(p, 1e-7, 1 - 1e-7)` stops guarding
// `log(1 - p)`: 1 - 1e-7 rounds to 1 in float16.
import * as tf from '@tensorflow/tfjs-core';
import { withGradient } from '../ops/customGradient';

export type Precision = 'float32' | 'float16' | 'bfloat16';

export function toFloat16(v: number): number {
  if (Number.isNaN(v) || !Number.isFinite(v)) return v;
  const a = Math.abs(v);
  if (a >= 65520) return v > 0 ? Infinity : -Infinity;
  if (a === 0) return v;
  let e = Math.floor(Math.log2(a));
  if (2 ** e > a) e -= 1;
  if (2 ** (e + 1) <= a) e += 1;
  const quantum = e < -14 ? 2 ** -24 : 2 ** (e - 10);
  const q = a / quantum;
  const f = Math.floor(q);
  const d = q - f;
  const r = d > 0.5 || (d === 0.5 && f % 2 === 1) ? f + 1 : f;
  return Math.sign(v) * r * quantum;
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

export function toBfloat16(v: number): number {
  if (Number.isNaN(v)) return v;
  f32[0] = v;
  const u = u32[0];
  const lsb = (u >>> 16) & 1;
  u32[0] = ((u + 0x7fff + lsb) & 0xffff0000) >>> 0;
  return f32[0];
}

/** The per-op rounding for a precision, or undefined at float32. */
export function roundingFor(precision: Precision): ((t: tf.Tensor) => tf.Tensor) | undefined {
  if (precision === 'float32') return undefined;
  const round = precision === 'float16' ? toFloat16 : toBfloat16;
  const op = withGradient(([x]) => tf.tensor(Array.from(x.dataSync(), round), x.shape, 'float32'), (dy) => [dy]);
  return (t) => (t.dtype === 'float32' ? op(t) : t);
}
