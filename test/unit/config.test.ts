import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { anchorGlob, loadConfig } from '../../src/core/workspace/config';
import { walkPaths } from '../../src/core/workspace/walk';
import { defaultSettings, mergeSettings } from '../../src/core/config/settings';

function workspace(files: Record<string, string>): string {
  const root = realpathSync(mkdtempSync(join(tmpdir(), 'gradprobe-config-')));
  for (const [rel, text] of Object.entries(files)) {
    const abs = join(root, rel);
    mkdirSync(dirname(abs), { recursive: true });
    writeFileSync(abs, text);
  }
  test.after(() => rmSync(root, { recursive: true, force: true }));
  return root;
}

test('no config file anywhere: an empty patch, no source, no errors', () => {
  const root = workspace({ 'src/a.py': '' });
  const loaded = loadConfig(join(root, 'src'));
  assert.deepEqual(loaded, { patch: {}, cli: {}, origins: {}, errors: [], warnings: [] });
});

test('reads [tool.gradprobe] in kebab-case and snake_case', () => {
  const root = workspace({
    'pyproject.toml': `
[project]
name = "demo"

[tool.ruff]
line-length = 100

[tool.gradprobe]
range = 4
select = ["GP101", "gp102"]
ignore = ["GP108"]
dtype = "float16"
backend = "cpu"
train = true
time-budget-ms = 500
fail_on = "warning"
format = "sarif"
exclude = ["legacy", "src/old/**"]

[tool.gradprobe.severity]
GP108 = "info"

[tool.gradprobe.thresholds]
vanishing-max-slope = 0.05
dip_share = 0.2
explodingMaxSlope = 20
`,
  });
  const loaded = loadConfig(root);
  assert.deepEqual(loaded.errors, []);
  assert.equal(loaded.source, join(root, 'pyproject.toml'));
  assert.deepEqual(loaded.patch, {
    range: 4, select: ['GP101', 'GP102'], ignore: ['GP108'], dtype: 'float16', backend: 'cpu', train: true, timeBudgetMs: 500,
    severity: { GP108: 'info' }, thresholds: { vanishingMaxSlope: 0.05, dipShare: 0.2, explodingMaxSlope: 20 },
  });
  assert.deepEqual(loaded.cli, { failOn: 'warning', format: 'sarif', exclude: ['legacy', `${root}/src/old/**`] });
  const merged = mergeSettings(defaultSettings, loaded.patch);
  assert.equal(merged.thresholds.dipShare, 0.2);
  assert.equal(merged.thresholds.plateauShare, defaultSettings.thresholds.plateauShare);
});

test('a pyproject.toml without [tool.gradprobe] does not stop the search upwards', () => {
  const root = workspace({
    'pyproject.toml': '[tool.gradprobe]\nrange = 3\n',
    'pkg/pyproject.toml': '[project]\nname = "pkg"\n[tool.black]\nline-length = 88\n',
    'pkg/src/x.py': '',
  });
  const loaded = loadConfig(join(root, 'pkg', 'src'));
  assert.equal(loaded.source, join(root, 'pyproject.toml'));
  assert.deepEqual(loaded.patch, { range: 3 });
});

test('the nearest file wins; in one folder pyproject.toml, then gradprobe.toml, then package.json', () => {
  const root = workspace({
    'pyproject.toml': '[tool.gradprobe]\nrange = 3\n',
    'near/gradprobe.toml': 'range = 5\n[thresholds]\nplateau_share = 0.3\n',
    'both/pyproject.toml': '[tool.gradprobe]\nrange = 7\n',
    'both/gradprobe.toml': 'range = 8\n',
    'both/package.json': '{"name": "x", "gradprobe": {"range": 9}}',
    'tomlfirst/gradprobe.toml': 'range = 10\n',
    'tomlfirst/package.json': '{"gradprobe": {"range": 11}}',
  });
  const near = loadConfig(join(root, 'near'));
  assert.equal(near.source, join(root, 'near', 'gradprobe.toml'));
  assert.deepEqual(near.patch, { range: 5, thresholds: { plateauShare: 0.3 } });
  assert.deepEqual(loadConfig(join(root, 'both')).patch, { range: 7 });
  assert.deepEqual(loadConfig(join(root, 'tomlfirst')).patch, { range: 10 });
});

test('a "gradprobe" key in package.json, camelCase; a package.json without one is passed over', () => {
  const root = workspace({
    'package.json': JSON.stringify({ name: 'app', gradprobe: { timeBudgetMs: 250, failOn: 'info', select: 'GP201, GP202', thresholds: { weakGradientRatio: 1e-4 } } }),
    'packages/lib/package.json': JSON.stringify({ name: 'lib', version: '1.0.0' }),
  });
  const loaded = loadConfig(join(root, 'packages', 'lib'));
  assert.deepEqual(loaded.errors, []);
  assert.equal(loaded.source, join(root, 'package.json'));
  assert.deepEqual(loaded.patch, { timeBudgetMs: 250, select: ['GP201', 'GP202'], thresholds: { weakGradientRatio: 1e-4 } });
  assert.deepEqual(loaded.cli, { failOn: 'info' });
});

test('invalid values are reported with file, key and what was expected, and dropped; valid ones stay', () => {
  const root = workspace({
    'pyproject.toml': `
[tool.gradprobe]
range = "6"
dtype = "float64"
train = "yes"
time-budget-ms = -5
select = ["GP101", "GP999"]
rnage = 4
fail-on = "fatal"
include = [1, 2]
backend = "node"

[tool.gradprobe.severity]
GP108 = "fatal"
GP105 = "info"
XX1 = "error"

[tool.gradprobe.thresholds]
dip_share = 2
depth-ratio = nan
plateau_gradient = 1e-7
made_up = 1
`,
  });
  const file = join(root, 'pyproject.toml');
  const { patch, cli, errors } = loadConfig(root);
  assert.deepEqual(patch, {
    select: ['GP101'], backend: 'node', severity: { GP105: 'info' }, thresholds: { plateauGradient: 1e-7 },
  });
  assert.deepEqual(cli, {});
  const expectLine = (re: RegExp): void => {
    assert.ok(errors.some((e) => re.test(e)), `no error matching ${re}:\n${errors.join('\n')}`);
  };
  const f = file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  expectLine(new RegExp(`^${f}: tool\\.gradprobe\\.range: expected a positive number, got "6"$`));
  expectLine(new RegExp(`^${f}: tool\\.gradprobe\\.dtype: expected one of "float32", "float16", "bfloat16", got "float64"$`));
  expectLine(new RegExp(`^${f}: tool\\.gradprobe\\.train: expected true or false, got "yes"$`));
  expectLine(new RegExp(`^${f}: tool\\.gradprobe\\.time-budget-ms: expected a positive number, got -5$`));
  expectLine(new RegExp(`^${f}: tool\\.gradprobe\\.select: unknown code "GP999"`));
  expectLine(new RegExp(`^${f}: tool\\.gradprobe\\.rnage: unknown setting \\(known: range, select,`));
  expectLine(new RegExp(`^${f}: tool\\.gradprobe\\.fail-on: expected one of "error", "warning", "info", "never", got "fatal"$`));
  expectLine(new RegExp(`^${f}: tool\\.gradprobe\\.include: expected a list of non-empty glob strings, got a list$`));
  expectLine(new RegExp(`^${f}: tool\\.gradprobe\\.severity\\.GP108: expected one of "error", "warning", "info", "off", got "fatal"$`));
  expectLine(new RegExp(`^${f}: tool\\.gradprobe\\.severity\\.XX1: unknown code`));
  expectLine(new RegExp(`^${f}: tool\\.gradprobe\\.thresholds\\.dip_share: expected a number between 0 and 1, got 2$`));
  expectLine(new RegExp(`^${f}: tool\\.gradprobe\\.thresholds\\.depth-ratio: expected a positive number, got NaN$`));
  expectLine(new RegExp(`^${f}: tool\\.gradprobe\\.thresholds\\.made_up: unknown threshold \\(known: vanishing-max-slope,`));
  assert.equal(errors.length, 13);
});

test('a key given in two spellings is reported once and the first is used', () => {
  const root = workspace({ 'gradprobe.toml': 'time-budget-ms = 100\ntime_budget_ms = 200\n' });
  const loaded = loadConfig(root);
  assert.deepEqual(loaded.patch, { timeBudgetMs: 100 });
  assert.equal(loaded.errors.length, 1);
  assert.match(loaded.errors[0], /time_budget_ms: given twice \(also as time-budget-ms\)/);
});

test('a broken TOML or JSON file is an error with its position, never a crash', () => {
  const root = workspace({
    'gradprobe.toml': 'range = 4\nselect = [\n',
    'pkg/pyproject.toml': '[project\nname = 1\n',
    'pkg/sub/package.json': '{"gradprobe": {"range": 2},}',
  });
  const own = loadConfig(root);
  assert.equal(own.source, join(root, 'gradprobe.toml'));
  assert.deepEqual(own.patch, {});
  assert.equal(own.errors.length, 1);
  assert.match(own.errors[0], new RegExp(`^${join(root, 'gradprobe.toml').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+:\\d+: invalid TOML: `));

  // A broken pyproject.toml that does not mention gradprobe is a warning (it is not ours), and the
  // search goes on upwards to the (broken) gradprobe.toml, whose error is an error.
  const fromPkg = loadConfig(join(root, 'pkg'));
  assert.equal(fromPkg.source, join(root, 'gradprobe.toml'));
  assert.equal(fromPkg.errors.length, 1);
  assert.equal(fromPkg.warnings.length, 1);
  assert.match(fromPkg.warnings[0], /pkg\/pyproject\.toml:\d+:\d+: invalid TOML/);

  // A broken package.json that has a "gradprobe" key is taken as the config: the search stops there.
  const fromSub = loadConfig(join(root, 'pkg', 'sub'));
  assert.equal(fromSub.source, join(root, 'pkg', 'sub', 'package.json'));
  assert.ok(fromSub.errors.some((e) => /package\.json: invalid JSON/.test(e)));
});

test('a "gradprobe" value that is not a table is reported', () => {
  const root = workspace({ 'package.json': '{"gradprobe": "strict"}' });
  const loaded = loadConfig(root);
  assert.equal(loaded.source, join(root, 'package.json'));
  assert.deepEqual(loaded.patch, {});
  assert.deepEqual(loaded.errors, [`${join(root, 'package.json')}: gradprobe: expected an object of settings, got "strict"`]);
});

test('config globs with a folder are anchored at the config file, so a walk from a subfolder honours them', () => {
  assert.equal(anchorGlob('legacy', '/repo'), 'legacy');
  assert.equal(anchorGlob('**/gen/**', '/repo'), '**/gen/**');
  assert.equal(anchorGlob('./src/old/**', '/repo'), '/repo/src/old/**');
  assert.equal(anchorGlob('src/*.py', '/a (copy)'), '/a \\(copy\\)/src/*.py');

  const root = workspace({
    'pyproject.toml': '[tool.gradprobe]\nexclude = ["src/old/**", "scratch"]\n',
    'src/a.py': '', 'src/old/b.py': '', 'src/scratch/c.py': '',
  });
  const cwd = join(root, 'src');
  const { cli } = loadConfig(cwd);
  const { files } = walkPaths(['.'], { cwd, include: cli.include ?? [], exclude: cli.exclude ?? [] });
  assert.deepEqual(files, ['a.py']);
});

test('in package.json an unknown key is answered with the camelCase names', () => {
  const root = workspace({ 'package.json': JSON.stringify({ gradprobe: { time_limit: 5, failOn: 'never' } }) });
  const loaded = loadConfig(root);
  assert.deepEqual(loaded.cli, { failOn: 'never' });
  assert.equal(loaded.errors.length, 1);
  assert.match(loaded.errors[0], /gradprobe\.time_limit: unknown setting \(known: range, .*timeBudgetMs, .*failOn,/);
});
