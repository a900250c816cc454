/** `/trader status [trader]`: the trader's state (process, heartbeat) and its portfolio totals. */
import type { NothingYetAnswer, TraderStatusAnswer, UnknownNameAnswer } from '../answers';
import type { ReadModel } from '../ReadModel';
import { nothingYet, unknownName } from './common';
import { portfolioTotals, traderProcessView } from './traderViews';

export function traderStatusAnswer(model: ReadModel, trader?: string): TraderStatusAnswer | UnknownNameAnswer | NothingYetAnswer {
  const now = model.now();
  const known = model.traderNames();
  if (known.length === 0) return nothingYet(now, 'trader');
  let name: string | null;
  if (trader === undefined) {
    // The one running (else the first) when several are known.
    name = known.find((t) => traderProcessView(model, t).state === 'running') ?? known[0];
  } else {
    name = model.resolveTrader(trader);
    if (name === null) return unknownName(now, 'trader', trader, known);
  }
  return { kind: 'trader-status', now, trader: traderProcessView(model, name), portfolio: portfolioTotals(model, name) };
}
