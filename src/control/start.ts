/**
 * Starting a trader the way its launchers do (`cd cwd && nohup argv >> log 2>&1 &`), without a
 * shell, so that it outlives barista — a barista restart, SIGTERM or SIGKILL never takes it
 * along: as barista's detached child, or as a transient systemd unit (launch.ts, launcher.ts).
 *
 * The environment is explicit: PATH, HOME and LANG from barista's, the names listed in
 * `pass_env`, then `env:`. barista's own secrets (DISCORD_*) reach the trader only if listed.
 *
 * "Started" is reported only when the process is still alive after `settle` and, with a
 * `banner`, once the banner appeared in what the log gained since the start.
 */
import { closeSync, fstatSync, openSync, readSync, statSync } from 'node:fs';
import os from 'node:os';
import { compileUserRegex } from '../config/linearRegex';
import { redactSecrets } from '../logging/redactSecrets';
import { recordText } from '../watchers/recordText';
import { launch } from './launch';
import type { Launcher } from './launcher';
import { delay, liveness } from './procfs';
import type { TraderTarget } from './targets';

export const LOG_TAIL_LINES = 20;
const TAIL_MAX_BYTES = 64 * 1024;

export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** `unit`: the transient systemd unit it runs as (launcher systemd-run). */
export type StartOutcome =
  | { kind: 'started'; trader: string; pid: number; startTicks: number; afterMs: number; banner: string | null; unit?: string }
  | { kind: 'unconfirmed'; trader: string; pid: number; startTicks: number; afterMs: number; reason: string; unit?: string }
  /** code and signal both null: it ended, how is not known (a unit systemd already forgot). */
  | { kind: 'exited'; trader: string; pid: number; afterMs: number; code: number | null; signal: NodeJS.Signals | null; logTail: string[]; unit?: string }
  | { kind: 'spawn_failed'; trader: string; error: string }
  /** barista was shutting down during the settle wait; the trader was left running. */
  | { kind: 'abandoned'; trader: string; pid: number; startTicks: number; afterMs: number; unit?: string };

export interface StartProgress {
  kind: 'spawned';
  trader: string;
  pid: number;
  unit?: string;
}

export interface StartOptions {
  /** barista's environment, where PATH, HOME, LANG and pass_env names are read. */
  env?: NodeJS.ProcessEnv;
  /** How to start it (default direct: barista's detached child). */
  launcher?: Launcher;
  /** Where a unit's 0600 environment file is written (barista's state folder; default the temp folder). */
  envFileDir?: string;
  /** The trader's processes now (the process finder), for a unit whose MainPID cannot be read. */
  findRunning?: () => { pid: number; startTicks: number }[];
  signal?: AbortSignal;
  onProgress?: (progress: StartProgress) => void;
  /** Told of every child spawned (direct), with its exit (a controller keeps them to report exit codes). */
  onChild?: (child: { pid: number; startTicks: number; exited: Promise<ExitStatus> }) => void;
  now?: () => number;
  pollMs?: number;
}

/** The trader's environment: PATH, HOME, LANG, the pass_env names, then env:. Nothing else. */
export function traderEnvironment(target: Pick<TraderTarget, 'env' | 'passEnv'>, own: NodeJS.ProcessEnv): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of ['PATH', 'HOME', 'LANG', ...target.passEnv]) {
    const value = own[name];
    if (value !== undefined) env[name] = value;
  }
  env.PATH ??= '/usr/local/bin:/usr/bin:/bin';
  return { ...env, ...target.env };
}

/** The last lines the log gained after `offset`, redacted (a whole line is never split). */
export function logTailSince(log: string | null, offset: number, count = LOG_TAIL_LINES): string[] {
  if (!log) return [];
  let fd: number;
  try {
    fd = openSync(log, 'r');
  } catch {
    return [];
  }
  try {
    const size = fstatSync(fd).size;
    const from = Math.max(offset, size - TAIL_MAX_BYTES);
    if (size <= from) return [];
    const buffer = Buffer.alloc(size - from);
    const n = readSync(fd, buffer, 0, buffer.length, from);
    const lines = recordText(buffer, 0, n).split(/\r\n|\r|\n/);
    if (from > offset) lines.shift(); // cut mid-line
    return lines
      .filter((line) => line.trim() !== '')
      .slice(-count)
      .map((line) => redactSecrets(line));
  } catch {
    return [];
  } finally {
    closeSync(fd);
  }
}

/** Reads what a log gained since the last call, line by line, looking for the banner. */
class BannerWatch {
  private offset: number;
  private partial = '';
  constructor(
    private readonly log: string,
    start: number,
    private readonly pattern: RegExp,
  ) {
    this.offset = start;
  }

  /** The banner line once seen (redacted), else null. */
  look(): string | null {
    let fd: number;
    try {
      fd = openSync(this.log, 'r');
    } catch {
      return null;
    }
    try {
      const size = fstatSync(fd).size;
      if (size < this.offset) this.offset = 0; // truncated by someone: read it again
      while (this.offset < size) {
        const buffer = Buffer.alloc(Math.min(size - this.offset, TAIL_MAX_BYTES));
        const n = readSync(fd, buffer, 0, buffer.length, this.offset);
        if (n === 0) break;
        this.offset += n;
        const lines = (this.partial + recordText(buffer, 0, n)).split(/\r\n|\r|\n/);
        this.partial = (lines.pop() ?? '').slice(-TAIL_MAX_BYTES);
        for (const line of lines) if (this.pattern.test(line)) return redactSecrets(line);
      }
      return this.pattern.test(this.partial) ? redactSecrets(this.partial) : null;
    } catch {
      return null;
    } finally {
      closeSync(fd);
    }
  }
}

/** A wait that a child's exit ends early (a unit's end is polled in /proc instead). */
const orExit = (wait: Promise<unknown>, exited: Promise<ExitStatus> | null) => (exited ? Promise.race([wait, exited]) : wait);

/** The size of `file` now (0 when it does not exist): where what a start adds begins. */
export function fileSize(file: string | null): number {
  if (!file) return 0;
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}

export async function startTrader(target: TraderTarget, options: StartOptions = {}): Promise<StartOutcome> {
  const now = options.now ?? Date.now;
  const trader = target.name;
  try {
    if (!statSync(target.cwd).isDirectory()) return { kind: 'spawn_failed', trader, error: `${target.cwd} is not a folder` };
  } catch {
    return { kind: 'spawn_failed', trader, error: `working directory ${target.cwd} does not exist` };
  }
  let banner: RegExp | null = null;
  if (target.banner !== null) {
    try {
      banner = compileUserRegex(target.banner);
    } catch (error) {
      return { kind: 'spawn_failed', trader, error: `invalid banner: ${(error as Error).message}` };
    }
  }

  const own = options.env ?? process.env;
  const offset = fileSize(target.log);
  const startedAt = now();
  const launched = await launch(target, {
    launcher: options.launcher ?? { kind: 'direct' },
    env: traderEnvironment(target, own),
    own,
    envFileDir: options.envFileDir ?? os.tmpdir(),
    findRunning: options.findRunning,
    signal: options.signal,
    now,
  });
  if (!launched.ok) return { kind: 'spawn_failed', trader, error: launched.error };
  const { pid, startTicks, exited, unit } = launched.launched;
  const ofUnit = unit ? { unit } : {};
  let exit: ExitStatus | null = null;
  void exited?.then((status) => (exit = status));
  if (exited) options.onChild?.({ pid, startTicks, exited });
  options.onProgress?.({ kind: 'spawned', trader, pid, ...ofUnit });

  const watch = banner && target.log ? new BannerWatch(target.log, offset, banner) : null;
  let bannerLine: string | null = null;
  for (;;) {
    const elapsed = now() - startedAt;
    // Not barista's child: its end is seen in /proc, and how it ended asked of its manager.
    if (!exited && liveness(pid, startTicks) !== 'alive') exit = await launched.launched.exitStatus();
    if (exit) {
      const { code, signal } = exit as ExitStatus;
      return { kind: 'exited', trader, pid, afterMs: elapsed, code, signal, logTail: logTailSince(target.log, offset), ...ofUnit };
    }
    if (watch && bannerLine === null) bannerLine = watch.look();
    const bannerOk = !watch || bannerLine !== null;
    if (elapsed >= target.settleMs && bannerOk) {
      // The exit event may trail the exit itself: /proc decides (a zombie has exited).
      if (liveness(pid, startTicks) === 'alive') return { kind: 'started', trader, pid, startTicks, afterMs: elapsed, banner: bannerLine, ...ofUnit };
      await orExit(delay(2000, options.signal), exited);
      if (exit) continue;
    }
    if (elapsed >= target.bannerTimeoutMs && !bannerOk) {
      return { kind: 'unconfirmed', trader, pid, startTicks, afterMs: elapsed, reason: `alive, but its start banner did not appear in ${target.log} within ${Math.round(target.bannerTimeoutMs / 1000)} s`, ...ofUnit };
    }
    if (options.signal?.aborted) return { kind: 'abandoned', trader, pid, startTicks, afterMs: elapsed, ...ofUnit };
    const until = watch && elapsed >= target.settleMs ? target.bannerTimeoutMs : target.settleMs;
    await orExit(delay(Math.max(1, Math.min(options.pollMs ?? 100, until - elapsed)), options.signal), exited);
  }
}
