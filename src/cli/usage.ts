/** A usage or I/O error: one line on stderr, exit 2. */
export class UsageError extends Error {
  constructor(message: string, readonly showHelp = false) {
    super(message);
  }
}
