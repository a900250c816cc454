/**
 * Each trader's total value over time, from its portfolio snapshots, downsampled so years of
 * 1-minute bars stay small: a point is kept when it is at least `spacingMs` after the point
 * kept before it, and the newest point is always kept (it is replaced while it is too close).
 * Points older than a week (before the newest bar) thin to the first of each hour; points
 * older than a year go. Written in the transaction of the snapshots' events and checkpoint.
 */
import type { Statement } from 'better-sqlite3';
import type { StateStore } from './StateStore';

export interface EquityPoint {
  /** Bar time, epoch ms. */
  at: number;
  total: number;
  cash: number;
}

export interface EquityPolicy {
  spacingMs: number;
  /** Older than this before the newest point: one point per hour. */
  hourlyAfterMs: number;
  /** Older than this before the newest point: dropped. */
  dropAfterMs: number;
}

export const DEFAULT_EQUITY_POLICY: EquityPolicy = { spacingMs: 5 * 60_000, hourlyAfterMs: 7 * 86_400_000, dropAfterMs: 365 * 86_400_000 };

const HOUR_MS = 3_600_000;

/**
 * Whether the current newest point stays when a newer one arrives: it does when it is far
 * enough from the point kept before it (or is the first).
 */
export function keepsNewest(keptBefore: number | null, newest: number, spacingMs: number): boolean {
  return keptBefore === null || newest - keptBefore >= spacingMs;
}

/** Where thinning to hourly has to reach for a newest point at `newestAt`: hour-aligned, so buckets never straddle two runs. */
export function hourlyCutoff(newestAt: number, hourlyAfterMs: number): number {
  return Math.floor((newestAt - hourlyAfterMs) / HOUR_MS) * HOUR_MS;
}

export class EquitySeriesStore {
  constructor(
    private readonly state: StateStore,
    private readonly policy: EquityPolicy = DEFAULT_EQUITY_POLICY,
  ) {}

  /** Adds a snapshot's point; one not newer than the trader's newest is ignored (a replay, or a file read again). */
  record(trader: string, point: EquityPoint): void {
    const [newest, before] = this.sql('SELECT at FROM equity_series WHERE trader = ? ORDER BY at DESC LIMIT 2').all(trader) as { at: number }[];
    if (newest && point.at <= newest.at) return;
    if (newest && !keepsNewest(before?.at ?? null, newest.at, this.policy.spacingMs)) this.sql('DELETE FROM equity_series WHERE trader = ? AND at = ?').run(trader, newest.at);
    this.sql('INSERT INTO equity_series (trader, at, total, cash) VALUES (?, ?, ?, ?)').run(trader, point.at, point.total, point.cash);
    this.thin(trader, point.at);
  }
  private readonly statements = new Map<string, Statement>();

  /** Statements prepared once per store: a commit batch records many points. */
  private sql(text: string): Statement {
    let statement = this.statements.get(text);
    if (!statement) this.statements.set(text, (statement = this.state.db.prepare(text)));
    return statement;
  }


  /** At most once per hour of data per trader: hourly beyond a week, nothing beyond a year. */
  private thin(trader: string, newestAt: number): void {
    const cutoff = hourlyCutoff(newestAt, this.policy.hourlyAfterMs);
    const done = (this.sql('SELECT through FROM equity_thinned WHERE trader = ?').get(trader) as { through: number } | undefined)?.through ?? Number.MIN_SAFE_INTEGER;
    if (cutoff <= done) return;
    this.sql(
      `DELETE FROM equity_series WHERE trader = :trader AND at >= :from AND at < :to AND at NOT IN
         (SELECT min(at) FROM equity_series WHERE trader = :trader AND at >= :from AND at < :to GROUP BY at / ${HOUR_MS})`,
    ).run({ trader, from: done, to: cutoff });
    this.sql('DELETE FROM equity_series WHERE trader = ? AND at < ?').run(trader, newestAt - this.policy.dropAfterMs);
    this.sql('INSERT INTO equity_thinned (trader, through) VALUES (?, ?) ON CONFLICT (trader) DO UPDATE SET through = excluded.through').run(trader, cutoff);
  }

  /** Points with at >= from (all when from is absent), oldest first. */
  points(trader: string, from?: number): EquityPoint[] {
    return this.sql('SELECT at, total, cash FROM equity_series WHERE trader = ? AND at >= ? ORDER BY at').all(trader, from ?? Number.MIN_SAFE_INTEGER) as EquityPoint[];
  }

  first(trader: string): EquityPoint | undefined {
    return this.sql('SELECT at, total, cash FROM equity_series WHERE trader = ? ORDER BY at LIMIT 1').get(trader) as EquityPoint | undefined;
  }

  /** The last point at or before `at`. */
  atOrBefore(trader: string, at: number): EquityPoint | undefined {
    return this.sql('SELECT at, total, cash FROM equity_series WHERE trader = ? AND at <= ? ORDER BY at DESC LIMIT 1').get(trader, at) as EquityPoint | undefined;
  }

  count(trader: string): number {
    return (this.sql('SELECT count(*) AS n FROM equity_series WHERE trader = ?').get(trader) as { n: number }).n;
  }

  traders(): string[] {
    return (this.sql('SELECT DISTINCT trader FROM equity_series ORDER BY trader').all() as { trader: string }[]).map((r) => r.trader);
  }
}
