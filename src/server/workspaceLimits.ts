// Bounds that keep a huge monorepo from stalling the first analysis: how much of a workspace folder
// the context of an analysis reads, on either host.
export const contextLimits = { files: 300, bytes: 512 * 1024 };
