/**
 * A `type: optuna` source: polls an Optuna SQLite storage read-only every `poll_interval`
 * and announces trials that finish (completed / pruned / failed) and new best values. The
 * view (watermark, open trials, per-study counts and best) is the checkpoint, committed with
 * the events, so a restart neither re-reads finished trials nor repeats an announcement.
 */
import type { OptunaSourceConfig } from '../../config/schema';
import { CheckpointStore } from '../../state/CheckpointStore';
import { eventFromDraft, type BaristaEvent, type EventDraft } from '../../streams/BaristaEvent';
import { applySnapshot, emptyView, studyCache, type OptunaView } from '../../streams/optunaTrials';
import { OptunaStorage, resolveSqliteStorage, SUPPORTED_REVISIONS } from '../../watchers/OptunaStorage';
import type { Component, ComponentContext } from '../Component';
import { commitBatch } from './commitBatch';


const CHECKPOINT_KEY = 'view';
/** A cold start of a huge study reads in chunks; this bounds one poll's chunks. */
const MAX_CHUNKS_PER_POLL = 100;

export interface OptunaSourceOptions {
  /** Overrides for tests: busy timeout and chunk size of the read-only connection. */
  busyTimeoutMs?: number;
  chunk?: number;
}

export class OptunaSourceComponent implements Component {
  readonly id: string;
  /** Null when `storage` is not a sqlite:/// URL (reported once as a warning). */
  readonly storage: OptunaStorage | null;
  private view: OptunaView;
  private timer: NodeJS.Timeout | null = null;
  private forceNext = false;

  constructor(
    private readonly config: OptunaSourceConfig,
    private readonly context: ComponentContext,
    options: OptunaSourceOptions = {},
  ) {
    this.id = config.id;
    const file = resolveSqliteStorage(config.storage, context.workspace);
    this.storage = file ? new OptunaStorage(file, options) : null;
    this.view = new CheckpointStore(context.state).get<OptunaView>(config.id, CHECKPOINT_KEY) ?? emptyView();
  }

  start(): void {
    if (!this.storage) {
      this.commit(this.warning(['storage', this.config.storage], `storage ${this.config.storage} is not a sqlite:/// URL; only Optuna's SQLite storage is watched`));
      return;
    }
    this.pollSafely();
    this.timer = setInterval(() => this.pollSafely(), this.config.poll_interval);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.storage?.close();
  }

  /** One poll (with the rest of a chunked catch-up); returns the events it published. */
  poll(): BaristaEvent[] {
    const storage = this.storage;
    if (!storage) return [];
    const published: BaristaEvent[] = [];
    for (let i = 0; i < MAX_CHUNKS_PER_POLL; i++) {
      const open = Object.keys(this.view.open).map(Number);
      const result = storage.read({ watermark: this.view.watermark, open, force: this.forceNext });
      this.forceNext = false;
      if (result.kind === 'missing' || result.kind === 'unchanged') break;
      if (result.kind === 'unsupported') {
        const found = result.revision ?? 'none (no alembic_version table)';
        published.push(...this.commit(this.warning(['schema', found], `${storage.file}: Optuna schema revision ${found} is not supported (supported: ${SUPPORTED_REVISIONS.join(', ')}); not watching it until it changes`)));
        break;
      }
      const outcome = applySnapshot(this.view, result.snapshot, { studies: this.config.studies, now: Date.now() });
      if (outcome.resynced) this.context.logger.info({ source: this.id }, 'optuna storage changed under barista (study deleted or trials removed); reading it again');
      const events = outcome.drafts.map((d) => eventFromDraft(d.draft, { source: this.id, subject: d.study, idParts: d.idParts }));
      this.view = outcome.view;
      const view = outcome.view;
      const fresh = commitBatch(this.context.state, {
        source: this.id,
        key: CHECKPOINT_KEY,
        events,
        position: view,
        alsoWrite: () => {
          for (const study of Object.values(view.studies)) {
            if (!this.config.studies || this.config.studies.includes(study.name)) this.context.state.setCache(`optuna:${study.name}`, studyCache(study), new Date().toISOString());
          }
        },
      });
      if (fresh.length) this.context.publish(fresh);
      published.push(...fresh);
      if (!outcome.resynced && !result.snapshot.more) break;
      this.forceNext = true;
    }
    return published;
  }

  private pollSafely(): void {
    try {
      this.poll();
    } catch (error) {
      // Busy past the timeout, a torn file being replaced…: the next poll tries again.
      this.forceNext = true;
      this.context.logger.warn({ source: this.id, err: error }, 'optuna poll failed; retrying at the next poll');
    }
  }

  private warning(idParts: string[], text: string): BaristaEvent {
    const draft: EventDraft = { type: 'barista.warning', severity: 'warning', fields: { storage: this.config.storage, error: text }, text };
    return eventFromDraft(draft, { source: this.id, subject: this.id, idParts });
  }

  private commit(event: BaristaEvent): BaristaEvent[] {
    const fresh = commitBatch(this.context.state, { source: this.id, events: [event] });
    if (fresh.length) this.context.publish(fresh);
    return fresh;
  }
}
