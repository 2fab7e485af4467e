/** A usage, config or I/O error: its message on stderr, exit 2. */
export class UsageError extends Error {}
