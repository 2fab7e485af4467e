// Every threshold of the rules is a setting. One typed definition, read by the CLI (flags and
// config files) and by the editor (gradprobe.* settings, per resource).

/** How serious a finding is; the settings can change it per rule. */
export type Severity = 'error' | 'warning' | 'info';

/** An argument value as a config file writes it (TOML) or an editor setting (JSON). */
export type SettingArgValue = number | string | boolean | null | SettingArgValue[] | { [key: string]: SettingArgValue };

export interface GradProbeSettings {
  /** Activation sweep half-width R. */
  range: number;
  /** Codes to report exclusively (empty = all) and codes to drop. */
  select: string[];
  ignore: string[];
  /** Per-code severity overrides, e.g. { GP108: 'info' }. */
  severity: Record<string, Severity>;
  dtype: 'float32' | 'float16' | 'bfloat16';
  backend: 'auto' | 'cpu' | 'node';
  train: boolean;
  /** Per-function probe time budget in milliseconds of CPU time (wall time where there is no CPU clock). */
  timeBudgetMs: number;
  /**
   * A file (a notebook: its code cells) larger than this many bytes is not analysed, only reported
   * (GP002): parsing is linear but its memory is not small, and files this large are generated.
   */
  maxFileBytes: number;
  /** At most this many functions of one file are probed; the rest are reported together (GP002). */
  maxFunctions: number;
  /**
   * Values for arguments without a default, by function (or class) name, then argument name:
   * `{ FocalLoss: { gamma: 2 } }`. They win over call sites and typical values.
   */
  args: Record<string, Record<string, SettingArgValue>>;
  thresholds: {
    vanishingMaxSlope: number; // GP104: max |f'| on [-3, 3] below this
    saturatedSlope: number; // GP104: 0 < |f'| below this counts as saturated
    explodingMaxSlope: number; // GP105
    noGradientShare: number; // GP106
    deadRegionShare: number; // GP107
    dipShare: number; // GP108 warning when a descending stretch drops f by more than this share of its range
    depthRatio: number; // GP109/GP110: ratio beyond 1/x or x
    depthRelative: number; // GP109/GP110: and beyond x times ReLU's
    collapseVariance: number; // GP111
    customGradientRelError: number; // GP112
    customGradientShare: number; // GP112
    weakGradientRatio: number; // GP208
    strongGradientRatio: number; // GP209
    plateauGradient: number; // GP212
    plateauShare: number; // GP212
  };
}

export const defaultSettings: GradProbeSettings = {
  range: 6,
  select: [],
  ignore: [],
  severity: {},
  dtype: 'float32',
  backend: 'auto',
  train: false,
  timeBudgetMs: 2000,
  // A 500 KB generated module peaks near 400 MB (parse tree, IR, 200 probes); 1 MB near 650 MB.
  // Hand-written modules stay well below 512 KiB.
  maxFileBytes: 524_288,
  // A file with more custom activations and losses than this is generated; 200 probes take ~10 s.
  maxFunctions: 200,
  args: {},
  thresholds: {
    vanishingMaxSlope: 0.1,
    saturatedSlope: 1e-2,
    explodingMaxSlope: 10,
    noGradientShare: 0.99,
    deadRegionShare: 0.25,
    dipShare: 0.1,
    depthRatio: 1e3,
    depthRelative: 1e3,
    collapseVariance: 1e-6,
    customGradientRelError: 1e-2,
    customGradientShare: 0.05,
    weakGradientRatio: 1e-3,
    strongGradientRatio: 1e3,
    plateauGradient: 1e-6,
    plateauShare: 0.2,
  },
};

/** Partial settings as found in a config file or given by flags. */
export type SettingsPatch = Partial<Omit<GradProbeSettings, 'thresholds'>> & { thresholds?: Partial<GradProbeSettings['thresholds']> };

export function mergeSettings(base: GradProbeSettings, ...patches: (SettingsPatch | undefined)[]): GradProbeSettings {
  let out = { ...base, thresholds: { ...base.thresholds }, severity: { ...base.severity }, args: { ...base.args } };
  for (const p of patches) {
    if (!p) continue;
    out = { ...out, ...p, thresholds: { ...out.thresholds, ...(p.thresholds ?? {}) }, severity: { ...out.severity, ...(p.severity ?? {}) }, args: mergeArgs(out.args, p.args) };
  }
  return out;
}

/** A later source's values for a function add to (and win over) an earlier one's, argument by argument. */
function mergeArgs(base: GradProbeSettings['args'], patch: GradProbeSettings['args'] | undefined): GradProbeSettings['args'] {
  if (!patch) return base;
  const out = { ...base };
  for (const [fn, values] of Object.entries(patch)) out[fn] = { ...(out[fn] ?? {}), ...values };
  return out;
}
