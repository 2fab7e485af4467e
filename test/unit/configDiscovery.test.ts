// Config discovery per file (the nearest config above each), one named config for all, code
// selectors, severity "off", and the per-folder globs of the walk.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { codesSelectedBy, isKnownSelector, knownCodes, knownCodesText } from '../../src/core/findings/codes';
import { ruleCatalog } from '../../src/core/findings/rules';
import { ConfigResolver, loadConfig, loadConfigFile } from '../../src/core/workspace/config';
import { walkPaths } from '../../src/core/workspace/walk';

function workspace(files: Record<string, string>): string {
  const root = realpathSync(mkdtempSync(join(tmpdir(), 'gradprobe-discovery-')));
  for (const [rel, text] of Object.entries(files)) {
    const abs = join(root, rel);
    mkdirSync(dirname(abs), { recursive: true });
    writeFileSync(abs, text);
  }
  test.after(() => rmSync(root, { recursive: true, force: true }));
  return root;
}

test('each file takes the nearest config above it; folders without one take their parent\'s', () => {
  const root = workspace({
    'pyproject.toml': '[tool.gradprobe]\nrange = 3\n',
    'a/gradprobe.toml': 'range = 4\n',
    'a/deep/x.py': '',
    'b/package.json': JSON.stringify({ gradprobe: { range: 5 } }),
    'b/y.js': '',
    'c/pyproject.toml': '[project]\nname = "c"\n',
    'c/z.py': '',
  });
  const resolver = new ConfigResolver();
  assert.equal(resolver.forFile(join(root, 'a/deep/x.py')).source, join(root, 'a/gradprobe.toml'));
  assert.equal(resolver.forFile(join(root, 'a/deep/x.py')).patch.range, 4);
  assert.equal(resolver.forFile(join(root, 'b/y.js')).patch.range, 5);
  // A pyproject.toml without [tool.gradprobe] is passed over.
  assert.equal(resolver.forFile(join(root, 'c/z.py')).source, join(root, 'pyproject.toml'));
  // Looked up once per folder: the same object for files of one folder.
  assert.equal(resolver.forFile(join(root, 'a/deep/x.py')), resolver.forDirectory(join(root, 'a/deep')));
});

test('--config FILE: a pyproject.toml, a package.json or any .toml; one without our table is an error', () => {
  const root = workspace({
    'ci/strict.toml': 'select = ["GP1"]\nfail-on = "warning"\n',
    'pyproject.toml': '[tool.gradprobe]\nrange = 2\n',
    'other/pyproject.toml': '[project]\nname = "x"\n',
    'package.json': JSON.stringify({ name: 'x', gradprobe: { ignore: ['GP108'] } }),
    'plain.json': '{}',
  });
  const strict = loadConfigFile(join(root, 'ci/strict.toml'));
  assert.deepEqual(strict.errors, []);
  assert.deepEqual(strict.patch, { select: ['GP1'] });
  assert.deepEqual(strict.cli, { failOn: 'warning' });
  assert.equal(strict.origins.select, `${join(root, 'ci/strict.toml')}: select`);
  assert.deepEqual(loadConfigFile(join(root, 'pyproject.toml')).patch, { range: 2 });
  assert.deepEqual(loadConfigFile(join(root, 'package.json')).patch, { ignore: ['GP108'] });
  assert.match(loadConfigFile(join(root, 'other/pyproject.toml')).errors[0], /has no \[tool\.gradprobe\] table$/);
  assert.match(loadConfigFile(join(root, 'plain.json')).errors[0], /has no "gradprobe" key$/);
  assert.match(loadConfigFile(join(root, 'missing.toml')).errors[0], /missing\.toml: no such file$/);
});

test('severity "off" drops a code: it joins ignore, as the editor setting and the rule pages say', () => {
  const root = workspace({ 'gradprobe.toml': 'ignore = ["GP213"]\n[severity]\nGP111 = "off"\ngp108 = "info"\n' });
  const loaded = loadConfig(root);
  assert.deepEqual(loaded.errors, []);
  assert.deepEqual(loaded.patch.ignore, ['GP213', 'GP111']);
  assert.deepEqual(loaded.patch.severity, { GP108: 'info' });
  assert.match(loaded.origins['severity.GP111'], /gradprobe\.toml: severity\.GP111$/);
});

test('every code accepts "off" in a config file', () => {
  const table = ruleCatalog.map((r) => `${r.code} = "off"`).join('\n');
  const root = workspace({ 'gradprobe.toml': `[severity]\n${table}\n` });
  const loaded = loadConfig(root);
  assert.deepEqual(loaded.errors, []);
  assert.deepEqual(new Set(loaded.patch.ignore), new Set(knownCodes));
});

test('code selectors: whole codes and prefixes of known codes; anything else is named with the known codes', () => {
  assert.deepEqual(codesSelectedBy('GP11'), ['GP110', 'GP111', 'GP112']);
  assert.deepEqual(codesSelectedBy('GP1'), ruleCatalog.filter((r) => r.code.startsWith('GP1')).map((r) => r.code));
  assert.equal(codesSelectedBy('GP').length, ruleCatalog.length);
  for (const bad of ['GP999', 'GP4', 'GP1000', 'XX1', 'GP10A', '']) assert.equal(isKnownSelector(bad), false, bad);
  assert.equal(knownCodesText(), 'GP001-GP002, GP101-GP112, GP201-GP213, GP301-GP305');

  const root = workspace({ 'gradprobe.toml': 'select = ["gp1", "GP21", "GP999"]\nignore = "GP11, GP4"\n' });
  const loaded = loadConfig(root);
  assert.deepEqual(loaded.patch.select, ['GP1', 'GP21']);
  assert.deepEqual(loaded.patch.ignore, ['GP11']);
  assert.equal(loaded.errors.length, 2);
  assert.match(loaded.errors[0], /select: unknown code "GP999": known codes are GP001-GP002, GP101-GP112/);
  assert.match(loaded.errors[1], /ignore: unknown code "GP4"/);
});

test('budget settings: max-file-bytes and max-functions whole positive numbers, time-budget positive seconds', () => {
  const root = workspace({
    'ok/gradprobe.toml': 'max-file-bytes = 2000000\nmax_functions = 50\ntime-budget = 90.5\n',
    'bad/gradprobe.toml': 'max-file-bytes = 1.5\nmax-functions = 0\ntime-budget = "10m"\n',
  });
  const ok = loadConfig(join(root, 'ok'));
  assert.deepEqual(ok.errors, []);
  assert.deepEqual(ok.patch, { maxFileBytes: 2000000, maxFunctions: 50 });
  assert.deepEqual(ok.cli, { timeBudget: 90.5 });
  const bad = loadConfig(join(root, 'bad'));
  assert.deepEqual(bad.patch, {});
  assert.deepEqual(bad.errors.map((e) => e.replace(/^.*gradprobe\.toml: /, '')), [
    'max-file-bytes: expected a positive whole number, got 1.5',
    'max-functions: expected a positive whole number, got 0',
    'time-budget: expected a positive number of seconds, got "10m"',
  ]);
});

test('the walk applies each folder\'s config globs to that folder only', () => {
  const root = workspace({
    'a/gradprobe.toml': 'exclude = ["legacy", "gen/**"]\n',
    'a/legacy/x.py': '', 'a/gen/y.py': '', 'a/keep.py': '',
    'b/legacy/x.py': '', 'b/gen/y.py': '',
    'c/gradprobe.toml': 'include = ["*_act.py"]\n',
    'c/relu_act.py': '', 'c/other.py': '',
  });
  const resolver = new ConfigResolver();
  const filtersFor = (dir: string): { include: string[]; exclude: string[] } => {
    const c = resolver.forDirectory(dir);
    return { include: c.cli.include ?? [], exclude: c.cli.exclude ?? [] };
  };
  const { files } = walkPaths(['.'], { cwd: root, include: [], exclude: [], filtersFor });
  assert.deepEqual(files, ['a/keep.py', 'b/gen/y.py', 'b/legacy/x.py', 'c/relu_act.py']);
});
