// TypeScript read with the TSX grammar: the angle-bracket forms TSX would take for JSX (type
// assertions, a generic arrow's bare type parameters) are blanked before parsing, position for
// position; comparisons, generic calls and the `<` inside strings, templates, comments and regular
// expressions are left alone.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { analyzeSources } from '../../src/core/analyze';
import { defaultSettings, mergeSettings } from '../../src/core/config/settings';
import { blankAngleBracketTypes } from '../../src/core/parse/angleBrackets';

const blank = (text: string): string => blankAngleBracketTypes(text);

test('type assertions and bare type parameters at the start of an expression are blanked, lengths kept', () => {
  const cases: [string, string][] = [
    ['const y = <number>x;', 'const y =         x;'],
    ['return <tf.Tensor>tf.relu(<tf.Tensor>x);', 'return            tf.relu(           x);'],
    ['const f = <T>(x: T): T => x;', 'const f =    (x: T): T => x;'],
    ['const g = async <T, U>(x: T, y: U) => x;', 'const g = async       (x: T, y: U) => x;'],
    ['const a = <Array<number>>x, b = <{ a: number }>o;', 'const a =                x, b =                o;'],
    ['const c = <(a: number) => number>fn;', 'const c =                        fn;'],
    ['const k = <const>[1, 2];', 'const k =        [1, 2];'],
    ['f(\n  <number>\n  x)', 'f(\n          \n  x)'],
  ];
  for (const [input, expected] of cases) {
    const out = blank(input);
    assert.equal(out, expected, input);
    assert.equal(out.length, input.length);
  }
});

test('comparisons, generic calls and angle brackets inside literals and comments stay', () => {
  for (const text of [
    'const k = a < b && c > d;',
    'const m = f<number>(x), n = x! < 2, p = xs[0] < 1, q = g(x) < 2;',
    'const s = "<number>x", t = \'<T>\', r = /<a>/g; // <number>z',
    '/* <number>x */ const u = `<b>${a < b}`;',
    'let v: Array<number> = [];',
  ]) assert.equal(blank(text), text);
});

test('a TypeScript file with angle-bracket assertions and a generic arrow is listed and probed like its `as` twin', async () => {
  const path = 'angle_brackets.ts';
  const text = readFileSync(join(__dirname, '..', '..', 'test', 'fixtures', 'detection', path), 'utf8');
  const [report] = await analyzeSources([{ path, text }], { settings: mergeSettings(defaultSettings, { backend: 'cpu' }) });
  const probed = Object.fromEntries(report.functions.map((f) => [f.name, `${f.kind} ${f.probe.status}`]));
  assert.deepEqual(probed, { scaledTanh: 'activation ok', softsign: 'activation ok', clippedLoss: 'loss ok' });
});

test('unclosed angle brackets and parentheses, however many, leave the text as it was', () => {
  const text = `const x = ${'<('.repeat(50_000)}y;`;
  assert.equal(blank(text), text);
});
