/**
 * How a trader is started (control.launcher): as barista's detached child (`direct`), or through
 * `systemd-run` as a transient unit of its own, so that a barista running as a hardened systemd
 * service does not hand its sandbox (ProtectSystem, PrivateTmp, NoNewPrivileges, its cgroup) to
 * the trader. `auto` picks systemd-run exactly when barista itself runs under systemd.
 */
import type { ControlConfig } from '../config/schema';
import { findOnPath } from '../watchers/runBounded';

export type LauncherSetting = ControlConfig['launcher'];

/** Which service manager the trader's unit goes to: barista's own (`--user` for a user manager). */
export type ManagerScope = 'user' | 'system';

export type Launcher =
  | { kind: 'direct' }
  | { kind: 'systemd-run'; systemdRun: string; systemctl: string; scope: ManagerScope }
  /** systemd-run was asked for but cannot be used: every start fails with this reason. */
  | { kind: 'unavailable'; reason: string };

/**
 * The manager barista runs under: systemd sets INVOCATION_ID for every service it starts, and
 * MANAGERPID only for those of a user manager (systemd.exec(5)). Outside systemd, root can only
 * mean the system manager, anyone else their own user manager (the system one needs polkit).
 */
export function managerScope(env: NodeJS.ProcessEnv, uid: number): ManagerScope {
  if (env.MANAGERPID) return 'user';
  if (env.INVOCATION_ID) return 'system';
  return uid === 0 ? 'system' : 'user';
}

/** The launcher for this setting in this environment (`env`: barista's, its PATH searched). */
export function chooseLauncher(setting: LauncherSetting, env: NodeJS.ProcessEnv, uid = process.getuid?.() ?? 0): Launcher {
  if (setting === 'direct') return { kind: 'direct' };
  if (setting === 'auto' && !env.INVOCATION_ID) return { kind: 'direct' };
  const systemdRun = findOnPath('systemd-run', env.PATH);
  const systemctl = findOnPath('systemctl', env.PATH);
  if (systemdRun && systemctl) return { kind: 'systemd-run', systemdRun, systemctl, scope: managerScope(env, uid) };
  if (setting === 'auto') return { kind: 'direct' };
  return { kind: 'unavailable', reason: `control.launcher is systemd-run, but no ${systemdRun ? 'systemctl' : 'systemd-run'} was found on PATH; set control.launcher: direct to start it as barista's child` };
}
