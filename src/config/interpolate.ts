/**
 * ${VAR} and ${VAR:-default} in rules.yaml values, resolved from the environment.
 * Defaults may nest (`${BARISTA_DISCORD_ENABLED:-${DISCORD_ENABLED:-true}}`); `$$` writes a
 * literal `$`. A missing variable without a default is an error.
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

const NAME = /^[A-Za-z_][A-Za-z0-9_]*/;

/** Index of the `}` closing the reference whose body starts at `from`, honouring nested ${…}. */
function closingBrace(input: string, from: number): number {
  let depth = 0;
  for (let i = from; i < input.length; i += 1) {
    if (input.startsWith('${', i)) {
      depth += 1;
      i += 1;
    } else if (input[i] === '}') {
      if (depth === 0) return i;
      depth -= 1;
    }
  }
  return -1;
}

export function interpolate(input: string, env: Env, baseOffset = 0): InterpolationResult {
  const missing: InterpolationResult['missing'] = [];
  const malformed: InterpolationResult['malformed'] = [];
  let value = '';
  let references = 0;
  let wholeEnd = -1;
  for (let i = 0; i < input.length; ) {
    if (input.startsWith('$$', i)) {
      value += '$';
      i += 2;
      continue;
    }
    if (!input.startsWith('${', i)) {
      value += input[i];
      i += 1;
      continue;
    }
    const end = closingBrace(input, i + 2);
    const name = NAME.exec(input.slice(i + 2))?.[0];
    const afterName = i + 2 + (name?.length ?? 0);
    const hasDefault = input.startsWith(':-', afterName);
    if (end < 0 || !name || (!hasDefault && afterName !== end)) {
      const text = end < 0 ? input.slice(i) : input.slice(i, end + 1);
      malformed.push({ text, offset: baseOffset + i });
      value += text;
      i += text.length;
      continue;
    }
    references += 1;
    const found = env[name];
    if (hasDefault) {
      if (found === undefined || found === '') {
        const inner = interpolate(input.slice(afterName + 2, end), env, baseOffset + afterName + 2);
        missing.push(...inner.missing);
        malformed.push(...inner.malformed);
        value += inner.value;
      } else value += found;
    } else if (found === undefined) missing.push({ name, offset: baseOffset + i });
    else value += found;
    if (i === 0) wholeEnd = end;
    i = end + 1;
  }
  return { value, missing, malformed, whole: references === 1 && wholeEnd === input.length - 1 };
}

/** What an unquoted YAML scalar made of one ${VAR} means once resolved: YAML's core types. */
export function coercePlainScalar(text: string): string | number | boolean | null {
  if (/^(true|false)$/i.test(text)) return text.toLowerCase() === 'true';
  if (/^(null|~)?$/.test(text)) return text === '' ? '' : null;
  // Long digit strings are Discord ids: a JS number would lose their last digits.
  if (/^-?\d{1,15}(\.\d+)?$/.test(text) || /^-?\d*\.\d+([eE][-+]?\d+)?$/.test(text)) return Number(text);
  return text;
}
