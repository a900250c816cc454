/**
 * A `type: csv` source: tail each trader CSV, feed its rows to a CsvSession (snapshots, and
 * trades from holding deltas) and its snapshots to the performance rules, commit events,
 * checkpoint and both states together so the first row after a restart still compares against
 * the last row before it, and a raised performance condition is neither repeated nor forgotten.
 */
import { sourceIdentity } from '../../config/sourceIdentity';
import { closeSync, openSync, readSync } from 'node:fs';
import path from 'node:path';
import type { CsvSourceConfig, PerformanceConfig } from '../../config/schema';
import { CheckpointStore } from '../../state/CheckpointStore';
import { eventFromDraft, type BaristaEvent } from '../../model/BaristaEvent';
import { CATALOGUE, writeCache } from '../../readModel/catalogue';
import { EquitySeriesStore } from '../../state/EquitySeriesStore';
import { TradeHistoryStore, type TradeRecord } from '../../state/TradeHistoryStore';
import { CsvSession, type CsvSessionState, type HistoryReader, type PortfolioSnapshot } from '../../streams/csvSession';
import { barOfSnapshot, primePerformanceFromCsv } from '../../streams/performance/csvPerformance';
import { traderOfFile } from '../../streams/traderIdentity';
import { traderDirectory } from '../../readModel/traders';
import { restorePerformanceState, stepPerformance, type PerformanceState } from '../../streams/performance/performanceRules';
import type { PathCheckpoint } from '../../watchers/FileTailer';
import { readLinesBefore } from '../../watchers/readLinesBefore';
import { TailSource, type TailBatch } from '../../watchers/TailSource';
import type { Component, ComponentContext } from '../Component';
import { commitBatch, noteSourceError } from './commitBatch';

interface CsvCheckpoint {
  tail: PathCheckpoint | null;
  /** Session per file identity still being read. */
  sessions: Record<string, CsvSessionState>;
  /** Performance rules' state per file identity (when the source has `performance:`). */
  performance?: Record<string, PerformanceState>;
}

const MAX_LINE_BYTES = 1024 * 1024;

export class CsvSourceComponent implements Component {
  readonly id: string;
  private tail: TailSource | null = null;
  private readonly sessions = new Map<string, Map<string, CsvSession>>();
  private readonly performance = new Map<string, Map<string, PerformanceState>>();
  private checkpoints: CheckpointStore;
  private readonly histories: { trades: TradeHistoryStore; equity: EquitySeriesStore };

  constructor(
    private readonly config: CsvSourceConfig,
    private readonly context: ComponentContext,
  ) {
    this.id = config.id;
    this.checkpoints = new CheckpointStore(context.state);
    this.histories = { trades: new TradeHistoryStore(context.state), equity: new EquitySeriesStore(context.state) };
  }

  start(): void {
    this.tail = new TailSource({
      workspace: this.context.workspace,
      patterns: this.config.paths,
      exclude: this.config.exclude,
      maxLineBytes: MAX_LINE_BYTES,
      multiline: 'none',
      startAt: this.config.start_at,
      firstStartedAt: this.context.firstStartedAt,
      checkpoints: { load: () => this.loadTailCheckpoints(), forget: (rel) => this.forget(rel) },
      onBatch: (batch) => this.commit(batch),
      onUnreadable: (_path, error) => noteSourceError(this.context.state, this.config.id, sourceIdentity(this.config), error),
      logger: this.context.logger,
    });
    this.tail.start();
  }

  async stop(): Promise<void> {
    await this.tail?.stop();
  }

  /** A CSV deleted and drained: its sessions, performance state and checkpoint go with it. */
  private forget(rel: string): void {
    this.sessions.delete(rel);
    this.performance.delete(rel);
    this.checkpoints.delete(this.config.id, rel);
  }

  private loadTailCheckpoints(): Map<string, PathCheckpoint> {
    const out = new Map<string, PathCheckpoint>();
    this.sessions.clear(); // (re)loading: in-memory sessions give way to the committed ones
    this.performance.clear();
    for (const [rel, saved] of this.checkpoints.load<CsvCheckpoint>(this.config.id)) {
      if (saved.tail) out.set(rel, saved.tail);
      const byIdentity = new Map<string, CsvSession>();
      for (const [identity, state] of Object.entries(saved.sessions ?? {})) {
        try {
          byIdentity.set(identity, CsvSession.restore(state, { minNotional: this.config.min_notional }));
        } catch (error) {
          this.context.logger.warn({ err: error, path: rel }, 'discarding an unreadable CSV session state; trades restart from the next row');
        }
      }
      this.sessions.set(rel, byIdentity);
      const performance = new Map<string, PerformanceState>();
      for (const [identity, state] of Object.entries(this.config.performance ? (saved.performance ?? {}) : {})) {
        try {
          performance.set(identity, restorePerformanceState(state));
        } catch (error) {
          this.context.logger.warn({ err: error, path: rel }, 'discarding an unreadable performance state; the rules start again from the file');
        }
      }
      this.performance.set(rel, performance);
    }
    return out;
  }

  private sessionFor(rel: string, trader: string, identity: string, firstRecordStart: number): CsvSession {
    let byIdentity = this.sessions.get(rel);
    if (!byIdentity) this.sessions.set(rel, (byIdentity = new Map()));
    let session = byIdentity.get(identity);
    if (!session) {
      const options = { trader, minNotional: this.config.min_notional, file: rel };
      // Started mid-file (at the end of a file there before barista's first start, or after a
      // restart without state): the rows before are history, read silently, so the first row
      // read still yields its trades. Unreadable history (replaced since): the header is line 1.
      session = (firstRecordStart > 0 ? CsvSession.afterHistory(this.linesBefore(rel, identity, firstRecordStart), options) : null) ?? new CsvSession(options);
      const header = firstRecordStart > 0 && session.tickers === null ? readFirstLine(path.join(this.context.workspace, rel)) : null;
      if (header) session.acceptHeader(header);
      byIdentity.set(identity, session);
    }
    session.trader = trader; // the name may have been learnt since (a trader process seen)
    return session;
  }

  /** A file's performance state; one first seen mid-file is primed from the rows before `start`. */
  private performanceFor(rel: string, trader: string, identity: string, start: number, config: PerformanceConfig): PerformanceState {
    let byIdentity = this.performance.get(rel);
    if (!byIdentity) this.performance.set(rel, (byIdentity = new Map()));
    let state = byIdentity.get(identity);
    if (!state) {
      state = primePerformanceFromCsv(this.linesBefore(rel, identity, start), config, { trader, file: rel });
      byIdentity.set(identity, state);
    }
    return state;
  }

  /** The lines of the file before `start`, the history a tailer started past. */
  private linesBefore(rel: string, identity: string, start: number): HistoryReader {
    const file = path.join(this.context.workspace, rel);
    return (onLine) => start > 0 && readLinesBefore(file, start, identity, MAX_LINE_BYTES, onLine);
  }

  private commit(batch: TailBatch): void {
    const events: BaristaEvent[] = [];
    const trader = traderOfFile(traderDirectory(this.context.state), 'csv', batch.path) ?? batch.path;
    const rules = this.config.performance;
    for (const record of batch.records) {
      const session = this.sessionFor(batch.path, trader, record.identity, record.start);
      // The file stays visible beside the trader's name.
      const drafts = session.acceptLine(record.text, { offset: record.start }).map((draft) => ({ ...draft, fields: { ...draft.fields, file: batch.path } }));
      drafts.forEach((draft, index) => {
        events.push(eventFromDraft(draft, { source: this.config.id, subject: trader, idParts: [record.identity, record.start, index] }));
      });
      // Usually one bar a line; several when rows held after a clock step are released.
      const bars = rules ? drafts.map(barOfSnapshot).filter((b) => b !== null) : [];
      bars.forEach((bar, barIndex) => {
        const step = stepPerformance(this.performanceFor(batch.path, trader, record.identity, record.start, rules!), bar, rules!, { trader, file: batch.path });
        this.performance.get(batch.path)?.set(record.identity, step.state);
        // At most one event of a type per bar: the type names the rule in the id.
        const idParts = (type: string) => [record.identity, record.start, type, ...(barIndex > 0 ? [barIndex] : [])];
        for (const draft of step.drafts) events.push(eventFromDraft({ ...draft, fields: { ...draft.fields, file: batch.path } }, { source: this.config.id, subject: trader, idParts: idParts(draft.type) }));
      });
    }
    const live = new Set(batch.checkpoint?.cursors.map((c) => c.identity) ?? []);
    const byIdentity = this.sessions.get(batch.path) ?? new Map<string, CsvSession>();
    const performance = this.performance.get(batch.path) ?? new Map<string, PerformanceState>();
    for (const identity of [...byIdentity.keys()]) if (!live.has(identity)) byIdentity.delete(identity);
    for (const identity of [...performance.keys()]) if (!live.has(identity)) performance.delete(identity);
    const position: CsvCheckpoint = {
      tail: batch.checkpoint,
      sessions: Object.fromEntries([...byIdentity].map(([id, s]) => [id, s.state])),
      ...(rules && { performance: Object.fromEntries(performance) }),
    };
    const fresh = commitBatch(this.context.state, {
      source: this.config.id,
      key: batch.path,
      events,
      position,
      alsoWrite: () => writeHistoriesOf(this.context.state, this.histories, trader, events),
      health: sourceIdentity(this.config),
    });
    if (fresh.length) this.context.publish(fresh);
  }
}

/** The trader's last snapshot, trades and equity points, in the commit of their events (also the state bench's). */
export function writeHistoriesOf(state: ComponentContext['state'], stores: { trades: TradeHistoryStore; equity: EquitySeriesStore }, trader: string, events: readonly BaristaEvent[]): void {
  const trades: TradeRecord[] = [];
  let last: PortfolioSnapshot | null = null;
  for (const event of events) {
    if (event.type === 'trade.executed') {
      const trade = tradeRecordOf(event, trader);
      if (trade) trades.push(trade);
    } else if (event.type === 'portfolio.snapshot') {
      const snapshot = event.fields as unknown as PortfolioSnapshot;
      stores.equity.record(trader, { at: Date.parse(snapshot.at), total: snapshot.total, cash: snapshot.cash });
      last = snapshot;
    }
  }
  stores.trades.record(trades);
  if (last) writeCache(state, CATALOGUE.portfolio.of(trader), last, last.at);
}

function tradeRecordOf(event: BaristaEvent, trader: string): TradeRecord | null {
  const f = event.fields;
  const side = f.side === 'BUY' || f.side === 'SELL' ? f.side : null;
  const at = Date.parse(event.at);
  if (side === null || typeof f.symbol !== 'string' || typeof f.qty !== 'number' || typeof f.price !== 'number' || typeof f.value !== 'number' || !Number.isFinite(at)) return null;
  return { eventId: event.id, trader, at, symbol: f.symbol, side, qty: f.qty, price: f.price, value: f.value, position: typeof f.position === 'number' ? f.position : null };
}

function readFirstLine(file: string): string | null {
  let fd: number | null = null;
  try {
    fd = openSync(file, 'r');
    const buffer = Buffer.alloc(64 * 1024);
    const n = readSync(fd, buffer, 0, buffer.length, 0);
    const text = buffer.subarray(0, n).toString('utf8');
    const end = text.search(/\r?\n/);
    return end >= 0 ? text.slice(0, end) : null;
  } catch {
    return null;
  } finally {
    if (fd !== null) closeSync(fd);
  }
}
