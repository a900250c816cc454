/**
 * The unit of exactly-once: the events made from a batch of observations and the checkpoint
 * just past them are committed together. A crash before the commit replays the batch; the
 * deterministic ids make a replay after it a no-op. Returns only the events that are new.
 */
import { CATALOGUE, readCache, writeCache } from '../../readModel/catalogue';
import { CheckpointStore } from '../../state/CheckpointStore';
import { EventStore } from '../../state/EventStore';
import type { StateStore } from '../../state/StateStore';
import type { BaristaEvent } from '../../model/BaristaEvent';
import { healthAfterCommit, healthAfterError } from '../../streams/sourceHealth';

/** Who a source is, for its health record. */
import type { SourceIdentity } from '../../config/sourceIdentity';

export interface BatchCommit {
  source: string;
  /** Checkpoint key, e.g. the workspace-relative path. */
  key?: string;
  events: BaristaEvent[];
  /** New checkpoint value; null deletes it; undefined leaves it (events not tied to a position). */
  position?: unknown;
  identity?: string | null;
  /** More writes inside the same transaction (cache updates, histories). */
  alsoWrite?: () => void;
  /** Updates the source's health record (`source-health:<source>`) in the same transaction. */
  health?: SourceIdentity;
}

export function commitBatch(state: StateStore, batch: BatchCommit): BaristaEvent[] {
  const checkpoints = new CheckpointStore(state);
  const events = new EventStore(state);
  return state.transaction(() => {
    const fresh = events.insertNew(batch.events);
    if (batch.key !== undefined && batch.position === null) checkpoints.delete(batch.source, batch.key);
    else if (batch.key !== undefined && batch.position !== undefined) checkpoints.put(batch.source, batch.key, batch.position, batch.identity ?? null);
    batch.alsoWrite?.();
    if (batch.health) noteCommit(state, batch.source, batch.health, batch.events);
    return fresh;
  });
}

function noteCommit(state: StateStore, source: string, identity: SourceIdentity, events: readonly BaristaEvent[]): void {
  const times = events.map((e) => Date.parse(e.at)).filter(Number.isFinite);
  const ref = CATALOGUE.sourceHealth.of(source);
  const previous = readCache(state, ref)?.value ?? null;
  writeCache(state, ref, healthAfterCommit(previous, { source, type: identity.type, follows: identity.follows }, state.now(), times.length ? Math.max(...times) : null));
}

/** Records a source's failure (a poll, a commit, a reading) in its health record; never throws. */
export function noteSourceError(state: StateStore, source: string, identity: SourceIdentity, error: unknown): void {
  try {
    if (!state.isOpen) return;
    const ref = CATALOGUE.sourceHealth.of(source);
    const message = error instanceof Error ? error.message : String(error);
    writeCache(state, ref, healthAfterError(readCache(state, ref)?.value ?? null, { source, type: identity.type, follows: identity.follows }, Date.now(), message));
  } catch {
    // The state itself failing is logged by the caller; health is best effort.
  }
}
