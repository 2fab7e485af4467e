// Quick fixes as text edits: epsilon and clip guards (GP303/GP201), exp clipping and stable forms
// (GP304), the double-where pattern (GP305/GP102), removing a doubled activation (GP211), swapping a
// loss's parameters (GP207), and suppression comments. Each builder reads the current text and
// returns edits, or nothing when the text is not in a shape it understands (no guessing). The LSP
// layer (codeActions.ts) wraps them in versioned WorkspaceEdits.
import type { RuleCode } from '../core/findings/rules';
import {
  argValue, enclosingCall, frameworkAliases, lineStarts, matchingBracket, needsParens, offsetAt, parseCall, positionAt, splitTopLevel,
  type Piece, type TextRange,
} from './sourceText';

export type Language = 'python' | 'javascript';

export interface FixContext {
  text: string;
  language: Language;
  /** As the core names it: tensorflow, pytorch, jax, numpy, tfjs. */
  framework: string;
  kind?: 'activation' | 'loss';
  dtype: 'float32' | 'float16' | 'bfloat16';
  /** The function's own range (for fixes that look inside the function, e.g. GP102, GP211, GP207). */
  functionRange?: TextRange;
}

export interface TextEditLike { range: TextRange; newText: string }

export interface Fix {
  title: string;
  code: string;
  edits: TextEditLike[];
  /** The one `source.fixAll.gradprobe` applies. */
  preferred?: boolean;
}

/** An epsilon that survives the dtype: 1 - eps must differ from 1 (float16 spacing near 1 is 4.9e-4). */
export function epsilonFor(dtype: FixContext['dtype']): string {
  return dtype === 'float16' ? '1e-3' : dtype === 'bfloat16' ? '1e-2' : '1e-7';
}

interface Ops {
  /** What to write for a framework function, e.g. clip → `tf.clip_by_value`. */
  clip?: (x: string, lo: string, hi: string) => string;
  atLeast?: (x: string, lo: string) => string;
  where?: string;
  softplus?: string;
  sigmoid?: string;
  logsumexp?: { fn: string; axisKw: string };
}

/** The framework's functions under the aliases this document imports; absent where no alias is imported. */
function opsFor(ctx: FixContext): Ops {
  const a = frameworkAliases(ctx.text, ctx.language);
  const ops: Ops = {};
  switch (ctx.framework) {
    case 'tensorflow': {
      const tf = a.get('tensorflow');
      const kops = a.get('keras.ops') ?? (a.get('keras') ? `${a.get('keras')}.ops` : undefined);
      if (tf) {
        Object.assign(ops, {
          clip: (x: string, lo: string, hi: string) => `${tf}.clip_by_value(${x}, ${lo}, ${hi})`,
          atLeast: (x: string, lo: string) => `${tf}.maximum(${x}, ${lo})`,
          where: `${tf}.where`, softplus: `${tf}.math.softplus`, sigmoid: `${tf}.math.sigmoid`,
          logsumexp: { fn: `${tf}.reduce_logsumexp`, axisKw: 'axis' },
        });
      } else if (kops) {
        Object.assign(ops, {
          clip: (x: string, lo: string, hi: string) => `${kops}.clip(${x}, ${lo}, ${hi})`,
          atLeast: (x: string, lo: string) => `${kops}.maximum(${x}, ${lo})`,
          where: `${kops}.where`, softplus: `${kops}.softplus`, sigmoid: `${kops}.sigmoid`,
          logsumexp: { fn: `${kops}.logsumexp`, axisKw: 'axis' },
        });
      }
      break;
    }
    case 'pytorch': {
      const torch = a.get('torch');
      const F = a.get('torch.nn.functional') ?? (torch ? `${torch}.nn.functional` : undefined);
      if (torch) {
        Object.assign(ops, {
          clip: (x: string, lo: string, hi: string) => `${torch}.clamp(${x}, min=${lo}, max=${hi})`,
          atLeast: (x: string, lo: string) => `${torch}.clamp(${x}, min=${lo})`,
          where: `${torch}.where`, sigmoid: `${torch}.sigmoid`,
          logsumexp: { fn: `${torch}.logsumexp`, axisKw: 'dim' },
        });
      }
      if (F) ops.softplus = `${F}.softplus`;
      break;
    }
    case 'jax': {
      const jnp = a.get('jax.numpy');
      const jax = a.get('jax');
      if (jnp) {
        Object.assign(ops, {
          clip: (x: string, lo: string, hi: string) => `${jnp}.clip(${x}, ${lo}, ${hi})`,
          atLeast: (x: string, lo: string) => `${jnp}.maximum(${x}, ${lo})`,
          where: `${jnp}.where`,
        });
      }
      if (jax) Object.assign(ops, { softplus: `${jax}.nn.softplus`, sigmoid: `${jax}.nn.sigmoid`, logsumexp: { fn: `${jax}.nn.logsumexp`, axisKw: 'axis' } });
      break;
    }
    case 'numpy': {
      const np = a.get('numpy');
      if (np) {
        Object.assign(ops, {
          clip: (x: string, lo: string, hi: string) => `${np}.clip(${x}, ${lo}, ${hi})`,
          atLeast: (x: string, lo: string) => `${np}.maximum(${x}, ${lo})`,
          where: `${np}.where`,
        });
      }
      break;
    }
    case 'tfjs': {
      const tf = a.get('tfjs');
      if (tf) {
        Object.assign(ops, {
          clip: (x: string, lo: string, hi: string) => `${tf}.clipByValue(${x}, ${lo}, ${hi})`,
          atLeast: (x: string, lo: string) => `${tf}.maximum(${x}, ${lo})`,
          where: `${tf}.where`, softplus: `${tf}.softplus`, sigmoid: `${tf}.sigmoid`,
          logsumexp: { fn: `${tf}.logSumExp`, axisKw: '' },
        });
      }
      break;
    }
  }
  return ops;
}

class Doc {
  readonly starts: number[];
  constructor(readonly text: string) { this.starts = lineStarts(text); }
  offset(p: TextRange['start']): number { return offsetAt(this.text, this.starts, p); }
  range(start: number, end: number): TextRange { return { start: positionAt(this.starts, start), end: positionAt(this.starts, end) }; }
  edit(start: number, end: number, newText: string): TextEditLike { return { range: this.range(start, end), newText }; }
}

const domainFn = /(?:^|\.)(log|log2|log10|sqrt|rsqrt|reciprocal|pow|power|float_power|div|divide|truediv|true_divide)$/;

/** The expression at fault in a GP303/GP201 range: a call's guarded argument or a division's denominator. */
function domainTarget(doc: Doc, start: number, end: number, ctx: FixContext): { what: 'log' | 'sqrt' | 'divide' | 'pow'; arg: Piece; receiver: boolean } | undefined {
  const text = doc.text;
  const call = parseCall(text, start, end, ctx.language);
  if (call) {
    const name = call.callee.split('.').pop() ?? '';
    // Method form: `y_pred.log()` / `x.sqrt()` (receiver is the argument).
    if (call.args.length === 0 && /^(log|log2|log10|sqrt|rsqrt|reciprocal)$/.test(name)) {
      const dot = call.callee.lastIndexOf('.');
      if (dot > 0) {
        const recvEnd = text.lastIndexOf('.', call.open);
        return { what: name.startsWith('log') ? 'log' : name === 'reciprocal' ? 'divide' : 'sqrt', arg: { text: text.slice(start, recvEnd).trim(), start, end: recvEnd }, receiver: true };
      }
    }
    if (!domainFn.test(call.callee) || call.args.length === 0) return undefined;
    if (/^(div|divide|truediv|true_divide)$/.test(name)) {
      if (call.args.length < 2) return undefined;
      return { what: 'divide', arg: argValue(call.args[1]), receiver: false };
    }
    if (/^(pow|power|float_power)$/.test(name)) return { what: 'pow', arg: argValue(call.args[0]), receiver: false };
    return { what: name.startsWith('log') ? 'log' : name === 'reciprocal' ? 'divide' : 'sqrt', arg: argValue(call.args[0]), receiver: false };
  }
  // Binary forms: `a / b` (the denominator), `x ** 0.5` (the base).
  const pieces = topLevelOperator(text, start, end, ctx.language, ctx.language === 'python' ? /^\/(?!\/)/ : /^\/(?![/*])/);
  if (pieces) return { what: 'divide', arg: pieces.right, receiver: false };
  const pow = topLevelOperator(text, start, end, ctx.language, /^\*\*/);
  if (pow) return { what: 'pow', arg: pow.left, receiver: false };
  return undefined;
}

/** Splits text[start, end) at the last top-level occurrence of an operator. */
function topLevelOperator(text: string, start: number, end: number, language: Language, op: RegExp): { left: Piece; right: Piece } | undefined {
  let depth = 0;
  let at = -1;
  let len = 0;
  let quote = '';
  for (let i = start; i < end; i++) {
    const c = text[i];
    if (quote) { if (c === '\\') i++; else if (c === quote) quote = ''; continue; }
    if (c === '"' || c === "'" || (c === '`' && language === 'javascript')) { quote = c; continue; }
    if ('([{'.includes(c)) depth++;
    else if (')]}'.includes(c)) depth--;
    else if (depth === 0) {
      const m = op.exec(text.slice(i, i + 3));
      if (m && !(i > start && text[i - 1] === '*' && m[0] === '**') && !(m[0] === '/' && text[i - 1] === '/')) { at = i; len = m[0].length; if (m[0] === '**') i++; }
    }
  }
  if (at < 0) return undefined;
  const trim = (s: number, e: number): Piece => {
    while (s < e && /\s/.test(text[s])) s++;
    while (e > s && /\s/.test(text[e - 1])) e--;
    return { text: text.slice(s, e), start: s, end: e };
  };
  const left = trim(start, at);
  const right = trim(at + len, end);
  if (!left.text || !right.text) return undefined;
  return { left, right };
}

function plusEps(expr: string, eps: string, language: Language): string {
  return needsParens(expr, language) ? `(${expr}) + ${eps}` : `${expr} + ${eps}`;
}

/** GP303 / GP201: add an epsilon, or clip (probabilities to [eps, 1 - eps] in a loss, else from below). */
function domainFixes(doc: Doc, range: TextRange, ctx: FixContext, code: string): Fix[] {
  const start = doc.offset(range.start);
  const end = doc.offset(range.end);
  const target = domainTarget(doc, start, end, ctx);
  if (!target) return [];
  const eps = epsilonFor(ctx.dtype);
  const fixes: Fix[] = [];
  const a = target.arg;
  // Inside a call's parentheses `a + eps` is enough; a receiver, denominator or base needs `(a + eps)`.
  const inCall = !target.receiver && target.what !== 'divide' && target.what !== 'pow';
  const guarded = inCall ? plusEps(a.text, eps, ctx.language) : `(${plusEps(a.text, eps, ctx.language)})`;
  fixes.push({ title: `Add an epsilon: ${guarded}`, code, edits: [doc.edit(a.start, a.end, guarded)], preferred: true });
  if (target.what !== 'divide') {
    const ops = opsFor(ctx);
    const probabilities = ctx.kind === 'loss' && target.what === 'log';
    const hi = ctx.language === 'python' ? `1.0 - ${eps}` : `1 - ${eps}`;
    const clipped = probabilities ? ops.clip?.(a.text, eps, hi) : ops.atLeast?.(a.text, eps);
    if (clipped) fixes.push({ title: probabilities ? `Clip to [${eps}, 1 - ${eps}]: ${clipped}` : `Clip from below: ${clipped}`, code, edits: [doc.edit(a.start, a.end, clipped)] });
  }
  return fixes;
}

/** GP304: clip the exponent, or rewrite into the framework's stable form (softplus, log-sum-exp, sigmoid). */
function expFixes(doc: Doc, range: TextRange, ctx: FixContext, code: string): Fix[] {
  const text = doc.text;
  const start = doc.offset(range.start);
  const end = doc.offset(range.end);
  const call = parseCall(text, start, end, ctx.language);
  if (!call) return [];
  const ops = opsFor(ctx);
  const fixes: Fix[] = [];
  let arg: Piece | undefined;
  if (call.args.length >= 1) arg = argValue(call.args[0]);
  else if (call.callee.endsWith('.exp')) {
    const recvEnd = text.lastIndexOf('.', call.open);
    arg = { text: text.slice(start, recvEnd).trim(), start, end: recvEnd };
  }
  if (!arg) return [];
  const expText = text.slice(start, end);
  const outer = enclosingCall(text, start, end, ctx.language);
  // log(1 + exp(X)) / log1p(exp(X)) → softplus(X)
  if (outer && ops.softplus) {
    const name = outer.callee.split('.').pop();
    const inner = outer.args.length === 1 ? outer.args[0].text.replace(/\s+/g, ' ') : '';
    const e = expText.replace(/\s+/g, ' ');
    const isSoftplus = (name === 'log' && [`1 + ${e}`, `1.0 + ${e}`, `${e} + 1`, `${e} + 1.0`].includes(inner)) || (name === 'log1p' && inner === e);
    if (isSoftplus) fixes.push({ title: `Use ${ops.softplus}(${arg.text}) (stable log(1 + exp))`, code, edits: [doc.edit(outer.calleeStart, outer.close + 1, `${ops.softplus}(${arg.text})`)], preferred: true });
  }
  // log(sum(exp(X), axis)) → logsumexp(X, axis)
  if (outer && ops.logsumexp && /(^|\.)(sum|reduce_sum)$/.test(outer.callee) && outer.args[0] && outer.args[0].start === start && outer.args[0].end === end) {
    const log = enclosingCall(text, outer.calleeStart, outer.close + 1, ctx.language);
    if (log && /(^|\.)log$/.test(log.callee) && log.args.length === 1) {
      const rest = outer.args.slice(1).map((p) => {
        const kw = /^(axis|dim|keepdims|keepdim)\s*=/.exec(p.text);
        if (!kw) return p.text;
        const key = kw[1] === 'axis' || kw[1] === 'dim' ? ops.logsumexp!.axisKw : kw[1] === 'keepdims' && ops.logsumexp!.axisKw === 'dim' ? 'keepdim' : kw[1];
        return key ? p.text.replace(/^\w+/, key) : p.text.replace(/^\w+\s*=\s*/, '');
      });
      const replacement = `${ops.logsumexp.fn}(${[arg.text, ...rest].join(', ')})`;
      fixes.push({ title: `Use ${ops.logsumexp.fn} (log-sum-exp form)`, code, edits: [doc.edit(log.calleeStart, log.close + 1, replacement)], preferred: true });
    }
  }
  // A / (1 + exp(-B)) → A * sigmoid(B)
  if (ops.sigmoid && /^-\s*/.test(arg.text)) {
    const b = arg.text.replace(/^-\s*/, '');
    const after = text.slice(end, end + 2);
    const openParen = text.lastIndexOf('(', start);
    const head = openParen >= 0 ? text.slice(openParen + 1, start).replace(/\s+/g, ' ') : '';
    if (openParen >= 0 && /^(1|1\.0) \+ $/.test(head) && after.startsWith(')')) {
      const slash = /\/\s*$/.exec(text.slice(Math.max(0, openParen - 40), openParen));
      if (slash) {
        const slashAt = openParen - slash[0].length;
        const safeB = needsParens(b, ctx.language) || /[+\-*/]/.test(b) ? `(${b})` : b;
        fixes.push({ title: `Use ${ops.sigmoid}(${b}) (no overflow)`, code, edits: [doc.edit(slashAt, end + 1, `* ${ops.sigmoid}(${safeB.replace(/^\((.*)\)$/, '$1')})`)], preferred: fixes.length === 0 });
      }
    }
  }
  if (ops.clip) {
    const lim = ctx.language === 'python' ? '88.0' : '88';
    const clipped = ops.clip(arg.text, `-${lim}`, lim);
    fixes.push({ title: `Clip the exponent to [-${lim}, ${lim}]: ${clipped}`, code, edits: [doc.edit(arg.start, arg.end, clipped)], preferred: fixes.length === 0 });
  }
  return fixes;
}

const domainOpInText = /(\blog\w*|\bsqrt|\brsqrt|\breciprocal|\*\*\s*0?\.\d|\bpow\w*|\/)/;

/** GP305 / GP102: make the branch `where` does not take safe too — the double-where pattern. */
function doubleWhereFixes(doc: Doc, range: TextRange, ctx: FixContext, code: string): Fix[] {
  const ops = opsFor(ctx);
  const text = doc.text;
  let start = doc.offset(range.start);
  let end = doc.offset(range.end);
  let call = parseCall(text, start, end, ctx.language);
  // GP102 points at the function: look for the where call inside it.
  if ((!call || !/(^|\.)where$/.test(call.callee)) && ctx.functionRange) {
    const fs = doc.offset(ctx.functionRange.start);
    const fe = doc.offset(ctx.functionRange.end);
    const body = text.slice(fs, fe);
    for (const m of body.matchAll(/[A-Za-z_$][\w$.]*\.where\s*\(/g)) {
      const s = fs + (m.index ?? 0);
      const close = matchingBracket(text, s + m[0].length - 1, ctx.language);
      const candidate = close > 0 ? parseCall(text, s, close + 1, ctx.language) : undefined;
      if (candidate && candidate.args.length === 3 && candidate.args.slice(1).some((a) => domainOpInText.test(a.text))) {
        call = candidate; start = s; end = close + 1;
        break;
      }
    }
  }
  if (!call || !/(^|\.)where$/.test(call.callee) || call.args.length !== 3) return [];
  const [cond, a, b] = call.args;
  const bad = [a, b].findIndex((br) => domainOpInText.test(br.text));
  if (bad < 0) return [];
  const branch = bad === 0 ? a : b;
  // The variable to guard: one the condition tests and the risky branch uses.
  const condNames = new Set(cond.text.match(/[A-Za-z_$][\w$]*/g) ?? []);
  const variable = (branch.text.match(/[A-Za-z_$][\w$]*/g) ?? []).find((n) => condNames.has(n) && !/^(tf|torch|jnp|np|jax|math|ops|keras|F|nn)$/.test(n));
  if (!variable) return [];
  const whereFn = ops.where ?? call.callee;
  const safe = ctx.language === 'python' ? '1.0' : '1';
  const guarded = bad === 0 ? `${whereFn}(${cond.text}, ${variable}, ${safe})` : `${whereFn}(${cond.text}, ${safe}, ${variable})`;
  const re = new RegExp(`(?<![\\w$.])${variable.replace(/\$/g, '\\$')}(?![\\w$])`, 'g');
  const newBranch = branch.text.replace(re, guarded);
  if (newBranch === branch.text) return [];
  return [{ title: `Use the double-where pattern: feed ${variable} through ${whereFn}(…) in the branch not taken`, code, edits: [doc.edit(branch.start, branch.end, newBranch)], preferred: true }];
}

const activationCall = /([A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*\.)?(sigmoid|softmax)\s*\(/g;

/** GP211: drop the extra sigmoid/softmax, or make from_logits agree with it. */
function doubleActivationFixes(doc: Doc, range: TextRange, ctx: FixContext, code: string): Fix[] {
  const text = doc.text;
  const from = doc.offset(ctx.functionRange?.start ?? range.start);
  const to = doc.offset(ctx.functionRange?.end ?? range.end);
  const body = text.slice(from, to);
  const fixes: Fix[] = [];
  const calls: { start: number; end: number; arg: Piece; name: string }[] = [];
  for (const m of body.matchAll(activationCall)) {
    const s = from + (m.index ?? 0);
    const close = matchingBracket(text, s + m[0].length - 1, ctx.language);
    const call = close > 0 ? parseCall(text, s, close + 1, ctx.language) : undefined;
    if (call && call.args.length >= 1) calls.push({ start: s, end: close + 1, arg: argValue(call.args[0]), name: m[2] });
  }
  const fromLogits = /from_logits\s*=\s*(True|true)/.exec(body) ?? /fromLogits\s*:\s*true/.exec(body);
  if (calls.length === 1) {
    const c = calls[0];
    fixes.push({ title: `Remove the extra ${c.name}: pass ${c.arg.text} on as it is`, code, edits: [doc.edit(c.start, c.end, c.arg.text)], preferred: true });
  }
  if (fromLogits && calls.length >= 1) {
    const s = from + fromLogits.index;
    const replacement = fromLogits[0].replace(/True|true$/, (t) => (t === 'True' ? 'False' : 'false'));
    fixes.push({ title: `Set ${replacement.replace(/\s+/g, '')}: the predictions are already probabilities`, code, edits: [doc.edit(s, s + fromLogits[0].length, replacement)] });
  }
  return fixes;
}

/** GP207: swap the function's first two parameters (after self), so the framework's order maps right. */
function swapParameterFixes(doc: Doc, ctx: FixContext, code: string): Fix[] {
  if (!ctx.functionRange) return [];
  const text = doc.text;
  const from = doc.offset(ctx.functionRange.start);
  const to = doc.offset(ctx.functionRange.end);
  const head = text.slice(from, to);
  if (ctx.language === 'python' && /^\s*(\w+\s*=\s*)?lambda\b/.test(head)) {
    // name = lambda a, b: ... — parameters up to the colon
    const at = from + head.indexOf('lambda') + 'lambda'.length;
    const colon = text.indexOf(':', at);
    return colon > at ? swapPieces(doc, splitTopLevel(text, at, colon, ctx.language), code) : [];
  }
  // A class is called through forward / call / __call__; a function through its own signature.
  const m = ctx.language === 'python'
    ? /\bdef\s+(forward|call|__call__)\s*\(/.exec(head) ?? /\bdef\s+\w+\s*\(/.exec(head)
    : /\b(forward|call|apply)\s*\(/.exec(head) ?? /\(/.exec(head);
  if (!m) return [];
  const open = from + m.index + m[0].length - 1;
  const close = matchingBracket(text, open, ctx.language);
  if (close < 0) return [];
  let params = splitTopLevel(text, open + 1, close, ctx.language);
  if (params[0] && /^(self|cls|ctx|this)\b/.test(params[0].text)) params = params.slice(1);
  return swapPieces(doc, params, code);
}

function swapPieces(doc: Doc, params: Piece[], code: string): Fix[] {
  if (params.length < 2 || params.slice(0, 2).some((p) => /^[*/]/.test(p.text))) return [];
  const [p, q] = params;
  // Names only: a default or annotation stays with its name.
  return [{ title: `Swap the parameters: (${q.text}, ${p.text})`, code, edits: [doc.edit(p.start, p.end, q.text), doc.edit(q.start, q.end, p.text)] }];
}

type FixBuilder = (doc: Doc, range: TextRange, ctx: FixContext, code: string) => Fix[];

/**
 * The edit builders by code. A code has a builder exactly when its catalog entry's fix safety is not
 * `none`; whether fix-all may apply it is the catalog's `safe` (a unit test holds the two together).
 */
export const fixBuilders: Readonly<Partial<Record<RuleCode, FixBuilder>>> = {
  GP303: domainFixes,
  GP201: domainFixes,
  GP202: domainFixes,
  GP304: expFixes,
  GP103: expFixes,
  GP305: doubleWhereFixes,
  GP102: doubleWhereFixes,
  GP211: doubleActivationFixes,
  GP207: (doc, _range, ctx, code) => swapParameterFixes(doc, ctx, code),
};

/** The quick fixes for one diagnostic (not counting suppression). */
export function fixesFor(code: string, range: TextRange, ctx: FixContext): Fix[] {
  const build = fixBuilders[code as RuleCode];
  return build ? build(new Doc(ctx.text), range, ctx, code) : [];
}

/** `# gradprobe: ignore[GPxxx]` (or `//`) at the end of the line, merged into one already there. */
export function suppressionFix(code: string, line: number, ctx: Pick<FixContext, 'text' | 'language'>): Fix {
  const doc = new Doc(ctx.text);
  const lineStart = doc.starts[line] ?? doc.text.length;
  const lineEnd = line + 1 < doc.starts.length ? doc.starts[line + 1] - 1 : doc.text.length;
  const lineText = doc.text.slice(lineStart, lineEnd).replace(/\r$/, '');
  const marker = ctx.language === 'python' ? '#' : '//';
  const existing = /gradprobe:\s*ignore\[([^\]]*)\]/.exec(lineText);
  if (existing) {
    const codes = existing[1].split(',').map((c) => c.trim()).filter(Boolean);
    const at = lineStart + existing.index + existing[0].length - 1;
    return { title: `Suppress ${code} on this line`, code, edits: [doc.edit(at, at, codes.length ? `, ${code}` : code)] };
  }
  const end = lineStart + lineText.length;
  const pad = lineText.trim().length === 0 ? '' : '  ';
  return { title: `Suppress ${code} on this line`, code, edits: [doc.edit(end, end, `${pad}${marker} gradprobe: ignore[${code}]`)] };
}

/** Every preferred fix, skipping any whose edits overlap one already taken. */
export function fixAll(candidates: Fix[]): TextEditLike[] {
  const taken: TextEditLike[] = [];
  const before = (a: TextRange['start'], b: TextRange['start']): boolean => a.line < b.line || (a.line === b.line && a.character <= b.character);
  const overlaps = (x: TextEditLike, y: TextEditLike): boolean => !(before(x.range.end, y.range.start) || before(y.range.end, x.range.start));
  for (const fix of candidates) {
    if (!fix.preferred) continue;
    if (fix.edits.some((e) => taken.some((t) => overlaps(e, t)))) continue;
    taken.push(...fix.edits);
  }
  return taken;
}
