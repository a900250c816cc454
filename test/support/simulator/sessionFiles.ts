/**
 * The trader's machine-readable files (surface.md §1.1.4–1.1.5): the per-bar CSV row, the
 * heartbeat and positions_state.json documents, and the heartbeat's odd file name.
 */
import path from 'node:path';
import { formatFixed, PyInt, pyJsonDumps, type PyValue } from './python';
import { isoUtc } from './time';

/** Python's csv module ends every row with `\r\n` (its default dialect), header included. */
export const CSV_TERMINATOR = '\r\n';

export function csvHeader(tickers: readonly string[]): string {
  return ['timestamp', 'cash', 'total_asset', 'reward', ...tickers.map((t) => `holding_${t}`), ...tickers.map((t) => `price_${t}`), ...tickers.map((t) => `action_${t}`)].join(',');
}

export interface CsvSnapshot {
  bar: number;
  cash: number;
  total: number;
  reward: number;
  holdings: readonly number[];
  prices: readonly number[];
  actions: readonly number[];
}

export function csvRow(snapshot: CsvSnapshot): string {
  const six = (value: number): string => formatFixed(value, 6);
  return [isoUtc(snapshot.bar), six(snapshot.cash), six(snapshot.total), six(snapshot.reward), ...snapshot.holdings.map(six), ...snapshot.prices.map(six), ...snapshot.actions.map(six)].join(',');
}

/** `Path(log_file).stem` with Python's rules (a leading dot is not a suffix). */
export function pythonStem(filePath: string): string {
  const name = path.posix.basename(filePath.replace(/\\/g, '/'));
  const dot = name.lastIndexOf('.');
  return dot > 0 && dot < name.length - 1 ? name.slice(0, dot) : name;
}

/** `Path("paper_trades") / Path(log_file).stem.replace('_session', '_heartbeat.json')`:
 * `trial250_session.csv` → `trial250_heartbeat.json`, `watchdog_session_20260205_165205.csv` →
 * `watchdog_heartbeat.json_20260205_165205`, `ensemble_x.csv` → `ensemble_x` (no extension). */
export function heartbeatPathFor(csvPath: string): string {
  return `paper_trades/${pythonStem(csvPath).split('_session').join('_heartbeat.json')}`;
}

export interface HeartbeatFields {
  now: number;
  nextPoll: number;
  pollCount: number;
  pollIntervalSeconds: number;
  timeframe: string;
  tickers: readonly string[];
  pid: number;
}

/** `json.dump(heartbeat, f, indent=2)`; status is always "running", even after a stop. */
export function heartbeatDocument(fields: HeartbeatFields): string {
  return pyJsonDumps(
    {
      timestamp: isoUtc(fields.now),
      last_poll_completed: isoUtc(fields.now),
      next_poll_scheduled: isoUtc(fields.nextPoll),
      poll_count: new PyInt(fields.pollCount),
      poll_interval: new PyInt(fields.pollIntervalSeconds),
      timeframe: fields.timeframe,
      tickers: [...fields.tickers],
      pid: new PyInt(fields.pid),
      status: 'running',
    },
    2,
  );
}

export interface PositionState {
  ticker: string;
  holdings: number;
  currentPrice: number;
  entryPrice: number;
  highWaterMark: number;
  stopLossPct: number;
  trailingStopPct: number;
  stopLossTriggered: boolean;
  lastTradeTime: number | undefined;
}

export interface PortfolioProtectionState {
  initialValue: number | undefined;
  highWaterMark: number;
  inCashMode: boolean;
  profitTaken: boolean;
}

/** `_log_position_state`: open positions only, with the derived stop prices and P&L. */
export function positionsStateDocument(bar: number, portfolioValue: number, cash: number, positions: readonly PositionState[], protection: PortfolioProtectionState): string {
  const entries: PyValue[] = positions.map((position) => {
    const stopLossPrice = position.stopLossPct > 0 ? position.entryPrice * (1 - position.stopLossPct) : 0;
    const trailingStopPrice = position.trailingStopPct > 0 ? position.highWaterMark * (1 - position.trailingStopPct) : 0;
    const pnlPct = position.entryPrice > 0 ? ((position.currentPrice - position.entryPrice) / position.entryPrice) * 100 : 0;
    const distanceToStop = stopLossPrice > 0 ? ((position.currentPrice - stopLossPrice) / position.currentPrice) * 100 : 0;
    return {
      ticker: position.ticker,
      holdings: position.holdings,
      current_price: position.currentPrice,
      entry_price: position.entryPrice,
      position_value: position.holdings * position.currentPrice,
      pnl_pct: pnlPct,
      stop_loss_price: stopLossPrice,
      trailing_stop_price: trailingStopPrice,
      high_water_mark: position.highWaterMark,
      distance_to_stop_pct: distanceToStop,
      stop_loss_triggered: position.stopLossTriggered,
      last_trade_time: position.lastTradeTime === undefined ? null : isoUtc(position.lastTradeTime),
    };
  });
  return pyJsonDumps(
    {
      timestamp: isoUtc(bar),
      portfolio_value: portfolioValue,
      cash,
      positions: entries,
      portfolio_protection: {
        initial_value: protection.initialValue === undefined ? null : protection.initialValue,
        high_water_mark: protection.highWaterMark,
        in_cash_mode: protection.inCashMode,
        profit_taken: protection.profitTaken,
      },
    },
    2,
  );
}
