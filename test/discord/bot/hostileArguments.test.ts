/**
 * Hostile arguments to every command in the registry: mentions, markdown, 10 KB strings, emoji,
 * zero-width and control characters, secrets, numbers out of range, negative, NaN text, unknown
 * options. Through the real bot in-process (discord.js against the fake Discord, as `!` messages
 * and as slash interactions) and, with more runs, through the CommandDispatcher directly with the
 * fake's own body check. Whatever is asked: no crash, no ping, every reply accepted by Discord,
 * no secret echoed, and barista still answers a normal command afterwards.
 */
import fc from 'fast-check';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Commands } from '../../../src/agent/Commands';
import { parseRules } from '../../../src/config/loadRules';
import type { CommandsConfig, RulesFile } from '../../../src/config/schema';
import type { CommandDefinition, CommandReply } from '../../../src/discord/commands/CommandDefinition';
import { CommandDispatcher } from '../../../src/discord/commands/CommandDispatcher';
import type { Invocation, RawArgs } from '../../../src/discord/commands/Invocation';
import type { OptionSpec } from '../../../src/discord/commands/options';
import { COMMANDS, commandRegistry } from '../../../src/discord/commands/registry';
import { redactMessage } from '../../../src/discord/render/redactMessage';
import { ZERO_WIDTH_SPACE } from '../../../src/discord/render/sanitizeText';
import { createLogger } from '../../../src/logging/logger';
import { ReadModel } from '../../../src/readModel/ReadModel';
import { AuditLog } from '../../../src/state/AuditLog';
import { MuteStore } from '../../../src/state/MuteStore';
import { StateStore } from '../../../src/state/StateStore';
import { OptionError } from '../../support/fakeDiscord/commandOptions';
import { checkMessageBody, FakeDiscord, formatPath, type FakeInteraction, type RecordedRequest } from '../../support/fakeDiscord';
import { useTempDir } from '../../support/tempDir';
import { waitFor } from '../../support/waitFor';
import { HOSTILE_BOT_TOKEN, HOSTILE_WEBHOOK_TOKEN, hostileString } from '../render/hostileEvents';

const ALICE = '100000000000000001';
const tempDir = useTempDir('barista-hostile-');
const LOADING = 1 << 7;
const SECRETS = [HOSTILE_BOT_TOKEN, HOSTILE_WEBHOOK_TOKEN];

// ---- hostile arguments ----

const hostileNumberText = fc.oneof(
  fc.integer().map(String),
  fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }).map(String),
  fc.double().map(String),
  fc.constantFrom('NaN', '-NaN', 'Infinity', '-Infinity', '1e309', '-0', '0', '-1', '0x10', '1_000', '٣', '１２', '+5', '5m', '-5m', '0s', '99999999d', '1h30m', 'P1D'),
);
const hostilePiece = fc.constantFrom('@everyone', '@here', '<@123456789012345678>', '<@!42>', '<@&456>', '||x||', '**', '`', '```', '> ', '# ', '🙂', '👨‍👩‍👧', '\u200b', '\u200d', '\u202e', '\ud800', '\u0007', '-1', 'NaN');
/** key=value, as /mute's match takes it: hostile keys and values get past the word split into the reply. */
const mentionPiece = fc.constantFrom('@everyone', '@here', '@EveryOne', '<@123456789012345678>', '<@!42>', '<@&456>');
const keyValueWord = fc
  .tuple(fc.oneof({ weight: 2, arbitrary: mentionPiece }, fc.constantFrom('type', 'severity', 'source', 'subject'), hostilePiece, hostileString), fc.oneof(mentionPiece, hostilePiece, hostileString))
  .map(([key, value]) => `${key}=${value}`.replace(/\s/g, '_'));
const hostileWord = fc.oneof(
  { weight: 3, arbitrary: hostileString },
  { weight: 2, arbitrary: hostileNumberText },
  { weight: 2, arbitrary: hostilePiece },
  { weight: 2, arbitrary: keyValueWord },
  { weight: 1, arbitrary: fc.constant('x'.repeat(10_000)) },
);

/** A value of the option's kind (so parsing gets past it) or a hostile one. */
function wordFor(option: OptionSpec): fc.Arbitrary<string> {
  const valid =
    option.kind === 'integer'
      ? fc.integer({ min: option.min ?? -1_000_000, max: option.max ?? 1_000_000 }).map(String)
      : option.kind === 'duration'
        ? fc.constantFrom('90s', '30m', '4h', '1d', '1h30m')
        : option.choices?.length
          ? fc.constantFrom(...option.choices)
          : fc.oneof({ weight: 2, arbitrary: keyValueWord }, hostilePiece, hostileString.filter((text) => text.trim() !== '' && !/\s/.test(text)));
  return fc.oneof({ weight: 3, arbitrary: valid }, { weight: 2, arbitrary: hostileWord });
}

/** The words after a command's name: one per option (mostly the right kind), sometimes more. */
const wordsFor = (command: CommandDefinition) => fc.tuple(fc.tuple(...command.options.map(wordFor)), fc.array(hostileWord, { maxLength: 2 })).map(([words, extra]) => [...words, ...extra]);

/** Any command of the registry, as the definition. */
const anyCommand = fc.constantFrom(...(COMMANDS as readonly CommandDefinition[]));
const commandAndWords = anyCommand.chain((command) => fc.tuple(fc.constant(command), fc.oneof({ weight: 3, arbitrary: wordsFor(command) }, fc.array(hostileWord, { maxLength: 4 }))));
const commandNamed = (name: string) => (COMMANDS as readonly CommandDefinition[]).find((c) => c.path.join(' ') === name)!;
const anyUser = fc.constantFrom('alice', 'bob');

/** A slash option value as a hostile client could put it: strings, integers out of range, text in an integer option. */
const hostileSlashValue = fc.oneof(
  hostileString.map((value) => ({ type: 3, value })),
  fc.oneof(fc.integer(), fc.constantFrom(-1, 0, 2 ** 53, -(2 ** 53), 1e21)).map((value) => ({ type: 4, value })),
  hostileNumberText.map((value) => ({ type: 4, value })),
  fc.double().map((value) => ({ type: 10, value })),
);
const slashValueFor = (option: OptionSpec) =>
  fc.oneof(
    { weight: 3, arbitrary: wordFor(option).map((word) => (option.kind === 'integer' && /^-?\d{1,15}$/.test(word) ? { type: 4, value: Number(word) } : { type: option.kind === 'integer' ? 4 : 3, value: word })) },
    { weight: 1, arbitrary: hostileSlashValue },
  );
const hostileSlashOptions = (command: CommandDefinition) =>
  fc
    .tuple(
      fc.tuple(...command.options.map((option) => fc.option(slashValueFor(option).map((v) => ({ name: option.name, ...v })), { nil: undefined }))),
      fc.array(fc.tuple(fc.constantFrom('bogus', '__proto__', 'constructor', '@everyone'), hostileSlashValue), { maxLength: 1 }),
    )
    .map(([known, extra]) => [...known.filter((o) => o !== undefined), ...extra.map(([name, { type, value }]) => ({ name, type, value }))]);

// ---- what every reply must be ----

/** Text a person would see: a mention there must be broken by a zero-width space. */
function pings(text: string): string[] {
  const found: string[] = [];
  for (const match of text.matchAll(/@(everyone|here)|<@[!&]?\d/gi)) {
    const at = match.index + (match[0].startsWith('<') ? 1 : 0);
    if (text[at + 1] !== ZERO_WIDTH_SPACE) found.push(match[0]);
  }
  return found;
}

/** A message body barista sent: Discord accepts it, it pings nobody, it shows no secret. */
function expectFineBody(body: Record<string, unknown>, kind: 'channel' | 'interaction' | 'edit', what: string): void {
  const problems = checkMessageBody(body, kind).problems.map((p) => `${formatPath(p.path)}: ${p.message}`);
  expect({ what, problems }).toEqual({ what, problems: [] });
  expect({ what, parse: (body.allowed_mentions as { parse?: unknown })?.parse }).toEqual({ what, parse: [] });
  const text = JSON.stringify([body.content ?? '', body.embeds ?? []]);
  const shown = JSON.parse(text) as unknown;
  const flat = JSON.stringify(shown).replace(/\\u200b/gi, ZERO_WIDTH_SPACE);
  expect({ what, pings: pings(flat) }).toEqual({ what, pings: [] });
  for (const secret of SECRETS) expect({ what, secret: text.includes(secret) }).toEqual({ what, secret: false });
}

// ---- through the bot ----

describe('hostile arguments through the bot (discord.js against the fake Discord)', () => {
  let fake: FakeDiscord;
  let commands: Commands;
  let state: StateStore;
  let dir = '';
  const logs: string[] = [];

  beforeAll(async () => {
    // Discord's 5 replies per 5 s in a channel would make this a test of waiting: these runs are about arguments.
    fake = await FakeDiscord.start({ users: [{ id: ALICE, username: 'alice', roles: ['ops'] }, { username: 'bob' }], rateLimits: { channelMessages: { limit: 1000, windowMs: 1000 } } });
    dir = mkdtempSync(path.join(os.tmpdir(), 'barista-hostile-bot-'));
    state = StateStore.open({ path: path.join(dir, 'state.db') });
    const logger = createLogger({ format: 'json', level: 'debug', destination: { write: (line: string) => void logs.push(line) } as never });
    const text = `workspace: ${dir}\nnotify:\n  discord: { token: "${fake.botToken}", api_base: "${fake.apiBase}" }\ncommands:\n  allow:\n    mute: { users: ["${ALICE}"] }\n  rate: { burst: 100000, per_second: 100000 }\n`;
    const parsed = parseRules(text, 'rules.yaml', {});
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
    commands = new Commands({ state, logger, mutes: new MuteStore(state), fastReconnect: true }, parsed.rules.config);
    await commands.apply(parsed.rules.config);
    await waitFor(() => fake.commands().length > 0, { what: 'slash commands registered' });
  });

  afterAll(async () => {
    await commands?.stop();
    state?.close();
    await fake?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const requestsFor = (interaction: FakeInteraction): RecordedRequest[] => fake.requests.filter((r) => r.path.includes(`/${interaction.token}/`));

  it('as ! messages: every one answered, every answer accepted, no ping, no secret', async () => {
    await fc.assert(
      fc.asyncProperty(commandAndWords, anyUser, async ([command, words], user) => {
        const said = fake.userSays('general', `!${command.path.join(' ')} ${words.join(' ')}`, user);
        const request = await fake.waitForRequest((r) => r.method === 'POST' && (r.body as { message_reference?: { message_id?: string } })?.message_reference?.message_id === said.id, 5000);
        expect({ status: request.status, errors: request.status === 200 ? null : request.body }).toEqual({ status: 200, errors: null });
        expectFineBody(request.body as Record<string, unknown>, 'channel', `!${command.path.join(' ')}`);
      }),
      {
        numRuns: 100,
        // Always tried: what the usage line once echoed as typed (a mute key or severity that mentions).
        examples: [
          [[commandNamed('mute'), ['<@&456>=x', '1h']], 'alice'],
          [[commandNamed('mute'), ['severity=@everyone', '1h', '@here']], 'alice'],
        ],
      },
    );
  });

  it('as slash interactions (hostile values of the types Discord lets through): every one answered in time, accepted, no ping, no secret', async () => {
    await fc.assert(
      fc.asyncProperty(anyCommand.chain((command) => fc.tuple(fc.constant(command), hostileSlashOptions(command))), anyUser, async ([command, options], user) => {
        const raw = command.path.length === 2 ? [{ name: command.path[1], type: 1, options }] : options;
        let interaction: FakeInteraction;
        try {
          interaction = fake.slash(command.path[0], raw, user);
        } catch (error) {
          // What Discord's client refuses (wrong type, out of range, unknown option) never reaches barista;
          // the dispatcher property below sends those too.
          if (error instanceof OptionError) return fc.pre(false);
          throw error;
        }
        await waitFor(() => interaction.original && (interaction.original.flags & LOADING) === 0, { what: `/${command.path.join(' ')} answered`, timeoutMs: 5000 });
        const sent = requestsFor(interaction);
        expect(sent.map((r) => r.status).filter((status) => status !== 200 && status !== 204)).toEqual([]);
        for (const r of sent) {
          const body = r.body as Record<string, unknown>;
          if (r.path.endsWith('/callback')) {
            if (body.type === 4) expectFineBody(body.data as Record<string, unknown>, 'interaction', `/${command.path.join(' ')}`);
          } else {
            expectFineBody(body, 'edit', `/${command.path.join(' ')} (edit)`);
          }
        }
      }),
      { numRuns: 60 },
    );
  });

  it('still answers a normal command afterwards, and logged no failed answer', async () => {
    const slash = fake.slash('help', {}, 'alice');
    await waitFor(() => slash.original, { what: '/help after the hostile runs' });
    const said = fake.userSays('general', '!help', 'bob');
    await waitFor(() => fake.botMessages().find((m) => m.message_reference?.message_id === said.id), { what: '!help after the hostile runs' });
    expect(logs.filter((line) => /could not answer|failed \(ref|an interaction could not be answered/.test(line))).toEqual([]);
  });
});

// ---- through the dispatcher ----

describe('hostile arguments through the CommandDispatcher (more runs, the fake body check)', () => {
  function dispatcher(): { dispatch: (invocation: Invocation) => Promise<CommandReply | null>; logs: string[] } {
    const state = StateStore.open({ path: path.join(tempDir(), 'state.db') });
    afterEachClose.push(() => state.close());
    const logs: string[] = [];
    const logger = createLogger({ format: 'json', level: 'debug', destination: { write: (line: string) => void logs.push(line) } as never });
    const parsed = parseRules(`workspace: ${tempDir()}\ncommands:\n  allow:\n    mute: { users: ["${ALICE}"] }\n  rate: { burst: 100000, per_second: 100000 }\n`, 'rules.yaml', {});
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
    const config: CommandsConfig = (parsed.rules.config as RulesFile).commands;
    const read = new ReadModel(state);
    const mutes = new MuteStore(state);
    const d = new CommandDispatcher({
      registry: commandRegistry(),
      audit: new AuditLog(state),
      logger,
      config: () => config,
      context: (invocation, visible) => ({ read, mutes, config, runtime: { version: 'test', startedAt: 0, rateLimitHits: () => 0 }, caller: invocation.caller, place: invocation.place, prefix: invocation.transport === 'slash' ? '/' : '!', now: Date.now, visibleCommands: visible }),
    });
    return {
      logs,
      dispatch: async (invocation) => {
        const prepared = d.prepare(invocation);
        if (prepared.kind === 'ignore') return null;
        return prepared.kind === 'reply' ? prepared.reply : prepared.run();
      },
    };
  }
  const afterEachClose: Array<() => void> = [];
  afterEach(() => afterEachClose.splice(0).forEach((close) => close()));

  const rawArgs: fc.Arbitrary<RawArgs> = fc.oneof(
    fc.array(hostileWord, { maxLength: 5 }).map((words) => ({ kind: 'words' as const, words, rest: words.join(' ') })),
    fc.array(fc.oneof(hostileWord, fc.constantFrom('90s', '4h', '1d', '1', '7')), { maxLength: 4 }).map((words) => ({ kind: 'words' as const, words, rest: words.join(' ') })),
    fc
      .dictionary(fc.oneof(fc.constantFrom('match', 'for', 'reason', 'id', 'count', 'trader', 'study', 'hours', '__proto__'), hostilePiece, fc.string({ maxLength: 8 })), fc.oneof(hostileWord, fc.constantFrom('90s', '4h', '1d'), fc.integer(), fc.double(), fc.boolean()), { maxKeys: 4 })
      .map((values) => ({ kind: 'named' as const, values })),
  );

  it('every reply is a message Discord accepts (as an interaction reply and a channel message), pings nobody, echoes no secret', async () => {
    const { dispatch, logs } = dispatcher();
    await fc.assert(
      fc.asyncProperty(anyCommand, rawArgs, fc.constantFrom(ALICE, '100000000000000002'), fc.boolean(), async (command, args, userId, inDm) => {
        const invocation: Invocation = {
          path: command.path,
          args,
          caller: { userId, username: userId === ALICE ? 'alice' : 'bob', roleIds: [] },
          place: inDm ? { kind: 'dm', channelId: '200000000000000001' } : { kind: 'guild', guildId: '300000000000000001', channelId: '200000000000000002' },
          transport: args.kind === 'named' ? 'slash' : 'prefix',
          createdAt: Date.now(),
        };
        const reply = await dispatch(invocation);
        if (!reply) return; // said nothing (an unlisted DM): nothing to check
        const message = redactMessage(reply.message);
        const body = { content: message.content ?? '', embeds: message.embeds, allowed_mentions: { parse: [] } };
        expectFineBody(body, 'interaction', `/${command.path.join(' ')}`);
        expectFineBody({ ...body, message_reference: { message_id: '1' } }, 'channel', `!${command.path.join(' ')}`);
      }),
      { numRuns: 400 },
    );
    expect(logs.filter((line) => /failed \(ref/.test(line))).toEqual([]);
  });
});
