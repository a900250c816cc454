/**
 * A JavaScript regex (as written in rules.yaml) → a POSIX ERE for `grep -E`, as faithfully as
 * a line-oriented tool allows, for the backlog benchmark's baseline:
 *
 * - `(?<name>…)` and `(?:…)` → `(…)`; lookarounds are not ERE: the rule is left out.
 * - `\d \D \s \S \w \W` → `[0-9]`, `[^0-9]`, `[[:space:]]`, …; inside a class their POSIX
 *   forms (`[\s\S]`, "anything", becomes `.`).
 * - Lazy `*? +? ?? {n,m}?` → greedy (grep -c only asks whether a line matches).
 * - Escaped characters inside a class become literals, placed where POSIX wants them.
 * - `\n`: grep sees one line at a time. A `\n` at the top level ends what a line can match
 *   (it becomes `$`; the rest of the pattern, later lines of a traceback, is dropped); a `\n`
 *   alternative inside a group (`(?:^|\n)`) is a line start, `^`; inside a class it is dropped.
 */

export interface EreConversion {
  ere: string;
  /** What was approximated. */
  notes: string[];
}

export type EreResult = { ok: true; value: EreConversion } | { ok: false; reason: string };

const SHORTHAND: Record<string, { outside: string; inside: string | null }> = {
  d: { outside: '[0-9]', inside: '0-9' },
  D: { outside: '[^0-9]', inside: null },
  s: { outside: '[[:space:]]', inside: '[:space:]' },
  S: { outside: '[^[:space:]]', inside: null },
  w: { outside: '[[:alnum:]_]', inside: '[:alnum:]_' },
  W: { outside: '[^[:alnum:]_]', inside: null },
};
const COMPLEMENT: Record<string, string> = { D: 'd', S: 's', W: 'w' };

// Characters that are special in ERE outside a class and keep their backslash.
const ERE_SPECIAL = new Set(['.', '[', ']', '(', ')', '*', '+', '?', '{', '}', '|', '^', '$', '\\']);

export function jsRegexToEre(source: string, flags = ''): EreResult {
  if (/[im]/.test(flags)) return { ok: false, reason: `flags "${flags}" have no per-pattern ERE form` };
  const notes = new Set<string>();
  let out = '';
  let depth = 0;
  let i = 0;
  /** Whether the last thing emitted can take a quantifier's lazy `?` after it. */
  let afterQuantifier = false;

  const literal = (ch: string): string => (ERE_SPECIAL.has(ch) ? `\\${ch}` : ch === '\t' ? '\t' : ch);

  while (i < source.length) {
    const ch = source[i];
    const wasQuantifier = afterQuantifier;
    afterQuantifier = false;

    if (ch === '?' && wasQuantifier) {
      notes.add('lazy quantifier made greedy');
      i += 1;
      continue;
    }
    if (ch === '\\') {
      const next = source[i + 1];
      if (next === undefined) return { ok: false, reason: 'trailing backslash' };
      i += 2;
      if (next === 'n') {
        if (depth === 0) {
          notes.add('multi-line pattern: first line only');
          out += '$';
          break;
        }
        const prev = out[out.length - 1];
        if (prev === '(' || prev === '|') {
          out += '^';
          notes.add('\\n alternative as a line start');
          continue;
        }
        return { ok: false, reason: '\\n inside a group, not at an alternative start' };
      }
      if (next in SHORTHAND) out += SHORTHAND[next].outside;
      else if (next === 't') out += '\t';
      else if (next === 'b' || next === 'B') out += `\\${next}`;
      else if (/[1-9]/.test(next)) out += `\\${next}`;
      else if (next === 'u' || next === 'x') {
        const hex = next === 'u' ? source.slice(i, i + 4) : source.slice(i, i + 2);
        out += literal(String.fromCharCode(Number.parseInt(hex, 16)));
        i += hex.length;
      } else if (/[A-Za-z0-9]/.test(next)) return { ok: false, reason: `escape \\${next} has no ERE form` };
      else out += literal(next);
      continue;
    }
    if (ch === '[') {
      const parsed = parseClass(source, i);
      if (!parsed.ok) return parsed;
      out += parsed.ere;
      parsed.notes.forEach((n) => notes.add(n));
      i = parsed.end;
      continue;
    }
    if (ch === '(') {
      if (source.startsWith('(?:', i)) i += 3;
      else if (source.startsWith('(?<', i) && source[i + 3] !== '=' && source[i + 3] !== '!') {
        const close = source.indexOf('>', i);
        i = close + 1;
      } else if (source[i + 1] === '?') return { ok: false, reason: 'lookaround has no ERE form' };
      else i += 1;
      out += '(';
      depth += 1;
      continue;
    }
    if (ch === ')') {
      depth -= 1;
      out += ')';
      i += 1;
      continue;
    }
    if (ch === '*' || ch === '+' || ch === '?') {
      out += ch;
      i += 1;
      afterQuantifier = true;
      continue;
    }
    if (ch === '{') {
      const quantifier = /^\{\d+(,\d*)?\}/.exec(source.slice(i));
      if (quantifier) {
        out += quantifier[0];
        i += quantifier[0].length;
        afterQuantifier = true;
      } else {
        out += '\\{';
        i += 1;
      }
      continue;
    }
    if (ch === '}') {
      out += '\\}';
      i += 1;
      continue;
    }
    // . ^ $ | and literals (non-ASCII included) mean the same in ERE.
    out += ch === '\t' ? '\t' : ch;
    i += 1;
  }
  return { ok: true, value: { ere: out, notes: [...notes] } };
}

type ClassResult = { ok: true; ere: string; end: number; notes: string[] } | { ok: false; reason: string };

/** `[...]` starting at `start`: its ERE and the index just past it. */
function parseClass(source: string, start: number): ClassResult {
  let i = start + 1;
  const negated = source[i] === '^';
  if (negated) i += 1;
  const literals: string[] = [];
  const ranges: string[] = [];
  const posix: string[] = [];
  const negatedShorthands: string[] = [];
  const notes: string[] = [];
  while (i < source.length && source[i] !== ']') {
    let ch = source[i];
    let item: { kind: 'literal'; ch: string } | { kind: 'shorthand'; name: string } | null = null;
    if (ch === '\\') {
      const next = source[i + 1];
      i += 2;
      if (next === 'n' || next === 'r') {
        notes.push('\\n in a class dropped (never inside a line)');
        continue;
      }
      if (next in SHORTHAND) item = { kind: 'shorthand', name: next };
      else if (next === 't') item = { kind: 'literal', ch: '\t' };
      else item = { kind: 'literal', ch: next };
    } else {
      i += 1;
      item = { kind: 'literal', ch };
    }
    if (item.kind === 'shorthand') {
      const inside = SHORTHAND[item.name].inside;
      if (inside === null) negatedShorthands.push(item.name);
      else posix.push(inside);
      continue;
    }
    ch = item.ch;
    // A range a-z (the "-" not last).
    if (source[i] === '-' && source[i + 1] !== ']' && source[i + 1] !== undefined) {
      let to = source[i + 1];
      i += 2;
      if (to === '\\') {
        to = source[i];
        i += 1;
      }
      ranges.push(`${ch}-${to}`);
      continue;
    }
    literals.push(ch);
  }
  if (source[i] !== ']') return { ok: false, reason: 'unterminated character class' };
  const end = i + 1;

  if (negatedShorthands.length > 0) {
    // [\s\S], [\d\D], [\w\W]: anything (within a line).
    const complete = negatedShorthands.some((name) => posix.includes(SHORTHAND[COMPLEMENT[name]].inside ?? '\u0000'));
    if (complete && !negated) return { ok: true, ere: '.', end, notes: [...notes, '[\\s\\S] as .'] };
    return { ok: false, reason: `negated shorthand inside a class (\\${negatedShorthands[0]})` };
  }
  // POSIX placement: "]" first, "^" not first, "-" last.
  const hasBracket = literals.includes(']');
  const hasDash = literals.includes('-');
  const hasCaret = literals.includes('^');
  const rest = literals.filter((c) => c !== ']' && c !== '-' && c !== '^');
  const body = `${hasBracket ? ']' : ''}${ranges.join('')}${posix.join('')}${rest.join('')}${hasCaret ? '^' : ''}${hasDash ? '-' : ''}`;
  if (body.length === 0) return { ok: false, reason: 'empty class' };
  // A lone caret cannot come first in a non-negated class: it is then a plain escaped caret.
  const ere = body === '^' && !negated ? '\\^' : `[${negated ? '^' : ''}${body}]`;
  return { ok: true, ere, end, notes };
}
