/** Bytes of one line → the text rules see: UTF-8, ANSI colour/cursor codes removed, NFC. */

// CSI sequences (colours, cursor moves) and OSC titles that terminal-minded tools print.
// eslint-disable-next-line no-control-regex -- matching escape codes is the point
const ANSI = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]/g;

export function stripAnsi(text: string): string {
  return text.includes('\x1b') ? text.replace(ANSI, '') : text;
}

const NON_ASCII = /[\u0080-\uffff]/;

export function recordText(buffer: Buffer, from = 0, to = buffer.length): string {
  const text = stripAnsi(buffer.toString('utf8', from, to));
  // Only text outside ASCII can have another normal form (most log lines are plain ASCII).
  return NON_ASCII.test(text) ? text.normalize('NFC') : text;
}
