// Loads tree-sitter's runtime and grammars once per process and parses source text.
import { Language, Parser } from '@vscode/tree-sitter-wasm';
import type { Node, Tree } from '@vscode/tree-sitter-wasm';
import { nodeWasmSource } from './wasmSource.node';
import { blankAngleBracketTypes } from './angleBrackets';
import { AnalysisBudgetExceeded } from '../ir/errors';

export type SyntaxNode = Node;
export type SourceLanguage = 'python' | 'javascript' | 'typescript' | 'tsx';

// One grammar for the JavaScript family: TSX's parses JavaScript, JSX, TypeScript and TSX alike, and
// the JavaScript and TypeScript grammars would add 1.8 MB of WebAssembly to every install and to
// the browser payload. What TypeScript writes differently from TSX (`<number>x`, `<T>(x: T) => x`)
// is blanked before parsing (`angleBrackets.ts`).
const grammarFiles: Record<SourceLanguage, string> = {
  python: 'tree-sitter-python.wasm',
  javascript: 'tree-sitter-tsx.wasm',
  typescript: 'tree-sitter-tsx.wasm',
  tsx: 'tree-sitter-tsx.wasm',
};

/** The wasm files the grammars come from, each once (the build copies these beside the bundles). */
export const grammarWasmFiles: readonly string[] = [...new Set(Object.values(grammarFiles))];

/** The runtime's module options: Emscripten sets its heap views on this object. */
export interface WasmRuntimeOptions {
  locateFile: (file: string) => string;
  /** The runtime's wasm itself, when it is not read from `locateFile`'s path (a browser worker). */
  wasmBinary?: Uint8Array;
  HEAPU8?: Uint8Array;
}

/**
 * Where the wasm files come from: paths beside the bundle under Node (`wasmSource.node.ts`), bytes
 * the host fetched from the extension's own files in a browser worker (`useWasmSource`).
 */
export interface WasmSource {
  runtime(): Promise<WasmRuntimeOptions>;
  /** A grammar by file name (`tree-sitter-python.wasm`): a path or its bytes. */
  grammar(file: string): Promise<string | Uint8Array>;
}

let source: WasmSource | undefined;

/** Sets where the wasm files come from; call before the first parse (later calls change nothing). */
export function useWasmSource(wasm: WasmSource): void {
  source ??= wasm;
}

let initialised: Promise<void> | undefined;
// keyed by grammar file: the JavaScript family shares one parser
const parsers = new Map<string, Parser>();
// the loads under way or done, so two callers asking at once fetch and compile a grammar once
const loading = new Map<string, Promise<Parser>>();
let runtime: WasmRuntimeOptions | undefined;

/**
 * Bytes of tree-sitter's WebAssembly memory. It grows to fit the largest tree parsed so far and
 * never shrinks (WebAssembly memories cannot), so it is reported with the server's memory figures.
 */
export function parserMemoryBytes(): number {
  return runtime?.HEAPU8?.length ?? 0;
}

function wasmSource(): WasmSource {
  source ??= nodeWasmSource();
  return source;
}

function initRuntime(): Promise<void> {
  const wasm = wasmSource();
  initialised ??= (async () => {
    runtime = await wasm.runtime();
    await Parser.init(runtime);
  })();
  return initialised;
}

function parserFor(language: SourceLanguage): Promise<Parser> {
  const file = grammarFiles[language];
  let parser = loading.get(file);
  if (!parser) {
    // The grammar's bytes are fetched while the runtime compiles (in a browser worker both come
    // through the client: fetching one after the other added a round trip to every cold start).
    const bytes = wasmSource().grammar(file);
    parser = (async () => {
      await initRuntime();
      const p = new Parser();
      p.setLanguage(await Language.load(await bytes));
      parsers.set(file, p);
      return p;
    })();
    // An unhandled rejection of the early fetch is the load's own failure, reported there.
    bytes.catch(() => undefined);
    loading.set(file, parser);
    // A failed load may be retried by the next caller.
    parser.catch(() => loading.delete(file));
  }
  return parser;
}

/**
 * Loads the grammars so later parses are synchronous: every grammar, or those `paths` need. A
 * fresh `eval` of a Python file then compiles only Python's (the JavaScript family's is 1.4 MB of
 * WebAssembly). The grammars load in parallel.
 */
export async function loadGrammars(paths?: readonly string[]): Promise<void> {
  const wanted = new Set<SourceLanguage>();
  for (const path of paths ?? []) {
    const language = languageOfPath(path);
    if (language === 'python') wanted.add('python');
    else if (language) wanted.add('tsx');
  }
  // A path of no known language is parsed as the document layer decides: every grammar is loaded for it.
  const languages = paths && wanted.size && paths.every((p) => languageOfPath(p)) ? [...wanted] : (Object.keys(grammarFiles) as SourceLanguage[]);
  await Promise.all(languages.map((language) => parserFor(language)));
}

/**
 * Parses with a grammar loaded by `loadGrammars`. tree-sitter recovers from syntax errors: the tree then holds ERROR nodes.
 * `stop` is asked as the parser goes (tree-sitter's progress callback, every hundred or so parse
 * operations): when it answers true the parse is abandoned with `AnalysisBudgetExceeded`, so a file
 * that would take the parser minutes (kilobytes of noise) ends at the run's time budget.
 */
export function parseSource(language: SourceLanguage, text: string, stop?: () => boolean): Tree {
  const parser = parsers.get(grammarFiles[language]);
  if (!parser) throw new Error(`grammar for ${language} is not loaded; call loadGrammars() first`);
  let reached = 0;
  let stopped = false;
  // The runtime reads text as UTF-16: its offsets are bytes, two to a code unit.
  const options = stop ? { progressCallback: (state: { currentOffset: number }): boolean => { reached = state.currentOffset / 2; stopped = stop(); return stopped; } } : undefined;
  const parse = (source: string): Tree => {
    // The declared callback type returns void; the runtime cancels the parse when it returns true.
    const tree = parser.parse(source, null, options as Parameters<Parser['parse']>[2]);
    if (!tree) {
      // A cancelled parse would otherwise resume where it stopped on the next call, in another file.
      parser.reset();
      if (stopped) throw new AnalysisBudgetExceeded('parse', `at character ${Math.min(reached, source.length).toLocaleString('en-US')} of ${source.length.toLocaleString('en-US')}`);
      throw new Error(`tree-sitter returned no tree for ${language}`);
    }
    return tree;
  };
  const tree = parse(text);
  // Only a TypeScript file TSX could not read is looked at again: a clean parse pays nothing.
  if (language !== 'typescript' || !tree.rootNode.hasError) return tree;
  const blanked = blankAngleBracketTypes(text);
  if (blanked === text) return tree;
  tree.delete();
  return parse(blanked);
}

export function languageOfPath(path: string): SourceLanguage | undefined {
  const lower = path.toLowerCase();
  if (lower.endsWith('.py') || lower.endsWith('.pyi') || lower.endsWith('.ipynb')) return 'python';
  if (lower.endsWith('.tsx')) return 'tsx';
  if (lower.endsWith('.ts') || lower.endsWith('.mts') || lower.endsWith('.cts')) return 'typescript';
  if (lower.endsWith('.js') || lower.endsWith('.mjs') || lower.endsWith('.cjs') || lower.endsWith('.jsx')) return 'javascript';
  return undefined;
}
