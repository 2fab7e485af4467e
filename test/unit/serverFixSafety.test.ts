// Nothing lost: the server writes to user files only through quick fixes the user applies, and a fix
// whose diagnostic no longer matches the text (the file changed meanwhile) is refused, never applied
// to whatever now sits at the old range. Offered fixes are versioned, touch only the diagnosed text,
// and diagnostics the server did not make are ignored.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { CodeAction, Diagnostic, TextDocumentEdit } from 'vscode-languageserver-protocol';
import { InProcessRunner } from '../../src/server/inProcessRunner';
import { fixAllKind, ProbeService, type UnitSource } from '../../src/server/probeService';
import { resolveSettings } from '../../src/server/settingsStore';
import { lineStarts, offsetAt } from '../../src/server/sourceText';

const workspace = join(process.cwd(), 'test/fixtures/e2e/workspace/typing');
const path = join(workspace, 'activations.py');
const original = readFileSync(path, 'utf8');
const uri = pathToFileURL(path).href;

function setup() {
  const published = new Map<string, Diagnostic[]>();
  const service = new ProbeService({
    settingsFor: async (_u, filePath) => resolveSettings({ backend: 'cpu' }, filePath, workspace),
    publish: (u, d) => published.set(u, d), status: () => undefined, refreshLenses: () => undefined, log: () => undefined,
  }, new InProcessRunner());
  let version = 0;
  const update = (text: string, trigger: 'open' | 'change'): UnitSource => {
    const source: UnitSource = { uri, kind: 'document', path, filePath: path, language: 'python', views: [{ uri, version: ++version, text }], analysisText: text };
    service.update(source, trigger);
    return source;
  };
  return { service, published, update, version: () => version };
}

function apply(text: string, action: CodeAction): string {
  const change = action.edit!.documentChanges![0] as TextDocumentEdit;
  const starts = lineStarts(text);
  const edits = change.edits.map((e) => ({ s: offsetAt(text, starts, e.range.start), e: offsetAt(text, starts, e.range.end), t: e.newText })).sort((a, b) => b.s - a.s);
  for (const e of edits) text = text.slice(0, e.s) + e.t + text.slice(e.e);
  return text;
}

test('offered fixes are versioned and change only the diagnosed text (and a suppression comment on its line)', async () => {
  const h = setup();
  h.update(original, 'open');
  await h.service.idle();
  const gp303 = h.published.get(uri)!.find((d) => d.code === 'GP303')!;
  const actions = await h.service.codeActions(uri, gp303.range, { diagnostics: [gp303] });
  assert.ok(actions.length >= 2);
  for (const a of actions) {
    const change = a.edit!.documentChanges![0] as TextDocumentEdit;
    assert.equal(change.textDocument.version, h.version(), `${a.title}: versioned`);
    const after = apply(original, a).split('\n');
    const before = original.split('\n');
    // Lines other than the diagnostic's are untouched.
    assert.equal(after.length, before.length, a.title);
    before.forEach((line, i) => { if (i !== gp303.range.start.line) assert.equal(after[i], line, `${a.title} changed line ${i + 1}`); });
  }
});

test('lines added above the diagnosed code: the stale diagnostic\'s fixes are refused, not applied to what is now there', async () => {
  const h = setup();
  h.update(original, 'open');
  await h.service.idle();
  const stale = h.published.get(uri)!.filter((d) => d.code === 'GP303' || d.code === 'GP304');
  assert.ok(stale.length >= 2);
  // The user adds two lines at the top before the client asks for fixes for the old diagnostics.
  const shifted = `# a comment\nimport math\n${original}`;
  h.update(shifted, 'change');
  for (const d of stale) {
    const at = shifted.split('\n')[d.range.start.line].slice(d.range.start.character, d.range.end.character);
    assert.notEqual(at, (d.data as { text: string }).text, 'the old range now holds other text');
    assert.deepEqual(await h.service.codeActions(uri, d.range, { diagnostics: [d] }), [], `${d.code} at the old range`);
  }
  assert.deepEqual(await h.service.codeActions(uri, stale[0].range, { diagnostics: [], only: [fixAllKind] }), [], 'fix-all with stale diagnostics does nothing');
  await h.service.idle();
  // Once re-probed, the new diagnostics carry the new positions, and their fixes apply where the code is.
  const fresh = h.published.get(uri)!.find((d) => d.code === 'GP303')!;
  assert.equal(fresh.range.start.line, stale.find((d) => d.code === 'GP303')!.range.start.line + 2);
  const fix = (await h.service.codeActions(uri, fresh.range, { diagnostics: [fresh] }))[0];
  assert.match(apply(shifted, fix), /tf\.math\.log\(x \* x \+ 1e-7\)/);
});

test('the diagnosed text edited in place, the file shortened past the range, or a diagnostic that is not ours: refused', async () => {
  const h = setup();
  h.update(original, 'open');
  await h.service.idle();
  const gp303 = h.published.get(uri)!.find((d) => d.code === 'GP303')!;
  h.update(original.replace('tf.math.log(x * x)', 'tf.math.log(x + x)'), 'change');
  assert.deepEqual(await h.service.codeActions(uri, gp303.range, { diagnostics: [gp303] }), [], 'edited in place');
  h.update('import tensorflow as tf\n', 'change');
  assert.deepEqual(await h.service.codeActions(uri, gp303.range, { diagnostics: [gp303] }), [], 'the range is past the end of the file now');
  h.update(original, 'change');
  const forged: Diagnostic[] = [
    { ...gp303, source: 'pylint' },
    { ...gp303, data: undefined },
    { ...gp303, data: { text: 42 } },
  ];
  for (const d of forged) assert.deepEqual(await h.service.codeActions(uri, d.range, { diagnostics: [d] }), [], JSON.stringify(d.data ?? d.source));
  await h.service.idle();
});
