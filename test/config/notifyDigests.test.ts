import path from 'node:path';
import { loadRulesFile, parseRules } from '../../src/config/loadRules';
import { formatProblem } from '../../src/config/problems';

const SHIPPED = path.join(__dirname, '..', '..', 'config', 'rules.yaml');
const problems = (text: string) => {
  const result = parseRules(text, 'rules.yaml', {});
  if (result.ok) throw new Error('expected problems, got a valid config');
  return result.problems.map((p) => `${p.line}:${p.column} ${p.message}`);
};

describe('notify.digests and group_by in rules.yaml', () => {
  it('the shipped rules have a daily 09:00 portfolio summary to trades', () => {
    const result = loadRulesFile(SHIPPED, {});
    if (!result.ok) throw new Error(result.problems.map(formatProblem).join('\n'));
    expect(result.rules.config.notify.digests).toEqual([{ id: 'daily-portfolio', schedule: '0 9 * * *', kind: 'portfolio', to: 'trades', mode: 'on' }]);
  });

  it('reads a digest with subjects and mode, and defaults to none', () => {
    const text = 'workspace: /w\nnotify:\n  channels: { trades: {} }\n  digests:\n    - { id: evening, schedule: "30 18 * * MON-FRI", kind: portfolio, to: trades, subjects: ["trial*"], mode: silent }\n';
    const result = parseRules(text, 'rules.yaml', {});
    if (!result.ok) throw new Error(result.problems.map(formatProblem).join('\n'));
    expect(result.rules.config.notify.digests).toEqual([{ id: 'evening', schedule: '30 18 * * MON-FRI', kind: 'portfolio', to: 'trades', subjects: ['trial*'], mode: 'silent' }]);
    const none = parseRules('workspace: /w\n', 'rules.yaml', {});
    expect(none.ok && none.rules.config.notify.digests).toEqual([]);
  });

  it('reports a bad schedule, an unknown channel, a duplicate id and an unknown kind at file:line:column', () => {
    const text = [
      'workspace: /w',
      'notify:',
      '  channels: { trades: {} }',
      '  digests:',
      '    - { id: daily, schedule: "0 25 * * *", kind: portfolio, to: trades }',
      '    - { id: daily, schedule: "0 9 * * *", kind: portfolio, to: trade }',
      '    - { id: other, schedule: "0 9 * *", kind: weekly, to: trades }',
    ].join('\n');
    expect(problems(text)).toEqual([
      '5:30 notify.digests[0].schedule: cron "0 25 * * *": hour field "25": 25 is out of range 0-23',
      '6:13 notify.digests[1].id: duplicate id "daily" (also notify.digests[0])',
      '6:64 notify.digests[1].to: unknown channel "trade" (channels: trades)',
      '7:30 notify.digests[2].schedule: cron "0 9 * *": expected 5 fields (minute hour day-of-month month day-of-week), got 4',
      '7:47 notify.digests[2].kind: expected "portfolio"',
    ]);
  });

  it('reports an unknown group_by label at the label', () => {
    const text = 'workspace: /w\nnotify:\n  channels: { a: {} }\n  routes:\n    - { to: a, group_by: [subject, trader] }\n';
    expect(problems(text)).toEqual(['5:36 notify.routes[0].group_by[1]: unknown label "trader" (use type, severity, source, subject or fields.<name>)']);
  });
});
