// `npm run test:corpus -- --corpus DIR`: checks GradProbe against a labelled corpus kept outside the
// repository (DIR/labels.json with expect/forbid codes per function, and optionally DIR/score.py, its
// scorer). Runs the loss-probe suite over it, then the scorer if there is one, and prints its last line.
// Without a corpus it fails: a suite that cannot run does not pass.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({ options: { corpus: { type: 'string' } } });
if (!values.corpus || !existsSync(join(values.corpus, 'labels.json'))) {
  console.error(`test:corpus needs --corpus DIR, a folder with labels.json (${values.corpus ? `none in ${values.corpus}` : 'none given'})`);
  process.exit(2);
}
const corpus = resolve(values.corpus);
const build = spawnSync(process.execPath, [join(root, 'scripts/build.mjs'), '--tests'], { stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);
const suite = spawnSync(process.execPath, ['--test', join(root, 'dist-test/corpus/lossCorpus.test.js')], { stdio: 'inherit', cwd: root, env: { ...process.env, GRADPROBE_CORPUS: corpus } });
let status = suite.status ?? 1;
if (existsSync(join(corpus, 'score.py'))) {
  const score = spawnSync('python3', [join(corpus, 'score.py'), '--project', root, '--corpus', corpus], { cwd: corpus, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  process.stdout.write(score.stdout);
  if (score.status !== 0) status ||= score.status ?? 1;
}
process.exit(status);
