/**
 * The command framework's own short answers: unknown command, usage, denied, slow down,
 * internal error, help. Short, never pinging, with user-typed text neutralised.
 */
import type { DiscordMessage } from '../DiscordMessage';
import { cutText } from './discordLimits';
import { codeText, markdownText } from './sanitizeText';

const AMBER = 0xf1c40f;
const RED = 0xe74c3c;
const BLUE = 0x3498db;

function notice(description: string, color: number, title?: string): DiscordMessage {
  return { embeds: [{ ...(title ? { title } : {}), description: cutText(description, 4000), color }], allowed_mentions: { parse: [] } };
}

/** Shown as inline code, cut short: a 10 KB or @everyone "command" comes back harmless. */
const typed = (text: string) => `\`${codeText(cutText(text.replace(/\s+/g, ' '), 60))}\``;

export function renderUnknownCommand(name: string, prefix: string): DiscordMessage {
  return notice(`Unknown command ${typed(`${prefix}${name}`)}. Try \`/help\` (or \`${codeText(prefix)}help\`).`, AMBER);
}

export function renderUsage(usage: string, problem: string): DiscordMessage {
  // The problem may quote what the user typed (`unknown option "…"`): shown as written, never as markdown.
  return notice(`${markdownText(cutText(problem, 300))}.\nUsage: \`${codeText(usage)}\``, AMBER);
}

export function renderDenied(reason: string): DiscordMessage {
  return notice(`⛔ Not allowed: ${reason}.`, RED);
}

export function renderSlowDown(retryAfterMs: number): DiscordMessage {
  return notice(`🐢 Too many commands at once; try again in ${Math.max(1, Math.ceil(retryAfterMs / 1000))} s.`, AMBER);
}

export function renderInternalError(ref: string): DiscordMessage {
  return notice(`Something went wrong (ref \`${codeText(ref)}\`). The details are in barista's log.`, RED);
}

export interface HelpEntry {
  usage: string;
  description: string;
}

export function renderHelp(entries: readonly HelpEntry[], prefix: string): DiscordMessage {
  const lines = entries.map((e) => `\`${codeText(e.usage)}\` — ${e.description}`);
  const footer = `The same commands work as \`${codeText(prefix)}name\` messages.`;
  return notice(lines.length ? `${lines.join('\n')}\n\n${footer}` : 'There is no command you may use here.', BLUE, '☕ barista commands');
}

export function renderNote(text: string): DiscordMessage {
  return notice(text, BLUE);
}
