/**
 * barista against real Optuna (Debian's python3-optuna under /usr/bin/python3, which .ci/run
 * installs): a study with 2 worker processes, prunes, failures and a worker SIGKILLed mid-trial,
 * watched every 100 ms. barista's final view of every trial must be Optuna's own, and the
 * Optuna writers must never have hit "database is locked" because of barista's reads.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { CheckpointStore } from '../../src/state/CheckpointStore';
import type { OptunaView, StudyCache } from '../../src/streams/optunaTrials';
import { useTempDir } from '../support/tempDir';
import { waitFor } from '../support/waitFor';
import { optunaVersion, runStudy, withRealOptuna } from './realOptuna';
import { Harness } from './support';

const tempDir = useTempDir('barista-optuna-interop-');

withRealOptuna(`barista watching a real Optuna ${optunaVersion ?? ''} study (2 workers, a killed worker, 100 ms polls)`, () => {
  for (const kind of ['sqlite', 'journal'] as const) {
    it(`sees every trial as Optuna does, and Optuna never hits "database is locked" (${kind} storage)`, async () => {
      const h = new Harness(tempDir());
      try {
        const file = path.join(h.workspace, kind === 'sqlite' ? 'optuna.db' : 'journal.log');
        const go = path.join(h.workspace, '..', 'go');
        const out = path.join(h.workspace, '..', 'result.json');
        const storageArgs = kind === 'sqlite' ? ['--storage', `sqlite:///${file}`] : ['--journal', file];
        const component = h.component(kind === 'sqlite' ? 'storage: "sqlite:///optuna.db", poll_interval: 100ms' : 'storage: journal.log, poll_interval: 100ms');
        let polls = 0;
        const poll = component.poll.bind(component);
        component.poll = () => {
          polls += 1;
          return poll();
        };

        const { result, stderr } = await runStudy(
          [...storageArgs, '--go', go, '--out', out, '--trials', '30', '--workers', '2'],
          async () => {
            component.start();
            // Everything the workers do happens after barista's first look: every finish is news.
            await waitFor(() => h.state.getCache('optuna:interop'), { what: 'barista to see the study', timeoutMs: 20_000 });
            writeFileSync(go, '');
          },
          120_000,
        );
        const pollsWhileRunning = polls;
        component.poll(); // the last writes (the enqueued trial) may be newer than the last timer poll
        component.stop();

        expect(result.locked).toBe(0);
        expect(stderr).not.toMatch(/database is locked/);
        expect(result.errors).toEqual([]);
        expect(result.victim_exit).toBe(-9);
        expect(pollsWhileRunning).toBeGreaterThan(10);

        const optuna = result.trials.interop.trials;
        const states = new Set(optuna.map((t) => t.state));
        expect([...states].sort()).toEqual(['COMPLETE', 'FAIL', 'PRUNED', 'RUNNING', 'WAITING']);

        // barista's view of every trial: finished ones by their event, open ones in its checkpoint.
        const events = h.published.filter((e) => e.type.startsWith('training.trial_') && e.fields.study === 'interop');
        const stored = new CheckpointStore(h.state).get<OptunaView | { view: OptunaView }>('optuna', kind === 'sqlite' ? 'view' : 'journal');
        const view = (kind === 'sqlite' ? stored : (stored as { view: OptunaView }).view) as OptunaView;
        const seen = [
          ...events.map((e) => ({ number: e.fields.number, state: e.fields.state, value: e.fields.value, params: e.fields.params })),
          ...Object.values(view.open).map((t) => ({ number: t.number, state: t.state, value: null, params: null })),
        ].sort((a, b) => Number(a.number) - Number(b.number));
        const expected = optuna.map((t) => {
          const open = t.state === 'RUNNING' || t.state === 'WAITING';
          return { number: t.number, state: t.state, value: open ? null : (t.values?.[0] ?? null), params: open ? null : t.params };
        });
        expect(seen).toEqual(expected);
        expect(events.map((e) => e.type)).toEqual(events.map((e) => ({ COMPLETE: 'training.trial_completed', PRUNED: 'training.trial_pruned', FAIL: 'training.trial_failed' })[String(e.fields.state)]));

        const counts: Record<string, number> = {};
        for (const t of optuna) counts[t.state] = (counts[t.state] ?? 0) + 1;
        const cache = h.state.getCache<StudyCache>('optuna:interop')?.value;
        expect(cache).toMatchObject({ counts, total: optuna.length, target: 65, done: optuna.filter((t) => ['COMPLETE', 'PRUNED', 'FAIL'].includes(t.state)).length });
        const completed = optuna.filter((t) => t.state === 'COMPLETE');
        const best = completed.reduce((a, b) => (valueOf(b) > valueOf(a) ? b : a));
        expect(cache?.best).toEqual({ number: best.number, value: best.values?.[0] });
        expect(cache?.per_hour).toBeGreaterThan(0);
      } finally {
        h.close();
      }
    }, 150_000);
  }
});

function valueOf(trial: { values: unknown[] | null }): number {
  return Number(trial.values?.[0]);
}
