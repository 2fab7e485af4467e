// The command line as a user meets it: dist/cli.js run as a process (npm test builds it first).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { optionLabel, type CommandSpec } from '../../src/cli/args';
import { checkCommand } from '../../src/cli/check';
import { evalCommand } from '../../src/cli/eval';
import { Progress } from '../../src/cli/progress';
import { ruleCommand } from '../../src/cli/rule';
import { ruleCatalog } from '../../src/core/findings/rules';

const root = join(__dirname, '..', '..');
const cli = join(root, 'dist', 'cli.js');
const examples = join(root, 'examples');

interface Run { status: number | null; stdout: string; stderr: string }

function gradprobe(args: string[], cwd = root): Run {
  const r = spawnSync(process.execPath, [cli, ...args], { cwd, encoding: 'utf8', timeout: 300_000, env: { ...process.env, NO_COLOR: '1' } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function workspace(files: Record<string, string>): string {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), 'gradprobe-cli-')));
  for (const [rel, text] of Object.entries(files)) {
    const abs = join(dir, rel);
    mkdirSync(dirname(abs), { recursive: true });
    writeFileSync(abs, text);
  }
  test.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const vae = readFileSync(join(examples, 'vae_jax.py'), 'utf8');
/** The demo's VAE plus a cubic unit, so that codes of every prefix length are present (GP105, GP110, GP111). */
const vaeCubed = `${vae}\n\ndef cubed(x):\n    \"\"\"Cubic unit.\"\"\"\n    return x ** 3\n\n\nACTIVATIONS = {"cubed": cubed}\n`;
const codesIn = (out: string): string[] => [...new Set([...out.matchAll(/ (GP\d{3}) /g)].map((m) => m[1]))].sort();

test('help: the overview, each command\'s help with every option, and a bare gradprobe', () => {
  const overview = gradprobe(['--help']);
  assert.equal(overview.status, 0);
  for (const c of ['check', 'eval', 'rule']) assert.match(overview.stdout, new RegExp(`^  ${c} `, 'm'));
  const bare = gradprobe([]);
  assert.equal(bare.status, 2);
  assert.match(bare.stderr, /Usage: gradprobe COMMAND/);
  assert.equal(bare.stdout, '');

  const commands: CommandSpec[] = [checkCommand, evalCommand, ruleCommand];
  for (const cmd of commands) {
    for (const args of [[cmd.name, '--help'], [cmd.name, '-h'], ['help', cmd.name]]) {
      const r = gradprobe(args);
      assert.equal(r.status, 0, `${args.join(' ')}: ${r.stderr}`);
      for (const [name, spec] of Object.entries(cmd.options)) {
        assert.ok(r.stdout.includes(optionLabel(name, spec)), `${args.join(' ')} does not show --${name}`);
        // The help's first words, wrapped or not.
        const start = spec.help.split(/\s+/).slice(0, 4).join(' ');
        assert.ok(r.stdout.replace(/\s+/g, ' ').includes(start), `${args.join(' ')} does not explain --${name}`);
      }
    }
  }
  const unknown = gradprobe(['check', '--nope']);
  assert.equal(unknown.status, 2);
  assert.match(unknown.stderr, /--nope.*see 'gradprobe check --help'/);
  assert.equal(gradprobe(['frobnicate']).status, 2);
  assert.match(gradprobe(['--version']).stdout, /^gradprobe \d+\.\d+\.\d+\n$/);
});

test('the README explains every option of check and eval', () => {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  for (const cmd of [checkCommand, evalCommand]) {
    for (const name of Object.keys(cmd.options)) assert.ok(readme.includes(`--${name}`), `README does not mention ${cmd.name} --${name}`);
  }
});

test('rule: a page from docs/rules, bundled; --all lists every code; a prefix lists its codes; unknown is exit 2', () => {
  const page = gradprobe(['rule', 'gp303']);
  assert.equal(page.status, 0);
  assert.equal(page.stdout.trimEnd(), readFileSync(join(root, 'docs/rules/GP303.md'), 'utf8').trimEnd());
  const all = gradprobe(['rule', '--all']);
  assert.equal(all.status, 0);
  assert.deepEqual(all.stdout.trimEnd().split('\n').map((l) => l.slice(0, 5)), ruleCatalog.map((r) => r.code));
  for (const r of ruleCatalog) assert.equal(gradprobe(['rule', r.code]).stdout.split('\n')[0].startsWith(`# ${r.code}`), true, `no page for ${r.code}`);
  assert.deepEqual(gradprobe(['rule', 'GP11']).stdout.trimEnd().split('\n').map((l) => l.slice(0, 5)), ['GP110', 'GP111', 'GP112']);
  const bad = gradprobe(['rule', 'GP999']);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /unknown code "GP999": known codes are GP001-GP002, GP101-GP112/);
});

test('config discovery: a checked folder\'s own pyproject.toml applies when run from elsewhere', () => {
  const proj = workspace({
    'proj/pyproject.toml': '[tool.gradprobe]\nignore = ["GP102"]\nfail-on = "never"\n',
    'proj/models/acts.py': vae,
    'elsewhere/README': '',
  });
  const r = gradprobe(['check', '../proj'], join(proj, 'elsewhere'));
  assert.equal(r.status, 0, r.stderr);
  const codes = codesIn(r.stdout);
  assert.ok(!codes.includes('GP102'), r.stdout);
  assert.ok(codes.includes('GP305'), r.stdout);
  // Without that config the same file reports GP102 and fails.
  const bare = gradprobe(['check', join(proj, 'proj/models/acts.py'), '--config', join(proj, 'elsewhere/README')]);
  assert.equal(bare.status, 2);
  assert.match(bare.stderr, /expected a pyproject\.toml, a gradprobe\.toml/);
});

test('config discovery: two projects in one run each keep their settings; --config names one for all', () => {
  const dir = workspace({
    'a/gradprobe.toml': 'select = ["GP1"]\n',
    'a/acts.py': vae,
    'b/gradprobe.toml': 'ignore = ["GP1"]\n',
    'b/acts.py': vae,
    'shared.toml': 'select = ["GP305"]\n',
  });
  const r = gradprobe(['check', 'a', 'b', '--fail-on', 'never'], dir);
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.split('\n');
  assert.deepEqual(codesIn(lines.filter((l) => l.startsWith('a/')).join('\n')), ['GP102']);
  assert.deepEqual(codesIn(lines.filter((l) => l.startsWith('b/')).join('\n')), ['GP305']);
  const fixed = gradprobe(['check', 'a', 'b', '--config', 'shared.toml', '--fail-on', 'never'], dir);
  assert.deepEqual(codesIn(fixed.stdout), ['GP305']);
  assert.equal(fixed.stdout.split('\n').filter((l) => / GP305 /.test(l)).length, 2);
});

test('--show-settings: every setting for a file, and where it came from', () => {
  const dir = workspace({ 'pkg/pyproject.toml': '[tool.gradprobe]\nrange = 4\n[tool.gradprobe.severity]\nGP108 = "off"\n', 'pkg/m.py': '' });
  const r = gradprobe(['check', '--show-settings', 'pkg/m.py', '--dtype', 'float16'], dir);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^# config file: pkg\/pyproject\.toml$/m);
  assert.match(r.stdout, /^range = 4 +# pkg\/pyproject\.toml: tool\.gradprobe\.range$/m);
  assert.match(r.stdout, /^ignore = \["GP108"\] +# pkg\/pyproject\.toml: tool\.gradprobe\.severity \("off"\)$/m);
  assert.match(r.stdout, /^dtype = "float16" +# --dtype$/m);
  assert.match(r.stdout, /^thresholds\.dip-share = 0\.1 +# default$/m);
  assert.match(r.stdout, /^fail-on = "error" +# default$/m);
  const json = JSON.parse(gradprobe(['check', '--show-settings', 'pkg', '--format', 'json'], dir).stdout) as { settings: Record<string, { value: unknown; source: string }> };
  assert.deepEqual(json.settings.range, { value: 4, source: `${join(dir, 'pkg/pyproject.toml')}: tool.gradprobe.range`, scope: 'file' });
  assert.equal(gradprobe(['check', '--show-settings', 'pkg/m.py', 'pkg'], dir).status, 2);
});

test('codes: an unknown code is a usage error listing the known ones; prefixes select their codes', () => {
  const file = join(workspace({ 'acts.py': vaeCubed }), 'acts.py');
  for (const flag of ['--select', '--ignore']) {
    const r = gradprobe(['check', file, flag, 'GP999']);
    assert.equal(r.status, 2);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, new RegExp(`${flag}: unknown code "GP999": known codes are GP001-GP002, GP101-GP112, GP201-GP213, GP301-GP305`));
  }
  assert.deepEqual(codesIn(gradprobe(['check', file]).stdout), ['GP102', 'GP105', 'GP110', 'GP111', 'GP305']);
  assert.deepEqual(codesIn(gradprobe(['check', file, '--ignore', 'GP11']).stdout), ['GP102', 'GP105', 'GP305']);
  assert.deepEqual(codesIn(gradprobe(['check', file, '--select', 'gp1']).stdout), ['GP102', 'GP105', 'GP110', 'GP111']);
  assert.deepEqual(codesIn(gradprobe(['check', file, '--select', 'GP1,GP3', '--ignore', 'GP10']).stdout), ['GP110', 'GP111', 'GP305']);

  const dir = workspace({ 'gradprobe.toml': 'select = ["GP1", "GP999"]\n', 'acts.py': vae });
  const r = gradprobe(['check', '.'], dir);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /invalid settings \(nothing was checked\):\n {2}.*gradprobe\.toml: select: unknown code "GP999"/);
});

test('severity "off" in a config file drops the code', () => {
  const dir = workspace({ 'gradprobe.toml': '[severity]\nGP111 = "off"\nGP102 = "info"\n', 'acts.py': vaeCubed });
  const r = gradprobe(['check', '.'], dir);
  assert.equal(r.status, 1);
  assert.deepEqual(codesIn(r.stdout), ['GP102', 'GP105', 'GP110', 'GP305']);
  assert.match(r.stdout, /acts\.py:\d+:\d+: info GP102 /);
});

test('eval refuses inputs of the other kind with one line and exit 2; the right ones work', () => {
  const activation = gradprobe(['eval', 'examples/vae_jax.py', 'softclip', '--y-true', '[[0, 1]]', '--y-pred', '[[0.2, 0.8]]']);
  assert.equal(activation.status, 2);
  assert.equal(activation.stdout, '');
  assert.match(activation.stderr, /^gradprobe: softclip is an activation \(.*\): give it --x, not --y-true\/--y-pred\n$/);
  const loss = gradprobe(['eval', 'examples/churn_keras/losses.py', 'ltv_squared_error', '--x', '[1, 2]']);
  assert.equal(loss.status, 2);
  assert.match(loss.stderr, /^gradprobe: ltv_squared_error is a loss \(.*\): give it --y-true and --y-pred, not --x\n$/);
  const both = gradprobe(['eval', 'examples/vae_jax.py', 'softclip', '--x', '[1]', '--y-true', '[1]', '--y-pred', '[1]']);
  assert.equal(both.status, 2);

  const ok = gradprobe(['eval', 'examples/vae_jax.py', 'softclip', '--x', '[0]']);
  assert.equal(ok.status, 0, ok.stderr);
  const value = JSON.parse(ok.stdout) as { y: number[]; dy: number[] };
  assert.equal(value.y[0], 0);
  assert.ok(Math.abs(value.dy[0] - 1) < 1e-6);
});

test('budgets: a 5 MB generated file ends with a GP002 giving its size, and the run completes', () => {
  const lines = ['import tensorflow as tf', ''];
  let bytes = 0;
  for (let i = 0; bytes < 5_000_000; i++) {
    const fn = `def activation_${i}(x):\n    return x * tf.sigmoid(${1 + (i % 7)}.0 * x) + ${i % 5}.0\n`;
    lines.push(fn);
    bytes += fn.length + 1;
  }
  const dir = workspace({ 'generated_acts.py': lines.join('\n'), 'small.py': vae });
  const size = Buffer.byteLength(lines.join('\n'));
  const r = gradprobe(['check', '.', '--format', 'json'], dir);
  assert.equal(r.status, 1, r.stderr);
  const out = JSON.parse(r.stdout) as { files: { path: string; findings: { code: string; message: string; evidence: Record<string, unknown> }[] }[] };
  const generated = out.files.find((f) => f.path === 'generated_acts.py')!;
  assert.equal(generated.findings.length, 1);
  assert.equal(generated.findings[0].code, 'GP002');
  assert.deepEqual(generated.findings[0].evidence, { bytes: size, maxFileBytes: 524_288 });
  assert.ok(generated.findings[0].message.includes(`${size.toLocaleString('en-US')} bytes`), generated.findings[0].message);
  // The small file next to it is checked as usual.
  assert.deepEqual(codesIn(out.files.find((f) => f.path === 'small.py')!.findings.map((f) => ` ${f.code} `).join('')), ['GP102', 'GP305']);
  // No progress on a stderr that is not a terminal.
  assert.equal(r.stderr, '');
});

test('budgets: max-functions and the run\'s time budget report what was not probed', () => {
  const acts = Array.from({ length: 4 }, (_, i) => `def activation_${i}(x):\n    return x * tf.sigmoid(x) + ${i}.0\n`).join('\n');
  const dir = workspace({ 'gradprobe.toml': 'max-functions = 3\n', 'many.py': `import tensorflow as tf\n\n${acts}` });
  const r = gradprobe(['check', '.', '--format', 'json'], dir);
  const out = JSON.parse(r.stdout) as { files: { functions: { name: string }[]; findings: { code: string; message: string; evidence: Record<string, unknown> }[] }[] };
  assert.deepEqual(out.files[0].functions.map((f) => f.name), ['activation_0', 'activation_1', 'activation_2']);
  const gp002 = out.files[0].findings.filter((f) => f.code === 'GP002');
  assert.equal(gp002.length, 1);
  assert.deepEqual(gp002[0].evidence, { functions: 4, maxFunctions: 3, notProbed: ['activation_3'] });

  const late = gradprobe(['check', '.', '--time-budget', '0.001', '--fail-on', 'warning'], dir);
  assert.equal(late.status, 1);
  assert.match(late.stdout, /many\.py:1:1: warning GP002 the run's time budget \(0\.001 s\) ran out/);
  assert.equal(gradprobe(['check', '.', '--time-budget', '-3'], dir).status, 2);
});

test('notebooks: positions and the lines named in messages are the cell\'s own', () => {
  const r = gradprobe(['check', 'examples/notebooks', '--fail-on', 'never']);
  assert.equal(r.status, 0, r.stderr);
  // rmse is the notebook's 4th cell (a markdown cell and two code cells before it); its sqrt is on the cell's line 3.
  assert.match(r.stdout, /^examples\/notebooks\/house_prices\.ipynb:cell 4:3:12: error GP303 /m);
  const gp202 = r.stdout.split('\n').find((l) => / GP202 /.test(l))!;
  assert.match(gp202, /^examples\/notebooks\/house_prices\.ipynb:cell 4:1:5: error GP202 .*tf\.sqrt\(\) on line 3 /);
});

test('progress: drawn only on a terminal, only after the first second, cleared at the end', () => {
  const written: string[] = [];
  const stream = { isTTY: true, columns: 60, write: (t: string): boolean => { written.push(t); return true; } };
  const shown = new Progress(stream, true, 0);
  shown.update({ phase: 'probe', done: 3, total: 10, path: 'a.py' });
  shown.done();
  assert.match(written[0], /^\rgradprobe: probing 3\/10 functions \(0 s\) a\.py +$/);
  assert.match(written[1], /^\r +\r$/);
  written.length = 0;
  const early = new Progress(stream, true, 60_000);
  early.update({ phase: 'parse', done: 1, total: 2, path: 'a.py' });
  early.done();
  assert.deepEqual(written, []);
  const off = new Progress(stream, false, 0);
  off.update({ phase: 'parse', done: 1, total: 2, path: 'a.py' });
  assert.deepEqual(written, []);
});

test('the demo copy of a notebook keeps its cell numbering in JSON (0-based cell) and text (1-based)', () => {
  const dir = workspace({});
  copyFileSync(join(examples, 'notebooks/house_prices.ipynb'), join(dir, 'nb.ipynb'));
  const json = JSON.parse(gradprobe(['check', 'nb.ipynb', '--format', 'json'], dir).stdout) as { files: { findings: { code: string; cell?: number; range: { start: { line: number } } }[] }[] };
  const gp303 = json.files[0].findings.find((f) => f.code === 'GP303')!;
  assert.equal(gp303.cell, 3);
  assert.equal(gp303.range.start.line, 2);
});
