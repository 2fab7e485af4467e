// The interval arithmetic under the source rules' range reading: open and closed ends, 0 · ∞,
// reciprocals of intervals that hold 0, even powers, sums of unknown length, loop widening.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  NONNEGATIVE, POSITIVE, REAL, UNIT, add, contains, div, exp, formatInterval, interval, join, log, meet, mul, negate, point, pow,
  reciprocal, sqrt, sub, sumOf, widen,
} from '../../src/core/rules/interval';

const f = formatInterval;

test('ends: open and closed, and 0 held or not', () => {
  assert.equal(f(POSITIVE), '(0, ∞)');
  assert.equal(f(NONNEGATIVE), '[0, ∞)');
  assert.ok(contains(NONNEGATIVE, 0));
  assert.ok(!contains(POSITIVE, 0));
  assert.ok(contains(REAL, 0));
  assert.equal(f(point(1e-5)), '1e-5');
});

test('sums: a positive constant lifts a non-negative value off 0', () => {
  assert.equal(f(add(NONNEGATIVE, point(1e-5))), '[1e-5, ∞)');
  assert.equal(f(add(POSITIVE, NONNEGATIVE)), '(0, ∞)');
  assert.equal(f(sub(point(1), UNIT)), '[0, 1]');
  assert.equal(f(negate(interval(0, 2, true))), '[-2, 0)');
});

test('products: corners, signs, and 0 · ∞ as the limit 0', () => {
  assert.equal(f(mul(UNIT, NONNEGATIVE)), '[0, ∞)');
  assert.equal(f(mul(POSITIVE, POSITIVE)), '(0, ∞)');
  assert.equal(f(mul(interval(-1, 0), NONNEGATIVE)), '(−∞, 0]');
  assert.equal(f(mul(REAL, point(0.5))), '(−∞, ∞)');
  assert.equal(f(mul(point(0), REAL)), '0');
});

test('reciprocals and quotients: undefined through 0, infinite at an open 0', () => {
  assert.equal(reciprocal(NONNEGATIVE), undefined);
  assert.equal(reciprocal(interval(-1, 1)), undefined);
  assert.equal(f(reciprocal(POSITIVE)!), '(0, ∞)');
  assert.equal(f(reciprocal(interval(2, 4))!), '[0.25, 0.5]');
  assert.equal(f(div(point(1), interval(1e-5, Infinity))), '(0, 1e+5]');
  assert.equal(f(div(UNIT, UNIT)), '(−∞, ∞)');
});

test('monotone functions: exp, log, sqrt', () => {
  assert.equal(f(exp(interval(-Infinity, 0))), '(0, 1]');
  assert.ok(exp(REAL).hi === Infinity);
  assert.equal(f(log(interval(1, Infinity))), '[0, ∞)');
  assert.equal(log(UNIT).lo, -Infinity);
  assert.equal(f(sqrt(interval(1, 4))), '[1, 2]');
});

test('powers: even powers are non-negative, negative powers reciprocal, fractional ones of the non-negative part', () => {
  assert.equal(f(pow(REAL, 2)), '[0, ∞)');
  assert.equal(f(pow(interval(-3, 2), 2)), '[0, 9]');
  assert.equal(f(pow(interval(-2, 1), 3)), '[-8, 1]');
  assert.equal(f(pow(interval(2, 4), -1)), '[0.25, 0.5]');
  assert.equal(f(pow(interval(4, 9), 0.5)), '[2, 3]');
});

test('sums of unknown length keep the sign only', () => {
  assert.equal(f(sumOf(UNIT)), '[0, ∞)');
  assert.equal(f(sumOf(POSITIVE)), '(0, ∞)');
  assert.equal(f(sumOf(interval(-Infinity, 0))), '(−∞, 0]');
  assert.equal(f(sumOf(interval(-1, 1))), '(−∞, ∞)');
});

test('join, meet and widening', () => {
  assert.equal(f(join(point(0), POSITIVE)), '[0, ∞)');
  assert.equal(f(meet(REAL, UNIT)), '[0, 1]');
  assert.equal(f(meet(POSITIVE, UNIT)), '(0, 1]');
  assert.equal(f(widen(UNIT, interval(0, 2))), '[0, ∞)');
  assert.equal(f(widen(UNIT, UNIT)), '[0, 1]');
});
