// The inputs the loss probe feeds a loss: per family, the layouts it tries, the typical and boundary
// cases, the 1-D slices from the target outwards, and the baseline loss it compares with. Every
// input stays inside the family's domain. Fixed seeds: the same loss always gets the same inputs.
import {
  channelMaskCases, channelMaskPrediction, channelMasks, channelMaskTargets, imageFallbackLayouts, isStructured, mseBaseline, normal, seededRandom, structuredBaseline, structuredBoundary,
  structuredLayouts, structuredPrediction, structuredSlices, structuredTargets,
} from './lossDomains';
import type { LossFamily } from './lossFamily';

export { seededRandom } from './lossDomains';

export interface LossLayout {
  /** Shape of y_pred (and of the dense target). */
  predShape: number[];
  /** Shape of y_true as passed to the loss: the dense shape, or [B] / [B, 1] for integer labels. */
  targetShape: number[];
  /** Size of the last axis (features, classes, channels). */
  lastAxis: number;
  describe: string;
  /** Masks one-hot over the channel axis (B, C, H, W). */
  oneHotChannels?: boolean;
}

/** One probe input: the dense target (one-hot for classes) and the prediction, flat, in predShape. */
export interface LossInput {
  target: Float32Array;
  pred: Float32Array;
}

export type CaseKind =
  | 'typical' | 'perfect' | 'exact-wrong' | 'zero-targets' | 'zero-all' | 'large' | 'uniform'
  | 'confident-right' | 'confident-wrong' | 'zero-logits' | 'empty-empty' | 'empty-some' | 'full-full' | 'class-absent'
  | 'disjoint' | 'inside' | 'collapsed' | 'one-class';

export interface LossCase extends LossInput {
  kind: CaseKind;
  /** In the user's words, with their parameter names filled in by the caller. */
  label: string;
}

const size = (shape: number[]): number => shape.reduce((a, b) => a * b, 1);
const sigmoid = (z: number): number => 1 / (1 + Math.exp(-z));

// ---------------------------------------------------------------- layouts

const ROWS = 8;
const featureSizes = [4, 3, 2, 5, 6, 8, 10, 16, 1];
const classSizes = [4, 3, 5, 2, 6, 8, 10, 16];

const times = (shape: number[]): string => shape.join('×');

/** The shapes to try, best first. */
export function candidateLayouts(family: LossFamily): LossLayout[] {
  if (isStructured(family)) return structuredLayouts(family);
  const out: LossLayout[] = [];
  if (family.space === 'masks' || family.overlap) {
    const nhwc: LossLayout = { predShape: [2, 8, 8, 1], targetShape: [2, 8, 8, 1], lastAxis: 1, describe: 'masks 2×8×8×1 (batch × height × width × channel)' };
    const nchw: LossLayout = { predShape: [2, 1, 8, 8], targetShape: [2, 1, 8, 8], lastAxis: 8, describe: 'masks 2×1×8×8 (batch × channel × height × width)' };
    const rows = classSizes.map((c): LossLayout => ({ predShape: [16, c], targetShape: [16, c], lastAxis: c, describe: `per-class masks 16×${c} (pixels × classes, one-hot rows)` }));
    if (family.maskLayout === 'rows') out.push(...rows, nhwc, nchw);
    // Channels first: one-hot over several classes first (B, C, H, W), then one binary channel.
    else if (family.maskLayout === 'nchw') out.push(...(family.space === 'masks' ? [channelMasks] : []), nchw, nhwc, ...rows.slice(0, 2));
    else out.push(nhwc, nchw, ...rows.slice(0, 2));
    out.push({ predShape: [ROWS, 16], targetShape: [ROWS, 16], lastAxis: 16, describe: `masks ${ROWS}×16 (batch × pixels)` });
    return out;
  }
  const categorical = family.arity === 'categorical' && family.space !== 'regression';
  const sizes = categorical ? classSizes : featureSizes;
  for (const n of sizes) {
    const predShape = [ROWS, n];
    if (family.labels === 'index' && categorical) {
      out.push({ predShape, targetShape: [ROWS], lastAxis: n, describe: `${family.space === 'logits' ? 'logits' : 'y_pred'} ${times(predShape)}, class ids ${ROWS}` });
      out.push({ predShape, targetShape: [ROWS, 1], lastAxis: n, describe: `${family.space === 'logits' ? 'logits' : 'y_pred'} ${times(predShape)}, class ids ${ROWS}×1` });
    } else {
      out.push({ predShape, targetShape: predShape, lastAxis: n, describe: `${times(predShape)}${categorical ? ' (batch × classes)' : ' (batch × features)'}` });
    }
  }
  return out;
}

/** A family and the layouts tried for it, in order. */
export interface LayoutGroup { family: LossFamily; layouts: LossLayout[] }

/**
 * Every family's own layouts first, then where all of them fail, the layouts the family reading
 * could not decide between: integer class labels for a class axis (a sparse categorical loss whose
 * labels the read missed), image batches (B, C, H, W) / (B, C, H, W, D) with a few channel counts
 * (a loss that checks a rank or reads spatial axes), and valid boxes (a box loss that checks them).
 * `rank` is the image rank the code points at
 * (unpacking, a rank check, a message naming a rank): those images are tried first.
 */
export function layoutSearch(families: LossFamily[], rank?: 4 | 5): LayoutGroup[] {
  const own = families.map((family): LayoutGroup => ({ family, layouts: candidateLayouts(family) }));
  const names = new Set(families.map((f) => f.name));
  const extra: LayoutGroup[] = [];
  const add = (g: LayoutGroup): void => {
    if (names.has(g.family.name) || !g.layouts.length) return;
    names.add(g.family.name);
    extra.push(g);
  };
  const ranks: (4 | 5)[] = rank === 5 ? [5, 4] : [4, 5];
  for (const family of families) {
    if ((family.space === 'logits' || family.space === 'probabilities') && family.labels === 'dense' && !family.overlap && !family.logInputs) {
      const sparse: LossFamily = { ...family, arity: 'categorical', labels: 'index', name: `categorical ${family.space} with integer class labels`, reasons: [...family.reasons, 'integer class labels: the dense layouts were refused'] };
      add({ family: sparse, layouts: candidateLayouts(sparse) });
    }
    if (family.space === 'regression' || family.space === 'images') {
      for (const r of ranks) {
        const images: LossFamily = { ...family, space: 'images', imageRank: r, name: r === 5 ? 'images (B, C, H, W, D)' : 'images (B, C, H, W)', reasons: [...family.reasons, `${r === 5 ? 'volumes' : 'images'}: the loss refused the other layouts`] };
        add({ family: images, layouts: imageFallbackLayouts(r) });
      }
    }
    if (family.space === 'regression') {
      // Last: valid boxes (x1 < x2, y1 < y2) on a last axis of 4, for a box loss whose coordinate
      // reads sit in helpers the reading does not follow and that refuses arbitrary values.
      const boxes: LossFamily = { ...family, space: 'boxes', boxFormat: 'xyxy', name: 'boxes (xyxy)', reasons: [...family.reasons, 'boxes: the loss refused the other layouts'] };
      add({ family: boxes, layouts: candidateLayouts(boxes) });
    }
    if ((family.space === 'logits' || family.space === 'probabilities' || family.space === 'masks') && family.arity === 'binary') {
      for (const r of ranks) {
        const masks: LossFamily = { ...family, maskLayout: 'nchw', name: `${family.name}, ${r === 5 ? 'volumes' : 'images'} channels first`, reasons: [...family.reasons, `${r === 5 ? 'volumes' : 'images'} channels first: the loss refused the other layouts`] };
        const shape = r === 5 ? [2, 1, 6, 6, 6] : [2, 1, 8, 8];
        add({ family: masks, layouts: [{ predShape: shape, targetShape: shape, lastAxis: shape[shape.length - 1], describe: `${times(shape)} (batch × channel × ${r === 5 ? 'height × width × depth' : 'height × width'})` }] });
      }
    }
  }
  return [...own, ...extra];
}

/** The same layout with the batch (first) axis multiplied. */
export function tiledLayout(layout: LossLayout, factor: number): LossLayout {
  const tile = (s: number[]): number[] => [s[0] * factor, ...s.slice(1)];
  return { ...layout, predShape: tile(layout.predShape), targetShape: tile(layout.targetShape) };
}

export function tileInput(input: LossInput, factor: number): LossInput {
  const rep = (a: Float32Array): Float32Array => {
    const out = new Float32Array(a.length * factor);
    for (let i = 0; i < factor; i++) out.set(a, i * a.length);
    return out;
  };
  return { target: rep(input.target), pred: rep(input.pred) };
}

/** y_true as the loss receives it: the dense array, or class ids (argmax of each one-hot row). */
export function encodeTarget(layout: LossLayout, dense: Float32Array): Float32Array {
  if (size(layout.targetShape) === dense.length) return dense;
  const c = layout.lastAxis;
  const ids = new Float32Array(dense.length / c);
  for (let r = 0; r < ids.length; r++) {
    let best = 0;
    for (let j = 1; j < c; j++) if (dense[r * c + j] > dense[r * c + best]) best = j;
    ids[r] = best;
  }
  return ids;
}

// ---------------------------------------------------------------- generators

interface Shape { rows: number; perRow: number; c: number; total: number }
function shapeOf(layout: LossLayout): Shape {
  const total = size(layout.predShape);
  const rows = layout.predShape[0];
  return { rows, perRow: total / rows, c: layout.lastAxis, total };
}

/** Row-wise classes on the last axis: true for categorical families and per-class mask rows. */
export function hasClassRows(family: LossFamily, layout: LossLayout): boolean {
  return (family.arity === 'categorical' && (family.space === 'probabilities' || family.space === 'logits')) || (family.space === 'masks' && family.maskLayout === 'rows' && layout.predShape.length === 2 && layout.lastAxis > 1);
}

function oneHotRows(s: Shape, rand: () => number, avoidClass?: number): { dense: Float32Array; classes: number[] } {
  const dense = new Float32Array(s.total);
  const classes: number[] = [];
  const groups = s.total / s.c;
  for (let r = 0; r < groups; r++) {
    let k = (r + Math.floor(rand() * s.c)) % s.c;
    if (avoidClass !== undefined && s.c > 1 && k === avoidClass) k = (k + 1) % s.c;
    dense[r * s.c + k] = 1;
    classes.push(k);
  }
  return { dense, classes };
}

function blobMasks(layout: LossLayout, rand: () => number): Float32Array {
  const out = new Float32Array(size(layout.predShape));
  const [b] = layout.predShape;
  const h = 8;
  const w = 8;
  const perSample = out.length / b;
  for (let n = 0; n < b; n++) {
    if (layout.predShape.length !== 4) {
      // Flat masks: a contiguous run of foreground pixels.
      const start = Math.floor(rand() * perSample / 2);
      const len = Math.max(2, Math.floor(perSample / 3 + rand() * perSample / 4));
      for (let i = start; i < Math.min(perSample, start + len); i++) out[n * perSample + i] = 1;
      continue;
    }
    const y0 = 1 + Math.floor(rand() * 3);
    const x0 = 1 + Math.floor(rand() * 3);
    const y1 = y0 + 2 + Math.floor(rand() * 3);
    const x1 = x0 + 2 + Math.floor(rand() * 3);
    for (let y = y0; y < Math.min(h, y1); y++) for (let x = x0; x < Math.min(w, x1); x++) out[n * perSample + y * w + x] = 1; // one channel: the same offset for N×H×W×1 and N×1×H×W
  }
  return out;
}

export function denseTargets(family: LossFamily, layout: LossLayout, seed: number): Float32Array {
  if (isStructured(family)) return structuredTargets(family, layout, seed);
  if (layout.oneHotChannels) return channelMaskTargets(layout, seed);
  const rand = seededRandom(seed);
  const s = shapeOf(layout);
  if (hasClassRows(family, layout)) return oneHotRows(s, rand).dense;
  if (family.space === 'masks' || (family.overlap && layout.predShape.length === 4)) return blobMasks(layout, rand);
  if (family.space === 'regression') {
    const out = new Float32Array(s.total);
    for (let i = 0; i < s.total; i++) out[i] = family.domain === 'nonnegative' ? 0.2 + 2.8 * rand() : family.signedTargets ? ((i + Math.floor(rand() * 2)) % 2 ? 1 : -1) : -2 + 4 * rand();
    return out;
  }
  const out = new Float32Array(s.total);
  for (let i = 0; i < s.total; i++) out[i] = (i + Math.floor(rand() * 2)) % 2;
  return out;
}

function softmaxRows(z: Float32Array, c: number): Float32Array {
  const out = new Float32Array(z.length);
  for (let r = 0; r < z.length / c; r++) {
    let m = -Infinity;
    for (let j = 0; j < c; j++) m = Math.max(m, z[r * c + j]);
    let sum = 0;
    for (let j = 0; j < c; j++) { out[r * c + j] = Math.exp(z[r * c + j] - m); sum += out[r * c + j]; }
    for (let j = 0; j < c; j++) out[r * c + j] /= sum;
  }
  return out;
}

/** Typical predictions for a target: level 0 mostly right, 1 mixed, 2 mostly wrong. */
export function typicalPrediction(family: LossFamily, layout: LossLayout, target: Float32Array, level: number, seed: number): Float32Array {
  if (isStructured(family)) return structuredPrediction(family, layout, target, level, seed);
  if (layout.oneHotChannels) return channelMaskPrediction(layout, target, level, seed);
  const rand = seededRandom(seed);
  const s = shapeOf(layout);
  const out = new Float32Array(s.total);
  const pull = [1.5, 0.5, -0.5][level] ?? 0;
  if (family.space === 'regression') {
    const sigma = [0.3, 1, 2][level] ?? 1;
    for (let i = 0; i < s.total; i++) out[i] = family.domain === 'nonnegative' ? target[i] * Math.exp(0.5 * sigma * normal(rand)) : target[i] + sigma * normal(rand);
    return out;
  }
  if (hasClassRows(family, layout)) {
    const z = new Float32Array(s.total);
    for (let i = 0; i < s.total; i++) z[i] = 1.2 * normal(rand) + 2 * pull * target[i];
    if (family.space === 'logits') return z;
    const p = softmaxRows(z, s.c);
    // Keep predictions off the exact boundary: the boundary has cases of its own.
    for (let i = 0; i < p.length; i++) p[i] = Math.min(Math.max(p[i], 1e-3), 1);
    return normaliseRows(p, s.c);
  }
  for (let i = 0; i < s.total; i++) {
    const z = (2 * target[i] - 1) * 2 * pull + 1.5 * normal(rand);
    out[i] = family.space === 'logits' ? z : Math.min(Math.max(sigmoid(z), 0.02), 0.98);
  }
  return out;
}

function normaliseRows(p: Float32Array, c: number): Float32Array {
  for (let r = 0; r < p.length / c; r++) {
    let sum = 0;
    for (let j = 0; j < c; j++) sum += p[r * c + j];
    for (let j = 0; j < c; j++) p[r * c + j] /= sum;
  }
  return p;
}

/** Another class than the target's in each row (the next one). */
export function otherClassRows(target: Float32Array, c: number): Float32Array {
  const out = new Float32Array(target.length);
  for (let r = 0; r < target.length / c; r++) {
    let k = 0;
    for (let j = 1; j < c; j++) if (target[r * c + j] > target[r * c + k]) k = j;
    out[r * c + ((k + 1) % c)] = 1;
  }
  return out;
}

const map = (a: Float32Array, f: (x: number, i: number) => number): Float32Array => a.map(f);

export interface Names { pred: string; target: string }

/** Typical cases (three error levels) and the family's boundary cases. */
export function lossCases(family: LossFamily, layout: LossLayout, names: Names): { typical: LossCase[]; boundary: LossCase[] } {
  const { pred: p, target: t } = names;
  const s = shapeOf(layout);
  const typical: LossCase[] = [0, 1, 2].map((level) => {
    const target = denseTargets(family, layout, 11 + level);
    return { kind: 'typical', label: `on typical errors (set ${level + 1} of 3)`, target, pred: typicalPrediction(family, layout, target, level, 101 + level) };
  });
  const base = typical[1];
  if (isStructured(family)) return { typical, boundary: structuredBoundary(family, layout, base, names) };
  const boundary: LossCase[] = [];
  const add = (kind: CaseKind, label: string, target: Float32Array, pred: Float32Array): void => { boundary.push({ kind, label, target, pred }); };
  const zeros = new Float32Array(s.total);
  const ones = new Float32Array(s.total).fill(1);
  const classRows = hasClassRows(family, layout);
  switch (family.space) {
    case 'regression':
      add('perfect', `at a perfect prediction (${p} == ${t})`, base.target, base.target.slice());
      if (!family.signedTargets) {
        add('zero-all', `when ${t} and ${p} are all 0`, zeros, zeros.slice());
        add('zero-targets', `when every ${t} is 0`, zeros, family.domain === 'nonnegative' ? map(base.pred, (x) => Math.abs(x)) : base.pred);
      }
      add('large', `on large errors (|${p} − ${t}| ≈ 10)`, base.target, family.domain === 'nonnegative' ? map(base.target, (x) => x * 10) : map(base.target, (x, i) => x + (i % 2 ? 10 : -10)));
      break;
    case 'probabilities':
    case 'masks':
      if (classRows) {
        add('perfect', `at a perfect prediction (one-hot ${p} == ${t}, exact 0s and 1s)`, base.target, base.target.slice());
        add('exact-wrong', `when ${p} is one-hot on a wrong class (exactly 0 for the true class)`, base.target, otherClassRows(base.target, s.c));
        add('uniform', `when ${p} is uniform (1/${s.c} per class)`, base.target, new Float32Array(s.total).fill(1 / s.c));
        if (family.space === 'masks') {
          const missing = oneHotRows(s, seededRandom(5), s.c - 1).dense;
          add('class-absent', `when a class is absent from ${t} and not predicted (an empty mask predicted empty)`, missing, missing.slice());
          add('empty-empty', `when every mask in ${t} is empty and ${p} is all 0`, zeros, zeros.slice());
        }
      } else {
        add('perfect', `at a perfect prediction (${p} == ${t}, exact 0s and 1s)`, base.target, base.target.slice());
        add('exact-wrong', `when ${p} is exactly 0 or 1 and wrong everywhere (${p} = 1 − ${t})`, base.target, map(base.target, (x) => 1 - x));
        if (layout.oneHotChannels) boundary.push(...channelMaskCases(layout, names));
        else if (family.space === 'masks') {
          add('empty-empty', `on an empty mask predicted empty (${t} and ${p} all 0)`, zeros, zeros.slice());
          add('empty-some', `on an empty mask (${t} all 0) with a non-empty prediction`, zeros, base.pred);
          add('full-full', `on a full mask predicted full (${t} and ${p} all 1)`, ones, ones.slice());
        } else {
          add('zero-targets', `when every ${t} is 0`, zeros, base.pred);
          add('zero-all', `when every ${t} is 0 and ${p} is exactly 0`, zeros, zeros.slice());
        }
      }
      break;
    case 'logits': {
      const sign = classRows ? base.target : map(base.target, (x) => 2 * x - 1);
      const other = classRows ? otherClassRows(base.target, s.c) : map(base.target, (x) => 1 - 2 * x);
      add('confident-right', `for confident, right ${p} (±20)`, base.target, map(sign, (x) => 20 * x));
      add('confident-wrong', `for confident, wrong ${p} (±20)`, base.target, map(other, (x) => 20 * x));
      add('zero-logits', `when ${p} are all 0`, base.target, zeros.slice());
      if (!classRows) add('zero-targets', `when every ${t} is 0`, zeros, base.pred);
      break;
    }
  }
  return { typical, boundary };
}

// ---------------------------------------------------------------- slices

export interface SliceSpec {
  label: string;
  /** Slice coordinates; the target (or the most confident right prediction for logits) is at s = 0. */
  s: number[];
  at: (s: number) => Float32Array;
  target: Float32Array;
}

function linspace(a: number, b: number, n: number): number[] {
  return Array.from({ length: n }, (_, i) => a + ((b - a) * i) / (n - 1));
}

export function lossSlices(family: LossFamily, layout: LossLayout, names: Names): SliceSpec[] {
  if (isStructured(family)) return structuredSlices(family, layout, names);
  const { pred: p, target: t } = names;
  const s = shapeOf(layout);
  const target = denseTargets(family, layout, 12);
  const classRows = hasClassRows(family, layout);
  switch (family.space) {
    case 'regression': {
      const rand = seededRandom(31);
      const d = new Float32Array(s.total).map(() => (rand() < 0.5 ? -1 : 1) * (0.5 + rand()));
      const rms = Math.sqrt(d.reduce((a, x) => a + x * x, 0) / d.length);
      d.forEach((x, i) => { d[i] = x / rms; });
      if (family.domain === 'nonnegative') {
        return [{ label: `${p} = ${t} · e^s (scaled up and down, staying ≥ 0)`, s: linspace(-4, 2, 25), target, at: (k) => map(target, (x) => x * Math.exp(k)) }];
      }
      return [{ label: `${p} = ${t} + s · d along a fixed random direction d (RMS 1)`, s: linspace(-4, 4, 25), target, at: (k) => map(target, (x, i) => x + k * d[i]) }];
    }
    case 'probabilities':
    case 'masks': {
      if (classRows) {
        const other = otherClassRows(target, s.c);
        return [{ label: `probability mass moved from the true class to another (s = share moved)`, s: linspace(0, 1, 17), target, at: (k) => map(target, (x, i) => (1 - k) * x + k * other[i]) }];
      }
      return [{ label: `${p} moved from ${t} (s = 0) to 1 − ${t} (s = 1)`, s: linspace(0, 1, 17), target, at: (k) => map(target, (x) => (1 - k) * x + k * (1 - x)) }];
    }
    case 'logits': {
      if (classRows) {
        const other = otherClassRows(target, s.c);
        return [{ label: `logits from +8 on the true class / −8 on another (s = 0) to the reverse (s = 1)`, s: linspace(0, 1, 17), target, at: (k) => map(target, (x, i) => 8 * (1 - 2 * k) * (x - other[i])) }];
      }
      return [{ label: `logits from 8 towards ${t} (s = 0) to 8 against it (s = 1)`, s: linspace(0, 1, 17), target, at: (k) => map(target, (x) => 8 * (1 - 2 * k) * (2 * x - 1)) }];
    }
    default: return [];
  }
}

// ---------------------------------------------------------------- baselines

/** A standard loss of the family, value and gradient in closed form (plain JS: no engine, no autodiff). */
export interface Baseline {
  name: string;
  at: (target: Float32Array, pred: Float32Array) => { value: number; grad: Float64Array };
}

const EPS = 1e-7;
const clip = (x: number): number => Math.min(Math.max(x, EPS), 1 - EPS);

/** A standard loss of the family; undefined where there is none to compare with (embeddings). */
export function baselineFor(family: LossFamily, layout: LossLayout): Baseline | undefined {
  if (isStructured(family)) return structuredBaseline(family);
  const classRows = hasClassRows(family, layout);
  const c = layout.lastAxis;
  switch (family.space) {
    case 'regression':
      return mseBaseline;
    case 'probabilities':
      if (classRows) {
        return {
          name: 'categorical cross-entropy',
          at: (t, p) => {
            const rows = p.length / c;
            const grad = new Float64Array(p.length);
            let v = 0;
            for (let i = 0; i < p.length; i++) {
              const q = clip(p[i]);
              v -= t[i] * Math.log(q);
              grad[i] = p[i] > EPS && p[i] < 1 - EPS ? -t[i] / q / rows : 0;
            }
            return { value: v / rows, grad };
          },
        };
      }
      return {
        name: 'binary cross-entropy',
        at: (t, p) => {
          const n = p.length;
          const grad = new Float64Array(n);
          let v = 0;
          for (let i = 0; i < n; i++) {
            const q = clip(p[i]);
            v -= t[i] * Math.log(q) + (1 - t[i]) * Math.log(1 - q);
            grad[i] = p[i] > EPS && p[i] < 1 - EPS ? (-t[i] / q + (1 - t[i]) / (1 - q)) / n : 0;
          }
          return { value: v / n, grad };
        },
      };
    case 'logits':
      if (classRows) {
        return {
          name: 'softmax cross-entropy on logits',
          at: (t, z) => {
            const rows = z.length / c;
            const grad = new Float64Array(z.length);
            let v = 0;
            for (let r = 0; r < rows; r++) {
              let m = -Infinity;
              for (let j = 0; j < c; j++) m = Math.max(m, z[r * c + j]);
              let sum = 0;
              for (let j = 0; j < c; j++) sum += Math.exp(z[r * c + j] - m);
              const lse = m + Math.log(sum);
              let tsum = 0;
              for (let j = 0; j < c; j++) tsum += t[r * c + j];
              for (let j = 0; j < c; j++) {
                const i = r * c + j;
                v -= t[i] * (z[i] - lse);
                grad[i] = (Math.exp(z[i] - lse) * tsum - t[i]) / rows;
              }
            }
            return { value: v / rows, grad };
          },
        };
      }
      return {
        name: 'sigmoid cross-entropy on logits',
        at: (t, z) => {
          const n = z.length;
          const grad = new Float64Array(n);
          let v = 0;
          for (let i = 0; i < n; i++) {
            v += Math.max(z[i], 0) - z[i] * t[i] + Math.log1p(Math.exp(-Math.abs(z[i])));
            grad[i] = (sigmoid(z[i]) - t[i]) / n;
          }
          return { value: v / n, grad };
        },
      };
    case 'masks':
      return {
        name: 'Dice loss with smoothing 1',
        at: (t, p) => {
          let tp = 0;
          let st = 0;
          let sp = 0;
          for (let i = 0; i < p.length; i++) { tp += t[i] * p[i]; st += t[i]; sp += p[i]; }
          const num = 2 * tp + 1;
          const den = st + sp + 1;
          const grad = new Float64Array(p.length);
          for (let i = 0; i < p.length; i++) grad[i] = -(2 * t[i] * den - num) / (den * den);
          return { value: 1 - num / den, grad };
        },
      };
  }
}

/** Baseline value and gradient norm for one input. */
export function baselineAt(baseline: Baseline, input: LossInput): { value: number; gradNorm: number } {
  const { value, grad } = baseline.at(input.target, input.pred);
  return { value, gradNorm: Math.sqrt(grad.reduce((a, g) => a + g * g, 0)) };
}

