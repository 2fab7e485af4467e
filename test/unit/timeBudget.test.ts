// The probe's time budget is CPU time: a machine loaded by other programs stretches a probe's wall
// time, not the work it does, so load alone must not stop a probe (GP002). Past the wall deadline the
// evaluator goes on while the process has not used the budget's CPU time; a probe that burns its CPU
// budget, or reaches the hard wall deadline, is stopped as before.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { findTarget } from '../../src/core/api';
import { initEngine } from '../../src/core/engine';
import { ProbeBudgetExceeded } from '../../src/core/ir/errors';
import { documentFromText, parseDocument } from '../../src/core/parse/document';
import { loadGrammars } from '../../src/core/parse/treeSitter';
import { Worker } from 'node:worker_threads';
import { cpuClockPerThread, cpuTimeMs } from '../../src/core/translate/cpuClock.node';
import type { Budget } from '../../src/core/translate/evaluator';
import { budgetSpent, cpuBudget } from '../../src/core/translate/timeBudget';
import { buildProgram, createEvaluator } from '../../src/core/translate/translate';

before(async () => {
  await Promise.all([loadGrammars(), initEngine('cpu')]);
});

// Enough interpreter steps to pass the evaluator's time check (every 1024 steps) many times.
const source = 'import torch\n\ndef looped(x):  # gradprobe: activation\n    for i in range(3000):\n        x = x * 1.0\n    return x\n';

function run(budget: Budget): number[] {
  const module = parseDocument(documentFromText('looped.py', source));
  const target = findTarget(module, 'looped', 'activation');
  assert.ok(target);
  const program = buildProgram(target, createEvaluator({ modules: [module] }, budget));
  return tf.tidy(() => Array.from(program.run([tf.tensor1d([1, 2])]).dataSync()));
}

test('a wall deadline already passed (a loaded machine) does not stop a probe with CPU budget left', () => {
  const wallPassed = Date.now() - 1;
  assert.deepEqual(run({ maxSteps: 2_000_000, deadline: wallPassed, maxElements: 1e7, cpu: cpuBudget(60_000) }), [1, 2]);
});

test('without a CPU budget the wall deadline alone stops it, as it stops a probe whose CPU budget is spent', () => {
  const wallPassed = Date.now() - 1;
  assert.throws(() => run({ maxSteps: 2_000_000, deadline: wallPassed, maxElements: 1e7 }), ProbeBudgetExceeded);
  const spent = { start: cpuTimeMs() - 1000, ms: 500, hardDeadline: Date.now() + 60_000 };
  assert.throws(() => run({ maxSteps: 2_000_000, deadline: wallPassed, maxElements: 1e7, cpu: spent }), ProbeBudgetExceeded);
});

test('the hard wall deadline ends a probe whatever the CPU clock says; threads sharing the process multiply the CPU budget', () => {
  const fresh = cpuBudget(60_000);
  assert.equal(budgetSpent(fresh), false);
  assert.equal(budgetSpent({ ...fresh, hardDeadline: Date.now() - 1 }), true);
  assert.equal(budgetSpent(undefined), true);
  assert.equal(cpuBudget(2000, 4, false).ms, 8000);
  assert.equal(cpuBudget(2000, 0, false).ms, 2000);
  assert.equal(cpuBudget(2000, 4, true).ms, 2000, 'a per-thread clock is not shared: no multiplier');
});

function processCpuMs(): number {
  const used = process.cpuUsage();
  return (used.user + used.system) / 1000;
}

/** A fixed amount of work (not a fixed time: the machine's load must not change what is measured). */
const work = 'let acc = 0; for (let i = 0; i < 400_000_000; i++) acc = (acc + i) % 1000003;';

test('on Linux the clock is the calling thread\'s: its own work advances it, another thread\'s does not', async () => {
  if (process.platform !== 'linux') {
    assert.equal(cpuClockPerThread(), false, 'without /proc/thread-self the process clock stands in');
    return;
  }
  assert.equal(cpuClockPerThread(), true, 'Linux gives /proc/thread-self: the clock must be per thread');
  // This thread's work: the thread clock sees about what the process clock sees.
  let [thread, proc] = [cpuTimeMs(), processCpuMs()];
  new Function(work)();
  [thread, proc] = [cpuTimeMs() - thread, processCpuMs() - proc];
  assert.ok(proc > 50 && thread > 0.7 * proc, `this thread's work: thread clock +${thread} ms, process clock +${proc} ms`);
  // A worker's work while this thread waits: the process clock sees it, this thread's clock does not.
  [thread, proc] = [cpuTimeMs(), processCpuMs()];
  const worker = new Worker(work, { eval: true });
  await new Promise((resolve, reject) => { worker.once('exit', resolve); worker.once('error', reject); });
  [thread, proc] = [cpuTimeMs() - thread, processCpuMs() - proc];
  assert.ok(proc > 50 && thread < 0.3 * proc, `a worker's work: this thread's clock +${thread} ms, process clock +${proc} ms`);
});
