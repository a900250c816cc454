/**
 * Alerts (watchdog, monitors, host thresholds, barista's own warnings) in the old
 * "⚠️ WARNING Alert" style with the message and its Details, and the trader's risk events
 * (stop-loss, trailing stop, limits, portfolio protection) with their numbers as fields.
 */
import type { BaristaEvent } from '../../model/BaristaEvent';
import type { DiscordEmbedField } from '../DiscordMessage';
import { cutText, DISCORD_LIMITS } from './discordLimits';
import { type EventDesign, fieldsOf, type FieldSpec, withEventTime } from './eventEmbed';
import { COLORS, humanize, ownValue, severityEmoji, strong, subjectOf } from './eventStyle';
import { gigabytes, hours, identifier, money, number, percent, signedPercent } from './fieldFormats';
import { textOf } from './formatValues';
import { markdownText } from './sanitizeText';

function text(value: unknown): string | null {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : typeof value === 'number' ? String(value) : null;
}

function eventText(event: BaristaEvent): string | null {
  return text(event.text);
}

/** The alert's message: its `message` field, else its text's first line. */
function messageOf(event: BaristaEvent): string | null {
  return text(fieldsOf(event).message) ?? eventText(event)?.split('\n', 1)[0] ?? null;
}

/**
 * Title "⚠️ WARNING · <heading>", the message as description, the full text as Details when it
 * says more than the message (several lines go in a code block).
 */
export function alertDesign(heading: (event: BaristaEvent) => string, options: { fields?: readonly FieldSpec[]; hidden?: readonly string[] } = {}): EventDesign {
  return {
    title: (event) => `${severityEmoji(event.severity)} ${markdownText(String(event.severity ?? 'info').toUpperCase())} · ${heading(event)}`,
    lead(event) {
      const message = messageOf(event);
      return withEventTime([message === null ? null : markdownText(cutText(message, 1500))], event);
    },
    code(event) {
      const full = eventText(event);
      return full !== null && full.includes('\n') ? { text: full } : null;
    },
    more(event): DiscordEmbedField[] {
      const full = eventText(event);
      const message = messageOf(event);
      if (full === null || full.includes('\n') || full === message) return [];
      return [{ name: 'Details', value: markdownText(cutText(full, DISCORD_LIMITS.fieldValue)), inline: false }];
    },
    fields: options.fields ?? [],
    hidden: ['message', 'level', ...(options.hidden ?? [])],
  };
}

const named = (key: string, fallback: string) => (event: BaristaEvent) => {
  const value = text(fieldsOf(event)[key]);
  return value === null ? fallback : `${fallback}: ${markdownText(cutText(value, 120))}`;
};

export const watchdogAlertDesign = alertDesign(named('process', 'Watchdog'), {
  fields: [
    { key: 'check', label: 'Check' },
    { key: 'alpha_pct', label: 'Alpha', format: signedPercent },
    { key: 'threshold_pct', label: 'Threshold', format: signedPercent },
    { key: 'free_gb', label: 'Free memory', format: gigabytes },
    { key: 'threshold_gb', label: 'Threshold', format: gigabytes },
    { key: 'worker', label: 'Worker', format: identifier },
    { key: 'worker_gb', label: 'Worker memory', format: gigabytes },
    { key: 'limit_gb', label: 'Limit', format: gigabytes },
    { key: 'pid', label: 'PID', format: identifier },
  ],
  hidden: ['process'],
});

export const monitorAlertDesign = alertDesign(
  (event) => {
    const title = text(fieldsOf(event).title);
    return title === null ? 'Monitor alert' : markdownText(cutText(title, 160));
  },
  { fields: [{ key: 'trader', label: 'Trader' }], hidden: ['title', 'monitor'] },
);

export const monitorLevelDesign = alertDesign((event) => {
  const fields = fieldsOf(event);
  const from = text(fields.previous ?? fields.from ?? fields.previous_level);
  const to = text(fields.level ?? fields.to ?? fields.new_level);
  const change = from !== null && to !== null ? `${markdownText(cutText(from, 40))} → ${markdownText(cutText(to, 40))}` : to !== null ? markdownText(cutText(to, 40)) : 'level changed';
  return `Live performance ${change}`;
}, { hidden: ['previous', 'from', 'previous_level', 'to', 'new_level'] });

export const hostAlertDesign = alertDesign(
  (event) => {
    const metric = String(event.type ?? '').split('.').slice(1).join(' ') || 'host';
    return `Host ${markdownText(cutText(humanize(metric).toLowerCase(), 80))}`;
  },
  {
    fields: [
      { key: ['value', 'percent', 'used_pct', 'usage_pct'], label: 'Now', format: percent },
      { key: ['threshold', 'threshold_pct'], label: 'Threshold', format: percent },
      { key: ['mount', 'path', 'device'], label: 'Where' },
      { key: ['temperature_c', 'temp_c'], label: 'Temperature', format: (v) => `${number(v)} °C` },
    ],
  },
);

export const baristaWarningDesign = alertDesign(() => 'barista', {
  fields: [
    { key: 'reason', label: 'Reason' },
    { key: 'file', label: 'File' },
    { key: 'line', label: 'Line', format: identifier },
  ],
});

// ------------------------------------------------------------------------------------ risk

function symbol(event: BaristaEvent): string {
  const value = text(fieldsOf(event).symbol);
  return value === null ? '' : ` · ${markdownText(cutText(value, 60))}`;
}

function riskDesign(title: (event: BaristaEvent) => string, fields: readonly FieldSpec[], color?: (event: BaristaEvent) => number | undefined): EventDesign {
  return {
    title,
    ...(color ? { color } : {}),
    lead(event) {
      const line = eventText(event)?.split('\n', 1)[0];
      const who = strong(subjectOf(event));
      return withEventTime([line ? `${who}: ${markdownText(cutText(line, 1500))}` : who], event);
    },
    fields,
    hidden: ['symbol', 'trader', 'action'],
  };
}

const pctDown = (key: string, label: string): FieldSpec => ({ key, label, format: (v) => `-${percent(v)}` });

const PROTECTION: Record<string, { title: (event: BaristaEvent) => string; color?: number }> = {
  trailing_stop: { title: (e) => `🛡️ Portfolio trailing stop: down ${percent(fieldsOf(e).drawdown_pct)} from peak` },
  profit_taking: { title: (e) => `💰 Profit taking: portfolio up ${percent(fieldsOf(e).gain_pct)}`, color: COLORS.good },
  move_to_cash: { title: (e) => `💵 Move to cash: portfolio up ${percent(fieldsOf(e).gain_pct)}`, color: COLORS.good },
  new_high: { title: (e) => `🏔️ New portfolio high: ${money(fieldsOf(e).value)}`, color: COLORS.good },
  cooldown_expired: { title: () => '▶️ Cash-mode cooldown over: trading resumed' },
  cash_mode: { title: (e) => `💤 Cash mode: ${hours(fieldsOf(e).remaining_hours)} before re-entry` },
  initial_value: { title: (e) => `🏁 Initial portfolio value ${money(fieldsOf(e).value)}` },
};

export const riskDesigns: Record<string, EventDesign> = {
  'risk.stop_loss': riskDesign((e) => `🛑 Stop-loss${symbol(e)}`, [pctDown('pct', 'Down from entry'), { key: 'entry', label: 'Entry', format: money }], () => COLORS.bad),
  'risk.trailing_stop': riskDesign((e) => `📉 Trailing stop${symbol(e)}`, [pctDown('pct', 'Down from high'), { key: 'high', label: 'High', format: money }], () => COLORS.bad),
  'risk.concentration': riskDesign(
    (e) => {
      const action = text(fieldsOf(e).action);
      return `🛡️ Concentration limit${symbol(e)}${action ? ` (${markdownText(cutText(action, 40))})` : ''}`;
    },
    [
      { key: 'requested', label: 'Requested', format: number },
      { key: 'allowed', label: 'Allowed', format: number },
      { key: 'position_pct', label: 'Position', format: percent },
      { key: 'limit_pct', label: 'Limit', format: percent },
    ],
  ),
  'risk.position_limit': riskDesign((e) => `🛡️ Position limit${symbol(e)}`, [
    { key: 'requested', label: 'Requested', format: number },
    { key: 'allowed', label: 'Allowed', format: number },
    // The trader's "(at N% limit)" is the position's current share.
    { key: 'position_pct', label: 'Position', format: percent },
  ]),
  'risk.min_hold': riskDesign((e) => `⏳ Minimum hold${symbol(e)}`, [
    { key: 'held_hours', label: 'Held', format: hours },
    { key: 'min_hours', label: 'Minimum', format: hours },
  ]),
  'risk.portfolio_protection': riskDesign(
    (e) => {
      const action = textOf(fieldsOf(e).action ?? '');
      return ownValue(PROTECTION, action)?.title(e) ?? `🛡️ Portfolio protection${action ? `: ${markdownText(cutText(humanize(action), 80))}` : ''}`;
    },
    [
      { key: 'drawdown_pct', label: 'Drawdown', format: (v) => `-${percent(v)}` },
      { key: 'peak', label: 'Peak', format: money },
      { key: 'value', label: 'Value', format: money },
      { key: 'gain_pct', label: 'Gain', format: signedPercent },
      { key: 'sell_pct', label: 'Selling', format: percent },
      { key: 'target_pct', label: 'Target', format: percent },
      { key: ['hours', 'remaining_hours'], label: 'Hours', format: hours },
    ],
    (e) => ownValue(PROTECTION, fieldsOf(e).action)?.color,
  ),
  'risk.news': riskDesign(
    (e) => {
      const action = text(fieldsOf(e).action);
      return `📰 News${action ? ` (${markdownText(cutText(action, 40))})` : ''}${symbol(e)}`;
    },
    [
      { key: 'reduce_pct', label: 'Reduce by', format: percent },
      { key: 'reason', label: 'Reason', inline: false },
    ],
  ),
  'risk.macro_regime': riskDesign(
    (e) => {
      const regime = text(fieldsOf(e).regime);
      return `🌐 Macro regime${regime ? `: ${markdownText(cutText(regime, 60))}` : ''}`;
    },
    [
      { key: 'sizing_pct', label: 'Position sizing', format: percent },
      { key: 'reason', label: 'Reason', inline: false },
    ],
  ),
};

/** Any other risk.* type: its name as the title. */
export const riskGenericDesign = riskDesign((e) => `🛡️ ${markdownText(cutText(humanize(String(e.type ?? '').replace(/^risk\./, '')), 120))}${symbol(e)}`, []);
