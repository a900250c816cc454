/**
 * Delivers messages as readable text to a stream (stdout by default): the sink when no Discord
 * setting is present, and the demo's output.
 */
import { SUPPRESS_NOTIFICATIONS, type DiscordEmbed, type DiscordMessage } from '../DiscordMessage';
import type { SendOutcome, Sink } from './Sink';

export interface TextStream {
  write(text: string): unknown;
}

export interface ConsoleSinkOptions {
  /** Where the text goes; process.stdout by default. */
  stream?: TextStream;
  /** Turns a message into text; formatMessageAsText by default (a richer preview can be swapped in). */
  format?: (message: DiscordMessage) => string;
}

export class ConsoleSink implements Sink {
  readonly key = 'console';
  private readonly stream: TextStream;
  private readonly format: (message: DiscordMessage) => string;

  constructor(options: ConsoleSinkOptions = {}) {
    this.stream = options.stream ?? process.stdout;
    this.format = options.format ?? formatMessageAsText;
  }

  send(message: DiscordMessage, _options?: { nonce: string }): Promise<SendOutcome> {
    try {
      this.stream.write(`${this.format(message)}\n`);
      return Promise.resolve({ status: 'sent' });
    } catch (error) {
      return Promise.resolve({ status: 'retry', error: `console write failed: ${(error as Error).message ?? String(error)}` });
    }
  }

  close(): void {}
}

/** Plain text of a message: content, then per embed its title, description, `name: value` fields and footer. */
export function formatMessageAsText(message: DiscordMessage): string {
  const blocks: string[] = [];
  if (((message.flags ?? 0) & SUPPRESS_NOTIFICATIONS) !== 0) blocks.push('(silent)');
  if (message.content?.trim()) blocks.push(readableTimes(message.content.trim()));
  for (const embed of message.embeds) blocks.push(formatEmbed(embed));
  return blocks.join('\n');
}

function formatEmbed(embed: DiscordEmbed): string {
  const lines: string[] = [];
  if (embed.author?.name) lines.push(embed.author.name);
  lines.push(`■ ${embed.title?.trim() ? readableTimes(embed.title.trim()) : '(untitled)'}`);
  if (embed.description?.trim()) lines.push(indent(readableTimes(embed.description.trim())));
  for (const field of embed.fields ?? []) lines.push(indent(`${readableTimes(field.name)}: ${readableTimes(field.value)}`));
  const footer = [embed.footer?.text, embed.timestamp ? utcText(Date.parse(embed.timestamp)) : undefined].filter(Boolean);
  if (footer.length) lines.push(indent(`— ${footer.join(' · ')}`));
  return lines.join('\n');
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => `  ${line}`)
    .join('\n');
}

/** Discord timestamps (`<t:1700000000:f>`) as UTC text: the console has no client to render them. */
function readableTimes(text: string): string {
  return text.replace(/<t:(-?\d+)(?::[tTdDfFR])?>/g, (match, seconds: string) => utcText(Number(seconds) * 1000) ?? match);
}

function utcText(ms: number): string | undefined {
  const date = new Date(ms);
  return Number.isNaN(date.getTime()) ? undefined : `${date.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}
