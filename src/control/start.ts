/**
 * Starting a trader the way its launchers do (`cd cwd && nohup argv >> log 2>&1 &`), without a
 * shell: argv is executed directly, in its own session (setsid: `detached: true`) so it has no
 * controlling terminal and outlives barista — a barista restart, SIGTERM or SIGKILL never takes
 * it along. stdin is /dev/null; stdout and stderr share one O_APPEND descriptor on the log, so
 * what the log held is kept and lines from both streams interleave as they are written.
 *
 * The environment is explicit: PATH, HOME and LANG from barista's, the names listed in
 * `pass_env`, then `env:`. barista's own secrets (DISCORD_*) reach the trader only if listed.
 *
 * "Started" is reported only when the process is still alive after `settle` and, with a
 * `banner`, once the banner appeared in what the log gained since the start.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, fstatSync, openSync, readSync, statSync } from 'node:fs';
import { compileUserRegex } from '../config/linearRegex';
import { redactSecrets } from '../logging/redactSecrets';
import { recordText } from '../watchers/recordText';
import { delay, liveness, readStat } from './procfs';
import type { TraderTarget } from './targets';

export const LOG_TAIL_LINES = 20;
const TAIL_MAX_BYTES = 64 * 1024;

export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export type StartOutcome =
  | { kind: 'started'; trader: string; pid: number; startTicks: number; afterMs: number; banner: string | null }
  | { kind: 'unconfirmed'; trader: string; pid: number; startTicks: number; afterMs: number; reason: string }
  | { kind: 'exited'; trader: string; pid: number; afterMs: number; code: number | null; signal: NodeJS.Signals | null; logTail: string[] }
  | { kind: 'spawn_failed'; trader: string; error: string }
  /** barista was shutting down during the settle wait; the trader was left running. */
  | { kind: 'abandoned'; trader: string; pid: number; startTicks: number; afterMs: number };

export interface StartProgress {
  kind: 'spawned';
  trader: string;
  pid: number;
}

export interface StartOptions {
  /** barista's environment, where PATH, HOME, LANG and pass_env names are read. */
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
  onProgress?: (progress: StartProgress) => void;
  /** Told of every child spawned, with its exit (a controller keeps them to report exit codes). */
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

const spawned = (child: ChildProcess) =>
  new Promise<Error | null>((resolve) => {
    child.once('spawn', () => resolve(null));
    child.once('error', (error) => resolve(error));
  });

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

  let fd: number | null = null;
  let offset = 0;
  if (target.log) {
    try {
      fd = openSync(target.log, 'a'); // O_WRONLY | O_CREAT | O_APPEND, like >>
      offset = fstatSync(fd).size;
    } catch (error) {
      return { kind: 'spawn_failed', trader, error: redactSecrets(`cannot open log ${target.log}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`) };
    }
  }

  const startedAt = now();
  let child: ChildProcess;
  try {
    child = spawn(target.argv[0], target.argv.slice(1), {
      cwd: target.cwd,
      env: traderEnvironment(target, options.env ?? process.env),
      detached: true,
      stdio: ['ignore', fd ?? 'ignore', fd ?? 'ignore'],
      shell: false,
    });
  } catch (error) {
    if (fd !== null) closeSync(fd);
    return { kind: 'spawn_failed', trader, error: redactSecrets(String((error as Error).message ?? error)) };
  }
  const spawnError = await spawned(child);
  if (fd !== null) closeSync(fd); // the child holds its own copy
  if (spawnError || child.pid === undefined) {
    const code = (spawnError as NodeJS.ErrnoException | null)?.code;
    return { kind: 'spawn_failed', trader, error: redactSecrets(`${target.argv[0]}: ${code ?? spawnError?.message ?? 'no pid'}`) };
  }
  const pid = child.pid;
  // Not waited on: barista may exit while the trader runs on. The exit event still comes while
  // barista lives, and Node reaps the child then (no zombie).
  child.unref();
  let exit: ExitStatus | null = null;
  const exited = new Promise<ExitStatus>((resolve) => child.once('exit', (code, signal) => resolve((exit = { code, signal }))));
  const startTicks = readStat(pid)?.startTicks ?? -1;
  options.onChild?.({ pid, startTicks, exited });
  options.onProgress?.({ kind: 'spawned', trader, pid });

  const watch = banner && target.log ? new BannerWatch(target.log, offset, banner) : null;
  let bannerLine: string | null = null;
  for (;;) {
    const elapsed = now() - startedAt;
    if (exit) {
      const { code, signal } = exit as ExitStatus;
      return { kind: 'exited', trader, pid, afterMs: elapsed, code, signal, logTail: logTailSince(target.log, offset) };
    }
    if (watch && bannerLine === null) bannerLine = watch.look();
    const bannerOk = !watch || bannerLine !== null;
    if (elapsed >= target.settleMs && bannerOk) {
      // The exit event may trail the exit itself: /proc decides (a zombie has exited).
      if (liveness(pid, startTicks) === 'alive') return { kind: 'started', trader, pid, startTicks, afterMs: elapsed, banner: bannerLine };
      await Promise.race([exited, delay(2000, options.signal)]);
      if (exit) continue;
    }
    if (elapsed >= target.bannerTimeoutMs && !bannerOk) {
      return { kind: 'unconfirmed', trader, pid, startTicks, afterMs: elapsed, reason: `alive, but its start banner did not appear in ${target.log} within ${Math.round(target.bannerTimeoutMs / 1000)} s` };
    }
    if (options.signal?.aborted) return { kind: 'abandoned', trader, pid, startTicks, afterMs: elapsed };
    const until = watch && elapsed >= target.settleMs ? target.bannerTimeoutMs : target.settleMs;
    await Promise.race([delay(Math.max(1, Math.min(options.pollMs ?? 100, until - elapsed)), options.signal), exited]);
  }
}
