import { readFileSync } from 'node:fs';
import path from 'node:path';
import { performanceSchema, type PerformanceConfig } from '../../src/config/schema';
import { loadRulesFile, parseRules } from '../../src/config/loadRules';
import type { EventDraft } from '../../src/model/BaristaEvent';
import { observeAlpha } from '../../src/streams/performance/alphaDecay';
import { largestPosition } from '../../src/streams/performance/concentration';
import { primePerformanceFromCsv } from '../../src/streams/performance/csvPerformance';
import { stepCondition, type Band, type RaisedCondition } from '../../src/streams/performance/hysteresis';
import { initialPerformanceState, restorePerformanceState, stepPerformance, type PerformanceBar, type PerformanceState } from '../../src/streams/performance/performanceRules';
import { annualisedSharpe, medianSpacing } from '../../src/streams/performance/sharpe';

const HOUR = 3_600_000;
const T0 = Date.parse('2026-02-09T00:00:00Z');
const hour = (n: number) => new Date(T0 + n * HOUR).toISOString();

/** A bar at hour `n`: all in cash unless holdings are given; BTC priced 100 unless given. */
function bar(n: number, total: number, extra: { holdings?: Record<string, number>; prices?: Record<string, number> } = {}): PerformanceBar {
  return { at: hour(n), total, holdings: { 'BTC/USD': 0, 'ETH/USD': 0, ...extra.holdings }, prices: { 'BTC/USD': 100, 'ETH/USD': 10, ...extra.prices } };
}

const config = (input: unknown): PerformanceConfig => performanceSchema.parse(input);

/** Runs bars through the rules from `state`, returning every draft and the last state. */
function run(bars: PerformanceBar[], rules: PerformanceConfig, state: PerformanceState = initialPerformanceState()): { drafts: EventDraft[]; state: PerformanceState } {
  const drafts: EventDraft[] = [];
  for (const b of bars) {
    const step = stepPerformance(state, b, rules, { trader: 'trial250_session', file: 'paper_trades/trial250_session.csv' });
    drafts.push(...step.drafts);
    state = step.state;
  }
  return { drafts, state };
}
const typesAt = (drafts: EventDraft[]) => drafts.map((d) => [d.type, d.at]);

describe('stepCondition (hysteresis)', () => {
  const above: Band = { direction: 'above', raise: 10, clear: 5 };
  const below: Band = { direction: 'below', raise: -3, clear: -1 };
  const walk = (band: Band, values: number[]) => {
    let raised: RaisedCondition | null = null;
    return values.map((value, i) => {
      const step = stepCondition(raised, value, hour(i), band);
      raised = step.raised;
      return step.transition?.kind ?? '-';
    });
  };

  it('raises at the level (not only past it) and clears only strictly past the clear level', () => {
    expect(walk(above, [9.99, 10, 12, 10, 5, 7, 4.99, 9.99, 10])).toEqual(['-', 'raise', '-', '-', '-', '-', 'clear', '-', 'raise']);
    expect(walk(below, [-2.99, -3, -5, -1, -2.5, -0.99, -3.5])).toEqual(['-', 'raise', '-', '-', '-', 'clear', 'raise']);
  });

  it('gives one event each way for a value hovering around either level (no flapping)', () => {
    const hovering = [9.9, 10.1, 9.9, 10.1, 9.9, 5.1, 4.9, 5.1, 4.9, 5.1, 9.9];
    expect(walk(above, hovering).filter((t) => t !== '-')).toEqual(['raise', 'clear']);
  });

  it('counts a value at the threshold up to float noise as at it', () => {
    expect(walk(above, [9.999999999999998])).toEqual(['raise']);
    expect(walk(below, [-2.9999999999999996])).toEqual(['raise']);
  });

  it('with hold, changes only once the value has stayed past a level that many bars in a row', () => {
    const held = (band: Band, values: number[]) => {
      let raised: RaisedCondition | null = null;
      let streak = 0;
      return values.map((value, i) => {
        const step = stepCondition(raised, value, hour(i), band, streak);
        ({ raised, streak } = step);
        return step.transition?.kind ?? '-';
      });
    };
    const sharpe: Band = { direction: 'below', raise: -1, clear: 0, hold: 3 };
    // A level that flips every bar is noise: nothing either way.
    expect(held(sharpe, [-4.13, 1.35, -2, 0.5, -3, 1])).toEqual(['-', '-', '-', '-', '-', '-']);
    // Three bars in a row at the level raise it; three past the clear level clear it.
    expect(held(sharpe, [-4.13, -2, 0.5, -1.5, -1, -3, 0.2, -0.5, 0.1, 0.3, 0.4])).toEqual(['-', '-', '-', '-', '-', 'raise', '-', '-', '-', '-', 'clear']);
  });

  it('keeps the time it was raised and the worst value while it lasts, and hands both to the clear', () => {
    let raised: RaisedCondition | null = null;
    for (const [i, value] of [11, 14, 12].entries()) raised = stepCondition(raised, value, hour(i), above).raised;
    expect(raised).toEqual({ at: hour(0), worst: 14 });
    expect(stepCondition(raised, 4, hour(3), above).transition).toEqual({ kind: 'clear', episode: { at: hour(0), worst: 14 } });
  });
});

describe('drawdown', () => {
  const rules = config({ min_bars: 2, drawdown: {} }); // defaults: above 10 %, clear below 5 %

  it('is raised once at 10 % below the peak and recovered once back below 5 %', () => {
    const totals = [500, 520, 470.4 /* 9.54 % */, 468 /* 10 % */, 450, 468, 494 /* 5 % */, 494.2 /* 4.96 % */, 520, 468];
    const { drafts } = run(totals.map((t, i) => bar(i, t)), rules);
    expect(typesAt(drafts)).toEqual([
      ['performance.drawdown', hour(3)],
      ['performance.drawdown_recovered', hour(7)],
      ['performance.drawdown', hour(9)],
    ]);
    expect(drafts[0]).toMatchObject({ severity: 'warning', fields: { trader: 'trial250_session', drawdown_pct: 10, peak: 520, peak_at: hour(1), total: 468, above_pct: 10 } });
    expect(drafts[0].text).toBe('trial250_session: drawdown 10.00% from peak ($468.00, peak $520.00 at 2026-02-09T01:00:00.000Z; limit 10%)');
    expect(drafts[1]).toMatchObject({ severity: 'info', fields: { drawdown_pct: 4.9615, clear_below_pct: 5, since: hour(3), worst_drawdown_pct: 13.4615 } });
  });

  it('judges nothing during the warm-up, then raises at the first judged bar if still in drawdown', () => {
    const warm = config({ min_bars: 4, drawdown: {} });
    const { drafts } = run([bar(0, 500), bar(1, 440), bar(2, 430), bar(3, 445), bar(4, 500)], warm);
    expect(typesAt(drafts)).toEqual([
      ['performance.drawdown', hour(3)], // 11 % at bar 4 of 4 (12 % and 14 % before it were not judged)
      ['performance.drawdown_recovered', hour(4)],
    ]);
    expect(drafts[0].fields).toMatchObject({ drawdown_pct: 11, peak: 500 });
  });

  it('uses the severity from the config', () => {
    const { drafts } = run([bar(0, 100), bar(1, 80)], config({ min_bars: 2, drawdown: { severity: 'critical' } }));
    expect(drafts[0]).toMatchObject({ type: 'performance.drawdown', severity: 'critical' });
  });
});

describe('alpha decay', () => {
  // BTC/USD as the benchmark over 3 one-hour bars; alert at -3 %, clear above -1 %.
  const rules = config({ min_bars: 2, alpha_decay: { window: '3h' } });

  it('compares returns over the window once the history covers it, and reports both sides', () => {
    const btc = [100, 100, 100, 100, 102, 103, 103, 103];
    const totals = [500, 500, 500, 500, 500, 500, 510, 514];
    const { drafts } = run(btc.map((p, i) => bar(i, totals[i], { prices: { 'BTC/USD': p } })), rules);
    // Hour 5: strategy 0 %, BTC +3 % over hours 2→5 → alpha exactly -3 %: raised at the threshold.
    expect(typesAt(drafts)).toEqual([
      ['performance.alpha_decay', hour(5)],
      ['performance.alpha_recovered', hour(7)],
    ]);
    expect(drafts[0]).toMatchObject({
      severity: 'warning',
      fields: { alpha_pct: -3, strategy_return_pct: 0, benchmark_return_pct: 3, benchmark: 'BTC/USD', window: '3h', window_start: hour(2), below_pct: -3 },
    });
    expect(drafts[0].text).toBe('trial250_session: alpha -3.00% over 3h (strategy +0.00%, BTC/USD +3.00%); threshold -3%');
    // Hour 7: strategy +2.8 % (500→514) vs BTC +0.98 % (102→103): alpha +1.82 %, past -1 %.
    expect(drafts[1].fields).toMatchObject({ alpha_pct: 1.8196, since: hour(5), worst_alpha_pct: -3, clear_above_pct: -1 });
  });

  it('does not judge before a whole window of bars is there', () => {
    const { drafts } = run([bar(0, 500), bar(1, 450, { prices: { 'BTC/USD': 120 } }), bar(2, 440, { prices: { 'BTC/USD': 130 } })], rules);
    expect(drafts).toEqual([]);
  });

  it('measures across a gap from the last bar at or before the window start', () => {
    const observed = observeAlpha({ benchmark: 'BTC/USD', history: [[T0, 500, 100], [T0 + HOUR, 500, 100]] }, bar(30, 495, { prices: { 'BTC/USD': 110 } }), { benchmark: 'BTC/USD', windowMs: 3 * HOUR });
    expect(observed.reading?.window_start).toBe(hour(1));
    expect(observed.reading?.benchmark_return_pct).toBeCloseTo(10, 10);
    expect(observed.state.history).toHaveLength(2); // older points dropped
  });

  it('accepts the column name ("price_ETH/USD") as the benchmark', () => {
    const eth = config({ min_bars: 2, alpha_decay: { window: '1h', benchmark: 'price_ETH/USD' } });
    const { drafts } = run([bar(0, 500), bar(1, 500, { prices: { 'ETH/USD': 11 } })], eth);
    expect(drafts[0]).toMatchObject({ type: 'performance.alpha_decay', fields: { benchmark: 'ETH/USD', benchmark_return_pct: 10, alpha_pct: -10 } });
  });

  it('warns once when the benchmark is not a ticker of the CSV, and judges nothing', () => {
    const doge = config({ min_bars: 2, alpha_decay: { window: '1h', benchmark: 'DOGE/USD' } });
    const { drafts, state } = run([bar(0, 500), bar(1, 400), bar(2, 300)], doge);
    expect(drafts).toHaveLength(1);
    expect(drafts[0]).toMatchObject({ type: 'barista.warning', fields: { reason: 'benchmark-missing', benchmark: 'DOGE/USD', tickers: ['BTC/USD', 'ETH/USD'] } });
    expect(drafts[0].text).toMatch(/^paper_trades\/trial250_session\.csv: the alpha_decay benchmark "DOGE\/USD" has no price_DOGE\/USD column/);
    expect(run([bar(3, 200)], doge, restorePerformanceState(JSON.parse(JSON.stringify(state)))).drafts).toEqual([]); // told once, also after a restart
  });
});

describe('Sharpe ratio', () => {
  it('annualises mean over sample standard deviation by the bar length (√8760 for 1h bars)', () => {
    const returns = [0.01, -0.005, 0.002, 0.004];
    const mean = 0.00275;
    const std = Math.sqrt(((0.01 - mean) ** 2 + (-0.005 - mean) ** 2 + (0.002 - mean) ** 2 + (0.004 - mean) ** 2) / 3);
    expect(annualisedSharpe(returns, HOUR)).toBeCloseTo((mean / std) * Math.sqrt(8760), 10);
    expect(annualisedSharpe(returns, 5 * 60_000)).toBeCloseTo((mean / std) * Math.sqrt(8760 * 12), 10);
  });

  it('has no value for flat returns (all cash) or fewer than two returns', () => {
    expect(annualisedSharpe([0, 0, 0], HOUR)).toBeNull();
    expect(annualisedSharpe([0.01], HOUR)).toBeNull();
  });

  it('takes the bar length from the timestamps, robust to a skipped bar', () => {
    expect(medianSpacing([[0, 1], [HOUR, 1], [3 * HOUR, 1], [4 * HOUR, 1]])).toBe(HOUR);
  });

  // Alternating +1 % / -2 % returns: a clearly negative Sharpe ratio.
  const losing = (from: number, count: number, start: number) => {
    const bars: PerformanceBar[] = [];
    let total = start;
    for (let i = 0; i < count; i++) {
      bars.push(bar(from + i, total));
      total *= i % 2 === 0 ? 1.01 : 0.98;
    }
    return bars;
  };

  it('is raised once when the rolling ratio falls to the level and recovered once above the clear level', () => {
    const rules = config({ min_bars: 4, sharpe: { window: '6h', hold_bars: 1 } }); // below -1, clear above 0
    const falling = losing(0, 8, 500);
    const last = falling[falling.length - 1].total;
    const rising = [1, 2, 3, 4, 5, 6, 7].map((k) => bar(7 + k, last * 1.01 ** k * (k % 2 ? 1 : 0.999)));
    const { drafts } = run([...falling, ...rising], rules);
    expect(drafts.map((d) => d.type)).toEqual(['performance.sharpe_low', 'performance.sharpe_recovered']);
    expect(drafts[0]).toMatchObject({ at: hour(4), fields: { window: '6h', returns: 4, bar: '1h', below: -1 } });
    expect(drafts[0].fields.sharpe as number).toBeLessThan(-1);
    expect(drafts[0].text).toMatch(/^trial250_session: live Sharpe -\d+\.\d\d over 6h \(4 returns of 1h bars, annualised\); threshold -1$/);
    expect(drafts[1].fields.sharpe as number).toBeGreaterThan(0);
    expect(drafts[1].fields).toMatchObject({ since: hour(4), clear_above: 0 });
  });

  it('annualises by the configured timeframe when one is set', () => {
    const rules = config({ min_bars: 4, timeframe: '5m', sharpe: { window: '1d', hold_bars: 1 } });
    const { drafts } = run(losing(0, 6, 500), rules);
    expect(drafts[0].fields.bar).toBe('5m');
    const hourly = run(losing(0, 6, 500), config({ min_bars: 4, sharpe: { window: '1d', hold_bars: 1 } })).drafts[0];
    expect((drafts[0].fields.sharpe as number) / (hourly.fields.sharpe as number)).toBeCloseTo(Math.sqrt(12), 3);
  });

  it('keeps a raised condition while the trader sits in cash (no ratio, no event)', () => {
    const rules = config({ min_bars: 4, sharpe: { window: '6h' } });
    const falling = run(losing(0, 8, 500), rules);
    const flat = [8, 9, 10, 11, 12, 13, 14, 15].map((n) => bar(n, 450));
    const after = run(flat, rules, falling.state);
    expect(after.drafts).toEqual([]);
    expect(after.state.sharpe.raised).not.toBeNull();
  });

  it('by default holds 3 bars: a ratio that swings across both levels every bar raises nothing', () => {
    expect(config({ sharpe: {} }).sharpe?.hold_bars).toBe(3);
    // +4 %, −5 % in turn: the ratio of the last 3 returns is −36 and +18 on alternate bars.
    const swinging = [500];
    for (let n = 1; n < 12; n++) swinging.push(swinging[n - 1] * (n % 2 ? 1.04 : 0.95));
    const bars = swinging.map((total, n) => bar(n, total));
    const everyBar = run(bars, config({ min_bars: 3, sharpe: { window: '3h', hold_bars: 1 } })).drafts.map((d) => d.type);
    expect(everyBar).toEqual(Array.from({ length: 8 }, (_, i) => (i % 2 ? 'performance.sharpe_recovered' : 'performance.sharpe_low')));
    expect(run(bars, config({ min_bars: 3, sharpe: { window: '3h' } })).drafts).toEqual([]);
    // A loss that lasts is still raised, at its third bar at the level.
    const { drafts } = run(losing(0, 10, 500), config({ min_bars: 4, sharpe: { window: '6h' } }));
    expect(drafts.map((d) => [d.type, d.at])).toEqual([['performance.sharpe_low', hour(6)]]);
  });

  it('restores a state saved before hold_bars existed (no streak) as a streak of 0', () => {
    const saved = JSON.parse(JSON.stringify(initialPerformanceState())) as Record<string, Record<string, unknown>>;
    for (const rule of ['drawdown', 'alpha', 'sharpe', 'concentration']) delete saved[rule].streak;
    expect(restorePerformanceState(saved)).toEqual(initialPerformanceState());
  });
});

describe('concentration', () => {
  const rules = config({ min_bars: 2, concentration: {} }); // above 32 %, clear below 30 %
  const btc = (n: number, share: number) => bar(n, 1000, { holdings: { 'BTC/USD': share / 10 } }); // 100 $ per BTC

  it("measures the largest position's share of total value, cash included", () => {
    expect(largestPosition(bar(0, 1000, { holdings: { 'BTC/USD': 2, 'ETH/USD': 25 } }))).toEqual({ symbol: 'ETH/USD', share_pct: 25, position_value: 250, total: 1000 });
    expect(largestPosition(bar(0, 1000))).toBeNull();
  });

  it('is raised once at the limit and recovered once back below the clear level', () => {
    const shares = [20, 31.9, 32, 35, 31, 30, 33, 29.9, 32];
    const { drafts } = run(shares.map((s, i) => btc(i, s)), rules);
    expect(typesAt(drafts)).toEqual([
      ['performance.concentration', hour(2)],
      ['performance.concentration_recovered', hour(7)],
      ['performance.concentration', hour(8)],
    ]);
    expect(drafts[0]).toMatchObject({ fields: { symbol: 'BTC/USD', share_pct: 32, position_value: 320, total: 1000, above_pct: 32 } });
    expect(drafts[0].text).toBe('trial250_session: BTC/USD is 32.00% of the portfolio ($320.00 of $1000.00); limit 32%');
    expect(drafts[1].fields).toMatchObject({ share_pct: 29.9, worst_share_pct: 35, since: hour(2) });
  });

  it('recovers when everything is sold', () => {
    const { drafts } = run([btc(0, 10), btc(1, 40), bar(2, 1000)], rules);
    expect(drafts.map((d) => d.type)).toEqual(['performance.concentration', 'performance.concentration_recovered']);
    expect(drafts[1]).toMatchObject({ fields: { symbol: null, share_pct: 0 }, text: 'trial250_session: no position held ($1000.00 in cash), back below 30%; largest share 40.00% since 2026-02-09T01:00:00.000Z' });
  });
});

describe('several rules and restarts', () => {
  const rules = config({ min_bars: 3, drawdown: {}, concentration: {}, sharpe: { window: '1d' }, alpha_decay: { window: '2h' } });
  // A trader that loads up on BTC while BTC falls: every rule fires, then everything recovers.
  const series: PerformanceBar[] = [
    [1000, 0, 100],
    [1000, 0, 100],
    [1001, 0, 100],
    [1000, 3.5, 100], // 35 % BTC
    [965, 3.5, 90], // -3.5 %, BTC -10 %
    [930, 3.5, 80],
    [860, 3.5, 60],
    [860, 0, 60],
    [900, 0, 70],
    [960, 0, 90],
    [1000, 0, 90],
    [1040, 0, 90],
    [1080, 0, 90],
  ].map(([total, btcHeld, btcPrice], i) => bar(i, total, { holdings: { 'BTC/USD': btcHeld }, prices: { 'BTC/USD': btcPrice } }));

  it('a restart from the JSON state neither repeats nor forgets a raised condition', () => {
    const straight = run(series, rules);
    expect(new Set(straight.drafts.map((d) => d.type))).toEqual(
      new Set(['performance.concentration', 'performance.drawdown', 'performance.sharpe_low', 'performance.concentration_recovered', 'performance.alpha_decay', 'performance.alpha_recovered', 'performance.drawdown_recovered', 'performance.sharpe_recovered']),
    );
    for (let cut = 1; cut < series.length; cut++) {
      const before = run(series.slice(0, cut), rules);
      const restored = restorePerformanceState(JSON.parse(JSON.stringify(before.state)));
      const after = run(series.slice(cut), rules, restored);
      expect([...before.drafts, ...after.drafts]).toEqual(straight.drafts);
    }
  });

  it('a rule that is turned off keeps no history and no condition', () => {
    const { state } = run(series.slice(0, 5), rules);
    expect(state.concentration.raised).not.toBeNull();
    const without = run([series[5]], config({ min_bars: 3, drawdown: {} }), state);
    expect(without.state.concentration.raised).toBeNull();
    expect(without.state.sharpe.history).toEqual([]);
    expect(without.state.alpha.history).toEqual([]);
    expect(run([series[5]], config({ min_bars: 3, drawdown: {}, concentration: { enabled: false } }), state).state.concentration.raised).toBeNull();
  });

  it('refuses a state it did not write', () => {
    expect(() => restorePerformanceState({ version: 1, bars: -1 })).toThrow(/performance state is invalid/);
    expect(() => restorePerformanceState({ ...initialPerformanceState(), drawdown: { peak: 'x', peakAt: null, raised: null } })).toThrow(/drawdown\.peak/);
  });
});

describe('primePerformanceFromCsv', () => {
  const FIXTURE = readFileSync(path.join(__dirname, '..', 'fixtures', 'csv', 'trial250_session.csv'), 'utf8').split('\n').filter((l) => l !== '');
  const context = { trader: 'trial250_session', file: 'paper_trades/trial250_session.csv' };
  const feed = (lines: string[]) => (onLine: (line: string) => void) => {
    lines.forEach(onLine);
    return true;
  };

  it('fills peaks and windows from the rows before barista, without judging them', () => {
    const rules = config({ min_bars: 2, drawdown: { above_pct: 0.001, clear_below_pct: 0 } });
    const primed = primePerformanceFromCsv(feed(FIXTURE), rules, context);
    expect(primed.bars).toBe(FIXTURE.length - 1);
    expect(primed.drawdown.peak).toBe(Math.max(...FIXTURE.slice(1).map((l) => Number(l.split(',')[2]))));
    expect(primed.drawdown.raised).toBeNull(); // nothing raised from history
    // The next live bar below the peak raises at once.
    const next = stepPerformance(primed, bar(100, 400), rules, context);
    expect(next.drafts.map((d) => d.type)).toEqual(['performance.drawdown']);
  });

  it('primes nothing from history that is not one trader (interleaved rows) or could not be read', () => {
    const rules = config({ drawdown: {} });
    const interleaved = readFileSync(path.join(__dirname, '..', 'fixtures', 'csv', 'shared_same_bars.csv'), 'utf8').split('\n').filter((l) => l !== '');
    expect(primePerformanceFromCsv(feed(interleaved), rules, context)).toEqual(initialPerformanceState());
    expect(primePerformanceFromCsv(() => false, rules, context)).toEqual(initialPerformanceState());
  });
});

describe('performance: in rules.yaml', () => {
  const parse = (performance: string) => parseRules(`workspace: /w\nsources:\n  - id: s\n    type: csv\n    paths: ["*.csv"]\n    performance: ${performance}\n`, 'rules.yaml', {});

  it('turns on the rules written, with their defaults', () => {
    const result = parse('{ drawdown: {}, sharpe: { window: 3d } }');
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    const source = result.rules.config.sources[0] as { performance: PerformanceConfig };
    expect(source.performance).toEqual({
      min_bars: 10,
      drawdown: { enabled: true, above_pct: 10, clear_below_pct: 5, hold_bars: 1, severity: 'warning' },
      sharpe: { enabled: true, window: 3 * 86_400_000, below: -1, clear_above: 0, hold_bars: 3, severity: 'warning' },
    });
  });

  it('is shipped on the sessions source with drawdown, concentration and a weekly Sharpe on, alpha decay off', () => {
    const result = loadRulesFile(path.join(__dirname, '..', '..', 'config', 'rules.yaml'), {});
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    const sessions = result.rules.config.sources.find((s) => s.id === 'sessions') as { performance: PerformanceConfig };
    expect(sessions.performance).toMatchObject({
      min_bars: 10,
      drawdown: { enabled: true, above_pct: 10, clear_below_pct: 5 },
      concentration: { enabled: true, above_pct: 32, clear_below_pct: 30 },
      sharpe: { enabled: true, window: 7 * 86_400_000, below: -1, clear_above: 0 },
      alpha_decay: { enabled: false, benchmark: 'BTC/USD', window: 86_400_000, below_pct: -3, clear_above_pct: -1 },
    });
    const alerts = result.rules.config.notify.routes.find((r) => r.to === 'alerts' && Array.isArray(r.match.type));
    expect(alerts?.match.type).toContain('performance.*');
  });

  it.each([
    ['{ drawdown: { above_pct: 5 } }', /performance\.drawdown\.clear_below_pct: "clear_below_pct" \(5\) must be below "above_pct" \(5\)/],
    ['{ concentration: { above_pct: 30, clear_below_pct: 31 } }', /"clear_below_pct" \(31\) must be below "above_pct" \(30\)/],
    ['{ alpha_decay: { below_pct: -1, clear_above_pct: -3 } }', /"clear_above_pct" \(-3\) must be above "below_pct" \(-1\)/],
    ['{ sharpe: { below: 0 } }', /"clear_above" \(0\) must be above "below" \(0\)/],
    ['{ drawdown: { above_pct: 10, clear_pct: 5 } }', /clear_pct/],
  ])('refuses %s with a message naming the levels', (performance, message) => {
    const result = parse(performance);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problems.map((p) => `${p.line}:${p.column}: ${p.message}`).join('\n')).toMatch(message);
  });
});
