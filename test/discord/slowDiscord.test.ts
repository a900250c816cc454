/**
 * Issue 12 item 7: a Discord that answers after 20 s must not get the message six times.
 * Scaled down ten-fold through the config (notify.discord.answer_timeout 12 s against a 2 s
 * answer, as the default 2 min stands to the 20 s seen), with real discord.js sinks, a real
 * outbox and dispatcher, and the fake Discord delaying its answer (it creates the message when
 * it finally handles the request, as Discord would, whether or not the client still listens).
 */
import path from 'node:path';
import { rulesFileSchema } from '../../src/config/schema';
import { createSinks } from '../../src/discord/createSinks';
import type { DiscordMessage } from '../../src/discord/DiscordMessage';
import { planDelivery } from '../../src/discord/deliveryPlan';
import { OutboxDispatcher } from '../../src/discord/OutboxDispatcher';
import { DEFAULT_ANSWER_TIMEOUT_MS } from '../../src/discord/sinks/RestSender';
import type { Sink } from '../../src/discord/sinks/Sink';
import { OutboxStore } from '../../src/state/OutboxStore';
import { StateStore } from '../../src/state/StateStore';
import { FakeDiscord } from '../support/fakeDiscord';
import { useTempDir } from '../support/tempDir';
import { waitFor } from '../support/waitFor';

const tempDir = useTempDir();
const ANSWER_AFTER_MS = 2_000;

describe('a slow Discord (answers after 2 s, answer_timeout 12 s)', () => {
  let fake: FakeDiscord;
  let state: StateStore;
  let sinks: Map<string, Sink>;

  beforeEach(async () => {
    fake = await FakeDiscord.start({ channels: [{ name: 'trades' }, { name: 'alerts' }], webhooks: [{ name: 'Barista', channel: 'trades' }] });
    state = StateStore.open({ path: path.join(tempDir(), 'state.db') });
  });

  afterEach(async () => {
    for (const sink of sinks?.values() ?? []) await sink.close();
    if (state.isOpen) state.close();
    await fake.stop();
  });

  it.each([
    ['a webhook (no nonce)', 'trades'],
    ['a bot channel', 'alerts'],
  ])('%s: exactly one request and one message, marked sent', async (_name, channel) => {
    const config = rulesFileSchema.parse({
      workspace: tempDir(),
      notify: {
        discord: { api_base: fake.apiBase, token: fake.botToken, answer_timeout: '12s' },
        channels: { trades: { webhook: fake.webhookUrl() }, alerts: { channel: fake.channel('alerts').id } },
      },
    });
    expect(config.notify.discord.answer_timeout).toBe(12_000);
    expect(DEFAULT_ANSWER_TIMEOUT_MS).toBeGreaterThanOrEqual(6 * 20_000);
    const plan = planDelivery(config);
    sinks = await createSinks(plan, { timeoutMs: config.notify.discord.answer_timeout });
    const destination = plan.channels.get(channel)![0]!.key;
    const store = new OutboxStore<DiscordMessage>(state);
    // A backoff of a few ms: had anything given up on the first request, the resend would come at once.
    const dispatcher = new OutboxDispatcher({ store, sinks, backoff: { baseMs: 5, capMs: 20 } });
    fake.fail({ method: 'POST', path: /\/(webhooks|channels)\//, delayMs: ANSWER_AFTER_MS, times: 100 });
    store.enqueue([{ destination, idempotencyKey: 'slow-1', payload: { content: 'slow Discord', embeds: [], allowed_mentions: { parse: [] } } }]);
    dispatcher.start();
    await waitFor(() => store.counts().sent === 1, { what: 'the row marked sent', timeoutMs: 20_000 });
    await dispatcher.stop();

    const posts = fake.requests.filter((r) => r.method === 'POST');
    expect(posts).toHaveLength(1);
    expect(fake.messages.filter((m) => m.content === 'slow Discord')).toHaveLength(1);
    expect(posts[0]!.respondedAt! - posts[0]!.at).toBeGreaterThanOrEqual(ANSWER_AFTER_MS - 50);
  });
});
