/**
 * What an Optuna storage's rows mean (pure). Decodes Optuna's internal representations
 * (categorical index, int-as-float, ±inf as value_type, NaN/Infinity in JSON) and diffs each
 * poll against the checkpointed view into event drafts: trial completed / pruned / failed and
 * best improved. Only changes after barista first saw the storage are announced. The SQLite
 * reader and the journal replay both produce an OptunaSnapshot, so both give the same events.
 */
import type { TrialRecord } from '../state/TrialHistoryStore';
import type { EventDraft } from '../model/BaristaEvent';
import { builtInFact } from '../model/fact';
import { FINISHED_STATES, type OptunaSnapshot, type RawStudy, type RawTrial, type RawTrialDetails, type TrialProgress } from '../watchers/optunaRecords';

// ---------------------------------------------------------------- decoding

const SENTINEL = '\u0000optuna-num:';

/**
 * JSON.parse that also accepts Python's bare NaN, Infinity and -Infinity (json.dumps writes
 * them). The tokens are rewritten outside string literals only, then mapped back.
 */
export function parseLenientJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    const rewritten = text.replace(/"(?:[^"\\]|\\.)*"|(-?Infinity|NaN)/g, (match, token: string | undefined) => (token ? JSON.stringify(SENTINEL + token) : match));
    return JSON.parse(rewritten, (_key, value: unknown) => (typeof value === 'string' && value.startsWith(SENTINEL) ? Number(value.slice(SENTINEL.length)) : value));
  }
}

const NON_FINITE_MARK = '__barista_non_finite__:';

/** JSON as Python's json.dumps writes it: bare NaN, Infinity and -Infinity (parseLenientJson reads it back). */
export function toPythonJson(value: unknown): string {
  const text = JSON.stringify(value, (_key, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? NON_FINITE_MARK + String(v) : v));
  return text.includes(NON_FINITE_MARK) ? text.replace(/"__barista_non_finite__:(NaN|-?Infinity)"/g, '$1') : text;
}

/** A trial or intermediate value: NULL plus its type stands for ±inf (and NaN for intermediates). */
export function decodeValue(value: number | null, valueType: string): number {
  if (valueType === 'INF_POS') return Infinity;
  if (valueType === 'INF_NEG') return -Infinity;
  if (valueType === 'NAN' || value === null) return NaN;
  return value;
}

/** A param from its internal float, by its distribution (current and pre-3.0 names). */
export function decodeParam(internal: number, distributionJson: string): unknown {
  const distribution = parseLenientJson(distributionJson) as { name?: string; attributes?: { choices?: unknown[] } } | null;
  switch (distribution?.name) {
    case 'CategoricalDistribution': {
      const choices = distribution.attributes?.choices ?? [];
      const index = Math.round(internal);
      return index >= 0 && index < choices.length ? choices[index] : internal;
    }
    case 'IntDistribution':
    case 'IntUniformDistribution':
    case 'IntLogUniformDistribution':
      return Math.round(internal);
    default:
      return internal;
  }
}

/** value_json texts → values; one that is not JSON even leniently is kept as its text. */
export function decodeAttributes(attrs: Record<string, string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, text] of Object.entries(attrs)) {
    try {
      out[key] = parseLenientJson(text);
    } catch {
      out[key] = text;
    }
  }
  return out;
}

export interface DecodedTrial {
  trialId: number;
  studyId: number;
  number: number;
  state: string;
  values: number[];
  params: Record<string, unknown>;
  userAttrs: Record<string, unknown>;
  intermediateCount: number;
  datetimeStart: string | null;
  datetimeComplete: string | null;
  durationS: number | null;
}

export function decodeTrial(trial: RawTrial, details: RawTrialDetails | undefined): DecodedTrial {
  const values = [...(details?.values ?? [])].sort((a, b) => a.objective - b.objective).map((v) => decodeValue(v.value, v.valueType));
  const params: Record<string, unknown> = {};
  for (const p of details?.params ?? []) params[p.name] = decodeParam(p.value, p.distributionJson);
  return {
    trialId: trial.trialId,
    studyId: trial.studyId,
    number: trial.number,
    state: trial.state,
    values,
    params,
    userAttrs: decodeAttributes(details?.userAttrs ?? {}),
    intermediateCount: details?.intermediateCount ?? 0,
    datetimeStart: trial.datetimeStart,
    datetimeComplete: trial.datetimeComplete,
    durationS: durationSeconds(trial.datetimeStart, trial.datetimeComplete),
  };
}

/** Both ends are the same worker's naive local time, so their difference is exact whatever the zone. */
export function durationSeconds(start: string | null, complete: string | null): number | null {
  const a = workerClockMs(start);
  const b = workerClockMs(complete);
  return a !== null && b !== null ? Math.round(b - a) / 1000 : null;
}

const HAS_ZONE = /(?:Z|[+-]\d\d:?\d\d)$/;

/**
 * A worker's timestamp on a scale where differences are right: naive local time (Optuna ≤ 4.9)
 * is read as if it were UTC, an explicit zone (Optuna 5, heartbeats with `Z`) is honoured.
 */
export function workerClockMs(text: string | null): number | null {
  if (!text) return null;
  const iso = text.trim().replace(' ', 'T');
  const ms = Date.parse(HAS_ZONE.test(iso) ? iso : `${iso}Z`);
  return Number.isFinite(ms) ? ms : null;
}

/** A worker's naive time as an instant, assuming the worker shares barista's time zone (same host). */
export function localInstantMs(text: string | null): number | null {
  if (!text) return null;
  const ms = Date.parse(text.trim().replace(' ', 'T')); // no zone: ECMAScript reads it as local time
  return Number.isFinite(ms) ? ms : null;
}

/** trial_heartbeats.heartbeat is SQLite's CURRENT_TIMESTAMP: UTC without a zone. */
export function utcInstantMs(text: string | null): number | null {
  return workerClockMs(text);
}

/** JSON has no ±inf or NaN: they travel as the strings "Infinity", "-Infinity", "NaN". */
export function jsonSafe(value: unknown): unknown {
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (Array.isArray(value)) return value.map(jsonSafe);
  if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, jsonSafe(v)]));
  return value;
}

function fromJsonNumber(value: number | string | null): number | null {
  return value === null ? null : Number(value);
}

// ---------------------------------------------------------------- the checkpointed view

export interface TrialSummary {
  number: number;
  state: string;
  value: number | string | null;
  params: Record<string, unknown>;
  completedAt: string | null;
  durationS: number | null;
}

export interface StudyView {
  name: string;
  directions: string[];
  userAttrs: Record<string, unknown>;
  counts: Record<string, number>;
  /** Best COMPLETE value of a single-objective study (JSON-safe: ±inf as strings). */
  best: { number: number; value: number | string } | null;
  /** Best few COMPLETE trials, best first. */
  top: TrialSummary[];
  /** Most recently finished trials, newest first. */
  recent: TrialSummary[];
  /** Durations (s) of the latest COMPLETE trials: their median scales the stall threshold. */
  durations: number[];
  /** datetime_complete of the latest finished trials on the workers' clock (ms): the rate. */
  finishedAt: number[];
  /** When barista last saw a trial of this study finish (barista's clock, ms). */
  lastFinishSeenAt: number | null;
  /** Since when the study has had a RUNNING trial without a break (barista's clock); null: none now. */
  busySince: number | null;
  /** The `since` of the stall already announced; cleared by the next finish. */
  stalledSince: number | null;
}

/** A trial as the watcher pins it: enough to notice it changed or was replaced. */
export interface OpenTrial {
  studyId: number;
  number: number;
  state: string;
  start: string | null;
}

/** A trial last seen RUNNING or WAITING, with what tells a live worker from a dead one. */
export interface TrackedTrial extends OpenTrial {
  /** barista's clock (ms): when it was first seen open, and last seen making progress. */
  seenAt: number;
  progressAt: number;
  signature: string | null;
  heartbeat: string | null;
  /** training.trial_stale was announced for it (once per trial). */
  stale: boolean;
}

/**
 * Everything needed to resume without re-reading finished trials (they never change) and
 * without announcing anything twice. JSON-serialisable.
 */
export interface OptunaView {
  version: 2;
  /** False until the first read: what exists then is history. */
  seen: boolean;
  /** Highest trial_id read. */
  watermark: number;
  /** The row at the watermark, to notice ids being reused after a delete. */
  watermarkTrial: OpenTrial | null;
  /** Trials last seen RUNNING or WAITING, by trial_id. */
  open: Record<string, TrackedTrial>;
  studies: Record<string, StudyView>;
  /**
   * While catching up with rows that existed before barista looked (first sight, or a resync
   * after a deleted study): trials up to `through` of the `studies` known then (null: all)
   * found finished are not news, unless they were open (`wasOpen`) when last seen.
   */
  baseline: { through: number; wasOpen: Record<string, OpenTrial>; studies: number[] | null } | null;
}

export function emptyView(): OptunaView {
  return { version: 2, seen: false, watermark: 0, watermarkTrial: null, open: {}, studies: {}, baseline: null };
}

function newStudy(study: RawStudy, userAttrs: Record<string, unknown>): StudyView {
  return { name: study.name, directions: study.directions, userAttrs, counts: {}, best: null, top: [], recent: [], durations: [], finishedAt: [], lastFinishSeenAt: null, busySince: null, stalledSince: null };
}

/** A stored view, from this version or the first (whose studies and open trials lack the timing fields). */
export function restoreView(stored: unknown, now: number): OptunaView {
  if (typeof stored !== 'object' || stored === null) return emptyView();
  const view = structuredClone(stored) as OptunaView;
  if (view.version === 2) return view;
  for (const study of Object.values(view.studies)) {
    study.durations ??= [];
    study.finishedAt ??= [];
    study.lastFinishSeenAt ??= null;
    study.busySince ??= null;
    study.stalledSince ??= null;
    delete (study as Partial<{ finishedSeenAt: unknown }>).finishedSeenAt;
  }
  for (const trial of Object.values(view.open)) Object.assign(trial, { seenAt: trial.seenAt ?? now, progressAt: trial.progressAt ?? now, signature: trial.signature ?? null, heartbeat: trial.heartbeat ?? null, stale: trial.stale ?? false });
  view.version = 2;
  return view;
}

export interface OptunaOptions {
  /** Only these study names make events and caches (all when absent). */
  studies?: string[];
  topN?: number;
  recentN?: number;
  /** When the poll happened (barista's clock, ms since epoch). */
  now: number;
  /** Every row in this snapshot predates barista's first look (a journal's backlog): nothing is news. */
  history?: boolean;
}

export interface TrialEventDraft {
  draft: EventDraft;
  study: string;
  idParts: (string | number)[];
}

/**
 * A trial seen finished by this poll, news or not: a row of the trial history, which keeps them
 * all (value: the first objective, null when none or not finite; times in epoch ms, reading the
 * worker's naive times as barista's local time — same host).
 */
export type FinishedTrial = TrialRecord;

export interface PollOutcome {
  view: OptunaView;
  drafts: TrialEventDraft[];
  /** Every trial this read found finished, in read order (baseline and history included). */
  finished: FinishedTrial[];
  /** The view was thrown away (a study deleted and its id reused): read again from the start. */
  resynced: boolean;
  /** Why, when resynced. */
  reason?: string;
}

/** Why the cached view no longer matches the storage, or null when it still does. */
export function staleReason(view: OptunaView, snapshot: OptunaSnapshot): string | null {
  const now = new Map(snapshot.studies.map((s) => [String(s.studyId), s]));
  for (const [id, study] of Object.entries(view.studies)) {
    const current = now.get(id);
    if (!current) return `study ${study.name} (id ${id}) was deleted`;
    if (current.name !== study.name || current.directions.join() !== study.directions.join()) return `study id ${id} now holds ${current.name}; ${study.name} was deleted`;
  }
  // Optuna deletes trials only with their study. One deleted and created again under the same id,
  // name and directions numbers its trials from 0 again: a new trial numbered below the count known.
  for (const row of snapshot.trials) {
    const study = row.trialId > view.watermark ? view.studies[String(row.studyId)] : undefined;
    if (study && row.number < Object.values(study.counts).reduce((a, b) => a + b, 0)) return `study ${study.name} (id ${row.studyId}) was deleted and created again`;
  }
  const mark = view.watermarkTrial;
  const row = snapshot.watermarkTrial;
  if (mark && (!row || row.studyId !== mark.studyId || row.number !== mark.number || (mark.start !== null && row.datetimeStart !== mark.start))) return `trial id ${view.watermark} was deleted and reused`;
  for (const id of Object.keys(view.open)) if (!snapshot.trials.some((t) => String(t.trialId) === id)) return `open trial id ${id} was deleted`;
  return null;
}

/**
 * A view to re-read everything from: what was known becomes the baseline, so nothing repeats.
 * Only studies still there under the same id, name and directions are covered: the trials of
 * a study that replaced a deleted one are all news, whatever (reused) ids they got.
 */
export function resyncView(view: OptunaView, snapshot: OptunaSnapshot): OptunaView {
  const through = Math.max(view.baseline?.through ?? 0, view.watermark);
  const same = snapshot.studies.filter((s) => {
    const known = view.studies[String(s.studyId)];
    return known !== undefined && known.name === s.name && known.directions.join() === s.directions.join();
  });
  const studies = same.map((s) => s.studyId).filter((id) => view.baseline?.studies?.includes(id) ?? true);
  const wasOpen: Record<string, OpenTrial> = { ...(view.baseline?.wasOpen ?? {}) };
  for (const [id, t] of Object.entries(view.open)) wasOpen[id] = { studyId: t.studyId, number: t.number, state: t.state, start: t.start };
  return { ...emptyView(), seen: true, baseline: { through, wasOpen, studies } };
}

const KEEP_DURATIONS = 50;
const KEEP_FINISHES = 50;

/** Folds one read into the view; returns the new view and what is news. */
export function applySnapshot(previous: OptunaView, snapshot: OptunaSnapshot, options: OptunaOptions): PollOutcome {
  const reason = staleReason(previous, snapshot);
  if (reason !== null) return { view: resyncView(previous, snapshot), drafts: [], finished: [], resynced: true, reason };

  const now = options.now;
  const view: OptunaView = structuredClone(previous);
  // First sight: everything already there is history, not news.
  if (!view.seen) {
    view.seen = true;
    if (!options.history) view.baseline = { through: snapshot.maxTrialId, wasOpen: {}, studies: null };
  }
  const drafts: TrialEventDraft[] = [];
  const finished: FinishedTrial[] = [];
  const topN = options.topN ?? 5;
  const recentN = options.recentN ?? 10;

  for (const study of snapshot.studies) {
    const existing = view.studies[String(study.studyId)];
    const userAttrs = decodeAttributes(study.userAttrs);
    if (existing) existing.userAttrs = userAttrs;
    else view.studies[String(study.studyId)] = newStudy(study, userAttrs);
  }

  for (const row of snapshot.trials) {
    const key = String(row.trialId);
    const wasOpen = view.open[key];
    const isNew = row.trialId > previous.watermark;
    const progress = snapshot.progress?.get(row.trialId);
    if (!isNew && (!wasOpen || (wasOpen.state === row.state && wasOpen.start === row.datetimeStart))) {
      if (wasOpen && progress) noteProgress(wasOpen, progress, now);
      continue;
    }
    const study = view.studies[String(row.studyId)];
    if (!study) continue; // a trial committed with a study we did not read: next poll
    if (wasOpen) study.counts[wasOpen.state] = Math.max(0, (study.counts[wasOpen.state] ?? 0) - 1);
    study.counts[row.state] = (study.counts[row.state] ?? 0) + 1;

    if (!FINISHED_STATES.includes(row.state)) {
      view.open[key] = {
        studyId: row.studyId,
        number: row.number,
        state: row.state,
        start: row.datetimeStart,
        seenAt: wasOpen?.seenAt ?? now,
        progressAt: now, // started, or taken from the queue: a sign of life
        signature: progress?.signature ?? null,
        heartbeat: progress?.heartbeat ?? null,
        stale: wasOpen?.stale ?? false,
      };
      continue;
    }
    delete view.open[key];
    const trial = decodeTrial(row, snapshot.details.get(row.trialId));
    const announce = !options.history && (wasOpen !== undefined || isNews(view, row));
    if (view.baseline?.wasOpen[key]) delete view.baseline.wasOpen[key];
    const watched = !options.studies || options.studies.includes(study.name);
    const summary = summarize(trial);
    const first = trial.values[0];
    finished.push({ study: study.name, number: trial.number, state: trial.state, value: first !== undefined && Number.isFinite(first) ? first : null, startedAt: localInstantMs(trial.datetimeStart), finishedAt: localInstantMs(trial.datetimeComplete) });
    study.recent = [summary, ...study.recent].slice(0, recentN);
    study.lastFinishSeenAt = now;
    study.stalledSince = null;
    const finishedAt = workerClockMs(row.datetimeComplete);
    if (finishedAt !== null) study.finishedAt = [...study.finishedAt, finishedAt].slice(-KEEP_FINISHES);
    if (row.state === 'COMPLETE' && trial.durationS !== null) study.durations = [...study.durations, trial.durationS].slice(-KEEP_DURATIONS);
    if (announce && watched) drafts.push(trialDraft(study, trial));

    if (row.state !== 'COMPLETE' || study.directions.length !== 1 || trial.values.length === 0) continue;
    const value = trial.values[0];
    const maximize = study.directions[0] === 'MAXIMIZE';
    study.top = [...study.top, summary].sort((a, b) => compareValues(fromJsonNumber(b.value), fromJsonNumber(a.value), maximize) || a.number - b.number).slice(0, topN);
    const previousBest = study.best ? Number(study.best.value) : null;
    if (previousBest !== null && compareValues(value, previousBest, maximize) <= 0) continue;
    study.best = { number: trial.number, value: jsonSafe(value) as number | string };
    if (announce && watched) drafts.push(bestDraft(study, trial, value, previousBest));
  }

  const last = snapshot.trials.filter((t) => t.trialId > previous.watermark).at(-1);
  if (last) {
    view.watermark = last.trialId;
    view.watermarkTrial = { studyId: last.studyId, number: last.number, state: last.state, start: last.datetimeStart };
  }
  noteBusy(view, now);
  if (view.baseline && !snapshot.more && view.watermark >= view.baseline.through) view.baseline = null;
  return { view, drafts, finished, resynced: false };
}

/** A new report, param, attribute or heartbeat of an open trial: its worker is alive. */
function noteProgress(trial: TrackedTrial, progress: TrialProgress, now: number): void {
  if (progress.signature === trial.signature && progress.heartbeat === trial.heartbeat) return;
  trial.signature = progress.signature;
  trial.heartbeat = progress.heartbeat;
  trial.progressAt = now;
}

/** Keeps each study's `busySince`: when it went from no RUNNING trial to some. */
function noteBusy(view: OptunaView, now: number): void {
  const running = new Set(Object.values(view.open).filter((t) => t.state === 'RUNNING').map((t) => String(t.studyId)));
  for (const [id, study] of Object.entries(view.studies)) {
    if (!running.has(id)) study.busySince = null;
    else study.busySince ??= now;
  }
}

/** A finished trial first seen finished: news unless it is part of the baseline. */
function isNews(view: OptunaView, row: RawTrial): boolean {
  const baseline = view.baseline;
  if (!baseline || row.trialId > baseline.through) return true;
  if (baseline.studies && !baseline.studies.includes(row.studyId)) return true;
  const was = baseline.wasOpen[String(row.trialId)];
  return was !== undefined && was.studyId === row.studyId && was.number === row.number;
}

/** >0 when a is better than b for the direction. */
function compareValues(a: number | null, b: number | null, maximize: boolean): number {
  if (a === null || Number.isNaN(a)) return b === null || Number.isNaN(b) ? 0 : -1;
  if (b === null || Number.isNaN(b)) return 1;
  if (a === b) return 0;
  return (a > b) === maximize ? 1 : -1;
}

function summarize(trial: DecodedTrial): TrialSummary {
  return {
    number: trial.number,
    state: trial.state,
    value: trial.values.length ? (jsonSafe(trial.values[0]) as number | string) : null,
    params: jsonSafe(trial.params) as Record<string, unknown>,
    completedAt: trial.datetimeComplete,
    durationS: trial.durationS,
  };
}

const TRIAL_EVENT: Record<string, { type: string; severity: EventDraft['severity']; verb: string }> = {
  COMPLETE: { type: 'training.trial_completed', severity: 'info', verb: 'completed' },
  PRUNED: { type: 'training.trial_pruned', severity: 'info', verb: 'pruned' },
  FAIL: { type: 'training.trial_failed', severity: 'warning', verb: 'failed' },
};

export function trialDraft(study: StudyView, trial: DecodedTrial): TrialEventDraft {
  const kind = TRIAL_EVENT[trial.state];
  const value = trial.values.length ? trial.values[0] : null;
  const progress = trial.state === 'COMPLETE' ? studyProgress(study) : null;
  const fields: Record<string, unknown> = {
    // User attributes (mean_sharpe_bot, kill_reason, …) as fields of their own; the event's keys win.
    ...(jsonSafe(trial.userAttrs) as Record<string, unknown>),
    study: study.name,
    number: trial.number,
    state: trial.state,
    value: jsonSafe(value),
    ...(trial.values.length > 1 ? { values: jsonSafe(trial.values) } : {}),
    params: jsonSafe(trial.params),
    duration_s: trial.durationS,
    datetime_complete: trial.datetimeComplete,
    intermediate_values: trial.intermediateCount,
    ...(progress ? { target: progress.target, done: progress.done, eta_s: progress.eta_s } : {}),
  };
  const shown = value === null ? '' : ` with value ${formatValue(value)}`;
  const ofTarget = progress?.target ? ` (${progress.done}/${progress.target})` : '';
  return {
    // The worker's log reports the same trial ("Trial 57 finished…"): this richer report is the one sent.
    draft: { type: kind.type, severity: kind.severity, fields, text: `${study.name}: trial #${trial.number} ${kind.verb}${shown}${ofTarget}`, fact: builtInFact('trial', study.name, trial.number) },
    study: study.name,
    idParts: ['trial', study.name, trial.number, trial.state, trial.datetimeStart ?? ''],
  };
}

function bestDraft(study: StudyView, trial: DecodedTrial, value: number, previous: number | null): TrialEventDraft {
  const improvement = previous === null ? null : Math.abs(value - previous);
  return {
    draft: {
      type: 'training.best_improved',
      severity: 'notice',
      fields: { study: study.name, number: trial.number, value: jsonSafe(value), previous: jsonSafe(previous), improvement: jsonSafe(improvement), direction: study.directions[0], params: jsonSafe(trial.params) },
      text: `${study.name}: new best ${formatValue(value)} by trial #${trial.number}${previous === null ? '' : ` (was ${formatValue(previous)})`}`,
    },
    study: study.name,
    idParts: ['best', study.name, trial.number, trial.datetimeStart ?? ''],
  };
}

function formatValue(value: number): string {
  return Number.isFinite(value) ? String(Number(value.toPrecision(6))) : String(value);
}

// ---------------------------------------------------------------- progress, rate, cache for commands

/** The rate is measured over the finishes of the last few hours before the latest one. */
const RATE_SPAN_MS = 6 * 3_600_000;

export interface StudyProgress {
  /** The study's `target_trials` user attribute (a positive number), else null. */
  target: number | null;
  /** Finished trials (COMPLETE, PRUNED and FAIL count towards Optuna's n_trials). */
  done: number;
  /** Trials finished per hour over the latest finishes (workers' clock), null until two. */
  per_hour: number | null;
  /** Seconds until `target` at that rate; 0 once reached; null when unknown. */
  eta_s: number | null;
}

export function studyProgress(study: StudyView): StudyProgress {
  const raw = study.userAttrs.target_trials;
  const parsed = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : NaN;
  const target = Number.isFinite(parsed) && parsed > 0 ? parsed : null;
  const done = FINISHED_STATES.reduce((n, s) => n + (study.counts[s] ?? 0), 0);
  const perHour = ratePerHour(study.finishedAt);
  let eta: number | null = null;
  if (target !== null && done >= target) eta = 0;
  else if (target !== null && perHour) eta = Math.round(((target - done) / perHour) * 3600);
  return { target, done, per_hour: perHour, eta_s: eta };
}

function ratePerHour(finishedAt: number[]): number | null {
  if (finishedAt.length < 2) return null;
  const latest = Math.max(...finishedAt);
  const recent = finishedAt.filter((t) => t >= latest - RATE_SPAN_MS);
  const spanH = (latest - Math.min(...recent)) / 3_600_000;
  return recent.length >= 2 && spanH > 0 ? (recent.length - 1) / spanH : null;
}

export function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export interface StudyCache extends StudyProgress {
  study: string;
  directions: string[];
  counts: Record<string, number>;
  total: number;
  /** RUNNING trials now. */
  running: number;
  best: StudyView['best'];
  /** Best few COMPLETE trials with their params, best first. */
  top: TrialSummary[];
  /** Latest finished trials, newest first. */
  recent: TrialSummary[];
  median_duration_s: number | null;
  /** ISO time of the stall announced and not yet cleared, else null. */
  stalled_since: string | null;
  /** The RUNNING trials now; started_at is the worker's naive local time as Optuna wrote it. */
  running_trials: Array<{ number: number; started_at: string | null }>;
}

/** The `optuna-studies:<source>` index: which studies a source caches (each under optuna:<study>). */
export interface StudiesIndexCache {
  source: string;
  storage: string;
  studies: string[];
}

/** The RUNNING trials of the study with this id in the view, by number. */
export function runningTrials(view: OptunaView, studyId: string): StudyCache['running_trials'] {
  return Object.values(view.open)
    .filter((t) => String(t.studyId) === studyId && t.state === 'RUNNING')
    .sort((a, b) => a.number - b.number)
    .map((t) => ({ number: t.number, started_at: t.start }));
}

export function studyCache(study: StudyView, running: StudyCache['running_trials'] = []): StudyCache {
  const total = Object.values(study.counts).reduce((a, b) => a + b, 0);
  return {
    study: study.name,
    directions: study.directions,
    counts: study.counts,
    total,
    running: study.counts.RUNNING ?? 0,
    best: study.best,
    top: study.top,
    recent: study.recent,
    ...studyProgress(study),
    median_duration_s: median(study.durations),
    stalled_since: study.stalledSince === null ? null : new Date(study.stalledSince).toISOString(),
    running_trials: running,
  };
}
