// A job that did not finish in time (apart from probeRunner.ts, which needs worker threads, so the
// browser server can tell it too).
export class JobTimeout extends Error {}
