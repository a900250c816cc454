/**
 * User-written regexes (rules' `match`, `traceback_lead`, a trader's `banner`) run on text the
 * monitored system writes, and a backtracking engine can spend forever on one line with
 * `(a+)+$`: the event loop freezes and not even SIGTERM is handled. So every user pattern
 * must be one V8's linear-time engine can run: V8 tries its usual engine first and, after
 * too many backtracks, runs the match again in linear time. Patterns that engine cannot run
 * (backreferences, lookaround, flag u, huge counted repeats) are rejected at load; flag i
 * is rewritten into case classes, which it can run.
 */
import v8 from 'node:v8';

let enabled = false;

/** Turns the fallback on (once, before any user regex is compiled: V8 decides at compile time). */
export function enableLinearRegexFallback(): void {
  if (enabled) return;
  enabled = true;
  // The first flag makes the `l` flag (linear engine only) available for checking a pattern.
  v8.setFlagsFromString('--enable-experimental-regexp-engine');
  v8.setFlagsFromString('--enable-experimental-regexp-engine-on-excessive-backtracks');
}
enableLinearRegexFallback();

/**
 * The flags a user pattern may carry (rules' `flags:`): those the linear engine runs, i through
 * linearForm. u (and v) run only on the backtracking engine.
 */
export const USER_REGEX_FLAGS = ['i', 'm', 's'] as const;
export const USER_REGEX_FLAGS_PATTERN = new RegExp(`^[${USER_REGEX_FLAGS.join('')}]*$`);

/** A user pattern as the linear engine can run it: flag i becomes case classes. */
export function linearForm(source: string, flags = ''): { source: string; flags: string } {
  if (!flags.includes('i')) return { source, flags };
  return { source: caseFolded(source), flags: flags.replace('i', '') };
}

/** Compiles a user pattern; throws the problem as an Error (load rejects these first). */
export function compileUserRegex(source: string, flags = ''): RegExp {
  const problem = userRegexProblem(source, flags);
  if (problem) throw new Error(problem);
  const form = linearForm(source, flags);
  return new RegExp(form.source, form.flags);
}

/** Why a pattern cannot be used (invalid, or not runnable in linear time), else null. */
export function userRegexProblem(source: string, flags = ''): string | null {
  try {
    new RegExp(source, flags);
  } catch (error) {
    return `invalid regular expression: ${(error as Error).message.replace(/^Invalid regular expression: /, '')}`;
  }
  const form = linearForm(source, flags);
  try {
    new RegExp(form.source, `${form.flags}l`);
    return null;
  } catch {
    return `${nonLinearReason(source, form.flags)}, which can make one log line take forever to match; barista only runs patterns that match in linear time`;
  }
}

/** Whether a regex built from user patterns (e.g. their alternation) still runs in linear time. */
export function isLinear(regex: RegExp): boolean {
  try {
    new RegExp(regex.source, `${regex.flags}l`);
    return true;
  } catch {
    return false;
  }
}

function nonLinearReason(source: string, flags: string): string {
  if (flags.includes('u')) return 'flag u is not supported (emoji and other text match as written without it)';
  if (/\\[1-9]|\\k</.test(source)) return 'backreferences (\\1, \\k<name>) are not supported';
  if (/\(\?<?[=!]/.test(source)) return 'lookahead and lookbehind ((?=…), (?!…), (?<=…), (?<!…)) are not supported';
  if (/\{\d{3,}/.test(source)) return 'a repeat count this large is not supported (use + or *)';
  return 'this pattern is too large to run in linear time (fewer or smaller repeat counts)';
}

/** `source` with every cased letter made a class of both cases, as flag i would match it (ASCII-safe). */
function caseFolded(source: string): string {
  let out = '';
  let inClass = false;
  for (let i = 0; i < source.length; i += 1) {
    const c = source[i] as string;
    if (c === '\\') {
      const length = 2 + escapePayloadLength(source, i + 1);
      const escape = source.slice(i, i + length);
      i += length - 1;
      // \x41 and \u0041 are letters too; \d, \w, \n… are not affected by flag i.
      const code = /^\\(?:x([0-9A-Fa-f]{2})|u([0-9A-Fa-f]{4}))$/.exec(escape);
      const others = code ? caseVariants(String.fromCharCode(parseInt(code[1] ?? code[2] ?? '', 16))).slice(1) : '';
      out += others === '' ? escape : inClass ? `${escape}${others}` : `[${escape}${others}]`;
      continue;
    }
    if (!inClass && c === '(' && source.startsWith('(?<', i) && !/^\(\?<[=!]/.test(source.slice(i))) {
      const close = source.indexOf('>', i); // a group name is not text: copy it as it is
      out += source.slice(i, close + 1);
      i = close;
      continue;
    }
    if (!inClass && c === '{' && /^\{\d+(,\d*)?\}/.test(source.slice(i))) {
      const close = source.indexOf('}', i);
      out += source.slice(i, close + 1);
      i = close;
      continue;
    }
    if (c === '[' && !inClass) {
      inClass = true;
      out += c;
      if (source[i + 1] === '^') out += source[++i];
      continue;
    }
    if (c === ']' && inClass) {
      inClass = false;
      out += c;
      continue;
    }
    if (inClass && source[i + 1] === '-' && source[i + 2] !== undefined && source[i + 2] !== ']' && source[i + 2] !== '\\') {
      const to = source[i + 2] as string;
      out += `${c}-${to}${otherCaseRange(c, to)}`;
      i += 2;
      continue;
    }
    const variants = caseVariants(c);
    out += variants === c ? c : inClass ? variants : `[${variants}]`;
  }
  return out;
}

/** The character and its other case(s), when it has a single-character one. */
function caseVariants(c: string): string {
  const set = new Set([c, c.toLowerCase(), c.toUpperCase()].filter((x) => x.length === 1));
  return [...set].join('');
}

/** The other case of a letter range's ASCII part (a-z → A-Z), or "". */
function otherCaseRange(from: string, to: string): string {
  const out: string[] = [];
  for (const [lo, hi, shift] of [['a', 'z', -32], ['A', 'Z', 32]] as const) {
    const start = Math.max(from.charCodeAt(0), lo.charCodeAt(0));
    const end = Math.min(to.charCodeAt(0), hi.charCodeAt(0));
    if (start <= end) out.push(`${String.fromCharCode(start + shift)}-${String.fromCharCode(end + shift)}`);
  }
  return out.join('');
}

/** Characters after an escape letter that belong to it: \\xHH, \\uHHHH, \\u{…}, \\cX, \\p{…}, \\k<name>. */
export function escapePayloadLength(source: string, letterAt: number): number {
  const letter = source[letterAt];
  const rest = source.slice(letterAt + 1);
  const payload =
    letter === 'x' ? /^[0-9A-Fa-f]{2}/.exec(rest) : letter === 'u' ? /^(?:[0-9A-Fa-f]{4}|\{[0-9A-Fa-f]+\})/.exec(rest) : letter === 'c' ? /^[A-Za-z]/.exec(rest) : letter === 'p' || letter === 'P' ? /^\{[^}]*\}/.exec(rest) : letter === 'k' ? /^<[^>]*>/.exec(rest) : null;
  return payload ? payload[0].length : 0;
}
