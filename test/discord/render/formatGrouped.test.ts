import { seededRandom } from '../../support/simulator/random';
import { formatCount, formatGrouped, formatMoney, formatNumber } from '../../../src/discord/render/formatValues';

/** Intl's answer, which formatGrouped must match without loading ICU's locale data. */
const intl = (value: number, max: number, min = 0) => new Intl.NumberFormat('en-US', { maximumFractionDigits: max, minimumFractionDigits: min }).format(value);

/** Deterministic values across magnitudes, signs and halves. */
function* values(): Generator<number> {
  const random = seededRandom(20261203);
  for (let i = 0; i < 4000; i += 1) {
    const magnitude = 10 ** Math.floor(random() * 22 - 8);
    const value = (random() - 0.5) * 2 * magnitude;
    yield value;
    yield Number(value.toFixed(Math.floor(random() * 6))) + 0.5 * 10 ** -Math.floor(random() * 6); // halves
  }
  yield* [0, -0, 0.5, -0.5, 1.005, 2.5, -2.5, 999.9999, 1e15 - 1, 123456789.123456, 1e-9, -1e-9, 1e-7, 0.0000005, 1e20];
}

describe('formatGrouped writes what Intl.NumberFormat en-US writes', () => {
  it.each([
    [0, 0],
    [2, 0],
    [2, 2],
    [4, 2],
    [6, 0],
  ])('maximumFractionDigits %i, minimumFractionDigits %i', (max, min) => {
    const mismatches: string[] = [];
    for (const value of values()) {
      if (Math.abs(value) >= 1e21) continue;
      const ours = formatGrouped(value, max, min);
      const theirs = intl(value, max, min);
      if (ours !== theirs) mismatches.push(`${value}: ${ours} ≠ ${theirs}`);
    }
    expect(mismatches.slice(0, 10)).toEqual([]);
  });

  it('reads as before in the formatters built on it', () => {
    expect(formatCount(1234567)).toBe('1,234,567');
    expect(formatNumber(1234.56789)).toBe('1,234.5679');
    expect(formatMoney(1.005)).toBe('$1.01');
    expect(formatMoney(0.5)).toBe('$0.50');
    expect(formatGrouped(NaN, 2)).toBe('NaN');
  });
});
