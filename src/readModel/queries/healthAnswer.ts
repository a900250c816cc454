/** `/health`: barista itself — version, uptime, each source's lag and last error, the outbox. */
import type { HealthAnswer, RefusedDestinationView, SourceHealthView } from '../answers';
import type { DestinationRefusal } from '../../state/OutboxStore';
import type { ReadModel } from '../ReadModel';
import type { SourceHealth } from '../../streams/sourceHealth';

/** What only the running process knows. */
export interface RuntimeInfo {
  version: string;
  /** When the running barista started (epoch ms); null when none runs (asked from the host). */
  startedAt: number | null;
  /** 429s met by the Discord senders since the start (asked when the answer is made); null when only the process knows. */
  rateLimitHits(): number | null;
}

export function sourceHealthView(health: SourceHealth, now: number): SourceHealthView {
  const lastError = health.last_error;
  return {
    id: health.source,
    type: health.type,
    follows: health.follows,
    lagS: health.newest_data_at === null ? null : Math.max(0, Math.round((now - health.newest_data_at) / 1000)),
    lastError,
    // An error followed by a successful commit is history, not a problem now.
    ok: lastError === null || (health.committed_at !== null && health.committed_at > lastError.at),
  };
}

/** Each source's health: the configured ones when known (one not committed yet is fine, with nothing to show), else every record. */
export function sourcesHealth(model: ReadModel): SourceHealthView[] {
  const now = model.now();
  const records = new Map(model.sourceHealth().map((h) => [h.id, sourceHealthView(h.value, now)]));
  const configured = model.options.sources;
  if (!configured) return [...records.values()];
  return configured.map((s) => records.get(s.id) ?? { id: s.id, type: s.type, follows: s.follows, lagS: null, lastError: null, ok: true });
}

export function refusedViews(refused: readonly DestinationRefusal[], now: number): RefusedDestinationView[] {
  return refused.map((r) => ({ destination: r.destination, channels: r.channels, sinceS: Math.max(0, Math.round((now - r.since) / 1000)), error: r.error }));
}

function ageS(at: number | null, now: number): number | null {
  return at === null ? null : Math.max(0, Math.round((now - at) / 1000));
}

export function healthAnswer(model: ReadModel, runtime: RuntimeInfo): HealthAnswer {
  const now = model.now();
  const outbox = model.outbox();
  return {
    kind: 'health',
    now,
    version: runtime.version,
    uptimeS: runtime.startedAt === null ? null : Math.max(0, Math.round((now - runtime.startedAt) / 1000)),
    stateFileBytes: model.stateFileBytes(),
    sources: sourcesHealth(model),
    outbox: {
      pending: outbox.pending,
      oldestPendingS: ageS(outbox.oldestPendingAt, now),
      rejected: outbox.rejected,
      rateLimitHits: runtime.rateLimitHits(),
      refused: refusedViews(outbox.refused, now),
      destinations: outbox.destinations.map((d) => ({ destination: d.destination, pending: d.pending, oldestPendingS: ageS(d.oldestPendingAt, now), rejected: d.rejected })),
    },
  };
}
