/**
 * Alpha over a window of bars: the trader's return minus a benchmark's (a ticker's price
 * column) over the same span, as the watchdog's alpha-decay check does (surface.md §4),
 * but per trader and from the trader's own bars.
 */

/** [bar time ms, total value, benchmark price]. */
export type AlphaPoint = [number, number, number];

export interface AlphaState {
  /** The ticker the history's prices belong to. */
  benchmark: string | null;
  /** Oldest first: the latest point at or before the window's start, then every later one. */
  history: AlphaPoint[];
}

export interface AlphaReading {
  alpha_pct: number;
  strategy_return_pct: number;
  benchmark_return_pct: number;
  /** Bar time of the window's first point. */
  window_start: string;
}

export interface AlphaOptions {
  /** Ticker whose price_ column is the benchmark, e.g. "BTC/USD". */
  benchmark: string;
  windowMs: number;
}

/** Points kept at most (a very short timeframe with a long window would otherwise grow without bound). */
export const MAX_ALPHA_POINTS = 20_000;

export const initialAlphaState = (): AlphaState => ({ benchmark: null, history: [] });

/** "price_BTC/USD" and "BTC/USD" both name the BTC/USD column. */
export const benchmarkTicker = (configured: string): string => configured.replace(/^price_/, '');

export type AlphaObservation = { state: AlphaState; reading: AlphaReading | null; missingBenchmark: boolean };

/**
 * Adds a bar; reads alpha once the history reaches back a whole window. A benchmark changed
 * in the config starts the history over. A bar without a usable benchmark price is skipped.
 */
export function observeAlpha(state: AlphaState, bar: { at: string; total: number; prices: Record<string, number> }, options: AlphaOptions): AlphaObservation {
  const ticker = benchmarkTicker(options.benchmark);
  const base = state.benchmark === ticker ? state : { benchmark: ticker, history: [] };
  if (!(ticker in bar.prices)) return { state: base, reading: null, missingBenchmark: true };
  const price = bar.prices[ticker];
  const atMs = Date.parse(bar.at);
  if (!(price > 0) || !(bar.total > 0)) return { state: base, reading: null, missingBenchmark: false };

  const history = base.history.slice(Math.max(0, base.history.length + 1 - MAX_ALPHA_POINTS));
  history.push([atMs, bar.total, price]);
  // The window's first point: the latest one at or before its start.
  const startMs = atMs - options.windowMs;
  let first = -1;
  for (let i = history.length - 1; i >= 0; i--) {
    if (history[i][0] <= startMs) {
      first = i;
      break;
    }
  }
  const kept = first > 0 ? history.slice(first) : history;
  const next = { benchmark: ticker, history: kept };
  if (first < 0) return { state: next, reading: null, missingBenchmark: false };
  const [startAt, startTotal, startPrice] = kept[0];
  const strategy = (bar.total / startTotal - 1) * 100;
  const market = (price / startPrice - 1) * 100;
  return {
    state: next,
    reading: { alpha_pct: strategy - market, strategy_return_pct: strategy, benchmark_return_pct: market, window_start: new Date(startAt).toISOString() },
    missingBenchmark: false,
  };
}
