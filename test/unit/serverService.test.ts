// The language server's logic with no VS Code and no connection: documents in; diagnostics, code
// lenses, hovers and code actions out; notebooks; settings; cancellation; strange files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { CodeAction, Diagnostic, TextDocumentEdit } from 'vscode-languageserver-protocol';
import { InProcessRunner } from '../../src/server/inProcessRunner';
import { fixAllKind, ProbeService, type UnitSource } from '../../src/server/probeService';
import { resolveSettings, type ResolvedSettings } from '../../src/server/settingsStore';
import type { StatusNotification } from '../../src/shared/customMessages';
import { lineStarts, offsetAt } from '../../src/server/sourceText';

const workspace = join(process.cwd(), 'test/fixtures/e2e/workspace/typing');

function harness(editor: Record<string, unknown> = {}) {
  const published = new Map<string, Diagnostic[]>();
  const statuses: StatusNotification.Params[] = [];
  const logs: string[] = [];
  let lensRefreshes = 0;
  let settings: Record<string, unknown> = { backend: 'cpu', ...editor };
  const service = new ProbeService({
    settingsFor: async (_uri, filePath): Promise<ResolvedSettings> => resolveSettings(settings, filePath, workspace),
    publish: (uri, d) => published.set(uri, d),
    status: (s) => statuses.push(s),
    refreshLenses: () => { lensRefreshes++; },
    log: (m) => logs.push(m),
  }, new InProcessRunner());
  return {
    service, published, statuses, logs,
    lensRefreshes: () => lensRefreshes,
    setSettings: (s: Record<string, unknown>) => { settings = { backend: 'cpu', ...s }; },
  };
}

let version = 0;
function doc(path: string, text: string, language: 'python' | 'javascript' = 'python'): UnitSource {
  const uri = pathToFileURL(path).href;
  return { uri, kind: 'document', path, filePath: path, language, views: [{ uri, version: ++version, text }], analysisText: text };
}

function applyEdit(text: string, action: CodeAction): string {
  const change = action.edit!.documentChanges![0] as TextDocumentEdit;
  const starts = lineStarts(text);
  const edits = change.edits.map((e) => ({ s: offsetAt(text, starts, e.range.start), e: offsetAt(text, starts, e.range.end), t: e.newText })).sort((a, b) => b.s - a.s);
  for (const e of edits) text = text.slice(0, e.s) + e.t + text.slice(e.e);
  return text;
}

const activationsPath = join(workspace, 'activations.py');
const activations = readFileSync(activationsPath, 'utf8');

test('document → diagnostics with codes, rule links and the sub-expression range', async () => {
  const h = harness();
  const d = doc(activationsPath, activations);
  h.service.update(d, 'open');
  await h.service.idle();
  const diags = h.published.get(d.uri) ?? [];
  const gp303 = diags.find((x) => x.code === 'GP303');
  assert.ok(gp303, `GP303 among ${diags.map((x) => x.code).join(', ')}`);
  assert.equal(gp303.source, 'gradprobe');
  assert.equal(gp303.codeDescription?.href, 'https://github.com/gradprobe/gradprobe/blob/main/docs/rules/GP303.md');
  assert.deepEqual(gp303.range, { start: { line: 5, character: 11 }, end: { line: 5, character: 29 } });
  assert.equal(activations.split('\n')[5].slice(11, 29), 'tf.math.log(x * x)');
  assert.ok(diags.some((x) => x.code === 'GP101' && x.severity === 1), 'GP101 is an error');
  assert.ok(diags.some((x) => x.code === 'GP304'));
  const last = h.statuses[h.statuses.length - 1];
  assert.equal(last.probing, 0);
  assert.equal(last.problems, diags.filter((x) => x.severity === 1 || x.severity === 2).length);
});

test('code lenses: "Probe gradients" before, the summary after; resolved lazily; can be turned off', async () => {
  const h = harness({ probeOn: 'manual' });
  const d = doc(activationsPath, activations);
  h.service.update(d, 'open');
  const lenses = await h.service.codeLenses(d.uri);
  assert.deepEqual(lenses.map((l) => l.range.start.line), [4, 8]);
  assert.ok(lenses.every((l) => !l.command), 'unresolved until asked');
  const before = lenses.map((l) => h.service.resolveCodeLens({ ...l }).command!);
  assert.deepEqual(before.map((c) => c.title), ['Probe gradients', 'Probe gradients']);
  assert.equal(before[0].command, 'gradprobe.probeFunction');
  assert.deepEqual(before[0].arguments, [{ uri: d.uri, name: 'log_unit', line: 4 }]);
  assert.equal(h.published.get(d.uri), undefined, 'manual: nothing probed on open');
  await h.service.probeNow(d.uri);
  assert.ok(h.lensRefreshes() > 0);
  const after = (await h.service.codeLenses(d.uri)).map((l) => h.service.resolveCodeLens(l).command!);
  assert.match(after[0].title, /^activation · \d+ errors?(, \d+ warnings?)?(, \d+ info)? · NaN at x = 0$/);
  for (const c of after) {
    assert.ok(c.title.length <= 80 && !c.title.includes('\n'), `one short line: ${c.title}`);
  }
  // The summary paragraph moved to the hover.
  const hover = h.service.hover(d.uri, { line: 4, character: 6 });
  assert.ok(hover, 'a hover on the probed function');
  assert.match((hover.contents as { value: string }).value, /NaN at x = 0/);
  assert.equal(after[0].command, 'gradprobe.openPanel');
  h.setSettings({ codeLens: false });
  assert.deepEqual(await h.service.codeLenses(d.uri), []);
});

test('hover on a function name: key numbers, an inline SVG plot, a link to the panel', async () => {
  const h = harness();
  const d = doc(activationsPath, activations);
  h.service.update(d, 'open');
  await h.service.idle();
  const hover = h.service.hover(d.uri, { line: 8, character: 6 });
  assert.ok(hover);
  const md = (hover.contents as { value: string }).value;
  assert.match(md, /\*\*soft\\_exp\*\* — activation · tensorflow/);
  assert.match(md, /\| f′ \| \\\[/);
  assert.match(md, /!\[f and f′ of soft\\_exp\]\(data:image\/svg\+xml;base64,/);
  const svg = Buffer.from(/base64,([A-Za-z0-9+/=]+)\)/.exec(md)![1], 'base64').toString('utf8');
  assert.match(svg, /^<svg [^>]*>.*<polyline/);
  assert.match(md, /\[Open probe panel\]\(command:gradprobe\.openPanel\?/);
  assert.equal(h.service.hover(d.uri, { line: 9, character: 4 }), null, 'only on the name');
  const report = h.service.functionReport({ uri: d.uri, name: 'soft_exp', line: 8 }, 'https://x/rules');
  assert.match(report!.markdown, /## Findings[\s\S]*\[GP304\]\(https:\/\/x\/rules\/GP304\.md\)/);
});

test('quick fixes: applied edit removes the diagnostic; refused once the text changed', async () => {
  const h = harness();
  let d = doc(activationsPath, activations);
  h.service.update(d, 'open');
  await h.service.idle();
  const gp303 = h.published.get(d.uri)!.find((x) => x.code === 'GP303')!;
  const actions = await h.service.codeActions(d.uri, gp303.range, { diagnostics: [gp303] });
  assert.deepEqual(actions.map((a) => a.title), [
    'Add an epsilon: x * x + 1e-7', 'Clip from below: tf.maximum(x * x, 1e-7)', 'Suppress GP303 on this line',
  ]);
  const change = actions[0].edit!.documentChanges![0] as TextDocumentEdit;
  assert.equal(change.textDocument.version, d.views[0].version, 'versioned: VS Code refuses it for another version');
  const fixed = applyEdit(activations, actions[0]);
  assert.match(fixed, /tf\.math\.log\(x \* x \+ 1e-7\)/);
  // The text at the diagnostic changed: its fixes are no longer offered.
  d = doc(activationsPath, fixed);
  h.service.update(d, 'change');
  assert.deepEqual(await h.service.codeActions(d.uri, gp303.range, { diagnostics: [gp303] }), []);
  await h.service.idle();
  const after = h.published.get(d.uri)!;
  assert.ok(!after.some((x) => x.code === 'GP303'), `GP303 gone: ${after.map((x) => x.code).join(', ')}`);
  assert.ok(!after.some((x) => x.code === 'GP101'));
  // Suppression writes the comment and the finding goes.
  const gp304 = after.find((x) => x.code === 'GP304')!;
  const sup = (await h.service.codeActions(d.uri, gp304.range, { diagnostics: [gp304] })).find((a) => a.title.startsWith('Suppress'))!;
  const suppressed = applyEdit(fixed, sup);
  assert.match(suppressed, /tf\.exp\(x\)\)  # gradprobe: ignore\[GP304\]/);
  d = doc(activationsPath, suppressed);
  h.service.update(d, 'change');
  await h.service.idle();
  assert.ok(!h.published.get(d.uri)!.some((x) => x.code === 'GP304'));
});

test('source.fixAll.gradprobe applies every safe preferred fix at once', async () => {
  const h = harness();
  const d = doc(activationsPath, activations);
  h.service.update(d, 'open');
  await h.service.idle();
  const actions = await h.service.codeActions(d.uri, { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, { diagnostics: [], only: [fixAllKind] });
  assert.equal(actions.length, 1);
  assert.equal(actions[0].kind, 'source.fixAll.gradprobe');
  const fixed = applyEdit(activations, actions[0]);
  assert.match(fixed, /tf\.math\.log\(x \* x \+ 1e-7\)/);
  assert.match(fixed, /return tf\.math\.softplus\(x\)/);
});

test('a TF.js loss: GP303 fixes in tfjs form', async () => {
  const h = harness();
  const path = join(workspace, 'losses.js');
  const text = readFileSync(path, 'utf8');
  const d = doc(path, text, 'javascript');
  h.service.update(d, 'open');
  await h.service.idle();
  const diags = h.published.get(d.uri)!;
  assert.ok(diags.some((x) => x.code === 'GP201'));
  const gp303 = diags.filter((x) => x.code === 'GP303');
  assert.equal(gp303.length, 2);
  const actions = await h.service.codeActions(d.uri, gp303[0].range, { diagnostics: [gp303[0]] });
  assert.match(actions[1].title, /tf\.clipByValue\(yPred, 1e-7, 1 - 1e-7\)/);
  assert.match(actions[2].title, /Suppress GP303/);
  assert.match(applyEdit(text, actions[2]), /\/\/ gradprobe: ignore\[GP303\]/);
});

test('notebook cells: findings on the right cell with cell-relative ranges, cells share context', async () => {
  const h = harness();
  const nbUri = pathToFileURL(join(workspace, 'notebooks/nb.ipynb')).href;
  const cellTexts = [
    'import tensorflow as tf',
    '# Activations',
    'def cube_root(x):\n    return tf.pow(x, 1.0 / 3.0)\n\ndef lg(x):\n    return tf.math.log(x)',
    'model = tf.keras.Sequential([tf.keras.layers.Dense(4, activation=lg), tf.keras.layers.Dense(4, activation=cube_root)])',
  ];
  const cells = cellTexts.map((t, i) => (i === 1 ? { cell_type: 'markdown', metadata: {}, source: t } : { cell_type: 'code', metadata: {}, source: t, outputs: [], execution_count: null }));
  const views = cellTexts.map((text, i) => ({ uri: `vscode-notebook-cell:${nbUri.slice(5)}#W${i}`, version: 1, text, cell: i })).filter((v) => v.cell !== 1);
  h.service.update({ uri: nbUri, kind: 'notebook', path: join(workspace, 'notebooks/nb.ipynb'), filePath: join(workspace, 'notebooks/nb.ipynb'), language: 'python', views, analysisText: JSON.stringify({ cells }) }, 'open');
  await h.service.idle();
  const cell2 = h.published.get(views[1].uri) ?? [];
  assert.ok(cell2.some((x) => x.code === 'GP303' && x.range.start.line === 4), `cell 2 diagnostics: ${JSON.stringify(cell2.map((x) => [x.code, x.range.start.line]))}`);
  assert.deepEqual(h.published.get(views[0].uri), []);
  assert.deepEqual(h.published.get(views[2].uri), []);
  const lenses = await h.service.codeLenses(views[1].uri);
  assert.deepEqual(lenses.map((l) => l.range.start.line).sort(), [0, 3]);
  assert.deepEqual(await h.service.codeLenses(views[2].uri), []);
  const hover = h.service.hover(views[1].uri, { line: 3, character: 5 });
  assert.match((hover!.contents as { value: string }).value, /\*\*lg\*\*/);
});

test('settings: severity overrides and off, include/exclude, enable', async () => {
  const h = harness({ severity: { GP303: 'info', GP101: 'off' } });
  const d = doc(activationsPath, activations);
  h.service.update(d, 'open');
  await h.service.idle();
  const diags = h.published.get(d.uri)!;
  assert.equal(diags.find((x) => x.code === 'GP303')?.severity, 3);
  assert.ok(!diags.some((x) => x.code === 'GP101'));
  h.setSettings({ exclude: ['activations.py'] });
  h.service.settingsChanged();
  await h.service.idle();
  await new Promise((r) => setTimeout(r, 50));
  assert.deepEqual(h.published.get(d.uri), [], 'excluded: diagnostics cleared');
  h.setSettings({ enable: false });
  h.service.update(doc(activationsPath, `${activations}\n`), 'change');
  await h.service.idle();
  assert.deepEqual(h.published.get(d.uri), []);
});

test('a configuration notification right after the open joins the probe about to start: one job, not a cancelled one and another', async () => {
  const h = harness({ debounceMs: 0 });
  const d = doc(activationsPath, activations);
  // As VS Code does: didOpen, then the didChangeConfiguration it sends when the server registers for it.
  h.service.update(d, 'open');
  h.service.settingsChanged();
  await h.service.idle();
  const jobs = h.logs.filter((m) => m.startsWith(`${activationsPath}: `) && / (probed|cancelled) in /.test(m));
  assert.deepEqual(jobs.map((m) => m.replace(/ in \d+ ms$/, '')), [`${activationsPath}: 2 function(s) probed`]);
  assert.ok(h.published.get(d.uri)?.some((x) => x.code === 'GP303'));
});

test('edits cancel probes for the old text; only the newest text is published', async () => {
  const h = harness({ debounceMs: 0 });
  const path = join(workspace, 'activations.py');
  const first = doc(path, activations);
  h.service.update(first, 'open');
  const second = doc(path, activations.replace('tf.math.log(x * x)', 'tf.math.log(x * x + 1.0)'));
  h.service.update(second, 'change');
  await h.service.idle();
  const diags = h.published.get(second.uri)!;
  assert.ok(!diags.some((x) => x.code === 'GP303'), 'the published diagnostics are for the new text');
});

test('strange files: binary, unparsable, huge — the service answers and keeps serving', async () => {
  const h = harness();
  const bin = doc(join(workspace, 'weights.py'), 'PK\u0003\u0004\u0000\u0000binary\u0000');
  h.service.update(bin, 'open');
  const broken = doc(join(workspace, 'broken.py'), 'import torch\n\ndef act(x:\n    return torch.log(x\n\nclass (:\n');
  h.service.update(broken, 'open');
  const lines = ['import torch', ''];
  for (let i = 0; lines.length < 20_000; i++) lines.push(`def helper_${i}(a, b):`, `    return a + b * ${i}`, '');
  const huge = doc(join(workspace, 'huge.py'), lines.join('\n'));
  h.service.update(huge, 'open');
  const good = doc(activationsPath, activations);
  h.service.update(good, 'open');
  await h.service.idle();
  assert.deepEqual(h.published.get(bin.uri)?.map((x) => x.code), ['GP002']);
  assert.ok(h.published.get(broken.uri), 'the broken file got an answer');
  assert.deepEqual(h.published.get(huge.uri), []);
  assert.ok(h.published.get(good.uri)!.some((x) => x.code === 'GP303'));
  assert.deepEqual(await h.service.codeLenses(huge.uri), []);
  assert.equal(h.service.hover(bin.uri, { line: 0, character: 0 }), null);
});
