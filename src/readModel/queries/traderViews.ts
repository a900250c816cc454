/**
 * The per-trader pieces several answers share: the trader's state from its process and
 * heartbeat, and its portfolio totals from its last bar and its equity series.
 */
import type { PortfolioTotals, TraderProcessView, TraderState } from '../answers';
import type { ReadModel } from '../ReadModel';
import { DEFAULT_STALE_GRACE_MS, heartbeatDeadlineMs, type Heartbeat } from '../../streams/heartbeat';
import type { CachedProcess } from '../../streams/processLifecycle';

const DAY_MS = 86_400_000;
/** A process list older than this is not a look at the host any more (the probe stopped). */
const PROBE_FRESH_MS = 5 * 60_000;

export interface TraderStateInput {
  /** The trader's process, when the probe saw one. */
  process: CachedProcess | null;
  /** Whether a recent process list exists at all (without one, no process means "unknown"). */
  probeFresh: boolean;
  heartbeat: Heartbeat | null;
  now: number;
  graceMs: number;
}

/** running / paused / stopped / stale / unknown, and why (pure). */
export function traderState(input: TraderStateInput): { state: TraderState; reason: string } {
  const { process, heartbeat, now } = input;
  const overdueS = heartbeat ? Math.round((now - heartbeatDeadlineMs(heartbeat, input.graceMs)) / 1000) : null;
  const stale = overdueS !== null && overdueS > 0;
  if (process?.paused) return { state: 'paused', reason: 'process stopped by a signal (state T)' };
  if (process) return stale ? { state: 'stale', reason: `process alive, heartbeat ${overdue(overdueS)} overdue` } : { state: 'running', reason: heartbeat ? 'process alive, heartbeat on time' : 'process alive' };
  if (input.probeFresh) return { state: 'stopped', reason: 'no process' };
  if (heartbeat) return stale ? { state: 'stale', reason: `heartbeat ${overdue(overdueS)} overdue` } : { state: 'running', reason: 'heartbeat on time (processes not watched)' };
  return { state: 'unknown', reason: 'no process source and no heartbeat' };
}

function overdue(seconds: number | null): string {
  const s = seconds ?? 0;
  if (s < 120) return `${s} s`;
  if (s < 7200) return `${Math.round(s / 60)} min`;
  return `${Math.round(s / 3600)} h`;
}

const parseTime = (text: string | null | undefined): number | null => {
  if (!text) return null;
  const ms = Date.parse(text);
  return Number.isFinite(ms) ? ms : null;
};

export function traderProcessView(model: ReadModel, trader: string): TraderProcessView {
  const now = model.now();
  const processes = model.processes();
  const process = processes?.value.find((p) => p.class === 'trader' && p.subject === trader) ?? null;
  const heartbeat = model.heartbeat(trader)?.value ?? null;
  const { state, reason } = traderState({ process, heartbeat, now, probeFresh: processes !== undefined && now - processes.updatedAt <= PROBE_FRESH_MS, graceMs: model.options.staleGraceMs ?? DEFAULT_STALE_GRACE_MS });
  return {
    trader,
    state,
    stateReason: reason,
    pid: process?.pid ?? heartbeat?.pid ?? null,
    startedAt: parseTime(process?.started_at),
    cpuPercent: process?.cpu_percent ?? null,
    rssBytes: process?.rss_bytes ?? null,
    lastPollAt: parseTime(heartbeat?.last_poll_completed ?? heartbeat?.timestamp),
    nextPollAt: parseTime(heartbeat?.next_poll_scheduled),
    pollCount: heartbeat?.poll_count ?? null,
    timeframe: heartbeat?.timeframe ?? process?.timeframe ?? null,
    tickers: heartbeat?.tickers ?? [],
    files: { log: process?.log_path ?? null, csv: process?.log_file ?? null, heartbeat: null, modelDir: process?.model_dir ?? null },
  };
}

const change = (now: number, then: number) => ({ amount: now - then, percent: then !== 0 ? ((now - then) / Math.abs(then)) * 100 : 0 });

/**
 * Totals from the trader's last bar; P&L against its first known point and against the last point
 * at or before 24 h before that bar (the trader's own day: a trader whose bars stopped a week ago
 * shows its last day's change, not a "0.00 % in 24 h" measured against the wall clock).
 */
export function portfolioTotals(model: ReadModel, trader: string): PortfolioTotals | null {
  const snapshot = model.portfolio(trader)?.value;
  if (!snapshot) return null;
  const at = Date.parse(snapshot.at);
  const first = model.equity.first(trader);
  const dayAgo = model.equity.atOrBefore(trader, at - DAY_MS);
  return {
    trader,
    at,
    total: snapshot.total,
    cash: snapshot.cash,
    invested: snapshot.total - snapshot.cash,
    pnlSinceStart: first && first.at < at ? { ...change(snapshot.total, first.total), since: first.at } : null,
    pnl24h: dayAgo ? change(snapshot.total, dayAgo.total) : null,
  };
}
