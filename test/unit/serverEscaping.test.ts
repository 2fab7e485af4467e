// Text from the user's code (names, string literals, messages that quote constructs, file names,
// evidence) reaches the hover and the report markdown. Rendered — even by a renderer that allows raw
// HTML, the worst case — it stays text: no tag, no attribute, no link other than the ones the server
// makes itself (the rule pages and its own panel command, whose arguments survive intact).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { FunctionReport } from '../../src/core/findings/types';
import { InProcessRunner } from '../../src/server/inProcessRunner';
import { ProbeService } from '../../src/server/probeService';
import { hoverMarkdown, reportMarkdown } from '../../src/server/reportMarkdown';
import { resolveSettings } from '../../src/server/settingsStore';

interface Renderer { render(src: string): string }
// markdown-it comes with @vscode/vsce (a devDependency): a CommonMark renderer like the editor's.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const MarkdownIt = require('markdown-it') as new (options: { html: boolean; linkify: boolean }) => Renderer;
// Raw HTML allowed (the worst case). Bare-URL autolinking is off: an https URL in user text would become
// a link under GFM autolinks; VS Code asks before opening one, and no command: URI autolinks.
const permissive = new MarkdownIt({ html: true, linkify: false });

const payloads = [
  '<img src=x onerror=alert(1)>',
  '<script>alert(2)</script>',
  '<svg onload=alert(3)>',
  '[click](command:workbench.action.terminal.sendSequence?%7B%22text%22%3A%22rm%20-rf%20~%22%7D)',
  '![x](javascript:alert(4))',
  '<https://evil.example/x>',
  '`code` **bold** | pipe |\n\n<iframe src=//evil>',
  '&lt;img src=x onerror=alert(5)&gt;',
];

/** What the rendered HTML must not contain, and the links it may. */
function htmlProblems(html: string, allowedLinks: RegExp): string[] {
  const out: string[] = [];
  for (const m of html.matchAll(/<\s*(img|script|svg|iframe|b|a\s+[^>]*href="(?!https:\/\/x\/rules|command:gradprobe\.)|object|embed|style|link|meta)\b[^>]*>/gi)) {
    if (m[1].toLowerCase() === 'img' && /src="data:image\/svg\+xml;base64,/.test(m[0])) continue; // the server's own plot
    out.push(`tag ${m[0]}`);
  }
  for (const m of html.matchAll(/\son\w+\s*=/gi)) {
    const before = html.slice(0, m.index);
    if (before.lastIndexOf('<') > before.lastIndexOf('>')) out.push(`attribute ${m[0]} inside a tag`);
  }
  for (const m of html.matchAll(/href="([^"]*)"/g)) if (!allowedLinks.test(m[1])) out.push(`link ${m[1]}`);
  return out;
}

function hostileReport(name: string): FunctionReport {
  const span = { startLine: 2, startCol: 4, endLine: 2, endCol: 10 };
  return {
    name, kind: 'loss', framework: 'pytorch', span, nameSpan: span,
    detectedBy: payloads, probe: { status: 'unsupported', ms: 1, reason: payloads.join(' ') },
    summary: `loss · ${payloads.join(' · ')}`,
    findings: payloads.map((p, i) => ({
      code: i % 2 ? 'GP001' : 'GP303', severity: 'warning' as const, function: name, message: `construct ${p}`, span,
      evidence: { construct: p, mapping: p, nested: { text: p }, [`key ${p}`]: 1 },
    })),
    data: { kind: 'loss', family: payloads[0], mapping: payloads[3], layout: payloads[2], baseline: payloads[1], slices: [] },
  };
}

/** The same hostile text in an activation's report, whose hover carries the server's plot. */
function hostileActivation(name: string): FunctionReport {
  return { ...hostileReport(name), kind: 'activation', data: { kind: 'activation', sweep: { x: [-1, 0, 1], f: [0, 0, 1], df: [0, 1, 1] } } };
}

const panelArgs = [{ uri: 'file:///tmp/a%20(copy)/model%20(1).py', name: 'act', line: 3 }];

test('hover markdown: user text renders as text; the only links are the server\'s own, with intact arguments', () => {
  for (const report of ['act', payloads[0]].flatMap((name) => [hostileReport(name), hostileActivation(name)])) {
    const name = report.name;
    const md = hoverMarkdown(report, { command: 'gradprobe.openPanel', args: panelArgs });
    const html = permissive.render(md);
    assert.deepEqual(htmlProblems(html, /^command:gradprobe\.openPanel\?/), [], `name ${name}:\n${md}`);
    const link = /href="(command:gradprobe\.openPanel\?[^"]*)"/.exec(html);
    assert.ok(link, 'the panel link is a link');
    const args = JSON.parse(decodeURIComponent(link[1].replace(/&amp;/g, '&').slice('command:gradprobe.openPanel?'.length))) as unknown;
    assert.deepEqual(args, panelArgs, 'the link carries its arguments whole (file names may hold parentheses)');
  }
});

test('report markdown: findings, evidence, file name and reasons render as text', () => {
  const md = reportMarkdown(hostileReport(payloads[0]), `/tmp/${payloads[0]}/${payloads[3]}.py, line 3`, 'https://x/rules');
  const html = permissive.render(md);
  assert.deepEqual(htmlProblems(html, /^https:\/\/x\/rules\/GP\d{3}\.md$/), [], md);
  // Every finding still says what it found: escaped, not dropped.
  assert.ok(html.includes('onerror=alert(1)'), 'the payload is shown as text');
  assert.ok(html.includes('&lt;script&gt;alert(2)&lt;/script&gt;') || html.includes('\\&lt;script'), 'tags are shown as text');
});

test('end to end: string literals, attribute names and a hostile file name reach the hover as text', async () => {
  const dir = join(process.cwd(), 'test/fixtures/e2e/workspace/typing');
  const path = join(dir, `${payloads[0]}.py`);
  const text = [
    'import torch',
    '',
    'def act_attr(x):',
    `    return getattr(torch, "${payloads[0]}")(x)`,
    '',
    'def act_raise(x):',
    `    raise ValueError("${payloads[1]} ${payloads[3]}")`,
    '',
    'def act_key(x):',
    `    return {"${payloads[2]}": x}["${payloads[2]}"] * torch.sigmoid(x)`,
    '',
    'ACTS = {"a": act_attr, "b": act_raise, "c": act_key}',
    '',
  ].join('\n');
  const uri = pathToFileURL(path).href;
  const service = new ProbeService({
    settingsFor: async (_u, filePath) => resolveSettings({ backend: 'cpu' }, filePath, dir),
    publish: () => undefined, status: () => undefined, refreshLenses: () => undefined, log: () => undefined,
  }, new InProcessRunner());
  service.update({ uri, kind: 'document', path, filePath: path, language: 'python', views: [{ uri, version: 1, text }], analysisText: text }, 'open');
  await service.idle();
  const seen: string[] = [];
  for (const [line, name] of [[2, 'act_attr'], [5, 'act_raise'], [8, 'act_key']] as const) {
    const hover = service.hover(uri, { line, character: 5 });
    assert.ok(hover, `a hover for ${name}`);
    const md = (hover.contents as { value: string }).value;
    seen.push(md);
    assert.deepEqual(htmlProblems(permissive.render(md), /^command:gradprobe\.openPanel\?/), [], md);
    const report = service.functionReport({ uri, name, line }, 'https://x/rules');
    assert.ok(report);
    assert.deepEqual(htmlProblems(permissive.render(report.markdown), /^https:\/\/x\/rules\/GP\d{3}\.md$/), [], report.markdown);
    seen.push(report.markdown);
  }
  // The hostile text did reach the markdown (so the test is about something): as escaped text.
  assert.ok(seen.some((md) => md.includes('onerror')), 'user text reached the markdown');
});
