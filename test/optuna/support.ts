import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { ComponentContext } from '../../src/agent/Component';
import { OptunaSourceComponent, type OptunaSourceOptions } from '../../src/agent/sources/OptunaSourceComponent';
import type { OptunaSourceConfig } from '../../src/config/schema';
import { parseRules } from '../../src/config/loadRules';
import { silentLogger } from '../../src/logging/logger';
import { StateStore } from '../../src/state/StateStore';
import type { BaristaEvent } from '../../src/model/BaristaEvent';
import { compileLogRules } from '../../src/streams/logRules';
import { decodeAttributes, decodeTrial, jsonSafe } from '../../src/streams/optunaTrials';
import { FINISHED_STATES, type OptunaSnapshot, type RawStudy, type RawTrial } from '../../src/watchers/optunaRecords';

export function optunaConfig(fields: string): OptunaSourceConfig {
  const result = parseRules(`workspace: /w\nsources:\n  - { id: optuna, type: optuna, ${fields} }\n`, 'rules.yaml', {});
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.rules.config.sources[0] as OptunaSourceConfig;
}

/** A state file, a workspace folder and what gets published, for one test. */
export class Harness {
  readonly state: StateStore;
  readonly workspace: string;
  readonly published: BaristaEvent[] = [];
  readonly context: ComponentContext;
  private readonly components: OptunaSourceComponent[] = [];

  constructor(dir: string) {
    this.workspace = path.join(dir, 'ws');
    mkdirSync(this.workspace, { recursive: true });
    this.state = StateStore.open({ path: path.join(dir, 'state.db') });
    this.context = { workspace: this.workspace, state: this.state, logger: silentLogger(), firstStartedAt: 0, logRules: () => compileLogRules([]), publish: (events) => this.published.push(...events) };
  }

  component(fields = 'storage: "sqlite:///x.db"', options: OptunaSourceOptions = {}): OptunaSourceComponent {
    // barista's first start is its first component, unless the test set it: storages made before are history.
    if (this.context.firstStartedAt === 0) this.context.firstStartedAt = Date.now();
    const component = new OptunaSourceComponent(optunaConfig(fields), this.context, { busyTimeoutMs: 2000, ...options });
    this.components.push(component);
    return component;
  }

  close(): void {
    for (const component of this.components) component.stop();
    this.state.close();
  }
}

/** type + study + number of events, for compact assertions. */
export const brief = (events: BaristaEvent[]): string[] => events.map((e) => `${e.type} ${String(e.fields.study ?? e.subject)}#${String(e.fields.number ?? '')}`);

/** A study and its trials as Optuna reads them (test/optuna/dump_trials.py). */
export interface OptunaDump {
  [study: string]: {
    directions: string[];
    user_attrs: Record<string, unknown>;
    trials: { number: number; state: string; values: unknown[] | null; params: Record<string, unknown>; user_attrs: Record<string, unknown>; intermediate_count: number; datetime_start: string | null; datetime_complete: string | null }[];
  };
}

/** Every trial of the snapshot, decoded, against Optuna's own reading (finished trials carry details). */
export function expectSameAsOptuna(snapshot: OptunaSnapshot, dump: OptunaDump): void {
  expect(snapshot.studies.map((s) => s.name).sort()).toEqual(Object.keys(dump).sort());
  for (const [name, study] of Object.entries(dump)) {
    const raw = snapshot.studies.find((s) => s.name === name) as RawStudy;
    expect([name, raw.directions]).toEqual([name, study.directions]);
    expect([name, jsonSafe(decodeAttributes(raw.userAttrs))]).toEqual([name, study.user_attrs]);
    const rows = snapshot.trials.filter((t) => t.studyId === raw.studyId).sort((a, b) => a.number - b.number);
    expect(rows.map((r) => r.number)).toEqual(study.trials.map((t) => t.number));
    for (const expected of study.trials) {
      const row = rows.find((r) => r.number === expected.number) as RawTrial;
      const finished = FINISHED_STATES.includes(row.state);
      const trial = decodeTrial(row, snapshot.details.get(row.trialId));
      const seen = {
        number: trial.number,
        state: trial.state,
        values: trial.values.length ? jsonSafe(trial.values) : null,
        ...(finished ? { params: jsonSafe(trial.params), user_attrs: jsonSafe(trial.userAttrs), intermediate_count: trial.intermediateCount } : {}),
        datetime_start: trial.datetimeStart,
        datetime_complete: trial.datetimeComplete,
      };
      const { params, user_attrs, intermediate_count, ...always } = expected;
      expect([name, seen]).toEqual([name, finished ? { ...always, params, user_attrs, intermediate_count } : always]);
    }
  }
}
