/**
 * The birth rule on trader CSVs (src/watchers/birth.ts): a CSV there before barista's first start
 * is history, read from its end — yet the first row after the start still yields its trades (its
 * holdings are compared with the last row before); a CSV born later is read whole, its first bar
 * from cash.
 */
import { appendFileSync, writeFileSync } from 'node:fs';
import { fileBirthMs } from '../../src/watchers/birth';
import { useCsvSource } from '../support/csvSourceHarness';
import { waitFor } from '../support/waitFor';

const HEADER = 'timestamp,cash,total_asset,reward,holding_BTC/USD,holding_ETH/USD,price_BTC/USD,price_ETH/USD,action_BTC/USD,action_ETH/USD\n';
/** Bar `hour` of 2026-02-10 as the trader writes it (%.6f), holding `btc` BTC at $69,000. */
function row(hour: number, btc: number): string {
  const at = new Date(Date.UTC(2026, 1, 10, hour)).toISOString().replace('.000Z', '+00:00');
  const cells = [1000 - btc * 69000, 1000, 0, btc, 0, 69000, 2000, 0, 0].map((v) => v.toFixed(6));
  return `${at},${cells.join(',')}\n`;
}

const source = useCsvSource('workspace: /w\nsources:\n  - { id: sessions, type: csv, paths: ["paper_trades/*.csv"] }\n');

describe('CsvSourceComponent births', () => {
  const start = (firstStartedAt: number) => source().start(firstStartedAt);
  const trades = () => source().published.filter((e) => e.type === 'trade.executed').map((e) => `${e.at} ${String(e.fields.side)} ${String(e.fields.qty)}`);
  const snapshotOf = (hour: number) => source().published.find((e) => e.type === 'portfolio.snapshot' && e.at === new Date(Date.UTC(2026, 1, 10, hour)).toISOString());

  it('a CSV there before the first start: its rows are history, and the first row after the start still yields its trades', async () => {
    writeFileSync(source().csv, HEADER + row(0, 0) + row(1, 0.005));
    start(Math.ceil(fileBirthMs(source().csv) ?? Date.now()) + 1);
    await waitFor(() => source().state.db.prepare("SELECT 1 FROM checkpoints WHERE source = 'sessions'").get(), { what: 'the first look committed' });
    appendFileSync(source().csv, row(2, 0.007)); // the first bar barista reads: bought 0.002 BTC since the last bar before
    await waitFor(() => snapshotOf(2), { what: 'the bar after the start' });
    appendFileSync(source().csv, row(3, 0));
    await waitFor(() => snapshotOf(3), { what: 'the next bar' });
    expect(source().published.some((e) => e.at < new Date(Date.UTC(2026, 1, 10, 2)).toISOString())).toBe(false); // history stays quiet
    expect(trades()).toEqual(['2026-02-10T02:00:00.000Z BUY 0.002', '2026-02-10T03:00:00.000Z SELL 0.007']);
  });

  it('a CSV born after the first start, found at a later start, is read whole: its first bar from cash', async () => {
    const firstStartedAt = Date.now();
    await waitFor(() => Date.now() > firstStartedAt + 50, { what: 'the clock to move past a coarse file-time tick' });
    writeFileSync(source().csv, HEADER + row(0, 0.004) + row(1, 0.001)); // while barista was stopped
    start(firstStartedAt);
    await waitFor(() => snapshotOf(1), { what: 'the whole file' });
    expect(trades()).toEqual(['2026-02-10T00:00:00.000Z BUY 0.004', '2026-02-10T01:00:00.000Z SELL 0.003']);
  });

  it('a CSV that appears while barista runs is read whole without asking the clock', async () => {
    start(Date.now() + 3_600_000); // by birth time it would look older than the start
    writeFileSync(source().csv, HEADER + row(0, 0.004));
    await waitFor(() => snapshotOf(0), { what: 'the new file' });
    expect(trades()).toEqual(['2026-02-10T00:00:00.000Z BUY 0.004']);
  });
});
