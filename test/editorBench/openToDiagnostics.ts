// The figure `npm run bench` compares between hosts: open → diagnostics for the bench's 1,000-line
// file, cold (the extension activating, its server, TensorFlow.js and the grammars starting: the first
// file) and warm (the next file), timed in the extension host from the open to the first GradProbe
// diagnostics shown for the file. The same code runs in VS Code for the Web (test/web/bench.ts) and in
// desktop VS Code (test/editorBench/desktopExtension.ts), so both figures count the same steps.
import * as vscode from 'vscode';

export interface OpenFigure {
  ms: number;
  diagnostics: number;
  /** Epoch milliseconds of the open. */
  openedAt: number;
}

const timeoutMs = 240_000;

const codeOf = (d: vscode.Diagnostic): string => (typeof d.code === 'object' ? String(d.code.value) : String(d.code));
const ours = (uri: vscode.Uri): vscode.Diagnostic[] => vscode.languages.getDiagnostics(uri).filter((d) => /^GP\d{3}$/.test(codeOf(d)));

/** Opens `file` and resolves with the milliseconds until its first GradProbe diagnostics, and how many. */
export async function openToDiagnostics(root: vscode.Uri, file: string): Promise<OpenFigure> {
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

/** Opens cold.py then warm.py of the bench folder; GradProbe must not be active before the first. */
export async function coldAndWarm(): Promise<{ root: vscode.Uri; ext: vscode.Extension<unknown>; cold: OpenFigure; warm: OpenFigure }> {
  const root = vscode.workspace.workspaceFolders?.[0]?.uri;
  if (!root) throw new Error('no workspace folder: the bench folder was not opened');
  const ext = vscode.extensions.getExtension('gradprobe.gradprobe');
  if (!ext) throw new Error('the GradProbe extension is not installed');
  if (ext.isActive) throw new Error('GradProbe was already active: the cold figure would not include its start');
  const cold = await openToDiagnostics(root, 'cold.py');
  const warm = await openToDiagnostics(root, 'warm.py');
  return { root, ext, cold, warm };
}
