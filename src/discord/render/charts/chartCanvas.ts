/**
 * What both charts share: Chart.js on a Skia canvas (@napi-rs/canvas), a dark theme that reads
 * well in Discord, one render call that always destroys its chart, and the "no data yet" image.
 */
import { createCanvas, type SKRSContext2D } from '@napi-rs/canvas';
import {
  Chart,
  Filler,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  ScatterController,
  SubTitle,
  Title,
  type ChartConfiguration,
  type ChartType,
  type Plugin,
} from 'chart.js';
import { CHART_FONT_FAMILY, ensureChartFonts } from './fonts';

export interface ChartOptions {
  /** Pixels; default 1000 (readable on a phone when Discord scales it down). */
  width?: number;
  /** Pixels; default 560. */
  height?: number;
}

/** The rectangle Chart.js plotted the data in, in image pixels. */
export interface PlotArea {
  left: number;
  top: number;
  right: number;
  bottom: number;
}

export interface ChartImage {
  png: Buffer;
  width: number;
  height: number;
  /** null for the "no data yet" image. */
  plotArea: PlotArea | null;
}

export const DEFAULT_WIDTH = 1000;
export const DEFAULT_HEIGHT = 560;
// Bounds keep a caller's typo from allocating a gigapixel canvas.
const MIN_SIZE = 200;
const MAX_SIZE = 4000;

/** Discord's dark theme and its status colours. */
export const THEME = {
  background: '#2b2d31',
  text: '#dbdee1',
  mutedText: '#949ba4',
  grid: 'rgba(255, 255, 255, 0.08)',
  line: '#5865f2',
  buy: '#23a55a',
  sell: '#f23f43',
  drawdownLine: '#f0b232',
  drawdownFill: 'rgba(240, 178, 50, 0.25)',
  trial: '#00a8fc',
  trialFaded: 'rgba(148, 155, 164, 0.45)',
  best: '#f0b232',
} as const;

let chartJsReady = false;

function ensureChartJs(): void {
  if (chartJsReady) return;
  ensureChartFonts();
  // Only what the two charts use: a smaller registry and no surprise defaults from other plugins.
  Chart.register(LineController, ScatterController, LineElement, PointElement, LinearScale, Title, SubTitle, Legend, Filler);
  chartJsReady = true;
}

export function chartSize(options: ChartOptions | undefined): { width: number; height: number } {
  const pick = (value: number | undefined, fallback: number): number =>
    value !== undefined && Number.isFinite(value) ? Math.round(Math.min(MAX_SIZE, Math.max(MIN_SIZE, value))) : fallback;
  return { width: pick(options?.width, DEFAULT_WIDTH), height: pick(options?.height, DEFAULT_HEIGHT) };
}

/** A font spec in the shipped family (Chart.js `font` option). */
export function font(size: number, weight: 'normal' | 'bold' = 'normal'): { family: string; size: number; weight: 'normal' | 'bold' } {
  return { family: CHART_FONT_FAMILY, size, weight };
}

// Paints the whole canvas before Chart.js draws: PNGs are otherwise transparent, which Discord
// shows on whatever its theme is.
const backgroundPlugin: Plugin = {
  id: 'baristaBackground',
  beforeDraw(chart) {
    const ctx = chart.ctx;
    ctx.save();
    ctx.globalCompositeOperation = 'destination-over';
    ctx.fillStyle = THEME.background;
    ctx.fillRect(0, 0, chart.width, chart.height);
    ctx.restore();
  },
};

/** Common options: no animation, no responsiveness, device pixel ratio 1, the theme's text. */
/** Title, subtitle and legend as both charts show them (a series with no points has no legend entry). */
export function headerPlugins(title: string, subtitle: string) {
  return {
    title: { display: true, text: title, color: THEME.text, font: font(18, 'bold'), padding: { top: 4, bottom: 2 } },
    subtitle: { display: true, text: subtitle, color: THEME.mutedText, font: font(13), padding: { bottom: 6 } },
    legend: {
      display: true,
      position: 'top' as const,
      align: 'end' as const,
      labels: {
        color: THEME.text,
        font: font(12),
        usePointStyle: true,
        boxHeight: 8,
        filter: (item: { datasetIndex?: number }, data: { datasets: Array<{ data: unknown[] }> }) => (item.datasetIndex === undefined ? true : data.datasets[item.datasetIndex]!.data.length > 0),
      },
    },
  };
}

export function baseOptions(): NonNullable<ChartConfiguration['options']> {
  return {
    animation: false,
    responsive: false,
    devicePixelRatio: 1,
    events: [],
    color: THEME.text,
    font: font(13),
    layout: { padding: { left: 8, right: 16, top: 8, bottom: 8 } },
  };
}

/** Draws the configuration on a fresh canvas and encodes it; the chart is destroyed whatever happens. */
export async function renderChartImage<T extends ChartType>(config: ChartConfiguration<T>, size: { width: number; height: number }): Promise<ChartImage> {
  ensureChartJs();
  const canvas = createCanvas(size.width, size.height);
  const ctx = canvas.getContext('2d');
  // Chart.js's types expect a DOM canvas; Skia's context has the same drawing API.
  const chart = new Chart(ctx as unknown as CanvasRenderingContext2DLike, { ...config, plugins: [...(config.plugins ?? []), backgroundPlugin] } as ChartConfiguration);
  try {
    // With animation off, the constructor has drawn the chart synchronously. Encode before
    // destroy(): destroying clears the canvas.
    const area = chart.chartArea;
    const plotArea: PlotArea = { left: area.left, top: area.top, right: area.right, bottom: area.bottom };
    const png = await canvas.encode('png');
    return { png, width: size.width, height: size.height, plotArea };
  } finally {
    chart.destroy();
  }
}

// chart.js's item type, named without pulling DOM types into this project's lib.
type CanvasRenderingContext2DLike = ConstructorParameters<typeof Chart>[0];

/** A valid PNG that says there is nothing to draw yet, with the chart's title. */
export async function renderMessageImage(title: string, message: string, size: { width: number; height: number }): Promise<ChartImage> {
  ensureChartFonts();
  const canvas = createCanvas(size.width, size.height);
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = THEME.background;
  ctx.fillRect(0, 0, size.width, size.height);
  ctx.textAlign = 'center';
  ctx.textBaseline = 'middle';
  ctx.fillStyle = THEME.text;
  setFont(ctx, fitFontSize(ctx, title, size.width - 40, 20, 'bold'), 'bold');
  ctx.fillText(title, size.width / 2, 36);
  ctx.fillStyle = THEME.mutedText;
  setFont(ctx, fitFontSize(ctx, message, size.width - 40, Math.max(18, Math.round(size.height / 14)), 'normal'), 'normal');
  ctx.fillText(message, size.width / 2, size.height / 2);
  const png = await canvas.encode('png');
  return { png, width: size.width, height: size.height, plotArea: null };
}

function setFont(ctx: SKRSContext2D, px: number, weight: 'normal' | 'bold'): void {
  ctx.font = `${weight} ${px}px "${CHART_FONT_FAMILY}"`;
}

/** The largest size up to `px` at which the text fits in `maxWidth`. */
function fitFontSize(ctx: SKRSContext2D, text: string, maxWidth: number, px: number, weight: 'normal' | 'bold'): number {
  let size = px;
  for (; size > 8; size -= 1) {
    setFont(ctx, size, weight);
    if (ctx.measureText(text).width <= maxWidth) break;
  }
  return size;
}
