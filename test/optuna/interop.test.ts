/**
 * barista against real Optuna (Debian's python3-optuna under /usr/bin/python3, which .ci/run
 * installs): a study with 2 worker processes, prunes, failures and a worker SIGKILLed mid-trial,
 * watched every 100 ms. barista's final view of every trial must be Optuna's own, and the
 * Optuna writers must never have hit "database is locked" because of barista's reads.
 */
import path from 'node:path';
import { CheckpointStore } from '../../src/state/CheckpointStore';
import type { OptunaView } from '../../src/streams/optunaTrials';
import { useTempDir } from '../support/tempDir';
import { optunaVersion, withRealOptuna } from './realOptuna';
import { countCalls, expectViewOfStudy, runWatchedStudy, withHarness } from './support';

const tempDir = useTempDir('barista-optuna-interop-');

withRealOptuna(`barista watching a real Optuna ${optunaVersion ?? ''} study (2 workers, a killed worker, 100 ms polls)`, () => {
  for (const kind of ['sqlite', 'journal'] as const) {
    it(`sees every trial as Optuna does, and Optuna never hits "database is locked" (${kind} storage)`, async () => {
      await withHarness(tempDir(), async (h) => {
        const file = path.join(h.workspace, kind === 'sqlite' ? 'optuna.db' : 'journal.log');
        const storageArgs = kind === 'sqlite' ? ['--storage', `sqlite:///${file}`] : ['--journal', file];
        const component = h.component(kind === 'sqlite' ? 'storage: "sqlite:///optuna.db", poll_interval: 100ms' : 'storage: journal.log, poll_interval: 100ms');
        const polls = countCalls(component, 'poll');

        const { result, stderr } = await runWatchedStudy(h, component, storageArgs, 120_000);
        const pollsWhileRunning = polls();
        component.poll(); // the last writes (the enqueued trial) may be newer than the last timer poll
        component.stop();

        expect(result.locked).toBe(0);
        expect(stderr).not.toMatch(/database is locked/);
        expect(result.errors).toEqual([]);
        expect(result.victim_exit).toBe(-9);
        expect(pollsWhileRunning).toBeGreaterThan(10);

        const stored = new CheckpointStore(h.state).get<OptunaView | { view: OptunaView }>('optuna', kind === 'sqlite' ? 'view' : 'journal');
        expectViewOfStudy(h, result, (kind === 'sqlite' ? stored : (stored as { view: OptunaView }).view) as OptunaView);
      });
    }, 150_000);
  }
});
