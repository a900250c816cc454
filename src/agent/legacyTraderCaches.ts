/**
 * Before one name per trader, the CSV and heartbeat caches were keyed by the CSV stem
 * (`portfolio:trial250_session`, `heartbeat:trial250_session`). Left there, each would be a
 * second trader in commands and in the portfolio digest, and the heartbeat source would not find
 * its last heartbeat after the upgrade. Once per state file, they move to the trader's name.
 */
import type { StateStore } from '../state/StateStore';
import { traderNameOfCsv } from '../streams/traderIdentity';

const DONE = 'trader_names_v1';
const PREFIXES = ['portfolio:', 'heartbeat:'];

/** Returns how many keys moved (0 after the first time). */
export function renameLegacyTraderCaches(state: StateStore, now = Date.now()): number {
  if (state.getValue(DONE) !== undefined) return 0;
  return state.transaction(() => {
    let moved = 0;
    for (const prefix of PREFIXES) {
      for (const entry of state.listCache<unknown>(prefix)) {
        const stem = entry.key.slice(prefix.length);
        const name = traderNameOfCsv(stem);
        if (name === stem) continue;
        // A newer value under the new name wins.
        if (state.getCache(`${prefix}${name}`) === undefined) state.setCache(`${prefix}${name}`, entry.value, entry.at);
        state.db.prepare('DELETE FROM cache WHERE key = ?').run(entry.key);
        moved++;
      }
    }
    state.setValue(DONE, String(now));
    return moved;
  });
}
