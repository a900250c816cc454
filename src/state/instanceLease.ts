/**
 * One barista per state file. The holder is recorded inside the database itself, taken in
 * an IMMEDIATE transaction (so two starting at once cannot both win), and checked for
 * liveness by pid plus the process start time (so a reused pid does not look alive).
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import type Database from 'better-sqlite3';

export interface LeaseHolder {
  token: string;
  pid: number;
  host: string;
  procStart: string | null;
  acquiredAt: number;
}

export class StateInUseError extends Error {
  constructor(
    readonly statePath: string,
    readonly holder: LeaseHolder,
  ) {
    super(
      `state file ${statePath} is in use by another barista (pid ${holder.pid} on ${holder.host}, since ${new Date(holder.acquiredAt).toISOString()}). ` +
        'Stop that one first, or give this one its own file with --state.',
    );
    this.name = 'StateInUseError';
  }
}

/** Linux /proc/<pid>/stat fields after the command name: [0] state, [19] start time in ticks. */
function procStatFields(pid: number): string[] | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces and parentheses: split after the last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return null;
  }
}

export function processStartTime(pid: number): string | null {
  return procStatFields(pid)?.[19] ?? null;
}

function isAlive(holder: LeaseHolder): boolean {
  if (holder.host !== hostname()) return true; // cannot tell: assume it runs
  try {
    process.kill(holder.pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const fields = procStatFields(holder.pid);
  // A killed process nobody has reaped yet is a zombie: it holds nothing.
  if (fields?.[0] === 'Z' || fields?.[0] === 'X') return false;
  const start = fields?.[19] ?? null;
  return holder.procStart === null || start === null || start === holder.procStart;
}

/** The barista holding the file now, or null when none runs (no row, or its holder died). */
export function liveLeaseHolder(db: Database.Database): LeaseHolder | null {
  const hasTable = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'instance_lease'").get();
  if (!hasTable) return null;
  const row = db.prepare('SELECT token, pid, host, proc_start AS procStart, acquired_at AS acquiredAt FROM instance_lease WHERE id = 1').get() as LeaseHolder | undefined;
  return row && isAlive(row) ? row : null;
}

export const LEASE_TABLE_SQL = `
  CREATE TABLE IF NOT EXISTS instance_lease (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    token       TEXT NOT NULL,
    pid         INTEGER NOT NULL,
    host        TEXT NOT NULL,
    proc_start  TEXT,
    acquired_at INTEGER NOT NULL
  )`;

export interface AcquiredLease {
  token: string;
  /** The holder this lease replaced because it had died without releasing. */
  replacedStale: LeaseHolder | null;
}

export function acquireLease(db: Database.Database, statePath: string, now: number): AcquiredLease {
  const token = randomUUID();
  const take = db.transaction((): AcquiredLease => {
    const row = db.prepare('SELECT token, pid, host, proc_start AS procStart, acquired_at AS acquiredAt FROM instance_lease WHERE id = 1').get() as LeaseHolder | undefined;
    if (row && isAlive(row)) throw new StateInUseError(statePath, row);
    db.prepare('INSERT OR REPLACE INTO instance_lease (id, token, pid, host, proc_start, acquired_at) VALUES (1, ?, ?, ?, ?, ?)').run(
      token,
      process.pid,
      hostname(),
      processStartTime(process.pid),
      now,
    );
    return { token, replacedStale: row ?? null };
  });
  return take.immediate();
}

export function releaseLease(db: Database.Database, token: string): void {
  db.prepare('DELETE FROM instance_lease WHERE id = 1 AND token = ?').run(token);
}
