/**
 * The pure half of starting a trader as a transient systemd unit: its name, the systemd-run
 * command line, the environment file it reads, and what `systemctl show` says of it.
 *
 * The trader's environment never goes on a command line (/proc/<pid>/cmdline is world-readable)
 * nor into the unit's `Environment=` property (any local user may `systemctl show` a system
 * unit): it is written to a 0600 file the service manager reads at exec (`EnvironmentFile=`).
 */
import { constants } from 'node:os';
import type { ExitStatus } from './start';
import type { ManagerScope } from './launcher';

export interface UnitLaunchSpec {
  scope: ManagerScope;
  unit: string;
  trader: string;
  argv: readonly string[];
  cwd: string;
  log: string | null;
  envFile: string;
  /** System units: the account the trader runs as (barista's own, never root by default). */
  uid: number;
  gid: number;
}

/** `barista-trader-<name>-<stamp>.service`: letters, digits, `_`, `.` and `-` only, easy to type in systemctl. */
export function transientUnitName(trader: string, stamp: number): string {
  const name = trader.replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 64);
  return `barista-trader-${name}-${stamp.toString(36)}.service`;
}

/** systemd-run's argv (without the executable): its own unit, exec'd directly, never through a shell. */
export function systemdRunArgs(spec: UnitLaunchSpec): string[] {
  const output = spec.log ? [`--property=StandardOutput=append:${spec.log}`, `--property=StandardError=append:${spec.log}`] : ['--property=StandardOutput=null', '--property=StandardError=null'];
  return [
    ...(spec.scope === 'user' ? ['--user'] : [`--uid=${spec.uid}`, `--gid=${spec.gid}`]),
    `--unit=${spec.unit}`,
    `--description=barista: trader ${spec.trader}`,
    // exec: systemd-run returns once the trader's command was executed, and fails when it cannot be.
    '--service-type=exec',
    '--collect',
    '--quiet',
    `--property=WorkingDirectory=${spec.cwd}`,
    `--property=EnvironmentFile=${spec.envFile}`,
    '--property=StandardInput=null',
    ...output,
    '--',
    spec.argv[0],
    // The manager expands $NAME and ${NAME} in a unit's arguments (systemd.service(5)); `$$` is a literal `$`.
    ...spec.argv.slice(1).map((arg) => arg.replace(/\$/g, '$$$$')),
  ];
}

/** A systemd environment file: each value double-quoted, with the characters systemd unescapes there escaped. */
export function environmentFileText(env: Record<string, string>): string {
  return Object.entries(env)
    .map(([name, value]) => `${name}="${value.replace(/[\\"`$]/g, (c) => `\\${c}`)}"\n`)
    .join('');
}

/** `systemctl show -p …` output: KEY=VALUE lines. */
export function parseShow(text: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const at = line.indexOf('=');
    if (at > 0) fields[line.slice(0, at)] = line.slice(at + 1);
  }
  return fields;
}

export const SHOW_PROPERTIES = ['MainPID', 'ExecMainPID', 'ExecMainCode', 'ExecMainStatus'] as const;

const CLD_EXITED = 1;
const CLD_KILLED = 2;
const CLD_DUMPED = 3;

/**
 * How the unit's main process `pid` ended, from ExecMainCode (a CLD_* code) and ExecMainStatus,
 * when systemd still knows (a unit run with --collect is unloaded once it ends: usually unknown).
 */
export function exitOfShow(show: Record<string, string>, pid: number): ExitStatus {
  const code = Number(show.ExecMainCode);
  const status = Number(show.ExecMainStatus);
  if (pid <= 0 || Number(show.ExecMainPID) !== pid || !Number.isInteger(status)) return { code: null, signal: null };
  if (code === CLD_EXITED) return { code: status, signal: null };
  if (code === CLD_KILLED || code === CLD_DUMPED) {
    const signal = Object.entries(constants.signals).find(([, n]) => n === status)?.[0] as NodeJS.Signals | undefined;
    return { code: null, signal: signal ?? null };
  }
  return { code: null, signal: null };
}

/**
 * What to tell the user when systemd-run fails, in its own words. "Job for … failed" is the
 * trader's command failing to execute in its unit (the journal says why); anything else is
 * systemd-run's own trouble (no bus, not allowed), which starting directly avoids.
 */
export function systemdRunFailure(stderr: string, exit: string): string {
  const said = stderr.split('\n').map((l) => l.trim()).filter(Boolean).join(' ').slice(0, 400) || exit;
  return /^Job for \S+ failed/.test(said) ? `systemd-run failed: ${said}` : `systemd-run failed: ${said}; set control.launcher: direct to start it as barista's child`;
}
