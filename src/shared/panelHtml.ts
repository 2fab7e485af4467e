// The probe panel's page: one script and one stylesheet from the bundle folder, a Content Security
// Policy that allows nothing else (default-src 'none'; the script only with this load's nonce; no
// inline script), and an empty body the script fills. The extension host and the UI test's harness
// page both use it, so the test runs the panel under the CSP it ships with.

export interface PanelPageOptions {
  /** The webview's resource origin (`webview.cspSource`); the harness passes its own origin. */
  cspSource: string;
  /** A fresh random value per load. */
  nonce: string;
  scriptUri: string;
  styleUri: string;
}

export function panelCsp(o: Pick<PanelPageOptions, 'cspSource' | 'nonce'>): string {
  return [
    "default-src 'none'",
    `img-src ${o.cspSource} data:`,
    `style-src ${o.cspSource} 'nonce-${o.nonce}'`,
    `font-src ${o.cspSource}`,
    `script-src 'nonce-${o.nonce}'`,
  ].join('; ');
}

const attr = (s: string): string => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function panelHtml(o: PanelPageOptions): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${attr(panelCsp(o))}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${attr(o.styleUri)}" nonce="${attr(o.nonce)}">
<title>GradProbe</title>
</head>
<body>
<div id="app" data-nonce="${attr(o.nonce)}"></div>
<script type="module" nonce="${attr(o.nonce)}" src="${attr(o.scriptUri)}"></script>
</body>
</html>
`;
}

/** A nonce: 32 characters from a CSPRNG (the host passes crypto.getRandomValues). */
export function makeNonce(random: (buf: Uint8Array) => Uint8Array): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  return Array.from(random(new Uint8Array(32)), (b) => alphabet[b % alphabet.length]).join('');
}
