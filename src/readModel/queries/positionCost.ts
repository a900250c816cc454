/**
 * The average cost of an open position and the realised P&L of each sell, from a trader's
 * trades of one symbol (oldest first). Pure. The cost is known only from a point where the
 * position was flat: a history that starts mid-position says nothing about what came before.
 */
import type { TradeRecord } from '../../state/TradeHistoryStore';

export interface PositionCost {
  /** Quantity held after the last trade, by the history. */
  quantity: number;
  /** Average entry of that quantity; null when the history does not reach back to a flat position. */
  averagePrice: number | null;
  /** Realised P&L of each sell whose entry was known, by event id. */
  realised: Map<string, number>;
}

/** Quantities this close to zero are flat (holdings are printed to 6 decimals). */
const FLAT = 2e-6;

export function positionCost(trades: readonly TradeRecord[]): PositionCost {
  let quantity = 0;
  let cost = 0;
  let known = false;
  const realised = new Map<string, number>();
  for (const t of trades) {
    const before = t.position === null ? null : t.side === 'BUY' ? t.position - t.qty : t.position + t.qty;
    if (before !== null && Math.abs(before) <= FLAT) {
      // Flat before this trade: from here the cost is known.
      known = true;
      quantity = 0;
      cost = 0;
    }
    if (t.side === 'BUY') {
      cost += t.qty * t.price;
      quantity += t.qty;
    } else {
      const average = quantity > FLAT ? cost / quantity : null;
      if (known && average !== null) realised.set(t.eventId, (t.price - average) * Math.min(t.qty, quantity));
      if (average !== null) cost -= average * Math.min(t.qty, quantity);
      quantity -= t.qty;
    }
    if (t.position !== null) quantity = t.position; // the CSV's holding is the truth
    if (Math.abs(quantity) <= FLAT) {
      quantity = 0;
      cost = 0;
      known = true;
    }
  }
  return { quantity, averagePrice: known && quantity > FLAT ? cost / quantity : null, realised };
}

/** Whether the history's quantity is the holding (small trades under min_notional are not in the history). */
export function coversHolding(history: number, holding: number): boolean {
  return Math.abs(history - holding) <= Math.max(FLAT, Math.abs(holding) * 0.01);
}
