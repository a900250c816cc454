/**
 * A `type: optuna` source: watches an Optuna storage read-only every `poll_interval` — a
 * SQLite database (short read transactions, optuna.md §4–5) or a JournalStorage file (tailed
 * and replayed, §6) — and announces trials that finish (completed / pruned / failed), new
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
import { OptunaStorage, resolveStorage, SUPPORTED_REVISIONS, type StorageLocation } from '../../watchers/OptunaStorage';
import type { Component, ComponentContext } from '../Component';
import { commitBatch, noteSourceError } from './commitBatch';

const SQLITE_KEY = 'view';
const JOURNAL_KEY = 'journal';
/** A cold start of a huge storage reads in chunks; this bounds one poll's chunks. */
const MAX_CHUNKS_PER_POLL = 100;

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
  private view: OptunaView;
  private model: JournalModel = emptyJournalModel();
  private phase: JournalCheckpoint['phase'] = 'history';
  private timer: NodeJS.Timeout | null = null;
  private forceNext = false;
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
    this.view = emptyView();
    this.firstLook = this.location.kind === 'unsupported' ? 'history' : firstLookAt(this.location.file, context.firstStartedAt);
    let tail: PathCheckpoint | null = null;
    if (this.location.kind === 'journal') tail = this.restoreJournal();
    else this.view = this.restoreSqlite();
    this.journal = this.location.kind === 'journal' ? new OptunaJournalFile(this.location.file, tail, { maxBytesPerRead: options.journalBytesPerRead }) : null;
  }

  start(): void {
    if (this.location.kind === 'unsupported') {
      this.commitWarning(['storage', this.location.url], `storage ${this.location.url} is not watched: barista reads Optuna's SQLite storage (sqlite:///…) or a JournalStorage file (a path)`);
      return;
    }
    this.pollSafely();
    this.timer = setInterval(() => this.pollSafely(), this.config.poll_interval);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.storage?.close();
    this.journal?.close();
  }

  /** One poll (with the rest of a chunked catch-up), then the time alarms; returns the events published. */
  poll(): BaristaEvent[] {
    const published = this.storage ? this.pollSqlite(this.storage) : this.journal ? this.pollJournal(this.journal) : [];
    published.push(...this.checkAlarms());
    return published;
  }

  // ---------------------------------------------------------------- SQLite

  private restoreSqlite(): OptunaView {
    const stored: unknown = this.checkpoints.get(this.id, SQLITE_KEY);
    // Seen without a baseline: the first read announces everything it finds.
    if (stored === undefined && this.firstLook === 'news') return { ...emptyView(), seen: true };
    return restoreView(stored, this.now());
  }

  private pollSqlite(storage: OptunaStorage): BaristaEvent[] {
    const published: BaristaEvent[] = [];
    let view = this.view; // what the reads are relative to
    for (let i = 0; i < MAX_CHUNKS_PER_POLL; i++) {
      const open = Object.keys(view.open).map(Number);
      const result = storage.read({ watermark: view.watermark, open, force: this.forceNext });
      this.forceNext = false;
      if (result.kind === 'missing' || result.kind === 'unchanged') break;
      if (result.kind === 'unsupported') {
        const found = result.revision ?? 'none (no alembic_version table)';
        published.push(...this.commitWarning(['schema', found], `${storage.file}: Optuna schema revision ${found} is not supported (supported: ${SUPPORTED_REVISIONS.join(', ')}); not watching it until it changes`));
        break;
      }
      // Another file at the path: a copy of what barista read (a backup restored) still matches the
      // view and carries on; any other is a new storage, born after barista looked, so all of it is
      // news (birth.ts) rather than a baseline that would swallow its first trials. Read it again from 0.
      if (result.replaced && staleReason(view, result.snapshot) !== null) {
        this.context.logger.info({ source: this.id, file: storage.file }, 'optuna storage replaced by a new one; reading it from its first trial');
        view = { ...emptyView(), seen: true };
        this.forceNext = true;
        continue;
      }
      const outcome = applySnapshot(view, result.snapshot, this.snapshotOptions(false));
      if (outcome.resynced) this.context.logger.info({ source: this.id, reason: outcome.reason }, 'optuna storage changed under barista; reading it again');
      published.push(...this.commitView(outcome.drafts, outcome.view, (v) => v, [], outcome.finished));
      view = this.view;
      if (!outcome.resynced && !result.snapshot.more) break;
      this.forceNext = true;
    }
    return published;
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

  private warning(idParts: (string | number)[], text: string): BaristaEvent {
    const draft: EventDraft = { type: 'barista.warning', severity: 'warning', fields: { storage: this.location.kind === 'unsupported' ? this.location.url : this.config.storage, error: text }, text };
    return eventFromDraft(draft, { source: this.id, subject: this.id, idParts });
  }

  private commitWarning(idParts: (string | number)[], text: string): BaristaEvent[] {
    const fresh = commitBatch(this.context.state, { source: this.id, events: [this.warning(idParts, text)] });
    if (fresh.length) this.context.publish(fresh);
    return fresh;
  }
}
