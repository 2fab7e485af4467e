// `npm run bench`'s open → diagnostics figure in desktop VS Code (scripts/bench-vscode.mjs): a small
// extension installed beside GradProbe in code-server, whose extension host is Node, as desktop VS
// Code's is, with GradProbe's desktop build (`main`: a Node language server, probes in a worker
// thread). When the workbench has started it opens the bench folder's cold.py and warm.py with the
// code that times VS Code for the Web (openToDiagnostics.ts) and writes the figures, or the error,
// as JSON to the file GRADPROBE_BENCH_OUT names.
import { writeFileSync } from 'node:fs';
import type { GradProbeApi } from '../../src/client/activation';
import { coldAndWarm } from './openToDiagnostics';

export async function activate(): Promise<void> {
  const out = process.env.GRADPROBE_BENCH_OUT;
  if (!out) return;
  try {
    const { ext, cold, warm } = await coldAndWarm();
    // Where the time went: the extension's and its server's marks, in ms from the cold open.
    const api = (await ext.activate()) as GradProbeApi | undefined;
    const timeline = typeof api?.timeline === 'function' ? (await api.timeline()).map((m) => ({ name: m.name, ms: Math.round(m.at - cold.openedAt) })) : [];
    writeFileSync(out, JSON.stringify({ cold, warm, timeline }));
  } catch (err) {
    writeFileSync(out, JSON.stringify({ error: err instanceof Error ? err.message : String(err) }));
  }
}

export function deactivate(): void {
  // Nothing to release.
}
