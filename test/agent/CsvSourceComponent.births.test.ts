/**
 * The birth rule on trader CSVs (src/watchers/birth.ts): a CSV there before barista's first start
 * is history, read from its end — yet the first row after the start still yields its trades (its
 * holdings are compared with the last row before); a CSV born later is read whole, its first bar
 * from cash.
 */
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ComponentContext } from '../../src/agent/Component';
import { CsvSourceComponent } from '../../src/agent/sources/CsvSourceComponent';
import { parseRules } from '../../src/config/loadRules';
import type { CsvSourceConfig } from '../../src/config/schema';
import { silentLogger } from '../../src/logging/logger';
import { StateStore } from '../../src/state/StateStore';
import type { BaristaEvent } from '../../src/model/BaristaEvent';
import { compileLogRules } from '../../src/streams/logRules';
import { fileBirthMs } from '../../src/watchers/birth';
import { useTempDir } from '../support/tempDir';
import { waitFor } from '../support/waitFor';

const tempDir = useTempDir();

const HEADER = 'timestamp,cash,total_asset,reward,holding_BTC/USD,holding_ETH/USD,price_BTC/USD,price_ETH/USD,action_BTC/USD,action_ETH/USD\n';
/** Bar `hour` of 2026-02-10 as the trader writes it (%.6f), holding `btc` BTC at $69,000. */
function row(hour: number, btc: number): string {
  const at = new Date(Date.UTC(2026, 1, 10, hour)).toISOString().replace('.000Z', '+00:00');
  const cells = [1000 - btc * 69000, 1000, 0, btc, 0, 69000, 2000, 0, 0].map((v) => v.toFixed(6));
  return `${at},${cells.join(',')}\n`;
}

function sourceConfig(): CsvSourceConfig {
  const result = parseRules('workspace: /w\nsources:\n  - { id: sessions, type: csv, paths: ["paper_trades/*.csv"] }\n', 'rules.yaml', {});
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.rules.config.sources[0] as CsvSourceConfig;
}

describe('CsvSourceComponent births', () => {
  let ws: string;
  let csv: string;
  let state: StateStore;
  let published: BaristaEvent[];
  let component: CsvSourceComponent | null;

  const start = (firstStartedAt: number) => {
    const context: ComponentContext = { workspace: ws, state, logger: silentLogger(), firstStartedAt, logRules: () => compileLogRules([]), publish: (events) => published.push(...events) };
    component = new CsvSourceComponent(sourceConfig(), context);
    component.start();
  };
  const trades = () => published.filter((e) => e.type === 'trade.executed').map((e) => `${e.at} ${String(e.fields.side)} ${String(e.fields.qty)}`);
  const snapshotOf = (hour: number) => published.find((e) => e.type === 'portfolio.snapshot' && e.at === new Date(Date.UTC(2026, 1, 10, hour)).toISOString());

  beforeEach(() => {
    ws = path.join(tempDir(), 'ws');
    mkdirSync(path.join(ws, 'paper_trades'), { recursive: true });
    csv = path.join(ws, 'paper_trades', 'trial7_session.csv');
    state = StateStore.open({ path: path.join(tempDir(), 'state.db') });
    published = [];
    component = null;
  });
  afterEach(async () => {
    await component?.stop();
    state.close();
  });

  it('a CSV there before the first start: its rows are history, and the first row after the start still yields its trades', async () => {
    writeFileSync(csv, HEADER + row(0, 0) + row(1, 0.005));
    start(Math.ceil(fileBirthMs(csv) ?? Date.now()) + 1);
    await waitFor(() => state.db.prepare("SELECT 1 FROM checkpoints WHERE source = 'sessions'").get(), { what: 'the first look committed' });
    appendFileSync(csv, row(2, 0.007)); // the first bar barista reads: bought 0.002 BTC since the last bar before
    await waitFor(() => snapshotOf(2), { what: 'the bar after the start' });
    appendFileSync(csv, row(3, 0));
    await waitFor(() => snapshotOf(3), { what: 'the next bar' });
    expect(published.some((e) => e.at < new Date(Date.UTC(2026, 1, 10, 2)).toISOString())).toBe(false); // history stays quiet
    expect(trades()).toEqual(['2026-02-10T02:00:00.000Z BUY 0.002', '2026-02-10T03:00:00.000Z SELL 0.007']);
  });

  it('a CSV born after the first start, found at a later start, is read whole: its first bar from cash', async () => {
    const firstStartedAt = Date.now();
    await waitFor(() => Date.now() > firstStartedAt + 50, { what: 'the clock to move past a coarse file-time tick' });
    writeFileSync(csv, HEADER + row(0, 0.004) + row(1, 0.001)); // while barista was stopped
    start(firstStartedAt);
    await waitFor(() => snapshotOf(1), { what: 'the whole file' });
    expect(trades()).toEqual(['2026-02-10T00:00:00.000Z BUY 0.004', '2026-02-10T01:00:00.000Z SELL 0.003']);
  });

  it('a CSV that appears while barista runs is read whole without asking the clock', async () => {
    start(Date.now() + 3_600_000); // by birth time it would look older than the start
    writeFileSync(csv, HEADER + row(0, 0.004));
    await waitFor(() => snapshotOf(0), { what: 'the new file' });
    expect(trades()).toEqual(['2026-02-10T00:00:00.000Z BUY 0.004']);
  });
});
