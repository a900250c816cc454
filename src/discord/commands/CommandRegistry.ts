/**
 * The one list of commands, from which slash registration, `!` parsing and /help are made.
 */
import { commandName, type CommandDefinition } from './CommandDefinition';
import type { Invocation, RawArgs } from './Invocation';
import type { OptionSpec } from './options';

/** Discord's application command JSON (the subset barista uses). */
export interface SlashCommandJson {
  name: string;
  description: string;
  type: 1;
  options: SlashOptionJson[];
  contexts: number[];
}

export interface SlashOptionJson {
  type: number;
  name: string;
  description: string;
  required?: boolean;
  min_value?: number;
  max_value?: number;
  max_length?: number;
  choices?: Array<{ name: string; value: string }>;
  autocomplete?: boolean;
  options?: SlashOptionJson[];
}

const OPTION_TYPE = { subcommand: 1, string: 3, integer: 4 } as const;
/** Guild channels and the bot's DMs (interaction context types 0 and 1). */
const CONTEXTS = [0, 1];

export interface Resolved {
  command: CommandDefinition;
  args: RawArgs;
}

export class CommandRegistry {
  private readonly byName = new Map<string, CommandDefinition>();

  constructor(readonly all: readonly CommandDefinition[]) {
    for (const command of all) {
      const name = commandName(command);
      if (this.byName.has(name)) throw new Error(`two commands are named "${name}"`);
      if (command.path.length === 1 && all.some((c) => c.path.length === 2 && c.path[0] === command.path[0])) {
        throw new Error(`"${name}" is both a command and a group of subcommands`);
      }
      this.byName.set(name, command);
    }
  }

  /** The command an invocation names, with the argument words left after its name. */
  resolve(invocation: Pick<Invocation, 'path' | 'args'>): Resolved | undefined {
    const [first, second] = invocation.path.map((word) => word.toLowerCase());
    if (first === undefined) return undefined;
    if (invocation.args.kind === 'named') {
      const command = this.byName.get(second === undefined ? first : `${first} ${second}`);
      return command && { command, args: invocation.args };
    }
    const single = this.byName.get(first);
    if (single) return { command: single, args: invocation.args };
    const group = this.all.filter((c) => c.path.length === 2 && c.path[0] === first);
    if (!group.length) return undefined;
    const [word, ...rest] = invocation.args.words;
    const sub = word === undefined ? undefined : group.find((c) => c.path[1] === word.toLowerCase());
    if (sub) return { command: sub, args: { kind: 'words', words: rest, rest: rest.join(' ') } };
    // `!trader` alone runs the group's default; `!trader bogus` is not a command.
    const fallback = group.find((c) => c.groupDefault);
    return word === undefined && fallback ? { command: fallback, args: invocation.args } : undefined;
  }

  /** The slash command definitions Discord is given: subcommands folded under their group. */
  slashJson(): SlashCommandJson[] {
    const out = new Map<string, SlashCommandJson>();
    for (const command of this.all) {
      const [top, sub] = command.path;
      if (sub === undefined) {
        out.set(top, { name: top, description: command.description, type: 1, options: command.options.map(optionJson), contexts: CONTEXTS });
        continue;
      }
      const group = out.get(top) ?? { name: top, description: `${top} commands`, type: 1 as const, options: [], contexts: CONTEXTS };
      group.options.push({ type: OPTION_TYPE.subcommand, name: sub, description: command.description, options: command.options.map(optionJson) });
      group.description = `${top}: ${group.options.map((o) => o.name).join(', ')}`;
      out.set(top, group);
    }
    return [...out.values()];
  }
}

function optionJson(option: OptionSpec): SlashOptionJson {
  const base = { name: option.name, description: option.description.slice(0, 100), ...(option.required ? { required: true } : {}) };
  switch (option.kind) {
    case 'integer':
      return { ...base, type: OPTION_TYPE.integer, ...(option.min !== undefined && { min_value: option.min }), ...(option.max !== undefined && { max_value: option.max }) };
    case 'duration':
      return { ...base, type: OPTION_TYPE.string, max_length: 20 };
    case 'string':
      return {
        ...base,
        type: OPTION_TYPE.string,
        ...(option.maxLength !== undefined && { max_length: option.maxLength }),
        ...(option.choices && { choices: option.choices.map((c) => ({ name: c, value: c })) }),
        ...(option.autocomplete && { autocomplete: true }),
      };
  }
}
