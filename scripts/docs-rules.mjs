// `npm run docs:rules`: rewrites the generated block of every docs/rules/GPxxx.md and the index
// docs/rules/README.md from the rule catalog (the logic is scripts/ruleDocs.ts, bundled here).
import * as esbuild from 'esbuild';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outfile = join(root, 'dist-test/ruleDocs.cjs');
await esbuild.build({
  entryPoints: [join(root, 'scripts/ruleDocs.ts')], outfile, bundle: true, platform: 'node', format: 'cjs', target: 'node20', logLevel: 'warning',
});
const { writeRuleDocs, staleRuleDocs } = createRequire(import.meta.url)(outfile);
const changed = writeRuleDocs(root);
console.log(changed.length ? `updated ${changed.join(', ')}` : 'rule docs already current');
const problems = staleRuleDocs(root);
for (const p of problems) console.error(p);
process.exit(problems.length ? 1 : 0);
