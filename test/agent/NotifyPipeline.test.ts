/** The pipeline end to end inside one process: events → policy → outbox → a recording sink, with real SQLite. */
import path from 'node:path';
import { Subject } from 'rxjs';
import { NotifyPipeline } from '../../src/agent/NotifyPipeline';
import { rulesFileSchema } from '../../src/config/schema';
import { planDelivery } from '../../src/discord/deliveryPlan';
import type { DiscordMessage } from '../../src/discord/DiscordMessage';
import type { Sink, SendOutcome } from '../../src/discord/sinks/Sink';
import { createLogger } from '../../src/logging/logger';
import { EventStore } from '../../src/state/EventStore';
import { StateStore } from '../../src/state/StateStore';
import type { BaristaEvent } from '../../src/model/BaristaEvent';
import type { Notification } from '../../src/streams/notify/Notification';
import { useTempDir } from '../support/tempDir';
import { waitFor } from '../support/waitFor';

const tempDir = useTempDir();
const WEBHOOK = 'https://discord.com/api/webhooks/123456789012345678/tok';

class RecordingSink implements Sink {
  readonly key = 'webhook:123456789012345678';
  readonly sent: DiscordMessage[] = [];
  async send(message: DiscordMessage): Promise<SendOutcome> {
    this.sent.push(message);
    return { status: 'sent' };
  }
  close(): void {}
}

const rules = (groupWait: string, repeatInterval = '0s') =>
  rulesFileSchema.parse({
    workspace: '/tmp/w',
    notify: {
      defaults: { group_wait: groupWait, group_interval: '1s', repeat_interval: repeatInterval },
      routes: [{ match: { type: 'portfolio.snapshot' }, mode: 'off' }, { match: { type: 'trade.*' }, to: 'trades', group_by: ['subject'] }],
      channels: { trades: { webhook: WEBHOOK } },
    },
  });

const trade = (id: string): BaristaEvent => ({ id, type: 'trade.executed', severity: 'info', at: '2026-02-09T07:00:00.000Z', source: 'sessions', subject: 'trial250_session', fields: { symbol: 'BTC/USD', side: 'BUY' } });
const snapshot = (id: string): BaristaEvent => ({ ...trade(id), type: 'portfolio.snapshot' });
/** One message per notification, titled with its event ids: enough to check what was grouped. */
const render = (n: Notification): DiscordMessage[] => [{ embeds: [{ title: n.events.map((e) => e.id).join(',') }], allowed_mentions: { parse: [] } }];

function open(groupWait: string, sink: RecordingSink, repeatInterval?: string) {
  const state = StateStore.open({ path: path.join(tempDir(), 'state.db') });
  const config = rules(groupWait, repeatInterval);
  const pipeline = new NotifyPipeline({
    state,
    logger: createLogger({ level: 'silent' }),
    notify: config.notify,
    plan: planDelivery(config),
    sinks: new Map([[sink.key, sink]]),
    render,
    renderPortfolio: () => [],
  });
  const events = new EventStore(state);
  const live = new Subject<BaristaEvent>();
  // As a source component does: commit, then publish what was new.
  const commit = (list: BaristaEvent[]) => state.transaction(() => events.insertNew(list)).forEach((e) => live.next(e));
  return { state, pipeline, events, live, commit };
}

describe('NotifyPipeline', () => {
  it('groups committed events into one message, settles dropped ones, and leaves nothing unnotified', async () => {
    const sink = new RecordingSink();
    const { state, pipeline, events, live, commit } = open('50ms', sink);
    pipeline.start(live);
    commit([trade('t1'), snapshot('s1'), trade('t2')]);
    await waitFor(() => sink.sent.length === 1, { what: 'the grouped message' });
    expect(sink.sent[0]?.embeds[0]?.title).toBe('t1,t2');
    expect(events.unnotified()).toEqual([]);
    await pipeline.stop();
    state.close();
  });

  it('finds events still waiting in a group when barista died, and sends them at the next start', async () => {
    const first = new RecordingSink();
    const a = open('1h', first);
    a.pipeline.start(a.live);
    a.commit([trade('t1'), trade('t2')]);
    expect(a.events.unnotified().map((e) => e.id)).toEqual(['t1', 't2']); // waiting in the group
    a.pipeline.abort(); // a SIGKILL: no stop(), the group is lost from memory
    a.state.close();

    const second = new RecordingSink();
    const b = open('10ms', second);
    b.pipeline.start(b.live);
    await waitFor(() => second.sent.length === 1, { what: 'the replayed group' });
    expect(second.sent[0]?.embeds[0]?.title).toBe('t1,t2');
    await b.pipeline.stop();
    expect(b.events.unnotified()).toEqual([]);
    b.state.close();
  });

  it('sends what is pending at a clean stop instead of waiting for group_wait', async () => {
    const sink = new RecordingSink();
    const { state, pipeline, events, live, commit } = open('1h', sink);
    pipeline.start(live);
    commit([trade('t1')]);
    await pipeline.stop();
    expect(sink.sent.map((m) => m.embeds[0]?.title)).toEqual(['t1']);
    expect(events.unnotified()).toEqual([]);
    state.close();
  });

  it('settles a repeat that repeat_interval suppressed at once, so a crash does not send it at the next start', async () => {
    const first = new RecordingSink();
    const a = open('10ms', first, '4h');
    a.pipeline.start(a.live);
    // The same trade twice (new ids, same content): the second is a repeat within 4 h.
    a.commit([trade('t1')]);
    await waitFor(() => first.sent.length === 1, { what: 'the first trade' });
    a.commit([trade('t2')]);
    expect(a.events.unnotified()).toEqual([]);
    a.pipeline.abort(); // a SIGKILL
    a.state.close();

    const second = new RecordingSink();
    const b = open('10ms', second, '4h');
    b.pipeline.start(b.live);
    b.commit([{ ...trade('t3'), fields: { symbol: 'ETH/USD', side: 'SELL' } }]);
    await waitFor(() => second.sent.length === 1, { what: 'the next trade' });
    expect(second.sent.map((m) => m.embeds[0]?.title)).toEqual(['t3']);
    await b.pipeline.stop();
    b.state.close();
  });

  it('remembers a fact sent before a restart: its other report after the restart is stored, pointing at it, and not sent', async () => {
    const fact = (rank: number) => ({ key: 'trial:interop:7', rank, holdMs: 0 });
    const first = new RecordingSink();
    const a = open('10ms', first);
    a.pipeline.start(a.live);
    a.commit([{ ...trade('rich'), fact: fact(1) }]);
    await waitFor(() => first.sent.length === 1, { what: 'the first report' });
    a.pipeline.abort(); // a SIGKILL
    a.state.close();

    const second = new RecordingSink();
    const b = open('10ms', second);
    b.pipeline.start(b.live);
    b.commit([{ ...trade('poor'), fact: fact(0) }, trade('other')]);
    await waitFor(() => second.sent.length === 1, { what: 'the next message' });
    await b.pipeline.stop();
    expect(second.sent.map((m) => m.embeds[0]?.title)).toEqual(['other']);
    expect(b.events.duplicateOf('poor')).toBe('rich');
    expect(b.events.recent(10).find((e) => e.id === 'poor')?.fact).toEqual(fact(0));
    expect(b.events.unnotified()).toEqual([]);
    b.state.close();
  });
});
