/**
 * The asking half of a running barista: when a bot token is set and Discord is on, a bot that
 * answers slash and `!` commands from state. It follows rules edits of `commands:` at once
 * (permissions, prefix); a changed token or API base restarts the bot.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describeDiscordSetup } from '../config/environment';
import type { RulesFile } from '../config/schema';
import { DiscordBot } from '../discord/bot/DiscordBot';
import { CommandDispatcher } from '../discord/commands/CommandDispatcher';
import type { RuntimeInfo } from '../discord/commands/CommandDefinition';
import { commandRegistry } from '../discord/commands/registry';
import type { Logger } from '../logging/logger';
import { ReadModel } from '../readModel/ReadModel';
import { AuditLog } from '../state/AuditLog';
import type { MuteStore } from '../state/MuteStore';
import type { StateStore } from '../state/StateStore';

export interface CommandsOptions {
  state: StateStore;
  logger: Logger;
  mutes: MuteStore;
  /** Tests shorten discord.js's reconnect throttle. */
  fastReconnect?: boolean;
}

export class Commands {
  private bot: DiscordBot | null = null;
  private botKey: string | null = null;
  private config: RulesFile;
  private rateLimitHits = 0;
  readonly runtime: RuntimeInfo;

  constructor(
    private readonly options: CommandsOptions,
    config: RulesFile,
  ) {
    this.config = config;
    this.runtime = { version: ownVersion(), startedAt: Date.now(), rateLimitHits: () => this.rateLimitHits };
  }

  /** Starts (or keeps, or stops) the bot for these rules. Never waits on Discord. */
  async apply(config: RulesFile): Promise<void> {
    this.config = config;
    const setup = describeDiscordSetup(config);
    const token = config.notify.discord.token;
    const wanted = setup.enabled && token ? JSON.stringify([token, setup.apiBase]) : null;
    if (wanted === this.botKey) return;
    await this.stopBot();
    this.botKey = wanted;
    if (!wanted || !token) {
      if (setup.enabled && !token) this.options.logger.info('commands are off: no DISCORD_BOT_TOKEN (notifications still go to webhooks or the console)');
      return;
    }
    const { state, logger, mutes } = this.options;
    const registry = commandRegistry();
    const read = new ReadModel(state);
    const dispatcher = new CommandDispatcher({
      registry,
      audit: new AuditLog(state),
      logger,
      config: () => this.config.commands,
      context: (invocation, visible) => ({
        read,
        mutes,
        config: this.config.commands,
        runtime: this.runtime,
        caller: invocation.caller,
        place: invocation.place,
        prefix: invocation.transport === 'slash' ? '/' : this.config.commands.prefix,
        now: Date.now,
        visibleCommands: visible,
      }),
    });
    this.bot = new DiscordBot({
      token,
      apiBase: setup.apiBase,
      config: () => this.config.commands,
      dispatcher,
      registry,
      suggest: () => [],
      state,
      logger,
      onRateLimited: () => {
        this.rateLimitHits += 1;
      },
      ...(this.options.fastReconnect ? { fastReconnect: true } : {}),
    });
    this.bot.start();
  }

  async stop(): Promise<void> {
    await this.stopBot();
    this.botKey = null;
  }

  private async stopBot(): Promise<void> {
    const bot = this.bot;
    this.bot = null;
    await bot?.stop();
  }
}

/** barista's version from its package.json (two folders up from src/agent, three from dist/src/agent). */
function ownVersion(): string {
  for (const up of ['../..', '../../..']) {
    try {
      const parsed = JSON.parse(readFileSync(path.resolve(__dirname, up, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (parsed.name === 'barista' && parsed.version) return parsed.version;
    } catch {
      // not this folder
    }
  }
  return 'unknown';
}
