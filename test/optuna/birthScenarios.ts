/**
 * Storages and studies born after barista started, written by real Optuna workers: every trial
 * from number 0 is reported exactly once by the Optuna source (birth.ts), while what a storage
 * held before barista's first start stays history. One test file per storage kind (each runs
 * real worker processes: a few seconds apiece on a busy machine).
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { OptunaSourceComponent } from '../../src/agent/sources/OptunaSourceComponent';
import type { BaristaEvent } from '../../src/model/BaristaEvent';
import { useTempDir } from '../support/tempDir';
import { waitFor } from '../support/waitFor';
import { optunaVersion, runStudy, withRealOptuna, type StudyResult } from './realOptuna';
import { Harness } from './support';

const FINISHED: Record<string, string> = { COMPLETE: 'training.trial_completed', PRUNED: 'training.trial_pruned', FAIL: 'training.trial_failed' };

const KINDS = {
  sqlite: { file: 'optuna.db', args: (file: string) => ['--storage', `sqlite:///${file}`], fields: 'storage: "sqlite:///optuna.db", poll_interval: 100ms' },
  journal: { file: 'journal.log', args: (file: string) => ['--journal', file], fields: 'storage: journal.log, poll_interval: 100ms' },
} as const;

/** Each finished trial of `study` in Optuna's own reading, as "<number> <event type>". */
function finishedTrials(result: StudyResult, study: string): string[] {
  return result.trials[study].trials.filter((t) => FINISHED[t.state]).map((t) => `${t.number} ${FINISHED[t.state]}`);
}

/** The trial events the source published for `study`, in order, as "<number> <event type>". */
function reported(events: BaristaEvent[], study: string): string[] {
  return events.filter((e) => e.type.startsWith('training.trial_') && e.fields.study === study).map((e) => `${String(e.fields.number)} ${e.type}`);
}

export function describeBirths(kind: keyof typeof KINDS): void {
  const tempDir = useTempDir(`barista-optuna-births-${kind}-`);
  const { file: name, args, fields } = KINDS[kind];
  withRealOptuna(`real Optuna ${optunaVersion ?? ''} ${kind} storages and studies born after barista started`, () => {
    it(`a ${kind} storage created after the start, first seen already holding finished trials: every trial from #0, once`, async () => {
      const h = new Harness(tempDir());
      try {
        const file = path.join(h.workspace, name);
        const go = path.join(h.workspace, '..', 'go');
        const out = path.join(h.workspace, '..', 'result.json');
        h.context.firstStartedAt = Date.now();
        const component = h.component(fields);
        component.start(); // the first look: no storage yet
        const { result } = await runStudy(
          // Built aside and moved in place with 3 trials finished: barista's first sight holds them.
          [...args(file), '--study', 'fresh', '--aside', '--warmup', '3', '--workers', '2', '--trials', '2', '--plain', '--go', go, '--out', out],
          async () => {
            await waitFor(() => h.state.getCache('optuna:fresh'), { what: 'barista to see the new storage', timeoutMs: 20_000 });
            writeFileSync(go, '');
          },
          60_000,
        );
        component.poll(); // the last finish may be newer than the last timer poll
        component.stop();

        expect(result.errors).toEqual([]);
        const expected = finishedTrials(result, 'fresh');
        expect(expected.map((t) => t.split(' ')[1])).toEqual(expect.arrayContaining(Object.values(FINISHED)));
        expect(expected).toHaveLength(7);
        expect(reported(h.published, 'fresh').sort()).toEqual(expected.sort());
        expect(h.published.filter((e) => e.type === 'barista.warning')).toEqual([]);
      } finally {
        h.close();
      }
    }, 60_000);

    it(`a second study added to a ${kind} storage barista already follows: every trial from #0, once; the first study's history stays quiet`, async () => {
      const h = new Harness(tempDir());
      try {
        const file = path.join(h.workspace, name);
        const go = path.join(h.workspace, '..', 'go');
        const out = path.join(h.workspace, '..', 'result.json');
        let component: OptunaSourceComponent | null = null;
        const { result } = await runStudy(
          // A storage with a study and its trials before barista's first start (history); "second" comes after --go.
          [...args(file), '--existing', 'first:3', '--study', 'second', '--warmup', '2', '--workers', '2', '--trials', '2', '--plain', '--go', go, '--out', out],
          async () => {
            h.context.firstStartedAt = Date.now();
            component = h.component(fields);
            component.start();
            await waitFor(() => h.state.getCache('optuna:first'), { what: 'barista to follow the storage', timeoutMs: 20_000 });
            writeFileSync(go, '');
          },
          60_000,
        );
        (component as OptunaSourceComponent | null)?.poll(); // the last finish may be newer than the last timer poll

        expect(result.errors).toEqual([]);
        const expected = finishedTrials(result, 'second');
        expect(finishedTrials(result, 'first')).toHaveLength(3);
        expect(expected).toHaveLength(6);
        expect(reported(h.published, 'second').sort()).toEqual(expected.sort());
        expect(reported(h.published, 'first')).toEqual([]);
        expect(h.published.filter((e) => e.type === 'barista.warning')).toEqual([]);
      } finally {
        h.close();
      }
    }, 60_000);
  });
}
