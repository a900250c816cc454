/** The largest position's share of a trader's total value (cash included in the total). */

export interface ConcentrationReading {
  symbol: string;
  share_pct: number;
  position_value: number;
  total: number;
}

/** Null when nothing is held or the total is not positive (no share to speak of). */
export function largestPosition(bar: { total: number; holdings: Record<string, number>; prices: Record<string, number> }): ConcentrationReading | null {
  if (!(bar.total > 0)) return null;
  let best: ConcentrationReading | null = null;
  for (const [symbol, quantity] of Object.entries(bar.holdings)) {
    const value = quantity * (bar.prices[symbol] ?? 0);
    if (value > 0 && (best === null || value > best.position_value)) best = { symbol, share_pct: (value / bar.total) * 100, position_value: value, total: bar.total };
  }
  return best;
}
