/**
 * The host's GPUs, read directly: AMD cards from the amdgpu driver's sysfs files (plain file
 * reads, no subprocess: the Cappuccino host runs ROCm), NVIDIA cards from one nvidia-smi query
 * when nvidia-smi is on PATH. Other vendors (an Intel iGPU, a virtual display) have no such
 * counters and are not reported.
 *
 * amdgpu (kernel Documentation/gpu/amdgpu): under /sys/class/drm/cardN/device/, `vendor`
 * 0x1002, `gpu_busy_percent` (%), `mem_info_vram_used` / `mem_info_vram_total` (bytes),
 * `product_name` (only on cards with a FRU EEPROM, often empty), and hwmon's
 * `temp[1-3]_input` (millidegrees C) labelled by `temp[1-3]_label`: edge, junction, mem.
 * These reads go to the driver, which may stall on a card in reset: they are asynchronous (a
 * stall holds one libuv thread, not barista's event loop) and one at a time (the probe never
 * starts a query while one is pending, so at most one thread is ever held).
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { findOnPath, runBounded } from './runBounded';

export interface GpuReading {
  index: number;
  model: string;
  utilizationPercent: number | null;
  memoryUsedMb: number | null;
  memoryTotalMb: number | null;
  temperatureC: number | null;
}

/** What a GPU query is given by the probe: failures worth a log line, and shutdown. */
export interface GpuQueryContext {
  onError: (error: unknown) => void;
  signal: AbortSignal;
}

export interface GpuReaderOptions {
  /** Default `/sys`. */
  sysfsRoot?: string;
  /** Where nvidia-smi is looked for; default this process's PATH. */
  pathEnv?: string;
  /** Default 10 s. */
  timeoutMs?: number;
}

const AMD = '0x1002';
const NVIDIA_SMI_FIELDS = 'index,name,utilization.gpu,memory.used,memory.total,temperature.gpu';
/** A line per GPU of about 60 bytes: this allows hundreds. */
const NVIDIA_SMI_MAX_OUTPUT = 64 * 1024;
/** What nvidia-smi may see of barista's environment: its libraries' places, not barista's secrets. */
const NVIDIA_SMI_ENV = ['PATH', 'HOME', 'LANG', 'LD_LIBRARY_PATH'];

/** A reader for ProcessProbe's `graphics`: AMD cards first, then NVIDIA's, indexed in that order. */
export function gpuReader(options: GpuReaderOptions = {}): (context: GpuQueryContext) => Promise<GpuReading[]> {
  return async ({ onError, signal }) => {
    const amd = await readAmdGpus(options.sysfsRoot ?? '/sys');
    // A failing nvidia-smi (no driver loaded, a hang) costs its cards, not the AMD ones.
    const nvidia = await readNvidiaGpus(options, signal).catch((error: unknown) => {
      if (!signal.aborted) onError(error);
      return [];
    });
    return [
      ...amd.map((gpu, index) => ({ index, ...gpu })),
      ...nvidia.map(({ nvidiaIndex, ...gpu }, position) => ({ index: amd.length + (nvidiaIndex ?? position), ...gpu })),
    ];
  };
}

/** AMD cards in card-number order; a file that cannot be read is a null, never a throw. */
export async function readAmdGpus(sysfsRoot: string): Promise<Array<Omit<GpuReading, 'index'>>> {
  const drm = path.join(sysfsRoot, 'class', 'drm');
  const cards = (await listDir(drm))
    .map((name) => ({ name, number: /^card(\d+)$/.exec(name)?.[1] })) // not card0-DP-1 (a connector), not renderD128
    .filter((card): card is { name: string; number: string } => card.number !== undefined)
    .sort((a, b) => Number(a.number) - Number(b.number));
  const gpus: Array<Omit<GpuReading, 'index'>> = [];
  for (const card of cards) {
    const device = path.join(drm, card.name, 'device');
    const attribute = (name: string) => readAttribute(path.join(device, name));
    const vendor = (await attribute('vendor'))?.toLowerCase();
    if (vendor !== AMD) continue; // NVIDIA's come from nvidia-smi; others have no counters
    const model = (await attribute('product_name')) || `AMD GPU ${vendor.slice(2)}:${(await attribute('device'))?.replace(/^0x/i, '') ?? '?'}`;
    gpus.push({
      model,
      utilizationPercent: sysfsInteger(await attribute('gpu_busy_percent')),
      memoryUsedMb: toMb(sysfsInteger(await attribute('mem_info_vram_used'))),
      memoryTotalMb: toMb(sysfsInteger(await attribute('mem_info_vram_total'))),
      temperatureC: preferredTemperature(await readTemperatures(path.join(device, 'hwmon'))),
    });
  }
  return gpus;
}

export interface TemperatureSensor {
  label: string | null;
  milliC: number | null;
}

/** Junction (the hottest point, what rocm-smi shows), else edge, else the first that reads. */
export function preferredTemperature(sensors: TemperatureSensor[]): number | null {
  const readable = sensors.filter((s): s is TemperatureSensor & { milliC: number } => s.milliC !== null);
  const chosen = readable.find((s) => s.label === 'junction') ?? readable.find((s) => s.label === 'edge') ?? readable[0];
  return chosen ? Math.round(chosen.milliC / 100) / 10 : null;
}

/** Every hwmon folder's temp<N>_input with its label, in sensor-number order. */
async function readTemperatures(hwmonRoot: string): Promise<TemperatureSensor[]> {
  const sensors: Array<TemperatureSensor & { n: number }> = [];
  for (const hwmon of (await listDir(hwmonRoot)).filter((name) => /^hwmon\d+$/.test(name))) {
    const dir = path.join(hwmonRoot, hwmon);
    for (const file of await listDir(dir)) {
      const n = /^temp(\d+)_input$/.exec(file)?.[1];
      if (n === undefined) continue;
      const label = (await readAttribute(path.join(dir, `temp${n}_label`)))?.toLowerCase() ?? null;
      sensors.push({ n: Number(n), label, milliC: sysfsInteger(await readAttribute(path.join(dir, file))) });
    }
  }
  return sensors.sort((a, b) => a.n - b.n).map(({ label, milliC }) => ({ label, milliC }));
}

interface NvidiaReading extends Omit<GpuReading, 'index'> {
  nvidiaIndex: number | null;
}

async function readNvidiaGpus(options: GpuReaderOptions, signal: AbortSignal): Promise<NvidiaReading[]> {
  const pathEnv = options.pathEnv ?? process.env.PATH;
  const smi = findOnPath('nvidia-smi', pathEnv);
  if (!smi) return []; // no NVIDIA driver tools: nothing to ask
  const env: Record<string, string> = { LC_ALL: 'C' };
  for (const name of NVIDIA_SMI_ENV) {
    const value = name === 'PATH' ? pathEnv : process.env[name];
    if (value !== undefined) env[name] = value;
  }
  const output = await runBounded(smi, [`--query-gpu=${NVIDIA_SMI_FIELDS}`, '--format=csv,noheader,nounits'], {
    timeoutMs: options.timeoutMs ?? 10_000,
    maxOutputBytes: NVIDIA_SMI_MAX_OUTPUT,
    env,
    signal,
  });
  return parseNvidiaSmiCsv(output);
}

/**
 * `nvidia-smi --query-gpu=index,name,utilization.gpu,memory.used,memory.total,temperature.gpu
 * --format=csv,noheader,nounits`: a line per GPU, `0, NVIDIA GeForce RTX 3070, 99, 6200, 8192, 71`
 * (MiB, °C); a value the card does not give reads `[N/A]` or `[Not Supported]` → null.
 */
export function parseNvidiaSmiCsv(text: string): NvidiaReading[] {
  const gpus: NvidiaReading[] = [];
  for (const line of text.split('\n')) {
    const cells = line.split(',').map((cell) => cell.trim());
    if (cells.length < 6) continue;
    // The four numbers are the last cells: a name holding a comma stays whole.
    const [used, total, temperature] = cells.slice(-3).map(csvNumber);
    gpus.push({
      nvidiaIndex: csvNumber(cells[0]),
      model: cells.slice(1, -4).join(', ') || 'NVIDIA GPU',
      utilizationPercent: csvNumber(cells[cells.length - 4]),
      memoryUsedMb: used,
      memoryTotalMb: total,
      temperatureC: temperature,
    });
  }
  return gpus;
}

const csvNumber = (cell: string): number | null => (/^-?\d+(\.\d+)?$/.test(cell) ? Number(cell) : null);

/** A sysfs integer attribute ("42\n"); anything else is null. */
const sysfsInteger = (text: string | null): number | null => (text !== null && /^-?\d+$/.test(text) ? Number(text) : null);

const toMb = (bytes: number | null): number | null => (bytes === null ? null : Math.round(bytes / 2 ** 20));

/** One sysfs attribute, trimmed; null when absent or unreadable (EACCES, EIO from a card in reset). */
async function readAttribute(file: string): Promise<string | null> {
  try {
    return (await readFile(file, 'utf8')).trim();
  } catch {
    return null;
  }
}

async function listDir(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch {
    return [];
  }
}
