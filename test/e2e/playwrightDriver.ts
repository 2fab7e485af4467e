// The scenarios' driver for code-server's UI in Chromium, through Playwright: what a user clicks,
// types and reads.
import type { Page } from 'playwright-core';
import { join } from 'node:path';
import type { EditorDriver, HoverView, PanelView } from './scenarios';
import { countSeriesPixels } from '../ui/pixels';

const nbsp = /\u00a0/g;

export class PlaywrightDriver implements EditorDriver {
  constructor(private readonly page: Page, private readonly shots: string) {}

  private activeEditor() {
    return this.page.locator('.editor-group-container.active .monaco-editor').first();
  }

  async open(relPath: string): Promise<void> {
    const name = relPath.split('/').pop()!;
    await this.page.keyboard.press('Escape');
    const tab = this.page.locator('.tabs-container .tab').filter({ hasText: name }).first();
    if (await tab.count()) {
      await tab.click();
    } else {
      await this.page.keyboard.press('Control+P');
      const input = this.page.locator('.quick-input-widget input');
      await input.waitFor({ state: 'visible', timeout: 15_000 });
      await input.fill(relPath);
      const row = this.page.locator('.quick-input-list .monaco-list-row', { hasText: name }).first();
      await row.waitFor({ state: 'visible', timeout: 15_000 });
      await row.click();
    }
    await this.page.locator('.tabs-container .tab.active').filter({ hasText: name }).first().waitFor({ timeout: 15_000 });
    await this.activeEditor().locator('.view-lines').waitFor({ timeout: 15_000 });
  }

  private async showProblems(): Promise<void> {
    if (await this.page.locator('.markers-panel').isVisible().catch(() => false)) return;
    await this.page.keyboard.press('Control+Shift+M');
    await this.page.locator('.markers-panel').waitFor({ state: 'visible', timeout: 10_000 });
  }

  async problemCodes(): Promise<string[]> {
    await this.showProblems();
    const rows = await this.page.locator('.markers-panel .monaco-list-row').allInnerTexts();
    return [...new Set(rows.flatMap((r) => r.match(/GP\d{3}/g) ?? []))].sort();
  }

  async lensTitles(): Promise<string[]> {
    const texts = await this.activeEditor().locator('.codelens-decoration a, .codelens-decoration span').allInnerTexts();
    return texts.map((t) => t.replace(nbsp, ' ').trim()).filter(Boolean);
  }

  async clickLens(title: RegExp): Promise<void> {
    await this.activeEditor().locator('.codelens-decoration a').filter({ hasText: title }).first().click();
  }

  async hover(word: string): Promise<HoverView> {
    const token = this.activeEditor().locator('.view-line span span', { hasText: new RegExp(`^${word}$`) }).first();
    await this.page.mouse.move(0, 0);
    await token.hover();
    const widget = this.page.locator('.monaco-hover:not(.hidden)').filter({ hasText: word }).first();
    await widget.waitFor({ state: 'visible', timeout: 5_000 });
    const text = (await widget.innerText()).replace(nbsp, ' ');
    const hasImage = (await widget.locator('img[src^="data:image/svg+xml"]').count()) > 0;
    return { text, hasImage };
  }

  async applyQuickFix(code: string, title: RegExp): Promise<void> {
    await this.showProblems();
    // Selecting the problem puts the cursor on it; Ctrl+. there lists its fixes.
    const row = this.page.locator('.markers-panel .monaco-list-row', { hasText: code }).first();
    await row.click();
    await this.page.keyboard.press('Enter');
    await this.activeEditor().locator('.cursors-layer .cursor').first().waitFor({ timeout: 5_000 });
    await this.page.keyboard.press('Control+.');
    const rows = this.page.locator('.action-widget .monaco-list-row');
    await rows.filter({ hasText: title }).first().waitFor({ state: 'visible', timeout: 10_000 });
    // The widget animates in; the keyboard picks the row as a user would: down until it is focused.
    for (let i = 0; i < 12; i++) {
      const focused = (await rows.locator('xpath=self::*[contains(@class, "focused")]').allInnerTexts()).map((t) => t.trim());
      if (focused.some((t) => title.test(t))) break;
      await this.page.keyboard.press('ArrowDown');
    }
    await this.page.keyboard.press('Enter');
  }

  async editorText(): Promise<string> {
    return (await this.activeEditor().locator('.view-lines').innerText()).replace(nbsp, ' ');
  }

  async statusText(): Promise<string> {
    return (await this.page.locator('.statusbar-item', { hasText: 'GradProbe' }).first().innerText()).replace(nbsp, ' ');
  }

  async openPanelAt(word: string): Promise<void> {
    const token = this.activeEditor().locator('.view-line span span', { hasText: new RegExp(`^${word}$`) }).first();
    await token.click();
    await this.command('GradProbe: Open probe panel');
  }

  async panelTabs(): Promise<string[]> {
    const tabs = await this.page.locator('.tabs-container .tab').allInnerTexts();
    return tabs.map((t) => t.replace(nbsp, ' ').trim()).filter((t) => t.startsWith('GradProbe: '));
  }

  /** The panel's page: VS Code's webview iframe, then the page's own frame inside it. */
  private panelFrame() {
    return this.page.frameLocator('iframe.webview').last().frameLocator('iframe#active-frame');
  }

  async panel(): Promise<PanelView> {
    const frame = this.panelFrame();
    const summary = (await frame.locator('#summary').innerText({ timeout: 5_000 })).replace(nbsp, ' ');
    const view = (await frame.locator('body').getAttribute('data-view', { timeout: 5_000 })) ?? '';
    const host = frame.locator('section:not([hidden]) .plot[data-plot-id]').first();
    const seriesPixels = (await host.count()) ? (await host.evaluate(countSeriesPixels, [], { timeout: 5_000 })).series : 0;
    return { summary, view, seriesPixels };
  }

  async panelTab(name: string): Promise<void> {
    await this.panelFrame().getByRole('tab', { name }).click();
  }

  async screenshot(name: string): Promise<void> {
    await this.page.screenshot({ path: join(this.shots, `${name}.png`) });
  }

  /** Runs a command by its title from the command palette. */
  async command(title: string): Promise<void> {
    await this.page.keyboard.press('Escape');
    await this.page.keyboard.press('F1');
    const input = this.page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible', timeout: 10_000 });
    await input.fill(`>${title}`);
    await this.page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first().waitFor({ timeout: 10_000 });
    await this.page.keyboard.press('Enter');
  }

  /** The GradProbe log as shown in the Output panel. */
  async logText(): Promise<string> {
    await this.command('GradProbe: Show logs');
    const view = this.page.locator('.output-view .view-lines, #workbench\\.panel\\.output .view-lines').first();
    await view.waitFor({ timeout: 10_000 });
    return (await view.innerText()).replace(nbsp, ' ');
  }
}
