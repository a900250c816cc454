/**
 * Getting a trader's process running, one way per launcher; what follows (settle, banner, exit
 * report) is the same for both (start.ts).
 *
 * - direct: `cd cwd && nohup argv >> log 2>&1 &` without a shell — argv executed in its own
 *   session (setsid), stdin /dev/null, stdout and stderr one O_APPEND descriptor on the log.
 *   barista is its parent: its exit code is known while barista runs.
 * - systemd-run: the same, done by the service manager as the transient unit
 *   `barista-trader-<name>-<stamp>.service` (systemdRun.ts). barista is not its parent: its pid
 *   is the unit's MainPID, its end is seen in /proc, and its exit code is asked of systemd.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, fstatSync, mkdirSync, openSync, readdirSync, rmSync, statSync, writeSync } from 'node:fs';
import path from 'node:path';
import { redactSecrets } from '../logging/redactSecrets';
import { runProgram, type ProgramRun } from '../watchers/runBounded';
import type { Launcher } from './launcher';
import { readStat } from './procfs';
import type { ExitStatus } from './start';
import { environmentFileText, exitOfShow, parseShow, SHOW_PROPERTIES, systemdRunArgs, systemdRunFailure, transientUnitName } from './systemdRun';
import type { TraderTarget } from './targets';

export interface Launched {
  /** 0 when it ended before its pid could be read (a unit already collected). */
  pid: number;
  startTicks: number;
  /** Its exit event, when barista is its parent; null: its end is seen in /proc. */
  exited: Promise<ExitStatus> | null;
  /** Once it is gone: how it ended, as far as can be known. */
  exitStatus(): Promise<ExitStatus>;
  /** Its transient unit, when it has one. */
  unit: string | null;
}

export type LaunchResult = { ok: true; launched: Launched } | { ok: false; error: string };

export interface LaunchOptions {
  launcher: Launcher;
  /** The trader's whole environment. */
  env: Record<string, string>;
  /** barista's environment: where systemd-run and systemctl find the service manager's bus. */
  own: NodeJS.ProcessEnv;
  /** A folder of barista's (its state folder) for the unit's 0600 environment file. */
  envFileDir: string;
  /** The trader's processes now (the process finder): its pid when systemd cannot be asked. */
  findRunning?: () => { pid: number; startTicks: number }[];
  signal?: AbortSignal;
  now: () => number;
}

export function launch(target: TraderTarget, options: LaunchOptions): Promise<LaunchResult> {
  const launcher = options.launcher;
  if (launcher.kind === 'unavailable') return Promise.resolve({ ok: false, error: launcher.reason });
  if (launcher.kind === 'direct') return launchDirect(target, options.env);
  return launchUnit(target, { ...options, launcher });
}

const spawned = (child: ChildProcess) =>
  new Promise<Error | null>((resolve) => {
    child.once('spawn', () => resolve(null));
    child.once('error', (error) => resolve(error));
  });

async function launchDirect(target: TraderTarget, env: Record<string, string>): Promise<LaunchResult> {
  let fd: number | null = null;
  if (target.log) {
    try {
      fd = openSync(target.log, 'a'); // O_WRONLY | O_CREAT | O_APPEND, like >>
    } catch (error) {
      return { ok: false, error: redactSecrets(`cannot open log ${target.log}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`) };
    }
  }
  let child: ChildProcess;
  try {
    child = spawn(target.argv[0], target.argv.slice(1), { cwd: target.cwd, env, detached: true, stdio: ['ignore', fd ?? 'ignore', fd ?? 'ignore'], shell: false });
  } catch (error) {
    if (fd !== null) closeSync(fd);
    return { ok: false, error: redactSecrets(String((error as Error).message ?? error)) };
  }
  const spawnError = await spawned(child);
  if (fd !== null) closeSync(fd); // the child holds its own copy
  if (spawnError || child.pid === undefined) {
    const code = (spawnError as NodeJS.ErrnoException | null)?.code;
    return { ok: false, error: redactSecrets(`${target.argv[0]}: ${code ?? spawnError?.message ?? 'no pid'}`) };
  }
  // Not waited on: barista may exit while the trader runs on. The exit event still comes while
  // barista lives, and Node reaps the child then (no zombie).
  child.unref();
  const exited = new Promise<ExitStatus>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const pid = child.pid;
  return { ok: true, launched: { pid, startTicks: readStat(pid)?.startTicks ?? -1, exited, exitStatus: () => exited, unit: null } };
}

/** systemd-run and systemctl see only what finds the service manager; the trader's environment goes by file. */
function busEnvironment(own: NodeJS.ProcessEnv): Record<string, string> {
  const env: Record<string, string> = { PATH: own.PATH ?? '/usr/local/bin:/usr/bin:/bin', LANG: 'C' };
  for (const name of ['XDG_RUNTIME_DIR', 'DBUS_SESSION_BUS_ADDRESS', 'DBUS_SYSTEM_BUS_ADDRESS']) if (own[name]) env[name] = own[name];
  return env;
}

const TOOL_TIMEOUT_MS = 30_000;
const ENV_FILE_MAX_AGE_MS = 60_000;

/** Runs a systemd tool to its end (bounded: 30 s, 64 KiB, or barista's shutdown). */
function runTool(file: string, args: string[], env: Record<string, string>, signal?: AbortSignal): Promise<ProgramRun> {
  return runProgram(file, args, { timeoutMs: TOOL_TIMEOUT_MS, maxOutputBytes: 65_536, env, signal });
}

/** The 0600 file the unit reads its environment from, in a 0700 folder of barista's own. */
function writeEnvFile(dir: string, unit: string, env: Record<string, string>, nowMs: number): string {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  // A barista killed while systemd-run ran left its file behind: none outlives a minute.
  for (const name of readdirSync(dir)) {
    const file = path.join(dir, name);
    try {
      if (name.endsWith('.env') && nowMs - statSync(file).mtimeMs > ENV_FILE_MAX_AGE_MS) rmSync(file, { force: true });
    } catch {
      // gone meanwhile
    }
  }
  const file = path.join(dir, `${unit}.env`);
  const fd = openSync(file, 'wx', 0o600);
  try {
    writeSync(fd, environmentFileText(env));
    if ((fstatSync(fd).mode & 0o077) !== 0) throw new Error(`${file} is readable by others`);
  } finally {
    closeSync(fd);
  }
  return file;
}

async function launchUnit(target: TraderTarget, options: LaunchOptions & { launcher: Extract<Launcher, { kind: 'systemd-run' }> }): Promise<LaunchResult> {
  const { launcher } = options;
  // systemd opens the log (append:) but makes no folder: say it as a direct start would.
  if (target.log && !existsSync(path.dirname(target.log))) return { ok: false, error: redactSecrets(`cannot open log ${target.log}: ENOENT`) };
  const unit = transientUnitName(target.name, options.now());
  const bus = busEnvironment(options.own);
  let envFile: string;
  try {
    envFile = writeEnvFile(path.join(options.envFileDir, 'launch'), unit, options.env, options.now());
  } catch (error) {
    return { ok: false, error: redactSecrets(`cannot write the trader's environment file in ${options.envFileDir}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`) };
  }
  let ran: ProgramRun;
  try {
    const args = systemdRunArgs({ scope: launcher.scope, unit, trader: target.name, argv: target.argv, cwd: target.cwd, log: target.log, envFile, uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0 });
    ran = await runTool(launcher.systemdRun, args, bus, options.signal);
  } finally {
    // The manager read it before executing the trader (Type=exec): nothing needs it any more.
    rmSync(envFile, { force: true });
  }
  // Cut short, it may or may not have made the unit: say which one to look at.
  // Killed from outside: the real scripts `pkill -f` their own names, which its argv holds.
  const cutShort = ran.failure ?? (ran.signal ? `systemd-run was killed by ${ran.signal}` : null);
  if (cutShort) return { ok: false, error: redactSecrets(`systemd-run did not complete (${cutShort}); see systemctl ${launcher.scope === 'user' ? '--user ' : ''}status ${unit}`) };
  if (ran.status !== 0) return { ok: false, error: redactSecrets(systemdRunFailure(ran.stderr, `exit status ${ran.status}`)) };

  const userFlag = launcher.scope === 'user' ? ['--user'] : [];
  const show = async () => {
    const result = await runTool(launcher.systemctl, [...userFlag, 'show', ...SHOW_PROPERTIES.map((p) => `--property=${p}`), unit], bus);
    return result.status === 0 ? parseShow(result.stdout) : null;
  };
  const exitStatus = async (pid: number) => {
    const shown = await show();
    return shown ? exitOfShow(shown, pid) : { code: null, signal: null };
  };
  const first = await show();
  if (!first) {
    // systemctl failed where systemd-run worked (a bus hiccup): the finder knows the process too.
    const [found, ...more] = options.findRunning?.() ?? [];
    const one = found && more.length === 0 ? found : { pid: 0, startTicks: -1 };
    return { ok: true, launched: { ...one, exited: null, exitStatus: () => exitStatus(one.pid), unit } };
  }
  // MainPID 0: it already ended; ExecMainPID still names it while the unit is loaded.
  const pid = Number(first.MainPID) || Number(first.ExecMainPID) || 0;
  const startTicks = Number(first.MainPID) > 0 ? (readStat(pid)?.startTicks ?? -1) : -1;
  return { ok: true, launched: { pid, startTicks, exited: null, exitStatus: () => exitStatus(pid), unit } };
}
