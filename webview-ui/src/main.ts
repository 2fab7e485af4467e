// The probe panel's page (dist/webview/panel.js). It receives the panel's data from the extension host,
// shapes it with the pure functions of shape*.ts and draws it with plotView.ts; it keeps its own view
// state (tab, range, baselines, toggles) with setState so a hidden and re-shown panel comes back as it
// was. Every text that comes from the user's code goes in through textContent, never as markup.
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-checkbox/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import 'uplot/dist/uPlot.min.css';
import './panel.css';
import {
  baselineActivations, CopyCommand, DidChangeStateNotification, DidDrawCommand, ExportCommand, GoToSourceCommand, isPanelViewState, ReadyCommand,
  ReprobeCommand, SelectFunctionCommand, type IpcMessage, type PanelData, type PanelSpan, type PanelStateParams, type PanelViewState,
} from '../../src/shared/panelMessages';
import { PlotView } from './plotView';
import { activationPlots, needsReprobe, visibleRange } from './shapeActivation';
import { formatEvidence, formatNumber, type PlotModel } from './shapeCommon';
import { exportFileName, findingsTable, thinRows, toCsv, viewTable, type DataTable } from './shapeCsv';
import { depthFacts, depthPlots } from './shapeDepth';
import { headerSummary } from './shapeHeader';
import { boundaryRows, heatmap, heatmapTable, lossPlots, sliceIndex } from './shapeLoss';
import { trainingFinals, trainingPlot } from './shapeTraining';
import { onThemeChange, readTheme, type Theme } from './theme';

interface VsCodeApi {
  postMessage(message: IpcMessage<unknown>): void;
  getState(): unknown;
  setState(state: PanelViewState): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

type ViewId = 'activation' | 'depth' | 'loss' | 'training' | 'findings';
const viewTitles: Record<ViewId, string> = { activation: 'Activation', depth: 'Depth', loss: 'Loss', training: 'Training', findings: 'Findings' };
const viewsFor = (kind: 'activation' | 'loss' | undefined): ViewId[] => (kind === 'loss' ? ['loss', 'training', 'findings'] : ['activation', 'depth', 'training', 'findings']);

const vscode = acquireVsCodeApi();
const started = performance.now();

// ------------------------------------------------------------------ state

const saved = vscode.getState();
const ui: Required<Pick<PanelViewState, 'baselines' | 'logSlope' | 'slice' | 'logGrad'>> & PanelViewState = {
  baselines: ['ReLU'],
  logSlope: false,
  slice: 0,
  logGrad: true,
  ...(isPanelViewState(saved) ? saved : {}),
};
let state: PanelStateParams = { status: 'loading', busy: true, message: 'Waiting for the probe…' };
let theme: Theme = readTheme();
let dataArrivedAt = 0;
let drawnSinceData = false;

const persist = (): void => {
  const d = state.data;
  vscode.setState({ ...ui, ref: d ? { uri: d.uri, name: d.fn.name, line: d.fn.line } : ui.ref });
};

// ------------------------------------------------------------------ DOM helpers

type Child = Node | string | undefined | false;
function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  for (const c of children) if (c !== undefined && c !== false) el.append(typeof c === 'string' ? document.createTextNode(c) : c);
  return el;
}

function button(label: string, onClick: () => void, attrs: Record<string, string> = {}): HTMLElementTagNameMap['vscode-button'] {
  const b = h('vscode-button', attrs, label);
  b.addEventListener('click', onClick);
  return b;
}

function checkbox(label: string, checked: boolean, onChange: (checked: boolean) => void, attrs: Record<string, string> = {}): HTMLElementTagNameMap['vscode-checkbox'] {
  const c = h('vscode-checkbox', { label, ...attrs });
  c.checked = checked;
  c.addEventListener('change', () => onChange(c.checked));
  return c;
}

const post = (m: IpcMessage<unknown>): void => vscode.postMessage(m);

// ------------------------------------------------------------------ skeleton

const app = document.getElementById('app') ?? document.body.appendChild(h('div', { id: 'app' }));
const picker = h('vscode-single-select', { id: 'function-picker', 'aria-label': 'Function of this file' });
const summary = h('span', { class: 'summary', id: 'summary' });
const goToFunction = button('Go to source', () => { const d = state.data; if (d) post(GoToSourceCommand.message({ span: d.fn.nameSpan, cell: d.fn.cell })); }, { secondary: '', id: 'go-to-function', title: 'Show the function in the editor' });
const reprobe = button('Re-probe', () => post(ReprobeCommand.message(state.data?.activation ? { range: ui.range !== undefined && ui.range > state.data.activation.range ? ui.range : state.data.activation.range } : {})), { id: 'reprobe', title: 'Probe the file again' });
const exportPng = button('Export PNG', () => exportView('png'), { secondary: '', id: 'export-png' });
const exportCsv = button('Export CSV', () => exportView('csv'), { secondary: '', id: 'export-csv' });
const copyJson = button('Copy JSON', () => { if (state.data) post(CopyCommand.message({ text: JSON.stringify(state.data, null, 2) })); }, { secondary: '', id: 'copy-json' });
const status = h('p', { id: 'status', role: 'status', 'aria-live': 'polite' });
const tablist = h('div', { role: 'tablist', 'aria-label': 'Probe views', id: 'tabs' });
const sections = {} as Record<ViewId, { tab: HTMLButtonElement; section: HTMLElement; controls: HTMLElement; content: HTMLElement }>;

picker.addEventListener('change', () => {
  const d = state.data;
  const f = d?.functions[Number(picker.value)];
  if (f && d && (f.name !== d.fn.name || f.line !== d.fn.line)) post(SelectFunctionCommand.message({ name: f.name, line: f.line }));
});

app.append(
  h('header', { class: 'toolbar' },
    h('label', { for: 'function-picker', class: 'picker-label' }, 'Function'), picker, goToFunction,
    h('span', { class: 'spacer' }), reprobe, exportPng, exportCsv, copyJson),
  h('p', { class: 'summary-line' }, summary),
  tablist,
  status,
);
for (const id of ['activation', 'depth', 'loss', 'training', 'findings'] as ViewId[]) {
  const tab = h('button', { role: 'tab', id: `tab-${id}`, 'aria-controls': `view-${id}`, 'aria-selected': 'false', tabindex: '-1', type: 'button' }, viewTitles[id]);
  const controls = h('div', { class: 'controls' });
  const content = h('div', { class: 'content' });
  const section = h('section', { role: 'tabpanel', id: `view-${id}`, 'aria-labelledby': `tab-${id}`, hidden: '' }, controls, content);
  tab.addEventListener('click', () => select(id));
  tablist.append(tab);
  app.append(section);
  sections[id] = { tab, section, controls, content };
}
tablist.addEventListener('keydown', (e) => {
  const tabs = [...tablist.querySelectorAll<HTMLButtonElement>('[role=tab]:not([hidden])')];
  const at = tabs.indexOf(document.activeElement as HTMLButtonElement);
  if (at < 0) return;
  const next = e.key === 'ArrowRight' ? (at + 1) % tabs.length : e.key === 'ArrowLeft' ? (at - 1 + tabs.length) % tabs.length : e.key === 'Home' ? 0 : e.key === 'End' ? tabs.length - 1 : -1;
  if (next < 0) return;
  e.preventDefault();
  tabs[next].focus();
  tabs[next].click();
});

// Activation controls: range, baselines, log |f′|.
const rangeField = h('vscode-textfield', { id: 'range', inputmode: 'decimal', 'aria-label': 'Sweep half-width R: x from -R to R' });
const applyRange = button('Apply', () => {
  const r = Number(rangeField.value);
  if (!(r > 0 && r <= 1e4)) { setStatus(`The range must be a number between 0 and 10000, not "${rangeField.value}".`); return; }
  ui.range = r;
  persist();
  const a = state.data?.activation;
  if (a && needsReprobe(a, r)) post(ReprobeCommand.message({ range: r }));
  else render();
}, { id: 'apply-range' });
rangeField.addEventListener('keydown', (e) => { if (e.key === 'Enter') applyRange.click(); });
const baselineBoxes = h('div', { class: 'baselines', role: 'group', 'aria-label': 'Baselines to overlay' },
  h('span', { class: 'group-label' }, 'Baselines'),
  ...baselineActivations.map((b) => checkbox(b, ui.baselines.includes(b), (on) => {
    ui.baselines = on ? [...new Set([...ui.baselines, b])] : ui.baselines.filter((x) => x !== b);
    persist();
    render();
  }, { id: `baseline-${b}`, value: b })));
const logSlope = checkbox('log |f′|', ui.logSlope, (on) => { ui.logSlope = on; persist(); render(); }, { id: 'log-slope' });
sections.activation.controls.append(
  h('div', { class: 'range' }, h('label', { for: 'range' }, 'Range ±'), rangeField, applyRange),
  baselineBoxes,
  logSlope,
);

// Loss controls: which slice, log gradient.
const slicePicker = h('vscode-single-select', { id: 'slice-picker', 'aria-label': 'Slice through y_pred = y_true' });
slicePicker.addEventListener('change', () => { ui.slice = Number(slicePicker.value) || 0; persist(); render(); });
const logGrad = checkbox('log ‖∂loss/∂y_pred‖', ui.logGrad, (on) => { ui.logGrad = on; persist(); render(); }, { id: 'log-grad' });
sections.loss.controls.append(h('label', { for: 'slice-picker' }, 'Slice'), slicePicker, logGrad);

// ------------------------------------------------------------------ views

let drawn: { model: PlotModel; view: PlotView }[] = [];

function currentView(): ViewId {
  const available = viewsFor(state.data?.fn.kind);
  return ui.view && available.includes(ui.view as ViewId) ? (ui.view as ViewId) : available[0];
}

function select(id: ViewId): void {
  ui.view = id;
  persist();
  render();
}

function setStatus(text: string): void {
  status.textContent = text;
}

function contentWidth(): number {
  return Math.max(280, (sections[currentView()].content.clientWidth || document.body.clientWidth || 800) - 8);
}

/** A figure: caption, legend, the plot (or why there is none), and its data table on demand. */
function figure(model: PlotModel, width: number): HTMLElement {
  const legend = h('ul', { class: 'legend', 'aria-hidden': 'true' }, ...model.series.map((s) => {
    const swatch = h('span', { class: `swatch${s.dash ? ' dashed' : ''}` });
    swatch.style.borderColor = theme.series[s.color];
    return h('li', {}, swatch, s.label);
  }));
  const plotHost = h('div', { class: 'plot', role: 'img', 'aria-label': model.summary, 'data-plot-id': model.id, tabindex: '0' });
  const fig = h('figure', { class: 'plot-figure', id: `figure-${model.id}` }, h('figcaption', {}, model.title), legend, plotHost);
  if (model.markers.length) fig.append(h('p', { class: 'markers-note' }, '▲ on the x-axis: where ', model.markers.map((m) => `${m.series} is ${m.kind}`).filter((v, i, a) => a.indexOf(v) === i).join(', ')));
  const hasData = model.series.some((s) => s.values.some((v) => v !== null));
  if (hasData) {
    const view = new PlotView(plotHost);
    view.draw(model, theme, width);
    drawn.push({ model, view });
  } else {
    plotHost.classList.add('no-data');
    plotHost.append(h('p', {}, 'No finite values to plot.'));
  }
  fig.append(dataTable(model.title, viewTable([model])));
  return fig;
}

/** The data-table alternative of a plot: built when opened, thinned to about 200 rows (the CSV has all). */
function dataTable(title: string, table: DataTable): HTMLElement {
  const details = h('details', { class: 'data-table' }, h('summary', {}, `Data table: ${title}`));
  details.addEventListener('toggle', () => {
    if (!details.open || details.querySelector('table')) return;
    const rows = thinRows(table.rows, 201);
    const t = h('table', {},
      h('caption', {}, `${title}${rows.length < table.rows.length ? ` (${rows.length} of ${table.rows.length} rows; Export CSV has all)` : ''}`),
      h('thead', {}, h('tr', {}, ...table.headers.map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, ...rows.map((r) => h('tr', {}, ...r.map((c) => h('td', {}, typeof c === 'number' ? formatNumber(c) : c))))));
    details.append(t);
  });
  return details;
}

function facts(pairs: [string, string][], label: string): HTMLElement {
  return h('dl', { class: 'facts', 'aria-label': label }, ...pairs.flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]));
}

function pendingNote(what: string): HTMLElement {
  return h('p', { class: 'pending' }, `Computing ${what}…`);
}

function plotsOf(view: ViewId, d: PanelData): PlotModel[] {
  switch (view) {
    case 'activation': return d.activation ? activationPlots(d.activation, d.fn.name, { range: visibleRange(d.activation, ui.range), baselines: ui.baselines, logSlope: ui.logSlope }) : [];
    case 'depth': return d.depth ? depthPlots(d.depth) : [];
    case 'loss': return d.loss ? lossPlots(d.loss, d.fn.name, { slice: sliceIndex(d.loss, ui.slice), logGrad: ui.logGrad }) : [];
    case 'training': return d.training ? [trainingPlot(d.training)] : [];
    case 'findings': return [];
  }
}

function renderContent(view: ViewId, d: PanelData, content: HTMLElement, width: number): void {
  const plots = plotsOf(view, d);
  const errors = d.errors.filter((e) => (view === 'activation' && e.part === 'curves') || (view === 'loss' && e.part === 'boundary') || e.part === view);
  for (const e of errors) content.append(h('p', { class: 'error' }, `Could not compute this view: ${e.message}`));
  switch (view) {
    case 'activation': {
      if (!d.activation) { content.append(h('p', {}, probeNote(d))); break; }
      const a = d.activation;
      content.append(h('p', { class: 'note' }, `f and f′ by autodiff through the translation on [-${formatNumber(a.range)}, ${formatNumber(a.range)}]${a.gradientPath ? '' : ' (no gradient path from x to f)'}; f″ by central differences of f′. Shaded: dead (f′ = 0) and saturated (0 < |f′| < ${formatNumber(a.saturatedSlope)}) stretches; baselines dashed.`));
      for (const p of plots) content.append(figure(p, width));
      break;
    }
    case 'depth': {
      if (d.depth) {
        content.append(facts(depthFacts(d.depth), 'Depth probe numbers'));
        content.append(h('p', { class: 'note' }, `The same ${d.depth.layers}-layer stack and seeds for every curve: the function and ${d.depth.baseline}, each at the default init (solid) and at its critical gain (dashed).`));
        for (const p of plots) content.append(figure(p, width));
      } else content.append(d.pending.includes('depth') ? pendingNote('the 16-layer stacks') : h('p', {}, probeNote(d)));
      break;
    }
    case 'loss': {
      if (!d.loss) { content.append(h('p', {}, probeNote(d))); break; }
      const l = d.loss;
      content.append(facts([['family', l.family], ['mapping', l.mapping], ['inputs', l.layout], ['baseline', l.baseline]], 'Loss probe setup'));
      for (const p of plots) content.append(figure(p, width));
      const rows = boundaryRows(l);
      if (rows.length) {
        content.append(h('table', { class: 'boundary' },
          h('caption', {}, 'Boundary cases (▲ = the loss or its gradient is NaN/Inf)'),
          h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'case'), h('th', { scope: 'col' }, 'loss'), h('th', { scope: 'col' }, '‖∂loss/∂y_pred‖'))),
          h('tbody', {}, ...rows.map((r) => h('tr', { class: r.finite ? '' : 'bad' }, h('td', {}, r.finite ? '' : '▲ ', r.label), h('td', {}, r.loss), h('td', {}, r.gradNorm))))));
      }
      const map = heatmap(l);
      const mapTable = heatmapTable(l);
      if (map && mapTable) content.append(heatmapFigure(map, width, mapTable));
      break;
    }
    case 'training': {
      const t = d.training;
      if (!t) { content.append(d.pending.includes('training') ? pendingNote('the training probe (two small networks, 120 steps each)') : h('p', {}, probeNote(d))); break; }
      content.append(h('p', { class: `note verdict-${t.verdict}` }, t.note));
      for (const p of plots) content.append(figure(p, width));
      const finals = trainingFinals(t);
      content.append(h('table', { class: 'finals' },
        h('caption', {}, `Final ${t.metric === 'mse' ? 'MSE' : 'accuracy'} after ${t.steps} steps (${t.task})`),
        h('thead', {}, h('tr', {}, ...['run', 'train', 'validation', ''].map((c) => h('th', { scope: 'col' }, c)))),
        h('tbody', {}, ...finals.map((r) => h('tr', {}, h('td', {}, r.run), h('td', {}, r.train), h('td', {}, r.validation), h('td', {}, r.note))))));
      break;
    }
    case 'findings': {
      if (!d.findings.length) { content.append(h('p', {}, `No findings for ${d.fn.name}.`)); break; }
      content.append(h('ul', { class: 'findings' }, ...d.findings.map((f) => h('li', { class: `finding sev-${f.severity}` },
        h('div', { class: 'finding-head' },
          h('span', { class: 'code' }, f.code), h('span', { class: 'severity' }, f.severity), h('span', { class: 'where' }, `line ${f.span.startLine + 1}${f.cell !== undefined ? `, cell ${f.cell + 1}` : ''}`),
          goTo(f.span, f.cell)),
        h('p', { class: 'message' }, f.message),
        Object.keys(f.evidence).length ? facts(Object.entries(f.evidence).map(([k, v]) => [k, formatEvidence(v)]), `Evidence for ${f.code}`) : undefined))));
      break;
    }
  }
}

function goTo(span: PanelSpan, cell: number | undefined): HTMLElement {
  return button('Go to source', () => post(GoToSourceCommand.message({ span, cell })), { secondary: '', class: 'go-to-source' });
}

function probeNote(d: PanelData): string {
  if (d.fn.probe.status !== 'ok') return `${d.fn.name} was not probed: ${d.fn.probe.reason ?? d.fn.probe.status}.`;
  return 'Nothing to show for this function here.';
}

function heatmapFigure(map: NonNullable<ReturnType<typeof heatmap>>, width: number, table: DataTable): HTMLElement {
  const canvas = h('canvas', { class: 'heatmap', role: 'img', 'aria-label': `Loss landscape ${map.label}: from ${formatNumber(map.min)} to ${formatNumber(map.max)}${map.log ? ' (log colour scale)' : ''}` });
  const cols = map.x.length;
  const rows = map.y.length;
  const size = Math.min(width, 420);
  canvas.width = size;
  canvas.height = size;
  const ctx = canvas.getContext('2d');
  if (ctx) {
    const lo = theme.series.fn;
    const hi = theme.series.baseAlt;
    for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) {
      const t = map.level[r]?.[c];
      ctx.fillStyle = t === null || t === undefined ? theme.error : mix(lo, hi, t);
      ctx.fillRect((c * size) / cols, size - ((r + 1) * size) / rows, Math.ceil(size / cols), Math.ceil(size / rows));
    }
  }
  const range = (v: number[]): string => `${formatNumber(v[0])} to ${formatNumber(v[v.length - 1])}`;
  return h('figure', { class: 'plot-figure', id: 'figure-loss-landscape' },
    h('figcaption', {}, `Loss landscape: ${map.label}`),
    h('p', { class: 'note' }, `x from ${range(map.x)} (left to right), y from ${range(map.y)} (bottom to top); colour from the lowest loss (${formatNumber(map.min)}, the function's colour) to the highest (${formatNumber(map.max)})${map.log ? ', log scale' : ''}; cells in the error colour are not finite.`),
    canvas,
    dataTable(`Loss landscape: ${map.label}`, table));
}

function mix(a: string, b: string, t: number): string {
  const rgb = (c: string): number[] => (/^#[0-9a-f]{6}$/i.test(c) ? [1, 3, 5].map((i) => parseInt(c.slice(i, i + 2), 16)) : [128, 128, 128]);
  const [x, y] = [rgb(a), rgb(b)];
  return `rgb(${x.map((v, i) => Math.round(v + (y[i] - v) * t)).join(', ')})`;
}

function render(): void {
  for (const d of drawn) d.view.destroy();
  drawn = [];
  const d = state.data;
  const view = currentView();
  const available = viewsFor(d?.fn.kind);
  for (const id of Object.keys(sections) as ViewId[]) {
    const s = sections[id];
    const shown = id === view && !!d;
    s.tab.hidden = !available.includes(id);
    s.tab.setAttribute('aria-selected', String(id === view));
    s.tab.tabIndex = id === view ? 0 : -1;
    s.section.hidden = !shown;
    s.content.replaceChildren();
  }
  document.body.dataset.view = view;
  exportPng.toggleAttribute('disabled', !d || view === 'findings');
  for (const b of [exportCsv, copyJson, reprobe, goToFunction]) b.toggleAttribute('disabled', !d);
  if (!d) return;
  if (d.activation) {
    rangeField.value = String(visibleRange(d.activation, ui.range));
  }
  if (view === 'loss' && d.loss) {
    const idx = sliceIndex(d.loss, ui.slice);
    slicePicker.replaceChildren(...d.loss.slices.map((s, i) => { const o = h('vscode-option', { value: String(i) }, s.label); if (i === idx) o.setAttribute('selected', ''); return o; }));
    slicePicker.value = String(idx);
  }
  renderContent(view, d, sections[view].content, contentWidth());
  if (drawn.length && !drawnSinceData) {
    drawnSinceData = true;
    const now = performance.now();
    performance.mark('gradprobe-first-plot');
    document.body.dataset.firstPlotMs = String(Math.round(now - dataArrivedAt));
    document.body.dataset.scriptStartMs = String(Math.round(started));
    document.body.dataset.dataArrivedMs = String(Math.round(dataArrivedAt));
    post(DidDrawCommand.message({ view, sinceStartMs: now - started, sinceDataMs: now - dataArrivedAt }));
  }
}

function renderHeader(): void {
  const d = state.data;
  if (!d) {
    picker.replaceChildren();
    summary.textContent = '';
    return;
  }
  const selected = d.functions.findIndex((f) => f.name === d.fn.name && f.line === d.fn.line);
  picker.replaceChildren(...d.functions.map((f, i) => {
    const o = h('vscode-option', { value: String(i), description: f.summary }, `${f.name} — ${f.kind}, line ${f.line + 1}${f.cell !== undefined ? `, cell ${f.cell + 1}` : ''}`);
    if (i === selected) o.setAttribute('selected', '');
    return o;
  }));
  if (selected >= 0) picker.value = String(selected);
  summary.textContent = `${d.file} · ${d.fn.framework} · ${headerSummary(d.fn.summary, d.findings)}`;
}

function showStatus(): void {
  const d = state.data;
  const parts: string[] = [];
  if (state.busy && !d?.pending.length) parts.push(state.message ?? 'Probing…');
  else if (state.status !== 'ready' && state.message) parts.push(state.message);
  if (d?.pending.length) parts.push(`Computing ${d.pending.join(' and ')}…`);
  setStatus(parts.join(' '));
  app.setAttribute('aria-busy', String(state.busy));
  document.body.dataset.status = state.status;
  document.body.dataset.busy = String(state.busy);
}

// ------------------------------------------------------------------ export

function exportView(format: 'png' | 'csv'): void {
  const d = state.data;
  if (!d) return;
  const view = currentView();
  const fileName = exportFileName(d.fn.name, view, format);
  if (format === 'csv') {
    const table = view === 'findings' ? findingsTable(d.findings) : viewTable(plotsOf(view, d));
    post(ExportCommand.message({ format, fileName, content: toCsv(table) }));
    return;
  }
  const canvases = drawn.map((x) => ({ title: x.model.title, canvas: x.view.canvas() })).filter((c): c is { title: string; canvas: HTMLCanvasElement } => !!c.canvas);
  if (!canvases.length) return;
  const titleHeight = 24;
  const out = document.createElement('canvas');
  out.width = Math.max(...canvases.map((c) => c.canvas.width));
  out.height = canvases.reduce((a, c) => a + c.canvas.height + titleHeight, 0);
  const ctx = out.getContext('2d');
  if (!ctx) return;
  ctx.fillStyle = theme.background;
  ctx.fillRect(0, 0, out.width, out.height);
  let y = 0;
  for (const c of canvases) {
    ctx.fillStyle = theme.foreground;
    ctx.font = theme.font.replace(/^\d+px/, '14px');
    ctx.fillText(`${d.fn.name} — ${c.title}`, 8, y + 17);
    y += titleHeight;
    ctx.drawImage(c.canvas, 0, y);
    y += c.canvas.height;
  }
  post(ExportCommand.message({ format, fileName, content: out.toDataURL('image/png').replace(/^data:image\/png;base64,/, '') }));
}

// ------------------------------------------------------------------ messages, theme, size

window.addEventListener('message', (e: MessageEvent<unknown>) => {
  const msg = e.data;
  switch (true) {
    case DidChangeStateNotification.is(msg): {
      const before = state.data;
      state = msg.params;
      if (state.data && state.data !== before) {
        dataArrivedAt = performance.now();
        drawnSinceData = false;
        if (before && (before.fn.name !== state.data.fn.name || before.uri !== state.data.uri)) ui.slice = 0;
      }
      persist();
      renderHeader();
      showStatus();
      render();
      return;
    }
    default:
      // Only the host posts here; anything that is not one of its messages is dropped.
      console.warn('GradProbe panel: ignored an unexpected message');
  }
});

onThemeChange(() => {
  theme = readTheme();
  document.body.dataset.theme = theme.kind;
  render();
});
document.body.dataset.theme = theme.kind;

let lastWidth = 0;
let resizeFrame = 0;
new ResizeObserver(() => {
  cancelAnimationFrame(resizeFrame);
  resizeFrame = requestAnimationFrame(() => {
    const w = contentWidth();
    if (Math.abs(w - lastWidth) < 8) return;
    lastWidth = w;
    if (drawn.length) render();
  });
}).observe(document.body);

render();
showStatus();
post(ReadyCommand.message({}));
