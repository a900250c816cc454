/**
 * Derived performance rules of one trader CSV (rules.yaml `performance:` on a csv source):
 * drawdown from peak, alpha against a benchmark, live Sharpe ratio, concentration. Fed bar by
 * bar (the CSV's `portfolio.snapshot` rows); each rule raises its event once at its raise
 * level and its recovery event once past its clear level. The state is plain JSON, committed
 * with the CSV checkpoint, so a restart neither repeats nor forgets a raised condition.
 *
 * Pure: no clock, no I/O. Bars drive everything (bar times come from the CSV).
 */
import { z } from 'zod';
import { formatDuration } from '../../config/duration';
import type { PerformanceConfig } from '../../config/schema';
import type { EventDraft } from '../BaristaEvent';
import { benchmarkTicker, initialAlphaState, observeAlpha, type AlphaState } from './alphaDecay';
import { largestPosition } from './concentration';
import { initialDrawdownState, observeDrawdown, type DrawdownState } from './drawdown';
import { stepCondition, type Band, type RaisedCondition } from './hysteresis';
import { initialSharpeState, observeSharpe, type SharpeState } from './sharpe';

/** One bar of a trader, as the CSV session reports it in `portfolio.snapshot`. */
export interface PerformanceBar {
  /** Bar open time, ISO 8601 UTC. */
  at: string;
  total: number;
  holdings: Record<string, number>;
  prices: Record<string, number>;
}

export interface PerformanceState {
  version: 1;
  /** Bars seen (history read at first sight included). */
  bars: number;
  drawdown: DrawdownState & { raised: RaisedCondition | null };
  alpha: AlphaState & { raised: RaisedCondition | null; warnedMissingBenchmark: boolean };
  sharpe: SharpeState & { raised: RaisedCondition | null };
  concentration: { raised: RaisedCondition | null };
}

export const initialPerformanceState = (): PerformanceState => ({
  version: 1,
  bars: 0,
  drawdown: { ...initialDrawdownState(), raised: null },
  alpha: { ...initialAlphaState(), raised: null, warnedMissingBenchmark: false },
  sharpe: { ...initialSharpeState(), raised: null },
  concentration: { raised: null },
});

const finite = z.number().refine(Number.isFinite, 'must be a finite number');
const raised = z.strictObject({ at: z.string(), worst: finite }).nullable();
const stateSchema = z.strictObject({
  version: z.literal(1),
  bars: z.number().int().nonnegative(),
  drawdown: z.strictObject({ peak: finite.nullable(), peakAt: z.string().nullable(), raised }),
  alpha: z.strictObject({ benchmark: z.string().nullable(), history: z.array(z.tuple([finite, finite, finite])), raised, warnedMissingBenchmark: z.boolean() }),
  sharpe: z.strictObject({ history: z.array(z.tuple([finite, finite])), raised }),
  concentration: z.strictObject({ raised }),
});

/** A state as `stepPerformance` returned it (possibly through JSON); throws when it is not one. */
export function restorePerformanceState(saved: unknown): PerformanceState {
  const parsed = stateSchema.safeParse(saved);
  if (!parsed.success) throw new Error(`performance state is invalid: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

export interface PerformanceStep {
  state: PerformanceState;
  /** Raise and recovery events (plus a one-off warning), at most one per rule and bar. */
  drafts: EventDraft[];
}

/**
 * One bar. `judge: false` only updates peaks and windows (history read at first sight):
 * nothing is raised from bars barista did not see arrive, and a condition that still holds is
 * raised at the first bar that does.
 */
export function stepPerformance(state: PerformanceState, bar: PerformanceBar, config: PerformanceConfig, context: { trader: string; file: string; judge?: boolean }): PerformanceStep {
  const drafts: EventDraft[] = [];
  const bars = state.bars + 1;
  const judging = context.judge !== false && bars >= config.min_bars;
  const on = <T extends { enabled: boolean }>(rule: T | undefined): rule is T => rule?.enabled === true;
  const common = { trader: context.trader };
  const fresh = initialPerformanceState();

  // A rule that is off keeps nothing: no history grows for it, and no condition lingers.
  let drawdown = fresh.drawdown;
  if (on(config.drawdown)) {
    const rule = config.drawdown;
    const { state: peak, reading } = observeDrawdown(state.drawdown, bar);
    drawdown = { ...peak, raised: state.drawdown.raised };
    if (reading && judging) {
      const band: Band = { direction: 'above', raise: rule.above_pct, clear: rule.clear_below_pct };
      const fields = { ...common, drawdown_pct: round(reading.drawdown_pct), peak: reading.peak, peak_at: reading.peak_at, total: reading.total };
      const where = `$${money(reading.total)}, peak $${money(reading.peak)} at ${reading.peak_at}`;
      drawdown.raised = applyBand(drawdown.raised, reading.drawdown_pct, bar.at, band, drafts, {
        raise: () => ({ type: 'performance.drawdown', severity: rule.severity, at: bar.at, fields: { ...fields, above_pct: rule.above_pct }, text: `${context.trader}: drawdown ${pct(reading.drawdown_pct)} from peak (${where}; limit ${rule.above_pct}%)` }),
        clear: (episode) => ({ type: 'performance.drawdown_recovered', severity: 'info', at: bar.at, fields: { ...fields, clear_below_pct: rule.clear_below_pct, since: episode.at, worst_drawdown_pct: round(episode.worst) }, text: `${context.trader}: drawdown back to ${pct(reading.drawdown_pct)} (${where}; below ${rule.clear_below_pct}%), worst ${pct(episode.worst)} since ${episode.at}` }),
      });
    }
  }

  let alpha = fresh.alpha;
  if (on(config.alpha_decay)) {
    const rule = config.alpha_decay;
    const window = formatDuration(rule.window);
    const observed = observeAlpha(state.alpha, bar, { benchmark: rule.benchmark, windowMs: rule.window });
    alpha = { ...observed.state, raised: state.alpha.raised, warnedMissingBenchmark: state.alpha.warnedMissingBenchmark };
    if (observed.missingBenchmark && !alpha.warnedMissingBenchmark && context.judge !== false) {
      alpha.warnedMissingBenchmark = true;
      const ticker = benchmarkTicker(rule.benchmark);
      drafts.push({
        type: 'barista.warning',
        severity: 'warning',
        at: bar.at,
        fields: { ...common, file: context.file, reason: 'benchmark-missing', benchmark: ticker, tickers: Object.keys(bar.prices) },
        text: `${context.file}: the alpha_decay benchmark "${ticker}" has no price_${ticker} column in this CSV (its tickers: ${Object.keys(bar.prices).join(', ')}); alpha is not judged for this trader. Name one of its tickers in rules.yaml.`,
      });
    }
    const reading = observed.reading;
    if (reading && judging) {
      const band: Band = { direction: 'below', raise: rule.below_pct, clear: rule.clear_above_pct };
      const ticker = benchmarkTicker(rule.benchmark);
      const fields = { ...common, alpha_pct: round(reading.alpha_pct), strategy_return_pct: round(reading.strategy_return_pct), benchmark_return_pct: round(reading.benchmark_return_pct), benchmark: ticker, window, window_start: reading.window_start };
      const what = `alpha ${signed(reading.alpha_pct)} over ${window} (strategy ${signed(reading.strategy_return_pct)}, ${ticker} ${signed(reading.benchmark_return_pct)})`;
      alpha.raised = applyBand(alpha.raised, reading.alpha_pct, bar.at, band, drafts, {
        raise: () => ({ type: 'performance.alpha_decay', severity: rule.severity, at: bar.at, fields: { ...fields, below_pct: rule.below_pct }, text: `${context.trader}: ${what}; threshold ${rule.below_pct}%` }),
        clear: (episode) => ({ type: 'performance.alpha_recovered', severity: 'info', at: bar.at, fields: { ...fields, clear_above_pct: rule.clear_above_pct, since: episode.at, worst_alpha_pct: round(episode.worst) }, text: `${context.trader}: ${what}, back above ${rule.clear_above_pct}%; worst ${signed(episode.worst)} since ${episode.at}` }),
      });
    }
  }

  let sharpe = fresh.sharpe;
  if (on(config.sharpe)) {
    const rule = config.sharpe;
    const window = formatDuration(rule.window);
    const observed = observeSharpe(state.sharpe, bar, { windowMs: rule.window, minReturns: config.min_bars, barMs: config.timeframe }, judging);
    sharpe = { ...observed.state, raised: state.sharpe.raised };
    const reading = observed.reading;
    if (reading && judging) {
      const band: Band = { direction: 'below', raise: rule.below, clear: rule.clear_above };
      const barLength = formatDuration(Math.round(reading.bar_ms));
      const fields = { ...common, sharpe: round(reading.sharpe), window, returns: reading.returns, bar: barLength };
      const what = `live Sharpe ${reading.sharpe.toFixed(2)} over ${window} (${reading.returns} returns of ${barLength} bars, annualised)`;
      sharpe.raised = applyBand(sharpe.raised, reading.sharpe, bar.at, band, drafts, {
        raise: () => ({ type: 'performance.sharpe_low', severity: rule.severity, at: bar.at, fields: { ...fields, below: rule.below }, text: `${context.trader}: ${what}; threshold ${rule.below}` }),
        clear: (episode) => ({ type: 'performance.sharpe_recovered', severity: 'info', at: bar.at, fields: { ...fields, clear_above: rule.clear_above, since: episode.at, worst_sharpe: round(episode.worst) }, text: `${context.trader}: ${what}, back above ${rule.clear_above}; worst ${episode.worst.toFixed(2)} since ${episode.at}` }),
      });
    }
  }

  let concentration = fresh.concentration;
  if (on(config.concentration)) {
    const rule = config.concentration;
    concentration = { raised: state.concentration.raised };
    if (judging && bar.total > 0) {
      // Nothing held is a share of 0 %: an all-cash bar clears the condition.
      const reading = largestPosition(bar);
      const share = reading?.share_pct ?? 0;
      const band: Band = { direction: 'above', raise: rule.above_pct, clear: rule.clear_below_pct };
      const fields = { ...common, symbol: reading?.symbol ?? null, share_pct: round(share), position_value: reading ? round(reading.position_value) : 0, total: bar.total };
      const what = reading ? `${reading.symbol} is ${pct(share)} of the portfolio ($${money(reading.position_value)} of $${money(bar.total)})` : `no position held ($${money(bar.total)} in cash)`;
      concentration.raised = applyBand(concentration.raised, share, bar.at, band, drafts, {
        raise: () => ({ type: 'performance.concentration', severity: rule.severity, at: bar.at, fields: { ...fields, above_pct: rule.above_pct }, text: `${context.trader}: ${what}; limit ${rule.above_pct}%` }),
        clear: (episode) => ({ type: 'performance.concentration_recovered', severity: 'info', at: bar.at, fields: { ...fields, clear_below_pct: rule.clear_below_pct, since: episode.at, worst_share_pct: round(episode.worst) }, text: `${context.trader}: ${what}, back below ${rule.clear_below_pct}%; largest share ${pct(episode.worst)} since ${episode.at}` }),
      });
    }
  }

  return { state: { version: 1, bars, drawdown, alpha, sharpe, concentration }, drafts };
}

/** Steps a rule's condition, adding its raise or recovery event when it changes. */
function applyBand(raised: RaisedCondition | null, value: number, at: string, band: Band, drafts: EventDraft[], events: { raise: () => EventDraft; clear: (episode: RaisedCondition) => EventDraft }): RaisedCondition | null {
  const step = stepCondition(raised, value, at, band);
  if (step.transition?.kind === 'raise') drafts.push(events.raise());
  if (step.transition?.kind === 'clear') drafts.push(events.clear(step.transition.episode));
  return step.raised;
}

/** Event field precision: enough for any threshold, free of float noise. */
const round = (value: number): number => Math.round(value * 1e4) / 1e4;
const pct = (value: number): string => `${value.toFixed(2)}%`;
const signed = (value: number): string => `${value >= 0 ? '+' : ''}${value.toFixed(2)}%`;
const money = (value: number): string => value.toFixed(2);
