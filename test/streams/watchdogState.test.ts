import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { FileChange, FileLook } from '../../src/streams/fileChange';
import { deriveWatchdogState, parseWatchdogState } from '../../src/streams/watchdogState';

type Alert = { timestamp: string; severity: string; process: string; message: string };
const sample = (): Record<string, unknown> & { alerts: Alert[] } => JSON.parse(readFileSync(path.join(__dirname, '..', 'fixtures', 'deployments', 'watchdog_state.json'), 'utf8'));
const look = (announceFirstLook = false): FileLook => ({ path: 'deployments/watchdog_state.json', announceFirstLook, modifiedMs: 1 });

function ok<M>(change: FileChange<M>): Extract<FileChange<M>, { ok: true }> {
  if (!change.ok) throw new Error(change.error);
  return change;
}

/** The watchdog appends and keeps the last 100. */
function withAlerts(state: ReturnType<typeof sample>, ...alerts: Alert[]): ReturnType<typeof sample> {
  return { ...state, alerts: [...state.alerts, ...alerts].slice(-100) };
}

const restartFailed: Alert = { timestamp: '2026-02-05T17:47:00.512211', severity: 'ERROR', process: 'paper_trading', message: 'Restart failed' };
const noProcesses: Alert = { timestamp: '2026-02-05T17:46:53.101002', severity: 'CRITICAL', process: 'paper_trading', message: 'Health check failed: No processes running (expected 1)' };

describe('parseWatchdogState', () => {
  it('reads the real state file', () => {
    const parsed = parseWatchdogState(sample());
    if (!parsed.ok) throw new Error(parsed.error);
    expect(parsed.state).toMatchObject({ restart_counts: { training_workers: 0, ai_advisor: 0, paper_trading: 0 }, retrain_count: 7, last_retrain_time: '2026-02-02T15:00:28.853726' });
    expect(parsed.state.alerts).toHaveLength(100);
    expect(parsed.state.alerts.find((a) => a.process === 'BACKUP')).toEqual({ timestamp: expect.any(String), severity: 'INFO', process: 'BACKUP', message: 'Database backup created: optuna_cappuccino_20260205_171651.db' });
  });

  it('refuses alerts that are not a list', () => {
    expect(parseWatchdogState({ alerts: {} })).toEqual({ ok: false, error: 'watchdog_state.json: alerts is not a list (got object)' });
  });
});

describe('deriveWatchdogState', () => {
  it('takes the 100 alerts present at the first start as state', () => {
    const change = ok(deriveWatchdogState(null, sample(), look()));
    expect(change.drafts).toEqual([]);
    expect(change.memory.seen).toHaveLength(100);
    expect(change.cache.update(undefined)).toMatchObject({ retrain_count: 7, alert_count: 100, alerts: expect.any(Array) });
  });

  it('announces only new alerts, though the capped list shifted, with their severity', () => {
    const before = ok(deriveWatchdogState(null, sample(), look())).memory;
    const next = withAlerts(sample(), noProcesses, restartFailed);
    const change = ok(deriveWatchdogState(before, next, look()));
    expect(change.drafts.map((d) => [d.draft.type, d.draft.severity, d.subject])).toEqual([
      ['watchdog.alert', 'critical', 'paper_trading'],
      ['watchdog.alert', 'error', 'paper_trading'],
    ]);
    expect(change.drafts[0].draft).toMatchObject({
      fields: { level: 'CRITICAL', process: 'paper_trading', message: 'Health check failed: No processes running (expected 1)', timestamp: '2026-02-05T17:46:53.101002' },
      text: '[CRITICAL] [paper_trading] Health check failed: No processes running (expected 1)',
    });
    expect(ok(deriveWatchdogState(change.memory, next, look())).drafts).toEqual([]);
  });

  it('does not re-announce alerts of an older copy restored from the .bak rotation', () => {
    const older = sample();
    const first = ok(deriveWatchdogState(null, older, look())).memory;
    const newer = ok(deriveWatchdogState(first, withAlerts(older, noProcesses, restartFailed), look())).memory;
    expect(ok(deriveWatchdogState(newer, older, look())).drafts).toEqual([]);
  });

  it('announces every alert of a state file created after the first start, in order', () => {
    const change = ok(deriveWatchdogState(null, sample(), look(true)));
    expect(change.drafts).toHaveLength(100);
    expect(change.drafts[0].draft.fields).toMatchObject({ level: 'ERROR', message: 'Restart failed', timestamp: '2026-02-05T16:51:05.001636' });
    expect(new Set(change.drafts.map((d) => d.idParts.join('/'))).size).toBe(100);
  });
});
