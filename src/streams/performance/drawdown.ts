/** Drawdown of a trader's total value from the highest total seen so far. */

export interface DrawdownState {
  peak: number | null;
  peakAt: string | null;
}

export interface DrawdownReading {
  drawdown_pct: number;
  peak: number;
  peak_at: string;
  total: number;
}

export const initialDrawdownState = (): DrawdownState => ({ peak: null, peakAt: null });

/** The peak moves up with the total; the reading is null while there is no positive peak. */
export function observeDrawdown(state: DrawdownState, bar: { at: string; total: number }): { state: DrawdownState; reading: DrawdownReading | null } {
  const next = state.peak === null || bar.total > state.peak ? { peak: bar.total, peakAt: bar.at } : state;
  if (next.peak === null || next.peakAt === null || next.peak <= 0) return { state: next, reading: null };
  return { state: next, reading: { drawdown_pct: ((next.peak - bar.total) / next.peak) * 100, peak: next.peak, peak_at: next.peakAt, total: bar.total } };
}
