/**
 * Performance rules on a real trader CSV tailed by the csv source: rows appended as the trader
 * appends them, events committed once, across a restart of barista.
 */
import { appendFileSync, statSync, writeFileSync } from 'node:fs';
import { EventStore } from '../../src/state/EventStore';
import { eventId } from '../../src/model/BaristaEvent';
import { useCsvSource } from '../support/csvSourceHarness';
import { waitFor } from '../support/waitFor';

const HEADER = 'timestamp,cash,total_asset,reward,holding_BTC/USD,holding_ETH/USD,holding_LTC/USD,price_BTC/USD,price_ETH/USD,price_LTC/USD,action_BTC/USD,action_ETH/USD,action_LTC/USD\n';
/** A row as the trader writes it (%.6f): bar `hour` of 2026-02-10, `total` of which `btc` dollars in BTC. */
function row(hour: number, total: number, btc = 0): string {
  const at = new Date(Date.UTC(2026, 1, 10, hour)).toISOString().replace('.000Z', '+00:00');
  const btcPrice = 69000;
  const cells = [total - btc, total, 0, btc / btcPrice, 0, 0, btcPrice, 2000, 55, 0, 0, 0].map((v) => v.toFixed(6));
  return `${at},${cells.join(',')}\n`;
}

const source = useCsvSource(`workspace: /w
sources:
  - id: sessions
    type: csv
    paths: ["paper_trades/*.csv"]
    performance:
      min_bars: 3
      drawdown: { above_pct: 10, clear_below_pct: 5 }
      concentration: { above_pct: 32, clear_below_pct: 30 }
`);

describe('CsvSourceComponent performance rules', () => {
  const start = (firstStartedAt = 0) => source().start(firstStartedAt);
  const published = () => source().published;
  /** Appends a row and waits until barista has committed its snapshot. */
  const append = async (line: string) => {
    const offset = statSync(source().csv).size;
    appendFileSync(source().csv, line);
    const at = new Date(line.slice(0, 25)).toISOString();
    await waitFor(() => source().state.getCache<{ at: string }>('portfolio:trial7')?.value.at === at, { what: `the snapshot of ${at}` });
    return offset;
  };
  const committed = (type: string) => new EventStore(source().state).recent(1000).filter((e) => e.type === type);
  const performanceEvents = () => new EventStore(source().state).recent(1000).filter((e) => e.type.startsWith('performance.'));

  it('raises a drawdown once as rows arrive, keeps it over a restart, and reports the recovery once', async () => {
    writeFileSync(source().csv, HEADER);
    start(); // the file is newer than barista's first start: read from its beginning
    await append(row(0, 500));
    await append(row(1, 520));
    await append(row(2, 500));
    expect(published().filter((e) => e.type.startsWith('performance.'))).toEqual([]);

    const offset = await append(row(3, 460)); // 11.5 % below 520
    const raised = await waitFor(() => published().find((e) => e.type === 'performance.drawdown'), { what: 'performance.drawdown' });
    const identity = (() => {
      const s = statSync(source().csv);
      return `${s.dev}:${s.ino}:0`;
    })();
    expect(raised).toMatchObject({
      id: eventId('sessions', identity, offset, 'performance.drawdown'), // file identity + row offset + rule
      source: 'sessions',
      subject: 'trial7',
      severity: 'warning',
      at: '2026-02-10T03:00:00.000Z',
      fields: { trader: 'trial7', drawdown_pct: 11.5385, peak: 520, total: 460 },
    });
    await append(row(4, 455)); // deeper: the same condition, no new event

    // barista restarts: the raised condition comes back with the checkpoint.
    await source().stop();
    published().splice(0);
    start();
    await append(row(5, 470)); // 9.6 %: inside the band, still raised, not raised again
    await append(row(6, 500)); // 3.8 %: past the clear level
    const recovered = await waitFor(() => published().find((e) => e.type === 'performance.drawdown_recovered'), { what: 'performance.drawdown_recovered' });
    expect(recovered).toMatchObject({ at: '2026-02-10T06:00:00.000Z', fields: { since: '2026-02-10T03:00:00.000Z', worst_drawdown_pct: 12.5, clear_below_pct: 5 } });
    await append(row(7, 510));

    expect(committed('performance.drawdown')).toHaveLength(1);
    expect(committed('performance.drawdown_recovered')).toHaveLength(1);
    expect(performanceEvents()).toHaveLength(2);
    expect(published().filter((e) => e.type.startsWith('performance.')).map((e) => e.type)).toEqual(['performance.drawdown_recovered']);
  });

  it('reads the history of a CSV older than barista for its peak, then judges the rows that arrive', async () => {
    const history = [row(0, 500), row(1, 600, 150), row(2, 580, 150), row(3, 560, 150)].join('');
    writeFileSync(source().csv, HEADER + history);
    start(Date.now() + 60_000); // the file predates barista's first start: tailed from its end
    const offset = await append(row(4, 530, 200)); // 11.7 % below the historical peak of 600; BTC 37.7 %
    const events = await waitFor(() => (published().filter((e) => e.type.startsWith('performance.')).length === 2 ? published().filter((e) => e.type.startsWith('performance.')) : null), { what: 'two performance events' });
    expect(events.map((e) => e.type).sort()).toEqual(['performance.concentration', 'performance.drawdown']);
    expect(events.find((e) => e.type === 'performance.drawdown')?.fields).toMatchObject({ peak: 600, peak_at: '2026-02-10T01:00:00.000Z', drawdown_pct: 11.6667 });
    const concentration = events.find((e) => e.type === 'performance.concentration');
    expect(concentration?.fields.symbol).toBe('BTC/USD');
    expect(concentration?.fields.share_pct).toBeCloseTo(37.74, 2); // holdings are written with %.6f
    expect(offset).toBe(HEADER.length + history.length);
    // The history itself made no events: everything is about the appended row.
    expect(published().map((e) => e.at)).toEqual(published().map(() => '2026-02-10T04:00:00.000Z'));
  });
});
