/**
 * What a user typed, as a trader or worker name: never trusted. A name is accepted only when it
 * is exactly one of the names barista already knows (the configuration's traders, the process
 * list's workers); it is then the KNOWN string that is used, never the typed one. Nothing typed
 * ever reaches a path, an argv or a shell. The reasons say why, without echoing the input back
 * (it may be 10 KB, or a mention).
 */

export const MAX_NAME_LENGTH = 64;

export type NameCheck = { ok: true; name: string } | { ok: false; reason: string };

/** Why a typed name cannot be a name at all, before it is looked up; null when it could be. */
export function nameShapeProblem(input: string): string | null {
  if (input.length === 0) return 'no name given';
  if (input.length > MAX_NAME_LENGTH) return `a name is at most ${MAX_NAME_LENGTH} characters (got ${input.length})`;
  if (/<[@#&!:]/.test(input) || /@(everyone|here)\b/.test(input)) return 'a mention is not a name';
  if (input.includes('/') || input.includes('\\') || input.includes('..')) return 'a name is not a path';
  // eslint-disable-next-line no-control-regex -- refusing control characters is the point
  if (/[\u0000-\u001f\u007f]/.test(input)) return 'a name has no control characters';
  if (/[;&|`$<>(){}[\]*?!~'"\s]/.test(input)) return 'a name has no shell characters or spaces';
  if (!/^[A-Za-z0-9][A-Za-z0-9_.:-]*$/.test(input)) return 'a name is letters, digits, "_", "-", "." and ":"';
  return null;
}

/** The known name the input names (exact match; letter case ignored when that is unambiguous). */
export function checkName(input: string | null | undefined, known: readonly string[], what = 'trader'): NameCheck {
  const list = () => (known.length ? known.join(', ') : 'none');
  if (input === null || input === undefined || input === '') {
    if (known.length === 1) return { ok: true, name: known[0] };
    return { ok: false, reason: known.length === 0 ? `no ${what} is configured` : `say which ${what}: ${list()}` };
  }
  const problem = nameShapeProblem(input);
  if (problem) return { ok: false, reason: `not a ${what} name: ${problem}` };
  if (known.includes(input)) return { ok: true, name: input };
  const folded = known.filter((name) => name.toLowerCase() === input.toLowerCase());
  if (folded.length === 1) return { ok: true, name: folded[0] };
  return { ok: false, reason: `no ${what} "${input}" (${what}s: ${list()})` };
}
