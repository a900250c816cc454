import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { FileChange, FileLook } from '../../src/streams/fileChange';
import { deriveLiveMonitorState, parseLiveMonitorState } from '../../src/streams/liveMonitorState';

type State = Record<string, unknown> & { alert_history: Record<string, unknown>[] };
const sample = (): State => JSON.parse(readFileSync(path.join(__dirname, '..', 'fixtures', 'deployments', 'live_monitor_state.json'), 'utf8'));
const look = (announceFirstLook = false): FileLook => ({ path: 'monitoring/live_monitor_state.json', announceFirstLook, modifiedMs: 1 });
/** The state as it was after the first n alerts. */
const upTo = (n: number): State => ({ ...sample(), alert_history: sample().alert_history.slice(0, n) });

function ok<M>(change: FileChange<M>): Extract<FileChange<M>, { ok: true }> {
  if (!change.ok) throw new Error(change.error);
  return change;
}

describe('parseLiveMonitorState', () => {
  it('reads the real state: its level is the last alert\'s', () => {
    const parsed = parseLiveMonitorState(sample());
    if (!parsed.ok) throw new Error(parsed.error);
    expect(parsed.state).toMatchObject({ level: 'emergency', last_bar_count: 22, last_sharpe: -10.738326240288794, warning_sent: true, critical_sent: true, last_check_time: '2026-02-11T02:48:00.449Z', emergency_start_time: '2026-02-10T03:32:15.773Z' });
    expect(parsed.state.alert_history.map((a) => a.level)).toEqual(['critical', 'warning', 'emergency']);
    expect(parseLiveMonitorState({ ...sample(), alert_history: [] })).toMatchObject({ ok: true, state: { level: 'ok' } });
  });
});

describe('deriveLiveMonitorState', () => {
  it('takes the level at the first start as state', () => {
    const change = ok(deriveLiveMonitorState(null, sample(), look()));
    expect(change.drafts).toEqual([]);
    expect(change.memory.level).toBe('emergency');
    expect(change.cache).toMatchObject({ key: 'monitor', at: '2026-02-11T02:48:00.449Z' });
    expect(change.cache.update(undefined)).toMatchObject({ level: 'emergency', last_sharpe: -10.738326240288794 });
  });

  it('announces a new alert of another level as monitor.level_changed {from, to}, at the alert\'s time', () => {
    const before = ok(deriveLiveMonitorState(null, upTo(2), look())).memory;
    const change = ok(deriveLiveMonitorState(before, sample(), look()));
    expect(change.drafts).toEqual([
      {
        subject: 'live_monitor',
        idParts: ['monitor_level', expect.any(String)],
        draft: {
          type: 'monitor.level_changed',
          severity: 'critical',
          at: '2026-02-11T03:48:00.905Z',
          fields: { from: 'warning', to: 'emergency', live_sharpe: -10.738326240288794, message: '🚨 EMERGENCY: Live Sharpe -10.74 < -2.0 for 24.3h! Auto-stopping trading.', bars: 22, file: 'monitoring/live_monitor_state.json' },
          text: 'Live monitor warning → emergency: 🚨 EMERGENCY: Live Sharpe -10.74 < -2.0 for 24.3h! Auto-stopping trading.',
        },
      },
    ]);
    expect(ok(deriveLiveMonitorState(change.memory, sample(), look())).drafts).toEqual([]);
  });

  it('announces each change of a state written while barista was away, from ok', () => {
    const change = ok(deriveLiveMonitorState(null, sample(), look(true)));
    expect(change.drafts.map((d) => [d.draft.fields.from, d.draft.fields.to, d.draft.severity])).toEqual([
      ['ok', 'critical', 'critical'],
      ['critical', 'warning', 'warning'],
      ['warning', 'emergency', 'critical'],
    ]);
  });

  it('does not announce an alert at the level it already is', () => {
    const before = ok(deriveLiveMonitorState(null, upTo(1), look())).memory; // critical
    const again = { ...upTo(1), alert_history: [...upTo(1).alert_history, { timestamp: '2026-02-09T08:32:15.151692+00:00', level: 'critical', live_sharpe: -6.1, message: 'again' }] };
    const change = ok(deriveLiveMonitorState(before, again, look()));
    expect(change.drafts).toEqual([]);
    expect(change.memory.level).toBe('critical');
  });
});
