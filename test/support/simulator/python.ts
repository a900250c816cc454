/**
 * Python's text renderings of numbers and values, so simulated lines are what `print(f"…")`,
 * `repr()` and `json.dump()` really produce (`0.0` not `0`, half-even rounding, `1e-05`, …).
 */

/** An integer that Python prints without `.0` (JS numbers do not know int from float). */
export class PyInt {
  constructor(readonly value: number) {}
}

export type PyValue = string | number | boolean | null | PyInt | readonly PyValue[] | { readonly [key: string]: PyValue };

/** Exact binary decomposition: |value| = mantissa × 2^exponent. */
function decompose(value: number): { mantissa: bigint; exponent: number } {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, Math.abs(value));
  const high = view.getUint32(0);
  const low = view.getUint32(4);
  const biased = (high >>> 20) & 0x7ff;
  const fraction = (BigInt(high & 0xfffff) << 32n) | BigInt(low);
  if (biased === 0) return { mantissa: fraction, exponent: -1074 };
  return { mantissa: fraction | (1n << 52n), exponent: biased - 1075 };
}

/** `f"{value:.{digits}f}"`: correctly rounded, ties to even, on the exact binary value. */
export function formatFixed(value: number, digits: number): string {
  if (Number.isNaN(value)) return 'nan';
  if (!Number.isFinite(value)) return value > 0 ? 'inf' : '-inf';
  const negative = value < 0 || Object.is(value, -0);
  const { mantissa, exponent } = decompose(value);
  let numerator = mantissa * 10n ** BigInt(digits);
  let denominator = 1n;
  if (exponent >= 0) numerator <<= BigInt(exponent);
  else denominator <<= BigInt(-exponent);
  let quotient = numerator / denominator;
  const twiceRemainder = (numerator % denominator) * 2n;
  if (twiceRemainder > denominator || (twiceRemainder === denominator && quotient % 2n === 1n)) quotient += 1n;
  const text = quotient.toString().padStart(digits + 1, '0');
  const whole = text.slice(0, text.length - digits);
  const fraction = text.slice(text.length - digits);
  return `${negative ? '-' : ''}${whole}${digits > 0 ? `.${fraction}` : ''}`;
}

/** `f"{value:+.{digits}f}"`. */
export function formatSigned(value: number, digits: number): string {
  const text = formatFixed(value, digits);
  return text.startsWith('-') ? text : `+${text}`;
}

/** `f"{value:,.{digits}f}"`. */
export function formatThousands(value: number, digits: number): string {
  const text = formatFixed(value, digits);
  const sign = text.startsWith('-') ? '-' : '';
  const [whole = '', fraction] = text.replace('-', '').split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${sign}${grouped}${fraction === undefined ? '' : `.${fraction}`}`;
}

/** Shortest round-trip digits and the decimal exponent of the first digit. */
function shortestDigits(value: number): { digits: string; exponent: number } {
  const [mantissa = '0', exp = '0'] = Math.abs(value).toExponential().split('e');
  return { digits: mantissa.replace('.', ''), exponent: Number(exp) };
}

/** `repr(float)`: shortest round-trip, always with a dot or exponent (`0.0`, `1e-05`, `1e+16`). */
export function pyFloatRepr(value: number): string {
  if (Number.isNaN(value)) return 'nan';
  if (!Number.isFinite(value)) return value > 0 ? 'inf' : '-inf';
  const sign = value < 0 || Object.is(value, -0) ? '-' : '';
  if (value === 0) return `${sign}0.0`;
  const { digits, exponent } = shortestDigits(value);
  const pointAt = exponent + 1;
  if (pointAt > -4 && pointAt <= 16) {
    if (pointAt <= 0) return `${sign}0.${'0'.repeat(-pointAt)}${digits}`;
    if (pointAt >= digits.length) return `${sign}${digits}${'0'.repeat(pointAt - digits.length)}.0`;
    return `${sign}${digits.slice(0, pointAt)}.${digits.slice(pointAt)}`;
  }
  const mantissa = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
  const expSign = exponent < 0 ? '-' : '+';
  return `${sign}${mantissa}e${expSign}${String(Math.abs(exponent)).padStart(2, '0')}`;
}

/** `f"{value:.{precision}g}"` (tqdm/Optuna "Best value: 0.0182133"). */
export function formatGeneral(value: number, precision = 6): string {
  if (value === 0) return Object.is(value, -0) ? '-0' : '0';
  if (!Number.isFinite(value)) return pyFloatRepr(value);
  const [mantissa = '0', exp = '0'] = value.toExponential(precision - 1).split('e');
  const exponent = Number(exp);
  const strip = (text: string): string => (text.includes('.') ? text.replace(/0+$/, '').replace(/\.$/, '') : text);
  if (exponent >= -4 && exponent < precision) return strip(formatFixed(value, precision - 1 - exponent));
  const expSign = exponent < 0 ? '-' : '+';
  return `${strip(mantissa)}e${expSign}${String(Math.abs(exponent)).padStart(2, '0')}`;
}

/** `round(value, digits)` for a Python float (correctly rounded, ties to even). */
export function pyRound(value: number, digits: number): number {
  return Number(formatFixed(value, digits));
}

function pyStringRepr(text: string): string {
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
  const escaped = text
    .replace(/\\/g, '\\\\')
    .replace(/\n/g, '\\n')
    .replace(/\r/g, '\\r')
    .replace(/\t/g, '\\t');
  return quote + (quote === "'" ? escaped.replace(/'/g, "\\'") : escaped) + quote;
}

/** `repr(value)` / `str(list)` as Python prints it: `['BTC/USD', 'ETH/USD']`, `[0.0, -0.0312]`. */
export function pyRepr(value: PyValue): string {
  if (value === null) return 'None';
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'number') return pyFloatRepr(value);
  if (typeof value === 'string') return pyStringRepr(value);
  if (value instanceof PyInt) return String(value.value);
  if (Array.isArray(value)) return `[${(value as readonly PyValue[]).map(pyRepr).join(', ')}]`;
  const entries = Object.entries(value as { readonly [key: string]: PyValue });
  return `{${entries.map(([key, item]) => `${pyStringRepr(key)}: ${pyRepr(item)}`).join(', ')}}`;
}

/** A JSON string as Python's json module writes it (ensure_ascii: everything outside ' '..'~' escaped). */
function jsonString(text: string): string {
  return JSON.stringify(text).replace(/[^\x20-\x7e]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function jsonNumber(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? 'Infinity' : '-Infinity';
  return pyFloatRepr(value);
}

/** `json.dumps(value, indent=indent)` (or compact `", "`/`": "` separators without indent). */
export function pyJsonDumps(value: PyValue, indent?: number, level = 0): string {
  if (value === null) return 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') return jsonNumber(value);
  if (typeof value === 'string') return jsonString(value);
  if (value instanceof PyInt) return String(value.value);
  const isList = Array.isArray(value);
  const items: string[] = isList
    ? (value as readonly PyValue[]).map((item) => pyJsonDumps(item, indent, level + 1))
    : Object.entries(value as { readonly [key: string]: PyValue }).map(
        ([key, item]) => `${jsonString(key)}: ${pyJsonDumps(item, indent, level + 1)}`,
      );
  const [open, close] = isList ? ['[', ']'] : ['{', '}'];
  if (items.length === 0) return open + close;
  if (indent === undefined) return `${open}${items.join(', ')}${close}`;
  const inner = '\n' + ' '.repeat(indent * (level + 1));
  return `${open}${inner}${items.join(`,${inner}`)}\n${' '.repeat(indent * level)}${close}`;
}
