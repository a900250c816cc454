import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { StudyCache } from '../../src/streams/optunaTrials';
import { createOptunaStorage, FLOAT, INT, OptunaWriter } from '../fixtures/optuna/optunaFixture';
import { useTempDir } from '../support/tempDir';
import { brief, Harness } from './support';

const tempDir = useTempDir('barista-optuna-');

describe('Optuna schema revisions and storage availability', () => {
  let h: Harness;
  beforeEach(() => {
    h = new Harness(tempDir());
  });
  afterEach(() => h.close());

  it('watches a v3.2.0.a storage (Optuna 3.2–4.x) from its first trial, with the ETA against target_trials', () => {
    const file = path.join(h.workspace, 'x.db');
    createOptunaStorage(file, 'v3.2.0.a');
    const writer = new OptunaWriter(file);
    try {
      const component = h.component();
      expect(component.poll()).toEqual([]);
      const study = writer.createStudy('cappuccino_auto_20260216_0340', ['MAXIMIZE'], { target_trials: 500 });
      writer.trial(study, 'COMPLETE', 0.0152, { learning_rate: [0.0003, FLOAT(1e-5, 1e-2)] }, { mean_sharpe_bot: '0.0123', timeframe: '"1h"' });
      writer.trial(study, 'COMPLETE', 0.0121);
      writer.trial(study, 'PRUNED', null, {}, { kill_reason: '"Trial timeout: 30.2 minutes exceeded 30.0 minute limit"' });
      writer.trial(study, 'COMPLETE', 0.0182);
      const events = component.poll();
      expect(brief(events)).toEqual([
        'training.trial_completed cappuccino_auto_20260216_0340#0',
        'training.best_improved cappuccino_auto_20260216_0340#0',
        'training.trial_completed cappuccino_auto_20260216_0340#1',
        'training.trial_pruned cappuccino_auto_20260216_0340#2',
        'training.trial_completed cappuccino_auto_20260216_0340#3',
        'training.best_improved cappuccino_auto_20260216_0340#3',
      ]);
      expect(events[0].fields).toMatchObject({ mean_sharpe_bot: 0.0123, timeframe: '1h', params: { learning_rate: 0.0003 } });
      expect(events[3].fields).toMatchObject({ value: null, kill_reason: 'Trial timeout: 30.2 minutes exceeded 30.0 minute limit' });
      expect(events[5].fields.previous).toBe(0.0152);
      expect(events[5].fields.improvement).toBeCloseTo(0.003, 6);
      const cache = h.state.getCache<StudyCache>('optuna:cappuccino_auto_20260216_0340')?.value;
      expect(cache).toMatchObject({ total: 4, counts: { COMPLETE: 3, PRUNED: 1 }, target: 500, done: 4, best: { number: 3, value: 0.0182 } });
      // The writer's clock finishes a trial every 180 s: 20 per hour, 496 to go.
      expect(cache?.per_hour).toBeCloseTo(20, 6);
      expect(cache?.eta_s).toBe(89_280);
      expect(events[0].fields).toMatchObject({ target: 500, done: 1, eta_s: null });
      expect(events[4].fields).toMatchObject({ target: 500, done: 4, eta_s: 89_280 });
      expect(events[4].text).toContain('(4/500)');
      expect(cache?.top.map((t) => t.number)).toEqual([3, 0, 1]);
      expect(cache?.recent.map((t) => t.number)).toEqual([3, 2, 1, 0]);
    } finally {
      writer.close();
    }
  });

  it('caches per study for commands: counts, the best top_n with params, the recent_n newest, running, median, rate and ETA', () => {
    const file = path.join(h.workspace, 'x.db');
    createOptunaStorage(file);
    const writer = new OptunaWriter(file);
    try {
      const component = h.component('storage: "sqlite:///x.db", top_n: 2, recent_n: 3');
      component.poll();
      const study = writer.createStudy('s', ['MINIMIZE'], { target_trials: '10' }); // a string attribute counts too
      [0.5, 0.2, 0.9, 0.1].forEach((v, i) => writer.trial(study, 'COMPLETE', v, { window: [10 + i, INT(5, 50)] }));
      writer.trial(study, 'FAIL', null);
      writer.startTrial(study);
      component.poll();
      const cache = h.state.getCache<StudyCache>('optuna:s');
      expect(cache?.value).toMatchObject({ study: 's', directions: ['MINIMIZE'], counts: { COMPLETE: 4, FAIL: 1, RUNNING: 1 }, total: 6, running: 1, target: 10, done: 5, median_duration_s: 90, stalled_since: null });
      expect(cache?.value.top.map((t) => [t.number, t.value, t.params])).toEqual([
        [3, 0.1, { window: 13 }],
        [1, 0.2, { window: 11 }],
      ]);
      expect(cache?.value.recent.map((t) => [t.number, t.state])).toEqual([
        [4, 'FAIL'],
        [3, 'COMPLETE'],
        [2, 'COMPLETE'],
      ]);
      expect(cache?.value.per_hour).toBeCloseTo(20, 6); // one finish every 180 s on the workers' clock
      expect(cache?.value.eta_s).toBe(900); // 5 more at 20 per hour
      expect(cache?.at).toMatch(/^\d{4}-\d\d-\d\dT/);
    } finally {
      writer.close();
    }
  });

  it('reports an unknown revision once, without crashing, and starts watching when it becomes supported', () => {
    const file = path.join(h.workspace, 'x.db');
    createOptunaStorage(file, 'v9.9.0.a');
    const component = h.component();
    const [warning] = component.poll();
    expect(warning).toMatchObject({ type: 'barista.warning', severity: 'warning', source: 'optuna' });
    expect(warning.text).toContain('v9.9.0.a');
    expect(warning.text).toContain('v3.2.0.a');
    expect(component.poll()).toEqual([]);
    expect(h.component().poll()).toEqual([]); // nor after a restart
    expect(h.published).toHaveLength(1);

    const db = new Database(file);
    db.exec("UPDATE alembic_version SET version_num = 'v3.2.0.a'");
    db.close();
    expect(component.poll()).toEqual([]);
    expect(h.published).toHaveLength(1);
    const writer = new OptunaWriter(file);
    writer.trial(writer.createStudy('s'), 'FAIL', null);
    writer.close();
    expect(brief(component.poll())).toEqual(['training.trial_failed s#0']);
  });

  it('treats a SQLite file without alembic_version as an unsupported revision', () => {
    const db = new Database(path.join(h.workspace, 'x.db'));
    db.exec('CREATE TABLE something (x)');
    db.close();
    const [warning] = h.component().poll();
    expect(warning.text).toMatch(/revision none/);
  });

  it('waits for a storage Optuna is still creating (an empty file, then its tables before alembic_version) without a warning', () => {
    const file = path.join(h.workspace, 'x.db');
    const component = h.component();
    expect(component.poll()).toEqual([]);
    new Database(file).close();
    expect(component.poll()).toEqual([]);
    const db = new Database(file);
    db.exec('CREATE TABLE version_info (version_info_id INTEGER PRIMARY KEY, schema_version INTEGER, library_version VARCHAR(256))');
    db.close();
    expect(component.poll()).toEqual([]);
    rmSync(file);
    createOptunaStorage(file);
    const writer = new OptunaWriter(file);
    writer.trial(writer.createStudy('s'), 'PRUNED', 0.5);
    writer.close();
    expect(brief(component.poll())).toEqual(['training.trial_pruned s#0']); // born after the start: news from #0
    expect(h.published.filter((e) => e.type === 'barista.warning')).toEqual([]);
  });

  it('waits for a storage that does not exist yet', () => {
    const component = h.component('storage: "sqlite:///databases/later.db"');
    expect(component.poll()).toEqual([]);
    expect(component.poll()).toEqual([]);
    const file = path.join(h.workspace, 'databases', 'later.db');
    mkdirSync(path.dirname(file));
    createOptunaStorage(file);
    const writer = new OptunaWriter(file);
    const study = writer.createStudy('late');
    const running = writer.startTrial(study);
    expect(component.poll()).toEqual([]);
    writer.finish(running, 'COMPLETE', [1]);
    writer.close();
    expect(brief(component.poll())).toEqual(['training.trial_completed late#0', 'training.best_improved late#0']);
  });

  it('warns once about a storage URL it cannot read (Redis…), without its password', () => {
    const component = h.component('storage: "redis://optuna:s3cret@db.local/0"');
    component.start();
    component.stop();
    h.component('storage: "redis://optuna:s3cret@db.local/0"').start();
    expect(h.published.map((e) => e.type)).toEqual(['barista.warning']);
    expect(h.published[0].text).toMatch(/redis:\/\/…@db.local\/0 is not watched/);
    expect(JSON.stringify(h.published[0])).not.toContain('s3cret');
  });
});
