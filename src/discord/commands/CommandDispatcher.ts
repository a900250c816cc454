/**
 * From a neutral Invocation to a reply: rate limit, find the command, check who may run it,
 * parse the arguments, then run it. Denials are audited; an internal error is logged with a
 * reference and the user sees only the reference. Knows nothing of discord.js.
 */
import { randomBytes } from 'node:crypto';
import type { CommandsConfig } from '../../config/schema';
import type { Logger } from '../../logging/logger';
import type { AuditLog } from '../../state/AuditLog';
import { renderDenied, renderInternalError, renderSlowDown, renderUnknownCommand, renderUsage } from '../render/commandReplies';
import { commandName, type CommandContext, type CommandDefinition, type CommandReply } from './CommandDefinition';
import type { CommandRegistry } from './CommandRegistry';
import { describePlace, type Invocation } from './Invocation';
import { parseArgs, usageOf } from './options';
import { PRECONDITIONS } from './preconditions';
import { ConfiguredRateLimit, rateLimited } from './userRateLimit';

/** The dispatcher's verdict before anything runs: answer now, run (maybe deferred), or say nothing. */
export type Prepared =
  | { kind: 'ignore'; why: string }
  | { kind: 'reply'; reply: CommandReply }
  | { kind: 'run'; command: CommandDefinition; slow: boolean; run: () => Promise<CommandReply> };

export interface DispatcherOptions {
  registry: CommandRegistry;
  audit: AuditLog;
  logger: Logger;
  config: () => CommandsConfig;
  /** Builds the services a command may use for one invocation. */
  context: (invocation: Invocation, visible: () => readonly CommandDefinition[]) => CommandContext;
  now?: () => number;
}

export class CommandDispatcher {
  private readonly now: () => number;
  private readonly rateLimit: ConfiguredRateLimit;

  constructor(private readonly options: DispatcherOptions) {
    this.now = options.now ?? Date.now;
    // A rules edit may change the rate: new buckets only when it did.
    this.rateLimit = new ConfiguredRateLimit(() => options.config().rate, this.now);
  }

  prepare(invocation: Invocation): Prepared {
    const config = this.options.config();
    const prefix = invocation.transport === 'slash' ? '/' : config.prefix;
    const rate = this.rateLimit.take(invocation.caller.userId);
    if (!rate.allowed) {
      // Audited once per flood (when told), not once per message of it.
      if (!rate.tell) return { kind: 'ignore', why: 'rate limited' };
      this.audit(invocation, invocation.path.join(' ').slice(0, 60), 'denied', rateLimited(rate.retryAfterMs));
      return { kind: 'reply', reply: { message: renderSlowDown(rate.retryAfterMs), ephemeral: true } };
    }
    const found = this.options.registry.resolve(invocation);
    if (!found) return { kind: 'reply', reply: { message: renderUnknownCommand(invocation.path.join(' '), prefix), ephemeral: true } };
    const { command, args } = found;
    const name = commandName(command);
    const decision = PRECONDITIONS[command.access]({ caller: invocation.caller, place: invocation.place, config });
    if (!decision.allowed) {
      this.audit(invocation, name, 'denied', decision.reason);
      return decision.silent ? { kind: 'ignore', why: decision.reason } : { kind: 'reply', reply: { message: renderDenied(decision.reason), ephemeral: true } };
    }
    const parsed = parseArgs(command.options, args);
    if (!parsed.ok) return { kind: 'reply', reply: { message: renderUsage(usageOf(command.path, command.options, prefix), parsed.problem), ephemeral: true } };
    const auditId = command.access === 'canRead' ? null : this.audit(invocation, name, 'allowed', null);
    const context = { ...this.options.context(invocation, () => this.visibleTo(invocation)), auditId };
    return {
      kind: 'run',
      command,
      slow: command.slow === true,
      run: async () => {
        try {
          const reply = await command.run(context, parsed.args as never);
          if (auditId !== null) this.options.audit.settle(auditId, reply.auditOutcome ?? 'answered');
          return reply;
        } catch (error) {
          const ref = randomBytes(4).toString('hex');
          this.options.logger.error({ err: error, ref, command: name, user: invocation.caller.userId }, `command ${name} failed (ref ${ref})`);
          if (auditId !== null) this.options.audit.settle(auditId, `failed (ref ${ref})`);
          return { message: renderInternalError(ref), ephemeral: true };
        }
      },
    };
  }

  /** The commands this caller may run here, for /help. */
  visibleTo(invocation: Pick<Invocation, 'caller' | 'place'>): readonly CommandDefinition[] {
    const config = this.options.config();
    return this.options.registry.all.filter((command) => PRECONDITIONS[command.access]({ caller: invocation.caller, place: invocation.place, config }).allowed);
  }

  private audit(invocation: Invocation, command: string, decision: 'allowed' | 'denied', outcome: string | null): number | null {
    try {
      const args = invocation.args.kind === 'named' ? JSON.stringify(invocation.args.values) : JSON.stringify(invocation.args.words);
      return this.options.audit.record({
        at: this.now(),
        userId: invocation.caller.userId,
        userTag: invocation.caller.username,
        command,
        args: args.length > 2000 ? `${args.slice(0, 2000)}…` : args,
        place: describePlace(invocation.place),
        decision,
        outcome,
      });
    } catch (error) {
      // The audit is a record, not a gate: a failing write is logged and the answer still goes.
      this.options.logger.error({ err: error, command }, 'could not write the audit row');
      return null;
    }
  }
}
