/**
 * ${VAR} and ${VAR:-default} in rules.yaml values, resolved from the environment.
 * `$$` writes a literal `$`. A missing variable without a default is an error.
 */

export type Env = Record<string, string | undefined>;

export interface InterpolationResult {
  value: string;
  /** Variables that were unset and had no default, with their offset in the input. */
  missing: { name: string; offset: number }[];
  malformed: { text: string; offset: number }[];
  /** True when the whole input was one ${…} reference (its type may then be coerced). */
  whole: boolean;
}

const TOKEN = /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}|\$\{[^}]*\}?/g;

export function interpolate(input: string, env: Env): InterpolationResult {
  const missing: InterpolationResult['missing'] = [];
  const malformed: InterpolationResult['malformed'] = [];
  let references = 0;
  const value = input.replace(TOKEN, (match: string, name: string | undefined, fallback: string | undefined, offset: number) => {
    if (match === '$$') return '$';
    if (name === undefined) {
      malformed.push({ text: match, offset });
      return match;
    }
    references += 1;
    const found = env[name];
    if (fallback !== undefined) return found === undefined || found === '' ? fallback : found;
    if (found === undefined) {
      missing.push({ name, offset });
      return '';
    }
    return found;
  });
  const whole = references === 1 && /^\$\{[^}]*\}$/.test(input);
  return { value, missing, malformed, whole };
}

/** What an unquoted YAML scalar made of one ${VAR} means once resolved: YAML's core types. */
export function coercePlainScalar(text: string): string | number | boolean | null {
  if (/^(true|false)$/i.test(text)) return text.toLowerCase() === 'true';
  if (/^(null|~)?$/.test(text)) return text === '' ? '' : null;
  // Long digit strings are Discord ids: a JS number would lose their last digits.
  if (/^-?\d{1,15}(\.\d+)?$/.test(text) || /^-?\d*\.\d+([eE][-+]?\d+)?$/.test(text)) return Number(text);
  return text;
}
