/**
 * What every file kind of a `type: files` source (deployment folders and the daemons' JSON
 * state) turns a new version of its file into: event drafts, what to remember for the next
 * version (kept in the checkpoint) and a cache update for commands. Pure: the component does
 * the I/O and commits all three in one transaction.
 */
import type { EventDraft } from '../model/BaristaEvent';

/** How this version of the file is being looked at. */
export interface FileLook {
  /** Workspace-relative path, forward slashes. */
  path: string;
  /**
   * Only read on a first look (nothing remembered): true when the file appeared after barista
   * first watched it, so its content is news; false when it was already there (state, not news).
   */
  announceFirstLook: boolean;
  /** The file's mtime: two writes of the same content at different times are two deployments. */
  modifiedMs: number;
}

/** A draft that knows what it is about and where it came from (its deterministic id). */
export interface FileDraft {
  draft: EventDraft;
  subject: string;
  idParts: (string | number)[];
}

/** A read-modify-write of one cache entry (several files may feed one entry). */
export interface CacheUpdate {
  key: string;
  /** Time of the data itself (ISO 8601 UTC) when the file carries an aware one. */
  at: string | null;
  update: (previous: unknown) => unknown;
}

export type FileChange<M> = { ok: true; drafts: FileDraft[]; memory: M; cache: CacheUpdate } | { ok: false; error: string };

/** Severity of a level/severity word written by the monitored scripts (any case). */
export function severityOfLevel(level: string): EventDraft['severity'] {
  switch (level.toLowerCase()) {
    case 'emergency':
    case 'critical':
      return 'critical';
    case 'error':
      return 'error';
    case 'warning':
    case 'warn':
      return 'warning';
    case 'debug':
      return 'debug';
    default:
      return 'info';
  }
}

/** A value as the scripts print it (`{v:.6f}`), or "?" when missing. */
export function sixDecimals(value: number | null): string {
  return value === null ? '?' : value.toFixed(6);
}
