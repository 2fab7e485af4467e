// The rule catalog: the one place a rule's facts live — code, slug, kind, default severity (and the
// variants a rule may report), how a probe settles a source rule, whether its quick fix is safe to
// apply unasked, the settings it reads, its one-line meaning. The finding constructor
// (finding.ts), the settling of source rules (analyze.ts), the CLI (SARIF, config validation), the
// language server (diagnostics, fix-all) and the rule pages (scripts/ruleDocs.ts) all read it here.
import type { GradProbeSettings } from '../config/settings';
import type { Severity } from './types';

/** meta: about the probe itself; activation/loss: a probe measured it; source: read from the code. */
export type RuleKind = 'meta' | 'activation' | 'loss' | 'source';

/**
 * A rule's quick fix: `safe` ones keep what the function means and `source.fixAll` applies them;
 * `unsafe` ones change what it means (swapping parameters, dropping an activation) and are only
 * offered one at a time; `none`: only the suppression comment is offered.
 */
export type FixSafety = 'safe' | 'unsafe' | 'none';

/** A setting a rule reads: the sweep's half-width or one of its thresholds. */
export type RuleSetting = 'range' | keyof GradProbeSettings['thresholds'];

/**
 * How a probe verdict settles a source rule. Confirmed (one of `confirmedBy` was reported for the
 * same function): `raise-to-probe-severity` takes the confirming finding's severity,
 * `keep-severity` keeps the rule's own. Refuted (the probe ran and reported none of them): dropped
 * when `refutable`, kept otherwise.
 */
export interface Settlement {
  confirmedBy: readonly string[];
  onConfirm: 'raise-to-probe-severity' | 'keep-severity';
  refutable: boolean;
}

export interface RuleMeta {
  code: string;
  slug: string;
  kind: RuleKind;
  /** The default severity. */
  severity: Severity;
  /** Named cases the rule reports at another severity (GP108: a shallow dip is an info). */
  variants?: Readonly<Record<string, Severity>>;
  settle?: Settlement;
  fix: FixSafety;
  settings?: readonly RuleSetting[];
  meaning: string;
}

const sweep = ['range'] as const;

/** The finding catalog: the one place it lives in code. */
export const ruleCatalog = [
  { code: 'GP001', slug: 'unsupported', kind: 'meta', severity: 'info', fix: 'none', meaning: 'The function was found but could not be probed; the construct that stopped the translation is named.' },
  { code: 'GP002', slug: 'probe-failed', kind: 'meta', severity: 'warning', fix: 'none', meaning: 'The probe itself failed (engine error, timeout, unreadable file).' },
  { code: 'GP101', slug: 'nan-output', kind: 'activation', severity: 'error', fix: 'none', settings: sweep, meaning: 'f(x) is NaN or ±Inf for a finite x in [-R, R].' },
  { code: 'GP102', slug: 'nan-gradient', kind: 'activation', severity: 'error', fix: 'safe', settings: sweep, meaning: "f(x) is finite but f'(x) is NaN or ±Inf (sqrt at 0, x**0.5, the where trap)." },
  { code: 'GP103', slug: 'overflow-at-extremes', kind: 'activation', severity: 'warning', fix: 'safe', settings: sweep, meaning: "f or f' is NaN/Inf only at large inputs, 50 ≤ |x| ≤ 100 (e.g. exp overflow in float32 past 88.7); a failure only beyond |x| = 100 is not reported." },
  { code: 'GP104', slug: 'vanishing-gradient', kind: 'activation', severity: 'warning', fix: 'none', settings: ['vanishingMaxSlope', 'saturatedSlope'], meaning: 'On [-3, 3] the gradient is tiny or saturated on most points: learning crawls.' },
  { code: 'GP105', slug: 'exploding-gradient', kind: 'activation', severity: 'warning', fix: 'none', settings: ['explodingMaxSlope'], meaning: "On [-3, 3], max |f'| > 10." },
  { code: 'GP106', slug: 'no-gradient', kind: 'activation', severity: 'error', fix: 'none', settings: ['range', 'noGradientShare'], meaning: "f' is 0 (or has no path) almost everywhere while f is not constant: nothing learns through it." },
  { code: 'GP107', slug: 'dead-region', kind: 'activation', severity: 'info', fix: 'none', settings: ['range', 'deadRegionShare'], meaning: "f' is exactly 0 on an interval covering ≥ 25% of [-R, R]: units can die." },
  { code: 'GP108', slug: 'non-monotonic', kind: 'activation', severity: 'warning', variants: { 'shallow-dip': 'info', 'by-design': 'info' }, fix: 'none', settings: ['range', 'dipShare'], meaning: "f' changes sign: a warning when it oscillates or dips deeply; an info for a shallow Swish-like dip, and for an even f (f(-x) = f(x)) or a periodic one (f' changes sign at regular intervals), non-monotonic by design." },
  { code: 'GP109', slug: 'depth-vanishing', kind: 'activation', severity: 'warning', fix: 'none', settings: ['depthRatio', 'depthRelative'], meaning: 'In a 16-layer stack the gradient vanishes with depth, far worse than ReLU in the same stack.' },
  { code: 'GP110', slug: 'depth-exploding', kind: 'activation', severity: 'warning', fix: 'none', settings: ['depthRatio', 'depthRelative'], meaning: 'In a 16-layer stack the gradient explodes with depth, far worse than ReLU in the same stack.' },
  { code: 'GP111', slug: 'signal-collapse', kind: 'activation', severity: 'warning', fix: 'none', settings: ['collapseVariance'], meaning: "In the depth probe the activations' variance collapses or blows up by layer 16, or a layer outputs one value." },
  { code: 'GP112', slug: 'gradient-mismatch', kind: 'activation', severity: 'error', fix: 'none', settings: ['range', 'customGradientRelError', 'customGradientShare'], meaning: 'The custom gradient disagrees with central finite differences of the forward function.' },
  { code: 'GP201', slug: 'loss-nan', kind: 'loss', severity: 'error', fix: 'safe', meaning: 'The loss is NaN/±Inf on a valid input of its family (e.g. prediction exactly 0 or 1, empty mask).' },
  { code: 'GP202', slug: 'loss-nan-gradient', kind: 'loss', severity: 'error', fix: 'safe', meaning: 'The loss is finite but ∂loss/∂y_pred has NaN/Inf entries.' },
  { code: 'GP203', slug: 'not-minimal-at-target', kind: 'loss', severity: 'error', fix: 'none', meaning: 'loss(y, y) is not a minimum: a small perturbation of y_pred inside the domain lowers it.' },
  { code: 'GP204', slug: 'unbounded-below', kind: 'loss', severity: 'error', fix: 'none', meaning: 'Moving y_pred away from y_true, inside the domain, lowers the loss without bound.' },
  { code: 'GP205', slug: 'loss-no-gradient', kind: 'loss', severity: 'error', fix: 'none', meaning: '∂loss/∂y_pred is zero or missing everywhere (round, argmax, cast, stop_gradient, .detach()).' },
  { code: 'GP206', slug: 'wrong-direction', kind: 'loss', severity: 'error', fix: 'none', meaning: 'A gradient-descent step on y_pred moves it away from y_true (or lowers the target class probability).' },
  { code: 'GP207', slug: 'argument-order', kind: 'loss', severity: 'warning', fix: 'unsafe', meaning: 'The function treats the argument its framework passes as the target as if it were the prediction.' },
  { code: 'GP208', slug: 'weak-gradient', kind: 'loss', severity: 'warning', fix: 'none', settings: ['weakGradientRatio'], meaning: "‖∂loss/∂y_pred‖ is below 1e-3 × the baseline loss's: learning will crawl." },
  { code: 'GP209', slug: 'strong-gradient', kind: 'loss', severity: 'warning', fix: 'none', settings: ['strongGradientRatio'], meaning: "‖∂loss/∂y_pred‖ is above 1e3 × the baseline loss's." },
  { code: 'GP210', slug: 'batch-scaling', kind: 'loss', severity: 'info', fix: 'none', meaning: 'The loss value scales with batch size (sum instead of mean): the learning rate then depends on it.' },
  { code: 'GP211', slug: 'double-activation', kind: 'loss', severity: 'warning', fix: 'unsafe', meaning: 'softmax/sigmoid applied to predictions that are already probabilities, or from_logits used inconsistently.' },
  { code: 'GP212', slug: 'plateau', kind: 'loss', severity: 'warning', fix: 'none', settings: ['plateauGradient', 'plateauShare'], meaning: 'Away from the target the gradient vanishes over a stretch while the loss is still above its minimum.' },
  { code: 'GP213', slug: 'multiple-minima', kind: 'loss', severity: 'info', fix: 'none', meaning: 'The loss has a local minimum other than the target: the optimiser can settle there.' },
  {
    code: 'GP301', slug: 'non-differentiable-op', kind: 'source', severity: 'warning', fix: 'none',
    settle: { confirmedBy: ['GP106', 'GP205'], onConfirm: 'raise-to-probe-severity', refutable: true },
    meaning: 'round/floor/ceil/sign/argmax/argmin/integer cast/comparison on the path from the inputs to the output.',
  },
  {
    code: 'GP302', slug: 'graph-break', kind: 'source', severity: 'warning', fix: 'none',
    // A working gradient does not refute it: a detached term can still be wrong.
    settle: { confirmedBy: ['GP106', 'GP205'], onConfirm: 'raise-to-probe-severity', refutable: false },
    meaning: '.numpy(), .item(), .detach(), NumPy on tensors, torch.no_grad() or stop_gradient inside the function.',
  },
  {
    code: 'GP303', slug: 'unguarded-domain', kind: 'source', severity: 'warning', fix: 'safe',
    settle: { confirmedBy: ['GP101', 'GP102', 'GP201', 'GP202'], onConfirm: 'raise-to-probe-severity', refutable: true },
    meaning: 'log, division, sqrt, fractional pow or reciprocal of a value that can reach 0 with no epsilon, clip or max guard.',
  },
  {
    code: 'GP304', slug: 'unguarded-exp', kind: 'source', severity: 'warning', fix: 'safe',
    settle: { confirmedBy: ['GP101', 'GP102', 'GP103', 'GP201', 'GP202'], onConfirm: 'raise-to-probe-severity', refutable: true },
    meaning: 'exp/pow of an input with no clip or log-sum-exp form.',
  },
  {
    code: 'GP305', slug: 'where-nan-trap', kind: 'source', severity: 'warning', fix: 'safe',
    settle: { confirmedBy: ['GP102', 'GP202'], onConfirm: 'raise-to-probe-severity', refutable: true },
    meaning: 'where(cond, a, b) whose untaken branch is NaN/Inf for the masked inputs: the gradient is NaN.',
  },
] as const satisfies readonly RuleMeta[];

export type RuleCode = (typeof ruleCatalog)[number]['code'];

const byCode = new Map<string, RuleMeta>(ruleCatalog.map((r) => [r.code, r]));

export function ruleFor(code: string): RuleMeta | undefined {
  return byCode.get(code);
}
