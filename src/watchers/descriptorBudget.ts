/**
 * How many followed files may hold a descriptor at once, as log shippers bound their harvesters:
 * half the process's soft RLIMIT_NOFILE (the rest is for SQLite, sockets, /proc reads). When a
 * file must be opened and the budget is spent, the least recently active holder is parked (its
 * descriptor closed, its position kept) and reopens when its file changes.
 */
import { readFileSync } from 'node:fs';

export interface DescriptorHolder {
  /** Closes what it holds, keeping its position; false when it cannot now (a file still draining). */
  park(): boolean;
}

export class DescriptorBudget {
  /** Holders in order of last activity, least recent first. */
  private readonly holders = new Set<DescriptorHolder>();

  constructor(readonly limit: number) {}

  get size(): number {
    return this.holders.size;
  }

  /** Before `holder` opens a file: it becomes the most recent, and the least recent ones park until it fits. */
  admit(holder: DescriptorHolder): void {
    this.touch(holder);
    if (this.holders.size <= this.limit) return;
    for (const other of [...this.holders]) {
      if (this.holders.size <= this.limit) break;
      if (other !== holder && other.park()) this.holders.delete(other);
    }
  }

  /** `holder` read something: it is the most recently active. */
  touch(holder: DescriptorHolder): void {
    this.holders.delete(holder);
    this.holders.add(holder);
  }

  release(holder: DescriptorHolder): void {
    this.holders.delete(holder);
  }
}

/** The soft limit on open files from /proc/self/limits (Linux); 1024, the usual default, elsewhere. */
export function openFilesLimit(limitsText: string | null = readLimits()): number {
  const soft = limitsText?.match(/^Max open files\s+(\d+|unlimited)/m)?.[1];
  if (soft === undefined) return 1024;
  return soft === 'unlimited' ? 1 << 20 : Number(soft);
}

export function budgetForLimit(limit: number): number {
  return Math.max(8, Math.floor(limit / 2));
}

function readLimits(): string | null {
  try {
    return readFileSync('/proc/self/limits', 'utf8');
  } catch {
    return null;
  }
}

/** The one budget every tailer of this process shares. */
export const sharedDescriptorBudget = new DescriptorBudget(budgetForLimit(openFilesLimit()));

/** Out of descriptors (the process's or the system's): retried at every look, unlike an unreadable file. */
export function isDescriptorShortage(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  return code === 'EMFILE' || code === 'ENFILE';
}
