/**
 * Issue 12 item 6: a destination Discord refuses (permission removed, webhook deleted) is a state
 * of the destination, not of each message. Real pieces: the fake Discord on 127.0.0.1, the
 * notify side of barista (Notifications: policy, renderer, SQLite outbox, dispatcher, discord.js
 * sinks), /health from the same state.
 */
import path from 'node:path';
import { Subject } from 'rxjs';
import { Notifications } from '../../src/agent/Notifications';
import { rulesFileSchema, type RulesFile } from '../../src/config/schema';
import { createLogger } from '../../src/logging/logger';
import type { BaristaEvent } from '../../src/model/BaristaEvent';
import { healthAnswer } from '../../src/readModel/queries';
import { ReadModel } from '../../src/readModel/ReadModel';
import { renderAnswer, renderTextPreview } from '../../src/discord/render';
import { EventStore } from '../../src/state/EventStore';
import { OutboxStore } from '../../src/state/OutboxStore';
import { StateStore } from '../../src/state/StateStore';
import { FakeDiscord, type FakeMessage } from '../support/fakeDiscord';
import { useTempDir } from '../support/tempDir';
import { waitFor } from '../support/waitFor';

const tempDir = useTempDir();

const event = (n: number): BaristaEvent => ({
  id: `refused-${n}`,
  type: 'trade.executed',
  severity: 'info',
  at: new Date().toISOString(),
  source: 'sessions',
  subject: 'trial250',
  fields: { trader: 'trial250', symbol: `T${String(n).padStart(2, '0')}/USD`, side: 'BUY', qty: 1, price: 10, value: 10, position: n, position_before: n - 1, closed: false },
});

const titleOf = (m: FakeMessage) => ((m.embeds as { title?: string }[])[0]?.title ?? '');

describe('Discord refusing a destination', () => {
  let fake: FakeDiscord;
  let state: StateStore;
  let notifications: Notifications;
  const logLines: Record<string, unknown>[] = [];
  const events$ = new Subject<BaristaEvent>();

  function config(probeInterval: string, tradesTo = 'trades', webhook = fake.webhookUrl()): RulesFile {
    return rulesFileSchema.parse({
      workspace: tempDir(),
      notify: {
        discord: { api_base: fake.apiBase, token: fake.botToken, probe_interval: probeInterval },
        routes: [{ match: { type: 'trade.*' }, to: tradesTo, group_wait: '0s', group_interval: '0s' }],
        channels: { trades: { channel: fake.channel('trades').id }, alerts: { webhook } },
      },
    });
  }

  /** Commits events as a source would, then hands them to the pipeline. */
  function emit(from: number, to: number): void {
    const batch = Array.from({ length: to - from + 1 }, (_, i) => event(from + i));
    new EventStore(state).insertNew(batch);
    batch.forEach((e) => events$.next(e));
  }

  beforeEach(async () => {
    fake = await FakeDiscord.start({ channels: [{ name: 'trades' }, { name: 'alerts' }], webhooks: [{ name: 'Barista', channel: 'alerts' }], rateLimits: { channelMessages: { limit: 50, windowMs: 100 } } });
    state = StateStore.open({ path: path.join(tempDir(), 'state.db') });
    logLines.length = 0;
    const logger = createLogger({ destination: { write: (line: string) => logLines.push(JSON.parse(line) as Record<string, unknown>) }, format: 'json', level: 'debug' });
    notifications = new Notifications({ state, logger, console: { write: () => true } });
  });

  afterEach(async () => {
    await notifications.stop();
    if (state.isOpen) state.close();
    await fake.stop();
  });

  it('keeps the messages, alarms once elsewhere, shows in /health, and delivers the backlog in order after a rules reload', async () => {
    const rules = config('1h');
    await notifications.start(rules, events$);
    fake.setCanSend('trades', false);
    emit(1, 3);
    await waitFor(() => fake.webhookMessages().length === 1, { what: 'the alarm in the alerts channel', timeoutMs: 10_000 });
    emit(4, 6);

    const trades = fake.channel('trades').id;
    const toTrades = () => fake.requests.filter((r) => r.method === 'POST' && r.path.endsWith(`/channels/${trades}/messages`));
    await waitFor(() => new EventStore(state).unnotified().length === 0 && new OutboxStore(state).counts().pending >= 2, { what: 'every event in the outbox', timeoutMs: 10_000 });
    // One refused request: the destination is down, not each message.
    expect(toTrades()).toHaveLength(1);
    expect(toTrades()[0]!.status).toBe(403);
    expect(new OutboxStore(state).counts().rejected).toBe(0);
    const alarms = logLines.filter((l) => l.level === 50 || l.level === 'error');
    expect(alarms).toHaveLength(1);
    expect(String(alarms[0]!.msg)).toMatch(/^Discord refuses bot:\d+ \(channel trades\): Discord 403 50013: Missing Permissions\. Its \d message\(s\) are kept/);
    expect(titleOf(fake.webhookMessages()[0]!)).toBe('⛔ Discord refuses channel trades');

    const health = healthAnswer(new ReadModel(state), { version: 'test', startedAt: Date.now(), rateLimitHits: () => 0 });
    expect(health.outbox.refused).toEqual([expect.objectContaining({ destination: `bot:${trades}`, channels: ['trades'], error: 'Discord 403 50013: Missing Permissions' })]);
    expect(renderTextPreview([renderAnswer(health)], { now: health.now })).toContain('Discord refuses channel trades');

    // The permission is given back and the rules saved again: the backlog goes out at once, in order.
    fake.setCanSend('trades', true);
    await notifications.restart(config('1h'), events$);
    await waitFor(() => new OutboxStore(state).counts().pending === 0, { what: 'the backlog delivered', timeoutMs: 10_000 });
    const delivered = fake.botMessages('trades').map((m) => JSON.stringify(m.embeds));
    expect(delivered.length).toBeGreaterThan(0);
    const order = [1, 2, 3, 4, 5, 6].map((n) => delivered.join('\n').indexOf(`T${String(n).padStart(2, '0')}/USD`));
    expect(order.every((at) => at >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(new OutboxStore(state).refusedDestinations()).toEqual([]);
    expect(fake.webhookMessages()).toHaveLength(1);
  });

  it('a slow probe finds the credentials working again without a reload', async () => {
    await notifications.start(config('300ms'), events$);
    fake.setCanSend('trades', false);
    emit(1, 2);
    await waitFor(() => fake.webhookMessages().length === 1, { what: 'the alarm', timeoutMs: 10_000 });
    fake.setCanSend('trades', true);
    await waitFor(() => new OutboxStore(state).counts().pending === 0, { what: 'the probe to deliver the backlog', timeoutMs: 10_000 });
    expect(logLines.some((l) => String(l.msg).startsWith(`Discord accepts bot:${fake.channel('trades').id} again`))).toBe(true);
    expect(fake.webhookMessages()).toHaveLength(1);
  });

  it('a deleted webhook replaced by a new one in the rules: the backlog goes to the new webhook', async () => {
    await notifications.start(config('1h', 'alerts'), events$);
    fake.deleteWebhook('Barista');
    emit(1, 3);
    await waitFor(() => fake.botMessages('trades').length === 1, { what: 'the alarm in the trades channel', timeoutMs: 10_000 });
    expect(titleOf(fake.botMessages('trades')[0]!)).toBe('⛔ Discord refuses channel alerts');
    await waitFor(() => new EventStore(state).unnotified().length === 0, { what: 'every event in the outbox', timeoutMs: 10_000 });
    expect(new OutboxStore(state).counts()).toMatchObject({ rejected: 0, pending: expect.any(Number) });

    const replacement = fake.createWebhook({ name: 'Barista 2', channel: 'alerts' });
    await notifications.restart(config('1h', 'alerts', fake.webhookUrl(replacement)), events$);
    await waitFor(() => new OutboxStore(state).counts().pending === 0, { what: 'the backlog delivered to the new webhook', timeoutMs: 10_000 });
    const delivered = fake.webhookMessages(replacement.id).map((m) => JSON.stringify(m.embeds)).join('\n');
    for (const n of [1, 2, 3]) expect(delivered).toContain(`T0${n}/USD`);
    expect(new OutboxStore(state).refusedDestinations()).toEqual([]);
  });

  it('a rules reload that leaves notify unchanged tries the refused destination at once', async () => {
    await notifications.start(config('1h'), events$);
    fake.setCanSend('trades', false);
    emit(1, 2);
    await waitFor(() => fake.webhookMessages().length === 1, { what: 'the alarm', timeoutMs: 10_000 });
    fake.setCanSend('trades', true);
    notifications.retryRefused();
    await waitFor(() => new OutboxStore(state).counts().pending === 0, { what: 'the backlog delivered', timeoutMs: 10_000 });
  });
});
