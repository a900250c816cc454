/**
 * The command bot end to end: the simulator writes a live trader workspace, `barista run` (the
 * compiled CLI, a real child process) watches it with a copy of the shipped rules and, with
 * DISCORD_BOT_TOKEN set, logs in to the fake Discord on 127.0.0.1 as a bot. The tests act as
 * Discord users (slash commands, `!` messages, DMs) and assert what reached the fake.
 *
 * The rules copy leaves out the `processes` source (as discordDelivery.test.ts does: it wants a
 * real trader and training workers and judges this machine's load), lists alice as the one user
 * who may mute, raises the per-user command rate (the test sends every command twice in a row),
 * and shortens group_wait so a trade is delivered in well under a second.
 *
 * Commands are taken from what barista registered at the fake (`fake.commands()`), so commands
 * added to the registry later are covered without touching this file; the registry gives each
 * option's kind so a required option gets a valid value.
 */
import Database from 'better-sqlite3';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { CommandDefinition } from '../../src/discord/commands/CommandDefinition';
import { commandRegistry } from '../../src/discord/commands/registry';
import type { OptionSpec } from '../../src/discord/commands/options';
import { formatMoney, formatObjective, formatQuantity } from '../../src/discord/render/formatValues';
import { copySample } from '../fixtures/optuna/optunaFixture';
import { BaristaProcess } from '../support/baristaProcess';
import { validOptionValue } from '../support/commandArgs';
import { decodePng } from '../support/decodePng';
import { tradesIn, type MessageBody } from '../support/deliveredTrades';
import { FakeDiscord, type FakeCommand, type FakeInteraction, type FakeMessage, type RecordedRequest } from '../support/fakeDiscord';
import { writeRulesCopy } from '../support/rulesCopy';
import { NO_RANDOM_EVENTS, TraderSimulator } from '../support/simulator';
import { waitFor } from '../support/waitFor';

const GUARD = path.join(__dirname, '..', 'support', 'loopbackOnly.js');
const EPHEMERAL = 1 << 6;
const LOADING = 1 << 7;
const ALICE = '100000000000000001';
const BOB = '100000000000000002';
const CAROL = '100000000000000003';
const OTHER_BOT = '100000000000000009';
/** Folders of this file's runs (a describe shares one barista across its tests), removed at the end. */
const dirs: string[] = [];
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

interface Setup {
  dir: string;
  workspace: string;
  rules: string;
  state: string;
  netLog: string;
}

function setup(): Setup {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'barista-e2e-commands-'));
  dirs.push(dir);
  const workspace = path.join(dir, 'cappuccino');
  for (const folder of ['logs', 'paper_trades']) mkdirSync(path.join(workspace, folder), { recursive: true });
  mkdirSync(path.join(dir, 'state'));
  return {
    dir,
    workspace,
    rules: writeRulesCopy(path.join(dir, 'rules.yaml'), {
      withoutSources: ['processes'],
      defaults: { group_wait: '300ms', group_interval: '1s' },
      set: [
        [['commands', 'allow', 'mute'], { users: [ALICE], roles: [] }],
        [['commands', 'rate'], { burst: 1000, per_second: 100 }],
      ],
    }),
    state: path.join(dir, 'state', 'barista.db'),
    netLog: path.join(dir, 'connections.jsonl'),
  };
}

function startBarista(s: Setup, fake: FakeDiscord, extraEnv: Record<string, string> = {}): BaristaProcess {
  return BaristaProcess.start(['run', '--config', s.rules, '--state', s.state], {
    cwd: s.dir,
    env: {
      CAPPUCCINO_WORKSPACE: s.workspace,
      NODE_OPTIONS: `--require ${GUARD}`,
      BARISTA_NET_LOG: s.netLog,
      BARISTA_TEST_FAST_RECONNECT: '1',
      DISCORD_API_BASE: fake.apiBase,
      DISCORD_BOT_TOKEN: fake.botToken,
      DISCORD_WEBHOOK_URL: fake.webhookUrl(),
      ...extraEnv,
    },
  });
}

const fakeUsers = [
  { id: ALICE, username: 'alice', roles: ['ops'] },
  { id: BOB, username: 'bob' },
  { id: CAROL, username: 'carol' },
  { id: OTHER_BOT, username: 'otherbot', bot: true },
];

// ---- asking, and reading the answers ----

/** One command as a user can run it: `/name`, `/group sub`, with arguments for its required options. */
interface Case {
  /** ['mute'] or ['trader', 'status']. */
  path: string[];
  definition: CommandDefinition;
}

/** Every command barista registered at the fake, each matched with its definition in the registry. */
function casesFrom(registered: readonly FakeCommand[]): Case[] {
  const registry = commandRegistry();
  const cases: Case[] = [];
  for (const command of registered) {
    const subs = (command.options ?? []).filter((option) => option.type === 1);
    const paths = subs.length ? subs.map((sub) => [command.name, sub.name]) : [[command.name]];
    for (const commandPath of paths) {
      const definition = registry.all.find((c) => c.path.join(' ') === commandPath.join(' '));
      if (!definition) throw new Error(`registered command /${commandPath.join(' ')} is not in the registry`);
      cases.push({ path: commandPath, definition });
    }
  }
  return cases;
}

/** Mute ids in creation order, read from the answers to /mute and !mute (for /unmute). */
type MuteIds = number[];

/** A valid value for an option, by its kind; the few options whose valid values depend on state are named. */
function validValue(command: CommandDefinition, option: OptionSpec, mutes: MuteIds): string | number {
  if (command.path.join(' ') === 'unmute' && option.name === 'id') {
    const id = mutes.shift();
    if (id === undefined) throw new Error('no mute to remove: /mute must run before /unmute');
    return id;
  }
  return validOptionValue(option, 'e2e');
}

/** Values for the options up to the last required one (a `!` command's words are positional). */
function argsFor(command: CommandDefinition, mutes: MuteIds): Array<[string, string | number]> {
  const lastRequired = command.options.reduce((last, option, index) => (option.required ? index : last), -1);
  return command.options.slice(0, lastRequired + 1).map((option) => [option.name, validValue(command, option, mutes)]);
}

/** Discord's raw option list for `/group sub` or `/name`. */
function slashOptionsFor(commandPath: readonly string[], args: ReadonlyArray<[string, string | number]>, registered: readonly FakeCommand[]): unknown[] {
  const command = registered.find((c) => c.name === commandPath[0])!;
  const typed = (declared: Array<{ name: string; type: number }> | undefined) =>
    args.map(([name, value]) => ({ name, type: declared?.find((d) => d.name === name)?.type ?? (typeof value === 'number' ? 4 : 3), value }));
  if (commandPath.length === 1) return typed(command.options);
  const sub = (command.options ?? []).find((o) => o.name === commandPath[1]) as { name: string; type: number; options?: Array<{ name: string; type: number }> };
  return [{ name: sub.name, type: 1, options: typed(sub.options) }];
}

async function slashAnswer(interaction: FakeInteraction, what: string): Promise<FakeMessage> {
  // A deferred reply shows "thinking…" (LOADING) until it is edited.
  return waitFor(() => (interaction.original && (interaction.original.flags & LOADING) === 0 ? interaction.original : undefined), { what, timeoutMs: 5000 });
}

function replyTo(fake: FakeDiscord, said: FakeMessage): FakeMessage | undefined {
  return fake.botMessages().find((m) => m.message_reference?.message_id === said.id);
}

async function prefixAnswer(fake: FakeDiscord, said: FakeMessage, what: string): Promise<FakeMessage> {
  return waitFor(() => replyTo(fake, said), { what, timeoutMs: 5000 });
}

/** What a reply says, without what legitimately differs between two askings: ids of created things, timestamps. */
function normalized(message: FakeMessage): string {
  return JSON.stringify({ content: message.content, embeds: message.embeds })
    .replace(/#\d+/g, '#N')
    .replace(/<t:\d+(:[tTdDfFR])?>/g, '<t:T$1>')
    // An answer's own time (status, health) differs between two askings a moment apart.
    .replace(/"timestamp":"[^"]*"/g, '"timestamp":"T"')
    .replace(/(uptime|up) [0-9][^"\\,·]*/g, '$1 U');
}

const embedText = (message: FakeMessage): string => JSON.stringify([message.content, message.embeds]);

/** /help and !help from alice, both answered; used after every disturbance. */
async function expectAnswered(fake: FakeDiscord, what: string): Promise<void> {
  const slash = fake.slash('help', {}, 'alice');
  const said = fake.userSays('general', '!help', 'alice');
  const [fromSlash, fromPrefix] = await Promise.all([slashAnswer(slash, `/help ${what}`), prefixAnswer(fake, said, `!help ${what}`)]);
  expect(fromSlash.embeds.length).toBeGreaterThan(0);
  expect(normalized(fromPrefix)).toEqual(normalized(fromSlash));
}

/** Bodies of every message barista sent (bot messages, webhook posts, interaction replies and edits), with their requests. */
function sentMessageBodies(fake: FakeDiscord): Array<{ request: RecordedRequest; body: Record<string, unknown> }> {
  // discord.js sends its own user agent; the test's own posts are not barista's.
  return fake.requests.flatMap((request) => {
    if (!request.headers['user-agent']?.startsWith('DiscordBot')) return [];
    const body = request.body as Record<string, unknown> | null;
    if (!body || typeof body !== 'object' || Array.isArray(body)) return [];
    if (/\/interactions\/\d+\/[^/]+\/callback$/.test(request.path)) {
      const data = body.data as Record<string, unknown> | undefined;
      return data && [4, 7].includes(body.type as number) ? [{ request, body: data }] : [];
    }
    if (request.method === 'POST' && (/\/channels\/\d+\/messages$/.test(request.path) || /\/webhooks\/\d+\/[^/]+$/.test(request.path))) return [{ request, body }];
    if (request.method === 'PATCH' && /\/webhooks\/\d+\/[^/]+\/messages\//.test(request.path)) return [{ request, body }];
    return [];
  });
}

/** Every message barista sent pings nobody, and Discord accepted every one of them. */
function expectNoPingsAndNoRejects(fake: FakeDiscord): void {
  const sent = sentMessageBodies(fake);
  expect(sent.length).toBeGreaterThan(0);
  expect(sent.filter(({ body }) => JSON.stringify((body.allowed_mentions as { parse?: unknown } | undefined)?.parse) !== '[]').map(({ request }) => request.path)).toEqual([]);
  expect(sent.filter(({ request }) => ![200, 204].includes(request.status)).map(({ request }) => `${request.method} ${request.path} → ${request.status}`)).toEqual([]);
}

function expectNoSecrets(fake: FakeDiscord, children: readonly BaristaProcess[]): void {
  const secrets = [fake.botToken, fake.webhooks[0]!.token];
  const replies = JSON.stringify(fake.messages);
  for (const secret of secrets) expect(replies.includes(secret)).toBe(false);
  for (const child of children) {
    const output = `${child.stdoutLines().join('\n')}\n${child.stderr}`;
    expect(output.length).toBeGreaterThan(0);
    for (const secret of secrets) expect(output.includes(secret)).toBe(false);
  }
}

/** Every connection barista opened went to the fake on 127.0.0.1 (and the guard saw at least one). */
function expectLoopbackOnly(s: Setup, fake: FakeDiscord): void {
  const port = Number(new URL(fake.apiBase).port);
  const connections = readFileSync(s.netLog, 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { host?: string; port?: number; path?: string; allowed: boolean });
  expect(connections.filter((c) => !c.allowed)).toEqual([]);
  expect(connections.filter((c) => c.port === port).length).toBeGreaterThan(0);
  expect(connections.filter((c) => c.path === undefined).every((c) => c.host === '127.0.0.1' && c.port === port)).toBe(true);
}

interface AuditRowLite {
  user_id: string;
  user_tag: string;
  command: string;
  place: string;
  decision: string;
  outcome: string | null;
}

function auditRows(statePath: string): AuditRowLite[] {
  const db = new Database(statePath, { readonly: true, fileMustExist: true });
  try {
    return db.prepare('SELECT user_id, user_tag, command, place, decision, outcome FROM audit ORDER BY id').all() as AuditRowLite[];
  } finally {
    db.close();
  }
}

function eventCount(statePath: string, type: string): number {
  const db = new Database(statePath, { readonly: true, fileMustExist: true });
  try {
    return (db.prepare('SELECT count(*) AS n FROM events WHERE type = ?').get(type) as { n: number }).n;
  } finally {
    db.close();
  }
}

/** Trades the simulator's CSV implies that barista reports (worth at least min_notional, $5). */
const expectedTrades = (sim: TraderSimulator) => sim.truth.trades.filter((trade) => trade.value >= 5);
/** Trades the webhook messages stand for (one per trade embed, N per grouped title). */
const deliveredTrades = (fake: FakeDiscord) => fake.webhookMessages().reduce((sum, m) => sum + tradesIn(m as MessageBody), 0);

const registrations = (fake: FakeDiscord) => fake.requests.filter((r) => r.method === 'PUT' && /\/applications\/\d+\/(guilds\/\d+\/)?commands$/.test(r.path));

/** Gateway frames barista sent (`in` at the fake) since a moment: op 2 IDENTIFY, op 6 RESUME. */
const framesSince = (fake: FakeDiscord, at: number, op: number) => fake.gatewayFrames.filter((f) => f.direction === 'in' && f.op === op && f.at >= at);
const dispatchedSince = (fake: FakeDiscord, at: number, t: string) => fake.gatewayFrames.some((f) => f.direction === 'out' && f.t === t && f.at >= at);

// ---- the run ----

describe('barista run answers commands from Discord (compiled CLI, fake Discord, simulated workspace)', () => {
  let fake: FakeDiscord;
  let s: Setup;
  let sim: TraderSimulator;
  let barista: BaristaProcess;
  const runs: BaristaProcess[] = [];

  beforeAll(async () => {
    fake = await FakeDiscord.start({ users: fakeUsers });
    s = setup();
    sim = new TraderSimulator({ workspace: s.workspace, seed: 7, rates: NO_RANDOM_EVENTS, traders: [{ name: 'trial250' }], start: new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000) });
    sim.start();
    sim.stepBars(3);
    barista = startBarista(s, fake);
    runs.push(barista);
    await barista.waitForLog((line) => line.msg === 'barista running', { what: 'start-up', timeoutMs: 15_000 });
    await waitFor(() => fake.commands().length > 0, { what: 'slash commands registered', timeoutMs: 10_000 });
    // barista starts at the end of the CSV that was already there: its first bar is the baseline later trades are measured from.
    sim.stepBars(1);
    await waitFor(() => eventCount(s.state, 'portfolio.snapshot') > 0, { what: 'the first bar read', timeoutMs: 10_000 });
  }, 30_000);

  afterAll(async () => {
    runs.forEach((child) => child.kill('SIGKILL'));
    sim?.close();
    await fake?.stop();
  });

  it('registers the whole registry, and answers every command as /slash and as !prefix with the same embeds', async () => {
    const registered = fake.commands();
    expect(registered.map((c) => c.name).sort()).toEqual(commandRegistry().slashJson().map((c) => c.name).sort());
    const cases = casesFrom(registered);
    expect(cases.map((c) => c.definition)).toEqual(expect.arrayContaining([...commandRegistry().all]));

    const muteIds: MuteIds = [];
    // Control commands answer with a confirmation (or, here, where nobody may control, a refusal): test/e2e/control.test.ts.
    for (const c of cases.filter((one) => one.definition.access !== 'canControl')) {
      const name = `/${c.path.join(' ')}`;
      const slashArgs = argsFor(c.definition, muteIds);
      const interaction = fake.slash(c.path[0]!, slashOptionsFor(c.path, slashArgs, registered), 'alice');
      const fromSlash = await slashAnswer(interaction, `${name} answered`);
      const prefixArgs = argsFor(c.definition, muteIds);
      const words = [...c.path, ...prefixArgs.map(([, value]) => String(value))].join(' ');
      const said = fake.userSays('general', `!${words}`, 'alice');
      const fromPrefix = await prefixAnswer(fake, said, `!${words} answered`);
      if (c.path.join(' ') === 'mute') muteIds.push(...[fromSlash, fromPrefix].map((m) => Number(/Mute #(\d+)/.exec(embedText(m))?.[1])));

      // A valid command is answered for everyone to see, with embeds, the same both ways.
      expect({ name, flags: fromSlash.flags & EPHEMERAL }).toEqual({ name, flags: 0 });
      expect({ name, embeds: fromSlash.embeds.length > 0 }).toEqual({ name, embeds: true });
      expect({ name, reply: normalized(fromPrefix) }).toEqual({ name, reply: normalized(fromSlash) });
      expect({ name, usage: embedText(fromSlash).includes('Usage:') }).toEqual({ name, usage: false });
    }
    expect(muteIds).toEqual([]); // every mute made was removed again by /unmute and !unmute
    expectNoPingsAndNoRejects(fake);
  });

  it('refuses what the caller may not do: ephemerally for slash, audited both ways; bots and webhooks get no answer', async () => {
    const denied = fake.slash('mute', { match: 'trade.*', for: '1h' }, 'bob');
    const deniedReply = await slashAnswer(denied, 'denied /mute answered');
    expect(deniedReply.flags & EPHEMERAL).toBe(EPHEMERAL);
    expect(embedText(deniedReply)).toMatch(/commands\.allow\.mute/);

    // Another bot and a webhook (barista's own, as its notifications come) say !help first.
    const otherBotSaid = fake.userSays('general', '!help', 'otherbot');
    const webhookSaid = fake.webhookSays('!help', { channel: 'general' });
    const said = fake.userSays('general', '!mute trade.* 1h', 'bob');
    const refused = await prefixAnswer(fake, said, 'denied !mute answered');
    expect(embedText(refused)).toMatch(/commands\.allow\.mute/);
    // Gateway dispatches are handled in order: the bot's and the webhook's came first and got nothing.
    expect(replyTo(fake, otherBotSaid)).toBeUndefined();
    expect(replyTo(fake, webhookSaid)).toBeUndefined();
    expectNoPingsAndNoRejects(fake);
  });

  it("answers DMs only from users listed by id: an unlisted user's ! gets nothing, their slash a private refusal; a listed user is answered in the DM", async () => {
    const carolSaid = fake.userSaysInDm('!help', 'carol');
    const bobSaid = fake.userSaysInDm('!dashboard', 'bob');
    const carolSlash = fake.slash('help', {}, 'carol', { dm: true });
    const refusal = await slashAnswer(carolSlash, 'unlisted DM /help answered');
    expect(refusal.flags & EPHEMERAL).toBe(EPHEMERAL);
    expect(embedText(refusal)).toContain('direct messages only from users listed');
    // alice may mute (listed by id): her DM is answered in the DM, after carol's and bob's were handled.
    const aliceSaid = fake.userSaysInDm('!mute type=trader.stale 10m dm test', 'alice');
    const muted = await prefixAnswer(fake, aliceSaid, "alice's DM !mute answered");
    expect(muted.channel_id).toBe(fake.dmChannel('alice')!.id);
    expect(embedText(muted)).toMatch(/Mute #\d+/);
    const unmuteSaid = fake.userSaysInDm(`!unmute ${/Mute #(\d+)/.exec(embedText(muted))![1]}`, 'alice');
    expect(embedText(await prefixAnswer(fake, unmuteSaid, "alice's DM !unmute answered"))).toContain('removed');
    expect(replyTo(fake, carolSaid)).toBeUndefined();
    expect(replyTo(fake, bobSaid)).toBeUndefined();
    // In the DMs: carol's private refusal of her /help, nothing else.
    expect(fake.dmMessages('carol')).toEqual([refusal]);
    expect(fake.dmMessages('bob')).toEqual([]);
    expectNoPingsAndNoRejects(fake);
  });

  it('stays answering through gateway trouble: op 7 RECONNECT (resume), close 1000 and INVALID_SESSION (identify again)', async () => {
    const reconnectAt = Date.now();
    fake.reconnectGateway();
    await waitFor(() => framesSince(fake, reconnectAt, 6).length > 0 && dispatchedSince(fake, reconnectAt, 'RESUMED'), { what: 'RESUME after op 7' });
    await expectAnswered(fake, 'after op 7');

    const closeAt = Date.now();
    fake.closeGateway(1000);
    await waitFor(() => framesSince(fake, closeAt, 2).length > 0 && dispatchedSince(fake, closeAt, 'GUILD_CREATE'), { what: 'IDENTIFY after close 1000' });
    await expectAnswered(fake, 'after close 1000');

    const invalidAt = Date.now();
    fake.invalidateGatewaySessions(false);
    await waitFor(() => framesSince(fake, invalidAt, 2).length > 0 && dispatchedSince(fake, invalidAt, 'GUILD_CREATE'), { what: 'IDENTIFY after INVALID_SESSION' });
    await expectAnswered(fake, 'after INVALID_SESSION');
    // Each disturbance cost one reconnect, not a storm.
    expect(framesSince(fake, reconnectAt, 2)).toHaveLength(2);
  });

  it('delivers notifications while the gateway is down (a trade reaches the webhook with no gateway connection), and answers again once it is back', async () => {
    const tradesBefore = expectedTrades(sim).length;
    const deliveredBefore = deliveredTrades(fake);
    const downAt = Date.now();
    fake.gatewayDown();
    await waitFor(() => fake.gatewayConnections === 0, { what: 'gateway connections cut' });
    sim.script('trial250', { actions: { 'ETH/USD': 0.5 } });
    sim.stepBars(1);
    const newTrades = expectedTrades(sim).length - tradesBefore;
    expect(newTrades).toBeGreaterThan(0);
    await waitFor(() => deliveredTrades(fake) >= deliveredBefore + newTrades, { what: `${newTrades} new trade(s) at the webhook while the gateway is down`, timeoutMs: 10_000 });
    // barista kept trying the gateway meanwhile, and got nowhere.
    await waitFor(() => fake.gatewayRefusedUpgrades > 0, { what: 'a refused reconnect attempt' });
    expect(fake.gatewayConnections).toBe(0);
    expect(fake.gatewayFrames.filter((f) => f.direction === 'in' && (f.op === 2 || f.op === 6) && f.at >= downAt)).toEqual([]);
    const upAt = Date.now();
    fake.gatewayUp();
    await waitFor(() => fake.gatewayConnections > 0 && (framesSince(fake, upAt, 2).length > 0 || framesSince(fake, upAt, 6).length > 0), { what: 'back on the gateway', timeoutMs: 15_000 });
    await expectAnswered(fake, 'after the gateway outage');
  });

  it('does not register the slash commands again when restarted on the same state (the registration hash)', async () => {
    expect(registrations(fake)).toHaveLength(1);
    barista.kill('SIGTERM');
    expect(await barista.waitForExit()).toEqual({ code: 0, signal: null });
    const restartedAt = Date.now();
    barista = startBarista(s, fake);
    runs.push(barista);
    await barista.waitForLog((line) => line.msg === 'discord bot: connected', { what: 'bot connected again', timeoutMs: 15_000 });
    // Registration would be the first thing after READY: a full round trip later, there was none.
    await expectAnswered(fake, 'after the restart');
    expect(framesSince(fake, restartedAt, 2).length).toBeGreaterThan(0);
    expect(registrations(fake)).toHaveLength(1);
    expect(barista.logs.some((line) => line.msg === 'discord bot: slash commands registered')).toBe(false);
  });

  it('audits every refusal and every mute (read from the state file after the run)', async () => {
    barista.kill('SIGTERM');
    expect(await barista.waitForExit()).toEqual({ code: 0, signal: null });
    const rows = auditRows(s.state);
    const denied = rows.filter((r) => r.decision === 'denied');
    const general = `guild ${fake.guildId} channel ${fake.channel('general').id}`;
    const dm = (user: string) => `DM ${fake.dmChannel(user)!.id}`;
    expect(denied.map((r) => [r.command, r.user_id, r.user_tag, r.place])).toEqual([
      ['mute', BOB, 'bob', general],
      ['mute', BOB, 'bob', general],
      ['help', CAROL, 'carol', dm('carol')],
      ['dashboard', BOB, 'bob', dm('bob')],
      ['help', CAROL, 'carol', expect.stringMatching(/^DM \d+$/)],
    ]);
    expect(denied.every((r) => r.outcome !== null)).toBe(true);
    const changes = rows.filter((r) => r.decision === 'allowed');
    expect(changes.map((r) => [r.command, r.user_id, r.outcome])).toEqual([
      ['mute', ALICE, 'answered'],
      ['mute', ALICE, 'answered'],
      ['unmute', ALICE, 'answered'],
      ['unmute', ALICE, 'answered'],
      ['mute', ALICE, 'answered'],
      ['unmute', ALICE, 'answered'],
    ]);
  });

  it('sent nothing beyond loopback, pinged nobody, and showed no token or webhook secret anywhere', () => {
    expectNoPingsAndNoRejects(fake);
    expectNoSecrets(fake, runs);
    expectLoopbackOnly(s, fake);
  });
});

describe('barista run when Discord refuses the Message Content intent (4014)', () => {
  it('logs the intent sentence once, leaves ! commands unanswered, and answers slash commands', async () => {
    const fake = await FakeDiscord.start({ users: fakeUsers, allowPrivilegedIntents: false });
    const s = setup();
    const barista = startBarista(s, fake);
    try {
      await waitFor(() => fake.commands().length > 0, { what: 'slash commands registered', timeoutMs: 15_000 });
      await barista.waitForLog((line) => line.msg.includes('close code 4014'), { what: 'the intent sentence' });
      const said = fake.userSays('general', '!help', 'alice');
      const first = await slashAnswer(fake.slash('help', {}, 'alice'), '/help without Message Content');
      expect(embedText(first)).toContain('/help');
      // One more round trip after the !help: it had every chance to be answered.
      await slashAnswer(fake.slash('dashboard', {}, 'bob'), '/dashboard without Message Content');
      expect(replyTo(fake, said)).toBeUndefined();
      expect(barista.logs.filter((line) => line.msg.includes('close code 4014'))).toHaveLength(1);
      expect(barista.logs.find((line) => line.msg.includes('close code 4014'))!.msg).toMatch(/Message Content.*Developer Portal.*Slash commands keep working/s);
      // The refused IDENTIFY asked for Message Content; the accepted one did not.
      const identifies = fake.gatewayFrames.filter((f) => f.direction === 'in' && f.op === 2).map((f) => (f.d as { intents: number }).intents & (1 << 15));
      expect(identifies).toEqual([1 << 15, 0]);
      barista.kill('SIGTERM');
      expect(await barista.waitForExit()).toEqual({ code: 0, signal: null });
      expectNoPingsAndNoRejects(fake);
      expectNoSecrets(fake, [barista]);
      expectLoopbackOnly(s, fake);
    } finally {
      barista.kill('SIGKILL');
      await fake.stop();
    }
  }, 30_000);
});

// ---- what the read-model commands answer, against ground truth ----

/** The study with the best COMPLETE value in an Optuna storage, read straight from it (the truth). */
function bestTrialOf(storage: string): { study: string; number: number; value: number } {
  const db = new Database(storage, { readonly: true, fileMustExist: true });
  try {
    const rows = db
      .prepare(
        `SELECT s.study_name AS study, t.number AS number, v.value AS value, d.direction AS direction
         FROM trials t JOIN studies s USING (study_id) JOIN trial_values v ON v.trial_id = t.trial_id AND v.objective = 0
         JOIN study_directions d ON d.study_id = t.study_id AND d.objective = 0
         WHERE t.state = 'COMPLETE' AND v.value_type = 'FINITE'`,
      )
      .all() as Array<{ study: string; number: number; value: number; direction: string }>;
    const study = rows[0]!.study;
    const ofStudy = rows.filter((r) => r.study === study);
    const sign = ofStudy[0]!.direction === 'MINIMIZE' ? -1 : 1;
    const best = ofStudy.reduce((a, b) => (sign * b.value > sign * a.value ? b : a));
    return { study, number: best.number, value: best.value };
  } finally {
    db.close();
  }
}

function cachedBarAt(statePath: string, trader: string): string | null {
  const db = new Database(statePath, { readonly: true, fileMustExist: true });
  try {
    const row = db.prepare('SELECT value FROM cache WHERE key = ?').get(`portfolio:${trader}`) as { value: string } | undefined;
    return row ? (JSON.parse(row.value) as { at: string }).at : null;
  } finally {
    db.close();
  }
}

/** The bar (epoch ms) of the positions_state.json barista last read; null before it read one. */
function cachedPositionsAt(statePath: string): number | null {
  const db = new Database(statePath, { readonly: true, fileMustExist: true });
  try {
    const row = db.prepare("SELECT value FROM cache WHERE key = 'positions'").get() as { value: string } | undefined;
    const at = row ? (JSON.parse(row.value) as { at: string | null }).at : null;
    return at ? Date.parse(at) : null;
  } finally {
    db.close();
  }
}

describe('the read-model commands tell the truth (portfolio, trades, training, charts, health)', () => {
  let fake: FakeDiscord;
  let s: Setup;
  let sim: TraderSimulator;
  let barista: BaristaProcess;
  let storage: string;

  beforeAll(async () => {
    fake = await FakeDiscord.start({ users: fakeUsers });
    s = setup();
    mkdirSync(path.join(s.workspace, 'databases'));
    storage = path.join(s.workspace, 'databases', 'optuna_cappuccino.db');
    copyFileSync(copySample(s.dir), storage);
    sim = new TraderSimulator({ workspace: s.workspace, seed: 11, rates: NO_RANDOM_EVENTS, traders: [{ name: 'trial250' }], start: new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000) });
    sim.start();
    sim.stepBars(2);
    barista = startBarista(s, fake);
    await barista.waitForLog((line) => line.msg === 'barista running', { what: 'start-up', timeoutMs: 15_000 });
    await waitFor(() => fake.commands().length > 0, { what: 'slash commands registered', timeoutMs: 10_000 });
    sim.stepBars(1);
    await waitFor(() => eventCount(s.state, 'portfolio.snapshot') > 0, { what: 'the first bar read', timeoutMs: 10_000 });
    // Enough bars for several trades after barista's first one.
    for (let i = 0; i < 40 && expectedTrades(sim).filter((t) => t.bar > sim.truth.snapshots[2]!.bar).length < 6; i += 1) sim.stepBars(1);
    const last = sim.truth.snapshots.at(-1)!;
    await waitFor(() => cachedBarAt(s.state, 'trial250') === new Date(last.bar).toISOString(), { what: 'the last bar read', timeoutMs: 15_000 });
    // positions_state.json (entry prices in /portfolio) is another source: read too, or /portfolio and !portfolio may straddle it.
    await waitFor(() => cachedPositionsAt(s.state) === Date.parse(last.bar), { what: 'the last positions read', timeoutMs: 15_000 });
  }, 60_000);

  afterAll(async () => {
    barista?.kill('SIGTERM');
    await barista?.waitForExit().catch(() => undefined);
    sim?.close();
    await fake?.stop();
  });

  /** Asks as alice both ways; both answers must agree, and the slash one is returned. */
  async function ask(slashName: string, options: unknown[], prefixed: string): Promise<FakeMessage> {
    const slash = fake.slash(slashName, options, 'alice');
    const said = fake.userSays('general', prefixed, 'alice');
    const [fromSlash, fromPrefix] = await Promise.all([slashAnswer(slash, slashName), prefixAnswer(fake, said, prefixed)]);
    expect(normalized(fromPrefix)).toEqual(normalized(fromSlash));
    return fromSlash;
  }

  it('/portfolio: the total equals the CSV’s last row to the cent', async () => {
    const last = sim.truth.snapshots.at(-1)!;
    const reply = await ask('portfolio', [{ name: 'trader', type: 3, value: 'trial250' }], '!portfolio trial250');
    expect(embedText(reply)).toContain(formatMoney(last.total));
    expect(embedText(reply)).toContain(formatMoney(last.cash));
    // Any of the trader's names finds it.
    const byCsvName = await ask('portfolio', [{ name: 'trader', type: 3, value: 'trial250_session' }], '!portfolio trial250_session');
    expect(embedText(byCsvName)).toContain(formatMoney(last.total));
  });

  it('/trades: the last trades are the truth’s, newest first', async () => {
    const reported = expectedTrades(sim).filter((t) => t.bar > sim.truth.snapshots[2]!.bar);
    const lastFive = reported.slice(-5).reverse();
    expect(lastFive.length).toBeGreaterThanOrEqual(3);
    const reply = await ask('trades', [{ name: 'count', type: 4, value: 5 }], '!trades 5');
    const text = embedText(reply);
    const positions = lastFive.map((t) => text.indexOf(`${t.side} ${formatQuantity(t.qty)} **${t.symbol}** @ ${formatMoney(t.price)}`));
    expect(positions.every((p) => p >= 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
  });

  it('/training status: the best trial is the study’s best', async () => {
    const best = bestTrialOf(storage);
    const reply = await ask('training', [{ name: 'status', type: 1, options: [{ name: 'study', type: 3, value: best.study }] }], `!training status ${best.study}`);
    expect(embedText(reply)).toContain(`#${best.number}`);
    expect(embedText(reply)).toContain(formatObjective(best.value));
  });

  it.each([
    ['equity', [{ name: 'trader', type: 3, value: 'trial250' }]],
    ['training', []],
  ])('/chart %s: the reply carries a PNG that decodes, drawn (not blank)', async (kind, options) => {
    const slash = fake.slash('chart', [{ name: kind, type: 1, options }], 'alice');
    const reply = await slashAnswer(slash, `/chart ${kind}`);
    const files = reply.files ?? [];
    expect(files.map((f) => f.contentType)).toEqual(['image/png']);
    const png = decodePng(files[0]!.data);
    expect([png.width, png.height]).toEqual([1000, 560]);
    const colours = new Set<number>();
    for (let i = 0; i + 3 < png.data.length; i += 4 * 97) colours.add((png.data[i]! << 16) | (png.data[i + 1]! << 8) | png.data[i + 2]!);
    expect(colours.size).toBeGreaterThan(5);
    expect(JSON.stringify(reply.embeds)).toContain('attachment://');
  });

  it('/health: barista’s version, its sources, and no secret', async () => {
    const reply = await ask('health', [], '!health');
    const text = embedText(reply);
    expect(text).toContain(JSON.parse(readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8')).version);
    expect(text).toContain('trader-log');
    expect(text.includes(fake.botToken)).toBe(false);
  });
});
