// The finding catalog of spec/rules.md: codes, slugs, default severities and meanings. The one place
// it lives in code; the CLI (SARIF rules, config validation) and the language server (diagnostic
// codes, rule links) both read it from here.
import type { Severity } from './types';

export interface RuleMeta {
  code: string;
  slug: string;
  /** GP108 is reported as a warning or an info depending on the dip; its default here is the higher. */
  severity: Severity;
  meaning: string;
}

/** The finding catalog of spec/rules.md: the one place it lives in code. */
export const ruleCatalog = [
  { code: 'GP001', slug: 'unsupported', severity: 'info', meaning: 'The function was found but could not be probed; the construct that stopped the translation is named.' },
  { code: 'GP002', slug: 'probe-failed', severity: 'warning', meaning: 'The probe itself failed (engine error, timeout, unreadable file).' },
  { code: 'GP101', slug: 'nan-output', severity: 'error', meaning: 'f(x) is NaN or ±Inf for a finite x in [-R, R].' },
  { code: 'GP102', slug: 'nan-gradient', severity: 'error', meaning: "f(x) is finite but f'(x) is NaN or ±Inf (sqrt at 0, x**0.5, the where trap)." },
  { code: 'GP103', slug: 'overflow-at-extremes', severity: 'warning', meaning: "f or f' is NaN/Inf only at |x| ≥ 50 (e.g. exp overflow in float32)." },
  { code: 'GP104', slug: 'vanishing-gradient', severity: 'warning', meaning: "On [-3, 3] the gradient is tiny or saturated on most points: learning crawls." },
  { code: 'GP105', slug: 'exploding-gradient', severity: 'warning', meaning: "On [-3, 3], max |f'| > 10." },
  { code: 'GP106', slug: 'no-gradient', severity: 'error', meaning: "f' is 0 (or has no path) almost everywhere while f is not constant: nothing learns through it." },
  { code: 'GP107', slug: 'dead-region', severity: 'info', meaning: "f' is exactly 0 on an interval covering ≥ 25% of [-R, R]: units can die." },
  { code: 'GP108', slug: 'non-monotonic', severity: 'warning', meaning: "f' changes sign: a warning when it oscillates or dips deeply, an info for a shallow Swish-like dip." },
  { code: 'GP109', slug: 'depth-vanishing', severity: 'warning', meaning: 'In a 16-layer stack the gradient vanishes with depth, far worse than ReLU in the same stack.' },
  { code: 'GP110', slug: 'depth-exploding', severity: 'warning', meaning: 'In a 16-layer stack the gradient explodes with depth, far worse than ReLU in the same stack.' },
  { code: 'GP111', slug: 'signal-collapse', severity: 'warning', meaning: "In the depth probe the activations' variance collapses or blows up by layer 16, or a layer outputs one value." },
  { code: 'GP112', slug: 'gradient-mismatch', severity: 'error', meaning: 'The custom gradient disagrees with central finite differences of the forward function.' },
  { code: 'GP201', slug: 'loss-nan', severity: 'error', meaning: 'The loss is NaN/±Inf on a valid input of its family (e.g. prediction exactly 0 or 1, empty mask).' },
  { code: 'GP202', slug: 'loss-nan-gradient', severity: 'error', meaning: 'The loss is finite but ∂loss/∂y_pred has NaN/Inf entries.' },
  { code: 'GP203', slug: 'not-minimal-at-target', severity: 'error', meaning: 'loss(y, y) is not a minimum: a small perturbation of y_pred inside the domain lowers it.' },
  { code: 'GP204', slug: 'unbounded-below', severity: 'error', meaning: 'Moving y_pred away from y_true, inside the domain, lowers the loss without bound.' },
  { code: 'GP205', slug: 'loss-no-gradient', severity: 'error', meaning: '∂loss/∂y_pred is zero or missing everywhere (round, argmax, cast, stop_gradient, .detach()).' },
  { code: 'GP206', slug: 'wrong-direction', severity: 'error', meaning: 'A gradient-descent step on y_pred moves it away from y_true (or lowers the target class probability).' },
  { code: 'GP207', slug: 'argument-order', severity: 'warning', meaning: 'The function treats the argument its framework passes as the target as if it were the prediction.' },
  { code: 'GP208', slug: 'weak-gradient', severity: 'warning', meaning: "‖∂loss/∂y_pred‖ is below 1e-3 × the baseline loss's: learning will crawl." },
  { code: 'GP209', slug: 'strong-gradient', severity: 'warning', meaning: "‖∂loss/∂y_pred‖ is above 1e3 × the baseline loss's." },
  { code: 'GP210', slug: 'batch-scaling', severity: 'info', meaning: 'The loss value scales with batch size (sum instead of mean): the learning rate then depends on it.' },
  { code: 'GP211', slug: 'double-activation', severity: 'warning', meaning: 'softmax/sigmoid applied to predictions that are already probabilities, or from_logits used inconsistently.' },
  { code: 'GP212', slug: 'plateau', severity: 'warning', meaning: 'Away from the target the gradient vanishes over a stretch while the loss is still above its minimum.' },
  { code: 'GP213', slug: 'multiple-minima', severity: 'info', meaning: 'The loss has a local minimum other than the target: the optimiser can settle there.' },
  { code: 'GP301', slug: 'non-differentiable-op', severity: 'warning', meaning: 'round/floor/ceil/sign/argmax/argmin/integer cast/comparison on the path from the inputs to the output.' },
  { code: 'GP302', slug: 'graph-break', severity: 'warning', meaning: '.numpy(), .item(), .detach(), NumPy on tensors, torch.no_grad() or stop_gradient inside the function.' },
  { code: 'GP303', slug: 'unguarded-domain', severity: 'warning', meaning: 'log, division, sqrt, fractional pow or reciprocal of a value that can reach 0 with no epsilon, clip or max guard.' },
  { code: 'GP304', slug: 'unguarded-exp', severity: 'warning', meaning: 'exp/pow of an input with no clip or log-sum-exp form.' },
  { code: 'GP305', slug: 'where-nan-trap', severity: 'warning', meaning: 'where(cond, a, b) whose untaken branch is NaN/Inf for the masked inputs: the gradient is NaN.' },
] as const satisfies readonly RuleMeta[];

export type RuleCode = (typeof ruleCatalog)[number]['code'];

export function ruleFor(code: string): RuleMeta | undefined {
  return ruleCatalog.find((r) => r.code === code);
}
