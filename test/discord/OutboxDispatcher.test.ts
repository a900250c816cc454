import path from 'node:path';
import fc from 'fast-check';
import type { DiscordMessage } from '../../src/discord/DiscordMessage';
import { OutboxDispatcher, outboxNonce, retryDelayMs, type OutboxDispatcherOptions } from '../../src/discord/OutboxDispatcher';
import type { SendOutcome, Sink } from '../../src/discord/sinks/Sink';
import { createLogger } from '../../src/logging/logger';
import { OutboxStore, type OutboxEntry } from '../../src/state/OutboxStore';
import { StateStore } from '../../src/state/StateStore';
import { discordLimitProblems } from './discordLimitProblems';
import { useTempDir } from '../support/tempDir';

const tempDir = useTempDir();
const T0 = Date.parse('2026-02-09T07:00:00.000Z');

const message = (title: string): DiscordMessage => ({ embeds: [{ title }], allowed_mentions: { parse: [] } });
const entry = (title: string, destination = 'webhook:1', groupKey: string | null = null): OutboxEntry<DiscordMessage> => ({ destination, idempotencyKey: `key:${destination}:${title}`, groupKey, payload: message(title) });

interface Call {
  title: string;
  nonce: string;
  at: number;
}

/**
 * A sink whose answers follow a script, recording every call, the time of each and how many
 * sends were in flight at once. With `manual`, a send waits until the test releases it.
 */
class ScriptedSink implements Sink {
  readonly calls: Call[] = [];
  inFlight = 0;
  maxInFlight = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    readonly key: string,
    private readonly script: (call: Call, index: number) => SendOutcome = () => ({ status: 'sent' }),
    private readonly manual = false,
  ) {}

  get sent(): string[] {
    return this.calls.filter((_, i) => this.outcomes[i]?.status === 'sent').map((c) => c.title);
  }

  private readonly outcomes: SendOutcome[] = [];

  async send(msg: DiscordMessage, options: { nonce: string }): Promise<SendOutcome> {
    const call = { title: msg.embeds[0]?.title ?? '', nonce: options.nonce, at: Date.now() };
    const index = this.calls.push(call) - 1;
    this.inFlight += 1;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    if (this.manual) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else await Promise.resolve();
    this.inFlight -= 1;
    const outcome = this.script(call, index);
    this.outcomes[index] = outcome;
    return outcome;
  }

  /** Lets the oldest waiting send answer. */
  release(): void {
    const next = this.waiting.shift();
    if (!next) throw new Error(`no send waiting on ${this.key}`);
    next();
  }

  close(): void {}
}

/** Lets the lanes run everything that is due now (microtasks between fake timers). */
const settle = () => jest.advanceTimersByTimeAsync(0);

let state: StateStore;
let store: OutboxStore<DiscordMessage>;
let dispatcher: OutboxDispatcher | undefined;

function openState(): void {
  state = StateStore.open({ path: path.join(tempDir(), 'barista.db') });
  store = new OutboxStore<DiscordMessage>(state);
}

function startDispatcher(sinks: Sink[], options: Partial<OutboxDispatcherOptions> = {}): OutboxDispatcher {
  dispatcher = new OutboxDispatcher({ store, sinks: new Map(sinks.map((s) => [s.key, s])), random: () => 0.5, ...options });
  dispatcher.start();
  return dispatcher;
}

function enqueue(entries: OutboxEntry<DiscordMessage>[]): void {
  store.enqueue(entries);
  dispatcher?.notify(entries.map((e) => e.destination));
}

beforeEach(() => {
  jest.useFakeTimers({ now: T0 });
  openState();
});

afterEach(async () => {
  await dispatcher?.stop();
  dispatcher = undefined;
  if (state.isOpen) state.close();
  jest.useRealTimers();
});

describe('retryDelayMs', () => {
  it('doubles from 1 s up to the 5 min cap, scaled by the jitter', () => {
    const top = () => 0.999999;
    expect([1, 2, 3, 4, 8, 9, 10, 30].map((attempt) => Math.round(retryDelayMs(attempt, top) / 1000))).toEqual([1, 2, 4, 8, 128, 256, 300, 300]);
    expect(retryDelayMs(3, () => 0.5)).toBe(2_000);
    expect(retryDelayMs(3, () => 0)).toBe(0);
  });

  it('stays within [0, min(cap, base·2^(n-1))) for any attempt and any jitter (full jitter)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10_000 }), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (attempt, r) => {
        const delay = retryDelayMs(attempt, () => r);
        const ceiling = Math.min(300_000, 1_000 * 2 ** (attempt - 1));
        return delay >= 0 && delay < ceiling && Number.isInteger(delay);
      }),
    );
  });

  it('waits at least what the server asked for', () => {
    expect(retryDelayMs(1, () => 0.5, undefined, 30_000)).toBe(30_000);
    expect(retryDelayMs(10, () => 0.5, undefined, 1_000)).toBe(150_000);
  });
});

describe('OutboxDispatcher', () => {
  it('delivers each destination in outbox order and wakes at once on notify', async () => {
    const sink = new ScriptedSink('webhook:1');
    startDispatcher([sink]);
    enqueue([entry('a'), entry('b')]);
    await settle();
    enqueue([entry('c')]);
    await settle();
    expect(sink.calls.map((c) => c.title)).toEqual(['a', 'b', 'c']);
    expect(sink.calls.every((c) => c.at === T0)).toBe(true); // no waiting on a poll interval
    expect(sink.calls[0]!.nonce).toBe(outboxNonce('key:webhook:1:a'));
    expect(sink.calls[0]!.nonce.length).toBeLessThanOrEqual(25);
    expect(store.counts()).toMatchObject({ pending: 0, sent: 3 });
  });

  it('keeps order under retries, backing off exponentially with the injected jitter', async () => {
    let failures = 3;
    const sink = new ScriptedSink('webhook:1', (call) => (call.title === 'first' && failures-- > 0 ? { status: 'retry', error: '503 Service Unavailable' } : { status: 'sent' }));
    startDispatcher([sink], { random: () => 0.5 });
    enqueue([entry('first'), entry('second'), entry('third')]);
    await jest.advanceTimersByTimeAsync(10_000);
    // Delays 0.5·1 s, 0.5·2 s, 0.5·4 s: attempts at +0, +0.5, +1.5, +3.5 s; nothing overtakes the head.
    expect(sink.calls.map((c) => [c.title, c.at - T0])).toEqual([
      ['first', 0],
      ['first', 500],
      ['first', 1_500],
      ['first', 3_500],
      ['second', 3_500],
      ['third', 3_500],
    ]);
    expect(sink.calls.filter((c) => c.title === 'first').map((c) => c.nonce)).toEqual(Array(4).fill(outboxNonce('key:webhook:1:first')));
    expect(store.list({ status: 'sent' }).find((r) => r.idempotencyKey === 'key:webhook:1:first')).toMatchObject({ attempts: 4, lastError: null });
  });

  it('honours a retry-after longer than the backoff', async () => {
    let answered = false;
    const sink = new ScriptedSink('webhook:1', () => (answered ? { status: 'sent' } : ((answered = true), { status: 'retry', error: '429', retryAfterMs: 30_000 })));
    startDispatcher([sink], { random: () => 0 });
    enqueue([entry('limited'), entry('behind')]);
    await jest.advanceTimersByTimeAsync(29_999);
    expect(sink.calls.map((c) => c.title)).toEqual(['limited']);
    await jest.advanceTimersByTimeAsync(1);
    expect(sink.calls.map((c) => [c.title, c.at - T0])).toEqual([
      ['limited', 0],
      ['limited', 30_000],
      ['behind', 30_000],
    ]);
  });

  it('keeps a rejected message with its (redacted) error, warns once, never retries it and moves on', async () => {
    const lines: string[] = [];
    const logger = createLogger({ destination: { write: (line) => lines.push(line) }, format: 'json' });
    const leakyError = '400 Invalid Form Body (POST https://discord.com/api/webhooks/123456789012345678/abcdefghijklmnopqrstuvwxyz0123456789ABCD)';
    const sink = new ScriptedSink('webhook:1', (call) => (call.title === 'bad' ? { status: 'rejected', error: leakyError } : { status: 'sent' }));
    startDispatcher([sink], { logger });
    enqueue([entry('bad'), entry('good')]);
    await jest.advanceTimersByTimeAsync(3_600_000);
    expect(sink.calls.map((c) => c.title)).toEqual(['bad', 'good']);
    const [rejected] = store.list({ status: 'rejected' });
    expect(rejected).toMatchObject({ idempotencyKey: 'key:webhook:1:bad', attempts: 1 });
    expect(rejected!.lastError).toContain('400 Invalid Form Body');
    expect(rejected!.lastError).not.toContain('abcdefghijklmnopqrstuvwxyz');
    const warnings = lines.filter((l) => l.includes('rejected a message'));
    expect(warnings).toHaveLength(1);
    expect(lines.join('')).not.toContain('abcdefghijklmnopqrstuvwxyz');
  });

  it('resumes after a restart in order, at the stored retry time, losing and repeating nothing', async () => {
    const down = new ScriptedSink('webhook:1', (call) => (call.title === 'm1' ? { status: 'sent' } : { status: 'retry', error: 'ECONNRESET' }));
    startDispatcher([down], { random: () => 0.999 });
    enqueue(['m1', 'm2', 'm3', 'm4'].map((t) => entry(t)));
    await jest.advanceTimersByTimeAsync(2_500); // m1 sent; m2 tried at 0, ~1 s (next ~3 s)
    expect(down.calls.map((c) => c.title)).toEqual(['m1', 'm2', 'm2']);
    const retryAt = store.head('webhook:1')!.nextAttemptAt;
    await dispatcher!.stop();
    state.close();

    openState(); // a new process
    const up = new ScriptedSink('webhook:1');
    startDispatcher([up]);
    await settle();
    expect(up.calls).toEqual([]); // m2 still waits for its retry time
    await jest.advanceTimersByTimeAsync(retryAt - Date.now());
    expect(up.calls.map((c) => c.title)).toEqual(['m2', 'm3', 'm4']);
    expect(up.calls[0]!.at).toBe(retryAt);
    expect(store.counts()).toMatchObject({ pending: 0, sent: 4 });
  });

  it('after a crash during a send, sends that row again as itself (same nonce), never inside a digest, and starts a new digest after it', async () => {
    // Process 1: a backlog of one group; the first send reaches Discord, then barista is SIGKILLed.
    const dying = new ScriptedSink('bot:1', undefined, true);
    startDispatcher([dying]);
    const titles = Array.from({ length: 8 }, (_, i) => `📈 BUY BTC/USD #${i}`);
    enqueue([entry(titles[0]!, 'bot:1', 'trades:trial250')]);
    await settle();
    enqueue(titles.slice(1).map((t) => entry(t, 'bot:1', 'trades:trial250'))); // they pile up behind the send
    await settle();
    expect(dying.calls.map((c) => c.title)).toEqual([titles[0]]);
    dispatcher = undefined; // no stop(): the process is gone, the send's outcome never written
    state.close();

    openState(); // the next start, on the same state
    const sink = new ScriptedSink('bot:1');
    startDispatcher([sink]);
    await settle();
    // The row whose outcome is unknown goes again with its nonce (Discord returns the first
    // message); a digest listing it would post its content a second time under a new nonce.
    expect(sink.calls[0]).toMatchObject({ title: titles[0], nonce: dying.calls[0]!.nonce });
    expect(sink.calls.map((c) => c.title)).toEqual([titles[0], '7 notifications held back while Discord was unreachable']);
    expect(store.counts()).toMatchObject({ pending: 0, sent: 2, collapsed: 7 });
  });

  it('does not extend a digest whose send a crash interrupted: later rows go into a new one', async () => {
    const dying = new ScriptedSink('bot:1', undefined, true);
    startDispatcher([dying]);
    enqueue(Array.from({ length: 6 }, (_, i) => entry(`a${i}`, 'bot:1', 'g')));
    await settle();
    // Six rows of one group collapsed into a digest, whose send was in flight at the crash.
    expect(dying.calls.map((c) => c.title)).toEqual(['6 notifications held back while Discord was unreachable']);
    dispatcher = undefined;
    state.close();

    openState();
    store.enqueue(['b0', 'b1'].map((t) => entry(t, 'bot:1', 'g')));
    const sink = new ScriptedSink('bot:1');
    startDispatcher([sink]);
    await settle();
    // The same digest again (same nonce, same content: Discord keeps the first), then the new rows.
    expect(sink.calls.map((c) => [c.title, c.nonce === dying.calls[0]!.nonce])).toEqual([
      ['6 notifications held back while Discord was unreachable', true],
      ['b0', false],
      ['b1', false],
    ]);
  });

  it('never has two sends in flight to one destination, while destinations progress in parallel', async () => {
    const a = new ScriptedSink('webhook:a', undefined, true);
    const b = new ScriptedSink('bot:b', undefined, true);
    startDispatcher([a, b]);
    enqueue([entry('a1', 'webhook:a'), entry('a2', 'webhook:a'), entry('b1', 'bot:b'), entry('b2', 'bot:b')]);
    await settle();
    expect([a.inFlight, b.inFlight]).toEqual([1, 1]); // both lanes busy at once
    enqueue([entry('a3', 'webhook:a')]); // a notify during a send starts nothing new
    await settle();
    expect(a.inFlight).toBe(1);
    expect(dispatcher!.sending.sort()).toEqual(['bot:b', 'webhook:a']);
    for (let i = 0; i < 3; i += 1) {
      a.release();
      await settle();
    }
    b.release();
    await settle();
    b.release();
    await settle();
    expect(a.calls.map((c) => c.title)).toEqual(['a1', 'a2', 'a3']);
    expect(b.calls.map((c) => c.title)).toEqual(['b1', 'b2']);
    expect([a.maxInFlight, b.maxInFlight]).toEqual([1, 1]);
  });

  it('loses nothing and keeps order through a 60 s outage', async () => {
    const outageEnds = T0 + 60_000;
    const sink = new ScriptedSink('webhook:1', (call) => (call.at < outageEnds ? { status: 'retry', error: '503 Service Unavailable' } : { status: 'sent' }));
    const other = new ScriptedSink('bot:2');
    startDispatcher([sink, other], { random: Math.random, collapseThreshold: Infinity });
    const titles = Array.from({ length: 30 }, (_, i) => `n${String(i).padStart(2, '0')}`);
    // Ten arrive before the outage is noticed, twenty during it, one for another destination.
    enqueue(titles.slice(0, 10).map((t) => entry(t)));
    for (const [i, t] of titles.slice(10).entries()) {
      await jest.advanceTimersByTimeAsync(2_000);
      enqueue([entry(t)]);
      if (i === 0) enqueue([entry('elsewhere', 'bot:2')]);
    }
    expect(other.sent).toEqual(['elsewhere']); // not held up by webhook:1's outage
    expect(sink.sent).toEqual([]);
    await jest.advanceTimersByTimeAsync(10 * 60_000);
    expect(sink.sent).toEqual(titles);
    expect(store.counts()).toMatchObject({ pending: 0, sent: 31 });
    expect(Math.min(...sink.calls.filter((c) => c.at >= outageEnds).map((c) => c.at))).toBeLessThanOrEqual(outageEnds + 300_000);
  });

  it('collapses a backlog of one group into a digest that accounts for every held-back message', async () => {
    const outageEnds = T0 + 120_000;
    const received: DiscordMessage[] = [];
    const sink: Sink = {
      key: 'webhook:1',
      send: (msg) => {
        if (Date.now() < outageEnds) return Promise.resolve({ status: 'retry', error: '503' });
        received.push(msg);
        return Promise.resolve({ status: 'sent' });
      },
      close: () => undefined,
    };
    startDispatcher([sink]);
    enqueue([entry('before')]);
    const trades = Array.from({ length: 8 }, (_, i) => `📈 BUY BTC/USD #${i}`);
    for (const [i, t] of trades.entries()) {
      await jest.advanceTimersByTimeAsync(5_000);
      enqueue([entry(t, 'webhook:1', 'trades:trial250')]);
      if (i === 3) enqueue([entry('⚠️ stop-loss', 'webhook:1', 'alerts')]);
    }
    enqueue([entry('after')]);
    await jest.advanceTimersByTimeAsync(15 * 60_000);

    const titles = received.map((m) => m.embeds[0]?.title);
    expect(titles).toEqual(['before', '8 notifications held back while Discord was unreachable', '⚠️ stop-loss', 'after']);
    const digest = received[1]!;
    expect(discordLimitProblems(digest)).toEqual([]);
    const text = digest.embeds.map((e) => e.description).join('\n');
    const positions = trades.map((t) => text.indexOf(t));
    expect(positions.every((p) => p >= 0)).toBe(true);
    expect([...positions].sort((x, y) => x - y)).toEqual(positions); // listed oldest first
    expect(text.match(/<t:\d+:f>/g)).toHaveLength(8);
    expect(store.counts()).toMatchObject({ pending: 0, sent: 4, collapsed: 8 });
  });

  it('splits a backlog too large for one message into several valid digests, listing every title', async () => {
    let up = false;
    const received: DiscordMessage[] = [];
    const sink: Sink = { key: 'webhook:1', send: (msg) => Promise.resolve(up ? (received.push(msg), { status: 'sent' as const }) : { status: 'retry' as const, error: '503' }), close: () => undefined };
    startDispatcher([sink]);
    const titles = Array.from({ length: 70 }, (_, i) => `${String(i).padStart(3, '0')} ${'long title '.repeat(30)}`);
    enqueue([entry('head', 'webhook:1', 'g')]);
    await settle(); // head now waits for its retry
    enqueue(titles.map((t) => entry(t, 'webhook:1', 'g')));
    up = true;
    await jest.advanceTimersByTimeAsync(15 * 60_000);
    expect(received.length).toBeGreaterThan(1);
    for (const msg of received) expect(discordLimitProblems(msg)).toEqual([]);
    const listed = received.flatMap((m) => m.embeds.flatMap((e) => (e.description ?? '').split('\n')));
    titles.forEach((_, i) => expect(listed.filter((l) => l.includes(`${String(i).padStart(3, '0')} long title`))).toHaveLength(1));
    expect(listed.filter((l) => l.endsWith(' head'))).toHaveLength(1);
    expect(store.counts().collapsed + received.filter((m) => !m.embeds[0]?.title?.includes('held back')).length).toBe(71);
  });

  it('never sends a snapshot past its expiry, and an expired head stops blocking the rows behind it', async () => {
    let up = false;
    const sink = new ScriptedSink('webhook:1', () => (up ? { status: 'sent' } : { status: 'retry', error: '503', retryAfterMs: 600_000 }));
    startDispatcher([sink]);
    store.enqueue([{ ...entry('portfolio snapshot'), expiresAt: T0 + 30_000 }, entry('trade')]);
    dispatcher!.notify('webhook:1');
    await settle();
    up = true;
    await jest.advanceTimersByTimeAsync(29_999);
    expect(sink.calls.map((c) => c.title)).toEqual(['portfolio snapshot']);
    await jest.advanceTimersByTimeAsync(1); // the snapshot expires: the trade goes at once, not after the 10 min retry
    expect(sink.sent).toEqual(['trade']);
    expect(sink.calls.at(-1)!.at).toBe(T0 + 30_000);
    expect(store.counts()).toMatchObject({ pending: 0, sent: 1, expired: 1 });
  });

  it('leaves rows for a destination without a sink pending, and says so once', async () => {
    const lines: string[] = [];
    const logger = createLogger({ destination: { write: (line) => lines.push(line) }, format: 'json' });
    startDispatcher([new ScriptedSink('console')], { logger });
    enqueue([entry('x', 'bot:removed')]);
    enqueue([entry('y', 'bot:removed')]);
    await settle();
    expect(store.counts('bot:removed').pending).toBe(2);
    expect(lines.filter((l) => l.includes('not configured'))).toHaveLength(1);
  });

  it('treats a sink that throws as a retry and keeps going', async () => {
    let calls = 0;
    const sink: Sink = { key: 'webhook:1', send: () => (calls++ === 0 ? Promise.reject(new Error('socket hang up')) : Promise.resolve({ status: 'sent' })), close: () => undefined };
    startDispatcher([sink], { random: () => 0.5 });
    enqueue([entry('once')]);
    await settle();
    expect(store.head('webhook:1')).toMatchObject({ attempts: 1, lastError: 'socket hang up' });
    await jest.advanceTimersByTimeAsync(500);
    expect(store.counts()).toMatchObject({ pending: 0, sent: 1 });
  });
});
