/**
 * Plain text of what Discord would show for some messages: markdown escapes and bold markers
 * removed, `<t:…>` timestamps written out, code blocks indented, inline fields side by side.
 * Used by the console sink and `barista rules test`.
 */
import { SUPPRESS_NOTIFICATIONS, type DiscordEmbed, type DiscordMessage } from '../DiscordMessage';
import { timeOf, utcDateTime } from './formatValues';
import { ZERO_WIDTH_SPACE } from './sanitizeText';

export interface TextPreviewOptions {
  /** Now (ms), for relative times ("5 min ago"), as Discord shows them to a reader; default the clock. */
  now?: number;
}

const FENCE = /^```/;

function absolute(ms: number, style: string): string {
  const iso = new Date(ms).toISOString();
  switch (style) {
    case 't':
      return `${iso.slice(11, 16)} UTC`;
    case 'T':
      return `${iso.slice(11, 19)} UTC`;
    case 'd':
    case 'D':
      return iso.slice(0, 10);
    default:
      return `${iso.slice(0, 16).replace('T', ' ')} UTC`;
  }
}

function relative(ms: number, now: number): string {
  const seconds = Math.round((ms - now) / 1000);
  const size = Math.abs(seconds);
  const amount = size < 60 ? `${size} s` : size < 3600 ? `${Math.round(size / 60)} min` : size < 86_400 ? `${Math.round(size / 3600)} h` : `${Math.round(size / 86_400)} d`;
  if (size < 5) return 'just now';
  return seconds < 0 ? `${amount} ago` : `in ${amount}`;
}

function timestamps(text: string, options: TextPreviewOptions): string {
  return text.replace(/<t:(-?\d+)(?::([tTdDfFR]))?>/g, (match, unix: string, style: string | undefined) => {
    const ms = Number(unix) * 1000;
    if (!Number.isFinite(ms) || Math.abs(ms) > 8.64e15) return match;
    if (style === 'R') return relative(ms, options.now ?? Date.now());
    return absolute(ms, style ?? 'f');
  });
}

/** Markdown outside code: escapes undone, bold/underline markers dropped. */
function plainMarkdown(line: string): string {
  let out = '';
  for (let i = 0; i < line.length; i++) {
    const char = line[i];
    if (char === '\\' && i + 1 < line.length && /[^A-Za-z0-9\s]/.test(line[i + 1])) {
      out += line[++i];
    } else if ((char === '*' || char === '_') && line[i + 1] === char) {
      i++;
    } else {
      out += char;
    }
  }
  return out;
}

/** A markdown text as plain lines; code block contents indented by two spaces. */
function plainLines(text: string, options: TextPreviewOptions): string[] {
  const lines: string[] = [];
  let inCode = false;
  for (const raw of text.split(ZERO_WIDTH_SPACE).join('').split('\n')) {
    let line = raw;
    // A fence may close at the end of a line ("…```") or open at its start ("```py").
    if (inCode) {
      const close = line.indexOf('```');
      if (close >= 0) {
        if (close > 0) lines.push(`  ${line.slice(0, close)}`);
        inCode = false;
        line = line.slice(close + 3);
        if (line.trim() === '') continue;
      } else {
        lines.push(`  ${line}`);
        continue;
      }
    }
    if (FENCE.test(line)) {
      const rest = line.slice(3);
      const close = rest.indexOf('```');
      if (close >= 0) {
        lines.push(`  ${rest.slice(0, close)}`);
      } else {
        inCode = true;
      }
      continue;
    }
    lines.push(timestamps(plainMarkdown(line), options));
  }
  return lines;
}

function embedLines(embed: DiscordEmbed, options: TextPreviewOptions): string[] {
  const out: string[] = [];
  const bar = (line: string) => out.push(`┃ ${line}`.trimEnd());
  if (embed.author?.name) bar(embed.author.name);
  if (embed.title) plainLines(embed.title, options).forEach(bar);
  if (embed.description) plainLines(embed.description, options).forEach(bar);
  let inlineRow: string[] = [];
  const flush = () => {
    if (inlineRow.length > 0) bar(inlineRow.join(' │ '));
    inlineRow = [];
  };
  for (const field of embed.fields ?? []) {
    const name = plainLines(field.name, options).join(' ');
    const value = plainLines(field.value, options);
    if (field.inline && value.length === 1) {
      inlineRow.push(`${name}: ${value[0]}`);
      if (inlineRow.length === 3) flush();
      continue;
    }
    flush();
    bar(`${name}:`);
    value.forEach((line) => bar(`  ${line}`));
  }
  flush();
  // The picture itself cannot show in text: name the file (the chart the CLI writes beside it).
  if (embed.image?.url) bar(`[image: ${embed.image.url.replace(/^attachment:\/\//, '')}]`);
  const at = embed.timestamp ? timeOf(embed.timestamp) : null;
  const footer = [embed.footer?.text, at === null ? undefined : utcDateTime(at)].filter(Boolean);
  if (footer.length > 0) bar(`── ${footer.join(' · ')}`);
  return out;
}

export function renderTextPreview(messages: readonly DiscordMessage[], options: TextPreviewOptions = {}): string {
  const blocks = messages.map((message, index) => {
    const lines: string[] = [];
    const silent = ((message.flags ?? 0) & SUPPRESS_NOTIFICATIONS) !== 0;
    if (messages.length > 1 || silent) lines.push(`── message ${index + 1} of ${messages.length}${silent ? ' (silent)' : ''} ──`);
    if (message.content) lines.push(...plainLines(message.content, options));
    message.embeds.forEach((embed, embedIndex) => {
      if (embedIndex > 0 || message.content) lines.push('');
      lines.push(...embedLines(embed, options));
    });
    return lines.join('\n');
  });
  return blocks.join('\n\n');
}
