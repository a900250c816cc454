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
import type { DiscordBot } from '../discord/bot/DiscordBot';
import { CommandDispatcher } from '../discord/commands/CommandDispatcher';
import type { RuntimeInfo } from '../readModel/queries';
import { commandRegistry } from '../discord/commands/registry';
import type { Logger } from '../logging/logger';
import { ReadModel } from '../readModel/ReadModel';
import { AuditLog } from '../state/AuditLog';
import type { MuteStore } from '../state/MuteStore';
import { PendingActionStore } from '../state/PendingActionStore';
import type { StateStore } from '../state/StateStore';
import { Controller, procFinder, type ProcessFinder } from '../control';
import { AlertButtons } from '../discord/commands/AlertButtons';
import { buttonRouter } from '../discord/commands/buttons';
import { ControlActions } from '../discord/commands/ControlActions';
import type { AutocompleteKind } from '../discord/commands/options';

export interface CommandsOptions {
  state: StateStore;
  logger: Logger;
  mutes: MuteStore;
  /** Tests shorten discord.js's reconnect throttle. */
  fastReconnect?: boolean;
  /** The absolute workspace (control's relative paths resolve against it); default the rules' workspace resolved against the working directory. */
  workspace?: string;
  /** Tests: a finder instead of /proc over the process source's match:, and a shorter follow-up window. */
  finder?: ProcessFinder;
  interactionWindowMs?: number;
}

/** The process source's classes (class → script), the same match control acts on. */
function processClasses(config: RulesFile): Array<[string, string]> {
  const source = config.sources.find((s) => s.type === 'process');
  return source?.type === 'process' ? Object.entries(source.match) : [];
}

/** The process source's only_workspace: control acts on the processes the source counts. */
function onlyWorkspace(config: RulesFile): boolean {
  const source = config.sources.find((s) => s.type === 'process');
  return source?.type === 'process' ? source.only_workspace : true;
}

export class Commands {
  private bot: DiscordBot | null = null;
  private botKey: string | null = null;
  private config: RulesFile;
  private rateLimitHits = 0;
  private controller: Controller | null = null;
  /** Controllers a rules edit replaced, still finishing an action (closed at shutdown if not by then). */
  private readonly retired = new Set<Controller>();
  private classesKey = '';
  private workspace: string;
  readonly runtime: RuntimeInfo;

  constructor(
    private readonly options: CommandsOptions,
    config: RulesFile,
  ) {
    this.config = config;
    this.workspace = options.workspace ?? path.resolve(config.workspace);
    this.runtime = { version: ownVersion(), startedAt: Date.now(), rateLimitHits: () => this.rateLimitHits };
  }

  /** Starts (or keeps, or stops) the bot for these rules. Never waits on Discord. */
  async apply(config: RulesFile, workspace?: string): Promise<void> {
    this.config = config;
    if (workspace) this.workspace = workspace;
    this.followControlConfig(config);
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
    const audit = new AuditLog(state);
    const control = new ControlActions({
      controller: () => this.controlFor(this.config),
      pending: new PendingActionStore(state),
      audit,
      logger,
      config: () => this.config.commands,
      confirmMs: () => this.config.commands.confirm_timeout,
    });
    const dispatcher = new CommandDispatcher({
      registry,
      audit,
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
        control,
        audit,
      }),
    });
    // Loaded only when a bot is configured: discord.js is most of a console-only barista's memory otherwise.
    const { DiscordBot } = await import('../discord/bot/DiscordBot');
    this.bot = new DiscordBot({
      token,
      apiBase: setup.apiBase,
      config: () => this.config.commands,
      dispatcher,
      registry,
      suggest: (kind, typed) => suggestNames(this.namesFor(kind, readModel()), typed),
      buttons: buttonRouter(control, new AlertButtons({ control, mutes, audit, config: () => this.config.commands }), () => this.config.commands.rate),
      ...(this.options.interactionWindowMs !== undefined ? { interactionWindowMs: this.options.interactionWindowMs } : {}),
      state,
      logger,
      onRateLimited: () => {
        this.rateLimitHits += 1;
      },
      ...(this.options.fastReconnect ? { fastReconnect: true } : {}),
    });
    this.bot.start();
  }

  private namesFor(kind: AutocompleteKind, read: ReadModel): string[] {
    switch (kind) {
      case 'trader':
        return read.traderNames();
      case 'study':
        return read.studyNames();
      case 'controlled':
        return this.controller?.traderNames() ?? [];
      case 'worker': {
        const workers = this.controller?.workers() ?? [];
        return ['all', ...new Set(workers.map((w) => w.study).filter((s): s is string => s !== null)), ...workers.map((w) => String(w.pid))];
      }
    }
  }

  /**
   * The one Controller, built from rules.control, the workspace and a finder over the process
   * source's match:. A rules edit updates it (a changed match: builds a new finder); actions
   * already running carry on.
   */
  private controlFor(config: RulesFile): Controller {
    if (!this.controller) this.followControlConfig(config);
    return this.controller!;
  }

  private followControlConfig(config: RulesFile): void {
    const classes = processClasses(config);
    const only = onlyWorkspace(config);
    const key = JSON.stringify([classes, only, this.workspace]);
    if (this.controller && key === this.classesKey) {
      this.controller.updateConfig(config.control, this.workspace);
      return;
    }
    // The old one finishes what it runs (its outcomes still arrive), then closes.
    this.retire(this.controller);
    this.classesKey = key;
    const heartbeatOf = (trader: string) => {
      const next = this.readModel(this.config).heartbeat(trader)?.value.next_poll_scheduled;
      const ms = next ? Date.parse(next) : NaN;
      return Number.isFinite(ms) ? ms : null;
    };
    this.controller = new Controller({
      control: config.control,
      workspace: this.workspace,
      finder: this.options.finder ?? procFinder({ classes, ...(only ? { workspace: this.workspace } : {}) }),
      nextPollDue: heartbeatOf,
      envFileDir: path.dirname(this.options.state.info.path),
    });
  }

  private readModel(config: RulesFile): ReadModel {
    const heartbeats = config.sources.find((s) => s.type === 'json' && s.role === 'heartbeat');
    const staleGraceMs = heartbeats?.type === 'json' ? heartbeats.stale_grace : undefined;
    return new ReadModel(this.options.state, Date.now, { logger: this.options.logger, sources: config.sources.map(sourceIdentity), ...(staleGraceMs !== undefined ? { staleGraceMs } : {}) });
  }

  async stop(): Promise<void> {
    await this.stopBot();
    this.botKey = null;
    this.controller?.close();
    this.controller = null;
    for (const old of this.retired) old.close();
    this.retired.clear();
  }

  private retire(old: Controller | null): void {
    if (!old) return;
    old.retire();
    if (!old.closed) this.retired.add(old);
    for (const done of [...this.retired].filter((c) => c.closed)) this.retired.delete(done);
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
