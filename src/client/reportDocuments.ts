// "GradProbe: Open probe panel": the function's report (key numbers, plot, every finding with its
// evidence) as a read-only virtual markdown document, shown in the markdown preview.
import * as vscode from 'vscode';
import type { GradProbeClient } from './languageClient';
import type { FunctionRef } from '../shared/commands';

export const reportScheme = 'gradprobe-report';

export class ReportDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;

  constructor(private readonly client: () => GradProbeClient | undefined) {}

  static uriFor(ref: FunctionRef): vscode.Uri {
    const name = ref.name.replace(/[^\w.-]/g, '_');
    return vscode.Uri.from({ scheme: reportScheme, path: `/${name}.md`, query: JSON.stringify(ref) });
  }

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    let ref: FunctionRef;
    try {
      ref = JSON.parse(uri.query) as FunctionRef;
    } catch {
      return '# GradProbe\n\nThis report link is not valid.\n';
    }
    const c = this.client();
    if (!c) return '# GradProbe\n\nThe GradProbe language server is not running: see **GradProbe: Show logs**.\n';
    const report = await c.functionReport(ref);
    return report?.markdown ?? `# ${ref.name}\n\nNo probe report for \`${ref.name}\` yet: it has not been probed, or the document changed since. Use the **Probe gradients** code lens above the function, then open the report again.\n`;
  }

  async open(ref: FunctionRef | undefined): Promise<void> {
    if (!ref) {
      void vscode.window.showInformationMessage('Put the cursor on a function GradProbe detected (or use its code lens) to open its report.');
      return;
    }
    const uri = ReportDocuments.uriFor(ref);
    this.changed.fire(uri);
    try {
      await vscode.commands.executeCommand('markdown.showPreview', uri);
    } catch {
      await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri), { preview: true });
    }
  }

  dispose(): void {
    this.changed.dispose();
  }
}
