/**
 * Rows of an Optuna storage's tables into the records the streams decode: shared by the SQLite
 * and the server readers, which differ only in how they fetch the rows.
 */
import { FINISHED_STATES, type RawStudy, type RawTrial, type RawTrialDetails, type TrialProgress } from './optunaRecords';

export interface TrialRow {
  trial_id: number;
  study_id: number;
  number: number;
  state: string;
  datetime_start: string | null;
  datetime_complete: string | null;
}

export interface DetailRows {
  values: { trial_id: number; objective: number; value: number | null; value_type: string }[];
  params: { trial_id: number; param_name: string; param_value: number; distribution_json: string }[];
  userAttrs: { trial_id: number; key: string; value_json: string }[];
  /** n may arrive as a string (a server's bigint count). */
  intermediates: { trial_id: number; n: number | string }[];
}

export function toTrial(row: TrialRow): RawTrial {
  return { trialId: Number(row.trial_id), studyId: Number(row.study_id), number: Number(row.number), state: row.state, datetimeStart: row.datetime_start, datetimeComplete: row.datetime_complete };
}

/** Studies with their user attributes; `directions` is the directions joined by commas, by objective. */
export function toStudies(rows: { study_id: number; study_name: string; directions: string | null }[], attrRows: { study_id: number; key: string; value_json: string }[]): RawStudy[] {
  const attrs = new Map<number, Record<string, string>>();
  for (const row of attrRows) attrs.set(Number(row.study_id), { ...attrs.get(Number(row.study_id)), [row.key]: row.value_json });
  return rows.map((row) => ({ studyId: Number(row.study_id), name: row.study_name, directions: row.directions ? row.directions.split(',') : [], userAttrs: attrs.get(Number(row.study_id)) ?? {} }));
}

export function toDetails(ids: number[], rows: DetailRows): Map<number, RawTrialDetails> {
  const out = new Map<number, RawTrialDetails>(ids.map((id) => [id, { values: [], params: [], userAttrs: {}, intermediateCount: 0 }]));
  const entry = (id: number): RawTrialDetails => out.get(Number(id)) as RawTrialDetails;
  for (const row of rows.values) entry(row.trial_id).values.push({ objective: Number(row.objective), value: row.value === null ? null : Number(row.value), valueType: row.value_type });
  for (const row of rows.params) entry(row.trial_id).params.push({ name: row.param_name, value: Number(row.param_value), distributionJson: row.distribution_json });
  for (const row of rows.userAttrs) entry(row.trial_id).userAttrs[row.key] = row.value_json;
  for (const row of rows.intermediates) entry(row.trial_id).intermediateCount = Number(row.n);
  return out;
}

export function toProgress(rows: { trial_id: number; signature: string; heartbeat: string | null }[]): Map<number, TrialProgress> {
  return new Map(rows.map((r) => [Number(r.trial_id), { signature: r.signature, heartbeat: r.heartbeat }]));
}

/** The trials a read returned, and which of them need details (finished) or signs of life (running). */
export function sortTrials(rows: TrialRow[], watermark: number, chunk: number): { trials: RawTrial[]; more: boolean; finished: number[]; running: number[] } {
  const trials = rows.map(toTrial);
  return {
    trials,
    more: trials.filter((t) => t.trialId > watermark).length >= chunk,
    finished: trials.filter((t) => FINISHED_STATES.includes(t.state)).map((t) => t.trialId),
    running: trials.filter((t) => t.state === 'RUNNING').map((t) => t.trialId),
  };
}
