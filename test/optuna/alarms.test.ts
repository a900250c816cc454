import path from 'node:path';
import type { BaristaEvent } from '../../src/model/BaristaEvent';
import type { RunningWorkers } from '../../src/streams/optunaAlarms';
import type { StudyCache } from '../../src/streams/optunaTrials';
import { copySampleJournal, JournalWriter } from '../fixtures/optuna/journalFixture';
import { copySample, createOptunaStorage, OptunaWriter } from '../fixtures/optuna/optunaFixture';
import { useTempDir } from '../support/tempDir';
import { brief, Harness, optunaConfig } from './support';

const tempDir = useTempDir('barista-optuna-alarms-');
const MIN = 60_000;
const T0 = Date.parse('2027-01-01T00:00:00Z'); // after every time the fixtures write

/** barista's clock, moved by the test (virtual time: no waiting). */
class Clock {
  constructor(public ms = T0) {}
  readonly now = (): number => this.ms;
  at(offsetMs: number): this {
    this.ms = T0 + offsetMs;
    return this;
  }
}

const types = (events: BaristaEvent[]) => events.map((e) => e.type);

describe('rules.yaml options of an optuna source', () => {
  it('defaults to a stall after 3 median durations (at least 30 min), stale trials after 30 min, 2 min of worker grace', () => {
    expect(optunaConfig('storage: x.log')).toMatchObject({ stall_multiple: 3, stall_floor: 30 * MIN, stale_after: 30 * MIN, worker_grace: 2 * MIN, top_n: 5, recent_n: 10, poll_interval: 5000 });
    expect(optunaConfig('storage: x.log, stall_multiple: 4.5, stall_floor: 1h, stale_after: 45m, worker_grace: 30s')).toMatchObject({ stall_multiple: 4.5, stall_floor: 60 * MIN, stale_after: 45 * MIN, worker_grace: 30_000 });
    expect(() => optunaConfig('storage: x.log, stall_multiple: 0')).toThrow(/stall_multiple/);
  });
});

describe('training.stalled', () => {
  let h: Harness;
  let clock: Clock;
  beforeEach(() => {
    h = new Harness(tempDir());
    clock = new Clock();
  });
  afterEach(() => h.close());

  it('is announced once when no trial finished past the floor while trials run, cleared by the next finish, and again for a new stall', () => {
    const writer = new OptunaWriter(copySample(h.workspace));
    try {
      const fields = 'storage: "sqlite:///x.db", stale_after: 10h';
      const component = h.component(fields, { now: clock.now });
      expect(component.poll()).toEqual([]); // sma_cross has the killed worker's RUNNING trials
      expect(clock.at(29 * MIN) && component.poll()).toEqual([]);
      const [stalled] = clock.at(31 * MIN) && component.poll();
      expect(stalled).toMatchObject({ type: 'training.stalled', severity: 'warning', subject: 'sma_cross', at: new Date(T0 + 31 * MIN).toISOString() });
      expect(stalled.fields).toMatchObject({ study: 'sma_cross', since: new Date(T0).toISOString(), threshold_s: 1800, running: 2 });
      expect(stalled.fields.median_duration_s).toBeLessThan(1); // the sample's trials take milliseconds: the floor rules
      expect(h.state.getCache<StudyCache>('optuna:sma_cross')?.value.stalled_since).toBe(new Date(T0).toISOString());
      expect(clock.at(90 * MIN) && component.poll()).toEqual([]);
      component.stop();
      expect(h.component(fields, { now: clock.now }).poll()).toEqual([]); // nor after a restart

      const again = h.component(fields, { now: clock.at(100 * MIN).now });
      writer.trial(1, 'COMPLETE', 0.5);
      expect(brief(again.poll())).toEqual(['training.trial_completed sma_cross#30']);
      expect(h.state.getCache<StudyCache>('optuna:sma_cross')?.value.stalled_since).toBeNull();
      expect(clock.at(129 * MIN) && again.poll()).toEqual([]);
      const [second] = clock.at(131 * MIN) && again.poll();
      expect(second.fields).toMatchObject({ study: 'sma_cross', since: new Date(T0 + 100 * MIN).toISOString() });
      expect(h.published.filter((e) => e.type === 'training.stalled')).toHaveLength(2);
    } finally {
      writer.close();
    }
  });

  it('waits a multiple of the median trial duration when that is longer than the floor; never fires for an idle study', () => {
    const file = path.join(h.workspace, 'x.db');
    createOptunaStorage(file);
    const writer = new OptunaWriter(file);
    try {
      const component = h.component('storage: "sqlite:///x.db", stall_floor: 1m, stall_multiple: 3, stale_after: 10h', { now: clock.now });
      component.poll();
      const study = writer.createStudy('s', ['MINIMIZE']);
      for (let i = 0; i < 3; i++) writer.trial(study, 'COMPLETE', i); // each 90 s on the workers' clock
      writer.trial(study, 'PRUNED', 5); // pruned trials do not count in the median
      expect(types(component.poll())).toEqual(['training.trial_completed', 'training.best_improved', 'training.trial_completed', 'training.trial_completed', 'training.trial_pruned']);
      expect(clock.at(60 * MIN) && component.poll()).toEqual([]); // nothing RUNNING: finished, not stalled
      writer.startTrial(study);
      component.poll(); // busy since T0 + 60 min
      expect(clock.at(60 * MIN + 270_000) && component.poll()).toEqual([]);
      const [stalled] = clock.at(60 * MIN + 271_000) && component.poll();
      expect(stalled.fields).toMatchObject({ study: 's', since: new Date(T0 + 60 * MIN).toISOString(), median_duration_s: 90, threshold_s: 270, running: 1 });
    } finally {
      writer.close();
    }
  });

  it('watches only the studies listed in `studies`', () => {
    const writer = new OptunaWriter(copySample(h.workspace));
    try {
      const component = h.component('storage: "sqlite:///x.db", studies: [second]', { now: clock.now });
      component.poll();
      expect(clock.at(10 * 60 * MIN) && component.poll()).toEqual([]); // sma_cross stalls unwatched
      writer.startTrial(3);
      component.poll();
      expect(types(clock.at(20 * 60 * MIN) && component.poll())).toEqual(['training.stalled', 'training.trial_stale']);
    } finally {
      writer.close();
    }
  });
});

describe('training.trial_stale', () => {
  let h: Harness;
  let clock: Clock;
  let writer: OptunaWriter;
  let study: number;
  beforeEach(() => {
    h = new Harness(tempDir());
    clock = new Clock();
    const file = path.join(h.workspace, 'x.db');
    createOptunaStorage(file);
    writer = new OptunaWriter(file);
    study = writer.createStudy('cappuccino', ['MAXIMIZE']);
  });
  afterEach(() => {
    writer.close();
    h.close();
  });

  const startOf = (trialId: number) => Date.parse((writer.db.prepare('SELECT datetime_start FROM trials WHERE trial_id = ?').get(trialId) as { datetime_start: string }).datetime_start.replace(' ', 'T'));

  it('flags a RUNNING trial with no report, param or attribute for stale_after, once; each write resets the wait', () => {
    const fields = 'storage: "sqlite:///x.db", stall_floor: 10h';
    const component = h.component(fields, { now: clock.now });
    component.poll();
    const id = writer.startTrial(study);
    component.poll();
    clock.at(20 * MIN);
    writer.report(id, 0, 0.1);
    component.poll();
    clock.at(40 * MIN);
    writer.setUserAttr(id, 'note', '"epoch 2"');
    expect(component.poll()).toEqual([]);
    expect(clock.at(70 * MIN) && component.poll()).toEqual([]);
    const [stale] = clock.at(71 * MIN) && component.poll();
    expect(stale).toMatchObject({ type: 'training.trial_stale', severity: 'warning', subject: 'cappuccino' });
    const runningFor = Math.round((T0 + 71 * MIN - startOf(id)) / 1000);
    expect(stale.fields).toMatchObject({ study: 'cappuccino', number: 0, reason: 'no_progress', quiet_for_s: 31 * 60, heartbeat: null, workers: null, running_for_s: runningFor });
    expect(stale.text).toContain('trial #0 looks abandoned (nothing written for 31 min)');
    expect(clock.at(200 * MIN) && component.poll()).toEqual([]);
    expect(h.component(fields, { now: clock.now }).poll()).toEqual([]);
    writer.finish(id, 'FAIL'); // fail_stale_trials, at last
    expect(types(h.component(fields, { now: clock.now }).poll())).toEqual(['training.trial_failed']);
  });

  it('trusts the heartbeat (UTC) when the study has one: stale only once it is older than stale_after', () => {
    const component = h.component('storage: "sqlite:///x.db", stall_floor: 10h', { now: clock.now });
    component.poll();
    const id = writer.startTrial(study);
    const beat = (ms: number) => new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
    writer.db.prepare('INSERT INTO trial_heartbeats (trial_id, heartbeat) VALUES (?, ?)').run(id, beat(T0));
    component.poll();
    clock.at(25 * MIN);
    writer.db.prepare('UPDATE trial_heartbeats SET heartbeat = ? WHERE trial_id = ?').run(beat(T0 + 25 * MIN), id);
    component.poll();
    expect(clock.at(54 * MIN) && component.poll()).toEqual([]); // nothing else written for 54 min, but it beats
    const [stale] = clock.at(56 * MIN) && component.poll();
    expect(stale.fields).toMatchObject({ number: 0, reason: 'heartbeat', heartbeat: beat(T0 + 25 * MIN), quiet_for_s: 31 * 60 });
    expect(stale.text).toContain(`last heartbeat ${beat(T0 + 25 * MIN)} UTC`);
  });

  it('with a process probe: fewer training workers than RUNNING trials makes the quietest ones stale after the grace', () => {
    let workers: number | null = 2;
    const probe: RunningWorkers = { count: (name) => (name === 'cappuccino' ? workers : 0) };
    const component = h.component('storage: "sqlite:///x.db", stall_floor: 10h, worker_grace: 2m', { now: clock.now, workers: probe });
    component.poll();
    const a = writer.startTrial(study);
    const b = writer.startTrial(study);
    component.poll();
    clock.at(1 * MIN);
    writer.report(b, 0, 0.5); // b's worker is alive
    component.poll();
    expect(clock.at(5 * MIN) && component.poll()).toEqual([]); // two workers for two trials
    workers = null; // the probe cannot tell: progress alone decides
    expect(clock.at(6 * MIN) && component.poll()).toEqual([]);
    workers = 1; // one worker died
    const events = clock.at(7 * MIN) && component.poll();
    expect(brief(events)).toEqual(['training.trial_stale cappuccino#0']);
    expect(events[0].fields).toMatchObject({ reason: 'no_worker', workers: 1, quiet_for_s: 7 * 60 });
    expect(a).toBe(1);
    workers = 0;
    const later = clock.at(8 * MIN) && component.poll();
    expect(later.map((e) => [e.fields.number, e.fields.reason])).toEqual([[1, 'no_worker']]);
  });

  it('ignores WAITING trials (queued, no worker yet)', () => {
    const component = h.component('storage: "sqlite:///x.db", stall_floor: 10h', { now: clock.now });
    component.poll();
    writer.startTrial(study, 'WAITING');
    component.poll();
    expect(clock.at(10 * 60 * MIN) && component.poll()).toEqual([]);
  });
});

describe('alarms on a journal storage', () => {
  it('flags the sample journal’s killed trials and its stalled study, as for SQLite', () => {
    const h = new Harness(tempDir());
    const clock = new Clock();
    try {
      const file = copySampleJournal(h.workspace);
      const component = h.component('storage: journal.log', { now: clock.now });
      expect(component.poll()).toEqual([]);
      expect(clock.at(29 * MIN) && component.poll()).toEqual([]);
      const events = clock.at(31 * MIN) && component.poll();
      expect(brief(events)).toEqual(['training.stalled sma_cross#', 'training.trial_stale sma_cross#27', 'training.trial_stale sma_cross#28']);
      expect(events[1].fields).toMatchObject({ reason: 'no_progress', quiet_for_s: 31 * 60 });
      // A write for #28 is a sign of life, but the stale flag is once per trial; its finish clears the stall.
      const writer = JournalWriter.onSample(file);
      writer.finish(28, 'FAIL');
      expect(brief(component.poll())).toEqual(['training.trial_failed sma_cross#28']);
      expect(h.state.getCache<StudyCache>('optuna:sma_cross')?.value).toMatchObject({ stalled_since: null, running: 1 });
      expect(h.component('storage: journal.log', { now: clock.now }).poll()).toEqual([]);
    } finally {
      h.close();
    }
  });
});
