// Why a function was not probed, classified honestly: a translation limit or code that raises on the
// probe's inputs is GP001 (status unsupported) at a line of the function's own file; GP002 (status
// failed) is kept for budgets and failures of the engine itself (and only those ask for a bug report).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyzeSources, classifyFailure } from '../../src/core/analyze';
import { defaultSettings, mergeSettings } from '../../src/core/config/settings';
import { detectFunctions } from '../../src/core/detect/detect';
import type { FunctionReport, Finding } from '../../src/core/findings/types';
import { InputsRefused, MissingArgument, ProbeBudgetExceeded, UnsupportedConstruct, UserCodeError } from '../../src/core/ir/errors';
import { documentFromText, parseDocument } from '../../src/core/parse/document';
import { prepareEngine } from '../../src/core/analyze';

async function probe(text: string, name: string): Promise<{ fn: FunctionReport; finding?: Finding }> {
  const [report] = await analyzeSources([{ path: 'case.py', text }], { settings: mergeSettings(defaultSettings, { backend: 'cpu', timeBudgetMs: 1500 }) });
  const fn = report.functions.find((f) => f.name === name);
  assert.ok(fn, `${name} is not listed`);
  return { fn, finding: report.findings.find((f) => f.function === name && (f.code === 'GP001' || f.code === 'GP002')) };
}

test('an op the tables lack is GP001 (unsupported) at its line, without a bug-report request', async () => {
  const { fn, finding } = await probe('import torch\n\ndef zeta_act(x):  # gradprobe: activation\n    return torch.special.zeta(x, 2.0)\n', 'zeta_act');
  assert.equal(fn.probe.status, 'unsupported');
  assert.equal(finding?.code, 'GP001');
  assert.equal(finding.span.startLine, 3);
  assert.doesNotMatch(finding.message, /report this/);
});

test('a hyper-parameter without a value is GP001 naming the argument, not GP002', async () => {
  const text = 'import torch\n\ndef margin_loss(input, target, offset_table):  # gradprobe: loss\n    return torch.relu(offset_table - input * target).mean()\n';
  const { fn, finding } = await probe(text, 'margin_loss');
  assert.equal(finding?.code, 'GP001', finding?.message);
  assert.equal(fn.probe.status, 'unsupported');
  assert.match(finding.message, /needs a value for the argument [`']offset_table[`']/);
});

test('a loss that raises on every input shape is GP001 at the raise', async () => {
  const text = [
    'import torch',
    '',
    'def volume_loss(input, target):  # gradprobe: loss',
    // No layout the probe tries has 7 axes (it does try images of 4 and 5).
    '    if input.dim() != 7:',
    '        raise ValueError("expects 7-D tensors")',
    '    return (input - target).abs().mean()',
  ].join('\n');
  const { fn, finding } = await probe(text, 'volume_loss');
  assert.equal(finding?.code, 'GP001', finding?.message);
  assert.equal(fn.probe.status, 'unsupported');
  assert.match(finding.message, /could not be probed: the loss raised an error on every input shape tried/);
  assert.equal(finding.span.startLine, 4, 'the GP001 points at the raise');
  assert.doesNotMatch(finding.message, /report this/);
});

test('a function that never returns is GP002 (the budget), without a bug-report request', async () => {
  const text = 'def spin(x):  # gradprobe: activation\n    while True:\n        x = x * 0.5\n    return x\n';
  const { fn, finding } = await probe(text, 'spin');
  assert.equal(finding?.code, 'GP002', finding?.message);
  assert.equal(fn.probe.status, 'failed');
  assert.doesNotMatch(finding.message, /report this/);
});

test('classification of each failure kind', async () => {
  await prepareEngine('cpu');
  const module = parseDocument(documentFromText('k.py', 'def act(x):  # gradprobe: activation\n    return x\n'));
  const target = detectFunctions([module]).find((d) => d.name === 'act')!;
  const span = { startLine: 1, startCol: 4, endLine: 1, endCol: 12 };
  const cases: [unknown, string, boolean, boolean][] = [
    [new UnsupportedConstruct('torch.foo', span, 'not in the op tables'), 'GP001', true, false],
    [new MissingArgument('f', 'beta', span), 'GP001', true, false],
    [new UserCodeError('division by zero', span), 'GP001', false, false],
    [new InputsRefused('the loss raised an error on every input shape tried', span), 'GP001', false, false],
    // TF.js refuses a shape with a plain Error: the function's code on this input.
    [new Error('Operands could not be broadcast together with shapes 8,4 and 3'), 'GP001', false, false],
    [new ProbeBudgetExceeded('the probe ran past its time budget'), 'GP002', false, false],
    // A JavaScript TypeError is GradProbe's own bug: the only kind that asks for a report.
    [new TypeError("Cannot read properties of undefined (reading 'shape')"), 'GP002', false, true],
  ];
  for (const [err, code, translation, engine] of cases) {
    const f = classifyFailure(err, target);
    assert.deepEqual([f.code, f.translation, f.engine], [code, translation, engine], `${(err as Error).constructor.name}: ${(err as Error).message}`);
  }
  const elsewhere = new UnsupportedConstruct('torch.foo', span, 'not in the op tables');
  elsewhere.path = 'pkg/helpers.py';
  const f = classifyFailure(elsewhere, target);
  assert.deepEqual(f.span, target.nameSpan, 'a span in another file is not used in this one');
  assert.match(f.reason, /\(in pkg\/helpers\.py, line 2\)/);
});
