/**
 * The trade history and the equity series are written by the real csv source in the commit of
 * its events and checkpoint: across stops, restarts and a full replay of the file, they hold
 * each trade of the simulator's truth exactly once.
 */
import path from 'node:path';
import { EquitySeriesStore } from '../../src/state/EquitySeriesStore';
import { StateStore } from '../../src/state/StateStore';
import { TradeHistoryStore } from '../../src/state/TradeHistoryStore';
import { NO_RANDOM_EVENTS, TraderSimulator } from '../support/simulator';
import { useTempDir } from '../support/tempDir';
import { startCsvSource, TRADER, waitForBar } from './support';

const tempDir = useTempDir();

describe('trade history and equity series from the csv source', () => {
  it('hold every trade once across a stop, a restart and a replay of the whole file', async () => {
    const workspace = path.join(tempDir(), 'ws');
    const stateFile = path.join(tempDir(), 'state.db');
    const sim = new TraderSimulator({ workspace, seed: 11, rates: NO_RANDOM_EVENTS, traders: [{ name: 'trial250' }] });
    const lastBar = () => sim.truth.snapshots.at(-1)!.bar;

    let state = StateStore.open({ path: stateFile });
    let source = startCsvSource(workspace, state);
    sim.stepBars(60);
    const trader = TRADER(sim.truth.snapshots[0].csvPath);
    await waitForBar(state, trader, lastBar());
    await source.stop();
    state.close();

    // Written while barista was down; then barista comes back on the same state.
    sim.stepBars(60);
    state = StateStore.open({ path: stateFile });
    source = startCsvSource(workspace, state);
    await waitForBar(state, trader, lastBar());
    await source.stop();

    // Lost checkpoints: the whole file is read again; nothing may be added twice.
    state.db.prepare('DELETE FROM checkpoints').run();
    source = startCsvSource(workspace, state);
    sim.stepBars(10);
    await waitForBar(state, trader, lastBar());
    await source.stop();

    const truth = sim.truth.trades.filter((t) => t.value >= 5);
    expect(truth.length).toBeGreaterThan(5);
    const history = new TradeHistoryStore(state).latest(10_000, trader).reverse();
    expect(history.map((t) => [new Date(t.at).toISOString(), t.symbol, t.side, t.qty, t.price])).toEqual(truth.map((t) => [new Date(t.bar).toISOString(), t.symbol, t.side, t.qty, t.price]));

    const equity = new EquitySeriesStore(state).points(trader);
    const last = sim.truth.snapshots.at(-1)!;
    // The CSV holds %.6f of the simulator's values.
    const six = (n: number) => Number(n.toFixed(6));
    expect(equity.at(-1)).toEqual({ at: Date.parse(last.bar), total: six(last.total), cash: six(last.cash) });
    expect(equity[0].at).toBe(Date.parse(sim.truth.snapshots[0].bar));
    state.close();
  }, 60_000);
});
