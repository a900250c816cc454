/**
 * The `source-health:<source>` cache entry: what a source last committed and its last error,
 * written by the source components so `/health` and `barista status` can tell a source that
 * follows its files from one that stopped — without asking the running components.
 */

export interface SourceHealth {
  source: string;
  /** rules.yaml `type:` of the source. */
  type: string;
  /** What it follows, in a few words ("paper_trades/*session*.csv"). */
  follows: string;
  /** When it last committed (barista's clock, epoch ms). */
  committed_at: number | null;
  /** The newest data time among what it committed (epoch ms), null until it committed an event. */
  newest_data_at: number | null;
  last_error: { at: number; message: string } | null;
}

/** The record after a commit at `now` of events whose newest time is `newestDataAt` (null: none). */
export function healthAfterCommit(previous: SourceHealth | null, base: { source: string; type: string; follows: string }, now: number, newestDataAt: number | null): SourceHealth {
  const newest = Math.max(previous?.newest_data_at ?? -Infinity, newestDataAt ?? -Infinity);
  return { ...base, committed_at: now, newest_data_at: Number.isFinite(newest) ? newest : null, last_error: previous?.last_error ?? null };
}

/** The record after an error at `now`. */
export function healthAfterError(previous: SourceHealth | null, base: { source: string; type: string; follows: string }, now: number, message: string): SourceHealth {
  return { ...base, committed_at: previous?.committed_at ?? null, newest_data_at: previous?.newest_data_at ?? null, last_error: { at: now, message } };
}
