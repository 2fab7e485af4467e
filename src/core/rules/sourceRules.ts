// Source rules GP301–GP305, shown even where no probe ran. They read values, not spellings: the
// reading (reader.ts) gives every value of the function a sign and range and says whether it flows
// from the prediction (x for an activation) and still carries its gradient. So a denominator is
// reported only if its range holds 0, an exp only if its exponent is not bounded below 88, a
// comparison or cast only if the output depends on the prediction through it alone, and only values
// that flow from the prediction count (a target, a shape, a dtype never do).
import type { DetectedFunction } from '../detect/detect';
import { predictionIndex } from '../detect/parameterRoles';
import { finding } from '../findings/finding';
import type { Finding } from '../findings/types';
import type { Expr, Span } from '../ir/ir';
import { REAL, UNIT, contains, formatInterval, type Interval } from './interval';
import { Reader, type ReadEvent } from './reader';
import type { AValue, Cut } from './values';

/**
 * The domain the reading gives a loss's inputs: a prediction and a target in [0, 1], as
 * probabilities, masks and labels are. That is where a dice denominator, a log(p) or a log(1 − p)
 * fails, and where tp, fp and fn are sums of non-negative terms; logits and regression values beyond
 * it are the probes' to try. An activation's input is any real.
 */
const PREDICTION_RANGE: Interval = UNIT;
const TARGET_RANGE: Interval = UNIT;

function seedsOf(target: DetectedFunction): { seeds: Map<string, AValue>; input: string } {
  const fn = target.inner ?? target.def!;
  const inputs = target.inputs.length ? target.inputs : fn.params.filter((p) => p.kind === 'normal' && !['self', 'ctx', 'this'].includes(p.name)).map((p) => p.name);
  const seeds = new Map<string, AValue>();
  if (target.kind === 'activation') {
    if (inputs[0]) seeds.set(inputs[0], { pred: true, grad: true, cuts: [], range: REAL, tensor: true });
    return { seeds, input: inputs[0] ?? 'the input' };
  }
  const p = predictionIndex(inputs, target.framework);
  const pred = inputs[p];
  const truth = inputs[1 - p];
  if (pred) seeds.set(pred, { pred: true, grad: true, cuts: [], range: PREDICTION_RANGE, tensor: true });
  if (truth) seeds.set(truth, { pred: false, grad: false, cuts: [], range: TARGET_RANGE, tensor: true });
  return { seeds, input: pred ?? 'the prediction' };
}

export function sourceRuleFindings(target: DetectedFunction): Finding[] {
  const fn = target.inner ?? target.def;
  if (!fn) return [];
  const { seeds, input } = seedsOf(target);
  const reader = new Reader(target, fn.span);
  try {
    reader.run(fn, seeds);
  } catch (err) {
    // Code nested deeper than the stack allows is not read (the probe still runs it).
    if (err instanceof RangeError) return [];
    throw err;
  }
  const out = new Findings(target);
  const text = textOf(target);
  for (const e of reader.events) out.add(e, input, text);
  return out.sorted();
}

/** An expression as written, on one line and at most 60 characters, for a message. */
function textOf(target: DetectedFunction): (x: Expr | Span | undefined) => string {
  const lines = target.module.doc.text.split('\n');
  return (x) => {
    if (!x) return '';
    const span = 'kind' in x ? x.span : x;
    const raw = span.startLine === span.endLine
      ? (lines[span.startLine] ?? '').slice(span.startCol, span.endCol)
      : [(lines[span.startLine] ?? '').slice(span.startCol), ...lines.slice(span.startLine + 1, span.endLine), (lines[span.endLine] ?? '').slice(0, span.endCol)].join(' ');
    const flat = raw.replace(/\s+/g, ' ').replace(/\(\s+/g, '(').replace(/\s+\)/g, ')').trim();
    return flat.length > 60 ? `${flat.slice(0, 57)}…` : flat;
  };
}

class Findings {
  private readonly list: Finding[] = [];
  constructor(private readonly target: DetectedFunction) {}

  add(e: ReadEvent, input: string, text: (x: Expr | Span | undefined) => string): void {
    switch (e.kind) {
      case 'domain': {
        const arg = text(e.arg) || 'its argument';
        const range = formatInterval(e.value.range!);
        const problem = domainProblem(e.what, arg, e.value.range!, e.exponent);
        if (e.trap) {
          this.push('GP305', e.trap.span, `where() still computes ${text(e.at)} in the branch it does not take, and there ${problem.what}: the value is masked but the gradient is NaN. Make that branch safe too: ${problem.whereFix}`,
            { construct: e.what, expression: text(e.at), argument: arg, range, ...(e.exponent !== undefined ? { exponent: e.exponent } : {}) });
        } else {
          this.push('GP303', e.at.span, `${text(e.at)}: ${problem.what}. ${problem.fix}`,
            { construct: e.what, argument: arg, range, ...(e.exponent !== undefined ? { exponent: e.exponent } : {}) });
        }
        return;
      }
      case 'overflow': {
        const arg = text(e.arg) || 'the exponent';
        const range = formatInterval(e.value.range!);
        const bound = e.value.range!.hi === Infinity ? 'has no upper bound' : `reaches ${formatInterval({ ...e.value.range!, lo: e.value.range!.hi, loOpen: false })}`;
        this.push('GP304', e.at.span, `${text(e.at)} overflows float32 once ${arg} passes ${Number(e.limit.toPrecision(3))}, and ${arg} ${bound} (range ${range}). Clip it first, or use a stable form (softplus, logsumexp, sigmoid, log_softmax)`,
          { argument: arg, range, limit: Number(e.limit.toPrecision(3)) });
        return;
      }
      case 'output': {
        // A function that defines its own gradient says what flows back; its forward may cut freely.
        if (this.target.customGradient || !e.value.pred || e.value.grad) return;
        for (const c of e.value.cuts) this.cut(c, input);
        return;
      }
    }
  }

  private cut(c: Cut, input: string): void {
    const out = this.target.kind === 'loss' ? 'the loss' : 'the output';
    if (c.code === 'GP301') {
      const comparison = /^(<|<=|>|>=|==|!=)$/.test(c.op);
      const fix = comparison ? 'use a smooth surrogate (a sigmoid of the difference, a softmax probability) where the value must carry a gradient'
        : 'use a straight-through estimator (x + stop_gradient(round(x) − x)) or a smooth surrogate';
      this.push('GP301', c.span, `${c.text} is piecewise constant (zero gradient), and ${out} depends on ${input} only through it: ${input} gets no gradient. To train through it, ${fix}`,
        { op: c.op });
    } else {
      const noGrad = c.op === 'no_grad';
      const what = noGrad ? `values computed under ${c.text}` : c.text;
      const fix = noGrad ? 'compute the term that must carry the gradient outside the no_grad block'
        : 'keep the prediction in the graph (cut only what must stay fixed, such as the target)';
      this.push('GP302', c.span, `${what} ${noGrad ? 'are' : 'is'} cut from the autodiff graph, and ${out} depends on ${input} only through ${noGrad ? 'them' : 'it'}: ${input} gets no gradient. To train, ${fix}`,
        { op: c.op });
    }
  }

  private push(code: 'GP301' | 'GP302' | 'GP303' | 'GP304' | 'GP305', span: Span, message: string, evidence: Record<string, unknown>): void {
    if (this.list.some((f) => f.code === code && f.span.startLine === span.startLine && f.span.startCol === span.startCol)) return;
    this.list.push(finding(code, { function: this.target.name, message, span, evidence: { ...evidence, source: 'source rule' } }));
  }

  sorted(): Finding[] {
    return [...this.list].sort((a, b) => a.span.startLine - b.span.startLine || a.span.startCol - b.span.startCol || a.code.localeCompare(b.code));
  }
}

/** What goes wrong and how to guard it, in the words of the expression. */
function domainProblem(what: string, arg: string, r: Interval, exponent?: number): { what: string; fix: string; whereFix: string } {
  const range = formatInterval(r);
  const eps = `${arg} + 1e-7`;
  const safe = `where(cond, ${arg}, 1.0)`;
  switch (what) {
    case 'log': return { what: `${arg} can reach 0 (range ${range}), where log is −inf and its gradient infinite`, fix: `Add an epsilon, log(${eps}), or clip ${arg} away from 0`, whereFix: `feed it ${safe}` };
    case 'log1p': return { what: `${arg} can reach −1 (range ${range}), where log1p is −inf`, fix: `Keep ${arg} above −1 (clip it)`, whereFix: `feed it ${safe}` };
    case 'sqrt': return { what: `${arg} can reach 0 (range ${range}), where sqrt's slope is infinite`, fix: `Add an epsilon inside, sqrt(${arg} + 1e-12), or clamp ${arg} away from 0`, whereFix: `feed it ${safe}` };
    case 'divide': case 'reciprocal': return { what: `the denominator ${arg} can reach 0 (range ${range})`, fix: `Add an epsilon to it (${eps}) or clamp it away from 0`, whereFix: `divide by ${safe}` };
    default: {
      const k = exponent ?? NaN;
      const atZero = k < 0 ? `** ${k} is infinite` : `** ${k} has an infinite slope`;
      if (Number.isInteger(k) || (k < 1 && contains(r, 0))) return { what: `${arg} can reach 0 (range ${range}), where ${atZero}`, fix: `Add an epsilon to ${arg} or clamp it away from 0`, whereFix: `feed it ${safe}` };
      return { what: `${arg} can be negative (range ${range}), where a fractional power ** ${k} is NaN`, fix: `Clamp ${arg} to ≥ 0 first`, whereFix: `feed it ${safe}` };
    }
  }
}
