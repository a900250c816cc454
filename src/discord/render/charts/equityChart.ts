/**
 * `/chart equity`: a trader's total value over time, its BUY (green ▲) and SELL (red ▼) trades on
 * the curve, and the drawdown from the running peak in a lower panel. Pure: answer in, PNG out.
 */
import type { ChartConfiguration, ScatterDataPoint } from 'chart.js';
import type { EquitySeriesAnswer } from '../../../readModel/answers';
import { baseOptions, chartSize, font, headerPlugins, renderChartImage, renderMessageImage, THEME, type ChartImage, type ChartOptions } from './chartCanvas';
import {
  downsampleMinMax,
  drawdownPercent,
  finitePoints,
  formatMoney,
  formatPercent,
  count,
  imageLabel,
  periodLabel,
  thinToGrid,
  timeTickLabel,
  timeTicks,
  valueAt,
  type XY,
} from './series';

/** Longest trader name shown in the title. */
const NAME_MAX = 32;
const SINGLE_POINT_PAD = 3_600_000;

export async function renderEquityChart(answer: EquitySeriesAnswer, options?: ChartOptions): Promise<Buffer> {
  return (await equityChartImage(answer, options)).png;
}

/** The PNG with the plot rectangle (tests look for markers inside it). */
export async function equityChartImage(answer: EquitySeriesAnswer, options?: ChartOptions): Promise<ChartImage> {
  const size = chartSize(options);
  const trader = imageLabel(answer.trader, NAME_MAX);
  const period = periodLabel(answer.periodMs);
  const points = finitePoints(answer.points.map((p) => ({ x: p.at, y: p.total })));
  if (!points.length) return renderMessageImage(`${trader} · equity · ${period}`, 'No data yet', size);

  const first = points[0];
  const last = points[points.length - 1];
  const change = last.y - first.y;
  const changePct = first.y !== 0 ? (change / Math.abs(first.y)) * 100 : null;
  const signedChange = `${change >= 0 ? '+' : '-'}${formatMoney(Math.abs(change))}`;
  const title = `${trader} · ${period} · ${formatMoney(last.y)} (${signedChange}${changePct === null ? '' : `, ${formatPercent(changePct)}`})`;

  // The plot is narrower than the image; one bucket per image pixel is already finer than needed.
  const buckets = size.width;
  const drawdown = drawdownPercent(points);
  const maxDrawdown = drawdown.reduce((m, p) => Math.min(m, p.y), 0);
  const line = downsampleMinMax(points, buckets);
  const drawdownLine = downsampleMinMax(drawdown, buckets);

  // A trade sits on the curve at its time; trades outside the series' time range are not drawn.
  const span = Math.max(last.x - first.x, 1);
  const yMin = line.reduce((m, p) => Math.min(m, p.y), Infinity);
  const yMax = line.reduce((m, p) => Math.max(m, p.y), -Infinity);
  const cellX = span / (size.width / 3);
  const cellY = Math.max(yMax - yMin, Math.abs(yMax) * 1e-6, 1e-9) / (size.height / 3);
  const markers = (side: 'BUY' | 'SELL'): XY[] => {
    const at: XY[] = [];
    for (const trade of answer.trades) {
      if (trade.side !== side || !Number.isFinite(trade.at)) continue;
      const y = valueAt(points, trade.at);
      if (y !== null) at.push({ x: trade.at, y });
    }
    at.sort((a, b) => a.x - b.x);
    return thinToGrid(at, cellX, cellY);
  };
  const buys = markers('BUY');
  const sells = markers('SELL');
  const tradeCount = answer.trades.filter((t) => Number.isFinite(t.at) && t.at >= first.x && t.at <= last.x).length;

  // A single bar is drawn in the middle of a two-hour window rather than on the axis.
  const xMin = points.length > 1 ? first.x : first.x - SINGLE_POINT_PAD;
  const xMax = points.length > 1 ? last.x : last.x + SINGLE_POINT_PAD;
  const ticks = timeTicks(xMin, xMax, Math.max(3, Math.floor(size.width / 120)));
  const xScale = {
    type: 'linear' as const,
    min: xMin,
    max: xMax,
    grid: { color: THEME.grid },
    border: { color: THEME.grid },
    title: { display: true, text: 'UTC', color: THEME.mutedText, font: font(12) },
    ticks: {
      color: THEME.text,
      font: font(12),
      maxRotation: 0,
      autoSkip: false,
      callback: (value: number | string, index: number): string | string[] => timeTickLabel(Number(value), index > 0 ? ticks.values[index - 1] : null, ticks.step),
    },
    // Round UTC times instead of Chart.js's round numbers of milliseconds.
    afterBuildTicks: (scale: { ticks: { value: number }[] }) => {
      scale.ticks = ticks.values.map((value) => ({ value }));
    },
  };

  const markerSize = Math.max(5, Math.round(size.width / 140));
  const config: ChartConfiguration<'line' | 'scatter', ScatterDataPoint[]> = {
    type: 'line',
    data: {
      datasets: [
        {
          type: 'scatter',
          label: 'BUY',
          data: buys,
          yAxisID: 'value',
          pointStyle: 'triangle',
          pointRotation: 0,
          pointRadius: markerSize,
          // Markers on the first or last bar stay whole instead of cut at the plot's edge.
          clip: markerSize + 2,
          backgroundColor: THEME.buy,
          borderColor: THEME.background,
          borderWidth: 1,
          order: 0,
        },
        {
          type: 'scatter',
          label: 'SELL',
          data: sells,
          yAxisID: 'value',
          pointStyle: 'triangle',
          pointRotation: 180,
          pointRadius: markerSize,
          clip: markerSize + 2,
          backgroundColor: THEME.sell,
          borderColor: THEME.background,
          borderWidth: 1,
          order: 0,
        },
        {
          type: 'line',
          label: 'Total value',
          data: line,
          yAxisID: 'value',
          borderColor: THEME.line,
          borderWidth: 2,
          pointStyle: points.length === 1 ? 'circle' : 'line',
          pointRadius: points.length === 1 ? 4 : 0,
          pointBackgroundColor: THEME.line,
          tension: 0,
          order: 1,
        },
        {
          type: 'line',
          label: 'Drawdown %',
          data: drawdownLine,
          yAxisID: 'drawdown',
          borderColor: THEME.drawdownLine,
          borderWidth: 1,
          backgroundColor: THEME.drawdownFill,
          fill: 'origin',
          pointStyle: 'rect',
          pointRadius: 0,
          tension: 0,
          order: 2,
        },
      ],
    },
    options: {
      ...baseOptions(),
      parsing: false,
      normalized: true,
      spanGaps: true,
      scales: {
        x: xScale,
        // Two stacked y axes on the left make two panels sharing the time axis (the first listed is the lower).
        drawdown: {
          type: 'linear',
          position: 'left',
          stack: 'panels',
          stackWeight: 1,
          offset: true,
          max: 0,
          suggestedMin: Math.min(-1, maxDrawdown * 1.1),
          grid: { color: THEME.grid },
          border: { color: THEME.grid },
          title: { display: true, text: 'Drawdown', color: THEME.mutedText, font: font(12) },
          ticks: { color: THEME.text, font: font(11), maxTicksLimit: 3, callback: (value) => (Number(value) === 0 ? '0 %' : `${Number(value).toFixed(Math.abs(Number(value)) < 10 ? 1 : 0)} %`) },
        },
        value: {
          type: 'linear',
          position: 'left',
          stack: 'panels',
          stackWeight: 3,
          offset: true,
          grace: '5%',
          grid: { color: THEME.grid },
          border: { color: THEME.grid },
          title: { display: true, text: 'Total value', color: THEME.mutedText, font: font(12) },
          ticks: { color: THEME.text, font: font(12), callback: (value) => formatMoney(Number(value), true) },
        },
      },
      plugins: {
        ...headerPlugins(title, `${count(points.length, 'bar')} · ${count(tradeCount, 'trade')} · max drawdown ${maxDrawdown.toFixed(2)} %`),
        tooltip: { enabled: false },
      },
    },
  };
  return renderChartImage(config, size);
}
