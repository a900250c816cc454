/** The policy's stateful parts on their own: what they remember and how much. */
import type { BaristaEvent } from '../../../src/model/BaristaEvent';
import { DEFAULT_INHIBIT_RULES, Inhibitor } from '../../../src/streams/notify/inhibition';
import { RecentIds } from '../../../src/streams/notify/recentIds';
import { alertSignature, RepeatSuppressor } from '../../../src/streams/notify/repeatSuppression';

const event = (over: Partial<BaristaEvent>): BaristaEvent => ({ id: 'x', type: 'risk.stop_loss', severity: 'warning', at: '2026-02-09T07:00:00.000Z', source: 'trader-log', subject: 's', fields: {}, ...over });

describe('Inhibitor', () => {
  it('judges an event by what came before it, then learns from it', () => {
    const inhibitor = new Inhibitor();
    expect(inhibitor.judge({ type: 'trader.stale', subject: 'a' })).toBeNull();
    expect(inhibitor.down('trader-down')).toEqual(['a']);
    expect(inhibitor.judge({ type: 'trader.stale', subject: 'a' })).toBe('trader-down');
    expect(inhibitor.judge({ type: 'trader.resumed', subject: 'a' })).toBeNull();
    expect(inhibitor.down('trader-down')).toEqual([]);
    expect(inhibitor.judge({ type: 'risk.stop_loss', subject: 'a' })).toBeNull();
  });

  it('forgets the subject marked down longest ago past its bound', () => {
    const inhibitor = new Inhibitor(DEFAULT_INHIBIT_RULES, 2);
    for (const subject of ['a', 'b', 'c']) inhibitor.judge({ type: 'trader.exited', subject });
    expect(inhibitor.down('trader-down')).toEqual(['b', 'c']);
    expect(inhibitor.judge({ type: 'risk.stop_loss', subject: 'a' })).toBeNull();
    expect(inhibitor.judge({ type: 'risk.stop_loss', subject: 'c' })).toBe('trader-down');
  });
});

describe('RepeatSuppressor', () => {
  it('lets an alert through once per interval and never with interval 0', () => {
    const repeats = new RepeatSuppressor();
    expect([0, 59_999, 60_000, 60_001].map((t) => repeats.isRepeat('sig', t, 60_000))).toEqual([false, true, false, true]);
    expect([0, 0].map((t) => repeats.isRepeat('other', t, 0))).toEqual([false, false]);
  });

  it('drops windows that have passed, and holds at most maxEntries', () => {
    const repeats = new RepeatSuppressor(100);
    for (let i = 0; i < 1000; i += 1) repeats.isRepeat(`s${i}`, i, 10);
    expect(repeats.size).toBeLessThanOrEqual(11);
    const capped = new RepeatSuppressor(100);
    for (let i = 0; i < 1000; i += 1) capped.isRepeat(`s${i}`, 0, 3_600_000);
    expect(capped.size).toBe(100);
    // The newest are kept: s999 is still a repeat, s0 is not any more.
    expect(capped.isRepeat('s999', 1, 3_600_000)).toBe(true);
    expect(capped.isRepeat('s0', 1, 3_600_000)).toBe(false);
  });

  it('signs alerts by their content, not their id, time or field order', () => {
    const a = event({ id: 'a', at: '2026-02-09T07:00:00.000Z', fields: { symbol: 'BTC/USD', pct: 3 } });
    const b = event({ id: 'b', at: '2026-02-09T08:00:00.000Z', fields: { pct: 3, symbol: 'BTC/USD' } });
    expect(alertSignature(1, a)).toBe(alertSignature(1, b));
    expect(alertSignature(2, a)).not.toBe(alertSignature(1, a));
    expect(alertSignature(1, event({ fields: { symbol: 'BTC/USD', pct: 3.1 } }))).not.toBe(alertSignature(1, a));
    expect(alertSignature(1, event({ fields: { symbol: 'BTC/USD', pct: 3 }, text: 'x' }))).not.toBe(alertSignature(1, a));
    expect(alertSignature(1, event({ fields: { nested: { a: 1, b: [1, 2] } } }))).toBe(alertSignature(1, event({ fields: { nested: { b: [1, 2], a: 1 } } })));
  });
});

describe('RecentIds', () => {
  it('remembers exactly the last `capacity` ids', () => {
    const recent = new RecentIds(3);
    expect(['a', 'b', 'a', 'c', 'd'].map((id) => recent.seen(id))).toEqual([false, false, true, false, false]);
    // Remembered now: b, c, d (a was the oldest).
    expect(recent.size).toBe(3);
    expect(['b', 'c', 'd'].map((id) => recent.seen(id))).toEqual([true, true, true]);
    expect(recent.seen('a')).toBe(false);
    expect(recent.seen('b')).toBe(false);
  });

  it('stays at its capacity over many ids', () => {
    const recent = new RecentIds(1000);
    for (let i = 0; i < 100_000; i += 1) recent.seen(`e${i}`);
    expect(recent.size).toBe(1000);
    expect(recent.seen('e99000')).toBe(true);
    expect(recent.seen('e98999')).toBe(false);
  });

  it('refuses a capacity below 1', () => {
    expect(() => new RecentIds(0)).toThrow('capacity must be a whole number ≥ 1, got 0');
  });
});
