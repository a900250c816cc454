/**
 * The /chart PNGs, checked by decoding them outside Skia (a strict decoder on Node's zlib, itself
 * checked against pngjs): size, pixels in the plot area, marker colours, title text, and the edge
 * cases (empty, one point, junk values, 100,000 points, hostile names).
 */
import { GlobalFonts } from '@napi-rs/canvas';
import { Chart } from 'chart.js';
import { PNG } from 'pngjs';
import type { EquitySeriesAnswer, TrainingSeriesAnswer } from '../../../src/readModel/answers';
import { CHART_FONT_FAMILY, DEFAULT_HEIGHT, DEFAULT_WIDTH, THEME, equityChartImage, renderEquityChart, renderTrainingChart, trainingChartImage, type PlotArea } from '../../../src/discord/render/charts';
import { sampleEquity, sampleTraining, seededRandom } from '../../../scripts/renderSampleCharts';
import { decodePng, type DecodedPng } from '../../support/decodePng';

type Rgb = [number, number, number];
interface Region {
  left: number;
  top: number;
  right: number;
  bottom: number;
}

function hex(color: string): Rgb {
  const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(color);
  if (!m) throw new Error(`not a #rrggbb colour: ${color}`);
  return [parseInt(m[1], 16), parseInt(m[2], 16), parseInt(m[3], 16)];
}

const BACKGROUND = hex(THEME.background);

function decode(png: Buffer): DecodedPng {
  // Throws on anything that is not a valid PNG (signature, CRCs, zlib stream, filters).
  return decodePng(png);
}

/** Pixels in the region (whole image by default) within `tolerance` of the colour on every channel. */
function countColour(image: DecodedPng, colour: Rgb, tolerance: number, region?: Region): number {
  const r = region ?? { left: 0, top: 0, right: image.width, bottom: image.height };
  // No Math.* inside the loop: global lookups are slow in jest's vm context.
  const [red, green, blue] = colour;
  const { data, width } = image;
  const x0 = Math.max(0, Math.floor(r.left));
  const x1 = Math.min(width, Math.ceil(r.right));
  const y1 = Math.min(image.height, Math.ceil(r.bottom));
  let count = 0;
  for (let y = Math.max(0, Math.floor(r.top)); y < y1; y += 1) {
    for (let i = (y * width + x0) * 4, end = (y * width + x1) * 4; i < end; i += 4) {
      const dr = data[i] - red;
      const dg = data[i + 1] - green;
      const db = data[i + 2] - blue;
      if (dr <= tolerance && dr >= -tolerance && dg <= tolerance && dg >= -tolerance && db <= tolerance && db >= -tolerance) count += 1;
    }
  }
  return count;
}

function regionSize(r: Region): number {
  return Math.max(0, Math.ceil(r.right) - Math.floor(r.left)) * Math.max(0, Math.ceil(r.bottom) - Math.floor(r.top));
}

/** Pixels that are not the background (nor close to it). */
function nonBackground(image: DecodedPng, region: Region): number {
  return regionSize(region) - countColour(image, BACKGROUND, 6, region);
}

function everyPixelOpaque(image: DecodedPng): boolean {
  for (let i = 3; i < image.data.length; i += 4) if (image.data[i] !== 255) return false;
  return true;
}

/** The plot area shrunk by a margin, so axis lines and tick labels at its edges are left out. */
function inside(area: PlotArea | null, margin = 3): Region {
  if (!area) throw new Error('expected a plot area');
  return { left: area.left + margin, top: area.top + margin, right: area.right - margin, bottom: area.bottom - margin };
}

const titleBand = (width: number): Region => ({ left: 0, top: 0, right: width, bottom: 34 });
const HOUR = 3_600_000;
const T0 = Date.UTC(2025, 0, 6);

function equity(points: Array<{ at: number; total: number }>, trades: EquitySeriesAnswer['trades'] = [], trader = 'trial250'): EquitySeriesAnswer {
  return { kind: 'equity-series', now: T0 + 30 * 24 * HOUR, trader, periodMs: 7 * 24 * HOUR, points, trades };
}

function walk(count: number, stepMs: number, seed = 3): Array<{ at: number; total: number }> {
  const random = seededRandom(seed);
  let total = 1000;
  return Array.from({ length: count }, (_, i) => {
    total *= 1 + (random() - 0.5) * 0.01;
    return { at: T0 + i * stepMs, total };
  });
}

function tradesAt(points: Array<{ at: number }>, every: number): EquitySeriesAnswer['trades'] {
  const trades: EquitySeriesAnswer['trades'] = [];
  for (let i = every; i < points.length; i += every) trades.push({ at: points[i].at, side: trades.length % 2 ? 'SELL' : 'BUY', symbol: 'BTC/USD', value: 100 });
  return trades;
}

function training(trials: TrainingSeriesAnswer['trials'], direction: 'maximize' | 'minimize' = 'maximize', study = 'cappuccino'): TrainingSeriesAnswer {
  return { kind: 'training-series', now: T0, study, direction, trials };
}

afterEach(() => {
  // Every render destroys its chart: none is left registered with Chart.js.
  expect(Object.keys(Chart.instances)).toHaveLength(0);
});

describe('the chart library and font', () => {
  it('loads Chart.js as CommonJS under jest (its exports.require entry)', () => {
    expect(require.resolve('chart.js')).toMatch(/chart\.cjs$/);
    expect(typeof Chart).toBe('function');
  });

  it('registers the shipped DejaVu faces (regular and bold) under a family no system font has', async () => {
    await renderEquityChart(sampleEquity());
    expect(GlobalFonts.has(CHART_FONT_FAMILY)).toBe(true);
    const family = GlobalFonts.families.find((f) => f.family === CHART_FONT_FAMILY);
    expect(family?.styles.map((s) => s.weight).sort()).toEqual([400, 700]);
  });
});

describe('the test decoder', () => {
  it('decodes a chart to the same pixels as pngjs', async () => {
    const png = await renderTrainingChart(sampleTraining(), { width: 400, height: 240 });
    const reference = PNG.sync.read(png);
    const ours = decodePng(png);
    expect([ours.width, ours.height]).toEqual([reference.width, reference.height]);
    expect(Buffer.from(ours.data).equals(reference.data)).toBe(true);
  });

  it('refuses a PNG with a corrupted byte', async () => {
    const png = Buffer.from(await renderEquityChart(sampleEquity(), { width: 300, height: 200 }));
    png[png.length >> 1] ^= 0xff;
    expect(() => decodePng(png)).toThrow(/CRC|filter|incorrect|invalid/i);
  });
});

describe('equity chart', () => {
  it('is a 1000×560 opaque PNG with a curve in its plot area and text in its title band', async () => {
    const { png, plotArea } = await equityChartImage(sampleEquity());
    const image = decode(png);
    expect([image.width, image.height]).toEqual([DEFAULT_WIDTH, DEFAULT_HEIGHT]);
    expect(everyPixelOpaque(image)).toBe(true);
    expect(nonBackground(image, inside(plotArea))).toBeGreaterThan(2000);
    expect(countColour(image, hex(THEME.line), 12, inside(plotArea))).toBeGreaterThan(300);
    // The title is drawn in the theme's text colour: glyph pixels, not an empty band.
    expect(countColour(image, hex(THEME.text), 24, titleBand(image.width))).toBeGreaterThan(150);
  });

  it('honours the size asked for', async () => {
    const image = decode(await renderEquityChart(sampleEquity(), { width: 640, height: 360 }));
    expect([image.width, image.height]).toEqual([640, 360]);
  });

  it('draws green BUY and red SELL markers inside the plot area', async () => {
    const answer = sampleEquity();
    expect(answer.trades.some((t) => t.side === 'BUY') && answer.trades.some((t) => t.side === 'SELL')).toBe(true);
    const { png, plotArea } = await equityChartImage(answer);
    const image = decode(png);
    expect(countColour(image, hex(THEME.buy), 10, inside(plotArea))).toBeGreaterThan(100);
    expect(countColour(image, hex(THEME.sell), 10, inside(plotArea))).toBeGreaterThan(100);
  });

  it('has no green or red anywhere without trades, and only green with only buys', async () => {
    const points = walk(200, HOUR);
    const none = decode(await renderEquityChart(equity(points)));
    expect(countColour(none, hex(THEME.buy), 30)).toBe(0);
    expect(countColour(none, hex(THEME.sell), 30)).toBe(0);

    const buysOnly = decode(await renderEquityChart(equity(points, tradesAt(points, 20).map((t) => ({ ...t, side: 'BUY' as const })))));
    expect(countColour(buysOnly, hex(THEME.buy), 10)).toBeGreaterThan(50);
    expect(countColour(buysOnly, hex(THEME.sell), 30)).toBe(0);
  });

  it('puts a marker where the curve is at the trade time', async () => {
    // Flat at $1,000, then one jump: the BUY sits on the upper level, at the right-hand end.
    const points = [...Array.from({ length: 50 }, (_, i) => ({ at: T0 + i * HOUR, total: 1000 })), ...Array.from({ length: 50 }, (_, i) => ({ at: T0 + (50 + i) * HOUR, total: 1100 }))];
    const { png, plotArea } = await equityChartImage(equity(points, [{ at: T0 + 90 * HOUR, side: 'BUY', symbol: 'X', value: 1 }]));
    const image = decode(png);
    const area = inside(plotArea);
    const midX = area.left + (area.right - area.left) * 0.5;
    const midY = area.top + (area.bottom - area.top) * 0.5;
    expect(countColour(image, hex(THEME.buy), 10, { ...area, left: midX, bottom: midY })).toBeGreaterThan(20);
    expect(countColour(image, hex(THEME.buy), 10, { ...area, right: midX })).toBe(0);
  });

  it('shades the drawdown from the running peak', async () => {
    const points = [1000, 1100, 900, 950, 1200].map((total, i) => ({ at: T0 + i * HOUR, total }));
    const { png, plotArea } = await equityChartImage(equity(points));
    const image = decode(png);
    // The drawdown line's colour shows up (the fill under it is a blend of it).
    expect(countColour(image, hex(THEME.drawdownLine), 20, inside(plotArea))).toBeGreaterThan(20);
  });

  it('renders "no data yet" as a valid PNG for an empty series and for one of only junk values', async () => {
    for (const points of [[], [{ at: T0, total: NaN }, { at: T0 + HOUR, total: Infinity }, { at: NaN, total: 5 }]]) {
      const { png, plotArea } = await equityChartImage(equity(points));
      const image = decode(png);
      expect([image.width, image.height]).toEqual([DEFAULT_WIDTH, DEFAULT_HEIGHT]);
      expect(plotArea).toBeNull();
      expect(everyPixelOpaque(image)).toBe(true);
      // The message in the middle is text.
      const middle = { left: 300, top: DEFAULT_HEIGHT / 2 - 30, right: 700, bottom: DEFAULT_HEIGHT / 2 + 30 };
      expect(nonBackground(image, middle)).toBeGreaterThan(200);
    }
  });

  it('draws a single point', async () => {
    const { png, plotArea } = await equityChartImage(equity([{ at: T0, total: 1000 }]));
    expect(nonBackground(decode(png), inside(plotArea))).toBeGreaterThan(10);
  });

  it('skips NaN, ±Infinity and null values: the image equals the one of the clean series', async () => {
    const clean = walk(100, HOUR);
    const dirty: Array<{ at: number; total: number }> = [];
    clean.forEach((p, i) => {
      dirty.push(p);
      if (i % 10 === 0) dirty.push({ at: p.at + 1000, total: [NaN, Infinity, -Infinity, null as unknown as number][i % 4] });
    });
    const trades = tradesAt(clean, 15);
    const expected = await renderEquityChart(equity(clean, trades));
    const actual = await renderEquityChart(equity(dirty, [...trades, { at: NaN, side: 'BUY', symbol: 'X', value: 1 }]));
    expect(actual.equals(expected)).toBe(true);
  });

  it('renders 100,000 points and 5,000 trades (downsampled), markers included', async () => {
    const points = walk(100_000, 60_000);
    const { png, plotArea } = await equityChartImage(equity(points, tradesAt(points, 20)));
    const image = decode(png);
    expect(image.width).toBe(DEFAULT_WIDTH);
    expect(nonBackground(image, inside(plotArea))).toBeGreaterThan(5000);
    expect(countColour(image, hex(THEME.buy), 10, inside(plotArea))).toBeGreaterThan(100);
  });

  it('survives a 10 KB trader name of emoji and markdown, with text still in the title band', async () => {
    const trader = '**📈 trial** `250` <@123> ||spoiler|| 🚀\u200D\n'.repeat(250);
    expect(trader.length).toBeGreaterThan(10_000);
    const image = decode(await renderEquityChart(equity(walk(50, HOUR), [], trader)));
    expect(image.width).toBe(DEFAULT_WIDTH);
    expect(countColour(image, hex(THEME.text), 24, titleBand(image.width))).toBeGreaterThan(100);
  });
});

describe('training chart', () => {
  it('is a PNG with trial dots, the best-so-far line and a title', async () => {
    const { png, plotArea } = await trainingChartImage(sampleTraining());
    const image = decode(png);
    expect([image.width, image.height]).toEqual([DEFAULT_WIDTH, DEFAULT_HEIGHT]);
    expect(everyPixelOpaque(image)).toBe(true);
    expect(countColour(image, hex(THEME.trial), 12, inside(plotArea))).toBeGreaterThan(500);
    expect(countColour(image, hex(THEME.best), 12, inside(plotArea))).toBeGreaterThan(300);
    expect(countColour(image, hex(THEME.text), 24, titleBand(image.width))).toBeGreaterThan(150);
  });

  it('draws the best-so-far line at the top of the dots when maximizing and at the bottom when minimizing', async () => {
    const random = seededRandom(5);
    const trials = Array.from({ length: 200 }, (_, number) => ({ number, state: 'COMPLETE', value: random(), finishedAt: null }));
    const share = async (direction: 'maximize' | 'minimize') => {
      const { png, plotArea } = await trainingChartImage(training(trials, direction));
      const image = decode(png);
      const area = inside(plotArea);
      const midY = area.top + (area.bottom - area.top) / 2;
      const upper = countColour(image, hex(THEME.best), 12, { ...area, bottom: midY });
      const lower = countColour(image, hex(THEME.best), 12, { ...area, top: midY });
      return upper / (upper + lower);
    };
    expect(await share('maximize')).toBeGreaterThan(0.8);
    expect(await share('minimize')).toBeLessThan(0.2);
  });

  it('shows pruned and failed trials with a value faded, and without one not at all', async () => {
    const trials = [
      ...Array.from({ length: 40 }, (_, number) => ({ number, state: 'PRUNED', value: number / 40, finishedAt: null })),
      { number: 40, state: 'FAIL', value: null, finishedAt: null },
    ];
    const { png, plotArea } = await trainingChartImage(training(trials));
    const image = decode(png);
    expect(countColour(image, hex(THEME.trial), 12, inside(plotArea))).toBe(0);
    expect(nonBackground(image, inside(plotArea))).toBeGreaterThan(300);
  });

  it('renders "no data yet" for no trials and for trials without values', async () => {
    for (const trials of [[], [{ number: 0, state: 'FAIL', value: null, finishedAt: null }]]) {
      const { png, plotArea } = await trainingChartImage(training(trials));
      const image = decode(png);
      expect(plotArea).toBeNull();
      expect(nonBackground(image, { left: 300, top: DEFAULT_HEIGHT / 2 - 30, right: 700, bottom: DEFAULT_HEIGHT / 2 + 30 })).toBeGreaterThan(200);
    }
  });

  it('keeps a failure penalty of -1e9 from flattening the other trials', async () => {
    const random = seededRandom(9);
    const trials = Array.from({ length: 100 }, (_, number) => ({ number, state: 'COMPLETE', value: number === 50 ? -1e9 : random(), finishedAt: null }));
    const { png, plotArea } = await trainingChartImage(training(trials));
    const image = decode(png);
    const area = inside(plotArea);
    // The dots spread over the plot's height instead of sitting in one row at the top.
    const lowerHalf = countColour(image, hex(THEME.trial), 12, { ...area, top: area.top + (area.bottom - area.top) / 2 });
    expect(lowerHalf).toBeGreaterThan(100);
  });

  it('renders 100,000 trials', async () => {
    const random = seededRandom(1);
    const trials = Array.from({ length: 100_000 }, (_, number) => ({ number, state: number % 7 ? 'COMPLETE' : 'PRUNED', value: Math.log1p(number) + random(), finishedAt: null }));
    const { png, plotArea } = await trainingChartImage(training(trials));
    const image = decode(png);
    expect(countColour(image, hex(THEME.trial), 12, inside(plotArea))).toBeGreaterThan(1000);
  });

  it('survives a hostile study name', async () => {
    const study = '# 🧠 __study__ @everyone\u0000\u202E'.repeat(400);
    const image = decode(await renderTrainingChart(training([{ number: 0, state: 'COMPLETE', value: 1, finishedAt: null }], 'minimize', study)));
    expect(countColour(image, hex(THEME.text), 24, titleBand(image.width))).toBeGreaterThan(100);
  });
});
