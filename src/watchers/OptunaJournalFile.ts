/**
 * Reads an Optuna JournalStorage file (one JSON op per line, appended under Optuna's lock)
 * through the lossless tailer: only whole lines, from byte 0, with a checkpoint that the
 * caller commits with what it made of the lines. A file replaced or truncated comes back as
 * lines with another identity, from its start.
 */
import { existsSync } from 'node:fs';
import { FileTailer, type PathCheckpoint, type TailRecord } from './FileTailer';

export interface JournalRead {
  /** Whole lines in file order (a torn last line waits for its end). */
  lines: TailRecord[];
  /** More bytes wait: read again soon. */
  more: boolean;
  exists: boolean;
}

export interface JournalFileOptions {
  /** A line longer than this is cut (and will not parse): Optuna's lines are small. */
  maxLineBytes?: number;
  /** Most bytes per read, so a cold start of a big journal is committed in steps. */
  maxBytesPerRead?: number;
}

export class OptunaJournalFile {
  private tailer: FileTailer;

  constructor(
    readonly file: string,
    checkpoint: PathCheckpoint | null,
    private readonly options: JournalFileOptions = {},
  ) {
    this.tailer = this.open(checkpoint);
  }

  read(): JournalRead {
    const { records, more } = this.tailer.poll();
    return { lines: records, more, exists: existsSync(this.file) };
  }

  /** Where to resume once everything read so far is committed. */
  checkpoint(): PathCheckpoint | null {
    return this.tailer.checkpoint();
  }

  /** Reads the file again from its first byte (the replay starts over). */
  restart(): void {
    this.tailer.close();
    this.tailer = this.open(null);
  }

  /** Back to a committed checkpoint (after a failed commit). */
  resume(checkpoint: PathCheckpoint | null): void {
    this.tailer.close();
    this.tailer = this.open(checkpoint);
  }

  close(): void {
    this.tailer.close();
  }

  private open(checkpoint: PathCheckpoint | null): FileTailer {
    const tailer = new FileTailer(
      this.file,
      { maxLineBytes: this.options.maxLineBytes ?? 16 * 1024 * 1024, multiline: 'none', startAt: 'beginning', maxBytesPerPoll: this.options.maxBytesPerRead },
      checkpoint ?? undefined,
    );
    if (!checkpoint) tailer.startFresh('beginning');
    return tailer;
  }
}
