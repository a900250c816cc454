/**
 * Bounded state: what barista keeps, and for how long (`state.retention`). One pass prunes
 * every table that only grows, then gives the freed pages back to the file system, so a
 * barista left alone for weeks keeps a small state file. Rows that still matter — pending or
 * rejected outbox messages, pending confirmations, active mutes — are never pruned by age.
 */
import { EventStore } from './EventStore';
import { OutboxStore } from './OutboxStore';
import { AUTO_VACUUM_INCREMENTAL, type StateStore } from './StateStore';

/** Ages in ms: rows older than these go. */
export interface Retention {
  /** Events (their ids dedupe replays only while kept). */
  events: number;
  /** Outbox rows sent, expired or folded into a digest. */
  outbox: number;
  /** Audit rows: who asked for what. */
  audit: number;
  /** Trade history and equity samples by bar time (what /trades and /chart equity show), finished trials by end time (the training chart). */
  history: number;
}

export interface PruneReport {
  events: number;
  outbox: number;
  audit: number;
  trades: number;
  equity: number;
  trials: number;
  confirmations: number;
  /** Pages handed back to the file system by incremental vacuum. */
  freedPages: number;
}

/** Settled confirmations only serve the audit trail, which has its own rows. */
const SETTLED_CONFIRMATIONS_MS = 7 * 86_400_000;

export function pruneState(state: StateStore, retention: Retention, now = state.now()): PruneReport {
  const db = state.db;
  const deleted = (sql: string, cutoff: number): number => db.prepare(sql).run(cutoff).changes;
  const report = state.transaction(() => ({
    events: new EventStore(state).prune(retention.events, now),
    outbox: new OutboxStore(state).prune(retention.outbox, now),
    audit: deleted('DELETE FROM audit WHERE at < ?', now - retention.audit),
    trades: deleted('DELETE FROM trade_history WHERE at < ?', now - retention.history),
    equity: deleted('DELETE FROM equity_series WHERE at < ?', now - retention.history),
    // Bounded per study too, but a run of short-lived studies would otherwise pile up for ever.
    trials: deleted('DELETE FROM trial_history WHERE finished_at < ?', now - retention.history),
    confirmations: deleted("DELETE FROM pending_actions WHERE status != 'pending' AND created_at < ?", now - SETTLED_CONFIRMATIONS_MS),
  }));
  return { ...report, freedPages: giveBackFreePages(state) };
}

/** Incremental auto-vacuum (set when the file is opened) returns free pages without a full VACUUM. */
function giveBackFreePages(state: StateStore): number {
  const free = Number(state.db.pragma('freelist_count', { simple: true }));
  if (free === 0 || Number(state.db.pragma('auto_vacuum', { simple: true })) !== AUTO_VACUUM_INCREMENTAL) return 0;
  state.db.pragma('incremental_vacuum');
  return free - Number(state.db.pragma('freelist_count', { simple: true }));
}

