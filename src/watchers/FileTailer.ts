/**
 * Follows one path of a log or CSV without losing or repeating a line: appends, rename
 * rotation (the old file is drained to its end, then the new one read from 0), copytruncate
 * (the rotated copy is drained from where we were, then the file from 0), delete and
 * recreate, and truncation while barista was stopped. Its checkpoint — a list of cursors,
 * each a file identity plus the offset just past the last record handed out — is committed
 * by the caller with the events made from those records.
 */
import { closeSync, fstatSync, openSync, readdirSync, readSync, statSync, type Stats } from 'node:fs';
import path from 'node:path';
import { fingerprintMatches, fingerprintOf, FINGERPRINT_BYTES, type Fingerprint } from './fileIdentity';
import { LineSplitter } from './LineSplitter';
import { recordText } from './recordText';
import { TracebackGrouper, type TextRecord } from './TracebackGrouper';

/** Persisted position in one file. */
export interface Cursor {
  /** Where the bytes are now (a rotated copy has its own inode). */
  dev: number;
  ino: number;
  /** Which bytes these are, for event ids: dev:ino:generation of the file they were written to. */
  identity: string;
  /** Bumped when the same inode is truncated or rewritten, so old and new bytes never share an id. */
  generation: number;
  fingerprint: Fingerprint;
  offset: number;
}

export interface PathCheckpoint {
  /** Rotated-away files still being drained first, the file at the path last. */
  cursors: Cursor[];
}

export interface TailRecord extends TextRecord {
  /** dev:ino:generation of the file the bytes came from. */
  identity: string;
}

export interface FileTailerOptions {
  maxLineBytes: number;
  multiline: 'python-traceback' | 'none';
  /** Where a file without a checkpoint starts. */
  startAt: 'end' | 'beginning';
  /** An unfinished traceback is emitted after this long without new bytes. */
  groupFlushMs?: number;
  /** A rotated-away file is closed after this long without growing. */
  retireQuietMs?: number;
  /** Most bytes read per poll() call, so a backlog does not block the event loop. */
  maxBytesPerPoll?: number;
  now?: () => number;
}

export interface TailPoll {
  records: TailRecord[];
  /** More bytes are waiting: call poll() again soon. */
  more: boolean;
}

const CHUNK = 256 * 1024;

class OpenFile {
  readonly splitter: LineSplitter;
  readonly grouper: TracebackGrouper | null;
  lastGrowthAt: number;
  lastSize = -1;
  lastMtime = -1;

  constructor(
    readonly fd: number,
    readonly cursor: Cursor,
    readOffset: number,
    options: FileTailerOptions,
    now: number,
  ) {
    this.splitter = new LineSplitter(readOffset, options.maxLineBytes);
    this.grouper = options.multiline === 'python-traceback' ? new TracebackGrouper() : null;
    this.lastGrowthAt = now;
  }

  get identity(): string {
    return this.cursor.identity;
  }

  /** Everything before this offset has been handed out. */
  get resumeOffset(): number {
    return this.grouper?.openStart ?? this.splitter.pendingStart;
  }
}

const identityOf = (dev: number, ino: number, generation: number) => `${dev}:${ino}:${generation}`;

export class FileTailer {
  private current: OpenFile | null = null;
  private retired: OpenFile[] = [];
  private readonly now: () => number;

  constructor(
    readonly absolutePath: string,
    private readonly options: FileTailerOptions,
    checkpoint?: PathCheckpoint,
  ) {
    this.now = options.now ?? Date.now;
    if (checkpoint) this.restore(checkpoint);
  }

  /** Reads what is new; returns complete records in file order. */
  poll(): TailPoll {
    const records: TailRecord[] = [];
    let budget = this.options.maxBytesPerPoll ?? 4 * 1024 * 1024;
    const take = (file: OpenFile, upTo?: number) => {
      const result = this.read(file, budget, upTo);
      budget -= result.bytes;
      records.push(...result.records);
    };

    // Older files first: what was rotated away was written before what is at the path now.
    for (const file of [...this.retired]) {
      take(file);
      if (budget <= 0) return { records, more: true };
      if (this.now() - file.lastGrowthAt >= (this.options.retireQuietMs ?? 5_000)) {
        records.push(...this.finish(file));
        this.retired = this.retired.filter((f) => f !== file);
        closeSync(file.fd);
      }
    }

    const atPath = statOrNull(this.absolutePath);
    const current = this.current;
    if (current && (!atPath || atPath.ino !== current.cursor.ino || atPath.dev !== current.cursor.dev)) {
      // Renamed away or deleted: whatever it still holds comes before the new file.
      take(current);
      if (budget <= 0) return { records, more: true };
      this.retired.push(current);
      this.current = null;
    } else if (current) {
      const stat = fstatSync(current.fd);
      const changed = stat.size !== current.lastSize || stat.mtimeMs !== current.lastMtime;
      if (changed && (stat.size < current.splitter.offset || !fingerprintMatches(current.fd, stat.size, current.cursor.fingerprint))) {
        records.push(...this.restartAfterTruncation(current));
      }
      current.lastSize = stat.size;
      current.lastMtime = stat.mtimeMs;
    }
    if (!this.current && atPath) this.current = this.openNew(atPath, 'beginning');
    if (this.current) {
      take(this.current);
      records.push(...this.flushStaleGroup(this.current));
    }
    return { records, more: budget <= 0 };
  }

  /** Where to resume from if everything handed out so far is committed. */
  checkpoint(): PathCheckpoint | null {
    const files = [...this.retired, ...(this.current ? [this.current] : [])];
    if (files.length === 0) return null;
    return { cursors: files.map((f) => ({ ...f.cursor, fingerprint: { ...f.cursor.fingerprint }, offset: f.resumeOffset })) };
  }

  close(): void {
    for (const file of [...this.retired, ...(this.current ? [this.current] : [])]) closeSync(file.fd);
    this.retired = [];
    this.current = null;
  }

  /** Opens the file at the path when no checkpoint names it. */
  startFresh(startAt: 'end' | 'beginning' = this.options.startAt): void {
    const stat = statOrNull(this.absolutePath);
    if (stat && !this.current) this.current = this.openNew(stat, startAt);
  }

  private restore(checkpoint: PathCheckpoint): void {
    const atPath = statOrNull(this.absolutePath);
    for (const cursor of checkpoint.cursors) {
      const located = atPath && atPath.dev === cursor.dev && atPath.ino === cursor.ino ? this.absolutePath : findSibling(this.absolutePath, (s) => s.dev === cursor.dev && s.ino === cursor.ino);
      if (!located) continue; // deleted while barista was stopped: nothing left to read
      const fd = openSync(located, 'r');
      const file = new OpenFile(fd, { ...cursor }, cursor.offset, this.options, this.now());
      if (located === this.absolutePath) this.current = file;
      else this.retired.push(file);
    }
    // The file at the path is new to us: it replaced the one we were reading.
    if (atPath && !this.current) this.current = this.openNew(atPath, 'beginning');
    if (this.current) {
      const stat = fstatSync(this.current.fd);
      if (stat.size < this.current.cursor.offset || !fingerprintMatches(this.current.fd, stat.size, this.current.cursor.fingerprint)) {
        // Truncated or rewritten while barista was stopped; any rotated copy is drained first.
        this.retired.push(...this.openRotatedCopy(this.current));
        this.resetToZero(this.current);
      }
    }
  }

  private openNew(stat: Stats, startAt: 'end' | 'beginning'): OpenFile {
    const fd = openSync(this.absolutePath, 'r');
    const size = fstatSync(fd).size;
    const offset = startAt === 'end' ? lastLineBoundary(fd, size) : 0;
    const cursor: Cursor = { dev: stat.dev, ino: stat.ino, identity: identityOf(stat.dev, stat.ino, 0), generation: 0, fingerprint: fingerprintOf(fd, size), offset };
    return new OpenFile(fd, cursor, offset, this.options, this.now());
  }

  private restartAfterTruncation(file: OpenFile): TailRecord[] {
    const records: TailRecord[] = [];
    // copytruncate: the copy holds what was appended since our last read, from our resume point on.
    const copies = this.openRotatedCopy(file);
    for (const copy of copies) {
      records.push(...this.read(copy, Number.MAX_SAFE_INTEGER).records, ...this.finish(copy));
      closeSync(copy.fd);
    }
    // Without a copy, what we held of the old content is all there is of it.
    if (copies.length === 0) records.push(...this.finish(file));
    this.resetToZero(file);
    return records;
  }

  private openRotatedCopy(file: OpenFile): OpenFile[] {
    const offset = file.resumeOffset;
    const copyPath = findSibling(this.absolutePath, (s, p) => s.size >= offset && s.ino !== file.cursor.ino && matchesFingerprint(p, s.size, file.cursor.fingerprint));
    if (!copyPath) return [];
    const fd = openSync(copyPath, 'r');
    const stat = fstatSync(fd);
    // Same bytes at the same offsets as the original: they keep the original's identity.
    const cursor: Cursor = { ...file.cursor, dev: stat.dev, ino: stat.ino, fingerprint: { ...file.cursor.fingerprint }, offset };
    return [new OpenFile(fd, cursor, offset, this.options, this.now())];
  }

  private resetToZero(file: OpenFile): void {
    const generation = file.cursor.generation + 1;
    const cursor: Cursor = {
      ...file.cursor,
      generation,
      identity: identityOf(file.cursor.dev, file.cursor.ino, generation),
      offset: 0,
      fingerprint: fingerprintOf(file.fd, fstatSync(file.fd).size),
    };
    const replacement = new OpenFile(file.fd, cursor, 0, this.options, this.now());
    if (this.current === file) this.current = replacement;
  }

  private read(file: OpenFile, budget: number, upTo?: number): { records: TailRecord[]; bytes: number } {
    const records: TailRecord[] = [];
    const size = upTo ?? fstatSync(file.fd).size;
    let position = file.splitter.offset;
    let bytes = 0;
    const buffer = Buffer.allocUnsafe(CHUNK);
    while (position < size && bytes < budget) {
      const n = readSync(file.fd, buffer, 0, Math.min(CHUNK, size - position), position);
      if (n <= 0) break;
      position += n;
      bytes += n;
      for (const raw of file.splitter.push(buffer.subarray(0, n))) {
        const record: TextRecord = { text: recordText(raw.bytes), lines: 1, start: raw.start, end: raw.end, cut: raw.cut };
        for (const out of file.grouper ? file.grouper.push(record) : [record]) records.push({ ...out, identity: file.identity });
      }
    }
    if (bytes > 0) {
      file.lastGrowthAt = this.now();
      this.extendFingerprint(file, size);
    }
    return { records, bytes };
  }

  private extendFingerprint(file: OpenFile, size: number): void {
    if (file.cursor.fingerprint.length < FINGERPRINT_BYTES && size > file.cursor.fingerprint.length) {
      file.cursor.fingerprint = fingerprintOf(file.fd, size);
    }
  }

  /** A file that will not grow: its partial last line and open group are records now. */
  private finish(file: OpenFile): TailRecord[] {
    const out: TextRecord[] = [];
    const partial = file.splitter.flush();
    if (partial) {
      const record: TextRecord = { text: recordText(partial.bytes), lines: 1, start: partial.start, end: partial.end, cut: partial.cut };
      out.push(...(file.grouper ? file.grouper.push(record) : [record]));
    }
    const group = file.grouper?.flush();
    if (group) out.push(group);
    return out.map((r) => ({ ...r, identity: file.identity }));
  }

  private flushStaleGroup(file: OpenFile): TailRecord[] {
    if (!file.grouper || file.grouper.openStart === null) return [];
    if (this.now() - file.lastGrowthAt < (this.options.groupFlushMs ?? 1_000)) return [];
    const group = file.grouper.flush();
    return group ? [{ ...group, identity: file.identity }] : [];
  }

  /** How long until an open group must be flushed (for the caller's timer), or null. */
  get pendingGroupDeadline(): number | null {
    const file = this.current;
    if (!file?.grouper || file.grouper.openStart === null) return null;
    return file.lastGrowthAt + (this.options.groupFlushMs ?? 1_000);
  }

  get hasRetired(): boolean {
    return this.retired.length > 0;
  }
}

function statOrNull(file: string): Stats | null {
  try {
    return statSync(file);
  } catch {
    return null;
  }
}

/** A file in the same folder whose name starts with this one's (x.log.1, x.log-2026…) and fits. */
function findSibling(file: string, fits: (stat: Stats, path: string) => boolean): string | null {
  const dir = path.dirname(file);
  const base = path.basename(file);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return null;
  }
  for (const name of names.filter((n) => n !== base && n.startsWith(base)).sort()) {
    const candidate = path.join(dir, name);
    const stat = statOrNull(candidate);
    if (stat?.isFile() && fits(stat, candidate)) return candidate;
  }
  return null;
}

function matchesFingerprint(file: string, size: number, fingerprint: Fingerprint): boolean {
  let fd: number | null = null;
  try {
    fd = openSync(file, 'r');
    return fingerprintMatches(fd, size, fingerprint);
  } catch {
    return false;
  } finally {
    if (fd !== null) closeSync(fd);
  }
}

/** Offset just past the last line break, so starting "at the end" still reads a line in progress whole. */
function lastLineBoundary(fd: number, size: number): number {
  const window = Buffer.alloc(Math.min(size, 64 * 1024));
  let end = size;
  while (end > 0) {
    const length = Math.min(window.length, end);
    readSync(fd, window, 0, length, end - length);
    for (let i = length - 1; i >= 0; i -= 1) {
      if (window[i] === 0x0a || window[i] === 0x0d) return end - length + i + 1;
    }
    end -= length;
  }
  return 0;
}
