/**
 * Notify latency (`BENCH_ONLY=notify-latency`): from an event to its request at the fake Discord,
 * for ungrouped events (a route with group_wait 0 and group_interval 0). The real notify side
 * (Notifications: policy on real timers, renderNotification, the SQLite outbox, OutboxDispatcher,
 * WebhookSink with discord.js REST) sends to a webhook of the fake Discord on 127.0.0.1; the clock
 * starts before the event is committed to state (as a source component commits and publishes it)
 * and stops when the fake has read the whole request. Events are `spacingMs` apart.
 *
 * Baseline, in the same run against the same fake: a raw `fetch` POST of an equivalent message to
 * another webhook of the fake, one per event at the same spacing (HTTP alone).
 *
 * The fake's webhook limit is raised (Discord allows 5 per 2 s): this measures barista, not
 * Discord's pacing, which the burst test covers. BENCH_QUICK: 200 events instead of 500.
 */
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Subject } from 'rxjs';
import { Notifications } from '../src/agent/Notifications';
import { rulesFileSchema } from '../src/config/schema';
import { renderNotification } from '../src/discord/render';
import { silentLogger } from '../src/logging/logger';
import { EventStore } from '../src/state/EventStore';
import { StateStore } from '../src/state/StateStore';
import type { BaristaEvent } from '../src/model/BaristaEvent';
import { FakeDiscord, type RecordedRequest } from '../test/support/fakeDiscord';
import { fmt, makeTempDir, percentile, QUICK, removeTempDir, sleep, waitUntil } from './support';

const WARM_UP = 20;
const TARGET_P99_MS = 100;

const benchEvent = (seq: number): BaristaEvent => ({
  id: `latency-${seq}`,
  type: 'bench.ping',
  severity: 'warning',
  at: new Date().toISOString(),
  source: 'bench',
  subject: 'latency',
  fields: { seq },
});

/** The event's seq as the fake received it (the rendered embed shows the field `seq`). */
function seqOf(request: RecordedRequest): number | undefined {
  const embeds = (request.body as { embeds?: { fields?: { name: string; value: string }[] }[] } | undefined)?.embeds;
  const value = embeds?.[0]?.fields?.find((f) => f.name === 'seq')?.value;
  return value === undefined ? undefined : Number(value.replace(/,/g, ''));
}

export async function benchNotifyLatency(): Promise<void> {
  const count = QUICK ? 200 : 500;
  const spacingMs = Number(process.env.BENCH_SPACING_MS ?? '') || 20;
  console.log(`\nLatency event → request at the fake Discord, ungrouped route (group_wait 0): ${count} events ${spacingMs} ms apart (after ${WARM_UP} warm-up events)`);

  const dir = makeTempDir();
  const fake = await FakeDiscord.start({
    channels: [{ name: 'general' }, { name: 'alerts' }],
    webhooks: [
      { name: 'Barista', channel: 'alerts' },
      { name: 'Baseline', channel: 'general' },
    ],
    rateLimits: { webhook: { limit: 10_000, windowMs: 1000 } },
  });
  // When the fake has read a request (it records it right after reading the body): precise, in this process's clock.
  const arrivedAt = new Map<RecordedRequest, number>();
  const record = fake.requests.push.bind(fake.requests);
  (fake.requests as RecordedRequest[]).push = (...items: RecordedRequest[]) => {
    const now = performance.now();
    for (const item of items) arrivedAt.set(item, now);
    return record(...items);
  };

  const state = StateStore.open({ path: path.join(dir, 'state.db') });
  const notifications = new Notifications({ state, logger: silentLogger() });
  try {
    const barista = fake.webhook('Barista');
    const baseline = fake.webhook('Baseline');
    const config = rulesFileSchema.parse({
      workspace: dir,
      notify: {
        discord: { api_base: fake.apiBase },
        defaults: { group_wait: '0s', group_interval: '0s', repeat_interval: '0s' },
        routes: [{ match: { type: 'bench.*' }, to: 'alerts' }],
        channels: { alerts: { webhook: fake.webhookUrl(barista.id) } },
      },
    });
    const events = new EventStore(state);
    const live = new Subject<BaristaEvent>();
    notifications.start(config, live);

    const arrivals = (webhookId: string): Map<number, number> => {
      const seen = new Map<number, number>();
      for (const request of fake.requests) {
        if (request.status !== 200 || !request.path.startsWith(`/api/v10/webhooks/${webhookId}/`)) continue;
        const seq = seqOf(request);
        if (seq !== undefined && !seen.has(seq)) seen.set(seq, arrivedAt.get(request)!);
      }
      return seen;
    };

    // barista: commit + publish, as a source component does.
    const baristaSent = new Map<number, number>();
    const emit = (seq: number) => {
      baristaSent.set(seq, performance.now());
      const event = benchEvent(seq);
      for (const committed of state.transaction(() => events.insertNew([event]))) live.next(committed);
    };
    // Baseline: the same kind of message, POSTed straight to the fake.
    const baselineSent = new Map<number, number>();
    const baselineUrl = `${fake.apiBase}/v10/webhooks/${baseline.id}/${baseline.token}?wait=true`;
    const post = (seq: number) => {
      const body = JSON.stringify(renderNotification({ channel: 'alerts', route: 0, groupKey: '0', groupLabels: {}, events: [benchEvent(seq)], silent: false })[0]);
      baselineSent.set(seq, performance.now());
      void fetch(baselineUrl, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body }).then((response) => response.arrayBuffer());
    };

    const runSeries = async (send: (seq: number) => void, webhookId: string, first: number, n: number) => {
      for (let seq = first; seq < first + n; seq++) {
        send(seq);
        await sleep(spacingMs);
      }
      await waitUntil('every request at the fake', () => arrivals(webhookId).has(first + n - 1) && arrivals(webhookId).size >= first + n, 15_000).catch(() => undefined);
    };
    await runSeries(emit, barista.id, 0, WARM_UP);
    await runSeries(post, baseline.id, 0, WARM_UP);
    await runSeries(emit, barista.id, WARM_UP, count);
    await runSeries(post, baseline.id, WARM_UP, count);

    const latencies = (sent: Map<number, number>, arrived: Map<number, number>) => {
      const values: number[] = [];
      for (const [seq, at] of sent) if (seq >= WARM_UP && arrived.has(seq)) values.push(arrived.get(seq)! - at);
      return values.sort((a, b) => a - b);
    };
    const baristaLatencies = latencies(baristaSent, arrivals(barista.id));
    const baselineLatencies = latencies(baselineSent, arrivals(baseline.id));
    console.log(`  ${''.padEnd(58)} ${['p50', 'p95', 'p99', 'max'].map((h) => h.padStart(7)).join(' ')}   ms, received`);
    const row = (name: string, values: number[]) => {
      const cells = [50, 95, 99].map((p) => fmt(percentile(values, p), 1).padStart(7));
      console.log(`  ${name.padEnd(58)} ${cells.join(' ')} ${fmt(values[values.length - 1] ?? Number.NaN, 1).padStart(7)}   ${values.length}/${count}`);
    };
    row('barista: commit → policy → render → outbox → webhook sink', baristaLatencies);
    row('raw fetch POST to the fake (baseline)', baselineLatencies);
    const p99 = percentile(baristaLatencies, 99);
    console.log(
      `  ratio (barista / baseline p50): ${fmt(percentile(baristaLatencies, 50) / percentile(baselineLatencies, 50), 2)}×   p99: ${fmt(p99 / percentile(baselineLatencies, 99), 2)}×   target p99 ≤ ${TARGET_P99_MS} ms: ${p99 <= TARGET_P99_MS && baristaLatencies.length === count ? 'met' : 'MISSED'}`,
    );
    const retried = fake.requests.filter((r) => r.status !== 200).length;
    if (retried) console.log(`  (the fake answered ${retried} requests with an error status)`);
  } finally {
    await notifications.stop();
    state.close();
    await fake.stop();
    removeTempDir(dir);
  }
}
