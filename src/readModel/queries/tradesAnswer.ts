/** `/trades [count] [trader]`: the newest trades from the trade history, with realised P&L of sells. */
import type { NothingYetAnswer, TradesAnswer, TradeView, UnknownNameAnswer } from '../answers';
import type { ReadModel } from '../ReadModel';
import type { TradeRecord } from '../../state/TradeHistoryStore';
import { nothingYet, unknownName } from './common';
import { positionCost } from './positionCost';

export const DEFAULT_TRADES = 5;
export const MAX_TRADES = 25;

export function tradesAnswer(model: ReadModel, count: number = DEFAULT_TRADES, trader?: string): TradesAnswer | UnknownNameAnswer | NothingYetAnswer {
  const now = model.now();
  let name: string | null = null;
  if (trader !== undefined) {
    const known = model.traderNames();
    name = model.resolveTrader(trader);
    if (name === null) return unknownName(now, 'trader', trader, known);
  }
  const limit = Math.min(MAX_TRADES, Math.max(1, Math.floor(Number.isFinite(count) ? count : DEFAULT_TRADES)));
  const records = model.trades.latest(limit, name ?? undefined);
  if (records.length === 0) return nothingYet(now, 'trade');
  const realised = realisedOf(model, records);
  const trades: TradeView[] = records.map((t) => ({ trader: t.trader, at: t.at, symbol: t.symbol, side: t.side, quantity: t.qty, price: t.price, value: t.value, realisedPnl: realised.get(t.eventId) ?? null }));
  return { kind: 'trades', now, trader: name, trades, totalKnown: model.trades.count(name ?? undefined) };
}

/** Realised P&L of the sells shown, from each (trader, symbol)'s history. */
function realisedOf(model: ReadModel, records: readonly TradeRecord[]): Map<string, number> {
  const out = new Map<string, number>();
  const pairs = new Map(records.filter((t) => t.side === 'SELL').map((t) => [`${t.trader}\u0000${t.symbol}`, t]));
  for (const t of pairs.values()) for (const [id, pnl] of positionCost(model.trades.ofSymbol(t.trader, t.symbol)).realised) out.set(id, pnl);
  return out;
}
