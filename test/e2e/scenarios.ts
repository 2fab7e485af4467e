// The end-to-end scenarios, written once against a small driver interface and driven two ways:
// by Playwright through code-server's UI (playwrightDriver.ts, `npm run test:e2e`) and through the
// VS Code API inside @vscode/test-electron (vscodeDriver.ts, `npm run test:electron`). Every step
// waits on what the user would see, never on a fixed sleep.

export interface HoverView { text: string; hasImage: boolean }

/** What the probe panel shows: its header line and the pixels its first plot drew in its series' colours. */
export interface PanelView { summary: string; view: string; seriesPixels: number }

export interface EditorDriver {
  /** Opens a file of the fixture workspace (path relative to it, e.g. `typing/activations.py`). */
  open(relPath: string): Promise<void>;
  /** The codes the Problems panel lists (all files). */
  problemCodes(): Promise<string[]>;
  /** The code lens titles of the active editor. */
  lensTitles(): Promise<string[]>;
  clickLens(title: RegExp): Promise<void>;
  hover(word: string): Promise<HoverView>;
  /** Applies the quick fix whose title matches, offered for the diagnostic with this code. */
  applyQuickFix(code: string, title: RegExp): Promise<void>;
  /** The active editor's text. */
  editorText(): Promise<string>;
  /** The status bar item's text; absent where the driver cannot read the status bar (the VS Code API). */
  statusText?(): Promise<string>;
  /** Puts the cursor on `word` in the active editor and runs "GradProbe: Open probe panel". */
  openPanelAt(word: string): Promise<void>;
  /** The titles of the open probe panels' tabs. */
  panelTabs(): Promise<string[]>;
  /** The probe panel's page; absent where the driver cannot see into a webview (the VS Code API). */
  panel?(): Promise<PanelView>;
  /** Clicks one of the panel's view tabs (Activation, Depth, …). */
  panelTab?(name: string): Promise<void>;
  screenshot(name: string): Promise<void>;
}

export class ScenarioError extends Error {}

/** Polls until `ok` holds (what the user sees settles), or fails with what was last seen. */
export async function eventually<T>(what: string, look: () => Promise<T>, ok: (seen: T) => boolean, ms = 45_000): Promise<T> {
  const deadline = Date.now() + ms;
  let seen: T | undefined;
  let error: unknown;
  for (;;) {
    try {
      seen = await look();
      if (ok(seen)) return seen;
    } catch (err) {
      error = err;
    }
    if (Date.now() > deadline) throw new ScenarioError(`${what}: not seen within ${ms / 1000} s; last seen: ${JSON.stringify(seen)}${error ? `; last error: ${String(error)}` : ''}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

export interface Scenario {
  name: string;
  run(d: EditorDriver): Promise<void>;
}

export const scenarios: Scenario[] = [
  {
    name: 'problems: opening a file lists its findings with their codes',
    async run(d) {
      await d.open('typing/activations.py');
      await eventually('GP303, GP101 and GP304 in Problems', () => d.problemCodes(), (c) => ['GP303', 'GP101', 'GP304'].every((x) => c.includes(x)));
      if (d.statusText) await eventually('the status bar counts the problems', () => d.statusText!(), (t) => /GradProbe: \d+ problems?/.test(t));
      await d.screenshot('01-problems');
    },
  },
  {
    name: 'code lens: "Probe gradients" in a probeOn = manual folder, clicked, shows the summary',
    async run(d) {
      await d.open('manual/lens.py');
      await eventually('a "Probe gradients" lens', () => d.lensTitles(), (t) => t.includes('Probe gradients'));
      await d.screenshot('02-lens-before');
      await d.clickLens(/^Probe gradients$/);
      await eventually('the lens shows the summary', () => d.lensTitles(), (t) => t.some((x) => /^activation · [^·]+ · no gradient$/.test(x)));
      await eventually('GP106 in Problems', () => d.problemCodes(), (c) => c.includes('GP106'));
      await d.screenshot('03-lens-after');
      // The lens also opened the probe panel beside the editor, on this function, and its plot drew.
      await eventually('the probe panel\'s tab', () => d.panelTabs(), (t) => t.includes('GradProbe: HardStep'));
      if (d.panel) {
        await eventually('the panel draws HardStep\'s f(x)', () => d.panel!(), (p) => /HardStep|lens\.py/.test(p.summary) && p.seriesPixels > 50, 60_000);
        await d.screenshot('03b-panel-after-probe');
      }
    },
  },
  {
    name: 'hover: key numbers and a plot over a function name',
    async run(d) {
      await d.open('typing/activations.py');
      await eventually('a summary lens', () => d.lensTitles(), (t) => t.some((x) => x.startsWith('activation · ')));
      const hover = await eventually('the hover', () => d.hover('soft_exp'), (h) => /f′/.test(h.text) && /Open probe panel/.test(h.text));
      if (!hover.hasImage) throw new ScenarioError(`the hover shows no plot image: ${hover.text}`);
      await d.screenshot('04-hover');
    },
  },
  {
    name: 'probe panel: "Open probe panel" on a function shows its plots, and the depth view draws',
    async run(d) {
      await d.open('typing/activations.py');
      await eventually('a summary lens', () => d.lensTitles(), (t) => t.some((x) => x.startsWith('activation · ')));
      await d.openPanelAt('soft_exp');
      await eventually('the panel shows soft_exp', () => d.panelTabs(), (t) => t.includes('GradProbe: soft_exp'));
      if (d.panel && d.panelTab) {
        await eventually('the activation plot of soft_exp', () => d.panel!(), (p) => /activation/.test(p.summary) && p.view === 'activation' && p.seriesPixels > 50, 60_000);
        await d.panelTab('Depth');
        await eventually('the depth plot', () => d.panel!(), (p) => p.view === 'depth' && p.seriesPixels > 50, 60_000);
        await d.screenshot('04b-panel-depth');
      }
    },
  },
  {
    name: 'quick fix: add an epsilon; the file changes and GP303 goes',
    async run(d) {
      await d.open('typing/activations.py');
      await eventually('GP303 in Problems', () => d.problemCodes(), (c) => c.includes('GP303'));
      await d.applyQuickFix('GP303', /^Add an epsilon/);
      await eventually('the guarded log in the editor', () => d.editorText(), (t) => t.includes('tf.math.log(x * x + 1e-7)'));
      await eventually('GP303 gone from Problems', () => d.problemCodes(), (c) => !c.includes('GP303') && c.includes('GP304'));
      await d.screenshot('05-quick-fix');
    },
  },
];

/** Restricted Mode: the same findings and lenses (nothing of the user's code runs, so nothing changes). */
export const restrictedScenarios: Scenario[] = [
  {
    name: 'restricted mode: diagnostics and lenses still work',
    async run(d) {
      await d.open('typing/activations.py');
      await eventually('GP303 in Problems', () => d.problemCodes(), (c) => c.includes('GP303'));
      await eventually('summary lenses', () => d.lensTitles(), (t) => t.some((x) => x.startsWith('activation · ')));
      await d.screenshot('06-restricted-mode');
    },
  },
];

/** Runs scenarios in order; returns the failures (each scenario runs even if an earlier one failed). */
export async function runScenarios(list: Scenario[], d: EditorDriver, log: (line: string) => void): Promise<number> {
  let failed = 0;
  for (const s of list) {
    const started = Date.now();
    try {
      await s.run(d);
      log(`ok - ${s.name} (${Date.now() - started} ms)`);
    } catch (err) {
      failed++;
      log(`not ok - ${s.name}: ${err instanceof Error ? err.message : String(err)}`);
      await d.screenshot(`failed-${s.name.split(':')[0].replace(/\W+/g, '-')}`).catch(() => undefined);
    }
  }
  return failed;
}
