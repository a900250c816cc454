/**
 * Issue 5, "burst test": 10,000 `trade.executed` events within 10 s go through the real notify
 * side (Notifications: shipped routes, grouping by trader, rendering, SQLite outbox, WebhookSink)
 * to one webhook of the rate-limiting fake Discord. It must draw no 429, stay within 5 requests
 * per 2 s window, and the grouped messages must account for every trade: their counts and buy/sell
 * totals add up exactly to what was emitted, per trader.
 *
 * Only group_wait / group_interval are shortened (1 s / 3 s instead of 10 s / 2 min) so the
 * test takes seconds; everything else is config/rules.yaml as shipped.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Subject } from 'rxjs';
import { Notifications } from '../../src/agent/Notifications';
import { parseRules } from '../../src/config/loadRules';
import type { RulesFile } from '../../src/config/schema';
import type { DiscordEmbed, DiscordMessage } from '../../src/discord/DiscordMessage';
import { createLogger } from '../../src/logging/logger';
import { EventStore } from '../../src/state/EventStore';
import { OutboxStore } from '../../src/state/OutboxStore';
import { StateStore } from '../../src/state/StateStore';
import type { BaristaEvent } from '../../src/model/BaristaEvent';
import { FakeDiscord } from '../support/fakeDiscord';
import { useTempDir } from '../support/tempDir';
import { waitFor } from '../support/waitFor';

const tempDir = useTempDir();
const SHIPPED_RULES = path.join(__dirname, '..', '..', 'config', 'rules.yaml');

const TOTAL = 10_000;
const BATCHES = 100;
const EMIT_MS = 10_000;
/** Ten traders: ten groups every group_interval, more than the webhook's 5 per 2 s, so the sink must follow the headers. */
const TRADERS = Array.from({ length: 10 }, (_, i) => `trial${250 + i}_session`);
const SYMBOLS = ['BTC/USD', 'ETH/USD', 'SOL/USD'];
const DIGEST_TITLE = /^(\d+) notifications? held back while Discord was unreachable$/;

/** Per trader: trades, buys, sells, and the bought / sold totals in cents (integers: exact). */
interface Tally {
  trades: number;
  buys: number;
  sells: number;
  boughtCents: number;
  soldCents: number;
}
const emptyTally = (): Tally => ({ trades: 0, buys: 0, sells: 0, boughtCents: 0, soldCents: 0 });

function add(tallies: Map<string, Tally>, trader: string, part: Tally): void {
  const t = tallies.get(trader) ?? emptyTally();
  t.trades += part.trades;
  t.buys += part.buys;
  t.sells += part.sells;
  t.boughtCents += part.boughtCents;
  t.soldCents += part.soldCents;
  tallies.set(trader, t);
}

/** "$12,345.67" → 1234567. */
function cents(money: string): number {
  const match = /^\$([\d,]+)\.(\d\d)$/.exec(money.trim());
  if (!match) throw new Error(`not a dollar amount: ${money}`);
  return Number(match[1]!.replace(/,/g, '')) * 100 + Number(match[2]);
}

const countOf = (text: string): number => Number(text.replace(/,/g, ''));

/**
 * What one trade embed accounts for, read only from what Discord displays: a grouped embed
 * ("🔁 612 trades in 3 s on trial250", fields "📈 Bought: 301 buys · $…", "📉 Sold: …", footer
 * "trial250_session · sessions · 612 events") or a single trade ("📈 BUY BTC/USD", field Total).
 */
function tallyOfEmbed(embed: DiscordEmbed): { trader: string; tally: Tally } {
  const title = embed.title ?? '';
  const footer = (embed.footer?.text ?? '').split(' · ');
  const trader = footer[0]!;
  const field = (name: string) => embed.fields?.find((f) => f.name === name)?.value;
  const grouped = /^(?:📈|📉|🔁) ([\d,]+) trades? /.exec(title);
  if (grouped) {
    const trades = countOf(grouped[1]!);
    const bought = /^([\d,]+) buys? · (\$[\d,.]+)$/.exec(field('📈 Bought') ?? '');
    const sold = /^([\d,]+) sells? · (\$[\d,.]+)$/.exec(field('📉 Sold') ?? '');
    if (!bought || !sold) throw new Error(`grouped trade fields not understood: ${JSON.stringify(embed.fields)}`);
    // No trade outside the totals (these fields appear only when some are).
    expect(field('Other side')).toBeUndefined();
    expect(field('Without a value')).toBeUndefined();
    expect(footer[footer.length - 1]).toBe(`${grouped[1]} events`);
    return { trader, tally: { trades, buys: countOf(bought[1]!), sells: countOf(sold[1]!), boughtCents: cents(bought[2]!), soldCents: cents(sold[2]!) } };
  }
  const single = /^(?:📈 (BUY)|📉 (SELL)) /.exec(title);
  if (!single) throw new Error(`not a trade embed: ${title}`);
  const value = cents(field('Total') ?? '');
  return { trader, tally: single[1] ? { trades: 1, buys: 1, sells: 0, boughtCents: value, soldCents: 0 } : { trades: 1, buys: 0, sells: 1, boughtCents: 0, soldCents: value } };
}

function tallyOfMessage(message: DiscordMessage, into: Map<string, Tally>): void {
  for (const embed of message.embeds) {
    const { trader, tally } = tallyOfEmbed(embed);
    add(into, trader, tally);
  }
}

/** The shipped rules, pointed at the fake, with group timing shortened. */
function shippedRules(fake: FakeDiscord): RulesFile {
  const result = parseRules(readFileSync(SHIPPED_RULES, 'utf8'), 'rules.yaml', { DISCORD_WEBHOOK_URL: fake.webhookUrl(), DISCORD_API_BASE: fake.apiBase });
  if (!result.ok) throw new Error(`shipped rules invalid: ${JSON.stringify(result.problems)}`);
  const config = result.rules.config;
  config.notify.defaults.group_wait = 1_000;
  config.notify.defaults.group_interval = 3_000;
  return config;
}

/** A trader's trades as the CSV tailer makes them: positions move, so no two trades are the same alert. */
function makeTrades(): { events: BaristaEvent[]; expected: Map<string, Tally> } {
  const events: BaristaEvent[] = [];
  const expected = new Map<string, Tally>();
  const positions = new Map<string, number>();
  const start = Date.parse('2026-02-09T07:00:00.000Z');
  for (let i = 0; i < TOTAL; i++) {
    const trader = TRADERS[i % TRADERS.length]!;
    const symbol = SYMBOLS[Math.floor(i / TRADERS.length) % SYMBOLS.length]!;
    const key = `${trader}:${symbol}`;
    const before = positions.get(key) ?? 0;
    const side = before > 0 && i % 7 < 3 ? 'SELL' : 'BUY';
    const qtyMicros = 1_000 + (i % 97) * 10; // 0.001 … 0.00197
    const after = before + (side === 'BUY' ? qtyMicros : -Math.min(qtyMicros, before));
    const qty = Math.abs(after - before) / 1e6;
    const priceCents = 10_000 + (i % 1_000); // $100.00 … $109.99
    const valueCents = Math.max(1, Math.round((Math.abs(after - before) * priceCents) / 1e6));
    positions.set(key, after);
    events.push({
      id: `burst-${i}`,
      type: 'trade.executed',
      severity: 'info',
      at: new Date(start + i).toISOString(),
      source: 'sessions',
      subject: trader,
      fields: { trader, symbol, side, qty, price: priceCents / 100, value: valueCents / 100, position: after / 1e6, position_before: before / 1e6, closed: side === 'SELL' && after === 0 },
    });
    add(expected, trader, side === 'BUY' ? { trades: 1, buys: 1, sells: 0, boughtCents: valueCents, soldCents: 0 } : { trades: 1, buys: 0, sells: 1, boughtCents: 0, soldCents: valueCents });
  }
  return { events, expected };
}

describe('a burst of 10,000 trades in 10 s to one webhook', () => {
  let fake: FakeDiscord;
  let state: StateStore;
  let notifications: Notifications | null = null;

  beforeEach(async () => {
    // Discord's webhook limit (the fake's default): 5 requests per 2 s per webhook.
    fake = await FakeDiscord.start({ channels: [{ name: 'general' }, { name: 'trades' }], webhooks: [{ name: 'Barista', channel: 'trades' }] });
    state = StateStore.open({ path: path.join(tempDir(), 'state.db') });
  });

  afterEach(async () => {
    await notifications?.stop();
    notifications = null;
    if (state.isOpen) state.close();
    await fake.stop();
  });

  it('draws no 429, stays within 5 requests per 2 s, and the grouped messages account for every trade exactly', async () => {
    const config = shippedRules(fake);
    const { events, expected } = makeTrades();
    const eventStore = new EventStore(state);
    const outbox = new OutboxStore<DiscordMessage>(state);
    const live = new Subject<BaristaEvent>();
    notifications = new Notifications({ state, logger: createLogger({ level: 'silent' }) });
    await notifications.start(config, live);

    // 100 batches of 100 on a 100 ms schedule (10 s), committed then published as a source component does.
    const perBatch = TOTAL / BATCHES;
    const started = Date.now();
    const emitted = new Promise<void>((resolve) => {
      let batch = 0;
      const next = () => {
        const list = events.slice(batch * perBatch, (batch + 1) * perBatch);
        for (const event of state.transaction(() => eventStore.insertNew(list))) live.next(event);
        batch += 1;
        if (batch === BATCHES) return resolve();
        setTimeout(next, Math.max(0, started + (batch * EMIT_MS) / BATCHES - Date.now()));
      };
      next();
    });
    await emitted;

    const webhookId = fake.webhooks[0]!.id;
    /**
     * Every trade the webhook's messages account for. A backlog digest (one line per collapsed
     * message) shows only titles, so for a digest the messages it replaced are read from the
     * outbox (found by the message id Discord returned) and counted from their payloads.
     */
    const accounted = (): { tallies: Map<string, Tally>; digests: number; messages: number } => {
      const tallies = new Map<string, Tally>();
      let digests = 0;
      const messages = fake.webhookMessages(webhookId);
      for (const message of messages) {
        const first = (message.embeds[0] as DiscordEmbed | undefined)?.title ?? '';
        const digest = DIGEST_TITLE.exec(first);
        if (!digest) {
          tallyOfMessage({ embeds: message.embeds as DiscordEmbed[], allowed_mentions: { parse: [] } }, tallies);
          continue;
        }
        digests += 1;
        const row = outbox.list({ status: 'sent', limit: 10_000 }).find((r) => r.messageId === message.id);
        if (!row) return { tallies: new Map(), digests, messages: messages.length }; // outcome not written yet
        const members = outbox.digestMembers(row.seq);
        expect(members).toHaveLength(Number(digest[1]));
        for (const member of members) tallyOfMessage(member.payload, tallies);
      }
      return { tallies, digests, messages: messages.length };
    };
    const total = () => [...accounted().tallies.values()].reduce((sum, t) => sum + t.trades, 0);
    await waitFor(() => total() >= TOTAL, { timeoutMs: 25_000, what: 'every trade to reach the fake Discord' });
    await notifications.stop(); // nothing may be left in a group: a stop would flush it
    notifications = null;

    const { tallies, messages } = accounted();
    // Exactly every trade, per trader, with the exact buy and sell totals.
    expect(new Map([...tallies].sort())).toEqual(new Map([...expected].sort()));
    expect(eventStore.unnotified()).toEqual([]);
    expect(outbox.counts()).toMatchObject({ pending: 0, rejected: 0, expired: 0 });
    // Grouped: a few dozen messages, not 10,000.
    expect(messages).toBeLessThan(100);

    // Zero 429s, and Discord's 5-per-2-s window respected: by the fake's own bucket …
    const webhookRequests = fake.requests.filter((r) => r.path.startsWith(`/api/v10/webhooks/${webhookId}/`));
    expect(fake.count429()).toBe(0);
    expect(webhookRequests.every((r) => r.status === 200)).toBe(true);
    const bucket = fake.bucket(`webhook:${webhookId}`);
    expect(bucket).toMatchObject({ limited: 0, requests: webhookRequests.length });
    expect(bucket!.maxAttemptsInWindow).toBeLessThanOrEqual(5);
    // … and recounted from the request times: Discord's windows (2 s from the first request after the last one ended).
    let windowStart = -Infinity;
    let inWindow = 0;
    for (const request of webhookRequests) {
      if (request.at >= windowStart + 2_000) {
        windowStart = request.at;
        inWindow = 0;
      }
      inWindow += 1;
      expect(inWindow).toBeLessThanOrEqual(5);
    }
  }, 45_000);
});
