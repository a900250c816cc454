import path from 'node:path';
import { Subject } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { notifySchema } from '../../src/config/schema';
import { MuteStore } from '../../src/state/MuteStore';
import { StateStore } from '../../src/state/StateStore';
import type { BaristaEvent } from '../../src/model/BaristaEvent';
import { notificationPolicy } from '../../src/streams/notify/notificationPolicy';
import { useTempDir } from '../support/tempDir';

const tempDir = useTempDir();
const M = 60_000;
const T0 = Date.parse('2026-02-09T07:00:00Z');

describe('MuteStore', () => {
  let clock: number;
  let state: StateStore;
  const open = () => StateStore.open({ path: path.join(tempDir(), 'state.db') });
  beforeEach(() => {
    clock = T0;
    state = open();
  });
  afterEach(() => state.close());

  it('adds, lists the active ones soonest-expiring first, removes and expires', () => {
    const store = new MuteStore(state, () => clock);
    const long = store.add({ matcher: { type: 'risk.*' }, expiresAt: T0 + 60 * M, reason: 'known issue', createdBy: '1234567890123456' });
    const short = store.add({ matcher: { subject: ['trial250_session', 'alpaca_*'], severity: 'warning' }, expiresAt: T0 + 10 * M });
    expect(long).toEqual({ id: expect.any(Number), matcher: { type: 'risk.*' }, reason: 'known issue', createdBy: '1234567890123456', createdAt: T0, expiresAt: T0 + 60 * M });
    expect(store.listActive().map((m) => m.id)).toEqual([short.id, long.id]);

    expect(store.listActive(T0 + 10 * M).map((m) => m.id)).toEqual([long.id]);
    expect(store.mutes()).toHaveLength(2); // expired but not deleted yet: the policy checks expiry itself
    expect(store.expire(T0 + 10 * M).map((m) => m.id)).toEqual([short.id]);
    expect(store.mutes().map((m) => m.id)).toEqual([long.id]);
    expect(state.db.prepare('SELECT count(*) AS n FROM mutes').get()).toEqual({ n: 1 });

    expect(store.remove(long.id)).toBe(true);
    expect(store.remove(long.id)).toBe(false);
    expect(store.listActive()).toEqual([]);
  });

  it('keeps mutes across a restart', () => {
    const first = new MuteStore(state, () => clock);
    const added = first.add({ matcher: { type: 'trade.*', subject: 'trial250_session' }, expiresAt: T0 + 30 * M, reason: 'noisy' });
    state.close();
    state = open();
    expect(new MuteStore(state, () => clock).listActive()).toEqual([added]);
  });

  it.each([
    [{ symbol: 'BTC/USD' }, 'unknown mute matcher key "symbol" (use type, severity, source, subject)'],
    [{ type: '' }, 'mute matcher type: expected a non-empty text or list of texts'],
    [{ type: [] }, 'mute matcher type: expected a non-empty text or list of texts'],
    [{ severity: 'loud' }, 'mute matcher severity: "loud" is not one of debug, info, notice, warning, error, critical'],
    [['risk.*'], 'a mute matcher is an object'],
  ])('refuses the matcher %j', (matcher, message) => {
    const store = new MuteStore(state, () => clock);
    expect(() => store.add({ matcher: matcher as never, expiresAt: T0 + M })).toThrow(message);
    expect(store.mutes()).toEqual([]);
  });

  it('refuses a mute that has already expired', () => {
    expect(() => new MuteStore(state, () => clock).add({ matcher: {}, expiresAt: T0 })).toThrow('a mute must expire in the future');
  });

  it('skips and reports a row it cannot read, keeping it in the table', () => {
    state.db.prepare('INSERT INTO mutes (matcher, reason, created_by, created_at, expires_at) VALUES (?, NULL, NULL, ?, ?)').run('{"type": ', T0, T0 + M);
    state.db.prepare('INSERT INTO mutes (matcher, reason, created_by, created_at, expires_at) VALUES (?, NULL, NULL, ?, ?)').run('{"type":"risk.*"}', T0, T0 + M);
    const store = new MuteStore(state, () => clock);
    expect(store.mutes().map((m) => m.matcher)).toEqual([{ type: 'risk.*' }]);
    expect(store.unreadable).toEqual([{ id: 1, error: expect.stringContaining('mute 1: unreadable matcher') }]);
    expect(state.db.prepare('SELECT count(*) AS n FROM mutes').get()).toEqual({ n: 2 });
  });

  it('is the policy’s MuteLookup: a stored mute silences matching events until it expires', () => {
    const store = new MuteStore(state, () => clock);
    store.add({ matcher: { type: 'risk.*' }, expiresAt: T0 + 5 * M });
    const config = notifySchema.parse({ routes: [{ match: {}, to: 'alerts', group_wait: '0s' }], channels: { alerts: {} } });
    const event = (id: string): BaristaEvent => ({ id, type: 'risk.stop_loss', severity: 'warning', at: new Date(T0).toISOString(), source: 'trader-log', subject: 'trial250', fields: { n: id } });
    const sent: string[] = [];
    const scheduler = new TestScheduler((a, b) => expect(a).toEqual(b));
    scheduler.run(() => {
      const input = new Subject<BaristaEvent>();
      input.pipe(notificationPolicy(config, { scheduler, mutes: store, now: () => T0 + scheduler.now() })).subscribe((n) => sent.push(...n.events.map((e) => e.id)));
      scheduler.schedule(() => input.next(event('at-1m')), M);
      scheduler.schedule(() => input.next(event('at-6m')), 6 * M);
    });
    expect(sent).toEqual(['at-6m']);
  });
});
