// Measures GradProbe on public libraries nobody here wrote: `npm run realworld -- --root DIR`.
// DIR holds a copy of each library of test/realworld/libraries.json (DIR/<id>/<paths> and <imports>), at the
// commit given there (`git -C MIRROR archive COMMIT PATHS... | tar -x -C DIR/<id>`). Prints, per library and in total: detection recall and precision against the hand-written
// ground truth (test/realworld/truth/<id>.json), the share of found functions that were probed, the
// findings by severity with their hand judgements (test/realworld/judgements.json), and how many of
// optax's own test cases `eval` reproduces (test/realworld/optax-cases.json).
//   --only ID[,ID]   some libraries     --json          one JSON object on stdout
//   --list           every finding, one line each, with its judgement (to judge new ones)
//   --cases          every optax case that disagrees, with the reason
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const data = join(root, 'test/realworld');
const { values: opts } = parseArgs({ options: { root: { type: 'string' }, only: { type: 'string' }, json: { type: 'boolean' }, list: { type: 'boolean' }, cases: { type: 'boolean' } } });
if (!opts.root) {
  console.error('usage: npm run realworld -- --root DIR   (DIR/<id>/... holds the libraries of test/realworld/libraries.json)');
  process.exit(2);
}
const cli = join(root, 'dist/cli.js');
if (!existsSync(cli)) {
  console.error('dist/cli.js is missing: run `npm run build` first');
  process.exit(2);
}
const { libraries } = JSON.parse(readFileSync(join(data, 'libraries.json'), 'utf8'));
const judgements = JSON.parse(readFileSync(join(data, 'judgements.json'), 'utf8')).judgements;
const only = opts.only ? new Set(opts.only.split(',')) : undefined;
const log = (line) => (opts.json ? process.stderr : process.stdout).write(`${line}\n`);

const baseName = (name) => name.replace(/@\d+$/, '');
const judgementKey = (lib, file, fn, code) => `${lib}|${file}|${fn ?? ''}|${code}`;
const judged = new Map(judgements.map((j) => [judgementKey(j.library, j.file, j.function, j.code), j]));

function checkLibrary(lib) {
  const dir = resolve(opts.root, lib.id);
  // The imports are read when the analysed code calls into them, never analysed themselves: without them
  // the figures change silently, so they are required as the paths are.
  const wanted = [...lib.paths, ...(lib.imports ?? [])];
  const missing = wanted.filter((p) => !existsSync(join(dir, p)));
  if (missing.length) {
    throw new Error(`${lib.id}: ${missing.join(', ')} not found under ${dir} (extract ${lib.repo} at ${lib.commit}: `
      + `git -C MIRROR archive ${lib.commit} ${wanted.join(' ')} | tar -x -C ${dir}${lib.extract ? `; ${lib.extract}` : ''})`);
  }
  const started = Date.now();
  const run = spawnSync(process.execPath, [cli, 'check', ...lib.paths, '--format', 'json', '--fail-on', 'never'], { cwd: dir, encoding: 'utf8', maxBuffer: 256 << 20 });
  if (run.status !== 0) throw new Error(`${lib.id}: check exited ${run.status}: ${run.stderr.trim().split('\n').slice(-3).join(' | ')}`);
  return { report: JSON.parse(run.stdout), ms: Date.now() - started };
}

function measureLibrary(lib) {
  const truth = JSON.parse(readFileSync(join(data, 'truth', `${lib.id}.json`), 'utf8'));
  const { report, ms } = checkLibrary(lib);
  const found = report.files.flatMap((f) => f.functions.map((fn) => ({ ...fn, file: f.path })));
  // A truth entry matches a found function in the same file with the same name (NAME@LINE or NAME).
  const matches = (t, fn) => t.file === fn.file && (t.name === fn.name || baseName(t.name) === baseName(fn.name));
  const truePositives = found.filter((fn) => truth.functions.some((t) => matches(t, fn)));
  const falsePositives = found.filter((fn) => !truth.functions.some((t) => matches(t, fn)));
  const missed = truth.functions.filter((t) => !found.some((fn) => matches(t, fn)));
  const probable = truePositives.filter((fn) => !truth.functions.find((t) => matches(t, fn))?.compiled);
  const probed = probable.filter((fn) => fn.probe.status === 'ok');
  const findings = report.files.flatMap((f) => f.findings.map((x) => ({ ...x, file: f.path })));
  const bySeverity = { error: 0, warning: 0, info: 0 };
  const verdicts = { error: { true: 0, false: 0, unjudged: 0 }, warning: { true: 0, false: 0, unjudged: 0 } };
  const listed = [];
  for (const x of findings) {
    bySeverity[x.severity]++;
    if (x.severity === 'info') continue;
    const j = judged.get(judgementKey(lib.id, x.file, x.function, x.code));
    const verdict = j ? (j.verdict === true || j.verdict === 'true' ? 'true' : 'false') : 'unjudged';
    verdicts[x.severity][verdict]++;
    listed.push({ verdict, severity: x.severity, code: x.code, file: x.file, line: x.range.start.line + 1, function: x.function, message: x.message, why: j?.why });
  }
  const notProbed = probable.filter((fn) => fn.probe.status !== 'ok').map((fn) => ({ file: fn.file, name: fn.name, status: fn.probe.status, reason: fn.probe.reason ?? '' }));
  return {
    id: lib.id, ms, truth: truth.functions.length, found: found.length, truePositives: truePositives.length,
    recall: truePositives.length / Math.max(1, truth.functions.length), precision: truePositives.length / Math.max(1, found.length),
    probable: probable.length, probed: probed.length, probedShare: probed.length / Math.max(1, probable.length),
    bySeverity, verdicts, listed, notProbed,
    missed: missed.map((t) => `${t.file}:${t.name}`), falsePositives: falsePositives.map((fn) => `${fn.file}:${fn.name}`),
  };
}

/** Parameter names of a Python def, read from the library's source (to pass extra positionals by name). */
function parameterNames(file, name) {
  const text = readFileSync(file, 'utf8');
  const m = new RegExp(`^def ${name}\\s*\\(([^)]*)\\)`, 'ms').exec(text);
  if (!m) return undefined;
  let params = m[1].replace(/#[^\n]*/g, '');
  // Type annotations hold commas (Union[int, tuple[int, ...]]): drop bracketed text first.
  for (let prev = ''; prev !== params; ) { prev = params; params = params.replace(/\[[^[\]]*\]/g, ''); }
  return params.split(',').map((p) => p.trim().replace(/[:=].*$/s, '').trim()).filter((p) => p && p !== '*' && p !== '/' && !p.startsWith('**'));
}

function close(actual, expected, tol) {
  const rtol = tol?.rtol ?? 1e-3;
  const atol = Math.max(tol?.atol ?? 0, 1e-5);
  if (Array.isArray(expected)) return Array.isArray(actual) && actual.length === expected.length && expected.every((e, i) => close(actual[i], e, tol));
  const e = typeof expected === 'string' ? Number(expected.replace('Infinity', 'Infinity')) : expected;
  const a = typeof actual === 'string' ? Number(actual) : actual;
  if (Array.isArray(a)) return a.length === 1 && close(a[0], expected, tol);
  if (Number.isNaN(e)) return Number.isNaN(a);
  if (!Number.isFinite(e)) return a === e;
  return typeof a === 'number' && Math.abs(a - e) <= atol + rtol * Math.abs(e);
}

/** Parameter names that are settings of a function, not tensors it compares. */
const knob = /^(alpha|beta|gamma|delta|epsilon|eps|margin|temperature|smoothing|label_smoothing)$/;

function runOptaxCases() {
  const file = join(data, 'optax-cases.json');
  const dir = resolve(opts.root, 'optax');
  if (!existsSync(file) || !existsSync(dir)) return undefined;
  const { cases } = JSON.parse(readFileSync(file, 'utf8'));
  const out = { total: cases.length, translated: 0, agree: 0, failures: [] };
  for (const c of cases) {
    const names = parameterNames(join(dir, c.file), c.function) ?? [];
    // A factory's own arguments (make_fenchel_young_loss's max_fun) go in --args beside the call's.
    const kwargs = { ...(c.factory ?? {}), ...c.kwargs };
    // A second parameter that is a setting, not a target (smooth_labels(labels, alpha)), is passed by name.
    const targetAt = c.args.length > 1 && !(names[1] && knob.test(names[1])) ? 1 : undefined;
    c.args.forEach((a, i) => { if (i >= 1 && i !== targetAt && names[i]) kwargs[names[i]] = a; });
    // `--flag=VALUE`: a value such as -2 would otherwise read as an option.
    const args = ['eval', c.file, c.function, '--per-element', `--y-pred=${JSON.stringify(c.args[0])}`];
    if (targetAt !== undefined) args.push(`--y-true=${JSON.stringify(c.args[1])}`);
    if (Object.keys(kwargs).length) args.push(`--args=${JSON.stringify(kwargs)}`);
    const run = spawnSync(process.execPath, [cli, ...args], { cwd: dir, encoding: 'utf8' });
    if (run.status !== 0) {
      out.failures.push({ id: c.id, why: `not evaluated: ${(run.stderr.trim().split('\n').pop() ?? '').slice(0, 200)}` });
      continue;
    }
    out.translated++;
    const result = JSON.parse(run.stdout);
    let value = result.value ?? result.y ?? result.loss;
    if (c.output_index !== undefined && Array.isArray(value) && !Array.isArray(c.expected)) value = value[c.output_index];
    if (close(value, c.expected, c.tol)) out.agree++;
    else out.failures.push({ id: c.id, why: `disagrees: got ${JSON.stringify(value).slice(0, 120)}, expected ${JSON.stringify(c.expected).slice(0, 120)}` });
  }
  return out;
}

const pct = (x) => `${(100 * x).toFixed(0)}%`.padStart(5);
const results = [];
for (const lib of libraries) {
  if (only && !only.has(lib.id)) continue;
  results.push(measureLibrary(lib));
}
const optaxCases = !only || only.has('optax') ? runOptaxCases() : undefined;

const sum = (k) => results.reduce((s, r) => s + r[k], 0);
const total = {
  truth: sum('truth'), found: sum('found'), truePositives: sum('truePositives'), probable: sum('probable'), probed: sum('probed'),
  errors: results.reduce((s, r) => s + r.bySeverity.error, 0), warnings: results.reduce((s, r) => s + r.bySeverity.warning, 0), infos: results.reduce((s, r) => s + r.bySeverity.info, 0),
  falseErrors: results.reduce((s, r) => s + r.verdicts.error.false, 0), trueWarnings: results.reduce((s, r) => s + r.verdicts.warning.true, 0),
  falseWarnings: results.reduce((s, r) => s + r.verdicts.warning.false, 0), unjudged: results.reduce((s, r) => s + r.verdicts.error.unjudged + r.verdicts.warning.unjudged, 0),
};
if (opts.json) {
  process.stdout.write(`${JSON.stringify({ libraries: results, total, optaxCases })}\n`);
} else {
  if (opts.list) {
    for (const r of results) for (const x of r.listed) log(`${x.verdict.padEnd(8)} ${r.id} ${x.file}:${x.line} ${x.function ?? '-'} ${x.severity} ${x.code} ${x.message}${x.why ? `  — ${x.why}` : ''}`);
    log('');
  }
  log('library   truth found  recall precision  probed         errors (false/unj.)  warnings (true/false/unj.)  infos    time');
  for (const r of results) {
    log(`${r.id.padEnd(9)} ${String(r.truth).padStart(5)} ${String(r.found).padStart(5)}  ${pct(r.recall)}     ${pct(r.precision)}  ${String(r.probed).padStart(3)}/${String(r.probable).padEnd(3)} ${pct(r.probedShare)}  ${String(r.bySeverity.error).padStart(6)} (${r.verdicts.error.false}/${r.verdicts.error.unjudged})        ${String(r.bySeverity.warning).padStart(6)} (${r.verdicts.warning.true}/${r.verdicts.warning.false}/${r.verdicts.warning.unjudged})           ${String(r.bySeverity.info).padStart(5)}  ${(r.ms / 1000).toFixed(1)} s`);
    if (r.missed.length) log(`          missed: ${r.missed.join(', ')}`);
    if (r.falsePositives.length) log(`          not activations or losses: ${r.falsePositives.join(', ')}`);
    for (const n of r.notProbed) log(`          not probed: ${n.file}:${n.name} (${n.status}) ${n.reason.slice(0, 160)}`);
  }
  if (optaxCases) {
    log(`optax test cases: ${optaxCases.agree} of ${optaxCases.translated} evaluated agree (${optaxCases.total} cases, ${optaxCases.total - optaxCases.translated} not evaluated)`);
    if (opts.cases) for (const f of optaxCases.failures) log(`          ${f.id}: ${f.why}`);
  }
  const judgedWarnings = total.trueWarnings + total.falseWarnings;
  log(`realworld: recall ${(total.truePositives / total.truth).toFixed(2)}, precision ${(total.truePositives / Math.max(1, total.found)).toFixed(2)}, probed ${(total.probed / Math.max(1, total.probable)).toFixed(2)} (${total.probed}/${total.probable}); ` +
    `${total.errors} errors (${total.falseErrors} false), ${total.warnings} warnings (${judgedWarnings ? ((100 * total.trueWarnings) / judgedWarnings).toFixed(0) : '-'}% of judged true), ${total.infos} infos, ${total.unjudged} unjudged` +
    (optaxCases ? `; optax eval ${optaxCases.agree}/${optaxCases.translated}` : ''));
}
