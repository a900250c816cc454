/**
 * What Discord would answer 400 for in a message body (the limits from discord-fake.md):
 * an empty list means the message is valid.
 */
import type { DiscordMessage } from '../../src/discord/DiscordMessage';

export function discordLimitProblems(message: DiscordMessage): string[] {
  const problems: string[] = [];
  const check = (ok: boolean, problem: string) => {
    if (!ok) problems.push(problem);
  };
  check((message.content?.length ?? 0) <= 2000, 'content over 2000');
  check(Boolean(message.content) || message.embeds.length > 0, 'empty message');
  check(message.embeds.length <= 10, 'more than 10 embeds');
  check(JSON.stringify(message.allowed_mentions) === JSON.stringify({ parse: [] }), 'allowed_mentions must be { parse: [] }');
  let total = 0;
  message.embeds.forEach((embed, i) => {
    check((embed.title?.length ?? 0) <= 256, `embeds.${i}.title over 256`);
    check((embed.description?.length ?? 0) <= 4096, `embeds.${i}.description over 4096`);
    check((embed.fields?.length ?? 0) <= 25, `embeds.${i} has more than 25 fields`);
    check((embed.footer?.text.length ?? 0) <= 2048, `embeds.${i}.footer over 2048`);
    total += (embed.title?.length ?? 0) + (embed.description?.length ?? 0) + (embed.footer?.text.length ?? 0) + (embed.author?.name.length ?? 0);
    embed.fields?.forEach((field, j) => {
      check(field.name.trim().length > 0 && field.name.length <= 256, `embeds.${i}.fields.${j}.name empty or over 256`);
      check(field.value.trim().length > 0 && field.value.length <= 1024, `embeds.${i}.fields.${j}.value empty or over 1024`);
      total += field.name.length + field.value.length;
    });
  });
  check(total <= 6000, `embeds total ${total} over 6000`);
  return problems;
}
