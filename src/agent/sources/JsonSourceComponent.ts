/**
 * A `type: json` source: documents rewritten in place. Heartbeats feed trader liveness
 * (trader.stale / trader.recovered); positions_state.json keeps the positions cache.
 * The last content hash per file is the checkpoint, so a restart does not re-announce.
 */
import { sourceIdentity } from '../../config/sourceIdentity';
import { Subject, type Subscription } from '../../rx';
import type { JsonSourceConfig } from '../../config/schema';
import { CATALOGUE, readCache, writeCache } from '../../readModel/catalogue';
import { CheckpointStore } from '../../state/CheckpointStore';
import { eventFromDraft, type BaristaEvent, type EventDraft } from '../../model/BaristaEvent';
import { heartbeatLiveness, parseHeartbeat, type HeartbeatReading } from '../../streams/heartbeat';
import { traderOfFile } from '../../streams/traderIdentity';
import { traderDirectory } from '../../readModel/traders';
import { parsePositionsState } from '../../streams/positions';
import { JsonDocumentWatcher, type InvalidDocument } from '../../watchers/JsonDocumentWatcher';
import type { DocumentObservation } from '../../watchers/Observation';
import type { Component, ComponentContext } from '../Component';
import { commitBatch } from './commitBatch';

export class JsonSourceComponent implements Component {
  readonly id: string;
  private watcher: JsonDocumentWatcher | null = null;
  private readonly heartbeats = new Subject<HeartbeatReading>();
  private liveness: Subscription | null = null;

  constructor(
    private readonly config: JsonSourceConfig,
    private readonly context: ComponentContext,
  ) {
    this.id = config.id;
  }

  start(): void {
    const known = new CheckpointStore(this.context.state).load<string>(this.config.id);
    if (this.config.role === 'heartbeat') {
      this.liveness = heartbeatLiveness(this.heartbeats, { graceMs: this.config.stale_grace }).subscribe((draft) =>
        // One stale (or recovered) event per heartbeat file and beat, even across restarts
        // (the file, not the trader's name, so that a name learnt later changes no id).
        this.commitEvents([this.event(draft, draft.subject, [draft.type, String(draft.fields.file ?? draft.subject), String(draft.fields.heartbeat_at ?? draft.at)])]),
      );
      // What the files said at the last commit: liveness picks up where it was.
      const directory = traderDirectory(this.context.state);
      for (const rel of known.keys()) {
        const trader = this.traderOf(rel, directory);
        const cached = readCache(this.context.state, CATALOGUE.heartbeat.of(trader), { logger: this.context.logger });
        if (cached) this.heartbeats.next({ trader, file: rel, heartbeat: cached.value });
      }
    }
    this.watcher = new JsonDocumentWatcher({
      source: this.config.id,
      workspace: this.context.workspace,
      patterns: this.config.paths,
      exclude: this.config.exclude,
      knownHashes: known,
      firstStartedAt: this.context.firstStartedAt,
      onDocument: (document) => this.accept(document),
      onInvalid: (invalid) => this.reportInvalid(invalid),
      logger: this.context.logger,
    });
    this.watcher.start();
  }

  async stop(): Promise<void> {
    await this.watcher?.stop();
    this.liveness?.unsubscribe();
  }

  private accept(document: DocumentObservation): void {
    const writes: (() => void)[] = [];
    const events: BaristaEvent[] = [];
    if (this.config.role === 'heartbeat') {
      const parsed = parseHeartbeat(document.data);
      const trader = this.traderOf(document.path);
      if (parsed.ok) {
        writes.push(() => writeCache(this.context.state, CATALOGUE.heartbeat.of(trader), parsed.heartbeat, parsed.heartbeat.timestamp));
        this.heartbeats.next({ trader, file: document.path, heartbeat: parsed.heartbeat });
      } else events.push(this.warning(document.path, document.hash, parsed.error, trader));
    } else if (this.config.role === 'positions') {
      const parsed = parsePositionsState(document.data);
      // Shared by every trader: the last writer's, which is known when one trader runs.
      const live = traderDirectory(this.context.state).live;
      const trader = live.length === 1 ? live[0]! : null;
      if (parsed.ok) writes.push(() => writeCache(this.context.state, CATALOGUE.positions, { ...parsed.value, trader }, parsed.value.at ?? null));
      else events.push(this.warning(document.path, document.hash, parsed.error));
    }
    const fresh = commitBatch(this.context.state, {
      source: this.config.id,
      key: document.path,
      events,
      position: document.hash,
      alsoWrite: () => writes.forEach((write) => write()),
      health: sourceIdentity(this.config),
    });
    if (fresh.length) this.context.publish(fresh);
  }

  private reportInvalid(invalid: InvalidDocument): void {
    const subject = this.config.role === 'heartbeat' ? this.traderOf(invalid.path) : invalid.path;
    this.commitEvents([this.warning(invalid.path, invalid.hash, `not valid JSON after several reads: ${invalid.error}`, subject)]);
  }

  private warning(path: string, hash: string, error: string, subject = path): BaristaEvent {
    const draft: EventDraft = { type: 'barista.warning', severity: 'warning', fields: { file: path, error }, text: `${path}: ${error}` };
    return this.event(draft, subject, ['invalid', path, hash]);
  }

  /** A heartbeat's trader by its one name. */
  private traderOf(rel: string, directory = traderDirectory(this.context.state)): string {
    return traderOfFile(directory, 'heartbeat', rel) ?? rel;
  }

  private event(draft: EventDraft, subject: string, idParts: string[]): BaristaEvent {
    return eventFromDraft(draft, { source: this.config.id, subject, idParts });
  }

  private commitEvents(events: BaristaEvent[]): void {
    const fresh = commitBatch(this.context.state, { source: this.config.id, events });
    if (fresh.length) this.context.publish(fresh);
  }
}
