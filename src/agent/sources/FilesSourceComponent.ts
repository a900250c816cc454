/**
 * A `type: files` source: deployment folders and the daemons' JSON state (model metadata,
 * the deployment log, the ensemble manifest, the watchdog's and the live monitor's state).
 * Per file, the checkpoint keeps the content hash and what the derivation remembers (entries
 * seen, members, level); events, checkpoint and cache are committed in one transaction, so a
 * restart announces what changed while barista was stopped, once, and nothing twice.
 *
 * Only changes after barista first watched the files are news: a first look at a file that
 * was already there is a baseline (state, not events); a file created later is news (birth.ts).
 */
import { sourceIdentity, type SourceIdentity } from '../../config/sourceIdentity';
import type { SourceConfig } from '../../config/schema';
import { applyFilesCacheUpdate } from '../../readModel/catalogue';
import { CheckpointStore } from '../../state/CheckpointStore';
import { eventFromDraft, type BaristaEvent, type EventDraft } from '../../model/BaristaEvent';
import { deriveFileChange, kindOfFile, type DeploymentFileKind } from '../../streams/deploymentFiles';
import type { FileChange } from '../../streams/fileChange';
import { parseLenientJson } from '../../streams/optunaTrials';
import { JsonDocumentWatcher, type InvalidDocument } from '../../watchers/JsonDocumentWatcher';
import type { DocumentObservation } from '../../watchers/Observation';
import type { Component, ComponentContext } from '../Component';
import { commitBatch, noteSourceError } from './commitBatch';

export type FilesSourceConfig = Extract<SourceConfig, { type: 'files' }>;

/** The checkpoint of one file. */
export interface FileCheckpoint {
  /** sha256 of the content last committed: the same bytes are not read again. */
  hash: string;
  /** The kind the memory belongs to (null until the file was once understood). */
  kind: DeploymentFileKind | null;
  memory: unknown;
}

export interface FilesSourceOptions {
  /** Overrides for tests. */
  scanIntervalMs?: number;
  retryDelaysMs?: number[];
  notifications?: boolean;
}

export class FilesSourceComponent implements Component {
  readonly id: string;
  private watcher: JsonDocumentWatcher | null = null;
  private checkpoints = new Map<string, FileCheckpoint>();
  private readonly knownHashes = new Map<string, string>();
  private readonly health: SourceIdentity;

  constructor(
    private readonly config: FilesSourceConfig,
    private readonly context: ComponentContext,
    private readonly options: FilesSourceOptions = {},
  ) {
    this.id = config.id;
    this.health = sourceIdentity(config);
  }

  start(): void {
    this.checkpoints = new CheckpointStore(this.context.state).load<FileCheckpoint>(this.id);
    for (const [rel, checkpoint] of this.checkpoints) this.knownHashes.set(rel, checkpoint.hash);
    this.watcher = new JsonDocumentWatcher({
      source: this.id,
      workspace: this.context.workspace,
      patterns: this.config.paths,
      exclude: this.config.exclude,
      knownHashes: this.knownHashes,
      firstStartedAt: Math.max(this.context.firstStartedAt, this.watchedSince()),
      // Python's json.dump writes bare NaN and Infinity.
      parse: parseLenientJson,
      onDocument: (document) => this.accept(document),
      onInvalid: (invalid) => this.reportInvalid(invalid),
      logger: this.context.logger,
      scanIntervalMs: this.options.scanIntervalMs,
      retryDelaysMs: this.options.retryDelaysMs,
      notifications: this.options.notifications,
    });
    this.watcher.start();
  }

  async stop(): Promise<void> {
    await this.watcher?.stop();
    this.watcher = null;
  }

  /** Looks at every matched file now (the watcher's periodic scan; tests call it too). */
  scan(): void {
    this.watcher?.scan();
  }

  /**
   * When this source first ran on this state. A source added to rules.yaml long after
   * barista's first start must not announce the history already in its files (an atomic
   * rewrite, as the watchdog's, makes any file look newly born).
   */
  private watchedSince(): number {
    const key = `files-source:${this.id}:watched-since`;
    const known = Number(this.context.state.getValue(key));
    if (Number.isFinite(known) && known > 0) return known;
    const now = Date.now();
    this.context.state.setValue(key, String(now));
    return now;
  }

  private accept(document: DocumentObservation): void {
    const previous = this.checkpoints.get(document.path);
    const kind = kindOfFile(document.path, document.data);
    let change: FileChange<unknown>;
    if (kind === null) change = { ok: false, error: 'neither its name nor its content is one of the deployment files barista knows (metadata.json, deployment_log.json, ensemble_manifest.json, watchdog_state.json, live_monitor_state.json)' };
    else {
      const memory = previous?.kind === kind ? previous.memory : null;
      change = deriveFileChange(kind, memory, document.data, {
        path: document.path,
        announceFirstLook: document.firstLook === 'news',
        modifiedMs: document.modifiedMs ?? document.at,
      });
    }
    const checkpoint: FileCheckpoint = change.ok ? { hash: document.hash, kind, memory: change.memory } : { hash: document.hash, kind: previous?.kind ?? null, memory: previous?.memory ?? null };
    const events = change.ok
      ? change.drafts.map((d) => eventFromDraft(d.draft, { source: this.id, subject: d.subject, idParts: d.idParts }))
      : [this.warning(document.path, document.hash, change.error)];
    try {
      const fresh = commitBatch(this.context.state, {
        source: this.id,
        key: document.path,
        events,
        position: checkpoint,
        alsoWrite: () => {
          if (change.ok) applyFilesCacheUpdate(this.context.state, change.cache, { logger: this.context.logger });
        },
        health: this.health,
      });
      this.checkpoints.set(document.path, checkpoint);
      if (fresh.length) this.context.publish(fresh);
    } catch (error) {
      // Not committed: forget the hash so the next scan reads this version again.
      if (previous) this.knownHashes.set(document.path, previous.hash);
      else this.knownHashes.delete(document.path);
      noteSourceError(this.context.state, this.id, this.health, error);
      this.context.logger.error({ err: error, file: document.path }, 'could not commit a deployment file change; it will be read again');
    }
  }

  private reportInvalid(invalid: InvalidDocument): void {
    try {
      const fresh = commitBatch(this.context.state, { source: this.id, events: [this.warning(invalid.path, invalid.hash, `not valid JSON after several reads: ${invalid.error}`)] });
      if (fresh.length) this.context.publish(fresh);
    } catch (error) {
      this.context.logger.error({ err: error, file: invalid.path }, 'could not record an invalid deployment file');
    }
  }

  private warning(path: string, hash: string, error: string): BaristaEvent {
    const draft: EventDraft = { type: 'barista.warning', severity: 'warning', fields: { file: path, error }, text: `${path}: ${error}` };
    return eventFromDraft(draft, { source: this.id, subject: path, idParts: ['invalid', path, hash] });
  }
}
