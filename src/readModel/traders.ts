/**
 * Traders by their one name, for commands and sources: the directory the process probe keeps
 * (cache `traders`, see streams/traderIdentity.ts) and the names the caches know them by.
 */
import type { StateStore } from '../state/StateStore';
import { EMPTY_TRADER_DIRECTORY, resolveTraderName, TRADER_DIRECTORY_CACHE_KEY, type TraderDirectory } from '../streams/traderIdentity';

/** Cache keys holding one entry per trader, by name. */
const PER_TRADER_CACHES = ['portfolio:', 'heartbeat:'];

/** What the process probe learnt of the traders (empty before its first look). */
export function traderDirectory(state: StateStore): TraderDirectory {
  return state.getCache<TraderDirectory>(TRADER_DIRECTORY_CACHE_KEY)?.value ?? EMPTY_TRADER_DIRECTORY;
}

/** Every trader barista has a record of (a process, a portfolio, a heartbeat), sorted. */
export function traderNames(state: StateStore): string[] {
  const names = new Set(Object.keys(traderDirectory(state).traders));
  for (const prefix of PER_TRADER_CACHES) for (const { key } of state.listCache(prefix)) names.add(key.slice(prefix.length));
  return [...names].sort();
}

/**
 * A trader name as a user typed it (`trial250`, `trial250_session`, `paper_trader_trial250`,
 * `logs/paper_trader.log`) → the one name events and caches use, or null when no trader
 * goes by it.
 */
export function resolveTrader(state: StateStore, typed: string): string | null {
  return resolveTraderName(typed, traderDirectory(state), traderNames(state));
}
