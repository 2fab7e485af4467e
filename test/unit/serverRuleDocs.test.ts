// Every code in the catalog has its rule page (the diagnostics link to it), with the four sections.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ruleCatalog } from '../../src/core/findings/rules';

test('docs/rules/GPxxx.md for every code: meaning, why, example, fix', () => {
  for (const rule of ruleCatalog) {
    const page = readFileSync(join(process.cwd(), 'docs/rules', `${rule.code}.md`), 'utf8');
    assert.ok(page.startsWith(`# ${rule.code} ${rule.slug}\n`), rule.code);
    for (const section of ['## What it means', '## Why it stops learning', '## Example', '## The fix']) assert.ok(page.includes(section), `${rule.code}: ${section}`);
  }
});
