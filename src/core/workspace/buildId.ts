// Which build of the engine is running: a hash of the sources it was bundled from, set by
// scripts/build.mjs. Cached results are keyed by it as well as by the package version, so a rebuilt
// engine (same version number, different code) never reads another build's reports.
declare const __GRADPROBE_BUILD__: string | undefined;

/** The build's source hash; `dev` where the code runs unbundled (tests bundle it themselves). */
export const buildId: string = typeof __GRADPROBE_BUILD__ === 'string' ? __GRADPROBE_BUILD__ : 'dev';
