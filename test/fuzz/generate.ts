// Fuzz inputs for the whole pipeline: syntactically broken, truncated, deeply nested, huge and
// random-byte .py/.ts/.js/.ipynb files, and mutated copies of the fixtures and examples (swapped
// ops, random constants, deleted lines). Deterministic for a seed, so a failure can be replayed.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/** A small, fast, seedable PRNG (mulberry32). */
export class Rng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
}

export interface SeedFile {
  /** Relative to the repository root, e.g. test/fixtures/rules/gp303_log.py. */
  path: string;
  text: string;
}

export type MutationKind = 'swap-op' | 'constant' | 'delete-line';

export interface Mutation {
  kind: MutationKind;
  /** 0-based lines of the seed that were changed (a deleted line is "changed"). */
  lines: number[];
  /** Whether each changed line kept the file's bracket, quote and block structure. */
  structural: boolean;
}

export type Family = 'mutated' | 'truncated' | 'broken' | 'nested' | 'huge' | 'bytes' | 'tokens' | 'notebook' | 'pathological';

export interface FuzzInput {
  /** Stable name for reports: index, family and what was done. */
  id: string;
  family: Family;
  /** The path the analysis sees; its extension picks the language. */
  path: string;
  text: string;
  detail: string;
  /** Mutated seeds: which seed and which lines changed (the oracle compares with the seed's report). */
  seed?: string;
  mutations?: Mutation[];
}

const sourceExt = /\.(py|js|ts|ipynb)$/;

/** The fixtures and examples, read once: the material the mutators start from. */
export function loadSeeds(root: string): SeedFile[] {
  const out: SeedFile[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (sourceExt.test(name)) {
        const text = readFileSync(p, 'latin1').includes('\u0000') ? readFileSync(p, 'latin1') : readFileSync(p, 'utf8');
        out.push({ path: relative(root, p), text });
      }
    }
  };
  walk(join(root, 'test/fixtures'));
  walk(join(root, 'examples'));
  return out;
}

// ------------------------------------------------------------------ mutators

const opSwaps: [RegExp, string[]][] = [
  [/ \+ /g, [' - ', ' * ', ' / ', ' ** ']],
  [/ - /g, [' + ', ' * ', ' / ']],
  [/ \* /g, [' / ', ' + ', ' ** ', ' @ ']],
  [/ \/ /g, [' * ', ' // ', ' % ']],
  [/\*\*/g, ['*', '//']],
  [/ > /g, [' < ', ' >= ', ' == ']],
  [/ < /g, [' > ', ' <= ', ' != ']],
  [/\b(sigmoid|tanh|relu|exp|log|sqrt|abs|softplus|square|sin|cos|elu|selu|gelu|erf)\b/g, ['sigmoid', 'tanh', 'relu', 'exp', 'log', 'sqrt', 'abs', 'softplus', 'square', 'sign', 'round', 'floor', 'log1p', 'expm1', 'rsqrt', 'reciprocal']],
  [/\b(mean|sum|max|min|prod|reduce_mean|reduce_sum|reduce_max)\b/g, ['mean', 'sum', 'max', 'min', 'prod', 'argmax', 'logsumexp', 'std', 'norm']],
  [/\b(where|maximum|minimum|clip|clamp|clip_by_value|clipByValue)\b/g, ['where', 'maximum', 'minimum', 'clip', 'clamp', 'pow', 'matmul', 'concat', 'stack']],
  [/\b(axis|dim|keepdims|keepdim)=/g, ['axis=', 'dim=', 'keepdims=', 'reduction=', 'eps=', 'alpha=']],
  [/\bx\b/g, ['y', 'self', 'None', 'x.T', 'x[0]', 'x[:, None]', '[x, x]', 'x.shape']],
];

const constants = [
  '0', '0.0', '-0.0', '1', '-1', '2', '1e-45', '1e-300', '1e308', '-1e308', '3.4e38', '1e9', '10**9', '1000000000', '2**31',
  '2**63', '10**100', '-7', '0.5', 'float("nan")', 'float("inf")', '-float("inf")', 'math.inf', 'np.nan', 'NaN', 'Infinity',
  'None', 'True', '[]', '()', '"x"', '1j', '0x7fffffff', '1_000_000', '9' .repeat(40),
];

const numberLiteral = /(?<![\w.])\d+(\.\d*)?([eE][-+]?\d+)?(?![\w.])/g;

/** Net brackets, quote parity and block markers of a line: a mutation that keeps these keeps the file's structure. */
function structureOf(line: string): string {
  const code = line.replace(/#.*$/, '');
  const net = (open: string, close: string): number => [...code].reduce((n, c) => n + (c === open ? 1 : c === close ? -1 : 0), 0);
  const parity = (q: string): number => [...code].filter((c) => c === q).length % 2;
  return JSON.stringify([net('(', ')'), net('[', ']'), net('{', '}'), parity('"'), parity("'"), parity('`'), (code.match(/"""|\'\'\'/g) ?? []).length,
    /\/\*|\*\//.test(code), /:\s*$/.test(code), /\\\s*$/.test(code)]);
}

/** A line that can go without changing the structure around it: balanced, no quotes, not a block opener. */
function neutral(line: string): boolean {
  const code = line.replace(/#.*$/, '').replace(/\/\/.*$/, '');
  if (/["'`]/.test(code) || /\\\s*$/.test(code) || /\/\*|\*\//.test(code)) return false;
  if (/:\s*$/.test(code) || /[{([]\s*$/.test(code) || /^\s*[})\]]/.test(code)) return false;
  let depth = 0;
  for (const c of code) {
    if ('([{'.includes(c)) depth++;
    else if (')]}'.includes(c)) depth--;
    if (depth < 0) return false;
  }
  return depth === 0;
}

function replaceNth(line: string, pattern: RegExp, rng: Rng, replacement: (match: string) => string): string | undefined {
  const matches = [...line.matchAll(new RegExp(pattern.source, pattern.flags.includes('g') ? pattern.flags : `${pattern.flags}g`))];
  if (!matches.length) return undefined;
  const m = rng.pick(matches);
  const at = m.index ?? 0;
  return line.slice(0, at) + replacement(m[0]) + line.slice(at + m[0].length);
}

function mutateLines(lines: string[], rng: Rng, kind: MutationKind): { lines: string[]; mutation: Mutation } | undefined {
  const candidates = lines.map((l, i) => i).filter((i) => lines[i].trim() !== '');
  if (!candidates.length) return undefined;
  for (let attempt = 0; attempt < 20; attempt++) {
    const i = rng.pick(candidates);
    const line = lines[i];
    if (kind === 'delete-line') {
      const count = rng.chance(0.8) ? 1 : rng.int(2, 3);
      const gone = Array.from({ length: Math.min(count, lines.length - i) }, (_, k) => i + k);
      const out = lines.filter((_, k) => !gone.includes(k));
      return { lines: out, mutation: { kind, lines: gone, structural: gone.every((k) => neutral(lines[k])) } };
    }
    let next: string | undefined;
    if (kind === 'swap-op') {
      const [pattern, options] = rng.pick(opSwaps);
      next = replaceNth(line, pattern, rng, (m) => {
        const choices = options.filter((o) => o !== m);
        return rng.pick(choices.length ? choices : options);
      });
    } else {
      next = replaceNth(line, numberLiteral, rng, () => rng.pick(constants));
    }
    if (next === undefined || next === line) continue;
    const out = [...lines];
    out[i] = next;
    return { lines: out, mutation: { kind, lines: [i], structural: structureOf(line) === structureOf(next) } };
  }
  return undefined;
}

/** A notebook's code cells, mutated in place (the oracle does not apply: cells shift lines). */
function mutateNotebook(text: string, rng: Rng): string | undefined {
  let nb: { cells?: { cell_type?: string; source?: string | string[] }[] };
  try {
    nb = JSON.parse(text) as typeof nb;
  } catch {
    return undefined;
  }
  const cells = (nb.cells ?? []).filter((c) => c.cell_type === 'code');
  if (!cells.length) return undefined;
  const cell = rng.pick(cells);
  const src = Array.isArray(cell.source) ? cell.source.join('') : String(cell.source ?? '');
  const m = mutateLines(src.split('\n'), rng, rng.pick(['swap-op', 'constant', 'delete-line'] as const));
  if (!m) return undefined;
  cell.source = rng.chance(0.5) ? m.lines.join('\n') : m.lines.map((l, i, a) => (i < a.length - 1 ? `${l}\n` : l));
  return JSON.stringify(nb, null, rng.chance(0.5) ? 1 : undefined);
}

// ------------------------------------------------------------------ generators

type Lang = 'py' | 'js' | 'ts';

const header: Record<Lang, string> = {
  py: 'import torch\nimport tensorflow as tf\nimport numpy as np\n',
  js: "import * as tf from '@tensorflow/tfjs';\n",
  ts: "import * as tf from '@tensorflow/tfjs';\n",
};

function useOf(lang: Lang, name: string): string {
  return lang === 'py' ? `ACTIVATIONS = {"a": ${name}}\n` : `const layer_${name} = tf.layers.activation({activation: ${name}});\n`;
}

function deeplyNested(rng: Rng, lang: Lang): { text: string; detail: string } {
  const depth = rng.pick([50, 200, 1000, 3000, 10000]);
  const shape = rng.pick(['parens', 'calls', 'lists', 'blocks', 'lambdas', 'binary', 'strings', 'subscripts'] as const);
  const name = 'deep_act';
  let body: string;
  switch (shape) {
    case 'parens': body = `${'('.repeat(depth)}x${')'.repeat(depth)}`; break;
    case 'calls': body = `${(lang === 'py' ? 'tf.sigmoid(' : 'tf.sigmoid(').repeat(depth)}x${')'.repeat(depth)}`; break;
    case 'lists': body = `x + ${'['.repeat(depth)}0${']'.repeat(depth)}`; break;
    case 'binary': body = Array.from({ length: depth }, () => 'x').join(rng.pick([' + ', ' * ', ' - '])); break;
    case 'strings': body = `x + len(${'"a" + '.repeat(depth)}"a")`; break;
    case 'subscripts': body = `x${'[0]'.repeat(Math.min(depth, 2000))}`; break;
    case 'lambdas': body = lang === 'py' ? `${'(lambda z: '.repeat(depth)}z${')'.repeat(depth)}(x)` : `${'((z) => '.repeat(depth)}z${')'.repeat(depth)}`; break;
    case 'blocks': {
      const d = Math.min(depth, 1000);
      if (lang === 'py') {
        const lines = [`def ${name}(x):`];
        for (let i = 0; i < d; i++) lines.push(`${' '.repeat(4 * (i + 1))}if x is not None:`);
        lines.push(`${' '.repeat(4 * (d + 1))}return x * tf.sigmoid(x)`, '    return x');
        return { text: `${header.py}\n${lines.join('\n')}\n\n${useOf('py', name)}`, detail: `nested blocks depth ${d}` };
      }
      const open = Array.from({ length: d }, () => 'if (x) {').join(' ');
      return { text: `${header[lang]}export const ${name} = (x) => { ${open} return tf.mul(x, tf.sigmoid(x)); ${'}'.repeat(d)} return x; };\n${useOf(lang, name)}`, detail: `nested blocks depth ${d}` };
    }
  }
  const def = lang === 'py' ? `def ${name}(x):\n    return ${body}\n` : `export const ${name} = (x) => ${body};\n`;
  return { text: `${header[lang]}\n${def}\n${useOf(lang, name)}`, detail: `nested ${shape} depth ${depth}` };
}

function hugeFile(rng: Rng, lang: Lang): { text: string; detail: string } {
  const shape = rng.pick(['many-functions', 'long-line', 'long-name', 'long-string', 'many-activations', 'long-literal'] as const);
  const out = [header[lang]];
  switch (shape) {
    case 'many-functions': {
      const n = rng.int(2_000, 8_000);
      for (let i = 0; i < n; i++) out.push(lang === 'py' ? `def helper_${i}(a, b=${i}):\n    return a * b + ${i}\n` : `export function helper_${i}(a, b = ${i}) { return a * b + ${i}; }`);
      break;
    }
    case 'many-activations': {
      const n = rng.int(40, 150);
      for (let i = 0; i < n; i++) {
        const body = rng.pick(['x * tf.sigmoid(x)', 'tf.tanh(x) * 2.0', 'tf.math.log(x * x)', 'tf.nn.relu(x) - 0.1']);
        out.push(lang === 'py' ? `def act_${i}(x):\n    return ${body}\n` : `export const act_${i} = (x) => tf.mul(x, tf.sigmoid(x));`);
      }
      out.push(lang === 'py' ? `ACTIVATIONS = {${Array.from({ length: n }, (_, i) => `"a${i}": act_${i}`).join(', ')}}` : Array.from({ length: n }, (_, i) => useOf(lang, `act_${i}`)).join(''));
      break;
    }
    case 'long-line': out.push(`${lang === 'py' ? 'X = ' : 'const X = '}[${Array.from({ length: rng.int(50_000, 200_000) }, (_, i) => i % 97).join(', ')}]`); break;
    case 'long-name': {
      const name = `act_${'a'.repeat(rng.int(10_000, 100_000))}`;
      out.push(lang === 'py' ? `def ${name}(x):\n    return x * tf.sigmoid(x)\n` : `export const ${name} = (x) => tf.mul(x, tf.sigmoid(x));`, useOf(lang, name));
      break;
    }
    case 'long-string': out.push(`${lang === 'py' ? 'DOC = ' : 'const DOC = '}"${'ab\\n'.repeat(rng.int(100_000, 400_000))}"`); break;
    case 'long-literal': out.push(lang === 'py' ? `def act(x):\n    return x * ${'9'.repeat(rng.int(1_000, 50_000))}\n\n${useOf('py', 'act')}` : `export const act = (x) => tf.mul(x, ${'9'.repeat(rng.int(1_000, 50_000))});\n${useOf(lang, 'act')}`); break;
  }
  return { text: out.join('\n'), detail: `huge ${shape}` };
}

function randomBytes(rng: Rng): { text: string; detail: string } {
  const n = rng.pick([0, 1, 7, 100, 4096, 65536]);
  const shape = rng.pick(['latin1', 'utf8-invalid', 'ascii', 'nul', 'surrogates', 'bom-crlf'] as const);
  const chars: string[] = [];
  for (let i = 0; i < n; i++) {
    switch (shape) {
      case 'latin1': chars.push(String.fromCharCode(rng.int(1, 255))); break;
      case 'utf8-invalid': chars.push(rng.chance(0.1) ? '\ufffd' : String.fromCharCode(rng.int(0x20, 0x7e))); break;
      case 'ascii': chars.push(String.fromCharCode(rng.pick([9, 10, 13, ...Array.from({ length: 95 }, (_, k) => 32 + k)]))); break;
      case 'nul': chars.push(String.fromCharCode(rng.int(0, 255))); break;
      case 'surrogates': chars.push(String.fromCharCode(rng.pick([0xd800, 0xdc00, 0xdfff, 0xfeff, 0x200b, 0x202e, 0x41, 0x28, 0x3a, 0x0a]))); break;
      case 'bom-crlf': chars.push(rng.pick(['\ufeff', '\r\n', '\r', '\t', 'def ', 'x', '(', ')', ':', ' ', 'return ', '\u2028', '\u00a0'])); break;
    }
  }
  return { text: chars.join(''), detail: `bytes ${shape} ×${n}` };
}

const tokens: Record<'py' | 'js', string[]> = {
  py: ['def', 'class', 'lambda', 'return', 'yield', 'if', 'else', 'elif', 'for', 'while', 'in', 'not', 'and', 'or', 'import', 'from', 'as', 'with', 'try', 'except', 'raise', 'global', 'nonlocal', 'async', 'await', '@', ':', '=', '==', '+', '-', '*', '**', '/', '//', '%', '(', ')', '[', ']', '{', '}', ',', '.', '\n', '\n    ', '\n        ', 'x', 'y', 'self', 'tf', 'torch', 'np', 'jnp', 'F', 'nn', 'sigmoid', 'log', 'exp', 'where', 'custom_gradient', 'forward', '__call__', 'activation=', 'loss=', '1', '0.5', '1e-7', '"s"', "'''", '"""', '#', '\\', ';', '...', 'None', 'True', ':='],
  js: ['function', 'class', 'extends', 'return', 'const', 'let', 'var', 'if', 'else', 'for', 'while', 'new', 'this', 'import', 'export', 'from', 'async', 'await', '=>', '=', '===', '+', '-', '*', '**', '/', '%', '(', ')', '[', ']', '{', '}', ',', '.', ';', '\n', 'x', 'y', 'tf', 'tf.layers', 'tf.customGrad', 'activation:', 'loss:', 'call', 'apply', '1', '0.5', '1e-7', '"s"', '`', '${', '/*', '*/', '//', '?.', '??', '...', 'null', 'undefined', 'as', 'any', '<T>', ':', '?', 'satisfies', 'enum', 'interface', 'type'],
};

function tokenSoup(rng: Rng, lang: Lang): { text: string; detail: string } {
  const n = rng.pick([5, 50, 500, 5000]);
  const vocab = tokens[lang === 'py' ? 'py' : 'js'];
  const parts = Array.from({ length: n }, () => rng.pick(vocab));
  const sep = rng.pick([' ', '', ' ']);
  const prefix = rng.chance(0.5) ? `${header[lang]}\n${lang === 'py' ? 'def act(x):\n    return ' : 'export const act = (x) => '}` : '';
  return { text: prefix + parts.join(sep), detail: `tokens ×${n}` };
}

/** Small functions that stress the probe rather than the parser: loops, recursion, huge tensors, odd values. */
function pathological(rng: Rng, lang: Lang): { text: string; detail: string } {
  const py: [string, string][] = [
    ['spin', 'while True:\n        x = x + 1\n    return x'],
    ['rec', 'return rec(x) + 1'],
    ['deep_rec', 'def go(n):\n        return x if n == 0 else go(n - 1)\n    return go(100000)'],
    ['huge_zeros', 'return x + torch.zeros(1000, 1000, 1000).sum()'],
    ['huge_broadcast', 'return (x[:, None] * torch.ones(1, 1000000)).sum(1)'],
    ['huge_outer_op', 'return torch.mul(x[:, None], torch.ones(1, 1000000)).sum(1)'],
    ['huge_compare', 'return x + (x[:, None] > torch.ones(1, 1000000)).sum()'],
    ['huge_tile', 'return tf.reduce_sum(tf.tile(tf.reshape(x, [-1, 1]), [1, 1000000]), axis=1)'],
    ['huge_broadcast_to', 'return tf.reduce_sum(tf.broadcast_to(tf.reshape(x, [-1, 1]), [x.shape[0], 1000000]), axis=1)'],
    ['huge_list', 'return x + len([0] * 10**9)'],
    ['huge_range', 'return x + sum(range(10**9))'],
    ['huge_pow', 'return x ** 10**9'],
    ['huge_string', 'return x + len("a" * 10**9)'],
    ['nan_const', 'return x * float("nan")'],
    ['inf_grad', 'return torch.sqrt(torch.abs(x))'],
    ['int_overflow', 'return x * (2**1000)'],
    ['self_ref', 'x = x\n    return x.x.x'],
    ['many_steps', 'for i in range(100000):\n        x = x * 1.0\n    return x'],
    ['nested_loops', 'for i in range(1000):\n        for j in range(1000):\n            x = x + 0.0\n    return x'],
    ['mutual_a', 'return mutual_b(x)\n\ndef mutual_b(x):\n    return mutual_a(x)'],
  ];
  const js: [string, string][] = [
    ['spin', '{ while (true) { x = tf.add(x, 1); } return x; }'],
    ['forever', '{ for (;;) {} return x; }'],
    ['rec', 'rec(x)'],
    ['huge_fill', 'tf.add(x, tf.sum(tf.fill([1e9], 1)))'],
    ['huge_tile', 'tf.sum(tf.tile(tf.reshape(x, [-1, 1]), [1, 1000000]), 1)'],
    ['huge_mul', 'tf.sum(tf.mul(tf.reshape(x, [-1, 1]), tf.ones([1, 1000000])), 1)'],
    ['huge_array', '{ const a = new Array(1e9).fill(0); return tf.add(x, a.length); }'],
    ['proto', '{ const o = {}; o.__proto__.p = 1; return x; }'],
    ['ctor', 'x.constructor.constructor("return process")()'],
    ['nan', 'tf.mul(x, NaN)'],
  ];
  if (lang === 'py') {
    const [name, body] = rng.pick(py);
    return { text: `${header.py}import math\n\ndef ${name}(x):\n    ${body}\n\n${useOf('py', name)}`, detail: `pathological ${name}` };
  }
  const [name, body] = rng.pick(js);
  return { text: `${header[lang]}\nexport const ${name} = (x) => ${body};\n${useOf(lang, name)}`, detail: `pathological ${name}` };
}

function brokenSyntax(rng: Rng, seed: SeedFile): { text: string; detail: string } {
  const text = seed.text;
  const edits = rng.int(1, 8);
  let out = text;
  for (let k = 0; k < edits; k++) {
    const at = rng.int(0, out.length);
    const op = rng.pick(['insert', 'delete', 'duplicate', 'indent'] as const);
    if (op === 'insert') out = out.slice(0, at) + rng.pick(['(', ')', '[', ']', '{', '}', ':', '"', "'", '"""', '`', '\\', '\n', '\t', '    ', 'def ', 'class ', '=>', ',', '@', '#', '/*']) + out.slice(at);
    else if (op === 'delete') out = out.slice(0, at) + out.slice(at + rng.int(1, 40));
    else if (op === 'duplicate') { const len = rng.int(1, 200); out = out.slice(0, at) + out.slice(at, at + len) + out.slice(at); }
    else { const line = out.lastIndexOf('\n', at) + 1; out = `${out.slice(0, line)}${rng.pick(['  ', '\t', '        '])}${out.slice(line)}`; }
  }
  return { text: out, detail: `broken ×${edits}` };
}

function asNotebook(rng: Rng, cellTexts: string[]): string {
  const cells: unknown[] = cellTexts.map((t) => {
    const source = rng.chance(0.5) ? t : t.split('\n').map((l, i, a) => (i < a.length - 1 ? `${l}\n` : l));
    return rng.chance(0.15)
      ? { cell_type: 'markdown', metadata: {}, source }
      : { cell_type: 'code', metadata: {}, source, outputs: [], execution_count: rng.chance(0.5) ? null : rng.int(1, 99) };
  });
  // Odd cells a real notebook may carry (or a broken one): magics, raw cells, wrong types.
  if (rng.chance(0.3)) cells.splice(rng.int(0, cells.length), 0, { cell_type: 'code', metadata: {}, source: ['%matplotlib inline\n', '!pip install torch\n', 'import torch'], outputs: [] });
  if (rng.chance(0.1)) cells.push(rng.pick<unknown>([null, 3, 'code', { cell_type: 'code' }, { cell_type: 'code', source: 42 }, { cell_type: 'code', source: [1, 2] }, { cell_type: 'raw', source: 'def f(x): return x' }, []]));
  return JSON.stringify({ cells, metadata: { kernelspec: { name: 'python3' } }, nbformat: 4, nbformat_minor: 5 });
}

function notebookInput(rng: Rng, seeds: SeedFile[]): { text: string; detail: string } {
  const pySeeds = seeds.filter((s) => s.path.endsWith('.py'));
  const shape = rng.pick(['from-seed', 'truncated-json', 'no-cells', 'wrong-json', 'pathological', 'nested'] as const);
  switch (shape) {
    case 'from-seed': {
      const seed = rng.pick(pySeeds).text;
      const parts = seed.split(/\n(?=def |class |[A-Z_]+ = )/);
      return { text: asNotebook(rng, parts), detail: 'notebook from a seed' };
    }
    case 'truncated-json': {
      const full = asNotebook(rng, rng.pick(pySeeds).text.split(/\n\n\n/));
      return { text: full.slice(0, rng.int(0, full.length)), detail: 'notebook truncated' };
    }
    case 'no-cells': return { text: rng.pick(['{}', '[]', 'null', '{"cells": {}}', '{"cells": "x"}', '{"cells": null}', '""', '{"cells": [[]]}']), detail: 'notebook without a cell list' };
    case 'wrong-json': return { text: rng.pick(pySeeds).text, detail: 'python text in an .ipynb' };
    case 'pathological': return { text: asNotebook(rng, [pathological(rng, 'py').text]), detail: 'notebook with a pathological cell' };
    case 'nested': return { text: asNotebook(rng, [deeplyNested(rng, 'py').text]), detail: 'notebook with a nested cell' };
  }
}

const langOf = (path: string): Lang => (path.endsWith('.js') ? 'js' : path.endsWith('.ts') ? 'ts' : 'py');

/** The index-th input of a run: the family and the content follow from the rng's state. */
export function generateInput(rng: Rng, index: number, seeds: SeedFile[]): FuzzInput {
  const roll = rng.next();
  const lang = rng.pick<Lang>(['py', 'py', 'py', 'js', 'ts']);
  const id = (family: string): string => `${String(index).padStart(5, '0')}-${family}`;
  const path = (family: string, ext: string): string => `fuzz/${id(family)}.${ext}`;
  if (roll < 0.42) {
    // A seed with 1–3 mutations of one kind each; keeps the seed's own path so reports compare.
    const seed = rng.pick(seeds.filter((s) => !s.text.includes('\u0000')));
    if (seed.path.endsWith('.ipynb')) {
      const text = mutateNotebook(seed.text, rng) ?? seed.text;
      return { id: id('mutated'), family: 'mutated', path: seed.path, text, detail: `mutated notebook ${seed.path}`, seed: seed.path };
    }
    let lines = seed.text.split('\n');
    const mutations: Mutation[] = [];
    const count = rng.pick([1, 1, 1, 2, 3]);
    for (let k = 0; k < count; k++) {
      const m = mutateLines(lines, rng, rng.pick(['swap-op', 'swap-op', 'constant', 'constant', 'delete-line'] as const));
      if (!m) continue;
      // Line numbers after the first mutation refer to the mutated text; only single mutations are compared.
      lines = m.lines;
      mutations.push(m.mutation);
    }
    return {
      id: id('mutated'), family: 'mutated', path: seed.path, text: lines.join('\n'), seed: seed.path, mutations,
      detail: `${seed.path}: ${mutations.map((m) => `${m.kind}@${m.lines.map((l) => l + 1).join('+')}`).join(', ') || 'unchanged'}`,
    };
  }
  if (roll < 0.50) {
    const seed = rng.pick(seeds);
    const cut = rng.int(0, seed.text.length);
    return { id: id('truncated'), family: 'truncated', path: path('truncated', seed.path.split('.').pop()!), text: seed.text.slice(0, cut), detail: `${seed.path} cut at byte ${cut}` };
  }
  if (roll < 0.60) {
    const seed = rng.pick(seeds);
    const r = brokenSyntax(rng, seed);
    return { id: id('broken'), family: 'broken', path: path('broken', seed.path.split('.').pop()!), text: r.text, detail: `${seed.path} ${r.detail}` };
  }
  if (roll < 0.68) {
    const r = deeplyNested(rng, lang);
    return { id: id('nested'), family: 'nested', path: path('nested', lang), ...r };
  }
  if (roll < 0.70) {
    const r = hugeFile(rng, lang);
    return { id: id('huge'), family: 'huge', path: path('huge', lang), ...r };
  }
  if (roll < 0.76) {
    const r = randomBytes(rng);
    return { id: id('bytes'), family: 'bytes', path: path('bytes', rng.pick(['py', 'js', 'ts', 'ipynb'])), ...r };
  }
  if (roll < 0.83) {
    const r = tokenSoup(rng, lang);
    return { id: id('tokens'), family: 'tokens', path: path('tokens', lang), ...r };
  }
  if (roll < 0.92) {
    const r = notebookInput(rng, seeds);
    return { id: id('notebook'), family: 'notebook', path: path('notebook', 'ipynb'), ...r };
  }
  const r = pathological(rng, lang);
  return { id: id('pathological'), family: 'pathological', path: path('pathological', lang), ...r };
}

export { langOf };
