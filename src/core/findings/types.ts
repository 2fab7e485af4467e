// What every shell shows: a finding with its code, severity, range and evidence, and a per-function
// report. Computed once in core; the CLI, the language server and the panel only present it.
import type { Severity } from '../config/settings';
import type { Span } from '../ir/ir';

// Severity is a setting's value too; it is defined with the settings, below the findings.
export type { Severity };

export interface Finding {
  code: string;
  severity: Severity;
  /** The function it is about; absent for a finding about the whole file (GP002). */
  function?: string;
  message: string;
  /** 0-based, in the document's own coordinates (within the cell for notebooks). */
  span: Span;
  cell?: number;
  evidence: Record<string, unknown>;
}

export type ProbeStatus = 'ok' | 'unsupported' | 'failed';

export interface FunctionReport {
  name: string;
  kind: 'activation' | 'loss';
  framework: string;
  span: Span;
  nameSpan: Span;
  cell?: number;
  detectedBy: string[];
  probe: {
    status: ProbeStatus;
    ms: number;
    reason?: string;
    /** The arguments the probe passed beyond the inputs, by name: the value and where it came from (`typical`, `call site PATH:LINE`, …). */
    args?: Record<string, { value: unknown; source: string }>;
  };
  summary: string;
  findings: Finding[];
  /** Plain arrays for the panel and hovers: an activation's sweep and depth figures, a loss's family and slices. */
  data?: FunctionReportData;
  training?: unknown;
}

/** An activation's probe data: f and f′ on the sweep's dense grid, and the depth probe's figures. */
/** What the evaluation met, on either kind of report: branches the data decided, validation calls skipped. */
export interface EvaluationData {
  dataDependentBranches?: { line: number; construct: string; trueCount: number; falseCount: number }[];
  skippedValidations?: { line: number; call: string; reason: string }[];
}

export interface ActivationReportData extends EvaluationData {
  kind: 'activation';
  sweep: { x: number[]; f: number[]; df: number[] };
  /** Absent when there is no gradient at all (GP106): the depth probe would only repeat it. */
  depth?: {
    chi: number[];
    variances: number[];
    /** ‖∂L/∂h₁‖ / ‖∂L/∂h₁₆‖ as judged: measured on the stack where it ran, else predicted. */
    gradientRatio: number;
    reluRatio: number;
    /** The weight gain found and checked on the depth stack (gradient ratio in [0.5, 2], variance in [1e-2, 1e2]); NaN when none passes. */
    gain: number;
    init: string;
    measuredGradNorms?: number[];
  };
}

/** The loss along one slice from the target (s = 0) outwards, with the baseline loss beside it. */
export interface LossSliceData {
  label: string;
  t: number[];
  loss: (number | null)[];
  gradNorm: (number | null)[];
  baselineLoss: (number | null)[];
  baselineGradNorm: (number | null)[];
}

/** The 2-D landscape for two-output predictions (rows over y, columns over x; null where not finite or outside the domain). */
export interface LossGridData { label: string; x: number[]; y: number[]; loss: (number | null)[][] }

/** A loss's probe data: the input family and parameter mapping it was probed with, its slices and landscape. */
export interface LossReportData extends EvaluationData {
  kind: 'loss';
  family: string;
  mapping: string;
  /** The input layout probed, e.g. `8×4 (batch × features)`. */
  layout: string;
  baseline: string;
  slices: LossSliceData[];
  grid?: LossGridData;
}

export type FunctionReportData = ActivationReportData | LossReportData;

export interface FileReport {
  /** As given to the analysis (the CLI makes it relative to the working directory). */
  path: string;
  functions: FunctionReport[];
  /** All findings of the file, including file-level ones. */
  findings: Finding[];
}

export const severityRank: Record<Severity, number> = { error: 3, warning: 2, info: 1 };
