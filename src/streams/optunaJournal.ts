/**
 * Replays Optuna's JournalStorage log (JSON lines with op codes, optuna.md §6) into the same
 * snapshot the SQLite reader makes, so a journal gives the same events. The rules mirror
 * Optuna's own JournalStorageReplayResult (3.1 through 4.x): study ids count accepted
 * CREATE_STUDY ops from 0, trial ids count accepted CREATE_TRIAL ops from 0 across studies,
 * and ops on unknown or finished trials are ignored. Pure: the model is JSON and is committed
 * with the events as the checkpoint, holding only what later ops can still change (the open
 * trials); a finished trial leaves the model in the snapshot that announces it.
 *
 * Ids are shifted by one (journal 0 → 1) so they fit the SQLite view's "id > watermark"
 * with a watermark starting at 0.
 */
import type { OptunaSnapshot, RawStudy, RawTrial, RawTrialDetails, TrialProgress } from '../watchers/optunaRecords';
import type { OpenTrial } from './optunaTrials';
import { parseLenientJson, toPythonJson } from './optunaTrials';

const STATES = ['RUNNING', 'COMPLETE', 'PRUNED', 'FAIL', 'WAITING'];
const DIRECTIONS = ['NOT_SET', 'MINIMIZE', 'MAXIMIZE'];
const RUNNING = 0;
const isFinished = (state: number) => state === 1 || state === 2 || state === 3;

export interface JournalStudy {
  name: string;
  /** Journal ints: NOT_SET=0, MINIMIZE=1, MAXIMIZE=2. */
  directions: number[];
  /** key → JSON text (Python tokens kept). */
  userAttrs: Record<string, string>;
  /** Trials created in it so far: the next trial's number. */
  trials: number;
  /** The distribution each param name was first set with: later ones must be compatible. */
  params: Record<string, string>;
}

export interface JournalTrial {
  id: number;
  study: number;
  number: number;
  /** Journal int: RUNNING=0, COMPLETE=1, PRUNED=2, FAIL=3, WAITING=4. */
  state: number;
  start: string | null;
  complete: string | null;
  values: RawTrialDetails['values'] | null;
  params: RawTrialDetails['params'];
  userAttrs: Record<string, string>;
  steps: number[];
  /** Ops applied to it: any new one is a sign of life of its worker. */
  writes: number;
}

export interface JournalModel {
  version: 1;
  /** Which file (dev:ino:generation) the ops came from: another one means starting over. */
  identity: string | null;
  /** Live studies by journal id. */
  studies: Record<string, JournalStudy>;
  nextStudyId: number;
  nextTrialId: number;
  /** Trials not finished yet (RUNNING, WAITING), by journal id. */
  open: Record<string, JournalTrial>;
}

export function emptyJournalModel(): JournalModel {
  return { version: 1, identity: null, studies: {}, nextStudyId: 0, nextTrialId: 0, open: {} };
}

/** One op as json.dumps wrote it (NaN and ±Infinity included). */
export type JournalOp = Record<string, unknown> & { op_code: number };

export function parseJournalLine(text: string): JournalOp {
  const op = parseLenientJson(text) as unknown;
  if (typeof op !== 'object' || op === null || Array.isArray(op) || typeof (op as { op_code?: unknown }).op_code !== 'number') throw new Error('not a journal operation (no op_code)');
  return op as JournalOp;
}

export interface FinishedTrial {
  row: RawTrial;
  details: RawTrialDetails;
}

export interface ReplayResult {
  model: JournalModel;
  /** Trials that finished in these ops, with everything they carry (final: they never change again). */
  finished: FinishedTrial[];
}

/** Applies ops in order to a copy of the model. */
export function replayJournal(previous: JournalModel, ops: JournalOp[]): ReplayResult {
  const model = structuredClone(previous);
  const finished: FinishedTrial[] = [];
  for (const op of ops) applyOp(model, op, finished);
  return { model, finished };
}

function applyOp(model: JournalModel, op: JournalOp, finished: FinishedTrial[]): void {
  switch (op.op_code) {
    case 0: {
      const name = String(op.study_name);
      if (Object.values(model.studies).some((s) => s.name === name)) return; // duplicate: no id used
      const directions = Array.isArray(op.directions) ? op.directions.map(Number) : [];
      model.studies[String(model.nextStudyId++)] = { name, directions, userAttrs: {}, trials: 0, params: {} };
      return;
    }
    case 1:
      delete model.studies[String(op.study_id)];
      return;
    case 2: {
      const study = model.studies[String(op.study_id)];
      if (study) Object.assign(study.userAttrs, attrTexts(op.user_attr));
      return;
    }
    case 4:
      createTrial(model, op, finished);
      return;
    case 5:
    case 6:
    case 7:
    case 8:
    case 9: {
      const trial = model.open[String(op.trial_id)]; // unknown or finished: ignored, as Optuna does
      if (trial) updateTrial(model, trial, op, finished);
      return;
    }
    default:
      // 3 (study system attrs) does not matter here; 10 (DISCARD_TRIALS, unreleased) Optuna skips too.
      return;
  }
}

function createTrial(model: JournalModel, op: JournalOp, finished: FinishedTrial[]): void {
  const study = model.studies[String(op.study_id)];
  if (!study) return; // unknown study: no id used
  const distributions = (op.distributions ?? {}) as Record<string, string>;
  const params: RawTrialDetails['params'] = [];
  for (const [name, internal] of Object.entries((op.params ?? {}) as Record<string, number>)) {
    const distribution = distributions[name];
    params.push({ name, value: Number(internal), distributionJson: distribution });
    study.params[name] ??= distribution;
  }
  const values = Array.isArray(op.values) ? (op.values as number[]) : op.value !== null && op.value !== undefined ? [Number(op.value)] : null;
  const trial: JournalTrial = {
    id: model.nextTrialId++,
    study: Number(op.study_id),
    number: study.trials++,
    state: typeof op.state === 'number' ? op.state : RUNNING,
    start: dateText(op.datetime_start),
    complete: dateText(op.datetime_complete),
    values: values ? encodeValues(values) : null,
    params,
    userAttrs: attrTexts(op.user_attrs),
    steps: Object.keys((op.intermediate_values ?? {}) as object).map(Number),
    writes: 1,
  };
  if (isFinished(trial.state)) finished.push(finishedTrial(trial));
  else model.open[String(trial.id)] = trial;
}

function updateTrial(model: JournalModel, trial: JournalTrial, op: JournalOp, finished: FinishedTrial[]): void {
  switch (op.op_code) {
    case 5: {
      const name = String(op.param_name);
      const distribution = String(op.distribution);
      const study = model.studies[String(trial.study)];
      const first = study?.params[name];
      if (first !== undefined && !compatible(first, distribution)) return;
      if (study && first === undefined) study.params[name] = distribution;
      trial.params = [...trial.params.filter((p) => p.name !== name), { name, value: Number(op.param_value_internal), distributionJson: distribution }];
      break;
    }
    case 6: {
      const state = Number(op.state);
      if (state === RUNNING && trial.state === RUNNING) return; // another worker lost the race for a WAITING trial
      if (state === RUNNING) trial.start = dateText(op.datetime_start);
      if (isFinished(state)) trial.complete = dateText(op.datetime_complete);
      trial.state = state;
      if (Array.isArray(op.values)) trial.values = encodeValues(op.values as number[]);
      break;
    }
    case 7:
      if (!trial.steps.includes(Number(op.step))) trial.steps.push(Number(op.step));
      break;
    case 8:
      Object.assign(trial.userAttrs, attrTexts(op.user_attr));
      break;
    default: // 9: system attrs only show the worker is alive
      break;
  }
  trial.writes += 1;
  if (isFinished(trial.state)) {
    delete model.open[String(trial.id)];
    finished.push(finishedTrial(trial));
  }
}

/** check_distribution_compatibility: same kind, same log flag, same categorical choices. */
function compatible(first: string, next: string): boolean {
  if (first === next) return true;
  try {
    type Dist = { name?: string; attributes?: { log?: boolean; choices?: unknown[] } };
    const a = parseLenientJson(first) as Dist;
    const b = parseLenientJson(next) as Dist;
    if (a.name !== b.name) return false;
    if (a.name === 'CategoricalDistribution') return JSON.stringify(a.attributes?.choices) === JSON.stringify(b.attributes?.choices);
    return Boolean(a.attributes?.log) === Boolean(b.attributes?.log);
  } catch {
    return false;
  }
}

function attrTexts(attrs: unknown): Record<string, string> {
  if (typeof attrs !== 'object' || attrs === null) return {};
  return Object.fromEntries(Object.entries(attrs).map(([k, v]) => [k, toPythonJson(v)]));
}

/** ±inf and NaN as the SQLite storage types them. */
function encodeValues(values: number[]): RawTrialDetails['values'] {
  return values.map((raw, objective) => {
    const value = Number(raw);
    if (value === Infinity) return { objective, value: null, valueType: 'INF_POS' };
    if (value === -Infinity) return { objective, value: null, valueType: 'INF_NEG' };
    if (Number.isNaN(value)) return { objective, value: null, valueType: 'NAN' };
    return { objective, value, valueType: 'FINITE' };
  });
}

/** isoformat() → the SQLite storage's text ('T' → ' '), so both storages give the same fields. */
function dateText(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  return /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?$/.test(value) ? value.replace('T', ' ') : value; // naive only: keep a zone as written
}

function rawTrial(trial: JournalTrial): RawTrial {
  return { trialId: trial.id + 1, studyId: trial.study + 1, number: trial.number, state: STATES[trial.state] ?? String(trial.state), datetimeStart: trial.start, datetimeComplete: trial.complete };
}

function finishedTrial(trial: JournalTrial): FinishedTrial {
  return { row: rawTrial(trial), details: { values: trial.values ?? [], params: trial.params, userAttrs: trial.userAttrs, intermediateCount: trial.steps.length } };
}

export interface JournalRequest {
  watermark: number;
  /** trial ids (shifted) the view holds as open. */
  open: number[];
  /** The view's row at its watermark: journal ids are never reused, so it is still there. */
  watermarkTrial: OpenTrial | null;
}

/** The snapshot that the ops just replayed amount to, for a view at `request`. */
export function journalSnapshot(model: JournalModel, finished: FinishedTrial[], request: JournalRequest, more: boolean): OptunaSnapshot {
  const studies: RawStudy[] = Object.entries(model.studies)
    .map(([id, s]) => ({ studyId: Number(id) + 1, name: s.name, directions: s.directions.map((d) => DIRECTIONS[d] ?? String(d)), userAttrs: s.userAttrs }))
    .sort((a, b) => a.studyId - b.studyId);
  const live = (studyId: number) => model.studies[String(studyId - 1)] !== undefined;
  const wanted = new Set(request.open);
  const trials: RawTrial[] = [];
  const details = new Map<number, RawTrialDetails>();
  const progress = new Map<number, TrialProgress>();
  for (const { row, details: d } of finished) {
    if (!live(row.studyId) || (row.trialId <= request.watermark && !wanted.has(row.trialId))) continue;
    trials.push(row);
    details.set(row.trialId, d);
  }
  for (const trial of Object.values(model.open)) {
    const row = rawTrial(trial);
    if (!live(row.studyId) || (row.trialId <= request.watermark && !wanted.has(row.trialId))) continue;
    trials.push(row);
    if (trial.state === RUNNING) progress.set(row.trialId, { signature: String(trial.writes), heartbeat: null });
  }
  trials.sort((a, b) => a.trialId - b.trialId);
  const mark = request.watermarkTrial;
  return {
    studies,
    trials,
    details,
    maxTrialId: model.nextTrialId,
    watermarkTrial: mark ? { trialId: request.watermark, studyId: mark.studyId, number: mark.number, state: mark.state, datetimeStart: mark.start, datetimeComplete: null } : null,
    more,
    progress,
  };
}
