import { appendFileSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CheckpointStore } from '../../src/state/CheckpointStore';
import { EventStore } from '../../src/state/EventStore';
import type { BaristaEvent } from '../../src/model/BaristaEvent';
import { emptyJournalModel, journalSnapshot, parseJournalLine, replayJournal, type FinishedTrial, type JournalModel } from '../../src/streams/optunaJournal';
import { decodeTrial, type StudyCache } from '../../src/streams/optunaTrials';
import type { OptunaSnapshot } from '../../src/watchers/optunaRecords';
import { OptunaJournalFile } from '../../src/watchers/OptunaJournalFile';
import { resolveStorage } from '../../src/watchers/OptunaStorage';
import { copySampleJournal, JournalWriter, SAMPLE_JOURNAL } from '../fixtures/optuna/journalFixture';
import { CATEGORICAL, copySample, FLOAT, INT, OptunaWriter } from '../fixtures/optuna/optunaFixture';
import { useTempDir } from '../support/tempDir';
import { brief, expectSameAsOptuna, Harness, type OptunaDump } from './support';

const tempDir = useTempDir('barista-optuna-journal-');
const FIXTURES = path.join(__dirname, '..', 'fixtures', 'optuna');
const SMA = 0; // journal study ids count from 0: sma_cross, multi_obj, second
const SECOND = 2;

/** The whole file through the lossless tailer, replayed; every trial in one snapshot. */
function replayFile(file: string): { model: JournalModel; snapshot: OptunaSnapshot } {
  const journal = new OptunaJournalFile(file, null);
  let model = emptyJournalModel();
  const finished: FinishedTrial[] = [];
  try {
    for (;;) {
      const read = journal.read();
      const result = replayJournal(model, read.lines.map((l) => parseJournalLine(l.text)));
      model = result.model;
      finished.push(...result.finished);
      if (!read.more) break;
    }
  } finally {
    journal.close();
  }
  const all: OptunaSnapshot = journalSnapshot(model, finished, { watermark: 0, open: [], watermarkTrial: null }, false);
  return { model, snapshot: all };
}

const fixture = (name: string) => JSON.parse(readFileSync(path.join(FIXTURES, name), 'utf8')) as OptunaDump;

describe('replaying the shared sample journal (Optuna 3.1 JournalFileStorage)', () => {
  it('gives every trial exactly as Optuna reads it: states, numbers, values (inf, NaN), decoded params, attributes, reports', () => {
    const { snapshot, model } = replayFile(copySampleJournal(tempDir()));
    expectSameAsOptuna(snapshot, fixture('journal.trials.json'));
    expect(model.nextTrialId).toBe(48);
    expect(Object.values(model.open).map((t) => [t.id, t.state])).toEqual([
      [27, 0],
      [28, 0],
      [29, 4],
    ]);
  });

  it('reads the same while the file grows in pieces that cut lines anywhere as in one read', () => {
    const dir = tempDir();
    const whole = readFileSync(SAMPLE_JOURNAL);
    const file = path.join(dir, 'growing.log');
    writeFileSync(file, '');
    const journal = new OptunaJournalFile(file, null);
    let model = emptyJournalModel();
    const finished: FinishedTrial[] = [];
    let lines = 0;
    try {
      for (let at = 0; at < whole.length; at += 997) {
        appendFileSync(file, whole.subarray(at, at + 997));
        const read = journal.read();
        lines += read.lines.length;
        const result = replayJournal(model, read.lines.map((l) => parseJournalLine(l.text)));
        model = result.model;
        finished.push(...result.finished);
      }
    } finally {
      journal.close();
    }
    expect(lines).toBe(419);
    const snapshot = journalSnapshot(model, finished, { watermark: 0, open: [], watermarkTrial: null }, false);
    expect(snapshot).toEqual(replayFile(copySampleJournal(dir)).snapshot);
  });

  it('follows Optuna’s replay rules: duplicate study names, unknown or finished trials, lost WAITING races, incompatible params, deleted studies', () => {
    const ops = [
      '{"op_code": 0, "worker_id": "w", "study_name": "a", "directions": [1]}',
      '{"op_code": 0, "worker_id": "w", "study_name": "a", "directions": [2]}', // duplicate: ignored, no id
      '{"op_code": 0, "worker_id": "w", "study_name": "b", "directions": [2, 1]}',
      '{"op_code": 4, "worker_id": "w", "study_id": 7, "datetime_start": "2026-01-01T00:00:00.000000"}', // unknown study: no id
      '{"op_code": 4, "worker_id": "w", "study_id": 1, "datetime_start": "2026-01-01T00:00:00.000000"}', // trial 0 = b#0
      '{"op_code": 4, "worker_id": "w", "study_id": 0, "datetime_start": null, "state": 4, "value": null, "values": null, "distributions": {}, "params": {}, "user_attrs": {}, "system_attrs": {}, "intermediate_values": {}}', // trial 1 = a#0 WAITING
      '{"op_code": 6, "worker_id": "w", "trial_id": 1, "state": 0, "values": null, "datetime_start": "2026-01-01T00:01:00.000000"}',
      '{"op_code": 6, "worker_id": "x", "trial_id": 1, "state": 0, "values": null, "datetime_start": "2026-01-01T00:02:00.000000"}', // lost the race
      `{"op_code": 5, "worker_id": "w", "trial_id": 1, "param_name": "k", "param_value_internal": 2, "distribution": ${JSON.stringify(CATEGORICAL(['x', 'y', 'z']))}}`,
      `{"op_code": 5, "worker_id": "w", "trial_id": 0, "param_name": "k", "param_value_internal": 0.5, "distribution": ${JSON.stringify(FLOAT(0, 1))}}`, // other study: fine
      '{"op_code": 7, "worker_id": "w", "trial_id": 1, "step": 0, "intermediate_value": NaN}',
      '{"op_code": 7, "worker_id": "w", "trial_id": 1, "step": 0, "intermediate_value": 0.5}', // same step again
      '{"op_code": 6, "worker_id": "w", "trial_id": 1, "state": 1, "values": [-Infinity], "datetime_complete": "2026-01-01T00:03:00.000000"}',
      '{"op_code": 8, "worker_id": "w", "trial_id": 1, "user_attr": {"late": 1}}', // finished: ignored
      '{"op_code": 6, "worker_id": "w", "trial_id": 1, "state": 3, "values": null, "datetime_complete": "2026-01-01T00:04:00.000000"}', // finished: ignored
      '{"op_code": 8, "worker_id": "w", "trial_id": 99, "user_attr": {"x": 1}}', // unknown trial
      '{"op_code": 4, "worker_id": "w", "study_id": 0, "datetime_start": "2026-01-01T00:05:00.000000"}', // trial 2 = a#1
      `{"op_code": 5, "worker_id": "w", "trial_id": 2, "param_name": "k", "param_value_internal": 0, "distribution": ${JSON.stringify(CATEGORICAL(['x', 'y']))}}`, // other choices: ignored
      `{"op_code": 5, "worker_id": "w", "trial_id": 2, "param_name": "n", "param_value_internal": 3.0, "distribution": ${JSON.stringify(INT(1, 9))}}`,
      '{"op_code": 6, "worker_id": "w", "trial_id": 2, "state": 2, "values": [0.25], "datetime_complete": "2026-01-01T00:06:00.000000"}',
      '{"op_code": 1, "worker_id": "w", "study_id": 1}',
      '{"op_code": 0, "worker_id": "w", "study_name": "b", "directions": [1]}', // the name is free again: id 2
      '{"op_code": 10, "worker_id": "w", "trial_ids": [0]}', // DISCARD_TRIALS (unreleased): skipped
    ].map(parseJournalLine);
    const { model, finished } = replayJournal(emptyJournalModel(), ops);
    expect(Object.entries(model.studies).map(([id, s]) => [id, s.name, s.directions])).toEqual([
      ['0', 'a', [1]],
      ['2', 'b', [1]],
    ]);
    expect(model.nextTrialId).toBe(3);
    expect(Object.keys(model.open)).toEqual(['0']); // b#0 of the deleted study stays open, as in Optuna
    const decoded = finished.map((f) => decodeTrial(f.row, f.details));
    expect(decoded.map((t) => [t.trialId, t.studyId, t.number, t.state, t.values, t.params, t.intermediateCount, t.datetimeStart, t.datetimeComplete])).toEqual([
      [2, 1, 0, 'COMPLETE', [-Infinity], { k: 'z' }, 1, '2026-01-01 00:01:00.000000', '2026-01-01 00:03:00.000000'],
      [3, 1, 1, 'PRUNED', [0.25], { n: 3 }, 0, '2026-01-01 00:05:00.000000', '2026-01-01 00:06:00.000000'],
    ]);
    const snapshot = journalSnapshot(model, finished, { watermark: 0, open: [], watermarkTrial: null }, false);
    expect(snapshot.studies.map((s) => [s.studyId, s.name, s.directions])).toEqual([
      [1, 'a', ['MINIMIZE']],
      [3, 'b', ['MINIMIZE']],
    ]);
    expect(snapshot.trials.map((t) => t.trialId)).toEqual([2, 3]); // b#0 belongs to no live study
  });

  it('tells journal files from storage URLs', () => {
    expect(resolveStorage('logs/optuna_journal.log', '/w')).toEqual({ kind: 'journal', file: '/w/logs/optuna_journal.log' });
    expect(resolveStorage('/var/optuna/journal.log', '/w')).toEqual({ kind: 'journal', file: '/var/optuna/journal.log' });
    expect(resolveStorage('sqlite:///x.db', '/w')).toEqual({ kind: 'sqlite', file: '/w/x.db' });
    expect(resolveStorage('redis://:pw@localhost:6379/0', '/w')).toEqual({ kind: 'unsupported', url: 'redis://…@localhost:6379/0' });
  });
});

describe('OptunaSourceComponent on a journal file', () => {
  let h: Harness;
  let writer: JournalWriter;
  let file: string;
  beforeEach(() => {
    h = new Harness(tempDir());
    file = copySampleJournal(h.workspace);
    writer = JournalWriter.onSample(file);
  });
  afterEach(() => h.close());

  it('gives the same events and caches as the SQLite storage for the same trials', () => {
    const other = new Harness(path.join(tempDir(), 'other'));
    const sqliteWriter = new OptunaWriter(copySample(other.workspace));
    try {
      const fromJournal = h.component('storage: journal.log');
      const fromSqlite = other.component();
      expect(fromJournal.poll()).toEqual([]);
      expect(fromSqlite.poll()).toEqual([]);
      for (const w of [writer, sqliteWriter]) {
        const sma = w === writer ? SMA : 1;
        const second = w === writer ? SECOND : 3;
        w.trial(second, 'COMPLETE', 0.5, { batch_size: [1, CATEGORICAL([32, 64, 128])], window: [12, INT(5, 50)] }, { mean_sharpe_bot: '0.0123', sharpe_list_bot: '[0.01, NaN]' });
        w.trial(second, 'COMPLETE', 0.7);
        w.trial(second, 'PRUNED', 0.9);
        w.trial(second, 'FAIL', null, { lr: [0.001, FLOAT(1e-4, 1e-1)] }, { kill_reason: '"timeout"' });
        w.trial(sma, 'COMPLETE', Infinity);
      }
      const events = fromJournal.poll();
      const same = fromSqlite.poll();
      expect(brief(events)).toEqual([
        'training.trial_completed second#8',
        'training.best_improved second#8',
        'training.trial_completed second#9',
        'training.trial_pruned second#10',
        'training.trial_failed second#11',
        'training.trial_completed sma_cross#30',
      ]);
      const strip = (list: BaristaEvent[]) => list.map(({ at: _at, ...rest }) => rest);
      expect(strip(events)).toEqual(strip(same)); // ids included: same trial, same event
      expect(events[0].fields).toMatchObject({ params: { batch_size: 64, window: 12 }, mean_sharpe_bot: 0.0123, sharpe_list_bot: [0.01, 'NaN'], duration_s: 90 });
      expect(events[5].fields.value).toBe('Infinity');
      for (const study of ['sma_cross', 'multi_obj', 'second']) {
        const cache = (s: Harness) => {
          const { value } = s.state.getCache<StudyCache>(`optuna:${study}`) ?? { value: null };
          return (
            value && {
              ...value,
              recent: value.recent.map((r) => ({ ...r, completedAt: null, durationS: null })),
              top: value.top.map((r) => ({ ...r, completedAt: null, durationS: null })),
              running_trials: value.running_trials.map((r) => ({ ...r, started_at: null })),
            }
          );
        };
        // The samples' own trials ran at other times in each storage: compare all but their times.
        expect({ ...cache(h), per_hour: null, median_duration_s: null, eta_s: null }).toEqual({ ...cache(other), per_hour: null, median_duration_s: null, eta_s: null });
      }
      expect(h.state.getCache<StudyCache>('optuna:sma_cross')?.value).toMatchObject({ counts: { COMPLETE: 11, PRUNED: 13, FAIL: 4, RUNNING: 2, WAITING: 1 }, running: 2, best: { number: 21, value: 'Infinity' } });
    } finally {
      sqliteWriter.close();
      other.close();
    }
  });

  it('waits for a line being written: a torn last line is read once whole', () => {
    const component = h.component('storage: journal.log');
    component.poll();
    const id = writer.startTrial(SECOND);
    const line = `{"op_code": 6, "worker_id": "w", "trial_id": ${id}, "state": 1, "values": [0.25], "datetime_complete": "2026-02-16T05:00:00.000000"}\n`;
    appendFileSync(file, line.slice(0, 40));
    expect(component.poll()).toEqual([]);
    appendFileSync(file, line.slice(40));
    expect(brief(component.poll())).toEqual(['training.trial_completed second#8', 'training.best_improved second#8']);
  });

  it('announces trials open at first sight when they finish (the killed worker’s trial, the enqueued one), and templates added finished', () => {
    const component = h.component('storage: journal.log');
    expect(component.poll()).toEqual([]);
    writer.finish(27, 'FAIL'); // sma_cross#27, left RUNNING by the SIGKILLed worker
    writer.run(29); // the WAITING sma_cross#29 taken by a worker…
    writer.run(29); // …and lost by another one
    writer.setParam(29, 'strategy', 1, CATEGORICAL(['sma', 'ema', 'rsi']));
    writer.report(29, 0, 0.4);
    writer.finish(29, 'PRUNED', [0.4]);
    writer.addTrial(SECOND, 'COMPLETE', 0.01, { x: [1.5, FLOAT(-10, 10)] }, { source: 'add_trial' });
    const events = component.poll();
    expect(brief(events)).toEqual(['training.trial_failed sma_cross#27', 'training.trial_pruned sma_cross#29', 'training.trial_completed second#8', 'training.best_improved second#8']);
    expect(events[1].fields).toMatchObject({ value: 0.4, params: { strategy: 'ema' }, intermediate_values: 1 });
    expect(events[2].fields).toMatchObject({ params: { x: 1.5 }, source: 'add_trial', value: 0.01 });
  });

  it('repeats nothing after a restart, and announces what was written while it was stopped', () => {
    const first = h.component('storage: journal.log');
    first.poll();
    writer.trial(SECOND, 'COMPLETE', 0.1);
    const running = writer.startTrial(SECOND);
    writer.report(running, 0, 0.3);
    expect(brief(first.poll())).toEqual(['training.trial_completed second#8', 'training.best_improved second#8']);
    first.stop();

    writer.finish(running, 'PRUNED', [0.3]);
    writer.trial(SECOND, 'COMPLETE', 0.05);
    const second = h.component('storage: journal.log');
    expect(brief(second.poll())).toEqual(['training.trial_pruned second#9', 'training.trial_completed second#10', 'training.best_improved second#10']);
    expect(second.poll()).toEqual([]);
    second.stop();
    expect(h.component('storage: journal.log').poll()).toEqual([]);
    const all = new EventStore(h.state).recent(100).filter((e) => e.type.startsWith('training.'));
    expect(all).toHaveLength(5);
    expect(h.published).toHaveLength(5);
    const stored = new CheckpointStore(h.state).get<{ tail: { cursors: { offset: number }[] } }>('optuna', 'journal');
    expect(stored?.tail.cursors[0].offset).toBe(readFileSync(file).length);
  });

  it('reads a big backlog in several commits on first sight, silently', () => {
    const study = writer.createStudy('big', ['MINIMIZE'], { target_trials: 2000 });
    for (let i = 0; i < 1500; i++) writer.trial(study, i % 5 === 0 ? 'PRUNED' : 'COMPLETE', 1000 - i, { window: [i % 40, INT(0, 50)] }, { sharpe: String(i / 100) });
    expect(readFileSync(file).length).toBeGreaterThan(3 * 256 * 1024); // the tailer reads 256 KiB at a time
    const component = h.component('storage: journal.log', { journalBytesPerRead: 100_000 });
    const reads = jest.spyOn(component.journal as OptunaJournalFile, 'read');
    expect(component.poll()).toEqual([]);
    expect(reads.mock.calls.length).toBeGreaterThanOrEqual(3);
    expect(h.state.getCache<StudyCache>('optuna:big')?.value).toMatchObject({ total: 1500, done: 1500, target: 2000, best: { number: 1499, value: -499 } });
    expect(h.state.getCache<StudyCache>('optuna:sma_cross')?.value.counts).toEqual({ COMPLETE: 10, PRUNED: 13, FAIL: 4, RUNNING: 2, WAITING: 1 });
    writer.finish(28, 'COMPLETE', [0.1]);
    expect(brief(component.poll())).toEqual(['training.trial_completed sma_cross#28']);
  });

  it('skips a line that is not JSON with one warning, and keeps reading', () => {
    const component = h.component('storage: journal.log');
    component.poll();
    appendFileSync(file, '{"op_code": 6, "worker_id": "w", "trial_id": 27, "state": \n');
    writer.trial(SECOND, 'FAIL', null);
    const events = component.poll();
    expect(events.map((e) => e.type)).toEqual(['barista.warning', 'training.trial_failed']);
    expect(events[0].text).toMatch(/journal line at byte 86793 is not an Optuna operation/);
    expect(h.component('storage: journal.log').poll()).toEqual([]);
  });

  it('notices a deleted study and replays the file without repeating the others; a new study of the same name is news', () => {
    const component = h.component('storage: journal.log');
    component.poll();
    writer.trial(SECOND, 'COMPLETE', 2.0);
    expect(brief(component.poll())).toEqual(['training.trial_completed second#8']);
    writer.deleteStudy(SECOND);
    const again = writer.createStudy('second', ['MAXIMIZE'], { target_trials: 3 });
    expect(again).toBe(3);
    writer.trial(again, 'COMPLETE', 1.5, { strategy: [2, CATEGORICAL(['sma', 'ema', 'rsi'])] });
    writer.trial(SMA, 'PRUNED', 0.2);
    const events = component.poll();
    expect(brief(events)).toEqual(['training.trial_completed second#0', 'training.best_improved second#0', 'training.trial_pruned sma_cross#30']);
    expect(events[0].fields).toMatchObject({ params: { strategy: 'rsi' }, target: 3, done: 1 });
    expect(h.state.getCache<StudyCache>('optuna:second')?.value).toMatchObject({ total: 1, directions: ['MAXIMIZE'] });
    expect(h.component('storage: journal.log').poll()).toEqual([]);
  });

  it('starts over when the journal is replaced by a new one, repeating nothing it already sent', () => {
    const component = h.component('storage: journal.log');
    component.poll();
    writer.trial(SECOND, 'COMPLETE', 0.3);
    expect(component.poll()).toHaveLength(2);
    // A copy of the same content plus one more trial takes the file's place (a backup restored, a new run)…
    const copy = path.join(h.workspace, 'journal.log.new');
    writeFileSync(copy, readFileSync(file));
    renameSync(copy, file);
    writer.trial(SECOND, 'COMPLETE', 0.2);
    // …the trial sent already makes the same event ids (nothing sent twice), the new one is news.
    expect(brief(component.poll())).toEqual(['training.trial_completed second#9', 'training.best_improved second#9']);
    rmSync(file);
    const fresh = new JournalWriter(file);
    const study = fresh.createStudy('fresh', ['MINIMIZE']);
    fresh.trial(study, 'FAIL', null);
    expect(brief(component.poll())).toEqual(['training.trial_failed fresh#0']);
  });

  it('waits for a journal that does not exist yet; born after barista started, it is news from its first trial', () => {
    const later = new JournalWriter(path.join(h.workspace, 'later.log'));
    const component = h.component('storage: later.log');
    expect(component.poll()).toEqual([]);
    const study = later.createStudy('late');
    later.trial(study, 'COMPLETE', 1);
    const running = later.startTrial(study);
    expect(brief(component.poll())).toEqual(['training.trial_completed late#0', 'training.best_improved late#0']);
    later.finish(running, 'COMPLETE', [2]);
    expect(brief(component.poll())).toEqual(['training.trial_completed late#1', 'training.best_improved late#1']);
  });

  it('a journal born while barista was stopped (after its first start) is news from its first trial; one there before is history', () => {
    h.context.firstStartedAt = Date.now() - 60_000;
    const born = new JournalWriter(path.join(h.workspace, 'born.log'));
    born.trial(born.createStudy('new'), 'PRUNED', 0.5);
    expect(brief(h.component('storage: born.log').poll())).toEqual(['training.trial_pruned new#0']);
    const other = new Harness(path.join(tempDir(), 'other'));
    try {
      const old = new JournalWriter(path.join(other.workspace, 'old.log'));
      old.trial(old.createStudy('old'), 'PRUNED', 0.5);
      other.context.firstStartedAt = Date.now() + 1;
      expect(other.component('storage: old.log').poll()).toEqual([]);
    } finally {
      other.close();
    }
  });

  it('an empty journal becomes live at once: its first trials are news', () => {
    writeFileSync(path.join(h.workspace, 'empty.log'), '');
    const fresh = new JournalWriter(path.join(h.workspace, 'empty.log'));
    const component = h.component('storage: empty.log');
    expect(component.poll()).toEqual([]);
    fresh.trial(fresh.createStudy('s'), 'PRUNED', 0.5);
    expect(brief(component.poll())).toEqual(['training.trial_pruned s#0']);
  });

  it('does not commit anything on a poll that read nothing', () => {
    const component = h.component('storage: journal.log');
    component.poll();
    const before = h.state.db.prepare("SELECT updated_at FROM checkpoints WHERE source = 'optuna'").get();
    h.state.db.prepare("UPDATE checkpoints SET updated_at = 1 WHERE source = 'optuna'").run();
    component.poll();
    component.poll();
    expect(h.state.db.prepare("SELECT updated_at FROM checkpoints WHERE source = 'optuna'").get()).toEqual({ updated_at: 1 });
    expect(before).toBeDefined();
  });
});

