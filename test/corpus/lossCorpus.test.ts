// Runs the loss probe on every labelled loss of a labelled corpus (the folder in GRADPROBE_CORPUS,
// set by `npm run test:corpus -- --corpus DIR`) and checks its GP2xx codes against the labels'
// expect/forbid lists. Fails when the corpus is not there. Prints a table (family, codes, time) as
// test diagnostics.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { before, test } from 'node:test';
import { defaultBudget, findTarget } from '../../src/core/api';
import { defaultSettings } from '../../src/core/config/settings';
import { initEngine } from '../../src/core/engine';
import { documentFromText, parseDocument } from '../../src/core/parse/document';
import { loadGrammars } from '../../src/core/parse/treeSitter';
import { probeLoss } from '../../src/core/probe/loss';
import { buildProgram, createEvaluator } from '../../src/core/translate/translate';

interface Label {
  file: string;
  name: string;
  kind: string;
  expect: string[];
  forbid: string[];
}

const corpus = resolve(process.env.GRADPROBE_CORPUS ?? '');
const present = process.env.GRADPROBE_CORPUS !== undefined && existsSync(join(corpus, 'labels.json'));


before(async () => {
  if (!present) return;
  await Promise.all([loadGrammars(), initEngine('cpu')]);
});

test('corpus losses: expected GP2xx codes found, forbidden ones absent', (t) => {
  // Without the corpus this suite cannot run, and says so by failing.
  assert.ok(present, `the labelled corpus was not found at ${corpus} (run it as npm run test:corpus -- --corpus DIR)`);
  const labels = (JSON.parse(readFileSync(join(corpus, 'labels.json'), 'utf8')) as Label[]).filter((l) => l.kind === 'loss');
  const problems: string[] = [];
  for (const label of labels) {
    const path = join(corpus, label.file);
    const module = parseDocument(documentFromText(label.file, readFileSync(path, 'utf8')));
    const target = findTarget(module, label.name, 'loss');
    if (!target) { problems.push(`${label.name}: not found`); continue; }
    const program = buildProgram(target, createEvaluator({ modules: [module] }, defaultBudget()));
    const t0 = performance.now();
    const result = probeLoss(program, defaultSettings);
    const ms = performance.now() - t0;
    const codes = [...new Set(result.findings.map((f) => f.code))];
    t.diagnostic(`${label.name.padEnd(34)} ${result.data.family.padEnd(36)} ${codes.join(',').padEnd(22)} ${ms.toFixed(0)} ms`);
    for (const c of label.expect.filter((x) => x.startsWith('GP2'))) if (!codes.includes(c)) problems.push(`${label.name}: missing ${c}`);
    for (const c of label.forbid.filter((x) => x.startsWith('GP2'))) if (codes.includes(c)) problems.push(`${label.name}: forbidden ${c}: ${result.findings.find((f) => f.code === c)?.message}`);
  }
  assert.deepEqual(problems, []);
});
