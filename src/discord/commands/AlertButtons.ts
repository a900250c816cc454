/**
 * The buttons on alerts (render/alertButtons.ts): "Mute 1 h" for users who may mute, "Restart
 * trader" for control users — the restart is planned and put to the presser as the same
 * confirmation `/trader restart` gives. The custom_id is untrusted: it only says what is asked,
 * the presser's rights decide, and the mute matcher and trader name are checked like typed ones.
 * Every press is an audit row.
 */
import type { CommandsConfig } from '../../config/schema';
import type { AuditLog } from '../../state/AuditLog';
import { checkMuteMatcher, type MuteStore } from '../../state/MuteStore';
import { MUTE_BUTTON_MS, MUTE_CUSTOM_ID, RESTART_CUSTOM_ID } from '../render/alertButtons';
import { renderNote } from '../render/commandReplies';
import { codeText } from '../render/sanitizeText';
import type { ButtonAnswer, ButtonPress, ControlActions } from './ControlActions';
import { PRECONDITIONS } from './preconditions';

export interface AlertButtonsOptions {
  control: ControlActions;
  mutes: MuteStore;
  audit: AuditLog;
  config: () => CommandsConfig;
  now?: () => number;
}

export class AlertButtons {
  private readonly now: () => number;

  constructor(private readonly options: AlertButtonsOptions) {
    this.now = options.now ?? Date.now;
  }

  /** Null when the custom_id is not an alert button's. */
  press(press: ButtonPress): ButtonAnswer | null {
    const mute = MUTE_CUSTOM_ID.exec(press.customId);
    if (mute) return this.mute(press, mute[1], mute[2]);
    const restart = RESTART_CUSTOM_ID.exec(press.customId);
    if (restart) return this.restart(press, restart[1]);
    return null;
  }

  private mute(press: ButtonPress, type: string, subject: string): ButtonAnswer {
    const { control, mutes, config } = this.options;
    const access = PRECONDITIONS.canMute({ caller: press.caller, place: press.place, config: config() });
    if (!access.allowed) return control.refuse(press, 'mute', null, access.reason);
    const matcher = subject ? { type, subject } : { type };
    try {
      checkMuteMatcher(matcher);
    } catch (error) {
      return control.refuse(press, 'mute', null, (error as Error).message);
    }
    const added = mutes.add({ matcher, expiresAt: this.now() + MUTE_BUTTON_MS, reason: 'alert button', createdBy: press.caller.username });
    control.record(press, 'mute', 'allowed', `mute #${added.id} on ${JSON.stringify(matcher)} for 1h`);
    const what = `\`${codeText(type)}\`${subject ? ` on \`${codeText(subject)}\`` : ''}`;
    return { kind: 'reply', reply: { message: renderNote(`🔇 Mute #${added.id} by ${codeText(press.caller.username)}: ${what} for 1 h, until <t:${Math.floor(added.expiresAt / 1000)}:f>. \`/unmute ${added.id}\` lifts it.`) } };
  }

  private restart(press: ButtonPress, trader: string): ButtonAnswer {
    const { control, audit, config } = this.options;
    const access = PRECONDITIONS.canControl({ caller: press.caller, place: press.place, config: config() });
    if (!access.allowed) return control.refuse(press, 'trader restart', null, access.reason);
    const rowId = control.record(press, 'trader restart', 'allowed', null);
    const reply = control.offer({ caller: press.caller, place: press.place, auditId: rowId }, 'trader restart', control.controller.planRestart(trader), '/trader restart [trader]');
    if (rowId !== null && reply.auditOutcome) audit.settle(rowId, reply.auditOutcome);
    // Only the presser sees the question; its buttons work for them alone.
    return { kind: 'reply', reply: { ...reply, ephemeral: true } };
  }
}
