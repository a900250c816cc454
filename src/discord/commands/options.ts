/**
 * Command options: one declaration gives the slash option, the `!` word's parsing and the
 * typed argument the command receives. Bad values come back as a problem for the usage line.
 */
import { parseDuration } from '../../config/duration';
import type { RawArgs } from './Invocation';

export type AutocompleteKind = 'trader' | 'study' | 'controlled' | 'worker';

interface OptionBase<N extends string> {
  name: N;
  description: string;
  required?: boolean;
}

export interface IntegerOption<N extends string = string> extends OptionBase<N> {
  kind: 'integer';
  min?: number;
  max?: number;
}

export interface StringOption<N extends string = string> extends OptionBase<N> {
  kind: 'string';
  maxLength?: number;
  choices?: readonly string[];
  /** Offer names while the user types: traders and studies from state, controllable traders and training workers from control. */
  autocomplete?: AutocompleteKind;
  /** `!` form: takes the rest of the line (only the last option). */
  rest?: boolean;
}

/** A duration such as 30m, 4h, 1d (rules.yaml's syntax), as milliseconds. */
export interface DurationOption<N extends string = string> extends OptionBase<N> {
  kind: 'duration';
  min?: number;
  max?: number;
}

export type OptionSpec = IntegerOption | StringOption | DurationOption;

type ValueOf<S extends OptionSpec> = S extends StringOption ? string : number;

/** The typed arguments of a list of options: required ones present, the others possibly undefined. */
export type ArgsOf<O extends readonly OptionSpec[]> = {
  [S in O[number] as S['name']]: S extends { required: true } ? ValueOf<S> : ValueOf<S> | undefined;
};

export const integer = <N extends string, R extends boolean = false>(name: N, description: string, more: Omit<IntegerOption<N>, 'kind' | 'name' | 'description' | 'required'> & { required?: R } = {}) =>
  ({ kind: 'integer', name, description, ...more }) as IntegerOption<N> & { required: NoInfer<R> };
export const string = <N extends string, R extends boolean = false>(name: N, description: string, more: Omit<StringOption<N>, 'kind' | 'name' | 'description' | 'required'> & { required?: R } = {}) =>
  ({ kind: 'string', name, description, ...more }) as StringOption<N> & { required: NoInfer<R> };
export const duration = <N extends string, R extends boolean = false>(name: N, description: string, more: Omit<DurationOption<N>, 'kind' | 'name' | 'description' | 'required'> & { required?: R } = {}) =>
  ({ kind: 'duration', name, description, ...more }) as DurationOption<N> & { required: NoInfer<R> };

export type ParsedArgs = { ok: true; args: Record<string, string | number | undefined> } | { ok: false; problem: string };

/** The usage line of a command: `/trades [count] [trader]`. */
export function usageOf(path: readonly string[], options: readonly OptionSpec[], prefix = '/'): string {
  const words = options.map((o) => (o.required ? `<${o.name}>` : `[${o.name}]`));
  return [`${prefix}${path.join(' ')}`, ...words].join(' ');
}

/** Parses raw arguments against the options; the first problem found is returned. */
export function parseArgs(options: readonly OptionSpec[], raw: RawArgs): ParsedArgs {
  const values: Record<string, string | number | undefined> = {};
  if (raw.kind === 'words') {
    const words = [...raw.words];
    const last = options.at(-1);
    if (words.length > options.length && !(last?.kind === 'string' && last.rest)) {
      return { ok: false, problem: `too many arguments (${words.length}; this command takes at most ${options.length})` };
    }
    for (const [index, option] of options.entries()) {
      const isRest = option.kind === 'string' && option.rest === true && index === options.length - 1;
      const text = isRest ? words.slice(index).join(' ') || undefined : words[index];
      const parsed = parseValue(option, text);
      if (typeof parsed === 'object') return parsed;
      values[option.name] = parsed;
    }
  } else {
    const known = new Set(options.map((o) => o.name));
    const unknown = Object.keys(raw.values).find((name) => !known.has(name));
    if (unknown) return { ok: false, problem: `unknown option "${unknown}"` };
    for (const option of options) {
      const given = raw.values[option.name];
      const parsed = parseValue(option, given === undefined ? undefined : String(given));
      if (typeof parsed === 'object') return parsed;
      values[option.name] = parsed;
    }
  }
  return { ok: true, args: values };
}

function parseValue(option: OptionSpec, text: string | undefined): string | number | undefined | { ok: false; problem: string } {
  const fail = (problem: string) => ({ ok: false as const, problem });
  if (text === undefined || text === '') return option.required ? fail(`${option.name} is required`) : undefined;
  switch (option.kind) {
    case 'integer': {
      if (!/^[+-]?\d{1,15}$/.test(text)) return fail(`${option.name} must be a whole number`);
      const value = Number(text);
      if (option.min !== undefined && value < option.min) return fail(`${option.name} must be at least ${option.min}`);
      if (option.max !== undefined && value > option.max) return fail(`${option.name} must be at most ${option.max}`);
      return value;
    }
    case 'duration': {
      let ms: number;
      try {
        ms = parseDuration(text.trim());
      } catch {
        return fail(`${option.name} must be a duration such as 30m, 4h or 2d`);
      }
      if (!Number.isFinite(ms) || ms <= 0) return fail(`${option.name} must be a duration such as 30m, 4h or 2d`);
      if (option.min !== undefined && ms < option.min) return fail(`${option.name} is too short`);
      if (option.max !== undefined && ms > option.max) return fail(`${option.name} is too long`);
      return ms;
    }
    case 'string': {
      if (option.maxLength !== undefined && text.length > option.maxLength) return fail(`${option.name} is longer than ${option.maxLength} characters`);
      if (option.choices && !option.choices.includes(text)) return fail(`${option.name} must be one of ${option.choices.join(', ')}`);
      return text;
    }
  }
}
