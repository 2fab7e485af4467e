import type { Span } from './ir';

/**
 * An error that points at source: its span, the file it stands in once known (`path`, set where it
 * leaves the function or module it was raised in), and where it first stood when a call in another
 * file led there (`origin`: the span then points at that call, in the caller's file).
 */
export class LocatedError extends Error {
  path?: string;
  origin?: { path: string; line: number };
  constructor(message: string, public span: Span | undefined) {
    super(message);
  }
}

/** A construct the translator does not support: becomes GP001 naming it. */
export class UnsupportedConstruct extends LocatedError {
  constructor(readonly construct: string, span: Span | undefined, detail?: string) {
    super(detail ? `${construct}: ${detail}` : construct, span);
  }
}

/** A call leaves a parameter without a value (no argument, no default): the probe cannot choose one. */
export class MissingArgument extends UnsupportedConstruct {
  constructor(readonly functionName: string, readonly parameter: string, span: Span | undefined) {
    super(`${functionName}() needs a value for the argument '${parameter}'`, span, 'it has no default and none was given');
  }
}

/**
 * A dynamic import (`__import__(name)`) of a module that is neither a supported framework nor in the
 * workspace: nothing is imported. Inside a `try` whose handler takes ImportError it is that error,
 * so an optional import takes its fallback as the probe's environment lacks the module; anywhere
 * else it stays a construct the translator does not follow (GP001 naming it).
 */
export class DynamicImportRefused extends UnsupportedConstruct {
  constructor(readonly module: string, span: Span | undefined) {
    super(`__import__('${module}')`, span, 'a module that is neither a supported framework nor in the workspace');
  }
}

/** The function asked for more than a probe may spend (steps, time, tensor size): GP002. */
export class ProbeBudgetExceeded extends Error {}

/** The user's code itself failed as the framework would (a shape mismatch, a bad argument). */
export class UserCodeError extends LocatedError {
  /** The Python exception class the framework would raise (`ValueError`, `StopIteration` …), for `except` clauses. */
  constructor(message: string, span: Span | undefined, readonly exceptionType = 'RuntimeError') {
    super(message, span);
  }
}

/** The user's code raised on every input the probe tried (each shape of its input family): the first error's place. */
export class InputsRefused extends UserCodeError {}

/**
 * The run's time budget ran out while a file was parsed or its functions detected (`stop` answered
 * true): the file gets a GP002 saying so, not a wait. `where` says how far it got.
 */
export class AnalysisBudgetExceeded extends Error {
  constructor(readonly phase: 'parse' | 'detect', readonly where: string) {
    super(`the time budget ran out while ${phase === 'parse' ? 'parsing' : 'detecting functions'} (${where})`);
  }
}
