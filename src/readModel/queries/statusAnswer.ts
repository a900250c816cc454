/** `/status` and `barista status`: every trader, the training, the host and barista itself in one answer. */
import type { HostView, StatusAnswer } from '../answers';
import type { Cached } from '../catalogue';
import type { ReadModel } from '../ReadModel';
import type { HostCache } from '../../streams/hostCache';
import { refusedViews, sourcesHealth } from './healthAnswer';
import { finiteOrNull, studyStatusView, trainingWorkers } from './trainingStatusAnswer';
import { portfolioTotals, traderProcessView } from './traderViews';

export function statusAnswer(model: ReadModel): StatusAnswer {
  const now = model.now();
  const sources = sourcesHealth(model);
  const outbox = model.outbox();
  const host = model.host();
  return {
    kind: 'status',
    now,
    traders: model.traderNames().map((trader) => ({ process: traderProcessView(model, trader), portfolio: portfolioTotals(model, trader) })),
    training: {
      workers: trainingWorkers(model),
      studies: model.studies().map(({ value }) => {
        const { study, direction, counts, running, target, etaS } = studyStatusView(value, now);
        return { study, direction, counts, running, target, etaS, bestValue: value.best ? finiteOrNull(value.best.value) : null, bestNumber: value.best?.number ?? null };
      }),
    },
    host: host ? hostView(host) : null,
    barista: {
      sourcesOk: sources.filter((s) => s.ok).length,
      sourcesTotal: sources.length,
      outboxPending: outbox.pending,
      oldestPendingS: outbox.oldestPendingAt === null ? null : Math.max(0, Math.round((now - outbox.oldestPendingAt) / 1000)),
      refused: refusedViews(outbox.refused, now),
    },
  };
}

/** The process source's `host` cache as the answers show it (the cache's own names stay snake_case). */
export function hostView(cached: Cached<HostCache>): HostView {
  const host = cached.value;
  const at = cached.at === null ? NaN : Date.parse(cached.at);
  return {
    at: Number.isFinite(at) ? at : cached.updatedAt,
    cpuPercent: host.cpu_percent,
    cpuCount: host.cpu_count,
    memory: host.memory && { usedPercent: host.memory.used_percent, totalBytes: host.memory.total_bytes },
    disk: host.disk && { path: host.disk.path, usedPercent: host.disk.used_percent, freeBytes: host.disk.free_bytes },
    gpus: (host.gpus ?? []).map((g) => ({ index: g.index, model: g.model, utilizationPercent: g.utilization_percent, memoryUsedMb: g.memory_used_mb, memoryTotalMb: g.memory_total_mb, temperatureC: g.temperature_c })),
  };
}
