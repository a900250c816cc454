/**
 * Ground truth: what the simulator meant to happen, so tests can compare barista's events with
 * it. Times are ISO strings (bar open time for bar events, simulated wall clock otherwise).
 */

export type TradeSide = 'BUY' | 'SELL';

/** Why holdings changed: the policy, or one of the trader's/environment's forced sells. */
export type TradeReason =
  | 'policy'
  | 'stop_loss'
  | 'trailing_stop'
  | 'portfolio_trailing_stop'
  | 'move_to_cash'
  | 'profit_taking'
  /** environment_Alpaca.py sells 5% of a position held 48 bars without a sell. */
  | 'forced_rebalance';

export interface TradeTruth {
  trader: string;
  pid: number;
  /** The CSV (relative path) whose consecutive rows show this change. */
  csvPath: string;
  bar: string;
  symbol: string;
  side: TradeSide;
  /** |Δholdings|, exactly the difference of the two CSV values. */
  qty: number;
  /** The bar's close, as in the CSV's price column (6 decimals). */
  price: number;
  value: number;
  holdingsBefore: number;
  holdingsAfter: number;
  reason: TradeReason;
}

export type RiskKind =
  | 'stop_loss'
  | 'trailing_stop'
  | 'min_hold_blocked'
  | 'position_limit'
  | 'stop_flag_cleared'
  | 'concentration_capped'
  | 'concentration_blocked'
  | 'position_closed'
  | 'portfolio_initial'
  | 'portfolio_new_high'
  | 'portfolio_trailing_stop'
  | 'move_to_cash'
  | 'profit_taking'
  | 'cash_mode'
  | 'cash_cooldown_expired'
  | 'macro'
  | 'news_skip'
  | 'news_reduce'
  | 'news_bullish';

export interface RiskTruth {
  trader: string;
  bar: string;
  kind: RiskKind;
  symbol?: string;
  /** The first log line printed for it, exactly. */
  line: string;
}

export interface SnapshotTruth {
  trader: string;
  csvPath: string;
  bar: string;
  cash: number;
  total: number;
  reward: number;
  holdings: Record<string, number>;
  prices: Record<string, number>;
}

export type ErrorTruthKind = 'processing' | 'fetch' | 'fatal' | 'discord' | 'saved-state' | 'worker-crash';

export interface ErrorTruth {
  actor: string;
  at: string;
  kind: ErrorTruthKind;
  message: string;
  /** The lines written for it (the first line, then the traceback), in order. */
  lines: string[];
}

export type LifecycleKind = 'started' | 'fatal' | 'interrupted' | 'exited' | 'killed' | 'hung' | 'resumed' | 'restored-state';

export interface LifecycleTruth {
  actor: string;
  pid: number;
  kind: LifecycleKind;
  at: string;
  detail?: string;
}

export interface TrialTruth {
  worker: number;
  study: string;
  number: number;
  state: 'COMPLETE' | 'PRUNED' | 'FAIL';
  value?: number;
  finishedAt: string;
  /** True when this trial became the study's best. */
  newBest: boolean;
}

/** A secret the simulated system leaked into a log (webhook token), for redaction tests. */
export interface LeakTruth {
  file: string;
  secret: string;
  line: string;
}

export class GroundTruth {
  readonly trades: TradeTruth[] = [];
  readonly risk: RiskTruth[] = [];
  readonly snapshots: SnapshotTruth[] = [];
  readonly errors: ErrorTruth[] = [];
  readonly lifecycle: LifecycleTruth[] = [];
  readonly trials: TrialTruth[] = [];
  readonly leaks: LeakTruth[] = [];
}
