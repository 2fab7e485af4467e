// What the activation probe's messages and evidence say: the points they quote, the cause of a NaN or
// Inf with its op and line, where a custom gradient is most wrong.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { distinctPoints } from '../../src/core/probe/activation';
import { formatNumber } from '../../src/core/findings/formatNumber';
import { analyze, fn } from '../helpers';

const header = 'import torch\nimport torch.nn.functional as F\n\n';

async function probe(body: string, name: string) {
  const reports = await analyze({ 'acts.py': `${header}${body}\nACTIVATIONS = {"a": ${name}}\n` });
  return fn(reports, name);
}

const one = (r: Awaited<ReturnType<typeof probe>>, code: string) => {
  const f = r.findings.find((x) => x.code === code);
  assert.ok(f, `${code} expected; got ${r.findings.map((x) => `${x.code}: ${x.message}`).join(' | ')}`);
  return f;
};

/** The points a message quotes after `x = `, as printed. */
const quotedPoints = (message: string): string[] => (/x = ([^:(]*?)(?: \(| while|:)/.exec(message)?.[1] ?? '').split(', ').map((s) => s.trim());

test('distinctPoints: points that print alike at three digits are quoted once, spread over the set', () => {
  const xs = [-6, -5.994, -5.988, -5.982, -3, 0.5];
  const d = distinctPoints(xs);
  assert.equal(new Set(d.map(formatNumber)).size, d.length);
  assert.deepEqual(d.map(formatNumber), ['-6', '-5.98', '0.5']);
  assert.deepEqual(distinctPoints([-5.994, -5.988]).map(formatNumber), ['-5.99']);
});

test('GP101 quotes distinct points and names the log and its line', async () => {
  const r = await probe('def past_four(x):\n    return torch.log(4 - x)\n', 'past_four');
  const f = one(r, 'GP101');
  const pts = quotedPoints(f.message);
  assert.ok(pts.length >= 2, f.message);
  assert.equal(new Set(pts).size, pts.length, f.message);
  const cause = f.evidence.cause as { what: string; op: string; line: number };
  assert.match(cause.what, /log of/);
  assert.equal(cause.op, 'torch.log');
  assert.equal(cause.line, 5);
  assert.match(f.message, /torch\.log on line 5/);
  assert.match(f.message, /clamp/);
});

test('GP101 for x·log|x| at 0 is 0·log 0', async () => {
  const r = await probe('def xlogx(x):\n    return x * torch.log(torch.abs(x))\n', 'xlogx');
  const f = one(r, 'GP101');
  assert.equal((f.evidence.cause as { what: string }).what, '0·log 0');
  assert.match(f.message, /xlogy/);
});

test('GP102 for sign(x)·sqrt|x| is sqrt at 0, on its line', async () => {
  const r = await probe('def root(x):\n    return torch.sign(x) * torch.sqrt(torch.abs(x))\n', 'root');
  const f = one(r, 'GP102');
  const cause = f.evidence.cause as { what: string; op: string; line: number; stage: string };
  assert.equal(cause.what, 'sqrt at 0');
  assert.equal(cause.op, 'torch.sqrt');
  assert.equal(cause.line, 5);
  assert.equal(cause.stage, 'gradient');
});

test('GP102 for a where whose discarded branch takes sqrt of negatives names the discarded branch', async () => {
  const r = await probe('def half_root(x):\n    return torch.where(x > 0, torch.sqrt(x), x)\n', 'half_root');
  const f = one(r, 'GP102');
  assert.match((f.evidence.cause as { what: string }).what, /discarded branch/);
  const pts = quotedPoints(f.message);
  assert.equal(new Set(pts).size, pts.length, f.message);
});

test('GP103 for log(1 + exp(x)) is exp overflow on its line', async () => {
  const r = await probe('def soft(x):\n    return torch.log(1 + torch.exp(x))\n', 'soft');
  const f = one(r, 'GP103');
  const cause = f.evidence.cause as { what: string; op: string; line: number };
  assert.match(cause.what, /exp overflow/);
  assert.equal(cause.op, 'torch.exp');
  assert.equal(cause.line, 5);
});

test('GP201: a loss whose static read names no cause gets the traced op and line', async () => {
  const reports = await analyze({ 'losses.py': 'import torch\n\ndef exp_loss(y_pred, y_true):\n    return torch.mean(torch.exp(3 * (y_pred - y_true) ** 2))\n' });
  const f = fn(reports, 'exp_loss').findings.find((x) => x.code === 'GP201');
  assert.ok(f, 'GP201 expected');
  assert.match(f.message, /exp overflow: torch\.exp on line 4/);
});

test('GP112 is shown where the custom gradient is most wrong relative to the slope', async () => {
  // The backward gives 1/(1+|x|) for a slope of 1/(1+|x|)²: off by a factor 1 + |x|, most at the sweep's ends.
  const src = `import torch

class BadSoftsign(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x / (1 + x.abs())

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g / (1 + x.abs())
`;
  const f = fn(await analyze({ 'fns.py': src }), 'BadSoftsign').findings.find((x) => x.code === 'GP112');
  assert.ok(f, 'GP112 expected');
  const worst = f.evidence.worst as { x: number; analytic: number; numeric: number; relError: number };
  assert.equal(Math.abs(worst.x), 6);
  assert.ok(Math.abs(worst.analytic / worst.numeric - 7) < 0.1, JSON.stringify(worst));
  for (const e of f.evidence.examples as { relError: number }[]) assert.ok(e.relError <= worst.relError);
  assert.match(f.message, /most wrong at x = -6, where it gives 0\.143 and the slope is 0\.0204 \(7× the true slope\)/);
});
