/**
 * Mutes kept in state (table `mutes`, migration 1), so a mute set before a restart still holds
 * after it. Also the policy's MuteLookup: the rows are cached in memory (this process is the
 * only writer, under the instance lease), so a lookup per event costs no query.
 */
import { SEVERITIES } from '../config/schema';
import type { Mute, MuteLookup, MuteMatcher } from '../model/mute';
import type { StateStore } from './StateStore';

export interface NewMute {
  matcher: MuteMatcher;
  /** Epoch ms; must be later than now. */
  expiresAt: number;
  reason?: string | null;
  createdBy?: string | null;
}

interface MuteRow {
  id: number;
  matcher: string;
  reason: string | null;
  created_by: string | null;
  created_at: number;
  expires_at: number;
}

const MATCHER_KEYS = ['type', 'severity', 'source', 'subject'] as const;

/** Throws with a clear message when a matcher is not made of known keys with text values. */
export function checkMuteMatcher(matcher: unknown): asserts matcher is MuteMatcher {
  if (typeof matcher !== 'object' || matcher === null || Array.isArray(matcher)) throw new Error('a mute matcher is an object with type, severity, source and/or subject');
  for (const [key, value] of Object.entries(matcher)) {
    if (!(MATCHER_KEYS as readonly string[]).includes(key)) throw new Error(`unknown mute matcher key "${key}" (use ${MATCHER_KEYS.join(', ')})`);
    const values: unknown[] = Array.isArray(value) ? value : [value];
    if (values.length === 0 || values.some((v) => typeof v !== 'string' || v === '')) throw new Error(`mute matcher ${key}: expected a non-empty text or list of texts`);
    if (key === 'severity') {
      const bad = values.find((v) => !(SEVERITIES as readonly unknown[]).includes(v));
      if (bad !== undefined) throw new Error(`mute matcher severity: "${String(bad)}" is not one of ${SEVERITIES.join(', ')}`);
    }
  }
}

function fromRow(row: MuteRow): Mute {
  const matcher: unknown = JSON.parse(row.matcher);
  checkMuteMatcher(matcher);
  return { id: row.id, matcher, reason: row.reason, createdBy: row.created_by, createdAt: row.created_at, expiresAt: row.expires_at };
}

export class MuteStore implements MuteLookup {
  private cache: readonly Mute[];
  /** Rows that could not be read (kept in the table, not applied), for barista to report. */
  readonly unreadable: { id: number; error: string }[] = [];

  constructor(
    private readonly state: StateStore,
    private readonly clock: () => number = Date.now,
  ) {
    this.cache = this.load();
  }

  add(mute: NewMute): Mute {
    checkMuteMatcher(mute.matcher);
    const createdAt = this.clock();
    if (!Number.isFinite(mute.expiresAt) || mute.expiresAt <= createdAt) throw new Error('a mute must expire in the future');
    const result = this.state.db
      .prepare('INSERT INTO mutes (matcher, reason, created_by, created_at, expires_at) VALUES (?, ?, ?, ?, ?)')
      .run(JSON.stringify(mute.matcher), mute.reason ?? null, mute.createdBy ?? null, createdAt, mute.expiresAt);
    const added: Mute = { id: Number(result.lastInsertRowid), matcher: mute.matcher, reason: mute.reason ?? null, createdBy: mute.createdBy ?? null, createdAt, expiresAt: mute.expiresAt };
    this.cache = [...this.cache, added];
    return added;
  }

  /** Mutes in force at nowMs, soonest to expire first. */
  listActive(nowMs = this.clock()): Mute[] {
    return this.cache.filter((m) => m.expiresAt > nowMs).sort((a, b) => a.expiresAt - b.expiresAt || a.id - b.id);
  }

  /** Ends a mute now; false when there was none with that id. */
  remove(id: number): boolean {
    const removed = this.state.db.prepare('DELETE FROM mutes WHERE id = ?').run(id).changes > 0;
    if (removed) this.cache = this.cache.filter((m) => m.id !== id);
    return removed;
  }

  /** Deletes the mutes that have expired by nowMs; returns them. */
  expire(nowMs = this.clock()): Mute[] {
    const expired = this.cache.filter((m) => m.expiresAt <= nowMs);
    if (expired.length === 0) return [];
    this.state.db.prepare('DELETE FROM mutes WHERE expires_at <= ?').run(nowMs);
    this.cache = this.cache.filter((m) => m.expiresAt > nowMs);
    return expired;
  }

  /** MuteLookup: every mute not deleted yet (the policy checks expiry itself). */
  mutes(): readonly Mute[] {
    return this.cache;
  }

  private load(): Mute[] {
    const rows = this.state.db.prepare('SELECT id, matcher, reason, created_by, created_at, expires_at FROM mutes ORDER BY id').all() as MuteRow[];
    return rows.flatMap((row) => {
      try {
        return [fromRow(row)];
      } catch (error) {
        this.unreadable.push({ id: row.id, error: `mute ${row.id}: unreadable matcher: ${(error as Error).message}` });
        return [];
      }
    });
  }
}
