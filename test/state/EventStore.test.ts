import path from 'node:path';
import { EventStore } from '../../src/state/EventStore';
import { MIGRATIONS } from '../../src/state/migrations';
import { StateStore } from '../../src/state/StateStore';
import type { BaristaEvent } from '../../src/model/BaristaEvent';
import { useTempDir } from '../support/tempDir';

const tempDir = useTempDir();
const event = (id: string, at = '2026-02-09T07:00:00.000Z'): BaristaEvent => ({ id, type: 'risk.stop_loss', severity: 'warning', at, source: 'trader-log', subject: 'trial250', fields: { symbol: 'BTC/USD' } });

describe('EventStore', () => {
  it('inserts an event id once and returns only the new ones, in order', () => {
    const state = StateStore.open({ path: path.join(tempDir(), 's.db') });
    const store = new EventStore(state);
    expect(store.insertNew([event('a'), event('b')]).map((e) => e.id)).toEqual(['a', 'b']);
    expect(store.insertNew([event('b'), event('c'), event('a')]).map((e) => e.id)).toEqual(['c']); // a replay after a crash
    expect(store.recent(10).map((e) => e.id).sort()).toEqual(['a', 'b', 'c']);
    expect(store.recent(1)[0]).toMatchObject({ type: 'risk.stop_loss', fields: { symbol: 'BTC/USD' }, at: '2026-02-09T07:00:00.000Z' });
    state.close();
  });

  it('prunes events kept longer than the retention', () => {
    const state = StateStore.open({ path: path.join(tempDir(), 's.db') });
    const store = new EventStore(state);
    store.insertNew([event('old')]);
    expect(store.prune(60_000, Date.now() + 120_000)).toBe(1);
    expect(store.recent(10)).toEqual([]);
    state.close();
  });

  it('finds again, in commit order, the events that never reached the outbox', () => {
    const state = StateStore.open({ path: path.join(tempDir(), 's.db') });
    const store = new EventStore(state);
    store.insertNew([event('a'), event('b'), event('c')]);
    store.markNotified(['b']);
    expect(store.unnotified().map((e) => e.id)).toEqual(['a', 'c']);
    store.markNotified(['a', 'c', 'unknown']);
    expect(store.unnotified()).toEqual([]);
    state.close();
  });

  it('counts the events of a state written before notification tracking as notified (no flood on upgrade)', () => {
    const file = path.join(tempDir(), 's.db');
    const before = MIGRATIONS.filter((m) => m.version < 3);
    const old = StateStore.open({ path: file, migrations: before });
    // As that version wrote them (today's insert names columns added since).
    for (const id of ['x', 'y']) old.db.prepare("INSERT INTO events (id, type, severity, at, source, subject, fields, created_at) VALUES (?, 'trade.executed', 'info', 0, 's', 't', '{}', 0)").run(id);
    old.close();
    const upgraded = StateStore.open({ path: file });
    expect(upgraded.info.applied.map((m) => m.version)).toContain(3);
    expect(new EventStore(upgraded).unnotified()).toEqual([]);
    upgraded.close();
  });
});
