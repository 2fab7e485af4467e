// What VS Code for the Web downloads to run GradProbe, against its 5 MB budget: the browser
// extension and its server worker (dist/web), the probe panel's page (dist/webview), and the
// WebAssembly the worker loads from dist/ (tree-sitter's runtime and the grammars). Counted in
// bytes on disk after the build, in decimal megabytes (1 MB = 1,000,000 bytes).
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

export const webBudgetBytes = 5_000_000;

/** Each shipped piece of the web payload with its size, and the total. `wasmFiles` are file names in `dist`. */
export function webPayload(dist, wasmFiles) {
  const pieces = [];
  for (const folder of ['web', 'webview']) {
    for (const name of readdirSync(join(dist, folder)).sort()) {
      if (name.endsWith('.map')) continue;
      pieces.push({ file: `${folder}/${name}`, bytes: statSync(join(dist, folder, name)).size });
    }
  }
  for (const name of wasmFiles) pieces.push({ file: name, bytes: statSync(join(dist, name)).size });
  return { pieces, total: pieces.reduce((sum, p) => sum + p.bytes, 0) };
}

const mb = (bytes) => `${(bytes / 1e6).toFixed(2)} MB`;

/** The lines the build prints, and whether the payload is within the budget. */
export function webPayloadReport({ pieces, total }) {
  const lines = pieces.map((p) => `  ${p.file.padEnd(28)} ${mb(p.bytes).padStart(8)}`);
  const over = total > webBudgetBytes;
  lines.push(`web payload (VS Code for the Web): ${mb(total)} of the ${mb(webBudgetBytes)} budget${over ? ' — OVER THE BUDGET: the build fails' : ''}`);
  return { lines, ok: !over };
}
