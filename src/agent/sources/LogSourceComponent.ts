/** A `type: log` source: tail the files, match each record against the source's rules, commit. */
import { sourceIdentity } from '../../config/sourceIdentity';
import type { LogSourceConfig } from '../../config/schema';
import { CheckpointStore } from '../../state/CheckpointStore';
import { eventFromDraft, subjectOfPath, type BaristaEvent } from '../../model/BaristaEvent';
import { factOfMatch, matchLogRules, type CompiledLogRules } from '../../streams/logRules';
import { processField, processOfLog } from '../../streams/logProcess';
import { CATALOGUE, readCache } from '../../readModel/catalogue';
import path from 'node:path';
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
    // The process writing this log, read once per batch and only when a fact key asks for it.
    let writer: { process: ReturnType<typeof processOfLog> } | null = null;
    const writerField = (name: string) => {
      writer ??= { process: processOfLog(readCache(this.context.state, CATALOGUE.processes)?.value ?? [], path.resolve(this.context.workspace, batch.path), subject) };
      return processField(writer.process, name);
    };
    const events = batch.records.flatMap((record) => logRecordEvents(this.context.logRules(), this.config.id, { file: batch.path, subject, record, writerField }));
    const fresh = commitBatch(this.context.state, { source: this.config.id, key: batch.path, events, position: batch.checkpoint, health: sourceIdentity(this.config) });
    if (fresh.length) this.context.publish(fresh);
  }
}

/** Where a log record was read, and who wrote it: what its event is about. */
export interface LogRecordOrigin {
  file: string;
  subject: string;
  record: Pick<TailRecord, 'text' | 'identity' | 'start'>;
  /** A field of the process writing the file (`process.<name>` in fact keys). */
  writerField: (name: string) => unknown;
}

/** The event a log record makes under the source's rules (none when no rule matches); also the state bench's. */
export function logRecordEvents(rules: CompiledLogRules, sourceId: string, { file, subject, record, writerField }: LogRecordOrigin): BaristaEvent[] {
  const match = matchLogRules(rules, sourceId, record.text);
  if (!match) return [];
  const fact = factOfMatch(match, { subject, process: writerField });
  const draft = { ...match.draft, fields: { ...match.draft.fields, rule: match.ruleId, file }, ...(fact ? { fact } : {}) };
  return [eventFromDraft(draft, { source: sourceId, subject, idParts: [record.identity, record.start] })];
}
