/**
 * `/chart training`: an Optuna study's value per finished trial (complete trials bright, pruned or
 * failed ones with a value faded) and the best-so-far step line in the study's direction.
 * Pure: answer in, PNG out.
 */
import type { ChartConfiguration, ScatterDataPoint } from 'chart.js';
import type { TrainingSeriesAnswer } from '../../../readModel/answers';
import { baseOptions, chartSize, font, headerPlugins, renderChartImage, renderMessageImage, THEME, type ChartImage, type ChartOptions } from './chartCanvas';
import { bestSoFar, count, downsampleMinMax, finitePoints, formatValue, imageLabel, quantile, thinToGrid, type XY } from './series';
import { formatCount } from '../formatValues';

const NAME_MAX = 32;
// Below this many values every one is shown: a robust range needs enough of them to mean anything.
const ROBUST_MIN_COUNT = 20;

export async function renderTrainingChart(answer: TrainingSeriesAnswer, options?: ChartOptions): Promise<Buffer> {
  return (await trainingChartImage(answer, options)).png;
}

/** The value axis: every value, unless a few outliers (failure penalties like -1e9) would flatten the rest. */
export function valueRange(values: readonly number[], best: number): { min: number; max: number; clipped: boolean } {
  const min = Math.min(best, values.reduce((m, v) => Math.min(m, v), Infinity));
  const max = Math.max(best, values.reduce((m, v) => Math.max(m, v), -Infinity));
  if (values.length < ROBUST_MIN_COUNT) return { min, max, clipped: false };
  const lo = Math.min(quantile(values, 0.02), best);
  const hi = Math.max(quantile(values, 0.98), best);
  const robust = Math.max(hi - lo, Math.abs(hi) * 1e-9, 1e-12);
  if (max - min <= 3 * robust) return { min, max, clipped: false };
  const pad = robust * 0.05;
  return { min: lo - pad, max: hi + pad, clipped: true };
}

export async function trainingChartImage(answer: TrainingSeriesAnswer, options?: ChartOptions): Promise<ChartImage> {
  const size = chartSize(options);
  const study = imageLabel(answer.study, NAME_MAX);
  const counts = { complete: 0, pruned: 0, failed: 0, other: 0 };
  const completeRaw: Array<{ x: number; y: number | null }> = [];
  const fadedRaw: Array<{ x: number; y: number | null }> = [];
  for (const trial of answer.trials) {
    const state = String(trial.state).toUpperCase();
    if (state === 'COMPLETE') {
      counts.complete += 1;
      completeRaw.push({ x: trial.number, y: trial.value });
    } else {
      if (state === 'PRUNED') counts.pruned += 1;
      else if (state === 'FAIL') counts.failed += 1;
      else counts.other += 1;
      fadedRaw.push({ x: trial.number, y: trial.value });
    }
  }
  const complete = finitePoints(completeRaw);
  const faded = finitePoints(fadedRaw);
  const finished = answer.trials.length;
  const direction = answer.direction === 'minimize' ? 'minimize' : 'maximize';
  if (!complete.length && !faded.length) {
    return renderMessageImage(`${study} · ${count(finished, 'trial')}`, finished ? 'No trial values yet' : 'No data yet', size);
  }

  const best = bestSoFar(complete, direction);
  const bestPoint = best.length ? best[best.length - 1] : null;
  const bestNumber = bestPoint ? complete.find((p) => p.y === bestPoint.y)?.x ?? null : null;
  const all = complete.concat(faded);
  const range = valueRange(
    all.map((p) => p.y),
    bestPoint ? bestPoint.y : all[0].y,
  );
  const inRange = (p: XY): boolean => p.y >= range.min && p.y <= range.max;
  const offScale = all.filter((p) => !inRange(p)).length;

  // Dots (3-4 px wide) closer than 3 px cover each other: one per 3×3 px cell is drawn.
  const xMin = all.reduce((m, p) => Math.min(m, p.x), Infinity);
  const xMax = all.reduce((m, p) => Math.max(m, p.x), -Infinity);
  const cellX = Math.max(xMax - xMin, 1) / (size.width / 3);
  const cellY = Math.max(range.max - range.min, 1e-12) / (size.height / 3);
  const completeDots = thinToGrid(complete.filter(inRange), cellX, cellY);
  const fadedDots = thinToGrid(faded.filter(inRange), cellX, cellY);
  const bestLine = downsampleMinMax(best, size.width);

  const title = `${study} · ${count(finished, 'trial')} · best ${bestPoint ? formatValue(bestPoint.y) : '—'}${bestNumber !== null ? ` (#${bestNumber})` : ''}`;
  const parts = [direction, `${formatCount(counts.complete)} complete`, `${formatCount(counts.pruned)} pruned`, `${formatCount(counts.failed)} failed`];
  if (counts.other) parts.push(`${formatCount(counts.other)} other`);
  if (offScale) parts.push(`${formatCount(offScale)} off-scale`);
  const dotRadius = all.length > 2000 ? 2 : 3;

  const config: ChartConfiguration<'line' | 'scatter', ScatterDataPoint[]> = {
    type: 'scatter',
    data: {
      datasets: [
        {
          type: 'line',
          label: `Best so far (${direction === 'maximize' ? 'max' : 'min'})`,
          data: bestLine,
          borderColor: THEME.best,
          borderWidth: 2,
          // Chart.js's 'before' draws the horizontal first: the best holds until the trial that beats it.
          stepped: 'before',
          pointStyle: 'line',
          pointRadius: 0,
          fill: false,
          order: 0,
        },
        {
          type: 'scatter',
          label: 'Complete',
          data: completeDots,
          backgroundColor: THEME.trial,
          borderWidth: 0,
          pointRadius: dotRadius,
          order: 1,
        },
        {
          type: 'scatter',
          label: 'Pruned / failed',
          data: fadedDots,
          backgroundColor: THEME.trialFaded,
          borderWidth: 0,
          pointRadius: dotRadius,
          order: 2,
        },
      ],
    },
    options: {
      ...baseOptions(),
      parsing: false,
      normalized: true,
      scales: {
        x: {
          type: 'linear',
          // No min/max: Chart.js widens the axis to round trial numbers.
          grid: { color: THEME.grid },
          border: { color: THEME.grid },
          title: { display: true, text: 'Trial', color: THEME.mutedText, font: font(12) },
          ticks: { color: THEME.text, font: font(12), precision: 0, maxRotation: 0 },
        },
        y: {
          type: 'linear',
          min: range.clipped ? range.min : undefined,
          max: range.clipped ? range.max : undefined,
          grace: range.clipped ? undefined : '5%',
          grid: { color: THEME.grid },
          border: { color: THEME.grid },
          title: { display: true, text: 'Value', color: THEME.mutedText, font: font(12) },
          ticks: { color: THEME.text, font: font(12), callback: (value) => formatValue(Number(value)) },
        },
      },
      plugins: {
        ...headerPlugins(title, parts.join(' · ')),
      },
    },
  };
  return renderChartImage(config, size);
}
