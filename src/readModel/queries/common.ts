/** The two answers every query may give instead of its own: an unknown name, or nothing yet. */
import type { NothingYetAnswer, UnknownNameAnswer } from '../answers';

export const HINTS = {
  trader: 'no trader seen yet: barista learns traders from a csv source (their per-bar CSV), a json heartbeat source or a process source',
  study: 'no Optuna study seen yet: add an optuna source with the storage of the studies (sqlite:///… or a journal file)',
  trade: 'no trade recorded yet: trades come from a csv source as the trader\'s holdings change',
  equity: 'no portfolio bar recorded yet: the equity series fills from a csv source, one point per bar (at most every 5 minutes)',
  trial: 'no finished trial recorded yet for this study: the history fills as the optuna source sees trials finish',
} as const;

export function nothingYet(now: number, what: NothingYetAnswer['what'], hint: string = HINTS[what]): NothingYetAnswer {
  return { kind: 'nothing-yet', now, what, hint };
}

export function unknownName(now: number, what: UnknownNameAnswer['what'], asked: string, known: string[]): UnknownNameAnswer {
  return { kind: 'unknown-name', now, what, asked, known };
}
