// A function's report as markdown: the key numbers and the plot. The hover shows the short form;
// the "Open probe panel" command shows the long form (every finding with its evidence).
import { formatEvidence, formatNumber as fmt } from '../core/findings/formatNumber';
import { ruleFor } from '../core/findings/rules';
import type { FunctionReport } from '../core/findings/types';
import { plotDataUri, sweepOf, type Sweep } from './plot';

function finiteRange(values: number[]): [number, number] | undefined {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) if (Number.isFinite(v)) { if (v < lo) lo = v; if (v > hi) hi = v; }
  return lo <= hi ? [lo, hi] : undefined;
}

function nonFiniteAt(sweep: Sweep, ys: number[]): number[] {
  const out: number[] = [];
  for (let i = 0; i < ys.length && out.length < 3; i++) if (!Number.isFinite(ys[i])) out.push(sweep.x[i]);
  return out;
}

function esc(s: string): string {
  return s.replace(/[\\`*_{}[\]<>|]/g, (c) => `\\${c}`);
}

/** Rows of "what · value" for the report's key numbers. */
export function keyNumbers(report: FunctionReport): [string, string][] {
  const rows: [string, string][] = [];
  const sweep = sweepOf(report.data);
  if (sweep) {
    const r = `[${fmt(sweep.x[0])}, ${fmt(sweep.x[sweep.x.length - 1])}]`;
    const f = finiteRange(sweep.f);
    const df = finiteRange(sweep.df);
    if (f) rows.push([`f on ${r}`, `[${fmt(f[0])}, ${fmt(f[1])}]`]);
    if (df) rows.push(['f′', `[${fmt(df[0])}, ${fmt(df[1])}]`]);
    const nanF = nonFiniteAt(sweep, sweep.f);
    const nanDf = nonFiniteAt(sweep, sweep.df);
    rows.push(['NaN / Inf', nanF.length || nanDf.length
      ? [nanF.length ? `f at x = ${nanF.map(fmt).join(', ')}` : '', nanDf.length ? `f′ at x = ${nanDf.map(fmt).join(', ')}` : ''].filter(Boolean).join('; ')
      : 'none on the sweep']);
  }
  const data = report.data;
  const depth = data?.kind === 'activation' ? data.depth : undefined;
  if (depth) {
    rows.push(['depth gain ‖∂L/∂h₁‖/‖∂L/∂h₁₆‖', `${fmt(depth.gradientRatio)} (ReLU: ${fmt(depth.reluRatio)})`]);
    // The gain is the one found and checked on the probe's own stack; NaN when none passes the check.
    rows.push(['suggested weight gain (checked on the stack)', Number.isFinite(depth.gain) ? `${fmt(depth.gain)} (${depth.init})` : `none passes the check (${depth.init})`]);
  }
  if (data?.kind === 'loss') {
    rows.push(['loss family', data.family]);
    rows.push(['mapping', data.mapping]);
  }
  if (report.probe.status !== 'ok') rows.push(['probe', `${report.probe.status}${report.probe.reason ? `: ${report.probe.reason}` : ''}`]);
  else rows.push(['probe time', `${fmt(report.probe.ms)} ms`]);
  return rows;
}

function table(rows: [string, string][]): string {
  if (!rows.length) return '';
  return ['| | |', '|---|---|', ...rows.map(([k, v]) => `| ${esc(k)} | ${esc(v)} |`)].join('\n');
}

export function commandUri(command: string, args: unknown[]): string {
  return `command:${command}?${encodeURIComponent(JSON.stringify(args))}`;
}

/** The hover: title, summary, key numbers, plot, a link to the full report. */
export function hoverMarkdown(report: FunctionReport, openPanel?: { command: string; args: unknown[] }): string {
  const parts: string[] = [];
  parts.push(`**${esc(report.name)}** — ${report.kind} · ${report.framework}`);
  parts.push(esc(report.summary));
  const sweep = sweepOf(report.data);
  if (sweep) parts.push(`![f and f′ of ${esc(report.name)}](${plotDataUri(sweep)})`);
  parts.push(table(keyNumbers(report)));
  const codes = [...new Set(report.findings.map((f) => f.code))];
  if (codes.length) parts.push(`Findings: ${codes.map((c) => `${c} ${ruleFor(c)?.slug ?? ''}`.trim()).join(', ')}`);
  if (openPanel) parts.push(`[Open probe panel](${commandUri(openPanel.command, openPanel.args)})`);
  return parts.filter(Boolean).join('\n\n');
}

/** The full report for the "Open probe panel" document. */
export function reportMarkdown(report: FunctionReport, where: string, rulesBaseUrl: string): string {
  const parts: string[] = [];
  parts.push(`# ${esc(report.name)}`);
  parts.push(`${report.kind} · ${report.framework} · ${esc(where)}`);
  parts.push(`> ${esc(report.summary)}`);
  parts.push(`Detected by: ${report.detectedBy.map(esc).join(', ') || '—'}`);
  parts.push('## Key numbers');
  parts.push(table(keyNumbers(report)));
  const sweep = sweepOf(report.data);
  if (sweep) parts.push(`![f (blue) and f′ (orange) of ${esc(report.name)}](${plotDataUri(sweep)})`);
  parts.push('## Findings');
  if (!report.findings.length) parts.push('None.');
  for (const f of report.findings) {
    const rule = ruleFor(f.code);
    parts.push(`### [${f.code}](${rulesBaseUrl}/${f.code}.md) ${rule?.slug ?? ''} — ${f.severity}`);
    parts.push(`${esc(f.message)} (line ${f.span.startLine + 1}${f.cell !== undefined ? `, cell ${f.cell + 1}` : ''})`);
    const ev = Object.entries(f.evidence)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => [k, formatEvidence(v)] as [string, string]);
    if (ev.length) parts.push(table(ev.map(([k, v]) => [k, v.length > 200 ? `${v.slice(0, 200)}…` : v])));
  }
  return parts.filter(Boolean).join('\n\n') + '\n';
}

/** The longest code lens title: a lens is one line above a function and must not push the code aside. */
export const lensMaxChars = 80;

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** The verdict that matters most for a function, in a few words. */
function lensVerdict(report: FunctionReport): string {
  if (report.probe.status === 'unsupported') return 'not probed';
  if (report.probe.status === 'failed') return 'probe failed';
  const codes = new Set(report.findings.map((f) => f.code));
  const firstX = (code: string): string | undefined => {
    const x = report.findings.find((f) => f.code === code)?.evidence.x;
    const v = Array.isArray(x) ? x[0] : x;
    return typeof v === 'number' ? fmt(v) : undefined;
  };
  if (report.kind === 'activation') {
    for (const [code, what] of [['GP101', 'NaN'], ['GP102', 'NaN gradient']] as const) {
      if (codes.has(code)) {
        const x = firstX(code);
        return x === undefined ? what : `${what} at x = ${x}`;
      }
    }
    if (codes.has('GP106')) return 'no gradient';
    if (codes.has('GP112')) return 'custom gradient ✗';
    const sweep = sweepOf(report.data);
    const df = sweep && finiteRange(sweep.df);
    return df ? `f′ ∈ [${fmt(df[0])}, ${fmt(df[1])}]` : 'gradients ✓';
  }
  if (codes.has('GP201') || codes.has('GP202')) return 'NaN ✗';
  if (codes.has('GP205')) return 'no gradient ✗';
  if (codes.has('GP203')) return 'min not at target ✗';
  if (codes.has('GP204')) return 'unbounded below ✗';
  if (codes.has('GP206')) return 'wrong direction ✗';
  return 'min at target ✓';
}

/**
 * The code lens over a probed function: kind, counts, verdict on one line of at most
 * `lensMaxChars` characters, e.g. "loss · 2 errors, 1 warning · min at target ✓". The summary
 * paragraph is the hover's.
 */
export function lensTitle(report: FunctionReport): string {
  const n = (s: string): number => report.findings.filter((f) => f.severity === s).length;
  const counts = [
    n('error') ? plural(n('error'), 'error') : '',
    n('warning') ? plural(n('warning'), 'warning') : '',
    n('info') ? `${n('info')} info` : '',
  ].filter(Boolean).join(', ') || 'no problems';
  const title = `${report.kind} · ${counts} · ${lensVerdict(report)}`.replace(/\s+/g, ' ');
  return title.length <= lensMaxChars ? title : `${title.slice(0, lensMaxChars - 1)}…`;
}
