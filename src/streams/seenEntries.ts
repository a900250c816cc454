/**
 * Lists that their writers rewrite whole (deployment_log.json, the watchdog's `alerts`, the
 * live monitor's `alert_history`): an entry is new when its content was not in the list at an
 * earlier look. Entries are remembered by a short hash of their content (plus which occurrence
 * of that content it is), not by index: the lists are capped and shift, and the watchdog may
 * restore an older copy from its `.bak` rotation, whose entries are then not news.
 */
import { eventId } from '../model/BaristaEvent';

/** Hashes of entries seen at earlier looks, oldest first (a checkpoint keeps them). */
export type SeenKeys = string[];

/** At least this many keys are remembered, so an older copy of a capped list is still known. */
const MIN_REMEMBERED = 500;

export interface KeyedEntry<T> {
  entry: T;
  /** Stable across restarts: the same content at the same occurrence gives the same key. */
  key: string;
}

/** Each entry with its key: `identity` names its content; repeats of it are told apart by count. */
export function keyEntries<T>(entries: readonly T[], identity: (entry: T) => string): KeyedEntry<T>[] {
  const occurrences = new Map<string, number>();
  return entries.map((entry) => {
    const id = identity(entry);
    const n = occurrences.get(id) ?? 0;
    occurrences.set(id, n + 1);
    return { entry, key: eventId(id, n) };
  });
}

/**
 * The entries not seen before (in list order), and what to remember from now on: the earlier
 * keys plus these, trimmed to the most recent (at least twice the list's length).
 */
export function splitNewEntries<T>(keyed: readonly KeyedEntry<T>[], seen: SeenKeys): { fresh: KeyedEntry<T>[]; seen: SeenKeys } {
  const known = new Set(seen);
  const fresh = keyed.filter((k) => !known.has(k.key));
  const current = new Set(keyed.map((k) => k.key));
  // Keys of the current list go last (most recent), so trimming drops entries long gone first.
  const remembered = [...seen.filter((key) => !current.has(key)), ...keyed.map((k) => k.key)];
  const limit = Math.max(MIN_REMEMBERED, 2 * keyed.length);
  return { fresh, seen: remembered.slice(Math.max(0, remembered.length - limit)) };
}
