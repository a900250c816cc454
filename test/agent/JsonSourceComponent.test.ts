import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ComponentContext } from '../../src/agent/Component';
import { JsonSourceComponent } from '../../src/agent/sources/JsonSourceComponent';
import { parseRules } from '../../src/config/loadRules';
import type { JsonSourceConfig } from '../../src/config/schema';
import { silentLogger } from '../../src/logging/logger';
import { StateStore } from '../../src/state/StateStore';
import type { BaristaEvent } from '../../src/model/BaristaEvent';
import { compileLogRules } from '../../src/streams/logRules';
import { EMPTY_TRADER_DIRECTORY, TRADER_DIRECTORY_CACHE_KEY } from '../../src/streams/traderIdentity';
import { useTempDir } from '../support/tempDir';
import { waitFor } from '../support/waitFor';

const tempDir = useTempDir();

function sourceConfig(yaml: string): JsonSourceConfig {
  const result = parseRules(`workspace: /w\nsources:\n${yaml}`, 'rules.yaml', {});
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.rules.config.sources[0] as JsonSourceConfig;
}

const heartbeat = (next: Date, poll: number) =>
  JSON.stringify({ timestamp: new Date(next.getTime() - 3_600_000).toISOString(), last_poll_completed: new Date(next.getTime() - 3_600_000).toISOString(), next_poll_scheduled: next.toISOString(), poll_count: poll, poll_interval: 60, timeframe: '1h', tickers: ['BTC/USD'], pid: 4242, status: 'running' }, null, 2);

describe('JsonSourceComponent', () => {
  let state: StateStore;
  let published: BaristaEvent[];
  let context: ComponentContext;
  let component: JsonSourceComponent | null;

  beforeEach(() => {
    mkdirSync(path.join(tempDir(), 'ws', 'paper_trades'), { recursive: true });
    state = StateStore.open({ path: path.join(tempDir(), 'state.db') });
    published = [];
    component = null;
    context = { workspace: path.join(tempDir(), 'ws'), state, logger: silentLogger(), firstStartedAt: 0, logRules: () => compileLogRules([]), publish: (events) => published.push(...events) };
  });
  afterEach(async () => {
    await component?.stop();
    state.close();
  });

  it('reports a stale trader once, retries a half-written heartbeat, and reports the recovery', async () => {
    const file = path.join(tempDir(), 'ws', 'paper_trades', 'watchdog_heartbeat.json_20260205_165205');
    writeFileSync(file, heartbeat(new Date(Date.now() - 10 * 60_000), 1)); // due 10 min ago, grace 5 min
    component = new JsonSourceComponent(sourceConfig('  - { id: heartbeats, type: json, role: heartbeat, paths: ["paper_trades/*heartbeat*"], stale_grace: 5m }\n'), context);
    component.start();
    const stale = await waitFor(() => published.find((e) => e.type === 'trader.stale'), { what: 'trader.stale' });
    // The trader's one name (its CSV is watchdog_session_20260205_165205.csv); the file stays in the fields.
    expect(stale).toMatchObject({ subject: 'watchdog_20260205_165205', fields: { trader: 'watchdog_20260205_165205', file: 'paper_trades/watchdog_heartbeat.json_20260205_165205', pid: 4242, poll_count: 1 } });

    // The trader rewrites its heartbeat in place: a reader may catch it half-written.
    const fresh = heartbeat(new Date(Date.now() + 3_600_000), 2);
    writeFileSync(file, fresh.slice(0, 40));
    await new Promise((resolve) => setTimeout(resolve, 60)); // within the first retries
    writeFileSync(file, fresh);
    const recovered = await waitFor(() => published.find((e) => e.type === 'trader.recovered'), { what: 'trader.recovered' });
    expect(recovered.fields).toMatchObject({ trader: 'watchdog_20260205_165205', poll_count: 2 });
    expect(published.filter((e) => e.type === 'trader.stale')).toHaveLength(1);
    expect(published.filter((e) => e.type === 'barista.warning')).toEqual([]); // the torn read was retried, not reported
    expect(state.getCache<{ poll_count: number }>('heartbeat:watchdog_20260205_165205')?.value.poll_count).toBe(2);
  });

  it('keeps the positions cache, and reports a file that stays invalid once', async () => {
    const file = path.join(tempDir(), 'ws', 'paper_trades', 'positions_state.json');
    writeFileSync(file, JSON.stringify({ timestamp: '2026-02-09T07:00:00+00:00', portfolio_value: 499.61, cash: 351.27, positions: [{ ticker: 'LINK/USD', holdings: 8.1234, entry_price: 9.86, pnl_pct: 0 }] }));
    // One trader running (the process probe says): the shared file is its.
    state.setCache(TRADER_DIRECTORY_CACHE_KEY, { ...EMPTY_TRADER_DIRECTORY, live: ['trial250'] });
    component = new JsonSourceComponent(sourceConfig('  - { id: positions, type: json, role: positions, paths: ["paper_trades/positions_state.json"] }\n'), context);
    component.start();
    const cached = await waitFor(() => state.getCache<{ positions: { symbol: string }[]; trader: string | null }>('positions'), { what: 'the positions cache' });
    expect(cached.value.positions.map((p) => p.symbol)).toEqual(['LINK/USD']);
    expect(cached.value.trader).toBe('trial250');

    writeFileSync(file, '{"timestamp": "2026-02-09T08:00:00+00:00", "portfolio_va');
    const warning = await waitFor(() => published.find((e) => e.type === 'barista.warning'), { what: 'the invalid-JSON warning', timeoutMs: 10_000 });
    expect(warning.text).toMatch(/^paper_trades\/positions_state\.json: not valid JSON after several reads/);
    expect(cached.value.positions).toHaveLength(1); // the last good value stays
  }, 15_000);
});
