// `dist/cli.js`: starts the CLI's main bundle (`dist/cliMain.js`) with V8's code cache
// (`bundleLoader.ts`). The main bundle holds the commands, the configs, the walk, the result cache and
// the output formats; it loads the engine bundle (`dist/cliEngine.js`: parsing, translation, probes,
// TensorFlow.js) the same way only when something must be analysed, so a re-check that the result
// cache answers never loads or compiles the engine. This file must stay small: Node built-ins only.
import { join } from 'node:path';
import { loadBundle, oneShot } from './bundleLoader';

// A one-shot `eval` parses one small file. V8 would tier the grammar's wasm up to its optimising
// compiler in the background and, before the process can exit, wait for that compilation (about
// 60 ms, a fifth of the command); the baseline compiler's code is all one file needs.
// (node:v8 is required here, not imported: the other commands do not load it, about 1 ms each.)
// eslint-disable-next-line @typescript-eslint/no-require-imports
if (oneShot) (require('node:v8') as typeof import('node:v8')).setFlagsFromString('--liftoff-only');
// `eval` needs the engine and nothing of the main bundle: it starts the engine bundle's command directly.
if (oneShot) (loadBundle(join(__dirname, 'cliEngine.js')) as typeof import('./engine')).evalCommand(process.argv.slice(3));
else loadBundle(join(__dirname, 'cliMain.js'));
