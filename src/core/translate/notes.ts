// What an evaluation met that its report should say, because the probe's verdict depends on it:
// branches taken on the data (a sweep runs as one tensor, so a data-dependent `if` takes one branch
// for all of it), and validation calls skipped because they could not be translated.
import type { Span } from '../ir/ir';

export interface DataBranch {
  /** `if`, `while`, `conditional expression`, `and/or`, `assert`, `comprehension filter`. */
  construct: string;
  span: Span;
  /** How often the condition was true and false, over every call the probe made. */
  trueCount: number;
  falseCount: number;
}

export interface SkippedCall {
  /** The callee as written (`utils.check_subdtype`), or `assert`. */
  name: string;
  span: Span;
  /** Why it could not be translated. */
  reason: string;
}

export class EvaluationNotes {
  private readonly branchMap = new Map<string, DataBranch>();
  private readonly skippedMap = new Map<string, SkippedCall>();

  /** A condition decided by a tensor's value. */
  branch(construct: string, span: Span, taken: boolean): void {
    const key = `${span.startLine}:${span.startCol}`;
    let b = this.branchMap.get(key);
    if (!b) {
      b = { construct, span, trueCount: 0, falseCount: 0 };
      this.branchMap.set(key, b);
    }
    if (taken) b.trueCount++;
    else b.falseCount++;
  }

  /** A statement-level validation call (or assert) that was not evaluated. */
  skip(name: string, span: Span, reason: string): void {
    const key = `${span.startLine}:${span.startCol}`;
    if (!this.skippedMap.has(key)) this.skippedMap.set(key, { name, span, reason });
  }

  get branches(): DataBranch[] {
    return [...this.branchMap.values()].sort((a, b) => a.span.startLine - b.span.startLine || a.span.startCol - b.span.startCol);
  }

  get skipped(): SkippedCall[] {
    return [...this.skippedMap.values()].sort((a, b) => a.span.startLine - b.span.startLine || a.span.startCol - b.span.startCol);
  }

  /** One clause per kind of note, for a function's summary; empty when there is nothing to say. */
  summaryClauses(): string[] {
    const out: string[] = [];
    const skipped = this.skipped;
    if (skipped.length) {
      const names = [...new Set(skipped.map((s) => s.name.split('.').pop()!))];
      out.push(`skipped ${skipped.length} validation call${skipped.length === 1 ? '' : 's'}: ${names.join(', ')}`);
    }
    const oneWay = this.branches.filter((b) => b.trueCount === 0 || b.falseCount === 0);
    if (oneWay.length) {
      const lines = oneWay.map((b) => `line ${b.span.startLine + 1} ${b.trueCount ? 'true' : 'false'}`);
      out.push(`data-dependent branch${oneWay.length === 1 ? '' : 'es'} took one way on every probe input (${lines.join(', ')})`);
    }
    return out;
  }
}
