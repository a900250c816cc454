/**
 * paper_trades/positions_state.json (surface.md §1.1.5): open positions with entry, P&L and
 * stop levels, rewritten every bar. The path is shared by every trader process, so the value is
 * "the last writer's" positions; this module only reads it into the cache's shape.
 */
import { FieldReader, isJsonObject, jsonTypeOf } from './lenientJson';

export interface Position {
  /** "LINK/USD" (the file calls it `ticker`). */
  symbol: string;
  holdings: number | null;
  entry_price: number | null;
  current_price: number | null;
  position_value: number | null;
  /** Percent, e.g. -3.2. */
  pnl_pct: number | null;
  stop_loss_price: number | null;
  trailing_stop_price: number | null;
  high_water_mark: number | null;
  distance_to_stop_pct: number | null;
  stop_loss_triggered: boolean | null;
  /** ISO 8601 UTC. */
  last_trade_time: string | null;
}

/** Portfolio-level profit protection (trailing stop, profit taking, cash mode). */
export interface PortfolioProtection {
  initial_value: number | null;
  high_water_mark: number | null;
  in_cash_mode: boolean | null;
  profit_taken: boolean | null;
}

/** positions_state.json as cached: with the trader that wrote it, when one trader runs (else null). */
export interface CachedPositions extends PositionsState {
  trader: string | null;
}

export interface PositionsState {
  /** The bar the file was written for, ISO 8601 UTC. */
  at: string | null;
  portfolio_value: number | null;
  cash: number | null;
  /** The trader lists only holdings > 0. */
  positions: Position[];
  protection: PortfolioProtection | null;
}

export type PositionsParse = { ok: true; value: PositionsState; warnings: string[] } | { ok: false; error: string };

/** Reads a parsed positions_state.json. Missing or mistyped fields become null (with a warning). */
export function parsePositionsState(data: unknown): PositionsParse {
  if (!isJsonObject(data)) return { ok: false, error: `positions_state.json holds a JSON object, got ${jsonTypeOf(data)}` };
  const read = new FieldReader(data);
  // Fields in the file's order, so warnings read top to bottom.
  const value: PositionsState = {
    at: read.timestamp('timestamp'),
    portfolio_value: read.number('portfolio_value'),
    cash: read.number('cash'),
    positions: readPositions(data.positions, read.warnings),
    protection: readProtection(read.child('portfolio_protection')),
  };
  return { ok: true, value, warnings: read.warnings };
}

function readProtection(read: FieldReader | null): PortfolioProtection | null {
  if (read === null) return null;
  return {
    initial_value: read.number('initial_value'),
    high_water_mark: read.number('high_water_mark'),
    in_cash_mode: read.boolean('in_cash_mode'),
    profit_taken: read.boolean('profit_taken'),
  };
}

function readPositions(list: unknown, warnings: string[]): Position[] {
  if (list === undefined || list === null) return [];
  // An old reader (discord_bot.py) expected a dict keyed by ticker; the trader writes a list.
  if (!Array.isArray(list)) {
    warnings.push(`positions: expected a list, got ${jsonTypeOf(list)}; read as no positions`);
    return [];
  }
  const positions: Position[] = [];
  list.forEach((entry, index) => {
    const path = `positions[${index}].`;
    if (!isJsonObject(entry)) {
      warnings.push(`${path.slice(0, -1)}: expected an object, got ${jsonTypeOf(entry)}; skipped`);
      return;
    }
    const read = new FieldReader(entry, warnings, path);
    // Without a ticker the position cannot be shown or matched to a trade.
    const symbol = read.string('ticker') ?? read.string('symbol');
    if (symbol === null || symbol.trim() === '') {
      warnings.push(`${path}ticker: missing; position skipped`);
      return;
    }
    positions.push({
      symbol,
      holdings: read.number('holdings'),
      entry_price: read.number('entry_price'),
      current_price: read.number('current_price'),
      position_value: read.number('position_value'),
      pnl_pct: read.number('pnl_pct'),
      stop_loss_price: read.number('stop_loss_price'),
      trailing_stop_price: read.number('trailing_stop_price'),
      high_water_mark: read.number('high_water_mark'),
      distance_to_stop_pct: read.number('distance_to_stop_pct'),
      stop_loss_triggered: read.boolean('stop_loss_triggered'),
      last_trade_time: read.timestamp('last_trade_time'),
    });
  });
  return positions;
}
