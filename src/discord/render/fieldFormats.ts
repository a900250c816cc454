/** Field formats for event designs: each turns an untrusted value into markdown-safe text. */
import { discordTimeWithRelative, formatAny, formatDuration, formatMoney, formatNumber, formatObjective, formatQuantity, formatSignedPercent } from './formatValues';
import { markdownText } from './sanitizeText';

type ValueFormat = (value: unknown) => string;

const escaped =
  (format: ValueFormat): ValueFormat =>
  (value) =>
    markdownText(format(value));

export const money = escaped(formatMoney);
export const quantity = escaped(formatQuantity);
export const number = escaped((value) => formatNumber(value));
export const objective = escaped(formatObjective);
export const duration = escaped(formatDuration);
export const signedPercent = escaped(formatSignedPercent);
/** GB with its number. */
export const gigabytes: ValueFormat = escaped((value) => {
  const text = formatNumber(value, 2);
  return /\d$/.test(text) ? `${text} GB` : text;
});
/** A value already in percent, unsigned: 12.5%. */
export const percent: ValueFormat = escaped((value) => {
  const text = formatNumber(value, 2);
  return /\d$/.test(text) || text.endsWith('∞') ? `${text}%` : text;
});
export const hours: ValueFormat = escaped((value) => {
  const text = formatNumber(value, 2);
  return /\d$/.test(text) ? `${text} h` : text;
});
/** A time as a Discord timestamp (each reader's zone) with a relative part; other text as is. */
export const time: ValueFormat = (value) => discordTimeWithRelative(value) ?? markdownText(formatAny(value));
/** Ids and counters (PID, exit code, line): digits as they are, never grouped. */
export const identifier: ValueFormat = (value) => markdownText(typeof value === 'number' && Number.isFinite(value) ? String(value) : formatAny(value, 200));
/** A list (tickers, trials): comma-separated. */
export const list: ValueFormat = (value) => markdownText(Array.isArray(value) ? value.map((item) => formatAny(item, 200)).join(', ') : formatAny(value));
