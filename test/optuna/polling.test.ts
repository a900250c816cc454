import { copyFileSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { EventStore } from '../../src/state/EventStore';
import type { StudyCache } from '../../src/streams/optunaTrials';
import { CATEGORICAL, copySample, createOptunaStorage, INT, OptunaWriter } from '../fixtures/optuna/optunaFixture';
import { useTempDir } from '../support/tempDir';
import { waitFor } from '../support/waitFor';
import { brief, Harness } from './support';

const tempDir = useTempDir('barista-optuna-');
const SECOND = 3; // study "second" in x.db: MINIMIZE, best #0 = 0.968…, owns the highest trial ids 41–48
const SMA = 1; // study "sma_cross": MAXIMIZE, best +inf, trials 28/29 RUNNING (killed worker), 30 WAITING

describe('OptunaSourceComponent polling a live storage', () => {
  let h: Harness;
  let writer: OptunaWriter;
  beforeEach(() => {
    h = new Harness(tempDir());
    writer = new OptunaWriter(copySample(h.workspace));
  });
  afterEach(() => {
    writer.close();
    h.close();
  });

  it('builds its view silently on first sight, then announces finished trials with decoded params and user attributes', () => {
    const component = h.component();
    expect(component.poll()).toEqual([]);
    expect(h.state.getCache<StudyCache>('optuna:sma_cross')?.value.counts).toEqual({ COMPLETE: 10, PRUNED: 13, FAIL: 4, RUNNING: 2, WAITING: 1 });
    expect(h.state.getCache('optuna-studies:optuna')?.value).toEqual({ source: 'optuna', storage: 'sqlite', studies: ['sma_cross', 'multi_obj', 'second'] });

    const id = writer.startTrial(SECOND);
    expect(component.poll()).toEqual([]); // RUNNING is not news
    writer.setParam(id, 'batch_size', 1, CATEGORICAL([32, 64, 128]));
    writer.setParam(id, 'window', 12, INT(5, 50));
    writer.setUserAttr(id, 'mean_sharpe_bot', '0.0123');
    writer.setUserAttr(id, 'sharpe_list_bot', '[0.01, NaN]');
    writer.finish(id, 'COMPLETE', [0.5]);
    const events = component.poll();
    expect(brief(events)).toEqual(['training.trial_completed second#8', 'training.best_improved second#8']);
    expect(events[0]).toMatchObject({ source: 'optuna', subject: 'second', severity: 'info' });
    expect(events[0].fields).toMatchObject({ study: 'second', number: 8, value: 0.5, params: { batch_size: 64, window: 12 }, duration_s: 90, mean_sharpe_bot: 0.0123, sharpe_list_bot: [0.01, 'NaN'] });
    expect(events[1].fields).toMatchObject({ study: 'second', number: 8, value: 0.5, direction: 'MINIMIZE' });
    expect(events[1].fields.previous).toBeCloseTo(0.968, 3);
    expect(events[1].fields.improvement).toBeCloseTo(0.468, 3);
    expect(h.published).toEqual(events);

    writer.trial(SECOND, 'COMPLETE', 0.7); // worse for a minimised study: no best_improved
    writer.trial(SECOND, 'COMPLETE', 0.4);
    writer.trial(SECOND, 'PRUNED', 0.9);
    writer.trial(SECOND, 'FAIL', null);
    expect(brief(component.poll())).toEqual([
      'training.trial_completed second#9',
      'training.trial_completed second#10',
      'training.best_improved second#10',
      'training.trial_pruned second#11',
      'training.trial_failed second#12',
    ]);
  });

  it('announces trials that were open at first sight when they finish (a zombie marked FAIL, a WAITING trial run)', () => {
    const component = h.component();
    component.poll();
    writer.finish(28, 'FAIL'); // fail_stale_trials on the killed worker's trial #27
    writer.db.prepare("UPDATE trials SET state = 'RUNNING', datetime_start = '2026-11-24 09:00:00.000000' WHERE trial_id = 30").run();
    expect(brief(component.poll())).toEqual(['training.trial_failed sma_cross#27']);
    writer.finish(30, 'PRUNED', [0.3]);
    const [pruned] = component.poll();
    expect(brief([pruned])).toEqual(['training.trial_pruned sma_cross#29']);
    expect(pruned.fields.value).toBe(0.3);
    // A COMPLETE trial cannot beat +inf: no best_improved, even for a big value.
    const id = writer.trial(SMA, 'COMPLETE', 1e9);
    expect(brief(component.poll())).toEqual(['training.trial_completed sma_cross#30']);
    expect(h.state.getCache<StudyCache>('optuna:sma_cross')?.value.best).toEqual({ number: 21, value: 'Infinity' });
    expect(id).toBe(49);
  });

  it('announces and caches only the studies listed in `studies`', () => {
    const component = h.component('storage: "sqlite:///x.db", studies: [second]');
    component.poll();
    writer.trial(SMA, 'COMPLETE', 0.2);
    writer.trial(SECOND, 'FAIL', null);
    expect(brief(component.poll())).toEqual(['training.trial_failed second#8']);
    expect(h.state.getCache('optuna:sma_cross')).toBeUndefined();
    expect(h.state.getCache<StudyCache>('optuna:second')?.value.counts).toEqual({ COMPLETE: 8, FAIL: 1 });
  });

  it('skips the trial query when PRAGMA data_version did not move', () => {
    const component = h.component();
    const storage = component.storage;
    if (!storage) throw new Error('no storage');
    component.poll();
    const after = storage.trialQueries;
    expect(after).toBe(1);
    component.poll();
    component.poll();
    expect(storage.trialQueries).toBe(after);
    writer.setUserAttr(29, 'note', '"still running"'); // any commit moves data_version
    component.poll();
    expect(storage.trialQueries).toBe(after + 1);
    component.poll();
    expect(storage.trialQueries).toBe(after + 1);
  });

  it('repeats nothing after a restart and announces what finished while it was stopped', () => {
    const first = h.component();
    first.poll();
    writer.trial(SECOND, 'COMPLETE', 0.1);
    expect(brief(first.poll())).toEqual(['training.trial_completed second#8', 'training.best_improved second#8']);
    const running = writer.startTrial(SECOND);
    first.poll();
    first.stop();

    writer.finish(running, 'PRUNED', [0.2]); // while barista is down
    writer.trial(SECOND, 'COMPLETE', 0.05);
    const second = h.component();
    expect(brief(second.poll())).toEqual(['training.trial_pruned second#9', 'training.trial_completed second#10', 'training.best_improved second#10']);
    expect(second.poll()).toEqual([]);

    const third = h.component();
    expect(third.poll()).toEqual([]);
    expect(third.storage?.trialQueries).toBe(1);
    const all = new EventStore(h.state).recent(100).filter((e) => e.type.startsWith('training.'));
    expect(all).toHaveLength(5);
    expect(new Set(all.map((e) => e.id)).size).toBe(5);
    expect(h.published).toHaveLength(5);
  });

  it('notices a deleted study whose id is reused, and resyncs without repeating the other studies', () => {
    const component = h.component();
    component.poll();
    writer.deleteStudy(SECOND);
    const third = writer.createStudy('third', ['MAXIMIZE'], { target_trials: 10 });
    expect(third).toBe(SECOND); // sqlite reuses the id
    const trial = writer.trial(third, 'COMPLETE', 1.5, { strategy: [2, CATEGORICAL(['sma', 'ema', 'rsi'])] });
    expect(trial).toBe(41); // and the trial ids of the deleted study
    const events = component.poll();
    expect(brief(events)).toEqual(['training.trial_completed third#0', 'training.best_improved third#0']);
    expect(events[0].fields.params).toEqual({ strategy: 'rsi' });
    expect(events[1].fields).toMatchObject({ previous: null, improvement: null });
    const cache = h.state.getCache<StudyCache>('optuna:third')?.value;
    expect(cache).toMatchObject({ total: 1, target: 10, done: 1, best: { number: 0, value: 1.5 } });
    expect(h.state.getCache<StudyCache>('optuna:sma_cross')?.value.total).toBe(30);

    writer.trial(third, 'COMPLETE', 1.0);
    expect(brief(component.poll())).toEqual(['training.trial_completed third#1']);
    expect(brief(h.component().poll())).toEqual([]); // and after a restart
  });

  it('notices a study deleted and created again under the same id, name and directions, by its trial numbers restarting', () => {
    const component = h.component();
    component.poll();
    writer.trial(SMA, 'PRUNED', 0.1); // trial id 49: the watermark row stays when `second` (41–48) goes
    expect(brief(component.poll())).toEqual(['training.trial_pruned sma_cross#30']);
    writer.deleteStudy(SECOND);
    expect(writer.createStudy('second', ['MINIMIZE'])).toBe(SECOND);
    expect(component.poll()).toEqual([]); // nothing to tell yet
    writer.trial(SECOND, 'COMPLETE', 3.0);
    expect(brief(component.poll())).toEqual(['training.trial_completed second#0', 'training.best_improved second#0']);
    expect(h.state.getCache<StudyCache>('optuna:second')?.value).toMatchObject({ total: 1, best: { number: 0, value: 3 } });
    expect(h.state.getCache<StudyCache>('optuna:sma_cross')?.value.total).toBe(31);
  });

  it('reads a storage deleted and created again (same study name) from its first trial; a restored copy repeats nothing', () => {
    const file = path.join(h.workspace, 'x.db');
    const component = h.component();
    component.poll();
    writer.trial(SECOND, 'COMPLETE', 0.3);
    expect(brief(component.poll())).toEqual(['training.trial_completed second#8', 'training.best_improved second#8']);
    writer.close();
    // A backup copy restored over it (another file, the same rows) plus one more trial: only that one is news.
    copyFileSync(file, `${file}.bak`);
    renameSync(`${file}.bak`, file);
    writer = new OptunaWriter(file);
    writer.trial(SECOND, 'COMPLETE', 0.2);
    expect(brief(component.poll())).toEqual(['training.trial_completed second#9', 'training.best_improved second#9']);
    writer.close();
    // The user starts afresh: the file deleted, a new storage with a study of the same name.
    rmSync(file);
    expect(component.poll()).toEqual([]);
    createOptunaStorage(file);
    writer = new OptunaWriter(file);
    const study = writer.createStudy('second', ['MINIMIZE']);
    writer.trial(study, 'COMPLETE', 0.9);
    writer.trial(study, 'PRUNED', 0.8);
    expect(brief(component.poll())).toEqual(['training.trial_completed second#0', 'training.best_improved second#0', 'training.trial_pruned second#1']);
  });

  it('keeps announcing the other studies after one is deleted (no id reuse)', () => {
    const component = h.component();
    component.poll();
    writer.deleteStudy(2); // multi_obj: trials 31–40 go, ids 41–48 stay
    writer.trial(SECOND, 'COMPLETE', 2.0);
    expect(brief(component.poll())).toEqual(['training.trial_completed second#8']);
    expect(h.state.getCache('optuna:multi_obj')).toBeDefined(); // last known, kept for commands
    expect(h.state.getCache<StudyCache>('optuna:second')?.value.total).toBe(9);
  });

  it('reads a big backlog in several short transactions on first sight, silently', () => {
    const component = h.component('storage: "sqlite:///x.db"', { chunk: 4 });
    expect(component.poll()).toEqual([]);
    expect(component.storage?.trialQueries).toBe(13); // 48 trials / 4, plus the empty tail
    expect(h.state.getCache<StudyCache>('optuna:sma_cross')?.value.counts).toEqual({ COMPLETE: 10, PRUNED: 13, FAIL: 4, RUNNING: 2, WAITING: 1 });
    writer.finish(29, 'COMPLETE', [0.1]);
    expect(brief(component.poll())).toEqual(['training.trial_completed sma_cross#28']);
  });

  it('never holds a read transaction between polls: a writer gets an exclusive lock at once', () => {
    const component = h.component();
    writer.db.pragma('busy_timeout = 0');
    const exclusive = () => {
      writer.db.exec('BEGIN EXCLUSIVE');
      writer.db.exec('COMMIT');
    };
    component.poll();
    expect(exclusive).not.toThrow();
    writer.trial(SECOND, 'COMPLETE', 0.3);
    expect(component.poll()).toHaveLength(2);
    expect(exclusive).not.toThrow();
    component.poll(); // the skipped poll too
    expect(exclusive).not.toThrow();
  });

  it('waits out a writer lock with its busy timeout, and a poll that timed out is retried in full', () => {
    const component = h.component('storage: "sqlite:///x.db"', { busyTimeoutMs: 30 });
    component.poll();
    writer.trial(SECOND, 'PRUNED', 0.5);
    writer.db.exec('BEGIN EXCLUSIVE');
    expect(() => component.poll()).toThrow(/locked|busy/i);
    writer.db.exec('COMMIT');
    expect(brief(component.poll())).toEqual(['training.trial_pruned second#8']);
  });

  it('polls on its timer, announces, and closes the storage on stop', async () => {
    const component = h.component('storage: "sqlite:///x.db", poll_interval: 20ms');
    component.start();
    await waitFor(() => h.state.getCache('optuna:second'), { what: 'the first poll' });
    writer.trial(SECOND, 'FAIL', null);
    const failed = await waitFor(() => h.published.find((e) => e.type === 'training.trial_failed'), { what: 'trial_failed' });
    expect(failed.fields).toMatchObject({ study: 'second', number: 8, value: null });
    component.stop();
    writer.db.pragma('busy_timeout = 0');
    writer.db.exec('BEGIN EXCLUSIVE; COMMIT');
    expect(path.basename(component.storage?.file ?? '')).toBe('x.db');
  });
});
