/**
 * Traders by their one name, for commands and sources: the directory the process probe keeps
 * (cache `traders`, see streams/traderIdentity.ts) and the names the caches know them by.
 */
import type { StateStore } from '../state/StateStore';
import { EMPTY_TRADER_DIRECTORY, type TraderDirectory } from '../streams/traderIdentity';
import { CATALOGUE, readCache } from './catalogue';

/** What the process probe learnt of the traders (empty before its first look). */
export function traderDirectory(state: StateStore): TraderDirectory {
  return readCache(state, CATALOGUE.traders)?.value ?? EMPTY_TRADER_DIRECTORY;
}
