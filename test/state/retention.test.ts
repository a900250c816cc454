import path from 'node:path';
import Database from 'better-sqlite3';
import { AuditLog } from '../../src/state/AuditLog';
import { EquitySeriesStore } from '../../src/state/EquitySeriesStore';
import { EventStore } from '../../src/state/EventStore';
import { OutboxStore } from '../../src/state/OutboxStore';
import { pruneState, type Retention } from '../../src/state/retention';
import { StateStore } from '../../src/state/StateStore';
import { TradeHistoryStore } from '../../src/state/TradeHistoryStore';
import { TrialHistoryStore } from '../../src/state/TrialHistoryStore';
import { useTempDir } from '../support/tempDir';

const tempDir = useTempDir();
const DAY = 86_400_000;
const NOW = Date.parse('2026-12-03T12:00:00Z');
const RETENTION: Retention = { events: 7 * DAY, outbox: 7 * DAY, audit: 90 * DAY, history: 365 * DAY };
const count = (state: StateStore, table: string): number => (state.db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;

function seed(state: StateStore, at: number, tag: string): void {
  state.db.prepare("INSERT INTO events (id, type, severity, at, source, subject, fields, created_at) VALUES (?, 'x', 'info', ?, 's', 'x', '{}', ?)").run(`e-${tag}`, at, at);
  const outbox = new OutboxStore(state);
  const [sent, pending, rejected] = outbox.enqueue(['sent', 'pending', 'rejected'].map((k) => ({ destination: 'console', idempotencyKey: `${k}-${tag}`, payload: {} })), at);
  outbox.markSent(sent, at);
  outbox.markRejected(rejected, 'refused', at);
  void pending;
  new AuditLog(state).record({ at, userId: '1', userTag: 'u', command: 'status', args: null, place: 'dm', decision: 'allowed', outcome: 'ok' });
  new TradeHistoryStore(state).record([{ eventId: `t-${tag}`, trader: 'trial250', at, symbol: 'BTC/USD', side: 'BUY', qty: 1, price: 1, value: 1, position: 1 }]);
  state.db.prepare('INSERT INTO equity_series (trader, at, total, cash) VALUES (?, ?, 1, 1)').run('trial250', at);
  new TrialHistoryStore(state).record([{ study: `study-${tag}`, number: 0, state: 'COMPLETE', value: 1, startedAt: at - 60_000, finishedAt: at }]);
}

describe('state retention', () => {
  it('drops what is past each retention and keeps what is younger, pending and rejected messages whatever their age', () => {
    const state = StateStore.open({ path: path.join(tempDir(), 's.db') });
    seed(state, NOW - 400 * DAY, 'ancient'); // past every retention
    seed(state, NOW - 30 * DAY, 'month'); // past events and outbox, within audit and history
    seed(state, NOW - DAY, 'recent'); // within all
    const report = pruneState(state, RETENTION, NOW);
    expect(report).toMatchObject({ events: 2, outbox: 2, audit: 1, trades: 1, equity: 1, trials: 1 });
    expect(count(state, 'events')).toBe(1);
    expect((state.db.prepare('SELECT status, count(*) AS n FROM outbox GROUP BY status ORDER BY status').all() as { status: string; n: number }[])).toEqual([
      { status: 'pending', n: 3 },
      { status: 'rejected', n: 3 },
      { status: 'sent', n: 1 },
    ]);
    expect(count(state, 'audit')).toBe(2);
    expect(count(state, 'trade_history')).toBe(2);
    expect(count(state, 'equity_series')).toBe(2);
    expect(count(state, 'trial_history')).toBe(2);
    expect(pruneState(state, RETENTION, NOW)).toMatchObject({ events: 0, outbox: 0, audit: 0, trades: 0, equity: 0, trials: 0 });
    state.close();
  });

  it('gives the freed pages back to the file system', () => {
    const state = StateStore.open({ path: path.join(tempDir(), 's.db') });
    const events = new EventStore(state);
    state.transaction(() => {
      for (let i = 0; i < 3000; i += 1) events.insertNew([{ id: `e${i}`, type: 'x', severity: 'info', at: new Date(NOW).toISOString(), source: 's', subject: 'x', fields: { pad: 'x'.repeat(500) } }]);
    });
    const pagesBefore = Number(state.db.pragma('page_count', { simple: true }));
    const report = pruneState(state, { ...RETENTION, events: 0 }, Date.now() + 1);
    expect(report.events).toBe(3000);
    expect(report.freedPages).toBeGreaterThan(100);
    expect(Number(state.db.pragma('page_count', { simple: true }))).toBeLessThan(pagesBefore / 2);
    state.close();
  });

  it('switches a state file made without incremental vacuum once, at open, keeping its rows', () => {
    const file = path.join(tempDir(), 's.db');
    const first = StateStore.open({ path: file });
    new AuditLog(first).record({ at: NOW, userId: '1', userTag: 'u', command: 'status', args: null, place: 'dm', decision: 'allowed', outcome: 'ok' });
    first.close();
    const raw = new Database(file);
    raw.pragma('auto_vacuum = NONE');
    raw.exec('VACUUM');
    expect(raw.pragma('auto_vacuum', { simple: true })).toBe(0);
    raw.close();
    const reopened = StateStore.open({ path: file });
    expect(reopened.db.pragma('auto_vacuum', { simple: true })).toBe(2);
    expect(count(reopened, 'audit')).toBe(1);
    reopened.close();
  });

  it('is what the equity store keeps by bar time, whatever was recorded', () => {
    const state = StateStore.open({ path: path.join(tempDir(), 's.db') });
    const equity = new EquitySeriesStore(state);
    equity.record('a', { at: NOW - 2 * DAY, total: 1, cash: 1 });
    equity.record('a', { at: NOW, total: 2, cash: 1 });
    expect(pruneState(state, { ...RETENTION, history: DAY }, NOW).equity).toBe(1);
    state.close();
  });
});
