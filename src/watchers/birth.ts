/**
 * The one rule for what a source finds the first time it looks at something — a log, a CSV, a
 * JSON document, a deployment file, an Optuna storage (and so every study in it): born after
 * barista's first start → news from its beginning; there before → history, taken as a baseline.
 *
 * "Born" is decided without trusting anyone's clock where possible:
 * - something absent when a watcher first looked and found later appeared while barista was
 *   watching: news, no clock involved (the tailer's new files, a storage created after start,
 *   a study whose rows come after the watermark);
 * - something present at that first look is dated by its file's birth time (statx btime), which
 *   this host's kernel stamps from the same clock barista's `firstStartedAt` came from. A
 *   study's first `datetime_start` is not used: it is the worker's naive local time (its time
 *   zone, its host, its clock), so a container in UTC or a skewed host would misdate it by hours;
 * - no birth time (a filesystem without btime): history. ctime is no substitute — every write
 *   and every atomic rewrite moves it, which would replay old files as news.
 */
import { statSync } from 'node:fs';

export type FirstLook = 'news' | 'history';

/** When `file` was created (ms, the kernel's clock); null when unknown or the file is absent. */
export function fileBirthMs(file: string): number | null {
  try {
    const born = statSync(file).birthtimeMs;
    return born > 0 ? born : null;
  } catch {
    return null;
  }
}

/**
 * Whole milliseconds: file times come from the kernel's coarse clock, which may lag, so a file
 * made in the very millisecond of `since` counts as there before it.
 */
export function judgeBirth(bornMs: number | null, since: number): FirstLook {
  return bornMs !== null && Math.floor(bornMs) > since ? 'news' : 'history';
}

/** A single thing's first look (an Optuna storage): absent now means whatever appears later is news. */
export function firstLookAt(file: string, since: number): FirstLook {
  try {
    statSync(file);
  } catch {
    return 'news';
  }
  return judgeBirth(fileBirthMs(file), since);
}

/**
 * First looks of a set of paths a watcher expands from globs: what its first complete look found
 * is judged by birth; anything found after that appeared while barista watched.
 */
export class FirstLooks {
  private present: Set<string> | null = null;

  constructor(private readonly since: number) {}

  /** The paths found by the watcher's first complete look (later calls change nothing). */
  lookedAt(found: Iterable<string>): void {
    this.present ??= new Set(found);
  }

  judge(key: string, file: string): FirstLook {
    if (this.present && !this.present.has(key)) return 'news';
    return judgeBirth(fileBirthMs(file), this.since);
  }
}
