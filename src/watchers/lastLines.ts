/**
 * The last lines of a text file (a process's log, read when it exits), from its last bytes
 * only: logs here grow forever. Lines come as rules see them (UTF-8, no ANSI codes, NFC);
 * tqdm's `\r` redraws count as line breaks.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { recordText } from './recordText';

const DEFAULT_MAX_BYTES = 64 * 1024;

/** Null when the file cannot be read; [] when it is empty. */
export function readLastLines(file: string, count: number, maxBytes = DEFAULT_MAX_BYTES): string[] | null {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return null;
  }
  try {
    const size = fstatSync(fd).size;
    const length = Math.min(size, maxBytes);
    const buffer = Buffer.alloc(length);
    let read = 0;
    while (read < length) {
      const n = readSync(fd, buffer, read, length - read, size - length + read);
      if (n === 0) break;
      read += n;
    }
    const lines = recordText(buffer, 0, read).split(/\r\n|\r|\n/);
    if (length < size) lines.shift(); // a fragment of a longer line
    return lines.filter((line) => line.trim() !== '').slice(-count);
  } catch {
    return null;
  } finally {
    closeSync(fd);
  }
}
