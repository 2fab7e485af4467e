// The one status bar item: idle, probing N functions, or N problems; a click shows the log.
import * as vscode from 'vscode';
import { Commands } from '../shared/commands';
import type { StatusNotification } from '../shared/customMessages';

export class StatusItem implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('gradprobe.status', vscode.StatusBarAlignment.Right, 100);

  constructor() {
    this.item.name = 'GradProbe';
    this.item.command = Commands.showLogs;
    this.idle();
    this.item.show();
  }

  idle(): void {
    this.item.text = '$(pulse) GradProbe';
    this.item.tooltip = 'GradProbe: idle. Click to show the log.';
    this.item.backgroundColor = undefined;
  }

  update(s: StatusNotification.Params): void {
    if (s.failure) {
      this.failed(s.failure);
      return;
    }
    this.item.backgroundColor = undefined;
    if (s.probing > 0) {
      this.item.text = `$(sync~spin) GradProbe: probing ${s.probing} function${s.probing === 1 ? '' : 's'}`;
      this.item.tooltip = 'GradProbe is probing gradients. Click to show the log.';
    } else if (s.problems > 0) {
      this.item.text = `$(warning) GradProbe: ${s.problems} problem${s.problems === 1 ? '' : 's'}`;
      this.item.tooltip = 'Errors and warnings GradProbe found (see the Problems panel). Click to show the log.';
    } else {
      this.item.text = '$(check) GradProbe';
      this.item.tooltip = 'GradProbe: no problems in the probed files. Click to show the log.';
    }
  }

  failed(message: string): void {
    this.item.text = '$(error) GradProbe';
    this.item.tooltip = `GradProbe: ${message}. Click to show the log.`;
    this.item.backgroundColor = new vscode.ThemeColor('statusBarItem.errorBackground');
  }

  dispose(): void {
    this.item.dispose();
  }
}
