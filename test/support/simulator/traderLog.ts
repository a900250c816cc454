/**
 * The paper trader's text-log lines, from the f-strings of
 * scripts/deployment/paper_trader_alpaca_polling.py and environment_Alpaca.py (surface.md §1.1.3).
 * Pure functions: values in, exact lines out. Lines that start with an emoji keep the U+FE0F
 * variation selector the source has (⚠️ 🛡️ ℹ️ ⏱️ ⏸️); `print("\n…")` becomes an empty line first.
 */
import { formatFixed as f, formatSigned, formatThousands, pyRepr, pyRound } from './python';
import { clockUtc, isoUtc, pandasTimestamp } from './time';

/** What a line was printed to: stdout (`print`) or stderr (tracebacks, logging's lastResort). */
export type Stream = 'stdout' | 'stderr';

export interface Printed {
  stream: Stream;
  text: string;
}

export const out = (...lines: string[]): Printed[] => lines.map((text) => ({ stream: 'stdout', text }));
export const err = (...lines: string[]): Printed[] => lines.map((text) => ({ stream: 'stderr', text }));

export interface RiskSettings {
  maxPositionPct: number;
  stopLossPct: number;
  trailingStopPct: number;
  actionDampening: number;
  portfolioTrailingStopPct: number;
  profitTakeThresholdPct: number;
  profitTakeAmountPct: number;
  moveToCashThresholdPct: number;
  cooldownAfterCashHours: number;
  /** Hard-coded 4 h in the trader (`min_trade_interval_hours`). */
  minHoldHours: number;
}

/** argparse defaults of the real trader. */
export const DEFAULT_RISK: RiskSettings = {
  maxPositionPct: 0.3,
  stopLossPct: 0.1,
  trailingStopPct: 0,
  actionDampening: 1,
  portfolioTrailingStopPct: 0.015,
  profitTakeThresholdPct: 0.03,
  profitTakeAmountPct: 0.5,
  moveToCashThresholdPct: 0,
  cooldownAfterCashHours: 24,
  minHoldHours: 4,
};

export type TiburtinaMode = 'helper-import-failed' | 'active' | 'bridge-error';
export type DiscordMode = 'disabled' | 'not-configured' | 'enabled';

// ---- start-up (main() → constructor → run()) ----

/** `main()`'s risk summary, printed before the trader object exists. */
export function riskSummaryLines(risk: RiskSettings): string[] {
  const perPosition = risk.maxPositionPct > 0 || risk.stopLossPct > 0;
  const portfolio = hasProfitProtection(risk);
  if (!perPosition && !portfolio) return ['⚠️  ALL risk management DISABLED - using raw model actions'];
  const lines: string[] = [];
  if (perPosition) {
    lines.push('✓ Per-position risk management:', `  • Max position: ${f(risk.maxPositionPct * 100, 0)}% per asset`, `  • Stop-loss: ${f(risk.stopLossPct * 100, 0)}% from entry`);
    if (risk.trailingStopPct > 0) lines.push(`  • Trailing stop: ${f(risk.trailingStopPct * 100, 0)}% from high`);
    if (risk.actionDampening !== 1) lines.push(`  • Action dampening: ${f(risk.actionDampening, 2)}x`);
  } else {
    lines.push('⚠️  Per-position risk management DISABLED');
  }
  if (!portfolio) return [...lines, '', '⚠️  Portfolio profit protection DISABLED'];
  lines.push('', '🛡️  Portfolio profit protection:');
  if (risk.portfolioTrailingStopPct > 0) lines.push(`  • Portfolio trailing stop: ${f(risk.portfolioTrailingStopPct * 100, 1)}% from peak`);
  if (risk.profitTakeThresholdPct > 0) {
    lines.push(`  • Profit-taking: sell ${f(risk.profitTakeAmountPct * 100, 0)}% when up ${f(risk.profitTakeThresholdPct * 100, 1)}%`);
  }
  if (risk.moveToCashThresholdPct > 0) {
    lines.push(`  • Move-to-cash: 100% liquidation when up ${f(risk.moveToCashThresholdPct * 100, 1)}%`);
    lines.push(`  • Cooldown after cash: ${risk.cooldownAfterCashHours}h before re-entry`);
  }
  return lines;
}

function hasProfitProtection(risk: RiskSettings): boolean {
  return risk.portfolioTrailingStopPct > 0 || risk.profitTakeThresholdPct > 0 || risk.moveToCashThresholdPct > 0;
}

export function tiburtinaLines(mode: TiburtinaMode): Printed[] {
  switch (mode) {
    case 'active':
      return out('✅ Tiburtina integration active - macro-aware position sizing enabled');
    case 'bridge-error':
      return out("⚠️  Tiburtina integration failed: 'NoneType' object has no attribute 'cursor'", '   Continuing with standard position sizing...');
    case 'helper-import-failed':
      // The helper's logger.error/warning reach stderr through logging's lastResort handler.
      return [...err("⚠️  Tiburtina integration failed: No module named 'src'", 'Continuing without Tiburtina features...'), ...out('⚠️  Tiburtina unavailable - using standard position sizing')];
  }
}

export function discordLines(mode: DiscordMode): string[] {
  switch (mode) {
    case 'enabled':
      return ['✅ Discord notifications enabled'];
    case 'not-configured':
      return ['⚠️  Discord webhook not configured - notifications disabled'];
    case 'disabled':
      return ['ℹ️  Discord notifications disabled in config'];
  }
}

export function tickerConfigLines(tickers: readonly string[], requested: readonly string[]): string[] {
  const lines = [`🔍 Model expects ${tickers.length} tickers`];
  if (requested.length === tickers.length) return [...lines, '✓ Using requested tickers (count matches)'];
  return [...lines, `⚠️  Requested ${requested.length} tickers, model needs ${tickers.length}`, `✓ Using training tickers: ${pyRepr(tickers)}`];
}

export const lookbackVerifiedLine = (lookback: number): string => `✓ Verified lookback=${lookback} matches model input dimension`;

export function historyLines(historyHours: number, bars: number, tickers: number, latestBar: number): string[] {
  return [`Downloading ${historyHours}h of historical data...`, `Loaded ${bars} bars for ${tickers} tickers`, `Latest timestamp: ${pandasTimestamp(latestBar)}`];
}

export const DUMMY_SENTIMENT_LINE = '✓ Using dummy sentiment (zeros)';

export function ensembleLoadingLine(adaptive: boolean): string {
  return adaptive ? '🧠 Loading ADAPTIVE ENSEMBLE mode (game theory voting)...' : '🧠 Loading ENSEMBLE mode (10 models)...';
}

export interface EpisodeReport {
  initialCapital: number;
  finalPortfolio: number;
  feesPaid: number;
  buyFees: number;
  sellFees: number;
  buyTrades: number;
  sellTrades: number;
  equalWeightReturn: number;
  equalWeightFee: number;
}

/** environment_Alpaca.py's block when an episode reaches `done` (warm-up, and the first bar). */
export function episodeReportLines(report: EpisodeReport): string[] {
  const rule = '='.repeat(70);
  const netReturn = report.finalPortfolio / report.initialCapital - 1;
  const grossReturn = (report.finalPortfolio + report.feesPaid) / report.initialCapital - 1;
  const trades = report.buyTrades + report.sellTrades;
  return [
    '',
    rule,
    'EPISODE COMPLETE - Fee Report',
    rule,
    `  Initial Capital:      $${formatThousands(report.initialCapital, 2)}`,
    `  Final Portfolio:      $${formatThousands(report.finalPortfolio, 2)}`,
    `  Net Return:           ${formatSigned(netReturn * 100, 2)}%`,
    `  Total Fees Paid:      $${formatThousands(report.feesPaid, 2)} (${f((report.feesPaid / report.initialCapital) * 100, 2)}% of initial)`,
    `  Gross Return:         ${formatSigned(grossReturn * 100, 2)}% (before fees)`,
    `  Fee Impact:           ${f((grossReturn - netReturn) * 100, 2)}%`,
    `  Buy Fees:             $${formatThousands(report.buyFees, 2)} (${report.buyTrades} trades)`,
    `  Sell Fees:            $${formatThousands(report.sellFees, 2)} (${report.sellTrades} trades)`,
    `  Total Trades:         ${trades}`,
    `  Avg Fee per Trade:    $${f(trades > 0 ? report.feesPaid / trades : 0, 2)}`,
    '',
    '  BENCHMARK COMPARISON:',
    `  Equal-Weight Return:  ${formatSigned(report.equalWeightReturn * 100, 2)}%`,
    `  Equal-Weight Fee:     $${formatThousands(report.equalWeightFee, 2)} (one-time initial purchase)`,
    `  Alpha vs Benchmark:   ${formatSigned((netReturn - report.equalWeightReturn) * 100, 2)}%`,
    rule,
    '',
  ];
}

export const warmedUpLine = (step: number, maxStep: number): string => `Environment warmed up at step ${step}/${maxStep}`;

export const NO_SAVED_STATE_LINE = '📋 No saved state found - starting fresh';
export const staleStateLine = (ageHours: number): string => `📋 Saved state is ${f(ageHours, 1)}h old (>24h) - starting fresh`;

export interface RestoredPosition {
  ticker: string;
  holdings: number;
  entryPrice: number;
}

export interface RestoreSummary {
  ageHours: number;
  positions: readonly RestoredPosition[];
  skippedTickers: readonly string[];
  cash: number;
  portfolioValue: number;
  inCashMode: boolean;
  /** Last bar of the CSV and of the history fetch, when the CSV has rows. */
  csvLastBar?: number;
  historyLatestBar?: number;
}

export function restoredStateLines(summary: RestoreSummary): string[] {
  const lines: string[] = [];
  for (const ticker of summary.skippedTickers) lines.push(`  ⚠️  Skipping unknown ticker: ${ticker}`);
  for (const position of summary.positions) lines.push(`  ✅ Restored ${position.ticker}: ${f(position.holdings, 4)} @ entry $${f(position.entryPrice, 2)}`);
  lines.push('', `📋 State Restored (from ${f(summary.ageHours, 1)}h ago):`, `   Cash: $${f(summary.cash, 2)}`, `   Positions: ${summary.positions.length}`, `   Portfolio Value: $${f(summary.portfolioValue, 2)}`);
  if (summary.inCashMode) lines.push('   ⚠️  In cash protection mode');
  if (summary.csvLastBar !== undefined && summary.historyLatestBar !== undefined) {
    lines.push(`   ✓ CSV last bar: ${pandasTimestamp(summary.csvLastBar)}`, `   ✓ Historical fetch included: ${pandasTimestamp(summary.historyLatestBar)}`);
    const gapHours = (summary.historyLatestBar - summary.csvLastBar) / 3_600_000_000;
    if (gapHours > 0.5) lines.push(`   → Will process ${f(gapHours, 1)}h of missed bars`);
  }
  return lines;
}

/** `run()`'s banner: the most reliable "trader started" marker. */
export function runBannerLines(tickers: readonly string[], pollIntervalSeconds: number, risk: RiskSettings): string[] {
  const lines = ['', 'Starting Alpaca paper trading (REST API polling)...', `Tickers: ${pyRepr(tickers)}`, `Poll interval: ${pollIntervalSeconds}s`];
  if (risk.stopLossPct > 0 || risk.maxPositionPct > 0) {
    lines.push('', '📊 Per-Position Risk Management:');
    if (risk.maxPositionPct > 0) lines.push(`   Max position: ${f(risk.maxPositionPct * 100, 0)}% per asset`);
    if (risk.stopLossPct > 0) lines.push(`   Stop-loss: ${f(risk.stopLossPct * 100, 0)}% from entry`);
    if (risk.trailingStopPct > 0) lines.push(`   Trailing stop: ${f(risk.trailingStopPct * 100, 0)}% from high`);
  } else {
    lines.push('', '⚠️  No per-position risk management active');
  }
  if (hasProfitProtection(risk)) {
    lines.push('', '🛡️  Portfolio Profit Protection:');
    if (risk.portfolioTrailingStopPct > 0) lines.push(`   Portfolio trailing stop: ${f(risk.portfolioTrailingStopPct * 100, 1)}% from peak`);
    if (risk.profitTakeThresholdPct > 0) {
      lines.push(`   Profit-taking: sell ${f(risk.profitTakeAmountPct * 100, 0)}% when up ${f(risk.profitTakeThresholdPct * 100, 1)}%`);
    }
    if (risk.moveToCashThresholdPct > 0) {
      lines.push(`   Move-to-cash: liquidate when up ${f(risk.moveToCashThresholdPct * 100, 1)}%`, `   Cooldown after cash: ${risk.cooldownAfterCashHours}h`);
    }
  } else {
    lines.push('', '⚠️  No portfolio profit protection active');
  }
  lines.push('', 'Press Ctrl+C to stop.', '');
  return lines;
}

// ---- the poll cycle ----

export const pollingLine = (now: number): string => `[${isoUtc(now)}] Polling for new bars...`;
export const tickerBarsLine = (ticker: string, bars: number): string => `    ${ticker}: ${bars} bars`;
export const tickerNoBarsLine = (ticker: string): string => `    ${ticker}: No bars returned`;
export const tickerFetchErrorLine = (ticker: string, message: string): string => `    Error fetching ${ticker}: ${message}`;
export const fetchedLine = (rows: number): string => `  Fetched ${rows} raw bars`;
export function noDataLines(start: number, end: number): string[] {
  return [`  No data from any ticker (fetched from ${isoUtc(start)} to ${isoUtc(end)})`, '  No data returned from API'];
}
export const processingLine = (lastBar: number): string => `  Processing bars... Last known timestamp: ${pandasTimestamp(lastBar)}`;
export const NO_NEW_BARS_LINE = '  No new bars (waiting for next complete hourly bar)';
export const foundBarsLine = (rows: number): string => `  Found ${rows} new bars to process`;

export type DataQualityFailure = 'nan' | 'invalid-price' | 'negative-volume';

export function dataQualityLines(failure: DataQualityFailure, detail: readonly string[]): string[] {
  switch (failure) {
    case 'nan':
      return ['  ⚠️ Data quality check FAILED: NaN values detected, skipping bar', `     Columns with NaN: ${pyRepr(detail)}`];
    case 'invalid-price':
      return ['  ⚠️ Data quality check FAILED: Invalid prices (<=0) detected, skipping bar', `     Invalid tickers: ${pyRepr(detail)}`];
    case 'negative-volume':
      return ['  ⚠️ Data quality check FAILED: Negative volume detected, skipping bar'];
  }
}

/** The per-bar snapshot: bar open time, then `actions` as `[round(a, 4) for a in action]`. */
export function snapshotLine(bar: number, cash: number, total: number, reward: number, actions: readonly number[]): string {
  return `[${isoUtc(bar)}] cash=${f(cash, 2)} total=${f(total, 2)} reward=${f(reward, 6)} actions=${pyRepr(actions.map((a) => pyRound(a, 4)))}`;
}

export function nextPollLine(nextPoll: number, now: number): string {
  return `  Next poll at ${clockUtc(nextPoll)} UTC (in ${f((nextPoll - now) / 60_000_000, 1)} minutes)`;
}
export const sleepingLine = (seconds: number): string => `  Sleeping for ${seconds}s until next poll...`;
export const errorProcessingLine = (message: string): string => `Error processing bars: ${message}`;
export const INTERRUPT_LINES: readonly string[] = ['', 'Received interrupt, stopping...'];

// ---- risk (all printed before the bar's snapshot line) ----

export const protectionLine = (message: string): string => `  🛡️  ${message}`;
/** profit_protection.log: `[{bar_ts.isoformat()}] {message}`. */
export const protectionLogLine = (bar: number, message: string): string => `[${isoUtc(bar)}] ${message}`;

export const protectionMessages = {
  initial: (value: number): string => `Initial portfolio value: $${f(value, 2)}`,
  newHigh: (value: number, gainPct: number): string => `New portfolio high: $${f(value, 2)} (+${f(gainPct, 1)}% from start)`,
  trailingStop: (drawdownPct: number, peak: number, value: number): string =>
    `PORTFOLIO TRAILING STOP: Down ${f(drawdownPct, 1)}% from peak ($${f(peak, 2)} → $${f(value, 2)})`,
  moveToCash: (gainPct: number, targetPct: number): string =>
    `MOVE TO CASH: Portfolio up ${f(gainPct, 1)}% - liquidating all positions (target was ${f(targetPct, 1)}%)`,
  profitTaking: (gainPct: number, sellPct: number, targetPct: number): string =>
    `PROFIT TAKING: Portfolio up ${f(gainPct, 1)}% - selling ${f(sellPct, 0)}% of positions (target was ${f(targetPct, 1)}%)`,
  cooldownExpired: (hours: number): string => `Cash mode cooldown expired after ${f(hours, 1)}h - trading resumed`,
};

export const cashModeLine = (remainingHours: number): string => `  ⏸️  Cash mode: ${f(remainingHours, 1)}h remaining before re-entry allowed`;
export const minHoldLine = (ticker: string, heldHours: number, minHours: number): string =>
  `  ⏱️  Min hold time: ${ticker} held for ${f(heldHours, 1)}h < ${minHours}h, blocking sell`;
export const stopLossLine = (ticker: string, downPct: number, entry: number): string =>
  `  ⚠️  STOP-LOSS triggered for ${ticker}: down ${f(downPct, 1)}% from entry $${f(entry, 2)}`;
export const trailingStopLine = (ticker: string, downPct: number, high: number): string =>
  `  ⚠️  TRAILING STOP triggered for ${ticker}: down ${f(downPct, 1)}% from high $${f(high, 2)}`;
export const positionLimitLine = (ticker: string, from: number, to: number, positionPct: number): string =>
  `  📊 Position limit (pre-check): ${ticker} buy capped from ${f(from, 4)} to ${f(to, 4)} (at ${f(positionPct, 0)}% limit)`;
export const clearingStopFlagLine = (ticker: string): string => `  ℹ️  Clearing stop-loss flag for ${ticker} on new position`;
export const macroLine = (regime: string, multiplier: number, reason: string): string =>
  `  🌍 Macro Regime: ${regime.toUpperCase()} → Position sizing: ${f(multiplier * 100, 1)}% (${reason})`;
export function newsSkipLines(ticker: string, reason: string, signal: string): string[] {
  return [`  📰 NEWS ALERT: Skipping ${ticker} trade`, `     Reason: ${reason}`, `     Signals: ${signal}`];
}
export function newsReduceLines(ticker: string, reason: string): string[] {
  return [`  📰 NEWS CAUTION: Reducing ${ticker} position by 50%`, `     Reason: ${reason}`];
}
export const newsBullishLine = (ticker: string, reason: string): string => `  📈 NEWS: Bullish signals for ${ticker} - ${reason}`;

export function concentrationCappedLines(ticker: string, from: number, to: number, currentPct: number, wouldBePct: number, limitPct: number): string[] {
  return [
    `  🛡️  Concentration limit: ${ticker} buy capped from ${f(from, 2)} to ${f(to, 2)} shares`,
    `      Current: ${f(currentPct, 1)}%, Would be: ${f(wouldBePct, 1)}%, Limit: ${f(limitPct, 0)}%`,
  ];
}
export const concentrationBlockedLine = (ticker: string, currentPct: number, limitPct: number): string =>
  `  🛡️  Concentration limit: ${ticker} buy blocked (already at ${f(currentPct, 1)}%, limit ${f(limitPct, 0)}%)`;
export const closedLine = (ticker: string, entry: number, exit: number, pnlPct: number): string =>
  `  💰 Closed ${ticker}: entry $${f(entry, 2)} → exit $${f(exit, 2)} (${formatSigned(pnlPct, 1)}%)`;

/** integrations/discord_notifier.py via lastResort: a bare stderr line that leaks the webhook token. */
export const discordFailureLine = (webhookUrl: string): string =>
  `Failed to send Discord notification: 429 Client Error: Too Many Requests for url: ${webhookUrl}`;
