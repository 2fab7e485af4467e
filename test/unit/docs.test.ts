// Docs that cannot drift: the README's commands run, examples/README.md's totals are the demo's
// output, and every setting and flag the docs name is one the product accepts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseToml } from 'smol-toml';
import { checkCommand } from '../../src/cli/check';
import { evalCommand } from '../../src/cli/eval';
import { ruleCommand } from '../../src/cli/rule';
import { serverCommand } from '../../src/cli/server';
import { defaultTimeBudgetSeconds } from '../../src/cli/runSettings';
import { defaultSettings } from '../../src/core/config/settings';
import { parseConfigTable } from '../../src/core/workspace/config';
import { editorSettingKeys, sanitizeEditorSettings } from '../../src/shared/settings';

const root = join(__dirname, '..', '..');
const read = (rel: string): string => readFileSync(join(root, rel), 'utf8');
const docs = ['README.md', 'examples/README.md', ...readdirSync(join(root, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];
const rulePages = readdirSync(join(root, 'docs/rules')).filter((f) => f.endsWith('.md')).map((f) => `docs/rules/${f}`);

/** The fenced code blocks of a markdown file, with their info string. */
function codeBlocks(markdown: string): { lang: string; text: string }[] {
  return [...markdown.matchAll(/^```(\w*)\n([\s\S]*?)^```$/gm)].map((m) => ({ lang: m[1], text: m[2] }));
}

/** Shell words of one command line: quotes grouped, a trailing `# comment` and `> file` dropped. */
function shellWords(line: string): string[] {
  const words: string[] = [];
  let word = '';
  let quote: string | undefined;
  let inWord = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote) {
      if (c === quote) quote = undefined; else word += c;
    } else if (c === "'" || c === '"') {
      quote = c;
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else if (c === '#' && !inWord) {
      break;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (inWord) words.push(word);
  const redirect = words.indexOf('>');
  return redirect >= 0 ? words.slice(0, redirect) : words;
}

/** The gradprobe command lines of a markdown file's shell blocks, as arguments to dist/cli.js. */
function cliCommands(markdown: string): string[][] {
  return codeBlocks(markdown)
    .filter((b) => b.lang === 'sh' || b.lang === 'bash' || b.lang === '')
    .flatMap((b) => b.text.split('\n'))
    .map((l) => l.trim())
    .filter((l) => l.startsWith('gradprobe ') || l.startsWith('node dist/cli.js '))
    .map((l) => shellWords(l).slice(l.startsWith('gradprobe ') ? 1 : 2));
}

test('the README\'s example commands run against this repository (exit 0 or 1, never a usage error)', () => {
  const commands = [...cliCommands(read('README.md')), ...cliCommands(read('examples/README.md'))];
  assert.ok(commands.length >= 8, `only ${commands.length} commands found`);
  for (const args of commands) {
    const r = spawnSync(process.execPath, [join(root, 'dist/cli.js'), ...args], { cwd: root, encoding: 'utf8', timeout: 300_000 });
    assert.ok(r.status === 0 || r.status === 1, `gradprobe ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
    assert.ok(r.stdout.length > 0, `gradprobe ${args.join(' ')} printed nothing`);
  }
});

test('every gradprobe flag the docs show is an option of its command', () => {
  const known: Record<string, Set<string>> = Object.fromEntries([checkCommand, evalCommand, ruleCommand, serverCommand].map((c) => [c.name, new Set(Object.entries(c.options).flatMap(([n, s]) => [`--${n}`, ...(s.short ? [`-${s.short}`] : [])]))]));
  const problems: string[] = [];
  for (const doc of docs) {
    for (const line of read(doc).split('\n')) {
      const m = /(?:\bgradprobe|dist\/cli\.js) (check|eval|rule|server)\b(.*)$/.exec(line);
      if (!m) continue;
      for (const flag of m[2].match(/(?<![\w-])--?[a-z][\w-]*/g) ?? []) if (!known[m[1]].has(flag)) problems.push(`${doc}: ${m[1]} ${flag}`);
    }
  }
  assert.deepEqual(problems, []);
});

test('examples/README.md\'s totals are what the demo reports', () => {
  const text = read('examples/README.md');
  const totals = text.slice(text.indexOf('## Totals'));
  const num = (re: RegExp): number => Number(re.exec(totals)?.[1]);
  const run = spawnSync(process.execPath, [join(root, 'dist/cli.js'), 'check', 'examples', '--format', 'json'], { cwd: root, encoding: 'utf8', timeout: 300_000 });
  assert.equal(run.status, /exits 1/.test(totals) ? 1 : 0, run.stderr);
  const out = JSON.parse(run.stdout) as {
    files: { functions: { name: string; kind: string }[]; findings: { code: string; severity: string; function?: string }[] }[];
    summary: { functions: number; errors: number; warnings: number; infos: number };
  };
  const functions = out.files.flatMap((f) => f.functions);
  const findings = out.files.flatMap((f) => f.findings);
  assert.equal(num(/\*\*(\d+) functions\*\*/), out.summary.functions);
  assert.equal(num(/(\d+) activations/), functions.filter((f) => f.kind === 'activation').length);
  assert.equal(num(/(\d+) losses/), functions.filter((f) => f.kind === 'loss').length);
  const flagged = new Set(findings.filter((f) => f.severity !== 'info').map((f) => f.function));
  assert.equal(num(/(\d+) of them without an error or a\s+warning/), functions.filter((f) => !flagged.has(f.name)).length);
  assert.equal(num(/\*\*(\d+) errors/), out.summary.errors);
  assert.equal(num(/(\d+) warnings/), out.summary.warnings);
  assert.equal(num(/(\d+) infos\*\*/), out.summary.infos);
  // The per-severity code lists, "GP303 ×3" counting three.
  for (const severity of ['error', 'warning', 'info']) {
    const line = new RegExp(`^- ${severity}s: (.*)$`, 'm').exec(totals)?.[1] ?? '';
    const listed = line.split(',').map((s) => s.trim()).flatMap((s) => {
      const m = /^(GP\d{3})(?: ×(\d+))?$/.exec(s);
      return m ? Array<string>(Number(m[2] ?? 1)).fill(m[1]) : [`unparsed: ${s}`];
    }).sort();
    assert.deepEqual(listed, findings.filter((f) => f.severity === severity).map((f) => f.code).sort(), `${severity}s`);
  }
});

test('every TOML example in the docs is a config gradprobe accepts', () => {
  let checked = 0;
  for (const doc of docs) {
    for (const block of codeBlocks(read(doc)).filter((b) => b.lang === 'toml')) {
      const parsed = parseToml(block.text) as Record<string, unknown>;
      const tool = parsed.tool as Record<string, unknown> | undefined;
      // Other tools' files (docs/editors.md: Helix's languages.toml, a Zed extension's manifests).
      if (!tool && ['language-server', 'language_servers', 'package'].some((k) => k in parsed)) continue;
      const table = (tool?.gradprobe ?? parsed) as Record<string, unknown>;
      const { errors } = parseConfigTable(table, { file: doc, prefix: tool ? 'tool.gradprobe' : '', tableWord: 'a table', keyStyle: 'kebab' });
      assert.deepEqual(errors, [], `${doc}:\n${block.text}`);
      checked++;
    }
  }
  assert.ok(checked >= 1, 'no TOML example found');
});

test('every setting in the README\'s settings table is a key config files accept', () => {
  const readme = read('README.md');
  const table = readme.slice(readme.indexOf('| setting | default | what |'));
  const rows = table.split('\n').filter((l) => l.startsWith('| `'));
  assert.ok(rows.length >= 15, `${rows.length} rows`);
  const keys = rows.flatMap((r) => [...r.split('|')[1].matchAll(/`([\w-]+)`/g)].map((m) => m[1]));
  const thresholds = [...(rows.find((r) => r.startsWith('| `thresholds`'))?.split('|')[3] ?? '').matchAll(/`([\w-]+)`/g)].map((m) => m[1]);
  assert.ok(thresholds.length >= 15, `${thresholds.length} thresholds`);
  // A value no setting takes (a list holding a table): an accepted key answers "expected ...", an
  // unknown one "unknown setting".
  const where = { file: 'README.md', prefix: '', tableWord: 'a table', keyStyle: 'kebab' } as const;
  for (const key of keys) {
    const { errors } = parseConfigTable({ [key]: [{}] }, where);
    assert.ok(errors.length === 1 && !/unknown/.test(errors[0]), `${key}: ${errors.join('; ')}`);
  }
  for (const t of thresholds) {
    const { errors } = parseConfigTable({ thresholds: { [t]: -1 } }, where);
    assert.ok(errors.length === 1 && !/unknown/.test(errors[0]), `thresholds.${t}: ${errors.join('; ')}`);
  }
  // The numeric defaults the table states are the defaults.
  const defaults: Record<string, number> = {
    range: defaultSettings.range, 'time-budget-ms': defaultSettings.timeBudgetMs, 'max-file-bytes': defaultSettings.maxFileBytes,
    'max-functions': defaultSettings.maxFunctions, 'time-budget': defaultTimeBudgetSeconds,
  };
  for (const [key, value] of Object.entries(defaults)) {
    const row = rows.find((r) => r.startsWith(`| \`${key}\` |`));
    assert.equal(row?.split('|')[2].trim(), String(value), `README default of ${key}`);
  }
});

test('the editor settings the docs and rule pages name exist, and their examples (severity "off") are accepted', () => {
  const manifest = JSON.parse(read('package.json')) as { contributes: { commands: { command: string }[] } };
  const commands = new Set(manifest.contributes.commands.map((c) => c.command));
  const problems: string[] = [];
  for (const doc of [...docs, ...rulePages]) {
    const text = read(doc);
    for (const m of text.matchAll(/`"?gradprobe\.(\w+)"?/g)) {
      if (/^(toml|json|sarif)$/.test(m[1])) continue; // file names
      if (!editorSettingKeys.includes(m[1] as never) && !commands.has(`gradprobe.${m[1]}`)) problems.push(`${doc}: gradprobe.${m[1]}`);
    }
    for (const m of text.matchAll(/"gradprobe\.severity": (\{[^}]*\})/g)) {
      const found: string[] = [];
      sanitizeEditorSettings({ severity: JSON.parse(m[1]) as unknown }, found);
      problems.push(...found.map((f) => `${doc}: ${f}`));
    }
  }
  assert.deepEqual(problems, []);
});
