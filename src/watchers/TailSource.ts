/**
 * Tails every file matching a source's globs: change notifications (one watch per folder;
 * chokidar below recursive globs) for low latency, a periodic scan as a safety net (and to find new files), one FileTailer per
 * path. Records are handed to `onBatch` together with the checkpoint that covers them; the
 * caller commits both in one transaction (or throws, and the path restarts from its last
 * committed checkpoint). Thousands of quiet files cost a stat each per scan: a file quiet for
 * `closeInactiveMs` gives its descriptor back (and any file may, to stay in the descriptor
 * budget); a file deleted and drained is forgotten with its checkpoint; a file that cannot be
 * opened is one warning and is retried until it can.
 */
import { statSync, watch as watchFolder, type FSWatcher as FolderWatcher, type Stats } from 'node:fs';
import path from 'node:path';
import { watch, type FSWatcher } from 'chokidar';
import type { Logger } from '../logging/logger';
import { isDescriptorShortage, type DescriptorBudget } from './descriptorBudget';
import { watchErrorReporter } from './watchErrors';
import { fileBirthMs, judgeBirth } from './birth';
import { FileTailer, type PathCheckpoint, type TailRecord } from './FileTailer';
import { GlobSet } from './glob';

const FOLLOW_POLL_MS = 10;
const FOLLOW_FOR_MS = 200;
const QUIET_SWEEP_EVERY = 5;

export interface TailBatch {
  /** Workspace-relative path, forward slashes. */
  path: string;
  records: TailRecord[];
  checkpoint: PathCheckpoint | null;
}

export interface CheckpointReader {
  /** Stored checkpoints of this source, by relative path. */
  load(): Map<string, PathCheckpoint>;
  /** Drops the checkpoint of a path whose file is gone and drained. */
  forget(path: string): void;
}

export interface TailSourceOptions {
  workspace: string;
  patterns: string[];
  exclude?: string[];
  maxLineBytes: number;
  multiline: 'python-traceback' | 'none';
  tracebackLead?: string;
  /** Per rules.yaml; undefined = end for files that existed at barista's first start, beginning for newer ones. */
  startAt?: 'end' | 'beginning';
  /** When barista first ran on this state (ms): files born before it start at their end. */
  firstStartedAt: number;
  checkpoints: CheckpointReader;
  onBatch: (batch: TailBatch) => void;
  /** A file that cannot be opened (reported once, beside the warning): for the source's health. */
  onUnreadable?: (path: string, error: NodeJS.ErrnoException) => void;
  logger: Logger;
  scanIntervalMs?: number;
  groupFlushMs?: number;
  retireQuietMs?: number;
  /** A file without new bytes for this long closes its descriptor until its stat changes (default 30 s). */
  closeInactiveMs?: number;
  /** Most bytes read from one file per poll: a burst is read and committed in slices this size. */
  maxBytesPerPoll?: number;
  budget?: DescriptorBudget;
  /** Use chokidar notifications (tests of the safety net turn them off). */
  notifications?: boolean;
  now?: () => number;
}

export class TailSource {
  private readonly globs: GlobSet;
  private readonly tailers = new Map<string, FileTailer>();
  private readonly busy = new Set<string>();
  /** Paths whose checkpoint was never committed: their first poll commits one, records or not. */
  private readonly uncommitted = new Set<string>();
  private readonly again = new Set<string>();
  private watcher: FSWatcher | null = null;
  private readonly watchedDirs = new Set<string>();
  private readonly folderWatchers = new Map<string, { watcher: FolderWatcher; ino: number }>();
  /** Notification failures, each kind said once (a symlink loop is one line, not one per level). */
  private readonly reportWatchError: (error: unknown) => void;
  private scanTimer: NodeJS.Timeout | null = null;
  /**
   * chokidar drops a change within 50 ms of the previous one for the same file, so while a
   * file is being written barista follows it with its own short polls, until it has been
   * quiet for FOLLOW_FOR_MS.
   */
  private readonly following = new Map<string, NodeJS.Timeout>();
  private readonly lastReadAt = new Map<string, number>();
  /** Paths that could not be opened at their last look, with the error code already reported. */
  private readonly blocked = new Map<string, string>();
  private readonly baseMtimes = new Map<string, number>();
  private sweeps = 0;
  private stopped = false;

  constructor(private readonly options: TailSourceOptions) {
    this.globs = new GlobSet(options.patterns, options.exclude);
    this.reportWatchError = watchErrorReporter(options.logger);
  }

  start(): void {
    const stored = this.options.checkpoints.load();
    for (const [rel, checkpoint] of stored) {
      if (this.globs.matches(rel)) this.tailers.set(rel, this.createTailer(rel, checkpoint));
    }
    for (const rel of this.globs.expand(this.options.workspace)) {
      if (!this.tailers.has(rel)) this.track(rel, this.startAtFor(rel));
    }
    if (this.options.notifications !== false) this.watchBases();
    for (const rel of this.tailers.keys()) this.schedule(rel);
    this.scanTimer = setInterval(() => this.sweep(), this.options.scanIntervalMs ?? 1_000);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.scanTimer) clearInterval(this.scanTimer);
    for (const timer of this.following.values()) clearTimeout(timer);
    await this.watcher?.close();
    for (const { watcher } of this.folderWatchers.values()) watcher.close();
    this.folderWatchers.clear();
    for (const tailer of this.tailers.values()) tailer.close();
    this.tailers.clear();
  }

  /** Polls every tracked path now and looks for new files (the safety net; tests call it too). */
  scan(): void {
    this.sweep(true);
  }

  /**
   * The periodic safety net. With notifications on, a closed (quiet) file is announced by them
   * when it changes, so the sweep looks at it, and lists the folders, only every
   * QUIET_SWEEP_EVERY sweeps (or when a folder changed): thousands of quiet files cost a stat each
   * every few seconds, not every second.
   */
  private sweep(full = this.options.notifications === false || (this.sweeps += 1) % QUIET_SWEEP_EVERY === 0): void {
    if (this.stopped) return;
    if (full || this.basesChanged()) {
      for (const rel of this.globs.expand(this.options.workspace)) {
        if (!this.tailers.has(rel)) this.track(rel, 'beginning'); // appeared while running: news (birth.ts)
      }
    }
    if (this.options.notifications !== false) this.watchBases();
    for (const [rel, tailer] of this.tailers) if (full || !tailer.isParked) this.schedule(rel);
  }

  /** Whether a base folder's mtime moved since the last sweep that asked (a file added, removed or renamed). */
  private basesChanged(): boolean {
    let changed = false;
    for (const { dir } of this.globs.bases) {
      const mtime = mtimeOf(path.join(this.options.workspace, dir));
      if (this.baseMtimes.get(dir) !== mtime || Date.now() - mtime <= 100) changed = true;
      this.baseMtimes.set(dir, mtime);
    }
    return changed;
  }

  /** A file there at the first look: born after barista's first start → news from its beginning (birth.ts). */
  private startAtFor(rel: string): 'end' | 'beginning' {
    if (this.options.startAt) return this.options.startAt;
    return judgeBirth(fileBirthMs(path.join(this.options.workspace, rel)), this.options.firstStartedAt) === 'news' ? 'beginning' : 'end';
  }

  private track(rel: string, startAt: 'end' | 'beginning'): void {
    const tailer = this.createTailer(rel);
    tailer.startFresh(startAt);
    this.tailers.set(rel, tailer);
    this.uncommitted.add(rel);
  }

  private createTailer(rel: string, checkpoint?: PathCheckpoint): FileTailer {
    return new FileTailer(
      path.join(this.options.workspace, rel),
      {
        maxLineBytes: this.options.maxLineBytes,
        multiline: this.options.multiline,
        tracebackLead: this.options.tracebackLead,
        startAt: this.options.startAt ?? 'end',
        groupFlushMs: this.options.groupFlushMs,
        retireQuietMs: this.options.retireQuietMs,
        closeInactiveMs: this.options.closeInactiveMs ?? 30_000,
        maxBytesPerPoll: this.options.maxBytesPerPoll ?? 256 * 1024,
        budget: this.options.budget,
        now: this.options.now,
      },
      checkpoint,
    );
  }

  private schedule(rel: string): void {
    if (this.stopped) return;
    if (this.busy.has(rel)) {
      this.again.add(rel);
      return;
    }
    this.busy.add(rel);
    setImmediate(() => this.pollLoop(rel));
  }

  private pollLoop(rel: string): void {
    const tailer = this.tailers.get(rel);
    if (this.stopped || !tailer) {
      this.busy.delete(rel);
      return;
    }
    let more = false;
    try {
      const result = tailer.poll();
      more = result.more;
      const checkpoint = tailer.checkpoint();
      if (result.records.length > 0 || this.uncommitted.has(rel)) this.options.onBatch({ path: rel, records: result.records, checkpoint });
      this.uncommitted.delete(rel);
      if (result.records.length > 0) this.lastReadAt.set(rel, Date.now());
      if (Date.now() - (this.lastReadAt.get(rel) ?? -Infinity) < FOLLOW_FOR_MS) this.follow(rel);
      this.reportBlocked(rel, tailer.blocked);
      if (!more && tailer.gone) this.forget(rel);
    } catch (error) {
      this.options.logger.error({ err: error, path: rel }, 'reading failed; resuming from the last committed checkpoint');
      tailer.close();
      this.tailers.set(rel, this.createTailer(rel, this.options.checkpoints.load().get(rel)));
    }
    if (more || this.again.delete(rel)) setImmediate(() => this.pollLoop(rel));
    else this.busy.delete(rel);
  }

  /** Deleted and drained: no tailer, no checkpoint, so neither a scan nor a restart looks for it again. */
  private forget(rel: string): void {
    this.tailers.get(rel)?.close();
    this.tailers.delete(rel);
    this.lastReadAt.delete(rel);
    this.blocked.delete(rel);
    this.options.checkpoints.forget(rel);
  }

  /** One warning when a file cannot be opened (one for the whole source when out of descriptors), one line when it can again. */
  private reportBlocked(rel: string, error: NodeJS.ErrnoException | null): void {
    const reported = this.blocked.get(rel);
    const code = error?.code ?? String(error?.message);
    if (error && reported !== code) {
      const shortageReported = isDescriptorShortage(error) && [...this.blocked.values()].some((c) => isDescriptorShortage({ code: c }));
      this.blocked.set(rel, code);
      if (shortageReported) return;
      this.options.onUnreadable?.(rel, error);
      const file = path.join(this.options.workspace, rel);
      if (isDescriptorShortage(error)) this.options.logger.warn({ path: rel, code }, `too many open files (${code}) opening ${file}; barista retries at each look`);
      else this.options.logger.warn({ path: rel, code }, `cannot read ${file} (${code}: ${reasonOf(code)}${modeOf(file)}); it is followed once it can be read`);
    } else if (!error && reported !== undefined) {
      this.blocked.delete(rel);
      if (!isDescriptorShortage({ code: reported })) this.options.logger.info({ path: rel }, `${rel} can be read again; following it`);
    }
  }

  private follow(rel: string): void {
    if (this.stopped || this.following.has(rel)) return;
    this.following.set(
      rel,
      setTimeout(() => {
        this.following.delete(rel);
        this.schedule(rel);
      }, FOLLOW_POLL_MS),
    );
  }

  private watchBases(): void {
    for (const { dir, recursive } of this.globs.bases) {
      const absolute = path.join(this.options.workspace, dir);
      const folder = statOrNull(absolute);
      const watched = this.folderWatchers.get(dir);
      if (watched && folder?.ino !== watched.ino) {
        // The folder was removed (and maybe made again): its watch died with it.
        watched.watcher.close();
        this.folderWatchers.delete(dir);
        this.watchedDirs.delete(dir);
      }
      if (this.watchedDirs.has(dir) || !folder?.isDirectory()) continue;
      this.watchedDirs.add(dir);
      if (recursive) this.watchRecursive(absolute);
      else this.watchFolder(dir, absolute, folder.ino);
    }
  }

  /** One watch on the folder tells about every file in it (chokidar would add one per file: thousands). */
  private watchFolder(dir: string, absolute: string, ino: number): void {
    try {
      const watcher = watchFolder(absolute, (_event, name) => {
        if (name) this.onPath(path.join(absolute, name.toString()));
      });
      watcher.on('error', (error) => {
        this.reportWatchError(error);
        watcher.close();
        this.folderWatchers.delete(dir);
        this.watchedDirs.delete(dir);
      });
      this.folderWatchers.set(dir, { watcher, ino });
    } catch (error) {
      this.watchedDirs.delete(dir);
      this.reportWatchError(error);
    }
  }

  private watchRecursive(absolute: string): void {
    if (this.watcher) {
      this.watcher.add(absolute);
      return;
    }
    this.watcher = watch(absolute, { ignoreInitial: true, depth: 8, atomic: false, alwaysStat: false });
    const onPath = (changed: string) => this.onPath(changed);
    this.watcher.on('add', onPath).on('change', onPath).on('unlink', onPath).on('error', this.reportWatchError);
  }

  private onPath(changed: string): void {
    if (this.stopped) return;
    const rel = path.relative(this.options.workspace, changed).split(path.sep).join('/');
    if (this.tailers.has(rel)) this.schedule(rel);
    else if (this.globs.matches(rel)) {
      this.track(rel, 'beginning');
      this.schedule(rel);
    } else {
      // A rotated name (x.log.1) changing tells us x.log may have been renamed.
      for (const tracked of this.tailers.keys()) if (rel.startsWith(tracked)) this.schedule(tracked);
    }
  }
}

function reasonOf(code: string): string {
  return code === 'EACCES' || code === 'EPERM' ? 'permission denied' : code === 'ELOOP' ? 'symlink loop' : code === 'EISDIR' ? 'a directory' : 'cannot open';
}

/** ", mode 000, owner uid 1000, barista runs as uid 65534": what a user needs to fix a permission. */
function modeOf(file: string): string {
  try {
    const stat = statSync(file);
    const mode = (stat.mode & 0o777).toString(8).padStart(3, '0');
    return `, mode ${mode}, owner uid ${stat.uid}${process.getuid ? `, barista runs as uid ${process.getuid()}` : ''}`;
  } catch {
    return '';
  }
}

function statOrNull(file: string): Stats | null {
  try {
    return statSync(file);
  } catch {
    return null;
  }
}

function mtimeOf(dir: string): number {
  try {
    return statSync(dir).mtimeMs;
  } catch {
    return -1;
  }
}
