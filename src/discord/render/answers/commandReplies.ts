/**
 * The replies the command framework gives besides answers: bad arguments (the usage line),
 * refused, an internal error (a reference, never the error's text), an unknown command, help.
 */
import type { DiscordMessage } from '../../DiscordMessage';
import { COLORS } from '../eventStyle';
import { fitOneMessage, inlineCode, linesWithin, safeName, WARN_COLOR } from './answerParts';

export interface HelpEntry {
  name: string;
  usage: string;
  description: string;
}

/** Bad arguments: what was wrong, and how the command is used. */
export function renderUsage(command: string, usage: string, problem: string): DiscordMessage {
  return fitOneMessage({
    embeds: [{ title: `❔ ${safeName(command, 60)}: ${safeName(problem, 180)}`, description: `Usage: ${inlineCode(usage, 200)}`, color: WARN_COLOR }],
  });
}

/** The requester may not do this (the reason says which permission is missing). */
export function renderDenied(reason: string): DiscordMessage {
  return fitOneMessage({ embeds: [{ title: '⛔ Not allowed', description: safeName(reason, 300), color: COLORS.bad }] });
}

/** Something failed inside barista: a reference to find it in the log, nothing more (no internals in chat). */
export function renderInternalError(ref: string): DiscordMessage {
  return fitOneMessage({ embeds: [{ title: '❌ Something went wrong', description: `Something went wrong (ref ${inlineCode(ref, 40)}). The details are in barista's log.`, color: COLORS.bad }] });
}

/** A command barista does not have: point to help. */
export function renderUnknownCommand(name: string, helpCommand = '/help'): DiscordMessage {
  return fitOneMessage({ embeds: [{ description: `Unknown command ${inlineCode(name, 60)}. ${inlineCode(helpCommand, 20)} lists the commands.`, color: WARN_COLOR }] });
}

/** Every command: its usage in code, then what it does. */
export function renderHelp(entries: ReadonlyArray<HelpEntry>): DiscordMessage {
  const lines = entries.map((entry) => `${inlineCode(entry.usage.trim() === '' ? entry.name : entry.usage, 80)} — ${safeName(entry.description, 200)}`);
  return fitOneMessage({
    embeds: [{ title: '☕ barista commands', description: entries.length === 0 ? 'No command is enabled.' : linesWithin(lines, 4000, 40, 'commands'), color: COLORS.portfolio }],
  });
}
