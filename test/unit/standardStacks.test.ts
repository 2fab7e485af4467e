// The depth probe reads its standard activations' stacks from standardStacks.json instead of
// measuring them in every process: the table must be what the stack measures today, and every
// probe must find its stacks there.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { frameworks } from '../../src/core/ir/frameworks';
import { computeStandardStacks, formatStandardStacks, initFor, measureStack, standardForCollapse, standardStack, standardStackActivation } from '../../src/core/probe/depth';
import table from '../../src/core/probe/standardStacks.json';

test('standardStacks.json is a fresh measurement of the stack, to the last digit (else: npm run gen:standard-stacks)', () => {
  const fresh = computeStandardStacks();
  assert.deepEqual(JSON.parse(formatStandardStacks(fresh)), table, 'the stack changed: run npm run gen:standard-stacks');
});

test('every framework\'s standard stacks come from the table, equal to measuring them', () => {
  const stacks = table.stacks as Record<string, unknown>;
  for (const framework of frameworks) {
    const init = initFor(framework);
    for (const name of standardForCollapse) {
      const served = standardStack(name, init);
      assert.ok(Object.values(stacks).includes(served), `${framework} ${name}: measured again, not read from the table`);
      const measured = measureStack(standardStackActivation(name), init, 1, 7);
      assert.deepEqual(served.variances, measured.variances, `${framework} ${name}`);
      assert.equal(served.gradientRatio, measured.gradientRatio, `${framework} ${name}`);
    }
  }
});

test('a stack outside the table is measured (another seed)', () => {
  const init = initFor('pytorch');
  const other = standardStack('tanh', init, 11);
  assert.ok(!Object.values(table.stacks as Record<string, unknown>).includes(other));
  assert.deepEqual(other.variances, measureStack(standardStackActivation('tanh'), init, 1, 11).variances);
});
