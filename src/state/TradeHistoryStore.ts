/**
 * Every trade the CSV source derived, kept for `/trades`, entry prices and charts: longer than
 * event retention, bounded per trader (the newest `keepPerTrader`). Written in the transaction
 * that commits the trade events and their checkpoint; the event id is unique, so a replay
 * after a crash inserts nothing twice.
 */
import type { Statement } from 'better-sqlite3';
import type { StateStore } from './StateStore';

export interface TradeRecord {
  eventId: string;
  trader: string;
  /** Bar time, epoch ms. */
  at: number;
  symbol: string;
  side: 'BUY' | 'SELL';
  qty: number;
  price: number;
  value: number;
  /** Quantity held after the trade (null when unknown). */
  position: number | null;
}

export const DEFAULT_TRADES_PER_TRADER = 10_000;

interface TradeRow {
  event_id: string;
  trader: string;
  at: number;
  symbol: string;
  side: 'BUY' | 'SELL';
  qty: number;
  price: number;
  value: number;
  position: number | null;
}

const COLUMNS = 'event_id, trader, at, symbol, side, qty, price, value, position';
const toRecord = (r: TradeRow): TradeRecord => ({ eventId: r.event_id, trader: r.trader, at: r.at, symbol: r.symbol, side: r.side, qty: r.qty, price: r.price, value: r.value, position: r.position });

export class TradeHistoryStore {
  private readonly keepPerTrader: number;

  constructor(
    private readonly state: StateStore,
    options: { keepPerTrader?: number } = {},
  ) {
    this.keepPerTrader = options.keepPerTrader ?? DEFAULT_TRADES_PER_TRADER;
  }
  private readonly statements = new Map<string, Statement>();

  /** Statements prepared once per store: a commit batch records many points. */
  private sql(text: string): Statement {
    let statement = this.statements.get(text);
    if (!statement) this.statements.set(text, (statement = this.state.db.prepare(text)));
    return statement;
  }


  /** Adds the trades not yet known (by event id) and trims each trader touched; returns how many were new. */
  record(trades: readonly TradeRecord[]): number {
    if (trades.length === 0) return 0;
    const insert = this.sql(`INSERT OR IGNORE INTO trade_history (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    let added = 0;
    for (const t of trades) added += insert.run(t.eventId, t.trader, t.at, t.symbol, t.side, t.qty, t.price, t.value, t.position).changes;
    if (added > 0) for (const trader of new Set(trades.map((t) => t.trader))) this.trim(trader);
    return added;
  }

  private trim(trader: string): void {
    const cut = this.sql('SELECT seq FROM trade_history WHERE trader = ? ORDER BY seq DESC LIMIT 1 OFFSET ?').get(trader, this.keepPerTrader) as { seq: number } | undefined;
    if (cut) this.sql('DELETE FROM trade_history WHERE trader = ? AND seq <= ?').run(trader, cut.seq);
  }

  /** The newest `limit` trades, newest first: of one trader, or of all. */
  latest(limit: number, trader?: string): TradeRecord[] {
    const rows =
      trader === undefined
        ? this.sql(`SELECT ${COLUMNS} FROM trade_history ORDER BY at DESC, seq DESC LIMIT ?`).all(limit)
        : this.sql(`SELECT ${COLUMNS} FROM trade_history WHERE trader = ? ORDER BY seq DESC LIMIT ?`).all(trader, limit);
    return (rows as TradeRow[]).map(toRecord);
  }

  count(trader?: string): number {
    const row = (trader === undefined ? this.sql('SELECT count(*) AS n FROM trade_history').get() : this.sql('SELECT count(*) AS n FROM trade_history WHERE trader = ?').get(trader)) as { n: number };
    return row.n;
  }

  /** One trader's trades of one symbol, oldest first (what an average entry price is computed from). */
  ofSymbol(trader: string, symbol: string): TradeRecord[] {
    return (this.sql(`SELECT ${COLUMNS} FROM trade_history WHERE trader = ? AND symbol = ? ORDER BY seq`).all(trader, symbol) as TradeRow[]).map(toRecord);
  }

  /** One trader's trades with from <= at, oldest first. */
  since(trader: string, from: number): TradeRecord[] {
    return (this.sql(`SELECT ${COLUMNS} FROM trade_history WHERE trader = ? AND at >= ? ORDER BY seq`).all(trader, from) as TradeRow[]).map(toRecord);
  }

  traders(): string[] {
    return (this.sql('SELECT DISTINCT trader FROM trade_history ORDER BY trader').all() as { trader: string }[]).map((r) => r.trader);
  }
}
