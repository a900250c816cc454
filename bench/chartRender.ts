/**
 * Chart render time per PNG (`BENCH_ONLY=chart`): the /chart equity image of 10,000 points with
 * 200 trades and the /chart training image of 5,000 trials, each beside the floor measured in
 * the same run: the same data drawn by hand on a bare @napi-rs/canvas (one polyline and the
 * markers, or one square per trial) and encoded to PNG — what any chart of it costs at least.
 */
import { createCanvas } from '@napi-rs/canvas';
import type { EquitySeriesAnswer, TrainingSeriesAnswer } from '../src/readModel/answers';
import { renderEquityChart, renderTrainingChart } from '../src/discord/render/charts';
import { seededRandom } from '../scripts/renderSampleCharts';
import { measureAsync, printComparison } from './measure';
import { QUICK } from './support';

const WIDTH = 1000;
const HEIGHT = 560;

function equityAnswer(points: number, trades: number): EquitySeriesAnswer {
  const random = seededRandom(42);
  const start = Date.UTC(2025, 0, 1);
  let total = 1000;
  const series = Array.from({ length: points }, (_, i) => {
    total *= 1 + (random() - 0.5) * 0.004;
    return { at: start + i * 60_000, total };
  });
  const every = Math.floor(points / trades);
  const tradeList = Array.from({ length: trades }, (_, i) => ({ at: series[(i + 1) * every - 1].at, side: i % 2 ? ('SELL' as const) : ('BUY' as const), symbol: 'BTC/USD', value: 100 }));
  return { kind: 'equity-series', now: start + points * 60_000, trader: 'trial250', periodMs: null, points: series, trades: tradeList };
}

function trainingAnswer(trials: number): TrainingSeriesAnswer {
  const random = seededRandom(43);
  return {
    kind: 'training-series',
    now: Date.UTC(2025, 0, 1),
    study: 'cappuccino_ensemble',
    direction: 'maximize',
    trials: Array.from({ length: trials }, (_, number) => ({ number, state: random() < 0.15 ? 'PRUNED' : 'COMPLETE', value: Math.log1p(number) + random(), finishedAt: null })),
  };
}

/** The floor: the raw series as one polyline plus a triangle per trade, then PNG encode. */
async function equityByHand(answer: EquitySeriesAnswer): Promise<Buffer> {
  const canvas = createCanvas(WIDTH, HEIGHT);
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#2b2d31';
  ctx.fillRect(0, 0, WIDTH, HEIGHT);
  const { points } = answer;
  const t0 = points[0].at;
  const tSpan = points[points.length - 1].at - t0;
  let min = Infinity;
  let max = -Infinity;
  for (const p of points) {
    if (p.total < min) min = p.total;
    if (p.total > max) max = p.total;
  }
  const x = (t: number) => 60 + ((t - t0) / tSpan) * (WIDTH - 80);
  const y = (v: number) => HEIGHT - 40 - ((v - min) / (max - min)) * (HEIGHT - 100);
  ctx.strokeStyle = '#5865f2';
  ctx.lineWidth = 2;
  ctx.beginPath();
  points.forEach((p, i) => (i ? ctx.lineTo(x(p.at), y(p.total)) : ctx.moveTo(x(p.at), y(p.total))));
  ctx.stroke();
  const byTime = new Map(points.map((p) => [p.at, p.total]));
  for (const trade of answer.trades) {
    const px = x(trade.at);
    const py = y(byTime.get(trade.at) ?? min);
    ctx.fillStyle = trade.side === 'BUY' ? '#23a55a' : '#f23f43';
    ctx.beginPath();
    ctx.moveTo(px, py - 6);
    ctx.lineTo(px + 6, py + 5);
    ctx.lineTo(px - 6, py + 5);
    ctx.fill();
  }
  return canvas.encode('png');
}

/** The floor: a 4 px square per trial, then PNG encode. */
async function trainingByHand(answer: TrainingSeriesAnswer): Promise<Buffer> {
  const canvas = createCanvas(WIDTH, HEIGHT);
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#2b2d31';
  ctx.fillRect(0, 0, WIDTH, HEIGHT);
  const values = answer.trials.map((t) => t.value ?? 0);
  const min = Math.min(...values);
  const max = Math.max(...values);
  const n = answer.trials.length;
  for (const trial of answer.trials) {
    ctx.fillStyle = trial.state === 'COMPLETE' ? '#00a8fc' : '#949ba4';
    ctx.fillRect(60 + (trial.number / n) * (WIDTH - 80), HEIGHT - 40 - (((trial.value ?? 0) - min) / (max - min)) * (HEIGHT - 100), 4, 4);
  }
  return canvas.encode('png');
}

export async function benchChartRender(): Promise<void> {
  const iterations = QUICK ? 10 : 40;
  const equity = equityAnswer(10_000, 200);
  let bytes = 0;
  const subject = await measureAsync('renderEquityChart (Chart.js, downsampled)', iterations, async () => {
    bytes = (await renderEquityChart(equity)).length;
  });
  const floor = await measureAsync('bare canvas polyline + markers + PNG', iterations, () => equityByHand(equity));
  printComparison(`Equity chart, 10,000 points + 200 trades, ${WIDTH}×${HEIGHT} PNG (${Math.round(bytes / 1024)} KiB), per image`, subject, floor);

  const training = trainingAnswer(5_000);
  const trainingSubject = await measureAsync('renderTrainingChart (Chart.js, thinned dots)', iterations, async () => {
    bytes = (await renderTrainingChart(training)).length;
  });
  const trainingFloor = await measureAsync('bare canvas squares + PNG', iterations, () => trainingByHand(training));
  printComparison(`Training chart, 5,000 trials, ${WIDTH}×${HEIGHT} PNG (${Math.round(bytes / 1024)} KiB), per image`, trainingSubject, trainingFloor);
}
