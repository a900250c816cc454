/**
 * How numbers, times and arbitrary field values read in messages. Returns plain text: callers
 * put it through `markdownText` or `codeText` where it holds anything untrusted.
 * Every formatter accepts anything (events come from files): NaN, ±Infinity, huge numbers,
 * numeric strings, nested objects.
 */

const DASH = '—';

/** A number from a number or a numeric string ("2712.50", "NaN", "-Infinity"); null otherwise. */
function asNumber(value: unknown): number | null {
  if (typeof value === 'number') return value;
  if (typeof value !== 'string') return null;
  const text = value.trim();
  if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) return Number(text);
  if (text === 'NaN') return NaN;
  if (/^[+-]?(Infinity|inf)$/i.test(text)) return text.startsWith('-') ? -Infinity : Infinity;
  return null;
}

/** A finite number, or null. */
export function finiteNumber(value: unknown): number | null {
  const number = asNumber(value);
  return number !== null && Number.isFinite(number) ? number : null;
}

/** Anything that is not a number, as text (objects without a prototype have no toString). */
function notANumber(value: unknown): string {
  return value === undefined || value === null ? DASH : formatAny(value, 200);
}

/** Any untrusted value as text: strings as they are, everything else through formatAny. */
export function textOf(value: unknown, budget = 1024): string {
  return typeof value === 'string' ? value : formatAny(value, budget);
}

function nonFinite(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  return value > 0 ? '∞' : '-∞';
}

/**
 * What `Intl.NumberFormat('en-US', { maximumFractionDigits, minimumFractionDigits })` writes
 * (1,234.5), without Intl: its first use maps ~6 MB of ICU locale data into barista's memory.
 * Like ICU, it rounds the number's shortest decimal form half away from zero (1.005 → 1.01),
 * on the digits as text: arithmetic on the binary value would round some halves the other way.
 */
export function formatGrouped(value: number, maxFractionDigits: number, minFractionDigits = 0): string {
  if (!Number.isFinite(value)) return nonFinite(value);
  const size = Math.abs(value);
  if (size >= 1e21) return String(value); // exponent form; callers stop well before
  const sign = value < 0 || Object.is(value, -0) ? '-' : '';
  const [whole, fraction] = plainDecimal(size);
  let digits = whole + fraction.slice(0, maxFractionDigits).padEnd(maxFractionDigits, '0');
  if ((fraction[maxFractionDigits] ?? '0') >= '5') digits = incremented(digits);
  const wholeDigits = digits.slice(0, digits.length - maxFractionDigits) || '0';
  const kept = digits.slice(digits.length - maxFractionDigits).replace(/0+$/, '').padEnd(minFractionDigits, '0');
  return `${sign}${wholeDigits.replace(/\B(?=(\d{3})+$)/g, ',')}${kept ? `.${kept}` : ''}`;
}

/** The whole and fraction digits of a non-negative number below 1e21, from its shortest form ("1.5e-7" → "0", "00000015"). */
function plainDecimal(size: number): [string, string] {
  const [mantissa, exponentText] = String(size).split('e');
  const [whole, fraction = ''] = mantissa!.split('.');
  const exponent = Number(exponentText ?? 0);
  if (exponent >= 0) return [whole! + fraction.slice(0, exponent).padEnd(exponent, '0'), fraction.slice(exponent)];
  return ['0', '0'.repeat(-exponent - 1) + whole! + fraction];
}

/** A string of decimal digits plus one ("0999" → "1000"). */
function incremented(digits: string): string {
  let i = digits.length - 1;
  while (i >= 0 && digits[i] === '9') i -= 1;
  if (i < 0) return `1${'0'.repeat(digits.length)}`;
  return digits.slice(0, i) + String(Number(digits[i]) + 1) + '0'.repeat(digits.length - i - 1);
}

/** 1,234 (a count). */
export function formatCount(count: number): string {
  return formatGrouped(count, 0);
}

/** Beyond this a number is written in exponent form instead of 20 digits. */
const HUGE = 1e15;

/** 1,234.5678 (up to `fractionDigits` decimals), 1.23e+20 when huge, 1.2e-9 when tiny. */
export function formatNumber(value: unknown, fractionDigits = 4): string {
  const number = asNumber(value);
  if (number === null) return notANumber(value);
  if (!Number.isFinite(number)) return nonFinite(number);
  const size = Math.abs(number);
  if (size >= HUGE || (size !== 0 && size < 10 ** -fractionDigits)) return number.toPrecision(3).replace(/\.?0+e/, 'e');
  return formatGrouped(number, fractionDigits);
}

/** $1,234.56; under a dollar up to 4 decimals ($0.1234), under a cent 4 significant digits ($0.004529); -$5.00. */
export function formatMoney(value: unknown): string {
  const number = asNumber(value);
  if (number === null) return notANumber(value);
  if (!Number.isFinite(number)) return nonFinite(number);
  const size = Math.abs(number);
  const sign = number < 0 ? '-' : '';
  if (size >= HUGE) return `${sign}$${size.toPrecision(3)}`;
  if (size !== 0 && size < 0.01) return `${sign}$${size < 1e-6 ? size.toPrecision(3) : String(Number(size.toPrecision(4)))}`;
  if (size < 1) return `${sign}$${formatGrouped(size, 4, 2)}`;
  return `${sign}$${formatGrouped(size, 2, 2)}`;
}

/** Quantities as the trader writes them (6 decimals), trailing zeros dropped: 0.012345, 3, 1,250.5. */
export function formatQuantity(value: unknown): string {
  return formatNumber(value, 6);
}

/** +3.20% / -1.05% from a number already in percent. */
export function formatSignedPercent(value: unknown): string {
  const number = asNumber(value);
  if (number === null) return notANumber(value);
  if (!Number.isFinite(number)) return `${nonFinite(number)}%`;
  if (Math.abs(number) >= HUGE) return `${number > 0 ? '+' : ''}${number.toPrecision(3)}%`;
  return `${number > 0 ? '+' : ''}${formatGrouped(number, 2, 2)}%`;
}

/** An objective value (Sharpe, return): 6 significant digits. */
export function formatObjective(value: unknown): string {
  const number = asNumber(value);
  if (number === null) return notANumber(value);
  if (!Number.isFinite(number)) return nonFinite(number);
  return String(Number(number.toPrecision(6)));
}

/** 45 s, 3 min 20 s, 1 h 05 min, 2 d 3 h. */
export function formatDuration(secondsValue: unknown): string {
  const seconds = asNumber(secondsValue);
  if (seconds === null) return notANumber(secondsValue);
  if (!Number.isFinite(seconds)) return nonFinite(seconds);
  const sign = seconds < 0 ? '-' : '';
  const s = Math.abs(seconds);
  if (s < 1) return `${sign}${formatNumber(s, 2)} s`;
  if (s < 60) return `${sign}${Math.round(s)} s`;
  if (s < 3600) return `${sign}${Math.floor(s / 60)} min${s % 60 >= 1 ? ` ${Math.floor(s % 60)} s` : ''}`;
  if (s < 86_400) return `${sign}${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`;
  if (s > 1e12) return `${sign}${formatNumber(s / 86_400, 0)} d`;
  return `${sign}${Math.floor(s / 86_400)} d ${Math.floor((s % 86_400) / 3600)} h`;
}

/** Milliseconds since the epoch, from an ISO string or a number of ms; null when not a valid time. */
export function timeOf(at: unknown): number | null {
  const ms = typeof at === 'number' ? at : typeof at === 'string' ? Date.parse(at) : NaN;
  // Discord timestamps and Date.toISOString() both need a representable date.
  return Number.isFinite(ms) && Math.abs(ms) <= 8.64e15 ? ms : null;
}

type DiscordTimeStyle = 't' | 'T' | 'd' | 'D' | 'f' | 'F' | 'R';

/** `<t:UNIX:style>`: Discord shows it in each reader's own time zone (R: "5 minutes ago"). Null when not a time. */
export function discordTime(at: unknown, style: DiscordTimeStyle = 'f'): string | null {
  const ms = timeOf(at);
  return ms === null ? null : `<t:${Math.floor(ms / 1000)}:${style}>`;
}

/** `<t:…:f> (<t:…:R>)`, or null. */
export function discordTimeWithRelative(at: unknown): string | null {
  const absolute = discordTime(at, 'f');
  return absolute === null ? null : `${absolute} (${discordTime(at, 'R')})`;
}

/** 2026-02-05 16:52:05 UTC (for code blocks and plain text, where <t:…> does not render). */
export function utcDateTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** 16:52:05 (UTC). */
export function utcClock(ms: number): string {
  return new Date(ms).toISOString().slice(11, 19);
}

/**
 * Any value as short readable text, at most about `budget` characters (the rest is cut with "…"):
 * strings as they are, numbers grouped, booleans yes/no, lists and objects compact and depth-limited.
 */
export function formatAny(value: unknown, budget = 1024): string {
  const parts: string[] = [];
  let used = 0;
  let full = false;
  const push = (text: string) => {
    if (full) return;
    if (used + text.length > budget) {
      parts.push(text.slice(0, Math.max(0, budget - used)), '…');
      full = true;
      return;
    }
    parts.push(text);
    used += text.length;
  };
  const walk = (item: unknown, depth: number, seen: Set<object>) => {
    if (full) return;
    if (item === null || item === undefined) return push(DASH);
    if (typeof item === 'string') return push(depth === 0 ? item : JSON.stringify(item.length > budget ? `${item.slice(0, budget)}…` : item));
    if (typeof item === 'number') return push(formatNumber(item, 6));
    if (typeof item === 'boolean') return push(depth === 0 ? (item ? 'yes' : 'no') : String(item));
    if (typeof item === 'bigint') return push(item.toString());
    if (typeof item !== 'object') return push(String(item));
    if (seen.has(item) || depth >= 4) return push(Array.isArray(item) ? '[…]' : '{…}');
    seen.add(item);
    if (Array.isArray(item)) {
      push('[');
      item.forEach((element, index) => {
        if (index > 0) push(', ');
        walk(element, depth + 1, seen);
      });
      push(']');
    } else {
      const entries = Object.entries(item as Record<string, unknown>);
      if (depth > 0) push('{');
      entries.forEach(([key, element], index) => {
        if (index > 0) push(', ');
        push(`${key}: `);
        walk(element, depth + 1, seen);
      });
      if (depth > 0) push('}');
    }
    seen.delete(item);
  };
  walk(value, 0, new Set());
  const text = parts.join('');
  return text === '' ? DASH : text;
}

/**
 * Optuna params compact, one `name=value` per entry, for a code block. A string (the Python dict
 * a log line printed) is shown as it is.
 */
export function formatParams(params: unknown, budget = 1024): string | null {
  if (params === undefined || params === null) return null;
  if (typeof params !== 'object' || Array.isArray(params)) return formatAny(params, budget);
  const entries = Object.entries(params as Record<string, unknown>);
  if (entries.length === 0) return null;
  const lines: string[] = [];
  let used = 0;
  for (const [index, [name, value]] of entries.entries()) {
    const line = `${name}=${typeof value === 'number' ? formatParamNumber(value) : formatAny(value, 200)}`;
    if (used + line.length > budget) {
      lines.push(`… and ${entries.length - index} more`);
      break;
    }
    lines.push(line);
    used += line.length + 1;
  }
  return lines.join('\n');
}

/** Learning rates and the like keep their significant digits (3e-4, not 0.0003). */
function formatParamNumber(value: number): string {
  if (!Number.isFinite(value)) return nonFinite(value);
  if (Number.isInteger(value)) return Math.abs(value) >= HUGE ? value.toPrecision(3) : String(value);
  const size = Math.abs(value);
  return size < 1e-3 || size >= HUGE ? value.toExponential(3).replace(/\.?0+e/, 'e') : String(Number(value.toPrecision(6)));
}

/** "1 trade" / "12 trades", with the count grouped (10,000). */
export function plural(count: number, singular: string, pluralForm = `${singular}s`): string {
  return `${formatCount(count)} ${count === 1 ? singular : pluralForm}`;
}

/** Human span between two times: "2 min", "1 h 05 min", or null when under a second. */
export function formatSpan(fromMs: number, toMs: number): string | null {
  const seconds = Math.abs(toMs - fromMs) / 1000;
  return seconds < 1 ? null : formatDuration(Math.round(seconds));
}
