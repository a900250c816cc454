/**
 * What the commands answer, as data: computed by the queries in src/readModel/queries from the
 * read model (state), rendered by src/discord/render/answers for Discord and as text for the CLI.
 * Nothing here knows Discord (the way Freqtrade's rpc.py computes and telegram.py only renders).
 *
 * Times are epoch milliseconds; money is in the account currency (USD); percentages are numbers
 * of percent (12.5 means 12.5 %). `null` means "not known", never zero.
 */

/** Every answer says how fresh its data is: the newest `at` among what it read (null: nothing). */
export interface AnswerBase {
  /** When the answer was computed. */
  now: number;
}

// ------------------------------------------------------------------ traders

export type TraderState = 'running' | 'paused' | 'stopped' | 'stale' | 'unknown';

/** One trader, joined from its log, CSV, heartbeat and process under one name. */
export interface TraderProcessView {
  /** The trader's one name (e.g. `trial250`). */
  trader: string;
  state: TraderState;
  /** Why the state is what it is, in a few words ("heartbeat 2 h overdue", "no process"). */
  stateReason: string | null;
  pid: number | null;
  /** When the process started (epoch ms), from /proc. */
  startedAt: number | null;
  cpuPercent: number | null;
  rssBytes: number | null;
  /** From the heartbeat. */
  lastPollAt: number | null;
  nextPollAt: number | null;
  pollCount: number | null;
  timeframe: string | null;
  tickers: string[];
  /** The files it was recognised by (log, CSV, heartbeat, model dir): details, not names. */
  files: { log: string | null; csv: string | null; heartbeat: string | null; modelDir: string | null };
}

export interface PortfolioTotals {
  trader: string;
  /** Time of the last CSV bar. */
  at: number;
  total: number;
  cash: number;
  invested: number;
  /** Against the first bar barista knows of this trader (its first CSV row). */
  pnlSinceStart: { amount: number; percent: number; since: number } | null;
  /** Against the last bar at or before 24 h ago (null until 24 h of history). */
  pnl24h: { amount: number; percent: number } | null;
}

export interface PositionView {
  symbol: string;
  quantity: number;
  price: number | null;
  value: number | null;
  /** Share of the trader's total value. */
  sharePercent: number | null;
  /** Average entry from the trade history / positions_state.json, when known. */
  entryPrice: number | null;
  unrealisedPnl: { amount: number; percent: number } | null;
}

export interface PortfolioAnswer extends AnswerBase {
  kind: 'portfolio';
  totals: PortfolioTotals;
  positions: PositionView[];
  /** The other traders with a portfolio (asked without a name: the one with the newest bar is shown). */
  otherTraders: string[];
}

export interface TradeView {
  trader: string;
  at: number;
  symbol: string;
  side: 'BUY' | 'SELL';
  quantity: number;
  price: number;
  value: number;
  /** Realised P&L when the trade closed (part of) a position and the entry is known. */
  realisedPnl: number | null;
}

export interface TradesAnswer extends AnswerBase {
  kind: 'trades';
  /** null: every trader. */
  trader: string | null;
  /** Newest first, at most the count asked for. */
  trades: TradeView[];
  /** How many trades the history holds for this selection (the answer may show fewer). */
  totalKnown: number;
}

export interface TraderStatusAnswer extends AnswerBase {
  kind: 'trader-status';
  trader: TraderProcessView;
  portfolio: PortfolioTotals | null;
}

// ------------------------------------------------------------------ training

export interface TrialView {
  number: number;
  value: number | null;
  params: Record<string, unknown>;
  /** Seconds, when finished. */
  durationS: number | null;
}

export interface RunningTrialView {
  number: number;
  startedAt: number | null;
  /** now - startedAt, seconds. */
  ageS: number | null;
}

export interface StudyStatusView {
  study: string;
  direction: 'maximize' | 'minimize';
  /** Counts by Optuna state: COMPLETE, PRUNED, FAIL, RUNNING, WAITING. */
  counts: Record<string, number>;
  best: TrialView[];
  trialsPerHour: number | null;
  target: number | null;
  /** Seconds to target_trials at the current rate (null: no target or no rate). */
  etaS: number | null;
  running: RunningTrialView[];
  lastFinishedAt: number | null;
}

export interface TrainingStatusAnswer extends AnswerBase {
  kind: 'training-status';
  studies: StudyStatusView[];
  workers: { running: number; paused: number; expected: number | null };
}

// ------------------------------------------------------------------ host and barista

export interface HostView {
  at: number;
  cpuPercent: number | null;
  cpuCount: number | null;
  memory: { usedPercent: number | null; totalBytes: number } | null;
  disk: { path: string; usedPercent: number | null; freeBytes: number } | null;
  gpus: Array<{ index: number; model: string | null; utilizationPercent: number | null; memoryUsedMb: number | null; memoryTotalMb: number | null; temperatureC: number | null }>;
}

export interface SourceHealthView {
  id: string;
  type: string;
  /** What it follows, in a few words ("3 files", "2 studies", "5 processes"). */
  follows: string;
  /** How far behind the newest data it has committed is, seconds (null: unknown). */
  lagS: number | null;
  lastError: { at: number; message: string } | null;
  ok: boolean;
}

export interface OutboxHealthView {
  pending: number;
  /** Age of the oldest pending row, seconds. */
  oldestPendingS: number | null;
  rejected: number;
  rateLimitHits: number | null;
  /** Destinations Discord refuses now: their messages wait (see notify.discord.probe_interval). */
  refused: RefusedDestinationView[];
  /** Each destination with pending or rejected rows (absent in answers made before it existed). */
  destinations?: DestinationOutboxView[];
}

export interface DestinationOutboxView {
  destination: string;
  pending: number;
  oldestPendingS: number | null;
  rejected: number;
}

export interface RefusedDestinationView {
  destination: string;
  channels: string[];
  sinceS: number;
  error: string;
}

export interface HealthAnswer extends AnswerBase {
  kind: 'health';
  version: string;
  /** Null when no barista runs on this state file. */
  uptimeS: number | null;
  stateFileBytes: number | null;
  sources: SourceHealthView[];
  outbox: OutboxHealthView;
}

export interface StatusAnswer extends AnswerBase {
  kind: 'status';
  traders: Array<{ process: TraderProcessView; portfolio: PortfolioTotals | null }>;
  training: { workers: TrainingStatusAnswer['workers']; studies: Array<Pick<StudyStatusView, 'study' | 'direction' | 'counts' | 'running' | 'target' | 'etaS'> & { bestValue: number | null; bestNumber: number | null }> };
  host: HostView | null;
  /** barista's own health in one line's worth. */
  barista: { sourcesOk: number; sourcesTotal: number; outboxPending: number; oldestPendingS: number | null; refused?: RefusedDestinationView[] };
}

// ------------------------------------------------------------------ mutes and charts

export interface MuteView {
  id: number;
  match: { type?: string | readonly string[]; severity?: string | readonly string[]; source?: string | readonly string[]; subject?: string | readonly string[] };
  reason: string | null;
  createdBy: string | null;
  createdAt: number;
  expiresAt: number;
}

export interface MutesAnswer extends AnswerBase {
  kind: 'mutes';
  mutes: MuteView[];
}

export interface EquitySeriesAnswer extends AnswerBase {
  kind: 'equity-series';
  trader: string;
  /** Period asked for, ms (null: everything kept). */
  periodMs: number | null;
  /** Downsampled total value over time, oldest first. */
  points: Array<{ at: number; total: number }>;
  trades: Array<{ at: number; side: 'BUY' | 'SELL'; symbol: string; value: number }>;
}

export interface TrainingSeriesAnswer extends AnswerBase {
  kind: 'training-series';
  study: string;
  direction: 'maximize' | 'minimize';
  /** Finished trials by number; value null for pruned/failed trials without one. */
  trials: Array<{ number: number; state: string; value: number | null; finishedAt: number | null }>;
}

/** A name the user typed that matches nothing: the answer lists what exists. */
export interface UnknownNameAnswer extends AnswerBase {
  kind: 'unknown-name';
  what: 'trader' | 'study';
  asked: string;
  known: string[];
}

/** Nothing to answer from yet (no trader seen, no study polled). */
export interface NothingYetAnswer extends AnswerBase {
  kind: 'nothing-yet';
  what: 'trader' | 'study' | 'trade' | 'equity' | 'trial';
  /** What the user can do about it, e.g. "add a csv source". */
  hint: string;
}

/** Every answer a command can give; `kind` tells them apart (a renderer exists for each). */
export type Answer =
  | StatusAnswer
  | PortfolioAnswer
  | TradesAnswer
  | TraderStatusAnswer
  | TrainingStatusAnswer
  | HealthAnswer
  | MutesAnswer
  | EquitySeriesAnswer
  | TrainingSeriesAnswer
  | UnknownNameAnswer
  | NothingYetAnswer;
