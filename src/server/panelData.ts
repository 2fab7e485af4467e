// The core's panel result in the panel protocol's shape (src/shared/panelMessages.ts): JSON-safe
// numbers, the report's loss slices, the picker's list of the file's functions. Runs where the core
// ran (the probe worker, or the UI test's harness builder).
import type { FunctionPanelResult } from '../core/panel';
import type { Finding, FunctionReport } from '../core/findings/types';
import type { TrainingRun } from '../core/probe/training';
import {
  toWire, toWireArray, type JsonValue, type LossPanel, type LossSlicePanel, type PanelData, type PanelFinding, type PanelFunctionEntry, type PanelPart,
  type TrainingRunPanel,
} from '../shared/panelMessages';

/** Evidence as JSON: non-finite numbers spelled out, anything else that JSON cannot carry as a string. */
export function jsonSafe(v: unknown, depth = 0): JsonValue {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number') return Number.isFinite(v) ? v : String(v);
  if (typeof v === 'string' || typeof v === 'boolean') return v;
  if (depth > 6) return '…';
  if (Array.isArray(v)) return v.slice(0, 200).map((x) => jsonSafe(x, depth + 1));
  if (ArrayBuffer.isView(v)) return Array.from(v as unknown as ArrayLike<number>).slice(0, 200).map((x) => jsonSafe(x, depth + 1));
  if (typeof v === 'object') {
    const out: { [key: string]: JsonValue } = {};
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) if (x !== undefined) out[k] = jsonSafe(x, depth + 1);
    return out;
  }
  return String(v);
}

const panelFinding = (f: Finding): PanelFinding => ({
  code: f.code, severity: f.severity, message: f.message, span: f.span, ...(f.cell !== undefined ? { cell: f.cell } : {}),
  evidence: jsonSafe(f.evidence) as { [key: string]: JsonValue },
});

const entry = (f: FunctionReport): PanelFunctionEntry => ({ name: f.name, kind: f.kind, line: f.span.startLine, ...(f.cell !== undefined ? { cell: f.cell } : {}), summary: f.summary });

function lossPanel(report: FunctionReport, r: FunctionPanelResult): LossPanel | undefined {
  const data = report.data;
  if (data?.kind !== 'loss') return undefined;
  const slices: LossSlicePanel[] = data.slices.map((s) => ({
    label: s.label,
    t: s.t,
    loss: toWireArray(s.loss),
    gradNorm: toWireArray(s.gradNorm),
    baselineLoss: toWireArray(s.baselineLoss),
    baselineGradNorm: toWireArray(s.baselineGradNorm),
  }));
  const grid = data.grid;
  return {
    family: data.family,
    mapping: data.mapping,
    layout: data.layout || (r.boundary?.layout ?? ''),
    baseline: data.baseline,
    slices,
    boundary: (r.boundary?.cases ?? []).map((c) => ({ label: c.label, loss: toWire(c.loss), gradNorm: toWire(c.gradNorm) })),
    ...(grid ? { grid: { label: grid.label, x: grid.x, y: grid.y, loss: grid.loss.map((row) => toWireArray(row)) } } : {}),
  };
}

const trainingRun = (run: TrainingRun): TrainingRunPanel => ({
  label: run.label, step: run.curve.step, train: toWireArray(run.curve.train), validation: toWireArray(run.curve.validation),
  final: { train: toWire(run.final.train), validation: toWire(run.final.validation) }, diverged: run.diverged,
});

export interface PanelDataOptions {
  /** The document (or cell) URI the function is in. */
  uri: string;
  /** The file as shown to the user. */
  file: string;
  /** GP104's threshold: the saturated band the activation view shades. */
  saturatedSlope: number;
  /** Parts the caller will ask for next (shown as "computing…"). */
  pending: PanelPart[];
}

export function toPanelData(r: FunctionPanelResult, o: PanelDataOptions): PanelData {
  const fn = r.report;
  const data: PanelData = {
    uri: o.uri,
    file: o.file,
    fn: { ...entry(fn), framework: fn.framework, span: fn.span, nameSpan: fn.nameSpan, detectedBy: fn.detectedBy, probe: fn.probe },
    functions: r.file.functions.map(entry),
    findings: fn.findings.map(panelFinding),
    pending: o.pending.filter((p) => (p === 'depth' ? fn.kind === 'activation' && fn.probe.status === 'ok' : fn.probe.status === 'ok') && !(p === 'training' && r.training)),
    errors: r.errors.map((e) => ({ ...e })),
    ms: Math.round(r.ms),
  };
  if (r.curves) {
    data.activation = {
      range: r.range, x: r.curves.x, f: toWireArray(r.curves.f), df: toWireArray(r.curves.df), d2f: toWireArray(r.curves.d2f),
      gradientPath: r.curves.gradientPath, saturatedSlope: o.saturatedSlope, baselines: r.curves.baselines,
    };
  }
  if (r.depth) {
    const d = r.depth;
    data.depth = {
      layers: d.layers, width: d.width, batch: d.batch, init: d.init, chi1: toWire(d.chi1), chi1AtGain: toWire(d.chi1AtGain), gain: toWire(d.gain),
      gradientRatio: toWire(d.gradientRatio), reluRatio: toWire(d.reluRatio), baseline: d.baseline, baselineGain: d.baselineGain,
      runs: d.runs.map((run) => ({ label: run.label, fn: run.fn, gain: run.gain, gradNorms: toWireArray(run.gradNorms), variances: toWireArray(run.variances) })),
    };
  }
  const loss = lossPanel(fn, r);
  if (loss) data.loss = loss;
  if (r.training) {
    const t = r.training;
    data.training = { task: t.task, metric: t.metric, steps: t.steps, custom: trainingRun(t.custom), baseline: trainingRun(t.baseline), verdict: t.verdict, note: t.note, ms: t.ms };
  }
  return data;
}
