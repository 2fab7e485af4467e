// The loss along 1-D slices from the target outwards (GP212 plateaus, GP213 other minima) and, for
// two-output predictions, the 2-D landscape the panel draws as a heatmap.
import { formatNumber as fmt } from '../findings/formatNumber';
import type { LossGridData, LossSliceData } from '../findings/types';
import { allFinite, finite, norm, report, type LossContext, type Measured } from './lossContext';
import { baselineAt, type SliceSpec } from './lossInputs';

const GRID = 15;

/**
 * For two-output predictions (last axis 2): the loss over both outputs of the first sample, the
 * others held at their targets, inside the family's domain — the panel's heatmap.
 */
export function lossGrid(ctx: LossContext, target: Float32Array): LossGridData | undefined {
  const space = ctx.family.space;
  if (ctx.layout.lastAxis !== 2 || !(space === 'regression' || space === 'probabilities' || space === 'masks' || space === 'logits')) return undefined;
  const axis = (centre: number): number[] => {
    if (space === 'probabilities' || space === 'masks') return Array.from({ length: GRID }, (_, i) => i / (GRID - 1));
    if (space === 'logits') return Array.from({ length: GRID }, (_, i) => -6 + (12 * i) / (GRID - 1));
    return Array.from({ length: GRID }, (_, i) => centre - 3 + (6 * i) / (GRID - 1));
  };
  const x = axis(target[0]);
  const y = axis(target[1]);
  // Two classes on the simplex are one free number: the 1-D slices already show it.
  if (space === 'probabilities' && ctx.family.arity === 'categorical') return undefined;
  const loss = y.map((b) => x.map((a) => {
    const pred = Float32Array.from(target);
    pred[0] = a;
    pred[1] = b;
    const v = ctx.runner.tryValue(ctx.layout, { target, pred }, 'grid point');
    return finite(v) ? v : null;
  }));
  return { label: `${ctx.names.pred}[0, 0] × ${ctx.names.pred}[0, 1] (other entries at the target)`, x, y, loss };
}

// ---------------------------------------------------------------- slices, GP212, GP213

export interface SliceRun { spec: SliceSpec; data: LossSliceData; measured: (Measured | undefined)[] }

export function runSlice(ctx: LossContext, spec: SliceSpec): SliceRun {
  const data: LossSliceData = { label: spec.label, t: spec.s, loss: [], gradNorm: [], baselineLoss: [], baselineGradNorm: [] };
  const measured: (Measured | undefined)[] = [];
  for (const s of spec.s) {
    const input = { target: spec.target, pred: spec.at(s) };
    const m = ctx.runner.tryMeasure(ctx.layout, input, `slice point s = ${fmt(s)}`);
    measured.push(m);
    const b = ctx.baseline ? baselineAt(ctx.baseline, input) : undefined;
    data.loss.push(m && finite(m.value) ? m.value : null);
    data.gradNorm.push(m && allFinite(m.grad) ? norm(m.grad) : null);
    data.baselineLoss.push(b && finite(b.value) ? b.value : null);
    data.baselineGradNorm.push(b && finite(b.gradNorm) ? b.gradNorm : null);
  }
  return { spec, data, measured };
}

/** Index runs from the target (s = 0) outwards. */
function halves(s: number[]): number[][] {
  const zero = s.reduce((best, x, i) => (Math.abs(x) < Math.abs(s[best]) ? i : best), 0);
  const out: number[][] = [];
  if (zero < s.length - 1) out.push(Array.from({ length: s.length - zero }, (_, i) => zero + i));
  if (zero > 0) out.push(Array.from({ length: zero + 1 }, (_, i) => zero - i));
  return out;
}

/**
 * GP212/GP213. The plateau threshold is scaled down with the loss's overall gradient scale (its
 * ratio to the baseline, when below 1): a loss that is uniformly tiny is GP208's, not a plateau.
 */
export function checkSlices(ctx: LossContext, runs: SliceRun[], gradientWorks: boolean, gradientRatio: number | undefined): void {
  const { plateauShare } = ctx.settings.thresholds;
  const plateauGradient = ctx.settings.thresholds.plateauGradient * Math.min(1, gradientRatio ?? 1);
  let plateauReported = false;
  let minimaReported = false;
  for (const run of runs) {
    const { data, spec } = run;
    for (const half of halves(spec.s)) {
      const loss = half.map((i) => data.loss[i]);
      const grads = half.map((i) => data.gradNorm[i]);
      if (loss.some((v) => v === null)) continue;
      const L = loss as number[];
      const lo = Math.min(...L);
      const hi = Math.max(...L);
      const tol = 1e-3 * (hi - lo) + 1e-9 * Math.abs(hi);
      if (hi - lo <= 1e-12 * Math.max(1, Math.abs(hi))) continue;
      if (!plateauReported && gradientWorks) {
        const flat = half.map((_, k) => grads[k] !== null && (grads[k] as number) < plateauGradient && L[k] > lo + tol);
        const share = flat.filter(Boolean).length / half.length;
        if (share > plateauShare) {
          const first = flat.indexOf(true);
          const s0 = spec.s[half[first]];
          report(ctx, 'GP212', `Loss plateau: along the slice "${spec.label}", ‖∂loss/∂${ctx.names.pred}‖ < ${fmt(plateauGradient)} on ${Math.round(share * 100)}% of the points from s = ${fmt(s0)} on, while the loss (${fmt(L[first])}) is still above its minimum (${fmt(lo)}): wrong predictions there get no push back (a saturated or clipped loss).`, {
            slice: spec.label, plateauStartsAt: s0, share, lossThere: L[first], minimum: lo, gradientThreshold: plateauGradient,
          });
          plateauReported = true;
        }
      }
      if (!minimaReported) {
        // An interior local minimum with a hump between it and the target: another basin.
        for (let k = 1; k < L.length - 1; k++) {
          if (!(L[k] < L[k - 1] - tol && L[k] <= L[k + 1])) continue;
          const before = Math.max(...L.slice(0, k));
          const after = Math.max(...L.slice(k + 1));
          if (before > L[0] + tol && before - L[k] > tol && after - L[k] > tol) {
            const s = spec.s[half[k]];
            report(ctx, 'GP213', `Along the slice "${spec.label}" the loss has another local minimum at s = ${fmt(s)} (loss ${fmt(L[k])}, versus ${fmt(L[0])} at the target, with a barrier of ${fmt(before)} in between): the optimiser can settle there.`, {
              slice: spec.label, at: s, lossThere: L[k], lossAtTarget: L[0], barrier: before,
            });
            minimaReported = true;
            break;
          }
        }
      }
    }
  }
}
