/**
 * The unit of exactly-once: the events made from a batch of observations and the checkpoint
 * just past them are committed together. A crash before the commit replays the batch; the
 * deterministic ids make a replay after it a no-op. Returns only the events that are new.
 */
import { CheckpointStore } from '../../state/CheckpointStore';
import { EventStore } from '../../state/EventStore';
import type { StateStore } from '../../state/StateStore';
import type { BaristaEvent } from '../../model/BaristaEvent';

export interface BatchCommit {
  source: string;
  /** Checkpoint key, e.g. the workspace-relative path. */
  key?: string;
  events: BaristaEvent[];
  /** New checkpoint value; null deletes it; undefined leaves it (events not tied to a position). */
  position?: unknown;
  identity?: string | null;
  /** More writes inside the same transaction (cache updates). */
  alsoWrite?: () => void;
}

export function commitBatch(state: StateStore, batch: BatchCommit): BaristaEvent[] {
  const checkpoints = new CheckpointStore(state);
  const events = new EventStore(state);
  return state.transaction(() => {
    const fresh = events.insertNew(batch.events);
    if (batch.key !== undefined && batch.position === null) checkpoints.delete(batch.source, batch.key);
    else if (batch.key !== undefined && batch.position !== undefined) checkpoints.put(batch.source, batch.key, batch.position, batch.identity ?? null);
    batch.alsoWrite?.();
    return fresh;
  });
}
