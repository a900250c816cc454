/**
 * One trader CSV (`--log-file`, e.g. paper_trades/trial250_session.csv) read line by line:
 * a per-bar `portfolio.snapshot`, and `trade.executed` for holding changes between
 * consecutive rows (the trader never logs its trades; see surface.md §1.1.3(d), §1.1.4).
 *
 * Pure: the file tailer feeds complete lines; the session's state is plain JSON so it can be
 * committed with the events and restored after a restart.
 */
import { z } from 'zod';
import type { EventDraft } from '../model/BaristaEvent';
import { parseUtcTimestamp } from './utcTimestamp';

// ---------------------------------------------------------------------------------------------
// Header

/** Which column holds what, for the tickers named in one header. */
export interface CsvLayout {
  /** The header line as read. */
  header: string;
  /** Columns every row of this header has. */
  width: number;
  /** Tickers in header order, slash kept ("BTC/USD"). */
  tickers: string[];
  /** Column indexes of holding_<T>, price_<T> and action_<T>, parallel to `tickers`. */
  holdingColumns: number[];
  priceColumns: number[];
  actionColumns: number[];
}

export class CsvHeaderError extends Error {
  override name = 'CsvHeaderError';
}

const FIXED_COLUMNS = ['timestamp', 'cash', 'total_asset', 'reward'] as const;
const TICKER_COLUMN = /^(holding|price|action)_(.+)$/;

/** A header line is one whose first cell is "timestamp" (a data row starts with a date). */
export function isCsvHeaderLine(line: string): boolean {
  return cleanLine(line).split(',', 1)[0].trim() === 'timestamp';
}

/**
 * `timestamp,cash,total_asset,reward,holding_<T>…,price_<T>…,action_<T>…` → layout.
 * Throws CsvHeaderError saying what is wrong when the line is not that shape.
 */
export function parseCsvHeader(line: string): CsvLayout {
  const header = cleanLine(line);
  const columns = header.split(',').map((c) => c.trim());
  const shown = header.length > 120 ? `${header.slice(0, 120)}…` : header;
  function fail(why: string): never {
    throw new CsvHeaderError(`not a Cappuccino trader CSV header (${why}): "${shown}"`);
  }
  FIXED_COLUMNS.forEach((name, i) => {
    if (columns[i] !== name) fail(`column ${i + 1} should be "${name}", found ${columns[i] === undefined ? 'nothing' : `"${columns[i]}"`}`);
  });
  const byKind: Record<'holding' | 'price' | 'action', Map<string, number>> = { holding: new Map(), price: new Map(), action: new Map() };
  for (let i = FIXED_COLUMNS.length; i < columns.length; i++) {
    const match = TICKER_COLUMN.exec(columns[i]);
    if (!match) fail(`column ${i + 1} "${columns[i]}" is not holding_<TICKER>, price_<TICKER> or action_<TICKER>`);
    const kind = match[1] as 'holding' | 'price' | 'action';
    const ticker = match[2];
    if (byKind[kind].has(ticker)) fail(`column "${columns[i]}" appears twice`);
    byKind[kind].set(ticker, i);
  }
  const tickers = [...byKind.holding.keys()];
  if (tickers.length === 0) fail('no holding_<TICKER> columns');
  for (const kind of ['price', 'action'] as const) {
    const missing = tickers.filter((t) => !byKind[kind].has(t));
    const extra = [...byKind[kind].keys()].filter((t) => !byKind.holding.has(t));
    if (missing.length > 0) fail(`no ${kind}_ column for ${missing.join(', ')}`);
    if (extra.length > 0) fail(`${kind}_ column for ${extra.join(', ')} without a holding_ column`);
  }
  return {
    header,
    width: columns.length,
    tickers,
    holdingColumns: tickers.map((t) => byKind.holding.get(t) as number),
    priceColumns: tickers.map((t) => byKind.price.get(t) as number),
    actionColumns: tickers.map((t) => byKind.action.get(t) as number),
  };
}

// ---------------------------------------------------------------------------------------------
// Rows

/** One bar as the trader logged it. Plain JSON (it is part of the persisted state). */
export interface CsvRow {
  /** Bar open time, ISO 8601 UTC. */
  at: string;
  cash: number;
  total: number;
  reward: number;
  /** Quantity held per ticker, every ticker of the header. */
  holdings: Record<string, number>;
  prices: Record<string, number>;
}

// `%.6f` output; Python's nan/inf are refused (the trader skips such bars, so they mean garbage).
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** Parses a data row under `layout`; returns a reason instead when it does not parse. */
export function parseCsvRow(layout: CsvLayout, line: string): CsvRow | { error: string } {
  const cells = cleanLine(line).split(',');
  if (cells.length !== layout.width) return { error: `${cells.length} columns, the header has ${layout.width}` };
  const atMs = parseUtcTimestamp(cells[0]);
  if (atMs === null) return { error: `timestamp "${cells[0]}" is not an ISO date-time` };
  const bad: string[] = [];
  const num = (column: number): number => {
    const text = cells[column].trim();
    if (!DECIMAL.test(text)) bad.push(`column ${column + 1} "${text}"`);
    return Number(text);
  };
  const row: CsvRow = {
    at: new Date(atMs).toISOString(),
    cash: num(1),
    total: num(2),
    reward: num(3),
    holdings: Object.fromEntries(layout.tickers.map((t, i) => [t, num(layout.holdingColumns[i])])),
    prices: Object.fromEntries(layout.tickers.map((t, i) => [t, num(layout.priceColumns[i])])),
  };
  return bad.length > 0 ? { error: `not a number: ${bad.join(', ')}` } : row;
}

// ---------------------------------------------------------------------------------------------
// Trades between two rows

export type TradeSide = 'BUY' | 'SELL';

/**
 * Holdings are written with %.6f, so they are compared as whole micro-units (exact integers).
 * A true "no change" can still flip the last printed digit when the underlying float sits on
 * a rounding boundary; a change of one micro-unit is treated as that noise, never as a trade.
 * The notional threshold (default $5) filters the rest: 1e-6 BTC is $0.07.
 */
const MICRO = 1_000_000;
const ROUNDING_NOISE_MICROS = 1;
const micros = (value: number): number => Math.round(value * MICRO);
const round6 = (value: number): number => Math.round(value * MICRO) / MICRO;

/** `trade.executed` drafts for every holding change worth at least `minNotional` dollars. */
export function tradesBetween(previous: CsvRow, current: CsvRow, tickers: readonly string[], trader: string, minNotional: number): EventDraft[] {
  const drafts: EventDraft[] = [];
  for (const symbol of tickers) {
    const before = micros(previous.holdings[symbol] ?? 0);
    const after = micros(current.holdings[symbol] ?? 0);
    const delta = after - before;
    if (Math.abs(delta) <= ROUNDING_NOISE_MICROS) continue;
    const qty = Math.abs(delta) / MICRO;
    const price = current.prices[symbol] ?? 0;
    const value = round6(qty * price);
    if (value < minNotional) continue;
    const side: TradeSide = delta > 0 ? 'BUY' : 'SELL';
    const position = after / MICRO;
    // A sell that leaves (up to rounding noise) nothing closes the position.
    const closed = side === 'SELL' && Math.abs(after) <= ROUNDING_NOISE_MICROS;
    drafts.push({
      type: 'trade.executed',
      severity: 'info',
      at: current.at,
      fields: { trader, symbol, side, qty, price, value, position, position_before: before / MICRO, closed },
      text: `${side} ${qty.toFixed(6)} ${symbol} @ $${price.toFixed(2)} ($${value.toFixed(2)}) → ${position.toFixed(6)} held${closed ? ' (position closed)' : ''}`,
    });
  }
  return drafts;
}

/** The fields of `portfolio.snapshot` (also the `portfolio:<trader>` cache entry). */
export interface PortfolioSnapshot {
  trader: string;
  /** Bar open time, ISO 8601 UTC. */
  at: string;
  cash: number;
  total: number;
  reward: number;
  holdings: Record<string, number>;
  prices: Record<string, number>;
}

function snapshotDraft(row: CsvRow, trader: string): EventDraft {
  const fields: PortfolioSnapshot = { trader, at: row.at, cash: row.cash, total: row.total, reward: row.reward, holdings: { ...row.holdings }, prices: { ...row.prices } };
  return {
    type: 'portfolio.snapshot',
    // Per-bar cache material, not news: routes send it only if asked to.
    severity: 'debug',
    at: row.at,
    fields: { ...fields },
  };
}

// ---------------------------------------------------------------------------------------------
// The session

/**
 * awaiting-header → tracking → interleaved (another trader writes the same file) or
 * unrecognised (not a trader CSV). The last two are final until the file is replaced or
 * truncated, which makes the tailer start a new session.
 */
export type CsvSessionStatus = 'awaiting-header' | 'tracking' | 'interleaved' | 'unrecognised';

export type CsvWarningReason = 'second-header' | 'column-count' | 'timestamp-order' | 'not-a-trader-csv' | 'row-before-header' | 'malformed-row' | 'torn-row' | 'clock-step';

/**
 * Rows that must follow a bar time going back without another one before it is read as a
 * clock step of one trader; another one within them means two traders share the file.
 */
export const CLOCK_STEP_PROBATION_ROWS = 3;

/** After a bar time went back: the rows read since, held until they tell a clock step from a second trader. */
export interface CsvProbation {
  /** Where the time went back, and from which bar to which. */
  line?: number;
  offset?: number;
  from: string;
  to: string;
  /** Rows read since (the one that went back included). */
  rows: number;
  /** Their drafts, released when the probation passes, dropped when the file proves shared. */
  pending: EventDraft[];
}

export interface CsvSessionOptions {
  /** The trader's name, e.g. "trial250" (streams/traderIdentity.ts): the `trader` field of its events. */
  trader: string;
  /** Smallest |Δqty × price| reported as a trade (rules.yaml `min_notional`, default 5). */
  minNotional?: number;
  /** Path shown in warnings; default `<trader>.csv`. */
  file?: string;
}

/** Where a line is in its file, for warnings (1-based line number, byte offset of its start). */
export interface LinePosition {
  line?: number;
  offset?: number;
}

/** Everything a session needs to carry on after a restart. Plain JSON. */
export interface CsvSessionState {
  version: 1;
  trader: string;
  file: string;
  minNotional: number;
  status: CsvSessionStatus;
  /** The header line; the layout is recomputed from it. */
  header: string | null;
  /** The last data row, so the first row after a restart still yields trades. */
  lastRow: CsvRow | null;
  /** The one "row does not parse" warning of this file was given. */
  malformedWarned: boolean;
  /**
   * The header was read as the file's first line (a session that began while barista watched):
   * the trader started all in cash, so its first row's holdings are trades too.
   */
  startsFromCash?: boolean;
  /** Set while rows after a backwards bar time are held (see CsvProbation). */
  probation?: CsvProbation | null;
}

const finiteNumber = z.number().refine(Number.isFinite, 'must be a finite number');
const rowSchema = z.strictObject({
  at: z.string().refine((s) => parseUtcTimestamp(s) !== null, 'must be an ISO date-time'),
  cash: finiteNumber,
  total: finiteNumber,
  reward: finiteNumber,
  holdings: z.record(z.string(), finiteNumber),
  prices: z.record(z.string(), finiteNumber),
});
const stateSchema = z.strictObject({
  version: z.literal(1),
  trader: z.string().min(1),
  file: z.string().min(1),
  minNotional: z.number().nonnegative(),
  status: z.enum(['awaiting-header', 'tracking', 'interleaved', 'unrecognised']),
  header: z.string().nullable(),
  lastRow: rowSchema.nullable(),
  malformedWarned: z.boolean(),
  startsFromCash: z.boolean().optional(),
  probation: z
    .strictObject({
      line: z.number().optional(),
      offset: z.number().optional(),
      from: z.string(),
      to: z.string(),
      rows: z.number().int().nonnegative(),
      pending: z.array(z.looseObject({ type: z.string(), severity: z.string(), fields: z.record(z.string(), z.unknown()) })),
    })
    .nullable()
    .optional(),
});

export const DEFAULT_MIN_NOTIONAL = 5;

/** Hands each line of a file before the point barista reads from to `onLine`; false when they could not be read. */
export type HistoryReader = (onLine: (line: string) => void) => boolean;

export class CsvSession {
  private status: CsvSessionStatus = 'awaiting-header';
  private layout: CsvLayout | null = null;
  private lastRow: CsvRow | null = null;
  private malformedWarned = false;
  private startsFromCash = false;
  private probation: CsvProbation | null = null;
  /** The trader's name; the owner renames it when the trader's identity is learnt later. */
  trader: string;
  readonly file: string;
  readonly minNotional: number;

  constructor(options: CsvSessionOptions) {
    this.trader = options.trader;
    this.file = options.file ?? `${options.trader}.csv`;
    this.minNotional = options.minNotional ?? DEFAULT_MIN_NOTIONAL;
  }

  /**
   * Rebuilds a session from `state` (as returned by `.state`, possibly through JSON).
   * `overrides` apply current settings, e.g. a `min_notional` changed while barista was down.
   * Throws when the state is not one this code wrote.
   */
  static restore(state: unknown, overrides: Partial<CsvSessionOptions> = {}): CsvSession {
    const parsed = stateSchema.safeParse(state);
    if (!parsed.success) throw new Error(`CSV session state is invalid: ${z.prettifyError(parsed.error)}`);
    const saved = parsed.data;
    const session = new CsvSession({ trader: saved.trader, file: saved.file, minNotional: saved.minNotional, ...overrides });
    session.status = saved.status;
    session.malformedWarned = saved.malformedWarned;
    session.startsFromCash = saved.startsFromCash ?? false;
    session.probation = (saved.probation as CsvProbation | null | undefined) ?? null;
    if (saved.header !== null) session.layout = parseCsvHeader(saved.header);
    if (saved.lastRow !== null) {
      const tickers = session.layout?.tickers ?? [];
      const fits = (values: Record<string, number>) => tickers.length === Object.keys(values).length && tickers.every((t) => t in values);
      if (!fits(saved.lastRow.holdings) || !fits(saved.lastRow.prices)) throw new Error(`CSV session state is invalid: the last row does not match the header's tickers (${tickers.join(', ')})`);
      session.lastRow = saved.lastRow;
    }
    return session;
  }

  /**
   * A session that has read the rows before the point barista reads from (a CSV there before its
   * first start is read from its end: history) without emitting anything, so that the first row
   * read next is compared with the last one before it and that bar's trades are not lost.
   * Null when the history could not be read.
   */
  static afterHistory(readLines: HistoryReader, options: CsvSessionOptions): CsvSession | null {
    const session = new CsvSession(options);
    let line = 0;
    const read = readLines((text) => {
      line += 1;
      session.acceptLine(text, { line, offset: line === 1 ? 0 : undefined });
    });
    return read ? session : null;
  }

  get state(): CsvSessionState {
    const state: CsvSessionState = {
      version: 1,
      trader: this.trader,
      file: this.file,
      minNotional: this.minNotional,
      status: this.status,
      header: this.layout?.header ?? null,
      lastRow: this.lastRow,
      malformedWarned: this.malformedWarned,
      startsFromCash: this.startsFromCash,
      probation: this.probation,
    };
    // A copy: the caller persists it while the session moves on.
    return JSON.parse(JSON.stringify(state)) as CsvSessionState;
  }

  /** The tickers of the current header, or null before one is known. */
  get tickers(): readonly string[] | null {
    return this.layout?.tickers ?? null;
  }

  /**
   * The file's header line read without emitting (barista starts at the end of an existing file).
   * Returns a warning draft when the line is not a trader CSV header. A different header than the
   * one known replaces it and forgets the last row (rows under other columns are not comparable).
   */
  acceptHeader(line: string, where: LinePosition = {}): EventDraft[] {
    if (this.status === 'interleaved' || this.status === 'unrecognised') return [];
    let layout: CsvLayout;
    try {
      layout = parseCsvHeader(line);
    } catch (error) {
      return this.giveUp('unrecognised', 'not-a-trader-csv', where, (error as Error).message);
    }
    if (this.layout?.header !== layout.header) this.lastRow = null;
    this.layout = layout;
    this.status = 'tracking';
    return [];
  }

  /**
   * One complete line of the file (without or with its newline). Returns the drafts it makes:
   * for a data row a `portfolio.snapshot` followed by `trade.executed` drafts in header ticker
   * order (a stable order, so callers can number them for deterministic ids).
   */
  acceptLine(line: string, where: LinePosition = {}): EventDraft[] {
    const text = cleanLine(line);
    if (text.trim() === '') return [];
    switch (this.status) {
      case 'interleaved':
      case 'unrecognised':
        return [];
      case 'awaiting-header':
        if (isCsvHeaderLine(text)) {
          // Written when the trader created the file: it starts from cash, with no positions.
          this.startsFromCash = where.offset === 0;
          return this.acceptHeader(text, where);
        }
        return this.giveUp('unrecognised', 'row-before-header', where, `a data row came before any header, so its columns cannot be named: "${preview(text)}"`);
      case 'tracking':
        return this.acceptRow(text, this.layout as CsvLayout, where);
    }
  }

  private acceptRow(text: string, layout: CsvLayout, where: LinePosition): EventDraft[] {
    // Several traders launched without --log-file append to the same alpaca_session.csv; their
    // rows interleave, and comparing one trader's row with another's would invent trades. The
    // signs: a header written again (two traders created the file at once), a row of another
    // width (another ticker count), or a bar not after the previous one (traders on the same
    // bars write the same timestamp in turn; one trader resumes after its CSV's last bar).
    if (isCsvHeaderLine(text)) {
      const same = text.trim() === layout.header.trim();
      return this.giveUp('interleaved', 'second-header', where, `a second header line${same ? ' (same columns)' : `: "${preview(text)}"`}`);
    }
    let parsed = parseCsvRow(layout, text);
    const notes: EventDraft[] = [];
    if ('error' in parsed) {
      // A trader killed mid-row leaves a partial line, and its next run appends a whole row to it.
      const torn = tornRowSuffix(layout, text);
      if (torn) {
        notes.push(this.warning('torn-row', where, `a partial row ("${preview(text.slice(0, torn.at))}", the trader stopped mid-write) was skipped; the row written after it is read`));
        parsed = torn.row;
      } else {
        const width = text.split(',').length;
        if (width !== layout.width) return this.giveUp('interleaved', 'column-count', where, `a row with ${width} columns, the header has ${layout.width} ("${preview(text)}")`);
        return this.warnMalformedOnce(where, `${parsed.error} ("${preview(text)}")`);
      }
    }
    return [...notes, ...this.acceptParsedRow(parsed, layout, where)];
  }

  /**
   * A bar time that goes back is a clock step of this trader or a second trader's row: the
   * rows after it tell which. They are held until CLOCK_STEP_PROBATION_ROWS rows went forward
   * (then released, with one warning) or another one went back (a shared file: dropped).
   */
  private acceptParsedRow(row: CsvRow, layout: CsvLayout, where: LinePosition): EventDraft[] {
    const back = this.lastRow !== null && Date.parse(row.at) <= Date.parse(this.lastRow.at);
    if (back && this.probation) {
      const first = this.probation;
      return this.giveUp('interleaved', 'timestamp-order', where, `a row for bar ${row.at} after a row for bar ${this.lastRow!.at}, the second time bars went back (first: bar ${first.to} after ${first.from}${first.line !== undefined ? `, line ${first.line}` : ''}; bars only move forward in one trader's file)`);
    }
    if (back) this.probation = { ...where, from: this.lastRow!.at, to: row.at, rows: 0, pending: [] };
    const drafts = [snapshotDraft(row, this.trader)];
    const previous = this.lastRow ?? (this.startsFromCash ? cashOnly(row, layout.tickers) : null);
    if (previous) drafts.push(...tradesBetween(previous, row, layout.tickers, this.trader, this.minNotional));
    this.lastRow = row;
    this.startsFromCash = false;
    if (!this.probation) return drafts;
    const probation = this.probation;
    probation.rows += 1;
    probation.pending.push(...drafts);
    if (probation.rows <= CLOCK_STEP_PROBATION_ROWS) return [];
    this.probation = null;
    const at = { line: probation.line, offset: probation.offset };
    const held = probation.rows - 1;
    return [this.warning('clock-step', at, `the bar time went back from ${probation.from} to ${probation.to} and then forward again for ${held} rows: read as a clock step of one trader; the ${held + 1} rows from there on are reported now`), ...probation.pending];
  }

  /**
   * Final states: once interleaved, nothing more is derived, snapshots included. Rows that still
   * parse under the header may be another trader's (no column says whose, and a second header
   * can reorder tickers under the same width), so a snapshot would put a stranger's portfolio
   * under this trader's name. The heartbeat and positions_state keep reporting liveness.
   */
  private giveUp(status: 'interleaved' | 'unrecognised', reason: CsvWarningReason, where: LinePosition, seen: string): EventDraft[] {
    this.status = status;
    this.lastRow = null;
    this.probation = null; // held rows may be another trader's: dropped
    const consequence =
      status === 'interleaved'
        ? 'several traders seem to append to this file; barista derives no more trades or snapshots from it until it is replaced or truncated (give each trader its own --log-file)'
        : 'barista ignores this file until it is replaced or truncated';
    return [this.warning(reason, where, `${seen}; ${consequence}`)];
  }

  /** A row of the right width that does not parse (e.g. nan): skipped, told once per file. */
  private warnMalformedOnce(where: LinePosition, seen: string): EventDraft[] {
    if (this.malformedWarned) return [];
    this.malformedWarned = true;
    return [this.warning('malformed-row', where, `a row that does not parse: ${seen}; skipped (later ones are skipped silently), trades are computed against the last good row`)];
  }

  private warning(reason: CsvWarningReason, where: LinePosition, detail: string): EventDraft {
    const place = [where.line !== undefined ? `line ${where.line}` : null, where.offset !== undefined ? `byte ${where.offset}` : null].filter(Boolean).join(', ');
    return {
      type: 'barista.warning',
      severity: 'warning',
      fields: { trader: this.trader, file: this.file, reason, ...(where.line !== undefined && { line: where.line }), ...(where.offset !== undefined && { offset: where.offset }) },
      text: `${this.file}${place ? ` (${place})` : ''}: ${detail}.`,
    };
  }
}

/**
 * The complete row a torn line ends with (a partial row followed by a whole one), and where it
 * starts; null when there is none. A whole row starts with its bar time, the only date in it.
 */
function tornRowSuffix(layout: CsvLayout, text: string): { row: CsvRow; at: number } | null {
  const starts = [...text.matchAll(/\d{4}-\d{2}-\d{2}[T ]\d/g)].map((m) => m.index).filter((i) => i > 0);
  const at = starts.at(-1);
  if (at === undefined) return null;
  const row = parseCsvRow(layout, text.slice(at));
  return 'error' in row ? null : { row, at };
}

/** The state before a fresh trader's first bar: no holdings (prices as in that bar). */
function cashOnly(row: CsvRow, tickers: readonly string[]): CsvRow {
  return { ...row, holdings: Object.fromEntries(tickers.map((t) => [t, 0])) };
}

/** Without BOM and line ending. */
function cleanLine(line: string): string {
  return line.replace(/^\uFEFF/, '').replace(/\r?\n$/, '').replace(/\r$/, '');
}

function preview(text: string): string {
  return text.length > 80 ? `${text.slice(0, 80)}…` : text;
}
