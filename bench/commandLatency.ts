/**
 * Command reply latency (`BENCH_ONLY=commands`): from the fake Discord dispatching a command
 * (INTERACTION_CREATE for a slash command, MESSAGE_CREATE for a `!` one) to barista's first
 * answer to it having been received and answered by the fake (the interaction callback, or the
 * reply message). barista's real bot in-process (Commands → DiscordBot: discord.js, dispatcher,
 * preconditions, the command, its renderer, the audit row when it changes something, the state
 * file), for a mix of every command in the registry with valid arguments, half slash, half `!`,
 * one at a time.
 *
 * Baseline, in the same run against the same fake: a bare discord.js client answering "pong" to
 * a slash command (and to `!ping`). The two bots run one after the other (both connected, both
 * would answer every interaction).
 *
 * `!` replies are channel messages and count against Discord's global 50 requests/s per bot,
 * which @discordjs/rest enforces: back to back, about one in fifty waits for the next second
 * (in both bots). Interaction callbacks are exempt.
 *
 * The fake's channel message limit is raised (Discord allows 5 per 5 s per channel) and so is
 * barista's per-user command rate: this measures the bot, not Discord's pacing.
 * BENCH_QUICK: 300 commands instead of 1,000.
 */
import { validOptionValue } from '../test/support/commandArgs';
import { Client, Events, GatewayIntentBits } from 'discord.js';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Commands } from '../src/agent/Commands';
import { parseRules } from '../src/config/loadRules';
import type { CommandDefinition } from '../src/discord/commands/CommandDefinition';
import type { OptionSpec } from '../src/discord/commands/options';
import { COMMANDS } from '../src/discord/commands/registry';
import { silentLogger } from '../src/logging/logger';
import { MuteStore } from '../src/state/MuteStore';
import { StateStore } from '../src/state/StateStore';
import { FakeDiscord, type RecordedRequest } from '../test/support/fakeDiscord';
import { fmt, makeTempDir, percentile, QUICK, removeTempDir, waitUntil } from './support';

const WARM_UP = 40;
const TARGET_P95_MS = 100;
const ALICE = '100000000000000001';

/** A command to send: its path and the words / options of a valid invocation. */
interface Ask {
  path: readonly string[];
  args: Array<[string, string | number]>;
}

const validValue = (option: OptionSpec): string | number => validOptionValue(option, 'bench');

/** Every command of the registry with its required options (and the optional ones before them) filled in. */
function asks(): Ask[] {
  return (COMMANDS as readonly CommandDefinition[]).map((command) => {
    const lastRequired = command.options.reduce((last, option, index) => (option.required ? index : last), -1);
    return { path: command.path, args: command.options.slice(0, lastRequired + 1).map((option) => [option.name, validValue(option)]) };
  });
}

type Transport = 'slash' | 'prefix';

/** Sends one command and resolves with ms from dispatch to barista's first answer settled at the fake. */
async function timeOne(fake: FakeDiscord, ask: Ask, transport: Transport, user: string): Promise<number> {
  let answeredAt = 0;
  const started = performance.now();
  if (transport === 'slash') {
    const interaction = fake.slash(ask.path.join(' '), Object.fromEntries(ask.args), user);
    await fake.waitForRequest((r) => {
      const hit = r.path.endsWith(`/interactions/${interaction.id}/${interaction.token}/callback`);
      if (hit && !answeredAt) answeredAt = performance.now();
      return hit;
    }, 10_000);
  } else {
    const said = fake.userSays('general', `!${[...ask.path, ...ask.args.map(([, value]) => String(value))].join(' ')}`, user);
    await fake.waitForRequest((r) => {
      const hit = r.method === 'POST' && (r.body as { message_reference?: { message_id?: string } } | undefined)?.message_reference?.message_id === said.id;
      if (hit && !answeredAt) answeredAt = performance.now();
      return hit;
    }, 10_000);
  }
  return answeredAt - started;
}

async function series(fake: FakeDiscord, count: number, pick: (i: number) => [Ask, Transport]): Promise<Record<Transport, number[]>> {
  const out: Record<Transport, number[]> = { slash: [], prefix: [] };
  for (let i = 0; i < WARM_UP + count; i += 1) {
    const [ask, transport] = pick(i);
    const ms = await timeOne(fake, ask, transport, 'alice');
    if (i >= WARM_UP) out[transport].push(ms);
  }
  out.slash.sort((a, b) => a - b);
  out.prefix.sort((a, b) => a - b);
  return out;
}

export async function benchCommandLatency(): Promise<void> {
  const count = QUICK ? 300 : 1000;
  const list = asks();
  console.log(
    `\nCommand reply latency: dispatch at the fake Discord → barista's first answer received by it; ${count} commands one at a time (${list.map((a) => a.path.join(' ')).join(', ')}; half slash, half !), after ${WARM_UP} warm-up`,
  );
  const dir = makeTempDir();
  const fake = await FakeDiscord.start({
    users: [{ id: ALICE, username: 'alice', roles: ['ops'] }, { username: 'bob' }],
    rateLimits: { channelMessages: { limit: 100_000, windowMs: 1000 }, other: { limit: 100_000, windowMs: 1000 } },
  });
  const state = StateStore.open({ path: path.join(dir, 'state.db') });
  let commands: Commands | null = null;
  let bare: Client | null = null;
  try {
    const text = `workspace: ${dir}\nnotify:\n  discord: { token: "${fake.botToken}", api_base: "${fake.apiBase}" }\ncommands:\n  allow:\n    mute: { users: ["${ALICE}"] }\n  rate: { burst: 100000, per_second: 100000 }\n`;
    const parsed = parseRules(text, 'rules.yaml', {});
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
    commands = new Commands({ state, logger: silentLogger(), mutes: new MuteStore(state), fastReconnect: true }, parsed.rules.config);
    await commands.apply(parsed.rules.config);
    await waitUntil('barista slash commands registered', () => fake.commands().length > 0, 15_000);
    const barista = await series(fake, count, (i) => [list[i % list.length]!, i % 2 === 0 ? 'slash' : 'prefix']);
    await commands.stop();
    commands = null;

    const client = new Client({ intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages, GatewayIntentBits.MessageContent], rest: { api: fake.apiBase } });
    bare = client;
    client.on(Events.InteractionCreate, (interaction) => {
      if (interaction.isChatInputCommand()) void interaction.reply({ content: 'pong', allowedMentions: { parse: [] } }).catch(() => undefined);
    });
    client.on(Events.MessageCreate, (message) => {
      if (!message.author.bot && message.content === '!ping') void message.reply({ content: 'pong', allowedMentions: { parse: [] } }).catch(() => undefined);
    });
    const ready = new Promise<void>((resolve) => client.once(Events.ClientReady, () => resolve()));
    await client.login(fake.botToken);
    await ready;
    const ping: Ask = { path: ['ping'], args: [] };
    const baseline = await series(fake, count, (i) => [ping, i % 2 === 0 ? 'slash' : 'prefix']);

    console.log(`  ${''.padEnd(62)} ${['p50', 'p95', 'p99', 'max'].map((h) => h.padStart(7)).join(' ')}   ms, n`);
    const row = (name: string, values: number[]) => {
      const cells = [50, 95, 99].map((p) => fmt(percentile(values, p), 1).padStart(7));
      console.log(`  ${name.padEnd(62)} ${cells.join(' ')} ${fmt(values[values.length - 1] ?? Number.NaN, 1).padStart(7)}   ${values.length}`);
    };
    const all = [...barista.slash, ...barista.prefix].sort((a, b) => a - b);
    const allBase = [...baseline.slash, ...baseline.prefix].sort((a, b) => a - b);
    row('barista bot: every registry command, slash and !', all);
    row('  slash (interaction callback)', barista.slash);
    row('  ! (reply message)', barista.prefix);
    row('bare discord.js answering "pong" (baseline): slash and !ping', allBase);
    row('  slash /ping', baseline.slash);
    row('  !ping', baseline.prefix);
    const p95 = percentile(all, 95);
    console.log(
      `  ratio (barista / baseline) p50: ${fmt(percentile(all, 50) / percentile(allBase, 50), 2)}×   p95: ${fmt(p95 / percentile(allBase, 95), 2)}×   target p95 < ${TARGET_P95_MS} ms: ${p95 < TARGET_P95_MS ? 'met' : 'MISSED'}`,
    );
    const slowPrefix = [...barista.prefix, ...baseline.prefix].filter((ms) => ms > 500).length;
    if (slowPrefix) {
      console.log(
        `  (${slowPrefix} ! replies waited ~1 s, in both bots: @discordjs/rest keeps Discord's global 50 requests/s per bot, and commands sent back to back exceed it; interaction callbacks are exempt)`,
      );
    }
    const rejected = fake.requests.filter((r) => r.status >= 400);
    if (rejected.length) console.log(`  (the fake refused ${rejected.length} requests: ${[...new Set(rejected.map((r: RecordedRequest) => `${r.method} ${r.status}`))].join(', ')})`);
  } finally {
    await commands?.stop();
    await bare?.destroy();
    state.close();
    await fake.stop();
    removeTempDir(dir);
  }
}
