// The mean-field gain: the weight scale at which the predicted gradient ratio through the stack is 1,
// found to about 1e-5 of itself, and NaN where no scale in [1e-3, 1e3] gets there.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { initFor, meanFieldGain, phiFromTable, predictDepth, scaledInit } from '../../src/core/probe/depth';

function phiOf(f: (x: number) => number) {
  const x: number[] = [];
  for (let i = 0; i <= 2800; i++) x.push(-7 + (14 * i) / 2800);
  const h = 1e-6;
  return phiFromTable({ x, f: x.map(f), df: x.map((v) => (f(v + h) - f(v - h)) / (2 * h)) });
}

const shapes: [string, (x: number) => number][] = [
  ['tanh', Math.tanh], ['sigmoid', (x) => 1 / (1 + Math.exp(-x))], ['relu', (x) => Math.max(0, x)],
  ['0.1·tanh', (x) => 0.1 * Math.tanh(x)], ['5·tanh', (x) => 5 * Math.tanh(x)], ['x³', (x) => x ** 3], ['sin', Math.sin],
];

test('at the mean-field gain the predicted gradient ratio is 1, to the gain\'s tolerance', () => {
  for (const [name, f] of shapes) {
    for (const framework of ['pytorch', 'tensorflow', 'jax'] as const) {
      const init = initFor(framework);
      const phi = phiOf(f);
      const g = meanFieldGain(phi, init);
      assert.ok(Number.isFinite(g) && g > 0, `${name} ${framework}: ${g}`);
      const ratio = (gain: number) => predictDepth(phi, scaledInit(init, gain)).gradientRatio;
      // The crossing lies within a relative 1e-5 of the gain: the ratio is below 1 just under it and at least 1 just over it.
      assert.ok(ratio(g * (1 - 2e-5)) < 1 && ratio(g * (1 + 2e-5)) >= 1, `${name} ${framework}: ratio ${ratio(g * (1 - 2e-5))} .. ${ratio(g * (1 + 2e-5))} around gain ${g}`);
    }
  }
});

test('a function whose ratio never reaches 1 in [1e-3, 1e3] has no mean-field gain', () => {
  // A constant has f′ = 0: no gain carries a gradient through the stack.
  assert.ok(Number.isNaN(meanFieldGain(phiOf(() => 0.5), initFor('pytorch'))));
});
