import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { readLastLines } from '../../src/watchers/lastLines';
import { ProcessProbe, type ProcessReading } from '../../src/watchers/ProcessProbe';
import { useTempDir } from '../support/tempDir';
import { waitFor } from '../support/waitFor';

const tempDir = useTempDir();
let children: ChildProcess[] = [];

afterEach(async () => {
  await Promise.all(
    children.map((child) => {
      if (child.exitCode !== null || child.signalCode !== null) return undefined;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      return exited;
    }),
  );
  children = [];
});

async function start(args: string[], stdoutFile?: string): Promise<ChildProcess> {
  const out = stdoutFile ? openSync(stdoutFile, 'a') : 'ignore';
  const child = spawn('/usr/bin/python3', args, { cwd: tempDir(), stdio: ['ignore', out, out] });
  if (typeof out === 'number') closeSync(out);
  children.push(child);
  await new Promise<void>((resolve, reject) => child.once('spawn', resolve).once('error', reject));
  return child;
}

const find = (probe: ProcessProbe, pid: number | undefined): ProcessReading | undefined => probe.sample().processes.find((p) => p.pid === pid);

describe('ProcessProbe', () => {
  it('reads argv (NUL-separated, spaces kept), parent, start time, state, CPU and RSS from /proc', async () => {
    const probe = new ProcessProbe({ diskPath: tempDir(), graphics: async () => [] });
    const before = Date.now();
    // Busy for a while, then asleep: CPU % has something to measure.
    const child = await start(['-u', '-c', 'import time\nend = time.time() + 0.4\nwhile time.time() < end: pass\ntime.sleep(600)', 'an argument with spaces', '--x=1']);
    const first = await waitFor(() => find(probe, child.pid), { what: 'the child in /proc' });
    expect(first).toMatchObject({ ppid: process.pid, argv: ['/usr/bin/python3', '-u', '-c', expect.any(String), 'an argument with spaces', '--x=1'], cpuPercent: null });
    // /proc's start time has tick precision; boot time, one second.
    expect(first.startedAtMs).toBeGreaterThanOrEqual(before - 2_000);
    expect(first.startedAtMs).toBeLessThanOrEqual(Date.now() + 2_000);
    expect(first.rssBytes).toBeGreaterThan(1_000_000);

    const busy = await waitFor(() => (find(probe, child.pid)?.cpuPercent ?? 0) > 0, { what: 'CPU use measured between two ticks' });
    expect(busy).toBe(true);

    child.kill('SIGSTOP');
    await waitFor(() => find(probe, child.pid)?.state === 'T', { what: 'state T after SIGSTOP' });
    child.kill('SIGCONT');
    await waitFor(() => find(probe, child.pid)?.state === 'S', { what: 'sleeping again after SIGCONT' });
  });

  it("names the file a process's stdout goes to, and its cwd, but not /dev/null", async () => {
    const probe = new ProcessProbe({ diskPath: tempDir(), graphics: async () => [] });
    const log = path.join(tempDir(), 'out.log');
    const toFile = await start(['-c', 'import time; time.sleep(600)'], log);
    const toNowhere = await start(['-c', 'import time; time.sleep(600)']);
    expect(probe.details(toFile.pid!)).toEqual({ cwd: tempDir(), stdout: log });
    expect(probe.details(toNowhere.pid!)).toEqual({ cwd: tempDir(), stdout: null });
    expect(probe.details(2 ** 22 + 1)).toEqual({ cwd: null, stdout: null }); // no such process
  });

  it('reads the host: CPU between ticks, memory, the disk of the nearest existing folder, GPUs when reported', async () => {
    const probe = new ProcessProbe({ diskPath: path.join(tempDir(), 'not', 'yet'), graphics: async () => [{ index: 0, model: 'Test GPU', utilizationPercent: 5, memoryUsedMb: 100, memoryTotalMb: 1000, temperatureC: 40 }] });
    expect(probe.sample().host.gpus).toBeNull(); // not started: GPUs not asked yet
    const samples: number[] = [];
    probe.start(50, (s) => s.host.cpuPercent !== null && samples.push(s.host.cpuPercent), () => undefined);
    try {
      await waitFor(() => samples.length > 0, { what: 'a host CPU reading' });
      const { host } = probe.sample();
      expect(samples[0]).toBeGreaterThanOrEqual(0);
      expect(samples[0]).toBeLessThanOrEqual(100);
      expect(host.memory!.availableBytes).toBeLessThanOrEqual(host.memory!.totalBytes);
      expect(host.disk).toMatchObject({ path: tempDir() });
      expect(host.disk!.freeBytes).toBeLessThanOrEqual(host.disk!.totalBytes);
      expect(host.gpus).toEqual([expect.objectContaining({ model: 'Test GPU' })]);
    } finally {
      probe.stop();
    }
  });

  it('tolerates a GPU query that fails: no GPUs, the error reported', async () => {
    const probe = new ProcessProbe({ diskPath: tempDir(), graphics: async () => Promise.reject(new Error('no lspci')) });
    const errors: unknown[] = [];
    probe.start(1_000, () => undefined, (error) => errors.push(error));
    try {
      await waitFor(() => errors.length > 0, { what: 'the GPU error' });
      expect(probe.sample().host.gpus).toEqual([]);
    } finally {
      probe.stop();
    }
  });
});

describe('readLastLines', () => {
  it('returns the last lines as rules see them, from the end of a big file', () => {
    const file = path.join(tempDir(), 'worker.log');
    const filler = Array.from({ length: 5000 }, (_, i) => `filler line ${i} ${'x'.repeat(40)}`).join('\n');
    writeFileSync(file, `${filler}\n\x1b[92mTrial #57 Results:\x1b[0m\nBest trial: 41:  12%|█▏ | 58/500\rBest trial: 41:  12%|█▏ | 59/500\n\nExiting worker process (PID 17734) with exit code 42...\n`);
    expect(readLastLines(file, 4)).toEqual(['Trial #57 Results:', 'Best trial: 41:  12%|█▏ | 58/500', 'Best trial: 41:  12%|█▏ | 59/500', 'Exiting worker process (PID 17734) with exit code 42...']);
    expect(readLastLines(file, 20)).toHaveLength(20);
    expect(readLastLines(path.join(tempDir(), 'missing.log'), 5)).toBeNull();
    writeFileSync(file, '');
    expect(readLastLines(file, 5)).toEqual([]);
  });
});
