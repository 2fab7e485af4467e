// The valid inputs of the structured loss families: pair distances with 0/1 pair labels,
// embeddings (with 1-D integer labels or as two views), boxes, images, and segmentation masks
// one-hot over a channel axis. Per family: the layouts tried, typical and boundary cases, slices
// from the target outwards, and the standard loss the gradient scale is compared with. Every input
// stays inside its family's domain (distances ≥ 0, x1 < x2 and y1 < y2, intensities and masks in
// [0, 1], labels as integers). Fixed seeds: the same loss always gets the same inputs.
import type { LossFamily } from './lossFamily';
import type { Baseline, CaseKind, LossCase, LossLayout, Names, SliceSpec } from './lossInputs';

/** mulberry32: small, fast, and the same on every platform. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function normal(rand: () => number): number {
  const u = Math.max(rand(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
}

export const size = (shape: number[]): number => shape.reduce((a, b) => a * b, 1);
const linspace = (a: number, b: number, n: number): number[] => Array.from({ length: n }, (_, i) => a + ((b - a) * i) / (n - 1));
const clamp01 = (x: number): number => Math.min(Math.max(x, 0), 1);

/** The families whose inputs this file makes (the others are lossInputs.ts's). */
export function isStructured(family: LossFamily): boolean {
  return family.space === 'pairs' || family.space === 'embeddings' || family.space === 'boxes' || family.space === 'images';
}

// ---------------------------------------------------------------- layouts

const PAIRS = 16;
const EMBEDDINGS = 8;
const DIM = 16;

export function structuredLayouts(family: LossFamily): LossLayout[] {
  switch (family.space) {
    case 'pairs':
      return [
        { predShape: [PAIRS], targetShape: [PAIRS], lastAxis: 1, describe: `pair distances ${PAIRS} (≥ 0), pair labels ${PAIRS} (${family.similarLabel} = similar)` },
        { predShape: [PAIRS, 1], targetShape: [PAIRS, 1], lastAxis: 1, describe: `pair distances ${PAIRS}×1 (≥ 0), pair labels ${PAIRS}×1 (${family.similarLabel} = similar)` },
      ];
    case 'embeddings':
      if (family.views === 'two-views') return [{ predShape: [EMBEDDINGS, DIM], targetShape: [EMBEDDINGS, DIM], lastAxis: DIM, describe: `two views of ${EMBEDDINGS} embeddings of size ${DIM}` }];
      return [
        { predShape: [EMBEDDINGS, DIM], targetShape: [EMBEDDINGS], lastAxis: DIM, describe: `embeddings ${EMBEDDINGS}×${DIM}, integer labels ${EMBEDDINGS} (4 classes, 2 samples each)` },
        { predShape: [EMBEDDINGS, DIM], targetShape: [EMBEDDINGS, 1], lastAxis: DIM, describe: `embeddings ${EMBEDDINGS}×${DIM}, integer labels ${EMBEDDINGS}×1 (4 classes, 2 samples each)` },
      ];
    case 'boxes':
      return [
        { predShape: [8, 4], targetShape: [8, 4], lastAxis: 4, describe: `boxes 8×4 (${family.boxFormat}, pixels)` },
        { predShape: [2, 4, 4], targetShape: [2, 4, 4], lastAxis: 4, describe: `boxes 2×4×4 (batch × boxes × ${family.boxFormat}, pixels)` },
      ];
    case 'images':
      if (family.imageRank === 5) return [{ predShape: [2, 1, 8, 8, 8], targetShape: [2, 1, 8, 8, 8], lastAxis: 8, describe: 'volumes 2×1×8×8×8 (batch × channel × height × width × depth), values in [0, 1]' }];
      return [
        { predShape: [2, 1, 16, 16], targetShape: [2, 1, 16, 16], lastAxis: 16, describe: 'images 2×1×16×16 (batch × channel × height × width), values in [0, 1]' },
        { predShape: [2, 3, 16, 16], targetShape: [2, 3, 16, 16], lastAxis: 16, describe: 'images 2×3×16×16 (batch × channel × height × width), values in [0, 1]' },
      ];
    default:
      return [];
  }
}

/**
 * Small image batches for a loss whose reading did not say images but that refused every other
 * layout: 1, 2 or 3 channels (a displacement field has one channel per spatial axis), spatial sizes
 * above the 4 a finite-difference stencil needs; last, one channel at a size an 11-wide window
 * (SSIM's default Gaussian) fits in.
 */
export function imageFallbackLayouts(rank: 4 | 5): LossLayout[] {
  const shapes = rank === 5 ? [[2, 1, 6, 6, 6], [2, 3, 6, 6, 6], [2, 1, 12, 12, 12]] : [[2, 1, 6, 6], [2, 2, 6, 6], [2, 3, 6, 6], [2, 1, 16, 16]];
  return shapes.map((s) => ({
    predShape: s, targetShape: s, lastAxis: s[s.length - 1],
    describe: `${rank === 5 ? 'volumes' : 'images'} ${s.join('×')} (batch × channel × ${rank === 5 ? 'height × width × depth' : 'height × width'}), values in [0, 1]`,
  }));
}

/** Segmentation masks one-hot over the channel axis (B, C, H, W): tried first for channels-first mask losses. */
export const channelMasks: LossLayout = { predShape: [2, 3, 8, 8], targetShape: [2, 3, 8, 8], lastAxis: 8, describe: 'masks 2×3×8×8 (batch × class × height × width, one-hot over the classes)', oneHotChannels: true };

// ---------------------------------------------------------------- boxes

/** x1, y1, x2, y2 of box i in a flat array written in a format. */
function corners(v: Float32Array | number[], i: number, format: LossFamily['boxFormat']): [number, number, number, number] {
  const [a, b, c, d] = [v[4 * i], v[4 * i + 1], v[4 * i + 2], v[4 * i + 3]];
  if (format === 'xywh') return [a, b, a + c, b + d];
  if (format === 'cxcywh') return [a - c / 2, b - d / 2, a + c / 2, b + d / 2];
  return [a, b, c, d];
}

function written(x1: number, y1: number, x2: number, y2: number, format: LossFamily['boxFormat']): [number, number, number, number] {
  if (format === 'xywh') return [x1, y1, x2 - x1, y2 - y1];
  if (format === 'cxcywh') return [(x1 + x2) / 2, (y1 + y2) / 2, x2 - x1, y2 - y1];
  return [x1, y1, x2, y2];
}

function mapBoxes(v: Float32Array, format: LossFamily['boxFormat'], f: (b: [number, number, number, number], i: number) => [number, number, number, number]): Float32Array {
  const out = new Float32Array(v.length);
  for (let i = 0; i < v.length / 4; i++) out.set(written(...f(corners(v, i, format), i), format), 4 * i);
  return out;
}

function boxTargets(layout: LossLayout, format: LossFamily['boxFormat'], seed: number): Float32Array {
  const rand = seededRandom(seed);
  const out = new Float32Array(size(layout.predShape));
  for (let i = 0; i < out.length / 4; i++) {
    const x1 = 40 * rand();
    const y1 = 40 * rand();
    out.set(written(x1, y1, x1 + 8 + 16 * rand(), y1 + 8 + 16 * rand(), format), 4 * i);
  }
  return out;
}

/** Corners moved by noise relative to the box's size, kept a valid box (at least 1 pixel wide and high). */
function jitterBoxes(target: Float32Array, format: LossFamily['boxFormat'], sigma: number, seed: number): Float32Array {
  const rand = seededRandom(seed);
  return mapBoxes(target, format, ([x1, y1, x2, y2]) => {
    const w = x2 - x1;
    const h = y2 - y1;
    const a = x1 + sigma * w * normal(rand);
    const b = y1 + sigma * h * normal(rand);
    const c = Math.max(x2 + sigma * w * normal(rand), a + 1);
    const d = Math.max(y2 + sigma * h * normal(rand), b + 1);
    return [a, b, c, d];
  });
}

/** Generalised IoU of two boxes given as corners. */
function giou(p: number[], t: number[]): number {
  const [px1, py1, px2, py2] = p;
  const [tx1, ty1, tx2, ty2] = t;
  const iw = Math.max(0, Math.min(px2, tx2) - Math.max(px1, tx1));
  const ih = Math.max(0, Math.min(py2, ty2) - Math.max(py1, ty1));
  const inter = iw * ih;
  const union = (px2 - px1) * (py2 - py1) + (tx2 - tx1) * (ty2 - ty1) - inter;
  const hull = (Math.max(px2, tx2) - Math.min(px1, tx1)) * (Math.max(py2, ty2) - Math.min(py1, ty1));
  return inter / union - (hull - union) / hull;
}

function giouBaseline(format: LossFamily['boxFormat']): Baseline {
  const value = (t: Float32Array | Float64Array, p: Float32Array | Float64Array): number => {
    let v = 0;
    const n = p.length / 4;
    for (let i = 0; i < n; i++) v += 1 - giou(corners(p as Float32Array, i, format), corners(t as Float32Array, i, format));
    return v / n;
  };
  return {
    name: 'GIoU loss',
    // Central differences in float64: the baseline is a reference scale, not the probe's subject.
    at: (t, p) => {
      const q = Float64Array.from(p);
      const grad = new Float64Array(p.length);
      const h = 1e-4;
      for (let i = 0; i < q.length; i++) {
        const x = q[i];
        q[i] = x + h;
        const up = value(t, q);
        q[i] = x - h;
        const down = value(t, q);
        q[i] = x;
        grad[i] = (up - down) / (2 * h);
      }
      return { value: value(t, p), grad };
    },
  };
}

// ---------------------------------------------------------------- images and channel masks

/** Smooth images in [0.1, 0.9]: a few Gaussian blobs per channel on a background level. */
function smoothImages(layout: LossLayout, seed: number): Float32Array {
  const rand = seededRandom(seed);
  const [b, c, ...spatial] = layout.predShape;
  const per = size(spatial);
  const out = new Float32Array(size(layout.predShape));
  for (let n = 0; n < b * c; n++) {
    const blobs = Array.from({ length: 3 }, () => ({ at: spatial.map((s) => s * rand()), r: 1.5 + 3 * rand(), a: 0.3 + 0.4 * rand() }));
    const level = 0.1 + 0.2 * rand();
    for (let k = 0; k < per; k++) {
      let rest = k;
      const pos = spatial.map((_, j) => { const s = size(spatial.slice(j + 1)); const q = Math.floor(rest / s); rest -= q * s; return q; });
      let v = level;
      for (const blob of blobs) v += blob.a * Math.exp(-pos.reduce((acc, x, j) => acc + (x - blob.at[j]) ** 2, 0) / (2 * blob.r * blob.r));
      out[n * per + k] = Math.min(0.9, Math.max(0.1, v));
    }
  }
  return out;
}

/** Per pixel class ids of a (B, C, H, W) layout: background 0, one rectangle of each other class per sample. */
function labelMaps(layout: LossLayout, seed: number, without?: number): number[] {
  const rand = seededRandom(seed);
  const [b, c, h, w] = layout.predShape;
  const ids = new Array<number>(b * h * w).fill(0);
  for (let n = 0; n < b; n++) {
    for (let k = 1; k < c; k++) {
      if (k === without && n === 0) continue;
      const y0 = Math.floor(rand() * (h - 3));
      const x0 = Math.floor(rand() * (w - 3));
      const y1 = Math.min(h, y0 + 2 + Math.floor(rand() * 3));
      const x1 = Math.min(w, x0 + 2 + Math.floor(rand() * 3));
      for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) ids[(n * h + y) * w + x] = k;
    }
  }
  return ids;
}

function oneHotChannels(layout: LossLayout, ids: number[]): Float32Array {
  const [b, c, h, w] = layout.predShape;
  const out = new Float32Array(b * c * h * w);
  for (let n = 0; n < b; n++) for (let p = 0; p < h * w; p++) out[(n * c + ids[n * h * w + p]) * h * w + p] = 1;
  return out;
}

/** Softmax over the channel axis of noisy logits pulled towards the one-hot target. */
function channelProbabilities(layout: LossLayout, target: Float32Array, pull: number, seed: number): Float32Array {
  const rand = seededRandom(seed);
  const [b, c, h, w] = layout.predShape;
  const out = new Float32Array(target.length);
  for (let n = 0; n < b; n++) {
    for (let p = 0; p < h * w; p++) {
      const idx = Array.from({ length: c }, (_, k) => (n * c + k) * h * w + p);
      const z = idx.map((i) => 1.2 * normal(rand) + 2 * pull * target[i]);
      const m = Math.max(...z);
      const e = z.map((x) => Math.exp(x - m));
      const sum = e.reduce((a, x) => a + x, 0);
      idx.forEach((i, k) => { out[i] = Math.min(Math.max(e[k] / sum, 1e-3), 1); });
    }
  }
  return out;
}

export function channelMaskTargets(layout: LossLayout, seed: number): Float32Array {
  return oneHotChannels(layout, labelMaps(layout, seed));
}

export function channelMaskPrediction(layout: LossLayout, target: Float32Array, level: number, seed: number): Float32Array {
  return channelProbabilities(layout, target, [1.5, 0.5, -0.5][level] ?? 0, seed);
}

/** Mean squared error: the baseline of regression and of images. */
export const mseBaseline: Baseline = {
  name: 'MSE',
  at: (t, p) => {
    const n = p.length;
    const grad = new Float64Array(n);
    let v = 0;
    for (let i = 0; i < n; i++) { const d = p[i] - t[i]; v += d * d; grad[i] = (2 * d) / n; }
    return { value: v / n, grad };
  },
};

/** Boundary cases of one-hot channel masks: a class absent from a sample, a sample of background only. */
export function channelMaskCases(layout: LossLayout, names: Names): LossCase[] {
  const { pred: p, target: t } = names;
  const [, c, h, w] = layout.predShape;
  const absent = oneHotChannels(layout, labelMaps(layout, 12, c - 1));
  const background = oneHotChannels(layout, new Array<number>(layout.predShape[0] * h * w).fill(0));
  return [
    { kind: 'class-absent', label: `when class ${c - 1} is absent from a sample of ${t} and not predicted (an empty mask predicted empty)`, target: absent, pred: absent.slice() },
    { kind: 'empty-empty', label: `when ${t} is background only and ${p} predicts it exactly (every other class mask empty)`, target: background, pred: background.slice() },
  ];
}

// ---------------------------------------------------------------- pairs and embeddings

function pairDistances(family: LossFamily, target: Float32Array, level: number, seed: number): Float32Array {
  const rand = seededRandom(seed);
  const m = family.margin;
  // Similar pairs close and dissimilar ones beyond the margin when right; the reverse when wrong.
  const right = [[0.05, 0.4], [1.1, 2]];
  const mixed = [[0.2, 1], [0.3, 1.3]];
  const wrong = [[0.8, 2], [0.05, 0.6]];
  const ranges = [right, mixed, wrong][level] ?? mixed;
  return target.map((y) => {
    const [lo, hi] = ranges[y === family.similarLabel ? 0 : 1];
    return m * (lo + (hi - lo) * rand());
  });
}

function classCentres(seed: number): number[][] {
  const rand = seededRandom(seed);
  return Array.from({ length: 4 }, () => Array.from({ length: DIM }, () => normal(rand)));
}

function embeddingLabels(seed: number): Float32Array {
  const rand = seededRandom(seed);
  const labels = [0, 0, 1, 1, 2, 2, 3, 3];
  for (let i = labels.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [labels[i], labels[j]] = [labels[j], labels[i]];
  }
  return Float32Array.from(labels);
}

function noisy(base: (i: number) => number, n: number, sigma: number, seed: number): Float32Array {
  const rand = seededRandom(seed);
  return Float32Array.from({ length: n }, (_, i) => base(i) + sigma * normal(rand));
}

// ---------------------------------------------------------------- cases

export function structuredTargets(family: LossFamily, layout: LossLayout, seed: number): Float32Array {
  const rand = seededRandom(seed);
  switch (family.space) {
    case 'pairs': return Float32Array.from({ length: size(layout.targetShape) }, (_, i) => (i + Math.floor(rand() * 2)) % 2);
    case 'embeddings':
      if (family.views === 'labels') return embeddingLabels(seed);
      return noisy(() => 0, size(layout.targetShape), 1, seed);
    case 'boxes': return boxTargets(layout, family.boxFormat, seed);
    case 'images': return smoothImages(layout, seed);
    default: return new Float32Array(size(layout.targetShape));
  }
}

export function structuredPrediction(family: LossFamily, layout: LossLayout, target: Float32Array, level: number, seed: number): Float32Array {
  const sigma = [0.3, 0.8, 2][level] ?? 1;
  switch (family.space) {
    case 'pairs': return pairDistances(family, target, level, seed);
    case 'embeddings': {
      if (family.views === 'two-views') return noisy((i) => target[i], target.length, [0.1, 0.5, 1.5][level] ?? 0.5, seed);
      const centres = classCentres(7);
      return noisy((i) => centres[target[Math.floor(i / DIM)]][i % DIM], size(layout.predShape), sigma, seed);
    }
    case 'boxes': return jitterBoxes(target, family.boxFormat, [0.05, 0.15, 0.3][level] ?? 0.15, seed);
    case 'images': {
      const rand = seededRandom(seed);
      const s = [0.03, 0.1, 0.25][level] ?? 0.1;
      return target.map((x) => clamp01(x + s * normal(rand)));
    }
    default: return target.slice();
  }
}

export function structuredBoundary(family: LossFamily, layout: LossLayout, base: LossCase, names: Names): LossCase[] {
  const { pred: p, target: t } = names;
  const out: LossCase[] = [];
  const add = (kind: CaseKind, label: string, target: Float32Array, pred: Float32Array): void => { out.push({ kind, label, target, pred }); };
  switch (family.space) {
    case 'pairs': {
      const m = family.margin;
      const similar = (y: number): boolean => y === family.similarLabel;
      add('perfect', `at perfect distances (0 for similar pairs, ${2 * m} for dissimilar ones)`, base.target, base.target.map((y) => (similar(y) ? 0 : 2 * m)));
      add('zero-all', `when every distance in ${p} is exactly 0`, base.target, new Float32Array(base.target.length));
      add('zero-targets', `when every pair label in ${t} is 0`, new Float32Array(base.target.length), base.pred);
      add('full-full', `when every pair label in ${t} is 1`, new Float32Array(base.target.length).fill(1), base.pred);
      break;
    }
    case 'embeddings': {
      const first = base.pred.slice(0, layout.lastAxis);
      const collapsed = base.pred.map((_, i) => first[i % layout.lastAxis]);
      if (family.views === 'labels') {
        add('uniform', `when every embedding in ${p} is the same vector (collapsed)`, base.target, collapsed);
        add('zero-targets', `when every label in ${t} is 0 (one class in the batch)`, new Float32Array(base.target.length), base.pred);
      } else {
        add('perfect', `when the two views are identical (${p} == ${t})`, base.target, base.target.slice());
        add('uniform', `when every embedding of both views is the same vector (collapsed)`, collapsed, collapsed.slice());
      }
      break;
    }
    case 'boxes': {
      add('perfect', `at a perfect prediction (${p} == ${t})`, base.target, base.target.slice());
      add('exact-wrong', `when every box in ${p} is disjoint from its box in ${t}`, base.target, mapBoxes(base.target, family.boxFormat, ([x1, y1, x2, y2]) => [x2 + 4, y1, 2 * x2 - x1 + 4, y2]));
      add('large', `when every box in ${p} lies inside its box in ${t}`, base.target, mapBoxes(base.target, family.boxFormat, ([x1, y1, x2, y2]) => { const dx = 0.2 * (x2 - x1); const dy = 0.2 * (y2 - y1); return [x1 + dx, y1 + dy, x2 - dx, y2 - dy]; }));
      break;
    }
    case 'images': {
      const zeros = new Float32Array(base.target.length);
      add('perfect', `at a perfect prediction (${p} == ${t})`, base.target, base.target.slice());
      add('zero-all', `when ${t} and ${p} are black (all 0)`, zeros, zeros.slice());
      add('zero-targets', `when ${t} is black (all 0)`, zeros, base.pred);
      add('full-full', `when ${t} and ${p} are white (all 1)`, zeros.map(() => 1), zeros.map(() => 1));
      break;
    }
    default: break;
  }
  return out;
}

// ---------------------------------------------------------------- slices

export function structuredSlices(family: LossFamily, layout: LossLayout, names: Names): SliceSpec[] {
  const { pred: p, target: t } = names;
  const target = structuredTargets(family, layout, 12);
  switch (family.space) {
    case 'pairs': {
      const m = family.margin;
      const similar = (y: number): boolean => y === family.similarLabel;
      return [{
        label: `distances from right (0 for similar pairs, ${2 * m} for dissimilar; s = 0) to wrong (the reverse; s = 1)`,
        s: linspace(0, 1, 17), target,
        at: (k) => target.map((y) => (similar(y) ? 2 * m * k : 2 * m * (1 - k))),
      }];
    }
    case 'boxes':
      return [{
        label: `every box in ${p} moved from its box in ${t} (s = 0) by s box widths`,
        s: linspace(-2, 2, 17), target,
        at: (k) => mapBoxes(target, family.boxFormat, ([x1, y1, x2, y2]) => { const dx = k * (x2 - x1); const dy = 0.5 * k * (y2 - y1); return [x1 + dx, y1 + dy, x2 + dx, y2 + dy]; }),
      }];
    case 'images': {
      const other = structuredTargets(family, layout, 13);
      return [{ label: `${p} blended from ${t} (s = 0) into another image (s = 1)`, s: linspace(0, 1, 17), target, at: (k) => target.map((x, i) => (1 - k) * x + k * other[i]) }];
    }
    default: return [];
  }
}

// ---------------------------------------------------------------- baselines

export function structuredBaseline(family: LossFamily): Baseline | undefined {
  switch (family.space) {
    case 'pairs': {
      const m = family.margin;
      return {
        name: `contrastive loss with margin ${m}`,
        at: (t, d) => {
          const n = d.length;
          const grad = new Float64Array(n);
          let v = 0;
          for (let i = 0; i < n; i++) {
            if (t[i] === family.similarLabel) { v += d[i] * d[i]; grad[i] = (2 * d[i]) / n; } else {
              const h = Math.max(m - d[i], 0);
              v += h * h;
              grad[i] = (-2 * h) / n;
            }
          }
          return { value: v / n, grad };
        },
      };
    }
    case 'boxes': return giouBaseline(family.boxFormat);
    case 'images': return mseBaseline;
    default: return undefined;
  }
}

/** Keeps a probe input inside the family's domain (distances ≥ 0, intensities in [0, 1]). */
export function intoDomain(family: LossFamily, pred: Float32Array): Float32Array {
  switch (family.space) {
    case 'pairs': return pred.map((x) => Math.max(x, 0));
    case 'images': case 'masks': case 'probabilities': return pred.map(clamp01);
    default: return pred;
  }
}

/** Moves every box by a displacement (x and y per box), keeping its size: boxes stay valid however far they move. */
export function translateBoxes(family: LossFamily, target: Float32Array, shift: Float32Array): Float32Array {
  return mapBoxes(target, family.boxFormat, ([x1, y1, x2, y2], i) => [x1 + shift[2 * i], y1 + shift[2 * i + 1], x2 + shift[2 * i], y2 + shift[2 * i + 1]]);
}
