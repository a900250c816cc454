import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gpuReader, parseNvidiaSmiCsv, preferredTemperature, type GpuQueryContext, type GpuReading } from '../../src/watchers/gpus';
import { ProcessProbe } from '../../src/watchers/ProcessProbe';
import { buildGpuHost, GPU_HOST_AMD_CARDS as AMD_CARDS } from '../support/fakeSysfs';
import { useTempDir } from '../support/tempDir';
import { waitFor } from '../support/waitFor';

const tempDir = useTempDir();
const sysfs = () => path.join(tempDir(), 'sys');
const bin = () => path.join(tempDir(), 'bin');
/** A PATH with the stub nvidia-smi first and the system's tools (sh, sleep) after it. */
const stubPath = () => `${bin()}:${process.env.PATH}`;

/** pids a stub wrote (the hanging one and its sleep): killed whatever the test's outcome. */
const strayPids = () => path.join(tempDir(), 'stray.pids');
afterEach(() => {
  if (!existsSync(strayPids())) return;
  for (const pid of readFileSync(strayPids(), 'utf8').split('\n').filter(Boolean)) {
    try {
      process.kill(Number(pid), 'SIGKILL');
    } catch {
      // already gone
    }
  }
});

/** A stub nvidia-smi: a sh script in bin/, which also records its arguments and environment. */
function stubNvidiaSmi(body: string): void {
  mkdirSync(bin(), { recursive: true });
  const file = path.join(bin(), 'nvidia-smi');
  writeFileSync(file, `#!/bin/sh\necho "$@" > "${tempDir()}/args"\nenv > "${tempDir()}/env"\n${body}\n`);
  chmodSync(file, 0o755);
}

const REAL_OUTPUT = ['0, NVIDIA GeForce RTX 3070, 99, 6200, 8192, 71', '1, Tesla T4, [N/A], 0, 15360, [Not Supported]', ''].join('\n');

/** One query as the probe makes it, with the failures it would log. */
async function query(options: Parameters<typeof gpuReader>[0], signal = new AbortController().signal): Promise<{ gpus: GpuReading[]; errors: string[] }> {
  const errors: string[] = [];
  const context: GpuQueryContext = { onError: (error) => errors.push((error as Error).message), signal };
  const gpus = await gpuReader(options)(context);
  return { gpus, errors };
}

describe('GPU reader', () => {
  it('reads AMD cards from sysfs in card order: junction temperature, VRAM in MiB, the product name or the PCI ids; skips connectors, other vendors and NVIDIA', async () => {
    buildGpuHost(sysfs());
    expect(await query({ sysfsRoot: sysfs(), pathEnv: bin() })).toEqual({ gpus: AMD_CARDS, errors: [] });
  });

  it('reports no GPU, silently, without a DRM class or an nvidia-smi', async () => {
    mkdirSync(bin());
    writeFileSync(path.join(bin(), 'nvidia-smi'), 'not executable\n'); // found, but not a program: skipped
    expect(await query({ sysfsRoot: path.join(tempDir(), 'nothing'), pathEnv: bin() })).toEqual({ gpus: [], errors: [] });
  });

  it("asks nvidia-smi when it is on PATH, after the AMD cards, [N/A] and [Not Supported] as nulls, without barista's secrets in its environment", async () => {
    buildGpuHost(sysfs());
    stubNvidiaSmi(`cat <<'EOF'\n${REAL_OUTPUT}EOF`);
    process.env.BARISTA_TEST_SECRET_TOKEN = 'do-not-pass-me';
    try {
      const { gpus, errors } = await query({ sysfsRoot: sysfs(), pathEnv: stubPath() });
      expect(errors).toEqual([]);
      expect(gpus).toEqual([
        ...AMD_CARDS,
        { index: 2, model: 'NVIDIA GeForce RTX 3070', utilizationPercent: 99, memoryUsedMb: 6200, memoryTotalMb: 8192, temperatureC: 71 },
        { index: 3, model: 'Tesla T4', utilizationPercent: null, memoryUsedMb: 0, memoryTotalMb: 15360, temperatureC: null },
      ]);
    } finally {
      delete process.env.BARISTA_TEST_SECRET_TOKEN;
    }
    expect(readFileSync(path.join(tempDir(), 'args'), 'utf8').trim()).toBe('--query-gpu=index,name,utilization.gpu,memory.used,memory.total,temperature.gpu --format=csv,noheader,nounits');
    const env = readFileSync(path.join(tempDir(), 'env'), 'utf8');
    expect(env).toContain(`PATH=${stubPath()}`);
    expect(env).not.toContain('BARISTA_TEST_SECRET_TOKEN');
  });

  it('reports an nvidia-smi that exits non-zero, with what it said, and keeps the AMD cards', async () => {
    buildGpuHost(sysfs());
    stubNvidiaSmi(`echo "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. Make sure that the latest NVIDIA driver is installed and running."\necho\nexit 9`);
    expect(await query({ sysfsRoot: sysfs(), pathEnv: stubPath() })).toEqual({
      gpus: AMD_CARDS,
      errors: ["nvidia-smi exited with code 9: NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. Make sure that the latest NVIDIA driver is installed and running."],
    });
  });

  it('kills an nvidia-smi that prints without end', async () => {
    stubNvidiaSmi('exec yes "0, NVIDIA GeForce RTX 3070, 99, 6200, 8192, 71"');
    expect(await query({ sysfsRoot: sysfs(), pathEnv: stubPath() })).toEqual({ gpus: [], errors: ['nvidia-smi printed more than 65536 bytes (killed)'] });
  });

  it('gives up on an nvidia-smi that hangs, even when a child of it holds its output open, and the probe keeps sampling', async () => {
    buildGpuHost(sysfs());
    // The sh waits on a sleep that inherited its stdout: killing the sh leaves the pipe open.
    stubNvidiaSmi(`echo $$ >> "${strayPids()}"\nsleep 600 &\necho $! >> "${strayPids()}"\nwait`);
    const probe = new ProcessProbe({ diskPath: tempDir(), gpuIntervalMs: 60_000, graphics: gpuReader({ sysfsRoot: sysfs(), pathEnv: stubPath(), timeoutMs: 300 }) });
    const errors: string[] = [];
    let samples = 0;
    probe.start(
      20,
      () => (samples += 1),
      (error) => errors.push((error as Error).message),
    );
    try {
      await waitFor(() => probe.sample().host.gpus, { what: 'the GPUs read' });
      expect(errors).toEqual(['nvidia-smi did not answer within 0.3 s (killed)']);
      expect(probe.sample().host.gpus).toEqual(AMD_CARDS);
      const shPid = Number(readFileSync(strayPids(), 'utf8').split('\n')[0]);
      await waitFor(() => !existsSync(`/proc/${shPid}`) || readFileSync(`/proc/${shPid}/stat`, 'utf8').includes(') Z '), { what: 'the hung nvidia-smi killed' });
      const after = samples;
      await waitFor(() => samples > after + 2, { what: 'samples after the timeout' });
    } finally {
      probe.stop();
    }
  });

  it('aborts a query in flight when the probe stops: the child killed, nothing reported', async () => {
    stubNvidiaSmi(`echo $$ >> "${strayPids()}"\nexec sleep 600`);
    const probe = new ProcessProbe({ diskPath: tempDir(), graphics: gpuReader({ sysfsRoot: sysfs(), pathEnv: stubPath(), timeoutMs: 60_000 }) });
    const errors: unknown[] = [];
    probe.start(
      1_000,
      () => undefined,
      (error) => errors.push(error),
    );
    const pid = await waitFor(() => existsSync(strayPids()) && Number(readFileSync(strayPids(), 'utf8').trim()), { what: 'nvidia-smi started' });
    probe.stop();
    await waitFor(() => !existsSync(`/proc/${pid}`) || readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z '), { what: 'the query killed on stop' });
    expect(errors).toEqual([]);
  });
});

describe('parseNvidiaSmiCsv', () => {
  it('takes the numbers from the end (a name may hold a comma), skips blank and short lines', () => {
    expect(parseNvidiaSmiCsv('3, Graphics Device, rev 2, 12, 100, 2000, 55.5\n\nNo devices were found\n')).toEqual([
      { nvidiaIndex: 3, model: 'Graphics Device, rev 2', utilizationPercent: 12, memoryUsedMb: 100, memoryTotalMb: 2000, temperatureC: 55.5 },
    ]);
  });
});

describe('preferredTemperature', () => {
  it('prefers junction, then edge, then the first sensor that reads; millidegrees to one decimal', () => {
    expect(preferredTemperature([{ label: 'edge', milliC: 50_000 }, { label: 'junction', milliC: 61_234 }])).toBe(61.2);
    expect(preferredTemperature([{ label: 'mem', milliC: 70_000 }, { label: 'edge', milliC: 50_000 }, { label: 'junction', milliC: null }])).toBe(50);
    expect(preferredTemperature([{ label: null, milliC: 42_000 }])).toBe(42);
    expect(preferredTemperature([])).toBeNull();
  });
});
