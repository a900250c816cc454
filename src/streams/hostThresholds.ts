/**
 * Host thresholds with hysteresis: `host.cpu_high` once when CPU has stayed at or above its
 * `raise` level for `for`, `host.cpu_ok` once when it has then stayed at or below its lower
 * `clear` level for `for`; nothing in between. The gap between the two levels and the holding
 * time both ways keep a value hovering around a level from flapping. Same for memory, the
 * workspace's disk (`host.disk_low`) and each GPU's memory and temperature.
 */
import { asyncScheduler, Observable, type OperatorFunction, type SchedulerLike } from '../rx';
import type { HostSnapshot } from '../watchers/ProcessProbe';
import type { EventDraft } from '../model/BaristaEvent';

export type HostMetric = 'cpu' | 'memory' | 'disk' | 'gpu_memory' | 'gpu_temperature';

export interface Threshold {
  /** Raise when the value is at or above this… */
  raise: number;
  /** …and clear when it is at or below this (≤ raise). */
  clear: number;
  /** …each for at least this long (0: at the first reading). */
  forMs: number;
}

/** Per metric; false (or absent) turns it off. */
export type HostThresholdConfig = Partial<Record<HostMetric, Threshold | false>>;

/** One value a threshold applies to. */
export interface HostMetricReading {
  /** What the alarm is about: the metric, or `gpu_memory:0` for one GPU's. */
  key: string;
  metric: HostMetric;
  value: number;
  /** Context for the event (available bytes, mount, GPU index and model…). */
  fields: Record<string, unknown>;
}

export interface HostAlarmDraft extends EventDraft {
  key: string;
  /** True for *_high / disk_low, false for *_ok. */
  raised: boolean;
  at: string;
}

const round1 = (v: number) => Math.round(v * 10) / 10;

/** The values thresholds apply to, from one look at the host (unknown values are left out). */
export function hostReadings(host: HostSnapshot): HostMetricReading[] {
  const readings: HostMetricReading[] = [];
  if (host.cpuPercent !== null) readings.push({ key: 'cpu', metric: 'cpu', value: host.cpuPercent, fields: { cpu_count: host.cpuCount } });
  if (host.memory && host.memory.totalBytes > 0) {
    const { totalBytes, availableBytes } = host.memory;
    readings.push({ key: 'memory', metric: 'memory', value: round1(100 * (1 - availableBytes / totalBytes)), fields: { available_bytes: availableBytes, total_bytes: totalBytes } });
  }
  if (host.disk && host.disk.totalBytes > 0) {
    const { path, totalBytes, freeBytes, usedBytes } = host.disk;
    readings.push({ key: 'disk', metric: 'disk', value: round1((100 * usedBytes) / totalBytes), fields: { path, free_bytes: freeBytes, total_bytes: totalBytes } });
  }
  for (const gpu of host.gpus ?? []) {
    const fields = { gpu: gpu.index, model: gpu.model };
    if (gpu.memoryUsedMb !== null && gpu.memoryTotalMb) {
      readings.push({ key: `gpu_memory:${gpu.index}`, metric: 'gpu_memory', value: round1((100 * gpu.memoryUsedMb) / gpu.memoryTotalMb), fields: { ...fields, memory_used_mb: gpu.memoryUsedMb, memory_total_mb: gpu.memoryTotalMb } });
    }
    if (gpu.temperatureC !== null) readings.push({ key: `gpu_temperature:${gpu.index}`, metric: 'gpu_temperature', value: gpu.temperatureC, fields });
  }
  return readings;
}

export interface HostThresholdOptions {
  /** Time source; tests pass a TestScheduler. */
  scheduler?: SchedulerLike;
  /** Alarms raised before a restart (the checkpoint): they clear, they are not raised again. */
  raised?: Iterable<string>;
}

interface AlarmState {
  raised: boolean;
  /** When the value first crossed toward the other state, in this streak. */
  since: number | null;
}

/**
 * Readings (one array per probe tick) → alarm drafts. A reading missing from a tick (a GPU
 * whose temperature could not be read) leaves its alarm as it was.
 */
export function hostThresholds(thresholds: HostThresholdConfig, options: HostThresholdOptions = {}): OperatorFunction<HostMetricReading[], HostAlarmDraft> {
  const scheduler = options.scheduler ?? asyncScheduler;
  return (readings$) =>
    new Observable<HostAlarmDraft>((subscriber) => {
      const alarms = new Map<string, AlarmState>();
      for (const key of options.raised ?? []) alarms.set(key, { raised: true, since: null });
      return readings$.subscribe({
        next: (readings) => {
          const now = scheduler.now();
          for (const reading of readings) {
            const threshold = thresholds[reading.metric];
            if (!threshold) continue;
            let alarm = alarms.get(reading.key);
            if (!alarm) alarms.set(reading.key, (alarm = { raised: false, since: null }));
            const crossing = alarm.raised ? reading.value <= threshold.clear : reading.value >= threshold.raise;
            if (!crossing) {
              alarm.since = null;
              continue;
            }
            alarm.since ??= now;
            if (now - alarm.since < threshold.forMs) continue;
            const heldMs = now - alarm.since;
            alarm.raised = !alarm.raised;
            alarm.since = null;
            subscriber.next(alarmDraft(reading, threshold, alarm.raised, heldMs, now));
          }
        },
        error: (error: unknown) => subscriber.error(error),
        complete: () => subscriber.complete(),
      });
    });
}

const RAISED_TYPE: Record<HostMetric, string> = {
  cpu: 'host.cpu_high',
  memory: 'host.memory_high',
  disk: 'host.disk_low',
  gpu_memory: 'host.gpu_memory_high',
  gpu_temperature: 'host.gpu_temperature_high',
};

const CLEARED_TYPE: Record<HostMetric, string> = {
  cpu: 'host.cpu_ok',
  memory: 'host.memory_ok',
  disk: 'host.disk_ok',
  gpu_memory: 'host.gpu_memory_ok',
  gpu_temperature: 'host.gpu_temperature_ok',
};

const gigabytes = (bytes: unknown) => (typeof bytes === 'number' ? `${(bytes / 1e9).toFixed(1)} GB` : '?');
const held = (ms: number) => (ms >= 120_000 ? `${Math.round(ms / 60_000)} min` : `${Math.round(ms / 1000)} s`);

function describe(reading: HostMetricReading): string {
  const { fields, value } = reading;
  switch (reading.metric) {
    case 'cpu':
      return `CPU ${value}% busy (${fields.cpu_count} cores)`;
    case 'memory':
      return `memory ${value}% used (${gigabytes(fields.available_bytes)} available of ${gigabytes(fields.total_bytes)})`;
    case 'disk':
      return `disk of ${fields.path} ${value}% full (${gigabytes(fields.free_bytes)} free of ${gigabytes(fields.total_bytes)})`;
    case 'gpu_memory':
      return `GPU ${fields.gpu} (${fields.model}) memory ${value}% used`;
    case 'gpu_temperature':
      return `GPU ${fields.gpu} (${fields.model}) at ${value} °C`;
  }
}

function alarmDraft(reading: HostMetricReading, threshold: Threshold, raised: boolean, heldMs: number, nowMs: number): HostAlarmDraft {
  const unit = reading.metric === 'gpu_temperature' ? ' °C' : '%';
  const text = raised
    ? `${capitalize(describe(reading))}: at or above ${threshold.raise}${unit}${heldMs > 0 ? ` for ${held(heldMs)}` : ''}.`
    : `${capitalize(describe(reading))}: back at or below ${threshold.clear}${unit}${heldMs > 0 ? ` for ${held(heldMs)}` : ''}.`;
  return {
    key: reading.key,
    raised,
    type: raised ? RAISED_TYPE[reading.metric] : CLEARED_TYPE[reading.metric],
    severity: raised ? 'warning' : 'info',
    at: new Date(nowMs).toISOString(),
    fields: { metric: reading.metric, value: reading.value, raise: threshold.raise, clear: threshold.clear, for_s: threshold.forMs / 1000, held_s: Math.round(heldMs / 1000), ...reading.fields },
    text,
  };
}

const capitalize = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);
