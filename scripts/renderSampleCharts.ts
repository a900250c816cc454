/**
 * Renders both charts from realistic synthetic data into docs/charts/ (the README shows them):
 * a trader's week of hourly bars around $1,000 with about 20 trades, and a 300-trial study.
 *
 *   npm run build && node dist/scripts/renderSampleCharts.js [outDir]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { EquitySeriesAnswer, TrainingSeriesAnswer } from '../src/readModel/answers';
import { renderEquityChart, renderTrainingChart } from '../src/discord/render/charts';
import { seededRandom } from '../test/support/simulator/random';

// Mulberry32, so the committed images are reproducible; bench and tests draw the same series.
export { seededRandom };


const HOUR = 3_600_000;

export function sampleEquity(now = Date.UTC(2025, 2, 14, 12), seed = 7): EquitySeriesAnswer {
  const random = seededRandom(seed);
  const bars = 7 * 24;
  const start = now - bars * HOUR;
  const points: EquitySeriesAnswer['points'] = [];
  let total = 1000;
  for (let i = 0; i <= bars; i += 1) {
    // A slight upward drift, hourly noise of about 0.4 %, and a rough patch mid-week.
    const shock = i > 70 && i < 95 ? -0.003 : 0.0004;
    total *= 1 + shock + (random() - 0.5) * 0.008;
    points.push({ at: start + i * HOUR, total: Math.round(total * 100) / 100 });
  }
  const trades: EquitySeriesAnswer['trades'] = [];
  const symbols = ['BTC/USD', 'ETH/USD', 'SOL/USD'];
  for (let i = 0; i < 20; i += 1) {
    const bar = 4 + Math.floor(random() * (bars - 8));
    trades.push({ at: start + bar * HOUR, side: i % 2 === 0 ? 'BUY' : 'SELL', symbol: symbols[i % 3], value: Math.round(50 + random() * 200) });
  }
  trades.sort((a, b) => a.at - b.at);
  return { kind: 'equity-series', now, trader: 'trial250', periodMs: 7 * 24 * HOUR, points, trades };
}

export function sampleTraining(now = Date.UTC(2025, 2, 14, 12), seed = 11): TrainingSeriesAnswer {
  const random = seededRandom(seed);
  const trials: TrainingSeriesAnswer['trials'] = [];
  for (let number = 0; number < 300; number += 1) {
    // The sampler learns: values climb towards ~1.8 with shrinking spread.
    const skill = 1.8 * (1 - Math.exp(-number / 90));
    const value = skill - random() * (1.2 - number / 400) + (random() - 0.5) * 0.3;
    const roll = random();
    const state = roll < 0.03 ? 'FAIL' : roll < 0.18 ? 'PRUNED' : 'COMPLETE';
    trials.push({ number, state, value: state === 'FAIL' ? null : Math.round(value * 1e4) / 1e4, finishedAt: now - (300 - number) * 600_000 });
  }
  return { kind: 'training-series', now, study: 'cappuccino_ensemble_v3', direction: 'maximize', trials };
}

async function main(): Promise<void> {
  const outDir = path.resolve(process.argv[2] ?? path.join(__dirname, '..', '..', 'docs', 'charts'));
  mkdirSync(outDir, { recursive: true });
  writeFileSync(path.join(outDir, 'equity.png'), await renderEquityChart(sampleEquity()));
  writeFileSync(path.join(outDir, 'training.png'), await renderTrainingChart(sampleTraining()));
  console.log(`wrote ${path.join(outDir, 'equity.png')} and training.png`);
}

if (require.main === module) void main();
