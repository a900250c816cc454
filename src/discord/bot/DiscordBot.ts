/**
 * The command bot: a discord.js Client on the gateway that turns slash and `!` commands into
 * invocations, hands them to the dispatcher and sends the replies. Notifications do not go
 * through it (they use their own REST clients), so whatever the gateway does, they flow.
 *
 * The Message Content intent is privileged: when Discord refuses it (close code 4014), the bot
 * logs in again without it, says once that `!` commands are off, and slash commands keep working.
 */
import {
  Client,
  DiscordAPIError,
  Events,
  GatewayIntentBits,
  MessageFlags,
  Partials,
  type AutocompleteInteraction,
  type ButtonInteraction,
  type ChatInputCommandInteraction,
  type Interaction,
  type Message,
} from 'discord.js';
import type { CommandsConfig } from '../../config/schema';
import type { Logger } from '../../logging/logger';
import type { StateStore } from '../../state/StateStore';
import type { CommandDispatcher, Prepared } from '../commands/CommandDispatcher';
import type { CommandReply } from '../commands/CommandDefinition';
import type { CommandRegistry } from '../commands/CommandRegistry';
import type { AutocompleteKind } from '../commands/options';
import { renderDenied } from '../render/commandReplies';
import { redactMessage } from '../render/redactMessage';
import type { BotButtons } from '../commands/buttons';
import type { PostedMessage } from '../../state/PendingActionStore';
import { invocationFromInteraction, invocationFromMessage, pressFromInteraction } from './invocations';
import { SeenOnce } from './seenOnce';
import { registerSlashCommands } from './slashRegistration';

export interface DiscordBotOptions {
  token: string;
  apiBase: string;
  config: () => CommandsConfig;
  dispatcher: CommandDispatcher;
  registry: CommandRegistry;
  /** Names to offer while a user types a trader or study option. */
  suggest: (kind: AutocompleteKind, typed: string) => string[];
  state: StateStore;
  logger: Logger;
  /** Called for every rate-limit response the bot's REST client sees. */
  onRateLimited?: () => void;
  /** Tests shorten discord.js's 5 s identify throttle. */
  fastReconnect?: boolean;
  /** Button presses (control confirmations) and the expiry of pending actions. */
  buttons?: BotButtons;
  /** How long an interaction's follow-ups are possible (Discord: 15 min); later outcomes go to the channel. */
  interactionWindowMs?: number;
}

/** Follow-ups on an interaction work for 15 minutes; keep a margin. */
const INTERACTION_WINDOW_MS = 14 * 60_000;

/** Discord shows "The application did not respond" after 3 s. */
const INTERACTION_DEADLINE_MS = 3000;
const DISALLOWED_INTENTS = 4014;
const UNKNOWN_INTERACTION = 10062;
const NO_PINGS = { parse: [] as [], repliedUser: false };

export class DiscordBot {
  private client: Client | null = null;
  private withMessageContent = true;
  private stopped = false;
  private retryTimer: NodeJS.Timeout | null = null;
  private attempts = 0;
  private readonly loggedOnce = new Set<string>();
  private readonly expiryTimers = new Map<string, NodeJS.Timeout>();
  /** Interaction and message ids already handled: a redelivered event acts once. */
  private readonly seen = new SeenOnce();
  /** Questions left open by a previous run, to disable once connected (taken at start). */
  private leftovers: Array<{ where: PostedMessage; reply: CommandReply }> = [];

  constructor(private readonly options: DiscordBotOptions) {}

  /** Starts logging in; never throws (a failed login is logged and retried, or reported once). */
  start(): void {
    this.leftovers = this.options.buttons?.leftovers() ?? [];
    this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    for (const timer of this.expiryTimers.values()) clearTimeout(timer);
    this.expiryTimers.clear();
    const client = this.client;
    this.client = null;
    await client?.destroy();
  }

  get ready(): boolean {
    return this.client?.isReady() ?? false;
  }

  private connect(): void {
    if (this.stopped) return;
    const { logger } = this.options;
    const intents = [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages, GatewayIntentBits.DirectMessages, ...(this.withMessageContent ? [GatewayIntentBits.MessageContent] : [])];
    const client = new Client({
      intents,
      // DMs arrive from channels discord.js has not cached.
      partials: [Partials.Channel],
      rest: { api: this.options.apiBase },
      allowedMentions: NO_PINGS,
      ...(this.options.fastReconnect ? { ws: { buildIdentifyThrottler: () => Promise.resolve({ waitForIdentify: async () => {} }) } } : {}),
    });
    this.client = client;
    client.rest.on('rateLimited', () => this.options.onRateLimited?.());
    client.on(Events.ClientReady, (ready) => void this.onReady(ready));
    client.on(Events.MessageCreate, (message) => void this.onMessage(message));
    client.on(Events.InteractionCreate, (interaction) => void this.onInteraction(interaction));
    client.on(Events.Error, (error) => this.logOnce(`error:${error.message}`, () => logger.warn({ err: error }, 'discord bot: client error; discord.js reconnects by itself')));
    client.on(Events.ShardDisconnect, (event) => {
      if (event.code === DISALLOWED_INTENTS) this.dropMessageContent(client);
    });
    client.login(this.options.token).then(
      () => {
        this.attempts = 0;
      },
      (error: unknown) => this.onLoginFailed(client, error),
    );
  }

  private onLoginFailed(client: Client, error: unknown): void {
    if (this.stopped || client !== this.client) return;
    const { logger } = this.options;
    const text = error instanceof Error ? error.message : String(error);
    const code = (error as { code?: unknown }).code;
    if (/disallowed intents/i.test(text) || code === 'DisallowedIntents') {
      this.dropMessageContent(client);
      return;
    }
    void client.destroy();
    if (/invalid token|TokenInvalid|Authentication failed/i.test(`${text} ${String(code)}`)) {
      logger.error('discord bot: Discord refused the bot token (DISCORD_BOT_TOKEN); commands are off until it is fixed. Notifications are not affected.');
      return;
    }
    this.attempts += 1;
    const delay = Math.min(300_000, 5_000 * 2 ** Math.min(this.attempts - 1, 6));
    this.logOnce(`login:${text}`, () => logger.warn({ err: error, retryInS: delay / 1000 }, 'discord bot: could not log in; retrying'));
    this.retryTimer = setTimeout(() => this.connect(), delay);
    this.retryTimer.unref();
  }

  /** 4014: log in again without the privileged intent; `!` commands are off until it is enabled. */
  private dropMessageContent(client: Client): void {
    if (!this.withMessageContent || client !== this.client) return;
    this.withMessageContent = false;
    this.options.logger.warn(
      "discord bot: Discord refused the Message Content intent (close code 4014), so `!` commands are off until it is enabled in the Developer Portal (Bot → Privileged Gateway Intents → Message Content). Slash commands keep working.",
    );
    void client.destroy().finally(() => this.connect());
  }

  private async onReady(client: Client<true>): Promise<void> {
    const { logger, config, registry, state } = this.options;
    logger.info({ user: client.user.username, guilds: client.guilds.cache.size, messageContent: this.withMessageContent }, 'discord bot: connected');
    void this.disableLeftovers(client);
    if (!config().slash) return;
    try {
      const result = await registerSlashCommands(client, registry.slashJson(), config().guilds, state);
      if (result.registered) logger.info({ scope: result.scope, commands: result.count }, 'discord bot: slash commands registered');
    } catch (error) {
      logger.error({ err: error }, 'discord bot: could not register slash commands; they may be missing or out of date in Discord');
    }
  }

  private async onMessage(message: Message): Promise<void> {
    const client = this.client;
    // Never answer bots, webhooks (barista's own notifications among them) or itself.
    if (!client || message.author.bot || message.webhookId || message.author.id === client.user?.id) return;
    const invocation = invocationFromMessage(message, this.options.config().prefix);
    if (!invocation || !this.firstDelivery(message.id, 'message')) return;
    try {
      const prepared = this.options.dispatcher.prepare(invocation);
      if (prepared.kind === 'ignore') return;
      if (prepared.kind === 'run' && prepared.slow && 'sendTyping' in message.channel) void message.channel.sendTyping().catch(() => undefined);
      const reply = prepared.kind === 'reply' ? prepared.reply : await prepared.run();
      // `!` replies cannot be ephemeral; everything else is the same reply.
      const sent = await message.reply(this.editPayload(reply));
      if (reply.pending) {
        this.notePosted(reply.pending.id, { channelId: sent.channelId, messageId: sent.id });
        this.expireLater(reply.pending, (expired) => sent.edit(this.editPayload(expired)));
      }
    } catch (error) {
      this.options.logger.warn({ err: error, command: invocation.path.join(' ') }, 'discord bot: could not answer a message command');
    }
  }

  private async onInteraction(interaction: Interaction): Promise<void> {
    if (!this.firstDelivery(interaction.id, 'interaction')) return;
    try {
      if (interaction.isAutocomplete()) await this.onAutocomplete(interaction);
      else if (interaction.isChatInputCommand()) await this.onSlash(interaction);
      else if (interaction.isButton()) await this.onButton(interaction);
    } catch (error) {
      const delayMs = Date.now() - interaction.createdTimestamp;
      if (error instanceof DiscordAPIError && error.code === UNKNOWN_INTERACTION) {
        this.options.logger.warn({ delayMs, id: interaction.id }, `discord bot: an interaction could not be answered within Discord's 3 s (answered after ${delayMs} ms)`);
      } else {
        this.options.logger.warn({ err: error, delayMs }, 'discord bot: could not answer an interaction');
      }
    }
  }

  private async onSlash(interaction: ChatInputCommandInteraction): Promise<void> {
    const prepared: Prepared = this.options.dispatcher.prepare(invocationFromInteraction(interaction));
    if (prepared.kind === 'ignore') {
      // A slash command left unanswered shows the user an error: say why, to them alone.
      await interaction.reply({ ...this.messagePayload({ message: renderDenied(prepared.why), ephemeral: true }) });
      return;
    }
    if (prepared.kind === 'reply') {
      await interaction.reply(this.messagePayload(prepared.reply));
      this.noteLate(interaction);
      return;
    }
    if (prepared.slow) {
      await interaction.deferReply();
      this.noteLate(interaction);
      const reply = await prepared.run();
      await interaction.editReply(this.editPayload(reply));
      return;
    }
    const reply = await prepared.run();
    const response = await interaction.reply({ ...this.messagePayload(reply), withResponse: true });
    this.noteLate(interaction);
    if (!reply.pending) return;
    const sent = response.resource?.message;
    if (sent && !reply.ephemeral) this.notePosted(reply.pending.id, { channelId: sent.channelId, messageId: sent.id });
    this.expireLater(reply.pending, (expired) => interaction.editReply(this.editPayload(expired)));
  }

  /**
   * A button: checked against the action barista stored (never trusted by itself). A refusal is
   * told to the presser only; an answer updates the message, and a running action's outcome
   * follows as a follow-up while the interaction lives, as a channel message after.
   */
  private async onButton(interaction: ButtonInteraction): Promise<void> {
    const buttons = this.options.buttons;
    if (!buttons) {
      await interaction.reply(this.messagePayload({ message: renderDenied('this barista does not act on buttons'), ephemeral: true }));
      return;
    }
    const answer = buttons.press(pressFromInteraction(interaction));
    // A user over the rate limit, already told: no answer (Discord shows them the press failed).
    if (answer.kind === 'ignore') return;
    if (answer.kind === 'tell' || answer.kind === 'reply') {
      await interaction.reply(this.messagePayload(answer.reply));
      if (answer.reply.pending) this.expireLater(answer.reply.pending, (expired) => interaction.editReply(this.editPayload(expired)));
      return;
    }
    const later = answer.later;
    try {
      await interaction.update(this.editPayload(answer.reply));
      if (answer.reply.pending) {
        if (!interaction.message.flags.has(MessageFlags.Ephemeral)) this.notePosted(answer.reply.pending.id, { channelId: interaction.message.channelId, messageId: interaction.message.id });
        this.expireLater(answer.reply.pending, (expired) => interaction.editReply(this.editPayload(expired)));
      }
    } finally {
      if (later) void this.deliverLater(interaction, later);
    }
  }

  private async deliverLater(interaction: ButtonInteraction, later: Promise<CommandReply>): Promise<void> {
    const { logger } = this.options;
    let reply: CommandReply;
    try {
      reply = await later;
    } catch (error) {
      logger.error({ err: error }, 'discord bot: a control action failed');
      return;
    }
    if (this.stopped) return;
    const window = this.options.interactionWindowMs ?? INTERACTION_WINDOW_MS;
    if (Date.now() - interaction.createdTimestamp < window) {
      try {
        await interaction.followUp(this.editPayload(reply));
        return;
      } catch (error) {
        logger.warn({ err: error }, 'discord bot: could not follow up on the interaction; posting the outcome in the channel');
      }
    }
    try {
      const channel = await this.client?.channels.fetch(interaction.channelId);
      if (channel?.isSendable()) await channel.send(this.editPayload(reply));
      else logger.warn({ channel: interaction.channelId }, 'discord bot: cannot post a control outcome in this channel');
    } catch (error) {
      logger.warn({ err: error }, 'discord bot: could not post a control outcome');
    }
  }

  /** Disables a pending action's buttons once it expires (unless it was answered first). */
  private expireLater(pending: { id: string; expiresAt: number }, edit: (reply: CommandReply) => Promise<unknown>): void {
    const buttons = this.options.buttons;
    if (!buttons || this.stopped) return;
    const timer = setTimeout(
      () => {
        this.expiryTimers.delete(pending.id);
        const expired = buttons.expire(pending.id);
        if (expired) void edit(expired).catch((error: unknown) => this.options.logger.warn({ err: error }, 'discord bot: could not disable the buttons of an expired action'));
      },
      Math.max(0, pending.expiresAt - Date.now()) + 25,
    );
    timer.unref();
    this.expiryTimers.set(pending.id, timer);
  }

  /** False (and logged) for an event already handled: Discord delivered it again. */
  private firstDelivery(id: string, what: 'interaction' | 'message'): boolean {
    if (this.seen.first(id)) return true;
    this.options.logger.info({ id }, `discord bot: the same ${what} was delivered again; acting on it once`);
    return false;
  }

  private notePosted(id: string, where: PostedMessage): void {
    try {
      this.options.buttons?.posted(id, where);
    } catch (error) {
      this.options.logger.warn({ err: error }, 'discord bot: could not remember where a confirmation was posted');
    }
  }

  /**
   * A previous run's open questions: their buttons are disabled (the actions were expired at start), where
   * the bot can still edit the message; one that is gone or out of reach is only logged.
   */
  private async disableLeftovers(client: Client): Promise<void> {
    const leftovers = this.leftovers;
    this.leftovers = [];
    for (const { where, reply } of leftovers) {
      try {
        const channel = await client.channels.fetch(where.channelId);
        if (channel?.isTextBased()) await channel.messages.edit(where.messageId, this.editPayload(reply));
      } catch (error) {
        this.options.logger.warn({ err: error, channel: where.channelId }, "discord bot: could not disable the buttons of a previous run's confirmation");
      }
    }
  }

  private async onAutocomplete(interaction: AutocompleteInteraction): Promise<void> {
    const focused = interaction.options.getFocused(true);
    const sub = interaction.options.getSubcommand(false);
    const command = this.options.registry.all.find((c) => c.path[0] === interaction.commandName && (c.path[1] ?? null) === sub);
    const option = command?.options.find((o) => o.name === focused.name);
    const kind = option?.kind === 'string' ? option.autocomplete : undefined;
    const names = kind ? this.options.suggest(kind, String(focused.value)) : [];
    await interaction.respond(names.slice(0, 25).map((name) => ({ name: name.slice(0, 100), value: name.slice(0, 100) })));
  }

  private noteLate(interaction: ChatInputCommandInteraction): void {
    const delayMs = Date.now() - interaction.createdTimestamp;
    if (delayMs > INTERACTION_DEADLINE_MS * 0.8) this.options.logger.warn({ delayMs, command: interaction.commandName }, `discord bot: answered /${interaction.commandName} after ${delayMs} ms, close to Discord's 3 s`);
  }

  private messagePayload(reply: CommandReply) {
    return {
      ...this.editPayload(reply),
      ...(reply.ephemeral ? { flags: MessageFlags.Ephemeral as const } : {}),
    };
  }

  private editPayload(reply: CommandReply) {
    const message = redactMessage(reply.message);
    return {
      content: message.content ?? '',
      embeds: message.embeds,
      ...(message.components ? { components: message.components } : {}),
      files: (reply.files ?? []).map((file) => ({ attachment: file.data, name: file.name })),
      allowedMentions: NO_PINGS,
    };
  }

  private logOnce(key: string, log: () => void): void {
    if (this.loggedOnce.has(key)) return;
    this.loggedOnce.add(key);
    log();
  }
}
