import path from 'node:path';
import { cachedTrainingWorkers } from '../../src/agent/cachedTrainingWorkers';
import { StateStore } from '../../src/state/StateStore';
import { useTempDir } from '../support/tempDir';

const tempDir = useTempDir();
const NOW = Date.parse('2026-02-09T07:00:00.000Z');

describe('cachedTrainingWorkers', () => {
  it('counts running training workers of a study from the process cache, and knows nothing without a fresh one', () => {
    const state = StateStore.open({ path: path.join(tempDir(), 's.db') });
    const workers = cachedTrainingWorkers(state, { now: () => NOW });
    expect(workers.count('cappuccino')).toBeNull(); // no process source

    state.setCache(
      'processes',
      [
        { class: 'training', paused: false, study_name: 'cappuccino' },
        { class: 'training', paused: false, study_name: null },
        { class: 'training', paused: true, study_name: 'cappuccino' },
        { class: 'training', paused: false, study_name: 'other' },
        { class: 'trader', paused: false, study_name: null },
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
