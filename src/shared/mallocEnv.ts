// glibc's malloc settings for GradProbe's long-lived process, the language server (set when the
// editor starts it; the fuzz and soak runs start theirs the same way).
//
// By default glibc raises its mmap threshold to the largest block freed so far (up to 32 MB). After
// one large tensor, buffers up to that size come from the analysis thread's malloc arena, whose
// freed pages glibc keeps: the process's RSS then follows the busiest inputs of the day, not its live
// data. A fixed threshold keeps every block of 128 KiB or more in a mapping of its own, returned to
// the system when it is freed (measured on the fuzz run: the arena held 311 MB after 1,000 inputs
// with the default, 201 MB with this). Other C libraries ignore these variables.

/** Variables for the server process's environment (glibc reads them once, at start). */
export const mallocEnv: Readonly<Record<string, string>> = { MALLOC_MMAP_THRESHOLD_: '131072' };

/** `env` with `mallocEnv` added, a variable the user set themselves kept. */
export function withMallocEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return { ...mallocEnv, ...env };
}
