// The rule pages (docs/rules/GPxxx.md) are bundled into the CLI at build time by scripts/build.mjs,
// so `gradprobe rule GP303` works where only the installed package is.
declare module 'gradprobe:rule-pages' {
  /** Page text by code, e.g. rulePages.GP303. */
  export const rulePages: Readonly<Record<string, string>>;
}
