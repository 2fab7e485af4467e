import type { Span } from './ir';

/** A construct the translator does not support: becomes GP001 naming it. */
export class UnsupportedConstruct extends Error {
  constructor(readonly construct: string, readonly span: Span | undefined, detail?: string) {
    super(detail ? `${construct}: ${detail}` : construct);
  }
}

/** The function asked for more than a probe may spend (steps, time, tensor size): GP002. */
export class ProbeBudgetExceeded extends Error {}

/** The user's code itself failed as the framework would (a shape mismatch, a bad argument). */
export class UserCodeError extends Error {
  /** The Python exception class the framework would raise (`ValueError`, `StopIteration` …), for `except` clauses. */
  constructor(message: string, readonly span: Span | undefined, readonly exceptionType = 'RuntimeError') {
    super(message);
  }
}
