/**
 * Bar close prices for one trader: a seeded random walk per ticker, stored as float32 like the
 * trader's `price_row` (so CSV prices look like `70412.296875`), with shocks on demand to trip
 * stop-losses.
 */
import type { SeededRandom } from './random';
import { MICROS_PER_HOUR } from './time';

/** `config_main.TICKER_LIST`: what a 7-action model trades (in this order). */
export const TRAINING_TICKERS: readonly string[] = ['AAVE/USD', 'AVAX/USD', 'BTC/USD', 'LINK/USD', 'ETH/USD', 'LTC/USD', 'UNI/USD'];
/** `.env.training` PAPER_TRADING_TICKERS: the other order seen in the wild (with BCH). */
export const PAPER_TRADING_TICKERS: readonly string[] = ['BTC/USD', 'ETH/USD', 'LTC/USD', 'BCH/USD', 'LINK/USD', 'UNI/USD', 'AAVE/USD'];
/** argparse default of `--tickers`. */
export const DEFAULT_REQUESTED_TICKERS: readonly string[] = ['BTC/USD', 'ETH/USD', 'LTC/USD'];

const BASE_PRICES: Readonly<Record<string, number>> = {
  'AAVE/USD': 112.45,
  'AVAX/USD': 9.15,
  'BTC/USD': 70412.3,
  'LINK/USD': 9.87,
  'ETH/USD': 2071.55,
  'LTC/USD': 55.12,
  'UNI/USD': 3.41,
  'BCH/USD': 521.3,
};

/** Typical hourly volatility of these coins. */
const HOURLY_VOLATILITY = 0.008;

export class PriceWalk {
  private readonly levels: number[];
  private lastBar: number;
  private readonly shocks = new Map<number, number>();
  private readonly volatility: number;

  constructor(
    private readonly tickers: readonly string[],
    private readonly barMicros: number,
    private readonly random: SeededRandom,
    firstBar: number,
  ) {
    this.levels = tickers.map((ticker) => (BASE_PRICES[ticker] ?? 10 + random.between(0, 90)) * Math.exp(random.gaussian() * 0.02));
    this.lastBar = firstBar;
    this.volatility = HOURLY_VOLATILITY * Math.sqrt(barMicros / MICROS_PER_HOUR);
  }

  /** Close prices (float32) of the bar that opens at `bar`; walks forward bar by bar. */
  pricesAt(bar: number): number[] {
    while (this.lastBar < bar) {
      this.lastBar += this.barMicros;
      this.step();
    }
    return this.levels.map((level) => Math.fround(level));
  }

  /** The next bar's price of `ticker` falls by `pct` (0.12 = −12%) on top of the walk. */
  shock(ticker: string, pct: number): void {
    const index = this.tickers.indexOf(ticker);
    if (index < 0) throw new Error(`unknown ticker ${ticker}`);
    this.shocks.set(index, pct);
  }

  private step(): void {
    for (let index = 0; index < this.levels.length; index += 1) {
      const fatTail = this.random.chance(0.02) ? 4 : 1;
      let level = (this.levels[index] as number) * Math.exp(this.random.gaussian() * this.volatility * fatTail);
      const shock = this.shocks.get(index);
      if (shock !== undefined) level *= 1 - shock;
      this.levels[index] = level;
    }
    this.shocks.clear();
  }
}
