/**
 * The running process that writes a log, from the process probe's view (the `processes` cache):
 * the one whose stdout (log_path) is this file, else — for a trader's log — the trader of that
 * name. Several: the one started last. Used to name what a log line does not say itself (the
 * pid of the trader whose banner it is, the study of the worker printing "Trial 57 finished").
 */
import type { CachedProcess } from './processLifecycle';

export function processOfLog(processes: readonly CachedProcess[], absolutePath: string, subject: string): CachedProcess | undefined {
  const newest = (list: CachedProcess[]) => list.sort((a, b) => Date.parse(b.started_at) - Date.parse(a.started_at))[0];
  return newest(processes.filter((p) => p.log_path === absolutePath)) ?? newest(processes.filter((p) => p.class === 'trader' && p.subject === subject));
}

/** A field of a process for a fact key (`pid`, `study_name`, `started_at`, …); objects and absent ones give nothing. */
export function processField(process: CachedProcess | undefined, name: string): unknown {
  const value = process ? (process as unknown as Record<string, unknown>)[name] : undefined;
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? value : undefined;
}
