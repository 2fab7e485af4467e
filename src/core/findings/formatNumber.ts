// Numbers as people read them, on this side of the webview boundary: in finding messages, summaries,
// hovers and the report document. Three significant digits, exponent form outside [1e-3, 1e4);
// non-finite values as NaN, +Inf, -Inf. (The panel's page has its own copy in
// webview-ui/src/shapeCommon.ts, which must not import core; both are tested on the same cases.)

export function formatNumber(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e4 || a < 1e-3) return v.toExponential(2);
  return String(Number(v.toPrecision(3)));
}

/** Two numbers with enough digits (3 to 8) to tell them apart. */
export function formatPair(a: number, b: number): [string, string] {
  const at = (digits: number): [string, string] => [Number(a.toPrecision(digits)).toString(), Number(b.toPrecision(digits)).toString()];
  for (let digits = 3; digits < 8; digits++) {
    const [fa, fb] = at(digits);
    if (fa !== fb) return [fa, fb];
  }
  return at(8);
}

/**
 * Evidence for display: every number in it (nested in arrays and objects too) at three
 * significant digits; strings as they are; anything else as JSON.
 */
export function formatEvidence(v: unknown, depth = 0): string {
  if (typeof v === 'number') return formatNumber(v);
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean' || v === null || v === undefined) return String(v);
  if (depth > 6) return '…';
  if (Array.isArray(v) || ArrayBuffer.isView(v)) return `[${Array.from(v as ArrayLike<unknown>, (x) => formatEvidence(x, depth + 1)).join(', ')}]`;
  if (typeof v === 'object') return `{${Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined).map(([k, x]) => `${k}: ${formatEvidence(x, depth + 1)}`).join(', ')}}`;
  return String(v);
}
