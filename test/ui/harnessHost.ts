// The UI test's stand-in for VS Code around the panel's page (bundled for the browser, loaded before
// panel.js on the harness page): acquireVsCodeApi, a host that answers the panel's messages with the
// probe results the test generated from the fixtures, and VS Code's theme variables and body classes.
import type { IpcMessage, PanelData, PanelStateParams, PanelViewState } from '../../src/shared/panelMessages';

export interface HarnessData {
  /** Per fixture file: the panel data of each of its functions, and re-probes at other ranges. */
  files: Record<string, { functions: PanelData[]; ranges: Record<string, PanelData> }>;
}

export type HarnessTheme = 'light' | 'dark' | 'high-contrast';

interface Harness {
  /** Every message the panel posted. */
  sent: IpcMessage<unknown>[];
  state: () => PanelViewState | undefined;
  setTheme(kind: HarnessTheme): void;
  /** Posts a message to the panel as the host would (or anything else, to see it ignored). */
  post(message: unknown): void;
  violations: string[];
}

declare global {
  interface Window {
    __gradprobeHarnessData: HarnessData;
    __harness: Harness;
    acquireVsCodeApi(): { postMessage(m: IpcMessage<unknown>): void; getState(): unknown; setState(s: PanelViewState): void };
  }
}

// VS Code's default colours for the variables the panel and its controls read (Dark Modern, Light Modern, High Contrast).
const themes: Record<HarnessTheme, Record<string, string>> = {
  dark: {
    'editor-background': '#1f1f1f', 'editor-foreground': '#cccccc', foreground: '#cccccc', descriptionForeground: '#9d9d9d', focusBorder: '#0078d4',
    'charts-blue': '#3794ff', 'charts-red': '#f14c4c', 'charts-yellow': '#cca700', 'charts-orange': '#d18616', 'charts-green': '#89d185', 'charts-purple': '#b180d7',
    'editorWidget-border': '#454545', errorForeground: '#f85149', 'editorError-foreground': '#f14c4c', 'editorWarning-foreground': '#cca700', 'editorInfo-foreground': '#3794ff',
    'button-background': '#0078d4', 'button-foreground': '#ffffff', 'button-hoverBackground': '#026ec1', 'button-secondaryBackground': '#313131', 'button-secondaryForeground': '#cccccc',
    'input-background': '#313131', 'input-border': '#3c3c3c', 'input-foreground': '#cccccc', 'dropdown-background': '#313131', 'dropdown-border': '#3c3c3c', 'dropdown-foreground': '#cccccc',
    'checkbox-background': '#313131', 'checkbox-border': '#3c3c3c', 'panel-border': '#2b2b2b', 'textLink-foreground': '#4daafc', 'panelTitle-activeBorder': '#0078d4',
    'editorWidget-background': '#202020', 'settings-dropdownBackground': '#313131', 'settings-dropdownBorder': '#3c3c3c', 'settings-dropdownForeground': '#cccccc',
    'settings-textInputBackground': '#313131', 'settings-textInputForeground': '#cccccc', 'list-activeSelectionBackground': '#04395e', 'list-activeSelectionForeground': '#ffffff',
    'list-hoverBackground': '#2a2d2e', 'input-placeholderForeground': '#989898', 'checkbox-foreground': '#cccccc',
  },
  light: {
    'editor-background': '#ffffff', 'editor-foreground': '#3b3b3b', foreground: '#3b3b3b', descriptionForeground: '#3b3b3b', focusBorder: '#005fb8',
    'charts-blue': '#1a85ff', 'charts-red': '#e51400', 'charts-yellow': '#bf8803', 'charts-orange': '#d18616', 'charts-green': '#388a34', 'charts-purple': '#652d90',
    'editorWidget-border': '#c8c8c8', errorForeground: '#f85149', 'editorError-foreground': '#e51400', 'editorWarning-foreground': '#bf8803', 'editorInfo-foreground': '#1a85ff',
    'button-background': '#005fb8', 'button-foreground': '#ffffff', 'button-hoverBackground': '#0258a8', 'button-secondaryBackground': '#e5e5e5', 'button-secondaryForeground': '#3b3b3b',
    'input-background': '#ffffff', 'input-border': '#cecece', 'input-foreground': '#3b3b3b', 'dropdown-background': '#ffffff', 'dropdown-border': '#cecece', 'dropdown-foreground': '#3b3b3b',
    'checkbox-background': '#f8f8f8', 'checkbox-border': '#cecece', 'panel-border': '#e5e5e5', 'textLink-foreground': '#005fb8', 'panelTitle-activeBorder': '#005fb8',
    'editorWidget-background': '#f8f8f8', 'settings-dropdownBackground': '#ffffff', 'settings-dropdownBorder': '#cecece', 'settings-dropdownForeground': '#3b3b3b',
    'settings-textInputBackground': '#ffffff', 'settings-textInputForeground': '#3b3b3b', 'list-activeSelectionBackground': '#e8e8e8', 'list-activeSelectionForeground': '#000000',
    'list-hoverBackground': '#f2f2f2', 'input-placeholderForeground': '#767676', 'checkbox-foreground': '#3b3b3b',
  },
  'high-contrast': {
    'editor-background': '#000000', 'editor-foreground': '#ffffff', foreground: '#ffffff', descriptionForeground: '#ffffff', focusBorder: '#f38518', contrastBorder: '#6fc3df',
    'charts-blue': '#3794ff', 'charts-red': '#f14c4c', 'charts-yellow': '#ffd700', 'charts-orange': '#f38518', 'charts-green': '#89d185', 'charts-purple': '#b180d7',
    errorForeground: '#f48771', 'editorError-foreground': '#f48771', 'editorWarning-foreground': '#ffd700', 'editorInfo-foreground': '#3794ff',
    'button-background': '#000000', 'button-foreground': '#ffffff', 'button-border': '#6fc3df', 'button-secondaryBackground': '#000000', 'button-secondaryForeground': '#ffffff',
    'input-background': '#000000', 'input-border': '#6fc3df', 'input-foreground': '#ffffff', 'dropdown-background': '#000000', 'dropdown-border': '#6fc3df', 'dropdown-foreground': '#ffffff',
    'checkbox-background': '#000000', 'checkbox-border': '#6fc3df', 'panel-border': '#6fc3df', 'textLink-foreground': '#21a6ff', 'panelTitle-activeBorder': '#6fc3df',
    'editorWidget-background': '#0c141f', 'settings-dropdownBackground': '#000000', 'settings-dropdownBorder': '#6fc3df', 'settings-dropdownForeground': '#ffffff',
    'settings-textInputBackground': '#000000', 'settings-textInputForeground': '#ffffff', 'list-activeSelectionBackground': '#000000', 'list-activeSelectionForeground': '#ffffff',
    'list-focusOutline': '#f38518', 'list-hoverBackground': '#000000', 'input-placeholderForeground': '#ffffffb3', 'checkbox-foreground': '#ffffff',
  },
};

const common: Record<string, string> = {
  'font-family': 'system-ui, "Ubuntu", "Droid Sans", sans-serif', 'font-size': '13px', 'font-weight': 'normal',
  'editor-font-family': '"Droid Sans Mono", "monospace", monospace', 'editor-font-size': '14px',
};

function setTheme(kind: HarnessTheme): void {
  const vars = { ...common, ...themes[kind] };
  // As VS Code does it: through the CSSOM (a style attribute would be inline style, which the CSP refuses).
  const style = document.documentElement.style;
  for (const name of [...style].filter((n) => n.startsWith('--vscode-'))) style.removeProperty(name);
  for (const [k, v] of Object.entries(vars)) style.setProperty(`--vscode-${k}`, v);
  document.body.className = kind === 'high-contrast' ? 'vscode-high-contrast' : `vscode-${kind}`;
  document.body.setAttribute('data-vscode-theme-kind', document.body.className);
}

const params = new URLSearchParams(location.search);
const file = params.get('file') ?? '';
const fixture = window.__gradprobeHarnessData.files[file];
if (!fixture) throw new Error(`no harness data for ${file}`);
let current = fixture.functions.find((f) => f.fn.name === params.get('fn')) ?? fixture.functions[0];
let saved: PanelViewState | undefined;
const sent: IpcMessage<unknown>[] = [];
const violations: string[] = [];
document.addEventListener('securitypolicyviolation', (e) => violations.push(`${e.violatedDirective}: ${e.blockedURI}`));

const toPanel = (message: unknown): void => window.postMessage(message, '*');
const state = (s: PanelStateParams): void => toPanel({ method: 'panel/didChangeState', params: s });

function answer(m: IpcMessage<unknown>): void {
  const p = (m.params ?? {}) as Record<string, unknown>;
  switch (m.method) {
    case 'panel/ready':
      state({ status: 'ready', busy: false, data: current });
      return;
    case 'panel/selectFunction': {
      const next = fixture.functions.find((f) => f.fn.name === p.name && f.fn.line === p.line);
      if (next) current = next;
      state({ status: 'ready', busy: false, data: current });
      return;
    }
    case 'panel/reprobe': {
      state({ status: 'ready', busy: true, message: 'Probing…', data: current });
      const again = fixture.ranges[`${current.fn.name}@${String(p.range)}`];
      if (again) current = again;
      setTimeout(() => state({ status: 'ready', busy: false, data: current }), 10);
      return;
    }
  }
}

window.acquireVsCodeApi = () => ({
  postMessage(m) {
    sent.push(JSON.parse(JSON.stringify(m)) as IpcMessage<unknown>);
    setTimeout(() => answer(m), 0);
  },
  getState: () => saved,
  setState(s) { saved = s; },
});

setTheme((params.get('theme') as HarnessTheme | null) ?? 'dark');
window.__harness = { sent, state: () => saved, setTheme, post: toPanel, violations };
