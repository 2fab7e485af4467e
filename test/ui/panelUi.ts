// `npm run test:ui`: the probe panel's page in Debian's Chromium (playwright-core), on a harness page
// fed with probe results the current core makes from the examples at test time. Every view must draw
// (checked on the canvas pixels, not the DOM), the controls must work, nothing may break the CSP, and
// the page marks when its first plot is on screen. How long that takes is a bench figure, never an
// assertion (`npm run bench:ui`; also in test-output/ui/timings.json). Screenshots in light, dark and
// high-contrast themes go to test-output/ui/.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { buildHarnessData } from './harness';
import { serveHarness } from './harness';
import type { HarnessData, HarnessTheme } from './harnessHost';
import { countSeriesPixels } from './pixels';

const shots = join(process.cwd(), 'test-output/ui');
let browser: Browser;
let server: Server;
let base = '';
let data: HarnessData;
const timings: Record<string, number | number[] | string> = {};

before(async () => {
  mkdirSync(shots, { recursive: true });
  const built = await buildHarnessData([
    { file: 'forecast_keras3.py', ranges: [{ name: 'eswish', range: 12 }] },
    { file: 'vae_jax.py' },
    { file: 'numpy_baseline.py' },
    { file: 'test/fixtures/ui/xy_loss.py' },
  ]);
  data = built.data;
  timings.coreMs = Math.round(built.ms);
  const served = await serveHarness(data);
  server = served.server;
  base = served.url;
  browser = await chromium.launch({
    executablePath: process.env.GRADPROBE_CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});

after(async () => {
  await browser?.close();
  server?.close();
  writeFileSync(join(shots, 'timings.json'), `${JSON.stringify(timings, null, 2)}\n`);
  console.log(`timings: ${JSON.stringify(timings)}`);
});

interface Opened { page: Page; errors: string[]; console: string[] }

async function open(file: string, fn: string, theme: HarnessTheme = 'dark'): Promise<Opened> {
  const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
  const errors: string[] = [];
  const console: string[] = [];
  page.on('pageerror', (e) => errors.push(`${e.message} ${(e.stack ?? '').split('\n').slice(0, 4).join(' | ')}`));
  page.on('console', (m) => console.push(`${m.type()}: ${m.text()}`));
  await page.goto(`${base}?file=${encodeURIComponent(file)}&fn=${encodeURIComponent(fn)}&theme=${theme}`);
  await page.waitForFunction(() => document.body.dataset.status === 'ready');
  return { page, errors, console };
}

/** Series pixels of a plot, once it has some (waits for the drawing, not a fixed time). */
async function plotPixels(page: Page, plotId: string, min = 60): Promise<number> {
  const handle = await page.waitForFunction(({ id, min, count }) => {
    const host = document.querySelector(`.plot[data-plot-id="${id}"]`);
    if (!host) return false;
    // eslint-disable-next-line no-new-func
    const n = (new Function(`return (${count})`)() as (h: Element) => { series: number })(host).series;
    return n >= min ? n : false;
  }, { id: plotId, min, count: countSeriesPixels.toString() }, { timeout: 10_000 });
  return (await handle.jsonValue()) as number;
}

async function pixelsByColor(page: Page, plotId: string, extra: string[] = []): Promise<{ series: number; byColor: Record<string, number> }> {
  return page.evaluate(({ id, extra, count }) => {
    const host = document.querySelector(`.plot[data-plot-id="${id}"]`);
    if (!host) return { series: 0, byColor: {} };
    return (new Function(`return (${count})`)() as (h: Element, e: string[]) => { series: number; byColor: Record<string, number> })(host, extra);
  }, { id: plotId, extra, count: countSeriesPixels.toString() });
}

async function selectTab(page: Page, view: string): Promise<void> {
  await page.click(`#tab-${view}`);
  await page.waitForFunction((v) => document.body.dataset.view === v, view);
}

async function plotIds(page: Page): Promise<string[]> {
  return page.$$eval('section:not([hidden]) .plot[data-plot-id]', (els) => els.map((e) => (e as HTMLElement).dataset.plotId ?? ''));
}

async function sent(page: Page): Promise<{ method: string; params: Record<string, unknown> }[]> {
  return page.evaluate(() => window.__harness.sent as { method: string; params: Record<string, unknown> }[]);
}

async function checkClean(o: Opened): Promise<void> {
  const violations = await o.page.evaluate(() => window.__harness.violations);
  assert.deepEqual(violations, [], 'no Content Security Policy violation');
  assert.deepEqual(o.errors, [], 'no uncaught error in the page');
}

test('the data comes from the current core: every fixture function has its report and plots\' data', () => {
  const fx = data.files['forecast_keras3.py'];
  assert.deepEqual(fx.functions.map((f) => f.fn.name).sort(), ['cosine_proximity', 'eswish']);
  const eswish = fx.functions.find((f) => f.fn.name === 'eswish')!;
  assert.ok(eswish.activation && eswish.depth && eswish.training && eswish.findings.length);
  assert.ok(data.files['numpy_baseline.py'].functions[0].loss?.boundary.length);
});

test('the first plot is drawn and marked when the panel opens with the probe result', async () => {
  const samples: number[] = [];
  const sinceData: number[] = [];
  const wall: number[] = [];
  const phaseLog: Record<string, number>[] = [];
  for (let i = 0; i < 6; i++) {
    const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    const t0 = Date.now();
    await page.goto(`${base}?file=forecast_keras3.py&fn=eswish&theme=dark`);
    await plotPixels(page, 'activation-f');
    const t1 = Date.now();
    const mark = await page.evaluate(() => performance.getEntriesByName('gradprobe-first-plot')[0]?.startTime ?? NaN);
    const fromData = await page.evaluate(() => Number(document.body.dataset.firstPlotMs));
    const phases = await page.evaluate(() => ({
      html: Math.round((performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming | undefined)?.responseEnd ?? NaN),
      bundle: Math.round((performance.getEntriesByType('resource').find((e) => e.name.endsWith('/panel.js')) as PerformanceResourceTiming | undefined)?.responseEnd ?? NaN),
      script: Number(document.body.dataset.scriptStartMs),
      data: Number(document.body.dataset.dataArrivedMs),
    }));
    phaseLog.push(phases);
    await page.close();
    if (i === 0) { timings.firstPlotColdMs = Math.round(mark); continue; } // the browser's first page: caches cold
    samples.push(Math.round(mark));
    sinceData.push(fromData);
    wall.push(t1 - t0);
  }
  const median = (v: number[]): number => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
  timings.firstPlotMs = samples;
  timings.firstPlotMedianMs = median(samples);
  timings.firstPlotAfterDataMedianMs = median(sinceData);
  timings.gotoToPixelsMedianMs = median(wall);
  timings.phases = JSON.stringify(phaseLog);
  assert.ok(samples.every((x) => Number.isFinite(x) && x > 0), `every load marks its first plot (marks: ${samples.join(', ')})`);
  assert.ok(sinceData.every((x) => Number.isFinite(x) && x >= 0), `every load marks the time from data to plot (${sinceData.join(', ')})`);
  if (process.env.GRADPROBE_UI_BENCH) console.log(`panel: page open → first plot, median of ${samples.length} warm loads: ${median(samples)} ms (target ≤ 500; samples ${samples.join(', ')})`);
});

test('activation function: every view draws; NaN marks; findings with "go to source"', async () => {
  const o = await open('forecast_keras3.py', 'eswish');
  const { page } = o;
  assert.equal(await page.getAttribute('#tab-loss', 'hidden'), '', 'no loss view for an activation');
  await selectTab(page, 'activation');
  assert.deepEqual(await plotIds(page), ['activation-f', 'activation-df', 'activation-d2f']);
  for (const id of await plotIds(page)) assert.ok(await plotPixels(page, id) > 60, id);
  await selectTab(page, 'depth');
  assert.deepEqual(await plotIds(page), ['depth-grad', 'depth-var']);
  for (const id of await plotIds(page)) assert.ok(await plotPixels(page, id) > 60, id);
  assert.match(await page.innerText('#view-depth .facts'), /χ₁ at the default init/);
  await selectTab(page, 'training');
  assert.ok(await plotPixels(page, 'training-curves') > 60);
  assert.match(await page.innerText('#view-training table.finals'), /validation/);
  await selectTab(page, 'findings');
  const findings = await page.$$('#view-findings li.finding');
  assert.ok(findings.length > 0);
  // The header counts what the list shows.
  assert.match(await page.innerText('#summary'), new RegExp(`· ${findings.length} findings? \\(`));
  await page.click('#view-findings li.finding .go-to-source');
  await page.waitForFunction(() => window.__harness.sent.some((m) => m.method === 'panel/goToSource'));
  // Each plot has its data table, built when opened.
  await selectTab(page, 'activation');
  await page.click('#figure-activation-f details.data-table summary');
  const rows = await (await page.waitForFunction(() => document.querySelectorAll('#figure-activation-f details.data-table tbody tr').length || false)).jsonValue() as number;
  assert.ok(rows > 100 && rows <= 201, `${rows} rows`);
  await checkClean(o);
  await page.close();

  const nan = await open('vae_jax.py', 'sqrt_lu');
  await plotPixels(nan.page, 'activation-df');
  const note = await nan.page.innerText('#figure-activation-df .markers-note');
  assert.match(note, /sqrt_lu is (NaN|\+Inf|-Inf)/);
  const label = await nan.page.getAttribute('.plot[data-plot-id="activation-df"]', 'aria-label');
  assert.match(label ?? '', /(NaN|Inf) at \d+ point/);
  const errorColor = await nan.page.evaluate(() => getComputedStyle(document.documentElement).getPropertyValue('--vscode-editorError-foreground').trim());
  const marks = await pixelsByColor(nan.page, 'activation-df', [errorColor]);
  assert.ok((marks.byColor[errorColor] ?? 0) > 20, `NaN marks drawn in the error colour: ${JSON.stringify(marks.byColor)}`);
  await checkClean(nan);
  await nan.page.close();
});

test('controls: baselines, log |f′|, range (zoom and re-probe), keyboard tabs, picker, export, copy', async () => {
  const o = await open('forecast_keras3.py', 'eswish');
  const { page } = o;
  await plotPixels(page, 'activation-f');
  // Baselines: GELU on adds its curve in its own colour; ReLU off removes it.
  const before = JSON.parse((await page.getAttribute('.plot[data-plot-id="activation-f"]', 'data-series-colors')) ?? '[]') as string[];
  await page.click('#baseline-GELU');
  await page.waitForFunction(() => document.querySelectorAll('#figure-activation-f .legend li').length === 3);
  const green = await page.evaluate(() => getComputedStyle(document.documentElement).getPropertyValue('--vscode-charts-green').trim());
  const withGelu = await pixelsByColor(page, 'activation-f');
  assert.ok((withGelu.byColor[green] ?? 0) > 30, `GELU drawn: ${JSON.stringify(withGelu.byColor)}`);
  await page.click('#baseline-ReLU');
  await page.waitForFunction(() => document.querySelectorAll('#figure-activation-f .legend li').length === 2);
  const after = JSON.parse((await page.getAttribute('.plot[data-plot-id="activation-f"]', 'data-series-colors')) ?? '[]') as string[];
  assert.equal(before.length, 2);
  assert.ok(after.includes(green) && !after.includes(before[1]));
  // Log |f′|.
  await page.click('#log-slope');
  await page.waitForFunction(() => /log scale/.test(document.querySelector('#figure-activation-df figcaption')?.textContent ?? ''));
  assert.ok(await plotPixels(page, 'activation-df') > 60);
  // Range: inside the sweep it zooms; beyond it the host re-probes.
  await page.fill('#range input', '3').catch(async () => { await page.locator('#range').click(); await page.keyboard.press('Control+A'); await page.keyboard.type('3'); });
  await page.click('#apply-range');
  await page.waitForFunction(() => /for x from -3 to 3/.test(document.querySelector('.plot[data-plot-id="activation-f"]')?.getAttribute('aria-label') ?? ''));
  await page.locator('#range').click();
  await page.keyboard.press('Control+A');
  await page.keyboard.type('12');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => /for x from -12 to 12/.test(document.querySelector('.plot[data-plot-id="activation-f"]')?.getAttribute('aria-label') ?? ''));
  assert.ok((await sent(page)).some((m) => m.method === 'panel/reprobe' && m.params.range === 12));
  assert.ok(await plotPixels(page, 'activation-f') > 60);
  // State kept for the next time the panel is shown.
  const saved = await page.evaluate(() => window.__harness.state());
  assert.deepEqual([saved?.range, saved?.logSlope, saved?.baselines?.slice().sort()], [12, true, ['GELU']]);
  // Keyboard: arrows move between tabs.
  await page.focus('#tab-activation');
  await page.keyboard.press('ArrowRight');
  await page.waitForFunction(() => document.body.dataset.view === 'depth');
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'tab-depth');
  await plotPixels(page, 'depth-grad');
  // Export and copy.
  await page.click('#export-csv');
  await page.click('#export-png');
  await page.click('#copy-json');
  await page.waitForFunction(() => window.__harness.sent.some((m) => m.method === 'panel/copy'));
  const messages = await sent(page);
  const csv = messages.find((m) => m.method === 'panel/export' && m.params.format === 'csv')!.params;
  assert.equal(csv.fileName, 'eswish-depth.csv');
  assert.match(String(csv.content).split('\r\n')[0], /^layer,/);
  const png = messages.find((m) => m.method === 'panel/export' && m.params.format === 'png')!.params;
  assert.equal(Buffer.from(String(png.content), 'base64').subarray(1, 4).toString(), 'PNG');
  const copied = JSON.parse(String(messages.find((m) => m.method === 'panel/copy')!.params.text)) as { fn: { name: string } };
  assert.equal(copied.fn.name, 'eswish');
  // Malformed messages are ignored: the plots stay.
  await page.evaluate(() => { window.__harness.post({ method: 'panel/didChangeState', params: { status: 'bogus' } }); window.__harness.post('hello'); window.__harness.post({ method: 'panel/didChangeState', params: { status: 'ready', busy: false, data: { uri: 1 } } }); });
  await page.waitForFunction(() => document.body.dataset.status === 'ready');
  assert.ok(await plotPixels(page, 'depth-grad') > 60);
  // The function picker: the loss of the same file.
  await selectTab(page, 'activation');
  await pickFunction(page, 'cosine_proximity');
  await page.waitForFunction(() => document.body.dataset.view === 'loss');
  assert.ok(await plotPixels(page, 'loss-value') > 30);
  assert.match(await page.innerText('#summary'), /forecast_keras3\.py/);
  assert.ok((await sent(page)).some((m) => m.method === 'panel/selectFunction' && m.params.name === 'cosine_proximity'));
  await checkClean(o);
  await page.close();
});

async function pickFunction(page: Page, name: string): Promise<void> {
  await page.click('#function-picker');
  const option = page.locator('#function-picker li, #function-picker .option, #function-picker [role=option]').filter({ hasText: name }).first();
  await option.click();
}

test('loss function: loss and gradient along the slices with the baseline, boundary NaN cases, training', async () => {
  const o = await open('numpy_baseline.py', 'binary_log_loss');
  const { page } = o;
  assert.equal(await page.getAttribute('#tab-activation', 'hidden'), '');
  await selectTab(page, 'loss');
  assert.deepEqual(await plotIds(page), ['loss-value', 'loss-grad']);
  for (const id of await plotIds(page)) assert.ok(await plotPixels(page, id, 30) >= 30, id);
  const legend = await page.innerText('#figure-loss-value .legend');
  assert.match(legend, /baseline/);
  const bad = await page.$$eval('#view-loss table.boundary tr.bad', (r) => r.map((x) => x.textContent ?? ''));
  assert.ok(bad.length > 0 && bad.every((t) => t.includes('▲')), 'the boundary cases that gave NaN are marked');
  const slices = data.files['numpy_baseline.py'].functions[0].loss!.slices;
  if (slices.length > 1) {
    const first = await page.getAttribute('.plot[data-plot-id="loss-value"]', 'aria-label');
    await page.click('#slice-picker');
    await page.locator('#slice-picker li, #slice-picker .option, #slice-picker [role=option]').filter({ hasText: slices[1].label }).first().click();
    await page.waitForFunction((f) => document.querySelector('.plot[data-plot-id="loss-value"]')?.getAttribute('aria-label') !== f, first);
  }
  await selectTab(page, 'training');
  assert.ok(await plotPixels(page, 'training-curves') > 60);
  await checkClean(o);
  await page.close();
});

test('a loss over two outputs: the core\'s 2-D landscape drawn as a heatmap', async () => {
  const fixture = data.files['test/fixtures/ui/xy_loss.py'].functions.find((f) => f.fn.name === 'weighted_xy_loss');
  assert.ok(fixture?.loss?.grid, 'the core provides the grid');
  const o = await open('test/fixtures/ui/xy_loss.py', 'weighted_xy_loss');
  const { page } = o;
  await plotPixels(page, 'loss-value', 30);
  const colours = await page.$eval('#view-loss canvas.heatmap', (c) => {
    const canvas = c as HTMLCanvasElement;
    const { data } = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height);
    const seen = new Set<string>();
    for (let i = 0; i < data.length; i += 4 * 7) seen.add(`${data[i]},${data[i + 1]},${data[i + 2]}`);
    return seen.size;
  });
  assert.ok(colours > 10, `the heatmap has a colour scale (${colours} colours)`);
  assert.match((await page.getAttribute('#view-loss canvas.heatmap', 'aria-label')) ?? '', /Loss landscape/);
  await page.locator('#figure-loss-landscape').scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(shots, 'dark-loss-heatmap.png') });
  await checkClean(o);
  await page.close();
});

test('themes: redrawn in the theme\'s colours on a theme change; screenshots in light, dark and high contrast', async () => {
  const views: Record<string, [string, string][]> = {
    'forecast_keras3.py': [['eswish', 'activation'], ['eswish', 'depth'], ['eswish', 'training'], ['eswish', 'findings']],
    'numpy_baseline.py': [['binary_log_loss', 'loss']],
  };
  for (const [file, list] of Object.entries(views)) {
    const o = await open(file, list[0][0], 'dark');
    const { page } = o;
    for (const theme of ['light', 'dark', 'high-contrast'] as HarnessTheme[]) {
      await page.evaluate((t) => window.__harness.setTheme(t), theme);
      for (const [, view] of list) {
        await selectTab(page, view);
        const blue = await page.evaluate(() => getComputedStyle(document.documentElement).getPropertyValue('--vscode-charts-blue').trim());
        if (view !== 'findings') {
          const id = (await plotIds(page))[0];
          // The plot is drawn again in this theme's colour for the function.
          await page.waitForFunction(({ id, blue }) => (document.querySelector(`.plot[data-plot-id="${id}"]`) as HTMLElement | null)?.dataset.seriesColors?.includes(blue), { id, blue });
          const px = await pixelsByColor(page, id);
          assert.ok((px.byColor[blue] ?? 0) > 30, `${theme} ${view}: ${JSON.stringify(px.byColor)}`);
        }
        await page.screenshot({ path: join(shots, `${theme}-${view}.png`), fullPage: false });
      }
    }
    await checkClean(o);
    await page.close();
  }
});
