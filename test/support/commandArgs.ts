/** A valid value for a command option, by its kind: what a test or bench sends as a user would. */
import type { OptionSpec } from '../../src/discord/commands/options';

export function validOptionValue(option: OptionSpec, placeholder: string): string | number {
  switch (option.kind) {
    case 'integer':
      return Math.max(option.min ?? 1, Math.min(option.max ?? 5, 5));
    case 'duration':
      return '2h';
    case 'string':
      if (option.choices?.length) return option.choices[0]!;
      if (option.autocomplete === 'trader') return 'trial250';
      if (option.name === 'match') return 'trade.*';
      return placeholder;
  }
}
