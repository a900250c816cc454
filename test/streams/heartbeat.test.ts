import { readFileSync } from 'node:fs';
import path from 'node:path';
import { map, of, type Observable } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { heartbeatLiveness, parseHeartbeat, type Heartbeat, type HeartbeatReading, type TraderEventDraft } from '../../src/streams/heartbeat';

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'json');
const fixture = (name: string): unknown => JSON.parse(readFileSync(path.join(FIXTURES, name), 'utf8'));

describe('parseHeartbeat', () => {
  it('reads the real 1h heartbeat, times as ISO UTC', () => {
    expect(parseHeartbeat(fixture('trial250_heartbeat.json'))).toEqual({
      ok: true,
      warnings: [],
      heartbeat: {
        timestamp: '2026-02-09T07:02:01.734Z',
        last_poll_completed: '2026-02-09T07:02:01.734Z',
        next_poll_scheduled: '2026-02-09T08:02:00.000Z',
        poll_count: 2,
        poll_interval: 60,
        timeframe: '1h',
        tickers: ['AAVE/USD', 'AVAX/USD', 'BTC/USD', 'LINK/USD', 'ETH/USD', 'LTC/USD', 'UNI/USD'],
        pid: 184211,
        status: 'running',
      },
    });
  });

  it('reads a pretty-printed 5m heartbeat with 3 tickers', () => {
    const parsed = parseHeartbeat(fixture('alpaca_heartbeat.json'));
    expect(parsed).toMatchObject({ ok: true, heartbeat: { timeframe: '5m', tickers: ['BTC/USD', 'ETH/USD', 'LTC/USD'], pid: 201553, poll_count: 17 } });
  });

  it('keeps a heartbeat with mistyped fields, as nulls with warnings', () => {
    const parsed = parseHeartbeat(fixture('heartbeat_mistyped.json'));
    if (!parsed.ok) throw new Error(parsed.error);
    expect(parsed.heartbeat).toMatchObject({ timestamp: null, poll_count: 2, poll_interval: null, timeframe: null, tickers: ['BTC/USD'], pid: null, last_poll_completed: null });
    expect(parsed.warnings).toEqual([
      expect.stringContaining('timestamp: expected an ISO date-time, got "yesterday"'),
      expect.stringContaining('timeframe: expected a string, got 60'),
      expect.stringContaining('tickers: 1 entries are not strings'),
      expect.stringContaining('pid: expected an integer, got 184211.5'),
    ]);
  });

  it.each([
    [[], 'a heartbeat is a JSON object, got array'],
    [null, 'a heartbeat is a JSON object, got null'],
    ['{"pid": 1}', 'a heartbeat is a JSON object, got string'],
    [{ timestamp: '2026-02-09T07:02:01+00:00', pid: 1 }, 'the heartbeat has no usable next_poll_scheduled (missing)'],
    [{ next_poll_scheduled: 'soon' }, 'the heartbeat has no usable next_poll_scheduled ("soon")'],
  ])('rejects %j', (data, error) => {
    expect(parseHeartbeat(data)).toEqual({ ok: false, error: expect.stringContaining(error) });
  });
});

describe('heartbeatLiveness on virtual time', () => {
  const GRACE = 5 * 60_000;
  let scheduler: TestScheduler;
  beforeEach(() => {
    scheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
  });

  /** A heartbeat written at `polledAtMs` (virtual ms since the epoch) announcing the next poll. */
  const beat = (polledAtMs: number, nextPollMs: number, pid = 184211, poll_count = 1): Heartbeat => ({
    timestamp: new Date(polledAtMs).toISOString(),
    last_poll_completed: new Date(polledAtMs).toISOString(),
    next_poll_scheduled: new Date(nextPollMs).toISOString(),
    poll_count,
    poll_interval: 60,
    timeframe: '1h',
    tickers: ['BTC/USD'],
    pid,
    status: 'running',
  });
  const reading = (trader: string, heartbeat: Heartbeat): HeartbeatReading => ({ trader, heartbeat });
  /** type:subject, with overdue seconds for stale events, so marbles stay readable. */
  const summary = (events$: Observable<TraderEventDraft>) => events$.pipe(map((e) => (e.type === 'trader.stale' ? `${e.type}:${e.subject}:${String(e.fields.overdue_s)}` : `${e.type}:${e.subject}`)));
  const M = 60_000;

  it('is stale once, at next_poll_scheduled + grace, and stays quiet while stale', () => {
    scheduler.run(({ hot, expectObservable }) => {
      const readings = hot('a', { a: reading('trial250', beat(0, 60 * M)) });
      const events = summary(heartbeatLiveness(readings, { graceMs: GRACE, scheduler }));
      expectObservable(events, '^ 600m !').toBe('65m s', { s: 'trader.stale:trial250:300' });
    });
  });

  it('a poll announced past the longest timer (24.8 days) is judged at its time, not at once', () => {
    const D = 24 * 60 * M;
    scheduler.run(({ hot, expectObservable }) => {
      const readings = hot('a', { a: reading('trial250', beat(0, 40 * D)) });
      const events = summary(heartbeatLiveness(readings, { graceMs: GRACE, scheduler }));
      expectObservable(events, `^ ${41 * D}ms !`).toBe(`${40 * D + GRACE}ms s`, { s: 'trader.stale:trial250:300' });
    });
  });

  it('defaults to a 5 minute grace', () => {
    scheduler.run(({ hot, expectObservable }) => {
      const readings = hot('a', { a: reading('trial250', beat(0, 60 * M)) });
      expectObservable(summary(heartbeatLiveness(readings, { scheduler })), '^ 120m !').toBe('65m s', { s: 'trader.stale:trial250:300' });
    });
  });

  it('hears nothing while heartbeats come on time; stale after the last one', () => {
    scheduler.run(({ hot, expectObservable }) => {
      // 1h trader: polls at 0, 60m, 120m, each announcing the next hour; then dies.
      const readings = hot('a 60m b 60m c', {
        a: reading('t', beat(0, 60 * M)),
        b: reading('t', beat(60 * M + 1, 120 * M, 184211, 2)),
        c: reading('t', beat(120 * M + 2, 180 * M, 184211, 3)),
      });
      expectObservable(summary(heartbeatLiveness(readings, { graceMs: GRACE, scheduler })), '^ 600m !').toBe('185m s', { s: 'trader.stale:t:300' });
    });
  });

  it('recovers once when a newer heartbeat arrives, and can be stale again after another outage', () => {
    scheduler.run(({ hot, expectObservable }) => {
      // stale at 65m; back at 90m (new pid); polls again at 150m; then silent until 210m + 5m.
      const readings = hot('a 90m b 60m c', {
        a: reading('t', beat(0, 60 * M)),
        b: reading('t', beat(90 * M, 150 * M, 200001, 1)),
        c: reading('t', beat(150 * M + 1, 210 * M, 200001, 2)),
      });
      const events = heartbeatLiveness(readings, { graceMs: GRACE, scheduler });
      expectObservable(summary(events), '^ 600m !').toBe('65m s 25m r 7499998ms t', {
        s: 'trader.stale:t:300',
        r: 'trader.recovered:t',
        t: 'trader.stale:t:300',
      });
    });
  });

  it('fills the stale and recovered fields', () => {
    const seen: TraderEventDraft[] = [];
    scheduler.run(({ hot, flush }) => {
      const readings = hot('a 90m b', { a: reading('t', beat(2 * M, 60 * M, 184211, 7)), b: reading('t', beat(90 * M, 150 * M, 200001, 1)) });
      heartbeatLiveness(readings, { graceMs: GRACE, scheduler }).subscribe((e) => seen.push(e));
      flush();
    });
    // flush() runs virtual time to the end: the second outage's stale event comes last.
    expect(seen.map((e) => e.type)).toEqual(['trader.stale', 'trader.recovered', 'trader.stale']);
    expect(seen.slice(0, 2)).toEqual([
      {
        type: 'trader.stale',
        severity: 'warning',
        subject: 't',
        at: new Date(65 * M).toISOString(),
        fields: { trader: 't', last_poll: new Date(2 * M).toISOString(), next_poll_scheduled: new Date(60 * M).toISOString(), overdue_s: 300, grace_s: 300, pid: 184211, poll_count: 7, timeframe: '1h', heartbeat_at: new Date(2 * M).toISOString() },
        text: 't is stale: last poll at 1970-01-01 00:02:00 UTC, the poll due at 1970-01-01 01:00:00 UTC is 5 min overdue (pid 184211, poll #7).',
      },
      expect.objectContaining({
        type: 'trader.recovered',
        severity: 'info',
        subject: 't',
        at: new Date(90 * M + 1).toISOString(),
        fields: expect.objectContaining({ pid: 200001, previous_pid: 184211, restarted: true, stale_for_s: 1500, next_poll_scheduled: new Date(150 * M).toISOString() }),
      }),
    ]);
  });

  it('a re-read of the same heartbeat neither recovers a stale trader nor postpones staleness', () => {
    scheduler.run(({ hot, expectObservable }) => {
      const same = beat(0, 60 * M);
      // Re-read at 30m (before the deadline) and at 80m (while stale), e.g. after a barista restart.
      const readings = hot('a 30m a 50m a', { a: reading('t', { ...same }) });
      expectObservable(summary(heartbeatLiveness(readings, { graceMs: GRACE, scheduler })), '^ 600m !').toBe('65m s', { s: 'trader.stale:t:300' });
    });
  });

  it('an older heartbeat read after a newer one does not bring staleness forward', () => {
    scheduler.run(({ hot, expectObservable }) => {
      // At 10m a stale read returns a heartbeat written before the known one (next poll at 2m).
      const readings = hot('a 10m b', { a: reading('t', beat(0, 60 * M, 184211, 5)), b: reading('t', beat(-58 * M, 2 * M, 184211, 4)) });
      expectObservable(summary(heartbeatLiveness(readings, { graceMs: GRACE, scheduler })), '^ 600m !').toBe('65m s', { s: 'trader.stale:t:300' });
    });
  });

  it('a newer heartbeat that is itself overdue keeps a stale trader stale, without a second event', () => {
    scheduler.run(({ hot, expectObservable }) => {
      // At 200m barista reads a heartbeat written at 70m whose next poll (130m) is long past.
      const readings = hot('a 200m b', { a: reading('t', beat(0, 60 * M)), b: reading('t', beat(70 * M, 130 * M, 184211, 2)) });
      expectObservable(summary(heartbeatLiveness(readings, { graceMs: GRACE, scheduler })), '^ 600m !').toBe('65m s', { s: 'trader.stale:t:300' });
    });
  });

  it('a heartbeat already past its next poll when read is stale at the right time', () => {
    scheduler.run(({ hot, expectObservable }) => {
      // Barista starts at 60m. x: next poll at 30m, deadline 35m already gone → stale at once.
      // y: next poll at 58m, deadline 63m still ahead → stale at 63m.
      const readings = hot('60m (xy)', { x: reading('x', beat(0, 30 * M)), y: reading('y', beat(0, 58 * M)) });
      expectObservable(summary(heartbeatLiveness(readings, { graceMs: GRACE, scheduler })), '^ 600m !').toBe('60m x 179999ms y', {
        x: 'trader.stale:x:1800',
        y: 'trader.stale:y:300',
      });
    });
  });

  it('judges each trader on its own heartbeats', () => {
    scheduler.run(({ hot, expectObservable }) => {
      // a beats every 10 minutes for 100 minutes; b's single heartbeat says its next poll is at 20m.
      const aBeats = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [String(i), reading('a', beat(i * 10 * M, (i + 1) * 10 * M, 1, i + 1))]));
      const readings = hot('(0b) 10m 1 10m 2 10m 3 10m 4 10m 5 10m 6 10m 7 10m 8 10m 9', { ...aBeats, b: reading('b', beat(0, 20 * M, 2)) });
      const events = heartbeatLiveness(readings, { graceMs: GRACE, scheduler });
      // b: stale at 25m, once, whatever a does; a: last beat at ~90m announces 100m → stale at 105m.
      expectObservable(summary(events), '^ 600m !').toBe('25m b 4799999ms a', {
        b: 'trader.stale:b:300',
        a: 'trader.stale:a:300',
      });
    });
  });

  it('one trader recovering does not recover another', () => {
    scheduler.run(({ hot, expectObservable }) => {
      const readings = hot('(ab) 70m c', {
        a: reading('a', beat(0, 60 * M, 1)),
        b: reading('b', beat(0, 60 * M, 2)),
        c: reading('a', beat(70 * M, 130 * M, 1, 2)),
      });
      expectObservable(summary(heartbeatLiveness(readings, { graceMs: GRACE, scheduler })), '^ 600m !').toBe('65m (ab) 5m r 3899995ms s', {
        a: 'trader.stale:a:300',
        b: 'trader.stale:b:300',
        r: 'trader.recovered:a',
        s: 'trader.stale:a:300',
      });
    });
  });

  it('keeps one clock per heartbeat file: a trader whose name is learnt mid-way is not left behind as a stale ghost', () => {
    scheduler.run(({ hot, expectObservable }) => {
      // The first beat is read under the file's own name; by the second, the process probe has
      // named the trader. Stale once, under the new name, after the last beat.
      const file = 'paper_trades/alpaca_heartbeat.json';
      const readings = hot('a 10m b', {
        a: { trader: 'alpaca', file, heartbeat: beat(0, 10 * M) },
        b: { trader: 'trial5', file, heartbeat: beat(10 * M, 20 * M, 184211, 2) },
      });
      expectObservable(summary(heartbeatLiveness(readings, { graceMs: GRACE, scheduler })), '^ 600m !').toBe('25m s', { s: 'trader.stale:trial5:300' });
    });
  });

  it('completes after its input once no stale check is pending', () => {
    scheduler.run(({ cold, expectObservable }) => {
      const readings = cold('a|', { a: reading('t', beat(0, 1 * M)) });
      expectObservable(summary(heartbeatLiveness(readings, { graceMs: GRACE, scheduler }))).toBe('6m (s|)', { s: 'trader.stale:t:300' });
    });
  });
});

describe('heartbeatLiveness on real timers (faked by jest)', () => {
  afterEach(() => jest.useRealTimers());

  it('is not called stale at once when the next poll is more than 24.8 days away', () => {
    jest.useFakeTimers({ now: Date.parse('2026-12-03T00:00:00Z') });
    const now = Date.now();
    const events: TraderEventDraft[] = [];
    const heartbeat: Heartbeat = {
      timestamp: new Date(now).toISOString(),
      last_poll_completed: new Date(now).toISOString(),
      next_poll_scheduled: new Date(now + 40 * 86_400_000).toISOString(),
      poll_count: 1,
      poll_interval: 60,
      timeframe: '1h',
      tickers: ['BTC/USD'],
      pid: 1,
      status: 'running',
    };
    const subscription = heartbeatLiveness(of({ trader: 'trial250', heartbeat }), { graceMs: 60_000 }).subscribe((event) => events.push(event));
    jest.advanceTimersByTime(3_600_000);
    expect(events).toEqual([]);
    jest.advanceTimersByTime(40 * 86_400_000);
    expect(events.map((event) => event.type)).toEqual(['trader.stale']);
    subscription.unsubscribe();
  });
});
