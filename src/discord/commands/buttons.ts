/**
 * Which handler a button press goes to: control confirmations (`ctl:`), alert buttons (`mute:`,
 * `restart:`); anything else is refused (and audited) by control as not barista's.
 */
import type { AlertButtons } from './AlertButtons';
import type { CommandReply } from './CommandDefinition';
import type { ButtonAnswer, ButtonPress, ControlActions } from './ControlActions';

export function buttonRouter(control: ControlActions, alerts: AlertButtons): { press(press: ButtonPress): ButtonAnswer; expire(id: string): CommandReply | null } {
  return {
    press: (press) => (press.customId.startsWith('ctl:') ? control.press(press) : (alerts.press(press) ?? control.press(press))),
    expire: (id) => control.expire(id),
  };
}
