// docs/rules: every catalog code has its page (the diagnostics link to it) whose generated block
// matches the catalog and whose hand-written body has its sections; the index is current.
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ruleHeader, settlementText, staleRuleDocs } from '../../scripts/ruleDocs';
import { ruleCatalog, ruleFor } from '../../src/core/findings/rules';

const root = process.cwd();

test('docs/rules: every page and the index are current with the catalog (npm run docs:rules)', () => {
  assert.deepEqual(staleRuleDocs(root), []);
});

test('a stale header, a missing page, an unwritten body or a stale index is reported', () => {
  const copy = mkdtempSync(join(tmpdir(), 'gp-docs-'));
  try {
    cpSync(join(root, 'docs/rules'), join(copy, 'docs/rules'), { recursive: true });
    const page = join(copy, 'docs/rules/GP303.md');
    writeFileSync(page, readFileSync(page, 'utf8').replace('| Default severity | warning |', '| Default severity | error |'));
    unlinkSync(join(copy, 'docs/rules/GP110.md'));
    const gp201 = join(copy, 'docs/rules/GP201.md');
    writeFileSync(gp201, readFileSync(gp201, 'utf8').replace(/## Example[\s\S]*?## The fix/, '## Example\n\n_Not written yet._\n\n## The fix'));
    const index = join(copy, 'docs/rules/README.md');
    writeFileSync(index, readFileSync(index, 'utf8').replace('| nan-output |', '| nan-out |'));
    const problems = staleRuleDocs(copy);
    assert.ok(problems.some((p) => p.startsWith('GP303.md: the generated block differs')), problems.join('\n'));
    assert.ok(problems.includes('GP110.md is missing'), problems.join('\n'));
    assert.ok(problems.includes('GP201.md: a section is not written yet'), problems.join('\n'));
    assert.ok(problems.some((p) => p.startsWith('README.md')), problems.join('\n'));
  } finally {
    rmSync(copy, { recursive: true, force: true });
  }
});

test('pages state the escalation where it applies, and offer only severities the settings accept', () => {
  assert.match(settlementText(ruleFor('GP303')!)!, /^raised to error when the probe confirms it \(GP101, GP102, GP201 or GP202\)/);
  assert.match(settlementText(ruleFor('GP304')!)!, /stays warning when GP103 confirms it/);
  assert.match(settlementText(ruleFor('GP302')!)!, /kept when the probe ran and reported none of them/);
  for (const rule of ruleCatalog) {
    const header = ruleHeader(rule);
    assert.equal(header.includes('Settled by the probe'), rule.kind === 'source', rule.code);
    // The project config takes error | warning | info (a code is dropped with ignore); "off" is the editor's.
    for (const m of header.matchAll(/severity = \{ GP\d{3} = "(\w+)" \}/g)) assert.ok(['error', 'warning', 'info'].includes(m[1]), `${rule.code}: ${m[0]}`);
    for (const m of header.matchAll(/"gradprobe\.severity": \{ "GP\d{3}": "(\w+)" \}/g)) assert.ok(['error', 'warning', 'info', 'off'].includes(m[1]), `${rule.code}: ${m[0]}`);
  }
});
