/** A simulated Cappuccino workspace for tests and demos (see TraderSimulator). */
export { TraderSimulator, DEFAULT_RATES, NO_RANDOM_EVENTS } from './TraderSimulator';
export type { SimulatorOptions, StepResult, RunOptions, TraderInfo } from './TraderSimulator';
export type { TraderSpec, PollScript, EventRates, Timeframe } from './SimulatedTrader';
export type { WorkerSpec, TrialScript } from './TrainingWorker';
export type { RotationMode, RotateOptions, Redirect } from './TrackedFile';
export type { FatalStartup, ProcessingErrorKind } from './tracebacks';
export type { RiskSettings, TiburtinaMode, DiscordMode } from './traderLog';
export { GroundTruth } from './truth';
export type { TradeTruth, TradeReason, RiskTruth, RiskKind, SnapshotTruth, ErrorTruth, LifecycleTruth, TrialTruth, LeakTruth } from './truth';
export { heartbeatPathFor, csvHeader, CSV_TERMINATOR } from './sessionFiles';
export { TRAINING_TICKERS, PAPER_TRADING_TICKERS } from './market';
export { SeededRandom } from './random';
export { playBuyThenCrash } from './scenarios';
