/**
 * Shared helpers for the file-watching benchmarks: temp folders and child processes that are
 * cleaned up whatever happens (error, Ctrl-C), the compiled CLI, /proc sampling, percentiles.
 */
import { NODE_FLAGS } from '../src/cli/nodeFlags';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** The repository root (bench/*.ts is compiled to dist/bench/*.js). */
export const ROOT = path.resolve(__dirname, '..', '..');
export const CLI = path.join(ROOT, 'dist', 'src', 'cli.js');

/** `BENCH_QUICK=1`: smaller sizes and shorter runs, for a developer's quick look. */
export const QUICK = /^(1|true|yes)$/i.test(process.env.BENCH_QUICK ?? '');

/** `BENCH_ONLY=backlog,latency`: run only these benchmarks (names as printed by run.ts). */
export function selected(name: string): boolean {
  const only = (process.env.BENCH_ONLY ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  return only.length === 0 || only.includes(name);
}

// Words Cappuccino's scripts `pkill -f`: none may appear on a command line we run.
const PKILL_WORDS = ['paper_trader', 'watchdog', '1_optimize_unified'];

/** Throws before spawning anything whose command line would be killed by the monitored system. */
export function assertSafeCommandLine(argv: readonly string[]): void {
  const line = argv.join(' ');
  const word = PKILL_WORDS.find((w) => line.includes(w));
  if (word) throw new Error(`refusing to run a command line containing "${word}" (Cappuccino pkills it): ${line.slice(0, 200)}`);
}

const tempDirs = new Set<string>();
const children = new Set<ChildProcess>();

export function makeTempDir(prefix = 'barista-bench-', base = os.tmpdir()): string {
  const dir = mkdtempSync(path.join(base, prefix));
  tempDirs.add(dir);
  return dir;
}

export function removeTempDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  tempDirs.delete(dir);
}

/** Kills what is still running and removes every temp folder (synchronous: also runs on exit). */
export function cleanUpEverything(): void {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  children.clear();
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  tempDirs.clear();
}

let hooksInstalled = false;
/** Cleans up on normal exit, on an uncaught error, and on Ctrl-C / SIGTERM. */
export function installCleanupHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  process.on('exit', cleanUpEverything);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(signal, () => {
      cleanUpEverything();
      process.exit(130);
    });
  }
}

/** An environment without the developer's Discord settings or .env surprises. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, HOME: process.env.HOME, BARISTA_LOG_FORMAT: 'json', DISCORD_ENABLED: 'false', ...extra };
}

/** Spawns a process that is killed by cleanUpEverything() if still running. */
export function spawnTracked(command: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv }): ChildProcess {
  assertSafeCommandLine([command, ...args]);
  const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  child.on('exit', () => children.delete(child));
  return child;
}

/** Runs the compiled barista CLI (`node dist/src/cli.js …`) in `cwd`. */
export function spawnBarista(args: string[], cwd: string, env: Record<string, string> = {}): ChildProcess {
  return spawnTracked(process.execPath, [...NODE_FLAGS, CLI, ...args], { cwd, env: cleanEnv(env) });
}

/** Collects a stream's text, and resolves `waitFor` once it contains a string. */
export class TextCollector {
  text = '';
  constructor(stream: NodeJS.ReadableStream) {
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      // Bounded: a chatty child must not grow the benchmark's memory.
      this.text = (this.text + chunk).slice(-1_000_000);
    });
  }
}

export async function waitUntil(what: string, condition: () => boolean, timeoutMs: number, failure?: () => string | null): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (condition()) return;
    const failed = failure?.();
    if (failed) throw new Error(`${what}: ${failed}`);
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(20);
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Sends SIGTERM and waits for the exit (SIGKILL after `graceMs`). */
export async function stopChild(child: ChildProcess, graceMs = 3000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

let clockTicks: number | null = null;
/** `getconf CLK_TCK`: the unit of utime/stime in /proc/<pid>/stat. */
export function clockTicksPerSecond(): number {
  if (clockTicks === null) {
    const out = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' });
    const value = Number.parseInt(out.stdout ?? '', 10);
    clockTicks = Number.isFinite(value) && value > 0 ? value : 100;
  }
  return clockTicks;
}

/** utime + stime of a process, in seconds. */
export function cpuSecondsOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Field 2 (comm) may contain spaces and parentheses: count fields after its closing ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // After comm: state is field 3, so utime (14) and stime (15) are at indices 11 and 12.
  return (Number(fields[11]) + Number(fields[12])) / clockTicksPerSecond();
}

/** VmRSS of a process, in MB (10^6 bytes). */
export function rssMbOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  return match ? (Number(match[1]) * 1024) / 1e6 : Number.NaN;
}

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

export const fmt = (value: number, digits = 1): string => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a');
export const thousands = (value: number): string => Math.round(value).toLocaleString('en-US');
