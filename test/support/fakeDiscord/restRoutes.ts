/**
 * The fake's REST routes under /api/v10: what each answers, with Discord's status codes and
 * JSON error bodies. Routes only decide; the server (FakeDiscord) records, rate-limits and writes.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { DISCORD_ERROR } from './discordLimits';
import { channelPayload, memberPayload, rolePayload, userPayload, type FakeMessage } from './discordPayloads';
import type { FakeInteraction, FakeWorld } from './FakeWorld';
import type { RecordedFile } from './readRequestBody';
import { checkCommands } from './validateCommands';
import { checkAttachmentRefs, hasInteractiveComponents } from './validateComponents';
import { checkMessageBody, discordLength, formErrors, type BodyProblem, type MessageKind } from './validateMessageBody';

export interface RouteContext {
  method: string;
  /** The route pattern's capture groups (decoded). */
  params: string[];
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: unknown;
  files: RecordedFile[];
}

export interface Reply {
  status: number;
  /** Sent as application/json. */
  json?: unknown;
  text?: string;
  headers?: Record<string, string>;
}

export type BucketRule = 'webhook' | 'channelMessages' | 'other';

export interface Route {
  method: string;
  /** Matched against the decoded path after /api/v10. */
  pattern: RegExp;
  /** Route template, e.g. `POST /channels/:id/messages` (the bucket's route). */
  template: string;
  /** `bot`: needs `Authorization: Bot <token>`. Webhooks and interaction callbacks need none. */
  auth: 'bot' | 'none';
  /** Rate-limit bucket: key (route + major parameter) and which configured limit applies. */
  bucket(params: string[]): { key: string; rule: BucketRule };
  handle(ctx: RouteContext): Reply;
}

const ID = '(\\d{1,20})';
const TOKEN = '([^/]+)';
/** Interaction tokens (and so their webhook routes) live 15 minutes. */
const INTERACTION_TOKEN_LIFETIME_MS = 15 * 60_000;
const LOADING = 1 << 7;
const EPHEMERAL = 1 << 6;

export const json = (status: number, body: unknown): Reply => ({ status, json: body });
export const discordError = (status: number, error: { code: number; message: string }, errors?: Record<string, unknown>): Reply =>
  json(status, { message: error.message, code: error.code, ...(errors ? { errors } : {}) });
const formError = (problems: BodyProblem[]): Reply => discordError(400, DISCORD_ERROR.invalidFormBody, formErrors(problems));

/** A message body with its uploads: Discord's form checks, `attachments` naming real uploads (or kept attachments), the file size limit. */
function checkBody(body: unknown, kind: MessageKind, files: RecordedFile[], sizeLimit = Infinity, existingAttachmentIds: ReadonlySet<string> = new Set()): Reply | null {
  const tooLarge = files.find((f) => f.size > sizeLimit);
  if (tooLarge) return discordError(413, DISCORD_ERROR.entityTooLarge);
  const { problems, empty } = checkMessageBody(body, kind, files.length);
  const b = asObject(body);
  checkAttachmentRefs(b.attachments, files.length, existingAttachmentIds, (path, code, message) => problems.push({ path, code, message }));
  if (problems.length) return formError(problems);
  if (empty) return discordError(400, DISCORD_ERROR.emptyMessage);
  return null;
}

function asObject(body: unknown): Record<string, unknown> {
  return body && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
}

/** An edit must leave something in the message. */
function checkEdit(target: FakeMessage, body: unknown, files: RecordedFile[], sizeLimit: number): Reply | null {
  const invalid = checkBody(body, 'edit', files, sizeLimit, new Set(target.attachments.map((a) => String(a.id))));
  if (invalid) return invalid;
  const b = asObject(body);
  const content = b.content !== undefined ? b.content : target.content;
  const embeds = b.embeds !== undefined ? b.embeds : target.embeds;
  const hasContent = typeof content === 'string' && content.trim() !== '';
  const hasEmbeds = Array.isArray(embeds) && embeds.length > 0;
  const keepsAttachments = Array.isArray(b.attachments) ? b.attachments.length > 0 : target.attachments.length > 0;
  const components = b.components !== undefined ? b.components : target.components;
  const hasComponents = Array.isArray(components) && components.length > 0;
  if (!hasContent && !hasEmbeds && !keepsAttachments && !hasComponents && files.length === 0 && (target.flags & LOADING) === 0) {
    return discordError(400, DISCORD_ERROR.emptyMessage);
  }
  return null;
}

/** Application flags: GATEWAY_GUILD_MEMBERS_LIMITED (1<<15) and GATEWAY_MESSAGE_CONTENT_LIMITED (1<<19), as an unverified bot with both toggled on shows. */
const PRIVILEGED_INTENT_FLAGS = (1 << 15) | (1 << 19);
/** SEND_MESSAGES: what setCanSend(channel, false) denies the bot through a member overwrite. */
const SEND_MESSAGES = 1n << 11n;

export function restRoutes(world: FakeWorld, gatewayUrl: () => string, privilegedIntents: () => boolean = () => true): Route[] {
  const other = (template: string, major = 'global') => ({ key: `${template} ${major}`, rule: 'other' as const });

  const liveInteraction = (token: string): FakeInteraction | undefined => {
    const interaction = world.interactionByToken(token);
    return interaction && Date.now() - interaction.createdAt <= INTERACTION_TOKEN_LIFETIME_MS ? interaction : undefined;
  };

  /** The message an app-webhook or webhook route names: `@original` or a message id (and the interaction, for app webhooks). */
  const webhookTarget = (params: string[]): { message?: FakeMessage; interaction?: FakeInteraction; error?: Reply } => {
    const [id, token, messageId] = params as [string, string, string];
    if (id === world.applicationId) {
      const interaction = liveInteraction(token);
      if (!interaction) return { error: discordError(404, DISCORD_ERROR.unknownWebhook) };
      const message = messageId === '@original' ? interaction.original : interaction.followups.find((m) => m.id === messageId);
      return message && !message.deleted ? { message, interaction } : { error: discordError(404, DISCORD_ERROR.unknownMessage) };
    }
    const webhook = world.webhooks.find((w) => w.id === id);
    if (!webhook) return { error: discordError(404, DISCORD_ERROR.unknownWebhook) };
    if (webhook.token !== token) return { error: discordError(401, DISCORD_ERROR.invalidWebhookToken) };
    const message = world.messages.find((m) => m.webhook_id === webhook.id && m.id === messageId);
    return message ? { message } : { error: discordError(404, DISCORD_ERROR.unknownMessage) };
  };

  /** A guild channel or an opened DM channel, by id. */
  const messageChannel = (id: string): { dm: boolean; index: number } | undefined => {
    const index = world.channels.findIndex((c) => c.id === id);
    if (index >= 0) return { dm: false, index };
    return world.dmChannelById(id) ? { dm: true, index: -1 } : undefined;
  };

  const interactionMetadata = (interaction: FakeInteraction): Record<string, unknown> => ({
    id: interaction.id,
    type: interaction.type,
    ...(interaction.type === 2 ? { name: interaction.name } : {}),
    ...(interaction.type === 3 && interaction.message ? { interacted_message_id: interaction.message.id } : {}),
    user: userPayload(interaction.user),
    authorizing_integration_owners: { '0': interaction.dm ? '0' : world.guildId },
  });

  /** Callback 8: choices as Discord checks them — ≤ 25, name 1–100, value of the focused option's type (string ≤ 100). */
  const checkChoices = (interaction: FakeInteraction, data: Record<string, unknown>): BodyProblem[] => {
    const problems: BodyProblem[] = [];
    const add = (path: BodyProblem['path'], code: string, message: string): void => {
      problems.push({ path: ['data', ...path], code, message });
    };
    if (!Array.isArray(data.choices)) {
      add(['choices'], 'BASE_TYPE_REQUIRED', 'This field is required');
      return problems;
    }
    if (data.choices.length > 25) add(['choices'], 'BASE_TYPE_MAX_LENGTH', 'Must be 25 or fewer in length.');
    const type = interaction.focused?.type ?? 3;
    data.choices.forEach((choice: unknown, i: number) => {
      const c = (choice ?? {}) as Record<string, unknown>;
      if (typeof c.name !== 'string' || discordLength(c.name) < 1 || discordLength(c.name) > 100) add(['choices', i, 'name'], 'BASE_TYPE_BAD_LENGTH', 'Must be between 1 and 100 in length.');
      const v = c.value;
      if (type === 3) {
        if (typeof v !== 'string') add(['choices', i, 'value'], 'BASE_TYPE_STRING', 'Must be a string.');
        else if (discordLength(v) > 100) add(['choices', i, 'value'], 'BASE_TYPE_MAX_LENGTH', 'Must be 100 or fewer in length.');
      } else if (type === 4 ? typeof v !== 'number' || !Number.isInteger(v) : typeof v !== 'number' || !Number.isFinite(v)) {
        add(['choices', i, 'value'], type === 4 ? 'NUMBER_TYPE_COERCE' : 'NUMBER_TYPE_COERCE', `Value "${String(v)}" is not ${type === 4 ? 'int' : 'a number'}.`);
      }
    });
    return problems;
  };

  /** Which callback types an interaction accepts (Discord: 6/7 only for components, 8 only — and only — for autocomplete). */
  const allowedCallbacks: Record<FakeInteraction['type'], number[]> = { 2: [4, 5, 9], 3: [4, 5, 6, 7, 9], 4: [8] };

  const commandRoutes = (guild: boolean): Route[] => {
    const base = guild ? `/applications/${ID}/guilds/${ID}/commands` : `/applications/${ID}/commands`;
    const template = guild ? '/applications/:id/guilds/:id/commands' : '/applications/:id/commands';
    const scopeOf = (params: string[]): { scope?: string; error?: Reply } => {
      if (params[0] !== world.applicationId) return { error: discordError(403, DISCORD_ERROR.notAuthorizedForApplication) };
      if (guild && params[1] !== world.guildId) return { error: discordError(403, DISCORD_ERROR.missingAccess) };
      return { scope: world.commandScope(guild ? params[1] : undefined) };
    };
    return [
      {
        method: 'GET',
        pattern: new RegExp(`^${base}$`),
        template: `GET ${template}`,
        auth: 'bot',
        bucket: (p) => other(`GET ${template}`, p[0]),
        handle: ({ params }) => {
          const { scope, error } = scopeOf(params);
          return error ?? json(200, world.commands.get(scope!) ?? []);
        },
      },
      {
        method: 'PUT',
        pattern: new RegExp(`^${base}$`),
        template: `PUT ${template}`,
        auth: 'bot',
        bucket: (p) => other(`PUT ${template}`, p[0]),
        handle: ({ params, body }) => {
          const { scope, error } = scopeOf(params);
          if (error) return error;
          const problems = checkCommands(body);
          if (problems.length) return formError(problems);
          return json(200, world.setCommands(scope!, body as Array<Record<string, unknown>>));
        },
      },
      {
        method: 'POST',
        pattern: new RegExp(`^${base}$`),
        template: `POST ${template}`,
        auth: 'bot',
        bucket: (p) => other(`POST ${template}`, p[0]),
        handle: ({ params, body }) => {
          const { scope, error } = scopeOf(params);
          if (error) return error;
          const problems = checkCommands([body]).map((p) => ({ ...p, path: p.path.slice(1) }));
          if (problems.length) return formError(problems);
          return json(201, world.addCommand(scope!, asObject(body)));
        },
      },
    ];
  };

  return [
    {
      method: 'GET',
      pattern: /^\/gateway\/bot$/,
      template: 'GET /gateway/bot',
      auth: 'bot',
      bucket: () => other('GET /gateway/bot'),
      handle: () =>
        json(200, {
          url: gatewayUrl(),
          shards: 1,
          // remaining must be ≥ the shard count or discord.js refuses to log in; reset_after (ms) is its cache lifetime.
          session_start_limit: { total: 1000, remaining: 999, reset_after: 14_400_000, max_concurrency: 1 },
        }),
    },
    {
      method: 'GET',
      pattern: /^\/gateway$/,
      template: 'GET /gateway',
      auth: 'none',
      bucket: () => other('GET /gateway'),
      handle: () => json(200, { url: gatewayUrl() }),
    },
    {
      method: 'GET',
      pattern: /^\/users\/@me$/,
      template: 'GET /users/@me',
      auth: 'bot',
      bucket: () => other('GET /users/@me'),
      handle: () => json(200, { ...userPayload(world.botUser), verified: true, mfa_enabled: false }),
    },
    {
      method: 'GET',
      pattern: /^\/(?:oauth2\/)?applications\/@me$/,
      template: 'GET /applications/@me',
      auth: 'bot',
      bucket: () => other('GET /applications/@me'),
      handle: () =>
        json(200, {
          id: world.applicationId,
          name: world.botUser.username,
          icon: null,
          description: '',
          bot_public: false,
          bot_require_code_grant: false,
          verify_key: '0'.repeat(64),
          flags: privilegedIntents() ? PRIVILEGED_INTENT_FLAGS : 0,
          team: null,
          owner: userPayload(world.users[0] ?? world.botUser),
          bot: userPayload(world.botUser),
        }),
    },
    {
      method: 'GET',
      pattern: new RegExp(`^/channels/${ID}$`),
      template: 'GET /channels/:id',
      auth: 'bot',
      bucket: (p) => other('GET /channels/:id', p[0]),
      handle: ({ params }) => {
        const found = messageChannel(params[0]!);
        if (!found) return discordError(404, DISCORD_ERROR.unknownChannel);
        if (found.dm) return json(200, world.dmChannelPayload(world.dmChannelById(params[0]!)!));
        // A lost Send Messages is a member overwrite on the channel, as a server admin sets it.
        const overwrites = world.deniedChannels.has(params[0]!) ? [{ id: world.botUser.id, type: 1, allow: '0', deny: String(SEND_MESSAGES) }] : [];
        return json(200, { ...channelPayload(world.channels[found.index]!, world.guildId, found.index), permission_overwrites: overwrites });
      },
    },
    {
      method: 'GET',
      pattern: new RegExp(`^/guilds/${ID}/roles$`),
      template: 'GET /guilds/:id/roles',
      auth: 'bot',
      bucket: (p) => other('GET /guilds/:id/roles', p[0]),
      handle: ({ params }) => (params[0] === world.guildId ? json(200, world.roles.map((role, position) => rolePayload(role, position))) : discordError(404, DISCORD_ERROR.unknownGuild)),
    },
    {
      method: 'GET',
      pattern: new RegExp(`^/guilds/${ID}/members/${ID}$`),
      template: 'GET /guilds/:id/members/:id',
      auth: 'bot',
      bucket: (p) => other('GET /guilds/:id/members/:id', p[0]),
      handle: ({ params }) => {
        if (params[0] !== world.guildId) return discordError(404, DISCORD_ERROR.unknownGuild);
        const member = [world.botUser, ...world.users].find((u) => u.id === params[1]);
        return member ? json(200, memberPayload(member, world.joinedAt)) : discordError(404, DISCORD_ERROR.unknownMember);
      },
    },
    {
      // "Bot is typing…" (channel.sendTyping()): 204, nothing to record but the request itself.
      method: 'POST',
      pattern: new RegExp(`^/channels/${ID}/typing$`),
      template: 'POST /channels/:id/typing',
      auth: 'bot',
      bucket: (p) => other('POST /channels/:id/typing', p[0]),
      handle: ({ params }) => (messageChannel(params[0]!) ? { status: 204 } : discordError(404, DISCORD_ERROR.unknownChannel)),
    },
    {
      // Opens (or returns) the DM channel with a user: what user.createDM() / user.send() call first.
      method: 'POST',
      pattern: /^\/users\/@me\/channels$/,
      template: 'POST /users/@me/channels',
      auth: 'bot',
      bucket: () => other('POST /users/@me/channels'),
      handle: ({ body }) => {
        const recipient = asObject(body).recipient_id;
        if (typeof recipient !== 'string') return formError([{ path: ['recipient_id'], code: 'BASE_TYPE_REQUIRED', message: 'This field is required' }]);
        const user = world.users.find((u) => u.id === recipient);
        if (!user) return discordError(400, DISCORD_ERROR.unknownUser);
        return json(200, world.dmChannelPayload(world.openDm(user)));
      },
    },
    {
      method: 'POST',
      pattern: new RegExp(`^/channels/${ID}/messages$`),
      template: 'POST /channels/:id/messages',
      auth: 'bot',
      bucket: (p) => ({ key: `channel:${p[0]}`, rule: 'channelMessages' }),
      handle: ({ params, body, files }) => {
        const found = messageChannel(params[0]!);
        if (!found) return discordError(404, DISCORD_ERROR.unknownChannel);
        const channel = { id: params[0]! };
        // Bots cannot DM other bots (guessed answer: Discord's 50007).
        if (found.dm && world.user(world.dmChannelById(channel.id)!.userId).bot) return discordError(403, DISCORD_ERROR.cannotMessageUser);
        if (world.deniedChannels.has(channel.id)) return discordError(403, DISCORD_ERROR.missingPermissions);
        const invalid = checkBody(body, 'channel', files, world.attachmentSizeLimit);
        if (invalid) return invalid;
        const b = asObject(body);
        const hasNonce = b.nonce !== undefined && b.nonce !== null;
        // enforce_nonce: the same nonce again within a few minutes returns the first message and creates nothing.
        if (hasNonce && b.enforce_nonce === true) {
          const first = world.messageForNonce(channel.id, b.nonce);
          if (first) return json(200, first);
        }
        const reference = b.message_reference as { message_id?: string; fail_if_not_exists?: boolean } | undefined;
        if (reference?.message_id && reference.fail_if_not_exists !== false) {
          const exists = [...world.messages, ...world.userMessages].some((m) => m.id === reference.message_id && m.channel_id === channel.id);
          if (!exists) return formError([{ path: ['message_reference'], code: 'MESSAGE_REFERENCE_UNKNOWN_MESSAGE', message: 'Unknown message' }]);
        }
        const message = world.createMessage({ channelId: channel.id, author: world.botAuthor(), body: b, files });
        if (hasNonce) world.rememberNonce(channel.id, b.nonce, message.id);
        return json(200, message);
      },
    },
    ...(['GET', 'PATCH', 'DELETE'] as const).map(
      (method): Route => ({
        method,
        pattern: new RegExp(`^/channels/${ID}/messages/${ID}$`),
        template: `${method} /channels/:id/messages/:id`,
        auth: 'bot',
        bucket: (p) => other(`${method} /channels/:id/messages/:id`, p[0]),
        handle: ({ params, body, files }) => {
          if (!messageChannel(params[0]!)) return discordError(404, DISCORD_ERROR.unknownChannel);
          const message = world.findMessage(params[0]!, params[1]!);
          if (!message) return discordError(404, DISCORD_ERROR.unknownMessage);
          if (method === 'GET') return json(200, message);
          if (message.author.id !== world.botUser.id) return discordError(403, DISCORD_ERROR.editOthersMessage);
          if (method === 'DELETE') {
            world.deleteMessage(message);
            return { status: 204 };
          }
          const invalid = checkEdit(message, body, files, world.attachmentSizeLimit);
          return invalid ?? json(200, world.editMessage(message, asObject(body), files));
        },
      }),
    ),
    {
      method: 'POST',
      pattern: new RegExp(`^/webhooks/${ID}/${TOKEN}$`),
      template: 'POST /webhooks/:id/:token',
      auth: 'none',
      // Webhook limits are per webhook (all tokens), Discord's major parameter.
      bucket: (p) => (p[0] === world.applicationId ? other('POST /webhooks/:id/:token', `${p[0]}/${p[1]}`) : { key: `webhook:${p[0]}`, rule: 'webhook' }),
      handle: ({ params, body, files, query }) => {
        const [id, token] = params as [string, string];
        const wait = query.get('wait')?.toLowerCase() === 'true' || query.get('wait') === '1';
        if (id === world.applicationId) {
          // Interaction follow-up.
          const interaction = liveInteraction(token);
          if (!interaction || !interaction.acknowledged || interaction.type === 4) return discordError(404, DISCORD_ERROR.unknownWebhook);
          const invalid = checkBody(body, 'interaction', files, interaction.attachmentSizeLimit);
          if (invalid) return invalid;
          const message = world.createMessage({ channelId: interaction.channelId, author: world.botAuthor(), body: asObject(body), files, webhookId: world.applicationId, type: 20, extra: { application_id: world.applicationId, interaction_metadata: interactionMetadata(interaction) } });
          interaction.followups.push(message);
          interaction.respondedAt ??= Date.now();
          return json(200, message);
        }
        const webhook = world.webhooks.find((w) => w.id === id);
        if (!webhook) return discordError(404, DISCORD_ERROR.unknownWebhook);
        if (webhook.token !== token) return discordError(401, DISCORD_ERROR.invalidWebhookToken);
        const b = asObject(body);
        // A webhook not owned by an app may send only non-interactive components, and only with
        // ?with_components=true; without it Discord ignores `components` (documented).
        if (query.get('with_components') !== 'true') delete b.components;
        else if (hasInteractiveComponents(b.components)) return formError([{ path: ['components'], code: 'COMPONENT_INTERACTIVE_NOT_ALLOWED', message: 'Interactive components need an application-owned webhook.' }]);
        const invalid = checkBody(b, 'webhook', files, world.attachmentSizeLimit);
        if (invalid) return invalid;
        const { nonce: _n, enforce_nonce: _e, message_reference: _r, ...accepted } = b;
        const message = world.createMessage({ channelId: webhook.channelId, author: world.webhookAuthor(webhook, b.username), body: accepted, files, webhookId: webhook.id, type: 0 });
        return wait ? json(200, message) : { status: 204 };
      },
    },
    {
      method: 'GET',
      pattern: new RegExp(`^/webhooks/${ID}/${TOKEN}$`),
      template: 'GET /webhooks/:id/:token',
      auth: 'none',
      bucket: (p) => other('GET /webhooks/:id/:token', p[0]),
      handle: ({ params }) => {
        const webhook = world.webhooks.find((w) => w.id === params[0]);
        if (!webhook) return discordError(404, DISCORD_ERROR.unknownWebhook);
        if (webhook.token !== params[1]) return discordError(401, DISCORD_ERROR.invalidWebhookToken);
        return json(200, { id: webhook.id, type: 1, guild_id: world.guildId, channel_id: webhook.channelId, name: webhook.name, avatar: null, application_id: null, token: webhook.token });
      },
    },
    ...(['GET', 'PATCH', 'DELETE'] as const).map(
      (method): Route => ({
        method,
        pattern: new RegExp(`^/webhooks/${ID}/${TOKEN}/messages/(@original|\\d{1,20})$`),
        template: `${method} /webhooks/:id/:token/messages/:id`,
        auth: 'none',
        bucket: (p) => other(`${method} /webhooks/:id/:token/messages/:id`, `${p[0]}/${p[1]}`),
        handle: ({ params, body, files }) => {
          const { message, interaction, error } = webhookTarget(params);
          if (error) return error;
          if (method === 'GET') return json(200, message);
          if (method === 'DELETE') {
            world.deleteMessage(message!);
            return { status: 204 };
          }
          const invalid = checkEdit(message!, body, files, interaction?.attachmentSizeLimit ?? world.attachmentSizeLimit);
          if (invalid) return invalid;
          const edited = world.editMessage(message!, asObject(body), files);
          if (interaction && params[2] === '@original') interaction.respondedAt ??= Date.now();
          return json(200, edited);
        },
      }),
    ),
    {
      method: 'POST',
      pattern: new RegExp(`^/interactions/${ID}/${TOKEN}/callback$`),
      template: 'POST /interactions/:id/:token/callback',
      auth: 'none',
      bucket: (p) => other('POST /interactions/:id/:token/callback', p[0]),
      handle: ({ params, body, files, query }) => {
        const interaction = world.interactions.find((i) => i.id === params[0]);
        // Past the deadline Discord has already shown "The application did not respond".
        if (!interaction || interaction.token !== params[1] || Date.now() - interaction.createdAt > world.interactionResponseDeadlineMs) {
          return discordError(404, DISCORD_ERROR.unknownInteraction);
        }
        if (interaction.acknowledged) return discordError(400, DISCORD_ERROR.alreadyAcknowledged);
        const b = asObject(body);
        const data = asObject(b.data);
        const type = b.type as number;
        const allowed = allowedCallbacks[interaction.type];
        // The wording of this error is a guess; Discord refuses the type with a 400 form error.
        if (!allowed.includes(type)) return formError([{ path: ['type'], code: 'INTERACTION_CALLBACK_TYPE_INVALID', message: `Value must be one of (${allowed.join(', ')}) for this interaction type.` }]);
        const now = Date.now();
        if (type === 4) {
          const invalid = checkBody(data, 'interaction', files, interaction.attachmentSizeLimit);
          if (invalid) return invalid;
          // Message type 20 (chat input command) for a command's reply; 0 for a component's is a guess.
          interaction.original = world.createMessage({ channelId: interaction.channelId, author: world.botAuthor(), body: data, files, webhookId: world.applicationId, type: interaction.type === 2 ? 20 : 0, extra: { application_id: world.applicationId, interaction_metadata: interactionMetadata(interaction) } });
          interaction.respondedAt = now;
        } else if (type === 5) {
          const flags = (typeof data.flags === 'number' ? data.flags & EPHEMERAL : 0) | LOADING;
          interaction.original = world.createMessage({ channelId: interaction.channelId, author: world.botAuthor(), body: {}, webhookId: world.applicationId, type: interaction.type === 2 ? 20 : 0, extra: { flags, application_id: world.applicationId, interaction_metadata: interactionMetadata(interaction) } });
        } else if (type === 6) {
          // Nothing changes yet; @original now names the message the button is on.
          interaction.original = interaction.message ?? null;
        } else if (type === 7) {
          const target = interaction.message!;
          if (target.deleted) return discordError(404, DISCORD_ERROR.unknownMessage);
          const invalid = checkEdit(target, data, files, interaction.attachmentSizeLimit);
          if (invalid) return invalid;
          interaction.original = world.editMessage(target, data, files);
          interaction.respondedAt = now;
        } else if (type === 8) {
          const problems = checkChoices(interaction, data);
          if (problems.length) return formError(problems);
          interaction.choices = (data.choices as Array<{ name: string; value: string | number }>).map((c) => ({ name: c.name, value: c.value }));
          interaction.respondedAt = now;
        } else if (type === 9) {
          if (typeof data.custom_id !== 'string' || typeof data.title !== 'string' || !Array.isArray(data.components)) {
            return formError([{ path: ['data', 'custom_id'], code: 'BASE_TYPE_REQUIRED', message: 'This field is required' }]);
          }
          interaction.respondedAt = now;
        }
        interaction.acknowledged = true;
        interaction.callbacks.push({ type, data: b.data, at: now });
        if (query.get('with_response') === 'true') {
          const original = interaction.original;
          return json(200, {
            interaction: { id: interaction.id, type: interaction.type, ...(original ? { response_message_id: original.id, response_message_loading: type === 5, response_message_ephemeral: (original.flags & EPHEMERAL) !== 0 } : {}) },
            resource: { type, ...(original && type !== 6 ? { message: original } : {}) },
          });
        }
        return { status: 204 };
      },
    },
    ...commandRoutes(false),
    ...commandRoutes(true),
  ];
}
