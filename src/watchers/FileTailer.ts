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
import { compileUserRegex } from '../config/linearRegex';
import { isDescriptorShortage, sharedDescriptorBudget, type DescriptorBudget, type DescriptorHolder } from './descriptorBudget';
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
  /** Rotated siblings (inode:birth) present at the last look: any other one appeared unseen. */
  siblings?: string[];
  /** Inodes of rotated files already read to their end (so they are not taken for unseen ones). */
  done?: number[];
}

export interface TailRecord extends TextRecord {
  /** dev:ino:generation of the file the bytes came from. */
  identity: string;
}

export interface FileTailerOptions {
  maxLineBytes: number;
  multiline: 'python-traceback' | 'none';
  /** Regex of a line announcing a traceback that follows at once (grouped with it). */
  tracebackLead?: string;
  /** Where a file without a checkpoint starts. */
  startAt: 'end' | 'beginning';
  /** An unfinished traceback is emitted after this long without new bytes. */
  groupFlushMs?: number;
  /** A rotated-away file is closed after this long without growing. */
  retireQuietMs?: number;
  /** Most bytes read per poll() call, so a backlog does not block the event loop. */
  maxBytesPerPoll?: number;
  /** The file's descriptor is closed after this long without new bytes, and reopened when its stat changes. */
  closeInactiveMs?: number;
  /** Shared bound on files held open (default: derived from RLIMIT_NOFILE). */
  budget?: DescriptorBudget;
  now?: () => number;
}

/** What a stat of a file tells without opening it: equal means nothing happened to it. */
interface StatSignature {
  dev: number;
  ino: number;
  size: number;
  mtimeMs: number;
  ctimeMs: number;
}

/** Where a file opened later starts: at 0, or at the last line boundary before the size it had when first looked at. */
type StartPoint = 'beginning' | { dev: number; ino: number; size: number };


export interface TailPoll {
  records: TailRecord[];
  /** More bytes are waiting: call poll() again soon. */
  more: boolean;
}

const CHUNK = 256 * 1024;

// One read buffer for every tailer: reads are synchronous, and what a record keeps is decoded
// (or copied, for a partial line) before the next read. Allocated on the first read, not per poll.
let sharedReadBuffer: Buffer | null = null;
const readBuffer = (): Buffer => (sharedReadBuffer ??= Buffer.allocUnsafe(CHUNK));

class OpenFile {
  readonly splitter: LineSplitter;
  readonly grouper: TracebackGrouper | null;
  lastGrowthAt: number;
  lastSize = -1;
  lastMtime = -1;
  /** Set when a truncation restarted this file under a new generation. */
  replacedBy: OpenFile | null = null;
  /** Last modification of a rotated copy: about when its original was truncated. */
  copiedAt = Infinity;

  constructor(
    readonly fd: number,
    readonly cursor: Cursor,
    readOffset: number,
    options: FileTailerOptions,
    now: number,
  ) {
    this.splitter = new LineSplitter(readOffset, options.maxLineBytes);
    this.grouper = options.multiline === 'python-traceback' ? new TracebackGrouper(options.tracebackLead ? compileUserRegex(options.tracebackLead) : null) : null;
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

export class FileTailer implements DescriptorHolder {
  private current: OpenFile | null = null;
  /** Closed while quiet (or to make room in the budget): the position it reopens from, and the stat it had. */
  private parked: { checkpoint: PathCheckpoint; seen: StatSignature | null } | null = null;
  /** Why the file could not be opened at the last look (EACCES, EMFILE…); retried on later looks. */
  private blockedBy: NodeJS.ErrnoException | null = null;
  private pendingStart: StartPoint = 'beginning';
  private readonly budget: DescriptorBudget;
  private retired: OpenFile[] = [];
  /** Siblings (x.log.1 …) present at the last complete look; null before the first look. */
  private knownSiblings: Set<string> | null = null;
  private siblingsDirMtime = -1;
  private done: number[] = [];
  private readonly now: () => number;

  constructor(
    readonly absolutePath: string,
    private readonly options: FileTailerOptions,
    checkpoint?: PathCheckpoint,
  ) {
    this.now = options.now ?? Date.now;
    this.budget = options.budget ?? sharedDescriptorBudget;
    // Opened by the first poll, so that thousands of checkpoints cost no descriptor at start.
    if (checkpoint) this.parked = { checkpoint, seen: null };
  }

  /** Closed until its stat changes. */
  get isParked(): boolean {
    return this.parked !== null;
  }

  /** Why the file cannot be read now (permission, descriptor limit), or null. */
  get blocked(): NodeJS.ErrnoException | null {
    return this.blockedBy;
  }

  /** Nothing at the path, nothing left to drain: the caller may forget this path and its checkpoint. */
  get gone(): boolean {
    return !this.parked && !this.current && this.retired.length === 0 && this.blockedBy === null && statOrNull(this.absolutePath) === null;
  }

  /** Reads what is new; returns complete records in file order. */
  poll(): TailPoll {
    if (this.parked && !this.unpark()) return { records: [], more: false };
    const result = this.pollOpen();
    const quietFor = this.current ? this.now() - this.current.lastGrowthAt : 0;
    if (this.current && !result.more && this.options.closeInactiveMs !== undefined && quietFor >= this.options.closeInactiveMs) this.park();
    return result;
  }

  /**
   * Closes the file, keeping where it was, unless something is still in flight (a rotated file
   * draining, a traceback waiting for its end). What it hands out is what the caller committed.
   */
  park(): boolean {
    if (this.parked) return true;
    if (this.retired.length > 0 || (this.current?.grouper?.openStart ?? null) !== null) return false;
    const checkpoint = this.checkpoint();
    const stat = this.current ? fstatSync(this.current.fd) : null;
    // Bytes it has not read yet (parked to make room right after they came): reopened at the next look.
    const seen = stat && this.current && stat.size === this.current.splitter.offset ? signatureOf(stat) : null;
    this.close();
    if (checkpoint) this.parked = { checkpoint, seen };
    return true;
  }

  /** Reopens a parked file if its stat changed since; false while it stays parked. */
  private unpark(): boolean {
    const parked = this.parked as { checkpoint: PathCheckpoint; seen: StatSignature | null };
    const atPath = statOrNull(this.absolutePath);
    if (parked.seen && atPath && sameSignature(parked.seen, atPath)) return false;
    try {
      this.budget.admit(this);
      this.restore(parked.checkpoint, atPath);
    } catch (error) {
      this.budget.release(this);
      this.blockedBy = error as NodeJS.ErrnoException;
      // Unreadable: tried again when its stat changes (a chmod changes ctime); out of descriptors: at every look.
      if (atPath && !isDescriptorShortage(error)) parked.seen = signatureOf(atPath);
      return false;
    }
    this.parked = null;
    this.blockedBy = null;
    return true;
  }

  private pollOpen(): TailPoll {
    // The siblings as they are before this look reads anything: one that appears while it
    // reads stays unseen, to be accounted for by the next look.
    const siblingsBefore = this.siblingsNow();
    const records: TailRecord[] = [];
    let budget = this.options.maxBytesPerPoll ?? 4 * 1024 * 1024;
    const take = (file: OpenFile) => {
      this.catchUpOnTruncation(file, records);
      budget -= this.read(this.latest(file), budget, records);
    };

    // Older files first: what was rotated away was written before what is at the path now.
    for (const file of [...this.retired]) {
      take(file);
      if (budget <= 0) return { records, more: true };
      const latest = this.latest(file);
      if (this.now() - latest.lastGrowthAt >= (this.options.retireQuietMs ?? 5_000)) {
        records.push(...this.finish(latest));
        this.retired = this.retired.filter((f) => f !== latest);
        closeSync(latest.fd);
        this.markDone(latest.cursor.ino);
      }
    }

    const atPath = statOrNull(this.absolutePath);
    if (this.current && (!atPath || atPath.ino !== this.current.cursor.ino || atPath.dev !== this.current.cursor.dev)) {
      // Renamed away or deleted: whatever it still holds comes before the new file.
      const leaving = this.current;
      take(leaving);
      if (budget <= 0) return { records, more: true };
      this.retired.push(this.latest(leaving));
      this.current = null;
    }
    if (!this.current) {
      // The path moved on (renamed, deleted, replaced): anything rotated away unseen since the
      // last look came before whatever is at the path now. Open that first, so a rotation
      // during this look cannot slip between the listing and the open.
      if (!atPath) this.blockedBy = null; // what could not be opened is gone
      const opened = atPath ? this.tryOpenNew() : null;
      if (atPath && !opened) return { records, more: false }; // unreadable for now: retried at the next look
      this.readUnseenSiblings(Infinity, opened, records);
      this.current = opened;
    }
    if (this.current) {
      take(this.current);
      records.push(...this.flushStaleGroup(this.current));
    }
    if (budget > 0 && siblingsBefore) [this.knownSiblings, this.siblingsDirMtime] = siblingsBefore;
    return { records, more: budget <= 0 };
  }

  /** Where to resume from if everything handed out so far is committed. */
  checkpoint(): PathCheckpoint | null {
    if (this.parked) return this.parked.checkpoint;
    const files = [...this.retired, ...(this.current ? [this.current] : [])];
    // Even with no file yet, what was looked at matters: a file rotated away before the next look.
    if (files.length === 0 && this.knownSiblings === null) return null;
    return {
      cursors: files.map((f) => ({ ...f.cursor, fingerprint: { ...f.cursor.fingerprint }, offset: f.resumeOffset })),
      ...(this.knownSiblings !== null ? { siblings: [...this.knownSiblings] } : {}),
      ...(this.done.length ? { done: [...this.done] } : {}),
    };
  }

  private markDone(ino: number): void {
    this.done = [...this.done.filter((i) => i !== ino), ino].slice(-64);
  }

  close(): void {
    for (const file of [...this.retired, ...(this.current ? [this.current] : [])]) closeSync(file.fd);
    this.retired = [];
    this.current = null;
    this.budget.release(this);
  }

  /** Opens the file at the path when no checkpoint names it. */
  startFresh(startAt: 'end' | 'beginning' = this.options.startAt): void {
    // This is a look: rotated files that appear from now on are ones we must not miss.
    if (this.knownSiblings === null) [this.knownSiblings, this.siblingsDirMtime] = this.siblingsNow(true) ?? [new Set<string>(), -1];
    const atPath = statOrNull(this.absolutePath);
    if (!atPath || this.current || this.parked) return;
    // Where "the end" is, decided now even if the file cannot be opened before later.
    this.pendingStart = startAt === 'end' ? { dev: atPath.dev, ino: atPath.ino, size: atPath.size } : 'beginning';
    this.current = this.tryOpenNew();
  }

  private restore(checkpoint: PathCheckpoint, atPath: Stats | null): void {
    const opened: { file: OpenFile; atPath: boolean }[] = [];
    try {
      for (const cursor of checkpoint.cursors) {
        const fd = openByIdentity(this.absolutePath, cursor, atPath);
        if (fd === null) continue; // deleted while barista was stopped (or parked): nothing left to read
        opened.push({ file: new OpenFile(fd.fd, { ...cursor }, cursor.offset, this.options, this.now()), atPath: fd.atPath });
      }
    } catch (error) {
      opened.forEach(({ file }) => closeSync(file.fd));
      throw error;
    }
    this.knownSiblings = checkpoint.siblings ? new Set(checkpoint.siblings) : null;
    this.done = checkpoint.done ?? [];
    for (const { file, atPath: isAtPath } of opened) {
      if (isAtPath) this.current = file;
      else this.retired.push(file);
    }
    // Truncations while barista was stopped are found by the first poll (each file's first look
    // checks its fingerprint), and a file at the path it does not know is opened there too.
  }

  /** Opens the file at the path from `pendingStart`; null (and `blocked` says why) when it cannot now. */
  private tryOpenNew(): OpenFile | null {
    try {
      this.budget.admit(this);
      const file = this.openNew(this.pendingStart);
      this.blockedBy = null;
      this.pendingStart = 'beginning';
      return file;
    } catch (error) {
      if (this.retired.length === 0) this.budget.release(this);
      if (isMissing(error)) return null; // deleted since the stat: the next look sees it gone
      this.blockedBy = error as NodeJS.ErrnoException;
      return null;
    }
  }

  private openNew(start: StartPoint): OpenFile {
    const fd = openSync(this.absolutePath, 'r');
    // Identity from the opened handle: the path may have been renamed between a stat and the open.
    const stat = fstatSync(fd);
    const size = stat.size;
    // "The end" is where the file ended when first looked at, if this is still that file.
    const endAt = start !== 'beginning' && start.dev === stat.dev && start.ino === stat.ino ? Math.min(start.size, size) : null;
    const offset = endAt === null ? 0 : lastLineBoundary(fd, endAt);
    const cursor: Cursor = { dev: stat.dev, ino: stat.ino, identity: identityOf(stat.dev, stat.ino, 0), generation: 0, fingerprint: fingerprintOf(fd, size), offset };
    return new OpenFile(fd, cursor, offset, this.options, this.now());
  }

  /** The OpenFile that replaced `file` after a truncation (or `file` itself). */
  private latest(file: OpenFile): OpenFile {
    return file.replacedBy ? this.latest(file.replacedBy) : file;
  }

  /**
   * A file truncated or rewritten in place (copytruncate, the launcher's `>`): the rotated copy
   * is drained from where we were, then any other rotation we missed, then the file restarts at
   * 0 under a new generation.
   */
  /** Appends to `out` (a backlog can be far more records than a spread may pass). */
  private catchUpOnTruncation(file: OpenFile, out: TailRecord[]): void {
    const stat = fstatSync(file.fd);
    const changed = stat.size !== file.lastSize || stat.mtimeMs !== file.lastMtime;
    file.lastSize = stat.size;
    file.lastMtime = stat.mtimeMs;
    if (!changed) return;
    let copy: OpenFile | null = null;
    if (stat.size < file.splitter.offset || !fingerprintMatches(file.fd, stat.size, file.cursor.fingerprint)) {
      copy = this.openRotatedCopy(file, () => true);
    } else if (this.folderMayHaveNewSiblings()) {
      // Copied and truncated between two looks, and regrown past where we were: the fingerprint
      // still matches, but a new copy disagrees with the file about the bytes we already read.
      const offset = file.resumeOffset;
      copy = this.openRotatedCopy(file, (sibling, siblingPath) => this.isUnseen(sibling) && !sameBytesBefore(file.fd, siblingPath, offset));
      if (!copy) return;
    } else return;
    if (copy) {
      this.read(copy, Number.MAX_SAFE_INTEGER, out);
      out.push(...this.finish(copy));
      closeSync(copy.fd);
      this.markDone(copy.cursor.ino);
    } else {
      out.push(...this.finish(file)); // without a copy, what we held of the old content is all there is
    }
    // Rotations missed before this truncation (written before its copy) precede the new content;
    // later ones are read when the path itself moves on.
    if (copy) this.readUnseenSiblings(copy.copiedAt, file, out, copy.cursor.ino);
    this.resetToZero(file, stat);
  }

  /** The rotated copy of `file` (same first bytes, long enough), new copies before old ones. */
  private openRotatedCopy(file: OpenFile, accept: (sibling: Stats, siblingPath: string) => boolean): OpenFile | null {
    const offset = file.resumeOffset;
    const candidates = siblings(this.absolutePath).filter(
      ({ path: p, stat: s }) => s.size >= offset && s.ino !== file.cursor.ino && !this.done.includes(s.ino) && matchesFingerprint(p, s.size, file.cursor.fingerprint) && accept(s, p),
    );
    // An empty fingerprint matches anything: then only a new copy, the latest written, will do.
    const unseen = candidates.filter(({ stat: s }) => this.isUnseen(s)).sort((a, b) => b.stat.mtimeMs - a.stat.mtimeMs);
    const found = unseen[0] ?? (file.cursor.fingerprint.length > 0 ? candidates[0] : undefined);
    if (!found) return null;
    const fd = openSync(found.path, 'r');
    const stat = fstatSync(fd);
    // Same bytes at the same offsets as the original: they keep the original's identity.
    const cursor: Cursor = { ...file.cursor, dev: stat.dev, ino: stat.ino, fingerprint: { ...file.cursor.fingerprint }, offset };
    const copy = new OpenFile(fd, cursor, offset, this.options, this.now());
    copy.copiedAt = stat.mtimeMs;
    return copy;
  }

  /** Appeared since the last look, and not a file we have open or have read to its end. */
  private isUnseen(sibling: Stats): boolean {
    if (this.knownSiblings === null || this.knownSiblings.has(siblingKey(sibling)) || this.done.includes(sibling.ino)) return false;
    return sibling.ino !== this.current?.cursor.ino && !this.retired.some((f) => f.cursor.ino === sibling.ino);
  }

  /** Whether the folder changed since the sibling snapshot (or so recently that its coarse time cannot tell). */
  private folderMayHaveNewSiblings(): boolean {
    if (this.knownSiblings === null) return false;
    const dir = statOrNull(path.dirname(this.absolutePath));
    return dir !== null && (dir.mtimeMs !== this.siblingsDirMtime || Date.now() - dir.mtimeMs <= 100);
  }

  /**
   * Rotated files that appeared since the last look and that we never opened: two rotations
   * between two looks (or while barista was stopped) leave one behind. Read whole, in the
   * order their content was written (last modification), up to `modifiedUpTo`.
   */
  private readUnseenSiblings(modifiedUpTo: number, next: OpenFile | null, out: TailRecord[], ...alsoKnown: number[]): void {
    if (this.knownSiblings === null) return;
    const seen = this.knownSiblings;
    const known = new Set<number | undefined>([...alsoKnown, next?.cursor.ino, ...this.done, ...this.retired.map((f) => f.cursor.ino), this.current?.cursor.ino]);
    // A copy of the file that comes next holds its content, not older content: it is read from there.
    const copyOfNext = (p: string, size: number) => next !== null && next.cursor.fingerprint.length > 0 && matchesFingerprint(p, size, next.cursor.fingerprint);
    const unseen = siblings(this.absolutePath)
      .filter(({ path: p, stat }) => !seen.has(siblingKey(stat)) && !known.has(stat.ino) && stat.mtimeMs <= modifiedUpTo && !copyOfNext(p, stat.size))
      .sort((a, b) => a.stat.mtimeMs - b.stat.mtimeMs);
    for (const { path: file } of unseen) {
      let fd: number;
      try {
        fd = openSync(file, 'r');
      } catch {
        continue;
      }
      const stat = fstatSync(fd); // the handle's own identity, whatever was renamed meanwhile
      const cursor: Cursor = { dev: stat.dev, ino: stat.ino, identity: identityOf(stat.dev, stat.ino, 0), generation: 0, fingerprint: fingerprintOf(fd, stat.size), offset: 0 };
      const open = new OpenFile(fd, cursor, 0, this.options, this.now());
      this.read(open, Number.MAX_SAFE_INTEGER, out);
      out.push(...this.finish(open));
      closeSync(fd);
      this.markDone(stat.ino);
    }
  }

  /**
   * The siblings that exist now, with the folder's modification time; null when the folder is
   * unchanged since the last snapshot (and not so recently touched that its coarse time hides a
   * second change), so a quiet folder costs one stat, not a listing.
   */
  private siblingsNow(force = false): [Set<string>, number] | null {
    const dir = statOrNull(path.dirname(this.absolutePath));
    if (!dir) return null;
    if (!force && this.knownSiblings !== null && dir.mtimeMs === this.siblingsDirMtime && Date.now() - dir.mtimeMs > 100) return null;
    return [new Set(siblings(this.absolutePath).map(({ stat }) => siblingKey(stat))), dir.mtimeMs];
  }

  private resetToZero(file: OpenFile, stat: Stats): void {
    const generation = file.cursor.generation + 1;
    const cursor: Cursor = {
      ...file.cursor,
      generation,
      identity: identityOf(file.cursor.dev, file.cursor.ino, generation),
      offset: 0,
      fingerprint: fingerprintOf(file.fd, stat.size),
    };
    const replacement = new OpenFile(file.fd, cursor, 0, this.options, this.now());
    replacement.lastSize = stat.size;
    replacement.lastMtime = stat.mtimeMs;
    file.replacedBy = replacement;
    if (this.current === file) this.current = replacement;
    this.retired = this.retired.map((f) => (f === file ? replacement : f));
  }

  /** Reads up to `budget` bytes of `file` into records appended to `out`; returns the bytes read. */
  private read(file: OpenFile, budget: number, out: TailRecord[]): number {
    const size = fstatSync(file.fd).size;
    let position = file.splitter.offset;
    if (position >= size) return 0;
    let bytes = 0;
    const buffer = readBuffer();
    const identity = file.identity;
    while (position < size && bytes < budget) {
      const n = readSync(file.fd, buffer, 0, Math.min(CHUNK, size - position), position);
      if (n <= 0) break;
      position += n;
      bytes += n;
      // The splitter hands out views into `buffer` for whole lines: decode them before the next read.
      file.splitter.pushEach(buffer.subarray(0, n), (bytes, from, to, start, end, cut) => {
        const record: TailRecord = { text: recordText(bytes, from, to), lines: 1, start, end, cut, identity };
        if (file.grouper) file.grouper.push(record, out);
        else out.push(record);
      });
    }
    if (bytes > 0) {
      file.lastGrowthAt = this.now();
      this.budget.touch(this);
      if (file.cursor.fingerprint.length < FINGERPRINT_BYTES && size > file.cursor.fingerprint.length) file.cursor.fingerprint = fingerprintOf(file.fd, size);
    }
    return bytes;
  }

  /** A file that will not grow: its partial last line and open group are records now. */
  private finish(file: OpenFile): TailRecord[] {
    const out: TextRecord[] = [];
    const partial = file.splitter.flush();
    if (partial) {
      const record: TextRecord = { text: recordText(partial.buffer, partial.from, partial.to), lines: 1, start: partial.start, end: partial.end, cut: partial.cut };
      if (file.grouper) file.grouper.push(record, out);
      else out.push(record);
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
}

/** Opens the file with the cursor's inode: at the path, else among its rotations; checked on the handle. */
function openByIdentity(file: string, cursor: Cursor, atPath: Stats | null): { fd: number; atPath: boolean } | null {
  const candidates = [...(atPath && atPath.dev === cursor.dev && atPath.ino === cursor.ino ? [file] : []), ...siblings(file).filter(({ stat }) => stat.dev === cursor.dev && stat.ino === cursor.ino).map((s) => s.path)];
  for (const candidate of candidates) {
    let fd: number;
    try {
      fd = openSync(candidate, 'r');
    } catch (error) {
      if (isMissing(error)) continue;
      throw error; // there but unreadable: not to be taken for deleted
    }
    const stat = fstatSync(fd);
    if (stat.dev === cursor.dev && stat.ino === cursor.ino) return { fd, atPath: candidate === file };
    closeSync(fd); // renamed between the listing and the open
  }
  return null;
}

/** A sibling's key survives renames and tells a reused inode from the file it replaced. */
function siblingKey(stat: Stats): string {
  return `${stat.ino}:${stat.birthtimeMs}`;
}

function signatureOf(stat: Stats): StatSignature {
  return { dev: stat.dev, ino: stat.ino, size: stat.size, mtimeMs: stat.mtimeMs, ctimeMs: stat.ctimeMs };
}

function sameSignature(seen: StatSignature, stat: Stats): boolean {
  return seen.dev === stat.dev && seen.ino === stat.ino && seen.size === stat.size && seen.mtimeMs === stat.mtimeMs && seen.ctimeMs === stat.ctimeMs;
}

function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

function statOrNull(file: string): Stats | null {
  try {
    return statSync(file);
  } catch {
    return null;
  }
}

/** Folder listings, reused while the folder's mtime says nothing changed: thousands of files in one folder list it once, not once each. */
const listings = new Map<string, { mtimeMs: number; names: string[] }>();

function namesIn(dir: string): string[] {
  const stat = statOrNull(dir);
  if (!stat) return [];
  const cached = listings.get(dir);
  // A change within the folder's coarse time resolution could hide a second one: list again.
  if (cached && cached.mtimeMs === stat.mtimeMs && Date.now() - stat.mtimeMs > 100) return cached.names;
  try {
    const names = readdirSync(dir).sort();
    listings.set(dir, { mtimeMs: stat.mtimeMs, names });
    return names;
  } catch {
    return [];
  }
}

/** The names of a sorted listing that start with `prefix`: a binary search, not a pass over thousands. */
function namesStartingWith(sorted: string[], prefix: string): string[] {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (sorted[middle] < prefix) low = middle + 1;
    else high = middle;
  }
  const out: string[] = [];
  for (let i = low; i < sorted.length && sorted[i].startsWith(prefix); i += 1) out.push(sorted[i]);
  return out;
}

/** Files in the same folder whose names start with this one's (x.log.1, x.log-20260101): its rotations. */
function siblings(file: string): { path: string; stat: Stats }[] {
  const dir = path.dirname(file);
  const base = path.basename(file);
  return namesStartingWith(namesIn(dir), base)
    .filter((n) => n !== base)
    .flatMap((name) => {
      const candidate = path.join(dir, name);
      const stat = statOrNull(candidate);
      return stat?.isFile() ? [{ path: candidate, stat }] : [];
    });
}


/**
 * Whether the file and a copy hold the same bytes just before `offset` (the last KiB we read, or
 * the first KiB when we read nothing yet): if not, the file was truncated after the copy.
 */
function sameBytesBefore(fd: number, copyPath: string, offset: number): boolean {
  const start = Math.max(0, offset - FINGERPRINT_BYTES);
  const length = offset > 0 ? offset - start : FINGERPRINT_BYTES;
  const ours = Buffer.alloc(length);
  const theirs = Buffer.alloc(length);
  const oursRead = readSync(fd, ours, 0, length, start);
  let copyFd: number | null = null;
  try {
    copyFd = openSync(copyPath, 'r');
    const theirsRead = readSync(copyFd, theirs, 0, length, start);
    // Nothing read yet and the file still empty: a non-empty copy is older content.
    if (offset === 0) return theirsRead === 0 || (oursRead > 0 && ours.subarray(0, Math.min(oursRead, theirsRead)).equals(theirs.subarray(0, Math.min(oursRead, theirsRead))));
    return oursRead === length && theirsRead === length && ours.equals(theirs);
  } catch {
    return true;
  } finally {
    if (copyFd !== null) closeSync(copyFd);
  }
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
