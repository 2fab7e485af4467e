// Colours and fonts from the --vscode-* variables VS Code sets on the page, read with getComputedStyle
// when drawing; a change of theme (VS Code swaps the body's class and the variables) calls back so
// every plot is drawn again.
import type { ColorKey } from './shapeCommon';

export type ThemeKind = 'light' | 'dark' | 'high-contrast' | 'high-contrast-light';

export interface Theme {
  kind: ThemeKind;
  foreground: string;
  background: string;
  grid: string;
  series: Record<ColorKey, string>;
  error: string;
  dead: string;
  saturated: string;
  font: string;
  /** Line width of the function under study (thicker in high contrast). */
  lineWidth: number;
}

const seriesVars: Record<ColorKey, [string, string]> = {
  fn: ['--vscode-charts-blue', '#3794ff'],
  fnAlt: ['--vscode-charts-purple', '#b180d7'],
  base: ['--vscode-charts-orange', '#d18616'],
  baseAlt: ['--vscode-charts-yellow', '#cca700'],
  ReLU: ['--vscode-charts-orange', '#d18616'],
  GELU: ['--vscode-charts-green', '#89d185'],
  SiLU: ['--vscode-charts-purple', '#b180d7'],
  tanh: ['--vscode-charts-yellow', '#cca700'],
  sigmoid: ['--vscode-charts-red', '#f14c4c'],
};

let probe: CanvasRenderingContext2D | null | undefined;

/** A CSS colour as the canvas writes it (#rrggbb, or rgba(…) with alpha): one spelling for tests and legends. */
export function normaliseColor(css: string, fallback: string): string {
  probe ??= document.createElement('canvas').getContext('2d');
  if (!probe) return css || fallback;
  probe.fillStyle = fallback;
  if (css) probe.fillStyle = css;
  return String(probe.fillStyle);
}

export function themeKind(body: HTMLElement = document.body): ThemeKind {
  const c = body.classList;
  if (c.contains('vscode-high-contrast-light')) return 'high-contrast-light';
  if (c.contains('vscode-high-contrast')) return 'high-contrast';
  if (c.contains('vscode-light')) return 'light';
  return 'dark';
}

export function readTheme(): Theme {
  const style = getComputedStyle(document.documentElement);
  const v = (name: string, fallback: string): string => normaliseColor(style.getPropertyValue(name).trim(), fallback);
  const kind = themeKind();
  const contrast = kind === 'high-contrast' || kind === 'high-contrast-light';
  const light = kind === 'light' || kind === 'high-contrast-light';
  const series = Object.fromEntries(Object.entries(seriesVars).map(([k, [name, fb]]) => [k, v(name, fb)])) as Record<ColorKey, string>;
  return {
    kind,
    foreground: v('--vscode-editor-foreground', light ? '#333333' : '#cccccc'),
    background: v('--vscode-editor-background', light ? '#ffffff' : '#1e1e1e'),
    grid: contrast ? v('--vscode-contrastBorder', light ? '#0f4a85' : '#6fc3df') : v('--vscode-editorWidget-border', light ? '#c8c8c8' : '#454545'),
    series,
    error: v('--vscode-editorError-foreground', '#f14c4c'),
    dead: v('--vscode-charts-red', '#f14c4c'),
    saturated: v('--vscode-charts-yellow', '#cca700'),
    font: `11px ${style.getPropertyValue('--vscode-font-family').trim() || 'sans-serif'}`,
    lineWidth: contrast ? 3 : 2,
  };
}

/** Calls `changed` when VS Code switches theme (body class or the variables on <html>); returns the unsubscribe. */
export function onThemeChange(changed: () => void): () => void {
  let last = JSON.stringify(readTheme());
  const observer = new MutationObserver(() => {
    const now = JSON.stringify(readTheme());
    if (now === last) return;
    last = now;
    changed();
  });
  observer.observe(document.body, { attributes: true, attributeFilter: ['class'] });
  observer.observe(document.documentElement, { attributes: true, attributeFilter: ['style', 'class'] });
  return () => observer.disconnect();
}
