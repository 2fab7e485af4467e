// The gradprobe.* editor settings, declared once. package.json's `contributes.configuration` lists
// the same keys (all `scope: resource`); the server reads them per document URI and merges them over
// the project's config file ([tool.gradprobe] in pyproject.toml, gradprobe.toml, package.json), so a
// value set in the editor wins and an unset one leaves the project's. No vscode import here.

export type ProbeOn = 'type' | 'save' | 'open' | 'manual';
export type SeverityOverride = 'error' | 'warning' | 'info' | 'off';
/** An argument value as settings.json writes it. */
export type EditorArgValue = number | string | boolean | null | EditorArgValue[] | { [key: string]: EditorArgValue };

export interface EditorSettings {
  /** Analyse documents at all. */
  enable: boolean;
  /**
   * When documents are probed: `type` (on open, as you type after `debounceMs`, and on save), `save`
   * (on open and on save), `open` (when opened), `manual` (only from the code lens or the commands).
   */
  probeOn: ProbeOn;
  debounceMs: number;
  /** Activation sweep half-width R (x in [-R, R]). */
  range: number;
  /** Per-code severity, e.g. { "GP108": "info", "GP210": "off" }. */
  severity: Record<string, SeverityOverride>;
  /** Rule thresholds by name (see the core's GradProbeSettings.thresholds). */
  thresholds: Record<string, number>;
  /** Values for arguments without a default, by function name: `{ "FocalLoss": { "gamma": 2 } }`. */
  args: Record<string, Record<string, EditorArgValue>>;
  dtype: 'float32' | 'float16' | 'bfloat16';
  backend: 'auto' | 'cpu' | 'node';
  /** Globs for the workspace scan and for which open documents are analysed; exclude wins. */
  include: string[];
  exclude: string[];
  codeLens: boolean;
  /** Per-function probe time budget. */
  timeBudgetMs: number;
  /** Where the rule pages live; a code's link is `${rulesBaseUrl}/GPxxx.md`. */
  rulesBaseUrl: string;
}

export const defaultEditorSettings: EditorSettings = {
  enable: true,
  probeOn: 'type',
  debounceMs: 300,
  range: 6,
  severity: {},
  thresholds: {},
  args: {},
  dtype: 'float32',
  backend: 'auto',
  include: [],
  exclude: [],
  codeLens: true,
  timeBudgetMs: 2000,
  rulesBaseUrl: 'https://github.com/gradprobe/gradprobe/blob/main/docs/rules',
};

/** Every key, in package.json's order: the client sends only the ones the user set. */
export const editorSettingKeys = Object.keys(defaultEditorSettings) as (keyof EditorSettings)[];

/**
 * What the client sends for `workspace/configuration` section `gradprobe`: only the values the user
 * set somewhere (user, workspace, folder, language). A client that sends the full object (defaults
 * included) works too; its defaults then override the project's config file.
 */
export type ExplicitEditorSettings = Partial<EditorSettings>;

const probeOnValues: readonly ProbeOn[] = ['type', 'save', 'open', 'manual'];
const severityValues: readonly SeverityOverride[] = ['error', 'warning', 'info', 'off'];

/**
 * Keeps the well-typed values of whatever arrived (settings.json is hand-edited), reporting the rest
 * in `problems` (one line each) so the server can log them instead of failing.
 */
export function sanitizeEditorSettings(raw: unknown, problems: string[] = []): ExplicitEditorSettings {
  const out: ExplicitEditorSettings = {};
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return out;
  const r = raw as Record<string, unknown>;
  const bad = (key: string, expected: string): void => { problems.push(`gradprobe.${key}: expected ${expected}, got ${JSON.stringify(r[key])}`); };
  const has = (k: string): boolean => r[k] !== undefined && r[k] !== null;
  const positive = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v > 0;
  const strings = (v: unknown): v is string[] => Array.isArray(v) && v.every((s) => typeof s === 'string');
  if (has('enable')) { if (typeof r.enable === 'boolean') out.enable = r.enable; else bad('enable', 'true or false'); }
  if (has('codeLens')) { if (typeof r.codeLens === 'boolean') out.codeLens = r.codeLens; else bad('codeLens', 'true or false'); }
  if (has('probeOn')) { if (probeOnValues.includes(r.probeOn as ProbeOn)) out.probeOn = r.probeOn as ProbeOn; else bad('probeOn', probeOnValues.join(' | ')); }
  if (has('debounceMs')) { if (typeof r.debounceMs === 'number' && r.debounceMs >= 0) out.debounceMs = r.debounceMs; else bad('debounceMs', 'a number ≥ 0'); }
  if (has('range')) { if (positive(r.range)) out.range = r.range; else bad('range', 'a positive number'); }
  if (has('timeBudgetMs')) { if (positive(r.timeBudgetMs)) out.timeBudgetMs = r.timeBudgetMs; else bad('timeBudgetMs', 'a positive number'); }
  if (has('dtype')) { if (['float32', 'float16', 'bfloat16'].includes(r.dtype as string)) out.dtype = r.dtype as EditorSettings['dtype']; else bad('dtype', 'float32 | float16 | bfloat16'); }
  if (has('backend')) { if (['auto', 'cpu', 'node'].includes(r.backend as string)) out.backend = r.backend as EditorSettings['backend']; else bad('backend', 'auto | cpu | node'); }
  if (has('include')) { if (strings(r.include)) out.include = r.include; else bad('include', 'a list of globs'); }
  if (has('exclude')) { if (strings(r.exclude)) out.exclude = r.exclude; else bad('exclude', 'a list of globs'); }
  if (has('rulesBaseUrl')) { if (typeof r.rulesBaseUrl === 'string' && /^https?:\/\//.test(r.rulesBaseUrl)) out.rulesBaseUrl = r.rulesBaseUrl.replace(/\/+$/, ''); else bad('rulesBaseUrl', 'an http(s) URL'); }
  if (has('severity')) {
    if (typeof r.severity === 'object' && !Array.isArray(r.severity)) {
      const sev: Record<string, SeverityOverride> = {};
      for (const [code, level] of Object.entries(r.severity as Record<string, unknown>)) {
        if (/^GP\d{3}$/i.test(code) && severityValues.includes(level as SeverityOverride)) sev[code.toUpperCase()] = level as SeverityOverride;
        else problems.push(`gradprobe.severity.${code}: expected a code GPxxx and one of ${severityValues.join(' | ')}, got ${JSON.stringify(level)}`);
      }
      out.severity = sev;
    } else bad('severity', 'an object of code → severity');
  }
  if (has('thresholds')) {
    if (typeof r.thresholds === 'object' && !Array.isArray(r.thresholds)) {
      const th: Record<string, number> = {};
      for (const [name, v] of Object.entries(r.thresholds as Record<string, unknown>)) {
        if (positive(v)) th[name] = v;
        else problems.push(`gradprobe.thresholds.${name}: expected a positive number, got ${JSON.stringify(v)}`);
      }
      out.thresholds = th;
    } else bad('thresholds', 'an object of threshold name → number');
  }
  if (has('args')) {
    if (isObject(r.args)) {
      const args: Record<string, Record<string, EditorArgValue>> = {};
      for (const [fn, values] of Object.entries(r.args)) {
        if (!isObject(values)) { problems.push(`gradprobe.args.${fn}: expected an object of argument name → value, got ${JSON.stringify(values)}`); continue; }
        const own: Record<string, EditorArgValue> = {};
        for (const [name, v] of Object.entries(values)) {
          if (isArgValue(v)) own[name] = v;
          else problems.push(`gradprobe.args.${fn}.${name}: expected a number, a string, true/false, null or a list, got ${JSON.stringify(v)}`);
        }
        args[fn] = own;
      }
      out.args = args;
    } else bad('args', 'an object of function name → { argument: value }');
  }
  return out;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function isArgValue(v: unknown): v is EditorArgValue {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return true;
  if (typeof v === 'number') return Number.isFinite(v);
  if (Array.isArray(v)) return v.every(isArgValue);
  return isObject(v) && Object.values(v).every(isArgValue);
}
