// The end-to-end run in VS Code for the Web, inside its extension host (a browser worker): the
// examples folder is mounted as a virtual file system (vscode-test-web://mount/), so every read goes
// through the browser host. scripts/web/run.mjs bundles this file, starts VS Code for the Web in
// Chromium and takes a screenshot when a scenario logs `gradprobe-web-shot:NAME` (then waits here).
// A throw fails the run (the runner exits non-zero). Waits are on what the user would see, with a
// deadline, never a fixed sleep standing in for a result.
import * as vscode from 'vscode';

const shotPause = 2500;

async function eventually<T>(what: string, read: () => T | Promise<T>, ok: (v: T) => boolean, ms = 90_000): Promise<T> {
  const end = Date.now() + ms;
  let last: T | undefined;
  for (;;) {
    last = await read();
    if (ok(last)) return last;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}; last seen: ${JSON.stringify(last)?.slice(0, 600)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Asks the runner for a screenshot and gives it `pause` ms (the panel's shot waits up to 15 s for the plot first). */
async function shot(name: string, pause = shotPause): Promise<void> {
  console.log(`gradprobe-web-shot:${name}`);
  await new Promise((r) => setTimeout(r, pause));
}

const codeOf = (d: vscode.Diagnostic): string => (typeof d.code === 'object' ? String(d.code.value) : String(d.code));
const ours = (uri: vscode.Uri): vscode.Diagnostic[] => vscode.languages.getDiagnostics(uri).filter((d) => /^GP\d{3}$/.test(codeOf(d)));
/** Codes in the order shown, each followed by its message (so a timeout says what was there instead). */
const codesOf = (uri: vscode.Uri): string[] => ours(uri).map((d) => `${codeOf(d)} ${d.message}`);
const has = (seen: string[], code: string): boolean => seen.some((s) => s.startsWith(`${code} `));

async function open(relative: string): Promise<vscode.TextEditor> {
  const root = vscode.workspace.workspaceFolders?.[0]?.uri;
  if (!root) throw new Error('no workspace folder: the examples folder was not mounted');
  const doc = await vscode.workspace.openTextDocument(vscode.Uri.joinPath(root, relative));
  return vscode.window.showTextDocument(doc, { preview: false });
}

export async function run(): Promise<void> {
  const ext = vscode.extensions.getExtension('gradprobe.gradprobe');
  if (!ext) throw new Error('the GradProbe extension is not installed in VS Code for the Web');
  await ext.activate();
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');

  // 1. Problems: the Keras losses, whose clipped BCE calls safe_log from numerics.py — found only if
  // the workspace context was read through the editor's file system.
  const losses = await open('churn_keras/losses.py');
  const uri = losses.document.uri;
  const codes = await eventually('GP207, GP210 and GP211 in Problems', () => codesOf(uri), (c) => ['GP207', 'GP210', 'GP211'].every((x) => has(c, x)));
  const unsupported = ours(uri).filter((d) => codeOf(d) === 'GP001');
  if (unsupported.length) throw new Error(`GP001 in losses.py (the import from numerics.py was not followed?): ${unsupported.map((d) => d.message).join(' | ')}`);
  console.log(`problems: ${uri.toString()} → ${[...new Set(codes.map((c) => c.split(' ')[0]))].sort().join(', ')}`);
  await vscode.commands.executeCommand('workbench.actions.view.problems');
  await shot('01-problems');

  // 2. A code lens resolves to the function's one-line summary.
  const lenses = await eventually('resolved code lenses with a summary', async () => (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri, 50)) ?? [],
    (ls) => ls.some((l) => !!l.command?.title && l.command.title !== 'Probe gradients'));
  const titles = lenses.map((l) => l.command?.title ?? '').filter(Boolean);
  console.log(`code lenses: ${titles.length}: ${titles.slice(0, 4).join(' | ')}`);
  await shot('02-code-lens');

  // 3. A quick fix applies: GP303 in the NumPy baseline gets its epsilon.
  const baseline = await open('numpy_baseline.py');
  const bUri = baseline.document.uri;
  await eventually('GP303 in Problems', () => codesOf(bUri), (c) => has(c, 'GP303'));
  const diagnostic = ours(bUri).find((d) => codeOf(d) === 'GP303');
  if (!diagnostic) throw new Error('GP303 vanished before its quick fix was asked for');
  const actions = (await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', bUri, diagnostic.range, vscode.CodeActionKind.QuickFix.value)) ?? [];
  const fix = actions.find((a) => a.edit && /epsilon|clip/i.test(a.title));
  if (!fix?.edit) throw new Error(`no quick fix with an edit for GP303; offered: ${actions.map((a) => a.title).join(' | ') || 'nothing'}`);
  const gp303Before = ours(bUri).filter((d) => codeOf(d) === 'GP303').length;
  const before = baseline.document.getText();
  if (!(await vscode.workspace.applyEdit(fix.edit))) throw new Error(`the quick fix "${fix.title}" did not apply`);
  const after = baseline.document.getText();
  if (after === before) throw new Error(`the quick fix "${fix.title}" changed nothing`);
  console.log(`quick fix: "${fix.title}"`);
  // The file has a GP303 per unguarded log: the fixed one goes, the rest stay.
  await eventually('one GP303 fewer after the fix', () => codesOf(bUri), (c) => c.filter((x) => x.startsWith('GP303 ')).length === gp303Before - 1);
  await shot('03-quick-fix');

  // 4. The probe panel draws (the runner checks the webview's plot canvas at this shot).
  const line = losses.document.getText().split('\n').findIndex((l) => /^def multilabel_bce\b/.test(l));
  if (line < 0) throw new Error('multilabel_bce not found in losses.py');
  await vscode.window.showTextDocument(losses.document);
  await vscode.commands.executeCommand('gradprobe.openPanel', { uri: uri.toString(), name: 'multilabel_bce', line });
  await shot('04-panel', 18_000);
}
