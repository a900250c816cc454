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
import type { EventDraft } from '../../model/BaristaEvent';
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

/** A rule's raised condition and how many bars in a row its value has pointed the other way. */
export interface Condition {
  raised: RaisedCondition | null;
  streak: number;
}

export interface PerformanceState {
  version: 1;
  /** Bars seen (history read at first sight included). */
  bars: number;
  drawdown: DrawdownState & Condition;
  alpha: AlphaState & Condition & { warnedMissingBenchmark: boolean };
  sharpe: SharpeState & Condition;
  concentration: Condition;
}

const noCondition = (): Condition => ({ raised: null, streak: 0 });
const keep = ({ raised, streak }: Condition): Condition => ({ raised, streak });

export const initialPerformanceState = (): PerformanceState => ({
  version: 1,
  bars: 0,
  drawdown: { ...initialDrawdownState(), ...noCondition() },
  alpha: { ...initialAlphaState(), ...noCondition(), warnedMissingBenchmark: false },
  sharpe: { ...initialSharpeState(), ...noCondition() },
  concentration: noCondition(),
});

const finite = z.number().refine(Number.isFinite, 'must be a finite number');
const raised = z.strictObject({ at: z.string(), worst: finite }).nullable();
// States saved before hold_bars existed have no streak.
const streak = z.number().int().nonnegative().default(0);
const stateSchema = z.strictObject({
  version: z.literal(1),
  bars: z.number().int().nonnegative(),
  drawdown: z.strictObject({ peak: finite.nullable(), peakAt: z.string().nullable(), raised, streak }),
  alpha: z.strictObject({ benchmark: z.string().nullable(), history: z.array(z.tuple([finite, finite, finite])), raised, streak, warnedMissingBenchmark: z.boolean() }),
  sharpe: z.strictObject({ history: z.array(z.tuple([finite, finite])), raised, streak }),
  concentration: z.strictObject({ raised, streak }),
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

/** What every rule needs to know about the bar being judged. */
interface RuleContext {
  bar: PerformanceBar;
  trader: string;
  file: string;
  /** Past the warm-up, and a bar barista saw arrive (not history). */
  judging: boolean;
  /** False while priming from history: no warnings either. */
  live: boolean;
  drafts: EventDraft[];
}

type Rules = PerformanceConfig;
const on = <T extends { enabled: boolean }>(rule: T | undefined): rule is T => rule?.enabled === true;

/**
 * One bar. `judge: false` only updates peaks and windows (history read at first sight):
 * nothing is raised from bars barista did not see arrive, and a condition that still holds is
 * raised at the first bar that does. A rule that is off keeps nothing: no history grows for it,
 * and no condition lingers.
 */
export function stepPerformance(state: PerformanceState, bar: PerformanceBar, config: PerformanceConfig, context: { trader: string; file: string; judge?: boolean }): PerformanceStep {
  const bars = state.bars + 1;
  const live = context.judge !== false;
  const rule: RuleContext = { bar, trader: context.trader, file: context.file, judging: live && bars >= config.min_bars, live, drafts: [] };
  const fresh = initialPerformanceState();
  const next: PerformanceState = {
    version: 1,
    bars,
    drawdown: on(config.drawdown) ? stepDrawdown(state.drawdown, config.drawdown, rule) : fresh.drawdown,
    alpha: on(config.alpha_decay) ? stepAlpha(state.alpha, config.alpha_decay, rule) : fresh.alpha,
    sharpe: on(config.sharpe) ? stepSharpe(state.sharpe, config.sharpe, config, rule) : fresh.sharpe,
    concentration: on(config.concentration) ? stepConcentration(state.concentration, config.concentration, rule) : fresh.concentration,
  };
  return { state: next, drafts: rule.drafts };
}

function stepDrawdown(state: PerformanceState['drawdown'], rule: NonNullable<Rules['drawdown']>, { bar, trader, judging, drafts }: RuleContext): PerformanceState['drawdown'] {
  const { state: peak, reading } = observeDrawdown(state, bar);
  if (!reading || !judging) return { ...peak, ...keep(state) };
  const fields = { trader, drawdown_pct: round(reading.drawdown_pct), peak: reading.peak, peak_at: reading.peak_at, total: reading.total };
  const where = `$${money(reading.total)}, peak $${money(reading.peak)} at ${reading.peak_at}`;
  const condition = applyBand(state, reading.drawdown_pct, bar.at, { direction: 'above', raise: rule.above_pct, clear: rule.clear_below_pct, hold: rule.hold_bars }, drafts, {
    raise: () => ({ type: 'performance.drawdown', severity: rule.severity, at: bar.at, fields: { ...fields, above_pct: rule.above_pct }, text: `${trader}: drawdown ${pct(reading.drawdown_pct)} from peak (${where}; limit ${rule.above_pct}%)` }),
    clear: (episode) => ({ type: 'performance.drawdown_recovered', severity: 'info', at: bar.at, fields: { ...fields, clear_below_pct: rule.clear_below_pct, since: episode.at, worst_drawdown_pct: round(episode.worst) }, text: `${trader}: drawdown back to ${pct(reading.drawdown_pct)} (${where}; below ${rule.clear_below_pct}%), worst ${pct(episode.worst)} since ${episode.at}` }),
  });
  return { ...peak, ...condition };
}

function stepAlpha(state: PerformanceState['alpha'], rule: NonNullable<Rules['alpha_decay']>, { bar, trader, file, judging, live, drafts }: RuleContext): PerformanceState['alpha'] {
  const ticker = benchmarkTicker(rule.benchmark);
  const observed = observeAlpha(state, bar, { benchmark: ticker, windowMs: rule.window });
  let warned = state.warnedMissingBenchmark;
  if (observed.missingBenchmark && !warned && live) {
    warned = true;
    const tickers = Object.keys(bar.prices);
    drafts.push({
      type: 'barista.warning',
      severity: 'warning',
      at: bar.at,
      fields: { trader, file, reason: 'benchmark-missing', benchmark: ticker, tickers },
      text: `${file}: the alpha_decay benchmark "${ticker}" has no price_${ticker} column in this CSV (its tickers: ${tickers.join(', ')}); alpha is not judged for this trader. Name one of its tickers in rules.yaml.`,
    });
  }
  const reading = observed.reading;
  if (!reading || !judging) return { ...observed.state, ...keep(state), warnedMissingBenchmark: warned };
  const window = formatDuration(rule.window);
  const fields = { trader, alpha_pct: round(reading.alpha_pct), strategy_return_pct: round(reading.strategy_return_pct), benchmark_return_pct: round(reading.benchmark_return_pct), benchmark: ticker, window, window_start: reading.window_start };
  const what = `alpha ${signed(reading.alpha_pct)} over ${window} (strategy ${signed(reading.strategy_return_pct)}, ${ticker} ${signed(reading.benchmark_return_pct)})`;
  const condition = applyBand(state, reading.alpha_pct, bar.at, { direction: 'below', raise: rule.below_pct, clear: rule.clear_above_pct, hold: rule.hold_bars }, drafts, {
    raise: () => ({ type: 'performance.alpha_decay', severity: rule.severity, at: bar.at, fields: { ...fields, below_pct: rule.below_pct }, text: `${trader}: ${what}; threshold ${rule.below_pct}%` }),
    clear: (episode) => ({ type: 'performance.alpha_recovered', severity: 'info', at: bar.at, fields: { ...fields, clear_above_pct: rule.clear_above_pct, since: episode.at, worst_alpha_pct: round(episode.worst) }, text: `${trader}: ${what}, back above ${rule.clear_above_pct}%; worst ${signed(episode.worst)} since ${episode.at}` }),
  });
  return { ...observed.state, ...condition, warnedMissingBenchmark: warned };
}

function stepSharpe(state: PerformanceState['sharpe'], rule: NonNullable<Rules['sharpe']>, config: Rules, { bar, trader, judging, drafts }: RuleContext): PerformanceState['sharpe'] {
  const observed = observeSharpe(state, bar, { windowMs: rule.window, minReturns: config.min_bars, barMs: config.timeframe }, judging);
  const reading = observed.reading;
  if (!reading || !judging) return { ...observed.state, ...keep(state) };
  const window = formatDuration(rule.window);
  const barLength = formatDuration(Math.round(reading.bar_ms));
  const fields = { trader, sharpe: round(reading.sharpe), window, returns: reading.returns, bar: barLength };
  const what = `live Sharpe ${reading.sharpe.toFixed(2)} over ${window} (${reading.returns} returns of ${barLength} bars, annualised)`;
  const condition = applyBand(state, reading.sharpe, bar.at, { direction: 'below', raise: rule.below, clear: rule.clear_above, hold: rule.hold_bars }, drafts, {
    raise: () => ({ type: 'performance.sharpe_low', severity: rule.severity, at: bar.at, fields: { ...fields, below: rule.below }, text: `${trader}: ${what}; threshold ${rule.below}` }),
    clear: (episode) => ({ type: 'performance.sharpe_recovered', severity: 'info', at: bar.at, fields: { ...fields, clear_above: rule.clear_above, since: episode.at, worst_sharpe: round(episode.worst) }, text: `${trader}: ${what}, back above ${rule.clear_above}; worst ${episode.worst.toFixed(2)} since ${episode.at}` }),
  });
  return { ...observed.state, ...condition };
}

function stepConcentration(state: PerformanceState['concentration'], rule: NonNullable<Rules['concentration']>, { bar, trader, judging, drafts }: RuleContext): PerformanceState['concentration'] {
  if (!judging || !(bar.total > 0)) return keep(state);
  // Nothing held is a share of 0 %: an all-cash bar clears the condition.
  const reading = largestPosition(bar);
  const share = reading?.share_pct ?? 0;
  const fields = { trader, symbol: reading?.symbol ?? null, share_pct: round(share), position_value: reading ? round(reading.position_value) : 0, total: bar.total };
  const what = reading ? `${reading.symbol} is ${pct(share)} of the portfolio ($${money(reading.position_value)} of $${money(bar.total)})` : `no position held ($${money(bar.total)} in cash)`;
  return applyBand(state, share, bar.at, { direction: 'above', raise: rule.above_pct, clear: rule.clear_below_pct, hold: rule.hold_bars }, drafts, {
    raise: () => ({ type: 'performance.concentration', severity: rule.severity, at: bar.at, fields: { ...fields, above_pct: rule.above_pct }, text: `${trader}: ${what}; limit ${rule.above_pct}%` }),
    clear: (episode) => ({ type: 'performance.concentration_recovered', severity: 'info', at: bar.at, fields: { ...fields, clear_below_pct: rule.clear_below_pct, since: episode.at, worst_share_pct: round(episode.worst) }, text: `${trader}: ${what}, back below ${rule.clear_below_pct}%; largest share ${pct(episode.worst)} since ${episode.at}` }),
  });
}

/** Steps a rule's condition, adding its raise or recovery event when it changes. */
function applyBand(condition: Condition, value: number, at: string, band: Band, drafts: EventDraft[], events: { raise: () => EventDraft; clear: (episode: RaisedCondition) => EventDraft }): Condition {
  const step = stepCondition(condition.raised, value, at, band, condition.streak);
  if (step.transition?.kind === 'raise') drafts.push(events.raise());
  if (step.transition?.kind === 'clear') drafts.push(events.clear(step.transition.episode));
  return { raised: step.raised, streak: step.streak };
}

/** Event field precision: enough for any threshold, free of float noise. */
const round = (value: number): number => Math.round(value * 1e4) / 1e4;
const pct = (value: number): string => `${value.toFixed(2)}%`;
const signed = (value: number): string => `${value >= 0 ? '+' : ''}${value.toFixed(2)}%`;
const money = (value: number): string => value.toFixed(2);
