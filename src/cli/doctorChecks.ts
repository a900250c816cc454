/**
 * `barista doctor`'s checks, one function each: what a new user gets wrong, each answered
 * with one line and, when it is wrong, the fix in one sentence. Discord is asked through the
 * configured API base with a short timeout and no retries; no line ever carries a secret.
 */
import { accessSync, constants, existsSync, statSync } from 'node:fs';
import path from 'node:path';
import type { RulesFile, SourceConfig } from '../config/schema';
import { redactSecrets } from '../logging/redactSecrets';
import { parseWebhookUrl } from '../discord/sinks/webhookUrl';
import { GlobSet } from '../watchers/glob';

export type Verdict = 'ok' | 'warn' | 'fail';

export interface CheckLine {
  verdict: Verdict;
  text: string;
  /** What to do, one sentence (warnings and failures). */
  fix?: string;
}

const ok = (text: string): CheckLine => ({ verdict: 'ok', text });
const warn = (text: string, fix: string): CheckLine => ({ verdict: 'warn', text, fix });
const fail = (text: string, fix: string): CheckLine => ({ verdict: 'fail', text, fix });

const MARK: Record<Verdict, string> = { ok: '✔', warn: '!', fail: '✘' };

export function renderCheckLine(line: CheckLine): string {
  return redactSecrets(`${MARK[line.verdict]} ${line.text}${line.fix ? ` — ${line.fix}` : ''}`);
}

// ------------------------------------------------------------------ files

export function workspaceCheck(workspace: string): CheckLine {
  try {
    if (statSync(workspace).isDirectory()) return ok(`workspace ${workspace} exists`);
    return fail(`workspace ${workspace} is not a folder`, 'set workspace (or CAPPUCCINO_WORKSPACE) to the Cappuccino folder.');
  } catch {
    return fail(`workspace ${workspace} does not exist`, 'set workspace (or CAPPUCCINO_WORKSPACE) to the Cappuccino folder.');
  }
}

/** The paths a source follows, workspace-relative; optuna's sqlite:/// storage is one file. */
function followedPaths(source: SourceConfig): string[] | null {
  if (source.type === 'process') return null;
  if (source.type === 'optuna') return [source.storage.replace(/^sqlite:\/\/\//, '')];
  return source.paths;
}

/** Each enabled source's globs: which match nothing yet (a warning: the system may not have written them). */
export function sourceCheck(source: SourceConfig, workspace: string): CheckLine | null {
  const paths = followedPaths(source);
  if (paths === null || source.enabled === false) return null;
  const exclude = 'exclude' in source && Array.isArray(source.exclude) ? source.exclude : [];
  const empty = paths.filter((p) => (path.isAbsolute(p) ? !existsSync(p) : new GlobSet([p], exclude).expand(workspace).length === 0));
  if (empty.length === 0) return ok(`source ${source.id}: every path matches a file`);
  const some = empty.length < paths.length;
  return warn(
    `source ${source.id}: ${empty.join(', ')} match${empty.length === 1 ? 'es' : ''} nothing yet${some ? ' (the others do)' : ''}`,
    'fine if Cappuccino has not written them yet; otherwise fix the path in rules.yaml.',
  );
}

/** The state file writable, or its folder creatable: the nearest existing ancestor writable. */
export function stateFolderCheck(statePath: string): CheckLine {
  const fix = `give barista's user write access there, or set state.path to a folder it owns.`;
  try {
    if (existsSync(statePath)) {
      accessSync(statePath, constants.W_OK);
      accessSync(path.dirname(statePath), constants.W_OK); // the WAL and journal live beside it
      return ok(`state file ${statePath} is writable`);
    }
    let dir = path.dirname(statePath);
    while (!existsSync(dir)) dir = path.dirname(dir);
    accessSync(dir, constants.W_OK);
    return ok(`state file ${statePath} can be created`);
  } catch {
    return fail(`state file ${statePath} is not writable`, fix);
  }
}

// ------------------------------------------------------------------ Discord

export interface DiscordAnswer {
  status: number;
  body: unknown;
  /** The HTTP Date header, epoch ms. */
  date: number | null;
}

/** One GET, 5 s at most, no retry. A network failure throws (its text redacted by the caller). */
export type DiscordGet = (route: string, auth: 'bot' | 'none') => Promise<DiscordAnswer>;

export const REQUEST_TIMEOUT_MS = 5000;

export function discordGetter(apiBase: string, token: string | undefined): DiscordGet {
  const base = `${apiBase.replace(/\/+$/, '')}/v10`;
  return async (route, auth) => {
    const response = await fetch(`${base}${route}`, {
      headers: auth === 'bot' && token ? { Authorization: `Bot ${token}` } : {},
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    const text = await response.text();
    let body: unknown = null;
    try {
      body = JSON.parse(text);
    } catch {
      body = null;
    }
    const date = Date.parse(response.headers.get('date') ?? '');
    return { status: response.status, body, date: Number.isFinite(date) ? date : null };
  };
}

function reason(answer: DiscordAnswer): string {
  const body = answer.body as { code?: number; message?: string } | null;
  return body?.message ? `Discord ${answer.status} ${body.code ?? ''}: ${body.message}`.replace(' :', ':') : `Discord ${answer.status}`;
}

export interface BotIdentity {
  id: string;
  username: string;
}

export function tokenCheck(answer: DiscordAnswer): { line: CheckLine; bot: BotIdentity | null } {
  if (answer.status === 401) return { line: fail('bot token: token revoked or wrong', 'copy the token again from the Developer Portal (Bot → Reset Token) into DISCORD_BOT_TOKEN.'), bot: null };
  if (answer.status !== 200) return { line: fail(`bot token: ${reason(answer)}`, 'check DISCORD_BOT_TOKEN and DISCORD_API_BASE.'), bot: null };
  const bot = answer.body as BotIdentity;
  return { line: ok(`bot token is valid (bot ${bot.username})`), bot };
}

const MESSAGE_CONTENT = (1 << 18) | (1 << 19);

export function intentCheck(answer: DiscordAnswer): CheckLine {
  if (answer.status !== 200) return warn(`Message Content intent: cannot tell (${reason(answer)})`, 'check it is on in the Developer Portal (Bot → Privileged Gateway Intents).');
  const flags = Number((answer.body as { flags?: number }).flags ?? 0);
  if ((flags & MESSAGE_CONTENT) !== 0) return ok('Message Content intent is granted');
  return warn('Message Content intent is not granted: ! commands will be off (slash commands still work)', 'turn on Message Content Intent in the Developer Portal (Bot → Privileged Gateway Intents).');
}

/** What barista needs in a bot channel. */
export const NEEDED_PERMISSIONS: ReadonlyArray<[string, bigint]> = [
  ['View Channel', 1n << 10n],
  ['Send Messages', 1n << 11n],
  ['Embed Links', 1n << 14n],
  ['Attach Files', 1n << 15n],
];
const ADMINISTRATOR = 1n << 3n;

export interface Overwrite {
  id: string;
  type: number; // 0 role, 1 member
  allow: string;
  deny: string;
}

/** Discord's algorithm: base from @everyone and the member's roles, then @everyone's, the roles' and the member's overwrites. */
export function channelPermissions(input: { guildId: string; memberId: string; memberRoles: readonly string[]; roles: ReadonlyArray<{ id: string; permissions: string }>; overwrites: readonly Overwrite[] }): bigint {
  const roleBits = new Map(input.roles.map((r) => [r.id, BigInt(r.permissions)]));
  let bits = roleBits.get(input.guildId) ?? 0n;
  for (const role of input.memberRoles) bits |= roleBits.get(role) ?? 0n;
  if ((bits & ADMINISTRATOR) !== 0n) return ~0n;
  const apply = (allow: bigint, deny: bigint): void => {
    bits = (bits & ~deny) | allow;
  };
  const everyone = input.overwrites.find((o) => o.id === input.guildId);
  if (everyone) apply(BigInt(everyone.allow), BigInt(everyone.deny));
  let allow = 0n;
  let deny = 0n;
  for (const o of input.overwrites) {
    if (o.type === 0 && o.id !== input.guildId && input.memberRoles.includes(o.id)) {
      allow |= BigInt(o.allow);
      deny |= BigInt(o.deny);
    }
  }
  apply(allow, deny);
  const member = input.overwrites.find((o) => o.type === 1 && o.id === input.memberId);
  if (member) apply(BigInt(member.allow), BigInt(member.deny));
  return bits;
}

export function missingPermissions(bits: bigint): string[] {
  return NEEDED_PERMISSIONS.filter(([, bit]) => (bits & bit) === 0n).map(([name]) => name);
}

/** The bot sees channel `name` (id) and may post there with embeds and files. */
export async function botChannelCheck(get: DiscordGet, bot: BotIdentity, name: string, channelId: string): Promise<CheckLine> {
  const label = `channel ${name} (${channelId})`;
  const channel = await get(`/channels/${channelId}`, 'bot');
  if (channel.status === 404) return fail(`${label}: Unknown Channel`, 'copy the channel id again (Developer Mode → Copy Channel ID).');
  if (channel.status === 403) return fail(`${label}: the bot cannot see it (${reason(channel)})`, 'invite the bot to that server, or give it View Channel there.');
  if (channel.status !== 200) return fail(`${label}: ${reason(channel)}`, 'try again; if it persists, check DISCORD_API_BASE.');
  const { guild_id: guildId, permission_overwrites: overwrites } = channel.body as { guild_id?: string; permission_overwrites?: Overwrite[] };
  if (!guildId) return ok(`${label}: the bot can post`);
  const [roles, member] = await Promise.all([get(`/guilds/${guildId}/roles`, 'bot'), get(`/guilds/${guildId}/members/${bot.id}`, 'bot')]);
  if (roles.status !== 200 || member.status !== 200) return warn(`${label}: the bot sees it, its permissions cannot be read (${reason(roles.status !== 200 ? roles : member)})`, 'check it has View Channel, Send Messages, Embed Links and Attach Files there.');
  const bits = channelPermissions({ guildId, memberId: bot.id, memberRoles: (member.body as { roles?: string[] }).roles ?? [], roles: roles.body as Array<{ id: string; permissions: string }>, overwrites: overwrites ?? [] });
  const missing = missingPermissions(bits);
  if (missing.length === 0) return ok(`${label}: the bot can post`);
  return fail(`${label}: the bot lacks ${missing.join(', ')}`, `allow ${missing.join(', ')} for the bot (or its role) in that channel's permissions.`);
}

/** A configured webhook still exists (asked by id and token through the API base, never printed). */
export async function webhookCheck(get: DiscordGet, name: string, url: string): Promise<CheckLine> {
  let credentials;
  try {
    credentials = parseWebhookUrl(url);
  } catch (error) {
    return fail(`webhook of channel ${name}: ${(error as Error).message}`, 'paste the webhook URL again from Channel Settings → Integrations → Webhooks.');
  }
  const answer = await get(`/webhooks/${credentials.id}/${credentials.token}`, 'none');
  if (answer.status === 200) return ok(`webhook of channel ${name} exists`);
  if (answer.status === 404 || answer.status === 401) return fail(`webhook of channel ${name}: webhook deleted (${reason(answer)})`, 'create a webhook again (Channel Settings → Integrations) and put its URL in .env.');
  return fail(`webhook of channel ${name}: ${reason(answer)}`, 'try again; if it persists, check DISCORD_API_BASE.');
}

export const CLOCK_TOLERANCE_MS = 2 * 60_000;

export function clockCheck(discordDate: number | null, now: number): CheckLine | null {
  if (discordDate === null) return null;
  const off = Math.round((now - discordDate) / 1000);
  if (Math.abs(off) * 1000 <= CLOCK_TOLERANCE_MS) return ok(`clock agrees with Discord's (${off} s off)`);
  return fail(`clock is ${Math.abs(off)} s ${off > 0 ? 'ahead of' : 'behind'} Discord's`, 'turn on time synchronisation (timedatectl set-ntp true).');
}

/** Configured Discord destinations: bot channel ids and webhook URLs by channel name. */
export function discordTargets(config: RulesFile): { botChannels: Array<[string, string]>; webhooks: Array<[string, string]> } {
  const botChannels: Array<[string, string]> = [];
  const webhooks: Array<[string, string]> = [];
  const seenHooks = new Set<string>();
  for (const [name, channel] of Object.entries(config.notify.channels)) {
    if (channel.channel) botChannels.push([name, channel.channel]);
    for (const url of [channel.webhook ?? []].flat().filter(Boolean)) {
      if (seenHooks.has(url)) continue; // one webhook serving several channels is asked once
      seenHooks.add(url);
      webhooks.push([name, url]);
    }
  }
  return { botChannels, webhooks };
}
