/**
 * A `type: optuna` source: watches an Optuna storage read-only every `poll_interval` — a
 * SQLite database (short read transactions, optuna.md §4–5), the same tables on a PostgreSQL or
 * MySQL server (asynchronous reads, one warning per connection fault, backoff), or a
 * JournalStorage file (tailed and replayed, §6) — and announces trials that finish (completed / pruned / failed), new
 * best values, studies that stall and RUNNING trials whose worker is gone. The view (watermark,
 * open trials, per-study counts, best, timings; for a journal also the replay model and the
 * tail position) is the checkpoint, committed with the events and the per-study caches, so a
 * restart neither re-reads finished trials nor repeats an announcement.
 */
import { sourceIdentity, type SourceIdentity } from '../../config/sourceIdentity';
import type { OptunaSourceConfig } from '../../config/schema';
import { CATALOGUE, writeCache } from '../../readModel/catalogue';
import { CheckpointStore } from '../../state/CheckpointStore';
import { TrialHistoryStore } from '../../state/TrialHistoryStore';
import { eventFromDraft, type BaristaEvent, type EventDraft } from '../../model/BaristaEvent';
import { trainingAlarms, type RunningWorkers } from '../../streams/optunaAlarms';
import { emptyJournalModel, journalSnapshot, parseJournalLine, replayJournal, type JournalModel, type JournalOp } from '../../streams/optunaJournal';
import { applySnapshot, emptyView, restoreView, resyncView, runningTrials, staleReason, studyCache, type FinishedTrial, type OptunaView, type TrialEventDraft } from '../../streams/optunaTrials';
import { firstLookAt, type FirstLook } from '../../watchers/birth';
import type { PathCheckpoint, TailRecord } from '../../watchers/FileTailer';
import { OptunaJournalFile } from '../../watchers/OptunaJournalFile';
import { OptunaServerStorage } from '../../watchers/OptunaServerStorage';
import { OptunaStorage, resolveStorage, SUPPORTED_REVISIONS, type ReadRequest, type ReadResult, type StorageLocation } from '../../watchers/OptunaStorage';
import { redactUrlPassword } from '../../logging/redactSecrets';
import type { Component, ComponentContext } from '../Component';
import { commitBatch, noteSourceError } from './commitBatch';

const SQLITE_KEY = 'view';
const JOURNAL_KEY = 'journal';
/** A cold start of a huge storage reads in chunks; this bounds one poll's chunks. */
const MAX_CHUNKS_PER_POLL = 100;
/** Longest wait between attempts while a database server cannot be read. */
const MAX_BACKOFF_MS = 30_000;

/** What a journal watch commits: the view, the replay model and where the tail is. */
interface JournalCheckpoint {
  version: 1;
  /** 'history' until the file has been read to its end once: what it held then is not news. */
  phase: 'history' | 'live';
  view: OptunaView;
  model: JournalModel;
  tail: PathCheckpoint | null;
}

export interface OptunaSourceOptions {
  /** Overrides for tests: busy timeout and chunk size of the read-only connection. */
  busyTimeoutMs?: number;
  chunk?: number;
  /** A database server's connect and statement timeouts (ms). */
  connectTimeoutMs?: number;
  statementTimeoutMs?: number;
  /** Most journal bytes per read (default 4 MiB). */
  journalBytesPerRead?: number;
  /** barista's clock (ms) for the time alarms and their events; virtual in tests. */
  now?: () => number;
  /** How many training processes run (a process probe); the alarms work without it. */
  workers?: RunningWorkers;
}

export class OptunaSourceComponent implements Component {
  readonly id: string;
  readonly location: StorageLocation;
  /** The SQLite reader, when `storage` is a sqlite:/// URL. */
  readonly storage: OptunaStorage | null;
  /** The journal tail, when `storage` is a file path. */
  readonly journal: OptunaJournalFile | null;
  /** The reader of a PostgreSQL or MySQL storage. */
  readonly server: OptunaServerStorage | null;
  private view: OptunaView;
  private model: JournalModel = emptyJournalModel();
  private phase: JournalCheckpoint['phase'] = 'history';
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  private forceNext = false;
  /** A server read failing since then: warned once, retried with backoff until a read succeeds. */
  private fault: { since: number; backoffMs: number; error: string } | null = null;
  private inFlight: Promise<BaristaEvent[]> | null = null;
  private readonly now: () => number;
  private readonly checkpoints: CheckpointStore;
  private readonly health: SourceIdentity;
  private readonly trials: TrialHistoryStore;
  /**
   * The storage at barista's first look (birth.ts): born after barista's first start (or not
   * there yet) → every trial in it is news from number 0; else what it holds is history. One
   * birth for the file, and so for every study in it: a study created later is news anyway, its
   * rows come after the watermark of a storage barista already follows.
   */
  private readonly firstLook: FirstLook;

  constructor(
    private readonly config: OptunaSourceConfig,
    private readonly context: ComponentContext,
    private readonly options: OptunaSourceOptions = {},
  ) {
    this.id = config.id;
    this.now = options.now ?? Date.now;
    this.health = sourceIdentity(config);
    this.trials = new TrialHistoryStore(context.state);
    this.checkpoints = new CheckpointStore(context.state);
    this.location = resolveStorage(config.storage, context.workspace);
    this.storage = this.location.kind === 'sqlite' ? new OptunaStorage(this.location.file, options) : null;
    this.server = this.location.kind === 'server' ? new OptunaServerStorage(this.location.url, options) : null;
    this.view = emptyView();
    // A file storage born after barista's first start is news from its first trial (birth.ts); a server's database has no birth time to read.
    this.firstLook = this.location.kind === 'sqlite' || this.location.kind === 'journal' ? firstLookAt(this.location.file, context.firstStartedAt) : 'history';
    let tail: PathCheckpoint | null = null;
    if (this.location.kind === 'journal') tail = this.restoreJournal();
    else this.view = this.restoreSqlite();
    this.journal = this.location.kind === 'journal' ? new OptunaJournalFile(this.location.file, tail, { maxBytesPerRead: options.journalBytesPerRead }) : null;
  }

  start(): void {
    if (this.location.kind === 'unsupported') {
      this.commitWarning(['storage', this.location.url], `storage ${this.location.url} is not watched: barista reads Optuna's SQLite storage (sqlite:///…), PostgreSQL or MySQL storage (postgresql://…, mysql://…) or a JournalStorage file (a path)`);
      return;
    }
    if (this.server) {
      void this.serverTick();
      return;
    }
    this.pollSafely();
    this.timer = setInterval(() => this.pollSafely(), this.config.poll_interval);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.storage?.close();
    this.journal?.close();
    // After a read in flight: closing under it would make a fault of it.
    const server = this.server;
    if (server) void (this.inFlight ?? Promise.resolve()).finally(() => server.close());
  }

  /** One poll (with the rest of a chunked catch-up), then the time alarms; returns the events published. */
  poll(): BaristaEvent[] {
    if (this.server) throw new Error('a database server storage is polled with pollOnce()');
    const published = this.storage ? this.pollSqlite(this.storage) : this.journal ? this.pollJournal(this.journal) : [];
    published.push(...this.checkAlarms());
    return published;
  }

  /** poll() for every kind of storage: a server's read is asynchronous. Never two at once. */
  pollOnce(): Promise<BaristaEvent[]> {
    if (!this.server) return Promise.resolve(this.poll());
    const server = this.server;
    this.inFlight ??= this.pollServer(server).finally(() => (this.inFlight = null));
    return this.inFlight;
  }

  // ---------------------------------------------------------------- SQLite and servers

  private request(): ReadRequest {
    const request = { watermark: this.view.watermark, open: Object.keys(this.view.open).map(Number), force: this.forceNext };
    this.forceNext = false;
    return request;
  }

  /** Folds one read into the view and commits it; false when there is nothing more to read now. */
  private applyRead(result: ReadResult, shown: string, published: BaristaEvent[]): boolean {
    if (result.kind === 'missing' || result.kind === 'unchanged') return false;
    if (result.kind === 'unsupported') {
      const found = result.revision ?? 'none (no alembic_version table)';
      published.push(...this.commitWarning(['schema', found], `${shown}: Optuna schema revision ${found} is not supported (supported: ${SUPPORTED_REVISIONS.join(', ')}); not watching it until it changes`));
      return false;
    }
    // Another file at the path: a copy of what barista read (a backup restored) still matches the
    // view and carries on; any other is a new storage, born after barista looked, so all of it is
    // news (birth.ts) rather than a baseline that would swallow its first trials. Read it again from 0.
    if (result.replaced && staleReason(this.view, result.snapshot) !== null) {
      this.context.logger.info({ source: this.id, file: shown }, 'optuna storage replaced by a new one; reading it from its first trial');
      this.view = { ...emptyView(), seen: true };
      this.forceNext = true;
      return true;
    }
    const outcome = applySnapshot(this.view, result.snapshot, this.snapshotOptions(false));
    if (outcome.resynced) this.context.logger.info({ source: this.id, reason: outcome.reason }, 'optuna storage changed under barista; reading it again');
    published.push(...this.commitView(outcome.drafts, outcome.view, (view) => view, [], outcome.finished));
    if (!outcome.resynced && !result.snapshot.more) return false;
    this.forceNext = true;
    return true;
  }

  private restoreSqlite(): OptunaView {
    const stored: unknown = this.checkpoints.get(this.id, SQLITE_KEY);
    // Seen without a baseline: the first read announces everything it finds.
    if (stored === undefined && this.firstLook === 'news') return { ...emptyView(), seen: true };
    return restoreView(stored, this.now());
  }

  private pollSqlite(storage: OptunaStorage): BaristaEvent[] {
    const published: BaristaEvent[] = [];
    for (let i = 0; i < MAX_CHUNKS_PER_POLL && this.applyRead(storage.read(this.request()), storage.file, published); i++);
    return published;
  }

  private async pollServer(server: OptunaServerStorage): Promise<BaristaEvent[]> {
    const published: BaristaEvent[] = [];
    try {
      for (let i = 0; i < MAX_CHUNKS_PER_POLL && this.applyRead(await server.read(this.request()), server.display, published); i++);
    } catch (error) {
      this.forceNext = true;
      if (!this.stopped) published.push(...this.noteFault(server, error));
      return published;
    }
    published.push(...this.noteRecovery(server));
    published.push(...this.checkAlarms());
    return published;
  }

  /** One warning when a fault begins (not one per poll); later failures only lengthen the wait. */
  private noteFault(server: OptunaServerStorage, error: unknown): BaristaEvent[] {
    const message = redactUrlPassword(error instanceof Error ? error.message : String(error));
    noteSourceError(this.context.state, this.id, this.health, new Error(message));
    if (this.fault) {
      this.fault.backoffMs = Math.min(MAX_BACKOFF_MS, Math.max(this.fault.backoffMs * 2, 250));
      return [];
    }
    const since = this.now();
    this.fault = { since, backoffMs: this.config.poll_interval, error: message };
    this.context.logger.warn({ source: this.id, storage: server.display, err: message }, 'optuna storage cannot be read; retrying with backoff');
    const text = `${server.display}: cannot read the Optuna storage (${message}); retrying with backoff, no other warning until it can be read again`;
    return this.commitWarning(['server-fault', since], text);
  }

  private noteRecovery(server: OptunaServerStorage): BaristaEvent[] {
    const fault = this.fault;
    if (!fault) return [];
    this.fault = null;
    const seconds = Math.round((this.now() - fault.since) / 1000);
    this.context.logger.info({ source: this.id, storage: server.display }, 'optuna storage readable again');
    return this.commitWarning(['server-recovered', fault.since], `${server.display}: the Optuna storage can be read again after ${seconds} s (${fault.error}); nothing was missed`, 'info');
  }

  /** The server loop: one poll at a time, the next one poll_interval later (or the backoff while failing). */
  private async serverTick(): Promise<void> {
    try {
      await this.pollOnce();
    } catch (error) {
      // A failed commit of barista's own state: retry at the next poll, as pollSafely does.
      this.forceNext = true;
      this.context.logger.warn({ source: this.id, err: error }, 'optuna poll failed; retrying at the next poll');
    }
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.serverTick(), this.fault?.backoffMs ?? this.config.poll_interval);
  }

  // ---------------------------------------------------------------- journal

  private restoreJournal(): PathCheckpoint | null {
    const stored = this.checkpoints.get<JournalCheckpoint>(this.id, JOURNAL_KEY);
    this.view = restoreView(stored?.view, this.now());
    this.model = stored?.model ?? emptyJournalModel();
    // A journal's first look is its first read-through: history, unless the file is news.
    this.phase = stored?.phase ?? (this.firstLook === 'news' ? 'live' : 'history');
    if (!stored) this.view.seen = true;
    return stored?.tail ?? null;
  }

  private journalPosition(view: OptunaView, model: JournalModel, phase: JournalCheckpoint['phase'], journal: OptunaJournalFile): JournalCheckpoint {
    return { version: 1, phase, view, model, tail: journal.checkpoint() };
  }

  private pollJournal(journal: OptunaJournalFile): BaristaEvent[] {
    const published: BaristaEvent[] = [];
    for (let i = 0; i < MAX_CHUNKS_PER_POLL; i++) {
      const read = journal.read();
      const history = this.phase === 'history';
      // Nothing new: no commit, unless this is the end of the first read-through (history → live).
      if (read.lines.length === 0 && !(history && read.exists && !read.more)) break;
      let view = this.view;
      let model = this.model;
      const drafts: TrialEventDraft[] = [];
      const finished: FinishedTrial[] = [];
      const warnings: BaristaEvent[] = [];
      let restart = false;
      // Lines of one file in a row make one replay; another identity is a new file (replaced, truncated).
      let from = 0;
      while (from < read.lines.length) {
        const identity = read.lines[from].identity;
        const replaced = model.identity !== null && model.identity !== identity;
        if (replaced) {
          this.context.logger.info({ source: this.id, file: journal.file }, 'optuna journal replaced or truncated; replaying the new one from its start');
          model = emptyJournalModel();
        }
        let to = from;
        while (to < read.lines.length && read.lines[to].identity === identity) to += 1;
        const ops = this.parseLines(read.lines.slice(from, to), journal.file, warnings);
        const replay = replayJournal({ ...model, identity }, ops);
        // Another file: like a SQLite storage changed under barista, what was known is the baseline
        // (the same studies' trials up to the old watermark are not news; event ids dedupe the rest).
        if (replaced) view = resyncView(view, journalSnapshot(replay.model, [], { watermark: 0, open: [], watermarkTrial: null }, true));
        const request = { watermark: view.watermark, open: Object.keys(view.open).map(Number), watermarkTrial: view.watermarkTrial };
        const snapshot = journalSnapshot(replay.model, replay.finished, request, read.more || to < read.lines.length);
        const outcome = applySnapshot(view, snapshot, this.snapshotOptions(history));
        if (outcome.resynced) {
          // A study was deleted: replay the whole file again against a baseline of what was known.
          this.context.logger.info({ source: this.id, reason: outcome.reason }, 'optuna journal changed under barista; replaying it from its start');
          view = outcome.view;
          model = emptyJournalModel();
          restart = true;
          break;
        }
        drafts.push(...outcome.drafts);
        finished.push(...outcome.finished);
        view = outcome.view;
        model = replay.model;
        from = to;
      }
      if (restart) journal.restart();
      const phase = history && !read.more && !restart ? 'live' : this.phase;
      const committed = this.commitView(drafts, view, (v) => this.journalPosition(v, model, phase, journal), warnings, finished);
      this.model = model;
      this.phase = phase;
      published.push(...committed);
      if (!read.more && !restart) break;
    }
    return published;
  }

  /** Ops of whole lines; a line that is not JSON (cut, corrupted) is skipped with a warning, as Optuna's reader stops at it. */
  private parseLines(lines: TailRecord[], file: string, warnings: BaristaEvent[]): JournalOp[] {
    const ops: JournalOp[] = [];
    for (const line of lines) {
      if (line.text.trim() === '') continue;
      try {
        ops.push(parseJournalLine(line.text));
      } catch (error) {
        const text = `${file}: journal line at byte ${line.start} is not an Optuna operation (${(error as Error).message}${line.cut ? '; the line was too long and was cut' : ''}); skipped`;
        warnings.push(this.warning(['journal-line', line.identity, line.start], text));
      }
    }
    return ops;
  }

  // ---------------------------------------------------------------- time alarms

  private checkAlarms(): BaristaEvent[] {
    if (!this.view.seen || this.view.baseline !== null || (this.journal && this.phase === 'history')) return [];
    const outcome = trainingAlarms(this.view, {
      now: this.now(),
      stallMultiple: this.config.stall_multiple,
      stallFloorMs: this.config.stall_floor,
      staleAfterMs: this.config.stale_after,
      workerGraceMs: this.config.worker_grace,
      studies: this.config.studies,
      workers: this.options.workers,
    });
    if (outcome.drafts.length === 0) return [];
    const journal = this.journal;
    return this.commitView(outcome.drafts, outcome.view, (view) => (journal ? this.journalPosition(view, this.model, this.phase, journal) : view));
  }

  // ---------------------------------------------------------------- commits

  private snapshotOptions(history: boolean) {
    return { studies: this.config.studies, topN: this.config.top_n, recentN: this.config.recent_n, now: this.now(), history };
  }

  /** Events, checkpoint and caches in one transaction; the in-memory view moves only once it is committed. */
  private commitView(drafts: TrialEventDraft[], view: OptunaView, position: (view: OptunaView) => unknown, before: BaristaEvent[] = [], finished: FinishedTrial[] = []): BaristaEvent[] {
    const events = [...before, ...drafts.map((d) => eventFromDraft(d.draft, { source: this.id, subject: d.study, idParts: d.idParts }))];
    const at = new Date(this.now()).toISOString();
    const fresh = commitBatch(this.context.state, {
      source: this.id,
      key: this.journal ? JOURNAL_KEY : SQLITE_KEY,
      events,
      position: position(view),
      alsoWrite: () => {
        const names: string[] = [];
        const watched = (name: string) => !this.config.studies || this.config.studies.includes(name);
        for (const [studyId, study] of Object.entries(view.studies)) {
          if (!watched(study.name)) continue;
          writeCache(this.context.state, CATALOGUE.optuna.of(study.name), studyCache(study, runningTrials(view, studyId)), at);
          names.push(study.name);
        }
        // The index a command reads to list the studies (each cached under optuna:<study>).
        writeCache(this.context.state, CATALOGUE.optunaStudies.of(this.id), { source: this.id, storage: this.location.kind, studies: names }, at);
        this.trials.record(finished.filter((t) => watched(t.study)));
      },
      health: this.health,
    });
    this.view = view;
    if (fresh.length) this.context.publish(fresh);
    return fresh;
  }

  private pollSafely(): void {
    try {
      this.poll();
    } catch (error) {
      // Busy past the timeout, a torn file being replaced, a failed commit…: start again from
      // what is committed at the next poll.
      this.forceNext = true;
      if (this.journal) this.journal.resume(this.restoreJournal());
      noteSourceError(this.context.state, this.id, this.health, error);
      this.context.logger.warn({ source: this.id, err: error }, 'optuna poll failed; retrying at the next poll');
    }
  }

  /** The storage as it may be shown: never with its password. */
  private get shownStorage(): string {
    const location = this.location;
    return location.kind === 'unsupported' ? location.url : location.kind === 'server' ? location.url.display : redactUrlPassword(this.config.storage);
  }

  private warning(idParts: (string | number)[], text: string, severity: EventDraft['severity'] = 'warning'): BaristaEvent {
    const draft: EventDraft = { type: 'barista.warning', severity, fields: { storage: this.shownStorage, error: text }, text };
    return eventFromDraft(draft, { source: this.id, subject: this.id, idParts });
  }

  private commitWarning(idParts: (string | number)[], text: string, severity: EventDraft['severity'] = 'warning'): BaristaEvent[] {
    const fresh = commitBatch(this.context.state, { source: this.id, events: [this.warning(idParts, text, severity)] });
    if (fresh.length) this.context.publish(fresh);
    return fresh;
  }
}
