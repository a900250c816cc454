import { closeSync, openSync, statSync, writeSync } from 'node:fs';

/** Overwrites the file from `from` (bytes; negative: from the end) to its end with a fixed pattern, as a failing disk would. */
export function overwriteTail(file: string, from: number): void {
  const size = statSync(file).size;
  const start = from < 0 ? size + from : from;
  const fd = openSync(file, 'r+');
  writeSync(fd, Buffer.alloc(size - start, 0xa5), 0, size - start, start);
  closeSync(fd);
}
