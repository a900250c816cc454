/**
 * The rows of an Optuna storage as the watchers read them (SQLite or journal), before the
 * streams decode them. Raw: names and values exactly as Optuna stores them.
 */

export type TrialState = 'RUNNING' | 'COMPLETE' | 'PRUNED' | 'FAIL' | 'WAITING';
export const FINISHED_STATES: readonly string[] = ['COMPLETE', 'PRUNED', 'FAIL'];

export interface RawStudy {
  studyId: number;
  name: string;
  /** MAXIMIZE / MINIMIZE / NOT_SET, by objective. */
  directions: string[];
  /** key → value_json text. */
  userAttrs: Record<string, string>;
}

export interface RawTrial {
  trialId: number;
  studyId: number;
  number: number;
  state: string;
  datetimeStart: string | null;
  datetimeComplete: string | null;
}

export interface RawTrialDetails {
  values: { objective: number; value: number | null; valueType: string }[];
  params: { name: string; value: number; distributionJson: string }[];
  /** key → value_json text. */
  userAttrs: Record<string, string>;
  intermediateCount: number;
}

/** One short read transaction's worth of rows. */
export interface OptunaSnapshot {
  studies: RawStudy[];
  /** New trials (id > watermark, at most one chunk) and the ones still open, by trial_id. */
  trials: RawTrial[];
  /** Details of the trials in `trials` that are finished. */
  details: Map<number, RawTrialDetails>;
  maxTrialId: number;
  /** The row at the watermark as it is now (null if gone): another row there means ids were reused. */
  watermarkTrial: RawTrial | null;
  /** The chunk was full: more new trials wait for the next read. */
  more: boolean;
  /** Signs of life of the RUNNING trials in `trials` (absent: none known). */
  progress?: Map<number, TrialProgress>;
}

export interface TrialProgress {
  /** Changes whenever the worker writes something for the trial (a report, a param, an attribute). */
  signature: string;
  /** trial_heartbeats.heartbeat (UTC) when the study runs with heartbeats. */
  heartbeat: string | null;
}
