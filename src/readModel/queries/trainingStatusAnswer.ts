/** `/training status [study]`: each study's counts, best trials, rate, ETA and running trials; the workers. */
import type { NothingYetAnswer, StudyStatusView, TrainingStatusAnswer, UnknownNameAnswer } from '../answers';
import type { ReadModel } from '../ReadModel';
import { localInstantMs, type StudyCache } from '../../streams/optunaTrials';
import { nothingYet, unknownName } from './common';
import { resolveName } from './names';

export function trainingStatusAnswer(model: ReadModel, study?: string): TrainingStatusAnswer | UnknownNameAnswer | NothingYetAnswer {
  const now = model.now();
  const cached = model.studies();
  if (cached.length === 0) return nothingYet(now, 'study');
  let selected = cached;
  if (study !== undefined) {
    const known = cached.map((s) => s.id);
    const name = resolveName(study, known);
    if (name === null) return unknownName(now, 'study', study, known);
    selected = cached.filter((s) => s.id === name);
  }
  return { kind: 'training-status', now, studies: selected.map((s) => studyStatusView(s.value, now)), workers: trainingWorkers(model) };
}

export function directionOf(cache: Pick<StudyCache, 'directions'>): 'maximize' | 'minimize' {
  return cache.directions[0] === 'MINIMIZE' ? 'minimize' : 'maximize';
}

/** ±inf travel as strings in the cache; the answer knows only finite numbers or null. */
export function finiteOrNull(value: unknown): number | null {
  const n = typeof value === 'string' ? Number(value) : value;
  return typeof n === 'number' && Number.isFinite(n) ? n : null;
}

export function studyStatusView(cache: StudyCache, now: number): StudyStatusView {
  const lastFinished = cache.recent.map((t) => localInstantMs(t.completedAt)).find((t) => t !== null) ?? null;
  return {
    study: cache.study,
    direction: directionOf(cache),
    counts: cache.counts,
    best: cache.top.map((t) => ({ number: t.number, value: finiteOrNull(t.value), params: t.params, durationS: t.durationS })),
    trialsPerHour: cache.per_hour,
    target: cache.target,
    etaS: cache.eta_s,
    running: cache.running_trials.map((t) => {
      const startedAt = localInstantMs(t.started_at);
      return { number: t.number, startedAt, ageS: startedAt === null ? null : Math.max(0, Math.round((now - startedAt) / 1000)) };
    }),
    lastFinishedAt: lastFinished,
  };
}

/** Training processes the probe saw (expected: not kept in state yet). */
export function trainingWorkers(model: ReadModel): TrainingStatusAnswer['workers'] {
  const workers = (model.processes()?.value ?? []).filter((p) => p.class === 'training');
  return { running: workers.filter((p) => !p.paused).length, paused: workers.filter((p) => p.paused).length, expected: null };
}
