/**
 * One fact, several reports. Two sources can see the same thing happen — a trial finishing in a
 * worker's log and in Optuna's database, a trader start in its log banner and in the process
 * probe — and each makes its own event (both are stored). The events carry the same fact key,
 * and the notifier sends one message per fact, preferring the report of higher rank.
 *
 * A key is `kind:part:part…`, e.g. `trial:<study>:<number>` or `trader-start:<trader>:<pid>`.
 * A source that cannot know a part writes `*` there; it matches any value of that part (a
 * worker's log line "Trial 57 finished" names no study: `trial:*:57`).
 */

export interface EventFact {
  /** The same for every report of the fact, e.g. `trial:interop:57`. */
  key: string;
  /** How much this report says: of two reports of one fact, the higher rank is the one sent (equal: the first). */
  rank: number;
  /** How long this report may wait for a higher-ranked one before it goes on (ms; 0: it does not wait). */
  holdMs: number;
}

/** Ranks of the built-in reports: a log rule's report (rank 0 unless it says otherwise) yields to them. */
export const BUILT_IN_FACT_RANK = 1;

export const WILDCARD = '*';

/** A part as written in a key: `:` and `*` inside a value are escaped, so they never split or widen it. */
export function factPart(value: unknown): string {
  return String(value).replace(/[%:*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** `factKey('trial', 'interop', 57)` → `trial:interop:57`. */
export function factKey(kind: string, ...parts: unknown[]): string {
  return [kind, ...parts.map(factPart)].join(':');
}

/** A built-in report's fact. */
export function builtInFact(kind: string, ...parts: unknown[]): EventFact {
  return { key: factKey(kind, ...parts), rank: BUILT_IN_FACT_RANK, holdMs: 0 };
}

const PLACEHOLDER = /\{([A-Za-z_][\w.]*)\}/g;

/** The placeholder names of a key template (`trial:{study}:{number}` → study, number). */
export function templateNames(template: string): string[] {
  return [...template.matchAll(PLACEHOLDER)].map((m) => m[1] as string);
}

/**
 * A key template filled in: each `{name}` by `lookup(name)`, escaped; a name with no value
 * (undefined, null or "") becomes `*`, a part this report cannot know.
 */
export function fillFactKey(template: string, lookup: (name: string) => unknown): string {
  return template.replace(PLACEHOLDER, (_placeholder, name: string) => {
    const value = lookup(name);
    return value === undefined || value === null || value === '' ? WILDCARD : factPart(typeof value === 'object' ? JSON.stringify(value) : value);
  });
}

export const isWildcardKey = (key: string): boolean => key.split(':').includes(WILDCARD);

/** Whether two keys can name the same fact: same kind and parts, `*` matching any one part. */
export function factKeysMatch(a: string, b: string): boolean {
  if (a === b) return true;
  const left = a.split(':');
  const right = b.split(':');
  if (left.length !== right.length || left[0] !== right[0]) return false;
  return left.every((part, i) => part === right[i] || part === WILDCARD || right[i] === WILDCARD);
}
