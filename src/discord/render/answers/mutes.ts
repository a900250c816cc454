/** 🔇 /mutes: each active mute — its id, what it silences, until when, why and who set it. */
import type { MutesAnswer, MuteView } from '../../../readModel/answers';
import type { DiscordMessage } from '../../DiscordMessage';
import { COLORS } from '../eventStyle';
import { fitOneMessage, inlineCode, linesWithin, relativeTime, safeName, timestampOf } from './answerParts';

const MATCH_KEYS = ['type', 'severity', 'source', 'subject'] as const;

/** `type` trade.* · `subject` trial250|trial100 — or "everything". */
export function matchText(match: MuteView['match']): string {
  const parts: string[] = [];
  for (const key of MATCH_KEYS) {
    const value = match[key];
    if (value === undefined) continue;
    const values = typeof value === 'string' ? [value] : [...value];
    if (values.length === 0) continue;
    const shown = values.slice(0, 5).join(' | ') + (values.length > 5 ? ` | +${values.length - 5}` : '');
    parts.push(`${key} ${inlineCode(shown, 80)}`);
  }
  return parts.length === 0 ? 'everything' : parts.join(' · ');
}

/** **#12** type `trade.*` · expires in 2 hours · by alice — noisy */
export function muteLine(mute: MuteView): string {
  const parts = [`**#${mute.id}** ${matchText(mute.match)}`, `expires ${relativeTime(mute.expiresAt, 'at an unknown time')}`, mute.createdBy === null ? null : `by ${safeName(mute.createdBy, 40)}`];
  const reason = mute.reason === null || mute.reason.trim() === '' ? '' : ` — ${safeName(mute.reason, 120)}`;
  return parts.filter(Boolean).join(' · ') + reason;
}

export function renderMutes(answer: MutesAnswer): DiscordMessage {
  const mutes = [...answer.mutes].sort((a, b) => a.expiresAt - b.expiresAt);
  return fitOneMessage({
    embeds: [
      {
        title: `🔇 Mutes (${mutes.length})`,
        description: mutes.length === 0 ? 'No mute is active: every notification goes out.' : linesWithin(mutes.map(muteLine), 4000, 30, 'mutes'),
        color: COLORS.neutral,
        ...timestampOf(answer.now),
      },
    ],
  });
}
