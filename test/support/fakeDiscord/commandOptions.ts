/**
 * The `data.options` of a chat-input interaction, built from what a test asks for and checked
 * against the registered command the way Discord's client enforces it: Discord never dispatches
 * an unknown option, a missing required one, a value of the wrong type, out of range, too long
 * or not among the choices. So a bad value throws in the test instead of reaching the bot.
 *
 * Option types: 1 subcommand, 2 group, 3 string, 4 integer, 5 boolean, 6 user, 7 channel,
 * 8 role, 9 mentionable, 10 number, 11 attachment.
 */
import type { FakeChannel, FakeRole, FakeUser } from './discordPayloads';

export type OptionValue = string | number | boolean | FakeUser;
export interface SlashOptionInput {
  [name: string]: OptionValue;
}

export interface DeclaredOption {
  name: string;
  type: number;
  required?: boolean;
  options?: DeclaredOption[];
  choices?: Array<{ name: string; value: string | number }>;
  min_value?: number;
  max_value?: number;
  min_length?: number;
  max_length?: number;
  autocomplete?: boolean;
  channel_types?: number[];
}

export interface OptionResolver {
  findUser(ref: string): FakeUser | undefined;
  findRole(ref: string): FakeRole | undefined;
  findChannel(ref: string): FakeChannel | undefined;
}

export interface BuiltOptions {
  options: unknown[];
  /** Ids a payload's `resolved` must describe. */
  refs: { users: Set<string>; roles: Set<string>; channels: Set<string> };
  /** Autocomplete: the focused option (at its level). */
  focused?: { name: string; type: number; value: string };
}

export type OptionMode = 'invoke' | 'autocomplete';

const SUB = 1;
const GROUP = 2;
/** Discord's bounds when a command declares none (string 0–6000; numbers ±2^53). */
const MAX_STRING = 6000;
const MAX_NUMBER = 2 ** 53;

export class OptionError extends Error {}

/**
 * `path` holds the subcommand (group) names from `fake.slash('trader status', …)`; `input` is
 * `{name: value}` for the leaf options, or Discord's raw option list (the whole tree when `path`
 * is empty). `declared` undefined: the command is not registered; options are passed with types
 * inferred and nothing is checked (a shortcut for tests that do not register commands).
 */
export function buildOptions(commandName: string, declared: DeclaredOption[] | undefined, path: string[], input: SlashOptionInput | unknown[], mode: OptionMode, resolver: OptionResolver): BuiltOptions {
  const built: BuiltOptions = { options: [], refs: { users: new Set(), roles: new Set(), channels: new Set() } };
  const fail = (what: string): never => {
    throw new OptionError(`FakeDiscord: /${[commandName, ...path].join(' ')}: ${what} (Discord would not send this)`);
  };
  if (!declared) {
    built.options = wrap(path, Array.isArray(input) ? input : inferred(input));
    return built;
  }
  // Walk the subcommand path; what is left must be a leaf level (no more subcommands).
  let level = declared;
  const chain: DeclaredOption[] = [];
  for (const name of path) {
    const next = level.find((o) => o.name === name && (o.type === SUB || o.type === GROUP));
    if (!next) fail(`no subcommand or group "${name}"`);
    if (chain.length > 0 && chain[chain.length - 1]!.type === SUB) fail(`"${name}" below a subcommand`);
    chain.push(next!);
    level = next!.options ?? [];
  }
  let given: unknown[];
  if (Array.isArray(input) && path.length === 0 && level.some((o) => o.type === SUB || o.type === GROUP)) {
    // A raw tree: descend through its subcommand/group wrappers.
    given = input;
    while (level.some((o) => o.type === SUB || o.type === GROUP)) {
      if (given.length !== 1) fail('exactly one subcommand (or group) must be chosen');
      const g = given[0] as { name?: unknown; type?: unknown; options?: unknown };
      const next = level.find((o) => o.name === g.name && o.type === g.type);
      if (!next) fail(`no subcommand or group "${String(g.name)}" of type ${String(g.type)}`);
      chain.push(next!);
      level = next!.options ?? [];
      given = Array.isArray(g.options) ? g.options : [];
    }
  } else {
    if (level.some((o) => o.type === SUB || o.type === GROUP)) fail('a subcommand must be chosen');
    given = Array.isArray(input) ? input : Object.entries(input).map(([name, value]) => ({ name, value }));
  }
  if (chain.length > 0 && chain[chain.length - 1]!.type === GROUP) fail('a group needs one of its subcommands');

  const leaf: unknown[] = [];
  const names = new Set<string>();
  for (const raw of given) {
    const g = (raw ?? {}) as { name?: unknown; type?: unknown; value?: unknown; focused?: unknown };
    const option = level.find((o) => o.name === g.name);
    if (!option) fail(`no option "${String(g.name)}"`);
    const o = option!;
    if (g.type !== undefined && g.type !== o.type) fail(`option "${o.name}" has type ${o.type}, not ${String(g.type)}`);
    if (names.has(o.name)) fail(`option "${o.name}" given twice`);
    names.add(o.name);
    if (g.focused === true) {
      if (mode !== 'autocomplete') fail('`focused` belongs to autocomplete only');
      if (built.focused) fail('only one option can be focused');
      if (o.autocomplete !== true || ![3, 4, 10].includes(o.type)) fail(`option "${o.name}" does not have autocomplete`);
      // The focused value is what the user has typed so far: always a string (discord.js types it so).
      const typed = String(g.value ?? '');
      built.focused = { name: o.name, type: o.type, value: typed };
      leaf.push({ name: o.name, type: o.type, value: typed, focused: true });
      continue;
    }
    // Autocomplete sends the other options as typed so far, unchecked (they may be partial).
    const value = mode === 'autocomplete' ? plainValue(o, g.value, resolver) : checkedValue(o, g.value, resolver, fail);
    collectRef(o, value, resolver, built.refs);
    leaf.push({ name: o.name, type: o.type, value });
  }
  if (mode === 'invoke') {
    for (const o of level) if (o.required === true && !names.has(o.name)) fail(`required option "${o.name}" is missing`);
  } else if (!built.focused) fail('an autocomplete needs one option with `focused: true`');
  built.options = wrap(chain.map((c) => c.name), leaf, chain.map((c) => c.type));
  return built;
}

/** Nests leaf options in their subcommand (and group): `[{type: 2, name, options: [{type: 1, name, options}]}]`. */
function wrap(path: string[], leaf: unknown[], types?: number[]): unknown[] {
  let options = leaf;
  for (let i = path.length - 1; i >= 0; i--) {
    const type = types?.[i] ?? (i === path.length - 1 ? SUB : GROUP);
    options = [{ name: path[i], type, options }];
  }
  return options;
}

function inferred(input: SlashOptionInput): unknown[] {
  return Object.entries(input).map(([name, value]) => {
    if (typeof value === 'object') return { name, type: 6, value: value.id };
    return { name, type: typeof value === 'boolean' ? 5 : typeof value === 'number' ? (Number.isInteger(value) ? 4 : 10) : 3, value };
  });
}

/** A user/role/channel reference given by name or id (or a FakeUser) → its id. */
function refId(o: DeclaredOption, value: unknown, resolver: OptionResolver): unknown {
  if (value && typeof value === 'object' && 'id' in value) return (value as FakeUser).id;
  if (typeof value !== 'string') return value;
  if (o.type === 6) return resolver.findUser(value)?.id ?? value;
  if (o.type === 8) return resolver.findRole(value)?.id ?? value;
  if (o.type === 7) return resolver.findChannel(value)?.id ?? value;
  if (o.type === 9) return resolver.findUser(value)?.id ?? resolver.findRole(value)?.id ?? value;
  return value;
}

function plainValue(o: DeclaredOption, value: unknown, resolver: OptionResolver): unknown {
  return refId(o, value, resolver);
}

function checkedValue(o: DeclaredOption, raw: unknown, resolver: OptionResolver, fail: (what: string) => never): unknown {
  const value = refId(o, raw, resolver);
  const where = `option "${o.name}"`;
  switch (o.type) {
    case 3: {
      if (typeof value !== 'string') fail(`${where} must be a string`);
      const n = [...(value as string)].length;
      if (n < (o.min_length ?? 0) || n > (o.max_length ?? MAX_STRING)) fail(`${where} must be ${o.min_length ?? 0}–${o.max_length ?? MAX_STRING} characters long`);
      break;
    }
    case 4:
    case 10: {
      if (typeof value !== 'number' || !Number.isFinite(value) || (o.type === 4 && !Number.isInteger(value))) fail(`${where} must be ${o.type === 4 ? 'an integer' : 'a number'}`);
      const v = value as number;
      if (v < (o.min_value ?? -MAX_NUMBER) || v > (o.max_value ?? MAX_NUMBER)) fail(`${where} must be within ${o.min_value ?? -MAX_NUMBER}..${o.max_value ?? MAX_NUMBER}`);
      break;
    }
    case 5:
      if (typeof value !== 'boolean') fail(`${where} must be a boolean`);
      break;
    case 6:
      if (typeof value !== 'string' || !resolver.findUser(value)) fail(`${where}: no such user ${String(raw)}`);
      break;
    case 8:
      if (typeof value !== 'string' || !resolver.findRole(value)) fail(`${where}: no such role ${String(raw)}`);
      break;
    case 9:
      if (typeof value !== 'string' || (!resolver.findUser(value) && !resolver.findRole(value))) fail(`${where}: no such user or role ${String(raw)}`);
      break;
    case 7:
      if (typeof value !== 'string' || !resolver.findChannel(value)) fail(`${where}: no such channel ${String(raw)}`);
      // The fake's guild channels are all text channels (type 0).
      if (o.channel_types && !o.channel_types.includes(0)) fail(`${where}: channel type 0 is not allowed`);
      break;
    default:
      fail(`${where}: option type ${o.type} is not supported by the fake`);
  }
  if (o.choices && o.choices.length > 0 && !o.choices.some((c) => c.value === value)) fail(`${where} must be one of ${o.choices.map((c) => JSON.stringify(c.value)).join(', ')}`);
  return value;
}

function collectRef(o: DeclaredOption, value: unknown, resolver: OptionResolver, refs: BuiltOptions['refs']): void {
  if (typeof value !== 'string') return;
  if ((o.type === 6 || o.type === 9) && resolver.findUser(value)) refs.users.add(value);
  else if ((o.type === 8 || o.type === 9) && resolver.findRole(value)) refs.roles.add(value);
  else if (o.type === 7 && resolver.findChannel(value)) refs.channels.add(value);
}
