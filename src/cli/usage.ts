/** A usage, config or I/O error: its message on stderr, exit 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/**
 * Is `err` a UsageError? By name, not by class: the engine bundle (`engine.ts`) has its own copy of
 * the class, and its usage errors reach the main bundle's `main`.
 */
export function isUsageError(err: unknown): err is Error {
  return err instanceof Error && err.name === 'UsageError';
}
