// The pipeline: documents → parse → detect → translate → probe → findings. One call serves the
// CLI, the language server and the panel; every shell shows the findings computed here.
import * as tf from '@tensorflow/tfjs-core';
import { createHash } from 'node:crypto';
import type { GradProbeSettings } from './config/settings';
import { detectFunctions, type DetectedFunction } from './detect/detect';
import { initEngine } from './engine';
import { applySuppressions } from './findings/suppression';
import type { FileReport, Finding, FunctionReport, Severity } from './findings/types';
import { DocumentError, documentFromText, parseDocument, toCellSpan, type ParsedModule } from './parse/document';
import { loadGrammars } from './parse/treeSitter';
import { formatNumber as fmt, probeActivation } from './probe/activation';
import { probeDepth } from './probe/depth';
import { probeLoss } from './probe/loss';
import { chooseLossFamily, readLossFacts, type LossFamily } from './probe/lossStatic';
import { roundingFor } from './probe/precision';
import { trainingProbe, type TrainingTask } from './probe/training';
import { sourceRuleFindings } from './rules/sourceRules';
import { withTensorScope } from './probe/tensorScope';
import { ReportCache } from './reportCache';
import { ProbeBudgetExceeded, UnsupportedConstruct, UserCodeError } from './ir/errors';
import type { Span } from './ir/ir';
import { buildProgram, createEvaluator, type ModuleSource, type Program } from './translate/translate';

export interface SourceInput {
  path: string;
  /** The text, or an error reading it (the file then gets a GP002). */
  text: string | Error;
}

export interface AnalyzeOptions {
  settings: GradProbeSettings;
  /** Loads workspace modules that imports reach outside `inputs`. */
  load?: ModuleSource['load'];
  /** Other workspace modules whose uses count for detection (the editor's open workspace). */
  context?: ParsedModule[];
  /** Checked between functions; analysis stops early when it returns true. */
  cancelled?: () => boolean;
}

/**
 * Reports carry their sweeps (~100 kB each): a long session or a workspace scan must not keep them
 * all. 250 at most, and of each function only its newest version: an edit re-probes only what it
 * changed, and undoing it re-probes that function once (see reportCache.ts).
 */
const reportCache = new ReportCache(250, 1);

/** Reports in the cache now (at most 250), for the language server's memory figures. */
export function cachedReportCount(): number {
  return reportCache.size;
}

export async function prepareEngine(backend: GradProbeSettings['backend']): Promise<void> {
  await Promise.all([loadGrammars(), initEngine(backend)]);
}

const noSpan: Span = { startLine: 0, startCol: 0, endLine: 0, endCol: 0 };

export function parseInputs(inputs: SourceInput[]): { modules: ParsedModule[]; failures: FileReport[] } {
  const modules: ParsedModule[] = [];
  const failures: FileReport[] = [];
  for (const input of inputs) {
    try {
      if (input.text instanceof Error) throw new DocumentError(input.text.message);
      modules.push(parseDocument(documentFromText(input.path, input.text)));
    } catch (err) {
      const message = err instanceof DocumentError ? err.message : `the file could not be analysed (${(err as Error).message})`;
      failures.push({ path: input.path, functions: [], findings: [{ code: 'GP002', severity: 'warning', message: `${message}; if this is a bug, report it with the file attached`, span: noSpan, evidence: { reason: message } }] });
    }
  }
  return { modules, failures };
}

export async function analyzeSources(inputs: SourceInput[], options: AnalyzeOptions): Promise<FileReport[]> {
  await prepareEngine(options.settings.backend);
  const { modules, failures } = parseInputs(inputs);
  const detected = detectFunctions(modules, { context: options.context });
  for (const m of modules) {
    const names = new Map<string, number>();
    for (const d of detected) if (d.module === m) names.set(d.name, (names.get(d.name) ?? 0) + 1);
    reportCache.fileHas(m.doc.path, names);
  }
  const source: ModuleSource = { modules: [...modules, ...(options.context ?? [])], load: options.load };
  const byPath = new Map<string, FileReport>(failures.map((f) => [f.path, f]));
  for (const m of modules) byPath.set(m.doc.path, { path: m.doc.path, functions: [], findings: [] });
  for (const target of detected) {
    if (options.cancelled?.()) break;
    const report = analyzeFunction(target, source, options.settings);
    const file = byPath.get(target.module.doc.path)!;
    file.functions.push(report);
  }
  for (const m of modules) finishFile(byPath.get(m.doc.path)!, m, options.settings);
  return inputs.map((i) => byPath.get(i.path)).filter((r): r is FileReport => !!r);
}

function finishFile(file: FileReport, module: ParsedModule, settings: GradProbeSettings): void {
  const sigs = new Map<string, Span>(file.functions.map((f) => [f.name, f.span]));
  for (const fn of file.functions) {
    let findings = applySuppressions(fn.findings, module.ir, sigs);
    findings = findings.filter((f) => (settings.select.length === 0 || settings.select.some((s) => f.code.startsWith(s))) && !settings.ignore.some((s) => f.code.startsWith(s)));
    findings = findings.map((f) => (settings.severity[f.code] ? { ...f, severity: settings.severity[f.code] } : f));
    if (module.doc.cells) {
      findings = findings.map((f) => { const m = toCellSpan(module.doc, f.span); return { ...f, span: m.span, cell: m.cell }; });
      const fnSpan = toCellSpan(module.doc, fn.span);
      fn.cell = fnSpan.cell;
      fn.span = fnSpan.span;
      fn.nameSpan = toCellSpan(module.doc, fn.nameSpan).span;
    }
    fn.findings = findings;
    file.findings.push(...findings);
  }
}

function sliceSpan(lines: string[], span: Span): string {
  if (span.startLine === span.endLine) return (lines[span.startLine] ?? '').slice(span.startCol, span.endCol);
  return [(lines[span.startLine] ?? '').slice(span.startCol), ...lines.slice(span.startLine + 1, span.endLine), (lines[span.endLine] ?? '').slice(0, span.endCol)].join('\n');
}

/**
 * What a function's report depends on: its own text, the module's imports and constants, the
 * top-level definitions it names (transitively), and imported workspace modules. An edit elsewhere
 * in the file leaves the key, and so the cached report, unchanged.
 */
function cacheKey(target: DetectedFunction, source: ModuleSource, settings: GradProbeSettings): string {
  const module = target.module;
  const lines = module.doc.text.split('\n');
  const defs = new Map<string, Span>();
  const context: string[] = [];
  for (const stmt of module.ir.body) {
    if (stmt.kind === 'function') defs.set(stmt.fn.name, stmt.fn.span);
    else if (stmt.kind === 'class') defs.set(stmt.cls.name, stmt.cls.span);
    else context.push(sliceSpan(lines, stmt.span));
  }
  const seen = new Set<string>();
  const queue = [target.name];
  const parts: string[] = [];
  while (queue.length && seen.size < 200) {
    const name = queue.shift()!;
    if (seen.has(name)) continue;
    seen.add(name);
    const span = name === target.name ? target.span : defs.get(name);
    if (!span) continue;
    const text = sliceSpan(lines, span);
    parts.push(text);
    for (const id of text.match(/[A-Za-z_$][\w$]*/g) ?? []) if (defs.has(id) && !seen.has(id)) queue.push(id);
  }
  const h = createHash('sha1');
  h.update(module.doc.path).update('\0').update(target.name).update('\0').update(target.kind).update('\0').update(target.shape);
  for (const p of [...parts, ...context]) h.update(p).update('\0');
  const imported = source.modules.filter((m) => m !== module && context.some((c) => /import/.test(c) && c.includes(m.doc.path.replace(/^.*\//, '').replace(/\.\w+$/, ''))));
  for (const m of imported) h.update(m.doc.text);
  if (target.callSite) h.update(JSON.stringify(target.callSite.args.map((a) => a.value.span)));
  h.update(JSON.stringify({ ...settings, timeBudgetMs: 0 }));
  return h.digest('hex');
}

/**
 * A cached report for the same function text, which may have moved (lines added or removed above
 * it): its positions follow the function. Undefined when a finding points outside the function (a
 * helper or a module constant, which may have moved by another amount): then it is probed again.
 */
function movedReport(cached: FunctionReport, target: DetectedFunction): FunctionReport | undefined {
  const delta = target.span.startLine - cached.span.startLine;
  if (delta === 0 && target.span.startCol === cached.span.startCol) return structuredClone(cached);
  if (target.span.startCol !== cached.span.startCol) return undefined;
  const inside = (s: Span): boolean => s.startLine >= cached.span.startLine && s.endLine <= cached.span.endLine;
  if (!cached.findings.every((f) => inside(f.span))) return undefined;
  const shift = (s: Span): Span => ({ ...s, startLine: s.startLine + delta, endLine: s.endLine + delta });
  const report = structuredClone(cached);
  report.span = target.span;
  report.nameSpan = target.nameSpan;
  report.findings = report.findings.map((f) => ({ ...f, span: shift(f.span) }));
  return report;
}

const severityOfProbe: Record<string, Severity> = {};

/** How a probe verdict settles a source rule: confirmed (raised to the probe's severity) or refuted (dropped). */
const confirmedBy: Record<string, string[]> = {
  GP301: ['GP106', 'GP205'],
  GP302: ['GP106', 'GP205'],
  GP303: ['GP101', 'GP102', 'GP201', 'GP202'],
  GP304: ['GP101', 'GP102', 'GP103', 'GP201', 'GP202'],
  GP305: ['GP102', 'GP202'],
};
/** GP302 is not refuted by a working gradient: a detached term can still be wrong. */
const refutable = new Set(['GP301', 'GP303', 'GP304', 'GP305']);

function settle(sourceFindings: Finding[], probeFindings: Finding[]): Finding[] {
  const out: Finding[] = [];
  for (const f of sourceFindings) {
    const confirming = probeFindings.find((p) => confirmedBy[f.code]?.includes(p.code));
    if (confirming) {
      const precision = confirming.evidence.precision;
      const message = typeof precision === 'string' ? `${f.message} (at ${precision} the guard no longer holds)` : f.message;
      out.push({ ...f, message, severity: confirming.severity, evidence: { ...f.evidence, confirmedBy: confirming.code } });
    }
    else if (!refutable.has(f.code)) out.push(f);
  }
  return out;
}
void severityOfProbe;

export function analyzeFunction(target: DetectedFunction, source: ModuleSource, settings: GradProbeSettings): FunctionReport {
  const key = cacheKey(target, source, settings);
  const cached = reportCache.get(key);
  if (cached) {
    const moved = movedReport(cached, target);
    if (moved) return moved;
  }
  const start = performance.now();
  const report: FunctionReport = {
    name: target.name, kind: target.kind, framework: target.framework, span: target.span, nameSpan: target.nameSpan,
    detectedBy: target.detectedBy, probe: { status: 'ok', ms: 0 }, summary: '', findings: [],
  };
  const sourceFindings = sourceRuleFindings(target);
  const fnDef = target.inner ?? target.def;
  const syntaxError = fnDef?.syntaxError ?? target.cls?.syntaxError;
  try {
    if (syntaxError) throw new UnsupportedConstruct('syntax error', syntaxError);
    const deadline = Date.now() + settings.timeBudgetMs * (settings.dtype === 'float32' ? 1 : 3) + (settings.train ? 3000 : 0);
    const probe = (finish?: (t: tf.Tensor) => tf.Tensor): ProbeOutcome => {
      const ev = createEvaluator(source, { maxSteps: 2_000_000, deadline, maxElements: 10_000_000 }, finish ? { finish } : undefined);
      return withTensorScope(() => runProbes(target, buildProgram(target, ev), settings));
    };
    const base = probe();
    let probeFindings = base.findings;
    report.summary = base.summary;
    report.data = base.data;
    const rounding = roundingFor(settings.dtype);
    if (rounding) {
      // Re-run at the emulated precision; findings found only there say so.
      const low = probe(rounding);
      const extra = low.findings.filter((f) => !base.findings.some((b) => b.code === f.code)).map((f) => ({ ...f, message: `${f.message} (only at ${settings.dtype})`, evidence: { ...f.evidence, precision: settings.dtype } }));
      probeFindings = [...probeFindings, ...extra];
      if (extra.length) report.summary += ` · ${settings.dtype}: ${extra.map((f) => f.code).join(', ')}`;
    }
    if (settings.train) {
      const ev = createEvaluator(source, { maxSteps: 20_000_000, deadline: Date.now() + 10_000, maxElements: 10_000_000 });
      // A training run that cannot start is reported with the training, not as a failed probe.
      try {
        const training = withTensorScope(() => trainingProbe(buildProgram(target, ev), trainingTaskFor(target, base.family)));
        report.training = training;
        if (training.verdict !== 'ok') report.summary += ` · training: ${training.verdict} (${training.note})`;
      } catch (err) {
        const reason = (err instanceof Error ? err.message : String(err)).split('\n')[0];
        report.training = { error: reason };
        report.summary += ' · training: could not run';
      }
    }
    report.findings = [...probeFindings, ...settle(sourceFindings, probeFindings)];
  } catch (err) {
    report.findings = sourceFindings;
    if (err instanceof UnsupportedConstruct) {
      report.probe = { status: 'unsupported', ms: 0, reason: err.message };
      report.summary = `${target.kind} · not probed: ${err.construct}`;
      report.findings.push({ code: 'GP001', severity: 'info', function: target.name, message: `${target.name} could not be translated: ${err.message}; it was not probed`, span: err.span ?? target.nameSpan, evidence: { construct: err.construct } });
    } else {
      const reason = err instanceof ProbeBudgetExceeded ? err.message
        : err instanceof UserCodeError ? `the function failed on the probe's input: ${err.message}`
        : `the engine failed: ${(err instanceof Error ? err.message : String(err)).split('\n')[0]}`;
      report.probe = { status: 'failed', ms: 0, reason };
      report.summary = `${target.kind} · probe failed`;
      report.findings.push({ code: 'GP002', severity: 'warning', function: target.name, message: `the probe of ${target.name} failed: ${reason}. If the function is valid, report this with the function's code`, span: err instanceof UserCodeError && err.span ? err.span : target.nameSpan, evidence: { reason } });
    }
  }
  report.probe.ms = Math.round((performance.now() - start) * 10) / 10;
  reportCache.set(key, { path: target.module.doc.path, name: target.name }, structuredClone(report));
  return report;
}

interface ProbeOutcome {
  findings: Finding[];
  summary: string;
  data: Record<string, unknown>;
  family?: LossFamily;
}

function runProbes(target: DetectedFunction, program: Program, settings: GradProbeSettings): ProbeOutcome {
  if (target.kind === 'activation') {
    const act = probeActivation(program, settings);
    // With no gradient at all (GP106), the depth findings only repeat it.
    const depth = act.findings.some((f) => f.code === 'GP106') ? undefined : probeDepth(program, settings, { sweep: act.sweep });
    const findings = [...act.findings, ...(depth?.findings ?? [])];
    return {
      findings,
      summary: activationSummary(act, depth, findings),
      data: {
        sweep: { x: act.sweep.x.slice(0, 2001), f: act.sweep.f.slice(0, 2001), df: act.sweep.df.slice(0, 2001) },
        depth: depth && { chi: depth.prediction.chi, variances: depth.prediction.variances, gradientRatio: depth.gradientRatio, reluRatio: depth.reluRatio, gain: depth.prediction.gain, init: depth.prediction.init.name, measuredGradNorms: depth.measured?.gradNorms },
      },
    };
  }
  const loss = probeLoss(program, settings);
  const family = chooseLossFamily(readLossFacts(target, program.mapping?.predIndex ?? 1));
  const order = argumentOrderFinding(target, program);
  if (order && !loss.findings.some((f) => f.code === 'GP207')) loss.findings.push(order);
  return { findings: loss.findings, summary: loss.summary, data: { family: loss.family, mapping: loss.mapping, ...loss.data }, family };
}

/**
 * GP207 from the signature: Keras and TF.js call a loss as (y_true, y_pred), PyTorch criteria as
 * (input, target). Parameters named the other way round get the target where they expect the
 * prediction.
 */
function argumentOrderFinding(target: DetectedFunction, program: Program): Finding | undefined {
  const convention = target.framework === 'tensorflow' || target.framework === 'tfjs' ? 1 : target.framework === 'pytorch' ? 0 : undefined;
  const mapping = program.mapping;
  const [a, b] = target.inputs;
  if (convention === undefined || !mapping || !a || !b || mapping.predIndex === convention) return undefined;
  const who = convention === 1 ? `${target.framework === 'tfjs' ? 'TF.js' : 'Keras'} calls a loss as loss(y_true, y_pred)` : 'PyTorch calls a criterion as criterion(input, target), prediction first';
  return {
    code: 'GP207', severity: 'warning', function: target.name, span: target.nameSpan,
    message: `${who}, but the parameters are named (${a}, ${b}): '${convention === 1 ? a : b}' receives the ${convention === 1 ? 'target' : 'prediction'}. Swap the parameters (the probe used the names' order, ${mapping.label})`,
    evidence: { parameters: [a, b], convention: convention === 1 ? '(y_true, y_pred)' : '(input, target)', mapping: mapping.label },
  };
}

/** The training task that fits a function: regression for activations; for a loss, its family. */
function trainingTaskFor(target: DetectedFunction, family: LossFamily | undefined): TrainingTask {
  if (target.kind === 'activation' || !family) return { task: 'regression', prediction: 'raw', labels: 'dense' };
  if (family.space === 'regression') return { task: 'regression', prediction: 'raw', labels: 'dense' };
  const task = family.arity === 'categorical' ? 'categorical' : 'binary';
  return { task, prediction: family.space === 'logits' ? 'logits' : 'probabilities', labels: family.labels };
}

function activationSummary(act: ReturnType<typeof probeActivation>, depth: ReturnType<typeof probeDepth> | undefined, findings: Finding[]): string {
  const parts = ['activation'];
  const codes = new Set(findings.map((f) => f.code));
  const nan = findings.find((f) => f.code === 'GP101' || f.code === 'GP102');
  if (nan) parts.push(`${nan.code === 'GP101' ? 'NaN' : 'NaN gradient'} at x = ${fmt((nan.evidence.x as number[])[0])}`);
  if (codes.has('GP106')) parts.push('no gradient');
  else {
    parts.push(act.stats.monotonic ? 'monotonic' : 'non-monotonic');
    parts.push(`f′ ∈ [${fmt(act.stats.dfMin)}, ${fmt(act.stats.dfMax)}]`);
  }
  if (depth && (codes.has('GP109') || codes.has('GP110'))) parts.push(`depth ratio ${fmt(depth.gradientRatio)}`);
  if (act.stats.straightThrough) parts.push('straight-through gradient');
  const worst = findings.some((f) => f.severity === 'error') ? 'error' : findings.some((f) => f.severity === 'warning') ? 'warning' : 'ok';
  parts.push(worst === 'ok' ? 'ok' : `${findings.filter((f) => f.severity !== 'info').length} problem${findings.filter((f) => f.severity !== 'info').length === 1 ? '' : 's'}`);
  return parts.join(' · ');
}
