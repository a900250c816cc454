/** A name that matches nothing: say so, and list the names that exist. */
import type { UnknownNameAnswer } from '../../../readModel/answers';
import type { DiscordMessage } from '../../DiscordMessage';
import { traderName } from '../eventStyle';
import { fitOneMessage, inlineCode, safeName, WARN_COLOR } from './answerParts';

/** Names listed before "… and N more". */
const MAX_KNOWN = 30;

export function renderUnknownName(answer: UnknownNameAnswer): DiscordMessage {
  const known = answer.known.map((name) => (answer.what === 'trader' ? traderName(name) : name));
  const list = known.slice(0, MAX_KNOWN).map((name) => safeName(name, 60)).join(', ') + (known.length > MAX_KNOWN ? ` … and ${known.length - MAX_KNOWN} more` : '');
  return fitOneMessage({
    embeds: [
      {
        description: `No ${answer.what} named ${inlineCode(answer.asked, 80)}. ${known.length === 0 ? `No ${answer.what} is known yet.` : `Known: ${list}`}`,
        color: WARN_COLOR,
      },
    ],
  });
}
