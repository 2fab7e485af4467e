// The scenarios' driver inside VS Code's extension host (@vscode/test-electron): the same steps
// through the VS Code API — the providers VS Code itself calls for lenses, hovers and quick fixes.
import * as vscode from 'vscode';
import type { EditorDriver, HoverView } from './scenarios';

export class VSCodeDriver implements EditorDriver {
  private uriOf(relPath: string): vscode.Uri {
    const [folderName, ...rest] = relPath.split('/');
    const folder = vscode.workspace.workspaceFolders?.find((f) => f.name === folderName);
    if (!folder) throw new Error(`no workspace folder named ${folderName}`);
    return vscode.Uri.joinPath(folder.uri, ...rest);
  }

  private active(): vscode.TextEditor {
    const e = vscode.window.activeTextEditor;
    if (!e) throw new Error('no active editor');
    return e;
  }

  async open(relPath: string): Promise<void> {
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(this.uriOf(relPath)));
  }

  async problemCodes(): Promise<string[]> {
    const codes = vscode.languages.getDiagnostics().flatMap(([, ds]) => ds.filter((d) => d.source === 'gradprobe').map((d) => String(typeof d.code === 'object' ? d.code.value : d.code)));
    return [...new Set(codes)].sort();
  }

  private async lenses(): Promise<vscode.CodeLens[]> {
    return (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', this.active().document.uri, 100)) ?? [];
  }

  async lensTitles(): Promise<string[]> {
    return (await this.lenses()).map((l) => l.command?.title ?? '').filter(Boolean);
  }

  async clickLens(title: RegExp): Promise<void> {
    const lens = (await this.lenses()).find((l) => l.command && title.test(l.command.title));
    if (!lens?.command) throw new Error(`no lens titled ${title}`);
    await vscode.commands.executeCommand(lens.command.command, ...(lens.command.arguments ?? []));
  }

  async hover(word: string): Promise<HoverView> {
    const doc = this.active().document;
    const at = new RegExp(`\\b${word}\\b`).exec(doc.getText());
    if (!at) throw new Error(`${word} is not in the document`);
    const hovers = (await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', doc.uri, doc.positionAt(at.index + 1))) ?? [];
    const text = hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n\n');
    return { text: text.replace(/\\/g, ''), hasImage: /!\[[^\]]*\]\(data:image\/svg\+xml;base64,/.test(text) };
  }

  async applyQuickFix(code: string, title: RegExp): Promise<void> {
    const doc = this.active().document;
    const diag = vscode.languages.getDiagnostics(doc.uri).find((d) => String(typeof d.code === 'object' ? d.code.value : d.code) === code);
    if (!diag) throw new Error(`no ${code} diagnostic`);
    const actions = (await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', doc.uri, diag.range, vscode.CodeActionKind.QuickFix.value)) ?? [];
    const action = actions.find((a) => title.test(a.title));
    if (!action?.edit) throw new Error(`no quick fix ${title}; offered: ${actions.map((a) => a.title).join(' | ')}`);
    if (!(await vscode.workspace.applyEdit(action.edit))) throw new Error('the editor refused the edit');
  }

  async editorText(): Promise<string> {
    return this.active().document.getText();
  }

  async openPanelAt(word: string): Promise<void> {
    const editor = this.active();
    const at = new RegExp(`\\b${word}\\b`).exec(editor.document.getText());
    if (!at) throw new Error(`${word} is not in the document`);
    const pos = editor.document.positionAt(at.index + 1);
    editor.selection = new vscode.Selection(pos, pos);
    await vscode.commands.executeCommand('gradprobe.openPanel');
  }

  async panelTabs(): Promise<string[]> {
    return vscode.window.tabGroups.all.flatMap((g) => g.tabs)
      .filter((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith('gradprobe.panel'))
      .map((t) => t.label);
  }

  async screenshot(name: string): Promise<void> {
    console.log(`(no screenshot through the VS Code API: ${name})`);
  }
}
