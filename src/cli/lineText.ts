/** Text for one line of a host command's listing (audit, outbox): no control characters, second precision. */

/** Control characters (newlines, escapes) become one space: a row stays one line and cannot move the cursor. */
export function oneLine(text: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are what is replaced
  return text.replace(/[\u0000-\u001f\u007f]+/g, ' ');
}

/** `2026-12-03T07:00:00Z`. */
export function isoSeconds(at: number): string {
  return new Date(at).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
