import { createHash } from 'node:crypto';
import path from 'node:path';
import { readFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { applySnapshot, decodeParam, decodeTrial, decodeValue, emptyView, jsonSafe, parseLenientJson, restoreView, studyCache, toPythonJson, workerClockMs } from '../../src/streams/optunaTrials';
import type { OptunaSnapshot } from '../../src/watchers/optunaRecords';
import { OptunaStorage, resolveSqliteStorage } from '../../src/watchers/OptunaStorage';
import { copySample } from '../fixtures/optuna/optunaFixture';
import { useTempDir } from '../support/tempDir';
import { expectSameAsOptuna, type OptunaDump } from './support';

const tempDir = useTempDir('barista-optuna-');

function readAll(file: string): OptunaSnapshot {
  const storage = new OptunaStorage(file, { chunk: 1000 });
  try {
    const result = storage.read({ watermark: 0, open: [] });
    if (result.kind !== 'snapshot') throw new Error(`expected a snapshot, got ${result.kind}`);
    expect(result.revision).toBe('v3.0.0.d');
    return result.snapshot;
  } finally {
    storage.close();
  }
}

function trial(snapshot: OptunaSnapshot, study: string, number: number) {
  const studyId = snapshot.studies.find((s) => s.name === study)?.studyId;
  const row = snapshot.trials.find((t) => t.studyId === studyId && t.number === number);
  if (!row) throw new Error(`no trial ${study}#${number}`);
  return decodeTrial(row, snapshot.details.get(row.trialId));
}

describe('decoding the shared sample storage (x.db, Optuna 3.1)', () => {
  let snapshot: OptunaSnapshot;
  beforeEach(() => {
    snapshot = readAll(copySample(tempDir()));
  });

  it('gives every trial exactly as Optuna reads it (study.trials dumped by Optuna 3.1 into x.trials.json)', () => {
    const dump = JSON.parse(readFileSync(path.join(__dirname, '..', 'fixtures', 'optuna', 'x.trials.json'), 'utf8')) as OptunaDump;
    expectSameAsOptuna(snapshot, dump);
  });

  it('reads studies with their directions (by objective) and user attributes', () => {
    expect(snapshot.studies.map((s) => [s.studyId, s.name, s.directions])).toEqual([
      [1, 'sma_cross', ['MAXIMIZE']],
      [2, 'multi_obj', ['MAXIMIZE', 'MINIMIZE']],
      [3, 'second', ['MINIMIZE']],
    ]);
    expect(snapshot.studies[0].userAttrs).toEqual({ symbol: '"BTC-USD"', timeframe: '"1h"' });
    expect(snapshot.trials).toHaveLength(48);
    expect(snapshot.maxTrialId).toBe(48);
    expect(snapshot.more).toBe(false);
  });

  it('decodes categorical params by index into their choices (strings and booleans), ints as ints, floats as they are', () => {
    const t0 = trial(snapshot, 'sma_cross', 0);
    expect(t0.params).toEqual({ strategy: 'ema', use_stop: true, window: 44, lr: 0.00029375384576328325, stop_pct: 0.01 });
    expect(Number.isInteger(t0.params.window)).toBe(true);
    expect(t0.values).toEqual([0.8804189419117168]);
    expect(t0.userAttrs).toEqual({ sharpe: 1.8489, total_return: 0.3258, equity_tail: [1.0, 1.01, 0.99, 1.0880418941911716] });
    expect(t0.durationS).toBeCloseTo(0.072, 2) // ms resolution;
  });

  it('turns value_type INF_POS into +Infinity, keeps a PRUNED trial its last intermediate value, gives FAIL no value', () => {
    expect(trial(snapshot, 'sma_cross', 21).values).toEqual([Infinity]);
    const pruned = trial(snapshot, 'sma_cross', 2);
    expect(pruned.state).toBe('PRUNED');
    expect(pruned.values).toEqual([0.423940720257301]);
    expect(pruned.intermediateCount).toBeGreaterThan(0);
    const nanObjective = trial(snapshot, 'sma_cross', 12);
    expect([nanObjective.state, nanObjective.values]).toEqual(['FAIL', []]);
  });

  it('orders multi-objective values by objective', () => {
    expect(trial(snapshot, 'multi_obj', 0).values).toEqual([6.17022004702574, 15.007654582255004]);
  });

  it('reads RUNNING and WAITING trials without details (a WAITING one has no start)', () => {
    const open = snapshot.trials.filter((t) => t.state === 'RUNNING' || t.state === 'WAITING');
    expect(open.map((t) => [t.trialId, t.state])).toEqual([
      [28, 'RUNNING'],
      [29, 'RUNNING'],
      [30, 'WAITING'],
    ]);
    expect(open[2].datetimeStart).toBeNull();
    expect(open.some((t) => snapshot.details.has(t.trialId))).toBe(false);
  });

  it('builds the view silently on first sight, inf-aware best per direction, counts by state', () => {
    const { view, drafts } = applySnapshot(emptyView(), snapshot, { now: 0 });
    expect(drafts).toEqual([]);
    const [sma, multi, second] = ['1', '2', '3'].map((id) => view.studies[id]);
    expect(sma.counts).toEqual({ COMPLETE: 10, PRUNED: 13, FAIL: 4, RUNNING: 2, WAITING: 1 });
    expect(sma.best).toEqual({ number: 21, value: 'Infinity' }); // as Optuna ≥ 3.2 and the journal say
    expect(second.best?.number).toBe(0);
    expect(second.best?.value).toBeCloseTo(0.968, 3);
    expect(multi.best).toBeNull(); // no single best with two objectives
    expect(Object.keys(view.open)).toEqual(['28', '29', '30']);
    expect(view.watermark).toBe(48);
    expect(view.baseline).toBeNull();
    const cache = studyCache(sma);
    expect(cache.top.map((t) => t.number)[0]).toBe(21);
    expect(cache.top).toHaveLength(5);
    expect(cache.total).toBe(30);
  });

  it('never writes to the storage it reads', () => {
    const file = copySample(tempDir(), 'y.db');
    const hash = () => createHash('sha256').update(readFileSync(file)).digest('hex');
    const before = hash();
    readAll(file);
    expect(hash()).toBe(before);
  });

  it('reads NaN and ±Infinity in value_json (Python json.dumps tokens)', () => {
    const file = copySample(tempDir(), 'nan.db');
    const db = new Database(file);
    db.prepare('UPDATE trial_user_attributes SET value_json = ? WHERE trial_id = 1 AND key = ?').run('NaN', 'sharpe');
    db.prepare('UPDATE trial_user_attributes SET value_json = ? WHERE trial_id = 1 AND key = ?').run('[1.0, -Infinity, Infinity]', 'equity_tail');
    db.close();
    const attrs = trial(readAll(file), 'sma_cross', 0).userAttrs;
    expect(attrs.sharpe).toBeNaN();
    expect(attrs.equity_tail).toEqual([1, -Infinity, Infinity]);
    expect(jsonSafe(attrs)).toEqual({ sharpe: 'NaN', total_return: 0.3258, equity_tail: [1, '-Infinity', 'Infinity'] });
  });
});

describe('restoring a stored view', () => {
  it('upgrades a view checkpointed by the first version (no timings) and leaves a current one as it is', () => {
    const v1 = { version: 1, seen: true, watermark: 5, known: 5, watermarkTrial: null, open: { '5': { studyId: 1, number: 4, state: 'RUNNING', start: null } }, baseline: null, studies: { '1': { name: 's', directions: ['MAXIMIZE'], userAttrs: {}, counts: { RUNNING: 1 }, best: null, top: [], recent: [], finishedSeenAt: [1, 2] } } };
    const view = restoreView(v1, 1234);
    expect(view.version).toBe(2);
    expect(view.open['5']).toEqual({ studyId: 1, number: 4, state: 'RUNNING', start: null, seenAt: 1234, progressAt: 1234, signature: null, heartbeat: null, stale: false });
    expect(view.studies['1']).toMatchObject({ durations: [], finishedAt: [], lastFinishSeenAt: null, busySince: null, stalledSince: null });
    expect(view.studies['1']).not.toHaveProperty('finishedSeenAt');
    expect(restoreView(view, 99)).toEqual(view);
    expect(restoreView(undefined, 99)).toEqual(emptyView());
  });
});

describe('decoding rules', () => {
  it('parses Python JSON tokens only outside strings', () => {
    expect(parseLenientJson('{"a": NaN, "b": -Infinity, "c": "NaN and Infinity", "d": [Infinity]}')).toEqual({ a: NaN, b: -Infinity, c: 'NaN and Infinity', d: [Infinity] });
    expect(parseLenientJson('{"q": "say \\"NaN\\"", "n": NaN}')).toEqual({ q: 'say "NaN"', n: NaN });
    expect(() => parseLenientJson('{"a": nan}')).toThrow();
  });

  it('writes Python JSON back (NaN and ±Infinity as bare tokens) so the journal model round-trips', () => {
    const value = { a: NaN, b: [Infinity, -Infinity, 1.5], c: 'NaN' };
    expect(toPythonJson(value)).toBe('{"a":NaN,"b":[Infinity,-Infinity,1.5],"c":"NaN"}');
    expect(parseLenientJson(toPythonJson(value))).toEqual(value);
  });

  it('reads worker times with or without a zone (Optuna 5 writes +00:00)', () => {
    expect(workerClockMs('2026-11-24 08:44:09.277785')).toBe(Date.parse('2026-11-24T08:44:09.277Z'));
    expect(workerClockMs('2026-11-24T08:44:09.277785')).toBe(Date.parse('2026-11-24T08:44:09.277Z'));
    expect(workerClockMs('2026-11-24T10:44:09.277785+02:00')).toBe(Date.parse('2026-11-24T08:44:09.277Z'));
    expect(workerClockMs('yesterday')).toBeNull();
  });

  it('decodes ±inf and NaN from their types', () => {
    expect(decodeValue(null, 'INF_POS')).toBe(Infinity);
    expect(decodeValue(null, 'INF_NEG')).toBe(-Infinity);
    expect(decodeValue(null, 'NAN')).toBeNaN();
    expect(decodeValue(0.25, 'FINITE')).toBe(0.25);
  });

  it('decodes categorical choices of every JSON type and pre-3.0 distribution names', () => {
    const categorical = JSON.stringify({ name: 'CategoricalDistribution', attributes: { choices: [null, 64, 0.5, false, 'x'] } });
    expect([0, 1, 2, 3, 4].map((i) => decodeParam(i, categorical))).toEqual([null, 64, 0.5, false, 'x']);
    expect(decodeParam(7.0000001, JSON.stringify({ name: 'IntUniformDistribution', attributes: { low: 1, high: 9 } }))).toBe(7);
    expect(decodeParam(8, JSON.stringify({ name: 'IntLogUniformDistribution', attributes: { low: 1, high: 9 } }))).toBe(8);
    expect(decodeParam(0.125, JSON.stringify({ name: 'LogUniformDistribution', attributes: { low: 0.1, high: 1 } }))).toBe(0.125);
    expect(decodeParam(0.3, JSON.stringify({ name: 'DiscreteUniformDistribution', attributes: { low: 0, high: 1, q: 0.1 } }))).toBe(0.3);
  });

  it('resolves sqlite URLs against the workspace', () => {
    expect(resolveSqliteStorage('sqlite:///databases/optuna_cappuccino.db', '/opt/cap')).toBe('/opt/cap/databases/optuna_cappuccino.db');
    expect(resolveSqliteStorage('sqlite:////var/lib/optuna.db', '/opt/cap')).toBe('/var/lib/optuna.db');
    expect(resolveSqliteStorage('sqlite:///x.db?timeout=30', '/w')).toBe('/w/x.db');
    expect(resolveSqliteStorage('logs/journal.log', '/w')).toBeNull();
  });
});
