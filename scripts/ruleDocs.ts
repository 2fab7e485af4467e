// The rule pages' generated parts, from the rule catalog: each docs/rules/GPxxx.md starts with a
// block made here (title, default severity, kind, how a probe settles it, settings it reads, its
// quick fix, what it means, how to silence it) and goes on with a hand-written body; the index
// docs/rules/README.md is made here whole. `npm run docs:rules` writes them (scripts/docs-rules.mjs);
// test/unit/ruleDocs.test.ts fails when a page or the index is stale.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultSettings } from '../src/core/config/settings';
import { ruleCatalog, ruleFor, type RuleMeta, type RuleSetting } from '../src/core/findings/rules';
import { severityRank, type Severity } from '../src/core/findings/types';

export const generatedStart = '<!-- Generated from the rule catalog (src/core/findings/rules.ts) by `npm run docs:rules`: edit the catalog, not this block. -->';
export const generatedEnd = '<!-- End of the generated block: the rest of this page is written by hand. -->';
/** The body a new rule's page starts with; a page still carrying it counts as unwritten. */
export const unwritten = '_Not written yet._';
export const bodySections = ['## Why it stops learning', '## Example', '## The fix'];

const kindText: Record<RuleMeta['kind'], string> = {
  meta: 'meta: about the probe itself, not the function',
  activation: 'activation probe: measured on the translated function',
  loss: 'loss probe: measured on the translated function',
  source: 'source rule: read from the code, shown even where no probe ran',
};

const fixText: Record<RuleMeta['fix'], string> = {
  safe: 'yes, and it keeps what the function means: *Fix all GradProbe problems* applies it',
  unsafe: 'yes, but it changes what the function means: offered one at a time, never by *Fix all*',
  none: 'none (the suppression comment only)',
};

/** "A, B or C". */
function either(items: readonly string[], word = 'or'): string {
  return items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} ${word} ${items[items.length - 1]}`;
}

function severityText(rule: RuleMeta): string {
  const variants = Object.entries(rule.variants ?? {}).map(([name, severity]) => `${severity} for a ${name.replace(/-/g, ' ')} (variant \`${name}\`)`);
  return variants.length ? `${rule.severity}; ${variants.join('; ')}` : rule.severity;
}

/** The catalog's settlement in words: raised to which severity by which probe finding, and what a clean probe does. */
export function settlementText(rule: RuleMeta): string | undefined {
  const settle = rule.settle;
  if (!settle) return undefined;
  const bySeverity = new Map<Severity, string[]>();
  for (const code of settle.confirmedBy) {
    const s = ruleFor(code)?.severity ?? rule.severity;
    bySeverity.set(s, [...(bySeverity.get(s) ?? []), code]);
  }
  const parts = settle.onConfirm === 'keep-severity'
    ? [`stays ${rule.severity} when ${either(settle.confirmedBy)} confirms it`]
    : [...bySeverity.entries()]
      .sort(([a], [b]) => severityRank[b] - severityRank[a])
      .map(([s, codes]) => (severityRank[s] > severityRank[rule.severity] ? `raised to ${s} when the probe confirms it (${either(codes)})` : `stays ${s} when ${either(codes)} confirms it`));
  parts.push(settle.refutable ? 'dropped when the probe ran and reported none of them' : 'kept when the probe ran and reported none of them');
  return `${parts.join('; ')}. A probe finding whose NaN/Inf is traced to another line does not confirm it`;
}

/** The source rules a probe rule confirms. */
function confirms(rule: RuleMeta): string[] {
  const rules: readonly RuleMeta[] = ruleCatalog;
  return rules.filter((r) => r.settle?.confirmedBy.includes(rule.code)).map((r) => r.code);
}

function settingText(setting: RuleSetting): string {
  if (setting === 'range') return `\`range\` = ${defaultSettings.range} (the sweep's half-width R: \`range\` in the project config, \`--range\`, \`gradprobe.range\`)`;
  return `\`${setting}\` = ${defaultSettings.thresholds[setting]} (\`[tool.gradprobe.thresholds]\`, \`gradprobe.thresholds\`)`;
}

/** The generated block of a rule's page, title included, up to and including the end marker. */
export function ruleHeader(rule: RuleMeta): string {
  const c = rule.code;
  const rows: [string, string][] = [
    ['Default severity', severityText(rule)],
    ['Kind', kindText[rule.kind]],
  ];
  const settlement = settlementText(rule);
  if (settlement) rows.push(['Settled by the probe', settlement]);
  const confirmed = confirms(rule);
  if (confirmed.length) rows.push(['Confirms', `the source rule${confirmed.length > 1 ? 's' : ''} ${either(confirmed, 'and')} (raising ${confirmed.length > 1 ? 'them' : 'it'} to this finding's severity)`]);
  rows.push(['Settings it reads', rule.settings?.length ? rule.settings.map(settingText).join('; ') : '—']);
  rows.push(['Quick fix', fixText[rule.fix]]);
  return [
    `# ${c} ${rule.slug}`,
    '',
    generatedStart,
    '',
    '| | |',
    '|---|---|',
    ...rows.map(([k, v]) => `| ${k} | ${v} |`),
    '',
    '## What it means',
    '',
    rule.meaning,
    '',
    '## Silencing it',
    '',
    `- On the flagged line or the function's signature line: \`# gradprobe: ignore[${c}]\` (Python), \`// gradprobe: ignore[${c}]\` (JS/TS), or \`# noqa: ${c}\`; in the editor, the quick fix *Suppress ${c} on this line*.`,
    `- For a whole file: \`# gradprobe: ignore-file[${c}]\` near its top.`,
    `- For a project: \`ignore = ["${c}"]\` under \`[tool.gradprobe]\` in \`pyproject.toml\` (or in \`gradprobe.toml\`, or \`"gradprobe": { "ignore": ["${c}"] }\` in \`package.json\`), or \`--ignore ${c}\` on the command line.`,
    `- In the editor: \`"gradprobe.severity": { "${c}": "off" }\`.`,
    `- To report it at another severity: \`severity = { ${c} = "info" }\` in the project config (\`error\`, \`warning\` or \`info\`), or \`"gradprobe.severity": { "${c}": "info" }\` in the editor.`,
    '',
    generatedEnd,
  ].join('\n');
}

/** docs/rules/README.md, whole. */
export function rulesIndex(): string {
  const cell = (s: string) => s.replace(/\|/g, '\\|');
  return [
    '# Rules',
    '',
    generatedStart,
    '',
    'Every finding GradProbe reports, by code. Each page says what the rule means, why it stops learning, an example, the fix and how to silence it.',
    '',
    '| code | slug | kind | default severity | confirmed by | quick fix | meaning |',
    '|---|---|---|---|---|---|---|',
    ...(ruleCatalog as readonly RuleMeta[]).map((r) => `| [${r.code}](${r.code}.md) | ${r.slug} | ${r.kind} | ${cell(severityText(r))} | ${r.settle?.confirmedBy.join(', ') ?? '—'} | ${r.fix} | ${cell(r.meaning)} |`),
    '',
  ].join('\n');
}

function bodyOf(page: string): string | undefined {
  const at = page.indexOf(generatedEnd);
  return at < 0 ? undefined : page.slice(at + generatedEnd.length).replace(/^\n+/, '');
}

const newBody = bodySections.map((s) => `${s}\n\n${unwritten}\n`).join('\n');

export function renderPage(rule: RuleMeta, existing: string | undefined): string {
  const body = (existing !== undefined ? bodyOf(existing) : undefined) ?? newBody;
  return `${ruleHeader(rule)}\n\n${body.endsWith('\n') ? body : `${body}\n`}`;
}

/** Why each page (or the index) is out of date; empty when all are current. */
export function staleRuleDocs(root: string): string[] {
  const dir = join(root, 'docs/rules');
  const problems: string[] = [];
  for (const rule of ruleCatalog) {
    const file = join(dir, `${rule.code}.md`);
    if (!existsSync(file)) { problems.push(`${rule.code}.md is missing`); continue; }
    const page = readFileSync(file, 'utf8');
    const header = ruleHeader(rule);
    if (!page.startsWith(`${header}\n`)) problems.push(`${rule.code}.md: the generated block differs from the catalog (run npm run docs:rules)`);
    const body = bodyOf(page) ?? '';
    for (const s of bodySections) if (!body.includes(`${s}\n`)) problems.push(`${rule.code}.md: no "${s}" section`);
    if (body.includes(unwritten)) problems.push(`${rule.code}.md: a section is not written yet`);
  }
  for (const f of readdirSync(dir)) {
    if (/^GP\d{3}\.md$/.test(f) && !ruleFor(f.slice(0, 5))) problems.push(`${f} is not a catalog code`);
  }
  const index = join(dir, 'README.md');
  if (!existsSync(index) || readFileSync(index, 'utf8') !== rulesIndex()) problems.push('README.md (the index) differs from the catalog (run npm run docs:rules)');
  return problems;
}

/** Rewrites every page's generated block (keeping its body) and the index; returns the files changed. */
export function writeRuleDocs(root: string): string[] {
  const dir = join(root, 'docs/rules');
  const changed: string[] = [];
  const write = (name: string, text: string) => {
    const file = join(dir, name);
    if (existsSync(file) && readFileSync(file, 'utf8') === text) return;
    writeFileSync(file, text);
    changed.push(`docs/rules/${name}`);
  };
  for (const rule of ruleCatalog) {
    const file = join(dir, `${rule.code}.md`);
    write(`${rule.code}.md`, renderPage(rule, existsSync(file) ? readFileSync(file, 'utf8') : undefined));
  }
  write('README.md', rulesIndex());
  return changed;
}
