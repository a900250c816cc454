/**
 * Matching events by type, severity, source and subject: the `match:` of a route in rules.yaml
 * and the matcher of a mute. Compiled once into predicates so a busy stream does no parsing.
 *
 * Globs on labels: `*` matches any run of characters (dots included, so `trade.*` matches
 * `trade.executed` and `*` matches everything), `?` one character; anything else is literal.
 * Within one key a list means any of them; across keys all must hold; no key matches all.
 */
import type { BaristaEvent } from '../../model/BaristaEvent';
import type { EventMatch } from '../../model/eventMatch';


export type MatchedEvent = Pick<BaristaEvent, 'type' | 'severity' | 'source' | 'subject'>;
export type EventPredicate = (event: MatchedEvent) => boolean;
export type TextPredicate = (value: string) => boolean;

const listOf = <T>(value: T | readonly T[] | undefined): readonly T[] => (value === undefined ? [] : Array.isArray(value) ? (value as readonly T[]) : [value as T]);
const hasWildcard = (pattern: string) => /[*?]/.test(pattern);

/** The body of a regex for one glob (no anchors). */
function globSource(pattern: string): string {
  let out = '';
  for (const c of pattern) {
    if (c === '*') out += '.*';
    else if (c === '?') out += '.';
    else out += c.replace(/[.+^${}()|[\]\\/-]/g, '\\$&');
  }
  return out;
}

/** One predicate for a list of globs: exact names by set lookup, wildcards by one regex. */
export function compileGlobs(patterns: string | readonly string[]): TextPredicate {
  const list = listOf(patterns);
  if (list.includes('*')) return () => true;
  const exact = new Set(list.filter((p) => !hasWildcard(p)));
  const wild = list.filter(hasWildcard);
  const regex = wild.length ? new RegExp(`^(?:${wild.map(globSource).join('|')})$`, 's') : null;
  if (!regex) return exact.size === 1 ? ((only) => (value: string) => value === only)([...exact][0]) : (value) => exact.has(value);
  if (exact.size === 0) return (value) => regex.test(value);
  return (value) => exact.has(value) || regex.test(value);
}

/** A predicate for a whole match; only the keys present are checked. */
export function compileEventMatcher(match: EventMatch): EventPredicate {
  const checks: EventPredicate[] = [];
  if (match.type !== undefined) {
    const type = compileGlobs(match.type);
    checks.push((e) => type(e.type));
  }
  if (match.severity !== undefined) {
    const severities = new Set<string>(listOf(match.severity));
    checks.push((e) => severities.has(e.severity));
  }
  if (match.source !== undefined) {
    const source = compileGlobs(match.source);
    checks.push((e) => source(e.source));
  }
  if (match.subject !== undefined) {
    const subject = compileGlobs(match.subject);
    checks.push((e) => subject(e.subject));
  }
  if (checks.length === 0) return () => true;
  if (checks.length === 1) return checks[0];
  return (e) => checks.every((check) => check(e));
}
