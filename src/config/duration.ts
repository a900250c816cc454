/** Durations in rules.yaml: "500ms", "10s", "2m", "4h", "1d", combinations like "1h30m", or a number of seconds. */

const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/g;
export const DURATION_PATTERN = '^(\\d+(\\.\\d+)?(ms|s|m|h|d))+$';

export function parseDuration(value: string | number): number {
  if (typeof value === 'number') return Math.round(value * 1000);
  if (!new RegExp(DURATION_PATTERN).test(value)) throw new Error(`not a duration: "${value}" (use e.g. 500ms, 10s, 2m, 4h, 1d)`);
  let total = 0;
  for (const [, amount, unit] of value.matchAll(PART)) total += Number(amount) * UNIT_MS[unit];
  return Math.round(total);
}

export function formatDuration(ms: number): string {
  if (ms % 86_400_000 === 0 && ms > 0) return `${ms / 86_400_000}d`;
  if (ms % 3_600_000 === 0 && ms > 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0 && ms > 0) return `${ms / 60_000}m`;
  if (ms % 1_000 === 0) return `${ms / 1_000}s`;
  return `${ms}ms`;
}
