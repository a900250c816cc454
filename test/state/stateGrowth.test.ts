/**
 * Bounded state, end to end: days of the real system's events through barista's own stores,
 * notification pipeline and hourly retention pass (the state-30d bench's simulation, shortened)
 * leave a file that stops growing once retention applies.
 */
import path from 'node:path';
import { REALISTIC_RATES, shippedRules, simulateState, type Rates } from '../../bench/stateGrowth';
import { StateStore } from '../../src/state/StateStore';
import { useTempDir } from '../support/tempDir';

const tempDir = useTempDir();
const DAY = 86_400_000;
const HOUR = 3_600_000;
const START = Date.parse('2026-11-01T00:00:00Z');

// One trader and one busy worker, the watchdog's alpha decay half the day: every table that
// retention prunes gets rows each hour, in a test that runs in seconds.
const RATES: Rates = { ...REALISTIC_RATES, traders: 1, workers: 1, secondsPerTrial: 600, alphaDecayHoursPerDay: 2, workerRestartsPerDay: 6, auditedCommandsPerDay: 24 };

describe('state growth under retention', () => {
  it('stops growing once retention applies, and keeps no row older than it', async () => {
    const file = path.join(tempDir(), 'state.db');
    const retention = { events: DAY, outbox: DAY, audit: DAY, history: DAY };
    const result = await simulateState({ file, days: 3, rates: RATES, retention, sampleDays: [1, 2, 3], rules: shippedRules(path.join(__dirname, '..', '..', 'config', 'rules.yaml')), start: START });

    // Day 3's rows replace day 1's, in the pages they freed.
    const [, day2, day3] = result.samples.map((s) => s.dbBytes);
    expect(day3).toBeLessThan(day2 * 1.1);
    expect(result.events).toBeGreaterThan(3 * 500);

    // Retention runs hourly: what is left is at most a day and an hour old.
    const end = START + 3 * DAY;
    const cutoff = end - DAY - HOUR;
    const state = StateStore.openReadOnly(file);
    try {
      const oldest = (sql: string) => (state.db.prepare(sql).get() as { at: number | null }).at;
      expect(oldest('SELECT min(created_at) AS at FROM events')).toBeGreaterThanOrEqual(cutoff);
      expect(oldest("SELECT min(coalesce(sent_at, created_at)) AS at FROM outbox WHERE status IN ('sent', 'expired')")).toBeGreaterThanOrEqual(cutoff);
      expect(oldest('SELECT min(at) AS at FROM audit')).toBeGreaterThanOrEqual(cutoff);
      expect(oldest('SELECT min(at) AS at FROM trade_history')).toBeGreaterThanOrEqual(cutoff);
      expect(oldest('SELECT min(at) AS at FROM equity_series')).toBeGreaterThanOrEqual(cutoff);
      // Nothing waits undelivered: every message went out and only age removed them.
      expect((state.db.prepare("SELECT count(*) AS n FROM outbox WHERE status = 'pending'").get() as { n: number }).n).toBe(0);
      // About the last day of the three is left.
      const events = (state.db.prepare('SELECT count(*) AS n FROM events').get() as { n: number }).n;
      expect(events).toBeGreaterThan(result.events / 4);
      expect(events).toBeLessThan(result.events / 2);
    } finally {
      state.close();
    }
  });
});
