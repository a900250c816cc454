import { formatDuration } from '../../../config/duration';
import type { MuteMatcher } from '../../../model/mute';
import { checkMuteMatcher } from '../../../state/MuteStore';
import { renderNote, renderUsage } from '../../render/commandReplies';
import { codeText } from '../../render/sanitizeText';
import { defineCommand } from '../CommandDefinition';
import { duration, string, usageOf } from '../options';

const MAX_MUTE_MS = 30 * 86_400_000;

/**
 * `type=trade.* subject=trial250` or a bare event type glob (`trade.*`): the same keys as a
 * route's match in rules.yaml.
 */
export function parseMuteMatch(text: string): { ok: true; matcher: MuteMatcher } | { ok: false; problem: string } {
  const matcher: Record<string, string> = {};
  for (const word of text.trim().split(/\s+/).filter(Boolean)) {
    const eq = word.indexOf('=');
    const [key, value] = eq < 0 ? ['type', word] : [word.slice(0, eq), word.slice(eq + 1)];
    if (key in matcher) return { ok: false, problem: `match names ${key} twice` };
    matcher[key] = value;
  }
  if (!Object.keys(matcher).length) return { ok: false, problem: 'match is empty (e.g. trade.* or subject=trial250)' };
  try {
    checkMuteMatcher(matcher);
  } catch (error) {
    return { ok: false, problem: (error as Error).message };
  }
  return { ok: true, matcher };
}

const MUTE_OPTIONS = [
  string('match', 'e.g. trade.* or "type=risk.* subject=trial250"', { required: true, maxLength: 200 }),
  duration('for', 'how long, e.g. 30m, 4h, 1d (at most 30d)', { required: true, max: MAX_MUTE_MS }),
  string('reason', 'why (shown in /mutes)', { maxLength: 200, rest: true }),
] as const;

export const mute = defineCommand({
  path: ['mute'],
  description: 'Silence notifications matching type/severity/source/subject for a while',
  options: MUTE_OPTIONS,
  access: 'canMute',
  run: ({ mutes, caller, now, prefix }, args) => {
    const parsed = parseMuteMatch(args.match);
    // The usage line in the caller's own form: `!mute …` answers `!mute …`.
    if (!parsed.ok) return { message: renderUsage(usageOf(['mute'], MUTE_OPTIONS, prefix), parsed.problem), ephemeral: true };
    const added = mutes.add({ matcher: parsed.matcher, expiresAt: now() + args.for, reason: args.reason ?? null, createdBy: caller.username });
    const until = Math.floor(added.expiresAt / 1000);
    return { message: renderNote(`🔇 Mute #${added.id} on \`${codeText(args.match.slice(0, 200))}\` for ${formatDuration(args.for)}, until <t:${until}:f>.`) };
  },
});
