// `npm run bench`: speed figures on this machine (never a timed unit test).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { analyzeFunction, analyzeSources, parseInputs, prepareEngine } from '../../src/core/analyze';
import { defaultSettings, mergeSettings } from '../../src/core/config/settings';
import { detectFunctions } from '../../src/core/detect/detect';
import { probeActivation } from '../../src/core/probe/activation';
import { probeDepth } from '../../src/core/probe/depth';
import { probeLoss } from '../../src/core/probe/loss';
import { withTensorScope } from '../../src/core/probe/tensorScope';
import { LocatedError, ProbeBudgetExceeded } from '../../src/core/ir/errors';
import { walkPaths } from '../../src/core/workspace/walk';
import { trainingProbe } from '../../src/core/probe/training';
import { buildProgram, createEvaluator } from '../../src/core/translate/translate';
import { ProbeWorkspaceRequest } from '../../src/shared/customMessages';
import { LspServer } from '../support/lspServer';
import { generateWorkspace } from '../support/workspaceGen';

interface Figure { name: string; value: number; unit: string; target?: string }
const figures: Figure[] = [];
const json = process.argv.includes('--json');
const root = process.env.GRADPROBE_ROOT ?? process.cwd();
// The functions the probe medians run over: what a user benchmarks — the bundled examples and a
// generated tree of realistic modules (test/support/workspaceGen.ts) — or the folders named by
// --inputs DIR[,DIR] (to time a labelled collection of one's own).
const inputsFlag = process.argv.indexOf('--inputs');
const generatedTree = mkdtempSync(join(tmpdir(), 'gp-bench-inputs-'));
generateWorkspace(generatedTree, 24);
const inputDirs = inputsFlag > 0 ? process.argv[inputsFlag + 1].split(',') : [join(root, 'examples'), generatedTree];
const inputFiles = inputDirs.flatMap((dir) => walkPaths([dir], { cwd: root, include: [], exclude: [] }).files.map((f) => resolve(root, f)))
  .filter((f) => /\.(py|js|ts|ipynb)$/.test(f));
/** Inputs that could not be measured (a function outside the subset, a file that fails): said, never fatal. */
const failures: string[] = [];

/** Runs one input's measurement; a failure is recorded and the run goes on. */
function attempt(what: string, f: () => void): void {
  try {
    f();
  } catch (err) {
    failures.push(`${what}: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
  }
}

function record(name: string, value: number, unit: string, target?: string): void {
  figures.push({ name, value: Math.round(value * 100) / 100, unit, ...(target ? { target } : {}) });
  if (!json) console.log(`${name.padEnd(64)} ${String(Math.round(value * 100) / 100).padStart(10)} ${unit}${target ? `   (target ${target})` : ''}`);
}

const median = (xs: number[]): number => { const s = [...xs].sort((a, b) => a - b); return s.length ? s[Math.floor((s.length - 1) / 2)] : NaN; };

function time<T>(f: () => T): [T, number] {
  const t = performance.now();
  const r = f();
  return [r, performance.now() - t];
}

async function activationProbes(settings: typeof defaultSettings): Promise<void> {
  const { modules } = parseInputs(inputFiles.map((f) => ({ path: f, text: readFileSync(f, 'utf8') })));
  const acts = detectFunctions(modules).filter((d) => d.kind === 'activation');
  const source = { modules };
  const core: number[] = [];
  const full: number[] = [];
  let untranslatable = 0;
  for (const target of acts) {
    attempt(`activation ${relative(root, target.module.doc.path)}:${target.name}`, () => {
      const ev = createEvaluator(source, { maxSteps: 2e6, deadline: Date.now() + 1e4, maxElements: 1e7 });
      const program = buildProgram(target, ev);
      try {
        for (let i = 0; i < 3; i++) withTensorScope(() => { const a = probeActivation(program, settings); probeDepth(program, settings, { sweep: a.sweep }); });
      } catch (err) {
        // Rule fixtures include functions that are not probed by design (GP001: an op with no
        // translation, code that raises; GP002: a budget exceeded): there is no probe to time.
        if (!(err instanceof LocatedError || err instanceof ProbeBudgetExceeded)) throw err;
        untranslatable++;
        return;
      }
      const runs: number[] = [];
      for (let i = 0; i < 5; i++) runs.push(time(() => withTensorScope(() => { const a = probeActivation(program, settings); probeDepth(program, settings, { empirical: 'never', sweep: a.sweep }); }))[1]);
      core.push(median(runs));
      full.push(time(() => analyzeFunction(target, source, { ...settings, range: settings.range + Math.random() * 1e-9 }))[1]);
    });
  }
  if (untranslatable && !json) console.log(`(${untranslatable} of the ${acts.length} activations are not probed by design: GP001/GP002 fixtures)`);
  record(`median activation probe over ${core.length} activations (sweep, GP112, mean-field)`, median(core), 'ms', '<= 10');
  record('median activation report incl. empirical depth stack where borderline', median(full), 'ms');
}

function generatedFile(seed: number): string {
  const lines: string[] = ['import torch', 'import torch.nn.functional as F', '', 'EPS = 1e-6', ''];
  const bodies = [
    (i: number) => [`def act_${i}(x):`, `    """variant ${i}"""`, `    y = x * torch.sigmoid(${1 + (i % 5) * 0.1} * x)`, '    z = torch.clamp(y, min=-10.0, max=10.0)', `    return z + ${seed * 0.001} * torch.tanh(x)`],
    (i: number) => [`def loss_${i}(input, target):`, `    d = input - target`, '    per = torch.where(d.abs() < 1.0, 0.5 * d ** 2, d.abs() - 0.5)', '    per = per * (1.0 + 0.0 * target)', '    return per.mean()'],
  ];
  for (let i = 0; i < 40; i++) {
    lines.push(...bodies[i % 2](i));
    for (let k = 0; k < 17; k++) lines.push(`    # notes on variant ${i}, line ${k}`.replace(/^ {4}/, ''));
    lines.push('');
  }
  lines.push('ACTIVATIONS = {' + Array.from({ length: 20 }, (_, i) => `"a${i}": act_${2 * i}`).join(', ') + '}');
  lines.push('LOSSES = {' + Array.from({ length: 20 }, (_, i) => `"l${i}": loss_${2 * i + 1}`).join(', ') + '}');
  while (lines.length < 1000) lines.push('# padding');
  return lines.join('\n');
}

async function lossProbes(settings: typeof defaultSettings): Promise<void> {
  const { modules } = parseInputs(inputFiles.map((f) => ({ path: f, text: readFileSync(f, 'utf8') })));
  const losses = detectFunctions(modules).filter((d) => d.kind === 'loss');
  const times: number[] = [];
  for (const target of losses) {
    attempt(`loss ${relative(root, target.module.doc.path)}:${target.name}`, () => {
      const ev = createEvaluator({ modules }, { maxSteps: 2e6, deadline: Date.now() + 1e4, maxElements: 1e7 });
      const program = buildProgram(target, ev);
      try {
        withTensorScope(() => probeLoss(program, settings));
      } catch (err) {
        // as for activations: a loss not probed by design has no probe to time
        if (!(err instanceof LocatedError || err instanceof ProbeBudgetExceeded)) throw err;
        return;
      }
      const runs: number[] = [];
      for (let i = 0; i < 3; i++) runs.push(time(() => withTensorScope(() => probeLoss(program, settings)))[1]);
      times.push(median(runs));
    });
  }
  record(`median loss probe over ${times.length} losses`, median(times), 'ms', '<= 50');
  const act = detectFunctions(modules).find((d) => d.kind === 'activation' && /mish|swish|gelu/i.test(d.name)) ?? detectFunctions(modules).find((d) => d.kind === 'activation');
  attempt(`training probe of ${act?.name ?? 'an activation (none among the inputs)'}`, () => {
    if (!act) throw new Error('no activation among the bench inputs');
    const actProgram = buildProgram(act, createEvaluator({ modules: [act.module] }, { maxSteps: 2e7, deadline: Date.now() + 6e4, maxElements: 1e7 }));
    trainingProbe(actProgram, { task: 'regression', prediction: 'raw', labels: 'dense' });
    record('training probe, activation (custom + ReLU baseline, 120 steps each)', time(() => trainingProbe(actProgram, { task: 'regression', prediction: 'raw', labels: 'dense' }))[1], 'ms', '<= 1500');
  });
  const lossTarget = losses.find((l) => /bce|binary|logit/i.test(l.name)) ?? losses[0];
  attempt(`training probe of ${lossTarget?.name ?? 'a loss (none among the inputs)'}`, () => {
    if (!lossTarget) throw new Error('no loss among the bench inputs');
    const lossProgram = buildProgram(lossTarget, createEvaluator({ modules }, { maxSteps: 2e7, deadline: Date.now() + 6e4, maxElements: 1e7 }));
    record(`training probe, loss (${lossTarget.name} + baseline)`, time(() => trainingProbe(lossProgram, { task: 'binary', prediction: 'logits', labels: 'dense' }))[1], 'ms', '<= 1500');
  });
}

async function wholeFile(settings: typeof defaultSettings): Promise<void> {
  const text = generatedFile(1);
  const [, cold] = [0, await (async () => { const t = performance.now(); await analyzeSources([{ path: 'gen.py', text }], { settings }); return performance.now() - t; })()];
  record('whole file: 1,000 lines, 40 functions, cold', cold, 'ms', '<= 1000');
  const edited = text.replace('def act_0(x):\n    """variant 0"""\n    y = x * torch.sigmoid(1 * x)', 'def act_0(x):\n    """variant 0"""\n    y = x * torch.sigmoid(1.05 * x)');
  const t = performance.now();
  await analyzeSources([{ path: 'gen.py', text: edited }], { settings });
  record('whole file after a one-function edit', performance.now() - t, 'ms', '<= 300');
}

/** Detection alone over a large workspace: the bench inputs copied into folders until ~1,000 modules. */
function detectionAtScale(): void {
  const files = inputFiles.filter((f) => /\.(py|js|ts)$/.test(f));
  const copies = Math.ceil(1000 / files.length);
  const inputs = Array.from({ length: copies }, (_, k) => files.map((f) => ({ path: join(`copy${k}`, relative(root, f)), text: readFileSync(f, 'utf8') }))).flat();
  const { modules } = parseInputs(inputs);
  detectFunctions(modules);
  const runs = Array.from({ length: 3 }, () => time(() => detectFunctions(modules))[1]);
  record(`detection over a ${modules.length}-module workspace (bench inputs ×${copies})`, median(runs), 'ms');
}

function againstTorch(settings: typeof defaultSettings): void {
  const dir = mkdtempSync(join(tmpdir(), 'gp-bench-'));
  const src = 'import torch\n\ndef mish(x):\n    return x * torch.tanh(torch.nn.functional.softplus(x))\n';
  writeFileSync(join(dir, 'act.py'), src);
  const script = `import time, sys\nt0 = time.perf_counter()\nimport torch\nsys.path.insert(0, ${JSON.stringify(dir)})\nfrom act import mish\nx = torch.linspace(-6, 6, 2001, requires_grad=True)\nt1 = time.perf_counter()\ny = mish(x)\ny.sum().backward()\nt2 = time.perf_counter()\nprint(t1 - t0, t2 - t1)\n`;
  writeFileSync(join(dir, 'sweep.py'), script);
  const py = '/usr/bin/python3';
  const probe = spawnSync(py, ['-c', 'import torch'], { encoding: 'utf8' });
  if (probe.status !== 0) {
    console.error('bench: /usr/bin/python3 with torch is missing (./scripts/install-test-deps.sh); the torch comparison is not measured');
    process.exitCode = 1;
    return;
  }
  const scriptRuns: number[] = [];
  const warmTorch: number[] = [];
  const evalRuns: number[] = [];
  // Interleaved, so both sides see the same load on a shared machine.
  for (let i = 0; i < 5; i++) {
    let t = performance.now();
    const out = execFileSync(py, [join(dir, 'sweep.py')], { encoding: 'utf8' });
    scriptRuns.push(performance.now() - t);
    warmTorch.push(Number(out.trim().split(' ')[1]) * 1000);
    t = performance.now();
    execFileSync(process.execPath, [join(root, 'dist/cli.js'), 'eval', join(dir, 'act.py'), 'mish', '--x', JSON.stringify(Array.from({ length: 2001 }, (_, k) => -6 + k * 0.006))], { encoding: 'utf8' });
    evalRuns.push(performance.now() - t);
  }
  const script_ms = median(scriptRuns);
  record('torch autograd sweep script, fresh /usr/bin/python3 process', script_ms, 'ms');
  record('gradprobe eval, fresh node process', median(evalRuns), 'ms');
  record('ratio cold: torch script / gradprobe eval (both fresh processes)', script_ms / median(evalRuns), '×', '>= 5');
  // workflow: our warm re-probe of the edited function vs running the script
  const { modules } = parseInputs([{ path: join(dir, 'act.py'), text: src + '\nACTS = {"a": mish}\n' }]);
  const target = detectFunctions(modules)[0];
  analyzeFunction(target, { modules }, settings);
  const { modules: edited } = parseInputs([{ path: join(dir, 'act.py'), text: src.replace('x * torch', 'x * 1.0 * torch') + '\nACTS = {"a": mish}\n' }]);
  const t2 = detectFunctions(edited)[0];
  const [, reprobe] = time(() => analyzeFunction(t2, { modules: edited }, settings));
  record('warm re-probe after an edit (in process)', reprobe, 'ms');
  record('ratio workflow: torch script / warm re-probe', script_ms / reprobe, '×', '>= 50');
  const ev = createEvaluator({ modules }, { maxSteps: 2e6, deadline: Date.now() + 1e4, maxElements: 1e7 });
  const program = buildProgram(target, ev);
  const xs = tf.linspace(-6, 6, 2001);
  const sweeps: number[] = [];
  for (let i = 0; i < 7; i++) sweeps.push(time(() => tf.tidy(() => tf.grad((x: tf.Tensor) => tf.sum(program.run([x])))(xs)))[1]);
  record('our in-process sweep (f and f′, 2,001 points)', median(sweeps), 'ms');
  record('torch in-process sweep (timed inside Python)', median(warmTorch), 'ms');
  record('ratio warm: torch in-process / ours in-process (no target)', median(warmTorch) / median(sweeps), '×');
}

/** `check` of an unchanged tree read from the cache against the same check with an empty cache, interleaved. */
function cacheRecheck(): void {
  const tree = join(root, 'examples');
  const warmDir = mkdtempSync(join(tmpdir(), 'gp-bench-cache-'));
  const run = (cacheDir: string): number => {
    const t = performance.now();
    spawnSync(process.execPath, [join(root, 'dist/cli.js'), 'check', tree, '--cache-dir', cacheDir, '--quiet', '--fail-on', 'never'], { encoding: 'utf8', cwd: root });
    return performance.now() - t;
  };
  run(warmDir);
  const cold: number[] = [];
  const warm: number[] = [];
  for (let i = 0; i < 3; i++) {
    const empty = mkdtempSync(join(tmpdir(), 'gp-bench-cold-'));
    cold.push(run(empty));
    rmSync(empty, { recursive: true, force: true });
    warm.push(run(warmDir));
  }
  rmSync(warmDir, { recursive: true, force: true });
  record('check examples/, empty cache (fresh process)', median(cold), 'ms');
  record('check examples/, unchanged tree from the cache (fresh process)', median(warm), 'ms');
  record('ratio: cached re-check / cold check', median(warm) / median(cold), '×', '<= 0.1');
}

/**
 * The editor's workspace scan of a generated workspace, on every core against one core. The one-core
 * reference is the same server pinned to one CPU (`taskset`), where it starts one worker as it would
 * on a one-core machine. One worker on an unpinned machine is not that reference: V8 compiles the
 * worker's hot code on background threads, which take a second core when there is one (about a
 * quarter of the scan's CPU time), so it is printed too, without a target. The ratio is of the
 * medians of three interleaved pairs, each pair's own ratio printed beside it.
 */
async function scanCores(): Promise<void> {
  const flag = process.argv.indexOf('--scan-files');
  const files = flag > 0 ? Number(process.argv[flag + 1]) : 2000;
  if (!(files > 0)) return;
  const pin = spawnSync('taskset', ['-c', '0', process.execPath, '-e', 'process.stdout.write(String(require("os").availableParallelism()))'], { encoding: 'utf8' });
  const pinned = pin.status === 0 && pin.stdout.trim() === '1';
  const dir = mkdtempSync(join(tmpdir(), 'gp-bench-scan-'));
  // Realistic: one module in ten defines an activation and a loss, the rest have nothing to probe.
  generateWorkspace(dir, files, 10);
  const scan = async (how: { jobs?: number; oneCore?: boolean }): Promise<number> => {
    const server = new LspServer({
      root, workspace: dir, settings: { backend: 'cpu', probeOn: 'manual' },
      entry: [join(root, 'dist/cli.js'), 'server', '--stdio', ...(how.jobs ? ['--jobs', String(how.jobs)] : [])],
      wrap: how.oneCore ? ['taskset', '-c', '0'] : undefined,
    });
    try {
      await server.initialize();
      const t = performance.now();
      await server.connection.sendRequest(ProbeWorkspaceRequest.type, {});
      return performance.now() - t;
    } finally {
      await server.dispose();
    }
  };
  // Three pairs, one core then all cores, interleaved so that both see the same load on a shared
  // machine: one pair of a 10 s and a 6 s run moves by ±0.06 in the ratio from the load alone.
  const oneCoreRuns: number[] = [];
  const allRuns: number[] = [];
  for (let pair = 0; pair < 3; pair++) {
    if (pinned) oneCoreRuns.push(await scan({ oneCore: true }));
    allRuns.push(await scan({}));
  }
  const oneWorker = await scan({ jobs: 1 });
  rmSync(dir, { recursive: true, force: true });
  const oneCore = pinned ? median(oneCoreRuns) : undefined;
  const all = median(allRuns);
  const load = loadavg().map((l) => l.toFixed(2)).join(' ');
  if (oneCore === undefined) {
    process.exitCode = 1;
    record(`workspace scan of ${files} files on one core: NOT MEASURED (taskset cannot pin a process to one CPU here: ${(pin.error?.message ?? pin.stderr ?? '').trim() || `it reported ${pin.stdout.trim()} CPUs`})`, NaN, 's');
  } else {
    record(`workspace scan of ${files} files (1 in 10 with functions), one core (pinned), median of 3`, oneCore / 1000, 's');
  }
  record(`workspace scan of ${files} files, one probe worker, all cores free (no target)`, oneWorker / 1000, 's');
  record(`workspace scan of ${files} files, all cores (${availableParallelism()}), median of 3; load average ${load}`, all / 1000, 's', '<= 15');
  if (oneCore !== undefined) {
    const pairs = oneCoreRuns.map((one, i) => one / allRuns[i]);
    record(`ratio: scan speed-up, all cores / one core (medians; the pairs: ${pairs.map((r) => r.toFixed(2)).join(', ')})`, oneCore / all, '×', availableParallelism() >= 2 ? '>= 1.6' : undefined);
  }
  record('ratio: all cores / one worker with all cores free (no target)', oneWorker / all, '×');
}

/** `--only a,b`: run only those parts (engine, activation, loss, wholefile, detection, torch, cache, scan). */
const onlyFlag = process.argv.indexOf('--only');
const only = onlyFlag > 0 ? new Set(process.argv[onlyFlag + 1].split(',')) : undefined;
const part = (name: string): boolean => !only || only.has(name);

async function main(): Promise<void> {
  const settings = mergeSettings(defaultSettings, { backend: 'cpu' });
  const t0 = performance.now();
  await prepareEngine('cpu');
  if (part('engine')) record('engine and grammars load', performance.now() - t0, 'ms');
  if (part('activation')) await activationProbes(settings);
  if (part('loss')) await lossProbes(settings);
  if (part('wholefile')) await wholeFile(settings);
  if (part('detection')) detectionAtScale();
  if (part('torch')) againstTorch(settings);
  if (part('cache')) cacheRecheck();
  if (part('scan')) await scanCores();
  rmSync(generatedTree, { recursive: true, force: true });
  record('inputs that could not be measured', failures.length, 'inputs');
  for (const f of failures) console.error(`bench: not measured: ${f}`);
  if (json) process.stdout.write(`${JSON.stringify({ figures })}\n`);
}

main().catch((err) => { console.error(err); process.exit(1); });
