/**
 * Every finished trial of each watched study (number, state, value, times) for the training
 * chart, bounded per study (the highest `keepPerStudy` numbers). Written in the transaction of
 * the Optuna source's events and checkpoint; keyed by (study, number), so a replay is a no-op
 * and a study deleted and created again under its name overwrites its old numbers.
 */
import type { Statement } from 'better-sqlite3';
import type { StateStore } from './StateStore';

export interface TrialRecord {
  study: string;
  number: number;
  state: string;
  value: number | null;
  startedAt: number | null;
  finishedAt: number | null;
}

export const DEFAULT_TRIALS_PER_STUDY = 20_000;

interface TrialRow {
  study: string;
  number: number;
  state: string;
  value: number | null;
  started_at: number | null;
  finished_at: number | null;
}

export class TrialHistoryStore {
  private readonly keepPerStudy: number;

  constructor(
    private readonly state: StateStore,
    options: { keepPerStudy?: number } = {},
  ) {
    this.keepPerStudy = options.keepPerStudy ?? DEFAULT_TRIALS_PER_STUDY;
  }
  private readonly statements = new Map<string, Statement>();

  /** Statements prepared once per store: a commit batch records many points. */
  private sql(text: string): Statement {
    let statement = this.statements.get(text);
    if (!statement) this.statements.set(text, (statement = this.state.db.prepare(text)));
    return statement;
  }


  record(trials: readonly TrialRecord[]): void {
    if (trials.length === 0) return;
    const upsert = this.sql(
      `INSERT INTO trial_history (study, number, state, value, started_at, finished_at) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (study, number) DO UPDATE SET state = excluded.state, value = excluded.value, started_at = excluded.started_at, finished_at = excluded.finished_at`,
    );
    for (const t of trials) upsert.run(t.study, t.number, t.state, t.value, t.startedAt, t.finishedAt);
    for (const study of new Set(trials.map((t) => t.study))) {
      const cut = this.sql('SELECT number FROM trial_history WHERE study = ? ORDER BY number DESC LIMIT 1 OFFSET ?').get(study, this.keepPerStudy) as { number: number } | undefined;
      if (cut) this.sql('DELETE FROM trial_history WHERE study = ? AND number <= ?').run(study, cut.number);
    }
  }

  /** A study's finished trials by number. */
  series(study: string): TrialRecord[] {
    const rows = this.sql('SELECT study, number, state, value, started_at, finished_at FROM trial_history WHERE study = ? ORDER BY number').all(study) as TrialRow[];
    return rows.map((r) => ({ study: r.study, number: r.number, state: r.state, value: r.value, startedAt: r.started_at, finishedAt: r.finished_at }));
  }

  count(study: string): number {
    return (this.sql('SELECT count(*) AS n FROM trial_history WHERE study = ?').get(study) as { n: number }).n;
  }

  studies(): string[] {
    return (this.sql('SELECT DISTINCT study FROM trial_history ORDER BY study').all() as { study: string }[]).map((r) => r.study);
  }
}
