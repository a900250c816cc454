/**
 * Tails every file matching a source's globs: change notifications (chokidar) for low
 * latency, a periodic scan as a safety net (and to find new files), one FileTailer per
 * path. Records are handed to `onBatch` together with the checkpoint that covers them; the
 * caller commits both in one transaction (or throws, and the path restarts from its last
 * committed checkpoint).
 */
import { statSync } from 'node:fs';
import path from 'node:path';
import { watch, type FSWatcher } from 'chokidar';
import type { Logger } from '../logging/logger';
import { fileBirthMs, judgeBirth } from './birth';
import { FileTailer, type PathCheckpoint, type TailRecord } from './FileTailer';
import { GlobSet } from './glob';

const FOLLOW_POLL_MS = 10;
const FOLLOW_FOR_MS = 200;

export interface TailBatch {
  /** Workspace-relative path, forward slashes. */
  path: string;
  records: TailRecord[];
  checkpoint: PathCheckpoint | null;
}

export interface CheckpointReader {
  /** Stored checkpoints of this source, by relative path. */
  load(): Map<string, PathCheckpoint>;
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
  logger: Logger;
  scanIntervalMs?: number;
  groupFlushMs?: number;
  retireQuietMs?: number;
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
  private scanTimer: NodeJS.Timeout | null = null;
  /**
   * chokidar drops a change within 50 ms of the previous one for the same file, so while a
   * file is being written barista follows it with its own short polls, until it has been
   * quiet for FOLLOW_FOR_MS.
   */
  private readonly following = new Map<string, NodeJS.Timeout>();
  private readonly lastReadAt = new Map<string, number>();
  private stopped = false;

  constructor(private readonly options: TailSourceOptions) {
    this.globs = new GlobSet(options.patterns, options.exclude);
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
    this.scanTimer = setInterval(() => this.scan(), this.options.scanIntervalMs ?? 1_000);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.scanTimer) clearInterval(this.scanTimer);
    for (const timer of this.following.values()) clearTimeout(timer);
    await this.watcher?.close();
    for (const tailer of this.tailers.values()) tailer.close();
    this.tailers.clear();
  }

  /** Polls every tracked path now and looks for new files (the safety net; tests call it too). */
  scan(): void {
    if (this.stopped) return;
    for (const rel of this.globs.expand(this.options.workspace)) {
      if (!this.tailers.has(rel)) this.track(rel, 'beginning'); // appeared while running: news (birth.ts)
    }
    if (this.options.notifications !== false) this.watchBases();
    for (const rel of this.tailers.keys()) this.schedule(rel);
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
    } catch (error) {
      this.options.logger.error({ err: error, path: rel }, 'reading failed; resuming from the last committed checkpoint');
      tailer.close();
      this.tailers.set(rel, this.createTailer(rel, this.options.checkpoints.load().get(rel)));
    }
    if (more || this.again.delete(rel)) setImmediate(() => this.pollLoop(rel));
    else this.busy.delete(rel);
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
    const dirs = this.globs.bases.map((b) => b.dir).filter((dir) => !this.watchedDirs.has(dir) && isDirectory(path.join(this.options.workspace, dir)));
    if (dirs.length === 0) return;
    const absolute = dirs.map((dir) => path.join(this.options.workspace, dir));
    dirs.forEach((dir) => this.watchedDirs.add(dir));
    if (!this.watcher) {
      const recursive = this.globs.bases.some((b) => b.recursive);
      this.watcher = watch(absolute, { ignoreInitial: true, depth: recursive ? 8 : 0, atomic: false, alwaysStat: false });
      const onPath = (changed: string) => {
        const rel = path.relative(this.options.workspace, changed).split(path.sep).join('/');
        if (this.tailers.has(rel)) this.schedule(rel);
        else if (this.globs.matches(rel)) {
          this.track(rel, 'beginning');
          this.schedule(rel);
        } else {
          // A rotated name (x.log.1) changing tells us x.log may have been renamed.
          for (const tracked of this.tailers.keys()) if (rel.startsWith(tracked)) this.schedule(tracked);
        }
      };
      this.watcher.on('add', onPath).on('change', onPath).on('unlink', onPath).on('error', (error) => this.options.logger.warn({ err: error }, 'file notifications failed; the periodic scan continues'));
    } else this.watcher.add(absolute);
  }
}

function isDirectory(dir: string): boolean {
  try {
    return statSync(dir).isDirectory();
  } catch {
    return false;
  }
}
