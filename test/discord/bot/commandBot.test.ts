/**
 * The command bot in-process with real discord.js against the fake Discord: slash and `!` give
 * the same answers, who may ask is enforced and audited, bots and unlisted DMs are ignored,
 * and a refused Message Content intent (4014) leaves slash commands working.
 */
import path from 'node:path';
import { Commands } from '../../../src/agent/Commands';
import { parseRules } from '../../../src/config/loadRules';
import type { RulesFile } from '../../../src/config/schema';
import { createLogger } from '../../../src/logging/logger';
import { CATALOGUE, writeCache } from '../../../src/readModel/catalogue';
import { AuditLog } from '../../../src/state/AuditLog';
import { MuteStore } from '../../../src/state/MuteStore';
import { StateStore } from '../../../src/state/StateStore';
import { FakeDiscord } from '../../support/fakeDiscord';
import { useTempDir } from '../../support/tempDir';
import { waitFor } from '../../support/waitFor';

const tempDir = useTempDir('barista-bot-');
let fake: FakeDiscord | null = null;
let commands: Commands | null = null;
let state: StateStore | null = null;

afterEach(async () => {
  await commands?.stop();
  commands = null;
  state?.close();
  state = null;
  await fake?.stop();
  fake = null;
});

function rules(fakeDiscord: FakeDiscord, commandsYaml: string): RulesFile {
  const text = `workspace: ${tempDir()}\nnotify:\n  discord: { token: "${fakeDiscord.botToken}", api_base: "${fakeDiscord.apiBase}" }\ncommands:\n${commandsYaml}`;
  const result = parseRules(text, 'rules.yaml', {});
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.rules.config;
}

interface Started {
  fake: FakeDiscord;
  mutes: MuteStore;
  audit: AuditLog;
  logs: string[];
}

async function startBot(commandsYaml: string, fakeOptions: Parameters<typeof FakeDiscord.start>[0] = {}, existing?: FakeDiscord): Promise<Started> {
  fake = existing ?? (await FakeDiscord.start(fakeOptions));
  state = StateStore.open({ path: path.join(tempDir(), 'state.db') });
  const logs: string[] = [];
  const logger = createLogger({ format: 'json', level: 'debug', destination: { write: (line: string) => void logs.push(line) } as never });
  const mutes = new MuteStore(state);
  commands = new Commands({ state, logger, mutes, fastReconnect: true }, rules(fake, commandsYaml));
  await commands.apply(rules(fake, commandsYaml));
  const registered = fake;
  await waitFor(() => registered.commands().length + registered.commands({ guild: true }).length > 0, { what: 'slash commands registered' });
  return { fake: registered, mutes, audit: new AuditLog(state), logs };
}

const embedText = (body: unknown): string => JSON.stringify((body as { embeds?: unknown[] } | null)?.embeds ?? []);

describe('command bot', () => {
  it('answers /help and !help from the same registry, listing only what the caller may use', async () => {
    const { fake } = await startBot(`  dashboard_url: "http://localhost:8050"\n`);
    const slash = fake.slash('help', {}, 'alice');
    const original = await waitFor(() => slash.original, { what: '/help answered' });
    expect(embedText(original)).toContain('/dashboard');
    expect(embedText(original)).not.toContain('`/mute '); // nobody may mute by default
    expect(embedText(original)).toContain('`/mutes`'); // but anyone may read the mutes
    const said = fake.userSays('general', '!help', 'alice');
    const reply = await waitFor(() => fake.botMessages('general').find((m) => m.message_reference?.message_id === said.id), { what: '!help answered' });
    expect(embedText(reply)).toEqual(embedText(original));
    expect(reply.mentions ?? []).toEqual([]);
  });

  it('answers /dashboard with the configured link, and says clearly when none is set', async () => {
    const { fake } = await startBot(`  prefix: "!"\n`);
    const asked = fake.slash('dashboard', {}, 'bob');
    expect(embedText(await waitFor(() => asked.original))).toContain('No dashboard is set');
  });

  it('lets a listed user mute from chat, audits it, and refuses others ephemerally with an audit row', async () => {
    const alice = '100000000000000001';
    const { fake, mutes, audit } = await startBot(`  allow:\n    mute: { users: ["${alice}"] }\n`, { users: [{ id: alice, username: 'alice' }, { username: 'bob' }] });
    const denied = fake.slash('mute', { match: 'trade.*', for: '1h' }, 'bob');
    const deniedReply = await waitFor(() => denied.callbacks[0]);
    expect(((deniedReply.data as { flags?: number }).flags ?? 0) & 64).toBe(64);
    expect(mutes.listActive()).toHaveLength(0);
    const allowed = fake.slash('mute', { match: 'type=risk.* subject=trial250', for: '2h', reason: 'maintenance' }, 'alice');
    expect(embedText(await waitFor(() => allowed.original))).toContain('Mute #1');
    expect(mutes.listActive()).toEqual([expect.objectContaining({ matcher: { type: 'risk.*', subject: 'trial250' }, reason: 'maintenance', createdBy: 'alice' })]);
    const rows = audit.recent(10);
    expect(rows.map((r) => [r.command, r.userTag, r.decision])).toEqual([
      ['mute', 'alice', 'allowed'],
      ['mute', 'bob', 'denied'],
    ]);
    expect(rows[0]!.outcome).toBe('answered');
  });

  it('gives the usage line for bad arguments and a /help hint for unknown commands', async () => {
    const alice = '100000000000000001';
    const { fake } = await startBot(`  allow:\n    mute: { users: ["${alice}"] }\n`, { users: [{ id: alice, username: 'alice' }] });
    const bad = fake.userSays('general', '!mute trade.* soon', 'alice');
    const usage = await waitFor(() => fake.botMessages('general').find((m) => m.message_reference?.message_id === bad.id));
    expect(embedText(usage)).toContain('Usage: `!mute <match> <for> [reason]`');
    const unknown = fake.userSays('general', '!frobnicate @everyone', 'alice');
    const hint = await waitFor(() => fake.botMessages('general').find((m) => m.message_reference?.message_id === unknown.id));
    expect(embedText(hint)).toContain('/help');
    expect(embedText(hint)).not.toContain('@everyone');
  });

  it('answers a bad mute match with the usage line in the form the caller used (/mute or !mute)', async () => {
    const alice = '100000000000000001';
    const { fake } = await startBot(`  allow:\n    mute: { users: ["${alice}"] }\n`, { users: [{ id: alice, username: 'alice' }] });
    const said = fake.userSays('general', '!mute bogus=1 1h', 'alice');
    const prefixed = await waitFor(() => fake.botMessages('general').find((m) => m.message_reference?.message_id === said.id));
    expect(embedText(prefixed)).toContain('Usage: `!mute <match> <for> [reason]`');
    const slashed = fake.slash('mute', { match: 'bogus=1', for: '1h' }, 'alice');
    expect(embedText(await waitFor(() => slashed.original))).toContain('Usage: `/mute <match> <for> [reason]`');
  });

  it('ignores bots and webhooks', async () => {
    const { fake } = await startBot('  prefix: "!"\n', { users: [{ username: 'alice' }, { username: 'otherbot', bot: true }] });
    fake.userSays('general', '!help', 'otherbot');
    const human = fake.userSays('general', '!help', 'alice');
    await waitFor(() => fake.botMessages('general').find((m) => m.message_reference?.message_id === human.id));
    expect(fake.botMessages('general').filter((m) => m.message_reference?.message_id !== human.id)).toHaveLength(0);
  });

  it('registers in the configured guild when commands.guilds is set, and autocompletes trader names from state', async () => {
    fake = await FakeDiscord.start({});
    const { guildId } = fake;
    const started = await startBot(`  guilds: ["${guildId}"]\n`, {}, fake);
    expect(started.fake.commands({ guild: true }).map((c) => c.name)).toContain('portfolio');
    expect(started.fake.commands()).toEqual([]);
    writeCache(state!, CATALOGUE.portfolio.of('trial250'), { at: '2026-02-09T10:00:00.000Z', cash: 100, total: 500, reward: 0, holdings: {}, prices: {} } as never, null);
    writeCache(state!, CATALOGUE.portfolio.of('trial91'), { at: '2026-02-09T10:00:00.000Z', cash: 100, total: 400, reward: 0, holdings: {}, prices: {} } as never, null);
    const typed = started.fake.autocomplete('portfolio', [{ name: 'trader', type: 3, value: '25', focused: true }], 'alice');
    expect(await started.fake.waitForChoices(typed)).toEqual([{ name: 'trial250', value: 'trial250' }]);
    const all = started.fake.autocomplete('portfolio', [{ name: 'trader', type: 3, value: '', focused: true }], 'alice');
    expect((await started.fake.waitForChoices(all)).map((c) => c.value)).toEqual(['trial250', 'trial91']);
  });

  it('keeps slash commands working when Discord refuses the Message Content intent (4014), and says so once', async () => {
    const { fake, logs } = await startBot('  prefix: "!"\n', { allowPrivilegedIntents: false });
    const asked = fake.slash('help', {}, 'alice');
    expect(embedText(await waitFor(() => asked.original))).toContain('/help');
    expect(logs.filter((line) => line.includes('close code 4014'))).toHaveLength(1);
  });
});
