import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { walkPaths } from '../../src/core/workspace/walk';

/** A temporary workspace from a map of relative path → contents (a trailing '/' makes a folder). */
function workspace(files: Record<string, string>): string {
  const root = realpathSync(mkdtempSync(join(tmpdir(), 'gradprobe-walk-')));
  for (const [rel, text] of Object.entries(files)) {
    const abs = join(root, rel);
    if (rel.endsWith('/')) {
      mkdirSync(abs, { recursive: true });
    } else {
      mkdirSync(dirname(abs), { recursive: true });
      writeFileSync(abs, text);
    }
  }
  test.after(() => rmSync(root, { recursive: true, force: true }));
  return root;
}

const noGlobs = { include: [], exclude: [] };

test('collects the analysed extensions and skips vendored, cached and built folders', () => {
  const root = workspace({
    'a.py': '', 'nb.ipynb': '{}', 'README.md': '', 'setup.cfg': '',
    'src/m.ts': '', 'src/types.d.ts': '', 'src/x.tsx': '', 'src/y.mts': '', 'src/z.cts': '', 'src/w.d.mts': '',
    'web/a.js': '', 'web/b.mjs': '', 'web/c.cjs': '',
    'node_modules/pkg/act.js': '', '.venv/lib/y.py': '', 'venv/y.py': '', 'env/e.py': '',
    'lib/site-packages/s.py': '', 'src/__pycache__/c.py': '', 'dist/q.js': '', 'build/z.py': '', '.git/hooks/h.py': '',
    '.hidden/ok.py': '',
  });
  const { files, errors } = walkPaths([], { cwd: root, ...noGlobs });
  assert.deepEqual(errors, []);
  assert.deepEqual(files, [
    '.hidden/ok.py', 'a.py', 'nb.ipynb', 'src/m.ts', 'src/x.tsx', 'src/y.mts', 'src/z.cts', 'web/a.js', 'web/b.mjs', 'web/c.cjs',
  ]);
});

test('honours .gitignore, with nested files applying to their subtree and overriding the outer one', () => {
  const root = workspace({
    '.gitignore': 'generated/\n*.gen.py\n# a comment\n',
    'keep.py': '', 'x.gen.py': '', 'generated/g.py': '', 'local.py': '',
    'sub/.gitignore': 'local.py\n!keep.gen.py\n',
    'sub/local.py': '', 'sub/keep.gen.py': '', 'sub/other.gen.py': '', 'sub/ok.py': '',
    'sub/deeper/local.py': '', 'sub/deeper/generated/h.py': '',
  });
  const { files } = walkPaths(['.'], { cwd: root, ...noGlobs });
  assert.deepEqual(files, ['keep.py', 'local.py', 'sub/keep.gen.py', 'sub/ok.py']);
});

test('.gitignore files above a walked folder still apply, up to the repository root', () => {
  const root = workspace({
    '.gitignore': 'ignored-by-parent.py\n',
    'repo/.git/': '',
    'repo/.gitignore': 'out/\nsecret.py\n',
    'repo/pkg/.gitignore': '',
    'repo/pkg/a.py': '', 'repo/pkg/secret.py': '', 'repo/pkg/out/o.py': '', 'repo/pkg/ignored-by-parent.py': '',
  });
  // The working directory is inside the repository; repo/.gitignore applies, the one above the repository does not.
  const { files } = walkPaths(['.'], { cwd: join(root, 'repo', 'pkg'), ...noGlobs });
  assert.deepEqual(files, ['a.py', 'ignored-by-parent.py']);
});

test('--exclude skips by name or by relative path; --include narrows the walk', () => {
  const root = workspace({
    'src/a.py': '', 'src/b.ts': '', 'src/a_test.py': '', 'src/legacy/old.py': '', 'tests/t.py': '', 'tools/x.js': '',
  });
  assert.deepEqual(walkPaths([], { cwd: root, include: [], exclude: ['tests', '*_test.py', 'src/legacy/**'] }).files,
    ['src/a.py', 'src/b.ts', 'tools/x.js']);
  assert.deepEqual(walkPaths([], { cwd: root, include: ['*.py'], exclude: [] }).files,
    ['src/a.py', 'src/a_test.py', 'src/legacy/old.py', 'tests/t.py']);
  assert.deepEqual(walkPaths([], { cwd: root, include: ['src/**'], exclude: ['legacy'] }).files,
    ['src/a.py', 'src/a_test.py', 'src/b.ts']);
  // Absolute globs (how config files anchor theirs) match absolute paths.
  assert.deepEqual(walkPaths(['.'], { cwd: join(root, 'src'), include: [], exclude: [`${root}/src/legacy/**`, `${root}/tests`] }).files,
    ['a.py', 'a_test.py', 'b.ts']);
});

test('an explicitly named file or folder is analysed even where a walk would skip it', () => {
  const root = workspace({
    '.gitignore': 'ignored.py\n',
    'ignored.py': '', 'node_modules/pkg/act.js': '', 'build/gen/z.py': '', 'tests/t.py': '', 'a.py': '',
  });
  const named = ['node_modules/pkg/act.js', 'ignored.py', 'build', 'tests/t.py'];
  const { files, errors } = walkPaths(named, { cwd: root, include: [], exclude: ['tests', 'build', '*.js'] });
  assert.deepEqual(errors, []);
  assert.deepEqual(files, ['build/gen/z.py', 'ignored.py', 'node_modules/pkg/act.js', 'tests/t.py']);
  // --include narrows what a named folder's walk finds, never a named file.
  assert.deepEqual(walkPaths(named, { cwd: root, include: ['*.ts'], exclude: [] }).files, ['ignored.py', 'node_modules/pkg/act.js', 'tests/t.py']);
});

test('a folder an outer .gitignore ignores is still walked when named', () => {
  const root = workspace({ '.gitignore': 'generated/\n', 'generated/g.py': '', 'generated/h.py': '' });
  assert.deepEqual(walkPaths(['generated'], { cwd: root, ...noGlobs }).files, ['generated/g.py', 'generated/h.py']);
});

test('a missing path is an error naming it; the other paths are still walked', () => {
  const root = workspace({ 'a.py': '' });
  const { files, errors } = walkPaths(['nope', 'a.py', 'gone/x.py'], { cwd: root, ...noGlobs });
  assert.deepEqual(files, ['a.py']);
  assert.deepEqual(errors.map((e) => e.path), ['nope', 'gone/x.py']);
  assert.match(errors[0].message, /^nope: no such file or directory$/);
});

test('an explicitly named file of another language is an error, not silently dropped', () => {
  const root = workspace({ 'README.md': '', 'types.d.ts': '' });
  const { files, errors } = walkPaths(['README.md', 'types.d.ts'], { cwd: root, ...noGlobs });
  assert.deepEqual(files, []);
  assert.equal(errors.length, 2);
  assert.match(errors[0].message, /^README\.md: not a Python, notebook, JavaScript or TypeScript file/);
});

test('paths are relative to cwd with / separators, sorted and without duplicates', () => {
  const root = workspace({ 'lib/x.py': '', 'lib/sub/y.py': '', 'src/b.py': '', 'src/a.py': '' });
  const cwd = join(root, 'src');
  const { files } = walkPaths(['b.py', '../lib', '.', join(root, 'src', 'a.py'), './b.py'], { cwd, ...noGlobs });
  assert.deepEqual(files, ['../lib/sub/y.py', '../lib/x.py', 'a.py', 'b.py']);
});

test('symlinked folders are followed once, and a link back up the tree does not loop', (t) => {
  const root = workspace({ 'a/f.py': '', 'shared/s.py': '' });
  try {
    symlinkSync(join(root, 'a'), join(root, 'a', 'loop'), 'dir');
    symlinkSync(join(root, 'shared'), join(root, 'a', 'linked'), 'dir');
    symlinkSync(join(root, 'missing'), join(root, 'a', 'dangling.py'));
  } catch {
    t.skip('symlinks not permitted here');
    return;
  }
  const { files, errors } = walkPaths(['a'], { cwd: root, ...noGlobs });
  assert.deepEqual(errors, []);
  assert.deepEqual(files, ['a/f.py', 'a/linked/s.py']);
});
