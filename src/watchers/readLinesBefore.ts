/**
 * The complete lines of a file before a byte offset, read in chunks (history a tailer started
 * past, e.g. a trader CSV that existed before barista's first start).
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { recordText } from './recordText';
import { LineSplitter } from './LineSplitter';

const CHUNK_BYTES = 1024 * 1024;

/**
 * Hands each line of `file` in [0, end) to `onLine`, without its line break, and returns
 * true; only when the file at that path is still the one `identity` (dev:ino:generation, as
 * the tailer names it) points at. Returns false, having read nothing, when it was replaced or
 * cannot be read. Lines longer than `maxLineBytes` are cut, as the tailer cuts them.
 */
export function readLinesBefore(file: string, end: number, identity: string, maxLineBytes: number, onLine: (line: string) => void): boolean {
  let fd: number | null = null;
  try {
    fd = openSync(file, 'r');
    const stat = fstatSync(fd);
    if (!identity.startsWith(`${stat.dev}:${stat.ino}:`) || stat.size < end) return false;
    const splitter = new LineSplitter(0, maxLineBytes);
    const buffer = Buffer.alloc(Math.min(CHUNK_BYTES, Math.max(end, 1)));
    for (let offset = 0; offset < end; ) {
      const n = readSync(fd, buffer, 0, Math.min(buffer.length, end - offset), offset);
      if (n === 0) break;
      for (const raw of splitter.push(buffer.subarray(0, n))) onLine(recordText(raw.buffer, raw.from, raw.to));
      offset += n;
    }
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== undefined) return false; // I/O: no history to read
    throw error;
  } finally {
    if (fd !== null) closeSync(fd);
  }
}
