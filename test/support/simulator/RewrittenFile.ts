/**
 * A JSON state file rewritten in place the way Python's `open(path, "w")` + `json.dump` does it:
 * truncate, then write. Not atomic, so a reader can see an empty or half-written file; `tear()`
 * holds the file in that state until `finishTear()` (or the next full write).
 */
import { closeSync, mkdirSync, openSync, writeFileSync, writeSync } from 'node:fs';
import path from 'node:path';

export class RewrittenFile {
  private readonly texts: string[] = [];
  private torn: { bytes: Buffer; written: number; text: string } | undefined;
  private lastText: string | undefined;

  constructor(
    readonly absolutePath: string,
    readonly relativePath: string,
    private readonly keepHistory: boolean,
  ) {}

  write(text: string): void {
    mkdirSync(path.dirname(this.absolutePath), { recursive: true });
    writeFileSync(this.absolutePath, text);
    this.torn = undefined;
    this.remember(text);
  }

  /** Truncates and writes only the first `keepBytes` bytes of `text` (0 leaves the file empty). */
  tear(text: string, keepBytes = 0): void {
    const bytes = Buffer.from(text, 'utf8');
    const written = Math.min(Math.max(keepBytes, 0), bytes.length);
    mkdirSync(path.dirname(this.absolutePath), { recursive: true });
    writeFileSync(this.absolutePath, bytes.subarray(0, written));
    this.torn = { bytes, written, text };
  }

  /** Writes the rest of a torn document in place. Returns false when nothing was torn. */
  finishTear(): boolean {
    const torn = this.torn;
    if (torn === undefined) return false;
    const descriptor = openSync(this.absolutePath, 'r+');
    try {
      writeSync(descriptor, torn.bytes, torn.written, torn.bytes.length - torn.written, torn.written);
    } finally {
      closeSync(descriptor);
    }
    this.torn = undefined;
    this.remember(torn.text);
    return true;
  }

  isTorn(): boolean {
    return this.torn !== undefined;
  }

  /** What a reader finds on disk while torn (undefined when not torn). */
  tornText(): string | undefined {
    return this.torn === undefined ? undefined : this.torn.bytes.subarray(0, this.torn.written).toString('utf8');
  }

  /** The last complete document written. */
  last(): string | undefined {
    return this.lastText;
  }

  /** Every complete document written, in order (empty when history is off). */
  history(): string[] {
    return [...this.texts];
  }

  private remember(text: string): void {
    this.lastText = text;
    if (this.keepHistory) this.texts.push(text);
  }
}
