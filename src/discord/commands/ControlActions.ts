/**
 * Control between a command and the process: a plan becomes a pending action in state and a
 * question with Confirm / Cancel; a button press (in its neutral form, no discord.js here) is
 * checked against that stored action — shape of the custom_id, the action exists, the presser is
 * its requester and still allowed, it is still pending and not expired — and only then claimed
 * (one atomic UPDATE) and executed. Every press, whatever came of it, is an audit row; the
 * command's own row is settled with what finally happened.
 */
import type { CommandsConfig } from '../../config/schema';
import type { Controller, Outcome, Plan, Refusal } from '../../control';
import type { Logger } from '../../logging/logger';
import type { AuditLog } from '../../state/AuditLog';
import type { PendingAction, PendingActionStore, PostedMessage } from '../../state/PendingActionStore';
import { renderUsage } from '../render/commandReplies';
import { confirmedText, CONTROL_CUSTOM_ID, outcomeText, renderButtonRefused, renderConfirm, renderOutcome, renderPick, renderExpired, renderRefusal, renderSettled } from '../render/controlReplies';
import type { CommandContext, CommandReply } from './CommandDefinition';
import { describePlace, type Caller, type Place } from './Invocation';
import { PRECONDITIONS } from './preconditions';

/** What control needs of the Controller (tests may stand in). */
export type ControlPort = Pick<Controller, 'planStart' | 'planStop' | 'planRestart' | 'planWorkers' | 'execute' | 'traderNames' | 'workers'>;

/** A button press as barista sees it, whichever client sent it. */
export interface ButtonPress {
  customId: string;
  caller: Caller;
  place: Place;
  /** Epoch ms the press was made at Discord. */
  createdAt: number;
}

/** What to do with a press: tell the presser only, or update the message (and later post the outcome). */
export type ButtonAnswer =
  | { kind: 'tell'; reply: CommandReply }
  /** A new message in answer to the press (e.g. an alert's restart question, with its own buttons). */
  | { kind: 'reply'; reply: CommandReply }
  | { kind: 'update'; reply: CommandReply; later?: Promise<CommandReply> }
  /** No answer at all (a user over the rate limit, already told once). */
  | { kind: 'ignore' };

/** Who asks, where, and their audit row: a command's context, or an alert button's press. */
export type Asker = Pick<CommandContext, 'caller' | 'place' | 'auditId'>;

export interface ControlActionsOptions {
  /** The current Controller (a rules edit may replace it). */
  controller: () => ControlPort;
  pending: PendingActionStore;
  audit: AuditLog;
  logger: Logger;
  config: () => CommandsConfig;
  /** How long a confirmation stays answerable (commands.confirm_timeout). */
  confirmMs: () => number;
  now?: () => number;
}

/** What a pick action remembers: which action on which trader, among which pids. */
interface PickPlan {
  action: 'stop' | 'restart';
  trader: string;
  pids: number[];
}

export class ControlActions {
  private readonly now: () => number;

  constructor(private readonly options: ControlActionsOptions) {
    this.now = options.now ?? Date.now;
  }

  get controller(): ControlPort {
    return this.options.controller();
  }

  /**
   * The answer to a control command: a question with buttons for a plan, a pick for several
   * processes, the usage line for a name that is not one, or why not.
   */
  offer(context: Asker, command: string, planned: Plan | Refusal, usage: string): CommandReply {
    if (planned.refused) {
      if (planned.code === 'ambiguous' && planned.trader && planned.candidates?.length && (planned.action === 'stop' || planned.action === 'restart')) {
        const pick: PickPlan = { action: planned.action, trader: planned.trader, pids: planned.candidates.map((c) => c.pid) };
        const pending = this.create(context, command, 'pick', pick);
        return { message: renderPick(command, planned, pending.id, pending.expiresAt, context.caller.username), pending: { id: pending.id, expiresAt: pending.expiresAt }, auditOutcome: `asked which pid (${pick.pids.join(', ')})` };
      }
      if (planned.code === 'invalid name') return { message: renderUsage(usage, planned.reason), ephemeral: true, auditOutcome: `refused: ${planned.reason}` };
      return { message: renderRefusal(planned), auditOutcome: `refused: ${planned.reason}` };
    }
    const pending = this.create(context, command, 'confirm', planned);
    return {
      message: renderConfirm(command, planned, pending.id, pending.expiresAt, context.caller.username),
      pending: { id: pending.id, expiresAt: pending.expiresAt },
      auditOutcome: `asked to confirm: ${planned.text}`,
    };
  }

  private create(context: Asker, command: string, kind: 'confirm' | 'pick', plan: unknown): PendingAction {
    return this.options.pending.create({
      kind,
      command,
      plan,
      userId: context.caller.userId,
      userTag: context.caller.username,
      place: describePlace(context.place),
      auditId: context.auditId ?? null,
      expiresAt: this.now() + this.options.confirmMs(),
    });
  }

  /** A button press: only the stored action's requester, still allowed, still pending, in time. */
  press(press: ButtonPress): ButtonAnswer {
    const match = CONTROL_CUSTOM_ID.exec(press.customId);
    if (!match) return this.refuse(press, 'button', null, 'that button is not one barista made');
    const [, id, verb, pidText] = match as unknown as [string, string, string, string | undefined];
    const action = this.options.pending.get(id);
    if (!action) return this.refuse(press, 'button', null, 'that action is unknown (a forged or forgotten button)');
    if (action.userId !== press.caller.userId) return this.refuse(press, action.command, action, `only ${action.userTag || 'the user who asked'} can answer this`);
    const access = PRECONDITIONS.canControl({ caller: press.caller, place: press.place, config: this.options.config() });
    if (!access.allowed) return this.refuse(press, action.command, action, access.reason);
    if (action.status !== 'pending') return this.refuse(press, action.command, action, `this was already ${action.status}`);
    if (action.expiresAt <= this.now()) {
      this.expire(action.id);
      return this.refuse(press, action.command, action, 'this confirmation expired; ask again');
    }
    if (verb === 'no') {
      if (!this.options.pending.claim(id, 'cancelled', press.caller.userId)) return this.refuse(press, action.command, action, 'this was already answered');
      this.record(press, action.command, 'allowed', 'cancelled');
      this.settleCommand(action, 'cancelled');
      return { kind: 'update', reply: { message: renderSettled(`Cancelled: ${action.command}`, `Cancelled by ${press.caller.username}; nothing was done.`, 'off') } };
    }
    if (verb.startsWith('pid')) return this.pick(press, action, Number(pidText));
    if (action.kind !== 'confirm') return this.refuse(press, action.command, action, 'that button does not belong to this question');
    if (!this.options.pending.claim(id, 'confirmed', press.caller.userId)) return this.refuse(press, action.command, action, 'this was already answered');
    const plan = action.plan as Plan;
    const rowId = this.record(press, action.command, 'allowed', 'confirmed; running');
    this.settleCommand(action, 'confirmed; running');
    const later = this.run(action, plan, rowId);
    return { kind: 'update', reply: { message: renderSettled(`Confirmed: ${action.command}`, confirmedText(plan, press.caller.username), 'wait') }, later };
  }

  /** The pid picked among several: claimed, planned again for that pid, then asked to confirm. */
  private pick(press: ButtonPress, action: PendingAction, pid: number): ButtonAnswer {
    const pick = action.plan as PickPlan;
    if (action.kind !== 'pick' || !pick.pids.includes(pid)) return this.refuse(press, action.command, action, 'that pid was not offered');
    if (!this.options.pending.claim(action.id, 'picked', press.caller.userId)) return this.refuse(press, action.command, action, 'this was already answered');
    this.record(press, action.command, 'allowed', `picked pid ${pid}`);
    const planned = pick.action === 'stop' ? this.controller.planStop(pick.trader, pid) : this.controller.planRestart(pick.trader, pid);
    if (planned.refused) {
      this.settleCommand(action, `refused: ${planned.reason}`);
      return { kind: 'update', reply: { message: renderSettled(`Not done: ${action.command}`, `Not done: ${planned.reason}.`, 'off') } };
    }
    const next = this.options.pending.create({ kind: 'confirm', command: action.command, plan: planned, userId: action.userId, userTag: action.userTag, place: action.place, auditId: action.auditId, expiresAt: this.now() + this.options.confirmMs() });
    this.settleCommand(action, `asked to confirm: ${planned.text}`);
    return { kind: 'update', reply: { message: renderConfirm(action.command, planned, next.id, next.expiresAt, action.userTag), pending: { id: next.id, expiresAt: next.expiresAt } } };
  }

  private async run(action: PendingAction, plan: Plan, rowId: number | null): Promise<CommandReply> {
    let outcome: Outcome;
    try {
      outcome = await this.controller.execute(plan);
    } catch (error) {
      this.options.logger.error({ err: error, command: action.command }, 'control action failed');
      outcome = { refused: true, action: plan.action, code: 'busy', reason: 'barista could not carry it out (see its log)' };
    }
    const { audit } = outcomeText(outcome);
    this.safely(() => {
      if (rowId !== null) this.options.audit.settle(rowId, `confirmed; ${audit}`);
    });
    this.settleCommand(action, `confirmed; ${audit}`);
    return { message: renderOutcome(action.command, outcome) };
  }

  /**
   * The expiry of one pending action: the message without working buttons, or null when it was
   * answered first (or is not due yet).
   */
  expire(id: string): CommandReply | null {
    if (!this.options.pending.expire(id)) return null;
    const action = this.options.pending.get(id);
    if (action) this.settleCommand(action, 'expired unanswered');
    return expiredReply(action, id, 'Nobody answered in time; nothing was done. Ask again if it is still wanted.');
  }

  /** Where the question of pending action `id` was posted (so a later run can take its buttons off). */
  posted(id: string, where: PostedMessage): void {
    this.options.pending.posted(id, where);
  }

  /**
   * At start-up: every action a previous run left pending is expired (its timers and
   * interaction died with that run) and audited so; the messages of those whose question the
   * bot can edit are returned, with what they should now say.
   */
  leftovers(): Array<{ where: PostedMessage; reply: CommandReply }> {
    return (
      this.safely(() => {
        const expired = this.options.pending.expireAll();
        for (const action of expired) this.settleCommand(action, 'expired unanswered (barista restarted)');
        this.options.pending.prune(7 * 86_400_000);
        return expired.flatMap((action) => (action.message ? [{ where: action.message, reply: expiredReply(action, action.id, 'barista restarted before anyone answered; nothing was done. Ask again if it is still wanted.') }] : []));
      }) ?? []
    );
  }

  refuse(press: ButtonPress, command: string, action: PendingAction | null, reason: string): ButtonAnswer {
    this.record(press, command, 'denied', reason, action);
    return { kind: 'tell', reply: { message: renderButtonRefused(reason), ephemeral: true } };
  }

  record(press: ButtonPress, command: string, decision: 'allowed' | 'denied', outcome: string | null, action?: PendingAction | null): number | null {
    return this.safely(() =>
      this.options.audit.record({
        at: this.now(),
        userId: press.caller.userId,
        userTag: press.caller.username,
        command: command === 'button' ? command : `${command} (button)`,
        args: JSON.stringify({ button: press.customId.slice(0, 120), ...(action ? { requester: action.userTag } : {}) }),
        place: describePlace(press.place),
        decision,
        outcome,
      }),
    );
  }

  private settleCommand(action: PendingAction, outcome: string): void {
    this.safely(() => {
      if (action.auditId !== null) this.options.audit.settle(action.auditId, outcome);
    });
  }

  /** The audit is a record, not a gate: a failing write is logged. */
  private safely<T>(write: () => T): T | null {
    try {
      return write();
    } catch (error) {
      this.options.logger.error({ err: error }, 'could not write the audit row');
      return null;
    }
  }
}

function expiredReply(action: PendingAction | undefined, id: string, text: string): CommandReply {
  return { message: renderExpired(action?.command ?? 'control', id, action?.kind ?? 'confirm', text) };
}
