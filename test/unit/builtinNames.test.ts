// A name the function does not define falls back to the builtins table; the names of JavaScript's
// object machinery (constructor, toString, __proto__ …) are not builtins of either language and
// must be unknown names (GP001), never a host object or an engine failure.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { evaluateFunction } from '../../src/core/api';

const machinery = ['constructor', 'toString', 'valueOf', 'hasOwnProperty', 'isPrototypeOf', '__proto__', '__defineGetter__'];

for (const name of machinery) {
  test(`'${name}' is an unknown name in Python and in JavaScript`, async () => {
    const python = `def act(x):\n    return x + ${name}\n`;
    await assert.rejects(evaluateFunction({ path: 'm.py', text: python, name: 'act', x: [1], backend: 'cpu' }), (err: Error) => err.message.includes(`name \`${name}\` is not defined`));
    const js = `export const act = (x) => x + ${name};\n`;
    await assert.rejects(evaluateFunction({ path: 'm.js', text: js, name: 'act', x: [1], backend: 'cpu' }), (err: Error) => err.message.includes(`name \`${name}\` is not defined`));
  });
}

test('real builtins still resolve (len, abs in Python; Math in JavaScript)', async () => {
  const py = await evaluateFunction({ path: 'm.py', text: 'def act(x):\n    return x * len([1, 2, 3]) + abs(-1)\n', name: 'act', x: [2], backend: 'cpu' });
  assert.deepEqual('y' in py ? py.y : undefined, [7]);
  const js = await evaluateFunction({ path: 'm.js', text: 'export const act = (x) => x * Math.PI;\n', name: 'act', x: [1], backend: 'cpu' });
  assert.ok('y' in js && Math.abs(Number(js.y[0]) - Math.PI) < 1e-6);
});
