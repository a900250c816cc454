/**
 * Performance rules on a trader CSV: the bars are its `portfolio.snapshot` rows, and the rows
 * a tailer started past (a file older than barista's first start) fill the peaks and windows
 * first, so a rule does not have to wait a whole window of live bars before it can judge.
 */
import type { PerformanceConfig } from '../../config/schema';
import type { EventDraft } from '../../model/BaristaEvent';
import { CsvSession, type HistoryReader } from '../csvSession';
import { initialPerformanceState, stepPerformance, type PerformanceBar, type PerformanceState } from './performanceRules';

/** The bar of a CSV session's `portfolio.snapshot` draft; null for any other draft. */
export function barOfSnapshot(draft: EventDraft): PerformanceBar | null {
  if (draft.type !== 'portfolio.snapshot') return null;
  const { at, total, holdings, prices } = draft.fields as Partial<PerformanceBar>;
  if (typeof at !== 'string' || typeof total !== 'number' || !holdings || !prices) return null;
  return { at, total, holdings, prices };
}

/**
 * A state primed with the rows of the file before the point barista reads from. `readLines`
 * hands every earlier line to its callback and says whether it could. History that is not one
 * trader's (interleaved, not a trader CSV) primes nothing: the rules start from the live bars.
 */
export function primePerformanceFromCsv(readLines: HistoryReader, config: PerformanceConfig, context: { trader: string; file: string }): PerformanceState {
  const session = new CsvSession({ trader: context.trader, file: context.file });
  let state = initialPerformanceState();
  const read = readLines((line) => {
    for (const draft of session.acceptLine(line)) {
      const bar = barOfSnapshot(draft);
      if (bar) state = stepPerformance(state, bar, config, { ...context, judge: false }).state;
    }
  });
  return read && session.state.status === 'tracking' ? state : initialPerformanceState();
}
