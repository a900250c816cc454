/** The charts' pure data preparation: cleaning, downsampling, drawdown, best-so-far, ticks, labels. */
import fc from 'fast-check';
import {
  bestSoFar,
  count,
  downsampleMinMax,
  drawdownPercent,
  finitePoints,
  formatMoney,
  imageLabel,
  periodLabel,
  thinToGrid,
  timeTickLabel,
  timeTicks,
  valueAt,
  type XY,
} from '../../../src/discord/render/charts/series';
import { valueRange } from '../../../src/discord/render/charts/trainingChart';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const xy = (ys: number[]): XY[] => ys.map((y, x) => ({ x, y }));

describe('finitePoints', () => {
  it('drops NaN, ±Infinity and null in either coordinate and sorts by x', () => {
    const out = finitePoints([
      { x: 3, y: 1 },
      { x: 1, y: NaN },
      { x: null, y: 2 },
      { x: 2, y: Infinity },
      { x: 0, y: -Infinity },
      { x: 1, y: 5 },
      { x: 4, y: null },
    ]);
    expect(out).toEqual([{ x: 1, y: 5 }, { x: 3, y: 1 }]);
  });
});

describe('downsampleMinMax', () => {
  it('keeps every point of a short series', () => {
    const points = xy([1, 5, 2]);
    expect(downsampleMinMax(points, 10)).toEqual(points);
  });

  it('keeps at most 4 points per bucket, in x order, including the global min, max, first and last', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 50, maxLength: 3000 }), fc.integer({ min: 1, max: 40 }), (ys, buckets) => {
        const points = xy(ys);
        const out = downsampleMinMax(points, buckets);
        expect(out.length).toBeLessThanOrEqual(Math.max(points.length <= buckets * 4 ? points.length : 0, buckets * 4));
        for (let i = 1; i < out.length; i += 1) expect(out[i].x).toBeGreaterThan(out[i - 1].x);
        expect(out[0]).toEqual(points[0]);
        expect(out[out.length - 1]).toEqual(points[points.length - 1]);
        expect(Math.min(...out.map((p) => p.y))).toBe(Math.min(...ys));
        expect(Math.max(...out.map((p) => p.y))).toBe(Math.max(...ys));
      }),
    );
  });

  it('turns 100,000 points into at most 4 per bucket', () => {
    const points = Array.from({ length: 100_000 }, (_, i) => ({ x: i, y: Math.sin(i / 100) }));
    expect(downsampleMinMax(points, 1000).length).toBeLessThanOrEqual(4000);
  });
});

describe('drawdownPercent', () => {
  it('is the percentage below the running peak', () => {
    expect(drawdownPercent(xy([100, 120, 90, 120, 130])).map((p) => p.y)).toEqual([0, 0, -25, 0, 0]);
  });
});

describe('valueAt', () => {
  it('interpolates between neighbours and is null outside the range', () => {
    const points = [{ x: 0, y: 10 }, { x: 10, y: 20 }, { x: 20, y: 0 }];
    expect(valueAt(points, 5)).toBe(15);
    expect(valueAt(points, 10)).toBe(20);
    expect(valueAt(points, 15)).toBe(10);
    expect(valueAt(points, 20)).toBe(0);
    expect(valueAt(points, -1)).toBeNull();
    expect(valueAt(points, 21)).toBeNull();
  });
});

describe('thinToGrid', () => {
  it('keeps one point per grid cell', () => {
    const points = [{ x: 0.1, y: 0.1 }, { x: 0.2, y: 0.3 }, { x: 1.5, y: 0.1 }, { x: 0.4, y: 1.2 }];
    expect(thinToGrid(points, 1, 1)).toEqual([{ x: 0.1, y: 0.1 }, { x: 1.5, y: 0.1 }, { x: 0.4, y: 1.2 }]);
  });
});

describe('bestSoFar', () => {
  it('steps at each improvement and runs to the last trial, in the study direction', () => {
    const points = xy([3, 1, 4, 1, 5, 2]);
    expect(bestSoFar(points, 'maximize')).toEqual([{ x: 0, y: 3 }, { x: 2, y: 4 }, { x: 4, y: 5 }, { x: 5, y: 5 }]);
    expect(bestSoFar(points, 'minimize')).toEqual([{ x: 0, y: 3 }, { x: 1, y: 1 }, { x: 5, y: 1 }]);
    expect(bestSoFar([], 'maximize')).toEqual([]);
  });
});

describe('valueRange', () => {
  it('shows every value unless a few outliers would flatten the rest', () => {
    const values = Array.from({ length: 100 }, (_, i) => i / 100);
    expect(valueRange(values, 0.99)).toEqual({ min: 0, max: 0.99, clipped: false });
    const withPenalty = [...values, -1e9];
    const range = valueRange(withPenalty, 0.99);
    expect(range.clipped).toBe(true);
    expect(range.min).toBeGreaterThan(-1);
    expect(range.max).toBeGreaterThanOrEqual(0.99);
  });
});

describe('time axis', () => {
  it('puts ticks on round UTC times, at most about the count asked for', () => {
    const start = Date.UTC(2025, 2, 7, 12, 17);
    const { values, step } = timeTicks(start, start + 7 * DAY, 8);
    expect(step).toBe(DAY);
    expect(values.length).toBeLessThanOrEqual(8);
    expect(values.every((v) => v % DAY === 0 && v >= start)).toBe(true);
    expect(timeTicks(start, start + 36 * HOUR, 8).step).toBe(6 * HOUR);
  });

  it('labels days, and times with the day under the first tick of each day', () => {
    expect(timeTickLabel(Date.UTC(2025, 2, 4), null, DAY)).toBe('Mar 04');
    expect(timeTickLabel(Date.UTC(2025, 2, 4, 6), null, 6 * HOUR)).toEqual(['06:00', 'Mar 04']);
    expect(timeTickLabel(Date.UTC(2025, 2, 4, 12), Date.UTC(2025, 2, 4, 6), 6 * HOUR)).toBe('12:00');
    expect(timeTickLabel(Date.UTC(2025, 2, 5, 0), Date.UTC(2025, 2, 4, 18), 6 * HOUR)).toEqual(['00:00', 'Mar 05']);
  });

  it('names periods', () => {
    expect([periodLabel(7 * DAY), periodLabel(36 * HOUR), periodLabel(90 * 60_000), periodLabel(null)]).toEqual(['7d', '36h', '90m', 'all']);
  });
});

describe('labels', () => {
  it('formats money, compact for axes', () => {
    expect(formatMoney(1019.06)).toBe('$1,019.06');
    expect(formatMoney(-52.1)).toBe('-$52.10');
    expect(formatMoney(12_345, true)).toBe('$12.3k');
    expect(formatMoney(2_500_000, true)).toBe('$2.5M');
  });

  it('counts with the right plural', () => {
    expect([count(1, 'trade'), count(0, 'trade'), count(1234, 'trial')]).toEqual(['1 trade', '0 trades', '1,234 trials']);
  });

  it('cuts hostile names: no emoji, controls or newlines, at most the length asked for', () => {
    const label = imageLabel('**📈 trial** `250`\n<@123>\u0000 ||x||'.repeat(500), 32);
    expect([...label].length).toBeLessThanOrEqual(32);
    expect(label.endsWith('…')).toBe(true);
    expect(['\n', '\u0000', '📈'].some((c) => label.includes(c))).toBe(false);
    expect(label.startsWith('** trial** `250` <@123>')).toBe(true);
    expect(imageLabel('trial250', 32)).toBe('trial250');
    expect(imageLabel('🚀🚀', 32)).toBe('?');
  });

  it('redacts a webhook URL in a name', () => {
    const label = imageLabel('https://discord.com/api/webhooks/123456789012345678/abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ', 200);
    expect(label).not.toContain('abcdefghijklmnop');
  });
});
