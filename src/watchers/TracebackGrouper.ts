/**
 * Groups a Python traceback into one record: from "Traceback (most recent call last):"
 * through its exception line (the first line after the frames that is not indented).
 * Everything else passes through as single lines. Pure; the tailer adds the flush timeout.
 */

export interface TextRecord {
  text: string;
  lines: number;
  start: number;
  end: number;
  cut: boolean;
}

// Optional worker prefix such as "[W0] " (logs piped through sed).
const TRACEBACK_START = /^(\[W\d+\] )?Traceback \(most recent call last\):/;
const MAX_GROUP_LINES = 500;

/** Most lines start with neither "T" nor "[": one character rules them out before the regex. */
function isTracebackStart(text: string): RegExpExecArray | null {
  const first = text.charCodeAt(0);
  return first === 84 /* T */ || first === 91 /* [ */ ? TRACEBACK_START.exec(text) : null;
}

export class TracebackGrouper {
  private group: TextRecord | null = null;
  /** A lead line (e.g. "Error processing bars: …") held until we know whether a traceback follows. */
  private held: TextRecord | null = null;

  /** @param lead lines that announce a traceback printed right after them, grouped with it. */
  constructor(private readonly lead: RegExp | null = null) {}
  /** The worker prefix the group started with: its continuation lines carry it too. */
  private prefix = '';

  /** Offset where the open group starts: nothing from here on has been emitted. */
  get openStart(): number | null {
    return this.group?.start ?? this.held?.start ?? null;
  }

  /** Takes the next line; appends to `out` what is complete (an array per line would be garbage). */
  push<R extends TextRecord>(record: R, out: R[]): void {
    if (this.held) {
      const held = this.held as R;
      this.held = null;
      const start = isTracebackStart(record.text);
      if (!start) {
        out.push(held);
        this.push(record, out);
        return;
      }
      this.prefix = start[1] ?? '';
      this.group = { ...held };
      this.append(record);
      return;
    }
    if (this.group) {
      const body = this.prefix && record.text.startsWith(this.prefix) ? record.text.slice(this.prefix.length) : record.text;
      const continues = /^\s/.test(body) && body.trim() !== '';
      this.append(record);
      if (!continues || this.group.lines >= MAX_GROUP_LINES) out.push(this.close() as R);
      return;
    }
    const start = isTracebackStart(record.text);
    if (start) {
      this.prefix = start[1] ?? '';
      this.group = { ...record };
      return;
    }
    if (this.lead?.test(record.text)) {
      this.held = record;
      return;
    }
    out.push(record);
  }

  /** Emits an unfinished group (the flush timeout passed, or the file ended). */
  flush(): TextRecord | null {
    if (this.held) {
      const held = this.held;
      this.held = null;
      return held;
    }
    return this.group ? this.close() : null;
  }

  private append(record: TextRecord): void {
    const group = this.group!;
    group.text += `\n${record.text}`;
    group.lines += record.lines;
    group.end = record.end;
    group.cut ||= record.cut;
  }

  private close(): TextRecord {
    const group = this.group!;
    this.group = null;
    return group;
  }
}
