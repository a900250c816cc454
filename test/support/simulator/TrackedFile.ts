/**
 * An append-only text file written the way the real processes write it, that remembers every
 * complete line it put on disk (across rotations) so tests can compare "written" with "read".
 *
 * Two ways of writing, as in the real system:
 * - `held`: one descriptor kept open for the life of the process (stdout/stderr redirected by a
 *   launcher with `>>` = O_APPEND, or `>` = O_TRUNC and writes at the descriptor's own offset);
 * - `per-write`: opened in append mode for every write (the CSV, profit_protection.log).
 */
import {
  closeSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  openSync,
  renameSync,
  appendFileSync,
  truncateSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import path from 'node:path';

export type RotationMode = 'rename' | 'copytruncate' | 'delete';
export type WriteStyle = 'held' | 'per-write';
/** How a launcher redirected the output: `>>` appends, `>` truncates and writes at its own offset. */
export type Redirect = '>>' | '>';
export type LineTerminator = '\n' | '\r\n';

export interface TrackedFileOptions {
  style: WriteStyle;
  /** CSV rows end with `\r\n` (Python's csv module); everything else with `\n`. */
  terminator: LineTerminator;
  /** Keep the written lines in memory (off for long demo runs). */
  track: boolean;
}

export interface RotateOptions {
  /** For a held descriptor after `rename`: true = the writer reopens `x.log` (the default);
   * false = it keeps writing into the renamed `x.log.1`, as a Python process really does. */
  reopen?: boolean;
}

export class TrackedFile {
  private descriptor: number | undefined;
  private redirect: Redirect = '>>';
  /** Where a `>` descriptor writes next (the kernel keeps it; truncation by others does not move it). */
  private descriptorOffset = 0;
  /** NUL bytes the next write through a `>` descriptor creates after someone truncated the file. */
  private pendingHole = 0;
  /** Absolute path the held descriptor points at (the rotated name after rename without reopen). */
  private descriptorPath: string;
  private readonly lines: string[] = [];
  private partial: Buffer = Buffer.alloc(0);
  /** Second half of a line deliberately written in two parts. */
  private deferredRest: Buffer | undefined;
  private rotations = 0;

  constructor(
    readonly absolutePath: string,
    readonly relativePath: string,
    private readonly options: TrackedFileOptions,
  ) {
    this.descriptorPath = absolutePath;
  }

  get terminator(): LineTerminator {
    return this.options.terminator;
  }

  exists(): boolean {
    return existsSync(this.absolutePath);
  }

  /** A (new) process opens the file for writing, as its launcher's redirect does. */
  open(redirect: Redirect): void {
    this.close();
    mkdirSync(path.dirname(this.absolutePath), { recursive: true });
    this.redirect = redirect;
    this.descriptorPath = this.absolutePath;
    this.descriptorOffset = 0;
    this.pendingHole = 0;
    // The previous writer's unfinished write never completes.
    this.deferredRest = undefined;
    if (this.options.style === 'per-write') return;
    this.descriptor = openSync(this.absolutePath, redirect === '>' ? 'w' : 'a');
    // `>` truncated the file: a line the old writer left unfinished is gone from disk.
    if (redirect === '>') this.partial = Buffer.alloc(0);
  }

  close(): void {
    if (this.descriptor !== undefined) closeSync(this.descriptor);
    this.descriptor = undefined;
  }

  appendLine(line: string): void {
    this.appendRaw(line + this.options.terminator);
  }

  appendLines(lines: readonly string[]): void {
    if (lines.length > 0) this.appendRaw(lines.map((line) => line + this.options.terminator).join(''));
  }

  /** Writes bytes as they are; a pending split line is finished first (one writer, in order). */
  appendRaw(data: string | Buffer): void {
    this.completePartialLine();
    this.writeToDisk(typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
  }

  /** Writes the first `splitAtByte` bytes of a line (default: half), keeping the rest for later. */
  writePartialLine(line: string, splitAtByte?: number): void {
    this.completePartialLine();
    const bytes = Buffer.from(line + this.options.terminator, 'utf8');
    const at = Math.min(Math.max(splitAtByte ?? Math.floor(bytes.length / 2), 0), bytes.length - 1);
    this.writeToDisk(bytes.subarray(0, at));
    this.deferredRest = bytes.subarray(at);
  }

  /** Writes the rest of a split line. Returns false when nothing was pending. */
  completePartialLine(): boolean {
    const rest = this.deferredRest;
    if (rest === undefined) return false;
    this.deferredRest = undefined;
    this.writeToDisk(rest);
    return true;
  }

  hasDeferredRest(): boolean {
    return this.deferredRest !== undefined;
  }

  /** Rotates like logrotate would; returns the rotated file's path (none for `delete`). */
  rotate(mode: RotationMode, options: RotateOptions = {}): string | undefined {
    const rotated = `${this.absolutePath}.1`;
    this.rotations += 1;
    if (mode === 'delete') {
      if (existsSync(this.absolutePath)) unlinkSync(this.absolutePath);
      this.reopenHeld();
      return undefined;
    }
    this.shiftRotatedFiles();
    if (!existsSync(this.absolutePath)) return undefined;
    if (mode === 'copytruncate') {
      copyFileSync(this.absolutePath, rotated);
      truncateSync(this.absolutePath, 0);
      // A `>` descriptor keeps its offset: its next write leaves a hole of NULs before it.
      if (this.descriptor !== undefined && this.redirect === '>') this.pendingHole = this.descriptorOffset;
      return rotated;
    }
    renameSync(this.absolutePath, rotated);
    if (this.descriptorPath === this.absolutePath) this.descriptorPath = rotated;
    if (options.reopen === false && this.descriptor !== undefined) {
      // logrotate `create`: a new empty file appears, but the writer keeps the old inode.
      closeSync(openSync(this.absolutePath, 'a'));
    } else {
      this.reopenHeld();
    }
    return rotated;
  }

  /** Every complete line written, in order, without its terminator. */
  writtenLines(): string[] {
    return [...this.lines];
  }

  lineCount(): number {
    return this.lines.length;
  }

  /** Bytes written after the last line terminator (a line still being written). */
  pendingText(): string {
    return this.partial.toString('utf8');
  }

  rotationCount(): number {
    return this.rotations;
  }

  /** Rotated siblings that exist now, oldest first (`x.log.3`, `x.log.2`, `x.log.1`). */
  rotatedPaths(): string[] {
    const found: string[] = [];
    for (let index = 1; existsSync(`${this.absolutePath}.${index}`); index += 1) found.push(`${this.absolutePath}.${index}`);
    return found.reverse();
  }

  private shiftRotatedFiles(): void {
    const existing = this.rotatedPaths().length;
    for (let index = existing; index >= 1; index -= 1) {
      const from = `${this.absolutePath}.${index}`;
      const to = `${this.absolutePath}.${index + 1}`;
      renameSync(from, to);
      if (this.descriptorPath === from) this.descriptorPath = to;
    }
  }

  private reopenHeld(): void {
    if (this.options.style === 'per-write' || this.descriptor === undefined) return;
    closeSync(this.descriptor);
    this.descriptor = openSync(this.absolutePath, this.redirect === '>' ? 'w' : 'a');
    this.descriptorPath = this.absolutePath;
    this.descriptorOffset = 0;
    this.pendingHole = 0;
  }

  private writeToDisk(bytes: Buffer): void {
    if (bytes.length === 0) return;
    if (this.options.style === 'per-write') {
      mkdirSync(path.dirname(this.absolutePath), { recursive: true });
      appendFileSync(this.absolutePath, bytes);
    } else {
      if (this.descriptor === undefined) this.open('>>');
      const descriptor = this.descriptor as number;
      if (this.redirect === '>') {
        writeSync(descriptor, bytes, 0, bytes.length, this.descriptorOffset);
        this.descriptorOffset += bytes.length;
      } else {
        writeSync(descriptor, bytes);
      }
    }
    if (this.pendingHole > 0) {
      this.track(Buffer.alloc(this.pendingHole));
      this.pendingHole = 0;
    }
    this.track(bytes);
  }

  private track(bytes: Buffer): void {
    if (!this.options.track) return;
    const data = this.partial.length > 0 ? Buffer.concat([this.partial, bytes]) : bytes;
    let start = 0;
    for (let newline = data.indexOf(0x0a, start); newline >= 0; newline = data.indexOf(0x0a, start)) {
      let end = newline;
      if (this.options.terminator === '\r\n' && end > start && data[end - 1] === 0x0d) end -= 1;
      this.lines.push(data.toString('utf8', start, end));
      start = newline + 1;
    }
    this.partial = Buffer.from(data.subarray(start));
  }
}
