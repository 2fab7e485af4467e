// How `gradprobe check` prints the core's reports: text for people, JSON for scripts (the shape of
// spec/cli.md), SARIF 2.1.0 for code-scanning UIs. The findings are the core's; only the layout is here.
import type { Span } from '../core/ir/ir';
import { severityRank, type FileReport, type Finding, type FunctionReport, type Severity } from '../core/findings/types';
import type { RuleMeta } from '../core/findings/rules';
import type { FailOn } from '../core/workspace/config';
import type { NotebookLocator } from './notebookRegions';


export interface CheckSummary {
  files: number;
  functions: number;
  probed: number;
  errors: number;
  warnings: number;
  infos: number;
  /** Wall time of the whole check. */
  ms: number;
}

/** Counts for the summary line and the JSON `summary`; `probed` counts functions whose probe ran. */
export function summarize(reports: readonly FileReport[], ms: number): CheckSummary {
  const all = reports.flatMap((r) => r.findings);
  const functions = reports.flatMap((r) => r.functions);
  return {
    files: reports.length,
    functions: functions.length,
    probed: functions.filter((f) => f.probe.status === 'ok').length,
    errors: all.filter((f) => f.severity === 'error').length,
    warnings: all.filter((f) => f.severity === 'warning').length,
    infos: all.filter((f) => f.severity === 'info').length,
    ms,
  };
}

/** 1 when a finding at or above `failOn` exists. */
export function exitCodeFor(reports: readonly FileReport[], failOn: FailOn): 0 | 1 {
  if (failOn === 'never') return 0;
  const bar = severityRank[failOn];
  return reports.some((r) => r.findings.some((f) => severityRank[f.severity] >= bar)) ? 1 : 0;
}

// ---------------------------------------------------------------- text

/**
 * One finding a line, `path:line:col: severity CODE message`, 1-based as compilers print it, then
 * one summary line (left out when `summary` is undefined: --quiet). In a notebook the position is
 * within the cell and the line reads `path:cell N:line:col: ...` as Ruff prints it: N counts every
 * cell of the notebook from 1 (markdown cells too), line and column count within that cell from 1
 * (the JSON's `cell` is the 0-based index).
 */
export function formatText(reports: readonly FileReport[], summary: CheckSummary | undefined): string {
  const lines: string[] = [];
  for (const report of reports) {
    for (const f of sortFindings(report.findings)) {
      const where = `${f.cell === undefined ? '' : `cell ${f.cell + 1}:`}${f.span.startLine + 1}:${f.span.startCol + 1}`;
      lines.push(`${report.path}:${where}: ${f.severity} ${f.code} ${oneLine(f.message)}`);
    }
  }
  if (summary) lines.push(summaryLine(summary));
  return lines.length ? `${lines.join('\n')}\n` : '';
}

function summaryLine(s: CheckSummary): string {
  const count = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
  return `${count(s.files, 'file')}, ${count(s.functions, 'function')} (${s.probed} probed): `
    + `${count(s.errors, 'error')}, ${count(s.warnings, 'warning')}, ${count(s.infos, 'info')} in ${Math.round(s.ms)} ms`;
}

// ---------------------------------------------------------------- JSON

interface JsonPosition { line: number; character: number }
interface JsonRange { start: JsonPosition; end: JsonPosition }

export interface JsonFunction {
  name: string;
  kind: FunctionReport['kind'];
  framework: string;
  range: JsonRange;
  detectedBy: string[];
  probe: FunctionReport['probe'];
  summary: string;
  cell?: number;
  training?: unknown;
}

export interface JsonFinding {
  code: string;
  severity: Severity;
  function?: string;
  message: string;
  range: JsonRange;
  evidence: Record<string, unknown>;
  cell?: number;
}

export interface JsonOutput {
  tool: { name: 'gradprobe'; version: string };
  files: { path: string; functions: JsonFunction[]; findings: JsonFinding[] }[];
  summary: CheckSummary;
}

/** The JSON of spec/cli.md, positions 0-based as in LSP; every report given is listed. */
export function formatJson(reports: readonly FileReport[], summary: CheckSummary, version: string): string {
  const out: JsonOutput = {
    tool: { name: 'gradprobe', version },
    files: reports.map((r) => ({
      path: r.path,
      functions: r.functions.map(jsonFunction),
      findings: sortFindings(r.findings).map(jsonFinding),
    })),
    summary,
  };
  return `${JSON.stringify(out, jsonReplacer, 2)}\n`;
}

function jsonFunction(f: FunctionReport): JsonFunction {
  const out: JsonFunction = {
    name: f.name,
    kind: f.kind,
    framework: f.framework,
    range: lspRange(f.span),
    detectedBy: f.detectedBy,
    probe: f.probe,
    summary: f.summary,
  };
  if (f.cell !== undefined) out.cell = f.cell;
  if (f.training !== undefined) out.training = f.training;
  return out;
}

function jsonFinding(f: Finding): JsonFinding {
  // Key order as in spec/cli.md, optional keys only when present.
  return {
    code: f.code,
    severity: f.severity,
    ...(f.function !== undefined ? { function: f.function } : {}),
    message: f.message,
    range: lspRange(f.span),
    evidence: f.evidence,
    ...(f.cell !== undefined ? { cell: f.cell } : {}),
  };
}

function lspRange(span: Span): JsonRange {
  return { start: { line: span.startLine, character: span.startCol }, end: { line: span.endLine, character: span.endCol } };
}

/**
 * JSON has no NaN or Infinity (JSON.stringify writes null, hiding exactly what a finding is about):
 * they become the strings "NaN", "Infinity", "-Infinity" as `eval` writes them. Typed arrays (probe
 * data) become plain arrays, bigints numbers (or strings when too large), Maps and Sets objects and arrays.
 */
export function jsonReplacer(_key: string, value: unknown): unknown {
  if (typeof value === 'number') {
    if (Number.isNaN(value)) return 'NaN';
    if (value === Infinity) return 'Infinity';
    if (value === -Infinity) return '-Infinity';
    return value;
  }
  if (typeof value === 'bigint') {
    return value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(value) : value.toString();
  }
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) return Array.from(value as unknown as ArrayLike<number>);
  if (value instanceof Map) return Object.fromEntries(value);
  if (value instanceof Set) return [...value];
  return value;
}

// ---------------------------------------------------------------- SARIF

const sarifSchema = 'https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json';
export const informationUri = 'https://gradprobe.dev';

export type SarifLevel = 'error' | 'warning' | 'note';

export function sarifLevel(severity: Severity): SarifLevel {
  return severity === 'info' ? 'note' : severity;
}

export interface SarifOptions {
  /** The locator of a notebook's cells within its .ipynb text (undefined for other files). */
  locate?: (path: string) => NotebookLocator | undefined;
}

/**
 * SARIF 2.1.0, one run. Regions are 1-based with an exclusive end column, which is what the
 * 0-based LSP end maps to; columns count UTF-16 code units as LSP does. `rulesMeta` is the catalog,
 * with any configured severities already applied, so `defaultConfiguration.level` says what this
 * run reports a code as.
 *
 * Notebooks: SARIF has no cells, and a code-scanning UI shows the artifact's own lines, so the
 * region is where the finding's text sits inside the .ipynb JSON (the line of the cell's "source"
 * holding it), found by `options.locate`. The cell and the cell-relative region go in the result's
 * `properties.notebook` ({ cell: 1-based as in the text output, cellIndex: 0-based as in the JSON
 * output, region }), and the message starts with `cell N, line L:` so a reader of the message
 * alone knows where to look. Without a locator (unreadable JSON) the region is left out rather
 * than pointing at a wrong line.
 */
export function formatSarif(reports: readonly FileReport[], version: string, rulesMeta: readonly RuleMeta[], options: SarifOptions = {}): string {
  const rules = rulesMeta.map((r) => ({
    id: r.code,
    name: r.slug,
    shortDescription: { text: r.meaning },
    helpUri: `${informationUri}/rules/${r.code}`,
    defaultConfiguration: { level: sarifLevel(r.severity) },
  }));
  const ruleIndex = new Map(rulesMeta.map((r, i) => [r.code, i]));
  const locators = new Map<string, NotebookLocator | undefined>();
  const locatorOf = (path: string): NotebookLocator | undefined => {
    if (!locators.has(path)) locators.set(path, options.locate?.(path));
    return locators.get(path);
  };
  const results = reports.flatMap((report) => sortFindings(report.findings).map((f) => {
    const own = sarifRegion(f.span);
    let region: Record<string, unknown> | undefined = own;
    const properties: Record<string, unknown> = { evidence: f.evidence };
    if (f.function !== undefined) properties.function = f.function;
    if (f.cell !== undefined) {
      properties.notebook = { cell: f.cell + 1, cellIndex: f.cell, region: own };
      const locate = locatorOf(report.path);
      const start = locate?.(f.cell, f.span.startLine, f.span.startCol);
      const end = locate?.(f.cell, f.span.endLine, f.span.endCol);
      region = start && end ? sarifRegion({ startLine: start.line, startCol: start.character, endLine: end.line, endCol: end.character }) : undefined;
    }
    const result: Record<string, unknown> = { ruleId: f.code };
    const index = ruleIndex.get(f.code);
    if (index !== undefined) result.ruleIndex = index;
    result.level = sarifLevel(f.severity);
    result.message = { text: `${f.cell === undefined ? '' : `cell ${f.cell + 1}, line ${f.span.startLine + 1}: `}${oneLine(f.message)}` };
    result.locations = [{
      physicalLocation: { artifactLocation: { uri: relativeUri(report.path), uriBaseId: '%SRCROOT%' }, ...(region ? { region } : {}) },
      ...(f.function !== undefined ? { logicalLocations: [{ name: f.function, kind: 'function' }] } : {}),
    }];
    result.properties = properties;
    return result;
  }));
  const log = {
    $schema: sarifSchema,
    version: '2.1.0',
    runs: [{
      tool: { driver: { name: 'gradprobe', version, informationUri, rules } },
      columnKind: 'utf16CodeUnits',
      results,
    }],
  };
  return `${JSON.stringify(log, jsonReplacer, 2)}\n`;
}

function sarifRegion(span: Span): Record<string, number> {
  return { startLine: span.startLine + 1, startColumn: span.startCol + 1, endLine: span.endLine + 1, endColumn: span.endCol + 1 };
}

/** A relative URI reference: '/' separators, each segment percent-encoded (spaces, '#', '%'). */
function relativeUri(path: string): string {
  return path.replace(/\\/g, '/').split('/').map((seg) => encodeURIComponent(seg)).join('/');
}

// ---------------------------------------------------------------- shared

/** Findings outside any cell first (a whole-file GP002), then by cell, position and code. */
function sortFindings(findings: readonly Finding[]): Finding[] {
  return [...findings].sort((a, b) =>
    (a.cell ?? -1) - (b.cell ?? -1)
    || a.span.startLine - b.span.startLine
    || a.span.startCol - b.span.startCol
    || (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
}

/** Messages are printed one a line; a stray newline in one would break `path:line:col` parsing. */
function oneLine(message: string): string {
  return message.replace(/\s*\r?\n\s*/g, ' ').trim();
}
