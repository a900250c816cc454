/**
 * The notification policy on virtual time: events are fed at chosen virtual milliseconds and
 * every Notification is recorded with the virtual time it came out.
 */
import { Subject } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { notifySchema } from '../../../src/config/schema';
import type { BaristaEvent } from '../../../src/model/BaristaEvent';
import type { Mute, MuteLookup } from '../../../src/model/mute';
import type { Notification } from '../../../src/streams/notify/Notification';
import { newPolicyStats, notificationPolicy, type DropReason, type NotificationPolicyOptions } from '../../../src/streams/notify/notificationPolicy';
import { compileRoutes } from '../../../src/streams/notify/routes';

const S = 1000;
const M = 60 * S;
const H = 60 * M;

let seq = 0;
const event = (over: Partial<BaristaEvent> = {}): BaristaEvent => ({
  id: `e${++seq}`,
  type: 'trade.executed',
  severity: 'info',
  at: '2026-02-09T07:00:00.000Z',
  source: 'sessions',
  subject: 'trial250_session',
  fields: { symbol: 'BTC/USD', qty: seq },
  ...over,
});

/** One route per test unless given: trades grouped by subject, Alertmanager-like timing. */
const config = (routes: unknown[] = [{ match: { type: 'trade.*' }, to: 'trades', group_by: ['subject'] }], defaults: unknown = { group_wait: '10s', group_interval: '2m', repeat_interval: '4h' }) =>
  notifySchema.parse({ defaults, routes, channels: { trades: {}, alerts: {}, archive: {}, training: {} } });

/** What happens at a virtual time: an event, a flush, the end of the input, or a test action. */
type Feed = [atMs: number, what: BaristaEvent | 'flush' | 'complete' | (() => void)];
interface Sent {
  at: number;
  channel: string;
  key: string;
  ids: string[];
  silent: boolean;
  repeats?: number;
}

function play(cfg: Parameters<typeof notificationPolicy>[0], feed: Feed[], options: Omit<NotificationPolicyOptions, 'scheduler' | 'flush$'> = {}) {
  const sent: Sent[] = [];
  const raw: Notification[] = [];
  let completedAt: number | null = null;
  const scheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
  scheduler.run(() => {
    const input = new Subject<BaristaEvent>();
    const flush = new Subject<void>();
    // The feed is scheduled first, so at an equal virtual time an input comes before a timer.
    for (const [at, what] of feed) {
      scheduler.schedule(() => (what === 'flush' ? flush.next() : what === 'complete' ? input.complete() : typeof what === 'function' ? what() : input.next(what)), at);
    }
    input.pipe(notificationPolicy(cfg, { ...options, scheduler, flush$: flush })).subscribe({
      next: (n) => {
        raw.push(n);
        sent.push({ at: scheduler.now(), channel: n.channel, key: n.groupKey, ids: n.events.map((e) => e.id), silent: n.silent, ...(n.suppressedRepeats !== undefined ? { repeats: n.suppressedRepeats } : {}) });
      },
      complete: () => {
        completedAt = scheduler.now();
      },
    });
  });
  return { sent, raw, completedAt: completedAt as number | null };
}

beforeEach(() => {
  seq = 0;
});

describe('grouping', () => {
  it('a new group waits group_wait, then sends everything it collected in one notification', () => {
    const a = [event(), event(), event()];
    const b = event({ subject: 'alpaca_session' });
    const { sent, raw } = play(config(), [
      [0, a[0]],
      [3 * S, a[1]],
      [5 * S, b],
      [9 * S, a[2]],
    ]);
    expect(sent).toEqual([
      { at: 10 * S, channel: 'trades', key: '0|subject=trial250_session', ids: ['e1', 'e2', 'e3'], silent: false },
      { at: 15 * S, channel: 'trades', key: '0|subject=alpaca_session', ids: ['e4'], silent: false },
    ]);
    expect(raw[0]).toEqual({ channel: 'trades', route: 0, groupKey: '0|subject=trial250_session', groupLabels: { subject: 'trial250_session' }, events: a, silent: false });
  });

  it('later events of a live group go out at most every group_interval, batched; an idle group is forgotten', () => {
    const { sent } = play(config(), [
      [0, event()], // e1: new group, sent at 10s
      [20 * S, event()], // e2, e3: wait for 10s + 2m
      [50 * S, event()],
      [200 * S, event()], // e4: next due time is 130s + 2m = 250s
      // At 370s the group has nothing to send: it is forgotten.
      [400 * S, event()], // e5: a new group, so group_wait again
    ]);
    expect(sent.map((s) => [s.at / S, s.ids])).toEqual([
      [10, ['e1']],
      [130, ['e2', 'e3']],
      [250, ['e4']],
      [410, ['e5']],
    ]);
  });

  it('sends nothing when a live group receives nothing', () => {
    const { sent } = play(config(), [[0, event()]]);
    expect(sent.map((s) => s.at)).toEqual([10 * S]);
  });

  it('group_wait 0 sends at once (ungrouped latency), still batching events of the same instant', () => {
    const { sent } = play(config([{ match: {}, to: 'alerts', group_wait: '0s' }]), [
      [5 * S, event({ type: 'trader.exited' })],
      [5 * S, event({ type: 'trader.exited', subject: 'other' })],
    ]);
    expect(sent).toEqual([{ at: 5 * S, channel: 'alerts', key: '0', ids: ['e1', 'e2'], silent: false }]);
  });

  it('groups by any mix of labels, fields included', () => {
    const cfg = config([{ match: {}, to: 'alerts', group_by: ['type', 'fields.symbol'] }]);
    const { sent } = play(cfg, [
      [0, event({ type: 'risk.stop_loss', fields: { symbol: 'BTC/USD' } })],
      [1 * S, event({ type: 'risk.stop_loss', fields: { symbol: 'ETH/USD' } })],
      [2 * S, event({ type: 'risk.stop_loss', subject: 'another', fields: { symbol: 'BTC/USD' } })],
      [3 * S, event({ type: 'risk.trailing_stop', fields: { symbol: 'BTC/USD' } })],
    ]);
    expect(sent.map((s) => [s.key, s.ids])).toEqual([
      ['0|type=risk.stop_loss|fields.symbol=BTC/USD', ['e1', 'e3']],
      ['0|type=risk.stop_loss|fields.symbol=ETH/USD', ['e2']],
      ['0|type=risk.trailing_stop|fields.symbol=BTC/USD', ['e4']],
    ]);
  });

  it('sends one notification per channel of the route, and keeps the silent flag', () => {
    const cfg = config([{ match: { type: 'training.*' }, to: ['training', 'archive'], mode: 'silent', group_by: ['type'] }]);
    const { sent } = play(cfg, [[0, event({ type: 'training.best_improved', source: 'optuna', subject: 'study' })]]);
    expect(sent).toEqual([
      { at: 10 * S, channel: 'training', key: '0|type=training.best_improved', ids: ['e1'], silent: true },
      { at: 10 * S, channel: 'archive', key: '0|type=training.best_improved', ids: ['e1'], silent: true },
    ]);
  });

  it('accounts for every one of 10,000 trades sent within 10 s, in a handful of notifications', () => {
    const feed: Feed[] = Array.from({ length: 10_000 }, (_, i) => [i, event({ subject: `trader${i % 3}` })]);
    const { sent } = play(config(), feed);
    expect(sent.flatMap((s) => s.ids).sort()).toEqual(feed.map(([, e]) => (e as BaristaEvent).id).sort());
    // Per trader: the first group_wait, then at most one per group_interval.
    expect(sent).toHaveLength(3);
  });
});

describe('routing inside the policy', () => {
  const cfg = config([
    { match: { type: 'portfolio.snapshot' }, mode: 'off' },
    { match: { severity: 'critical' }, to: 'alerts', continue: true, group_wait: '0s' },
    { match: { type: 'trade.*' }, to: 'trades', group_by: ['subject'] },
  ]);

  it('sends through every matching route up to the first one without continue; off and unrouted send nothing', () => {
    const stats = newPolicyStats();
    const drops: [string, DropReason, string | undefined][] = [];
    const { sent } = play(
      cfg,
      [
        [0, event({ type: 'trade.executed', severity: 'critical' })],
        [1 * S, event({ type: 'portfolio.snapshot' })],
        [2 * S, event({ type: 'host.disk', source: 'procs' })],
      ],
      { stats, onDrop: (e, reason, detail) => drops.push([e.id, reason, detail]) },
    );
    expect(sent.map((s) => [s.at, s.channel, s.key, s.ids])).toEqual([
      [0, 'alerts', '1', ['e1']],
      [10 * S, 'trades', '2|subject=trial250_session', ['e1']],
    ]);
    expect(drops).toEqual([
      ['e2', 'off', 'route 0'],
      ['e3', 'unrouted', undefined],
    ]);
    expect(stats).toMatchObject({ events: 3, off: 1, unrouted: 1, notifications: 2 });
  });

  it('accepts routes compiled once', () => {
    const { sent } = play(compileRoutes(cfg), [[0, event({ type: 'trade.executed', severity: 'critical' })]]);
    expect(sent.map((s) => [s.channel, s.key])).toEqual([
      ['alerts', '1'],
      ['trades', '2|subject=trial250_session'],
    ]);
  });
});

describe('repeat_interval', () => {
  const cfg = config([{ match: {}, to: 'alerts', group_by: ['subject'], repeat_interval: '1h' }]);
  const alert = (over: Partial<BaristaEvent> = {}) => event({ type: 'error.fetch', severity: 'error', source: 'trader-log', fields: { symbol: 'BTC/USD' }, text: '❌ Error fetching data for BTC/USD', ...over });

  it('suppresses the same alert within the window, counts it, and reports the count in the group’s next notification', () => {
    const stats = newPolicyStats();
    const { sent } = play(
      cfg,
      [
        [0, alert()], // e1 sent at 10s
        [30 * S, alert()], // e2 repeat
        [5 * M, alert()], // e3 repeat
        [20 * M, alert({ type: 'risk.stop_loss', text: 'STOP-LOSS BTC/USD' })], // e4: another alert of the same group
        [61 * M, alert()], // e5: the window (from e1 at 0) has passed: sent
        [62 * M, alert()], // e6 repeat of e5
        [3 * H, alert()], // e7: sent, with e6 counted
      ],
      { stats },
    );
    expect(sent.map((s) => [s.at, s.ids, s.repeats])).toEqual([
      [10 * S, ['e1'], undefined],
      [20 * M + 10 * S, ['e4'], 2],
      [61 * M + 10 * S, ['e5'], undefined],
      [3 * H + 10 * S, ['e7'], 1],
    ]);
    expect(stats.repeats).toBe(3);
  });

  it('reports repeats that arrive during group_wait in that same notification', () => {
    const { sent } = play(cfg, [
      [0, alert()],
      [2 * S, alert()],
      [4 * S, alert()],
    ]);
    expect(sent).toEqual([{ at: 10 * S, channel: 'alerts', key: '0|subject=trial250_session', ids: ['e1'], silent: false, repeats: 2 }]);
  });

  it('treats a different text, field value, subject or severity as a different alert', () => {
    const { sent } = play(cfg, [
      [0, alert()],
      [1 * S, alert({ text: '❌ Error fetching data for ETH/USD' })],
      [2 * S, alert({ fields: { symbol: 'ETH/USD' } })],
      [3 * S, alert({ severity: 'critical' })],
      [4 * S, alert({ fields: { symbol: 'BTC/USD' } })], // same as e1 (the fields in another object)
    ]);
    expect(sent.map((s) => [s.ids, s.repeats])).toEqual([[['e1', 'e2', 'e3', 'e4'], 1]]);
  });

  it('is per route: an alert let through by one route is not a repeat for another', () => {
    const two = config([
      { match: {}, to: 'alerts', continue: true, repeat_interval: '1h' },
      { match: {}, to: 'archive', repeat_interval: '0s' },
    ]);
    const { sent } = play(two, [
      [0, alert()],
      [1 * S, alert()],
    ]);
    expect(sent.map((s) => [s.channel, s.ids, s.repeats])).toEqual([
      ['alerts', ['e1'], 1],
      ['archive', ['e1', 'e2'], undefined],
    ]);
  });

  it('calls a repeat final only when every route it matched suppressed it (a caller may then settle it for good)', () => {
    const two = config([
      { match: {}, to: 'alerts', continue: true, repeat_interval: '1h' },
      { match: { severity: 'critical' }, to: 'archive', repeat_interval: '1h' },
      { match: {}, to: 'archive', repeat_interval: '0s' },
    ]);
    const drops: [string, string, string | undefined, boolean][] = [];
    play(
      two,
      [
        [0, alert()], // e1: routes 0 and 2
        [1 * S, alert()], // e2: a repeat on route 0; route 2 takes it
        [2 * S, alert({ severity: 'critical' })], // e3: routes 0 and 1
        [3 * S, alert({ severity: 'critical' })], // e4: a repeat on both: nothing sends it
      ],
      { onDrop: (e, reason, detail, final) => drops.push([e.id, reason, detail, final]) },
    );
    expect(drops).toEqual([
      ['e2', 'repeat', 'route 0', false],
      ['e4', 'repeat', 'route 0', true],
      ['e4', 'repeat', 'route 1', true],
    ]);
  });
});

describe('dedupe by event id', () => {
  it('drops an id seen before, within the recent-id bound', () => {
    const stats = newPolicyStats();
    const a = event({ id: 'a' });
    const b = event({ id: 'b', fields: { n: 2 } });
    const c = event({ id: 'c', fields: { n: 3 } });
    const { sent } = play(
      config(),
      [
        [0, a],
        [1 * S, { ...a }],
        [2 * S, b],
        [3 * S, c], // remembers only b and c now
        [4 * S, { ...a, fields: { again: true } }], // forgotten, so sent again
      ],
      { stats, recentIds: 2 },
    );
    expect(sent.map((s) => s.ids)).toEqual([['a', 'b', 'c', 'a']]);
    expect(stats.duplicates).toBe(1);
  });
});

describe('inhibition', () => {
  const cfg = config([{ match: {}, to: 'alerts', group_wait: '0s', repeat_interval: '0s' }]);
  const t = (type: string, subject = 'trial250_session', severity: BaristaEvent['severity'] = 'warning') => event({ type, subject, severity, fields: { n: seq } });

  it('a trader that is down mutes its own stale repeats and risk events until it is back', () => {
    const drops: [string, string | undefined][] = [];
    const { sent } = play(
      cfg,
      [
        [0, t('trader.stale')], // e1 sent: the down event itself
        [1 * M, t('risk.stop_loss')], // e2 inhibited
        [2 * M, t('trader.stale')], // e3 inhibited (a repeat while down)
        [3 * M, t('risk.stop_loss', 'alpaca_session')], // e4 sent: another trader
        [4 * M, t('trade.executed', 'trial250_session', 'info')], // e5 sent: not an inhibited type
        [5 * M, t('trader.recovered', 'trial250_session', 'info')], // e6 sent: up again
        [6 * M, t('risk.stop_loss')], // e7 sent
        [7 * M, t('trader.exited', 'trial250_session', 'error')], // e8 sent: down again
        [8 * M, t('risk.concentration_cap')], // e9 inhibited
        [9 * M, t('trader.interrupted')], // e10 sent: not in the muted list
        [10 * M, t('trader.started', 'trial250_session', 'info')], // e11 sent
        [11 * M, t('risk.stop_loss')], // e12 sent
      ],
      { onDrop: (e, reason, detail) => drops.push([e.id, `${reason}:${detail}`]) },
    );
    expect(sent.flatMap((s) => s.ids)).toEqual(['e1', 'e4', 'e5', 'e6', 'e7', 'e8', 'e10', 'e11', 'e12']);
    expect(drops).toEqual([
      ['e2', 'inhibited:trader-down'],
      ['e3', 'inhibited:trader-down'],
      ['e9', 'inhibited:trader-down'],
    ]);
  });

  it('matches on equal subjects only (log stem and CSV stem differ today)', () => {
    const { sent } = play(cfg, [
      [0, t('trader.exited', 'paper_trader_trial250')],
      [1 * M, t('risk.stop_loss', 'trial250_session')],
      [2 * M, t('risk.stop_loss', 'paper_trader_trial250')],
    ]);
    expect(sent.flatMap((s) => s.ids)).toEqual(['e1', 'e2']);
  });

  it('takes its rules as data; [] turns it off', () => {
    const custom = [{ name: 'study-stalled', down: ['training.study_stalled'], up: ['training.trial_completed'], mutes: ['training.trial_stale'] }];
    const feed: Feed[] = [
      [0, t('training.study_stalled', 'study')],
      [1 * M, t('training.trial_stale', 'study')],
      [2 * M, t('trader.stale')],
      [3 * M, t('risk.stop_loss')],
    ];
    // Each run is a new subscription with its own state.
    expect(play(cfg, feed, { inhibitRules: custom }).sent.flatMap((s) => s.ids)).toEqual(['e1', 'e3', 'e4']);
    expect(play(cfg, feed).sent.flatMap((s) => s.ids)).toEqual(['e1', 'e2', 'e3']);
    expect(play(cfg, feed, { inhibitRules: [] }).sent.flatMap((s) => s.ids)).toEqual(['e1', 'e2', 'e3', 'e4']);
  });
});

describe('mutes', () => {
  const cfg = config([{ match: {}, to: 'alerts', group_wait: '0s', repeat_interval: '0s' }]);
  const mute = (over: Partial<Mute>): Mute => ({ id: 1, matcher: {}, reason: null, createdBy: null, createdAt: 0, expiresAt: 5 * M, ...over });

  it('drops matching events until the mute expires, by the scheduler’s clock, and counts them', () => {
    const stats = newPolicyStats();
    const lookup: MuteLookup = { mutes: () => [mute({ matcher: { type: 'risk.*', subject: 'trial250_*' } })] };
    const drops: string[] = [];
    const { sent } = play(
      cfg,
      [
        [1 * M, event({ type: 'risk.stop_loss' })], // muted
        [2 * M, event({ type: 'risk.stop_loss', subject: 'alpaca_session' })], // other subject
        [3 * M, event({ type: 'training.trial_failed' })], // other type
        [5 * M - 1, event({ type: 'risk.stop_loss' })], // muted (last millisecond)
        [5 * M, event({ type: 'risk.stop_loss' })], // expired
      ],
      { mutes: lookup, stats, onDrop: (e, reason, detail) => drops.push(`${e.id} ${reason} ${detail}`) },
    );
    expect(sent.flatMap((s) => s.ids)).toEqual(['e2', 'e3', 'e5']);
    expect(drops).toEqual(['e1 muted mute 1', 'e4 muted mute 1']);
    expect(stats.muted).toBe(2);
  });

  it('asks the lookup on every event, so a mute added or removed later applies at once', () => {
    let current: Mute[] = [];
    const { sent } = play(
      cfg,
      [
        [0, event({ type: 'risk.stop_loss' })],
        [1 * M, () => (current = [mute({ expiresAt: 10 * H })])],
        [2 * M, event({ type: 'risk.stop_loss' })],
        [3 * M, () => (current = [])],
        [4 * M, event({ type: 'risk.stop_loss' })],
      ],
      { mutes: { mutes: () => current } },
    );
    expect(sent.flatMap((s) => s.ids)).toEqual(['e1', 'e3']);
  });

  it('checks expiry against the now() it is given (wall-clock epoch ms)', () => {
    const base = Date.parse('2026-02-09T07:00:00Z');
    let clock = base;
    const lookup: MuteLookup = { mutes: () => [mute({ expiresAt: base + 30 * M })] };
    const feed: Feed[] = [[0, event()]];
    expect(play(cfg, feed, { mutes: lookup, now: () => clock }).sent).toEqual([]);
    clock = base + 31 * M;
    expect(play(cfg, feed, { mutes: lookup, now: () => clock }).sent).toHaveLength(1);
  });
});

describe('stopping', () => {
  it('sends every pending group at once when the input completes, then completes', () => {
    const { sent, completedAt } = play(config(), [
      [0, event()],
      [1 * S, event({ subject: 'alpaca_session' })],
      [3 * S, 'complete'],
    ]);
    expect(sent.map((s) => [s.at, s.ids])).toEqual([
      [3 * S, ['e1']],
      [3 * S, ['e2']],
    ]);
    expect(completedAt).toBe(3 * S);
  });

  it('also sends groups already past their first notification, and only what is pending', () => {
    const { sent, completedAt } = play(config(), [
      [0, event()],
      [20 * S, event()],
      [30 * S, 'complete'],
    ]);
    expect(sent.map((s) => [s.at, s.ids])).toEqual([
      [10 * S, ['e1']],
      [30 * S, ['e2']],
    ]);
    expect(completedAt).toBe(30 * S);
  });

  it('sends what is pending before passing an input error on', () => {
    const seen: string[] = [];
    const scheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
    scheduler.run(() => {
      const input = new Subject<BaristaEvent>();
      input.pipe(notificationPolicy(config(), { scheduler })).subscribe({
        next: (n) => seen.push(`${scheduler.now()} ${n.events.map((e) => e.id).join(',')}`),
        error: (error: Error) => seen.push(`${scheduler.now()} error ${error.message}`),
      });
      scheduler.schedule(() => input.next(event()), 0);
      scheduler.schedule(() => input.error(new Error('source failed')), 2 * S);
    });
    expect(seen).toEqual(['2000 e1', '2000 error source failed']);
  });

  it('flush$ sends all pending groups now, keeps running, and restarts each group’s interval', () => {
    const { sent, completedAt } = play(config(), [
      [0, event()],
      [2 * S, event({ subject: 'alpaca_session' })],
      [5 * S, 'flush'],
      [6 * S, event()], // the group was just sent: due at 5s + 2m
      [7 * S, 'flush'],
      [8 * S, event({ subject: 'new_session' })],
    ]);
    expect(sent.map((s) => [s.at, s.ids])).toEqual([
      [5 * S, ['e1']],
      [5 * S, ['e2']],
      [7 * S, ['e3']],
      [18 * S, ['e4']],
    ]);
    expect(completedAt).toBeNull();
  });
});

describe('on a marble diagram', () => {
  it('batches a burst into one notification after group_wait', () => {
    const scheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
    scheduler.run(({ hot, expectObservable }) => {
      const input = hot('a 1s b 1s c', { a: event({ id: 'a' }), b: event({ id: 'b' }), c: event({ id: 'c' }) });
      const out = input.pipe(notificationPolicy(config(), { scheduler }));
      expectObservable(out, '^ 5m !').toBe('10s n', { n: expect.objectContaining({ events: [expect.objectContaining({ id: 'a' }), expect.objectContaining({ id: 'b' }), expect.objectContaining({ id: 'c' })] }) });
    });
  });
});

describe('one message per fact', () => {
  const training = () => config([{ match: { type: 'training.*' }, to: 'training', group_by: ['type'] }]);
  /** A worker log's report: rank 0, waits `hold` for the database's. */
  const fromLog = (key: string, holdMs = 30 * S) => event({ type: 'training.trial_failed', source: 'training-log', fact: { key, rank: 0, holdMs } });
  /** The Optuna source's report: rank 1, never waits. */
  const fromOptuna = (key: string) => event({ type: 'training.trial_failed', source: 'optuna', fact: { key, rank: 1, holdMs: 0 } });
  function playFacts(feed: Feed[]) {
    const drops: [string, DropReason, string | undefined][] = [];
    const stats = newPolicyStats();
    const played = play(training(), feed, { stats, onDrop: (e, reason, detail) => drops.push([e.id, reason, detail]) });
    return { ...played, drops, stats };
  }

  it('sends the richer report when the poorer one arrives first and waits for it', () => {
    const log = fromLog('trial:s:7');
    const db = fromOptuna('trial:s:7');
    const { sent, drops, stats } = playFacts([[0, log], [5 * S, db]]);
    expect(sent.map((n) => [n.at, n.ids])).toEqual([[15 * S, [db.id]]]);
    expect(drops).toEqual([[log.id, 'same_fact', db.id]]);
    expect(stats.sameFact).toBe(1);
  });

  it('sends the richer report when it arrives first; the poorer one after it is dropped', () => {
    const db = fromOptuna('trial:s:7');
    const log = fromLog('trial:s:7');
    const { sent, drops } = playFacts([[0, db], [5 * S, log]]);
    expect(sent.map((n) => [n.at, n.ids])).toEqual([[10 * S, [db.id]]]);
    expect(drops).toEqual([[log.id, 'same_fact', db.id]]);
  });

  it('sends a report only one source made once its hold is over', () => {
    const log = fromLog('trial:s:7');
    const db = fromOptuna('trial:s:8');
    const { sent, drops } = playFacts([[0, log], [1 * S, db]]);
    expect(sent.map((n) => [n.at, n.ids])).toEqual([[11 * S, [db.id]], [2 * M + 11 * S, [log.id]]]);
    expect(drops).toEqual([]);
  });

  it('takes a poorer report that does not wait back out of its group when the richer one comes in time', () => {
    const log = fromLog('trial:s:7', 0);
    const db = fromOptuna('trial:s:7');
    const { sent, drops } = playFacts([[0, log], [4 * S, db]]);
    expect(sent.map((n) => [n.at, n.ids])).toEqual([[10 * S, [db.id]]]);
    expect(drops).toEqual([[log.id, 'same_fact', db.id]]);
  });

  it('never sends a second message: a richer report after the poorer one went out is dropped', () => {
    const log = fromLog('trial:s:7', 2 * S);
    const db = fromOptuna('trial:s:7');
    const { sent, drops } = playFacts([[0, log], [1 * M, db]]);
    expect(sent.map((n) => [n.at, n.ids])).toEqual([[12 * S, [log.id]]]);
    expect(drops).toEqual([[db.id, 'same_fact', log.id]]);
  });

  it('matches a report that cannot name the study with that trial of any study, and only that trial', () => {
    const log = fromLog('trial:*:7');
    const other = fromOptuna('trial:s:8');
    const db = fromOptuna('trial:s:7');
    const elsewhere = fromOptuna('trial:t:7');
    const { sent, drops } = playFacts([[0, log], [1 * S, other], [2 * S, db], [3 * S, elsewhere]]);
    expect(sent.map((n) => n.ids)).toEqual([[other.id, db.id, elsewhere.id]]);
    expect(drops).toEqual([[log.id, 'same_fact', db.id]]);
  });

  it('sends a report still waiting when the input ends, and one whose route would not send it leaves the fact open', () => {
    const held = fromLog('trial:s:1');
    const { sent } = playFacts([[0, held], [1 * S, 'complete']]);
    expect(sent.map((n) => [n.at, n.ids])).toEqual([[1 * S, [held.id]]]);

    // The poorer report is routed nowhere (off): the richer one is still sent.
    const offForLog = config([{ match: { source: 'training-log' }, mode: 'off' }, { match: { type: 'training.*' }, to: 'training' }]);
    const log = fromLog('trial:s:2', 0);
    const db = fromOptuna('trial:s:2');
    expect(play(offForLog, [[0, log], [20 * S, db]]).sent.map((n) => n.ids)).toEqual([[db.id]]);
  });

  it('remembers facts sent before it started, for the fact window', () => {
    const late = fromLog('trial:s:7', 0);
    const later = fromLog('trial:s:7', 0);
    const knownFacts = () => [{ id: 'sent-before', fact: { key: 'trial:s:7', rank: 1, holdMs: 0 }, sentAt: 0 }];
    const drops: [string, DropReason, string | undefined][] = [];
    const { sent } = play(training(), [[1 * S, late], [11 * M, later]], { knownFacts, factWindowMs: 10 * M, onDrop: (e, reason, detail) => drops.push([e.id, reason, detail]) });
    expect(drops).toEqual([[late.id, 'same_fact', 'sent-before']]);
    // Past the window the fact is forgotten: a report then is news again.
    expect(sent.map((n) => n.ids)).toEqual([[later.id]]);
  });
});
