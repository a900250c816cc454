/** `/chart equity`: a trader's downsampled total value over a period, with its trades. */
import type { EquitySeriesAnswer, NothingYetAnswer, UnknownNameAnswer } from '../answers';
import type { ReadModel } from '../ReadModel';
import { nothingYet, unknownName } from './common';

/** Without a trader: the one with the newest bar. */
export function equitySeriesAnswer(model: ReadModel, trader?: string, periodMs?: number): EquitySeriesAnswer | UnknownNameAnswer | NothingYetAnswer {
  const now = model.now();
  const known = model.traderNames();
  const name = trader === undefined ? model.latestTrader() : model.resolveTrader(trader);
  if (name === null) return known.length === 0 || trader === undefined ? nothingYet(now, 'trader') : unknownName(now, 'trader', trader, known);
  const from = periodMs === undefined ? undefined : now - periodMs;
  const points = model.equity.points(name, from).map((p) => ({ at: p.at, total: p.total }));
  if (points.length === 0) return nothingYet(now, 'equity');
  const trades = model.trades.since(name, from ?? points[0].at).map((t) => ({ at: t.at, side: t.side, symbol: t.symbol, value: t.value }));
  return { kind: 'equity-series', now, trader: name, periodMs: periodMs ?? null, points, trades };
}
