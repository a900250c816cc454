/**
 * A file's identity survives renames (device + inode) and notices in-place rewrites
 * (a hash of its first bytes, which also works for files shorter than the prefix: the
 * fingerprint covers however many bytes there were, and grows with the file).
 */
import { createHash } from 'node:crypto';
import { readSync } from 'node:fs';

export const FINGERPRINT_BYTES = 1024;

export interface Fingerprint {
  length: number;
  hash: string;
}

export function fingerprintOf(fd: number, size: number): Fingerprint {
  const length = Math.min(size, FINGERPRINT_BYTES);
  const buffer = Buffer.alloc(length);
  const read = length ? readSync(fd, buffer, 0, length, 0) : 0;
  return { length: read, hash: createHash('sha1').update(buffer.subarray(0, read)).digest('hex') };
}

/** Whether the file's first `expected.length` bytes are still the ones fingerprinted. */
export function fingerprintMatches(fd: number, size: number, expected: Fingerprint): boolean {
  if (size < expected.length) return false;
  if (expected.length === 0) return true;
  return fingerprintOf(fd, expected.length).hash === expected.hash;
}
