/**
 * A damaged state file. SQLite reports corruption only when it reads a damaged page, which
 * may be long after start: every call on barista's connection is watched, and the first
 * corruption it reports is handed to one listener (the CLI stops barista with one sentence).
 */
import Database from 'better-sqlite3';

const CORRUPTION_CODES = new Set(['SQLITE_CORRUPT', 'SQLITE_NOTADB', 'SQLITE_CORRUPT_INDEX', 'SQLITE_CORRUPT_SEQUENCE', 'SQLITE_CORRUPT_VTAB']);

export function isCorruption(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && CORRUPTION_CODES.has(code);
}

/** Where the damage was found: starting barista, while it ran, or reading the file beside it (`barista status`, …). */
export type CorruptionFoundWhen = 'opening' | 'running' | 'reading';

const WHAT_BARISTA_DID: Record<CorruptionFoundWhen, string> = {
  opening: 'barista will not start on it rather than lose or repeat events: ',
  running: 'barista stopped rather than lose or repeat events: ',
  // A host command only reads; the barista that may run on the file must stop before it moves.
  reading: 'stop barista if it runs, ',
};

/** The one sentence a user gets: what happened, how to recover, and what is lost. */
export function corruptStateMessage(file: string, detail: string, when: CorruptionFoundWhen): string {
  const what = detail.replace(/\*\*\* in database \w+ \*\*\*/g, '').replace(/\s+/g, ' ').trim();
  return (
    `state file ${file} is damaged (${what}); ${WHAT_BARISTA_DID[when]}` +
    `move it aside (mv ${file} ${file}.damaged) and start barista again, which makes a new one — the sources then start from the end of each file ` +
    `(lines written while barista was down are not notified), and the unsent outbox, mutes, trade, equity and trial histories and the audit log stay in the moved file ` +
    `(\`sqlite3 ${file}.damaged .recover\` may rescue some of it)`
  );
}

/**
 * SQLite's own check of every page (structure, not index contents), on a connection of its
 * own so its reads do not fill the page cache of the one barista uses. The first problem, or null.
 */
export function quickCheck(file: string): string | null {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const rows = db.pragma('quick_check(1)') as { quick_check: string }[];
    const first = rows[0]?.quick_check ?? 'no answer';
    return first === 'ok' ? null : first;
  } catch (error) {
    // Not a database at all (a wrong --state) is for the opener to say, not a damaged file.
    if (isCorruption(error) && (error as { code?: string }).code !== 'SQLITE_NOTADB') return (error as Error).message;
    throw error;
  } finally {
    db.close();
  }
}

type AnyFunction = (...args: unknown[]) => unknown;

/**
 * `db` with every statement, exec, pragma and transaction watched: a corruption error is
 * reported to `onCorrupt` (then thrown on as before). Statements and transactions it returns
 * are watched too.
 */
export function watchForCorruption(db: Database.Database, onCorrupt: (error: Error) => void): Database.Database {
  const guard = <T>(call: () => T): T => {
    try {
      return call();
    } catch (error) {
      if (isCorruption(error)) onCorrupt(error as Error);
      throw error;
    }
  };
  const watchedFunction = (fn: AnyFunction, self: unknown): AnyFunction => {
    const watched = (...args: unknown[]) => guard(() => wrapResult(fn.apply(self, args)));
    // db.transaction(fn) returns a function with .deferred/.immediate/.exclusive variants.
    for (const variant of ['deferred', 'immediate', 'exclusive'] as const) {
      const inner = (fn as unknown as Record<string, unknown>)[variant];
      if (typeof inner === 'function') Object.assign(watched, { [variant]: (...args: unknown[]) => guard(() => (inner as AnyFunction).apply(fn, args)) });
    }
    return watched;
  };
  const wrapResult = (value: unknown): unknown => {
    if (value instanceof Object && typeof (value as { run?: unknown }).run === 'function' && typeof (value as { reader?: unknown }).reader === 'boolean') return watchObject(value);
    if (typeof value === 'function') return watchedFunction(value as AnyFunction, undefined);
    return value;
  };
  const watchObject = <T extends object>(target: T): T =>
    new Proxy(target, {
      get(object, property) {
        const value = Reflect.get(object, property, object) as unknown;
        if (typeof value !== 'function') return value;
        // Chaining methods (statement.pluck(), .raw(), …) return the statement itself: keep it watched.
        return (...args: unknown[]) => guard(() => {
          const result = (value as AnyFunction).apply(object, args);
          return result === object ? watchObject(object) : wrapResult(result);
        });
      },
    });
  return watchObject(db);
}
