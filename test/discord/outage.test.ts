/**
 * Issue 5, "outage test": the fake Discord answers 503 for 60 s, then recovers; nothing is lost
 * and order is kept. Real pieces everywhere — the fake on 127.0.0.1, WebhookSink and
 * BotChannelSink (discord.js REST), OutboxDispatcher on a real SQLite state — except the
 * dispatcher's clock and timers, which are virtual: the test jumps from one due timer to the next
 * once nothing is in flight, so a minute of outage and its exponential backoff take a second or so.
 */
import path from 'node:path';
import type { DiscordMessage } from '../../src/discord/DiscordMessage';
import { OutboxDispatcher, type DispatcherTimers } from '../../src/discord/OutboxDispatcher';
import { renderNotification } from '../../src/discord/render';
import { BotChannelSink } from '../../src/discord/sinks/BotChannelSink';
import type { SendOutcome, Sink } from '../../src/discord/sinks/Sink';
import { WebhookSink } from '../../src/discord/sinks/WebhookSink';
import { OutboxStore, type OutboxRow } from '../../src/state/OutboxStore';
import { StateStore } from '../../src/state/StateStore';
import type { BaristaEvent } from '../../src/model/BaristaEvent';
import { FakeDiscord, type FakeMessage } from '../support/fakeDiscord';
import type { OutageHandle } from '../support/fakeDiscord/scriptedFaults';
import { useTempDir } from '../support/tempDir';
import { waitFor } from '../support/waitFor';

const tempDir = useTempDir();

const T0 = Date.parse('2026-02-09T07:00:00.000Z');
const OUTAGE_STARTS = T0 + 1_000;
const OUTAGE_MS = 60_000;
const OUTAGE_ENDS = OUTAGE_STARTS + OUTAGE_MS;
const DIGEST_TITLE = /^(\d+) notifications? held back while Discord was unreachable$/;
const DIGEST_LINE = /^• <t:\d+:f> (.+)$/;

/**
 * The dispatcher's setTimeout/clearTimeout and clock on virtual time. The scenario's own steps
 * (enqueue, outage start and end) are timers on the same clock, so everything happens in one order.
 */
class VirtualClock implements DispatcherTimers {
  now = T0;
  private timers: { at: number; order: number; callback: () => void }[] = [];
  private order = 0;

  setTimeout(callback: () => void, ms: number): unknown {
    const timer = { at: this.now + Math.max(0, ms), order: this.order++, callback };
    this.timers.push(timer);
    return timer;
  }

  clearTimeout(handle: unknown): void {
    this.timers = this.timers.filter((t) => t !== handle);
  }

  /** `at` on the virtual clock (epoch ms). */
  at(at: number, callback: () => void): void {
    this.setTimeout(callback, at - this.now);
  }

  /** Jumps to the earliest timer and runs it; false when none is left. */
  fireNext(): boolean {
    const next = this.timers.reduce<(typeof this.timers)[number] | undefined>((a, b) => (!a || b.at < a.at || (b.at === a.at && b.order < a.order) ? b : a), undefined);
    if (!next) return false;
    this.timers = this.timers.filter((t) => t !== next);
    this.now = Math.max(this.now, next.at);
    next.callback();
    return true;
  }
}

/** Deterministic jitter (a small LCG), so a failure replays the same backoff. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

const trade = (symbol: string, subject: string, atMs: number): BaristaEvent => ({
  id: `trade-${symbol}`,
  type: 'trade.executed',
  severity: 'info',
  at: new Date(atMs).toISOString(),
  source: 'sessions',
  subject,
  fields: { trader: subject, symbol, side: 'BUY', qty: 0.5, price: 101.25, value: 50.625, position: 1, position_before: 0.5, closed: false },
});

/** What the pipeline would enqueue for one event: its single-event message, in its group. */
function messageFor(event: BaristaEvent, groupKey: string): DiscordMessage {
  const messages = renderNotification({ channel: 'trades', route: 1, groupKey, groupLabels: { subject: event.subject }, events: [event], silent: false });
  expect(messages).toHaveLength(1);
  return messages[0]!;
}

interface Enqueued {
  title: string;
  groupKey: string;
}

/** Titles a delivered message accounts for: its own, or every line of a backlog digest (checked against the digest's count). */
function accountedTitles(message: FakeMessage): { titles: string[]; digest: boolean } {
  const embeds = message.embeds as { title?: string; description?: string }[];
  const title = embeds[0]?.title ?? '';
  const digest = DIGEST_TITLE.exec(title);
  if (!digest) return { titles: [title], digest: false };
  const lines = embeds.flatMap((e) => (e.description ?? '').split('\n'));
  const titles = lines.map((line) => {
    const match = DIGEST_LINE.exec(line);
    if (!match) throw new Error(`digest line not understood: ${line}`);
    return match[1]!;
  });
  expect(titles).toHaveLength(Number(digest[1]));
  return { titles, digest: true };
}

describe('a 60 s Discord outage (503) with real sinks, a real outbox and virtual dispatcher time', () => {
  let fake: FakeDiscord;
  let state: StateStore;
  const sinks: Sink[] = [];

  beforeEach(async () => {
    fake = await FakeDiscord.start({
      channels: [{ name: 'trades' }, { name: 'alerts' }],
      webhooks: [{ name: 'Barista', channel: 'trades' }],
      // Discord's 5 per window, on a short real-time window: the recovery burst drains in a second.
      rateLimits: { webhook: { limit: 5, windowMs: 200 }, channelMessages: { limit: 5, windowMs: 200 } },
    });
    state = StateStore.open({ path: path.join(tempDir(), 'state.db') });
  });

  afterEach(async () => {
    for (const sink of sinks.splice(0)) await sink.close();
    if (state.isOpen) state.close();
    await fake.stop();
  });

  /**
   * Before the outage 3 rows per destination are delivered; during it one row per destination
   * every 2 s (two groups interleaved, as trades of two traders); after it 2 more. Returns what
   * was enqueued per destination and when (virtual) each outcome happened.
   */
  async function runScenario(collapseThreshold: number) {
    const clock = new VirtualClock();
    const store = new OutboxStore<DiscordMessage>(state);
    const webhook = new WebhookSink({ webhook: { id: fake.webhooks[0]!.id, token: fake.webhooks[0]!.token }, apiBase: fake.apiBase, timeoutMs: 10_000 });
    const bot = new BotChannelSink({ token: fake.botToken, channelId: fake.channel('alerts').id, apiBase: fake.apiBase, timeoutMs: 10_000 });
    sinks.push(webhook, bot);
    const outcomes: { at: number; destination: string; kind: OutboxRow['kind']; outcome: SendOutcome }[] = [];
    const dispatcher = new OutboxDispatcher({
      store,
      sinks: new Map<string, Sink>([
        [webhook.key, webhook],
        [bot.key, bot],
      ]),
      now: () => clock.now,
      timers: clock,
      random: seededRandom(20260209),
      collapseThreshold,
      onOutcome: (row, outcome) => outcomes.push({ at: clock.now, destination: row.destination, kind: row.kind, outcome }),
    });

    const enqueued = new Map<string, Enqueued[]>([
      [webhook.key, []],
      [bot.key, []],
    ]);
    let n = 0;
    const enqueueOne = () => {
      n += 1;
      for (const [destination, list] of enqueued) {
        const tag = destination.startsWith('bot') ? 'B' : 'W';
        const subject = n % 3 === 0 ? 'trial251_session' : 'trial250_session';
        const groupKey = `1|subject=${subject}`;
        const event = trade(`${tag}${String(n).padStart(3, '0')}`, subject, clock.now);
        const payload = messageFor(event, groupKey);
        store.enqueue([{ destination, idempotencyKey: `${event.id}:${destination}`, groupKey, payload }], clock.now);
        list.push({ title: payload.embeds[0]!.title!, groupKey });
      }
      dispatcher.notify([...enqueued.keys()]);
    };

    let outage: OutageHandle | null = null;
    for (let i = 0; i < 3; i++) clock.at(T0, enqueueOne);
    clock.at(OUTAGE_STARTS, () => {
      outage = fake.outage({ status: 503, durationMs: 3_600_000 });
    });
    for (let at = OUTAGE_STARTS; at < OUTAGE_ENDS; at += 2_000) clock.at(at, enqueueOne);
    // The outage ends when virtual time passes 60 s of it.
    clock.at(OUTAGE_ENDS, () => outage?.end());
    clock.at(OUTAGE_ENDS + 1_000, enqueueOne);
    clock.at(OUTAGE_ENDS + 2_000, enqueueOne);

    dispatcher.start();
    // Run every timer in virtual order; before each jump, let real sends in flight finish.
    for (let steps = 0; ; steps++) {
      await waitFor(() => dispatcher.sending.length === 0, { what: 'sends in flight to finish', intervalMs: 2, timeoutMs: 30_000 });
      if (steps > 10_000) throw new Error('virtual clock ran away');
      if (!clock.fireNext()) break;
    }
    await dispatcher.stop();
    return { enqueued, outcomes, store, webhookKey: webhook.key, botKey: bot.key, clock };
  }

  /** Delivered messages per destination, as the fake recorded them. */
  const delivered = (webhookKey: string, botKey: string): Map<string, FakeMessage[]> =>
    new Map([
      [webhookKey, fake.webhookMessages(fake.webhooks[0]!.id)],
      [botKey, fake.botMessages('alerts')],
    ]);

  function expectNothingLostAndInOrder(list: Enqueued[], messages: FakeMessage[]): { digests: number } {
    const order = new Map(list.map((e, i) => [e.title, i]));
    expect(order.size).toBe(list.length); // titles are unique
    const accounted = messages.map(accountedTitles);
    const flat = accounted.flatMap((a) => a.titles);
    // Every enqueued message exactly once (alone or as a digest line), nothing else.
    expect([...flat].sort()).toEqual(list.map((e) => e.title).sort());
    // Messages arrive in outbox order: each at the place of the earliest message it accounts for…
    const firsts = accounted.map((a) => order.get(a.titles[0]!)!);
    expect(firsts).toEqual([...firsts].sort((a, b) => a - b));
    for (const a of accounted) expect(a.titles.map((t) => order.get(t)!)).toEqual(a.titles.map((t) => order.get(t)!).sort((x, y) => x - y));
    // …and each group's messages in the order they were enqueued.
    for (const groupKey of new Set(list.map((e) => e.groupKey))) {
      const group = new Set(list.filter((e) => e.groupKey === groupKey).map((e) => e.title));
      expect(flat.filter((t) => group.has(t))).toEqual(list.filter((e) => e.groupKey === groupKey).map((e) => e.title));
    }
    return { digests: accounted.filter((a) => a.digest).length };
  }

  it('delivers every message exactly once and in enqueue order once Discord is back (no digests)', async () => {
    const { enqueued, outcomes, store, webhookKey, botKey } = await runScenario(Infinity);
    const byDestination = delivered(webhookKey, botKey);
    for (const [destination, list] of enqueued) {
      const messages = byDestination.get(destination)!;
      expect(list).toHaveLength(35); // 3 before, 30 during, 2 after
      // Exactly the enqueued titles, in enqueue order, each once.
      expect(messages.map((m) => (m.embeds[0] as { title?: string }).title)).toEqual(list.map((e) => e.title));
      expect(store.counts(destination)).toMatchObject({ pending: 0, sent: 35, rejected: 0, collapsed: 0, expired: 0 });
      // It really was down: attempts during the window failed with 503 and were retried with backoff, not hammered.
      const failed = outcomes.filter((o) => o.destination === destination && o.outcome.status === 'retry');
      expect(failed.length).toBeGreaterThanOrEqual(3);
      expect(failed.length).toBeLessThan(20);
      expect(failed.every((o) => o.at >= OUTAGE_STARTS && o.at < OUTAGE_ENDS && /503/.test(o.outcome.status === 'retry' ? o.outcome.error : ''))).toBe(true);
      const resumed = Math.min(...outcomes.filter((o) => o.destination === destination && o.outcome.status === 'sent' && o.at >= OUTAGE_STARTS).map((o) => o.at));
      expect(resumed).toBeGreaterThanOrEqual(OUTAGE_ENDS);
      // The next attempt after the end is at most one backoff ceiling away (64 s after 7 failures).
      expect(resumed - OUTAGE_ENDS).toBeLessThanOrEqual(64_000);
    }
    // Bot channel: once per nonce; and no message was created while Discord was down.
    const nonces = fake.botMessages('alerts').map((m) => m.nonce);
    expect(new Set(nonces).size).toBe(nonces.length);
    expect(fake.requests.filter((r) => r.fault === 'outage').length).toBeGreaterThan(0);
    expect(fake.requests.filter((r) => r.fault === 'outage').every((r) => r.status === 503)).toBe(true);
    expect(fake.count429()).toBe(0);
  });

  it('with the default collapse threshold, digests account for every held-back message, in order, exactly once', async () => {
    const { enqueued, store, webhookKey, botKey } = await runScenario(5);
    const byDestination = delivered(webhookKey, botKey);
    for (const [destination, list] of enqueued) {
      const messages = byDestination.get(destination)!;
      const { digests } = expectNothingLostAndInOrder(list, messages);
      // 30 messages of two groups piled up behind a blocked head: they went out as digests.
      expect(digests).toBeGreaterThan(0);
      const counts = store.counts(destination);
      expect(counts).toMatchObject({ pending: 0, rejected: 0, expired: 0 });
      expect(counts.sent).toBe(messages.length);
      // Every collapsed row points at a digest that was sent.
      const collapsedRows = store.list({ status: 'collapsed', destination, limit: 1000 });
      expect(collapsedRows.length).toBe(counts.collapsed);
      expect(collapsedRows.every((row) => row.collapsedInto !== null && store.get(row.collapsedInto)?.status === 'sent')).toBe(true);
      expect(counts.collapsed + messages.length - digests).toBe(list.length);
    }
    const nonces = fake.botMessages('alerts').map((m) => m.nonce);
    expect(new Set(nonces).size).toBe(nonces.length);
    expect(fake.count429()).toBe(0);
  });
});
