/**
 * Which processes control may act on: those of the process source's classes, matched the way
 * the process source matches them (the script after the interpreter — never a substring of the
 * command line, never `pkill -f`). The finder is injected, so the agent can hand control the
 * process source's own view; `procFinder` reads /proc directly when asked.
 */
import { readlinkSync } from 'node:fs';
import { ProcessProbe } from '../watchers/ProcessProbe';
import { matchProcesses, type ProcessClasses } from '../streams/processLifecycle';
import { belongsToWorkspace, workspaceRoots } from '../streams/processWorkspace';
import { knownArgs, parseScriptArgs, scriptOf } from '../streams/processes';
import { identityOf, type TraderTarget } from './targets';

export interface FoundProcess {
  pid: number;
  /** /proc/<pid>/stat field 22: with the pid, names the process (signals verify it). */
  startTicks: number;
  startedAtMs: number;
  /** /proc state letter: T = stopped (paused). */
  state: string;
  /** Its class in the process source's match:. */
  class: string;
  argv: string[];
  /** Its working directory (relative arguments resolve against it); null when unreadable. */
  cwd: string | null;
}

export interface ProcessFinder {
  /** The live processes of the given classes, now. */
  find(classes: readonly string[]): FoundProcess[];
}

/**
 * A finder that samples /proc on every call, classifying with the process source's patterns;
 * with `workspace`, only processes belonging to it (as the process source's only_workspace).
 */
export function procFinder(options: { classes: ProcessClasses; procRoot?: string; diskPath?: string; workspace?: string }): ProcessFinder {
  const probe = new ProcessProbe({ diskPath: options.diskPath ?? '/', graphics: async () => [], procRoot: options.procRoot });
  const proc = options.procRoot ?? '/proc';
  const roots = options.workspace === undefined ? null : workspaceRoots(options.workspace);
  return {
    find(classes) {
      const wanted = new Set(classes);
      return matchProcesses(probe.sample().processes, options.classes)
        .filter((m) => wanted.has(m.class) && m.reading.state !== 'Z' && m.reading.state !== 'X')
        .map((m) => ({
          pid: m.reading.pid,
          startTicks: m.reading.startTicks,
          startedAtMs: m.reading.startedAtMs,
          state: m.reading.state,
          class: m.class,
          argv: m.reading.argv,
          cwd: readCwd(proc, m.reading.pid),
        }))
        .filter((found) => roots === null || belongsToWorkspace(found.argv, found.cwd, roots));
    },
  };
}

function readCwd(proc: string, pid: number): string | null {
  try {
    return readlinkSync(`${proc}/${pid}/cwd`);
  } catch {
    return null;
  }
}

/**
 * Whether a trader-class process is this configured trader's: it runs the same script with the
 * same model dir and writes the same CSV (--log-file, default alpaca_session.csv), paths
 * resolved against each one's working directory. Two traders differing in neither are one
 * trader as far as anything they write can tell.
 */
export function sameTrader(process: FoundProcess, trader: TraderTarget): boolean {
  const seen = identityOf(process.argv, process.cwd ?? trader.cwd);
  const wanted = trader.identity;
  return seen.script === wanted.script && seen.modelDir === wanted.modelDir && seen.logFile === wanted.logFile;
}

/** A training worker's study (--study-name), null when it has none. */
export function workerStudy(process: FoundProcess): string | null {
  return knownArgs(parseScriptArgs(scriptOf(process.argv)?.args ?? [])).study_name;
}
