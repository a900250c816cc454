import { TestScheduler } from 'rxjs/testing';
import { hostReadings, hostThresholds, type HostMetricReading, type HostThresholdConfig } from '../../src/streams/hostThresholds';
import type { HostSnapshot } from '../../src/watchers/ProcessProbe';

const TICK = 10_000;
const S = 1000;
const CPU = { raise: 90, clear: 80, forMs: TICK }; // two consecutive ticks
const LETTERS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';

const cpu = (value: number): HostMetricReading => ({ key: 'cpu', metric: 'cpu', value, fields: { cpu_count: 2 } });
const gpuMemory = (index: number, value: number): HostMetricReading => ({ key: `gpu_memory:${index}`, metric: 'gpu_memory', value, fields: { gpu: index, model: 'AMD Radeon' } });

/**
 * Runs the operator on virtual time over one sample every 10 s and returns what it raised and
 * cleared as "<seconds>s <type> <value>".
 */
function alarms(samples: HostMetricReading[][], thresholds: HostThresholdConfig, raised: string[] = []): string[] {
  const scheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
  const seen: string[] = [];
  scheduler.run(({ hot, flush }) => {
    const marbles = samples.map((_, i) => LETTERS[i]).join(` ${TICK - 1}ms `);
    const values = Object.fromEntries(samples.map((sample, i) => [LETTERS[i], sample]));
    hot(marbles, values)
      .pipe(hostThresholds(thresholds, { scheduler, raised }))
      .subscribe((draft) => seen.push(`${scheduler.now() / S}s ${draft.type} ${draft.fields.value}${draft.fields.gpu !== undefined ? ` gpu${draft.fields.gpu}` : ''}`));
    flush();
  });
  return seen;
}

describe('host thresholds with hysteresis (virtual time, one sample every 10 s)', () => {
  it('raises after two ticks at or above the level, holds between the levels, clears after two ticks at or below the lower one', () => {
    expect(alarms([85, 95, 92, 85, 81, 79, 75, 70].map((v) => [cpu(v)]), { cpu: CPU })).toEqual(['20s host.cpu_high 92', '60s host.cpu_ok 75']);
  });

  it('does not flap on spikes or on a value hovering around a level', () => {
    // Spikes never last two ticks: no alarm.
    expect(alarms([95, 70, 95, 70, 95, 70, 95].map((v) => [cpu(v)]), { cpu: CPU })).toEqual([]);
    // Once raised, a value hovering around 90 stays raised; a single dip below 80 does not clear.
    expect(alarms([95, 95, 89, 91, 88, 92, 79, 91, 89].map((v) => [cpu(v)]), { cpu: CPU })).toEqual(['10s host.cpu_high 95']);
  });

  it('holds for a duration: for 30 s at 10 s ticks is four readings', () => {
    const slow = { cpu: { ...CPU, forMs: 30 * S } };
    expect(alarms([95, 95, 95, 80, 95, 95, 95, 95, 50, 50, 50, 50].map((v) => [cpu(v)]), slow)).toEqual(['70s host.cpu_high 95', '110s host.cpu_ok 50']);
  });

  it('with for 0 raises and clears at the first reading (the disk)', () => {
    const disk = (value: number): HostMetricReading => ({ key: 'disk', metric: 'disk', value, fields: { path: '/opt', free_bytes: 1e9, total_bytes: 1e10 } });
    expect(alarms([[disk(89)], [disk(91)], [disk(88)], [disk(84)]], { disk: { raise: 90, clear: 85, forMs: 0 } })).toEqual(['10s host.disk_low 91', '30s host.disk_ok 84']);
  });

  it('resumes the alarms raised before a restart: no second raise, one clear', () => {
    expect(alarms([95, 95, 95, 70, 70].map((v) => [cpu(v)]), { cpu: CPU }, ['cpu'])).toEqual(['40s host.cpu_ok 70']);
  });

  it('keeps each GPU apart, and a GPU missing from a tick keeps its state', () => {
    const t = { gpu_memory: { raise: 95, clear: 85, forMs: TICK } };
    const samples = [[gpuMemory(0, 96), gpuMemory(1, 50)], [gpuMemory(0, 97), gpuMemory(1, 96)], [gpuMemory(1, 97)], [gpuMemory(0, 80)], [gpuMemory(0, 80), gpuMemory(1, 80)], [gpuMemory(1, 80)]];
    expect(alarms(samples, t)).toEqual(['10s host.gpu_memory_high 97 gpu0', '20s host.gpu_memory_high 97 gpu1', '40s host.gpu_memory_ok 80 gpu0', '50s host.gpu_memory_ok 80 gpu1']);
  });

  it('ignores a metric that is turned off', () => {
    expect(alarms([99, 99, 99].map((v) => [cpu(v)]), { cpu: false })).toEqual([]);
  });

  it('says what crossed, in words and fields', () => {
    const scheduler = new TestScheduler(() => undefined);
    scheduler.run(({ hot, flush }) => {
      const drafts: { text?: string; fields: Record<string, unknown>; severity: string }[] = [];
      hot('a 9999ms b', { a: [cpu(93.5)], b: [cpu(95)] })
        .pipe(hostThresholds({ cpu: CPU }, { scheduler }))
        .subscribe((d) => drafts.push(d));
      flush();
      expect(drafts).toEqual([
        expect.objectContaining({ severity: 'warning', text: 'CPU 95% busy (2 cores): at or above 90% for 10 s.', fields: expect.objectContaining({ metric: 'cpu', value: 95, raise: 90, clear: 80, for_s: 10, held_s: 10 }) }),
      ]);
    });
  });
});

describe('host readings', () => {
  it('turns a probe snapshot into percentages, leaving out what is unknown', () => {
    const host: HostSnapshot = {
      cpuPercent: 42.5,
      cpuCount: 16,
      memory: { totalBytes: 64e9, availableBytes: 16e9 },
      disk: { path: '/opt', totalBytes: 1e12, freeBytes: 100e9, usedBytes: 900e9 },
      gpus: [
        { index: 0, model: 'AMD Radeon RX 7900', utilizationPercent: 99, memoryUsedMb: 23000, memoryTotalMb: 24000, temperatureC: 82 },
        { index: 1, model: 'Virtual VGA', utilizationPercent: null, memoryUsedMb: null, memoryTotalMb: null, temperatureC: null },
      ],
    };
    expect(hostReadings(host).map((r) => [r.key, r.value])).toEqual([
      ['cpu', 42.5],
      ['memory', 75],
      ['disk', 90],
      ['gpu_memory:0', 95.8],
      ['gpu_temperature:0', 82],
    ]);
    expect(hostReadings({ cpuPercent: null, cpuCount: 1, memory: null, disk: null, gpus: null })).toEqual([]);
  });
});
