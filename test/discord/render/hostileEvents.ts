/**
 * fast-check arbitraries for events of every type with long, odd and hostile values: mentions,
 * markdown, backticks, 10 KB strings, empty and invisible strings, lone surrogates, control
 * characters, secrets, huge numbers, NaN, nested objects. Reusable against the fake Discord.
 */
import fc from 'fast-check';
import type { BaristaEvent } from '../../../src/model/BaristaEvent';
import type { Notification } from '../../../src/streams/notify/Notification';

/** Looks like a real webhook URL; a test must check its token never shows. */
export const HOSTILE_WEBHOOK = 'https://discord.com/api/webhooks/1098765432109876543/Zx9_yW8-vU7tS6rQ5pO4nM3lK2jI1hG0fE9dC8bA7zY6xW5vU4tS3rQ2pO1nM0lK9jI';
export const HOSTILE_WEBHOOK_TOKEN = 'Zx9_yW8-vU7tS6rQ5pO4nM3lK2jI1hG0fE9dC8bA7zY6xW5vU4tS3rQ2pO1nM0lK9jI';
/** A bot-token-shaped string; register it as a secret in tests that check it never shows. */
export const HOSTILE_BOT_TOKEN = 'MTA5ODc2NTQzMjEwOTg3NjU0Mw.GhX1a2.abcdefghijklmnopqrstuvwxyz0123456789AB';

export const KNOWN_TYPES = [
  'trade.executed',
  'position.closed',
  'portfolio.snapshot',
  'portfolio.snapshot_line',
  'risk.stop_loss',
  'risk.trailing_stop',
  'risk.concentration',
  'risk.position_limit',
  'risk.min_hold',
  'risk.portfolio_protection',
  'risk.news',
  'risk.macro_regime',
  'trader.started',
  'trader.error',
  'trader.interrupted',
  'trader.stale',
  'trader.recovered',
  'trader.exited',
  'trader.paused',
  'trader.resumed',
  'training.trial_completed',
  'training.trial_pruned',
  'training.trial_failed',
  'training.best_improved',
  'training.stalled',
  'training.trial_stale',
  'training.worker_started',
  'training.worker_exited',
  'training.workers_below_expected',
  'deployment.model_deployed',
  'deployment.skipped',
  'deployment.failed',
  'ensemble.updated',
  'watchdog.alert',
  'monitor.alert',
  'monitor.level_changed',
  'host.memory',
  'host.disk',
  'barista.warning',
  'system.status',
];

const SEVERITIES = ['debug', 'info', 'notice', 'warning', 'error', 'critical'];

const hostilePieces = fc.constantFrom(
  '@everyone',
  '@here',
  '@EveryOne',
  '<@123456789012345678>',
  '<@!42>',
  '<@&987654321>',
  '```',
  '``',
  '`',
  '````js\n',
  '**',
  '__',
  '~~',
  '||',
  '\\',
  '> ',
  '# ',
  '-# ',
  '1. ',
  '[x](https://evil.example)',
  '\n',
  '\r\n',
  '\r',
  '\t',
  '\u0000',
  '\u001b[31m',
  '\u200b',
  '\u3164',
  '\uD800',
  '\uDC00',
  '😀',
  '👨‍👩‍👧',
  '\u202e',
  'é',
  ' ',
  '',
  '<t:99999999999999:R>',
  HOSTILE_WEBHOOK,
  `Bot ${HOSTILE_BOT_TOKEN}`,
  'Traceback (most recent call last):\n  File "x.py", line 1, in <module>\n',
  'ValueError: boom',
  'BTC/USD',
  '{"a": [1, 2]}',
  '$',
  '%',
  'NaN',
  '-Infinity',
);

/** A string made of hostile pieces and random text; sometimes 10 KB or more. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: fc.array(fc.oneof(hostilePieces, fc.string({ maxLength: 12 }), fc.string({ unit: 'binary', maxLength: 6 })), { maxLength: 8 }).map((parts) => parts.join('')) },
  { weight: 1, arbitrary: fc.tuple(hostilePieces, fc.integer({ min: 1_000, max: 12_000 })).map(([piece, length]) => (piece || 'x').repeat(Math.ceil(length / Math.max(1, piece.length)))) },
  { weight: 1, arbitrary: fc.constantFrom('', ' ', '\n', '\u200b', '   \t  ') },
);

const hostileNumber: fc.Arbitrary<number> = fc.oneof(
  fc.double(),
  fc.integer(),
  fc.constantFrom(NaN, Infinity, -Infinity, 1e308, -1e308, Number.MAX_SAFE_INTEGER, 5e-324, -0, 0, 0.1 + 0.2, 123456789.123456),
);

const { value: hostileValue } = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    hostileString,
    hostileNumber,
    fc.boolean(),
    fc.constant(null),
    fc.constant(undefined),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(hostileString, tie('value'), { maxKeys: 4 }),
  ),
}));

/** Keys the renderers look up, so type-specific designs see odd values in the places they read. */
const KNOWN_KEYS = [
  'trader', 'symbol', 'side', 'qty', 'price', 'value', 'position', 'position_before', 'closed', 'total', 'portfolio_value',
  'entry', 'exit', 'pnl_pct', 'cash', 'holdings', 'prices', 'reward', 'exception', 'exception_type', 'context', 'fatal',
  'message', 'process', 'level', 'title', 'study', 'number', 'params', 'previous', 'improvement', 'direction', 'action',
  'pct', 'high', 'drawdown_pct', 'gain_pct', 'pid', 'previous_pid', 'restarted', 'last_poll', 'next_poll_scheduled',
  'overdue_s', 'stale_for_s', 'duration_s', 'log_tail', 'added', 'removed', 'count', 'best', 'mean', 'dir', 'traders',
  'training', 'memory', 'disk', 'gpu', 'running', 'expected', 'reason', 'error', 'best_value', 'best_number',
];

const sideValue = fc.oneof(fc.constantFrom('BUY', 'SELL', 'buy', 'HOLD'), hostileValue);

export const hostileFields: fc.Arbitrary<Record<string, unknown>> = fc
  .tuple(
    fc.dictionary(fc.constantFrom(...KNOWN_KEYS), fc.oneof(hostileValue, hostileNumber), { maxKeys: 12 }),
    fc.dictionary(hostileString, hostileValue, { maxKeys: 6 }),
    fc.option(sideValue, { nil: undefined }),
    fc.option(fc.integer({ min: 0, max: 80 }), { nil: undefined }),
  )
  .map(([known, random, side, manyKeys]) => {
    const fields: Record<string, unknown> = { ...random, ...known };
    if (side !== undefined) fields.side = side;
    // Sometimes an event with dozens of fields.
    if (manyKeys !== undefined && manyKeys > 60) for (let i = 0; i < manyKeys; i++) fields[`extra_${i}`] = 'v'.repeat(i * 20);
    return fields;
  });

const eventTime = fc.oneof(
  { weight: 4, arbitrary: fc.date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }).map((d) => d.toISOString()) },
  { weight: 1, arbitrary: fc.oneof(hostileString, fc.constantFrom('', 'not a date', '+275760-09-13T00:00:00.001Z', '1970-01-01T00:00:00Z')) },
);

export const hostileEvent: fc.Arbitrary<BaristaEvent> = fc.record({
  id: fc.string({ maxLength: 20 }),
  type: fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...KNOWN_TYPES) }, { weight: 1, arbitrary: fc.oneof(hostileString, fc.constantFrom('constructor', '__proto__', 'toString', 'risk.', 'host.', 'custom.thing')) }),
  severity: fc.constantFrom(...SEVERITIES, 'bogus') as fc.Arbitrary<BaristaEvent['severity']>,
  at: eventTime,
  source: hostileString,
  subject: hostileString,
  fields: hostileFields,
  text: fc.option(hostileString, { nil: undefined }),
});

/** A group: a few events of one type (as routes group them) or of many, sometimes thousands. */
export function hostileNotification(maxEvents = 40): fc.Arbitrary<Notification> {
  const sameType = fc.tuple(fc.constantFrom(...KNOWN_TYPES), fc.array(hostileEvent, { minLength: 1, maxLength: maxEvents })).map(([type, events]) => events.map((e) => ({ ...e, type })));
  const mixed = fc.array(hostileEvent, { minLength: 1, maxLength: maxEvents });
  return fc.record({
    channel: fc.constant('trades'),
    route: fc.nat({ max: 5 }),
    groupKey: hostileString,
    groupLabels: fc.dictionary(fc.constantFrom('subject', 'type', 'trader', 'study', 'source'), hostileString, { maxKeys: 3 }),
    events: fc.oneof(sameType, mixed),
    silent: fc.boolean(),
  });
}
