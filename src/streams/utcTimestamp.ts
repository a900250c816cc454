/**
 * Timestamps written by the trader (CSV rows, heartbeat, positions_state) are Python
 * `isoformat()` of aware UTC datetimes: "2026-02-09T07:02:01.734512+00:00". JavaScript's
 * Date.parse reads a string without an offset as *local* time, so the shape is checked here
 * and a missing offset is read as UTC (these files are UTC by construction).
 */

const ISO_INSTANT = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)(Z|[+-]\d{2}:?\d{2})?$/i;

/** Milliseconds since the epoch, or null when the text is not an ISO 8601 date-time. */
export function parseUtcTimestamp(text: string): number | null {
  const match = ISO_INSTANT.exec(text.trim());
  if (!match) return null;
  const [, date, time, offset] = match;
  // Date.parse keeps only milliseconds; Python writes microseconds.
  const clock = time.replace(/(\.\d{3})\d+$/, '$1');
  const zone = offset === undefined ? 'Z' : offset.length === 5 ? `${offset.slice(0, 3)}:${offset.slice(3)}` : offset;
  const ms = Date.parse(`${date}T${clock}${zone.toUpperCase()}`);
  return Number.isFinite(ms) ? ms : null;
}

/** The same instant as ISO 8601 UTC ("2026-02-09T07:02:01.734Z"), or null. */
export function toUtcIso(text: string): string | null {
  const ms = parseUtcTimestamp(text);
  return ms === null ? null : new Date(ms).toISOString();
}
