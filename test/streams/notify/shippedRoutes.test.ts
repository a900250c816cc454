/**
 * The shipped config/rules.yaml routes on virtual time: an alert never waits behind an
 * unrelated alert's group_interval (issue 12: a trader's traceback waited two minutes behind
 * a "No trader running" alert).
 */
import path from 'node:path';
import { Subject } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { loadRulesFile } from '../../../src/config/loadRules';
import { formatProblem } from '../../../src/config/problems';
import { eventFromDraft, type BaristaEvent } from '../../../src/model/BaristaEvent';
import { compileLogRules, matchLogRules } from '../../../src/streams/logRules';
import { notificationPolicy } from '../../../src/streams/notify/notificationPolicy';

const shipped = (() => {
  const result = loadRulesFile(path.join(__dirname, '..', '..', '..', 'config', 'rules.yaml'), {});
  if (!result.ok) throw new Error(result.problems.map(formatProblem).join('\n'));
  return result.rules.config;
})();
const rules = compileLogRules(shipped.rules);
const { group_wait: groupWait, group_interval: groupInterval } = shipped.notify.defaults;

/** The event the shipped rules make of a line of `source` written by the file of `subject`. */
function eventOf(source: string, subject: string, line: string, n: number): BaristaEvent {
  const match = matchLogRules(rules, source, line);
  if (!match) throw new Error(`no shipped rule of ${source} matches ${line}`);
  return eventFromDraft(match.draft, { source, subject, idParts: [n] });
}

/** When each event's first notification goes out, feeding each at its time. */
function firstSentAt(feed: [atMs: number, event: BaristaEvent][]): Map<string, number> {
  const sentAt = new Map<string, number>();
  const scheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
  scheduler.run(() => {
    const input = new Subject<BaristaEvent>();
    for (const [at, event] of feed) scheduler.schedule(() => input.next(event), at);
    scheduler.schedule(() => input.complete(), 24 * 3600_000);
    input.pipe(notificationPolicy(shipped.notify, { scheduler })).subscribe((notification) => {
      for (const event of notification.events) if (!sentAt.has(event.id)) sentAt.set(event.id, scheduler.now());
    });
  });
  return sentAt;
}

const ALERTS: [source: string, subject: string, line: string][] = [
  ['watchdog-log', 'watchdog', '[2026-02-05 16:52:05,226] [CRITICAL] [paper_trading] Health check failed: No processes running (expected 1)'],
  ['trader-log', 'trial250', 'Traceback (most recent call last):\n  File "paper_trader_alpaca_polling.py", line 12, in <module>\n    main()\nValueError: bad bar'],
  ['trader-log', 'trial251', 'Traceback (most recent call last):\n  File "paper_trader_alpaca_polling.py", line 12, in <module>\n    main()\nValueError: bad bar'],
  ['watchdog-log', 'watchdog', '[2026-02-05 16:53:05,226] [CRITICAL] [training_workers] Health check failed: No processes running (expected 4)'],
  ['trader-log', 'trial250', '  ⚠️  STOP-LOSS triggered for ETH/USD: down 10.4% from entry $2712.55'],
  ['trader-log', 'trial250', 'Data quality check FAILED: stale bar, skipping bar'],
];

describe('the shipped alert routes', () => {
  it('a traceback just after an unrelated alert was sent goes out after group_wait, not group_interval', () => {
    const noTrader = eventOf(...ALERTS[0], 1);
    const traceback = eventOf(...ALERTS[1], 2);
    const sent = firstSentAt([
      [0, noTrader],
      [groupWait + 1000, traceback],
    ]);
    expect(sent.get(noTrader.id)).toBe(groupWait);
    expect(sent.get(traceback.id)).toBe(2 * groupWait + 1000);
    expect(sent.get(traceback.id)).toBeLessThan(groupWait + groupInterval);
  });

  it.each(ALERTS.map((alert, index) => [index, alert[2].split('\n')[0]] as const))('alert %i (%s) waits for no other alert', (index) => {
    // Every other alert first, each sent already; then this one: it waits its own group_wait only.
    const others = ALERTS.map((alert, i) => eventOf(...alert, i)).filter((_, i) => i !== index);
    const mine = eventOf(...ALERTS[index], 99);
    const at = others.length * groupWait + 1000;
    const sent = firstSentAt([...others.map((event, i) => [i * groupWait, event] as [number, BaristaEvent]), [at, mine]]);
    expect(sent.get(mine.id)).toBe(at + groupWait);
  });
});
