// Reading what a plot drew: pixels of a canvas close to the colours its series were drawn in (the
// plot's data-series-colors). Runs in the page; shared by the UI test and the end-to-end test.

export interface PixelCount {
  /** Pixels within reach of any series colour. */
  series: number;
  /** Per series colour. */
  byColor: Record<string, number>;
  width: number;
  height: number;
}

/** For page.evaluate / locator.evaluate: counts a plot host's canvas pixels near its series colours. */
export function countSeriesPixels(host: Element, extraColors: string[] = []): PixelCount {
  const canvas = host.querySelector('canvas');
  const empty: PixelCount = { series: 0, byColor: {}, width: 0, height: 0 };
  if (!canvas || !(host instanceof HTMLElement)) return empty;
  const ctx = canvas.getContext('2d');
  if (!ctx || !canvas.width || !canvas.height) return empty;
  const parse = (c: string): number[] | undefined => {
    const hex = /^#([0-9a-f]{6})$/i.exec(c);
    if (hex) return [0, 2, 4].map((i) => parseInt(hex[1].slice(i, i + 2), 16));
    const rgb = /^rgba?\((\d+),\s*(\d+),\s*(\d+)/.exec(c);
    return rgb ? [Number(rgb[1]), Number(rgb[2]), Number(rgb[3])] : undefined;
  };
  const colors = [...(JSON.parse(host.dataset.seriesColors ?? '[]') as string[]), ...extraColors];
  const targets = colors.map((c) => ({ c, rgb: parse(c) })).filter((t): t is { c: string; rgb: number[] } => !!t.rgb);
  const { data } = ctx.getImageData(0, 0, canvas.width, canvas.height);
  const byColor: Record<string, number> = Object.fromEntries(targets.map((t) => [t.c, 0]));
  let series = 0;
  for (let i = 0; i < data.length; i += 4) {
    if (data[i + 3] < 200) continue;
    let hit = false;
    for (const t of targets) {
      const d = Math.abs(data[i] - t.rgb[0]) + Math.abs(data[i + 1] - t.rgb[1]) + Math.abs(data[i + 2] - t.rgb[2]);
      if (d < 36) { byColor[t.c]++; hit = true; }
    }
    if (hit) series++;
  }
  return { series, byColor, width: canvas.width, height: canvas.height };
}
