/** Nothing to answer from yet: what is missing, and what the user can do about it. */
import type { NothingYetAnswer } from '../../../readModel/answers';
import type { DiscordMessage } from '../../DiscordMessage';
import { COLORS, ownValue } from '../eventStyle';
import { markdownText } from '../sanitizeText';
import { fitOneMessage } from './answerParts';

const MISSING: Record<NothingYetAnswer['what'], string> = {
  trader: 'barista has not seen a trader yet',
  study: 'barista has not read an Optuna study yet',
  trade: 'no trade has been recorded yet',
  equity: 'no portfolio value has been recorded yet',
  trial: 'no trial has finished yet',
};

export function renderNothingYet(answer: NothingYetAnswer): DiscordMessage {
  const missing = ownValue(MISSING, answer.what) ?? 'there is nothing to show yet';
  const hint = answer.hint.trim() === '' ? '' : `\n${markdownText(answer.hint)}`;
  return fitOneMessage({ embeds: [{ title: '🫙 Nothing to show yet', description: `${missing[0].toUpperCase()}${missing.slice(1)}.${hint}`, color: COLORS.neutral }] });
}
