import path from 'node:path';
import { cachedTrainingWorkers } from '../../src/agent/cachedTrainingWorkers';
import { CATALOGUE, writeCache } from '../../src/readModel/catalogue';
import { StateStore } from '../../src/state/StateStore';
import type { CachedProcess } from '../../src/streams/processLifecycle';
import { useTempDir } from '../support/tempDir';

const tempDir = useTempDir();
const NOW = Date.parse('2026-02-09T07:00:00.000Z');

function processRow(pid: number, cls: string, paused: boolean, study: string | null): CachedProcess {
  return {
    pid,
    ppid: 1,
    class: cls,
    subject: study ?? cls,
    trader: null,
    started_at: new Date(NOW - 60_000).toISOString(),
    state: paused ? 'T' : 'S',
    paused,
    cpu_percent: null,
    rss_bytes: 0,
    script: `${cls}.py`,
    command: `python ${cls}.py`,
    args: {},
    model_dir: null,
    log_file: null,
    timeframe: null,
    study_name: study,
    trial: null,
    log_path: null,
    last_seen: new Date(NOW - 5_000).toISOString(),
  };
}

describe('cachedTrainingWorkers', () => {
  it('counts running training workers of a study from the process cache, and knows nothing without a fresh one', () => {
    const state = StateStore.open({ path: path.join(tempDir(), 's.db') });
    const workers = cachedTrainingWorkers(state, { now: () => NOW });
    expect(workers.count('cappuccino')).toBeNull(); // no process source

    state.setCache('processes', [{ class: 'training', paused: false, study_name: 'cappuccino' }], new Date(NOW - 5_000).toISOString());
    expect(workers.count('cappuccino')).toBeNull(); // a value of another shape (an older barista's) is no value

    writeCache(
      state,
      CATALOGUE.processes,
      [
        processRow(1, 'training', false, 'cappuccino'),
        processRow(2, 'training', false, null),
        processRow(3, 'training', true, 'cappuccino'),
        processRow(4, 'training', false, 'other'),
        processRow(5, 'trader', false, null),
      ],
      new Date(NOW - 5_000).toISOString(),
    );
    expect(workers.count('cappuccino')).toBe(2);
    expect(workers.count('other')).toBe(2);

    expect(cachedTrainingWorkers(state, { now: () => NOW + 10 * 60_000 }).count('cappuccino')).toBeNull(); // the probe stopped looking
    state.close();
    expect(workers.count('cappuccino')).toBeNull();
  });
});
