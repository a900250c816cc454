/**
 * A process's stdout and stderr redirected into one log file (`> log 2>&1`). With `python -u`
 * both are unbuffered and lines land in print order. Without it (the `python3` launchers) stdout
 * is block-buffered: it reaches the file in 8 KB chunks cut anywhere (mid-line, mid-emoji), while
 * stderr tracebacks land at once, ahead of older stdout; a SIGTERM loses what was still buffered.
 */
import type { Printed } from './traderLog';
import type { TrackedFile } from './TrackedFile';

export type StdoutBuffering = 'unbuffered' | 'block-buffered';

const BLOCK_SIZE = 8192;

export class ProcessOutput {
  private buffered: Buffer = Buffer.alloc(0);

  constructor(
    private readonly file: TrackedFile,
    private readonly buffering: StdoutBuffering,
  ) {}

  print(lines: readonly Printed[]): void {
    if (this.buffering === 'unbuffered') {
      this.file.appendLines(lines.map((line) => line.text));
      return;
    }
    for (const line of lines) {
      if (line.stream === 'stderr') {
        this.file.appendLine(line.text);
        continue;
      }
      this.buffered = Buffer.concat([this.buffered, Buffer.from(`${line.text}\n`, 'utf8')]);
      while (this.buffered.length >= BLOCK_SIZE) {
        this.file.appendRaw(this.buffered.subarray(0, BLOCK_SIZE));
        this.buffered = Buffer.from(this.buffered.subarray(BLOCK_SIZE));
      }
    }
  }

  /** Normal exit: Python flushes stdout. */
  flush(): void {
    if (this.buffered.length > 0) this.file.appendRaw(this.buffered);
    this.buffered = Buffer.alloc(0);
  }

  /** Killed: whatever was still buffered never reaches the file. */
  discard(): void {
    this.buffered = Buffer.alloc(0);
  }

  /** Bytes printed but not yet in the file. */
  bufferedBytes(): number {
    return this.buffered.length;
  }
}
