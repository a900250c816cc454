/**
 * Slow Discord (`BENCH_ONLY=slow-discord`), issue 12 item 7: how many messages a webhook ends up
 * with per message barista sends when Discord answers late, and how long the ambiguous window
 * (request sent, answer not yet known) lasts at normal speed.
 *
 * 1. Time scaled 1:100 so the run takes seconds: for 2 s (200 s) Discord answers every webhook
 *    request after 200 ms (the 20 s seen), then at once again.
 *    Baseline: the former sink settings, a 150 ms request timeout (15 s) with one immediate
 *    discord.js retry; barista now: retries 0 and answer_timeout at the default's scale (1.2 s,
 *    for 2 min). Real WebhookSink + OutboxDispatcher + SQLite outbox against the fake Discord
 *    (it creates a message when it handles a request, whether the client still waits or not).
 * 2. At normal speed: each send's duration through WebhookSink (?wait=true, so the answer says
 *    whether the message exists), beside a raw fetch POST of the same body (HTTP alone).
 */
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { DiscordMessage } from '../src/discord/DiscordMessage';
import { OutboxDispatcher } from '../src/discord/OutboxDispatcher';
import { WebhookSink } from '../src/discord/sinks/WebhookSink';
import { OutboxStore } from '../src/state/OutboxStore';
import { StateStore } from '../src/state/StateStore';
import { FakeDiscord } from '../test/support/fakeDiscord';
import { fmt, makeTempDir, percentile, QUICK, removeTempDir, waitUntil } from './support';

const SCALE = 100;
const ANSWER_AFTER_MS = 20_000 / SCALE;
const SLOW_FOR_MS = 200_000 / SCALE;
const message = (n: number): DiscordMessage => ({ content: `slow ${n}`, embeds: [], allowed_mentions: { parse: [] } });

async function copiesPerMessage(fake: FakeDiscord, dir: string, name: string, sink: { timeoutMs: number; retries: number }, count: number): Promise<number> {
  const state = StateStore.open({ path: path.join(dir, `${name}.db`) });
  const webhook = fake.createWebhook({ name });
  const store = new OutboxStore<DiscordMessage>(state);
  const sender = new WebhookSink({ webhook: { id: webhook.id, token: webhook.token }, apiBase: fake.apiBase, ...sink });
  const dispatcher = new OutboxDispatcher({ store, sinks: new Map([[sender.key, sender]]), backoff: { baseMs: 1_000 / SCALE, capMs: 300_000 / SCALE } });
  try {
    store.enqueue(Array.from({ length: count }, (_, n) => ({ destination: sender.key, idempotencyKey: `${name}-${n}`, payload: message(n) })));
    const slow = fake.fail({ method: 'POST', path: new RegExp(`/webhooks/${webhook.id}/`), delayMs: ANSWER_AFTER_MS, times: 1_000_000 });
    const fast = setTimeout(() => slow.cancel(), SLOW_FOR_MS);
    dispatcher.start();
    await waitUntil(`${name}: every row sent`, () => store.counts().pending === 0, 60_000);
    clearTimeout(fast);
    await dispatcher.stop();
    // Requests the fake still holds (abandoned by the client) create their message when they end.
    await new Promise((resolve) => setTimeout(resolve, ANSWER_AFTER_MS * 2));
    return fake.webhookMessages(webhook.id).length / count;
  } finally {
    sender.close();
    state.close();
  }
}

export async function benchSlowDiscord(): Promise<void> {
  const dir = makeTempDir();
  const fake = await FakeDiscord.start({ rateLimits: { webhook: { limit: 1_000, windowMs: 1_000 } } });
  try {
    const count = QUICK ? 5 : 10;
    const before = await copiesPerMessage(fake, dir, 'former', { timeoutMs: 15_000 / SCALE, retries: 1 }, count);
    const now = await copiesPerMessage(fake, dir, 'now', { timeoutMs: 120_000 / SCALE, retries: 0 }, count);
    console.log(`\nSlow Discord: a webhook answering after 20 s for 200 s (scaled 1:${SCALE}), ${count} messages`);
    console.log(`  barista (answer_timeout 2 min, no discord.js retry)   ${fmt(now, 2)} messages created per message`);
    console.log(`  former settings (15 s timeout + 1 immediate retry)   ${fmt(before, 2)} messages created per message`);

    const ws = fake.webhooks[0]!;
    const sender = new WebhookSink({ webhook: { id: ws.id, token: ws.token }, apiBase: fake.apiBase });
    const url = `${fake.webhookUrl(ws)}?wait=true`;
    const sends = QUICK ? 100 : 300;
    const windows: number[] = [];
    const raw: number[] = [];
    // Warm up both paths (discord.js loads and opens its connection pool).
    await sender.send(message(-1), { nonce: 'warm' });
    await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(message(-1)) });
    for (let n = 0; n < sends; n += 1) {
      let start = performance.now();
      await sender.send(message(n), { nonce: String(n) });
      windows.push(performance.now() - start);
      start = performance.now();
      await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(message(n)) });
      raw.push(performance.now() - start);
    }
    sender.close();
    const line = (label: string, values: number[]) => {
      const sorted = [...values].sort((a, b) => a - b);
      console.log(`  ${label.padEnd(52)} p50 ${fmt(percentile(sorted, 50), 2)} ms  p99 ${fmt(percentile(sorted, 99), 2)} ms  max ${fmt(sorted[sorted.length - 1]!, 2)} ms`);
    };
    console.log(`\nAmbiguous window of a webhook send at normal speed (${sends} sends): request out → answer known`);
    line('barista WebhookSink (?wait=true, discord.js)', windows);
    line('baseline: raw fetch POST of the same body', raw);
  } finally {
    await fake.stop();
    removeTempDir(dir);
  }
}
