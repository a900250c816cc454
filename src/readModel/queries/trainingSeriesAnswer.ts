/** `/chart training`: value per finished trial of a whole study, from the trial history. */
import type { NothingYetAnswer, TrainingSeriesAnswer, UnknownNameAnswer } from '../answers';
import type { ReadModel } from '../ReadModel';
import { nothingYet, unknownName } from './common';
import { resolveName } from './names';
import { directionOf } from './trainingStatusAnswer';

/** Without a study: the one that finished a trial last. */
export function trainingSeriesAnswer(model: ReadModel, study?: string): TrainingSeriesAnswer | UnknownNameAnswer | NothingYetAnswer {
  const now = model.now();
  const known = model.studyNames();
  if (known.length === 0) return nothingYet(now, 'study');
  const name = study === undefined ? model.latestStudy() : resolveName(study, known);
  if (name === null) return unknownName(now, 'study', study ?? '', known);
  const trials = model.trials.series(name).map((t) => ({ number: t.number, state: t.state, value: t.value, finishedAt: t.finishedAt }));
  if (trials.length === 0) return nothingYet(now, 'trial');
  const cache = model.study(name)?.value;
  return { kind: 'training-series', now, study: name, direction: cache ? directionOf(cache) : 'maximize', trials };
}
