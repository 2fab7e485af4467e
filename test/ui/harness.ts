// The UI test's harness: probe results made now by the current core from fixture files (never
// hand-written, so a change in the core that the panel does not follow fails the test), and a static
// page on 127.0.0.1 that loads the panel's bundle under the CSP it ships with, behind a stand-in host.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { join, normalize } from 'node:path';
import { randomBytes } from 'node:crypto';
import { analyzeSources } from '../../src/core/analyze';
import { defaultSettings, mergeSettings } from '../../src/core/config/settings';
import { functionPanelData } from '../../src/core/panel';
import { toPanelData } from '../../src/server/panelData';
import { makeNonce, panelHtml } from '../../src/shared/panelHtml';
import type { PanelData } from '../../src/shared/panelMessages';
import type { HarnessData } from './harnessHost';

const root = process.cwd();

export interface FixtureSpec {
  /** Relative to examples/, or to the repository when it starts with test/. */
  file: string;
  /** Extra sweeps at other ranges: `name@range`. */
  ranges?: { name: string; range: number }[];
}

/** Runs the core over the fixtures: every detected function's full panel data (report, curves, stacks, training). */
export async function buildHarnessData(specs: FixtureSpec[]): Promise<{ data: HarnessData; ms: number }> {
  const started = performance.now();
  const settings = mergeSettings(defaultSettings, { backend: 'cpu' });
  const data: HarnessData = { files: {} };
  for (const spec of specs) {
    const input = { path: spec.file, text: readFileSync(spec.file.startsWith('test/') ? join(root, spec.file) : join(root, 'examples', spec.file), 'utf8') };
    const names = (await analyzeSources([input], { settings })).find((f) => f.path === spec.file)?.functions ?? [];
    const panel = async (name: string, line: number, range?: number): Promise<PanelData> => {
      const r = await functionPanelData([input], { path: spec.file, name, line, range, parts: ['curves', 'boundary', 'depth', 'training'] }, { settings });
      if (!r) throw new Error(`${spec.file}: ${name} not found`);
      return toPanelData(r, { uri: `file:///fixtures/${spec.file}`, file: spec.file, saturatedSlope: settings.thresholds.saturatedSlope, pending: [] });
    };
    const functions: PanelData[] = [];
    for (const f of names) functions.push(await panel(f.name, f.span.startLine));
    if (!functions.length) throw new Error(`${spec.file}: the core detected no function`);
    const ranges: Record<string, PanelData> = {};
    for (const r of spec.ranges ?? []) {
      const f = names.find((n) => n.name === r.name);
      if (f) ranges[`${r.name}@${r.range}`] = await panel(f.name, f.span.startLine, r.range);
    }
    data.files[spec.file] = { functions, ranges };
  }
  // Through JSON, as the data travels from the server to the panel.
  return { data: JSON.parse(JSON.stringify(data)) as HarnessData, ms: performance.now() - started };
}

const types: Record<string, string> = { '.js': 'text/javascript', '.css': 'text/css', '.html': 'text/html', '.png': 'image/png' };

/** The harness page and the bundles on 127.0.0.1, an ephemeral port. */
export async function serveHarness(data: HarnessData): Promise<{ url: string; server: Server }> {
  // Only the opened file's results go to the page, as only one function's result reaches a real panel.
  const dataJs = (file: string): string => `window.__gradprobeHarnessData = ${JSON.stringify({ files: { [file]: data.files[file] } })};\n`;
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const origin = `http://${req.headers.host ?? '127.0.0.1'}`;
    const send = (status: number, type: string, body: string | Buffer): void => {
      res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
      res.end(body);
    };
    try {
      if (url.pathname === '/' || url.pathname === '/index.html') {
        const nonce = makeNonce((b) => { b.set(randomBytes(b.length)); return b; });
        const page = panelHtml({ cspSource: origin, nonce, scriptUri: `${origin}/webview/panel.js`, styleUri: `${origin}/webview/panel.css` });
        // The stand-in host and the data, ahead of the panel's script (module scripts run after classic ones).
        const file = encodeURIComponent(url.searchParams.get('file') ?? '');
        const host = `<script nonce="${nonce}" src="${origin}/harness/data.js?file=${file}"></script>\n<script nonce="${nonce}" src="${origin}/harness/host.js"></script>\n<script type="module"`;
        send(200, types['.html'], page.replace('<script type="module"', host));
        return;
      }
      if (url.pathname === '/harness/data.js') return send(200, types['.js'], dataJs(url.searchParams.get('file') ?? ''));
      if (url.pathname === '/harness/host.js') return send(200, types['.js'], readFileSync(join(root, 'dist-test/ui/harnessHost.js')));
      if (url.pathname.startsWith('/webview/')) {
        const rel = normalize(url.pathname.slice('/webview/'.length)).replace(/^(\.\.[/\\])+/, '');
        const ext = rel.slice(rel.lastIndexOf('.'));
        return send(200, types[ext] ?? 'application/octet-stream', readFileSync(join(root, 'dist/webview', rel)));
      }
      send(404, 'text/plain', 'not found');
    } catch (err) {
      send(500, 'text/plain', String(err));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/`, server };
}
