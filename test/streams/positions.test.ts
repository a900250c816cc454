import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parsePositionsState, type PositionsState } from '../../src/streams/positions';

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'json');
const fixture = (name: string): unknown => JSON.parse(readFileSync(path.join(FIXTURES, name), 'utf8'));

function parsed(data: unknown): { value: PositionsState; warnings: string[] } {
  const result = parsePositionsState(data);
  if (!result.ok) throw new Error(result.error);
  return result;
}

describe('parsePositionsState', () => {
  it('reads the surface.md example into the cache shape', () => {
    expect(parsePositionsState(fixture('positions_state.json'))).toEqual({
      ok: true,
      warnings: [],
      value: {
        at: '2026-02-09T07:00:00.000Z',
        portfolio_value: 499.612305,
        cash: 351.271973,
        positions: [
          {
            symbol: 'LINK/USD',
            holdings: 8.1234,
            entry_price: 9.86,
            current_price: 9.86,
            position_value: 80.096,
            pnl_pct: 0,
            stop_loss_price: 8.874,
            trailing_stop_price: 0,
            high_water_mark: 9.86,
            distance_to_stop_pct: 10,
            stop_loss_triggered: false,
            last_trade_time: '2026-02-09T07:00:00.000Z',
          },
        ],
        protection: { initial_value: 500, high_water_mark: 500, in_cash_mode: false, profit_taken: false },
      },
    });
  });

  it('reads several positions, a triggered stop and null fields', () => {
    const { value, warnings } = parsed(fixture('positions_state_two.json'));
    expect(warnings).toEqual([]);
    expect(value.positions.map((p) => [p.symbol, p.pnl_pct, p.distance_to_stop_pct, p.stop_loss_triggered, p.last_trade_time])).toEqual([
      ['AVAX/USD', 1.8599562363238502, 11.643394199785178, false, '2026-02-09T07:00:00.000Z'],
      ['ETH/USD', -10.412711286381818, -0.4606806304267335, true, null],
    ]);
    expect(value.protection).toEqual({ initial_value: null, high_water_mark: 507.12, in_cash_mode: false, profit_taken: false });
  });

  it('tolerates missing and null fields, keeps quoted numbers, and says what it skipped', () => {
    const { value, warnings } = parsed(fixture('positions_state_partial.json'));
    expect(value).toEqual({
      at: '2026-02-09T09:00:00.000Z',
      portfolio_value: null,
      cash: null,
      positions: [
        {
          symbol: 'BTC/USD',
          holdings: 0.00155,
          entry_price: null,
          current_price: 70500,
          position_value: null,
          pnl_pct: null,
          stop_loss_price: null,
          trailing_stop_price: null,
          high_water_mark: null,
          distance_to_stop_pct: null,
          stop_loss_triggered: null,
          last_trade_time: null,
        },
      ],
      protection: null,
    });
    expect(warnings).toEqual([
      'positions[0].pnl_pct: expected a number, got "n/a"; read as null',
      'positions[1].ticker: missing; position skipped',
      'positions[2]: expected an object, got string; skipped',
    ]);
  });

  it('reads an empty object as no data rather than failing', () => {
    expect(parsed({}).value).toEqual({ at: null, portfolio_value: null, cash: null, positions: [], protection: null });
  });

  it('reads a dict-shaped positions field (what an old reader expected) as no positions, with a warning', () => {
    const { value, warnings } = parsed({ timestamp: '2026-02-09T07:00:00+00:00', positions: { 'LINK/USD': { holdings: 1 } } });
    expect(value.positions).toEqual([]);
    expect(warnings).toEqual(['positions: expected a list, got object; read as no positions']);
  });

  it('notes a mistyped portfolio_protection and timestamp', () => {
    const { value, warnings } = parsed({ timestamp: 'bar 7', portfolio_protection: [1], positions: [] });
    expect(value.at).toBeNull();
    expect(value.protection).toBeNull();
    expect(warnings).toEqual([expect.stringContaining('timestamp: expected an ISO date-time, got "bar 7"'), expect.stringContaining('portfolio_protection: expected an object, got [1]')]);
  });

  it.each([
    [null, 'null'],
    [[], 'array'],
    ['{"positions": []}', 'string'],
    [42, 'number'],
    [undefined, 'undefined'],
  ])('rejects %j with a clear error', (data, type) => {
    expect(parsePositionsState(data)).toEqual({ ok: false, error: `positions_state.json holds a JSON object, got ${type}` });
  });
});
