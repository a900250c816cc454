import path from 'node:path';
import { renameLegacyTraderCaches } from '../../src/agent/legacyTraderCaches';
import { StateStore } from '../../src/state/StateStore';
import { useTempDir } from '../support/tempDir';

const tempDir = useTempDir();

describe('caches keyed by the CSV stem before one name per trader', () => {
  it('move to the trader’s name once per state file; a value already under the new name wins', () => {
    const file = path.join(tempDir(), 'state.db');
    let state = StateStore.open({ path: file });
    state.setCache('portfolio:trial250_session', { total: 500 }, '2026-02-09T07:00:00.000Z');
    state.setCache('heartbeat:trial250_session', { pid: 1 }, '2026-02-09T07:02:00.000Z');
    state.setCache('portfolio:watchdog_session_20260205_165205', { total: 400 }, null);
    state.setCache('portfolio:alpaca_session', { total: 1 }, null);
    state.setCache('portfolio:alpaca', { total: 2 }, null);
    state.setCache('portfolio:ensemble_cappuccino_week', { total: 300 }, null);
    state.setCache('positions', { positions: [] }, null);

    expect(renameLegacyTraderCaches(state)).toBe(4);
    expect(state.listCache('').map((e) => [e.key, e.value, e.at])).toEqual([
      ['heartbeat:trial250', { pid: 1 }, '2026-02-09T07:02:00.000Z'],
      ['portfolio:alpaca', { total: 2 }, null],
      ['portfolio:ensemble_cappuccino_week', { total: 300 }, null],
      ['portfolio:trial250', { total: 500 }, '2026-02-09T07:00:00.000Z'],
      ['portfolio:watchdog_20260205_165205', { total: 400 }, null],
      ['positions', { positions: [] }, null],
    ]);

    state.setCache('portfolio:x_session', { total: 3 }, null);
    state.close();
    state = StateStore.open({ path: file });
    expect(renameLegacyTraderCaches(state)).toBe(0);
    expect(state.getCache('portfolio:x_session')).toBeDefined();
    state.close();
  });
});
