/**
 * The simulator writes a live trader workspace in the real formats; `barista events` watches it
 * with the shipped rules. What barista reports must match what the simulator did.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { NO_RANDOM_EVENTS, TraderSimulator, playBuyThenCrash } from '../support/simulator';
import { BaristaProcess, ROOT } from '../support/baristaProcess';
import { useTempDir } from '../support/tempDir';
import { waitFor } from '../support/waitFor';

const tempDir = useTempDir();
let barista: BaristaProcess | null = null;
afterEach(() => barista?.kill('SIGKILL'));

interface Event {
  type: string;
  source: string;
  subject: string;
  fields: Record<string, unknown>;
}

function eventsOf(process: BaristaProcess): Event[] {
  return process.stdoutLines().map((line) => JSON.parse(line) as Event);
}

describe('a simulated trader workspace under the shipped rules', () => {
  it('reports the trades the CSV implies, the stop-losses, and the start, each once', async () => {
    const workspace = path.join(tempDir(), 'cappuccino');
    for (const dir of ['logs', 'paper_trades']) mkdirSync(path.join(workspace, dir), { recursive: true });
    barista = BaristaProcess.start(['events', '--config', path.join(ROOT, 'config', 'rules.yaml'), '--state', path.join(tempDir(), 'state.db')], {
      cwd: tempDir(),
      env: { CAPPUCCINO_WORKSPACE: workspace },
    });
    await waitFor(() => barista!.stderr.includes('"msg":"barista running"'), { what: 'barista to start', timeoutMs: 15_000 });

    const sim = new TraderSimulator({ workspace, seed: 7, rates: NO_RANDOM_EVENTS, traders: [{ name: 'trial250' }] });
    playBuyThenCrash(sim);

    const trades = sim.truth.trades.filter((t) => t.value >= 5);
    expect(trades.length).toBeGreaterThan(3);
    const reported = await waitFor(
      () => {
        const events = eventsOf(barista!).filter((e) => e.type === 'trade.executed');
        return events.length >= trades.length ? events : null;
      },
      { what: `${trades.length} trade events`, timeoutMs: 15_000 },
    );
    expect(reported.map((e) => [e.fields.symbol, e.fields.side, e.fields.qty])).toEqual(trades.map((t) => [t.symbol, t.side, t.qty]));

    const stopLosses = sim.truth.risk.filter((r) => r.kind === 'stop_loss');
    expect(stopLosses.length).toBeGreaterThan(0);
    await waitFor(() => eventsOf(barista!).filter((e) => e.type === 'risk.stop_loss').length >= stopLosses.length, { what: 'stop-loss events' });
    const all = eventsOf(barista!);
    expect(all.filter((e) => e.type === 'risk.stop_loss').map((e) => e.fields.symbol)).toEqual(stopLosses.map((r) => r.symbol));
    expect(all.filter((e) => e.type === 'trader.started')).toHaveLength(1);
    expect(all.filter((e) => e.type === 'portfolio.snapshot').length).toBe(sim.truth.snapshots.length);
    // One name for the trader, whichever of its files an event comes from (log, CSV, heartbeat:
    // the simulated clock is in the past, so its last heartbeat is overdue); the files are details.
    await waitFor(() => eventsOf(barista!).some((e) => e.type === 'trader.stale'), { what: 'trader.stale' });
    const traderEvents = eventsOf(barista!).filter((e) => ['trader-log', 'sessions', 'heartbeats'].includes(e.source));
    expect(new Set(traderEvents.map((e) => e.source))).toEqual(new Set(['trader-log', 'sessions', 'heartbeats']));
    expect(traderEvents.filter((e) => e.subject !== 'trial250').map((e) => [e.source, e.type, e.subject])).toEqual([]);
    expect(traderEvents.filter((e) => e.fields.file === undefined).map((e) => [e.source, e.type])).toEqual([]);
    expect(new Set(traderEvents.map((e) => e.fields.file))).toEqual(new Set([sim.trader('trial250').logPath, sim.trader('trial250').csvPath, sim.trader('trial250').heartbeatPath]));
    // No event twice.
    expect(new Set(all.map((e) => JSON.stringify(e))).size).toBe(all.length);
  }, 60_000);
});
