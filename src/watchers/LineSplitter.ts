/**
 * Cuts a byte stream into records at \n, \r\n and lone \r (tqdm redraws its bar with \r).
 * Works on bytes, so a UTF-8 sequence split across two reads is never decoded in halves;
 * a partial last line waits for its line break; a line longer than maxLineBytes keeps its
 * first maxLineBytes, is marked cut, and still ends at its own line break (so resume
 * offsets always sit on a line boundary).
 */

export interface RawRecord {
  /** The record's bytes are buffer[from, to): no per-line Buffer view is allocated. */
  buffer: Buffer;
  from: number;
  to: number;
  /** Byte offset of the record's first byte. */
  start: number;
  /** Byte offset just past its line break. */
  end: number;
  cut: boolean;
}

/** Receives one record: its bytes are buffer[from, to); see RawRecord. */
export type RecordSink = (buffer: Buffer, from: number, to: number, start: number, end: number, cut: boolean) => void;

const LF = 0x0a;
const CR = 0x0d;

export class LineSplitter {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private cut = false;
  private start: number;
  /** Offset of the next byte expected by push(). */
  private next: number;
  /** The last read ended with a \r: a \n at the start of the next one belongs to it. */
  private crAtEnd = false;

  constructor(
    startOffset: number,
    private readonly maxLineBytes: number,
  ) {
    this.start = startOffset;
    this.next = startOffset;
  }

  get offset(): number {
    return this.next;
  }

  /** Offset where the incomplete record held back starts: everything before it was handed out. */
  get pendingStart(): number {
    return this.start;
  }

  /**
   * Records for every line break in `chunk`. A record's bytes may be a view into `chunk`:
   * decode (or copy) them before the caller reuses its buffer.
   */
  push(chunk: Buffer): RawRecord[] {
    const records: RawRecord[] = [];
    this.pushEach(chunk, (buffer, from, to, start, end, cut) => records.push({ buffer, from, to, start, end, cut }));
    return records;
  }

  /** As push(), one call per record and no record objects: the tailer's hot loop. */
  pushEach(chunk: Buffer, onRecord: RecordSink): void {
    const base = this.next; // offset of chunk[0]
    let from = 0;
    if (this.crAtEnd) {
      // A \r ended the previous read: the record ends there, or after a \n right behind it.
      this.crAtEnd = false;
      from = chunk.length > 0 && chunk[0] === LF ? 1 : 0;
      this.take(base + from, onRecord);
    }
    // indexOf scans natively; \r is rare, so its position is looked up again only when passed.
    let nextLf = chunk.indexOf(LF, from);
    let nextCr = chunk.indexOf(CR, from);
    while (nextLf >= 0 || nextCr >= 0) {
      const i = nextCr < 0 ? nextLf : nextLf < 0 ? nextCr : Math.min(nextLf, nextCr);
      if (chunk[i] === CR && i + 1 === chunk.length) {
        this.append(chunk.subarray(from, i));
        this.crAtEnd = true; // wait: the next read may start with its \n
        from = chunk.length;
        break;
      }
      const breakLength = chunk[i] === CR && chunk[i + 1] === LF ? 2 : 1;
      this.takeWith(chunk, from, i, base + i + breakLength, onRecord);
      from = i + breakLength;
      if (nextLf >= 0 && nextLf < from) nextLf = chunk.indexOf(LF, from);
      if (nextCr >= 0 && nextCr < from) nextCr = chunk.indexOf(CR, from);
    }
    this.append(chunk.subarray(from));
    this.next = base + chunk.length;
  }

  /** The record ending at `end` whose last bytes are chunk[from, to): read in place when nothing was held. */
  private takeWith(chunk: Buffer, from: number, to: number, end: number, onRecord: RecordSink): void {
    if (this.pendingBytes > 0 || this.cut || to - from > this.maxLineBytes) {
      this.append(chunk.subarray(from, to));
      this.take(end, onRecord);
      return;
    }
    const start = this.start;
    this.start = end;
    onRecord(chunk, from, to, start, end, false);
  }

  /** Emits a held partial line as a record (the file will not grow any more). */
  flush(): RawRecord | null {
    if (this.pendingBytes === 0 && !this.cut && !this.crAtEnd) return null;
    this.crAtEnd = false;
    let record: RawRecord | null = null;
    this.take(this.next, (buffer, from, to, start, end, cut) => (record = { buffer, from, to, start, end, cut }));
    return record;
  }

  private append(part: Buffer): void {
    if (part.length === 0) return;
    const room = this.maxLineBytes - this.pendingBytes;
    if (room <= 0) {
      this.cut = true;
      return;
    }
    const kept = part.length > room ? part.subarray(0, room) : part;
    if (part.length > room) this.cut = true;
    // Copy: the caller reuses its read buffer.
    this.pending.push(Buffer.from(kept));
    this.pendingBytes += kept.length;
  }

  private take(end: number, onRecord: RecordSink): void {
    let bytes: Buffer = Buffer.concat(this.pending, this.pendingBytes);
    const { start, cut } = this;
    if (cut) bytes = trimPartialUtf8(bytes);
    this.pending = [];
    this.pendingBytes = 0;
    this.cut = false;
    this.start = end;
    onRecord(bytes, 0, bytes.length, start, end, cut);
  }
}

/** Drops an incomplete UTF-8 sequence left at the end of a cut line. */
function trimPartialUtf8(bytes: Buffer): Buffer {
  let i = bytes.length - 1;
  let continuation = 0;
  while (i >= 0 && (bytes[i] & 0xc0) === 0x80 && continuation < 3) {
    i -= 1;
    continuation += 1;
  }
  if (i < 0) return bytes;
  const lead = bytes[i];
  const needed = lead >= 0xf0 ? 3 : lead >= 0xe0 ? 2 : lead >= 0xc0 ? 1 : 0;
  return needed > continuation ? bytes.subarray(0, i) : bytes;
}
