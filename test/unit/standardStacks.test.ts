// The standard depth stacks a host may compute ahead of its first probe (standardStackSteps): one
// step per standard activation, filling the cache the depth probe reads, with the very values the
// probe would measure itself, so a head start changes no finding.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEPTH, initFor, measureStack, standardBand, standardForCollapse, standardStack, standardStackActivation, standardStacksCached, standardStackSteps } from '../../src/core/probe/depth';

test('one step per standard activation; afterwards the band is read from the cache, equal to stacks measured afresh', () => {
  const init = { ...initFor('pytorch'), name: 'a test init', weightVar: 0.7 };
  const steps = standardStackSteps(init);
  assert.equal(steps.length, standardForCollapse.length);
  const before = standardStacksCached();
  for (const step of steps) step();
  assert.equal(standardStacksCached(), before + standardForCollapse.length, 'each step cached one stack');
  // The probe's own reads (GP111's band, the ReLU reference) find them: nothing more is measured.
  const band = standardBand(init);
  standardStack('ReLU', init);
  assert.equal(standardStacksCached(), before + standardForCollapse.length, 'the probe measured nothing more');
  for (const name of standardForCollapse) {
    const fresh = measureStack(standardStackActivation(name), init, 1, 7);
    assert.equal(band.variances[name], fresh.variances[DEPTH - 1], name);
  }
});
