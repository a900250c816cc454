/**
 * The configuration's `control:` section resolved into what control acts on: each trader by
 * name, with absolute paths (relative ones resolve against the workspace) and durations in ms.
 *
 * Names: a `control.traders` entry is named by its key. The single `control.trader` (today's
 * schema) gets the one name its events have (streams/traderIdentity: from its `--log-file` and
 * its `log`, e.g. `trial250`; `alpaca` for the shipped default CSV + `logs/paper_trader.log`), so
 * `/stop alpaca` and the trader's own events agree. With one trader configured, commands may
 * leave the name out.
 */
import { realpathSync } from 'node:fs';
import path from 'node:path';
import type { ControlConfig, TraderControlConfig } from '../config/schema';
import { knownArgs, parseScriptArgs, scriptOf, TRADER_DEFAULT_LOG_FILE } from '../streams/processes';
import { traderNameOfProcess } from '../streams/traderIdentity';
import type { LauncherSetting } from './launcher';

export interface TraderTarget {
  name: string;
  argv: string[];
  /** Absolute. */
  cwd: string;
  /** Absolute; null: output discarded. */
  log: string | null;
  env: Record<string, string>;
  passEnv: string[];
  settleMs: number;
  /** A regex source (plans stay plain JSON); compiled when looked for. */
  banner: string | null;
  bannerTimeoutMs: number;
  stop: { signal: NodeJS.Signals; graceMs: number; then: NodeJS.Signals | null; waitMs: number };
  /** What tells its process apart from other traders' (see sameTrader). */
  identity: TraderIdentity;
}

export interface TraderIdentity {
  /** The script's file name (`paper_trader_alpaca_polling.py`), or null when argv runs none. */
  script: string | null;
  /** --model-dir as written, resolved against cwd. */
  modelDir: string | null;
  /** --log-file (default paper_trades/alpaca_session.csv), resolved against cwd. */
  logFile: string;
}

export interface ControlTargets {
  traders: Map<string, TraderTarget>;
  launcher: LauncherSetting;
  traderClass: string;
  trainingClass: string;
}

const basename = (p: string) => p.slice(p.lastIndexOf('/') + 1);

/** The identity of a trader command line run in `cwd`. */
export function identityOf(argv: readonly string[], cwd: string): TraderIdentity {
  const invocation = scriptOf(argv);
  const known = knownArgs(parseScriptArgs(invocation?.args ?? []));
  return {
    script: invocation ? basename(invocation.script) : null,
    modelDir: known.model_dir === null ? null : path.resolve(cwd, known.model_dir),
    logFile: path.resolve(cwd, known.log_file ?? TRADER_DEFAULT_LOG_FILE),
  };
}

function target(name: string, entry: TraderControlConfig, workspace: string): TraderTarget {
  const cwd = path.resolve(workspace, entry.start.cwd);
  return {
    name,
    argv: [...entry.start.argv],
    cwd,
    log: entry.start.log === undefined ? null : path.resolve(workspace, entry.start.log),
    env: { ...(entry.start.env ?? {}) },
    passEnv: [...entry.start.pass_env],
    settleMs: entry.start.settle,
    banner: entry.start.banner ?? null,
    bannerTimeoutMs: Math.max(entry.start.banner_timeout, entry.start.settle),
    stop: { signal: entry.stop.signal, graceMs: entry.stop.grace, then: entry.stop.then ?? null, waitMs: entry.stop.wait },
    // /proc/<pid>/cwd is always the real path: compare against the real path of cwd.
    identity: identityOf(entry.start.argv, realOrSame(cwd)),
  };
}

function realOrSame(dir: string): string {
  try {
    return realpathSync(dir);
  } catch {
    return dir;
  }
}

/** The name `control.trader` gets: the one its process would get (its CSV, else its log). */
export function singleTraderName(entry: TraderControlConfig): string {
  const known = knownArgs(parseScriptArgs(scriptOf(entry.start.argv)?.args ?? []));
  return traderNameOfProcess({ csv: known.log_file ?? TRADER_DEFAULT_LOG_FILE, log: entry.start.log ?? null });
}

export function controlTargets(control: ControlConfig, workspace: string): ControlTargets {
  const traders = new Map<string, TraderTarget>();
  for (const [name, entry] of Object.entries(control.traders ?? {})) traders.set(name, target(name, entry, workspace));
  if (control.trader && traders.size === 0) {
    const name = singleTraderName(control.trader);
    traders.set(name, target(name, control.trader, workspace));
  }
  return { traders, launcher: control.launcher, traderClass: control.classes.trader, trainingClass: control.classes.training };
}
