/** A `type: log` source: tail the files, match each record against the source's rules, commit. */
import { sourceIdentity } from '../../config/sourceIdentity';
import type { LogSourceConfig } from '../../config/schema';
import { CheckpointStore } from '../../state/CheckpointStore';
import { eventFromDraft, subjectOfPath, type BaristaEvent } from '../../model/BaristaEvent';
import { matchLogRules } from '../../streams/logRules';
import { traderOfFile } from '../../streams/traderIdentity';
import { traderDirectory } from '../../readModel/traders';
import type { TailRecord } from '../../watchers/FileTailer';
import { TailSource, type TailBatch } from '../../watchers/TailSource';
import type { Component, ComponentContext } from '../Component';
import { commitBatch, noteSourceError } from './commitBatch';

export class LogSourceComponent implements Component {
  readonly id: string;
  private tail: TailSource | null = null;

  constructor(
    private readonly config: LogSourceConfig,
    private readonly context: ComponentContext,
  ) {
    this.id = config.id;
  }

  start(): void {
    const checkpoints = new CheckpointStore(this.context.state);
    this.tail = new TailSource({
      workspace: this.context.workspace,
      patterns: this.config.paths,
      exclude: this.config.exclude,
      maxLineBytes: this.config.max_line_bytes,
      multiline: this.config.multiline,
      tracebackLead: this.config.traceback_lead,
      startAt: this.config.start_at,
      firstStartedAt: this.context.firstStartedAt,
      checkpoints: { load: () => checkpoints.load(this.config.id), forget: (rel) => checkpoints.delete(this.config.id, rel) },
      onBatch: (batch) => this.commit(batch),
      onUnreadable: (_path, error) => noteSourceError(this.context.state, this.config.id, sourceIdentity(this.config), error),
      logger: this.context.logger,
    });
    this.tail.start();
  }

  async stop(): Promise<void> {
    await this.tail?.stop();
  }

  private commit(batch: TailBatch): void {
    // A trader's log is about that trader, by its one name; other logs by their stem.
    const subject = traderOfFile(traderDirectory(this.context.state), 'log', batch.path) ?? subjectOfPath(batch.path);
    const events = batch.records.flatMap((record) => this.eventsOf(batch.path, subject, record));
    const fresh = commitBatch(this.context.state, { source: this.config.id, key: batch.path, events, position: batch.checkpoint, health: sourceIdentity(this.config) });
    if (fresh.length) this.context.publish(fresh);
  }

  private eventsOf(path: string, subject: string, record: TailRecord): BaristaEvent[] {
    const match = matchLogRules(this.context.logRules(), this.config.id, record.text);
    if (!match) return [];
    const draft = { ...match.draft, fields: { ...match.draft.fields, rule: match.ruleId, file: path } };
    return [eventFromDraft(draft, { source: this.config.id, subject, idParts: [record.identity, record.start] })];
  }
}
