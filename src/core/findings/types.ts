// What every shell shows: a finding with its code, severity, range and evidence, and a per-function
// report. Computed once in core; the CLI, the language server and the panel only present it.
import type { Span } from '../ir/ir';

export type Severity = 'error' | 'warning' | 'info';

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
  /** Plain arrays for the panel and hovers (sweeps, depth curves, loss slices). */
  data?: Record<string, unknown>;
  training?: unknown;
}

export interface FileReport {
  /** As given to the analysis (the CLI makes it relative to the working directory). */
  path: string;
  functions: FunctionReport[];
  /** All findings of the file, including file-level ones. */
  findings: Finding[];
}

export const severityRank: Record<Severity, number> = { error: 3, warning: 2, info: 1 };
