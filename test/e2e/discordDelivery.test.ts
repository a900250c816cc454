/**
 * Issue 5, end to end: the simulator writes a live trader workspace, `barista run` (the compiled
 * CLI, a real child process) watches it with the shipped rules, and the fake Discord on
 * 127.0.0.1 receives what barista sends, through a webhook or as the bot.
 *
 * The rules are a copy of config/rules.yaml with two changes: the `processes` source is left
 * out (it expects a real trader and three training workers, so with none running it would
 * report `trader.below_expected` / `training.workers_below_expected`, and its host thresholds
 * would judge this shared 2-core machine's load), and group_wait / group_interval are short
 * so the test does not wait 10 s per group. The kill test also sends every route to a webhook
 * twin of its channel, so one run feeds bot channels and a webhook alike.
 *
 * "Expected" in the kill test: every `trade.executed` event in barista's state (read-only) —
 * which must equal the simulator's truth (trades worth ≥ $5, min_notional) — counted once in
 * the trade channel, summing what each delivered message says it holds (one per single trade
 * embed, N per "N trades" title, and per line of a backlog digest); every committed event
 * settled; every outbox row delivered, each sent row one message at Discord.
 * The fake keeps Discord's rate limits (webhook 5/2 s, bot channel 5/5 s): they, not CPU, set
 * the ~30 s the kill test takes.
 */
import Database from 'better-sqlite3';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { FakeDiscord, type FakeMessage, type RecordedRequest } from '../support/fakeDiscord';
import { BaristaProcess } from '../support/baristaProcess';
import { tradeRows, tradesIn, type MessageBody } from '../support/deliveredTrades';
import { writeRulesCopy } from '../support/rulesCopy';
import { NO_RANDOM_EVENTS, SeededRandom, TraderSimulator, playBuyThenCrash } from '../support/simulator';
import { useTempDir } from '../support/tempDir';
import { waitFor } from '../support/waitFor';

const GUARD = path.join(__dirname, '..', 'support', 'loopbackOnly.js');
const tempDir = useTempDir('barista-e2e-discord-');
let fake: FakeDiscord | null = null;
let running: BaristaProcess[] = [];

afterEach(async () => {
  running.forEach((child) => child.kill('SIGKILL'));
  running = [];
  await fake?.stop();
  fake = null;
});

interface Setup {
  workspace: string;
  rules: string;
  state: string;
  netLog: string;
}

function setup(options: Parameters<typeof writeRulesCopy>[1]): Setup {
  const dir = tempDir();
  const workspace = path.join(dir, 'cappuccino');
  for (const folder of ['logs', 'paper_trades']) mkdirSync(path.join(workspace, folder), { recursive: true });
  return {
    workspace,
    rules: writeRulesCopy(path.join(dir, 'rules.yaml'), { withoutSources: ['processes'], ...options }),
    state: path.join(dir, 'state', 'barista.db'),
    netLog: path.join(dir, 'connections.jsonl'),
  };
}

function startBarista(s: Setup, discordEnv: Record<string, string>): BaristaProcess {
  const child = BaristaProcess.start(['run', '--config', s.rules, '--state', s.state], {
    cwd: tempDir(),
    env: { CAPPUCCINO_WORKSPACE: s.workspace, NODE_OPTIONS: `--require ${GUARD}`, BARISTA_NET_LOG: s.netLog, ...discordEnv },
  });
  running.push(child);
  return child;
}

/** Simulated time starts at the current hour, so the trader's heartbeats are not already stale. */
function simulator(s: Setup, options: Partial<ConstructorParameters<typeof TraderSimulator>[0]> = {}): TraderSimulator {
  return new TraderSimulator({ workspace: s.workspace, start: new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000), ...options });
}

/** Trades barista reports: the CSV's holdings deltas worth at least min_notional ($5). */
function expectedTrades(sim: TraderSimulator) {
  return sim.truth.trades.filter((trade) => trade.value >= 5);
}

function bodyOf(request: RecordedRequest): MessageBody & Record<string, unknown> {
  return request.body as MessageBody & Record<string, unknown>;
}

function titlesOf(requests: readonly RecordedRequest[]): string[] {
  return requests.flatMap((request) => (bodyOf(request).embeds ?? []).map((embed) => embed.title ?? ''));
}

/** Read-only look into barista's state: what is still waiting to be notified or sent. */
function backlog(statePath: string): { unnotified: number; pending: number } {
  const db = new Database(statePath, { readonly: true, fileMustExist: true });
  try {
    const unnotified = (db.prepare('SELECT count(*) AS n FROM events WHERE notified_at IS NULL').get() as { n: number }).n;
    const pending = (db.prepare("SELECT count(*) AS n FROM outbox WHERE status = 'pending'").get() as { n: number }).n;
    return { unnotified, pending };
  } finally {
    db.close();
  }
}

function quiet(statePath: string): boolean {
  const { unnotified, pending } = backlog(statePath);
  return unnotified === 0 && pending === 0;
}

/** Every connection barista opened went to the fake on 127.0.0.1 (and the guard saw at least one). */
function expectLoopbackOnly(s: Setup, port: number): void {
  const connections = readFileSync(s.netLog, 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { host?: string; port?: number; path?: string; allowed: boolean });
  expect(connections.filter((c) => !c.allowed)).toEqual([]);
  expect(connections.filter((c) => c.port === port).length).toBeGreaterThan(0);
  expect(connections.filter((c) => c.path === undefined).every((c) => c.host === '127.0.0.1' && c.port === port)).toBe(true);
}

function expectNoSecretsIn(child: BaristaProcess, secrets: readonly string[]): void {
  const output = `${child.stdoutLines().join('\n')}\n${child.stderr}`;
  expect(output.length).toBeGreaterThan(0);
  for (const secret of secrets) expect(output).not.toContain(secret);
}

/** Stop-losses a list of titles stands for ("🛑 Stop-loss · ETH/USD" is one, "… 3 stop-losses …" three). */
function stopLossesIn(titles: readonly string[]): number {
  return titles.reduce((sum, title) => {
    const grouped = / ([\d,]+) stop-losses /u.exec(title);
    return sum + (grouped ? Number(grouped[1]!.replace(/,/g, '')) : title.startsWith('🛑 Stop-loss') ? 1 : 0);
  }, 0);
}

interface StoryRun {
  sim: TraderSimulator;
  barista: BaristaProcess;
  setup: Setup;
  /** Every POST barista made, once nothing was left to send. */
  posts: RecordedRequest[];
}

/**
 * Starts barista with these Discord settings, lets the simulated trader trade through a crash,
 * and returns once every expected trade was delivered and barista's state holds nothing unsent.
 */
async function runCrashStory(discordEnv: (fake: FakeDiscord) => Record<string, string>): Promise<StoryRun> {
  fake = await FakeDiscord.start();
  const s = setup({ defaults: { group_wait: '500ms', group_interval: '1s' } });
  const barista = startBarista(s, { DISCORD_API_BASE: fake.apiBase, ...discordEnv(fake) });
  await barista.waitForLog((line) => line.msg === 'barista running', { what: 'start-up', timeoutMs: 15_000 });

  const sim = simulator(s, { seed: 7, rates: NO_RANDOM_EVENTS, traders: [{ name: 'trial250' }] });
  playBuyThenCrash(sim);
  const trades = expectedTrades(sim);
  expect(trades.length).toBeGreaterThan(3);
  expect(sim.truth.risk.filter((risk) => risk.kind === 'stop_loss').length).toBeGreaterThan(0);

  const posts = () => fake!.requests.filter((r) => r.method === 'POST');
  await waitFor(() => posts().reduce((sum, r) => sum + tradesIn(bodyOf(r)), 0) >= trades.length && quiet(s.state), {
    what: `${trades.length} trades delivered and nothing left to send`,
    timeoutMs: 20_000,
  });
  return { sim, barista, setup: s, posts: posts() };
}

/** What both configurations must show: the trades in order, the stop-loss, the start; nothing pings. */
function expectTheStory(run: StoryRun, trades: readonly RecordedRequest[], alerts: readonly RecordedRequest[]): void {
  const expected = expectedTrades(run.sim);
  expect(run.posts.map((r) => bodyOf(r).allowed_mentions)).toEqual(run.posts.map(() => ({ parse: [] })));
  expect(run.posts.every((r) => r.status === 200)).toBe(true);

  // The trades the CSV implies, in order, with side, symbol and quantity; each once.
  expect(trades.reduce((sum, r) => sum + tradesIn(bodyOf(r)), 0)).toBe(expected.length);
  expect(trades.flatMap((r) => tradeRows(bodyOf(r)))).toEqual(expected.map((t) => ({ side: t.side, symbol: t.symbol, qty: t.qty })));

  const alertTitles = titlesOf(alerts);
  expect(stopLossesIn(alertTitles)).toBe(run.sim.truth.risk.filter((risk) => risk.kind === 'stop_loss').length);
  expect(alertTitles.filter((title) => title.startsWith('🛑 Stop-loss')).join('\n')).toContain('ETH/USD');
  // The banner in logs/paper_trader_trial250.log is about the trader by its one name.
  expect(alertTitles.filter((title) => title.startsWith('🚀 Trader started'))).toEqual(['🚀 Trader started · trial250']);
  expect(run.sim.truth.lifecycle.filter((l) => l.kind === 'started')).toHaveLength(1);

  expectLoopbackOnly(run.setup, Number(new URL(fake!.apiBase).port));
}

describe('simulator → barista run → fake Discord', () => {
  it('webhook only (DISCORD_WEBHOOK_URL): the trades, the stop-loss and the start arrive as embeds, each once', async () => {
    const run = await runCrashStory((f) => ({ DISCORD_WEBHOOK_URL: f.webhookUrl() }));
    const webhook = fake!.webhooks[0]!;
    // Every channel of the shipped rules goes to the one webhook, with wait=true.
    expect(run.posts.every((r) => r.path === `/api/v10/webhooks/${webhook.id}/${webhook.token}` && r.query.wait === 'true')).toBe(true);
    expect(fake!.webhookMessages(webhook.id)).toHaveLength(run.posts.length);
    expectTheStory(run, run.posts, run.posts);
    expectNoSecretsIn(run.barista, [webhook.token, fake!.webhookUrl()]);
  }, 45_000);

  it('bot channels (DISCORD_BOT_TOKEN + channel ids): trades in the trade channel, alerts in the alert channel, each with a nonce Discord enforces', async () => {
    const run = await runCrashStory((f) => ({ DISCORD_BOT_TOKEN: f.botToken, DISCORD_TRADE_CHANNEL_ID: f.channel('trades').id, DISCORD_ALERT_CHANNEL_ID: f.channel('alerts').id }));
    const tradesChannel = fake!.channel('trades').id;
    const alertsChannel = fake!.channel('alerts').id;
    const to = (channel: string) => run.posts.filter((r) => r.path === `/api/v10/channels/${channel}/messages`);
    expect(to(tradesChannel).length + to(alertsChannel).length).toBe(run.posts.length);
    expect(run.posts.every((r) => r.headers.authorization === `Bot ${fake!.botToken}`)).toBe(true);
    const nonces = run.posts.map((r) => bodyOf(r).nonce);
    expect(run.posts.every((r) => bodyOf(r).enforce_nonce === true && typeof bodyOf(r).nonce === 'string' && (bodyOf(r).nonce as string).length <= 25)).toBe(true);
    expect(new Set(nonces).size).toBe(nonces.length);
    expect(fake!.botMessages('trades')).toHaveLength(to(tradesChannel).length);
    expect(fake!.botMessages('alerts')).toHaveLength(to(alertsChannel).length);
    expect(fake!.webhookMessages()).toHaveLength(0);
    // Trades only in the trade channel: nothing trade-like among the alerts.
    expect(to(alertsChannel).reduce((sum, r) => sum + tradesIn(bodyOf(r)), 0)).toBe(0);
    expectTheStory(run, to(tradesChannel), to(alertsChannel));
    expectNoSecretsIn(run.barista, [fake!.botToken]);
  }, 45_000);

  it('2,000 events, SIGKILLed three times and restarted on the same state: every trade delivered, none twice to a bot channel; the webhook duplicate window measured', async () => {
    fake = await FakeDiscord.start();
    const discord = fake;
    // Every route goes to its bot channel and, through a twin channel, to the webhook too.
    const s = setup({ defaults: { group_wait: '300ms', group_interval: '4s' }, webhookTwins: true });
    const env = {
      DISCORD_API_BASE: discord.apiBase,
      DISCORD_BOT_TOKEN: discord.botToken,
      DISCORD_TRADE_CHANNEL_ID: discord.channel('trades').id,
      DISCORD_ALERT_CHANNEL_ID: discord.channel('alerts').id,
      DISCORD_WEBHOOK_URL: discord.webhookUrl(),
    };
    const webhook = discord.webhooks[0]!;
    const random = new SeededRandom(2026);
    // Kills 1 and 3 land inside the duplicate window, on purpose: after a seeded number of sends,
    // Discord creates the next message but its answer is lost, and barista dies right then.
    // Kill 2 comes at a seeded random time.
    const plans: KillPlan[] = [
      { lostAnswer: 'webhook', afterAnswers: random.int(3, 12) },
      { afterMs: Math.round(random.between(300, 1500)) },
      { lostAnswer: 'bot', afterAnswers: random.int(3, 12) },
    ];

    let barista = startBarista(s, env);
    const runs: BaristaProcess[] = [barista];
    await barista.waitForLog((line) => line.msg === 'barista running', { what: 'start-up', timeoutMs: 15_000 });
    const sim = simulator(s, { seed: 11, rates: { processingError: 0.02, fetchError: 0.02, crash: 0, discordFailure: 0.02, news: 0.02 }, traders: [{ name: 'trial250' }, { name: 'trial7' }] });
    sim.start();
    const writing = writeBars(sim, BARS, 8, 40);

    const kills: Kill[] = [];
    for (const plan of plans) {
      kills.push(await killWhen(discord, barista, plan));
      await barista.waitForExit();
      barista = startBarista(s, env);
      runs.push(barista);
      await barista.waitForLog((line) => line.msg === 'barista running', { what: 'restart', timeoutMs: 15_000 });
      expect(barista.logs.some((line) => line.msg.includes('did not stop cleanly'))).toBe(true);
    }
    await writing;

    const trades = expectedTrades(sim).length;
    const bars = sim.truth.snapshots.length;
    await waitFor(
      () => {
        const counts = eventCounts(s.state);
        return counts['portfolio.snapshot'] === bars && counts['portfolio.snapshot_line'] === bars && quiet(s.state) && sumTrades(discord.botMessages('trades')) >= trades;
      },
      { what: 'every bar read and every notification sent', timeoutMs: 45_000, intervalMs: 100 },
    );
    barista.kill('SIGTERM');
    expect(await barista.waitForExit()).toEqual({ code: 0, signal: null });

    const counts = eventCounts(s.state);
    const db = new Database(s.state, { readonly: true, fileMustExist: true });
    const rows = db.prepare('SELECT channel, kind, status, message_id, sent_at FROM outbox').all() as OutboxRowLite[];
    const unnotified = (db.prepare('SELECT count(*) AS n FROM events WHERE notified_at IS NULL').get() as { n: number }).n;
    db.close();
    const total = Object.values(counts).reduce((a, b) => a + b, 0);
    expect(total).toBeGreaterThanOrEqual(2000);
    // Exactly once into barista: the kills lost no trade and repeated none.
    expect(counts['trade.executed']).toBe(trades);
    // Every committed event was settled (sent to the outbox, or dropped by policy), and every outbox row delivered.
    expect(unnotified).toBe(0);
    expect(rows.filter((row) => !['sent', 'collapsed'].includes(row.status))).toEqual([]);

    // Bot channels: each outbox row is one message, and no message arrived twice.
    for (const name of ['trades', 'alerts']) {
      const sent = rows.filter((row) => row.channel === `bot:${discord.channel(name).id}` && row.status === 'sent');
      const messages = discord.botMessages(name);
      expect(messages.map((m) => m.id).sort()).toEqual(sent.map((row) => row.message_id).sort());
      expect(new Set(messages.map((m) => m.nonce)).size).toBe(messages.length);
    }
    // Every trade barista committed is in the trade channel, once.
    expect(sumTrades(discord.botMessages('trades'))).toBe(trades);
    // The bot message whose answer was lost was sent again with its nonce, and Discord kept the first.
    const lostBot = kills.find((kill) => kill.lost?.kind === 'bot')!.lost!;
    expect(discord.requests.filter((r) => r.method === 'POST' && bodyOf(r).nonce === lostBot.nonce).length).toBeGreaterThanOrEqual(2);
    expect(discord.botMessages().filter((m) => m.nonce === lostBot.nonce)).toHaveLength(1);

    // The webhook: what barista recorded as sent holds every trade once; anything more is a
    // message delivered twice (the same content again after a lost answer or a kill).
    const webhookRows = rows.filter((row) => row.channel === `webhook:${webhook.id}` && row.status === 'sent');
    const recordedIds = new Set(webhookRows.map((row) => row.message_id));
    const webhookMessages = discord.webhookMessages(webhook.id);
    const recorded = webhookMessages.filter((m) => recordedIds.has(m.id));
    const duplicates = webhookMessages.filter((m) => !recordedIds.has(m.id));
    expect(recorded).toHaveLength(webhookRows.length);
    expect(sumTrades(recorded)).toBe(trades);
    for (const duplicate of duplicates) expect(recorded.some((m) => sameContent(m, duplicate))).toBe(true);
    const lostWebhook = kills.find((kill) => kill.lost?.kind === 'webhook')!.lost!;
    expect(duplicates.map((m) => m.id)).toContain(lostWebhook.messageId);

    // The duplicate window: from Discord creating a message to barista recording it as sent, for
    // every send no kill interrupted. A kill inside it makes a webhook post twice.
    const killedAt = kills.map((kill) => kill.at);
    const windows = sendWindows(rows, webhookMessages, `webhook:${webhook.id}`, killedAt);
    const botWindows = sendWindows(rows, discord.botMessages(), 'bot:', killedAt);
    const sendingFrom = Math.min(...discord.requests.map((r) => r.at));
    const sendingTo = Math.max(...rows.map((row) => row.sent_at ?? 0));
    const exposure = windows.reduce((a, b) => a + b, 0) / Math.max(1, sendingTo - sendingFrom);
    console.log(
      [
        `kill test: ${total} events (${trades} trades, ${bars} bars) through ${runs.length} barista runs; SIGKILL ${kills.map((kill) => kill.what).join('; ')}`,
        `bot channels: ${discord.botMessages().length} messages, none twice; ${botResends(discord.requests)} sends repeated a nonce Discord had already created a message for, and got that message back`,
        `webhook: ${webhookMessages.length} messages for ${webhookRows.length} sent outbox rows: ${duplicates.length} delivered twice (${duplicates.map((m) => JSON.stringify((m.embeds[0] as { title?: string } | undefined)?.title ?? '')).join(', ')})`,
        `duplicate window (Discord created the message → barista recorded it; sends no kill interrupted): webhook ${describeWindows(windows)}; bot ${describeWindows(botWindows)}`,
        `a SIGKILL at a uniformly random moment of these ${((sendingTo - sendingFrom) / 1000).toFixed(1)} s of sending posts one webhook message twice with probability ≈ ${(100 * exposure).toFixed(2)} %`,
      ].join('\n'),
    );

    expectLoopbackOnly(s, Number(new URL(discord.apiBase).port));
    for (const child of runs) expectNoSecretsIn(child, [discord.botToken, webhook.token]);
  }, 90_000);
});

/** Enough bars for more than 2,000 events from two traders (about 4.1 events a bar). */
const BARS = 520;

type KillPlan = { lostAnswer: 'webhook' | 'bot'; afterAnswers: number } | { afterMs: number };

interface Kill {
  what: string;
  at: number;
  /** The send whose answer was lost: its message exists at Discord, barista never heard. */
  lost?: { kind: 'webhook' | 'bot'; messageId: string; nonce?: string };
}

interface OutboxRowLite {
  channel: string;
  kind: string;
  status: string;
  message_id: string | null;
  sent_at: number | null;
}

/** The simulator writes `total` bars, `perChunk` at a time with a pause between chunks, as live traders would (faster). */
async function writeBars(sim: TraderSimulator, total: number, perChunk: number, pauseMs: number): Promise<void> {
  for (let written = 0; written < total; written += perChunk) {
    sim.stepBars(perChunk);
    await new Promise((resolve) => setTimeout(resolve, pauseMs));
  }
}

const SEND_PATH = { webhook: /^\/api\/v10\/webhooks\//, bot: /^\/api\/v10\/channels\/\d+\/messages$/ };

/**
 * SIGKILLs barista as planned. `afterMs`: after a delay. `lostAnswer`: once Discord has answered
 * `afterAnswers` sends of that kind, the next one is created but its connection dropped before
 * the answer (retried until one is created: a rate-limited one creates nothing), and barista is
 * killed in the same instant.
 */
async function killWhen(discord: FakeDiscord, barista: BaristaProcess, plan: KillPlan): Promise<Kill> {
  if ('afterMs' in plan) {
    await new Promise((resolve) => setTimeout(resolve, plan.afterMs));
    barista.kill('SIGKILL');
    return { what: `after ${plan.afterMs} ms`, at: Date.now() };
  }
  const path = SEND_PATH[plan.lostAnswer];
  const counted = new Set<RecordedRequest>();
  const before = new Set(discord.requests);
  await discord.waitForRequest((r) => {
    if (before.has(r) || counted.has(r) || r.method !== 'POST' || r.status !== 200 || !path.test(r.path)) return false;
    counted.add(r);
    return counted.size >= plan.afterAnswers;
  }, 30_000);
  for (;;) {
    const earlier = new Set(discord.requests);
    const webhookCount = discord.webhookMessages().length;
    discord.fail({ method: 'POST', path, drop: 'after-processing' });
    const dropped = await discord.waitForRequest((r) => !earlier.has(r) && r.fault === 'drop-after-processing', 30_000);
    const nonce = bodyOf(dropped).nonce as string | undefined;
    const created = plan.lostAnswer === 'bot' ? discord.botMessages().find((m) => m.nonce === nonce) : discord.webhookMessages()[webhookCount];
    if (!created) continue;
    barista.kill('SIGKILL');
    const title = (created.embeds[0] as { title?: string } | undefined)?.title ?? '';
    return {
      what: `when the answer to the ${plan.lostAnswer} send after ${plan.afterAnswers} others was lost (${JSON.stringify(title.slice(0, 50))})`,
      at: Date.now(),
      lost: { kind: plan.lostAnswer, messageId: created.id, ...(nonce !== undefined ? { nonce } : {}) },
    };
  }
}

function eventCounts(statePath: string): Record<string, number> {
  if (!existsSync(statePath)) return {};
  const db = new Database(statePath, { readonly: true, fileMustExist: true });
  try {
    const rows = db.prepare('SELECT type, count(*) AS n FROM events GROUP BY type').all() as { type: string; n: number }[];
    return Object.fromEntries(rows.map((row) => [row.type, row.n]));
  } finally {
    db.close();
  }
}

function sumTrades(messages: readonly FakeMessage[]): number {
  return messages.reduce((sum, message) => sum + tradesIn(message as MessageBody), 0);
}

function sameContent(a: FakeMessage, b: FakeMessage): boolean {
  return JSON.stringify([a.content, a.embeds, a.flags]) === JSON.stringify([b.content, b.embeds, b.flags]);
}

/** Bot sends carrying a nonce Discord had already created a message for (answered with that message, nothing new). */
function botResends(requests: readonly RecordedRequest[]): number {
  const created = new Set<string>();
  let resends = 0;
  for (const request of requests) {
    const nonce = (request.body as { nonce?: unknown } | undefined)?.nonce;
    if (request.method !== 'POST' || typeof nonce !== 'string') continue;
    if (created.has(nonce)) resends += 1;
    if (request.status === 200 || request.fault === 'drop-after-processing') created.add(nonce);
  }
  return resends;
}

/** Per message barista recorded as sent, unless a kill fell in between: ms from Discord creating it to barista recording it. */
function sendWindows(rows: readonly OutboxRowLite[], messages: readonly FakeMessage[], destinationPrefix: string, killedAt: readonly number[]): number[] {
  const created = new Map(messages.map((m) => [m.id, Date.parse(m.timestamp)]));
  return rows.flatMap((row) => {
    const from = row.message_id === null ? undefined : created.get(row.message_id);
    if (!row.channel.startsWith(destinationPrefix) || row.status !== 'sent' || from === undefined || row.sent_at === null) return [];
    return killedAt.some((at) => at >= from && at <= row.sent_at!) ? [] : [row.sent_at - from];
  });
}

function describeWindows(windows: readonly number[]): string {
  if (windows.length === 0) return 'no sends';
  const sorted = [...windows].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return `${sorted.length} sends, median ${at(0.5)} ms, p95 ${at(0.95)} ms, max ${sorted[sorted.length - 1]} ms`;
}
