// The one way to make a finding: its severity comes from the rule catalog, so no emission site can
// disagree with it. A rule whose catalog entry names variants (GP108's shallow dip) may pass one.
import type { Span } from '../ir/ir';
import { ruleCatalog, ruleFor, type RuleCode } from './rules';
import type { Finding, Severity } from './types';

type Entry<C extends RuleCode> = Extract<(typeof ruleCatalog)[number], { code: C }>;
/** The variant names a code's catalog entry defines; never for codes without variants. */
type Variant<C extends RuleCode> = Entry<C> extends { variants: infer V } ? keyof V & string : never;

export interface FindingInit<C extends RuleCode> {
  /** The function it is about; absent for a finding about the whole file. */
  function?: string;
  message: string;
  span: Span;
  evidence: Record<string, unknown>;
  /** One of the rule's catalog variants (GP108's `shallow-dip`), which sets the severity; the default otherwise. */
  variant?: Variant<C>;
}

export function finding<C extends RuleCode>(code: C, init: FindingInit<C>): Finding {
  const rule = ruleFor(code);
  if (!rule) throw new Error(`finding: ${code} is not in the rule catalog`);
  const variant: string | undefined = init.variant;
  const severity: Severity | undefined = variant === undefined ? rule.severity : rule.variants?.[variant];
  if (!severity) throw new Error(`finding: ${code} has no variant '${variant}' in the catalog (it has ${Object.keys(rule.variants ?? {}).join(', ') || 'none'})`);
  return { code, severity, ...(init.function !== undefined ? { function: init.function } : {}), message: init.message, span: init.span, evidence: init.evidence };
}

/**
 * The 1-based source line a probe finding's traced NaN/Inf cause points at, when the trace named one.
 * A finding without it (the loss probe names ops in words) confirms as before.
 */
function causeLine(p: Finding): number | undefined {
  const cause = p.evidence.cause;
  if (typeof cause !== 'object' || cause === null) return undefined;
  const line = (cause as { line?: unknown }).line;
  return typeof line === 'number' ? line : undefined;
}

/** Whether a probe finding confirms a source finding: when its cause is traced to a line, that line is the finding's. */
function confirms(p: Finding, f: Finding): boolean {
  const line = causeLine(p);
  return line === undefined || (line >= f.span.startLine + 1 && line <= f.span.endLine + 1);
}

/**
 * Settles source findings by the probe's verdict, as each rule's catalog entry says: confirmed →
 * raised to the confirming finding's severity (or kept at its own), noting the precision it was
 * found at, if any; refuted → dropped when the rule is refutable. A probe finding whose NaN/Inf is
 * traced to another expression (an exp flagged, the NaN from a log) does not confirm it.
 */
export function settleSourceFindings(sourceFindings: readonly Finding[], probeFindings: readonly Finding[]): Finding[] {
  const out: Finding[] = [];
  for (const f of sourceFindings) {
    const settle = ruleFor(f.code)?.settle;
    if (!settle) { out.push(f); continue; }
    const confirming = probeFindings.find((p) => settle.confirmedBy.includes(p.code) && confirms(p, f));
    if (confirming) {
      const precision = confirming.evidence.precision;
      const message = typeof precision === 'string' ? `${f.message} (at ${precision} the guard no longer holds)` : f.message;
      const severity = settle.onConfirm === 'raise-to-probe-severity' ? confirming.severity : f.severity;
      out.push({ ...f, message, severity, evidence: { ...f.evidence, confirmedBy: confirming.code } });
    } else if (!settle.refutable) out.push(f);
  }
  return out;
}
