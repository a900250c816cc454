/**
 * Which handler a button press goes to: control confirmations (`ctl:`), alert buttons (`mute:`,
 * `restart:`); anything else is refused (and audited) by control as not barista's. Presses are
 * rate limited per user like commands (commands.rate): one over the limit is told once (and
 * audited), then ignored until a token is back, so hammering a button costs nothing.
 */
import type { CommandsConfig } from '../../config/schema';
import { renderSlowDown } from '../render/commandReplies';
import type { PostedMessage } from '../../state/PendingActionStore';
import type { CommandReply } from './CommandDefinition';
import type { AlertButtons } from './AlertButtons';
import type { ButtonAnswer, ButtonPress, ControlActions } from './ControlActions';
import { ConfiguredRateLimit, rateLimited } from './userRateLimit';

/** What the bot needs for buttons: presses, expiry, and where each question was posted. */
export interface BotButtons {
  press(press: ButtonPress): ButtonAnswer;
  expire(id: string): CommandReply | null;
  /** The question of pending action `id` is this message (the bot can edit it later). */
  posted(id: string, where: PostedMessage): void;
  /** Questions a previous run left open, now expired: their buttons are disabled once connected. */
  leftovers(): Array<{ where: PostedMessage; reply: CommandReply }>;
}

export function buttonRouter(control: ControlActions, alerts: AlertButtons, rate: () => CommandsConfig['rate'], now: () => number = Date.now): BotButtons {
  const limit = new ConfiguredRateLimit(rate, now);
  return {
    press: (press): ButtonAnswer => {
      const allowed = limit.take(press.caller.userId);
      if (!allowed.allowed) {
        if (!allowed.tell) return { kind: 'ignore' };
        control.record(press, 'button', 'denied', rateLimited(allowed.retryAfterMs));
        return { kind: 'tell', reply: { message: renderSlowDown(allowed.retryAfterMs), ephemeral: true } };
      }
      return press.customId.startsWith('ctl:') ? control.press(press) : (alerts.press(press) ?? control.press(press));
    },
    expire: (id) => control.expire(id),
    posted: (id, where) => control.posted(id, where),
    leftovers: () => control.leftovers(),
  };
}
