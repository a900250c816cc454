/**
 * The message that replaces a backlog of one group (an outage, a stalled destination): one line
 * per held-back message, its time and its title, within Discord's limits. Pure.
 */
import { SUPPRESS_NOTIFICATIONS, type DiscordEmbed, type DiscordMessage } from './DiscordMessage';

/** Discord's limits that matter for a digest (characters). */
const LIMITS = { title: 256, description: 4096, embedsTotal: 6000, embeds: 10 } as const;
/** Room for one held-back message's title: enough to recognise it, small enough for many lines. */
const LINE_TEXT_MAX = 200;
const DIGEST_COLOR = 0x95a5a6;

export interface HeldBackMessage {
  message: DiscordMessage;
  /** When it was enqueued (epoch ms); the message's own embed timestamp wins when it has one. */
  at: number;
}

export interface BacklogDigest {
  message: DiscordMessage;
  /** How many of the leading items it accounts for (all of them unless they overflow one message). */
  count: number;
}

/**
 * Builds one digest message for as many of the leading items as fit in one Discord message
 * (at least one when there are any); the caller collapses that many and leaves the rest.
 */
export function renderBacklogDigest(items: readonly HeldBackMessage[]): BacklogDigest {
  // The title's count is not known before packing: reserve room for the largest possible.
  const reservedTitle = digestTitle(items.length);
  let budget = LIMITS.embedsTotal - reservedTitle.length;
  const descriptions: string[] = [];
  let current = '';
  let count = 0;
  for (const item of items) {
    const line = digestLine(item);
    const addition = current ? line.length + 1 : line.length;
    if (current && current.length + addition <= LIMITS.description && addition <= budget) {
      current += `\n${line}`;
      budget -= addition;
    } else if (line.length <= budget && (current ? descriptions.length + 1 < LIMITS.embeds : true)) {
      if (current) descriptions.push(current);
      current = line;
      budget -= line.length;
    } else break;
    count += 1;
  }
  if (current) descriptions.push(current);

  const embeds: DiscordEmbed[] = descriptions.map((description, index) => ({
    ...(index === 0 ? { title: digestTitle(count) } : {}),
    description,
    color: DIGEST_COLOR,
  }));
  const included = items.slice(0, count);
  const silent = included.length > 0 && included.every((i) => ((i.message.flags ?? 0) & SUPPRESS_NOTIFICATIONS) !== 0);
  return { message: { embeds, ...(silent ? { flags: SUPPRESS_NOTIFICATIONS } : {}), allowed_mentions: { parse: [] } }, count };
}

function digestTitle(count: number): string {
  return `${count} notification${count === 1 ? '' : 's'} held back while Discord was unreachable`;
}

function digestLine(item: HeldBackMessage): string {
  const embed = item.message.embeds[0];
  const stamped = embed?.timestamp ? Date.parse(embed.timestamp) : NaN;
  const at = Number.isFinite(stamped) ? stamped : item.at;
  return `• <t:${Math.floor(at / 1000)}:f> ${cut(summaryOf(item.message), LINE_TEXT_MAX)}`;
}

/** Title of the first embed, else the first line of content or description. */
function summaryOf(message: DiscordMessage): string {
  const candidates = [message.embeds[0]?.title, message.content, message.embeds[0]?.description, ...message.embeds.slice(1).map((e) => e.title ?? e.description)];
  for (const text of candidates) {
    const line = text
      ?.split('\n')
      .map((l) => l.trim())
      .find((l) => l.length > 0);
    if (line) return line;
  }
  return '(message without text)';
}

/** Cuts to at most max UTF-16 units with "…", never inside a surrogate pair. */
function cut(text: string, max: number): string {
  if (text.length <= max) return text;
  let out = '';
  for (const char of text) {
    if (out.length + char.length > max - 1) break;
    out += char;
  }
  return `${out}…`;
}
