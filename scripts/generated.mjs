// A generated source file (npm run gen:standard-stacks, gen:wasm): rewritten when its text changed;
// with --check only compared, and the process exits 1 when it is stale.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { relative } from 'node:path';

export function updateGenerated(root, file, text, command) {
  const name = relative(root, file);
  if (existsSync(file) && readFileSync(file, 'utf8') === text) {
    console.log(`${name} already current`);
  } else if (process.argv.includes('--check')) {
    console.error(`${name} is stale: run ${command}`);
    process.exit(1);
  } else {
    writeFileSync(file, text);
    console.log(`updated ${name}`);
  }
}
