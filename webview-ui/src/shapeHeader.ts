// The header line above the views. The report's summary counts only the probe's own problems
// (warnings and errors); the panel lists every finding of the function (source rules and infos too),
// so the header says what the Findings view lists, by severity, in place of the summary's count.
import type { FindingSeverity } from '../../src/shared/panelMessages';

/** The summary's own verdict clause: ` · ok`, ` · 1 problem`, ` · 3 problems`. */
const verdictClause = /\s·\s(?:ok|\d+ problems?)(?=\s·\s|$)/;

export function findingsCount(findings: readonly { severity: FindingSeverity }[]): string {
  if (!findings.length) return 'no findings';
  const order: FindingSeverity[] = ['error', 'warning', 'info'];
  const by = order.map((s) => [s, findings.filter((f) => f.severity === s).length] as const).filter(([, n]) => n > 0);
  const parts = by.map(([s, n]) => `${n} ${s === 'info' ? 'info' : `${s}${n === 1 ? '' : 's'}`}`);
  return `${findings.length} finding${findings.length === 1 ? '' : 's'} (${parts.join(', ')})`;
}

/** The function's summary with its count replaced by the count of the findings the panel lists. */
export function headerSummary(summary: string, findings: readonly { severity: FindingSeverity }[]): string {
  const rest = summary.replace(verdictClause, '');
  return `${rest} · ${findingsCount(findings)}`;
}
