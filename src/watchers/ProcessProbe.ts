/**
 * The process probe (I/O only): every tick, what runs on this host and how the host is doing.
 *
 * Processes come from /proc directly rather than from systeminformation, which spawns `ps`
 * and reads more than needed: one read of /proc/<pid>/stat per process per tick (state, parent,
 * start time, CPU ticks, RSS), and /proc/<pid>/cmdline only when a process is new or has
 * exec'd (its executable name changed). Host CPU from /proc/stat, memory from /proc/meminfo,
 * the workspace's filesystem by statfs; GPUs from ./gpus (amdgpu's sysfs files, nvidia-smi, which
 * may take seconds), so rarely and in the background, and an empty list when there is none.
 */
import { closeSync, existsSync, openSync, readdirSync, readFileSync, readlinkSync, readSync, statfsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gpuReader, type GpuQueryContext, type GpuReading } from './gpus';

export type { GpuReading } from './gpus';

/**
 * The unit of /proc's tick counts (USER_HZ). The kernel fixes it at 100 on every mainstream
 * architecture precisely so that /proc stays stable; reading it needs sysconf, which Node lacks.
 */
const USER_HZ = 100;

export interface ProcessReading {
  pid: number;
  ppid: number;
  /** The executable's name (stat field 2, at most 15 bytes); it changes on exec. */
  comm: string;
  /** /proc/<pid>/cmdline split on NUL; empty for kernel threads and zombies. */
  argv: string[];
  /** Clock ticks after boot (stat field 22): with the boot id and pid, names the process. */
  startTicks: number;
  /** When it started, ms since epoch (boot time + startTicks). */
  startedAtMs: number;
  /** stat field 3: R running, S sleeping, D disk wait, T stopped (SIGSTOP), t traced, Z zombie, I idle. */
  state: string;
  /** CPU use since the previous tick, in % of one core (top's convention); null when first seen. */
  cpuPercent: number | null;
  rssBytes: number;
}

export interface HostSnapshot {
  /** All cores busy since the previous tick, in %; null on the first tick. */
  cpuPercent: number | null;
  cpuCount: number;
  memory: { totalBytes: number; availableBytes: number } | null;
  /** The filesystem holding the workspace (df's used = total - free, over what users may use). */
  disk: { path: string; totalBytes: number; freeBytes: number; usedBytes: number } | null;
  /** Null until the GPUs are first read; [] when there is none. */
  gpus: GpuReading[] | null;
}

export interface ProbeSample {
  /** ms since epoch. */
  at: number;
  /** /proc/sys/kernel/random/boot_id: pid + start ticks only name a process within one boot. */
  bootId: string;
  processes: ProcessReading[];
  host: HostSnapshot;
}

/** Things that can only be read while the process lives, read for the processes that matter. */
export interface ProcessDetails {
  /** Its working directory: relative arguments resolve against it. */
  cwd: string | null;
  /** The regular file its stdout is redirected to (`> logs/paper_trader.log 2>&1`), if any. */
  stdout: string | null;
}

export interface ProcessProbeOptions {
  /** The workspace: its filesystem is the disk watched. */
  diskPath: string;
  /** How often GPUs are read (default 5 min). */
  gpuIntervalMs?: number;
  /** GPU source; default ./gpus's reader (amdgpu sysfs, nvidia-smi). */
  graphics?: (context: GpuQueryContext) => Promise<GpuReading[]>;
  procRoot?: string;
  now?: () => number;
}

interface CpuMark {
  startTicks: number;
  cpuTicks: number;
  atMs: number;
}

interface ArgvCacheEntry {
  startTicks: number;
  comm: string;
  argv: string[];
}

export class ProcessProbe {
  private readonly proc: string;
  private readonly now: () => number;
  private readonly bootTimeMs: number;
  readonly bootId: string;
  private readonly pageSize: number;
  private readonly cpuCount = os.cpus().length || 1;
  private readonly argvCache = new Map<number, ArgvCacheEntry>();
  private cpuMarks = new Map<number, CpuMark>();
  private hostCpuMark: { total: number; idle: number } | null = null;
  private gpus: GpuReading[] | null = null;
  private gpuTimer: NodeJS.Timeout | null = null;
  private gpuPending = false;
  /** Aborts a GPU query in flight when the probe stops (a hung nvidia-smi must not outlive it). */
  private gpuAbort = new AbortController();
  private readonly graphics: (context: GpuQueryContext) => Promise<GpuReading[]>;
  private tickTimer: NodeJS.Timeout | null = null;
  private running = false;

  constructor(private readonly options: ProcessProbeOptions) {
    this.proc = options.procRoot ?? '/proc';
    this.now = options.now ?? Date.now;
    const btime = /^btime (\d+)$/m.exec(readFileSync(`${this.proc}/stat`, 'utf8'));
    this.bootTimeMs = btime ? Number(btime[1]) * 1000 : 0;
    this.bootId = readOptional(`${this.proc}/sys/kernel/random/boot_id`)?.trim() ?? String(this.bootTimeMs);
    this.pageSize = pageSizeOf(this.proc);
    this.graphics = options.graphics ?? gpuReader();
  }

  /** Samples every `intervalMs` (first at once), never two at a time; GPUs on their own timer. */
  start(intervalMs: number, onSample: (sample: ProbeSample) => void, onError: (error: unknown) => void): void {
    if (this.running) return;
    this.running = true;
    this.gpuAbort = new AbortController();
    this.refreshGpus(onError);
    this.gpuTimer = setInterval(() => this.refreshGpus(onError), this.options.gpuIntervalMs ?? 5 * 60_000);
    const tick = () => {
      if (!this.running) return;
      try {
        onSample(this.sample());
      } catch (error) {
        onError(error);
      }
      if (this.running) this.tickTimer = setTimeout(tick, intervalMs);
    };
    tick();
  }

  stop(): void {
    this.running = false;
    this.gpuAbort.abort();
    if (this.tickTimer) clearTimeout(this.tickTimer);
    if (this.gpuTimer) clearInterval(this.gpuTimer);
    this.tickTimer = null;
    this.gpuTimer = null;
  }

  /** One look at every process and at the host. */
  sample(): ProbeSample {
    const at = this.now();
    const processes: ProcessReading[] = [];
    const marks = new Map<number, CpuMark>();
    for (const name of readdirSync(this.proc)) {
      const first = name.charCodeAt(0);
      if (first < 48 || first > 57) continue; // not a pid
      const pid = Number(name);
      const reading = this.readProcess(pid, at, marks);
      if (reading) processes.push(reading);
    }
    this.cpuMarks = marks;
    for (const pid of this.argvCache.keys()) if (!marks.has(pid)) this.argvCache.delete(pid);
    return { at, bootId: this.bootId, processes, host: this.readHost() };
  }

  /** cwd and stdout target of a live process; nulls when it is gone or not ours to read. */
  details(pid: number): ProcessDetails {
    const link = (name: string) => {
      try {
        return readlinkSync(`${this.proc}/${pid}/${name}`);
      } catch {
        return null;
      }
    };
    const stdout = link('fd/1');
    // Pipes, sockets, terminals, /dev/null and deleted files have no tail worth reading.
    const isLogFile = stdout !== null && stdout.startsWith('/') && !stdout.startsWith('/dev/') && !stdout.endsWith(' (deleted)');
    return { cwd: link('cwd'), stdout: isLogFile ? stdout : null };
  }

  private readProcess(pid: number, at: number, marks: Map<number, CpuMark>): ProcessReading | null {
    const stat = this.readSmall(`${this.proc}/${pid}/stat`);
    if (stat === null) return null; // gone since readdir
    // comm (field 2) may hold spaces and parentheses: fields are counted after the last ')'.
    const close = stat.lastIndexOf(')');
    const comm = stat.slice(stat.indexOf('(') + 1, close);
    const fields = stat.slice(close + 2).split(' ');
    const ppid = Number(fields[1]);
    if (pid === 2 || ppid === 2) return null; // kernel threads
    const state = fields[0];
    const cpuTicks = Number(fields[11]) + Number(fields[12]); // utime + stime (fields 14, 15)
    const startTicks = Number(fields[19]); // field 22
    const rssPages = Number(fields[21]); // field 24

    const previous = this.cpuMarks.get(pid);
    const mark = { startTicks, cpuTicks, atMs: at };
    marks.set(pid, mark);
    const cpuPercent =
      previous && previous.startTicks === startTicks && at > previous.atMs ? round1((((cpuTicks - previous.cpuTicks) / USER_HZ) * 100_000) / (at - previous.atMs)) : null;

    let cached = this.argvCache.get(pid);
    if (!cached || cached.startTicks !== startTicks || cached.comm !== comm) {
      const cmdline = readOptional(`${this.proc}/${pid}/cmdline`);
      if (cmdline === null) return null;
      const argv = cmdline.split('\0');
      if (argv.length && argv[argv.length - 1] === '') argv.pop();
      // Kept while (pid, start, comm) stay the same: a zombie's cmdline reads empty, the
      // cached argv still says what it was.
      cached = { startTicks, comm, argv };
      this.argvCache.set(pid, cached);
    }
    return {
      pid,
      ppid,
      comm,
      argv: cached.argv,
      startTicks,
      startedAtMs: this.bootTimeMs + (startTicks * 1000) / USER_HZ,
      state,
      cpuPercent,
      rssBytes: rssPages * this.pageSize,
    };
  }

  private readonly statBuffer = Buffer.alloc(4096);

  /** A /proc file that fits one page (stat): one read into a reused buffer, no fstat. */
  private readSmall(file: string): string | null {
    let fd: number;
    try {
      fd = openSync(file, 'r');
    } catch {
      return null; // gone, or not ours to read
    }
    try {
      const n = readSync(fd, this.statBuffer, 0, this.statBuffer.length, 0);
      return this.statBuffer.toString('utf8', 0, n);
    } catch {
      return null;
    } finally {
      closeSync(fd);
    }
  }

  private readHost(): HostSnapshot {
    return { cpuPercent: this.readHostCpu(), cpuCount: this.cpuCount, memory: this.readMemory(), disk: this.readDisk(), gpus: this.gpus };
  }

  private readHostCpu(): number | null {
    const stat = readOptional(`${this.proc}/stat`);
    const line = stat ? /^cpu +(.*)$/m.exec(stat) : null;
    if (!line) return null;
    // user nice system idle iowait irq softirq steal (guest time is already inside user).
    const values = line[1].trim().split(/\s+/).slice(0, 8).map(Number);
    const total = values.reduce((sum, v) => sum + v, 0);
    const idle = values[3] + (values[4] ?? 0);
    const previous = this.hostCpuMark;
    this.hostCpuMark = { total, idle };
    if (!previous || total <= previous.total) return null;
    return round1((100 * (total - previous.total - (idle - previous.idle))) / (total - previous.total));
  }

  private readMemory(): HostSnapshot['memory'] {
    const meminfo = readOptional(`${this.proc}/meminfo`);
    if (!meminfo) return null;
    const kb = (pattern: RegExp) => {
      const match = pattern.exec(meminfo);
      return match ? Number(match[1]) * 1024 : null;
    };
    const totalBytes = kb(/^MemTotal:\s+(\d+) kB/m);
    const availableBytes = kb(/^MemAvailable:\s+(\d+) kB/m) ?? kb(/^MemFree:\s+(\d+) kB/m);
    return totalBytes && availableBytes !== null ? { totalBytes, availableBytes } : null;
  }

  private readDisk(): HostSnapshot['disk'] {
    // The workspace may not exist (yet): its nearest existing parent is on the same mount.
    let dir = path.resolve(this.options.diskPath);
    while (!existsSync(dir) && path.dirname(dir) !== dir) dir = path.dirname(dir);
    try {
      const fs = statfsSync(dir);
      const usedBytes = (fs.blocks - fs.bfree) * fs.bsize;
      const freeBytes = fs.bavail * fs.bsize;
      return { path: dir, totalBytes: usedBytes + freeBytes, freeBytes, usedBytes };
    } catch {
      return null;
    }
  }

  private refreshGpus(onError: (error: unknown) => void): void {
    if (this.gpuPending) return;
    this.gpuPending = true;
    const { signal } = this.gpuAbort;
    this.graphics({ onError, signal })
      .then((gpus) => {
        this.gpus = gpus;
      })
      .catch((error: unknown) => {
        this.gpus = [];
        if (!signal.aborted) onError(error); // stopped meanwhile: not a failure
      })
      .finally(() => {
        this.gpuPending = false;
      });
  }
}

function readOptional(file: string): string | null {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return null; // gone, or not ours to read
  }
}

/** Bytes per page, from this process's own resident size in pages (statm) and in kB (status). */
function pageSizeOf(proc: string): number {
  const pages = Number(readOptional(`${proc}/self/statm`)?.split(' ')[1]);
  const kb = Number(/^VmRSS:\s+(\d+) kB/m.exec(readOptional(`${proc}/self/status`) ?? '')?.[1]);
  if (!(pages > 0 && kb > 0)) return 4096;
  return 2 ** Math.round(Math.log2((kb * 1024) / pages));
}

const round1 = (v: number) => Math.round(v * 10) / 10;
