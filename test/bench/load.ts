// `npm run bench:load [-- --files N] [--json]`: a generated workspace of N (default 2,000) Python
// files scanned through the language server's "Probe workspace" request (dist/server.js over stdio),
// with the editor's requests (hover, code lens) sent every 100 ms during the scan. Prints the scan
// time, the server's peak RSS (target < 500 MB), the hover and lens latencies during the scan
// (target ≤ 200 ms), and how fast a cancelled scan stops. Figures only: behaviour is unit-tested.
import { mkdtempSync, rmSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CancellationTokenSource, CodeLensRequest, HoverRequest } from 'vscode-languageserver-protocol/node';
import { ProbeWorkspaceRequest } from '../../src/shared/customMessages';
import { LspServer } from '../support/lspServer';
import { generateWorkspace, workspaceFile } from '../support/workspaceGen';

function quantiles(xs: number[]): { n: number; p50: number; p95: number; max: number } {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number): number => (s.length ? s[Math.min(s.length - 1, Math.floor(p * s.length))] : NaN);
  return { n: s.length, p50: Math.round(q(0.5)), p95: Math.round(q(0.95)), max: Math.round(s[s.length - 1] ?? NaN) };
}

async function main(): Promise<void> {
  const root = process.cwd();
  const argv = process.argv;
  const files = Number(argv[argv.indexOf('--files') + 1] || 0) || 2000;
  const json = argv.includes('--json');
  const dir = mkdtempSync(join(tmpdir(), 'gradprobe-load-'));
  const paths = generateWorkspace(dir, files);
  const server = new LspServer({ root, workspace: dir, settings: { backend: 'cpu', probeOn: 'type', debounceMs: 300 } });
  try {
    await server.initialize();
    // Two documents the user has open (already analysed): hovers and lenses are asked about these.
    const open = paths.slice(0, 2).map((p) => server.open(p, readFileSync(p, 'utf8')));
    for (const u of open) await server.diagnostics(u, () => true, 120_000);
    const hover: number[] = [];
    const lens: number[] = [];
    const freshLens: number[] = [];
    let unanswered = 0;
    let peakRss = 0;
    let scanning = true;
    const sampler = setInterval(() => { peakRss = Math.max(peakRss, server.memory().rssMb); }, 250);
    const requests = (async () => {
      let i = 0;
      while (scanning) {
        const uri = open[i % open.length];
        const send = i % 2 === 0
          ? server.timed(() => server.connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position: { line: 12, character: 6 } })).then((r) => { hover.push(r.ms); return r.result; })
          : server.timed(() => server.connection.sendRequest(CodeLensRequest.type, { textDocument: { uri } })).then((r) => { lens.push(r.ms); return r.result; });
        const answer = await Promise.race([send, new Promise<'late'>((r) => setTimeout(() => r('late'), 30_000))]);
        if (answer === 'late' || answer === null || (Array.isArray(answer) && answer.length === 0)) unanswered++;
        // Every 2 s: a file opened during the scan, and its lenses (which need the worker's outline).
        if (i % 20 === 10) {
          const p = join(dir, `opened_${i}.py`);
          const uri2 = server.open(p, workspaceFile(100_000 + i));
          const r = await server.timed(() => server.connection.sendRequest(CodeLensRequest.type, { textDocument: { uri: uri2 } }));
          freshLens.push(r.ms);
          server.close(uri2);
        }
        i++;
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    const progressBefore = server.progress.length;
    const t0 = performance.now();
    const scan = await server.connection.sendRequest(ProbeWorkspaceRequest.type, {});
    const scanMs = performance.now() - t0;
    scanning = false;
    await requests;
    clearInterval(sampler);
    const mem = server.memory();
    peakRss = Math.max(peakRss, mem.rssMb);
    const progressCount = server.progress.length - progressBefore;

    // Cancellation: a second scan, cancelled once it has done a few batches.
    const source = new CancellationTokenSource();
    const before2 = server.progress.length;
    const second = server.connection.sendRequest(ProbeWorkspaceRequest.type, {}, source.token);
    await server.until('scan progress', () => server.progress.slice(before2).some((p) => p.done >= 16), 300_000);
    const tc = performance.now();
    source.cancel();
    let cancelled: ProbeWorkspaceRequest.Result | string;
    try {
      cancelled = await second;
    } catch (err) {
      cancelled = `rejected: ${(err as Error).message}`;
    }
    const cancelMs = performance.now() - tc;
    const result = {
      files: scan.files, functions: scan.functions, problems: scan.problems, scanMs: Math.round(scanMs), filesPerSecond: Math.round((scan.files / scanMs) * 1000 * 10) / 10,
      progressNotifications: progressCount, serverPeakRssMb: Math.round(Math.max(peakRss, mem.peakRssMb)), serverRssAfterMb: Math.round(mem.rssMb),
      hoverMs: quantiles(hover), lensMs: quantiles(lens), lensOfFileOpenedDuringScanMs: quantiles(freshLens), unanswered,
      cancel: { stoppedAfterMs: Math.round(cancelMs), result: cancelled },
    };
    if (json) console.log(JSON.stringify(result, null, 2));
    else {
      console.log(`workspace: ${files} generated Python files (${result.functions} functions found, ${result.problems} problems)`);
      console.log(`scan: ${result.files} files in ${(result.scanMs / 1000).toFixed(1)} s (${result.filesPerSecond} files/s), ${result.progressNotifications} progress notifications`);
      console.log(`server peak RSS during the scan: ${result.serverPeakRssMb} MB (after: ${result.serverRssAfterMb} MB)   (target < 500 MB)`);
      console.log(`hover during the scan: p50 ${result.hoverMs.p50} ms, p95 ${result.hoverMs.p95} ms, max ${result.hoverMs.max} ms over ${result.hoverMs.n} requests   (target ≤ 200 ms)`);
      console.log(`code lens during the scan: p50 ${result.lensMs.p50} ms, p95 ${result.lensMs.p95} ms, max ${result.lensMs.max} ms over ${result.lensMs.n} requests   (target ≤ 200 ms)`);
      console.log(`code lens of a file opened during the scan (needs the worker's outline): p50 ${result.lensOfFileOpenedDuringScanMs.p50} ms, max ${result.lensOfFileOpenedDuringScanMs.max} ms over ${result.lensOfFileOpenedDuringScanMs.n}`);
      console.log(`requests without an answer: ${unanswered}`);
      console.log(`cancelled scan: answered ${Math.round(cancelMs)} ms after the cancel: ${typeof cancelled === 'string' ? cancelled : `cancelled=${cancelled.cancelled} after ${cancelled.files} files`}`);
    }
  } finally {
    await server.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
}

void main().catch((err: unknown) => { console.error(err); process.exitCode = 1; });
