/**
 * `/portfolio [trader]` and the scheduled portfolio digest: totals, P&L and positions of one
 * trader. Without a name: the trader whose last bar is newest (the others are listed).
 */
import { compareText } from '../../model/compareText';
import type { NothingYetAnswer, PortfolioAnswer, PositionView, UnknownNameAnswer } from '../answers';
import type { ReadModel } from '../ReadModel';
import { nothingYet, unknownName } from './common';
import { resolveName } from './names';
import { coversHolding, positionCost } from './positionCost';
import { portfolioTotals } from './traderViews';

/** Holdings smaller than this are dust the trader leaves after a sell (it prints 6 decimals). */
const DUST = 5e-7;

export function portfolioAnswer(model: ReadModel, trader?: string): PortfolioAnswer | UnknownNameAnswer | NothingYetAnswer {
  const now = model.now();
  const portfolios = model.portfolios();
  const withBars = portfolios.map((p) => p.id);
  let name: string;
  if (trader === undefined) {
    if (portfolios.length === 0) return nothingYet(now, 'trader', 'no portfolio bar seen yet: portfolios come from a csv source (the trader\'s per-bar CSV)');
    name = model.latestTrader()!;
  } else {
    const resolved = model.resolveTrader(trader);
    const found = resolved !== null && withBars.includes(resolved) ? resolved : resolveName(trader, withBars);
    if (found === null) return unknownName(now, 'trader', trader, withBars);
    name = found;
  }
  const totals = portfolioTotals(model, name);
  if (!totals) return nothingYet(now, 'trader');
  return { kind: 'portfolio', now, totals, positions: positionsOf(model, name), otherTraders: withBars.filter((t) => t !== name) };
}

/** Positions from the last bar's holdings × prices; entry from positions_state.json when it covers them, else the trade history. */
export function positionsOf(model: ReadModel, trader: string): PositionView[] {
  const snapshot = model.portfolio(trader)?.value;
  if (!snapshot) return [];
  const fileState = model.positions()?.value.positions ?? [];
  const views: PositionView[] = [];
  for (const [symbol, quantity] of Object.entries(snapshot.holdings)) {
    if (Math.abs(quantity) < DUST) continue;
    const price = Number.isFinite(snapshot.prices[symbol]) ? snapshot.prices[symbol] : null;
    const value = price === null ? null : quantity * price;
    // positions_state.json is the last writer's: it covers this trader when it holds the same quantity.
    const inFile = fileState.find((p) => p.symbol === symbol && p.holdings !== null && coversHolding(p.holdings, quantity));
    let entryPrice = inFile?.entry_price ?? null;
    if (entryPrice === null) {
      const cost = positionCost(model.trades.ofSymbol(trader, symbol));
      if (cost.averagePrice !== null && coversHolding(cost.quantity, quantity)) entryPrice = cost.averagePrice;
    }
    views.push({
      symbol,
      quantity,
      price,
      value,
      sharePercent: value !== null && snapshot.total > 0 ? (value / snapshot.total) * 100 : null,
      entryPrice,
      unrealisedPnl: entryPrice !== null && price !== null && entryPrice > 0 ? { amount: (price - entryPrice) * quantity, percent: (price / entryPrice - 1) * 100 } : null,
    });
  }
  return views.sort((a, b) => (b.value ?? 0) - (a.value ?? 0) || compareText(a.symbol, b.symbol));
}
