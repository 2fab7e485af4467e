// The dependency rules of the source tree, read from every file's imports (TypeScript's own
// pre-processor finds them: static, type-only, re-exports, dynamic import() and require()):
// - src/core folders import only from their own layer or below, and never in a cycle;
// - a src/core folder that is not in the layer order fails the test until it is placed there;
// - src/core, src/cli and src/shared never import vscode;
// - src/server and src/cli do not import each other.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { test } from 'node:test';
import * as ts from 'typescript';

/**
 * src/core's folders, bottom to top; '.' is the files directly in src/core (analyze, api, engine,
 * panel). A folder may import from its own layer and those below. A new folder goes here.
 */
const layers: readonly (readonly string[])[] = [
  ['ir'],
  ['config'],
  ['findings'],
  ['workspace'],
  ['parse'],
  ['ops'],
  ['detect'],
  ['translate'],
  ['rules'],
  ['probe'],
  ['.'],
];


interface Edge {
  /** Importing file, relative to the repository root with `/` separators. */
  from: string;
  /** The import as written. */
  specifier: string;
  /** For a relative import: the imported file without extension, relative to the root. */
  to?: string;
}

const root = process.cwd();

function sourceFiles(dir: string): string[] {
  return readdirSync(join(root, dir), { recursive: true })
    .map(String)
    .filter((f) => f.endsWith('.ts'))
    .map((f) => `${dir}/${f.replace(/\\/g, '/')}`)
    .sort();
}

function importsOf(file: string): Edge[] {
  const info = ts.preProcessFile(readFileSync(join(root, file), 'utf8'), true, true);
  return info.importedFiles.map(({ fileName: specifier }) => ({
    from: file,
    specifier,
    to: specifier.startsWith('.') ? relative(root, resolve(root, dirname(file), specifier)).replace(/\\/g, '/').replace(/\.(ts|js)$/, '') : undefined,
  }));
}

/** The src/core folder a path belongs to ('.' directly in src/core), or undefined outside src/core. */
function coreFolder(path: string): string | undefined {
  const m = /^src\/core\/(.*)$/.exec(path);
  if (!m) return undefined;
  const parts = m[1].split('/');
  return parts.length === 1 ? '.' : parts[0];
}

function layerOf(folder: string): number | undefined {
  const i = layers.findIndex((l) => l.includes(folder));
  return i < 0 ? undefined : i;
}

const describeFolder = (folder: string): string => (folder === '.' ? 'src/core (top level)' : `src/core/${folder}`);

/** Folders of src/core missing from the layer order. */
function unknownFolders(folders: readonly string[]): string[] {
  return folders.filter((f) => layerOf(f) === undefined).map((f) => `${describeFolder(f)} is not in the layer order: place it in \`layers\` (test/unit/architecture.test.ts)`);
}

/** Imports between src/core folders that go up the layer order. */
function upwardImports(edges: readonly Edge[]): string[] {
  const out: string[] = [];
  for (const e of edges) {
    const from = coreFolder(e.from);
    const to = e.to === undefined ? undefined : coreFolder(e.to);
    if (from === undefined || to === undefined || from === to) continue;
    const a = layerOf(from);
    const b = layerOf(to);
    if (a === undefined || b === undefined) {
      out.push(`${e.from} imports '${e.specifier}': ${describeFolder(a === undefined ? from : to)} is not in the layer order`);
    } else if (b > a) {
      out.push(`${e.from} imports '${e.specifier}': ${describeFolder(from)} sits below ${describeFolder(to)}`);
    }
  }
  return out;
}

/** Cycles in the graph of src/core folders: for each folder, the shortest way back to itself, with one import per step. */
function folderCycles(edges: readonly Edge[]): string[] {
  const next = new Map<string, Map<string, Edge>>();
  for (const e of edges) {
    const from = coreFolder(e.from);
    const to = e.to === undefined ? undefined : coreFolder(e.to);
    if (from === undefined || to === undefined || from === to) continue;
    if (!next.has(from)) next.set(from, new Map());
    if (!next.get(from)!.has(to)) next.get(from)!.set(to, e);
  }
  const out: string[] = [];
  const reported = new Set<string>();
  for (const start of [...next.keys()].sort()) {
    // Breadth-first from start; the first step that returns to start closes the shortest cycle.
    const cameFrom = new Map<string, Edge>();
    const queue = [start];
    let closing: Edge | undefined;
    while (queue.length && !closing) {
      const v = queue.shift()!;
      for (const [w, e] of [...(next.get(v) ?? [])].sort(([a], [b]) => a.localeCompare(b))) {
        if (w === start) { closing = e; break; }
        if (!cameFrom.has(w)) { cameFrom.set(w, e); queue.push(w); }
      }
    }
    if (!closing) continue;
    const steps = [closing];
    for (let v = coreFolder(closing.from)!; v !== start; v = coreFolder(cameFrom.get(v)!.from)!) steps.unshift(cameFrom.get(v)!);
    const key = steps.map((e) => coreFolder(e.from)).sort().join(' ');
    if (reported.has(key)) continue;
    reported.add(key);
    const path = [start, ...steps.map((e) => coreFolder(e.to!)!)].map(describeFolder).join(' → ');
    out.push(`import cycle ${path}: ${steps.map((e) => `${e.from} imports '${e.specifier}'`).join('; ')}`);
  }
  return out;
}

/** `vscode` imported where the editor is not: src/core, src/cli, src/shared. */
function editorImports(edges: readonly Edge[]): string[] {
  return edges
    .filter((e) => /^src\/(core|cli|shared)\//.test(e.from) && (e.specifier === 'vscode' || e.specifier.startsWith('vscode/')))
    .map((e) => `${e.from} imports vscode`);
}

/** src/server importing src/cli or the reverse: both are shells over src/core. */
function shellCrossImports(edges: readonly Edge[]): string[] {
  const out: string[] = [];
  for (const e of edges) {
    if (e.to === undefined) continue;
    if (e.from.startsWith('src/server/') && e.to.startsWith('src/cli/')) out.push(`${e.from} imports '${e.specifier}' from src/cli`);
    if (e.from.startsWith('src/cli/') && e.to.startsWith('src/server/')) out.push(`${e.from} imports '${e.specifier}' from src/server`);
  }
  return out;
}

function coreFolders(): string[] {
  const dirs = readdirSync(join(root, 'src/core'), { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);
  return ['.', ...dirs.sort()];
}

function allEdges(): Edge[] {
  assert.ok(existsSync(join(root, 'src/core')), `run from the repository root: no src/core under ${root}`);
  const files = ['src/core', 'src/cli', 'src/shared', 'src/server'].flatMap(sourceFiles);
  assert.ok(files.length > 50, `only ${files.length} source files found under src/`);
  const edges = files.flatMap(importsOf);
  assert.ok(edges.some((e) => e.from.startsWith('src/core/translate/') && e.to?.startsWith('src/core/ir/')), 'the import reader found no import of src/core/ir from src/core/translate');
  return edges;
}

test('every src/core folder has a place in the layer order', () => {
  assert.deepEqual(unknownFolders(coreFolders()), []);
});

test('src/core folders import only from their own layer or below', () => {
  assert.deepEqual(upwardImports(allEdges()), []);
});

test('no import cycle between src/core folders', () => {
  assert.deepEqual(folderCycles(allEdges()), []);
});

test('src/core, src/cli and src/shared never import vscode', () => {
  assert.deepEqual(editorImports(allEdges()), []);
});

test('src/server and src/cli do not import each other', () => {
  assert.deepEqual(shellCrossImports(allEdges()), []);
});

test('the rules catch what they exist to catch', () => {
  const edge = (from: string, specifier: string): Edge => ({ from, specifier, to: specifier.startsWith('.') ? join(dirname(from), specifier).replace(/\\/g, '/') : undefined });
  assert.deepEqual(unknownFolders(['ir', 'plugins']), ['src/core/plugins is not in the layer order: place it in `layers` (test/unit/architecture.test.ts)']);
  assert.deepEqual(upwardImports([edge('src/core/ir/values.ts', '../translate/scope')]), ["src/core/ir/values.ts imports '../translate/scope': src/core/ir sits below src/core/translate"]);
  assert.deepEqual(upwardImports([edge('src/core/ops/tables/torch.ts', '../../probe/loss')]), ["src/core/ops/tables/torch.ts imports '../../probe/loss': src/core/ops sits below src/core/probe"]);
  assert.deepEqual(upwardImports([edge('src/core/translate/scope.ts', '../analyze')]), ["src/core/translate/scope.ts imports '../analyze': src/core/translate sits below src/core (top level)"]);
  assert.deepEqual(upwardImports([edge('src/core/plugins/walk.ts', '../ir/ir')]), ["src/core/plugins/walk.ts imports '../ir/ir': src/core/plugins is not in the layer order"]);
  assert.deepEqual(upwardImports([edge('src/core/probe/loss.ts', '../ir/ir'), edge('src/core/ops/tables/torch.ts', '../table'), edge('src/core/analyze.ts', './probe/loss')]), []);
  assert.deepEqual(folderCycles([edge('src/core/findings/types.ts', '../config/settings'), edge('src/core/config/settings.ts', '../findings/rules')]), [
    "import cycle src/core/config → src/core/findings → src/core/config: src/core/config/settings.ts imports '../findings/rules'; src/core/findings/types.ts imports '../config/settings'",
  ]);
  const viaThree = [edge('src/core/parse/document.ts', '../ops/table'), edge('src/core/ops/args.ts', '../detect/detect'), edge('src/core/detect/detect.ts', '../parse/syntax'), edge('src/core/detect/detect.ts', '../ir/ir')];
  assert.deepEqual(folderCycles(viaThree), [
    "import cycle src/core/detect → src/core/parse → src/core/ops → src/core/detect: src/core/detect/detect.ts imports '../parse/syntax'; src/core/parse/document.ts imports '../ops/table'; src/core/ops/args.ts imports '../detect/detect'",
  ]);
  assert.deepEqual(folderCycles([edge('src/core/findings/types.ts', '../config/settings')]), []);
  assert.deepEqual(editorImports([edge('src/shared/commands.ts', 'vscode'), edge('src/client/extension.ts', 'vscode')]), ['src/shared/commands.ts imports vscode']);
  const cross = [edge('src/server/probeService.ts', '../cli/walk'), edge('src/server/server.ts', '../cli/format'), edge('src/cli/check.ts', '../server/fixes')];
  assert.deepEqual(shellCrossImports(cross), ["src/server/probeService.ts imports '../cli/walk' from src/cli", "src/server/server.ts imports '../cli/format' from src/cli", "src/cli/check.ts imports '../server/fixes' from src/server"]);
});
