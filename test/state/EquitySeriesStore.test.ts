import path from 'node:path';
import { EquitySeriesStore, hourlyCutoff, keepsNewest } from '../../src/state/EquitySeriesStore';
import { StateStore } from '../../src/state/StateStore';
import { useTempDir } from '../support/tempDir';

const tempDir = useTempDir();
const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const T0 = Date.parse('2026-01-01T00:00:00Z');

describe('EquitySeriesStore', () => {
  let state: StateStore;
  beforeEach(() => {
    state = StateStore.open({ path: path.join(tempDir(), 's.db') });
  });
  afterEach(() => state.close());

  it('keeps a point every 5 minutes of 1-minute bars, and always the newest', () => {
    const store = new EquitySeriesStore(state);
    for (let m = 0; m <= 32; m += 1) store.record('a', { at: T0 + m * MIN, total: 100 + m, cash: 1 });
    expect(store.points('a').map((p) => (p.at - T0) / MIN)).toEqual([0, 5, 10, 15, 20, 25, 30, 32]);
    expect(store.points('a').at(-1)?.total).toBe(132);
  });

  it('ignores a point not newer than the newest (a replay)', () => {
    const store = new EquitySeriesStore(state);
    store.record('a', { at: T0, total: 1, cash: 1 });
    store.record('a', { at: T0 + 10 * MIN, total: 2, cash: 1 });
    store.record('a', { at: T0 + 10 * MIN, total: 99, cash: 1 });
    store.record('a', { at: T0 + 5 * MIN, total: 99, cash: 1 });
    expect(store.points('a').map((p) => p.total)).toEqual([1, 2]);
  });

  it('thins beyond a week to the first point of each hour and drops beyond a year: a year of 1-minute bars stays bounded', () => {
    const store = new EquitySeriesStore(state);
    // 400 days of 15-minute bars, then 8 days of 1-minute bars.
    let at = T0;
    state.transaction(() => {
      for (; at < T0 + 400 * DAY; at += 15 * MIN) store.record('a', { at, total: 1, cash: 1 });
      for (const end = at + 8 * DAY; at < end; at += MIN) store.record('a', { at, total: 1, cash: 1 });
    });
    const newest = at - MIN;
    const points = store.points('a');
    // Thinning runs once per hour of data, so the year is cut at most an hour late.
    expect(points[0].at).toBeGreaterThanOrEqual(newest - 365 * DAY - HOUR);
    const cutoff = hourlyCutoff(newest, 7 * DAY);
    const old = points.filter((p) => p.at < cutoff);
    expect(new Set(old.map((p) => Math.floor(p.at / HOUR))).size).toBe(old.length); // one per hour
    const recent = points.filter((p) => p.at >= cutoff);
    recent.slice(1, -1).forEach((p, i) => expect(p.at - recent[i].at).toBeGreaterThanOrEqual(5 * MIN));
    expect(points.length).toBeLessThan(358 * 24 + 8 * 24 * 12 + 10);
  });

  it('pure rules', () => {
    expect(keepsNewest(null, T0, 5 * MIN)).toBe(true);
    expect(keepsNewest(T0, T0 + 4 * MIN, 5 * MIN)).toBe(false);
    expect(keepsNewest(T0, T0 + 5 * MIN, 5 * MIN)).toBe(true);
    expect(hourlyCutoff(T0 + 7 * DAY + 90 * MIN, 7 * DAY)).toBe(T0 + HOUR);
  });
});
