// `npm run bench`'s figure in VS Code for the Web: open → diagnostics for the bench's 1,000-line file,
// cold (the extension activating, its server worker, TensorFlow.js and the grammars starting: the
// first file) and warm (the next file), timed in the browser's extension host from the open to the
// first GradProbe diagnostics shown for the file. scripts/web/run.mjs --bench mounts a folder with
// cold.py and warm.py (scripts/thousandLines.mjs, the text the desktop figure times) and reads the
// `gradprobe-web-bench:` line this logs. A throw fails the run.
import * as vscode from 'vscode';
import type { GradProbeApi } from '../../src/client/activation';

const timeoutMs = 240_000;

const codeOf = (d: vscode.Diagnostic): string => (typeof d.code === 'object' ? String(d.code.value) : String(d.code));
const ours = (uri: vscode.Uri): vscode.Diagnostic[] => vscode.languages.getDiagnostics(uri).filter((d) => /^GP\d{3}$/.test(codeOf(d)));

/** Opens `file` and resolves with the milliseconds until its first GradProbe diagnostics, and how many. */
async function openToDiagnostics(root: vscode.Uri, file: string): Promise<{ ms: number; diagnostics: number; openedAt: number }> {
  const uri = vscode.Uri.joinPath(root, file);
  if (ours(uri).length) throw new Error(`${file} had diagnostics before it was opened`);
  let listener: vscode.Disposable | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const shown = new Promise<number>((resolve, reject) => {
    listener = vscode.languages.onDidChangeDiagnostics((e) => {
      if (e.uris.some((u) => u.toString() === uri.toString()) && ours(uri).length) resolve(performance.now());
    });
    timer = setTimeout(() => reject(new Error(`no GradProbe diagnostics for ${file} within ${timeoutMs / 1000} s`)), timeoutMs);
  });
  const t0 = performance.now();
  try {
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri), { preview: false });
    const t1 = await shown;
    return { ms: t1 - t0, diagnostics: ours(uri).length, openedAt: performance.timeOrigin + t0 };
  } finally {
    listener?.dispose();
    clearTimeout(timer);
  }
}

export async function run(): Promise<void> {
  const root = vscode.workspace.workspaceFolders?.[0]?.uri;
  if (!root) throw new Error('no workspace folder: the bench folder was not mounted');
  const ext = vscode.extensions.getExtension('gradprobe.gradprobe');
  if (!ext) throw new Error('the GradProbe extension is not installed in VS Code for the Web');
  if (ext.isActive) throw new Error('GradProbe was already active: the cold figure would not include its start');
  const cold = await openToDiagnostics(root, 'cold.py');
  const warm = await openToDiagnostics(root, 'warm.py');
  // Where the time went: the extension's and its server worker's marks, in ms from the cold open.
  const api = (await ext.activate()) as GradProbeApi | undefined;
  if (typeof api?.timeline !== 'function') throw new Error('the GradProbe extension exports no timeline()');
  const timeline = (await api.timeline()).map((m) => ({ name: m.name, ms: Math.round(m.at - cold.openedAt) }));
  if (!timeline.some((m) => m.name.startsWith('server: published'))) throw new Error(`the timeline has no publication: ${JSON.stringify(timeline)}`);
  console.log(`gradprobe-web-bench:${JSON.stringify({ cold, warm, timeline })}`);
}
