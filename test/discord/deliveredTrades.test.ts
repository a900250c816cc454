/**
 * The end-to-end tests count trades by reading delivered messages (test/support/deliveredTrades.ts).
 * Here that reader meets the real renderers, so a change of a trade title or of the backlog
 * digest shows up as a failure here rather than as a miscount there.
 */
import { renderBacklogDigest } from '../../src/discord/backlogDigest';
import { renderNotification } from '../../src/discord/render';
import type { BaristaEvent } from '../../src/model/BaristaEvent';
import type { Notification } from '../../src/streams/notify/Notification';
import { tradeRows, tradesIn } from '../support/deliveredTrades';

const trade = (i: number, side: 'BUY' | 'SELL' = i % 3 === 0 ? 'SELL' : 'BUY'): BaristaEvent => ({
  id: `t${i}`,
  type: 'trade.executed',
  severity: 'info',
  at: new Date(Date.parse('2026-02-09T07:00:00Z') + i * 3_600_000).toISOString(),
  source: 'sessions',
  subject: 'trial250_session',
  fields: { symbol: i % 2 ? 'ETH/USD' : 'BTC/USD', side, qty: 0.5 + i / 1000, price: 2000 + i, value: 1000 + i },
});

const notification = (events: BaristaEvent[]): Notification => ({ channel: 'trades', route: 1, groupKey: '1|subject=trial250_session', groupLabels: { subject: 'trial250_session' }, events, silent: false });

describe('reading trades back out of delivered messages', () => {
  it.each([1, 2, 12, 40, 41, 1234])('counts %i trades in the rendered message(s)', (count) => {
    const events = Array.from({ length: count }, (_, i) => trade(i + 1));
    const messages = renderNotification(notification(events));
    expect(messages.reduce((sum, message) => sum + tradesIn(message), 0)).toBe(count);
  });

  it('reads side, symbol and quantity of every listed trade (a single embed, or the rows of a grouped table)', () => {
    const events = Array.from({ length: 5 }, (_, i) => trade(i + 1));
    const expected = events.map((e) => ({ side: e.fields.side, symbol: e.fields.symbol, qty: e.fields.qty }));
    expect(renderNotification(notification(events)).flatMap(tradeRows)).toEqual(expected);
    expect(renderNotification(notification(events.slice(0, 1))).flatMap(tradeRows)).toEqual(expected.slice(0, 1));
  });

  it('counts the trades of held-back messages a backlog digest lists', () => {
    const held = [[trade(1)], [trade(2), trade(3), trade(4)], Array.from({ length: 300 }, (_, i) => trade(10 + i))].flatMap((events) => renderNotification(notification(events)));
    const digest = renderBacklogDigest(held.map((message, i) => ({ message, at: Date.parse('2026-02-10T00:00:00Z') + i })));
    expect(digest.count).toBe(held.length);
    expect(tradesIn(digest.message)).toBe(304);
  });
});
