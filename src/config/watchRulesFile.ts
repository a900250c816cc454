/**
 * Emits a fresh LoadResult whenever rules.yaml changes on disk. Editors save by rewriting
 * in place or by renaming a temp file over it; chokidar's atomic handling covers both.
 * Bursts of writes collapse into one reload (debounce on an injectable scheduler).
 */
import { watch } from 'chokidar';
import { asyncScheduler, debounceTime, distinctUntilChanged, map, merge, Observable, skip, startWith, type SchedulerLike } from '../rx';
import { reloadEnvFile, type EnvFileResult } from './environment';
import type { Env } from './interpolate';
import { loadRulesFile, type LoadResult } from './loadRules';

export interface WatchRulesOptions {
  env?: Env;
  /** The .env barista loaded: saving it reloads the rules with its new values (the process environment still wins). */
  envFile?: EnvFileResult;
  debounceMs?: number;
  scheduler?: SchedulerLike;
}

/** A content key for a result: unchanged text (or the same problems) is not a new result. */
function resultKey(result: LoadResult): string {
  return result.ok ? `ok:${result.rules.hash}` : `bad:${JSON.stringify(result.problems)}`;
}

export function fileChanges(file: string): Observable<void> {
  return new Observable<void>((subscriber) => {
    const watcher = watch(file, { ignoreInitial: true, atomic: 100 });
    const notify = () => subscriber.next();
    // A deletion is news too: barista says it keeps the rules in force until the file is back.
    watcher.on('add', notify).on('change', notify).on('unlink', notify).on('error', (error) => subscriber.error(error));
    // The watch arms a moment after this call: one look once it has, so a save made meanwhile
    // (right after start) is not lost. An unchanged file then reloads to nothing new.
    watcher.once('ready', notify);
    return () => {
      void watcher.close();
    };
  });
}

/**
 * @param initial the result already applied at start, so an unchanged save emits nothing (a
 * .env save changes the result only where the rules use what changed).
 */
export function watchRulesFile(file: string, initial: LoadResult, options: WatchRulesOptions = {}): Observable<LoadResult> {
  const env = options.env ?? process.env;
  let envFile = options.envFile;
  const changes = envFile ? merge(fileChanges(file), fileChanges(envFile.file)) : fileChanges(file);
  return changes.pipe(
    debounceTime(options.debounceMs ?? 150, options.scheduler ?? asyncScheduler),
    map(() => {
      if (envFile) envFile = reloadEnvFile(envFile, env as NodeJS.ProcessEnv);
      return loadRulesFile(file, env);
    }),
    startWith(initial),
    distinctUntilChanged((a, b) => resultKey(a) === resultKey(b)),
    skip(1),
  );
}
