/** Fact keys (pure): how a log line's key is filled in, escaped and matched against another source's. */
import { factKey, factKeysMatch, fillFactKey } from '../../src/model/fact';
import { processOfLog } from '../../src/streams/logProcess';
import { compileLogRules, factOfMatch, matchLogRules } from '../../src/streams/logRules';
import type { CachedProcess } from '../../src/streams/processLifecycle';
import { ruleSchema } from '../../src/config/schema';

describe('fact keys', () => {
  it('escape ":" and "*" inside a value, so a study name never splits or widens a key', () => {
    expect(factKey('trial', 'a:b*', 7)).toBe('trial:a%3Ab%2A:7');
    expect(fillFactKey('trial:{study}:{number}', (name) => ({ study: 'x:y', number: 3 })[name])).toBe('trial:x%3Ay:3');
  });

  it('write "*" for a part with no value, which matches any value of that part only', () => {
    const key = fillFactKey('trial:{study}:{number}', (name) => (name === 'number' ? 57 : name === 'study' ? '' : undefined));
    expect(key).toBe('trial:*:57');
    expect(factKeysMatch(key, 'trial:interop:57')).toBe(true);
    expect(factKeysMatch('trial:interop:57', key)).toBe(true);
    expect(factKeysMatch(key, 'trial:interop:58')).toBe(false);
    expect(factKeysMatch(key, 'trial:interop:5:7')).toBe(false);
    expect(factKeysMatch('trader-start:*:57', key)).toBe(false);
  });
});

describe('a log rule fact', () => {
  const rules = compileLogRules([
    ruleSchema.parse({
      id: 'finished',
      source: 'training-log',
      match: 'Trial (?<number>\\d+) finished',
      emit: { type: 'training.trial_completed', fact: { key: 'trial:{process.study_name}:{number}', hold: '30s' } },
    }),
    ruleSchema.parse({ id: 'banner', source: 'trader-log', match: '^Starting', emit: { type: 'trader.started', fact: { key: 'trader-start:{subject}:{process.pid}' } } }),
  ]);
  const worker = (over: Partial<CachedProcess>) => ({ pid: 1, class: 'training', subject: 'study_a', started_at: '2026-02-16T04:00:00.000Z', log_path: '/ws/logs/worker_1.log', study_name: 'study_a', ...over }) as CachedProcess;

  it('names its parts from the fields, the subject, then the process writing the log', () => {
    const match = matchLogRules(rules, 'training-log', 'Trial 57 finished with value: 0.1');
    expect(match && factOfMatch(match, { subject: 'worker_1', process: (name) => (name === 'study_name' ? 'study_a' : undefined) })).toEqual({ key: 'trial:study_a:57', rank: 0, holdMs: 30_000 });
    expect(match && factOfMatch(match, { subject: 'worker_1' })?.key).toBe('trial:*:57');
    const banner = matchLogRules(rules, 'trader-log', 'Starting Alpaca paper trading (REST API polling)...');
    expect(banner && factOfMatch(banner, { subject: 'trial7', process: (name) => (name === 'pid' ? 4121 : undefined) })?.key).toBe('trader-start:trial7:4121');
  });

  it('takes the process whose stdout is the log, else the trader of that name, the one started last', () => {
    const older = worker({ pid: 1, started_at: '2026-02-16T04:00:00.000Z' });
    const newer = worker({ pid: 2, started_at: '2026-02-16T05:00:00.000Z' });
    const elsewhere = worker({ pid: 3, log_path: '/ws/logs/worker_2.log' });
    expect(processOfLog([older, newer, elsewhere], '/ws/logs/worker_1.log', 'worker_1')?.pid).toBe(2);
    const trader = worker({ pid: 9, class: 'trader', subject: 'trial7', log_path: null });
    expect(processOfLog([trader, elsewhere], '/ws/logs/paper_trader_trial7.log', 'trial7')?.pid).toBe(9);
    expect(processOfLog([elsewhere], '/ws/logs/worker_9.log', 'worker_9')).toBeUndefined();
  });
});
