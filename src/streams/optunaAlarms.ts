/**
 * Alarms of an Optuna watch that come from time passing, not from rows (pure; the caller
 * passes the clock): a study that stopped finishing trials (`training.stalled`), and a RUNNING
 * trial whose worker is gone (`training.trial_stale`). Each is announced once: the view
 * remembers it, and the event id is made from what identifies that stall or trial.
 */
import { localInstantMs, median, type OptunaView, type StudyView, type TrackedTrial, type TrialEventDraft, utcInstantMs } from './optunaTrials';

/**
 * How many training worker processes run now. Answered by a process probe when one is wired in;
 * without it (or when it answers null, "unknown") the alarms rely on progress alone.
 */
export interface RunningWorkers {
  /** Workers that may be working on `study`: those started for it, or all when that is unknown. */
  count(study: string): number | null;
}

export interface AlarmOptions {
  /** barista's clock, ms since epoch. */
  now: number;
  /** Stalled after this many median COMPLETE durations without a finish… */
  stallMultiple: number;
  /** …but never sooner than this (ms). */
  stallFloorMs: number;
  /** A RUNNING trial with no sign of life (heartbeat, or any write when there is none) for this long is stale (ms). */
  staleAfterMs: number;
  /** With fewer workers than RUNNING trials, the quietest trials are stale once quiet this long (ms). */
  workerGraceMs: number;
  /** Only these study names raise alarms (all when absent). */
  studies?: string[];
  workers?: RunningWorkers;
}

export interface AlarmOutcome {
  view: OptunaView;
  drafts: TrialEventDraft[];
}

export function trainingAlarms(previous: OptunaView, options: AlarmOptions): AlarmOutcome {
  let view: OptunaView | null = null;
  const drafts: TrialEventDraft[] = [];
  const writable = (): OptunaView => (view ??= structuredClone(previous));
  const watched = (name: string) => !options.studies || options.studies.includes(name);

  for (const [studyId, study] of Object.entries(previous.studies)) {
    if (!watched(study.name)) continue;
    const stall = stallOf(study, options);
    if (stall) {
      writable().studies[studyId].stalledSince = stall.since;
      drafts.push(stall.draft);
    }
    const running = Object.entries(previous.open).filter(([, t]) => String(t.studyId) === studyId && t.state === 'RUNNING');
    for (const stale of staleTrials(study, running, options)) {
      writable().open[stale.key].stale = true;
      drafts.push(stale.draft);
    }
  }
  return { view: view ?? previous, drafts };
}

/** Not one trial finished for longer than the threshold while some were RUNNING: once per stall. */
function stallOf(study: StudyView, options: AlarmOptions): { since: number; draft: TrialEventDraft } | null {
  if (study.busySince === null) return null;
  const since = Math.max(study.busySince, study.lastFinishSeenAt ?? -Infinity);
  if (study.stalledSince === since) return null;
  const medianS = median(study.durations);
  const thresholdMs = Math.max(options.stallFloorMs, medianS === null ? 0 : medianS * 1000 * options.stallMultiple);
  if (options.now - since <= thresholdMs) return null;
  const sinceIso = new Date(since).toISOString();
  const quietMin = Math.round((options.now - since) / 60_000);
  return {
    since,
    draft: {
      study: study.name,
      idParts: ['stalled', study.name, since],
      draft: {
        type: 'training.stalled',
        severity: 'warning',
        at: new Date(options.now).toISOString(),
        fields: { study: study.name, since: sinceIso, median_duration_s: medianS, threshold_s: Math.round(thresholdMs / 1000), running: study.counts.RUNNING ?? 0 },
        text: `${study.name}: no trial finished for ${quietMin} min (threshold ${Math.round(thresholdMs / 60_000)} min${medianS === null ? '' : `, median trial ${Math.round(medianS / 60)} min`})`,
      },
    },
  };
}

/**
 * RUNNING trials whose worker is gone: a heartbeat older than staleAfter (when the study runs
 * with heartbeats, it alone tells); otherwise no write for that long; or, when the process probe
 * counts fewer workers than RUNNING trials, the quietest ones past the worker grace.
 */
function staleTrials(study: StudyView, running: [string, TrackedTrial][], options: AlarmOptions): { key: string; draft: TrialEventDraft }[] {
  const reasons = new Map<string, string>();
  for (const [key, trial] of running) {
    const beat = utcInstantMs(trial.heartbeat);
    if (beat !== null) {
      if (options.now - beat > options.staleAfterMs) reasons.set(key, 'heartbeat');
    } else if (options.now - trial.progressAt > options.staleAfterMs) reasons.set(key, 'no_progress');
  }
  const workers = options.workers?.count(study.name) ?? null;
  if (workers !== null && running.length > workers) {
    const lastSign = (t: TrackedTrial) => Math.max(t.progressAt, utcInstantMs(t.heartbeat) ?? -Infinity);
    const quietest = [...running].sort(([, a], [, b]) => lastSign(a) - lastSign(b)).slice(0, running.length - workers);
    for (const [key, trial] of quietest) if (!reasons.has(key) && options.now - lastSign(trial) > options.workerGraceMs) reasons.set(key, 'no_worker');
  }
  return running
    .filter(([key, trial]) => reasons.has(key) && !trial.stale)
    .map(([key, trial]) => {
      const reason = reasons.get(key) as string;
      const started = localInstantMs(trial.start);
      const since = started !== null && started <= options.now ? started : trial.seenAt;
      const runningFor = Math.round((options.now - since) / 1000);
      const quietFor = Math.round((options.now - Math.max(trial.progressAt, utcInstantMs(trial.heartbeat) ?? -Infinity)) / 1000);
      const why = { heartbeat: `last heartbeat ${trial.heartbeat ?? ''} UTC`, no_progress: `nothing written for ${Math.round(quietFor / 60)} min`, no_worker: `fewer training workers (${workers ?? '?'}) than RUNNING trials` }[reason];
      return {
        key,
        draft: {
          study: study.name,
          idParts: ['stale', study.name, trial.number, trial.start ?? ''],
          draft: {
            type: 'training.trial_stale',
            severity: 'warning',
            at: new Date(options.now).toISOString(),
            fields: { study: study.name, number: trial.number, running_for_s: runningFor, reason, quiet_for_s: quietFor, heartbeat: trial.heartbeat, workers },
            text: `${study.name}: trial #${trial.number} looks abandoned (${why})`,
          },
        },
      };
    });
}
