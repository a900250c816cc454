/**
 * What commands, digests and the CLI read, and nothing else: state's caches through the
 * catalogue and the histories through their stores. It never reads the monitored files; the
 * sources keep state current. Queries (src/readModel/queries) turn it into answers.
 */
import { compareText } from '../model/compareText';
import { statSync } from 'node:fs';
import type { SourceIdentity } from '../config/sourceIdentity';
import type { Logger } from '../logging/logger';
import type { Mute } from '../model/mute';
import { EquitySeriesStore } from '../state/EquitySeriesStore';
import { MuteStore } from '../state/MuteStore';
import { OutboxStore, type DestinationRefusal, type DestinationStats } from '../state/OutboxStore';
import type { StateStore } from '../state/StateStore';
import { TradeHistoryStore } from '../state/TradeHistoryStore';
import { TrialHistoryStore } from '../state/TrialHistoryStore';
import type { PortfolioSnapshot } from '../streams/csvSession';
import type { Heartbeat } from '../streams/heartbeat';
import type { HostCache } from '../streams/hostCache';
import type { StudyCache } from '../streams/optunaTrials';
import type { PositionsState } from '../streams/positions';
import { resolveTraderName } from '../streams/traderIdentity';
import type { CachedProcess } from '../streams/processLifecycle';
import type { SourceHealth } from '../streams/sourceHealth';
import { CATALOGUE, listCache, readCache, type Cached, type CacheReadOptions } from './catalogue';
import { resolveName } from './queries/names';
import { traderDirectory } from './traders';

export interface ReadModelOptions {
  logger?: Logger;
  /** How late a heartbeat may be before its trader is stale (the json source's stale_grace). */
  staleGraceMs?: number;
  /** The sources rules.yaml configures now: /health and /status list these (also before their first commit), and only these. */
  sources?: readonly SourceIdentity[];
}

export interface OutboxStats {
  pending: number;
  rejected: number;
  oldestPendingAt: number | null;
  /** Destinations Discord refuses now (credentials, permission, deleted webhook). */
  refused: DestinationRefusal[];
  /** Each destination with pending or rejected rows. */
  destinations: DestinationStats[];
}

export class ReadModel {
  readonly trades: TradeHistoryStore;
  readonly equity: EquitySeriesStore;
  readonly trials: TrialHistoryStore;
  private readonly read: CacheReadOptions;

  constructor(
    readonly state: StateStore,
    readonly now: () => number = Date.now,
    readonly options: ReadModelOptions = {},
  ) {
    this.trades = new TradeHistoryStore(state);
    this.equity = new EquitySeriesStore(state);
    this.trials = new TrialHistoryStore(state);
    this.read = { logger: options.logger };
  }

  portfolio(trader: string): Cached<PortfolioSnapshot> | undefined {
    return readCache(this.state, CATALOGUE.portfolio.of(trader), this.read);
  }

  portfolios(): Array<Cached<PortfolioSnapshot> & { id: string }> {
    return listCache(this.state, CATALOGUE.portfolio, this.read);
  }

  heartbeat(trader: string): Cached<Heartbeat> | undefined {
    return readCache(this.state, CATALOGUE.heartbeat.of(trader), this.read);
  }

  heartbeats(): Array<Cached<Heartbeat> & { id: string }> {
    return listCache(this.state, CATALOGUE.heartbeat, this.read);
  }

  positions(): Cached<PositionsState> | undefined {
    return readCache(this.state, CATALOGUE.positions, this.read);
  }

  processes(): Cached<CachedProcess[]> | undefined {
    return readCache(this.state, CATALOGUE.processes, this.read);
  }

  host(): Cached<HostCache> | undefined {
    return readCache(this.state, CATALOGUE.host, this.read);
  }

  study(name: string): Cached<StudyCache> | undefined {
    return readCache(this.state, CATALOGUE.optuna.of(name), this.read);
  }

  studies(): Array<Cached<StudyCache> & { id: string }> {
    return listCache(this.state, CATALOGUE.optuna, this.read);
  }

  sourceHealth(): Array<Cached<SourceHealth> & { id: string }> {
    return listCache(this.state, CATALOGUE.sourceHealth, this.read);
  }

  outbox(): OutboxStats {
    const store = new OutboxStore(this.state);
    const counts = store.counts();
    return { pending: counts.pending, rejected: counts.rejected, oldestPendingAt: store.oldestPendingAt(), refused: store.refusedDestinations(), destinations: store.destinationStats() };
  }

  activeMutes(): Mute[] {
    return new MuteStore(this.state, this.now).listActive(this.now());
  }

  /** The state file and its WAL, bytes (null when they cannot be read). */
  stateFileBytes(): number | null {
    try {
      const main = statSync(this.state.info.path).size;
      let wal = 0;
      try {
        wal = statSync(`${this.state.info.path}-wal`).size;
      } catch {
        // no WAL right now
      }
      return main + wal;
    } catch {
      return null;
    }
  }

  /**
   * Every trader a source knows (portfolio, heartbeat, process), sorted. The histories add
   * none: the csv source writes a trader's portfolio with its first trade and point.
   */
  traderNames(): string[] {
    const names = new Set<string>(Object.keys(traderDirectory(this.state).traders));
    for (const p of this.portfolios()) names.add(p.id);
    for (const h of this.heartbeats()) names.add(h.id);
    for (const p of this.processes()?.value ?? []) if (p.class === 'trader') names.add(p.subject);
    return [...names].sort();
  }

  /**
   * A trader as a user typed it → its one name: any of its names or file names (`trial250`,
   * `trial250_session`, `paper_trader_trial250`, `logs/paper_trader.log`), else a unique prefix
   * or part of a known name; null when none or several could be meant.
   */
  resolveTrader(asked: string): string | null {
    const known = this.traderNames();
    return resolveTraderName(asked, traderDirectory(this.state), known) ?? resolveName(asked, known);
  }

  /** The trader with the newest portfolio bar: what a command asked without a name is about. */
  latestTrader(): string | null {
    const newest = [...this.portfolios()].sort((a, b) => Date.parse(b.value.at) - Date.parse(a.value.at) || compareText(a.id, b.id))[0];
    return newest?.id ?? null;
  }

  /** The study polled most recently with a trial finished last: what a command asked without a name is about. */
  latestStudy(): string | null {
    const lastFinished = (s: StudyCache) => Math.max(0, ...s.recent.map((t) => Date.parse(t.completedAt ?? '') || 0));
    const newest = [...this.studies()].sort((a, b) => lastFinished(b.value) - lastFinished(a.value) || compareText(a.id, b.id))[0];
    return newest?.id ?? this.studyNames()[0] ?? null;
  }

  /** Every study cached or with a trial history, sorted. */
  studyNames(): string[] {
    return [...new Set([...this.studies().map((s) => s.id), ...this.trials.studies()])].sort();
  }
}
