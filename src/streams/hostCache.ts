/**
 * The `host` cache entry: what the process probe last read of the machine, in the shape
 * commands read (snake_case, percentages rounded to 0.1). The process source writes it with
 * each tick; the read model maps it to the answers' HostView.
 */
import type { HostSnapshot } from '../watchers/ProcessProbe';

export interface HostCache {
  cpu_percent: number | null;
  cpu_count: number;
  memory: { total_bytes: number; available_bytes: number; used_percent: number | null } | null;
  disk: { path: string; total_bytes: number; free_bytes: number; used_percent: number | null } | null;
  /** Null until the GPU query first answers; [] without a GPU. */
  gpus: Array<{ index: number; model: string; utilization_percent: number | null; memory_used_mb: number | null; memory_total_mb: number | null; temperature_c: number | null }> | null;
  /** Raised alarms: `cpu`, `memory`, `disk`, `gpu_memory:0`… */
  alarms: string[];
}

export function hostCache(host: HostSnapshot, raised: string[]): HostCache {
  const percent = (part: number, whole: number) => (whole > 0 ? Math.round((1000 * part) / whole) / 10 : null);
  const { memory, disk } = host;
  return {
    cpu_percent: host.cpuPercent,
    cpu_count: host.cpuCount,
    memory: memory && { total_bytes: memory.totalBytes, available_bytes: memory.availableBytes, used_percent: percent(memory.totalBytes - memory.availableBytes, memory.totalBytes) },
    disk: disk && { path: disk.path, total_bytes: disk.totalBytes, free_bytes: disk.freeBytes, used_percent: percent(disk.usedBytes, disk.totalBytes) },
    gpus:
      host.gpus?.map((g) => ({
        index: g.index,
        model: g.model,
        utilization_percent: g.utilizationPercent,
        memory_used_mb: g.memoryUsedMb,
        memory_total_mb: g.memoryTotalMb,
        temperature_c: g.temperatureC,
      })) ?? null,
    alarms: raised,
  };
}
