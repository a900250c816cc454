/** The trader's life: started, exited, interrupted, paused, resumed, stale, recovered. */
import type { BaristaEvent } from '../../model/BaristaEvent';
import { cutText } from './discordLimits';
import { type EventDesign, fieldsOf, type FieldSpec, leadFromText, withEventTime } from './eventEmbed';
import { COLORS, strong, subjectOf } from './eventStyle';
import { duration, identifier, list, time } from './fieldFormats';
import { discordTime, finiteNumber, formatDuration } from './formatValues';
import { markdownText } from './sanitizeText';

function who(event: BaristaEvent): string {
  return markdownText(cutText(subjectOf(event), 120));
}

/** What identifies a running trader: the same fields whatever event reports it. */
const PROCESS_FIELDS: readonly FieldSpec[] = [
  { key: 'pid', label: 'PID', format: identifier },
  { key: 'mode', label: 'Mode' },
  { key: ['model_dir', 'model'], label: 'Model' },
  { key: 'timeframe', label: 'Timeframe' },
  { key: 'tickers', label: 'Tickers', format: list },
  // The trader's files (its one name is the title): `log_file` is its --log-file, the CSV.
  { key: 'log', label: 'Log' },
  { key: ['csv_file', 'log_csv', 'log_file'], label: 'CSV' },
  { key: 'heartbeat', label: 'Heartbeat' },
];

/** A log tail (from `trader.exited`) or multi-line text, keeping its end. */
function tailOf(event: BaristaEvent) {
  const fields = fieldsOf(event);
  const tail = fields.log_tail ?? fields.tail;
  const text = Array.isArray(tail) ? tail.map(String).join('\n') : typeof tail === 'string' ? tail : typeof event.text === 'string' && event.text.includes('\n') ? event.text : null;
  return text === null || text.trim() === '' ? null : { text, keep: 'tail' as const };
}

function simple(title: (event: BaristaEvent) => string, sentence: (event: BaristaEvent) => string, color?: number, fields: readonly FieldSpec[] = PROCESS_FIELDS): EventDesign {
  return {
    title,
    ...(color !== undefined ? { color: () => color } : {}),
    lead: (event) => withEventTime([sentence(event), leadFromText(event)], event),
    fields,
    hidden: ['trader'],
  };
}

/** `trader.below_expected` / `trader.expected_ok` from the process probe: how many run of how many expected. */
function headcount(event: BaristaEvent, shortage: boolean): string {
  const fields = fieldsOf(event);
  const running = finiteNumber(fields.running ?? fields.count);
  const expected = finiteNumber(fields.expected);
  if (running === null || expected === null) return shortage ? '⚠️ Fewer traders running than expected' : '✅ The expected traders are running';
  if (!shortage) return `✅ ${running} of ${expected} expected trader${expected === 1 ? '' : 's'} running again`;
  return running === 0 ? `🚨 No trader running (${expected} expected)` : `⚠️ Only ${running}/${expected} traders running`;
}

const HEADCOUNT_FIELDS: readonly FieldSpec[] = [{ key: 'pids', label: 'Running PIDs', format: list }];

export const traderDesigns: Record<string, EventDesign> = {
  'trader.below_expected': { title: (e) => headcount(e, true), lead: (e) => withEventTime([leadFromText(e)], e), fields: HEADCOUNT_FIELDS, hidden: ['running', 'count', 'expected', 'class', 'paused'] },
  'trader.expected_ok': { title: (e) => headcount(e, false), color: () => COLORS.good, lead: (e) => withEventTime([leadFromText(e)], e), fields: HEADCOUNT_FIELDS, hidden: ['running', 'count', 'expected', 'class', 'paused'] },
  'trader.started': simple(
    (e) => `🚀 Trader started · ${who(e)}`,
    (e) => `${strong(subjectOf(e))} is running.`,
    COLORS.good,
  ),
  'trader.exited': {
    title: (e) => `⏹️ Trader exited · ${who(e)}`,
    lead(e) {
      const fields = fieldsOf(e);
      const code = finiteNumber(fields.exit_code);
      const signal = typeof fields.signal === 'string' && fields.signal !== '' ? fields.signal : null;
      const how = signal ? ` (${markdownText(cutText(signal, 20))})` : code !== null ? ` with exit code ${code}` : '';
      return withEventTime([`${strong(subjectOf(e))} is no longer running${how}.`], e);
    },
    code: tailOf,
    fields: [{ key: ['runtime_s', 'uptime_s'], label: 'Ran for', format: duration }, { key: 'exit_code', label: 'Exit code', format: identifier }, ...PROCESS_FIELDS],
    hidden: ['trader', 'log_tail', 'tail', 'signal'],
  },
  'trader.interrupted': simple(
    (e) => `🛑 Trader interrupted · ${who(e)}`,
    (e) => `${strong(subjectOf(e))} received an interrupt and is stopping after its current sleep.`,
  ),
  'trader.paused': simple(
    (e) => `⏸️ Trader paused · ${who(e)}`,
    (e) => `${strong(subjectOf(e))} is stopped (SIGSTOP): it polls nothing until resumed.`,
  ),
  'trader.resumed': simple(
    (e) => `▶️ Trader resumed · ${who(e)}`,
    (e) => `${strong(subjectOf(e))} is running again.`,
    COLORS.good,
  ),
  'trader.stale': {
    title: (e) => `⏰ ${who(e)} is stale`,
    lead(e) {
      const fields = fieldsOf(e);
      const last = discordTime(fields.last_poll, 'R');
      // Overdue is measured when barista noticed; a live "due … ago" beside it would disagree.
      const due = discordTime(fields.next_poll_scheduled, 'T');
      const overdue = finiteNumber(fields.overdue_s);
      const missed = due ? `the poll due at ${due} had not come${overdue !== null ? ` ${formatDuration(overdue)} later` : ''}` : overdue !== null ? `${formatDuration(overdue)} overdue` : null;
      const parts = [last ? `last poll ${last}` : 'no recent poll', missed].filter(Boolean);
      return withEventTime([`${strong(subjectOf(e))} has not polled: ${parts.join('; ')}.`], e);
    },
    fields: [
      { key: 'last_poll', label: 'Last poll', format: time },
      { key: 'next_poll_scheduled', label: 'Next poll due', format: time },
      { key: 'overdue_s', label: 'Overdue when seen', format: duration },
      { key: 'grace_s', label: 'Grace', format: duration },
      { key: 'pid', label: 'PID', format: identifier },
      { key: 'poll_count', label: 'Poll #', format: identifier },
      { key: 'timeframe', label: 'Timeframe' },
    ],
    hidden: ['trader', 'heartbeat_at'],
  },
  'trader.recovered': {
    title: (e) => `✅ ${who(e)} recovered`,
    color: () => COLORS.good,
    lead(e) {
      const fields = fieldsOf(e);
      const restarted = fields.restarted === true && fields.pid !== undefined ? ` as a new process (pid ${identifier(fields.pid)}, was ${identifier(fields.previous_pid ?? '?')})` : '';
      const staleFor = finiteNumber(fields.stale_for_s);
      return withEventTime([`${strong(subjectOf(e))} is polling again${restarted}${staleFor !== null ? ` after ${formatDuration(staleFor)}` : ''}.`], e);
    },
    fields: [
      { key: 'stale_for_s', label: 'Stale for', format: duration },
      { key: 'last_poll', label: 'Last poll', format: time },
      { key: 'next_poll_scheduled', label: 'Next poll due', format: time },
      { key: 'pid', label: 'PID', format: identifier },
      { key: 'poll_count', label: 'Poll #', format: identifier },
    ],
    hidden: ['trader', 'heartbeat_at', 'restarted', 'previous_pid'],
  },
};
