// The loss family is read from the body as it runs and each family is probed inside its own domain:
// test/fixtures/loss-families holds one loss per family a probe outside the domain used to blame
// (pair distances, boxes, a dead `from_logits` branch, a `mode` default, a helper imported from
// another file, n-pairs labels, images, masks, a window larger than small images), each with a twin carrying a real defect that must
// still be found.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { analyzeSources } from '../../src/core/analyze';
import { defaultBudget, findTarget } from '../../src/core/api';
import { defaultSettings, mergeSettings } from '../../src/core/config/settings';
import { detectFunctions } from '../../src/core/detect/detect';
import { initEngine } from '../../src/core/engine';
import type { FileReport } from '../../src/core/findings/types';
import { documentFromText, parseDocument } from '../../src/core/parse/document';
import { loadGrammars } from '../../src/core/parse/treeSitter';
import { probeLoss } from '../../src/core/probe/loss';
import { chooseLossFamily, lossFamilies } from '../../src/core/probe/lossFamily';
import { readLossFacts } from '../../src/core/probe/lossRead';
import { buildProgram, createEvaluator } from '../../src/core/translate/translate';

const dir = join(__dirname, '..', '..', 'test', 'fixtures', 'loss-families');

interface Expectation { file: string; name: string; kind: string; family: string; expect: string[]; forbid: string[]; why: string }

const expectations = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as Expectation[];
let reports: FileReport[] = [];

before(async () => {
  await Promise.all([loadGrammars(), initEngine('cpu')]);
  const inputs = readdirSync(dir).filter((f) => f.endsWith('.py')).map((f) => ({ path: f, text: readFileSync(join(dir, f), 'utf8') }));
  // A generous budget: the box and image losses run dozens of probe inputs, and the machine may be busy.
  reports = await analyzeSources(inputs, { settings: mergeSettings(defaultSettings, { backend: 'cpu', timeBudgetMs: 20_000 }) });
});

describe('each family is probed inside its domain: clean twins stay clean, planted defects are found', () => {
  for (const e of expectations) {
    test(`${e.file}: ${e.name} (${e.expect.length ? e.expect.join(', ') : 'clean'})`, () => {
      const report = reports.find((r) => r.path === e.file);
      const fn = report?.functions.find((f) => f.name === e.name);
      assert.ok(fn, `${e.name} is not listed in ${e.file}`);
      assert.equal(fn.kind, e.kind);
      assert.equal(fn.probe.status, 'ok', `${e.name}: ${fn.probe.reason ?? ''}`);
      assert.ok(fn.data?.kind === 'loss' && fn.data.family.includes(e.family), `${e.name} probed as ${fn.data?.kind === 'loss' ? fn.data.family : '?'}, expected ${e.family}\n${fn.summary}`);
      const codes = fn.findings.filter((f) => f.code.startsWith('GP2')).map((f) => f.code);
      for (const c of e.expect) assert.ok(codes.includes(c), `${e.name}: expected ${c}, got [${codes.join(', ')}]\n${fn.summary}`);
      for (const c of e.forbid) {
        const hit = fn.findings.find((f) => f.code.startsWith(c));
        assert.ok(!hit, `${e.name}: did not expect ${hit?.code}: ${hit?.message} (${e.why})`);
      }
    });
  }
  test('every fixture file is listed in expected.json', () => {
    const listed = new Set(expectations.map((e) => e.file));
    const helpers = new Set(['loss_utils.py', 'focal_utils.py', 'backend_ops.py', 'window_utils.py', 'box_ops.py']);
    for (const f of readdirSync(dir).filter((x) => x.endsWith('.py') && !helpers.has(x))) assert.ok(listed.has(f), `${f} has no entry`);
  });
});

function program(file: string, name: string, others: string[] = []) {
  const modules = [file, ...others].map((f) => parseDocument(documentFromText(f, readFileSync(join(dir, f), 'utf8'))));
  // Detection, as the analysis runs it, gives a class its call-site arguments.
  const target = detectFunctions(modules).find((d) => d.name === name && d.module === modules[0]) ?? findTarget(modules[0], name, 'loss');
  assert.ok(target, `${name} not found`);
  return buildProgram(target, createEvaluator({ modules }, defaultBudget()));
}

describe('the read follows the body as it runs', () => {
  test('a dead `if from_logits:` branch picks nothing; read without the program, both branches do', () => {
    const p = program('focal_from_logits.py', 'binary_focal_loss');
    const asRuns = readLossFacts(p.target, 1, p);
    assert.deepEqual(asRuns.branches.map((b) => [b.what, b.taken]), [['from_logits', false]]);
    assert.equal(asRuns.activations.length, 0);
    assert.equal(chooseLossFamily(asRuns).space, 'probabilities');
    const everyBranch = readLossFacts(p.target, 1);
    assert.equal(chooseLossFamily(everyBranch).space, 'logits');
  });

  test('a call site\'s argument makes the branch live: BinaryFocalLoss(from_logits=True) is a loss on logits', () => {
    const p = program('focal_from_logits.py', 'BinaryFocalLoss');
    const facts = readLossFacts(p.target, 1, p);
    assert.deepEqual(facts.branches.map((b) => [b.what, b.taken]), [['self.from_logits', true]]);
    assert.equal(chooseLossFamily(facts).space, 'logits');
  });

  test('a comparison with a module constant resolves: mode="binary" never reads the one_hot of the multi-class branch', () => {
    const p = program('dice_mode.py', 'DiceLoss');
    const facts = readLossFacts(p.target, 0, p);
    assert.equal(facts.oneHotTarget.length, 0);
    assert.ok(facts.branches.some((b) => b.what === 'self.mode == MULTICLASS_MODE' && !b.taken));
    const family = chooseLossFamily(facts);
    assert.equal(family.space, 'logits');
    assert.equal(family.overlap, true);
  });

  test('a helper imported from another workspace file is read: safe_log logs the prediction', () => {
    const p = program('soft_ce.py', 'soft_cross_entropy', ['loss_utils.py']);
    const facts = readLossFacts(p.target, 0, p);
    assert.equal(facts.predLog.length, 1);
    assert.equal(chooseLossFamily(facts).name, 'categorical probabilities');
    const alone = program('soft_ce.py', 'soft_cross_entropy');
    assert.equal(chooseLossFamily(readLossFacts(alone.target, 0, alone)).space, 'regression', 'without loss_utils.py the helper is unknown');
  });

  test('a function bound with functools.partial in the constructor is read through the attribute that holds it', () => {
    const p = program('focal_partial.py', 'PartialFocalLoss', ['focal_utils.py']);
    const facts = readLossFacts(p.target, 0, p);
    assert.deepEqual(facts.activations.map((a) => a.kind), ['sigmoid'], 'the bound activation="sigmoid" picks the sigmoid branch only');
    assert.equal(chooseLossFamily(facts).space, 'logits');
    const alone = program('focal_partial.py', 'PartialFocalLoss');
    assert.equal(readLossFacts(alone.target, 0, alone).activations.length, 0, 'without focal_utils.py the bound function is unknown');
  });

  test('a framework function reached through a workspace module that re-exports the framework is read as the framework\'s', () => {
    const p = program('focal_shim.py', 'ShimFocalLoss', ['backend_ops.py']);
    const facts = readLossFacts(p.target, 1, p);
    assert.deepEqual(facts.activations.map((a) => [a.kind, a.what]), [['sigmoid', 'ops.sigmoid()']]);
    assert.equal(chooseLossFamily(facts).space, 'logits');
  });

  test('the family used is reported, with what was tried before it', () => {
    const p = program('npairs.py', 'npairs_loss');
    const families = lossFamilies(readLossFacts(p.target, 1, p));
    assert.deepEqual(families.map((f) => f.name), ['embeddings with 1-D integer labels']);
    const r = probeLoss(p, defaultSettings);
    assert.equal(r.family.name, 'embeddings with 1-D integer labels');
    assert.match(r.summary, /^Probed as embeddings with 1-D integer labels \(.*tf\.equal\(\)/);
    assert.match(r.data.layout, /integer labels 8 /);
  });
});

describe('inputs stay inside the family\'s domain', () => {
  test('pairs: distances ≥ 0 and labels in {0, 1}; boxes: x1 < x2 and y1 < y2; masks and images in [0, 1]', () => {
    const seen: Record<string, { pred: number[]; target: number[] }[]> = {};
    for (const [file, name] of [['contrastive_pairs.py', 'contrastive_loss'], ['box_giou.py', 'giou_loss'], ['dice_masks.py', 'SoftDiceLoss'], ['image_gradient.py', 'gradient_difference_loss']] as const) {
      const p = program(file, name);
      const inputs: { pred: number[]; target: number[] }[] = [];
      const recording = {
        ...p,
        run: (tensors: Parameters<typeof p.run>[0]) => {
          inputs.push({ target: Array.from(tensors[0].dataSync()), pred: Array.from(tensors[1].dataSync()) });
          return p.run(tensors);
        },
      };
      probeLoss(recording, defaultSettings);
      assert.ok(inputs.length > 10, `${name}: ${inputs.length} inputs`);
      seen[name] = inputs;
    }
    for (const { pred, target } of seen.contrastive_loss) {
      assert.ok(pred.every((d) => d >= 0), 'a negative distance');
      assert.ok(target.every((y) => y === 0 || y === 1), 'a pair label other than 0 or 1');
    }
    for (const { pred, target } of seen.giou_loss) {
      for (const boxes of [pred, target]) {
        for (let i = 0; i < boxes.length; i += 4) assert.ok(boxes[i] < boxes[i + 2] && boxes[i + 1] < boxes[i + 3], `an invalid box ${boxes.slice(i, i + 4).join(', ')}`);
      }
    }
    for (const name of ['SoftDiceLoss', 'gradient_difference_loss']) {
      for (const { pred, target } of seen[name]) assert.ok([...pred, ...target].every((x) => x >= 0 && x <= 1), `${name}: a value outside [0, 1]`);
    }
  });
});
