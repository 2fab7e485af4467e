// The probe panel's protocol: what the extension host and the panel's webview say to each other, and
// the panel's data as it travels (over LSP from the server, then postMessage to the webview). Both are
// JSON, so numbers that are not finite travel as strings (WireNumber). Messages are typed, each with
// an `is()` guard that checks the shape, so a receiver dispatches with `switch (true) { case X.is(m): … }`
// and ignores whatever matches none. No vscode import: the webview bundle imports this file.
import type { FunctionRef } from './commands';

// ------------------------------------------------------------------ numbers on the wire

/** A number in JSON: NaN and ±Infinity spelled out; null where nothing was measured. */
export type WireNumber = number | 'NaN' | 'Infinity' | '-Infinity' | null;

export function toWire(v: number | null | undefined): WireNumber {
  if (v === null || v === undefined) return null;
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return 'Infinity';
  if (v === -Infinity) return '-Infinity';
  return v;
}

export const toWireArray = (a: readonly (number | null | undefined)[]): WireNumber[] => a.map(toWire);

/** The number a WireNumber stands for; null (not measured) reads as NaN. */
export function fromWire(w: WireNumber | undefined): number {
  if (typeof w === 'number') return w;
  if (w === 'Infinity') return Infinity;
  if (w === '-Infinity') return -Infinity;
  return NaN;
}

// ------------------------------------------------------------------ the panel's data

export type FunctionKind = 'activation' | 'loss';
export type FindingSeverity = 'error' | 'warning' | 'info';
export type BaselineActivation = 'ReLU' | 'GELU' | 'SiLU' | 'tanh' | 'sigmoid';
export const baselineActivations: readonly BaselineActivation[] = ['ReLU', 'GELU', 'SiLU', 'tanh', 'sigmoid'];

/** What can be asked of the server beyond the report: the heavy parts come in a second request. */
export type PanelPart = 'depth' | 'training';

export interface PanelSpan { startLine: number; startCol: number; endLine: number; endCol: number }

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

export interface PanelFinding {
  code: string;
  severity: FindingSeverity;
  message: string;
  span: PanelSpan;
  cell?: number;
  evidence: { [key: string]: JsonValue };
}

/** One function of the file, for the picker. */
export interface PanelFunctionEntry {
  name: string;
  kind: FunctionKind;
  /** 0-based line of the definition (within its cell in a notebook). */
  line: number;
  cell?: number;
  summary: string;
}

export interface PanelFunction extends PanelFunctionEntry {
  framework: string;
  span: PanelSpan;
  nameSpan: PanelSpan;
  detectedBy: string[];
  probe: { status: 'ok' | 'unsupported' | 'failed'; ms: number; reason?: string };
}

export interface BaselineCurve { name: BaselineActivation; f: number[]; df: number[]; d2f: number[] }

export interface ActivationPanel {
  /** Half-width R of the sweep: x in [-R, R], evenly spaced. */
  range: number;
  x: number[];
  f: WireNumber[];
  df: WireNumber[];
  /** Central differences of f′ on the sweep's grid. */
  d2f: WireNumber[];
  /** False when f does not depend on x through differentiable ops. */
  gradientPath: boolean;
  /** |f′| below this (and above 0) counts as saturated (the GP104 threshold). */
  saturatedSlope: number;
  baselines: BaselineCurve[];
}

export interface DepthRun {
  label: string;
  fn: 'custom' | 'baseline';
  /** Multiplier of the default init's weight standard deviation (1 = default). */
  gain: number;
  /** Per layer, 1…layers. */
  gradNorms: WireNumber[];
  variances: WireNumber[];
}

export interface DepthPanel {
  layers: number;
  width: number;
  batch: number;
  init: string;
  /** χ₁ at the default init and at the suggested gain (mean-field). */
  chi1: WireNumber;
  chi1AtGain: WireNumber;
  /** The weight gain that makes χ = 1 (the probe's suggestion). */
  gain: WireNumber;
  gradientRatio: WireNumber;
  reluRatio: WireNumber;
  baseline: BaselineActivation;
  baselineGain: number;
  runs: DepthRun[];
}

export interface LossSlicePanel {
  label: string;
  /** Slice coordinate; the target is at 0. */
  t: number[];
  loss: WireNumber[];
  gradNorm: WireNumber[];
  baselineLoss: WireNumber[];
  baselineGradNorm: WireNumber[];
}

export interface LossBoundaryCase { label: string; loss: WireNumber; gradNorm: WireNumber }

export interface LossPanel {
  family: string;
  mapping: string;
  layout: string;
  baseline: string;
  slices: LossSlicePanel[];
  boundary: LossBoundaryCase[];
  /** A 2-D landscape, when the core provides one. */
  grid?: { label: string; x: number[]; y: number[]; loss: WireNumber[][] };
}

export interface TrainingRunPanel {
  label: string;
  step: number[];
  train: WireNumber[];
  validation: WireNumber[];
  final: { train: WireNumber; validation: WireNumber };
  diverged: boolean;
}

export interface TrainingPanel {
  task: string;
  metric: 'mse' | 'accuracy';
  steps: number;
  custom: TrainingRunPanel;
  baseline: TrainingRunPanel;
  verdict: 'ok' | 'worse' | 'diverged';
  note: string;
  ms: number;
}

export interface PanelData {
  /** The document (or notebook cell) the function is in: where "go to source" goes. */
  uri: string;
  /** The file as the user knows it (a path). */
  file: string;
  fn: PanelFunction;
  functions: PanelFunctionEntry[];
  findings: PanelFinding[];
  activation?: ActivationPanel;
  depth?: DepthPanel;
  loss?: LossPanel;
  training?: TrainingPanel;
  /** Parts asked for and still being computed. */
  pending: PanelPart[];
  /** Parts that could not be computed, with why. */
  errors: { part: string; message: string }[];
  /** How long the server took for this answer. */
  ms: number;
}

// ------------------------------------------------------------------ messages

export interface IpcMessage<Params> { method: string; params: Params }

type Check<P> = (p: unknown) => p is P;

/** One message kind: its method and a guard for its params. `Direction` says which way it travels. */
abstract class IpcCall<Params> {
  constructor(readonly method: string, private readonly check: Check<Params>) {}

  is(msg: unknown): msg is IpcMessage<Params> {
    return isRecord(msg) && msg.method === this.method && this.check(msg.params);
  }

  message(params: Params): IpcMessage<Params> {
    return { method: this.method, params };
  }
}

/** webview → host */
export class IpcCommand<Params> extends IpcCall<Params> {
  readonly direction = 'webview → host';
}

/** host → webview */
export class IpcNotification<Params> extends IpcCall<Params> {
  readonly direction = 'host → webview';
}

// Guards for the shapes that travel.
export const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isString = (v: unknown): v is string => typeof v === 'string';
const isFiniteNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isLine = (v: unknown): v is number => isFiniteNumber(v) && Number.isInteger(v) && v >= 0;
const optional = <T>(v: unknown, check: (x: unknown) => x is T): boolean => v === undefined || check(v);

export const isPanelSpan = (v: unknown): v is PanelSpan => isRecord(v) && isLine(v.startLine) && isLine(v.startCol) && isLine(v.endLine) && isLine(v.endCol);

export function isFunctionRef(v: unknown): v is FunctionRef {
  return isRecord(v) && isString(v.uri) && isString(v.name) && isLine(v.line);
}

/** The panel's data: the outline checked (what the panel dereferences before drawing). */
export function isPanelData(v: unknown): v is PanelData {
  if (!isRecord(v) || !isString(v.uri) || !isString(v.file) || !isRecord(v.fn) || !Array.isArray(v.functions) || !Array.isArray(v.findings) || !Array.isArray(v.pending) || !Array.isArray(v.errors)) return false;
  const fn = v.fn;
  if (!isString(fn.name) || (fn.kind !== 'activation' && fn.kind !== 'loss') || !isLine(fn.line) || !isPanelSpan(fn.span) || !isPanelSpan(fn.nameSpan)) return false;
  if (v.activation !== undefined && !(isRecord(v.activation) && Array.isArray(v.activation.x) && Array.isArray(v.activation.f) && Array.isArray(v.activation.df) && Array.isArray(v.activation.d2f) && Array.isArray(v.activation.baselines))) return false;
  if (v.depth !== undefined && !(isRecord(v.depth) && Array.isArray(v.depth.runs))) return false;
  if (v.loss !== undefined && !(isRecord(v.loss) && Array.isArray(v.loss.slices) && Array.isArray(v.loss.boundary))) return false;
  if (v.training !== undefined && !(isRecord(v.training) && isRecord(v.training.custom) && isRecord(v.training.baseline))) return false;
  return v.findings.every((f) => isRecord(f) && isString(f.code) && isString(f.message) && isPanelSpan(f.span));
}

export type PanelStatus = 'loading' | 'ready' | 'empty' | 'error';

export interface PanelStateParams {
  status: PanelStatus;
  /** Shown when there is nothing to draw (empty, error) and while loading. */
  message?: string;
  /** A probe or a panel-data request is running. */
  busy: boolean;
  data?: PanelData;
}

/** host → webview: everything the panel shows; sent on `ready`, on every change, and after re-probes. */
export const DidChangeStateNotification = new IpcNotification<PanelStateParams>('panel/didChangeState', (p): p is PanelStateParams =>
  isRecord(p) && ['loading', 'ready', 'empty', 'error'].includes(p.status as string) && typeof p.busy === 'boolean'
  && optional(p.message, isString) && optional(p.data, isPanelData));

/** webview → host: the page has loaded and listens; the host answers with the state. */
export const ReadyCommand = new IpcCommand<Record<string, never>>('panel/ready', (p): p is Record<string, never> => isRecord(p));

export interface SelectFunctionParams { name: string; line: number }
/** webview → host: the function picker chose another function of the file. */
export const SelectFunctionCommand = new IpcCommand<SelectFunctionParams>('panel/selectFunction', (p): p is SelectFunctionParams =>
  isRecord(p) && isString(p.name) && p.name.length > 0 && p.name.length < 500 && isLine(p.line));

export interface ReprobeParams { range?: number }
/** webview → host: probe the file again (at another sweep half-width when `range` is set). */
export const ReprobeCommand = new IpcCommand<ReprobeParams>('panel/reprobe', (p): p is ReprobeParams =>
  isRecord(p) && (p.range === undefined || (isFiniteNumber(p.range) && p.range > 0 && p.range <= 1e4)));

export interface GoToSourceParams { span: PanelSpan; cell?: number }
/** webview → host: reveal a finding's (or the function's) source. */
export const GoToSourceCommand = new IpcCommand<GoToSourceParams>('panel/goToSource', (p): p is GoToSourceParams =>
  isRecord(p) && isPanelSpan(p.span) && optional(p.cell, isLine));

export interface ExportParams { format: 'png' | 'csv'; fileName: string; /** base64 for png, text for csv */ content: string }
/** webview → host: save the current view's plots (PNG) or data (CSV). */
export const ExportCommand = new IpcCommand<ExportParams>('panel/export', (p): p is ExportParams =>
  isRecord(p) && (p.format === 'png' || p.format === 'csv') && isString(p.fileName) && /^[\w.-]{1,120}$/.test(p.fileName) && isString(p.content) && p.content.length < 50_000_000);

export interface CopyParams { text: string }
/** webview → host: put text (the panel's data as JSON) on the clipboard. */
export const CopyCommand = new IpcCommand<CopyParams>('panel/copy', (p): p is CopyParams => isRecord(p) && isString(p.text) && p.text.length < 50_000_000);

export interface DidDrawParams { view: string; sinceStartMs: number; sinceDataMs: number }
/** webview → host: the first plot after new data is on screen (for the log's timings). */
export const DidDrawCommand = new IpcCommand<DidDrawParams>('panel/didDraw', (p): p is DidDrawParams =>
  isRecord(p) && isString(p.view) && isFiniteNumber(p.sinceStartMs) && isFiniteNumber(p.sinceDataMs));

/** What the webview keeps with getState/setState, and the serializer revives the panel from. */
export interface PanelViewState {
  ref?: FunctionRef;
  view?: string;
  range?: number;
  baselines?: BaselineActivation[];
  logSlope?: boolean;
  slice?: number;
  logGrad?: boolean;
}

export function isPanelViewState(v: unknown): v is PanelViewState {
  return isRecord(v) && optional(v.ref, isFunctionRef) && optional(v.view, isString) && optional(v.range, isFiniteNumber)
    && (v.baselines === undefined || (Array.isArray(v.baselines) && v.baselines.every((b) => baselineActivations.includes(b as BaselineActivation))))
    && (v.logSlope === undefined || typeof v.logSlope === 'boolean') && (v.logGrad === undefined || typeof v.logGrad === 'boolean') && optional(v.slice, isLine);
}
