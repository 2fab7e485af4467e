// Loads tree-sitter's runtime and grammars once per process and parses source text.
import { Language, Parser } from '@vscode/tree-sitter-wasm';
import type { Node, Tree } from '@vscode/tree-sitter-wasm';
import { nodeWasmSource } from './wasmSource.node';

export type SyntaxNode = Node;
export type SourceLanguage = 'python' | 'javascript' | 'typescript' | 'tsx';

const grammarFiles: Record<SourceLanguage, string> = {
  python: 'tree-sitter-python.wasm',
  javascript: 'tree-sitter-javascript.wasm',
  typescript: 'tree-sitter-typescript.wasm',
  tsx: 'tree-sitter-tsx.wasm',
};

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
const parsers = new Map<SourceLanguage, Parser>();
let runtime: WasmRuntimeOptions | undefined;

/**
 * Bytes of tree-sitter's WebAssembly memory. It grows to fit the largest tree parsed so far and
 * never shrinks (WebAssembly memories cannot), so it is reported with the server's memory figures.
 */
export function parserMemoryBytes(): number {
  return runtime?.HEAPU8?.length ?? 0;
}

async function parserFor(language: SourceLanguage): Promise<Parser> {
  source ??= nodeWasmSource();
  const wasm = source;
  initialised ??= (async () => {
    runtime = await wasm.runtime();
    await Parser.init(runtime);
  })();
  await initialised;
  let parser = parsers.get(language);
  if (!parser) {
    const grammar = await Language.load(await wasm.grammar(grammarFiles[language]));
    parser = new Parser();
    parser.setLanguage(grammar);
    parsers.set(language, parser);
  }
  return parser;
}

/**
 * Loads the grammars so later parses are synchronous: every grammar, or those `paths` need. A
 * fresh `eval` of a Python file then compiles only Python's (the JavaScript family's are 3 MB of
 * WebAssembly). A JavaScript or TypeScript file may import any of the family, so it loads all three.
 */
export async function loadGrammars(paths?: readonly string[]): Promise<void> {
  const wanted = new Set<SourceLanguage>();
  for (const path of paths ?? []) {
    const language = languageOfPath(path);
    if (language === 'python') wanted.add('python');
    else if (language) for (const l of ['javascript', 'typescript', 'tsx'] as const) wanted.add(l);
  }
  // A path of no known language is parsed as the document layer decides: every grammar is loaded for it.
  const languages = paths && wanted.size && paths.every((p) => languageOfPath(p)) ? [...wanted] : (Object.keys(grammarFiles) as SourceLanguage[]);
  for (const language of languages) await parserFor(language);
}

/** Parses with a grammar loaded by `loadGrammars`. tree-sitter recovers from syntax errors: the tree then holds ERROR nodes. */
export function parseSource(language: SourceLanguage, text: string): Tree {
  const parser = parsers.get(language);
  if (!parser) throw new Error(`grammar for ${language} is not loaded; call loadGrammars() first`);
  const tree = parser.parse(text);
  if (!tree) throw new Error(`tree-sitter returned no tree for ${language}`);
  return tree;
}

export function languageOfPath(path: string): SourceLanguage | undefined {
  const lower = path.toLowerCase();
  if (lower.endsWith('.py') || lower.endsWith('.pyi') || lower.endsWith('.ipynb')) return 'python';
  if (lower.endsWith('.tsx')) return 'tsx';
  if (lower.endsWith('.ts') || lower.endsWith('.mts') || lower.endsWith('.cts')) return 'typescript';
  if (lower.endsWith('.js') || lower.endsWith('.mjs') || lower.endsWith('.cjs') || lower.endsWith('.jsx')) return 'javascript';
  return undefined;
}
