/**
 * Issue 5, end to end: the simulator writes a live trader workspace, `barista run` (the compiled
 * CLI, a real child process) watches it with the shipped rules, and the fake Discord on
 * 127.0.0.1 receives what barista sends, through a webhook or as the bot.
 *
 * The rules are a copy of config/rules.yaml with two changes: the `processes` source is left
 * out (it expects a real trader and three training workers, so with none running it would
 * report `trader.below_expected` / `training.workers_below_expected`, and its host thresholds
 * would judge this shared 2-core machine's load), and group_wait / group_interval are short
 * so the test does not wait 10 s per group.
 */
import Database from 'better-sqlite3';
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { FakeDiscord, type RecordedRequest } from '../support/fakeDiscord';
import { BaristaProcess } from '../support/baristaProcess';
import { tradeRows, tradesIn, type MessageBody } from '../support/deliveredTrades';
import { writeRulesCopy } from '../support/rulesCopy';
import { NO_RANDOM_EVENTS, TraderSimulator } from '../support/simulator';
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
  sim.start();
  sim.stepBars(12);
  sim.script('trial250', { actions: { 'ETH/USD': 0.6 } });
  sim.stepBars(1);
  sim.script('trial250', { crash: { symbol: 'ETH/USD', pct: 0.2 } });
  sim.stepBars(3);
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
  // The log-source subject is the log's stem; the markdown escapes are Discord's.
  expect(alertTitles.filter((title) => title.startsWith('🚀 Trader started'))).toEqual(['🚀 Trader started · paper\\_trader\\_trial250']);
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
});
