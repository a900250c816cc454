/**
 * The asking half of a running barista: when a bot token is set and Discord is on, a bot that
 * answers slash and `!` commands from state. It follows rules edits of `commands:` at once
 * (permissions, prefix); a changed token or API base restarts the bot.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describeDiscordSetup } from '../config/environment';
import { sourceIdentity } from '../config/sourceIdentity';
import type { RulesFile } from '../config/schema';
import { DiscordBot } from '../discord/bot/DiscordBot';
import { CommandDispatcher } from '../discord/commands/CommandDispatcher';
import type { RuntimeInfo } from '../readModel/queries';
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
    // Rebuilt when the rules change: the heartbeat grace decides what "stale" means.
    let read = this.readModel(config);
    let readFor = config;
    const readModel = () => {
      if (readFor !== this.config) [read, readFor] = [this.readModel(this.config), this.config];
      return read;
    };
    const dispatcher = new CommandDispatcher({
      registry,
      audit: new AuditLog(state),
      logger,
      config: () => this.config.commands,
      context: (invocation, visible) => ({
        read: readModel(),
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
      suggest: (kind, typed) => suggestNames(kind === 'trader' ? readModel().traderNames() : readModel().studyNames(), typed),
      state,
      logger,
      onRateLimited: () => {
        this.rateLimitHits += 1;
      },
      ...(this.options.fastReconnect ? { fastReconnect: true } : {}),
    });
    this.bot.start();
  }

  private readModel(config: RulesFile): ReadModel {
    const heartbeats = config.sources.find((s) => s.type === 'json' && s.role === 'heartbeat');
    const staleGraceMs = heartbeats?.type === 'json' ? heartbeats.stale_grace : undefined;
    return new ReadModel(this.options.state, Date.now, { logger: this.options.logger, sources: config.sources.map(sourceIdentity), ...(staleGraceMs !== undefined ? { staleGraceMs } : {}) });
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

/** Names for autocomplete: those starting with what was typed first, then those containing it. */
export function suggestNames(names: readonly string[], typed: string): string[] {
  const wanted = typed.trim().toLowerCase();
  const starts = names.filter((n) => n.toLowerCase().startsWith(wanted));
  const contains = names.filter((n) => !starts.includes(n) && n.toLowerCase().includes(wanted));
  return [...starts, ...contains].slice(0, 25);
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
