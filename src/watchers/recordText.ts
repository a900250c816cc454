/** Bytes of one line → the text rules see: UTF-8, ANSI colour/cursor codes removed, NFC. */

// CSI sequences (colours, cursor moves) and OSC titles that terminal-minded tools print.
// eslint-disable-next-line no-control-regex -- matching escape codes is the point
const ANSI = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]/g;

export function stripAnsi(text: string): string {
  return text.includes('\x1b') ? text.replace(ANSI, '') : text;
}

// Buffer's own decoder without toString's argument checks (a hot path: one call per line).
type Slice = (this: Buffer, from: number, to: number) => string;
const utf8Slice: Slice =
  (Buffer.prototype as unknown as { utf8Slice?: Slice }).utf8Slice ??
  function (this: Buffer, from: number, to: number): string {
    return this.toString('utf8', from, to);
  };

export function recordText(buffer: Buffer, from = 0, to = buffer.length): string {
  const decoded = utf8Slice.call(buffer, from, to);
  const text = stripAnsi(decoded);
  // Fewer UTF-16 units than bytes means something outside ASCII, the only text that can have
  // another normal form (most log lines are plain ASCII).
  return decoded.length === to - from ? text : text.normalize('NFC');
}
